#include "mldp/stats/anderson.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "close.hpp"
#include "oracle_vectors.hpp"

// Reference vector (scipy 1.10.1): statistic 1.7183096744360893, p 0.06351467728760844.
TEST_CASE("anderson_ksamp on the published pair") {
    const auto& x = oracle::published_x;
    const auto& y = oracle::published_y;
    const auto r = mldp::stats::anderson_ksamp(x, y);
    CHECK_CLOSE(r.statistic, 1.7183096744360893, 1e-12);
    // scipy's p-value is an interpolation through a least-squares quadratic (np.polyfit); mldp fits
    // the same quadratic by QR instead of an SVD, which agrees to about 1e-14.
    CHECK_CLOSE(r.p_value, 0.06351467728760844, 1e-9);
    CHECK_FALSE(r.p_value_capped);
}

// Reference values: tests/stats/oracle_vectors.hpp (scipy.stats.anderson_ksamp).
TEST_CASE("anderson_ksamp agrees with scipy for 2 to 4 samples, ties included") {
    for (const auto& c : oracle::anderson_cases) {
        std::vector<std::vector<double>> samples;
        for (const auto& rec : c.samples) samples.push_back(oracle::make(rec));
        INFO(samples.size() << " samples, first " << c.samples[0].kind << " n=" << c.samples[0].n);
        const auto r = mldp::stats::anderson_ksamp(samples);
        CHECK_CLOSE(r.statistic, c.statistic, 1e-12);
        CHECK_CLOSE(r.p_value, c.p_value, 1e-9);
        for (std::size_t i = 0; i < 7; ++i) CHECK_CLOSE(r.critical_values[i], c.critical[i], 1e-14);
        CHECK(r.p_value_capped == (c.p_value == 0.25));
        CHECK(r.p_value_floored == (c.p_value == 0.001));
    }
}

TEST_CASE("anderson_ksamp input errors") {
    const std::vector<double> a{1, 2, 3}, same{2, 2}, empty;
    CHECK_THROWS_AS(mldp::stats::anderson_ksamp(std::vector<std::vector<double>>{a}), mldp::invalid_argument);
    CHECK_THROWS_WITH_AS(mldp::stats::anderson_ksamp(a, empty), doctest::Contains("column 'sample 1': the sample is empty"),
                         mldp::data_error);
    CHECK_THROWS_WITH_AS(mldp::stats::anderson_ksamp(same, same), doctest::Contains("more than one distinct value"),
                         mldp::data_error);
}

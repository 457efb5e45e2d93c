#include "mldp/stats/distance.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "close.hpp"
#include "oracle_vectors.hpp"

// Reference vectors (scipy 1.10.1): W1 = 4.1625.
TEST_CASE("wasserstein_distance on the published pair") {
    const auto& x = oracle::published_x;
    const auto& y = oracle::published_y;
    CHECK_CLOSE(mldp::stats::wasserstein_distance(x, y), 4.1625, 1e-12);
    const xt::xtensor<double, 1> xt_x = xt::adapt(x, {x.size()});
    CHECK_CLOSE(mldp::stats::wasserstein_distance(xt_x, y), 4.1625, 1e-12);
}

// Reference values: tests/stats/oracle_vectors.hpp (scipy.stats.wasserstein_distance, energy_distance).
TEST_CASE("wasserstein_distance and energy_distance agree with scipy on 9 shapes") {
    for (const auto& c : oracle::two_sample_distances) {
        INFO(c.a.kind << " n=" << c.a.n << " vs " << c.b.kind << " n=" << c.b.n);
        const auto a = oracle::make(c.a), b = oracle::make(c.b);
        CHECK_CLOSE(mldp::stats::wasserstein_distance(a, b), c.wasserstein, 1e-12);
        CHECK_CLOSE(mldp::stats::energy_distance(a, b), c.energy, 1e-12);
        // symmetric
        CHECK_CLOSE(mldp::stats::wasserstein_distance(b, a), c.wasserstein, 1e-12);
        if (std::isnan(c.normed_wasserstein)) {
            CHECK_THROWS_WITH_AS(mldp::stats::normed_wasserstein_distance(a, b), doctest::Contains("zero standard deviation"),
                                 mldp::data_error);
        } else {
            CHECK_CLOSE(mldp::stats::normed_wasserstein_distance(a, b), c.normed_wasserstein, 1e-12);
        }
    }
}

TEST_CASE("weighted distances agree with scipy") {
    for (const auto& c : oracle::weighted_distances) {
        INFO(c.a.kind << " n=" << c.a.n << " vs " << c.b.kind << " n=" << c.b.n);
        const auto a = oracle::make(c.a), b = oracle::make(c.b), wa = oracle::make(c.wa), wb = oracle::make(c.wb);
        CHECK_CLOSE(mldp::stats::wasserstein_distance(a, b, wa, wb), c.wasserstein, 1e-12);
    }
}

TEST_CASE("psi agrees with the numpy recipe, edges included") {
    for (const auto& c : oracle::psi_cases) {
        INFO(c.reference.kind << " n=" << c.reference.n << " bins=" << c.bins);
        const auto r = oracle::make(c.reference), cur = oracle::make(c.current);
        const auto res = mldp::stats::psi(r, cur, mldp::stats::psi_options{c.bins, c.eps});
        CHECK_CLOSE(res.psi, c.psi, 1e-12);
        REQUIRE(res.edges.size() == c.edges.size());
        for (std::size_t i = 0; i < c.edges.size(); ++i) CHECK(res.edges[i] == c.edges[i]);  // bit for bit
    }
    // the spelling with a bin count equals the options form
    const auto r5 = oracle::make({"sum4", 1000, 3, 1.0, 0.0}), c5 = oracle::make({"sum4", 1500, 4, 1.0, 0.05});
    CHECK(mldp::stats::psi(r5, c5, 5).psi == mldp::stats::psi(r5, c5, mldp::stats::psi_options{5, 1e-4}).psi);
    // identical samples: zero
    const auto x = oracle::make({"sum4", 1000, 3, 1.0, 0.0});
    CHECK(mldp::stats::psi(x, x).psi == 0.0);
}

TEST_CASE("NaN policy, empty samples, Inf and bad weights") {
    const std::vector<double> a{1.0, NAN, 3.0}, b{1.0, 2.0};
    CHECK_THROWS_WITH_AS(mldp::stats::wasserstein_distance(a, b), doctest::Contains("column 'a', row 1: NaN"),
                         mldp::data_error);
    CHECK(std::isnan(mldp::stats::wasserstein_distance(a, b, mldp::stats::nan_policy::propagate)));
    CHECK_CLOSE(mldp::stats::wasserstein_distance(a, b, mldp::stats::nan_policy::omit),
                mldp::stats::wasserstein_distance(std::vector<double>{1.0, 3.0}, b), 1e-15);
    const std::vector<double> inf{1.0, INFINITY};
    CHECK_THROWS_WITH_AS(mldp::stats::energy_distance(b, inf, mldp::stats::nan_policy::omit),
                         doctest::Contains("column 'b', row 1: +Inf"), mldp::data_error);
    const std::vector<double> empty;
    CHECK_THROWS_WITH_AS(mldp::stats::energy_distance(empty, b), doctest::Contains("column 'a': the sample is empty"),
                         mldp::data_error);
    const std::vector<double> only_nan{NAN};
    CHECK_THROWS_AS(mldp::stats::wasserstein_distance(only_nan, b, mldp::stats::nan_policy::omit), mldp::data_error);

    const std::vector<double> w_ok{1.0, 1.0}, w_neg{1.0, -1.0}, w_short{1.0}, w_zero{0.0, 0.0};
    CHECK_THROWS_WITH_AS(mldp::stats::wasserstein_distance(b, b, w_ok, w_neg), doctest::Contains("column 'b_weights', row 1"),
                         mldp::data_error);
    CHECK_THROWS_WITH_AS(mldp::stats::wasserstein_distance(b, b, w_short, w_ok), doctest::Contains("a_weights has 1 entries"),
                         mldp::invalid_argument);
    CHECK_THROWS_WITH_AS(mldp::stats::wasserstein_distance(b, b, w_zero, w_ok), doctest::Contains("positive sum"),
                         mldp::data_error);
    CHECK_THROWS_AS(mldp::stats::wasserstein_distance(b, b, w_ok, w_ok, mldp::stats::nan_policy::omit),
                    mldp::invalid_argument);

    CHECK_THROWS_WITH_AS(mldp::stats::psi(b, b, mldp::stats::psi_options{1, 1e-4}), doctest::Contains("bins must be at least 2"),
                         mldp::invalid_argument);
    CHECK_THROWS_WITH_AS(mldp::stats::psi(b, b, mldp::stats::psi_options{10, 0.0}), doctest::Contains("eps must be in (0, 1)"),
                         mldp::invalid_argument);
    CHECK_THROWS_AS(mldp::stats::psi(empty, b), mldp::data_error);
}

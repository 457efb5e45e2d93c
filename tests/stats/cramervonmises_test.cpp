#include "mldp/stats/cramervonmises.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "close.hpp"
#include "oracle_vectors.hpp"

using mldp::stats::cvm_method;

// Reference vector (scipy 1.10.1): T = 0.4375, exact p 0.06433566433566433, asymptotic 0.05788700364500943.
TEST_CASE("cramer_von_mises_2samp on the published pair") {
    const auto& x = oracle::published_x;
    const auto& y = oracle::published_y;
    const auto exact = mldp::stats::cramer_von_mises_2samp(x, y);
    CHECK_CLOSE(exact.statistic, 0.4375, 1e-12);
    CHECK_CLOSE(exact.p_value, 0.06433566433566433, 1e-12);
    const auto asymp = mldp::stats::cramer_von_mises_2samp(x, y, cvm_method::asymptotic);
    CHECK_CLOSE(asymp.p_value, 0.05788700364500943, 1e-9);
}

// Reference values: tests/stats/oracle_vectors.hpp (scipy.special.kv, scipy.stats.cramervonmises_2samp).
TEST_CASE("the scaled Bessel function K agrees with scipy.special.kv") {
    for (const auto& c : oracle::kv_cases) {
        INFO("nu = " << c.nu << ", z = " << c.z);
        CHECK_CLOSE(mldp::stats::detail::bessel_k_scaled(c.nu, c.z) * std::exp(-c.z), c.value, 1e-13);
    }
}

TEST_CASE("cramer_von_mises_2samp agrees with scipy: exact and asymptotic, ties included") {
    const cvm_method methods[] = {cvm_method::automatic, cvm_method::exact, cvm_method::asymptotic};
    for (const auto& c : oracle::cvm_cases) {
        INFO(c.a.kind << " n=" << c.a.n << " vs " << c.b.kind << " n=" << c.b.n << ", method " << c.method);
        const auto a = oracle::make(c.a), b = oracle::make(c.b);
        const auto r = mldp::stats::cramer_von_mises_2samp(a, b, methods[c.method]);
        CHECK_CLOSE(r.statistic, c.statistic, 1e-12);
        if (c.p_value > 1e-6) {
            CHECK_CLOSE(r.p_value, c.p_value, 1e-9);
        } else {
            // Below 1e-6 the asymptotic p-value is 1 - cdf with cdf within 1e-6 of 1: both scipy's value
            // and this one carry the absolute rounding error of that subtraction (a few 1e-16) and the
            // series' truncation, so they are compared absolutely (see ../shared/peers/README.md).
            INFO("p = " << r.p_value << ", scipy " << c.p_value);
            CHECK(std::fabs(r.p_value - c.p_value) < 1e-14);
        }
    }
}

TEST_CASE("cramer_von_mises_2samp input errors") {
    const std::vector<double> one{1.0}, a{1, 2, 3};
    CHECK_THROWS_WITH_AS(mldp::stats::cramer_von_mises_2samp(one, a), doctest::Contains("at least 2 values"), mldp::data_error);
    std::vector<double> big(30);
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<double>(i);
    CHECK_THROWS_WITH_AS(mldp::stats::cramer_von_mises_2samp(big, a, cvm_method::exact), doctest::Contains("at most 25"),
                         mldp::invalid_argument);
}

#include "mldp/stats/ks.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "close.hpp"
#include "oracle_vectors.hpp"

using mldp::stats::alternative;
using mldp::stats::ks_method;
using mldp::stats::ks_options;

// Reference vectors (scipy 1.10.1).
TEST_CASE("ks_2samp on the published pairs") {
    const auto& x = oracle::published_x;
    const auto& y = oracle::published_y;
    const auto exact = mldp::stats::ks_2samp(x, y);
    CHECK(exact.statistic == 0.625);
    CHECK_CLOSE(exact.p_value, 0.08702408702408701, 1e-12);
    CHECK(exact.method_used == ks_method::exact);
    const auto asymp = mldp::stats::ks_2samp(x, y, ks_options{alternative::two_sided, ks_method::asymp});
    CHECK_CLOSE(asymp.p_value, 0.04931640625, 1e-12);

    std::vector<double> a(10);
    for (int i = 0; i < 10; ++i) a[static_cast<std::size_t>(i)] = i + 1;
    const std::vector<double> b{2.5, 3.5, 7.5, 8.5, 11, 12, 13.5};
    const auto e2 = mldp::stats::ks_2samp(a, b);
    CHECK_CLOSE(e2.statistic, 3.0 / 7.0, 1e-15);
    CHECK_CLOSE(e2.p_value, 0.3206499382969971, 1e-12);
    const auto a2 = mldp::stats::ks_2samp(a, b, ks_options{alternative::two_sided, ks_method::asymp});
    CHECK_CLOSE(a2.p_value, 0.35089546022490614, 1e-12);
}

// Reference values: tests/stats/oracle_vectors.hpp (scipy.stats.kstwo.sf, scipy.special.smirnov).
TEST_CASE("kstwo_sf agrees with scipy.stats.kstwo across all of its methods") {
    for (const auto& c : oracle::kstwo_cases) {
        INFO("n = " << c.n << ", x = " << c.x);
        CHECK_CLOSE(mldp::stats::kstwo_sf(c.x, c.n), c.sf, 1e-9);
    }
}

TEST_CASE("smirnov_sf agrees with scipy.special.smirnov") {
    for (const auto& c : oracle::smirnov_cases) {
        INFO("n = " << c.n << ", x = " << c.x);
        CHECK_CLOSE(mldp::stats::smirnov_sf(c.n, c.x), c.sf, 1e-9);
    }
    CHECK(std::isnan(mldp::stats::smirnov_sf(0, 0.5)));
    CHECK(std::isnan(mldp::stats::smirnov_sf(3, 1.5)));
}

TEST_CASE("ks_2samp agrees with scipy on 13 shapes, 3 alternatives and 3 methods") {
    const alternative alts[] = {alternative::two_sided, alternative::less, alternative::greater};
    const ks_method methods[] = {ks_method::automatic, ks_method::exact, ks_method::asymp};
    for (const auto& c : oracle::ks_cases) {
        INFO(c.a.kind << " n=" << c.a.n << " vs " << c.b.kind << " n=" << c.b.n << ", alternative " << c.alternative
                      << ", method " << c.method);
        const auto a = oracle::make(c.a), b = oracle::make(c.b);
        const auto r = mldp::stats::ks_2samp(a, b, ks_options{alts[c.alternative], methods[c.method]});
        CHECK_CLOSE(r.statistic, c.statistic, 1e-12);
        CHECK_CLOSE(r.p_value, c.p_value, 1e-9);
        CHECK(r.statistic_location == c.location);
        CHECK(r.statistic_sign == c.sign);
    }
}

TEST_CASE("ks_2samp input errors and NaN policy") {
    const std::vector<double> a{1, 2, 3}, empty, with_nan{1, NAN, 2};
    CHECK_THROWS_WITH_AS(mldp::stats::ks_2samp(a, empty), doctest::Contains("column 'b': the sample is empty"),
                         mldp::data_error);
    CHECK_THROWS_WITH_AS(mldp::stats::ks_2samp(with_nan, a), doctest::Contains("column 'a', row 1: NaN"), mldp::data_error);
    ks_options omit;
    omit.nan_policy = mldp::stats::nan_policy::omit;
    CHECK(mldp::stats::ks_2samp(with_nan, a, omit).statistic == mldp::stats::ks_2samp(std::vector<double>{1, 2}, a).statistic);
    ks_options propagate;
    propagate.nan_policy = mldp::stats::nan_policy::propagate;
    CHECK(std::isnan(mldp::stats::ks_2samp(with_nan, a, propagate).p_value));
    // identical samples: D = 0, p = 1
    const auto same = mldp::stats::ks_2samp(a, a);
    CHECK(same.statistic == 0.0);
    CHECK(same.p_value == 1.0);
}

TEST_CASE("ks_2samp against a sorted_reference equals the plain test bit for bit") {
    const alternative alts[] = {alternative::two_sided, alternative::less, alternative::greater};
    const std::vector<std::pair<oracle::recipe, oracle::recipe>> shapes = {
        {{"sum4", 20000, 201, 1.0, 0.0}, {"sum4", 2000, 202, 1.0, 0.05}},
        {{"ties", 5000, 203, 1.0, 0.0}, {"ties", 700, 204, 1.0, 0.0}},
        {{"ties", 300, 205, 1.0, 0.0}, {"uniform", 40, 206, 3.0, 0.0}},
        {{"heavy", 10000, 207, 1.0, 0.0}, {"heavy", 10000, 208, 1.0, 0.0}},
        {{"uniform", 50, 209, 1.0, 0.0}, {"uniform", 5000, 210, 1.0, 0.01}},
        {{"uniform", 1, 211, 1.0, 0.0}, {"uniform", 3, 212, 1.0, 0.0}},
    };
    for (const auto& shape : shapes) {
        const oracle::recipe& ra = shape.first;  // not a structured binding: clang 14 cannot capture those
        const oracle::recipe& rb = shape.second;
        const auto a = oracle::make(ra), b = oracle::make(rb);
        const mldp::stats::sorted_reference ref(a);
        for (const auto alt : alts) {
            INFO(ra.kind << " n=" << ra.n << " vs " << rb.kind << " n=" << rb.n);
            const ks_options o{alt, ks_method::automatic};
            const auto plain = mldp::stats::ks_2samp(a, b, o);
            const auto fast = mldp::stats::ks_2samp(ref, b, o);
            CHECK(fast.statistic == plain.statistic);
            CHECK(fast.p_value == plain.p_value);
            CHECK(fast.statistic_location == plain.statistic_location);
            CHECK(fast.statistic_sign == plain.statistic_sign);
        }
    }
    const std::vector<double> empty;
    CHECK_THROWS_WITH_AS(mldp::stats::sorted_reference{empty}, doctest::Contains("column 'reference': the sample is empty"),
                         mldp::data_error);
}

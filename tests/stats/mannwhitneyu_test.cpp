#include "mldp/stats/mannwhitneyu.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "close.hpp"
#include "oracle_vectors.hpp"

using mldp::stats::alternative;
using mldp::stats::mwu_method;

// Reference values: tests/stats/oracle_vectors.hpp (scipy.stats.mannwhitneyu, scipy 1.10.1).
TEST_CASE("mannwhitneyu agrees with scipy: exact and asymptotic, ties, all alternatives") {
    const alternative alts[] = {alternative::two_sided, alternative::less, alternative::greater};
    const mwu_method methods[] = {mwu_method::automatic, mwu_method::exact, mwu_method::asymptotic};
    for (const auto& c : oracle::mwu_cases) {
        INFO(c.a.kind << " n=" << c.a.n << " vs " << c.b.kind << " n=" << c.b.n << ", alternative " << c.alternative
                      << ", method " << c.method << ", continuity " << c.continuity);
        const auto a = oracle::make(c.a), b = oracle::make(c.b);
        mldp::stats::mwu_options o;
        o.alternative = alts[c.alternative];
        o.method = methods[c.method];
        o.use_continuity = c.continuity;
        const auto r = mldp::stats::mannwhitneyu(a, b, o);
        CHECK_CLOSE(r.statistic, c.statistic, 1e-12);
        CHECK_CLOSE(r.p_value, c.p_value, 1e-9);
    }
}

TEST_CASE("mannwhitneyu effect size, automatic method choice and errors") {
    const std::vector<double> a{1, 2, 3}, b{4, 5, 6, 7};
    const auto r = mldp::stats::mannwhitneyu(a, b);
    CHECK(r.statistic == 0.0);
    CHECK(r.effect_size == 0.0);  // no value of a exceeds one of b
    CHECK(r.method_used == mwu_method::exact);
    const std::vector<double> tied{1, 1, 2};
    CHECK(mldp::stats::mannwhitneyu(tied, b).method_used == mwu_method::asymptotic);
    const std::vector<double> empty;
    CHECK_THROWS_WITH_AS(mldp::stats::mannwhitneyu(a, empty), doctest::Contains("column 'b': the sample is empty"),
                         mldp::data_error);
    std::vector<double> big(400, 0.0);
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<double>(i);
    mldp::stats::mwu_options exact;
    exact.method = mwu_method::exact;
    CHECK_THROWS_WITH_AS(mldp::stats::mannwhitneyu(big, big, exact), doctest::Contains("n1 * n2 <= 100000"),
                         mldp::invalid_argument);
}

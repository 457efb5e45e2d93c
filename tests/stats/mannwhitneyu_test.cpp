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
    // A small sample against a large one: automatic is exact (scipy's rule), by the generating function.
    std::vector<double> large(50000), small{0.5, 7.5, 100.5, 20000.5, 49999.5};
    for (std::size_t i = 0; i < large.size(); ++i) large[i] = static_cast<double>(i);
    const auto lopsided = mldp::stats::mannwhitneyu(small, large);
    CHECK(lopsided.method_used == mwu_method::exact);
    CHECK(lopsided.statistic == 1 + 8 + 101 + 20001 + 50000);  // values of `large` below each of `small`
    // 2 P(U >= 250000 - 70111) from exact rational arithmetic (the script described below).
    CHECK(lopsided.p_value == doctest::Approx(0.0894966240316823).epsilon(1e-12));
    // Beyond the exact sizes automatic falls back to the asymptotic p-value; exact is refused.
    std::vector<double> huge(5000000);
    for (std::size_t i = 0; i < huge.size(); ++i) huge[i] = static_cast<double>(i);
    CHECK(mldp::stats::mannwhitneyu(small, huge).method_used == mwu_method::asymptotic);
    CHECK_THROWS_AS(mldp::stats::mannwhitneyu(small, huge, exact), mldp::invalid_argument);
}

// P(U >= u) for a small sample against a large one, against exact rational arithmetic (Python
// integers: the Gaussian-binomial coefficients, summed and divided by C(m + n, m) as a Fraction;
// the script also checks itself against brute-force enumeration on small sizes).
TEST_CASE("mannwhitneyu's exact distribution for a small sample against a large one") {
    struct vec { std::size_t m, n, u; double p; };
    const vec cases[] = {{5, 50000, 125000, 0.5000059892239883},   {5, 50000, 180000, 0.04440375988483747},
                         {5, 50000, 240000, 2.6765461113846214e-06}, {8, 13000, 60000, 0.2291460357068382},
                         {8, 13000, 90000, 4.522114625899165e-05},   {2, 60000, 119000, 0.00013943802802113338},
                         {3, 40000, 1000, 0.9999973766565196}};
    for (const auto& c : cases) {
        CAPTURE(c.m);
        CAPTURE(c.n);
        CAPTURE(c.u);
        CHECK(mldp::stats::detail::mwu_exact_sf_small(c.m, c.n, c.u) == doctest::Approx(c.p).epsilon(1e-12));
        CHECK(mldp::stats::detail::mwu_exact_sf_small(c.n, c.m, c.u) == doctest::Approx(c.p).epsilon(1e-12));
    }
    // Where both methods apply they agree (the recurrence is exact in integers below 2^53).
    for (std::size_t m = 1; m <= 8; ++m) {
        for (std::size_t n = 1; n <= 40; n += 13) {
            for (std::size_t u = 0; u <= m * n + 1; u += 3) {
                CHECK(mldp::stats::detail::mwu_exact_sf_small(m, n, u) ==
                      doctest::Approx(mldp::stats::detail::mwu_exact_sf(m, n, u)).epsilon(1e-14));
            }
        }
    }
}

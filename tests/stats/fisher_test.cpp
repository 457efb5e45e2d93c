#include "mldp/stats/fisher.hpp"

#include <doctest/doctest.h>

#include <cmath>

#include "close.hpp"
#include "oracle_vectors.hpp"

// Reference values: tests/stats/oracle_vectors.hpp (scipy.stats.fisher_exact, scipy 1.10.1).
TEST_CASE("fisher_exact agrees with scipy on 11 tables and 3 alternatives") {
    const mldp::stats::alternative alts[] = {mldp::stats::alternative::two_sided, mldp::stats::alternative::less,
                                             mldp::stats::alternative::greater};
    for (const auto& c : oracle::fisher_cases) {
        INFO("[[" << c.a << ", " << c.b << "], [" << c.c << ", " << c.d << "]], alternative " << c.alternative);
        const auto r = mldp::stats::fisher_exact(c.a, c.b, c.c, c.d, alts[c.alternative]);
        CHECK_CLOSE(r.statistic, c.odds_ratio, 1e-12);
        CHECK_CLOSE(r.p_value, c.p_value, 1e-9);
    }
    CHECK_THROWS_WITH_AS(mldp::stats::fisher_exact(1, -1, 2, 3), doctest::Contains("non-negative"), mldp::invalid_argument);
}

TEST_CASE("hypergeometric probabilities sum to one") {
    double s = 0.0;
    for (long long k = 0; k <= 30; ++k) s += mldp::stats::hypergeom_pmf(k, 100, 30, 40);
    CHECK(s == doctest::Approx(1.0).epsilon(1e-13));
    CHECK(mldp::stats::hypergeom_pmf(31, 100, 30, 40) == 0.0);
}

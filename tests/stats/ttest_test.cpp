#include "mldp/stats/ttest.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "close.hpp"
#include "oracle_vectors.hpp"

// Reference values: tests/stats/oracle_vectors.hpp (scipy.special.betainc, scipy.stats.t.sf).
TEST_CASE("regularized_beta and student_t_sf agree with scipy") {
    for (const auto& c : oracle::betainc_cases) {
        INFO("a = " << c.a << ", b = " << c.b << ", x = " << c.x);
        CHECK_CLOSE(mldp::stats::regularized_beta(c.a, c.b, c.x), c.value, 1e-12);
    }
    // t.sf is a p-value: the layer's p-value tolerance, 1e-9. Most cases agree to 1e-14; the worst,
    // df = 1e6, to 4e-11, where Cephes' continued fraction for I_x(a, 1/2) with a = 5e5 and x near 1
    // loses digits (scipy evaluates it with TOMS 708's asymptotic expansion instead).
    for (const auto& c : oracle::t_sf_cases) {
        INFO("t = " << c.t << ", df = " << c.df);
        CHECK_CLOSE(mldp::stats::student_t_sf(c.t, c.df), c.sf, 1e-9);
        CHECK_CLOSE(mldp::stats::student_t_cdf(-c.t, c.df), c.sf, 1e-9);
        if (c.df < 1e5) CHECK_CLOSE(mldp::stats::student_t_sf(c.t, c.df), c.sf, 1e-12);
    }
    CHECK(mldp::stats::student_t_sf(0.0, 3.0) == 0.5);
    CHECK(std::isnan(mldp::stats::student_t_sf(1.0, 0.0)));
    CHECK(std::isnan(mldp::stats::regularized_beta(1.0, 1.0, 1.5)));
}

TEST_CASE("ttest_ind agrees with scipy.stats.ttest_ind (Welch and Student, three alternatives)") {
    const mldp::stats::alternative alts[] = {mldp::stats::alternative::two_sided, mldp::stats::alternative::less,
                                             mldp::stats::alternative::greater};
    for (const auto& c : oracle::ttest_cases) {
        INFO(c.a.kind << " n=" << c.a.n << " vs " << c.b.kind << " n=" << c.b.n << ", equal_var " << c.equal_var
                      << ", alternative " << c.alternative);
        const auto a = oracle::make(c.a), b = oracle::make(c.b);
        mldp::stats::ttest_options o;
        o.equal_var = c.equal_var;
        o.alternative = alts[c.alternative];
        const auto r = mldp::stats::ttest_ind(a, b, o);
        CHECK_CLOSE(r.statistic, c.statistic, 1e-12);
        CHECK_CLOSE(r.p_value, c.p_value, 1e-9);
        CHECK_CLOSE(r.df, c.df, 1e-12);
    }
}

TEST_CASE("ttest_ind reports the standardized mean difference and rejects tiny samples") {
    const std::vector<double> a{1, 2, 3, 4}, b{3, 4, 5, 6};
    const auto r = mldp::stats::ttest_ind(a, b);
    // pooled sd = sqrt(5/3); d = -2 / sqrt(5/3)
    CHECK_CLOSE(r.effect_size, -2.0 / std::sqrt(5.0 / 3.0), 1e-15);
    CHECK(r.mean_difference == -2.0);
    const std::vector<double> one{1.0};
    CHECK_THROWS_WITH_AS(mldp::stats::ttest_ind(one, b), doctest::Contains("at least 2 values"), mldp::data_error);
    const std::vector<double> nan{1.0, NAN, 2.0};
    CHECK_THROWS_AS(mldp::stats::ttest_ind(nan, b), mldp::data_error);
}

#include "mldp/stats/mmd.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "close.hpp"
#include "oracle_vectors.hpp"

// Reference values: tests/stats/oracle_vectors.hpp (kernel from scikit-learn's rbf_kernel, bandwidth
// from scipy's pdist and numpy's median).
TEST_CASE("mmd2 statistic and median-heuristic bandwidth agree with the scikit-learn/scipy computation") {
    for (const auto& c : oracle::mmd_cases) {
        INFO(c.a.kind << " n=" << c.a.n << " vs " << c.b.kind << " n=" << c.b.n);
        const auto a = oracle::make(c.a), b = oracle::make(c.b);
        mldp::stats::mmd_options o;
        o.permutations = 0;
        const auto r = mldp::stats::mmd2(a, b, o);
        CHECK(r.bandwidth == c.bandwidth);  // an order statistic (or the mean of two): exact
        // the kernel sums run over up to 3e5 terms: compared relative to the kernel's scale, 1e-12
        CHECK(std::fabs(r.statistic - c.mmd2) < 1e-12);
        CHECK(std::isnan(r.p_value));
    }
}

TEST_CASE("mmd2 permutation p-values: seeded, (k+1)/(B+1), small under a shift, not under the null") {
    const auto a = oracle::make({"sum4", 200, 121, 1.0, 0.0});
    const auto shifted = oracle::make({"sum4", 200, 122, 1.0, 0.5});
    const auto same = oracle::make({"sum4", 200, 123, 1.0, 0.0});
    mldp::stats::mmd_options o;
    o.permutations = 199;
    o.seed = 7;
    const auto r1 = mldp::stats::mmd2(a, shifted, o);
    CHECK(r1.p_value == 1.0 / 200.0);  // no permutation reaches a 0.5-sigma shift at n = 200
    const auto r2 = mldp::stats::mmd2(a, shifted, o);
    CHECK(r2.p_value == r1.p_value);
    const auto null = mldp::stats::mmd2(a, same, o);
    CHECK(null.p_value > 0.01);
    const double k = null.p_value * 200.0 - 1.0;
    CHECK(k == std::round(k));  // of the form (k + 1) / (B + 1)
}

TEST_CASE("mmd2 input errors") {
    const std::vector<double> a{1, 2, 3}, one{1.0};
    mldp::stats::mmd_options bad;
    bad.bandwidth = -1.0;
    CHECK_THROWS_WITH_AS(mldp::stats::mmd2(a, a, bad), doctest::Contains("bandwidth must be finite and >= 0"),
                         mldp::invalid_argument);
    CHECK_THROWS_AS(mldp::stats::mmd2(one, a), mldp::data_error);
    std::vector<double> big(3000, 0.0);
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<double>(i);
    CHECK_THROWS_WITH_AS(mldp::stats::mmd2(big, big), doctest::Contains("at most 4096"), mldp::invalid_argument);
    const std::vector<double> flat{1, 1, 1, 1, 2};
    CHECK_THROWS_WITH_AS(mldp::stats::mmd2(flat, flat), doctest::Contains("zero bandwidth"), mldp::data_error);
}

#include "mldp/stats/multiple_testing.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "close.hpp"
#include "oracle_vectors.hpp"

// Reference values: statsmodels multipletests, tests/stats/oracle_vectors.hpp.
TEST_CASE("adjust_p_values equals statsmodels' multipletests") {
    using mldp::stats::correction;
    for (const auto& c : oracle::multitest) {
        const auto bonf = mldp::stats::adjust_p_values(c.p, correction::bonferroni);
        const auto holm = mldp::stats::adjust_p_values(c.p, correction::holm);
        const auto bh = mldp::stats::adjust_p_values(c.p, correction::benjamini_hochberg);
        const auto by = mldp::stats::adjust_p_values(c.p, correction::benjamini_yekutieli);
        REQUIRE(bh.size() == c.p.size());
        for (std::size_t i = 0; i < c.p.size(); ++i) {
            INFO("i = " << i);
            CHECK_CLOSE(bonf[i], c.bonferroni[i], 1e-15);
            CHECK_CLOSE(holm[i], c.holm[i], 1e-15);
            CHECK_CLOSE(bh[i], c.fdr_bh[i], 1e-15);
            CHECK_CLOSE(by[i], c.fdr_by[i], 1e-15);
        }
    }
}

TEST_CASE("adjust_p_values rejects p-values outside [0, 1] and accepts none") {
    CHECK(mldp::stats::adjust_p_values(std::vector<double>{}, mldp::stats::correction::holm).empty());
    CHECK_THROWS_WITH_AS(mldp::stats::adjust_p_values(std::vector<double>{0.1, 1.5}, mldp::stats::correction::holm),
                         doctest::Contains("column 'p_values', row 1"), mldp::data_error);
    CHECK_THROWS_AS(mldp::stats::adjust_p_values(std::vector<double>{NAN}, mldp::stats::correction::bonferroni),
                    mldp::data_error);
}

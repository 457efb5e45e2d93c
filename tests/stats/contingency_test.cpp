#include "mldp/stats/contingency.hpp"

#include <doctest/doctest.h>

#include <vector>

#include <xtensor/xtensor.hpp>

#include "close.hpp"
#include "oracle_vectors.hpp"

namespace {

xt::xtensor<double, 2> to_table(const std::vector<std::vector<double>>& rows) {
    xt::xtensor<double, 2> t = xt::zeros<double>({rows.size(), rows.front().size()});
    for (std::size_t i = 0; i < rows.size(); ++i)
        for (std::size_t j = 0; j < rows[i].size(); ++j) t(i, j) = rows[i][j];
    return t;
}

}  // namespace

// Reference vectors (scipy 1.10.1).
TEST_CASE("chi2_contingency on the published tables") {
    const xt::xtensor<double, 2> t26 = {{16, 18, 16, 14, 12, 12}, {16, 16, 16, 16, 16, 8}};
    const auto r = mldp::stats::chi2_contingency(t26);
    CHECK_CLOSE(r.statistic, 1.6224089635854342, 1e-12);
    CHECK_CLOSE(r.p_value, 0.8985262394026607, 1e-9);
    CHECK(r.df == 5.0);
    const xt::xtensor<double, 2> t22 = {{30, 70}, {45, 55}};
    const auto yates = mldp::stats::chi2_contingency(t22);
    CHECK_CLOSE(yates.statistic, 4.181333333333333, 1e-12);
    CHECK_CLOSE(yates.p_value, 0.04087153408900628, 1e-9);
    const auto plain = mldp::stats::chi2_contingency(t22, {false});
    CHECK_CLOSE(plain.statistic, 4.8, 1e-12);
    CHECK_CLOSE(plain.p_value, 0.028459736916310638, 1e-9);
    CHECK(yates.expected(0, 0) == 37.5);

    // The published value is scipy.stats.chisquare(f_obs=q_counts, f_exp=p_counts); the other
    // orientation (3.5) is pinned in oracle::goodness_of_fit.
    const std::vector<double> p{16, 18, 16, 14, 12, 12}, q{16, 16, 16, 16, 16, 8};
    const auto gof = mldp::stats::chisquare(q, p);
    CHECK_CLOSE(gof.statistic, 3.1746031746031744, 1e-12);
    CHECK_CLOSE(gof.p_value, 0.6730876006966301, 1e-9);
}

// Reference values: tests/stats/oracle_vectors.hpp.
TEST_CASE("chi2_contingency agrees with scipy: Yates, uncorrected and G statistics") {
    using mldp::stats::contingency_options;
    using mldp::stats::divergence_statistic;
    for (const auto& c : oracle::contingency) {
        const auto t = to_table(c.table);
        INFO("table " << t.shape()[0] << " x " << t.shape()[1]);
        const auto yates = mldp::stats::chi2_contingency(t);
        CHECK_CLOSE(yates.statistic, c.chi2, 1e-12);
        CHECK_CLOSE(yates.p_value, c.p, 1e-9);
        CHECK(yates.df == c.dof);
        const auto plain = mldp::stats::chi2_contingency(t, contingency_options{false, divergence_statistic::pearson});
        CHECK_CLOSE(plain.statistic, c.chi2_nocorr, 1e-12);
        CHECK_CLOSE(plain.p_value, c.p_nocorr, 1e-9);
        const auto g = mldp::stats::chi2_contingency(t, contingency_options{true, divergence_statistic::log_likelihood});
        CHECK_CLOSE(g.statistic, c.g, 1e-12);
        CHECK_CLOSE(g.p_value, c.p_g, 1e-9);
    }
}

TEST_CASE("chisquare and g_test agree with scipy") {
    for (const auto& c : oracle::goodness_of_fit) {
        const auto r = c.expected.empty() ? mldp::stats::chisquare(c.observed) : mldp::stats::chisquare(c.observed, c.expected, c.ddof);
        CHECK_CLOSE(r.statistic, c.chi2, 1e-12);
        CHECK_CLOSE(r.p_value, c.p, 1e-9);
        if (!c.expected.empty()) {
            const auto g = mldp::stats::g_test(c.observed, c.expected, c.ddof);
            CHECK_CLOSE(g.statistic, c.g, 1e-12);
            CHECK_CLOSE(g.p_value, c.p_g, 1e-9);
        }
    }
}

TEST_CASE("cramers_v agrees with scipy.stats.contingency.association") {
    for (const auto& c : oracle::cramers_v_cases) CHECK_CLOSE(mldp::stats::cramers_v(to_table(c.table)), c.v, 1e-12);
    const xt::xtensor<double, 2> one_row = {{1, 2, 3}};
    CHECK_THROWS_WITH_AS(mldp::stats::cramers_v(one_row), doctest::Contains("at least 2 rows and 2 columns"),
                         mldp::invalid_argument);
}

TEST_CASE("contingency inputs are validated") {
    const xt::xtensor<double, 2> neg = {{1, -1}, {2, 3}};
    CHECK_THROWS_WITH_AS(mldp::stats::chi2_contingency(neg), doctest::Contains("column 'table', row 1"), mldp::data_error);
    const xt::xtensor<double, 2> zero_col = {{0, 1}, {0, 3}};
    CHECK_THROWS_WITH_AS(mldp::stats::chi2_contingency(zero_col), doctest::Contains("cell (0, 0) is zero"), mldp::data_error);
    const xt::xtensor<double, 1> flat = {1, 2};
    CHECK_THROWS_WITH_AS(mldp::stats::chi2_contingency(flat), doctest::Contains("must be 2-D"), mldp::invalid_argument);
    const std::vector<double> o{10, 20}, e{10, 10}, e3{1, 2, 3};
    CHECK_THROWS_WITH_AS(mldp::stats::chisquare(o, e), doctest::Contains("must agree to a relative tolerance of 1e-8"),
                         mldp::data_error);
    CHECK_THROWS_AS(mldp::stats::chisquare(o, e3), mldp::invalid_argument);
    CHECK_THROWS_AS(mldp::stats::chisquare(o, std::vector<double>{30, 0}), mldp::data_error);
    CHECK_THROWS_WITH_AS(mldp::stats::chisquare(o, std::vector<double>{15, 15}, 1), doctest::Contains("ddof = 1 leaves no degrees"),
                         mldp::invalid_argument);
}

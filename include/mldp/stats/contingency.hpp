// mldp — chi-square family: the test of independence on a contingency table
// (scipy.stats.chi2_contingency), goodness of fit (scipy.stats.chisquare), the G-test (log-likelihood
// ratio, scipy's lambda_="log-likelihood"), and Cramer's V as the effect size beside them.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <xtensor/xexpression.hpp>
#include <xtensor/xtensor.hpp>

#include "mldp/core/contiguous.hpp"
#include "mldp/core/detail/json.hpp"
#include "mldp/core/error.hpp"
#include "mldp/core/numeric.hpp"
#include "mldp/stats/special.hpp"
#include "mldp/stats/test_result.hpp"

namespace mldp::stats {

/// Which power-divergence statistic a chi-square-family test uses.
enum class divergence_statistic {
    pearson,        ///< sum (O - E)^2 / E
    log_likelihood  ///< G = 2 sum O ln(O / E) (the G-test)
};

/// Options of chi2_contingency().
struct contingency_options {
    /// Yates' continuity correction; applied, as scipy does, only when the table has one degree of freedom.
    bool correction = true;
    divergence_statistic statistic = divergence_statistic::pearson;
};

/// Result of chi2_contingency(): the test, plus the expected frequencies under independence.
struct contingency_result {
    double statistic = 0.0;
    double p_value = 1.0;
    double df = 0.0;
    xt::xtensor<double, 2> expected;
};

namespace detail {

// Sum of power-divergence terms for observed/expected pairs, in numpy's flattened order.
inline double power_divergence_sum(const double* obs, const double* exp, std::size_t n, divergence_statistic s) {
    std::vector<double> terms(n);
    for (std::size_t i = 0; i < n; ++i) {
        if (s == divergence_statistic::pearson) {
            const double d = obs[i] - exp[i];
            terms[i] = d * d / exp[i];
        } else {
            // 2 * scipy.special.xlogy(O, O / E): 0 when O == 0.
            terms[i] = obs[i] == 0.0 ? 0.0 : 2.0 * (obs[i] * std::log(obs[i] / exp[i]));
        }
    }
    return pairwise_sum(terms.data(), n);
}

template <class E>
xt::xtensor<double, 2> evaluate_table(const xt::xexpression<E>& table) {
    const auto& t = table.derived_cast();
    if (t.dimension() != 2) {
        throw invalid_argument("mldp::stats: a contingency table must be 2-D, got " + std::to_string(t.dimension()) +
                               " dimensions");
    }
    xt::xtensor<double, 2> out = t;
    return out;
}

inline void check_counts(const double* v, std::size_t n, const char* name) {
    for (std::size_t i = 0; i < n; ++i) {
        if (!(v[i] >= 0.0) || std::isinf(v[i])) {
            throw data_error(name, i, "counts must be finite and non-negative, got " + std::to_string(v[i]));
        }
    }
}

}  // namespace detail

/// Chi-square test of independence on an r x c table of counts (scipy.stats.chi2_contingency):
/// expected = row sums x column sums / total; df = (r-1)(c-1); with df == 1 and options.correction,
/// each observed count moves by min(0.5, |E - O|) towards its expected count (Yates). df == 0 gives
/// statistic 0 and p = 1. `table` is any 2-D xtensor expression. Throws invalid_argument for a table
/// that is not 2-D or is empty, data_error for a negative or non-finite count (row-major index) or
/// an all-zero row or column (its expected frequencies would be zero).
template <class E>
contingency_result chi2_contingency(const xt::xexpression<E>& table, const contingency_options& options = {}) {
    xt::xtensor<double, 2> obs = detail::evaluate_table(table);
    const std::size_t r = obs.shape()[0], c = obs.shape()[1];
    if (r == 0 || c == 0) throw invalid_argument("mldp::stats::chi2_contingency: the table is empty");
    detail::check_counts(obs.data(), obs.size(), "table");

    std::vector<double> row_sums(r), col_sums(c, 0.0);
    for (std::size_t i = 0; i < r; ++i) row_sums[i] = pairwise_sum(obs.data() + i * c, c);
    for (std::size_t i = 0; i < r; ++i)
        for (std::size_t j = 0; j < c; ++j) col_sums[j] += obs(i, j);
    const double total = pairwise_sum(obs.data(), obs.size());

    contingency_result out;
    out.expected = xt::xtensor<double, 2>::from_shape({r, c});
    for (std::size_t i = 0; i < r; ++i) {
        for (std::size_t j = 0; j < c; ++j) {
            const double e = row_sums[i] * col_sums[j] / total;
            if (!(e > 0.0)) {
                throw data_error("table", i * c + j,
                                 "the expected frequency of cell (" + std::to_string(i) + ", " + std::to_string(j) +
                                     ") is zero: its row or column has no counts");
            }
            out.expected(i, j) = e;
        }
    }
    out.df = static_cast<double>((r - 1) * (c - 1));
    if (out.df == 0.0) {
        out.statistic = 0.0;
        out.p_value = 1.0;
        return out;
    }
    if (out.df == 1.0 && options.correction) {
        for (std::size_t k = 0; k < obs.size(); ++k) {
            const double diff = out.expected.data()[k] - obs.data()[k];
            const double direction = diff > 0 ? 1.0 : (diff < 0 ? -1.0 : 0.0);
            obs.data()[k] += (std::min)(0.5, std::fabs(diff)) * direction;
        }
    }
    out.statistic = detail::power_divergence_sum(obs.data(), out.expected.data(), obs.size(), options.statistic);
    out.p_value = chi2_sf(out.statistic, out.df);
    return out;
}

namespace detail {

template <class O, class X>
test_result goodness_of_fit(O&& observed, X&& expected, std::size_t ddof, divergence_statistic s, const char* fn) {
    const auto obs = evaluate_contiguous<double>(std::forward<O>(observed));
    const auto exp = evaluate_contiguous<double>(std::forward<X>(expected));
    const std::string name = std::string("mldp::stats::") + fn;
    if (obs.size() != exp.size()) {
        throw invalid_argument(name + ": observed has " + std::to_string(obs.size()) + " categories and expected has " +
                               std::to_string(exp.size()));
    }
    if (obs.size() < 2) throw invalid_argument(name + ": at least 2 categories are needed");
    if (ddof + 1 >= obs.size()) {
        throw invalid_argument(name + ": ddof = " + std::to_string(ddof) + " leaves no degrees of freedom for " +
                               std::to_string(obs.size()) + " categories");
    }
    check_counts(obs.data(), obs.size(), "observed");
    check_counts(exp.data(), exp.size(), "expected");
    for (std::size_t i = 0; i < exp.size(); ++i) {
        if (exp[i] == 0.0) throw data_error("expected", i, "expected frequencies must be positive");
    }
    // scipy's rule: the two totals must agree to a relative tolerance of 1e-8.
    const double so = pairwise_sum(obs.data(), obs.size()), se = pairwise_sum(exp.data(), exp.size());
    if (std::fabs(so - se) / (std::min)(so, se) > 1e-8) {
        throw data_error("expected", data_error::no_row,
                         "the observed frequencies sum to " + std::to_string(so) + " and the expected to " +
                             std::to_string(se) + "; they must agree to a relative tolerance of 1e-8");
    }
    test_result r;
    r.statistic = power_divergence_sum(obs.data(), exp.data(), obs.size(), s);
    r.df = static_cast<double>(obs.size() - 1 - ddof);
    r.p_value = chi2_sf(r.statistic, r.df);
    return r;
}

}  // namespace detail

/// Pearson's chi-square goodness-of-fit test of observed counts against expected counts
/// (scipy.stats.chisquare(f_obs, f_exp, ddof)): df = k - 1 - ddof. The totals must agree within a
/// relative 1e-8, as scipy requires. Throws invalid_argument for length mismatches, fewer than two
/// categories or too large a ddof; data_error for negative, non-finite or zero-expected entries.
template <class O, class X>
test_result chisquare(O&& observed, X&& expected, std::size_t ddof = 0) {
    return detail::goodness_of_fit(std::forward<O>(observed), std::forward<X>(expected), ddof,
                                   divergence_statistic::pearson, "chisquare");
}

/// Pearson's chi-square test of observed counts against a uniform distribution (scipy.stats.chisquare(f_obs)).
template <class O>
test_result chisquare(O&& observed) {
    auto obs = evaluate_contiguous<double>(std::forward<O>(observed));
    const double mean = obs.empty() ? 0.0 : pairwise_sum(obs.data(), obs.size()) / static_cast<double>(obs.size());
    std::vector<double> expected(obs.size(), mean);
    return chisquare(std::move(obs).release(), std::move(expected));
}

/// G-test (log-likelihood ratio) of observed counts against expected counts: G = 2 sum O ln(O / E),
/// chi-square with k - 1 - ddof degrees of freedom (scipy.stats.power_divergence with
/// lambda_="log-likelihood"). Same requirements as chisquare().
template <class O, class X>
test_result g_test(O&& observed, X&& expected, std::size_t ddof = 0) {
    return detail::goodness_of_fit(std::forward<O>(observed), std::forward<X>(expected), ddof,
                                   divergence_statistic::log_likelihood, "g_test");
}

/// Cramer's V of an r x c table: sqrt(chi2 / (n (min(r, c) - 1))) with the uncorrected Pearson
/// statistic (scipy.stats.contingency.association(method="cramer")). An effect size in [0, 1] to report
/// beside the p-value, which shrinks with n while V does not. Same errors as chi2_contingency; a table
/// with one row or column raises invalid_argument.
template <class E>
double cramers_v(const xt::xexpression<E>& table) {
    const xt::xtensor<double, 2> obs = detail::evaluate_table(table);
    const std::size_t r = obs.shape()[0], c = obs.shape()[1];
    if (r < 2 || c < 2) {
        throw invalid_argument("mldp::stats::cramers_v: the table needs at least 2 rows and 2 columns, got " +
                               std::to_string(r) + " x " + std::to_string(c));
    }
    const auto res = chi2_contingency(obs, contingency_options{false, divergence_statistic::pearson});
    const double n = pairwise_sum(obs.data(), obs.size());
    return std::sqrt(res.statistic / n / static_cast<double>((std::min)(r, c) - 1));
}

/// JSON of a chi2_contingency result: statistic, p_value, df, and expected as an array of rows;
/// non-finite numbers are written as null.
inline void to_json(nlohmann::json& j, const contingency_result& r) {
    const auto num = mldp::detail::json_number;
    j = nlohmann::json{{"statistic", num(r.statistic)},
                       {"p_value", num(r.p_value)},
                       {"df", num(r.df)},
                       {"expected", mldp::detail::json_tensor(r.expected)}};
}

}  // namespace mldp::stats

/// Prints a result on one line: "chi2_contingency: statistic = 3.84, p = 0.05, df = 1 (2 x 2 table)".
template <>
struct fmt::formatter<mldp::stats::contingency_result> {
    constexpr auto parse(format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const mldp::stats::contingency_result& r, Ctx& ctx) const {
        return fmt::format_to(ctx.out(), "chi2_contingency: statistic = {:.6g}, p = {:.6g}, df = {:.6g} ({} x {} table)", r.statistic,
                              r.p_value, r.df, r.expected.shape()[0], r.expected.shape()[1]);
    }
};

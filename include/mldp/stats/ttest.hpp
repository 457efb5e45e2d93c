// mldp — two-sample t-tests (scipy.stats.ttest_ind): Welch's test by default, Student's with pooled
// variance on request, with the standardized mean difference reported beside the p-value.
#pragma once

#include <cmath>
#include <cstddef>
#include <limits>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "mldp/core/detail/json.hpp"
#include "mldp/core/numeric.hpp"
#include "mldp/stats/special.hpp"
#include "mldp/stats/test_result.hpp"

namespace mldp::stats {

/// Options of ttest_ind().
struct ttest_options {
    bool equal_var = false;  ///< false: Welch's test (the default, as recommended); true: Student's
    stats::alternative alternative = stats::alternative::two_sided;  ///< less: mean(a) < mean(b)
    stats::nan_policy nan_policy = stats::nan_policy::raise;
};

/// Result of ttest_ind().
struct ttest_result {
    double statistic = std::numeric_limits<double>::quiet_NaN();  ///< t
    double p_value = std::numeric_limits<double>::quiet_NaN();
    double df = std::numeric_limits<double>::quiet_NaN();          ///< Welch-Satterthwaite or n1 + n2 - 2
    double mean_difference = std::numeric_limits<double>::quiet_NaN();  ///< mean(a) - mean(b)
    /// Standardized mean difference (Cohen's d): the mean difference over the pooled standard
    /// deviation sqrt(((n1-1) s1^2 + (n2-1) s2^2) / (n1 + n2 - 2)). An effect size that, unlike the
    /// p-value, does not shrink towards significance as n grows.
    double effect_size = std::numeric_limits<double>::quiet_NaN();
};

/// Two-sample t-test of equal means, equal to scipy.stats.ttest_ind(a, b, equal_var, alternative):
/// Welch: t = (m1 - m2) / sqrt(s1^2/n1 + s2^2/n2), df by Welch-Satterthwaite (1 when both variances
/// are zero, as scipy); Student: pooled variance, df = n1 + n2 - 2. p-values from Student's t
/// distribution. O(n + m). Throws data_error for a sample with fewer than two values (after NaN
/// omission), Inf, or NaN under nan_policy::raise.
template <class A, class B>
ttest_result ttest_ind(A&& a, B&& b, const ttest_options& options = {}) {
    const auto s = detail::prepare_pair(std::forward<A>(a), std::forward<B>(b), options.nan_policy, "a", "b", 2);
    ttest_result r;
    if (s.has_nan()) return r;
    const auto& sa = s.a;
    const auto& sb = s.b;
    const double n1 = static_cast<double>(sa.values.size()), n2 = static_cast<double>(sb.values.size());
    const auto [m1, v1] = numpy_mean_and_var(sa.values.data(), sa.values.size(), 1);
    const auto [m2, v2] = numpy_mean_and_var(sb.values.data(), sb.values.size(), 1);
    double denom;
    if (options.equal_var) {
        r.df = n1 + n2 - 2.0;
        const double svar = ((n1 - 1) * v1 + (n2 - 1) * v2) / r.df;
        denom = std::sqrt(svar * (1.0 / n1 + 1.0 / n2));
    } else {
        const double vn1 = v1 / n1, vn2 = v2 / n2;
        r.df = (vn1 + vn2) * (vn1 + vn2) / (vn1 * vn1 / (n1 - 1) + vn2 * vn2 / (n2 - 1));
        if (std::isnan(r.df)) r.df = 1.0;  // both variances zero
        denom = std::sqrt(vn1 + vn2);
    }
    r.mean_difference = m1 - m2;
    r.statistic = r.mean_difference / denom;
    switch (options.alternative) {
        case alternative::two_sided: r.p_value = 2.0 * student_t_sf(std::fabs(r.statistic), r.df); break;
        case alternative::less: r.p_value = student_t_cdf(r.statistic, r.df); break;
        case alternative::greater: r.p_value = student_t_sf(r.statistic, r.df); break;
    }
    const double pooled = std::sqrt(((n1 - 1) * v1 + (n2 - 1) * v2) / (n1 + n2 - 2.0));
    r.effect_size = r.mean_difference / pooled;
    return r;
}

/// JSON of a t-test result: every field by name; NaN (a propagated NaN, an undefined effect size) and
/// infinity are written as null.
inline void to_json(nlohmann::json& j, const ttest_result& r) {
    const auto num = mldp::detail::json_number;
    j = nlohmann::json{{"statistic", num(r.statistic)},
                       {"p_value", num(r.p_value)},
                       {"df", num(r.df)},
                       {"mean_difference", num(r.mean_difference)},
                       {"effect_size", num(r.effect_size)}};
}

}  // namespace mldp::stats

/// Prints a result on one line: "ttest_ind: t = -2.5, p = 0.0367, df = 8, mean difference = -1.2,
/// effect size = -1.58".
template <>
struct fmt::formatter<mldp::stats::ttest_result> {
    constexpr auto parse(format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const mldp::stats::ttest_result& r, Ctx& ctx) const {
        return fmt::format_to(ctx.out(), "ttest_ind: t = {:.6g}, p = {:.6g}, df = {:.6g}, mean difference = {:.6g}, effect size = {:.6g}",
                              r.statistic, r.p_value, r.df, r.mean_difference, r.effect_size);
    }
};

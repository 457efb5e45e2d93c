// mldp — the Mann-Whitney U (Wilcoxon rank-sum) test, equal to scipy.stats.mannwhitneyu (scipy 1.10):
// midranks for ties, the exact null distribution for small samples without ties, otherwise the normal
// approximation with tie and continuity corrections.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "mldp/core/detail/json.hpp"
#include "mldp/core/error.hpp"
#include "mldp/core/numeric.hpp"
#include "mldp/stats/special.hpp"
#include "mldp/stats/test_result.hpp"

namespace mldp::stats {

/// How mannwhitneyu computes its p-value (scipy's `method`): `automatic` is exact when one sample has
/// at most 8 values and there are no ties (and n1 n2 <= 2 10^7), else asymptotic.
enum class mwu_method { automatic, exact, asymptotic };

/// "automatic", "exact" or "asymptotic".
constexpr const char* to_string(mwu_method m) noexcept {
    switch (m) {
        case mwu_method::automatic: return "automatic";
        case mwu_method::exact: return "exact";
        case mwu_method::asymptotic: return "asymptotic";
    }
    return "?";
}

/// Options of mannwhitneyu().
struct mwu_options {
    stats::alternative alternative = stats::alternative::two_sided;  ///< greater: a tends to exceed b
    mwu_method method = mwu_method::automatic;
    bool use_continuity = true;  ///< continuity correction of the normal approximation
    stats::nan_policy nan_policy = stats::nan_policy::raise;
};

/// Result of mannwhitneyu().
struct mwu_result {
    double statistic = std::numeric_limits<double>::quiet_NaN();  ///< U of the first sample (scipy's U1)
    double p_value = std::numeric_limits<double>::quiet_NaN();
    /// Probability of superiority U1 / (n1 n2): the chance that a value from `a` exceeds one from `b`
    /// (ties count half). 0.5 means no effect, whatever n is.
    double effect_size = std::numeric_limits<double>::quiet_NaN();
    mwu_method method_used = mwu_method::asymptotic;
};

namespace detail {

// Survival function P(U >= u) of the null distribution of U for sizes m, n without ties: counts of
// arrangements by the recurrence f(m, n, k) = f(m-1, n, k-n) + f(m, n-1, k) (Mann & Whitney 1947),
// summed from the left by symmetry as scipy does: P(U >= u) = P(U <= mn - u).
inline double mwu_exact_sf(std::size_t m, std::size_t n, std::size_t u) {
    const std::size_t mn = m * n;
    if (u > mn) return 0.0;
    const std::size_t kmax = mn - u;
    // rows[j][k] = f(i, j, k) for the current i; start with i = 0: f(0, j, 0) = 1
    std::vector<std::vector<double>> rows(n + 1, std::vector<double>(kmax + 1, 0.0));
    for (auto& row : rows) row[0] = 1.0;
    for (std::size_t i = 1; i <= m; ++i) {
        // f(i, 0, k) = [k == 0]; f(i, j, k) = f(i-1, j, k-j) + f(i, j-1, k), j ascending in place
        std::vector<std::vector<double>> next(n + 1, std::vector<double>(kmax + 1, 0.0));
        next[0][0] = 1.0;
        for (std::size_t j = 1; j <= n; ++j) {
            for (std::size_t k = 0; k <= kmax; ++k) {
                double v = next[j - 1][k];
                if (k >= j) v += rows[j][k - j];
                next[j][k] = v;
            }
        }
        rows = std::move(next);
    }
    double cum = 0.0;
    for (std::size_t k = 0; k <= kmax; ++k) cum += rows[n][k];
    return cum / binomial_product(n, m);  // C(m + n, m)
}

// The same survival function when one sample is small (m <= 8), in O(m min(u, mn - u)) time and
// memory: the counts are the coefficients of the Gaussian binomial
// [m + n choose m]_q = prod_{i=1..m} (1 - q^(n+i)) / (1 - q^i). Dividing by the (1 - q^i) first
// gives the partitions of k into parts <= m (additions only); the factors (1 - q^(n+i)) then
// subtract terms at least n + i degrees lower, which exist only for k > n. Below 2^53 every count is
// an exact integer; above it the subtraction loses at most a few digits for m <= 8, since k <= mn / 2
// keeps the partition counts within a small factor of the result. Summed up to kmax = mn - u, or,
// when u - 1 is smaller, as 1 - P(U <= u - 1) (then P(U >= u) > 1/2 and nothing is lost), so at most
// mn / 2 + 1 coefficients are held. Checked against exact rational arithmetic in the tests.
inline double mwu_exact_sf_small(std::size_t m, std::size_t n, std::size_t u) {
    if (m > n) std::swap(m, n);
    const std::size_t mn = m * n;
    if (u > mn) return 0.0;
    if (u == 0) return 1.0;
    const bool lower = u - 1 < mn - u;  // sum the shorter side
    const std::size_t kmax = lower ? u - 1 : mn - u;
    std::vector<double> c(kmax + 1, 0.0);
    c[0] = 1.0;
    for (std::size_t i = 1; i <= m; ++i) {
        for (std::size_t k = i; k <= kmax; ++k) c[k] += c[k - i];
    }
    for (std::size_t i = 1; i <= m; ++i) {
        const std::size_t s = n + i;
        for (std::size_t k = kmax; k >= s && k <= kmax; --k) c[k] -= c[k - s];
    }
    const double share = pairwise_sum(c.data(), c.size()) / binomial_product(n, m);
    return lower ? 1.0 - share : share;  // P(U >= u) = P(U <= mn - u) by symmetry
}

// Sizes for which the exact null distribution is computed: the generating function when the smaller
// sample has at most 8 values and n1 n2 <= 2 10^7 (at most 10^7 coefficients: 80 MB, well under a
// second); the recurrence when n1 n2 <= 10^5 otherwise.
inline bool mwu_exact_feasible(std::size_t n1, std::size_t n2) noexcept {
    const double prod = static_cast<double>(n1) * static_cast<double>(n2);
    return prod <= 1e5 || ((std::min)(n1, n2) <= 8 && prod <= 2e7);
}

inline double mwu_exact_p(std::size_t n1, std::size_t n2, std::size_t u) {
    return (std::min)(n1, n2) <= 8 ? mwu_exact_sf_small(n1, n2, u) : mwu_exact_sf(n1, n2, u);
}

}  // namespace detail

/// Mann-Whitney U test of whether values of `a` tend to be larger or smaller than values of `b`,
/// equal to scipy.stats.mannwhitneyu(a, b, use_continuity, alternative, method): U1 = R1 - n1 (n1+1)/2
/// from midranks; exact p-values by the recurrence (counts to C(n1+n2, n1), exact below 2^53) when
/// n1 n2 <= 10^5, or from the Gaussian-binomial generating function when the smaller sample has at most
/// 8 values and n1 n2 <= 2 10^7; else z = (U - n1 n2 / 2 - 0.5) / sigma with sigma corrected for ties.
/// O((n + m) log(n + m)) asymptotic; exact O(n1^2 n2^2) (recurrence) or O(min(n1, n2) n1 n2)
/// (generating function). `exact` beyond those sizes is refused (invalid_argument); `automatic` then
/// uses the asymptotic p-value (scipy 1.10 would attempt its exact method, impractically slowly there).
/// Throws data_error for an empty sample, Inf, or NaN under nan_policy::raise.
template <class A, class B>
mwu_result mannwhitneyu(A&& a, B&& b, const mwu_options& options = {}) {
    auto s = detail::prepare_pair(std::forward<A>(a), std::forward<B>(b), options.nan_policy);
    mwu_result r;
    if (s.has_nan()) return r;
    const std::size_t n1 = s.a.values.size(), n2 = s.b.values.size(), n = n1 + n2;
    // Midranks of the pooled sample: sort indices, give each run of ties the mean of its positions.
    std::vector<double> pooled(n);
    std::copy(s.a.values.begin(), s.a.values.end(), pooled.begin());
    std::copy(s.b.values.begin(), s.b.values.end(), pooled.begin() + static_cast<std::ptrdiff_t>(n1));
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t i, std::size_t j) { return pooled[i] < pooled[j]; });
    std::vector<double> ranks(n);
    double tie_term = 0.0;
    bool ties = false;
    for (std::size_t start = 0; start < n;) {
        std::size_t end = start + 1;
        while (end < n && pooled[order[end]] == pooled[order[start]]) ++end;
        const double rank = (static_cast<double>(start + 1) + static_cast<double>(end)) / 2.0;
        for (std::size_t k = start; k < end; ++k) ranks[order[k]] = rank;
        const double t = static_cast<double>(end - start);
        tie_term += t * t * t - t;
        ties = ties || end - start > 1;
        start = end;
    }
    const double r1 = pairwise_sum(ranks.data(), n1);
    const double n1d = static_cast<double>(n1), n2d = static_cast<double>(n2), nd = static_cast<double>(n);
    const double u1 = r1 - n1d * (n1d + 1) / 2;
    const double u2 = n1d * n2d - u1;
    double u, factor = 1.0;
    switch (options.alternative) {
        case alternative::greater: u = u1; break;
        case alternative::less: u = u2; break;
        default: u = (std::max)(u1, u2); factor = 2.0; break;
    }
    mwu_method method = options.method;
    if (method == mwu_method::automatic) {
        method = (n1 > 8 && n2 > 8) || ties || !detail::mwu_exact_feasible(n1, n2) ? mwu_method::asymptotic : mwu_method::exact;
    }
    double p;
    if (method == mwu_method::exact) {
        if (!detail::mwu_exact_feasible(n1, n2)) {
            throw invalid_argument("mldp::stats::mannwhitneyu: the exact method needs n1 * n2 <= 100000, or the smaller sample "
                                   "at most 8 values and n1 * n2 <= 2e7; got " +
                                   std::to_string(n1) + " x " + std::to_string(n2) + " (use the asymptotic method)");
        }
        p = detail::mwu_exact_p(n1, n2, static_cast<std::size_t>(u));
    } else {
        const double mu = n1d * n2d / 2;
        const double sigma = std::sqrt(n1d * n2d / 12 * ((nd + 1) - tie_term / (nd * (nd - 1))));
        double numerator = u - mu;
        if (options.use_continuity) numerator -= 0.5;
        p = normal_sf(numerator / sigma);
    }
    r.statistic = u1;
    r.p_value = std::clamp(p * factor, 0.0, 1.0);
    r.effect_size = u1 / (n1d * n2d);
    r.method_used = method;
    return r;
}

/// JSON of a Mann-Whitney result: every field by name, method_used as "exact" or "asymptotic"; NaN
/// (a propagated NaN) is written as null.
inline void to_json(nlohmann::json& j, const mwu_result& r) {
    const auto num = mldp::detail::json_number;
    j = nlohmann::json{{"statistic", num(r.statistic)},
                       {"p_value", num(r.p_value)},
                       {"effect_size", num(r.effect_size)},
                       {"method_used", to_string(r.method_used)}};
}

}  // namespace mldp::stats

/// Prints a result on one line: "mannwhitneyu: U = 12, p = 0.0286, effect size = 0.75 (exact)".
template <>
struct fmt::formatter<mldp::stats::mwu_result> {
    constexpr auto parse(format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const mldp::stats::mwu_result& r, Ctx& ctx) const {
        return fmt::format_to(ctx.out(), "mannwhitneyu: U = {:.6g}, p = {:.6g}, effect size = {:.6g} ({})", r.statistic, r.p_value,
                              r.effect_size, mldp::stats::to_string(r.method_used));
    }
};

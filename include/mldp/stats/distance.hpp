// mldp — distances between two numeric samples: Wasserstein-1 and energy distance (scipy.stats), and
// the population stability index with reference-quantile bins (the numpy recipe drift tools use).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "mldp/core/contiguous.hpp"
#include "mldp/core/detail/threshold_count.hpp"
#include "mldp/core/detail/json.hpp"
#include "mldp/core/error.hpp"
#include "mldp/core/sort.hpp"
#include "mldp/core/numeric.hpp"
#include "mldp/core/quantile.hpp"
#include "mldp/stats/test_result.hpp"

namespace mldp::stats {

namespace detail {

struct weighted_value {
    double value;
    double weight;
};

// Integral of |F_u - F_v|^p over the real line for two sorted samples (scipy.stats._cdf_distance
// without the final root): walk the merged order; between consecutive values x < y both empirical
// CDFs are constant, and the term |F_u(x) - F_v(x)|^p (y - x) is added. F(x) counts values <= x,
// which is what searchsorted(..., side='right') gives scipy; tied values contribute y - x = 0.
// `pow2` selects p = 2 (energy distance) instead of p = 1.
template <class CdfU, class CdfV>
double cdf_distance_sorted(const double* u, std::size_t nu, const double* v, std::size_t nv, bool pow2, CdfU cdf_u,
                           CdfV cdf_v) {
    neumaier_sum acc;
    std::size_t i = 0, j = 0;
    auto take = [&]() {
        if (j >= nv || (i < nu && u[i] <= v[j])) return u[i++];
        return v[j++];
    };
    double x = take();
    while (i < nu || j < nv) {
        const double y = (j >= nv || (i < nu && u[i] <= v[j])) ? u[i] : v[j];
        const double diff = cdf_u(i) - cdf_v(j);
        const double delta = y - x;
        acc.add((pow2 ? diff * diff : std::fabs(diff)) * delta);
        x = take();
    }
    return acc.value();
}

inline double cdf_distance(std::vector<double> u, std::vector<double> v, bool pow2) {
    sort_doubles(u);
    sort_doubles(v);
    const double nu = static_cast<double>(u.size()), nv = static_cast<double>(v.size());
    return cdf_distance_sorted(
        u.data(), u.size(), v.data(), v.size(), pow2, [nu](std::size_t i) { return static_cast<double>(i) / nu; },
        [nv](std::size_t j) { return static_cast<double>(j) / nv; });
}

inline std::vector<weighted_value> weighted_sample(const prepared_sample& s, const contiguous_values<double>& w,
                                                   const char* weights_name) {
    if (w.size() != s.values.size()) {
        throw invalid_argument(std::string("mldp::stats: ") + weights_name + " has " + std::to_string(w.size()) +
                               " entries but its sample has " + std::to_string(s.values.size()));
    }
    std::vector<weighted_value> out(w.size());
    double total = 0.0;
    for (std::size_t i = 0; i < w.size(); ++i) {
        if (!(w[i] >= 0.0) || std::isinf(w[i])) {
            throw data_error(weights_name, i, "weights must be finite and non-negative, got " + std::to_string(w[i]));
        }
        out[i] = {s.values[i], w[i]};
        total += w[i];
    }
    if (!(total > 0.0)) throw data_error(weights_name, data_error::no_row, "weights must have a positive sum");
    std::sort(out.begin(), out.end(), [](const weighted_value& a, const weighted_value& b) { return a.value < b.value; });
    return out;
}

inline double weighted_cdf_distance(const std::vector<weighted_value>& u, const std::vector<weighted_value>& v, bool pow2) {
    // Cumulative weights in sorted order, as scipy's np.cumsum; F(i) = cum[i] / cum[n].
    auto cumulate = [](const std::vector<weighted_value>& s, std::vector<double>& values, std::vector<double>& cum) {
        values.resize(s.size());
        cum.assign(s.size() + 1, 0.0);
        for (std::size_t i = 0; i < s.size(); ++i) {
            values[i] = s[i].value;
            cum[i + 1] = cum[i] + s[i].weight;
        }
    };
    std::vector<double> uv, uc, vv, vc;
    cumulate(u, uv, uc);
    cumulate(v, vv, vc);
    const double tu = uc.back(), tv = vc.back();
    return cdf_distance_sorted(
        uv.data(), uv.size(), vv.data(), vv.size(), pow2, [&](std::size_t i) { return uc[i] / tu; },
        [&](std::size_t j) { return vc[j] / tv; });
}

}  // namespace detail

/// First Wasserstein distance between the empirical distributions of `a` and `b`: the integral of
/// |F_a - F_b| (scipy.stats.wasserstein_distance). O((n + m) log(n + m)); copies and sorts both.
/// Throws data_error for an empty sample or Inf, and for NaN under nan_policy::raise.
template <class A, class B>
double wasserstein_distance(A&& a, B&& b, nan_policy policy = nan_policy::raise) {
    auto s = detail::prepare_pair(std::forward<A>(a), std::forward<B>(b), policy);
    if (s.has_nan()) return std::numeric_limits<double>::quiet_NaN();
    return detail::cdf_distance(std::move(s.a.values).release(), std::move(s.b.values).release(), false);
}

/// Weighted first Wasserstein distance (scipy.stats.wasserstein_distance with u_weights, v_weights):
/// each empirical CDF steps by the value's weight over the total. Weights must be finite,
/// non-negative, one per value, with a positive sum (else data_error / invalid_argument).
template <class A, class B, class WA, class WB>
double wasserstein_distance(A&& a, B&& b, WA&& a_weights, WB&& b_weights, nan_policy policy = nan_policy::raise) {
    if (policy == nan_policy::omit) {
        throw invalid_argument("mldp::stats::wasserstein_distance: nan_policy::omit is not supported with weights "
                               "(drop NaN values and their weights together first)");
    }
    const auto s = detail::prepare_pair(std::forward<A>(a), std::forward<B>(b), policy);
    if (s.has_nan()) return std::numeric_limits<double>::quiet_NaN();
    const auto wa = evaluate_contiguous<double>(std::forward<WA>(a_weights));
    const auto wb = evaluate_contiguous<double>(std::forward<WB>(b_weights));
    return detail::weighted_cdf_distance(detail::weighted_sample(s.a, wa, "a_weights"),
                                         detail::weighted_sample(s.b, wb, "b_weights"), false);
}

/// Energy distance between the empirical distributions of `a` and `b`: sqrt(2) times the L2 distance
/// between their CDFs (scipy.stats.energy_distance; Szekely & Rizzo). Same cost and errors as
/// wasserstein_distance.
template <class A, class B>
double energy_distance(A&& a, B&& b, nan_policy policy = nan_policy::raise) {
    auto s = detail::prepare_pair(std::forward<A>(a), std::forward<B>(b), policy);
    if (s.has_nan()) return std::numeric_limits<double>::quiet_NaN();
    return std::sqrt(2.0) * std::sqrt(detail::cdf_distance(std::move(s.a.values).release(), std::move(s.b.values).release(), true));
}

/// Wasserstein-1 distance divided by the standard deviation of the reference (numpy.std, ddof = 0):
/// Evidently's "normed" Wasserstein drift score, an effect size in units of the reference's spread, so
/// that one threshold (0.1 by Evidently's default) serves columns of any scale. Throws like
/// wasserstein_distance, and data_error when the reference is constant (zero spread).
template <class R, class C>
double normed_wasserstein_distance(R&& reference, C&& current, nan_policy policy = nan_policy::raise) {
    auto s = detail::prepare_pair(std::forward<R>(reference), std::forward<C>(current), policy, "reference", "current");
    if (s.has_nan()) return std::numeric_limits<double>::quiet_NaN();
    const double sd = std::sqrt(numpy_mean_and_var(s.a.values.data(), s.a.values.size(), 0).second);
    if (!(sd > 0.0)) {
        throw data_error("reference", data_error::no_row, "the reference has zero standard deviation; the normed distance is undefined");
    }
    return detail::cdf_distance(std::move(s.a.values).release(), std::move(s.b.values).release(), false) / sd;
}

/// Options of psi().
struct psi_options {
    std::size_t bins = 10;  ///< number of reference-quantile bins (>= 2)
    double eps = 1e-4;      ///< floor for an empty bin's share, applied on both sides, no renormalisation
};

/// Result of psi(): the index and the binning behind it.
struct psi_result {
    double psi = 0.0;
    std::vector<double> edges;              ///< bins + 1 reference quantiles; the outer bins are open-ended
    std::vector<double> reference_share;    ///< per bin, after the eps floor
    std::vector<double> current_share;      ///< per bin, after the eps floor
};

/// Population stability index of `current` against `reference` with `options.bins` bins whose edges
/// are the linearly interpolated quantiles of the reference at 0, 1/bins, ..., 1 (the numpy recipe:
/// edges = np.quantile(ref, np.linspace(0, 1, bins + 1)); a value falls in the bin given by
/// searchsorted(edges[1:-1], v, side='right'), so the outer bins are open-ended). Shares are counts
/// over sample sizes; an empty bin's share is floored at eps on both sides without renormalising; then
/// PSI = sum (c - r) ln(c / r), summed as numpy.sum does. O(n + m bins) time (two passes over the
/// reference, one over the current sample); no copy of either.
/// Throws invalid_argument for bins < 2 or eps outside (0, 1); data_error for empty samples and Inf.
template <class R, class C>
psi_result psi(R&& reference, C&& current, const psi_options& options = {}, nan_policy policy = nan_policy::raise) {
    if (options.bins < 2) {
        throw invalid_argument("mldp::stats::psi: bins must be at least 2, got " + std::to_string(options.bins));
    }
    if (!(options.eps > 0.0 && options.eps < 1.0)) {
        throw invalid_argument("mldp::stats::psi: eps must be in (0, 1), got " + std::to_string(options.eps));
    }
    const auto s = detail::prepare_pair(std::forward<R>(reference), std::forward<C>(current), policy, "reference", "current");
    psi_result out;
    if (s.has_nan()) {
        out.psi = std::numeric_limits<double>::quiet_NaN();
        return out;
    }
    const auto& sr = s.a;
    const auto& sc = s.b;

    const std::size_t k = options.bins;
    // np.linspace(0, 1, k + 1): i * step with step = 1 / k, the last point exactly 1.
    const double step = 1.0 / static_cast<double>(k);
    std::vector<double> probs(k + 1);
    for (std::size_t i = 0; i <= k; ++i) probs[i] = i == k ? 1.0 : static_cast<double>(i) * step;
    // The selection that finds the edges also counts the reference values below each of them, so the
    // reference needs no binning pass: bin b holds #{x < e_(b+1)} - #{x < e_b} of them.
    std::vector<std::size_t> below_edge;
    out.edges = mldp::detail::quantiles_and_counts(sr.values.data(), sr.values.size(), probs, &below_edge);
    const double* inner = out.edges.data() + 1;
    const std::size_t n_inner = k - 1;
    std::vector<double> count_r(k, 0.0), count_c(k, 0.0);
    for (std::size_t b = 0; b < k; ++b) {
        const std::size_t upper = b + 1 < k ? below_edge[b + 1] : sr.values.size();
        const std::size_t lower = b > 0 ? below_edge[b] : 0;
        count_r[b] = static_cast<double>(upper - lower);
    }
    // Bin b of the current sample holds the values with exactly b inner edges <= v: from the counts of
    // values at or above each edge (edges ascend, so the counts descend).
    std::vector<std::int64_t> at_least(n_inner);
    mldp::detail::count_at_least(sc.values.data(), sc.values.size(), inner, n_inner, at_least.data());
    const auto nc_int = static_cast<std::int64_t>(sc.values.size());
    for (std::size_t b = 0; b < k; ++b) {
        const std::int64_t upper = b == 0 ? nc_int : at_least[b - 1];
        const std::int64_t lower = b + 1 < k ? at_least[b] : 0;
        count_c[b] = static_cast<double>(upper - lower);
    }

    const double nr = static_cast<double>(sr.values.size()), nc = static_cast<double>(sc.values.size());
    out.reference_share.resize(k);
    out.current_share.resize(k);
    std::vector<double> terms(k);
    for (std::size_t b = 0; b < k; ++b) {
        double r = count_r[b] / nr, c = count_c[b] / nc;
        if (r == 0.0) r = options.eps;
        if (c == 0.0) c = options.eps;
        out.reference_share[b] = r;
        out.current_share[b] = c;
        terms[b] = (c - r) * std::log(c / r);
    }
    out.psi = pairwise_sum(terms.data(), terms.size());
    return out;
}

/// psi(reference, current, psi_options{bins}): the spelling with a bin count.
template <class R, class C>
psi_result psi(R&& reference, C&& current, std::size_t bins, nan_policy policy = nan_policy::raise) {
    psi_options options;
    options.bins = bins;
    return psi(std::forward<R>(reference), std::forward<C>(current), options, policy);
}

/// JSON of a psi result: psi, edges, reference_share and current_share (arrays of numbers); a NaN
/// psi (propagated NaN input) is written as null.
inline void to_json(nlohmann::json& j, const psi_result& r) {
    j = nlohmann::json{{"psi", mldp::detail::json_number(r.psi)},
                       {"edges", mldp::detail::json_numbers(r.edges)},
                       {"reference_share", mldp::detail::json_numbers(r.reference_share)},
                       {"current_share", mldp::detail::json_numbers(r.current_share)}};
}

}  // namespace mldp::stats

/// Prints a result on one line: "psi = 0.0123 (10 bins)".
template <>
struct fmt::formatter<mldp::stats::psi_result> {
    constexpr auto parse(format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const mldp::stats::psi_result& r, Ctx& ctx) const {
        return fmt::format_to(ctx.out(), "psi = {:.6g} ({} bins)", r.psi, r.reference_share.size());
    }
};

// mldp — the two-sample Kolmogorov-Smirnov test, equal to scipy.stats.ks_2samp (scipy 1.10): the same
// statistic and location, the same choice between the exact distribution and the asymptotic one, and
// the same p-values.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "mldp/core/contiguous.hpp"
#include "mldp/core/detail/json.hpp"
#include "mldp/core/error.hpp"
#include "mldp/core/sort.hpp"
#include "mldp/stats/kolmogorov.hpp"
#include "mldp/stats/test_result.hpp"

namespace mldp::stats {

/// How ks_2samp computes its p-value (scipy's `method`): `exact` uses the exact distribution of the
/// statistic (falling back to `asymp` where it cannot be computed, as scipy does); `asymp` uses the
/// one-sample two-sided distribution at n = round(n1 n2 / (n1 + n2)) (two-sided) or Hodges'
/// approximation (one-sided); `automatic` is exact when max(n1, n2) <= 10000.
enum class ks_method { automatic, exact, asymp };

/// "automatic", "exact" or "asymp".
constexpr const char* to_string(ks_method m) noexcept {
    switch (m) {
        case ks_method::automatic: return "automatic";
        case ks_method::exact: return "exact";
        case ks_method::asymp: return "asymp";
    }
    return "?";
}

/// Options of ks_2samp().
struct ks_options {
    stats::alternative alternative = stats::alternative::two_sided;
    ks_method method = ks_method::automatic;
    stats::nan_policy nan_policy = stats::nan_policy::raise;
};

/// Result of ks_2samp().
struct ks_result {
    double statistic = std::numeric_limits<double>::quiet_NaN();  ///< D (or D+ / D-)
    double p_value = std::numeric_limits<double>::quiet_NaN();
    double statistic_location = std::numeric_limits<double>::quiet_NaN();  ///< value where D is attained
    int statistic_sign = 0;      ///< +1 when F_a - F_b is largest there, -1 when F_b - F_a is
    ks_method method_used = ks_method::asymp;  ///< exact or asymp, after any fallback
};

namespace detail::ks {

// scipy.special.binom for non-negative integers: a product below 20 factors, else via log-gamma.
inline double binom(double n, double k) {
    if (k < 0 || k > n) return 0.0;
    if (k > n / 2) k = n - k;
    if (k < 20) {
        double num = 1.0, den = 1.0;
        for (int i = 1; i <= static_cast<int>(k); ++i) {
            num *= i + n - k;
            den *= i;
            if (std::fabs(num) > 1e50) {
                num /= den;
                den = 1.0;
            }
        }
        return num / den;
    }
    return std::exp(std::lgamma(n + 1) - std::lgamma(k + 1) - std::lgamma(n - k + 1));
}

// Pr(D_{n,n} >= h/n) (scipy _compute_prob_outside_square): 2 (A0 (1 - A1 (1 - A2 (...)))).
inline double prob_outside_square(std::int64_t n, std::int64_t h) {
    double P = 0.0;
    for (std::int64_t k = n / h; k >= 0; --k) {
        double p1 = 1.0;
        for (std::int64_t j = 0; j < h; ++j) {
            p1 = static_cast<double>(n - k * h - j) * p1 / static_cast<double>(n + k * h + j + 1);
        }
        P = p1 * (1.0 - P);
    }
    return 2 * P;
}

// 1 - (proportion of lattice paths from (0,0) to (m,n) staying strictly inside |x/m - y/n| < h/lcm),
// by Viehmann's numerically stable recursion (scipy _compute_outer_prob_inside_method).
inline double outer_prob_inside(std::int64_t m, std::int64_t n, std::int64_t g, std::int64_t h,
                                std::vector<double>* scratch = nullptr) {
    if (m < n) std::swap(m, n);
    const std::int64_t mg = m / g, ng = n / g;
    std::int64_t minj = 0;
    std::int64_t maxj = (std::min)(static_cast<std::int64_t>(std::ceil(static_cast<double>(h) / static_cast<double>(mg))), n + 1);
    std::int64_t curlen = maxj - minj;
    const std::int64_t lenA = (std::min)(2 * maxj + 2, n + 1);
    std::vector<double> local;
    std::vector<double>& A = scratch ? *scratch : local;  // a caller's buffer keeps repeated tests allocation-free
    A.assign(static_cast<std::size_t>(lenA), 1.0);
    for (std::int64_t j = minj; j < maxj && j < lenA; ++j) A[static_cast<std::size_t>(j)] = 0.0;
    for (std::int64_t i = 1; i <= m; ++i) {
        const std::int64_t lastminj = minj, lastlen = curlen;
        minj = (std::max)(static_cast<std::int64_t>(std::floor(static_cast<double>(ng * i - h) / static_cast<double>(mg))) + 1,
                        std::int64_t{0});
        minj = (std::min)(minj, n);
        maxj = (std::min)(static_cast<std::int64_t>(std::ceil(static_cast<double>(ng * i + h) / static_cast<double>(mg))), n + 1);
        if (maxj <= minj) return 1.0;
        double val = minj == 0 ? 0.0 : 1.0;
        for (std::int64_t jj = 0; jj < maxj - minj; ++jj) {
            const std::int64_t j = jj + minj;
            val = (A[static_cast<std::size_t>(jj + minj - lastminj)] * static_cast<double>(i) + val * static_cast<double>(j)) /
                  static_cast<double>(i + j);
            A[static_cast<std::size_t>(jj)] = val;
        }
        curlen = maxj - minj;
        if (lastlen > curlen) {
            for (std::int64_t c = maxj - minj; c < maxj - minj + (lastlen - curlen) && c < lenA; ++c) {
                A[static_cast<std::size_t>(c)] = 1.0;
            }
        }
    }
    return A[static_cast<std::size_t>(maxj - minj - 1)];
}

// Number of lattice paths from (0,0) to (m,n) reaching m y <= n x - h g (scipy
// _count_paths_outside_method, after Hodges 1958). May overflow to inf; callers check.
inline double count_paths_outside(std::int64_t m, std::int64_t n, std::int64_t g, std::int64_t h) {
    if (m < n) std::swap(m, n);
    const std::int64_t mg = m / g, ng = n / g;
    const std::int64_t lxj = n + (mg - h) / mg - ((mg - h) % mg != 0 && (mg - h) < 0 ? 1 : 0);  // Python floor division
    if (lxj <= 0) return binom(static_cast<double>(m + n), static_cast<double>(n));
    std::vector<std::int64_t> xj(static_cast<std::size_t>(lxj));
    for (std::int64_t j = 0; j < lxj; ++j) xj[static_cast<std::size_t>(j)] = (h + mg * j + ng - 1) / ng;
    std::vector<double> B(static_cast<std::size_t>(lxj), 0.0);
    B[0] = 1.0;
    for (std::int64_t j = 1; j < lxj; ++j) {
        const auto ju = static_cast<std::size_t>(j);
        double Bj = binom(static_cast<double>(xj[ju] + j), static_cast<double>(j));
        for (std::int64_t i = 0; i < j; ++i) {
            const auto iu = static_cast<std::size_t>(i);
            Bj -= binom(static_cast<double>(xj[ju] - xj[iu] + j - i), static_cast<double>(j - i)) * B[iu];
        }
        B[ju] = Bj;
    }
    double num_paths = 0.0;
    for (std::int64_t j = 0; j < lxj; ++j) {
        const auto ju = static_cast<std::size_t>(j);
        num_paths += B[ju] * binom(static_cast<double>((m - xj[ju]) + (n - j)), static_cast<double>(n - j));
    }
    return num_paths;
}

// scipy's _attempt_exact_2kssamp: rounds d to the lattice h / lcm and computes the exact
// probability; `ok` is false where scipy would fall back to the asymptotic distribution.
struct exact_attempt {
    bool ok;
    double d;
    double prob;
};

inline exact_attempt attempt_exact(std::int64_t n1, std::int64_t n2, std::int64_t g, double d, alternative alt,
                                   std::vector<double>* scratch = nullptr) {
    const std::int64_t lcm = (n1 / g) * n2;
    const auto h = static_cast<std::int64_t>(std::nearbyint(d * static_cast<double>(lcm)));  // round half to even
    d = static_cast<double>(h) * 1.0 / static_cast<double>(lcm);
    if (h == 0) return {true, d, 1.0};
    double prob;
    if (alt == alternative::two_sided) {
        prob = n1 == n2 ? prob_outside_square(n1, h) : outer_prob_inside(n1, n2, g, h, scratch);
    } else if (n1 == n2) {
        prob = 1.0;
        for (std::int64_t j = 0; j < h; ++j) {
            prob *= static_cast<double>(n1 - j) / (static_cast<double>(n1 + j) + 1.0);
        }
    } else {
        const double paths = count_paths_outside(n1, n2, g, h);
        const double all = binom(static_cast<double>(n1 + n2), static_cast<double>(n1));
        if (!std::isfinite(paths) || paths > all || std::isinf(all)) return {false, d, std::numeric_limits<double>::quiet_NaN()};
        prob = paths / all;
    }
    if (!std::isfinite(prob)) return {false, d, std::numeric_limits<double>::quiet_NaN()};
    if (!(prob >= 0.0 && prob <= 1.0)) return {false, d, prob};
    return {true, d, prob};
}

}  // namespace detail::ks

namespace detail::ks {

// The extremes of F_a - F_b over data_all = [a sorted, b sorted], as scipy evaluates them: the first
// occurrence (in that order) of the largest and of the smallest difference, and where they are.
struct extremes {
    double max_diff = -std::numeric_limits<double>::infinity();
    double min_diff = std::numeric_limits<double>::infinity();
    double loc_max = 0.0, loc_min = 0.0;
    void visit(double v, double diff) {
        if (diff > max_diff) {
            max_diff = diff;
            loc_max = v;
        }
        if (diff < min_diff) {
            min_diff = diff;
            loc_min = v;
        }
    }
};

// For each value of `own` (sorted): its count in its own sample (the end of its run of ties) and in
// `other` (a pointer that only moves forward). O(n + m).
inline void walk(extremes& e, const std::vector<double>& own, const std::vector<double>& other, bool own_is_a,
                 double na, double nb) {
    std::size_t run_end = 0, k = 0;
    for (std::size_t i = 0; i < own.size(); ++i) {
        if (i == run_end) {
            run_end = i + 1;
            while (run_end < own.size() && own[run_end] <= own[i]) ++run_end;
        }
        while (k < other.size() && other[k] <= own[i]) ++k;
        const double ca = static_cast<double>(own_is_a ? run_end : k), cb = static_cast<double>(own_is_a ? k : run_end);
        e.visit(own[i], ca / na - cb / nb);
    }
}

// Successive searches in a sorted array for ascending queries: from the previous result, probe at
// steps 1, 2, 4, ... until the predicate fails, then bisect the last step.
struct gallop_cursor {
    const std::vector<double>& a;
    std::size_t pos = 0;
    // First index >= pos where before(a[i]) is false; `before` must be true then false along a.
    template <class Before>
    std::size_t advance(Before before) {
        // Short gaps (a batch a tenth of the reference size leaves about ten reference values
        // between queries) end inside a window of 16 values: counting the window (the predicate is
        // true then false) finds the end without the mispredicted branches of a search.
        constexpr std::size_t window = 16;
        if (pos + window <= a.size()) {
            std::size_t c = 0;
            for (std::size_t k = 0; k < window; ++k) c += before(a[pos + k]) ? 1U : 0U;
            if (c < window) return pos += c;
            pos += window;
        }
        std::size_t step = 1, lo = pos, hi = pos;
        while (hi < a.size() && before(a[hi])) {
            lo = hi + 1;
            hi = pos + step;
            step *= 2;
        }
        hi = (std::min)(hi, a.size());
        pos = static_cast<std::size_t>(std::partition_point(a.begin() + static_cast<std::ptrdiff_t>(lo),
                                                            a.begin() + static_cast<std::ptrdiff_t>(hi), before) -
                                       a.begin());
        return pos;
    }
};

// The same extremes when `a` is a large sorted reference and `b` a smaller sorted batch, in
// O(n_b log n_a): between consecutive distinct batch values F_b is constant and F_a rises, so over the
// reference values in such a gap the difference is largest at the gap's last value and smallest at
// its first; batch values are looked up in the reference by binary search.
inline extremes reference_extremes(const std::vector<double>& a, const std::vector<double>& b) {
    extremes e;
    const double na = static_cast<double>(a.size()), nb = static_cast<double>(b.size());
    // The queries come in ascending order, so each search gallops forward from where the previous
    // one ended and then bisects: O(log gap) per query, on nearby memory.
    gallop_cursor lt_cursor{a}, le_gap_cursor{a}, le_batch_cursor{a};
    auto count_lt = [&](double v) { return lt_cursor.advance([v](double x) { return x < v; }); };
    auto count_le = [&](double v) { return le_gap_cursor.advance([v](double x) { return x <= v; }); };
    auto count_le_batch = [&](double v) { return le_batch_cursor.advance([v](double x) { return x <= v; }); };
    // reference values, gap by gap (data_all's first part)
    std::size_t lo = 0, below = 0;  // first reference index of the gap; batch values below the gap's values
    for (std::size_t j = 0; j <= b.size();) {
        const std::size_t hi = j < b.size() ? count_lt(b[j]) : a.size();
        if (lo < hi) {
            const double fb = static_cast<double>(below) / nb;
            e.visit(a[lo], static_cast<double>(count_le(a[lo])) / na - fb);  // smallest difference in the gap
            e.visit(a[hi - 1], static_cast<double>(hi) / na - fb);           // largest difference in the gap
        }
        if (j == b.size()) break;
        std::size_t run_end = j + 1;
        while (run_end < b.size() && b[run_end] == b[j]) ++run_end;
        below = run_end;
        lo = hi;
        j = run_end;
    }
    // batch values (data_all's second part)
    for (std::size_t j = 0; j < b.size();) {
        std::size_t run_end = j + 1;
        while (run_end < b.size() && b[run_end] == b[j]) ++run_end;
        const double diff = static_cast<double>(count_le_batch(b[j])) / na - static_cast<double>(run_end) / nb;
        for (std::size_t k = j; k < run_end; ++k) e.visit(b[k], diff);
        j = run_end;
    }
    return e;
}

// The statistic from the extremes, and its p-value: scipy's choice between exact and asymptotic.
inline ks_result finish(const extremes& e, std::int64_t n1, std::int64_t n2, const ks_options& options,
                        std::vector<double>* scratch = nullptr) {
    ks_result r;
    const double n1d = static_cast<double>(n1), n2d = static_cast<double>(n2);
    const double min_s = std::clamp(-e.min_diff, 0.0, 1.0);
    const double max_s = e.max_diff;
    double d;
    if (options.alternative == alternative::less || (options.alternative == alternative::two_sided && min_s > max_s)) {
        d = min_s;
        r.statistic_location = e.loc_min;
        r.statistic_sign = -1;
    } else {
        d = max_s;
        r.statistic_location = e.loc_max;
        r.statistic_sign = 1;
    }
    const std::int64_t g = std::gcd(n1, n2);
    const std::int64_t n1g = n1 / g, n2g = n2 / g;
    ks_method mode = options.method;
    if (mode == ks_method::automatic) {
        mode = (std::max)(n1, n2) <= 10000 ? ks_method::exact : ks_method::asymp;
    } else if (mode == ks_method::exact) {
        if (static_cast<double>(n1g) >= 2147483647.0 / static_cast<double>(n2g)) mode = ks_method::asymp;
    }
    double prob = -std::numeric_limits<double>::infinity();
    if (mode == ks_method::exact) {
        const auto ex = attempt_exact(n1, n2, g, d, options.alternative, scratch);
        d = ex.d;
        prob = ex.prob;
        if (!ex.ok) mode = ks_method::asymp;
    }
    if (mode == ks_method::asymp) {
        const double m = (std::max)(n1d, n2d), n = (std::min)(n1d, n2d);
        const double en = m * n / (m + n);
        if (options.alternative == alternative::two_sided) {
            prob = kstwo_sf(d, static_cast<std::int64_t>(std::nearbyint(en)));
        } else {
            const double z = std::sqrt(en) * d;
            // Hodges (1958) eq. 5.3, with m the larger sample.
            const double expt = -2 * z * z - 2 * z * (m + 2 * n) / std::sqrt(m * n * (m + n)) / 3.0;
            prob = std::exp(expt);
        }
    }
    r.statistic = d;
    r.p_value = std::clamp(prob, 0.0, 1.0);
    r.method_used = mode;
    return r;
}

}  // namespace detail::ks

/// Two-sample Kolmogorov-Smirnov test of whether `a` and `b` come from the same continuous
/// distribution, equal to scipy.stats.ks_2samp(a, b, alternative, method) in scipy 1.10: statistic,
/// p-value, and the location and sign of the statistic. O((n + m) log(n + m)) for the statistic; the
/// exact p-value costs O(n m / gcd) at most (used by `automatic` only when max(n, m) <= 10000).
/// Throws data_error for an empty sample (after NaN omission), Inf, or NaN under nan_policy::raise.
template <class A, class B, std::enable_if_t<is_numeric_source_v<A>, int> = 0>
ks_result ks_2samp(A&& a, B&& b, const ks_options& options = {}) {
    auto s = detail::prepare_pair(std::forward<A>(a), std::forward<B>(b), options.nan_policy);
    if (s.has_nan()) return ks_result{};
    std::vector<double> x = std::move(s.a.values).release(), y = std::move(s.b.values).release();
    sort_doubles(x);
    sort_doubles(y);
    const double n1d = static_cast<double>(x.size()), n2d = static_cast<double>(y.size());
    detail::ks::extremes e;
    detail::ks::walk(e, x, y, true, n1d, n2d);
    detail::ks::walk(e, y, x, false, n1d, n2d);
    return detail::ks::finish(e, static_cast<std::int64_t>(x.size()), static_cast<std::int64_t>(y.size()), options);
}

/// A reference sample sorted once, for comparing many batches against it: ks_2samp(reference, batch)
/// then costs O(n log n + n log m) for a batch of n against a reference of m, instead of
/// O((n + m) log(n + m)). Throws like ks_2samp when the reference is empty or holds Inf or NaN.
class sorted_reference {
public:
    template <class X>
    explicit sorted_reference(X&& values, nan_policy policy = nan_policy::raise) {
        auto s = detail::prepare_sample(std::forward<X>(values), policy == nan_policy::propagate ? nan_policy::raise : policy,
                                        "reference");
        detail::require_size(s, "reference", 1);
        sorted_ = std::move(s.values).release();
        sort_doubles(sorted_);
    }
    const std::vector<double>& values() const noexcept { return sorted_; }
    std::size_t size() const noexcept { return sorted_.size(); }

private:
    std::vector<double> sorted_;
};

/// ks_2samp(a, b) with `a` given as a sorted_reference: the same statistic, location, sign and p-value,
/// bit for bit, at O(n log n + n log m) per batch.
template <class B>
ks_result ks_2samp(const sorted_reference& reference, B&& batch, const ks_options& options = {}) {
    auto s = detail::prepare_sample(std::forward<B>(batch), options.nan_policy, "b");
    if (s.has_nan) return ks_result{};
    detail::require_size(s, "b", 1);
    std::vector<double> y = std::move(s.values).release();
    sort_doubles(y);
    const auto e = detail::ks::reference_extremes(reference.values(), y);
    return detail::ks::finish(e, static_cast<std::int64_t>(reference.size()), static_cast<std::int64_t>(y.size()), options);
}

/// JSON of a KS result: every field by name, method_used as "exact" or "asymp"; NaN (a propagated
/// NaN) is written as null.
inline void to_json(nlohmann::json& j, const ks_result& r) {
    const auto num = mldp::detail::json_number;
    j = nlohmann::json{{"statistic", num(r.statistic)},
                       {"p_value", num(r.p_value)},
                       {"statistic_location", num(r.statistic_location)},
                       {"statistic_sign", r.statistic_sign},
                       {"method_used", to_string(r.method_used)}};
}

}  // namespace mldp::stats

/// Prints a result on one line: "ks_2samp: D = 0.5, p = 0.0123 (at 3.5, sign +1, exact)".
template <>
struct fmt::formatter<mldp::stats::ks_result> {
    constexpr auto parse(format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const mldp::stats::ks_result& r, Ctx& ctx) const {
        return fmt::format_to(ctx.out(), "ks_2samp: D = {:.6g}, p = {:.6g} (at {:.6g}, sign {:+d}, {})", r.statistic, r.p_value,
                              r.statistic_location, r.statistic_sign, mldp::stats::to_string(r.method_used));
    }
};

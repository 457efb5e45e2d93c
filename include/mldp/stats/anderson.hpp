// mldp — the k-sample Anderson-Darling test (Scholz & Stephens 1987), equal to
// scipy.stats.anderson_ksamp (scipy 1.10, midrank version), including scipy's interpolated p-value.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "mldp/core/detail/json.hpp"
#include "mldp/core/detail/memory.hpp"
#include "mldp/core/error.hpp"
#include "mldp/core/numeric.hpp"
#include "mldp/core/sort.hpp"
#include "mldp/stats/test_result.hpp"

namespace mldp::stats {

/// Result of anderson_ksamp().
struct anderson_result {
    double statistic = std::numeric_limits<double>::quiet_NaN();  ///< standardized A2akN
    /// Approximate significance level, interpolated as scipy does from Scholz & Stephens' table and
    /// clipped to [0.001, 0.25]: a p-value only to the accuracy of that interpolation.
    double p_value = std::numeric_limits<double>::quiet_NaN();
    std::array<double, 7> critical_values{};  ///< at 25%, 10%, 5%, 2.5%, 1%, 0.5%, 0.1%
    bool p_value_capped = false;               ///< the true p-value is above 0.25
    bool p_value_floored = false;              ///< the true p-value is below 0.001
};

namespace detail {

// (double) N^p for an integer N, rounded once as Python's int -> float conversion does.
inline double exact_power(std::size_t n, int p) {
#if defined(__SIZEOF_INT128__)
    __extension__ typedef unsigned __int128 u128;
    u128 v = 1;
    for (int i = 0; i < p; ++i) v *= static_cast<u128>(n);
    return static_cast<double>(v);
#else
    long double v = 1;
    for (int i = 0; i < p; ++i) v *= static_cast<long double>(n);
    return static_cast<double>(v);
#endif
}

// Least-squares quadratic through (x_i, y_i), as numpy.polyfit(x, y, 2): columns scaled to unit
// norm, then Householder QR (numpy uses an SVD; both are backward stable on this tiny, well-scaled
// system). Returns the coefficients highest degree first.
inline std::array<double, 3> polyfit2(const double* x, const double* y, std::size_t n) {
    double A[7][3];
    double b[7];
    double scale[3] = {0, 0, 0};
    for (std::size_t i = 0; i < n; ++i) {
        A[i][0] = x[i] * x[i];
        A[i][1] = x[i];
        A[i][2] = 1.0;
        b[i] = y[i];
        for (int j = 0; j < 3; ++j) scale[j] += A[i][j] * A[i][j];
    }
    for (double& s : scale) s = std::sqrt(s);
    for (std::size_t i = 0; i < n; ++i)
        for (int j = 0; j < 3; ++j) A[i][j] /= scale[j];
    for (int j = 0; j < 3; ++j) {
        double norm = 0.0;
        for (std::size_t i = static_cast<std::size_t>(j); i < n; ++i) norm += A[i][j] * A[i][j];
        norm = std::sqrt(norm);
        const double alpha = A[j][j] > 0 ? -norm : norm;
        double v[7];
        for (std::size_t i = 0; i < n; ++i) v[i] = i < static_cast<std::size_t>(j) ? 0.0 : A[i][j];
        v[j] -= alpha;
        double vnorm2 = 0.0;
        for (std::size_t i = static_cast<std::size_t>(j); i < n; ++i) vnorm2 += v[i] * v[i];
        if (vnorm2 == 0.0) continue;
        for (int c = j; c < 3; ++c) {
            double dot = 0.0;
            for (std::size_t i = static_cast<std::size_t>(j); i < n; ++i) dot += v[i] * A[i][c];
            for (std::size_t i = static_cast<std::size_t>(j); i < n; ++i) A[i][c] -= 2.0 * dot / vnorm2 * v[i];
        }
        double dot = 0.0;
        for (std::size_t i = static_cast<std::size_t>(j); i < n; ++i) dot += v[i] * b[i];
        for (std::size_t i = static_cast<std::size_t>(j); i < n; ++i) b[i] -= 2.0 * dot / vnorm2 * v[i];
    }
    std::array<double, 3> coef{};
    for (int j = 2; j >= 0; --j) {
        double s = b[j];
        for (int c = j + 1; c < 3; ++c) s -= A[j][c] * coef[static_cast<std::size_t>(c)];
        coef[static_cast<std::size_t>(j)] = s / A[j][j];
    }
    for (int j = 0; j < 3; ++j) coef[static_cast<std::size_t>(j)] /= scale[j];
    return coef;
}

}  // namespace detail

/// k-sample Anderson-Darling test that the samples come from one continuous distribution, equal to
/// scipy.stats.anderson_ksamp(samples, midrank=True): the midrank statistic A2akN of Scholz & Stephens
/// (1987, eq. 7), standardized by its exact mean k - 1 and variance, with the p-value interpolated
/// (quadratic in log p) from their Table 2 and clipped to [0.001, 0.25], flags saying when it was.
/// O(N log N + k N) for N values in all. `samples` is taken by value: pass it with std::move to spare
/// a copy. Throws invalid_argument for fewer than two samples,
/// data_error for an empty sample, fewer than two distinct values overall, Inf, or NaN under
/// nan_policy::raise (omit drops NaN; propagate returns NaN).
inline anderson_result anderson_ksamp(std::vector<std::vector<double>> samples, nan_policy policy = nan_policy::raise) {
    const std::size_t k = samples.size();
    if (k < 2) throw invalid_argument("mldp::stats::anderson_ksamp: needs at least two samples, got " + std::to_string(k));
    std::vector<std::vector<double>> sorted(k);
    anderson_result r;
    for (std::size_t i = 0; i < k; ++i) {
        const std::string name = "sample " + std::to_string(i);
        auto s = detail::prepare_sample(std::move(samples[i]), policy, name.c_str());  // moved, not copied
        if (s.has_nan) return r;
        detail::require_size(s, name.c_str(), 1);
        sorted[i] = std::move(s.values).release();
        sort_doubles(sorted[i]);
    }
    // The pooled sample, merged from the sorted samples (cheaper than sorting it again).
    // Uninitialised buffers: every element is written before it is read, and zero-filling 16 bytes
    // per value would cost as much as the merge itself.
    std::size_t N = 0;
    for (const auto& s : sorted) N += s.size();
    std::unique_ptr<double[]> Z(new double[N]), spare(k > 2 ? new double[N] : nullptr);
    mldp::detail::advise_huge_pages(Z.get(), N * sizeof(double));
    if (spare) mldp::detail::advise_huge_pages(spare.get(), N * sizeof(double));
    std::merge(sorted[0].begin(), sorted[0].end(), sorted[1].begin(), sorted[1].end(), Z.get());
    for (std::size_t i = 2, len = sorted[0].size() + sorted[1].size(); i < k; ++i) {
        std::merge(Z.get(), Z.get() + len, sorted[i].begin(), sorted[i].end(), spare.get());
        len += sorted[i].size();
        std::swap(Z, spare);
    }
    // Distinct values z_j of Z with multiplicity l_j and B_j = #{Z < z_j} + l_j / 2, walked run by run
    // (not stored) for each sample.
    std::size_t L = 0;
    for (std::size_t i = 0; i < N; ++L) {
        std::size_t e = i + 1;
        while (e < N && Z[e] == Z[i]) ++e;
        i = e;
    }
    if (L < 2) throw data_error("samples", data_error::no_row, "anderson_ksamp needs more than one distinct value");
    const double Nd = static_cast<double>(N);
    double A2akN = 0.0;
    std::unique_ptr<double[]> buffer(new double[(std::max)(L, N)]);  // inner terms per sample, then the terms of g
    mldp::detail::advise_huge_pages(buffer.get(), (std::max)(L, N) * sizeof(double));
    for (std::size_t i = 0; i < k; ++i) {
        const auto& s = sorted[i];
        const double ni = static_cast<double>(s.size());
        std::size_t lo = 0, hi = 0;  // #{s < z_j}, #{s <= z_j}
        std::size_t j = 0;
        for (std::size_t start = 0; start < N; ++j) {
            std::size_t end = start + 1;
            while (end < N && Z[end] == Z[start]) ++end;
            const double z = Z[start];
            while (lo < s.size() && s[lo] < z) ++lo;
            if (hi < lo) hi = lo;
            while (hi < s.size() && s[hi] <= z) ++hi;
            const double fij = static_cast<double>(hi - lo);
            const double Mij = static_cast<double>(hi) - fij / 2.0;
            const double l = N == L ? 1.0 : static_cast<double>(end - start);
            const double Bj = static_cast<double>(start) + static_cast<double>(end - start) / 2.0;
            const double d = Nd * Mij - Bj * ni;
            buffer[j] = l / Nd * d * d / (Bj * (Nd - Bj) - Nd * l / 4.0);
            start = end;
        }
        A2akN += pairwise_sum(buffer.get(), L) / ni;
    }
    A2akN *= (Nd - 1.0) / Nd;

    // Mean k - 1 and the variance of Scholz & Stephens (1987), as scipy computes them.
    double H = 0.0;
    for (const auto& s : sorted) H += 1.0 / static_cast<double>(s.size());
    double* const terms = buffer.get();  // reused: N - 2 terms
    const std::size_t n_terms = N > 2 ? N - 2 : 0;
    double hs = 0.0;  // cumulative sum of 1/(N-1), 1/(N-2), ..., 1/2
    for (std::size_t j = N - 1, t = 0; j >= 2; --j, ++t) {
        hs += 1.0 / static_cast<double>(j);
        terms[t] = hs / static_cast<double>(N - j + 1);  // divided by 2, 3, ..., N-1
    }
    const double h = hs + 1.0;
    const double g = pairwise_sum(terms, n_terms);
    const double kd = static_cast<double>(k), k2 = static_cast<double>(k * k);
    const double a = (4 * g - 6) * (kd - 1) + (10 - 6 * g) * H;
    const double b = (2 * g - 4) * k2 + 8 * h * kd + (2 * g - 14 * h - 4) * H - 8 * h + 4 * g - 6;
    const double c = (6 * h + 2 * g - 2) * k2 + (4 * h - 4 * g + 6) * kd + (2 * h - 6) * H + 4 * h;
    const double d = (2 * h + 6) * k2 - 4 * h * kd;
    const double sigmasq = (a * detail::exact_power(N, 3) + b * detail::exact_power(N, 2) + c * Nd + d) /
                           ((Nd - 1.0) * (Nd - 2.0) * (Nd - 3.0));
    const double m = kd - 1;
    r.statistic = (A2akN - m) / std::sqrt(sigmasq);

    static constexpr double b0[] = {0.675, 1.281, 1.645, 1.96, 2.326, 2.573, 3.085};
    static constexpr double b1[] = {-0.245, 0.25, 0.678, 1.149, 1.822, 2.364, 3.615};
    static constexpr double b2[] = {-0.105, -0.305, -0.362, -0.391, -0.396, -0.345, -0.154};
    static constexpr double sig[] = {0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001};
    double log_sig[7];
    for (std::size_t i = 0; i < 7; ++i) {
        r.critical_values[i] = b0[i] + b1[i] / std::sqrt(m) + b2[i] / m;
        log_sig[i] = std::log(sig[i]);
    }
    const double cmin = *std::min_element(r.critical_values.begin(), r.critical_values.end());
    const double cmax = *std::max_element(r.critical_values.begin(), r.critical_values.end());
    if (r.statistic < cmin) {
        r.p_value = 0.25;
        r.p_value_capped = true;
    } else if (r.statistic > cmax) {
        r.p_value = 0.001;
        r.p_value_floored = true;
    } else {
        const auto pf = detail::polyfit2(r.critical_values.data(), log_sig, 7);
        double y = 0.0;
        for (double coef : pf) y = y * r.statistic + coef;
        r.p_value = std::exp(y);
    }
    return r;
}

/// Two-sample form: anderson_ksamp({a, b}) for any two numeric columns.
template <class A, class B, std::enable_if_t<is_numeric_source_v<A> && is_numeric_source_v<B>, int> = 0>
anderson_result anderson_ksamp(A&& a, B&& b, nan_policy policy = nan_policy::raise) {
    std::vector<std::vector<double>> samples;
    samples.push_back(evaluate_contiguous<double>(std::forward<A>(a)).release());
    samples.push_back(evaluate_contiguous<double>(std::forward<B>(b)).release());
    return anderson_ksamp(std::move(samples), policy);
}

/// JSON of an Anderson-Darling result: every field by name, critical_values as an array of 7 (25% to
/// 0.1%); NaN (a propagated NaN) is written as null.
inline void to_json(nlohmann::json& j, const anderson_result& r) {
    const auto num = mldp::detail::json_number;
    j = nlohmann::json{{"statistic", num(r.statistic)},
                       {"p_value", num(r.p_value)},
                       {"critical_values", mldp::detail::json_numbers(r.critical_values)},
                       {"p_value_capped", r.p_value_capped},
                       {"p_value_floored", r.p_value_floored}};
}

}  // namespace mldp::stats

/// Prints a result on one line: "anderson_ksamp: A2 = 1.23, p = 0.0456", noting a p-value capped at
/// 0.25 or floored at 0.001.
template <>
struct fmt::formatter<mldp::stats::anderson_result> {
    constexpr auto parse(format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const mldp::stats::anderson_result& r, Ctx& ctx) const {
        auto out = fmt::format_to(ctx.out(), "anderson_ksamp: A2 = {:.6g}, p = {:.6g}", r.statistic, r.p_value);
        if (r.p_value_capped) out = fmt::format_to(out, " (capped: the true p is above 0.25)");
        if (r.p_value_floored) out = fmt::format_to(out, " (floored: the true p is below 0.001)");
        return out;
    }
};

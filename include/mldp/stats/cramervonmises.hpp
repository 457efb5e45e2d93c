// mldp — the two-sample Cramer-von Mises test, equal to scipy.stats.cramervonmises_2samp
// (scipy 1.10): midranks for ties, the exact null distribution for small samples (Xiao, Gordon &
// Yakovlev 2006), Anderson's normalized statistic against the limiting distribution otherwise.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "mldp/core/error.hpp"
#include "mldp/core/numeric.hpp"
#include "mldp/core/sort.hpp"
#include "mldp/stats/special.hpp"
#include "mldp/stats/test_result.hpp"

namespace mldp::stats {

/// How cramer_von_mises_2samp computes its p-value (scipy's `method`): `automatic` is exact when both
/// samples have at most 20 values.
enum class cvm_method { automatic, exact, asymptotic };

namespace detail {

// e^z K_nu(z) for z > 0, by the trapezoidal rule on K_nu(z) = int_0^inf exp(-z cosh t) cosh(nu t) dt.
// The integrand is analytic in a strip, so the rule converges geometrically; a step of
// min(0.1, 0.5/sqrt(z)) resolves the peak at t = 0 (width 1/sqrt(z)) and leaves an error below 1e-30
// relative. Scaling by e^z avoids underflow for large z.
inline double bessel_k_scaled(double nu, double z) {
    const double h = (std::min)(0.1, 0.5 / std::sqrt(z));
    double sum = 0.5;  // t = 0: exp(0) cosh(0) / 2
    for (int j = 1; j < 100000; ++j) {
        const double t = h * j;
        const double s = std::sinh(t / 2);
        const double term = std::exp(-2 * z * s * s) * std::cosh(nu * t);  // cosh t - 1 = 2 sinh^2(t/2)
        sum += term;
        if (term < 1e-18 * sum) break;
    }
    return h * sum;
}

// Limiting distribution function of the one-sample Cramer-von Mises statistic (Csorgo & Faraway 1996,
// eq. 1.2), summed as scipy's _cdf_cvm_inf does: terms are added until one is below 1e-7.
inline double cdf_cvm_inf(double x) {
    constexpr double pi = 3.14159265358979323846;
    double total = 0.0;
    for (int k = 0; k < 1000; ++k) {
        const double u = std::exp(std::lgamma(k + 0.5) - std::lgamma(k + 1.0)) / (std::pow(pi, 1.5) * std::sqrt(x));
        const double y = 4.0 * k + 1.0;
        const double q = y * y / (16 * x);
        // exp(-q) K_{1/4}(q) = exp(-2q) [e^q K_{1/4}(q)]
        const double z = u * std::sqrt(y) * std::exp(-2 * q) * bessel_k_scaled(0.25, q);
        total += z;
        if (!(std::fabs(z) >= 1e-7)) break;
    }
    return total;
}

// Python's float floor division a // b (CPython float_floor_div), which is not always floor(a / b).
inline double python_floordiv(double a, double b) {
    const double mod = std::fmod(a, b);
    double div = (a - mod) / b;
    if (mod != 0.0 && ((b < 0) != (mod < 0))) div -= 1.0;
    if (div == 0.0) return std::copysign(0.0, a / b);
    double fl = std::floor(div);
    if (div - fl > 0.5) fl += 1.0;
    return fl;
}

// Exact p-value P(U >= u) of the two-sample statistic U for sizes m, n (scipy _pval_cvm_2samp_exact,
// after Xiao, Gordon & Yakovlev 2006, Algorithm 1): frequency tables of g_{u,v}, merged row by row.
inline double pval_cvm_2samp_exact(double s, std::int64_t m, std::int64_t n) {
    const std::int64_t lcm = std::lcm(m, n);
    const std::int64_t a = lcm / m, b = lcm / n;
    const std::int64_t mn = m * n;
    // zeta = lcm^2 (m + n) (6 s - mn (4 mn - 1)) // (6 mn^2), in Python's float arithmetic
    const double zeta = python_floordiv(static_cast<double>(lcm * lcm * (m + n)) * (6 * s - static_cast<double>(mn * (4 * mn - 1))),
                                        static_cast<double>(6 * mn * mn));
    using table = std::vector<std::pair<std::int64_t, double>>;  // (value, count), values ascending
    std::vector<table> gs(static_cast<std::size_t>(m) + 1);
    gs[0] = {{0, 1.0}};
    for (std::int64_t u = 0; u <= n; ++u) {
        std::vector<table> next(static_cast<std::size_t>(m) + 1);
        table tmp;
        for (std::int64_t v = 0; v <= m; ++v) {
            const table& g = gs[static_cast<std::size_t>(v)];
            table merged;
            merged.reserve(tmp.size() + g.size());
            std::size_t i = 0, j = 0;
            while (i < tmp.size() || j < g.size()) {
                if (j == g.size() || (i < tmp.size() && tmp[i].first < g[j].first)) {
                    merged.push_back(tmp[i++]);
                } else if (i == tmp.size() || g[j].first < tmp[i].first) {
                    merged.push_back(g[j++]);
                } else {
                    merged.emplace_back(tmp[i].first, tmp[i].second + g[j].second);
                    ++i;
                    ++j;
                }
            }
            const std::int64_t shift = (a * v - b * u) * (a * v - b * u);
            for (auto& e : merged) e.first += shift;
            tmp = std::move(merged);
            next[static_cast<std::size_t>(v)] = tmp;
        }
        gs = std::move(next);
    }
    double favourable = 0.0;
    for (const auto& e : gs[static_cast<std::size_t>(m)]) {
        if (static_cast<double>(e.first) >= zeta) favourable += e.second;
    }
    return favourable / binomial_product(static_cast<std::uint64_t>(n), static_cast<std::uint64_t>(m));  // C(m + n, m)
}

}  // namespace detail

/// Two-sample Cramer-von Mises test, equal to scipy.stats.cramervonmises_2samp(a, b, method):
/// T = U / (n m (n + m)) - (4 n m - 1) / (6 (n + m)) from midranks (Anderson 1962, eq. 9-10); exact
/// p-values for `exact` (automatic when both sizes <= 20), else the normalized statistic against the
/// limiting distribution, whose series scipy truncates at terms below 1e-7 (so its p-values, and these,
/// are accurate to about that). The exact method is refused (invalid_argument) above 25 values per
/// sample, where its tables grow too large. Throws data_error for a sample with fewer than two values,
/// Inf, or NaN under nan_policy::raise.
template <class A, class B>
test_result cramer_von_mises_2samp(A&& a, B&& b, cvm_method method = cvm_method::automatic,
                                   nan_policy policy = nan_policy::raise) {
    auto s = detail::prepare_pair(std::forward<A>(a), std::forward<B>(b), policy, "a", "b", 2);
    test_result r;
    if (s.has_nan()) return r;
    std::vector<double> x = std::move(s.a.values).release(), y = std::move(s.b.values).release();
    sort_doubles(x);
    sort_doubles(y);
    const std::size_t nx = x.size(), ny = y.size(), N = nx + ny;
    if (method == cvm_method::automatic) method = (std::max)(nx, ny) > 20 ? cvm_method::asymptotic : cvm_method::exact;
    if (method == cvm_method::exact && (std::max)(nx, ny) > 25) {
        throw invalid_argument("mldp::stats::cramer_von_mises_2samp: the exact method supports at most 25 values per "
                               "sample, got " + std::to_string(nx) + " and " + std::to_string(ny));
    }
    // Midranks of the pooled sample; both samples are sorted, so a merge gives the order. Each run of
    // ties is read before it is overwritten, so the squared rank deviations (rank - position)^2 replace
    // the values in place.
    {
        std::size_t i = 0, j = 0, pos = 0;
        while (i < nx || j < ny) {
            const double v = (j == ny || (i < nx && x[i] <= y[j])) ? x[i] : y[j];
            std::size_t ei = i, ej = j;
            while (ei < nx && x[ei] == v) ++ei;
            while (ej < ny && y[ej] == v) ++ej;
            const std::size_t count = (ei - i) + (ej - j);
            const double rank = (static_cast<double>(pos + 1) + static_cast<double>(pos + count)) / 2.0;
            for (std::size_t k2 = i; k2 < ei; ++k2) {
                const double d = rank - static_cast<double>(k2 + 1);
                x[k2] = d * d;
            }
            for (std::size_t k2 = j; k2 < ej; ++k2) {
                const double d = rank - static_cast<double>(k2 + 1);
                y[k2] = d * d;
            }
            pos += count;
            i = ei;
            j = ej;
        }
    }
    const double nxd = static_cast<double>(nx), nyd = static_cast<double>(ny), Nd = static_cast<double>(N);
    double u = nxd * pairwise_sum(x.data(), nx);
    u += nyd * pairwise_sum(y.data(), ny);
    const double k = nxd * nyd;
    r.statistic = u / (k * Nd) - (4 * k - 1) / (6 * Nd);
    if (method == cvm_method::exact) {
        r.p_value = detail::pval_cvm_2samp_exact(u, static_cast<std::int64_t>(nx), static_cast<std::int64_t>(ny));
    } else {
        const double et = (1 + 1 / Nd) / 6;
        double vt = (Nd + 1) * (4 * k * Nd - 3 * (nxd * nxd + nyd * nyd) - 2 * k);
        vt = vt / (45 * Nd * Nd * 4 * k);
        const double tn = 1.0 / 6 + (r.statistic - et) / std::sqrt(45 * vt);
        r.p_value = tn < 0.003 ? 1.0 : (std::max)(0.0, 1.0 - detail::cdf_cvm_inf(tn));
    }
    return r;
}

}  // namespace mldp::stats

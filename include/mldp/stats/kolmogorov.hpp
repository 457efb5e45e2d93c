// mldp — distributions of Kolmogorov-Smirnov statistics: the exact one-sided (Smirnov) and two-sided
// (Kolmogorov) distributions of D_n for a sample of n, following the algorithm selection scipy 1.10
// makes (Simard & L'Ecuyer 2011), so that p-values agree with scipy.stats.kstwo and
// scipy.special.smirnov.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <tuple>
#include <utility>
#include <vector>

namespace mldp::stats {

namespace detail::ks {

inline constexpr double pi = 3.14159265358979323846;
inline constexpr int scale_exponent = 128;  // rescale intermediate results by 2^+-128

// One-sided sf P(D+_n >= x) by Smirnov / Birnbaum-Tingey:
//   x * sum_{v=0}^{floor(n(1-x))} C(n, v) (x + v/n)^(v-1) (1 - x - v/n)^(n-v)
// (or 1 - the upper sum, when that has at most three terms), each term in extended precision in log
// space. The special cases and the cut-over for n > 10^6 follow scipy's cephes/kolmogorov.c.
inline double smirnov_sf(std::int64_t n, double x) {
    if (!(n > 0 && x >= 0.0 && x <= 1.0)) return std::numeric_limits<double>::quiet_NaN();
    if (n == 1) return 1.0 - x;
    if (x == 0.0) return 1.0;
    if (x == 1.0) return 0.0;
    using ld = long double;
    const ld nl = static_cast<ld>(n);
    const ld nx = nl * static_cast<ld>(x);
    ld nxfl_l = std::floor(nx);
    ld alpha = nx - nxfl_l;
    if (alpha >= 1.0L) {
        nxfl_l += 1;
        alpha = 0;
    }
    const auto nxfl = static_cast<std::int64_t>(nxfl_l);
    std::int64_t n1mxfl = n - nxfl - (alpha == 0 ? 0 : 1);
    std::int64_t n1mxceil = n - nxfl;
    if (alpha == 0) {
        n1mxfl -= 1;
        n1mxceil += 1;
    }
    const double nd = static_cast<double>(n);
    if (nxfl == 0 || (nxfl == 1 && alpha == 0)) {  // x <= 1/n: cdf = x (1 + x)^(n-1)
        const ld cdf = static_cast<ld>(x) * std::pow(1.0L + static_cast<ld>(x), nl - 1);
        return std::clamp(static_cast<double>(1.0L - cdf), 0.0, 1.0);
    }
    constexpr double min_log = -7.451332191019412076235e2;  // cephes MINLOG
    if (-2.0 * nd * x * x < min_log) return 0.0;
    if (nxfl >= n - 1) return static_cast<double>(std::pow(1.0L - static_cast<ld>(x), nl));
    if (n > 1000000) {
        // scipy's approximation beyond 10^6: p ~ exp(-(6nx+1)^2 / (18n)).
        const double logp = -std::pow(6.0 * nd * x + 1, 2) / 18.0 / nd;
        if (logp < -0.69314718055994530942) return std::exp(logp);
        return 1.0 - (-std::expm1(logp));
    }
    const std::int64_t upper_terms = n - n1mxceil + 1;
    bool use_upper = upper_terms <= 1 && x < 0.5;
    use_upper = use_upper || (n >= 10 && upper_terms <= 3 && x <= 0.5 / std::sqrt(nd));

    const ld xl = static_cast<ld>(x);
    // log A_v = log C(n, v) + (v - 1) log(x + v/n) + (n - v) log(1 - x - v/n), where
    // 1 - x - v/n = ((n - nxfl - v) - alpha) / n keeps full precision near the end of the range.
    // Logarithms in double precision are ample here (each term's relative error stays near
    // (n x) 2^-53) and several times faster than extended-precision ones; the sum and the binomial
    // recurrence stay extended. In the upper sum 1 - x - v/n can be a tiny negative number (when n x
    // is an integer plus a rounding residue); that term is then the signed power itself, as in scipy.
    auto term_of = [&](std::int64_t v, ld log_binom) -> ld {
        const double a = x + static_cast<double>(v) / nd;
        const ld b = (static_cast<ld>(n - nxfl - v) - alpha) / nl;
        double lt = static_cast<double>(log_binom);
        if (v != 1) lt += static_cast<double>(v - 1) * std::log(a);
        if (n == v) return static_cast<ld>(std::exp(lt));
        if (b > 0) return static_cast<ld>(std::exp(lt + static_cast<double>(n - v) * std::log(static_cast<double>(b))));
        return static_cast<ld>(std::exp(lt)) * std::pow(b, static_cast<ld>(n - v));
    };
    ld sum = 0;
    ld log_binom = 0;  // log C(n, v), updated incrementally
    const std::int64_t start = use_upper ? n : 0, step = use_upper ? -1 : 1;
    const std::int64_t terms = use_upper ? upper_terms : n1mxfl + 1;
    for (std::int64_t j = 0; j < terms; ++j) {
        const std::int64_t v = start + j * step;
        const ld term = term_of(v, log_binom);
        sum += term;
        if (term != 0) {
            if (4 * static_cast<ld>(terms - j) * term < static_cast<ld>(std::numeric_limits<double>::epsilon()) * sum &&
                j != terms - 1) {
                break;
            }
        } else if (j > n / 2) {
            break;
        }
        // C(n, j+1) = C(n, j) (n - j) / (j + 1): symmetric, so the same update serves the upper sum.
        log_binom += std::log(static_cast<ld>(n - j) / static_cast<ld>(j + 1));
    }
    const ld prob = xl * sum;
    const double p = static_cast<double>(use_upper ? 1.0L - prob : prob);
    return std::clamp(p, 0.0, 1.0);
}

// log(n! / n^n) by Stirling's series (scipy.stats._ksstats._log_nfactorial_div_n_pow_n).
inline double log_nfactorial_div_n_pow_n(double n) {
    static constexpr double c[] = {-2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3,
                                   8.4175084175084175084e-4, -5.952380952380952381e-4, 7.9365079365079365079e-4,
                                   -2.7777777777777777778e-3, 8.3333333333333333333e-2};
    const double rn = 1.0 / n, y = rn / n;
    double poly = 0.0;
    for (double ck : c) poly = poly * y + ck;
    return std::log(n) / 2 - n + std::log(2 * pi) / 2 + rn * poly;
}

// CDF P(D_n <= d) by Durbin's matrix method as Marsaglia, Tsang & Wang (2003) compute it: the k-th
// diagonal entry of H^n times n!/n^n, with H of order 2k - 1, k = ceil(n d), scaled by powers of two.
inline double kolmogn_dmtw_cdf(std::int64_t n, double d) {
    if (d >= 1.0) return 1.0;
    const double nd = static_cast<double>(n) * d;
    if (nd <= 0.5) return 0.0;
    const auto k = static_cast<std::size_t>(std::ceil(nd));
    const double h = static_cast<double>(k) - nd;
    const std::size_t m = 2 * k - 1;
    std::vector<double> H(m * m, 0.0), v(m), w(m);
    double fac = 1.0;
    for (std::size_t j = 1; j <= m; ++j) {
        v[j - 1] = 1.0 - std::pow(h, static_cast<double>(j));
        w[j - 1] = fac;
        fac /= static_cast<double>(j);
        v[j - 1] *= fac;
    }
    const double tt = std::pow((std::max)(2 * h - 1.0, 0.0), static_cast<double>(m)) - 2 * std::pow(h, static_cast<double>(m));
    v[m - 1] = (1.0 + tt) * fac;
    for (std::size_t i = 1; i < m; ++i)
        for (std::size_t r = i - 1; r < m; ++r) H[r * m + i] = w[r - (i - 1)];
    for (std::size_t r = 0; r < m; ++r) H[r * m] = v[r];
    for (std::size_t c = 0; c < m; ++c) H[(m - 1) * m + c] = v[m - 1 - c];

    auto matmul = [m](const std::vector<double>& A, const std::vector<double>& B) {
        std::vector<double> C(m * m, 0.0);
        for (std::size_t i = 0; i < m; ++i)
            for (std::size_t l = 0; l < m; ++l) {
                const double a = A[i * m + l];
                if (a == 0.0) continue;
                for (std::size_t j = 0; j < m; ++j) C[i * m + j] += a * B[l * m + j];
            }
        return C;
    };
    std::vector<double> P(m * m, 0.0);
    for (std::size_t i = 0; i < m; ++i) P[i * m + i] = 1.0;
    const double ep = std::ldexp(1.0, scale_exponent), em = std::ldexp(1.0, -scale_exponent);
    long long expnt = 0, h_expnt = 0;
    for (std::int64_t nn = n; nn > 0; nn /= 2) {
        if (nn % 2) {
            P = matmul(P, H);
            expnt += h_expnt;
        }
        H = matmul(H, H);
        h_expnt *= 2;
        if (std::fabs(H[(k - 1) * m + (k - 1)]) > ep) {
            for (auto& e : H) e /= ep;
            h_expnt += scale_exponent;
        }
    }
    double p = P[(k - 1) * m + (k - 1)];
    const double ndbl = static_cast<double>(n);
    for (std::int64_t i = 1; i <= n; ++i) {
        p = static_cast<double>(i) * p / ndbl;
        if (std::fabs(p) < em) {
            p *= ep;
            expnt -= scale_exponent;
        }
    }
    if (expnt != 0) p = std::ldexp(p, static_cast<int>((std::max<long long>)((std::min<long long>)(expnt, 100000), -100000)));
    return std::clamp(p, 0.0, 1.0);
}

// CDF P(D_n <= x) by Pomeranz's recursion (1974), as scipy.stats._ksstats._kolmogn_Pomeranz.
inline double kolmogn_pomeranz_cdf(std::int64_t n, double x) {
    const double t = static_cast<double>(n) * x;
    const auto ll = static_cast<std::int64_t>(std::floor(t));
    const double f = t - static_cast<double>(ll);
    const double g = (std::min)(f, 1.0 - f);
    const std::int64_t ceilf = f > 0 ? 1 : 0, roundf = f > 0.5 ? 1 : 0;
    const auto npwrs = static_cast<std::size_t>(2 * (ll + 1));
    std::vector<double> gpower(npwrs), twogpower(npwrs), onem2gpower(npwrs);
    gpower[0] = twogpower[0] = onem2gpower[0] = 1.0;
    const double nd = static_cast<double>(n);
    const double g_over_n = g / nd, two_g_over_n = 2 * g / nd, one_minus_two_g_over_n = (1 - 2 * g) / nd;
    for (std::size_t k = 1; k < npwrs; ++k) {
        const double kd = static_cast<double>(k);
        gpower[k] = gpower[k - 1] * g_over_n / kd;
        twogpower[k] = twogpower[k - 1] * two_g_over_n / kd;
        onem2gpower[k] = onem2gpower[k - 1] * one_minus_two_g_over_n / kd;
    }
    auto j1j2 = [&](std::int64_t i) {
        std::int64_t j1, j2;
        if (i == 0) {
            j1 = -ll - ceilf - 1;
            j2 = ll + ceilf - 1;
        } else {
            const std::int64_t ip1div2 = (i + 1) / 2, ip1mod2 = (i + 1) % 2;
            if (ip1mod2 == 0) {
                if (ip1div2 == n + 1) {
                    j1 = n - ll - ceilf - 1;
                    j2 = n + ll + ceilf - 1;
                } else {
                    j1 = ip1div2 - 1 - ll - roundf - 1;
                    j2 = ip1div2 + ll - 1 + ceilf - 1;
                }
            } else {
                j1 = ip1div2 - 1 - ll - 1;
                j2 = ip1div2 + ll + roundf - 1;
            }
        }
        return std::pair<std::int64_t, std::int64_t>{(std::max<std::int64_t>)(j1 + 2, 0), (std::min)(j2, n)};
    };
    std::vector<double> V0(npwrs, 0.0), V1(npwrs, 0.0), conv;
    V1[0] = 1.0;
    std::int64_t V0s = 0, V1s = 0;
    long long expnt = 0;
    const double ep = std::ldexp(1.0, scale_exponent), em = std::ldexp(1.0, -scale_exponent);
    auto [j1, j2] = j1j2(0);
    for (std::int64_t i = 1; i < 2 * n + 2; ++i) {
        const std::int64_t k1 = j1;
        std::swap(V0, V1);
        std::swap(V0s, V1s);
        std::fill(V1.begin(), V1.end(), 0.0);
        std::tie(j1, j2) = j1j2(i);
        const std::vector<double>& pwrs = (i == 1 || i == 2 * n + 1) ? gpower : (i % 2 ? twogpower : onem2gpower);
        const std::int64_t ln2 = j2 - k1 + 1;
        if (ln2 > 0) {
            // numpy.convolve(V0[k1 - V0s : k1 - V0s + ln2], pwrs[:ln2]) (slices clipped to the arrays)
            const auto off = static_cast<std::size_t>(k1 - V0s);
            const std::size_t la = (std::min<std::size_t>)(static_cast<std::size_t>(ln2), npwrs - (std::min)(off, npwrs));
            const std::size_t lb = (std::min<std::size_t>)(static_cast<std::size_t>(ln2), npwrs);
            conv.assign(la + lb - 1, 0.0);
            for (std::size_t a = 0; a < la; ++a) {
                const double va = V0[off + a];
                if (va == 0.0) continue;
                for (std::size_t b = 0; b < lb; ++b) conv[a + b] += va * pwrs[b];
            }
            const auto conv_start = static_cast<std::size_t>(j1 - k1);
            const auto conv_len = static_cast<std::size_t>(j2 - j1 + 1);
            double vmax = 0.0;
            for (std::size_t c = 0; c < conv_len && conv_start + c < conv.size() && c < npwrs; ++c) {
                V1[c] = conv[conv_start + c];
                vmax = (std::max)(vmax, V1[c]);
            }
            if (vmax > 0 && vmax < em) {
                for (auto& e : V1) e *= ep;
                expnt -= scale_exponent;
            }
            V1s = V0s + j1 - k1;
        }
    }
    double ans = V1[static_cast<std::size_t>(n - V1s)];
    for (std::int64_t k = 1; k <= n; ++k) {
        if (std::fabs(ans) > ep) {
            ans *= em;
            expnt += scale_exponent;
        }
        ans *= static_cast<double>(k);
    }
    if (expnt != 0) ans = std::ldexp(ans, static_cast<int>((std::max<long long>)((std::min<long long>)(expnt, 100000), -100000)));
    return std::clamp(ans, 0.0, 1.0);
}

// CDF P(D_n <= x) by the Pelz-Good asymptotic series (1976), scipy.stats._ksstats._kolmogn_PelzGood.
inline double kolmogn_pelz_good_cdf(std::int64_t n, double x) {
    if (x <= 0.0) return 0.0;
    if (x >= 1.0) return 1.0;
    const double nd = static_cast<double>(n);
    const double z = std::sqrt(nd) * x;
    const double z2 = z * z, z3 = z2 * z, z4 = z2 * z2, z6 = z4 * z2;
    const double pi2 = pi * pi, pi4 = pi2 * pi2, pi6 = pi4 * pi2;
    const double qlog = -pi2 / 8 / z2;
    if (qlog < -708) return 0.0;
    double q = std::exp(qlog);
    const double k1a = -z2, k1b = pi2 / 4;
    const double k2a = 6 * z6 + 2 * z4, k2b = (2 * z4 - 5 * z2) * pi2 / 4, k2c = pi4 * (1 - 2 * z2) / 16;
    const double k3d = pi6 * (5 - 30 * z2) / 64, k3c = pi4 * (-60 * z2 + 212 * z4) / 16,
                 k3b = pi2 * (135 * z4 - 96 * z6) / 4, k3a = -30 * z6 - 90 * std::pow(z, 8);
    double K[4] = {0, 0, 0, 0};
    const auto maxk = static_cast<std::int64_t>(std::ceil(16 * z / pi));
    for (std::int64_t k = maxk; k > 0; --k) {
        const double m = 2.0 * static_cast<double>(k) - 1.0;
        const double m2 = m * m, m4 = m2 * m2, m6 = m4 * m2;
        const double qpower = std::pow(q, 8.0 * static_cast<double>(k));
        const double coeffs[4] = {1.0, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6};
        for (int i = 0; i < 4; ++i) K[i] = K[i] * qpower + coeffs[i];
    }
    const double sqrt2pi = std::sqrt(2 * pi);
    const double denom[4] = {z, 6 * z4, 72 * std::pow(z, 7), 6480 * std::pow(z, 10)};
    for (int i = 0; i < 4; ++i) K[i] = K[i] * q * sqrt2pi / denom[i];
    q = std::exp(-pi2 / 2 / z2);
    const double sqrt3z = std::sqrt(3.0) * z;
    double k2extra = 0.0, k3extra = 0.0;
    for (std::int64_t k = maxk; k > 0; --k) {
        const double kd = static_cast<double>(k);
        const double ks2 = kd * kd, kspi = pi * kd;
        const double qp = std::pow(q, ks2);
        k2extra += ks2 * qp;
        k3extra += (sqrt3z + kspi) * (sqrt3z - kspi) * ks2 * qp;
    }
    K[2] += k2extra * (pi2 * sqrt2pi / (-36 * z3));
    K[3] += k3extra * (pi2 * sqrt2pi / (216 * z6));
    double sum = 0.0;
    for (int i = 0; i < 4; ++i) sum += K[i] / std::pow(nd, i / 2.0);
    return sum;
}

// Survival function P(D_n > x) of the two-sided one-sample statistic (scipy.stats.kstwo.sf(x, n)),
// with scipy 1.10's choice of method by n and n x^2 (Simard & L'Ecuyer 2011).
inline double kolmogn_sf(std::int64_t n, double x) {
    if (n <= 0 || std::isnan(x)) return std::numeric_limits<double>::quiet_NaN();
    if (x >= 1.0) return 0.0;
    if (x <= 0.0) return 1.0;
    const double nd = static_cast<double>(n);
    const double t = nd * x;
    if (t <= 1.0) {  // Ruben-Gambino: 1/(2n) <= x <= 1/n
        if (t <= 0.5) return 1.0;
        double prob;
        if (n <= 140) {
            prob = 1.0;
            for (std::int64_t i = 1; i <= n; ++i) prob *= static_cast<double>(i) * (1.0 / nd) * (2 * t - 1);
        } else {
            prob = std::exp(log_nfactorial_div_n_pow_n(nd) + nd * std::log(2 * t - 1));
        }
        return std::clamp(1.0 - prob, 0.0, 1.0);
    }
    if (t >= nd - 1) return std::clamp(2 * std::pow(1.0 - x, nd), 0.0, 1.0);
    if (x >= 0.5) return std::clamp(2 * smirnov_sf(n, x), 0.0, 1.0);
    const double nx2 = t * x;
    if (n <= 140) {
        if (nx2 <= 0.754693) return std::clamp(1.0 - kolmogn_dmtw_cdf(n, x), 0.0, 1.0);
        if (nx2 <= 4) return std::clamp(1.0 - kolmogn_pomeranz_cdf(n, x), 0.0, 1.0);
        return std::clamp(2 * smirnov_sf(n, x), 0.0, 1.0);
    }
    if (nx2 >= 370.0) return 0.0;
    if (nx2 >= 2.2) return std::clamp(2 * smirnov_sf(n, x), 0.0, 1.0);
    double cdf;
    if (nx2 >= 18.0) {
        cdf = 1.0;
    } else if (n <= 100000 && nd * std::pow(x, 1.5) <= 1.4) {
        cdf = kolmogn_dmtw_cdf(n, x);
    } else {
        cdf = kolmogn_pelz_good_cdf(n, x);
    }
    return std::clamp(1.0 - cdf, 0.0, 1.0);
}

}  // namespace detail::ks

/// Survival function of the one-sided Kolmogorov-Smirnov statistic D+_n (scipy.special.smirnov):
/// P(D+_n >= x) for a sample of n from a continuous distribution. n >= 1, x in [0, 1], else NaN.
inline double smirnov_sf(std::int64_t n, double x) { return detail::ks::smirnov_sf(n, x); }

/// Survival function of the two-sided one-sample Kolmogorov-Smirnov statistic D_n
/// (scipy.stats.kstwo.sf(x, n)). n >= 1, else NaN.
inline double kstwo_sf(double x, std::int64_t n) { return detail::ks::kolmogn_sf(n, x); }

}  // namespace mldp::stats

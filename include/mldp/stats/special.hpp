// mldp — special functions and distribution tails the statistics layer needs, accurate to about
// 1e-14 relative where scipy is (checked against scipy.special in the tests).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>

namespace mldp::stats {

namespace detail {

inline constexpr double machine_epsilon = std::numeric_limits<double>::epsilon() / 2;  // 2^-53, Cephes' MACHEP
inline constexpr double max_log = 7.09782712893383996843e2;                            // log(DBL_MAX)
inline constexpr double big = 4.503599627370496e15;                                    // 2^52, rescale point
inline constexpr double big_inverse = 2.22044604925031308085e-16;                      // 2^-52

// log1p(t) - t, accurate for small |t| (where the subtraction would cancel).
inline double log1p_minus_x(double t) noexcept {
    if (std::fabs(t) >= 0.25) return std::log1p(t) - t;
    // -t^2/2 + t^3/3 - ...: |t| < 1/4, so 40 terms leave less than 4^-40.
    double term = t, sum = 0.0;
    for (int k = 2; k <= 42; ++k) {
        term *= -t;
        sum += term / k;
    }
    return sum;
}

// log Gamma(a) - [(a - 1/2) log a - a + log(2 pi)/2], Stirling's series; for a >= 10 eight terms
// reach double precision (the ninth is below 3e-17).
inline double stirling_correction(double a) noexcept {
    static constexpr double c[] = {1.0 / 12.0,  -1.0 / 360.0,      1.0 / 1260.0, -1.0 / 1680.0,
                                   1.0 / 1188.0, -691.0 / 360360.0, 1.0 / 156.0,  -3617.0 / 122400.0};
    const double inv = 1.0 / a, inv2 = inv * inv;
    double sum = 0.0, power = inv;
    for (double ck : c) {
        sum += ck * power;
        power *= inv2;
    }
    return sum;
}

// log(x^a e^-x / Gamma(a)), the common prefactor of both incomplete gamma functions. For a >= 10 the
// direct form a log x - x - lgamma(a) cancels (both sides grow like a log a) and loses about a ulp
// per unit of a log a; instead write it as a (log1p(t) - t) + log(a / (2 pi)) / 2 - correction(a) with
// t = (x - a) / a, which is small exactly where the tails are hard.
inline double gamma_prefactor_log(double a, double x) noexcept {
    if (a < 10.0) return a * std::log(x) - x - std::lgamma(a);
    constexpr double two_pi = 6.28318530717958647692;
    return a * log1p_minus_x((x - a) / a) + 0.5 * std::log(a / two_pi) - stirling_correction(a);
}

// Power series for P(a, x), used when x < a + 1 (Cephes igam).
inline double gamma_p_series(double a, double x) noexcept {
    const double ax = gamma_prefactor_log(a, x);
    if (ax < -max_log) return 0.0;
    double r = a, c = 1.0, sum = 1.0;
    do {
        r += 1.0;
        c *= x / r;
        sum += c;
    } while (c / sum > machine_epsilon);
    return sum * std::exp(ax) / a;
}

// Continued fraction for Q(a, x), used when x >= a + 1 (Cephes igamc, Legendre's fraction evaluated
// with the three-term recurrence and periodic rescaling).
inline double gamma_q_continued_fraction(double a, double x) noexcept {
    const double ax = gamma_prefactor_log(a, x);
    if (ax < -max_log) return 0.0;
    double y = 1.0 - a, z = x + y + 1.0, c = 0.0;
    double pkm2 = 1.0, qkm2 = x, pkm1 = x + 1.0, qkm1 = z * x;
    double ans = pkm1 / qkm1, t;
    do {
        c += 1.0;
        y += 1.0;
        z += 2.0;
        const double yc = y * c;
        const double pk = pkm1 * z - pkm2 * yc;
        const double qk = qkm1 * z - qkm2 * yc;
        if (qk != 0.0) {
            const double r = pk / qk;
            t = std::fabs((ans - r) / r);
            ans = r;
        } else {
            t = 1.0;
        }
        pkm2 = pkm1;
        pkm1 = pk;
        qkm2 = qkm1;
        qkm1 = qk;
        if (std::fabs(pk) > big) {
            pkm2 *= big_inverse;
            pkm1 *= big_inverse;
            qkm2 *= big_inverse;
            qkm1 *= big_inverse;
        }
    } while (t > machine_epsilon);
    return ans * std::exp(ax);
}

}  // namespace detail

/// Standard normal distribution function Phi(x) = P(Z <= x), via erfc so that the lower tail keeps
/// full relative accuracy (scipy.special.ndtr).
inline double normal_cdf(double x) noexcept { return 0.5 * std::erfc(-x * 0.70710678118654752440); }

/// Standard normal survival function 1 - Phi(x), accurate in the upper tail (scipy.stats.norm.sf).
inline double normal_sf(double x) noexcept { return 0.5 * std::erfc(x * 0.70710678118654752440); }

/// Regularized lower incomplete gamma function P(a, x) = gamma(a, x) / Gamma(a), a > 0, x >= 0
/// (scipy.special.gammainc). Series below a + 1, continued fraction above. NaN outside the domain.
inline double regularized_gamma_p(double a, double x) noexcept {
    if (!(a > 0.0) || !(x >= 0.0)) return std::numeric_limits<double>::quiet_NaN();
    if (x == 0.0) return 0.0;
    if (std::isinf(x)) return 1.0;
    if (x > 1.0 && x > a) return 1.0 - detail::gamma_q_continued_fraction(a, x);
    return detail::gamma_p_series(a, x);
}

/// Regularized upper incomplete gamma function Q(a, x) = 1 - P(a, x), computed directly in the upper
/// tail so that tiny values keep their relative accuracy (scipy.special.gammaincc).
inline double regularized_gamma_q(double a, double x) noexcept {
    if (!(a > 0.0) || !(x >= 0.0)) return std::numeric_limits<double>::quiet_NaN();
    if (x == 0.0) return 1.0;
    if (std::isinf(x)) return 0.0;
    if (x < 1.0 || x < a) return 1.0 - detail::gamma_p_series(a, x);
    return detail::gamma_q_continued_fraction(a, x);
}

/// Survival function of the chi-square distribution with `df` > 0 degrees of freedom at x
/// (scipy.stats.chi2.sf): Q(df/2, x/2); 1 for x <= 0.
inline double chi2_sf(double x, double df) noexcept {
    if (!(df > 0.0) || std::isnan(x)) return std::numeric_limits<double>::quiet_NaN();
    if (x <= 0.0) return 1.0;
    return regularized_gamma_q(0.5 * df, 0.5 * x);
}

/// Distribution function of the chi-square distribution (scipy.stats.chi2.cdf).
inline double chi2_cdf(double x, double df) noexcept {
    if (!(df > 0.0) || std::isnan(x)) return std::numeric_limits<double>::quiet_NaN();
    if (x <= 0.0) return 0.0;
    return regularized_gamma_p(0.5 * df, 0.5 * x);
}

/// Survival function of Kolmogorov's limiting distribution, P(sqrt(n) D_n > x) as n -> infinity
/// (scipy.stats.kstwobign.sf, scipy.special.kolmogorov):
///   x >= 1:  2 sum_{k>=1} (-1)^(k-1) exp(-2 k^2 x^2)      (alternating, fast)
///   x <  1:  1 - sqrt(2 pi)/x sum_{k>=1} exp(-(2k-1)^2 pi^2 / (8 x^2))
inline double kolmogorov_sf(double x) noexcept {
    if (std::isnan(x)) return x;
    if (x <= 0.0) return 1.0;
    if (x >= 1.0) {
        double sum = 0.0, sign = 1.0;
        for (int k = 1; k <= 100; ++k) {
            const double term = std::exp(-2.0 * k * k * x * x);
            sum += sign * term;
            if (term < 1e-300 || term < sum * 1e-17) break;
            sign = -sign;
        }
        return 2.0 * sum;
    }
    constexpr double pi = 3.14159265358979323846;
    const double w = pi * pi / (8.0 * x * x);
    double sum = 0.0;
    for (int k = 1; k <= 100; ++k) {
        const double odd = 2.0 * k - 1.0;
        const double term = std::exp(-odd * odd * w);
        sum += term;
        if (term < sum * 1e-17) break;
    }
    return 1.0 - std::sqrt(2.0 * pi) / x * sum;
}

namespace detail {

// log B(a, b). When the larger argument is >= 10, lgamma(big) - lgamma(big + small) is taken from
// Stirling's series, -(big - 1/2) log1p(small/big) - small log(big + small) + small + corrections,
// whose terms are of the size of the result rather than of big log big.
// C(n + k, k) as the product prod_{i=1..k} (n + i) / i, rounded at each step: exact while the partial
// products stay below 2^53, as the exact null distributions (MWU, Cramer-von Mises) need.
inline double binomial_product(std::uint64_t n, std::uint64_t k) noexcept {
    double c = 1.0;
    for (std::uint64_t i = 1; i <= k; ++i) c = c * static_cast<double>(n + i) / static_cast<double>(i);
    return c;
}

inline double log_beta(double a, double b) noexcept {
    const double big_arg = (std::max)(a, b), small_arg = (std::min)(a, b);
    if (big_arg < 10.0) return std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b);
    const double s = big_arg + small_arg;
    const double diff = -(big_arg - 0.5) * std::log1p(small_arg / big_arg) - small_arg * std::log(s) + small_arg +
                        stirling_correction(big_arg) - stirling_correction(s);
    return std::lgamma(small_arg) + diff;
}

// log x given x and its complement y = 1 - x: log1p(-y) where x is close to 1.
inline double log_of(double x, double y) noexcept { return x > 0.5 ? std::log1p(-y) : std::log(x); }

// Power series for I_x(a, b), used when b x <= 1 and x <= 0.95 (Cephes incbet's pseries).
inline double beta_power_series(double a, double b, double x, double y) noexcept {
    const double ai = 1.0 / a;
    double u = (1.0 - b) * x;
    double v = u / (a + 1.0);
    const double t1 = v;
    double t = u, n = 2.0, s = 0.0;
    const double z = machine_epsilon * ai;
    while (std::fabs(v) > z) {
        u = (n - b) * x / n;
        t *= u;
        v = t / (a + n);
        s += v;
        n += 1.0;
    }
    s += t1;
    s += ai;
    const double lu = a * log_of(x, y);
    const double lt = -log_beta(a, b) + lu + std::log(s);
    return lt < -max_log ? 0.0 : std::exp(lt);
}

// Continued fraction expansions #1 and #2 for I_x(a, b) (Cephes incbcf and incbd), evaluated with
// the same recurrences and rescaling.
inline double beta_continued_fraction(double a, double b, double x, double y, bool second) noexcept {
    double k1 = a, k2, k3 = a, k4 = a + 1.0, k5 = 1.0, k6, k7 = a + 1.0, k8 = a + 2.0;
    double z;
    if (second) {
        k2 = b - 1.0;
        k6 = a + b;
        z = x / y;
    } else {
        k2 = a + b;
        k6 = b - 1.0;
        z = x;
    }
    double pkm2 = 0.0, qkm2 = 1.0, pkm1 = 1.0, qkm1 = 1.0, ans = 1.0, r = 1.0;
    const double thresh = 3.0 * machine_epsilon;
    for (int n = 0; n < 300; ++n) {
        double xk = second ? -(z * k1 * k2) / (k3 * k4) : -(x * k1 * k2) / (k3 * k4);
        double pk = pkm1 + pkm2 * xk;
        double qk = qkm1 + qkm2 * xk;
        pkm2 = pkm1;
        pkm1 = pk;
        qkm2 = qkm1;
        qkm1 = qk;
        xk = second ? (z * k5 * k6) / (k7 * k8) : (x * k5 * k6) / (k7 * k8);
        pk = pkm1 + pkm2 * xk;
        qk = qkm1 + qkm2 * xk;
        pkm2 = pkm1;
        pkm1 = pk;
        qkm2 = qkm1;
        qkm1 = qk;
        if (qk != 0.0) r = pk / qk;
        double t;
        if (r != 0.0) {
            t = std::fabs((ans - r) / r);
            ans = r;
        } else {
            t = 1.0;
        }
        if (t < thresh) break;
        k1 += 1.0;
        k2 += second ? -1.0 : 1.0;
        k3 += 2.0;
        k4 += 2.0;
        k5 += 1.0;
        k6 += second ? 1.0 : -1.0;
        k7 += 2.0;
        k8 += 2.0;
        if (std::fabs(qk) + std::fabs(pk) > big) {
            pkm2 *= big_inverse;
            pkm1 *= big_inverse;
            qkm2 *= big_inverse;
            qkm1 *= big_inverse;
        }
        if (std::fabs(qk) < big_inverse || std::fabs(pk) < big_inverse) {
            pkm2 *= big;
            pkm1 *= big;
            qkm2 *= big;
            qkm1 *= big;
        }
    }
    return ans;
}

}  // namespace detail

/// Regularized incomplete beta function I_x(a, b), a, b > 0, x in [0, 1] (scipy.special.betainc),
/// by Cephes' incbet: a power series where it converges fast, otherwise one of two continued
/// fractions after the symmetry I_x(a, b) = 1 - I_{1-x}(b, a). `y` is 1 - x when the caller knows it
/// more precisely than 1 - x can be computed (x close to 1). NaN outside the domain.
inline double regularized_beta(double a, double b, double x, double y) noexcept {
    if (!(a > 0.0) || !(b > 0.0) || !(x >= 0.0 && x <= 1.0) || !(y >= 0.0 && y <= 1.0)) {
        return std::numeric_limits<double>::quiet_NaN();
    }
    if (x == 0.0) return 0.0;
    if (y == 0.0) return 1.0;
    if (b * x <= 1.0 && x <= 0.95) return detail::beta_power_series(a, b, x, y);
    bool flipped = false;
    if (x > a / (a + b)) {
        flipped = true;
        std::swap(a, b);
        std::swap(x, y);
    }
    double t;
    if (flipped && b * x <= 1.0 && x <= 0.95) {
        t = detail::beta_power_series(a, b, x, y);
    } else {
        const double z = x * (a + b - 2.0) - (a - 1.0);
        const double w = z < 0.0 ? detail::beta_continued_fraction(a, b, x, y, false)
                                 : detail::beta_continued_fraction(a, b, x, y, true) / y;
        // w x^a (1-x)^b / (a B(a, b)), in logarithms to avoid overflow and underflow
        const double ly = a * detail::log_of(x, y) + b * detail::log_of(y, x) - detail::log_beta(a, b) + std::log(w / a);
        t = ly < -detail::max_log ? 0.0 : std::exp(ly);
    }
    if (flipped) t = t <= detail::machine_epsilon ? 1.0 - detail::machine_epsilon : 1.0 - t;
    return t;
}

/// I_x(a, b) with y = 1 - x computed here.
inline double regularized_beta(double a, double b, double x) noexcept { return regularized_beta(a, b, x, 1.0 - x); }

/// Survival function of Student's t distribution with `df` > 0 (not necessarily integer) degrees of
/// freedom (scipy.stats.t.sf): for t > 0, I_{df/(df+t^2)}(df/2, 1/2) / 2. NaN for df <= 0 or NaN input.
/// Accuracy: about 1e-14 relative up to df ~ 10^3, then degrading with the incomplete beta at large
/// df/2 (1e-12 at 10^5, 1e-11 at 10^6, 1e-9 at 10^8); use the normal beyond that.
inline double student_t_sf(double t, double df) noexcept {
    if (!(df > 0.0) || std::isnan(t)) return std::numeric_limits<double>::quiet_NaN();
    if (t == 0.0) return 0.5;
    if (std::isinf(t)) return t > 0 ? 0.0 : 1.0;
    // x = df / (df + t^2) and its complement t^2 / (df + t^2), each computed directly (as cdflib's
    // cumt does), so that large df keep their accuracy.
    // Through r = df / t^2 (as (df / t) / t, so that t^2 never overflows).
    const double r = (df / t) / t;
    if (r < 1e-280) {
        // x = r / (1 + r) would lose its bits below the normal range: the leading term of the tail,
        // df^(df/2 - 1) |t|^-df / B(df/2, 1/2), whose relative error is O(r).
        const double tail = std::exp((0.5 * df - 1.0) * std::log(df) - df * std::log(std::fabs(t)) - detail::log_beta(0.5 * df, 0.5));
        return t > 0 ? tail : 1.0 - tail;
    }
    const double tail = 0.5 * regularized_beta(0.5 * df, 0.5, r / (1.0 + r), 1.0 / (1.0 + r));
    return t > 0 ? tail : 1.0 - tail;
}

/// Distribution function of Student's t distribution (scipy.stats.t.cdf).
inline double student_t_cdf(double t, double df) noexcept { return student_t_sf(-t, df); }

/// Density of Student's t distribution (scipy.stats.t.pdf), through log-gamma.
inline double student_t_pdf(double t, double df) noexcept {
    if (!(df > 0.0) || std::isnan(t)) return std::numeric_limits<double>::quiet_NaN();
    // 1 / (sqrt(df) B(df/2, 1/2)): log_beta keeps its accuracy for large df, where a difference of
    // two lgamma values would cancel.
    const double log_norm = -0.5 * std::log(df) - detail::log_beta(0.5 * df, 0.5);
    const double u = t / std::sqrt(df);
    return std::exp(log_norm - 0.5 * (df + 1.0) * std::log1p(u * u));
}

/// Inverse survival function of Student's t (scipy.stats.t.isf): the t with sf(t) = q, for q in
/// (0, 1). Newton's method on log sf (quadratic near the root, safe in the far tail) inside a
/// bracket that bisection keeps valid, from the normal quantile with a Cornish-Fisher correction,
/// until the bracket closes or Newton stands still; to about 1e-14 relative where student_t_sf is
/// that accurate. NaN outside the domain; +-inf at q = 0 or 1 (and past the largest double).
inline double student_t_isf(double q, double df) noexcept {
    if (!(df > 0.0) || !(q >= 0.0 && q <= 1.0)) return std::numeric_limits<double>::quiet_NaN();
    if (q == 0.0) return std::numeric_limits<double>::infinity();
    if (q == 1.0) return -std::numeric_limits<double>::infinity();
    if (q == 0.5) return 0.0;
    if (q > 0.5) return -student_t_isf(1.0 - q, df);
    // Start: z = the normal isf by bisection on erfc (a few dozen steps), then Cornish-Fisher.
    double lo = 0.0, hi = 1.0;
    while (student_t_sf(hi, df) > q) {  // sf is exact at every finite t, so this ends by 2^1024
        lo = hi;
        hi *= 2.0;
        if (std::isinf(hi)) return hi;  // beyond the largest double
    }
    double zl = 0.0, zh = 40.0;
    for (int i = 0; i < 200 && zh - zl > 1e-15 * zh; ++i) {
        const double mid = 0.5 * (zl + zh);
        (normal_sf(mid) > q ? zl : zh) = mid;
    }
    const double z = 0.5 * (zl + zh), z3 = z * z * z;
    double t = z + (z3 + z) / (4.0 * df) + (5.0 * z3 * z * z + 16.0 * z3 + 3.0 * z) / (96.0 * df * df);
    if (!(t > lo && t < hi)) t = 0.5 * (lo + hi);
    const double log_q = std::log(q);
    for (int i = 0; i < 200; ++i) {
        const double sf = student_t_sf(t, df);
        if (sf > q) {
            lo = t;
        } else {
            hi = t;
        }
        // Newton on g(t) = log sf(t) - log q, g' = -pdf / sf.
        if (sf == q || hi - lo <= 4e-16 * hi) break;
        const double step = (std::log(sf) - log_q) * sf / student_t_pdf(t, df);
        double next = t + step;
        if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
        if (next == t) break;
        t = next;
    }
    return t;
}

/// Quantile function of Student's t (scipy.stats.t.ppf): student_t_isf(1 - p) computed without
/// the cancellation of 1 - p (ppf(p) = -isf(p) for p < 1/2).
inline double student_t_ppf(double p, double df) noexcept {
    if (!(p >= 0.0 && p <= 1.0)) return std::numeric_limits<double>::quiet_NaN();
    return p < 0.5 ? -student_t_isf(p, df) : student_t_isf(1.0 - p, df);
}

}  // namespace mldp::stats

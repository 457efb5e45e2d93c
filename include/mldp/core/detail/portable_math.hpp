// mldp — floating-point kernels whose results are the same bits everywhere.
//
// std::log, std::exp and friends come from the platform's libm and differ in the last bit between
// glibc, musl, macOS and MSVC. Seeded results (normal draws, say) must not, so the few transcendental
// functions on those paths are computed here from IEEE-754 basic operations only (+ - * / sqrt are
// correctly rounded everywhere). Floating-point contraction (a*b+c fused into one FMA, which GCC does
// by default with -mfma and clang with -ffp-contract=fast, pragmas notwithstanding) would change the
// rounding, so every product that feeds an addition passes through fp_barrier first.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>

namespace mldp::detail {

/// Returns x unchanged, but forces it to be materialised as a rounded double, so the compiler cannot
/// fuse the product that produced it into a following addition. Costs no instruction on x86-64 and
/// AArch64 (an empty asm with the value in a vector register).
inline double fp_barrier(double x) noexcept {
#if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || (defined(__i386__) && defined(__SSE2_MATH__)))
    __asm__("" : "+x"(x));
#elif (defined(__GNUC__) || defined(__clang__)) && defined(__aarch64__)
    __asm__("" : "+w"(x));
#elif defined(__GNUC__) || defined(__clang__)
    __asm__("" : "+m"(x));
#endif
    // MSVC never contracts unless /fp:fast or /fp:contract is given.
    return x;
}

/// Horner evaluation c[0] x^(n-1) + ... + c[n-1], with every product rounded before it is added.
template <std::size_t N>
inline double horner(const double (&c)[N], double x) noexcept {
    double acc = c[0];
    for (std::size_t i = 1; i < N; ++i) acc = fp_barrier(acc * x) + c[i];
    return acc;
}

/// Natural logarithm of a positive finite x, within 2 ulp of the true value, from basic operations
/// only. Reduction: x = m * 2^e with m in [sqrt(1/2), sqrt(2)); log(m) = 2 atanh(s), s = (m-1)/(m+1),
/// |s| <= 0.1716, summed as an odd series to s^23 (truncation error below 1e-20); e*log(2) is added in
/// two parts (fdlibm's split of log 2, whose high part has 32 trailing zero bits so e*ln2_hi is exact).
/// Returns -inf for 0 and NaN for negative input or NaN.
inline double portable_log(double x) noexcept {
    if (!(x > 0.0)) return x == 0.0 ? -std::numeric_limits<double>::infinity()
                                    : std::numeric_limits<double>::quiet_NaN();
    if (x == std::numeric_limits<double>::infinity()) return x;
    std::uint64_t bits;
    std::memcpy(&bits, &x, sizeof bits);
    int e = static_cast<int>((bits >> 52) & 0x7ff);
    if (e == 0) {  // subnormal: scale into the normal range (exact), remember the scale
        x *= 18014398509481984.0;  // 2^54
        std::memcpy(&bits, &x, sizeof bits);
        e = static_cast<int>((bits >> 52) & 0x7ff) - 54;
    }
    e -= 1023;
    bits = (bits & 0x000FFFFFFFFFFFFFULL) | 0x3FF0000000000000ULL;  // m in [1, 2)
    double m;
    std::memcpy(&m, &bits, sizeof m);
    if (m > 1.4142135623730951) {
        m *= 0.5;  // exact
        ++e;
    }
    const double f = m - 1.0;  // exact (Sterbenz)
    const double s = f / (2.0 + f);
    const double s2 = s * s;
    // 2 atanh(s) = 2s (1 + s^2/3 + s^4/5 + ... + s^22/23) = 2s + 2s * s^2 * p(s^2).
    static constexpr double odd_reciprocals[] = {1.0 / 23.0, 1.0 / 21.0, 1.0 / 19.0, 1.0 / 17.0, 1.0 / 15.0, 1.0 / 13.0,
                                                 1.0 / 11.0, 1.0 / 9.0,  1.0 / 7.0,  1.0 / 5.0,  1.0 / 3.0};
    const double p = horner(odd_reciprocals, s2);
    const double two_s = 2.0 * s;  // exact
    const double log_m = two_s + fp_barrier(two_s * fp_barrier(s2 * p));
    constexpr double ln2_hi = 6.93147180369123816490e-01;  // 0x1.62e42feep-1
    constexpr double ln2_lo = 1.90821492927058770002e-10;  // 0x1.a39ef35793c76p-33
    const double de = static_cast<double>(e);
    return fp_barrier(de * ln2_hi) + (log_m + fp_barrier(de * ln2_lo));
}

/// Quantile function of the standard normal distribution (inverse of Phi) for p in (0, 1): Wichura's
/// algorithm AS 241 (PPND16, Applied Statistics 37, 1988), relative accuracy about 1e-16, with the
/// logarithm taken from portable_log so that the result is the same bits on every platform.
/// Returns -inf / +inf at 0 / 1 and NaN outside [0, 1].
inline double normal_quantile(double p) noexcept {
    if (!(p >= 0.0 && p <= 1.0)) return std::numeric_limits<double>::quiet_NaN();
    if (p == 0.0) return -std::numeric_limits<double>::infinity();
    if (p == 1.0) return std::numeric_limits<double>::infinity();
    // Coefficients of AS 241 (PPND16), highest degree first.
    static constexpr double a[] = {2.5090809287301226727e+3, 3.3430575583588128105e+4, 6.7265770927008700853e+4,
                                   4.5921953931549871457e+4, 1.3731693765509461125e+4, 1.9715909503065514427e+3,
                                   1.3314166789178437745e+2, 3.3871328727963666080e+0};
    static constexpr double b[] = {5.2264952788528545610e+3, 2.8729085735721942674e+4, 3.9307895800092710610e+4,
                                   2.1213794301586595867e+4, 5.3941960214247511077e+3, 6.8718700749205790830e+2,
                                   4.2313330701600911252e+1, 1.0};
    static constexpr double c[] = {7.74545014278341407640e-4, 2.27238449892691845833e-2, 2.41780725177450611770e-1,
                                   1.27045825245236838258e+0, 3.64784832476320460504e+0, 5.76949722146069140550e+0,
                                   4.63033784615654529590e+0, 1.42343711074968357734e+0};
    static constexpr double d[] = {1.05075007164441684324e-9, 5.47593808499534494600e-4, 1.51986665636164571966e-2,
                                   1.48103976427480074590e-1, 6.89767334985100004550e-1, 1.67638483018380384940e+0,
                                   2.05319162663775882187e+0, 1.0};
    static constexpr double e[] = {2.01033439929228813265e-7, 2.71155556874348757815e-5, 1.24266094738807843860e-3,
                                   2.65321895265761230930e-2, 2.96560571828504891230e-1, 1.78482653991729133580e+0,
                                   5.46378491116411436990e+0, 6.65790464350110377720e+0};
    static constexpr double f[] = {2.04426310338993978564e-15, 1.42151175831644588870e-7, 1.84631831751005468180e-5,
                                   7.86869131145613259100e-4,  1.48753612908506148525e-2, 1.36929880922735805310e-1,
                                   5.99832206555887937690e-1,  1.0};
    const double q = p - 0.5;
    if (q >= -0.425 && q <= 0.425) {
        const double r = 0.180625 - fp_barrier(q * q);
        return q * horner(a, r) / horner(b, r);
    }
    double r = q < 0.0 ? p : 1.0 - p;
    r = std::sqrt(-portable_log(r));  // sqrt is correctly rounded (IEEE 754)
    double val;
    if (r <= 5.0) {
        r -= 1.6;
        val = horner(c, r) / horner(d, r);
    } else {
        r -= 5.0;
        val = horner(e, r) / horner(f, r);
    }
    return q < 0.0 ? -val : val;
}

}  // namespace mldp::detail

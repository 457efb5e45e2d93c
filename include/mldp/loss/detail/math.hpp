// mldp — branch-free exp and log1p for the loss kernels. Written with plain arithmetic, selects and
// integer adds on the bit patterns (no calls, no int<->double conversions), so that a compiler can
// vectorise a loop that uses them with nothing beyond SSE2; libm's exp and log1p are calls that
// stop vectorisation. Both are within 2 ulp of a correctly rounded result on their domains (checked
// against std::exp and std::log1p in tests/loss/terms_test.cpp).
#pragma once

#include <cstdint>
#include <cstring>

// GCC, under its default -ftrapping-math, refuses to if-convert the selects below and leaves the
// loops that use them scalar; clang vectorises them as they are. Trapping math only concerns
// floating-point exception flags, never values, so the kernels (and only they: push/pop) are
// compiled without it. Contraction into FMA is switched off there too (clang: the pragma in the
// kernel bodies), so that every instruction-set variant of a kernel (see MLDP_LOSS_DISPATCH in
// terms.hpp) rounds exactly alike and gives the same bits.
#if defined(__GNUC__) && !defined(__clang__)
#define MLDP_LOSS_KERNELS_BEGIN \
    _Pragma("GCC push_options") _Pragma("GCC optimize(\"no-trapping-math\", \"fp-contract=off\")")
#define MLDP_LOSS_KERNELS_END _Pragma("GCC pop_options")
#else
#define MLDP_LOSS_KERNELS_BEGIN
#define MLDP_LOSS_KERNELS_END
#endif

// Clang takes contraction per function body: every kernel function starts with this.
#if defined(__clang__)
#define MLDP_LOSS_NO_CONTRACT _Pragma("clang fp contract(off)")
#else
#define MLDP_LOSS_NO_CONTRACT
#endif

#if defined(__GNUC__)
#define MLDP_LOSS_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define MLDP_LOSS_ALWAYS_INLINE inline
#endif

MLDP_LOSS_KERNELS_BEGIN
namespace mldp::loss::detail {

MLDP_LOSS_ALWAYS_INLINE std::uint64_t bits_of(double x) noexcept {
    std::uint64_t u;
    std::memcpy(&u, &x, sizeof u);
    return u;
}

MLDP_LOSS_ALWAYS_INLINE double double_of(std::uint64_t u) noexcept {
    double x;
    std::memcpy(&x, &u, sizeof x);
    return x;
}

// 1.5 * 2^52: adding it to |v| < 2^51 rounds v to an integer held in the low mantissa bits.
constexpr double round_shifter = 6755399441055744.0;

// 2^k for an integral double k in [-1022, 1023], from its exponent bits.
MLDP_LOSS_ALWAYS_INLINE double pow2_of_integral(double k) noexcept {
    MLDP_LOSS_NO_CONTRACT
    const std::uint64_t i = bits_of(k + round_shifter) - bits_of(round_shifter);
    return double_of((i + 1023) << 52);
}

/// exp(x) for x <= 0 (the kernels only need exp(-|z|)); 0 below -746 and for -inf, NaN stays NaN.
/// Cody-Waite reduction x = k ln2 + r with |r| <= ln2 / 2, then the degree-13 Taylor polynomial
/// (truncation error below 1e-17 relative) by Estrin's scheme: no division and a short dependency
/// chain. 2^k is applied as two factors so that results in the subnormal range round correctly.
MLDP_LOSS_ALWAYS_INLINE double exp_nonpositive(double x) noexcept {
    MLDP_LOSS_NO_CONTRACT
    constexpr double log2e = 1.4426950408889634;
    constexpr double ln2_hi = 6.93147180369123816490e-01;  // fdlibm's split: k * ln2_hi is exact
    constexpr double ln2_lo = 1.90821492927058770002e-10;
    // Selects only between constants or values computed anyway: GCC (with its default
    // -ftrapping-math) will not if-convert a select whose arm holds arithmetic of its own, and a
    // branch in the loop stops vectorisation.
    const double xc = x < -746.0 ? -746.0 : x;
    const double k = (xc * log2e + round_shifter) - round_shifter;
    const double r = (xc - k * ln2_hi) - k * ln2_lo;
    const double r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
    const double a0 = 1.0 + r, a1 = 0.5 + r * (1.0 / 6.0), a2 = 1.0 / 24.0 + r * (1.0 / 120.0),
                 a3 = 1.0 / 720.0 + r * (1.0 / 5040.0), a4 = 1.0 / 40320.0 + r * (1.0 / 362880.0),
                 a5 = 1.0 / 3628800.0 + r * (1.0 / 39916800.0), a6 = 1.0 / 479001600.0 + r * (1.0 / 6227020800.0);
    const double b0 = a0 + r2 * a1, b1 = a2 + r2 * a3, b2 = a4 + r2 * a5;
    const double p = (b0 + r4 * b1) + r8 * (b2 + r4 * a6);
    const double k1 = (k * 0.5 + round_shifter) - round_shifter;
    const double zero_below = x < -746.0 ? 0.0 : 1.0;  // maps -inf to 0; NaN fails the test and stays NaN
    return p * pow2_of_integral(k1) * pow2_of_integral(k - k1) * zero_below;
}

/// log1p(u) for u in [0, 1] given t = 1 + u as rounded, and 1 / t (returned through `inv`), from a
/// single division. fdlibm's e_log.c kernel (Sun Microsystems, 1993): t = 2^k m with m in
/// [sqrt(1/2), sqrt(2)), f = m - 1, s = f / (2 + f) and its minimax polynomial in s^2; then the
/// log1p correction (u - (t - 1)) / t for the rounding of t (s_log1p.c). 1/t and s share the
/// division 1 / (t (2 + f)).
MLDP_LOSS_ALWAYS_INLINE double log1p_unit(double u, double t, double& inv) noexcept {
    MLDP_LOSS_NO_CONTRACT
    constexpr double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
    constexpr double lg1 = 6.666666666666735130e-01, lg2 = 3.999999999940941908e-01, lg3 = 2.857142874366239149e-01,
                     lg4 = 2.222219843214978396e-01, lg5 = 1.818357216161805012e-01, lg6 = 1.531383769920937332e-01,
                     lg7 = 1.479819860511658591e-01;
    const bool high = t > 1.4142135623730951;
    const double m = t * (high ? 0.5 : 1.0);
    const double k = high ? 1.0 : 0.0;
    const double f = m - 1.0;
    const double d = 2.0 + f;
    const double q = 1.0 / (t * d);
    inv = d * q;
    const double s = (f * t) * q;
    const double z = s * s, w = z * z;
    const double r = z * (lg1 + w * (lg3 + w * (lg5 + w * lg7))) + w * (lg2 + w * (lg4 + w * lg6));
    const double hfsq = 0.5 * f * f;
    const double c = (u - (t - 1.0)) * inv;
    return k * ln2_hi - ((hfsq - (s * (hfsq + r) + (k * ln2_lo + c))) - f);
}

}  // namespace mldp::loss::detail
MLDP_LOSS_KERNELS_END

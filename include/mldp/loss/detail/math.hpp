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
// compiled without it.
#if defined(__GNUC__) && !defined(__clang__)
#define MLDP_LOSS_KERNELS_BEGIN _Pragma("GCC push_options") _Pragma("GCC optimize(\"no-trapping-math\")")
#define MLDP_LOSS_KERNELS_END _Pragma("GCC pop_options")
#else
#define MLDP_LOSS_KERNELS_BEGIN
#define MLDP_LOSS_KERNELS_END
#endif

MLDP_LOSS_KERNELS_BEGIN
namespace mldp::loss::detail {

inline std::uint64_t bits_of(double x) noexcept {
    std::uint64_t u;
    std::memcpy(&u, &x, sizeof u);
    return u;
}

inline double double_of(std::uint64_t u) noexcept {
    double x;
    std::memcpy(&x, &u, sizeof x);
    return x;
}

// 1.5 * 2^52: adding it to |v| < 2^51 rounds v to an integer held in the low mantissa bits.
constexpr double round_shifter = 6755399441055744.0;

// 2^k for an integral double k in [-1022, 1023], from its exponent bits.
inline double pow2_of_integral(double k) noexcept {
    const std::uint64_t i = bits_of(k + round_shifter) - bits_of(round_shifter);
    return double_of((i + 1023) << 52);
}

/// exp(x) for x <= 0 (the kernels only need exp(-|z|)); 0 below -746 and for -inf, NaN stays NaN.
/// Cody-Waite reduction x = k ln2 + r with |r| <= ln2 / 2 and a degree-13 Taylor polynomial (its
/// truncation error is below 1e-17 relative). 2^k is applied as two factors so that results in the
/// subnormal range round correctly.
inline double exp_nonpositive(double x) noexcept {
    constexpr double log2e = 1.4426950408889634;
    constexpr double ln2_hi = 0.6931471803691238;   // 31 leading bits of ln 2: k * ln2_hi is exact
    constexpr double ln2_lo = 1.9082149292705877e-10;
    const double xc = x < -746.0 ? -746.0 : x;
    const double k = (xc * log2e + round_shifter) - round_shifter;
    const double r = (xc - k * ln2_hi) - k * ln2_lo;
    double p = 1.0 / 6227020800.0;  // 1/13!
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    const double k1 = (k * 0.5 + round_shifter) - round_shifter;
    // Selects only between constants or values computed anyway: GCC (with its default
    // -ftrapping-math) will not if-convert a select whose arm holds arithmetic of its own, and a
    // branch in the loop stops vectorisation.
    const double zero_below = x < -746.0 ? 0.0 : 1.0;  // maps -inf to 0; NaN fails the test and stays NaN
    return p * pow2_of_integral(k1) * pow2_of_integral(k - k1) * zero_below;
}

/// log(t) and log1p(u) together for u in [0, 1] and t = 1 + u as rounded: log1p(u) = log(t) - c / t
/// with c = (t - 1) - u the rounding error of t (t - 1 is exact here). log(t) reduces t to m in
/// [sqrt(1/2), sqrt(2)) and sums 2 atanh((m - 1)/(m + 1)) to the s^23 term (|s| <= 0.1716, error
/// below 1e-18).
inline double log1p_unit(double u, double t) noexcept {
    constexpr double ln2_hi = 0.6931471803691238;
    constexpr double ln2_lo = 1.9082149292705877e-10;
    const bool high = t > 1.4142135623730951;
    const double m = t * (high ? 0.5 : 1.0);
    const double kln2_hi = high ? ln2_hi : 0.0, kln2_lo = high ? ln2_lo : 0.0;
    const double s = (m - 1.0) / (m + 1.0);
    const double s2 = s * s;
    double p = 1.0 / 23.0;
    p = p * s2 + 1.0 / 21.0;
    p = p * s2 + 1.0 / 19.0;
    p = p * s2 + 1.0 / 17.0;
    p = p * s2 + 1.0 / 15.0;
    p = p * s2 + 1.0 / 13.0;
    p = p * s2 + 1.0 / 11.0;
    p = p * s2 + 1.0 / 9.0;
    p = p * s2 + 1.0 / 7.0;
    p = p * s2 + 1.0 / 5.0;
    p = p * s2 + 1.0 / 3.0;
    const double log_m = 2.0 * s + 2.0 * s * s2 * p;
    const double c = (t - 1.0) - u;
    return kln2_hi + (log_m + (kln2_lo - c / t));
}

}  // namespace mldp::loss::detail
MLDP_LOSS_KERNELS_END

// mldp — private: the fused binary cross-entropy-with-logits kernel and the block weight expansion.
//
// Per element, with a = min(|z|, 746):
//   e = exp(-a)                      2^(-n/16) from a 16-entry table (hi + lo) and the scale 2^-ceil(n/16),
//                                    n = round(16 a / ln2); exp(r) - 1 on |r| <= ln2/32 by a degree-6
//                                    polynomial (Chebyshev fit, mpmath; error below 3e-17)
//   log1p(e)                         log1p(c_j) (hi + lo) + log1p(u), u = (e - c_j) / (1 + c_j), c_j ~ j/15
//                                    the table point nearest e (e - c_j is exact), |u| <= 1/30, by a
//                                    degree-10 polynomial (Chebyshev fit, error below 2e-17)
//   l = w ((max(z, 0) - z y) + log1p(e)),   g = w ((z >= 0 ? 1 : e) / (1 + e) - y)
//                                    (w: the element's weight, the reduction's scale folded in)
// exp and log1p are within 1 ulp of libm (tests/loss/terms_test.cpp); 1 / (1 + e) is one division.
// The block's losses are summed in 8 lanes (lane k mod 8, lanes combined pairwise), so the result does
// not depend on the vector width. There is no branch on the data, and no libm call but std::fma.
//
// The element arithmetic is written once (MLDP_BCE_LANE) on multiply-adds a b + c and expanded for
// two arithmetic classes:
//   FMA       a b + c rounded once: AVX2 + FMA and AVX-512F (picked at run time: every x86-64-v3 or
//             later CPU), and the scalar kernel (std::fma), used on targets with a hardware FMA
//             (__FP_FAST_FMA: AArch64, POWER, ...);
//   separate  the product rounded, then the sum: SSE2, for x86 CPUs without AVX2 + FMA, and a scalar
//             kernel for other targets without a hardware FMA; about 1.4x the operations.
// Each helper of the lane "ops" structs is exactly the scalar operation it stands for (multiply-add,
// min, max, select, table lookup, scaling by a power of two) and no compiler may contract anything
// else, so every variant gives the bits of its class's scalar kernel (the tests compare them on every
// CPU they run on). Between the classes, per element, the gradients agree within a few ulp of w and
// the losses within an ulp or two of w max(|z|, 1) (z y is rounded on its own in the separate class).
// A target in [0, 1] is checked in the same pass; the kernel returns NaN for a block holding one
// outside, and non-finite logits make the loss itself NaN or Inf: the caller then finds and reports
// the offending element.
#pragma once

#include <cfloat>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "mldp/core/detail/cpu_dispatch.hpp"
#include "mldp/loss/detail/math.hpp"

// The kernels round to integers by adding 1.5 * 2^52 (or 2^48) in double: that needs double
// expressions evaluated in double, not in x87's extended precision.
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD != 0 && FLT_EVAL_METHOD != -1
#error "mldp's loss kernels need double arithmetic evaluated in double (FLT_EVAL_METHOD 0): on 32-bit x86 compile with -msse2 -mfpmath=sse"
#endif

#if MLDP_X86_DISPATCH
#include <immintrin.h>
#endif

MLDP_LOSS_KERNELS_BEGIN
namespace mldp::loss::detail {

namespace bce_table {
// 2^(j/16), j = 0..15, as hi + lo (mpmath, 200 bits).
alignas(64) inline constexpr double exp_hi[16] = {
    0x1.0000000000000p+0, 0x1.0b5586cf9890fp+0, 0x1.172b83c7d517bp+0, 0x1.2387a6e756238p+0,
    0x1.306fe0a31b715p+0, 0x1.3dea64c123422p+0, 0x1.4bfdad5362a27p+0, 0x1.5ab07dd485429p+0,
    0x1.6a09e667f3bcdp+0, 0x1.7a11473eb0187p+0, 0x1.8ace5422aa0dbp+0, 0x1.9c49182a3f090p+0,
    0x1.ae89f995ad3adp+0, 0x1.c199bdd85529cp+0, 0x1.d5818dcfba487p+0, 0x1.ea4afa2a490dap+0};
alignas(64) inline constexpr double exp_lo[16] = {
    0x0.0p+0,              0x1.8a62e4adc610bp-54,  -0x1.19041b9d78a76p-55, 0x1.9b07eb6c70573p-54,
    0x1.6f46ad23182e4p-55, 0x1.ada0911f09ebcp-55,  0x1.d4397afec42e2p-56,  0x1.6324c054647adp-54,
    -0x1.bdd3413b26456p-54, -0x1.41577ee04992fp-55, 0x1.6e9f156864b27p-54, 0x1.c7c46b071f2bep-56,
    0x1.7a1cd345dcc81p-54, 0x1.11065895048ddp-55,  0x1.2ed02d75b3707p-55,  -0x1.e9c23179c2893p-54};
// c_j = j/15 rounded to a multiple of 2^-24, 1 / (1 + c_j) rounded, log1p(c_j) as hi + lo.
alignas(64) inline constexpr double log_c[16] = {
    0x0.0p+0,             0x1.1111100000000p-4, 0x1.1111100000000p-3, 0x1.9999980000000p-3,
    0x1.1111100000000p-2, 0x1.5555540000000p-2, 0x1.9999980000000p-2, 0x1.dddddc0000000p-2,
    0x1.1111120000000p-1, 0x1.3333340000000p-1, 0x1.5555560000000p-1, 0x1.7777780000000p-1,
    0x1.99999a0000000p-1, 0x1.bbbbbc0000000p-1, 0x1.ddddde0000000p-1, 0x1.0000000000000p+0};
alignas(64) inline constexpr double log_r[16] = {
    0x1.0000000000000p+0, 0x1.e000001e00000p-1, 0x1.c3c3c3f8e9dadp-1, 0x1.aaaaaaf1c71c8p-1,
    0x1.9435e56292156p-1, 0x1.8000006000002p-1, 0x1.6db6dbd6343edp-1, 0x1.5d1746408767dp-1,
    0x1.4de9bcd206c69p-1, 0x1.3fffffb000001p-1, 0x1.333332f5c28f7p-1, 0x1.276275f9f0da3p-1,
    0x1.1c71c6fcd6e9ep-1, 0x1.1249247eb1a1fp-1, 0x1.08d3dca76b740p-1, 0x1.0000000000000p-1};
alignas(64) inline constexpr double log_hi[16] = {
    0x0.0p+0,             0x1.08598a59e3a06p-4, 0x1.005587bc4669dp-3, 0x1.7564ffc8f411fp-3,
    0x1.e41fcb0842a18p-3, 0x1.269620134db90p-2, 0x1.588c2c6ca0ffbp-2, 0x1.882f1db26d5fbp-2,
    0x1.b5b3e379dcdd3p-2, 0x1.e148a2a2726ccp-2, 0x1.058af00e77ab7p-1, 0x1.199facb77997cp-1,
    0x1.2cf25fe672aa7p-1, 0x1.3f912776d2ca3p-1, 0x1.5188a4b1d5395p-1, 0x1.62e42fefa39efp-1};
alignas(64) inline constexpr double log_lo[16] = {
    0x0.0p+0,              0x1.147fb2d3f5bc3p-61,  -0x1.522847eec44ffp-59, 0x1.cd57b7ee857cep-59,
    -0x1.ac49a5385a4cap-57, 0x1.e0efac8485ad1p-56, -0x1.006b81c7dee3bp-56, 0x1.06523305a3191p-58,
    0x1.8fd2e2697e410p-57, -0x1.ac81cb34f8a67p-56, 0x1.a6db2007192a5p-55,  -0x1.27835da20a39cp-55,
    -0x1.cab66f90384ffp-57, 0x1.0cfe2bf19b4b3p-55, -0x1.3684293b4eaf2p-60, 0x1.abc9e3b39803fp-56};

constexpr double shifter = 6755399441055744.0;  // 1.5 * 2^52: x + shifter rounds x to an integer, held in the low bits
constexpr double shifter16 = 422212465065984.0;                  // 1.5 * 2^48: rounds x to a multiple of 1/16,
constexpr std::uint64_t shifter16_bits = 0x42F8000000000000ULL;  // 16 x then in the low bits
constexpr double inv_ln2 = 0x1.71547652b82fep+0;
constexpr double ln2_hi = 0x1.62e42fefa0000p-1;  // ln2 in 37 bits: (n/16) ln2_hi is exact for n < 2^16
constexpr double ln2_lo = 0x1.cf79abc9e3b3ap-40;
}  // namespace bce_table

// The element arithmetic, written once for every lane type. L: the ops struct; V: its vector (or
// double) type. Each macro assigns its outputs, which the caller declares. Every multiply-add is
// L::fma / fms / fnma (one rounding or two, by class); every other product is L::mul, which no
// compiler may fuse with an addition (see MLDP_BCE_OPAQUE).
// clang-format off
// e_out = exp(-min(a, 746)) for a >= 0. kx holds n/16, n = round(16 a / ln2), in its low bits;
// nn = -n/16 exactly. The polynomials are evaluated in even and odd halves (fewer products than
// Estrin's scheme, shorter chains than Horner's).
#define MLDP_BCE_EXP_NEG(L, V, a_in, e_out)                                                                     \
    {                                                                                                           \
        namespace tb_ = ::mldp::loss::detail::bce_table;                                                        \
        const V a_ = L::least(a_in, L::splat(746.0));                                                           \
        const V kx_ = L::fma(a_, L::splat(tb_::inv_ln2), L::splat(tb_::shifter16));                             \
        const V nn_ = L::splat(tb_::shifter16) - kx_;                                                           \
        const V r_ = L::fma(nn_, L::splat(-tb_::ln2_lo), L::fms(nn_, L::splat(-tb_::ln2_hi), a_));              \
        const V r2_ = L::mul(r_, r_);                                                                           \
        const V ev_ = L::fma(r2_, L::fma(r2_, L::splat(0x1.6c17bb5ebddb4p-10), L::splat(0x1.555555551946fp-5)), L::splat(0.5)); \
        const V od_ = L::fma(r2_, L::splat(0x1.11120b03cd855p-7), L::splat(0x1.55555554dd388p-3));             \
        const V q_ = L::fma(r2_, L::fma(r_, od_, ev_), r_);                                                     \
        const V th_ = L::lookup_neg(tb_::exp_hi, kx_);                                                          \
        e_out = L::scale_down(th_ + L::fma(th_, q_, L::lookup_neg(tb_::exp_lo, kx_)), kx_, nn_);                \
    }
// sp_out = log1p(e), inv_out = 1 / (1 + e) for e in [0, 1].
#define MLDP_BCE_LOG1P(L, V, e_in, sp_out, inv_out)                                                             \
    {                                                                                                           \
        namespace tb_ = ::mldp::loss::detail::bce_table;                                                        \
        const V jx_ = L::fma(e_in, L::splat(15.0), L::splat(tb_::shifter));                                     \
        const V u_ = L::mul((e_in) - L::lookup(tb_::log_c, jx_), L::lookup(tb_::log_r, jx_));                   \
        inv_out = L::splat(1.0) / (L::splat(1.0) + (e_in));                                                     \
        const V u2_ = L::mul(u_, u_);                                                                           \
        const V ev_ = L::fma(u2_, L::fma(u2_, L::fma(u2_, L::fma(u2_, L::splat(-0x1.96ead3ea13889p-4),          \
                                                                 L::splat(-0x1.0000bade0785fp-3)),              \
                                                         L::splat(-0x1.5555553949a12p-3)),                      \
                                                 L::splat(-0x1.0000000000a43p-2)),                              \
                             L::splat(-0x1.0000000000000p-1));                                                  \
        const V od_ = L::fma(u2_, L::fma(u2_, L::fma(u2_, L::splat(0x1.c7f8b25b1ea35p-4), L::splat(0x1.2492335c80d6fp-3)), \
                                         L::splat(0x1.9999999b33ac5p-3)),                                       \
                             L::splat(0x1.5555555555514p-2));                                                   \
        const V pp_ = L::fma(u_, od_, ev_);                                                                     \
        sp_out = L::lookup(tb_::log_hi, jx_) + (u_ + L::fma(u2_, pp_, L::lookup(tb_::log_lo, jx_)));            \
    }
// l_out = w ((max(z, 0) - z y) + log1p(e)), g_out = w ((z >= 0 ? 1 : e) / (1 + e) - y).
#define MLDP_BCE_FINISH(L, z, y, w, e, sp, inv, l_out, g_out)                                                   \
    l_out = L::mul(w, L::fnma(z, y, L::greatest(z, L::splat(0.0))) + (sp));                                     \
    g_out = L::mul(w, L::fms(L::ge0_select(z, L::splat(1.0), e), inv, y));
#define MLDP_BCE_LANE(L, V, z, y, w, l_out, g_out)                                                              \
    {                                                                                                           \
        V e_, sp_, inv_;                                                                                        \
        MLDP_BCE_EXP_NEG(L, V, L::abs(z), e_)                                                                   \
        MLDP_BCE_LOG1P(L, V, e_, sp_, inv_)                                                                     \
        MLDP_BCE_FINISH(L, z, y, w, e_, sp_, inv_, l_out, g_out)                                                \
    }
// clang-format on

// clang's -ffp-contract=fast fuses a product into a later addition whatever the kernels' pragmas say
// (GCC honours them). There, each product passes through an empty asm statement, which no fusion
// looks through; it emits no instruction.
#if defined(__clang__) && defined(__x86_64__)
#define MLDP_BCE_OPAQUE(x, constraint) __asm__("" : "+" constraint(x))
#elif defined(__clang__) && defined(__aarch64__)
#define MLDP_BCE_OPAQUE(x, constraint) __asm__("" : "+w"(x))  // only the scalar ops run there
#elif defined(__clang__)
#define MLDP_BCE_OPAQUE(x, constraint) __asm__("" : "+m"(x))
#else
#define MLDP_BCE_OPAQUE(x, constraint) (void)(x)
#endif

// The scalar ops, FMA class: each the plain operation the vector ops reproduce; fma, fms and fnma
// round once (std::fma: the FMA instruction, or libm's exact and slow software fallback).
struct bce_scalar_ops {
    static double splat(double c) noexcept { return c; }
    static double mul(double a, double b) noexcept {
        double p = a * b;
        MLDP_BCE_OPAQUE(p, "x");
        return p;
    }
    static double fma(double a, double b, double c) noexcept { return std::fma(a, b, c); }     // a b + c
    static double fms(double a, double b, double c) noexcept { return std::fma(a, b, -c); }    // a b - c
    static double fnma(double a, double b, double c) noexcept { return std::fma(-a, b, c); }   // c - a b
    static double abs(double x) noexcept { return std::fabs(x); }
    static double least(double x, double c) noexcept { return x < c ? x : c; }
    static double greatest(double x, double c) noexcept { return x > c ? x : c; }
    static double ge0_select(double z, double a, double b) noexcept { return z >= 0.0 ? a : b; }
    static double lookup(const double* t, double key) noexcept { return t[bits_of(key) & 15u]; }
    static double lookup_neg(const double* t, double key) noexcept { return t[(0u - bits_of(key)) & 15u]; }
    // v 2^-ceil(n/16) for n = nd, |v| < 4: two exact factors, so that a subnormal result is rounded once.
    static double scale_down(double v, double kx, double) noexcept {
        const std::uint64_t m = (bits_of(kx) - bce_table::shifter16_bits + 15u) >> 4, m1 = m >> 1;
        return mul(mul(v, double_of((1023u - m1) << 52)), double_of((1023u - (m - m1)) << 52));
    }
};

// The scalar ops, separate class: the product rounded, then the sum (the SSE2 kernel's arithmetic).
struct bce_scalar_separate_ops : bce_scalar_ops {
    static double fma(double a, double b, double c) noexcept { return mul(a, b) + c; }
    static double fms(double a, double b, double c) noexcept { return mul(a, b) - c; }
    static double fnma(double a, double b, double c) noexcept { return c - mul(a, b); }
};

inline bool bce_target_ok(double y) noexcept { return y >= 0.0 && y <= 1.0; }

// Sums the 8 lanes in the one fixed order every kernel uses.
inline double bce_lane_sum(const double* a) noexcept { return ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7])); }

/// A kernel: writes g[0, len) and returns the block's loss sum sum_k l_k (or NaN when a target is
/// outside [0, 1]). z, y, w, g hold len elements; w holds the weights with the reduction's scale in
/// them, so that g is the gradient of the scaled loss and the sum its share of the value.
using bce_kernel_fn = double (*)(const double* z, const double* y, const double* w, double* g, std::size_t len);

template <class L>
double bce_kernel_scalar_on(const double* z, const double* y, const double* w, double* g, std::size_t len) noexcept {
    MLDP_LOSS_NO_CONTRACT
    double lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    bool ok = true;
    for (std::size_t k = 0; k < len; ++k) {
        double l, gk;
        MLDP_BCE_LANE(L, double, z[k], y[k], w[k], l, gk)
        g[k] = gk;
        lanes[k & 7u] += l;
        ok &= bce_target_ok(y[k]);
    }
    return ok ? bce_lane_sum(lanes) : std::numeric_limits<double>::quiet_NaN();
}

/// The scalar kernels of the two classes (each the reference of its class's vector variants).
inline double bce_kernel_scalar(const double* z, const double* y, const double* w, double* g, std::size_t len) noexcept {
    return bce_kernel_scalar_on<bce_scalar_ops>(z, y, w, g, len);
}
inline double bce_kernel_scalar_separate(const double* z, const double* y, const double* w, double* g, std::size_t len) noexcept {
    return bce_kernel_scalar_on<bce_scalar_separate_ops>(z, y, w, g, len);
}

#if MLDP_X86_DISPATCH
#if defined(__x86_64__)
// SSE2, x86-64's baseline and the separate class: two lanes; the table lookups are two loads.
#define MLDP_BCE_OPS_SSE2 __attribute__((target("sse2"), always_inline)) static inline
struct bce_sse2_ops {
    MLDP_BCE_OPS_SSE2 __m128d splat(double c) noexcept { return _mm_set1_pd(c); }
    MLDP_BCE_OPS_SSE2 __m128d mul(__m128d a, __m128d b) noexcept {
        __m128d p = _mm_mul_pd(a, b);
        MLDP_BCE_OPAQUE(p, "x");
        return p;
    }
    MLDP_BCE_OPS_SSE2 __m128d fma(__m128d a, __m128d b, __m128d c) noexcept { return _mm_add_pd(mul(a, b), c); }
    MLDP_BCE_OPS_SSE2 __m128d fms(__m128d a, __m128d b, __m128d c) noexcept { return _mm_sub_pd(mul(a, b), c); }
    MLDP_BCE_OPS_SSE2 __m128d fnma(__m128d a, __m128d b, __m128d c) noexcept { return _mm_sub_pd(c, mul(a, b)); }
    MLDP_BCE_OPS_SSE2 __m128d abs(__m128d x) noexcept { return _mm_andnot_pd(_mm_set1_pd(-0.0), x); }
    MLDP_BCE_OPS_SSE2 __m128d least(__m128d x, __m128d c) noexcept { return _mm_min_pd(x, c); }  // x < c ? x : c
    MLDP_BCE_OPS_SSE2 __m128d greatest(__m128d x, __m128d c) noexcept { return _mm_max_pd(x, c); }  // x > c ? x : c
    MLDP_BCE_OPS_SSE2 __m128d ge0_select(__m128d z, __m128d a, __m128d b) noexcept {
        const __m128d m = _mm_cmpge_pd(z, _mm_setzero_pd());
        return _mm_or_pd(_mm_and_pd(m, a), _mm_andnot_pd(m, b));
    }
    MLDP_BCE_OPS_SSE2 __m128d lookup_bits(const double* t, __m128i key) noexcept {
        const auto i0 = static_cast<std::size_t>(_mm_cvtsi128_si64(key)) & 15u;
        const auto i1 = static_cast<std::size_t>(_mm_cvtsi128_si64(_mm_unpackhi_epi64(key, key))) & 15u;
        return _mm_set_pd(t[i1], t[i0]);
    }
    MLDP_BCE_OPS_SSE2 __m128d lookup(const double* t, __m128d key) noexcept { return lookup_bits(t, _mm_castpd_si128(key)); }
    MLDP_BCE_OPS_SSE2 __m128d lookup_neg(const double* t, __m128d key) noexcept {
        return lookup_bits(t, _mm_sub_epi64(_mm_setzero_si128(), _mm_castpd_si128(key)));
    }
    MLDP_BCE_OPS_SSE2 __m128d scale_down(__m128d v, __m128d kx, __m128d) noexcept {
        const __m128i m = _mm_srli_epi64(
            _mm_add_epi64(_mm_castpd_si128(kx), _mm_set1_epi64x(static_cast<long long>(15u - bce_table::shifter16_bits))), 4);
        const __m128i m1 = _mm_srli_epi64(m, 1), m2 = _mm_sub_epi64(m, m1);
        const __m128i bias = _mm_set1_epi64x(1023);
        const __m128d f1 = _mm_castsi128_pd(_mm_slli_epi64(_mm_sub_epi64(bias, m1), 52));
        const __m128d f2 = _mm_castsi128_pd(_mm_slli_epi64(_mm_sub_epi64(bias, m2), 52));
        return mul(mul(v, f1), f2);
    }
};
#undef MLDP_BCE_OPS_SSE2

// Eight elements z, y, w -> g, l added to acc (lane k mod 8 in acc[k / 2]).
__attribute__((target("sse2"), always_inline)) inline __m128d bce_sse2_eight(const double* z, const double* y, const double* w,
                                                                           double* g, __m128d* acc) noexcept {
    MLDP_LOSS_NO_CONTRACT
    using L = bce_sse2_ops;
    const __m128d zero = _mm_setzero_pd(), one = _mm_set1_pd(1.0);
    __m128d okv = _mm_castsi128_pd(_mm_set1_epi64x(-1));
    for (std::size_t h = 0; h < 4; ++h) {
        const __m128d zk = _mm_loadu_pd(z + 2 * h), yk = _mm_loadu_pd(y + 2 * h), wk = _mm_loadu_pd(w + 2 * h);
        __m128d l, gk;
        MLDP_BCE_LANE(L, __m128d, zk, yk, wk, l, gk)
        _mm_storeu_pd(g + 2 * h, gk);
        acc[h] = _mm_add_pd(acc[h], l);
        okv = _mm_and_pd(okv, _mm_and_pd(_mm_cmpge_pd(yk, zero), _mm_cmple_pd(yk, one)));
    }
    return okv;
}

__attribute__((target("sse2"))) inline double bce_kernel_sse2(const double* z, const double* y, const double* w, double* g,
                                                             std::size_t len) noexcept {
    __m128d acc[4] = {_mm_setzero_pd(), _mm_setzero_pd(), _mm_setzero_pd(), _mm_setzero_pd()};
    __m128d okv = _mm_castsi128_pd(_mm_set1_epi64x(-1));
    std::size_t k = 0;
    for (; k + 8 <= len; k += 8) okv = _mm_and_pd(okv, bce_sse2_eight(z + k, y + k, w + k, g + k, acc));
    if (k < len) {
        // The tail, padded with z = y = w = 0: each pad adds +0 to its lane (never -0, lanes start at +0).
        double zt[8] = {}, yt[8] = {}, wt[8] = {}, gt[8];
        for (std::size_t i = k; i < len; ++i) {
            zt[i - k] = z[i];
            yt[i - k] = y[i];
            wt[i - k] = w[i];
        }
        okv = _mm_and_pd(okv, bce_sse2_eight(zt, yt, wt, gt, acc));
        for (std::size_t i = k; i < len; ++i) g[i] = gt[i - k];
    }
    alignas(16) double lanes[8];
    for (std::size_t h = 0; h < 4; ++h) _mm_store_pd(lanes + 2 * h, acc[h]);
    return _mm_movemask_pd(okv) == 0x3 ? bce_lane_sum(lanes) : std::numeric_limits<double>::quiet_NaN();
}
#define MLDP_BCE_HAS_SSE2 1
#else
#define MLDP_BCE_HAS_SSE2 0
#endif

#define MLDP_BCE_OPS_AVX2 __attribute__((target("avx2,fma"), always_inline)) static inline
struct bce_avx2_ops {
    MLDP_BCE_OPS_AVX2 __m256d splat(double c) noexcept { return _mm256_set1_pd(c); }
    MLDP_BCE_OPS_AVX2 __m256d mul(__m256d a, __m256d b) noexcept {
        __m256d p = _mm256_mul_pd(a, b);
        MLDP_BCE_OPAQUE(p, "x");
        return p;
    }
    MLDP_BCE_OPS_AVX2 __m256d fma(__m256d a, __m256d b, __m256d c) noexcept { return _mm256_fmadd_pd(a, b, c); }
    MLDP_BCE_OPS_AVX2 __m256d fms(__m256d a, __m256d b, __m256d c) noexcept { return _mm256_fmsub_pd(a, b, c); }
    MLDP_BCE_OPS_AVX2 __m256d fnma(__m256d a, __m256d b, __m256d c) noexcept { return _mm256_fnmadd_pd(a, b, c); }
    MLDP_BCE_OPS_AVX2 __m256d abs(__m256d x) noexcept { return _mm256_andnot_pd(_mm256_set1_pd(-0.0), x); }
    MLDP_BCE_OPS_AVX2 __m256d least(__m256d x, __m256d c) noexcept { return _mm256_min_pd(x, c); }  // x < c ? x : c
    MLDP_BCE_OPS_AVX2 __m256d greatest(__m256d x, __m256d c) noexcept { return _mm256_max_pd(x, c); }  // x > c ? x : c
    MLDP_BCE_OPS_AVX2 __m256d ge0_select(__m256d z, __m256d a, __m256d b) noexcept {
        return _mm256_blendv_pd(b, a, _mm256_cmp_pd(z, _mm256_setzero_pd(), _CMP_GE_OQ));
    }
    MLDP_BCE_OPS_AVX2 __m256d lookup(const double* t, __m256d key) noexcept {
        return _mm256_i64gather_pd(t, _mm256_and_si256(_mm256_castpd_si256(key), _mm256_set1_epi64x(15)), 8);
    }
    MLDP_BCE_OPS_AVX2 __m256d lookup_neg(const double* t, __m256d key) noexcept {
        const __m256i neg = _mm256_sub_epi64(_mm256_setzero_si256(), _mm256_castpd_si256(key));
        return _mm256_i64gather_pd(t, _mm256_and_si256(neg, _mm256_set1_epi64x(15)), 8);
    }
    MLDP_BCE_OPS_AVX2 __m256d scale_down(__m256d v, __m256d kx, __m256d) noexcept {
        const __m256i m = _mm256_srli_epi64(
            _mm256_add_epi64(_mm256_castpd_si256(kx), _mm256_set1_epi64x(static_cast<long long>(15u - bce_table::shifter16_bits))), 4);
        const __m256i m1 = _mm256_srli_epi64(m, 1), m2 = _mm256_sub_epi64(m, m1);
        const __m256i bias = _mm256_set1_epi64x(1023);
        const __m256d f1 = _mm256_castsi256_pd(_mm256_slli_epi64(_mm256_sub_epi64(bias, m1), 52));
        const __m256d f2 = _mm256_castsi256_pd(_mm256_slli_epi64(_mm256_sub_epi64(bias, m2), 52));
        return mul(mul(v, f1), f2);
    }
};
#undef MLDP_BCE_OPS_AVX2

// p[k, k + 4), or the elements of p[k, len) under the mask `part` (zeros after them) when fewer remain.
__attribute__((target("avx2,fma"), always_inline)) inline __m256d bce_avx2_load(const double* p, std::size_t k, std::size_t len,
                                                                              __m256i part) noexcept {
    return len - k >= 4 ? _mm256_loadu_pd(p + k) : _mm256_maskload_pd(p + k, part);
}

__attribute__((target("avx2,fma"))) inline double bce_kernel_avx2(const double* z, const double* y, const double* w, double* g,
                                                                 std::size_t len) noexcept {
    MLDP_LOSS_NO_CONTRACT
    using L = bce_avx2_ops;
    __m256d acc0 = _mm256_setzero_pd(), acc1 = _mm256_setzero_pd();
    __m256d okv = _mm256_castsi256_pd(_mm256_set1_epi64x(-1));
    const __m256d zero = _mm256_setzero_pd(), one = _mm256_set1_pd(1.0);
    // Four elements at a time, software-pipelined as in the AVX-512 kernel (the exp of the next
    // four alongside the rest of these); the lanes alternate between the two accumulators, so that
    // lane k mod 8 sums element k. The last group is masked: absent lanes read z = y = w = 0, add +0
    // to their lane and store nothing.
    const std::size_t rem = len % 4;
    const __m256i part = _mm256_set_epi64x(0, rem > 2 ? -1 : 0, rem > 1 ? -1 : 0, rem > 0 ? -1 : 0);
    if (len == 0) return 0.0;
    __m256d zk = bce_avx2_load(z, 0, len, part), ek;
    MLDP_BCE_EXP_NEG(L, __m256d, L::abs(zk), ek)
    for (std::size_t k = 0; k < len; k += 4) {
        _mm_prefetch(reinterpret_cast<const char*>(z + k + 512), _MM_HINT_T0);
        _mm_prefetch(reinterpret_cast<const char*>(y + k + 512), _MM_HINT_T0);
        _mm_prefetch(reinterpret_cast<const char*>(g + k + 512), _MM_HINT_T0);
        __m256d zn = zero, en = zero;
        if (k + 4 < len) {
            zn = bce_avx2_load(z, k + 4, len, part);
            MLDP_BCE_EXP_NEG(L, __m256d, L::abs(zn), en)
        }
        const __m256d yk = bce_avx2_load(y, k, len, part), wk = bce_avx2_load(w, k, len, part);
        __m256d sp, inv, l, gk;
        MLDP_BCE_LOG1P(L, __m256d, ek, sp, inv)
        MLDP_BCE_FINISH(L, zk, yk, wk, ek, sp, inv, l, gk)
        if (len - k >= 4) {
            _mm256_storeu_pd(g + k, gk);
        } else {
            _mm256_maskstore_pd(g + k, part, gk);
        }
        if (k % 8 == 0) {
            acc0 = _mm256_add_pd(acc0, l);
        } else {
            acc1 = _mm256_add_pd(acc1, l);
        }
        okv = _mm256_and_pd(okv, _mm256_and_pd(_mm256_cmp_pd(yk, zero, _CMP_GE_OQ), _mm256_cmp_pd(yk, one, _CMP_LE_OQ)));
        zk = zn;
        ek = en;
    }
    alignas(32) double lanes[8];
    _mm256_store_pd(lanes, acc0);
    _mm256_store_pd(lanes + 4, acc1);
    return _mm256_movemask_pd(okv) == 0xF ? bce_lane_sum(lanes) : std::numeric_limits<double>::quiet_NaN();
}

// The maskz forms with a full mask: GCC 12 warns on the undefined pass-through of the unmasked ones.
#define MLDP_BCE_OPS_AVX512 __attribute__((target("avx512f"), always_inline)) static inline
struct bce_avx512_ops {
    MLDP_BCE_OPS_AVX512 __m512d splat(double c) noexcept { return _mm512_set1_pd(c); }
    MLDP_BCE_OPS_AVX512 __m512d mul(__m512d a, __m512d b) noexcept {
        __m512d p = _mm512_mul_pd(a, b);
        MLDP_BCE_OPAQUE(p, "v");
        return p;
    }
    MLDP_BCE_OPS_AVX512 __m512d fma(__m512d a, __m512d b, __m512d c) noexcept { return _mm512_fmadd_pd(a, b, c); }
    MLDP_BCE_OPS_AVX512 __m512d fms(__m512d a, __m512d b, __m512d c) noexcept { return _mm512_fmsub_pd(a, b, c); }
    MLDP_BCE_OPS_AVX512 __m512d fnma(__m512d a, __m512d b, __m512d c) noexcept { return _mm512_fnmadd_pd(a, b, c); }
    MLDP_BCE_OPS_AVX512 __m512d abs(__m512d x) noexcept {
        return _mm512_castsi512_pd(_mm512_maskz_andnot_epi64(0xFF, _mm512_castpd_si512(_mm512_set1_pd(-0.0)), _mm512_castpd_si512(x)));
    }
    MLDP_BCE_OPS_AVX512 __m512d least(__m512d x, __m512d c) noexcept { return _mm512_maskz_min_pd(0xFF, x, c); }  // x < c ? x : c
    MLDP_BCE_OPS_AVX512 __m512d greatest(__m512d x, __m512d c) noexcept { return _mm512_maskz_max_pd(0xFF, x, c); }  // x > c ? x : c
    MLDP_BCE_OPS_AVX512 __m512d ge0_select(__m512d z, __m512d a, __m512d b) noexcept {
        return _mm512_mask_blend_pd(_mm512_cmp_pd_mask(z, _mm512_setzero_pd(), _CMP_GE_OQ), b, a);
    }
    // 16-entry tables from two registers: vpermt2pd reads the index's low 4 bits.
    MLDP_BCE_OPS_AVX512 __m512d lookup(const double* t, __m512d key) noexcept {
        return _mm512_permutex2var_pd(_mm512_load_pd(t), _mm512_castpd_si512(key), _mm512_load_pd(t + 8));
    }
    MLDP_BCE_OPS_AVX512 __m512d lookup_neg(const double* t, __m512d key) noexcept {
        const __m512i neg = _mm512_sub_epi64(_mm512_setzero_si512(), _mm512_castpd_si512(key));
        return _mm512_permutex2var_pd(_mm512_load_pd(t), neg, _mm512_load_pd(t + 8));
    }
    // vscalefpd: v 2^floor(-n/16) = v 2^-ceil(n/16), rounded once (as the two exact factors of the scalar op).
    MLDP_BCE_OPS_AVX512 __m512d scale_down(__m512d v, __m512d, __m512d nn) noexcept {
        return _mm512_maskz_scalef_pd(0xFF, v, nn);
    }
};
#undef MLDP_BCE_OPS_AVX512

// The weights of the AVX-512 kernel, group by group (k = 0, 8, 16, ... in turn): read from an array,
// or built from the sample weights as the block expansion in terms.hpp does, (sw[row] f) c[col]
// with row k / cols and column k % cols of a block of whole rows, cols <= 8: a group of 8 rows is
// cols vectors, vector v the lanes idx[8 v + lane] of the 8 rows' (sw f), times pat[8 v + lane].
struct bce_avx512_weights {
    const double* w;
    __attribute__((target("avx512f"), always_inline)) __m512d at(std::size_t k, __mmask8 m) noexcept { return _mm512_maskz_loadu_pd(m, w + k); }
};
struct bce_avx512_row_weights {
    const double* sw;  // the block's rows
    double f;
    const std::int64_t* idx;
    const double* pat;
    std::size_t cols, rows, ahead;  // ahead: the rows the kernel's prefetch distance spans
    std::size_t row, v;
    __m512d s;
    __attribute__((target("avx512f"), always_inline)) __m512d at(std::size_t, __mmask8) noexcept {
        if (v == 0) {
            _mm_prefetch(reinterpret_cast<const char*>(sw + row + ahead), _MM_HINT_T0);
            const std::size_t left = rows - row;
            const auto m = left >= 8 ? static_cast<__mmask8>(0xFF) : static_cast<__mmask8>((1u << left) - 1u);
            s = _mm512_mul_pd(_mm512_maskz_loadu_pd(m, sw + row), _mm512_set1_pd(f));
            row += 8;
        }
        const __m512d sv = _mm512_maskz_permutexvar_pd(0xFF, _mm512_loadu_si512(idx + 8 * v), s);
        const __m512d wv = _mm512_mul_pd(sv, _mm512_loadu_pd(pat + 8 * v));
        if (++v == cols) v = 0;
        return wv;
    }
};

template <class W>
__attribute__((target("avx512f"))) double bce_kernel_avx512_on(const double* z, const double* y, W weights, double* g,
                                                              std::size_t len) noexcept {
    MLDP_LOSS_NO_CONTRACT
    using L = bce_avx512_ops;
    __m512d acc = _mm512_setzero_pd();
    __mmask8 bad = 0;
    const __m512d zero = _mm512_setzero_pd(), one = _mm512_set1_pd(1.0);
    // Software-pipelined: the exp of the next group is computed alongside the rest of this one, so
    // that the long dependency chain of one group overlaps the next group's. The last group is
    // masked: absent lanes read zeros, add nothing and store nothing.
    auto mask_at = [len](std::size_t k) {
        return len - k >= 8 ? static_cast<__mmask8>(0xFF) : static_cast<__mmask8>((1u << (len - k)) - 1u);
    };
    if (len == 0) return 0.0;
    __m512d zk = _mm512_maskz_loadu_pd(mask_at(0), z), ek;
    MLDP_BCE_EXP_NEG(L, __m512d, L::abs(zk), ek)
    for (std::size_t k = 0; k < len; k += 8) {
        const __mmask8 m = mask_at(k);
        // The loop is compute-bound and its window full: the lines it reads and writes are asked
        // for 4 kB ahead (a prefetch past the end of an array is harmless).
        _mm_prefetch(reinterpret_cast<const char*>(z + k + 512), _MM_HINT_T0);
        _mm_prefetch(reinterpret_cast<const char*>(y + k + 512), _MM_HINT_T0);
        _mm_prefetch(reinterpret_cast<const char*>(g + k + 512), _MM_HINT_T0);
        __m512d zn = zero, en = zero;
        if (k + 8 < len) {
            zn = _mm512_maskz_loadu_pd(mask_at(k + 8), z + k + 8);
            MLDP_BCE_EXP_NEG(L, __m512d, L::abs(zn), en)
        }
        const __m512d yk = _mm512_maskz_loadu_pd(m, y + k), wk = weights.at(k, m);
        __m512d sp, inv;
        MLDP_BCE_LOG1P(L, __m512d, ek, sp, inv)
        __m512d l, gk;
        MLDP_BCE_FINISH(L, zk, yk, wk, ek, sp, inv, l, gk)
        _mm512_mask_storeu_pd(g + k, m, gk);
        acc = _mm512_mask_add_pd(acc, m, acc, l);
        const __mmask8 ok = _mm512_mask_cmp_pd_mask(_mm512_cmp_pd_mask(yk, zero, _CMP_GE_OQ), yk, one, _CMP_LE_OQ);
        bad = static_cast<__mmask8>(bad | (m & static_cast<__mmask8>(~ok)));
        zk = zn;
        ek = en;
    }
    alignas(64) double lanes[8];
    _mm512_store_pd(lanes, acc);
    return bad == 0 ? bce_lane_sum(lanes) : std::numeric_limits<double>::quiet_NaN();
}

__attribute__((target("avx512f"))) inline double bce_kernel_avx512(const double* z, const double* y, const double* w, double* g,
                                                                   std::size_t len) noexcept {
    return bce_kernel_avx512_on(z, y, bce_avx512_weights{w}, g, len);
}

/// The AVX-512 kernel on a block of whole rows of cols <= 8 columns, element (i, j) weighing
/// (sw[i] f) c_j: the bits of bce_kernel_avx512 on the block's expanded weights, without the
/// expansion's pass (idx and pat: row_weights' lane patterns, pat holding c_j).
__attribute__((target("avx512f"))) inline double bce_kernel_avx512_rows(const double* z, const double* y, const double* sw, double f,
                                                                        const std::int64_t* idx, const double* pat, std::size_t cols,
                                                                        double* g, std::size_t len) noexcept {
    const bce_avx512_row_weights weights{sw, f, idx, pat, cols, len / cols, 512 / cols, 0, 0, _mm512_setzero_pd()};
    return bce_kernel_avx512_on(z, y, weights, g, len);
}
#endif

/// An instruction-set variant of the kernel, with the scalar kernel it reproduces bit for bit: the
/// FMA class (the scalar kernel, AVX2 + FMA, AVX-512F) or the separate class (the separate scalar
/// kernel, SSE2).
struct bce_variant {
    const char* name;
    bce_kernel_fn run;
    bce_kernel_fn reference;
};

// Fills out (room for 5) with the variants this CPU runs: both scalar kernels first, then SSE2, AVX2
// + FMA and AVX-512F where the CPU has them; returns how many, and in `best` the one the loss uses.
inline std::size_t bce_list_variants(bce_variant* out, std::size_t& best) noexcept {
    std::size_t n = 0;
    out[n++] = {"scalar", bce_kernel_scalar, bce_kernel_scalar};
    out[n++] = {"scalar-separate", bce_kernel_scalar_separate, bce_kernel_scalar_separate};
#if defined(__FP_FAST_FMA)
    best = 0;
#else
    best = 1;
#endif
#if MLDP_X86_DISPATCH
#if MLDP_BCE_HAS_SSE2
    if (__builtin_cpu_supports("sse2")) out[best = n++] = {"sse2", bce_kernel_sse2, bce_kernel_scalar_separate};
#endif
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) out[best = n++] = {"avx2", bce_kernel_avx2, bce_kernel_scalar};
    if (__builtin_cpu_supports("avx512f")) out[best = n++] = {"avx512f", bce_kernel_avx512, bce_kernel_scalar};
#endif
    return n;
}

/// The variants this CPU runs (for the tests).
inline std::vector<bce_variant> bce_variants() {
    bce_variant all[5];
    std::size_t best = 0;
    const std::size_t n = bce_list_variants(all, best);
    return std::vector<bce_variant>(all, all + n);
}

/// The variant the loss uses: on x86 AVX-512F, else AVX2 + FMA, else SSE2 (x86-64's baseline);
/// elsewhere the scalar kernel of the FMA class where the target has a hardware FMA, else the
/// separate one.
inline bce_variant best_bce_variant() noexcept {
    static const bce_variant chosen = []() noexcept {
        bce_variant all[5];
        std::size_t best = 0;
        bce_list_variants(all, best);
        return all[best];
    }();
    return chosen;
}

/// exp(-min(a, 746)) for a >= 0, and log1p(e) with inv = 1 / (1 + e) for e in [0, 1]: the kernels'
/// arithmetic, one element at a time, in either class (for the accuracy tests).
template <class L = bce_scalar_ops>
double bce_exp_neg(double a) noexcept {
    MLDP_LOSS_NO_CONTRACT
    double e;
    MLDP_BCE_EXP_NEG(L, double, a, e)
    return e;
}
template <class L = bce_scalar_ops>
double bce_log1p(double e, double& inv) noexcept {
    MLDP_LOSS_NO_CONTRACT
    double sp;
    MLDP_BCE_LOG1P(L, double, e, sp, inv)
    return sp;
}

}  // namespace mldp::loss::detail
MLDP_LOSS_KERNELS_END

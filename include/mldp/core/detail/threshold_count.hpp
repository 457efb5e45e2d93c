// mldp — counting values against a few sorted thresholds, the inner loop of exact quantile selection
// and of quantile binning (psi, Jensen-Shannon on reference bins).
//
// The counts are integers, so every instruction-set variant gives the same result; on x86 with GCC
// or clang the kernels are also compiled for AVX2 and AVX-512F and picked once at run time (users
// compile for the baseline x86-64, where a compare-and-count loop over doubles is only two lanes
// wide). Each kernel works on a block of at most `threshold_block` values, which stays in L1 while it
// is compared with every threshold in turn: the loops over the block have no dependence between
// values and vectorise.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#if defined(__GNUC__)
#define MLDP_COUNT_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define MLDP_COUNT_ALWAYS_INLINE inline
#endif

#include "mldp/core/detail/cpu_dispatch.hpp"

#define MLDP_COUNT_DISPATCH MLDP_X86_DISPATCH
#if MLDP_COUNT_DISPATCH
#include <immintrin.h>
#endif

// GCC, under its default -ftrapping-math, will not if-convert a compare of doubles into a count and
// leaves these loops scalar; trapping math concerns only floating-point exception flags, never
// values, so the kernels (and only they: push/pop) are compiled without it.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC push_options
#pragma GCC optimize("no-trapping-math")
#endif

namespace mldp::detail {

/// The largest block the kernels take.
constexpr std::size_t threshold_block = 256;

// For the len <= threshold_block values v of a block and J disjoint brackets [lo_j, hi_j] in
// ascending order: code[i] = j + 1 when lo_j <= v_i <= hi_j, else 0; and ge[j] += #{i : v_i >= lo_j}
// (the values above hi_j are then ge[j] minus those coded j + 1). NaN satisfies no comparison.
// Four brackets at a time, so that each value's code and the counts stay in registers while the
// value meets them.
MLDP_COUNT_ALWAYS_INLINE void bracket_block_body(const double* __restrict v, std::size_t len, const double* __restrict lo,
                                                 const double* __restrict hi, std::size_t J, std::int64_t* __restrict code,
                                                 std::int64_t* __restrict ge) noexcept {
    for (std::size_t i = 0; i < len; ++i) code[i] = 0;
    std::size_t j0 = 0;
    for (; j0 + 4 <= J; j0 += 4) {
        const double l0 = lo[j0], l1 = lo[j0 + 1], l2 = lo[j0 + 2], l3 = lo[j0 + 3];
        const double h0 = hi[j0], h1 = hi[j0 + 1], h2 = hi[j0 + 2], h3 = hi[j0 + 3];
        const auto c0 = static_cast<std::int64_t>(j0 + 1), c1 = c0 + 1, c2 = c0 + 2, c3 = c0 + 3;
        std::int64_t g0 = 0, g1 = 0, g2 = 0, g3 = 0;
        for (std::size_t i = 0; i < len; ++i) {
            const double x = v[i];
            const bool a0 = x >= l0, a1 = x >= l1, a2 = x >= l2, a3 = x >= l3;
            code[i] += ((a0 & (x <= h0)) ? c0 : 0) + ((a1 & (x <= h1)) ? c1 : 0) + ((a2 & (x <= h2)) ? c2 : 0) +
                       ((a3 & (x <= h3)) ? c3 : 0);
            g0 += a0 ? 1 : 0;
            g1 += a1 ? 1 : 0;
            g2 += a2 ? 1 : 0;
            g3 += a3 ? 1 : 0;
        }
        ge[j0] += g0;
        ge[j0 + 1] += g1;
        ge[j0 + 2] += g2;
        ge[j0 + 3] += g3;
    }
    for (; j0 < J; ++j0) {
        const double l = lo[j0], h = hi[j0];
        const auto c = static_cast<std::int64_t>(j0 + 1);
        std::int64_t g = 0;
        for (std::size_t i = 0; i < len; ++i) {
            const double x = v[i];
            const bool a = x >= l;
            code[i] += (a & (x <= h)) ? c : 0;
            g += a ? 1 : 0;
        }
        ge[j0] += g;
    }
}

// ge[j] += #{i : v_i >= t_j} for the len <= threshold_block values of a block and J thresholds,
// four thresholds per visit of a value.
MLDP_COUNT_ALWAYS_INLINE void at_least_block_body(const double* __restrict v, std::size_t len, const double* __restrict t,
                                                  std::size_t J, std::int64_t* __restrict ge) noexcept {
    std::size_t j0 = 0;
    for (; j0 + 4 <= J; j0 += 4) {
        const double t0 = t[j0], t1 = t[j0 + 1], t2 = t[j0 + 2], t3 = t[j0 + 3];
        std::int64_t n0 = 0, n1 = 0, n2 = 0, n3 = 0;
        for (std::size_t i = 0; i < len; ++i) {
            const double x = v[i];
            n0 += x >= t0 ? 1 : 0;
            n1 += x >= t1 ? 1 : 0;
            n2 += x >= t2 ? 1 : 0;
            n3 += x >= t3 ? 1 : 0;
        }
        ge[j0] += n0;
        ge[j0 + 1] += n1;
        ge[j0 + 2] += n2;
        ge[j0 + 3] += n3;
    }
    for (; j0 < J; ++j0) {
        const double l = t[j0];
        std::int64_t n = 0;
        for (std::size_t i = 0; i < len; ++i) n += v[i] >= l ? 1 : 0;
        ge[j0] += n;
    }
}

// Linear buckets: b_i = floor(clamp((v_i - origin) * scale, 0, last)) for the len <= threshold_block
// values of a block, and last + 1 for NaN. Subtraction and multiplication round the same way in every
// instruction set, and each step is monotone, so v <= w implies b(v) <= b(w) everywhere.
MLDP_COUNT_ALWAYS_INLINE void bucket_block_body(const double* __restrict v, std::size_t len, double origin, double scale,
                                                double last, std::int32_t* __restrict b) noexcept {
    const auto nan_bucket = static_cast<std::int32_t>(last) + 1;
    for (std::size_t i = 0; i < len; ++i) {
        double t = (v[i] - origin) * scale;
        const bool nan = v[i] != v[i];
        t = t > 0.0 ? t : 0.0;  // NaN and negative values to 0
        t = t < last ? t : last;
        b[i] = static_cast<std::int32_t>(t) + (nan ? nan_bucket : 0);
    }
}

using bracket_block_fn = void (*)(const double*, std::size_t, const double*, const double*, std::size_t, std::int64_t*,
                                  std::int64_t*);
using at_least_block_fn = void (*)(const double*, std::size_t, const double*, std::size_t, std::int64_t*);
using bucket_block_fn = void (*)(const double*, std::size_t, double, double, double, std::int32_t*);

inline void bracket_block_default(const double* v, std::size_t len, const double* lo, const double* hi, std::size_t J,
                                  std::int64_t* code, std::int64_t* ge) noexcept {
    bracket_block_body(v, len, lo, hi, J, code, ge);
}
inline void at_least_block_default(const double* v, std::size_t len, const double* t, std::size_t J, std::int64_t* ge) noexcept {
    at_least_block_body(v, len, t, J, ge);
}

inline void bucket_block_default(const double* v, std::size_t len, double origin, double scale, double last,
                                 std::int32_t* b) noexcept {
    bucket_block_body(v, len, origin, scale, last, b);
}

#if MLDP_COUNT_DISPATCH
__attribute__((target("avx2"))) inline void bucket_block_avx2(const double* v, std::size_t len, double origin, double scale,
                                                             double last, std::int32_t* b) noexcept {
    bucket_block_body(v, len, origin, scale, last, b);
}
__attribute__((target("avx512f"))) inline void bucket_block_avx512(const double* v, std::size_t len, double origin,
                                                                  double scale, double last, std::int32_t* b) noexcept {
    bucket_block_body(v, len, origin, scale, last, b);
}
__attribute__((target("avx2"))) inline void bracket_block_avx2(const double* v, std::size_t len, const double* lo,
                                                              const double* hi, std::size_t J, std::int64_t* code,
                                                              std::int64_t* ge) noexcept {
    bracket_block_body(v, len, lo, hi, J, code, ge);
}
__attribute__((target("avx512f"))) inline void bracket_block_avx512(const double* v, std::size_t len, const double* lo,
                                                                   const double* hi, std::size_t J, std::int64_t* code,
                                                                   std::int64_t* ge) noexcept {
    bracket_block_body(v, len, lo, hi, J, code, ge);
}
__attribute__((target("avx2"))) inline void at_least_block_avx2(const double* v, std::size_t len, const double* t, std::size_t J,
                                                               std::int64_t* ge) noexcept {
    at_least_block_body(v, len, t, J, ge);
}
__attribute__((target("avx512f"))) inline void at_least_block_avx512(const double* v, std::size_t len, const double* t,
                                                                    std::size_t J, std::int64_t* ge) noexcept {
    at_least_block_body(v, len, t, J, ge);
}
#endif

/// The kernel variants this CPU can run, baseline first (the tests compare them), and the best one,
/// chosen once.
#if MLDP_COUNT_DISPATCH
inline std::vector<bracket_block_fn> bracket_block_variants() {
    return cpu_variants<bracket_block_fn>(bracket_block_default, bracket_block_avx2, bracket_block_avx512);
}
inline std::vector<at_least_block_fn> at_least_block_variants() {
    return cpu_variants<at_least_block_fn>(at_least_block_default, at_least_block_avx2, at_least_block_avx512);
}
inline std::vector<bucket_block_fn> bucket_block_variants() {
    return cpu_variants<bucket_block_fn>(bucket_block_default, bucket_block_avx2, bucket_block_avx512);
}
#else
inline std::vector<bracket_block_fn> bracket_block_variants() { return {bracket_block_default}; }
inline std::vector<at_least_block_fn> at_least_block_variants() { return {at_least_block_default}; }
inline std::vector<bucket_block_fn> bucket_block_variants() { return {bucket_block_default}; }
#endif

#if MLDP_COUNT_DISPATCH
inline bracket_block_fn bracket_block_kernel() noexcept {
    static const bracket_block_fn best = cpu_best<bracket_block_fn>(bracket_block_default, bracket_block_avx2, bracket_block_avx512);
    return best;
}
inline at_least_block_fn at_least_block_kernel() noexcept {
    static const at_least_block_fn best = cpu_best<at_least_block_fn>(at_least_block_default, at_least_block_avx2, at_least_block_avx512);
    return best;
}
inline bucket_block_fn bucket_block_kernel() noexcept {
    static const bucket_block_fn best = cpu_best<bucket_block_fn>(bucket_block_default, bucket_block_avx2, bucket_block_avx512);
    return best;
}
#else
inline bracket_block_fn bracket_block_kernel() noexcept { return bracket_block_default; }
inline at_least_block_fn at_least_block_kernel() noexcept { return at_least_block_default; }
inline bucket_block_fn bucket_block_kernel() noexcept { return bucket_block_default; }
#endif

// ---- row masks: which values fail a test, 64 rows per word -----------------------------------------
//
// masks[w] bit k is set when value 64 w + k fails: it is NaN (range == false), or it is outside
// [lo, hi] or NaN (range == true). Rows past n leave their bits clear. The validators' row checks
// pass over the clear words and visit only the set bits. Every variant sets the same bits.

MLDP_COUNT_ALWAYS_INLINE std::uint64_t fail_bit(double x, bool range, double lo, double hi) noexcept {
    return range ? ((x >= lo && x <= hi) ? 0U : 1U) : (x != x ? 1U : 0U);
}

inline void fail_masks_scalar(const double* v, std::size_t n, bool range, double lo, double hi, std::uint64_t* masks) noexcept {
    for (std::size_t w = 0; w * 64 < n; ++w) {
        const std::size_t len = (n - w * 64) < 64 ? n - w * 64 : 64;
        std::uint64_t m = 0;
        for (std::size_t k = 0; k < len; ++k) m |= fail_bit(v[w * 64 + k], range, lo, hi) << k;
        masks[w] = m;
    }
}

using fail_masks_fn = void (*)(const double*, std::size_t, bool, double, double, std::uint64_t*);

#if MLDP_COUNT_DISPATCH
// SSE2 (x86-64's baseline): two rows per compare, their bits by movemask.
__attribute__((target("sse2"))) inline void fail_masks_sse2(const double* v, std::size_t n, bool range, double lo, double hi, std::uint64_t* masks) noexcept {
    const __m128d l = _mm_set1_pd(lo), h = _mm_set1_pd(hi);
    const std::size_t full = n / 64;
    for (std::size_t w = 0; w < full; ++w) {
        std::uint64_t m = 0;
        for (std::size_t k = 0; k < 64; k += 2) {
            const __m128d x = _mm_loadu_pd(v + w * 64 + k);
            const int fail = range ? ~_mm_movemask_pd(_mm_and_pd(_mm_cmpge_pd(x, l), _mm_cmple_pd(x, h))) & 0x3
                                   : _mm_movemask_pd(_mm_cmpunord_pd(x, x));
            m |= static_cast<std::uint64_t>(fail) << k;
        }
        masks[w] = m;
    }
    if (full * 64 < n) fail_masks_scalar(v + full * 64, n - full * 64, range, lo, hi, masks + full);
}
__attribute__((target("avx2"))) inline void fail_masks_avx2(const double* v, std::size_t n, bool range, double lo, double hi,
                                                           std::uint64_t* masks) noexcept {
    const __m256d l = _mm256_set1_pd(lo), h = _mm256_set1_pd(hi);
    const std::size_t full = n / 64;
    for (std::size_t w = 0; w < full; ++w) {
        std::uint64_t m = 0;
        for (std::size_t k = 0; k < 64; k += 4) {
            const __m256d x = _mm256_loadu_pd(v + w * 64 + k);
            const int fail = range ? ~_mm256_movemask_pd(_mm256_and_pd(_mm256_cmp_pd(x, l, _CMP_GE_OQ), _mm256_cmp_pd(x, h, _CMP_LE_OQ))) & 0xF
                                   : _mm256_movemask_pd(_mm256_cmp_pd(x, x, _CMP_UNORD_Q));
            m |= static_cast<std::uint64_t>(fail) << k;
        }
        masks[w] = m;
    }
    if (full * 64 < n) fail_masks_scalar(v + full * 64, n - full * 64, range, lo, hi, masks + full);
}
__attribute__((target("avx512f"))) inline void fail_masks_avx512(const double* v, std::size_t n, bool range, double lo, double hi,
                                                                std::uint64_t* masks) noexcept {
    const __m512d l = _mm512_set1_pd(lo), h = _mm512_set1_pd(hi);
    const std::size_t full = n / 64;
    for (std::size_t w = 0; w < full; ++w) {
        std::uint64_t m = 0;
        for (std::size_t k = 0; k < 64; k += 8) {
            const __m512d x = _mm512_loadu_pd(v + w * 64 + k);
            const __mmask8 fail = range ? static_cast<__mmask8>(~(_mm512_cmp_pd_mask(x, l, _CMP_GE_OQ) & _mm512_cmp_pd_mask(x, h, _CMP_LE_OQ)))
                                        : _mm512_cmp_pd_mask(x, x, _CMP_UNORD_Q);
            m |= static_cast<std::uint64_t>(static_cast<std::uint8_t>(fail)) << k;
        }
        masks[w] = m;
    }
    if (full * 64 < n) fail_masks_scalar(v + full * 64, n - full * 64, range, lo, hi, masks + full);
}
#endif

/// The fail-mask variants this CPU can run, baseline first (the tests compare them): on x86 the
/// SSE2 form is the baseline (the scalar loop still does the tail of every variant).
inline std::vector<fail_masks_fn> fail_masks_variants() {
#if MLDP_COUNT_DISPATCH
    return cpu_variants<fail_masks_fn>(__builtin_cpu_supports("sse2") ? fail_masks_sse2 : fail_masks_scalar, fail_masks_avx2,
                                       fail_masks_avx512);
#else
    return {fail_masks_scalar};
#endif
}

/// Fills masks[0 .. (n + 63) / 64) as above, with the best variant for this CPU.
inline void fail_masks(const double* v, std::size_t n, bool range, double lo, double hi, std::uint64_t* masks) noexcept {
#if MLDP_COUNT_DISPATCH
    static const fail_masks_fn best =
        cpu_best<fail_masks_fn>(__builtin_cpu_supports("sse2") ? fail_masks_sse2 : fail_masks_scalar, fail_masks_avx2, fail_masks_avx512);
#else
    static const fail_masks_fn best = fail_masks_scalar;
#endif
    best(v, n, range, lo, hi, masks);
}

// ---- the same masks for category codes: bit i of masks[i / 64] is set when code[i] is not one of
// the allowed codes, given as bits of `allowed` (codes 0..31). Negative codes (missing) and codes
// from 32 up are never allowed: the caller tells those apart among the (rare) set bits.

MLDP_COUNT_ALWAYS_INLINE std::uint64_t code_fails(std::int32_t code, std::uint32_t allowed) noexcept {
    const auto c = static_cast<std::uint32_t>(code);
    return c < 32 ? ((allowed >> c) & 1U) ^ 1U : 1U;
}

inline void code_masks_scalar(const std::int32_t* codes, std::size_t n, std::uint32_t allowed, std::uint64_t* masks) noexcept {
    for (std::size_t w = 0; w * 64 < n; ++w) {
        const std::size_t len = (n - w * 64) < 64 ? n - w * 64 : 64;
        std::uint64_t m = 0;
        for (std::size_t j = 0; j < len; ++j) m |= code_fails(codes[w * 64 + j], allowed) << j;
        masks[w] = m;
    }
}

using code_masks_fn = void (*)(const std::int32_t*, std::size_t, std::uint32_t, std::uint64_t*);

#if MLDP_COUNT_DISPATCH
// Per-lane shifts (vpsrlvd give 0 for a count of 32 or more, so negative and large codes fail).
__attribute__((target("avx2"))) inline void code_masks_avx2(const std::int32_t* codes, std::size_t n, std::uint32_t allowed,
                                                           std::uint64_t* masks) noexcept {
    const __m256i bits = _mm256_set1_epi32(static_cast<int>(allowed)), one = _mm256_set1_epi32(1);
    const std::size_t full = n / 64;
    for (std::size_t w = 0; w < full; ++w) {
        std::uint64_t m = 0;
        for (std::size_t j = 0; j < 64; j += 8) {
            const __m256i c = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(codes + w * 64 + j));
            const __m256i ok = _mm256_and_si256(_mm256_srlv_epi32(bits, c), one);
            const __m256i fail = _mm256_cmpeq_epi32(ok, _mm256_setzero_si256());
            m |= static_cast<std::uint64_t>(static_cast<unsigned>(_mm256_movemask_ps(_mm256_castsi256_ps(fail)))) << j;
        }
        masks[w] = m;
    }
    if (full * 64 < n) code_masks_scalar(codes + full * 64, n - full * 64, allowed, masks + full);
}
__attribute__((target("avx512f"))) inline void code_masks_avx512(const std::int32_t* codes, std::size_t n, std::uint32_t allowed,
                                                                std::uint64_t* masks) noexcept {
    const __m512i bits = _mm512_set1_epi32(static_cast<int>(allowed)), one = _mm512_set1_epi32(1);
    const std::size_t full = n / 64;
    for (std::size_t w = 0; w < full; ++w) {
        std::uint64_t m = 0;
        for (std::size_t j = 0; j < 64; j += 16) {
            const __m512i c = _mm512_loadu_si512(codes + w * 64 + j);
            // (the zero-masking form: GCC 12 warns about the unmasked one's undefined pass-through)
            const __mmask16 ok = _mm512_test_epi32_mask(_mm512_maskz_srlv_epi32(static_cast<__mmask16>(0xFFFF), bits, c), one);
            m |= static_cast<std::uint64_t>(static_cast<std::uint16_t>(~ok)) << j;
        }
        masks[w] = m;
    }
    if (full * 64 < n) code_masks_scalar(codes + full * 64, n - full * 64, allowed, masks + full);
}
#endif

/// The code-mask variants this CPU can run, baseline first (the tests compare them).
inline std::vector<code_masks_fn> code_masks_variants() {
#if MLDP_COUNT_DISPATCH
    return cpu_variants<code_masks_fn>(code_masks_scalar, code_masks_avx2, code_masks_avx512);
#else
    return {code_masks_scalar};
#endif
}

/// Fills masks[0 .. (n + 63) / 64) for codes, with the best variant for this CPU.
inline void code_masks(const std::int32_t* codes, std::size_t n, std::uint32_t allowed, std::uint64_t* masks) noexcept {
#if MLDP_COUNT_DISPATCH
    static const code_masks_fn best = cpu_best<code_masks_fn>(code_masks_scalar, code_masks_avx2, code_masks_avx512);
#else
    static const code_masks_fn best = code_masks_scalar;
#endif
    best(codes, n, allowed, masks);
}

/// counts[j] = #{i : data_i >= t_j} over [data, data + n), for J thresholds (any order).
inline void count_at_least(const double* data, std::size_t n, const double* t, std::size_t J, std::int64_t* counts) noexcept {
    for (std::size_t j = 0; j < J; ++j) counts[j] = 0;
    const at_least_block_fn kernel = at_least_block_kernel();
    for (std::size_t i0 = 0; i0 < n; i0 += threshold_block) {
        const std::size_t len = n - i0 < threshold_block ? n - i0 : threshold_block;
        kernel(data + i0, len, t, J, counts);
    }
}

}  // namespace mldp::detail

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC pop_options
#endif

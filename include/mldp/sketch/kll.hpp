// mldp — kll_sketch: approximate quantiles and ranks of a stream in O(k log(n/k)) memory, mergeable,
// with a proven error bound (Karnin, Lang & Liberty, "Optimal quantile approximation in streams",
// FOCS 2016), laid out as Apache DataSketches' KLL (level capacities k (2/3)^depth, minimum width 8,
// the lowest full level compacted first).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <limits>
#include <memory>
#include <new>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "mldp/core/detail/cpu_dispatch.hpp"
#if MLDP_X86_DISPATCH
#include <immintrin.h>
#endif

#include "mldp/core/archive.hpp"
#include "mldp/core/error.hpp"
#include "mldp/core/random.hpp"

namespace mldp::sketch::detail {

/// std::allocator, except that value-initialisation without arguments (vector::resize) leaves the
/// items default-initialised (for arithmetic T: unwritten) instead of zeroing them.
template <class T>
struct default_init_allocator : std::allocator<T> {
    using value_type = T;
    template <class U>
    struct rebind {
        using other = default_init_allocator<U>;
    };
    default_init_allocator() noexcept = default;
    template <class U>
    default_init_allocator(const default_init_allocator<U>&) noexcept {}
    template <class U>
    void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
        ::new (static_cast<void*>(p)) U;
    }
    template <class U, class... A>
    void construct(U* p, A&&... args) {
        ::new (static_cast<void*>(p)) U(std::forward<A>(args)...);
    }
};
template <class T, class U>
bool operator==(const default_init_allocator<T>&, const default_init_allocator<U>&) noexcept {
    return true;
}
template <class T, class U>
bool operator!=(const default_init_allocator<T>&, const default_init_allocator<U>&) noexcept {
    return false;
}

#if defined(__GNUC__)
#define MLDP_KLL_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define MLDP_KLL_ALWAYS_INLINE inline
#endif

// Sorting and merging a few dozen items without branches on the data. KLL's level 0 arrives unsorted
// and is compacted tens of thousands of times per million values, at about 15 items (k = 200), and
// each compaction merges into a level of about as many: a comparison sort's and a two-finger merge's
// branches on such short runs are coin flips to the predictor (and a branch-free merge waits on each
// comparison before it can load the next candidate). Here every item's output position is counted,
// O(n^2) compares with no chain between them, and the counting loops vectorise.

/// Sorts the n values at x into out, ascending, equal values keeping their order: x_i goes to
/// #{earlier values <= x_i} + #{later values < x_i}. No NaN.
template <class T>
MLDP_KLL_ALWAYS_INLINE void rank_sort_body(const T* __restrict x, std::size_t n, T* __restrict out) noexcept {
    for (std::size_t i = 0; i < n; ++i) {
        const T xi = x[i];
        std::int64_t before = 0, after = 0;
        for (std::size_t j = 0; j < i; ++j) before += x[j] <= xi ? 1 : 0;
        for (std::size_t j = i + 1; j < n; ++j) after += x[j] < xi ? 1 : 0;
        out[before + after] = xi;
    }
}

/// Merges sorted a (na values) and sorted b (nb values) into out, a's values first among equals: a_i
/// goes to i + #{b_j < a_i}, b_j to j + #{a_i <= b_j}. No NaN.
template <class T>
MLDP_KLL_ALWAYS_INLINE void rank_merge_body(const T* __restrict a, std::size_t na, const T* __restrict b, std::size_t nb,
                                            T* __restrict out) noexcept {
    for (std::size_t i = 0; i < na; ++i) {
        const T ai = a[i];
        std::int64_t c = 0;
        for (std::size_t j = 0; j < nb; ++j) c += b[j] < ai ? 1 : 0;
        out[static_cast<std::int64_t>(i) + c] = ai;
    }
    for (std::size_t j = 0; j < nb; ++j) {
        const T bj = b[j];
        std::int64_t c = 0;
        for (std::size_t i = 0; i < na; ++i) c += a[i] <= bj ? 1 : 0;
        out[static_cast<std::int64_t>(j) + c] = bj;
    }
}

// The vector forms, for double. The inputs are copied into buffers padded with NaN to whole blocks
// of 8 (NaN is never less than, equal to or at most anything, so it counts nowhere), the counts run
// across the rows (for each value in turn, one compare per block of rows: no horizontal sum per row
// and no scalar remainder), and padding rows get positions of their own past the real ones, so that
// the final scatter also runs over whole blocks. Sizes <= 128; `out` must hold the padded sizes
// (the padding lands past the real values). These are written for the compiler to vectorise (the
// AVX2 variant); the AVX-512 variant below is the same computation in intrinsics, with the counts
// held in registers.
constexpr std::size_t rank_width = 8;
constexpr std::size_t padded_size(std::size_t n) noexcept { return (n + rank_width - 1) / rank_width * rank_width; }

MLDP_KLL_ALWAYS_INLINE void pad_copy(const double* __restrict src, std::size_t len, std::size_t padded,
                                     double* __restrict dst) noexcept {
    for (std::size_t i = 0; i < padded; ++i) dst[i] = i < len ? src[i] : std::numeric_limits<double>::quiet_NaN();
}

MLDP_KLL_ALWAYS_INLINE void rank_sort_padded(const double* __restrict x, std::size_t n, double* __restrict out) noexcept {
    const auto len = static_cast<std::int64_t>(n);
    const auto padded = static_cast<std::int64_t>(padded_size(n));
    alignas(64) double xp[128];
    alignas(64) std::int64_t r[128];
    pad_copy(x, n, padded_size(n), xp);
    for (std::int64_t i = 0; i < padded; ++i) r[i] = i < len ? 0 : i;
    for (std::int64_t j = 0; j < len; ++j) {
        const double xj = xp[j];
        for (std::int64_t i = 0; i < padded; ++i) r[i] += (xj < xp[i]) | ((j < i) & (xj == xp[i])) ? 1 : 0;
    }
    for (std::int64_t i = 0; i < padded; ++i) out[r[i]] = xp[i];
}

MLDP_KLL_ALWAYS_INLINE void rank_merge_padded(const double* __restrict a, std::size_t na, const double* __restrict b,
                                              std::size_t nb, double* __restrict out) noexcept {
    const auto la = static_cast<std::int64_t>(na), lb = static_cast<std::int64_t>(nb);
    const auto pad_a = static_cast<std::int64_t>(padded_size(na)), pad_b = static_cast<std::int64_t>(padded_size(nb));
    alignas(64) double ap[128], bp[128];
    alignas(64) std::int64_t pa[128], pb[128];
    pad_copy(a, na, padded_size(na), ap);
    pad_copy(b, nb, padded_size(nb), bp);
    for (std::int64_t i = 0; i < pad_a; ++i) pa[i] = i < la ? i : lb + i;  // padding: [la + lb, pad_a + lb)
    for (std::int64_t j = 0; j < pad_b; ++j) pb[j] = j < lb ? j : pad_a + j;  // padding: [pad_a + lb, pad_a + pad_b)
    for (std::int64_t j = 0; j < lb; ++j) {
        const double bj = bp[j];
        for (std::int64_t i = 0; i < pad_a; ++i) pa[i] += bj < ap[i] ? 1 : 0;
    }
    for (std::int64_t i = 0; i < la; ++i) {
        const double ai = ap[i];
        for (std::int64_t j = 0; j < pad_b; ++j) pb[j] += ai <= bp[j] ? 1 : 0;
    }
    for (std::int64_t i = 0; i < pad_a; ++i) out[pa[i]] = ap[i];
    for (std::int64_t j = 0; j < pad_b; ++j) out[pb[j]] = bp[j];
}

#define MLDP_KLL_DISPATCH MLDP_X86_DISPATCH

#if MLDP_KLL_DISPATCH
// AVX-512F: 8 rows per register; per value, a broadcast, two compares into masks and a masked add.
// rows_after(j, ib): the rows of block ib whose index exceeds j (they follow j, so an equal value counts).
__attribute__((target("avx512f"))) inline __mmask8 rows_after(std::size_t j, std::size_t ib) noexcept {
    if (j < ib) return 0xFF;
    if (j >= ib + 7) return 0;
    return static_cast<__mmask8>((0xFFU << (j - ib + 1)) & 0xFFU);
}

__attribute__((target("avx512f"))) inline void rank_sort_avx512_body(const double* __restrict x, std::size_t n,
                                                                    double* __restrict out) noexcept {
    const std::size_t padded = padded_size(n);
    alignas(64) double xp[128];
    pad_copy(x, n, padded, xp);
    const __m512i iota = _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0), one = _mm512_set1_epi64(1);
    const __m512i len = _mm512_set1_epi64(static_cast<long long>(n));
    for (std::size_t ib = 0; ib < padded; ib += rank_width) {
        const __m512d rows = _mm512_load_pd(xp + ib);
        const __m512i idx = _mm512_add_epi64(_mm512_set1_epi64(static_cast<long long>(ib)), iota);
        __m512i acc = _mm512_maskz_mov_epi64(_mm512_cmpge_epi64_mask(idx, len), idx);  // padding rows: their index
        for (std::size_t j = 0; j < n; ++j) {
            const __m512d xj = _mm512_set1_pd(xp[j]);
            const __mmask8 lt = _mm512_cmp_pd_mask(xj, rows, _CMP_LT_OQ);
            const __mmask8 eq = _mm512_cmp_pd_mask(xj, rows, _CMP_EQ_OQ);
            acc = _mm512_mask_add_epi64(acc, static_cast<__mmask8>(lt | (eq & rows_after(j, ib))), acc, one);
        }
        _mm512_i64scatter_pd(out, acc, rows, 8);
    }
}

// One side of a merge: each of the `len` values at rows (padded to `padded` with NaN) goes to its
// index plus #{other_j Pred row} over the `other_len` values at other, where Pred is _CMP_LT_OQ or
// _CMP_LE_OQ with the other value first; padding rows go to their index plus `pad_shift`.
template <int Pred>
__attribute__((target("avx512f"))) inline void rank_place_avx512(const double* rows_src, std::size_t len, std::size_t padded,
                                                                const double* other, std::size_t other_len, std::size_t pad_shift,
                                                                double* out) noexcept {
    const __m512i iota = _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0), one = _mm512_set1_epi64(1);
    const __m512i real = _mm512_set1_epi64(static_cast<long long>(len)), shift = _mm512_set1_epi64(static_cast<long long>(pad_shift));
    for (std::size_t ib = 0; ib < padded; ib += rank_width) {
        const __m512d rows = _mm512_load_pd(rows_src + ib);
        const __m512i idx = _mm512_add_epi64(_mm512_set1_epi64(static_cast<long long>(ib)), iota);
        __m512i acc = _mm512_mask_add_epi64(idx, _mm512_cmpge_epi64_mask(idx, real), idx, shift);
        for (std::size_t j = 0; j < other_len; ++j) {
            acc = _mm512_mask_add_epi64(acc, _mm512_cmp_pd_mask(_mm512_set1_pd(other[j]), rows, Pred), acc, one);
        }
        _mm512_i64scatter_pd(out, acc, rows, 8);
    }
}

__attribute__((target("avx512f"))) inline void rank_merge_avx512_body(const double* __restrict a, std::size_t na,
                                                                     const double* __restrict b, std::size_t nb,
                                                                     double* __restrict out) noexcept {
    const std::size_t pad_a = padded_size(na), pad_b = padded_size(nb);
    alignas(64) double ap[128], bp[128];
    pad_copy(a, na, pad_a, ap);
    pad_copy(b, nb, pad_b, bp);
    rank_place_avx512<_CMP_LT_OQ>(ap, na, pad_a, bp, nb, nb, out);     // a_i: i + #{b_j < a_i}; padding at [na + nb, pad_a + nb)
    rank_place_avx512<_CMP_LE_OQ>(bp, nb, pad_b, ap, na, pad_a, out);  // b_j: j + #{a_i <= b_j}; padding at [pad_a + nb, ...)
}
#endif

// Each is compiled for AVX2 and AVX-512F as well and picked once at run time (GCC leaves a
// compare-and-count loop over doubles scalar for the baseline x86-64). All variants place every value
// at the same position.
using rank_sort_f64_fn = void (*)(const double*, std::size_t, double*);
using rank_merge_f64_fn = void (*)(const double*, std::size_t, const double*, std::size_t, double*);
inline void rank_sort_f64_default(const double* x, std::size_t n, double* out) noexcept { rank_sort_body(x, n, out); }
inline void rank_merge_f64_default(const double* a, std::size_t na, const double* b, std::size_t nb, double* out) noexcept {
    rank_merge_body(a, na, b, nb, out);
}
#if MLDP_KLL_DISPATCH
__attribute__((target("avx2"))) inline void rank_sort_f64_avx2(const double* x, std::size_t n, double* out) noexcept {
    rank_sort_padded(x, n, out);
}
__attribute__((target("avx512f"))) inline void rank_sort_f64_avx512(const double* x, std::size_t n, double* out) noexcept {
    rank_sort_avx512_body(x, n, out);
}
__attribute__((target("avx2"))) inline void rank_merge_f64_avx2(const double* a, std::size_t na, const double* b, std::size_t nb,
                                                               double* out) noexcept {
    rank_merge_padded(a, na, b, nb, out);
}
__attribute__((target("avx512f"))) inline void rank_merge_f64_avx512(const double* a, std::size_t na, const double* b,
                                                                    std::size_t nb, double* out) noexcept {
    rank_merge_avx512_body(a, na, b, nb, out);
}
#endif

/// The variants this CPU can run, baseline first (the tests compare them).
inline std::vector<rank_sort_f64_fn> rank_sort_f64_variants() {
#if MLDP_KLL_DISPATCH
    return mldp::detail::cpu_variants<rank_sort_f64_fn>(rank_sort_f64_default, rank_sort_f64_avx2, rank_sort_f64_avx512);
#else
    return {rank_sort_f64_default};
#endif
}
inline std::vector<rank_merge_f64_fn> rank_merge_f64_variants() {
#if MLDP_KLL_DISPATCH
    return mldp::detail::cpu_variants<rank_merge_f64_fn>(rank_merge_f64_default, rank_merge_f64_avx2, rank_merge_f64_avx512);
#else
    return {rank_merge_f64_default};
#endif
}

/// rank_sort_body for at most 128 values into out (room for 128).
template <class T>
void rank_sort(const T* x, std::size_t n, T* out) noexcept {
    if constexpr (std::is_same_v<T, double>) {
#if MLDP_KLL_DISPATCH
        static const rank_sort_f64_fn best = mldp::detail::cpu_best<rank_sort_f64_fn>(rank_sort_f64_default, rank_sort_f64_avx2, rank_sort_f64_avx512);
#else
        static const rank_sort_f64_fn best = rank_sort_f64_default;
#endif
        best(x, n, out);
    } else {
        rank_sort_body(x, n, out);
    }
}

/// rank_merge_body for at most 128 values on each side into out (room for 256).
template <class T>
void rank_merge(const T* a, std::size_t na, const T* b, std::size_t nb, T* out) noexcept {
    if constexpr (std::is_same_v<T, double>) {
#if MLDP_KLL_DISPATCH
        static const rank_merge_f64_fn best =
            mldp::detail::cpu_best<rank_merge_f64_fn>(rank_merge_f64_default, rank_merge_f64_avx2, rank_merge_f64_avx512);
#else
        static const rank_merge_f64_fn best = rank_merge_f64_default;
#endif
        best(a, na, b, nb, out);
    } else {
        rank_merge_body(a, na, b, nb, out);
    }
}

}  // namespace mldp::sketch::detail

namespace mldp::sketch {

/// Quantile sketch of the values of type T (an arithmetic type) of a stream.
///
/// Items live in levels; an item at level h stands for 2^h stream values, so the weights always add up
/// to n() exactly. When the sketch is full, the lowest level at its capacity is sorted and halved: a
/// fair coin from the sketch's own mldp::rng picks the odd- or even-positioned items, which move up one
/// level with double weight (an odd item out stays behind). The coin is seeded (constructor), so a
/// sketch fed the same values in the same order is the same sketch on every platform.
///
/// Error: |rank estimate - true rank| <= normalized_rank_error() (single-sided; 1.33% at k = 200) with
/// probability at least 99%, also after merges (DataSketches' empirical constants for the same layout).
/// NaN values are ignored (count them with sketch::moments). update() is amortised O(log k), merge()
/// O(size of both), queries O(size log size).
template <class T>
class kll_sketch {
    static_assert(std::is_arithmetic_v<T> && !std::is_same_v<T, bool>,
                  "mldp::sketch::kll_sketch<T>: T must be an arithmetic type (double, float, int64_t, ...)");

    // Levels grow by resize() in compact() and merge(), and every new item is written right after:
    // the allocator leaves new items uninitialised rather than zeroing them first.
    using level = std::vector<T, detail::default_init_allocator<T>>;

public:
    static constexpr std::uint16_t default_k = 200;
    static constexpr std::uint16_t min_k = 8;

    /// k >= 8 sets accuracy (error about 2.3 / k^0.97); `seed` seeds the compaction coin.
    /// Throws invalid_argument for k outside that range.
    explicit kll_sketch(std::uint16_t k = default_k, std::uint64_t seed = 0) : k_(k), rng_(seed_sequence(seed).derive("kll")) {
        if (k < min_k) {
            throw invalid_argument(fmt::format("mldp::sketch::kll_sketch: k = {} is below the minimum {}", k, min_k));
        }
        levels_.resize(1);
        update_capacity();
    }

    /// Adds one value (NaN is ignored).
    void update(T x) {
        if constexpr (std::is_floating_point_v<T>) {
            if (std::isnan(x)) return;
        }
        if (n_ == 0) {
            min_ = max_ = x;
        } else {
            if (x < min_) min_ = x;
            if (x > max_) max_ = x;
        }
        ++n_;
        levels_[0].push_back(x);
        if (++retained_ >= total_capacity_) compress();
    }

    /// Adds the other sketch's values: the result summarises both streams, with the same error bound.
    /// Throws invalid_argument when the two k differ.
    void merge(const kll_sketch& other) {
        std::optional<kll_sketch> self;  // merging a sketch with itself reads a copy
        if (&other == this) self.emplace(other);
        const kll_sketch& o = self ? *self : other;
        if (o.k_ != k_) {
            throw invalid_argument(fmt::format("mldp::sketch::kll_sketch::merge: k differs ({} vs {})", k_, o.k_));
        }
        if (o.n_ == 0) return;
        if (o.n_ > ~std::uint64_t{0} - n_) throw invalid_argument("mldp::sketch::kll_sketch::merge: n would overflow 2^64");
        if (n_ == 0) {
            min_ = o.min_;
            max_ = o.max_;
        } else {
            if (o.min_ < min_) min_ = o.min_;
            if (o.max_ > max_) max_ = o.max_;
        }
        n_ += o.n_;
        if (o.levels_.size() > levels_.size()) {
            levels_.resize(o.levels_.size());
            update_capacity();
        }
        retained_ += o.retained_;
        levels_[0].insert(levels_[0].end(), o.levels_[0].begin(), o.levels_[0].end());
        for (std::size_t h = 1; h < o.levels_.size(); ++h) {
            auto& mine = levels_[h];
            const auto& theirs = o.levels_[h];
            if (theirs.empty()) continue;
            scratch_.resize(mine.size() + theirs.size());
            std::merge(mine.begin(), mine.end(), theirs.begin(), theirs.end(), scratch_.begin());  // ties: mine first
            mine.swap(scratch_);
        }
        compress();
    }

    bool empty() const noexcept { return n_ == 0; }
    /// Stream values seen (NaN excluded).
    std::uint64_t n() const noexcept { return n_; }
    std::uint16_t k() const noexcept { return k_; }
    /// Items retained.
    std::size_t retained() const noexcept { return retained_; }
    std::size_t num_levels() const noexcept { return levels_.size(); }
    /// Smallest and largest values seen (exact). Throw invalid_argument when empty.
    T min_item() const {
        require_nonempty("min_item");
        return min_;
    }
    T max_item() const {
        require_nonempty("max_item");
        return max_;
    }

    /// Normalised rank error at 99% confidence for this k: 2.296 / k^0.9723 for rank and quantile
    /// queries, 2.446 / k^0.9433 for pmf / cdf differences (DataSketches' fits to measured errors).
    double normalized_rank_error(bool pmf = false) const noexcept { return normalized_rank_error(k_, pmf); }
    static double normalized_rank_error(std::uint16_t k, bool pmf) noexcept {
        return pmf ? 2.446 / std::pow(static_cast<double>(k), 0.9433) : 2.296 / std::pow(static_cast<double>(k), 0.9723);
    }

    /// Estimated fraction of stream values <= x (inclusive). Throws invalid_argument when empty.
    double rank(T x) const {
        require_nonempty("rank");
        std::uint64_t w = 0;
        for (std::size_t h = 0; h < levels_.size(); ++h) {
            const auto& l = levels_[h];
            std::uint64_t c = 0;
            if (h == 0) {
                for (const T& v : l) c += !(x < v);
            } else {
                c = static_cast<std::uint64_t>(std::upper_bound(l.begin(), l.end(), x) - l.begin());
            }
            w += c << h;
        }
        return static_cast<double>(w) / static_cast<double>(n_);
    }

    /// Estimated q-quantile: the smallest retained item whose inclusive rank is >= q (q = 0 gives the
    /// minimum, q = 1 the maximum, both exact). Throws invalid_argument when empty or q is outside [0, 1].
    T quantile(double q) const {
        require_nonempty("quantile");
        if (!(q >= 0.0 && q <= 1.0)) {
            throw invalid_argument(fmt::format("mldp::sketch::kll_sketch::quantile: q = {} is outside [0, 1]", q));
        }
        if (q == 0.0) return min_;
        if (q == 1.0) return max_;
        const auto sorted = weighted_items();
        const double target = q * static_cast<double>(n_);
        std::uint64_t cum = 0;
        for (const auto& [v, w] : sorted) {
            cum += w;
            if (static_cast<double>(cum) >= target) return v;
        }
        return max_;
    }

    /// The retained items in ascending order, each with its weight (2^level): the sketch's
    /// approximation of the sorted stream, for merge-walks against other samples. O(r log r).
    std::vector<std::pair<T, std::uint64_t>> sorted_view() const {
        std::vector<std::pair<T, std::uint64_t>> out;
        out.reserve(retained_);
        for (const auto& w : weighted_items()) out.emplace_back(w.value, w.weight);
        return out;
    }

    /// Estimated quantiles for several q (one sort for all).
    std::vector<T> quantiles(const std::vector<double>& qs) const {
        std::vector<T> out;
        out.reserve(qs.size());
        for (double q : qs) out.push_back(quantile(q));
        return out;
    }

    /// Estimated CDF at ascending split points: rank(splits[i]) for each, then 1.0 (m + 1 values, as
    /// DataSketches' get_CDF). Throws invalid_argument when empty or the splits are not strictly
    /// ascending (or NaN).
    std::vector<double> cdf(const std::vector<T>& splits) const {
        require_nonempty("cdf");
        for (std::size_t i = 0; i < splits.size(); ++i) {
            if constexpr (std::is_floating_point_v<T>) {
                if (std::isnan(splits[i])) throw invalid_argument("mldp::sketch::kll_sketch::cdf: NaN split point");
            }
            if (i > 0 && !(splits[i - 1] < splits[i])) {
                throw invalid_argument("mldp::sketch::kll_sketch::cdf: split points must be strictly ascending");
            }
        }
        std::vector<double> out;
        out.reserve(splits.size() + 1);
        for (const T& s : splits) out.push_back(rank(s));
        out.push_back(1.0);
        return out;
    }

    /// Bytes in mldp's checked envelope (type tag "KLL1", version 1): k, n, min, max, the coin's state
    /// and every level. A deserialized sketch continues exactly where this one stopped.
    std::vector<std::uint8_t> serialize() const {
        archive_writer w("KLL1", 1);
        w.put_u8(type_code());
        w.put_u16(k_);
        w.put_u64(n_);
        put_item(w, n_ ? min_ : T{});
        put_item(w, n_ ? max_ : T{});
        for (auto s : rng_.state()) w.put_u64(s);
        w.put_u64(levels_.size());
        for (const auto& l : levels_) {
            w.put_u64(l.size());
            for (const T& v : l) put_item(w, v);
        }
        return w.finish();
    }

    /// Restores serialize()'s output. Checks the envelope, then every field before allocating: k in
    /// range, at most 61 levels, each level no larger than the bytes left, levels above 0 sorted, items
    /// within [min, max] and not NaN, and the level weights adding up to n. Throws format_error.
    static kll_sketch deserialize(const std::uint8_t* data, std::size_t size) {
        archive_reader r(data, size, "KLL1", 1, 1);
        r.require(r.get_u8("item type") == type_code(), "the buffer holds a sketch of another item type");
        const std::uint16_t k = r.get_u16("k");
        r.require(k >= min_k, "k below the minimum of 8");
        kll_sketch s(k);
        s.n_ = r.get_u64("n");
        s.min_ = get_item(r, "min");
        s.max_ = get_item(r, "max");
        std::uint64_t state[4];
        for (auto& v : state) v = r.get_u64("rng state");
        r.require((state[0] | state[1] | state[2] | state[3]) != 0, "the all-zero generator state is invalid");
        s.rng_.set_state(state);
        const std::uint64_t levels = r.get_u64("level count");
        r.require(levels >= 1 && levels <= 61, "level count must be in [1, 61]");
        s.levels_.assign(static_cast<std::size_t>(levels), {});
        // Total weight in 128 bits would be exact; levels <= 61 and counts bounded by the buffer keep
        // sum(count << h) below 2^64 only if checked as we go.
        std::uint64_t weight = 0;
        for (std::size_t h = 0; h < s.levels_.size(); ++h) {
            const std::uint64_t count = r.get_u64("level size");
            r.require(count <= r.remaining() / 8, "level size exceeds the remaining bytes (truncated or corrupt)");
            auto& l = s.levels_[h];
            l.resize(static_cast<std::size_t>(count));
            for (auto& v : l) {
                v = get_item(r, "item");
                if constexpr (std::is_floating_point_v<T>) r.require(!std::isnan(v), "NaN item");
                r.require(!(v < s.min_) && !(s.max_ < v), "item outside [min, max]");
            }
            if (h > 0) r.require(std::is_sorted(l.begin(), l.end()), "level above 0 not sorted");
            r.require(count <= ((~std::uint64_t{0}) >> h) && (count << h) <= ~std::uint64_t{0} - weight,
                      "level weights overflow");
            weight += count << h;
        }
        r.finish();
        r.require(weight == s.n_, "level weights do not add up to n");
        s.retained_ = 0;
        for (const auto& l : s.levels_) s.retained_ += l.size();
        s.update_capacity();
        if (s.n_ == 0) {
            r.require(s.min_ == T{} && s.max_ == T{}, "an empty sketch must store zero min and max");
        } else {
            if constexpr (std::is_floating_point_v<T>) {
                r.require(!std::isnan(s.min_) && !std::isnan(s.max_), "NaN min or max");
            }
            r.require(!(s.max_ < s.min_), "min above max");
        }
        return s;
    }
    static kll_sketch deserialize(const std::vector<std::uint8_t>& bytes) { return deserialize(bytes.data(), bytes.size()); }

private:
    static constexpr std::size_t min_width = 8;
    // compact() merges by counting positions (detail::rank_merge, O(na nb) compares) when both sides
    // have at most rank_merge_limit items and na nb <= rank_merge_work; above, a two-finger merge.
    static constexpr std::size_t rank_merge_limit = 128;
    static constexpr std::size_t rank_merge_work = 2048;
    // compact() sorts level 0 by counting positions (O(n^2) compares) up to this many items.
    static constexpr std::size_t level0_rank_limit = 64;

    /// Capacity of level h when there are num_levels levels: max(8, round(k (2/3)^depth)) with depth
    /// = num_levels - 1 - h, computed in integers as DataSketches does.
    std::size_t capacity(std::size_t h) const noexcept {
        const std::size_t depth = levels_.size() - 1 - h;
        return (std::max)(min_width, cap_aux(k_, depth));
    }
    static std::size_t cap_aux(std::uint64_t k, std::size_t depth) noexcept {
        // round(k * 2^d / 3^d), in steps of at most 30 so that 2k * 2^d fits in 64 bits.
        while (depth > 30) {
            k = cap_step(k, 30);
            depth -= 30;
        }
        return static_cast<std::size_t>(cap_step(k, depth));
    }
    static std::uint64_t cap_step(std::uint64_t k, std::size_t depth) noexcept {
        std::uint64_t three = 1;
        for (std::size_t i = 0; i < depth; ++i) three *= 3;
        return (((2 * k) << depth) / three + 1) >> 1;
    }

    /// Recomputes the cached level capacities (they change only when a level is added).
    void update_capacity() {
        caps_.resize(levels_.size());
        total_capacity_ = 0;
        for (std::size_t h = 0; h < levels_.size(); ++h) total_capacity_ += (caps_[h] = capacity(h));
    }

    /// DataSketches' lazy scheme: only when the sketch as a whole is full, compact the lowest level at
    /// or over its capacity (or the top level, adding a level above it), until it fits again.
    void compress() {
        while (retained_ >= total_capacity_) {
            std::size_t h = 0;
            while (h + 1 < levels_.size() && levels_[h].size() < caps_[h]) ++h;
            compact(h);
        }
    }

    // Merges the sorted `count` items at picked into the sorted level `next` (ties: next's first), by
    // counting each item's position (detail::rank_merge).
    static void merge_small(level& next, const T* picked, std::size_t count) {
        const std::size_t na = next.size();
        T merged[2 * rank_merge_limit];
        detail::rank_merge(next.data(), na, picked, count, merged);
        next.resize(na + count);
        std::copy(merged, merged + na + count, next.begin());
    }

    void compact(std::size_t h) {
        if (h + 1 == levels_.size()) {
            levels_.emplace_back();
            update_capacity();
        }
        auto& lvl = levels_[h];
        // An odd item out (the least) stays at this level; of the rest, the coin picks the odd- or
        // even-positioned half in sorted order, merged into the level above.
        const std::size_t start = lvl.size() % 2;
        const std::size_t offset = static_cast<std::size_t>(rng_.next_u64() >> 63);
        const std::size_t half = (lvl.size() - start) / 2;
        auto& next = levels_[h + 1];
        if (h == 0 && lvl.size() <= level0_rank_limit && next.size() <= rank_merge_limit && next.size() * half <= rank_merge_work) {
            // Level 0 arrives unsorted and is compacted tens of thousands of times per million values,
            // at about 15 items (k = 200): sorted and merged by counting positions (no branch on the
            // data; see detail::rank_sort).
            T sorted[level0_rank_limit], picked[level0_rank_limit / 2];
            detail::rank_sort(lvl.data(), lvl.size(), sorted);
            for (std::size_t j = 0; j < half; ++j) picked[j] = sorted[start + offset + 2 * j];
            merge_small(next, picked, half);
            retained_ -= half;
            lvl.resize(start);
            if (start == 1) lvl[0] = sorted[0];
            return;
        }
        if (h == 0) std::sort(lvl.begin(), lvl.end());
        if (next.size() <= rank_merge_limit && half <= rank_merge_limit && next.size() * half <= rank_merge_work) {
            // Small levels (all but the top few): the picked half, then the merge by counting.
            T picked[rank_merge_limit];
            const T* const from = lvl.data() + start + offset;
            for (std::size_t j = 0; j < half; ++j) picked[j] = from[2 * j];
            merge_small(next, picked, half);
            retained_ -= half;
            lvl.resize(start);
            return;
        }
        scratch_.resize(next.size() + half);
        const T* const a = next.data();
        const T* const b = lvl.data() + start + offset;  // b[2 j], j < half
        std::size_t i = 0, j = 0;
        T* out = scratch_.data();
        const std::size_t na = next.size();
        if (na > 0 && half > 0) {
            // Branch-free (the comparison is a coin flip to the predictor), and the candidates after
            // the current pair are loaded before the comparison decides, so that the loop-carried
            // chain is compare-and-select rather than compare, index, load.
            T x = b[0], y = a[0];
            for (;;) {
                const T nx = b[2 * (j + 1 < half ? j + 1 : j)], ny = a[i + 1 < na ? i + 1 : i];
                const bool take_b = x < y;
                *out++ = take_b ? x : y;
                j += take_b;
                i += !take_b;
                if (j == half || i == na) break;
                x = take_b ? nx : x;
                y = take_b ? y : ny;
            }
        }
        while (i < na) *out++ = a[i++];
        while (j < half) *out++ = b[2 * j++];
        next.swap(scratch_);
        retained_ -= half;
        lvl.resize(start);
    }

    struct weighted {
        T value;
        std::uint64_t weight;
    };
    std::vector<weighted> weighted_items() const {
        std::vector<weighted> all;
        all.reserve(retained());
        for (std::size_t h = 0; h < levels_.size(); ++h) {
            for (const T& v : levels_[h]) all.push_back({v, std::uint64_t{1} << h});
        }
        std::stable_sort(all.begin(), all.end(), [](const weighted& a, const weighted& b) { return a.value < b.value; });
        return all;
    }

    void require_nonempty(const char* what) const {
        if (n_ == 0) throw invalid_argument(std::string("mldp::sketch::kll_sketch::") + what + ": the sketch is empty");
    }

    static constexpr std::uint8_t type_code() noexcept {
        if constexpr (std::is_same_v<T, double>) return 1;
        else if constexpr (std::is_same_v<T, float>) return 2;
        else if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) return static_cast<std::uint8_t>(16 + sizeof(T));
        else return static_cast<std::uint8_t>(32 + sizeof(T));
    }
    static void put_item(archive_writer& w, T v) {
        if constexpr (std::is_floating_point_v<T>) {
            w.put_f64(static_cast<double>(v));
        } else if constexpr (std::is_signed_v<T>) {
            w.put_i64(static_cast<std::int64_t>(v));
        } else {
            w.put_u64(static_cast<std::uint64_t>(v));
        }
    }
    static T get_item(archive_reader& r, const char* what) {
        if constexpr (std::is_floating_point_v<T>) {
            const double d = r.get_f64(what);
            if constexpr (std::is_same_v<T, float>) {
                r.require(std::isnan(d) || static_cast<double>(static_cast<float>(d)) == d, "item is not a float");
            }
            return static_cast<T>(d);
        } else if constexpr (std::is_signed_v<T>) {
            const std::int64_t v = r.get_i64(what);
            r.require(v >= static_cast<std::int64_t>((std::numeric_limits<T>::min)()) &&
                          v <= static_cast<std::int64_t>((std::numeric_limits<T>::max)()),
                      "item out of range for the item type");
            return static_cast<T>(v);
        } else {
            const std::uint64_t v = r.get_u64(what);
            r.require(v <= static_cast<std::uint64_t>((std::numeric_limits<T>::max)()), "item out of range for the item type");
            return static_cast<T>(v);
        }
    }

    std::uint16_t k_;
    std::uint64_t n_ = 0;
    std::size_t retained_ = 0;
    std::size_t total_capacity_ = 0;
    T min_{}, max_{};
    rng rng_;
    std::vector<level> levels_;
    level scratch_;                   // merge buffer, reused (never part of the state)

    std::vector<std::size_t> caps_;   // capacity of each level, cached
};

}  // namespace mldp::sketch

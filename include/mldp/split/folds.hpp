// mldp — cross-validation folds. Without shuffling, k_fold, stratified_k_fold, group_k_fold (where group
// sizes are distinct), stratified_group_k_fold and time_series_folds give exactly the folds of
// scikit-learn 1.2's KFold, StratifiedKFold, GroupKFold, StratifiedGroupKFold and TimeSeriesSplit.
// Shuffled variants draw from mldp::rng, so they are reproducible on every platform (but not equal to
// scikit-learn's, which draw from NumPy's generator).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "mldp/core/detail/portable_math.hpp"
#include "mldp/core/error.hpp"
#include "mldp/core/numeric.hpp"
#include "mldp/core/detail/memory.hpp"
#include "mldp/core/random.hpp"
#include "mldp/split/detail/labels.hpp"
#include "mldp/split/fractions.hpp"
#include "mldp/split/result.hpp"

namespace mldp::split {

/// Options of time_series_folds (scikit-learn's TimeSeriesSplit): rows dropped between each train
/// set and its test set, the test size (0: n / (k + 1)), and the largest train set (0: unlimited).
struct time_series_options {
    std::size_t gap = 0;
    std::size_t test_size = 0;
    std::size_t max_train_size = 0;
};

namespace detail {

inline void require_k(std::size_t k, std::size_t n, const char* fn, const char* units = "rows") {
    if (k < 2) throw invalid_argument(fmt::format("{}: k = {} folds; need at least 2", fn, k));
    if (k > n) throw invalid_argument(fmt::format("{}: k = {} folds is more than the {} {}", fn, k, n, units));
}

/// Folds from a fold id per row (ids in [0, k)): test = rows with the id, train = the others.
inline std::vector<fold> folds_from_ids(const std::vector<std::uint32_t>& id, std::size_t k) {
    std::vector<std::size_t> sizes(k, 0);
    for (auto f : id) ++sizes[f];
    std::vector<fold> out(k);
    for (std::size_t f = 0; f < k; ++f) {
        mldp::detail::reserve_large(out[f].test, sizes[f]);
        mldp::detail::reserve_large(out[f].train, id.size() - sizes[f]);
    }
    for (std::size_t i = 0; i < id.size(); ++i) {
        for (std::size_t f = 0; f < k; ++f) (f == id[i] ? out[f].test : out[f].train).push_back(i);
    }
    return out;
}

/// scikit-learn's StratifiedKFold allocation: classes numbered by first appearance, the rows sorted by
/// class dealt round-robin to the folds; class c's first allocation[0][c] rows (in row order) go to
/// fold 0, the next allocation[1][c] to fold 1, and so on (shuffled per class when g is given).
inline std::vector<std::uint32_t> stratified_fold_ids(const encoded_labels& e, std::size_t k, rng* g) {
    const std::size_t n = e.size(), nc = e.classes();
    std::vector<std::uint32_t> appearance(nc, (std::numeric_limits<std::uint32_t>::max)());
    std::vector<std::uint32_t> by_appearance;
    for (std::size_t i = 0; i < n; ++i) {
        auto& a = appearance[e.codes[i]];
        if (a == (std::numeric_limits<std::uint32_t>::max)()) {
            a = static_cast<std::uint32_t>(by_appearance.size());
            by_appearance.push_back(e.codes[i]);
        }
    }
    // Positions p in [lo, hi) of the class-sorted order with p % k == f.
    auto dealt = [k](std::size_t lo, std::size_t hi, std::size_t f) {
        auto below = [&](std::size_t x) { return x > f ? (x - f - 1) / k + 1 : std::size_t{0}; };
        return below(hi) - below(lo);
    };
    std::vector<std::vector<std::uint32_t>> fold_seq(nc);
    std::size_t start = 0;
    for (std::uint32_t c : by_appearance) {
        const std::size_t cnt = e.counts[c];
        auto& seq = fold_seq[c];
        seq.reserve(cnt);
        for (std::size_t f = 0; f < k; ++f) seq.insert(seq.end(), dealt(start, start + cnt, f), static_cast<std::uint32_t>(f));
        if (g) mldp::shuffle(seq.begin(), seq.end(), *g);
        start += cnt;
    }
    std::vector<std::size_t> next(nc, 0);
    auto id = mldp::detail::large_vector<std::uint32_t>(n);
    for (std::size_t i = 0; i < n; ++i) id[i] = fold_seq[e.codes[i]][next[e.codes[i]]++];
    return id;
}

template <class L>
std::vector<fold> stratified_k_fold_impl(const L& labels, std::size_t k, rng* g) {
    constexpr const char* fn = "mldp::split::stratified_k_fold";
    const encoded_labels e = encode_labels(labels, "labels", false);
    require_nonempty(e.size(), fn);
    require_k(k, e.size(), fn);
    if (*std::max_element(e.counts.begin(), e.counts.end()) < k) {
        throw invalid_argument(fmt::format("{}: k = {} is more than the rows of every class", fn, k));
    }
    return folds_from_ids(stratified_fold_ids(e, k, g), k);
}

/// numpy.std (population) of m values summed in sequence: NumPy's order for a reduction over the
/// outer axis of a C-ordered array (np.std(a, axis=0)). Each square is rounded before it is added
/// (fp_barrier), so FMA contraction cannot change which fold wins a comparison.
inline double numpy_std_outer(const double* v, std::size_t m) noexcept {
    double s = 0;
    for (std::size_t j = 0; j < m; ++j) s += v[j];
    const double mean = s / static_cast<double>(m);
    double q = 0;
    for (std::size_t j = 0; j < m; ++j) q += mldp::detail::fp_barrier((v[j] - mean) * (v[j] - mean));
    return std::sqrt(q / static_cast<double>(m));
}

/// numpy.std (population) of a contiguous row, as NumPy reduces it (np.std(a, axis=1)): both sums
/// by NumPy's pairwise summation (mldp::pairwise_sum is bit-exact with it). `squares` is scratch.
inline double numpy_std_row(const double* v, std::size_t m, std::vector<double>& squares) {
    const double mean = mldp::pairwise_sum(v, m) / static_cast<double>(m);
    squares.resize(m);
    for (std::size_t j = 0; j < m; ++j) squares[j] = mldp::detail::fp_barrier((v[j] - mean) * (v[j] - mean));
    return std::sqrt(mldp::pairwise_sum(squares.data(), m) / static_cast<double>(m));
}

}  // namespace detail

/// k contiguous folds of rows 0..n-1: the first n % k folds have n / k + 1 rows, the others n / k
/// (scikit-learn's KFold(k)). Throws invalid_argument for k < 2 or k > n.
inline std::vector<fold> k_fold(std::size_t n, std::size_t k) {
    detail::require_k(k, n, "mldp::split::k_fold");
    auto id = mldp::detail::large_vector<std::uint32_t>(n);
    std::size_t at = 0;
    for (std::size_t f = 0; f < k; ++f) {
        const std::size_t size = n / k + (f < n % k ? 1 : 0);
        for (std::size_t j = 0; j < size; ++j) id[at++] = static_cast<std::uint32_t>(f);
    }
    return detail::folds_from_ids(id, k);
}

/// Shuffled k-fold: the same fold sizes as k_fold(n, k), rows permuted by mldp::shuffle with
/// seed_sequence(seed).derive("k_fold") first. Throws invalid_argument for k < 2 or k > n.
inline std::vector<fold> k_fold(std::size_t n, std::size_t k, std::uint64_t seed) {
    detail::require_k(k, n, "mldp::split::k_fold");
    auto perm = mldp::detail::large_vector<std::size_t>(n);
    std::iota(perm.begin(), perm.end(), std::size_t{0});
    rng g(seed_sequence(seed).derive("k_fold"));
    mldp::shuffle(perm.begin(), perm.end(), g);
    auto id = mldp::detail::large_vector<std::uint32_t>(n);
    std::size_t at = 0;
    for (std::size_t f = 0; f < k; ++f) {
        const std::size_t size = n / k + (f < n % k ? 1 : 0);
        for (std::size_t j = 0; j < size; ++j) id[perm[at++]] = static_cast<std::uint32_t>(f);
    }
    return detail::folds_from_ids(id, k);
}

/// Stratified k-fold exactly as scikit-learn 1.2's StratifiedKFold(k) (shuffle=False): each class
/// spread over the folds by dealing the class-sorted rows round-robin, each class's rows taken in row
/// order. Throws invalid_argument for k < 2, k > n, or k greater than every class's size (a class
/// smaller than k is simply absent from some folds, as in scikit-learn, which warns).
template <class L>
std::vector<fold> stratified_k_fold(const L& labels, std::size_t k) {
    return detail::stratified_k_fold_impl(labels, k, nullptr);
}

/// Shuffled stratified k-fold: the same per-class fold counts, each class's fold sequence shuffled
/// with seed_sequence(seed).derive("stratified_k_fold") (scikit-learn's shuffle=True scheme).
template <class L>
std::vector<fold> stratified_k_fold(const L& labels, std::size_t k, std::uint64_t seed) {
    rng g(seed_sequence(seed).derive("stratified_k_fold"));
    return detail::stratified_k_fold_impl(labels, k, &g);
}

/// Group k-fold as scikit-learn 1.2's GroupKFold(k): groups by decreasing size, each to the fold
/// with the fewest rows so far (the lowest-numbered on a tie). Groups of equal size are taken in
/// ascending order of value (scikit-learn leaves that order to an unstable sort, so the two agree
/// whenever sizes are distinct). Throws invalid_argument for k < 2 or more folds than groups.
template <class G>
std::vector<fold> group_k_fold(const G& groups, std::size_t k) {
    constexpr const char* fn = "mldp::split::group_k_fold";
    const detail::encoded_labels e = detail::encode_labels(groups, "groups", false);
    detail::require_nonempty(e.size(), fn);
    detail::require_k(k, e.classes(), fn, "groups");
    std::vector<std::uint32_t> order(e.classes());
    std::iota(order.begin(), order.end(), std::uint32_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::uint32_t a, std::uint32_t b) { return e.counts[a] > e.counts[b]; });
    std::vector<std::size_t> load(k, 0);
    std::vector<std::uint32_t> group_fold(e.classes());
    for (auto grp : order) {
        const auto f = static_cast<std::size_t>(std::min_element(load.begin(), load.end()) - load.begin());
        load[f] += e.counts[grp];
        group_fold[grp] = static_cast<std::uint32_t>(f);
    }
    auto id = mldp::detail::large_vector<std::uint32_t>(e.size());
    for (std::size_t i = 0; i < e.size(); ++i) id[i] = group_fold[e.codes[i]];
    return detail::folds_from_ids(id, k);
}

namespace detail {

template <class L, class G>
std::vector<fold> stratified_group_k_fold_impl(const L& labels, const G& groups, std::size_t k, rng* g) {
    constexpr const char* fn = "mldp::split::stratified_group_k_fold";
    const encoded_labels y = encode_labels(labels, "labels", false);
    const encoded_labels gr = encode_labels(groups, "groups", false);
    require_nonempty(y.size(), fn);
    require_rows(gr.size(), y.size(), fn, "groups");
    require_k(k, gr.classes(), fn, "groups");
    if (*std::max_element(y.counts.begin(), y.counts.end()) < k) {
        throw invalid_argument(fmt::format("{}: k = {} is more than the rows of every class", fn, k));
    }
    const std::size_t nc = y.classes(), ng = gr.classes();
    std::vector<double> per_group(ng * nc, 0.0);
    for (std::size_t i = 0; i < y.size(); ++i) per_group[gr.codes[i] * nc + y.codes[i]] += 1.0;
    std::vector<std::uint32_t> order(ng);  // order[t] = group at position t
    std::iota(order.begin(), order.end(), std::uint32_t{0});
    if (g) mldp::shuffle(order.begin(), order.end(), *g);
    std::vector<double> spread(ng);
    std::vector<double> scratch;
    for (std::size_t grp = 0; grp < ng; ++grp) spread[grp] = numpy_std_row(&per_group[grp * nc], nc, scratch);
    // scikit-learn: a stable sort by decreasing spread of the class counts.
    std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return -spread[a] < -spread[b]; });
    std::vector<double> per_fold(k * nc, 0.0);
    std::vector<double> fold_size(k, 0.0);
    std::vector<double> column(k), std_per_class(nc);
    std::vector<std::uint32_t> group_fold(ng);
    for (auto grp : order) {
        const double* gy = &per_group[grp * nc];
        std::size_t best = 0;
        double min_eval = std::numeric_limits<double>::infinity();
        double min_samples = std::numeric_limits<double>::infinity();
        for (std::size_t f = 0; f < k; ++f) {
            for (std::size_t c = 0; c < nc; ++c) {
                const double total = static_cast<double>(y.counts[c]);
                for (std::size_t f2 = 0; f2 < k; ++f2) {
                    const double v = per_fold[f2 * nc + c] + (f2 == f ? gy[c] : 0.0);
                    column[f2] = v / total;
                }
                std_per_class[c] = numpy_std_outer(column.data(), k);
            }
            const double fold_eval = mldp::pairwise_sum(std_per_class.data(), nc) / static_cast<double>(nc);  // np.mean
            const double samples = fold_size[f];
            const bool close =  // np.isclose(fold_eval, min_eval)
                std::fabs(fold_eval - min_eval) <= 1e-8 + mldp::detail::fp_barrier(1e-5 * std::fabs(min_eval));
            if (fold_eval < min_eval || (close && samples < min_samples)) {
                min_eval = fold_eval;
                min_samples = samples;
                best = f;
            }
        }
        for (std::size_t c = 0; c < nc; ++c) per_fold[best * nc + c] += gy[c];
        fold_size[best] += static_cast<double>(gr.counts[grp]);
        group_fold[grp] = static_cast<std::uint32_t>(best);
    }
    auto id = mldp::detail::large_vector<std::uint32_t>(y.size());
    for (std::size_t i = 0; i < y.size(); ++i) id[i] = group_fold[gr.codes[i]];
    return folds_from_ids(id, k);
}

}  // namespace detail

/// Stratified group k-fold as scikit-learn 1.2's StratifiedGroupKFold(k) (shuffle=False): groups in
/// decreasing order of the spread of their class counts, each to the fold that keeps the class
/// shares across folds most even (mean over classes of the standard deviation of per-fold shares),
/// the smaller fold on a near tie. No group spans two folds. O(G k^2 K). Throws invalid_argument for
/// k < 2, more folds than groups, k greater than every class's size, or groups of another length.
template <class L, class G>
std::vector<fold> stratified_group_k_fold(const L& labels, const G& groups, std::size_t k) {
    return detail::stratified_group_k_fold_impl(labels, groups, k, nullptr);
}

/// Shuffled stratified group k-fold: groups shuffled with seed_sequence(seed).derive(
/// "stratified_group_k_fold") before the stable sort, as scikit-learn's shuffle=True.
template <class L, class G>
std::vector<fold> stratified_group_k_fold(const L& labels, const G& groups, std::size_t k, std::uint64_t seed) {
    rng g(seed_sequence(seed).derive("stratified_group_k_fold"));
    return detail::stratified_group_k_fold_impl(labels, groups, k, &g);
}

/// Expanding-window folds for time-ordered rows, exactly scikit-learn 1.2's TimeSeriesSplit(k, gap,
/// test_size, max_train_size): test sets of test_size (default n / (k + 1)) rows ending at n, each
/// train set the rows before its test set minus `gap` rows, cut to the last max_train_size rows when
/// given. Throws invalid_argument for k < 2, k + 1 > n, or when the folds do not fit
/// (n - gap - k * test_size <= 0).
inline std::vector<fold> time_series_folds(std::size_t n, std::size_t k, const time_series_options& o = {}) {
    constexpr const char* fn = "mldp::split::time_series_folds";
    if (k < 2) throw invalid_argument(fmt::format("{}: k = {} folds; need at least 2", fn, k));
    if (k >= n) throw invalid_argument(fmt::format("{}: k = {} folds need at least k + 1 rows, got {}", fn, k, n));
    const std::size_t test_size = o.test_size ? o.test_size : n / (k + 1);
    // scikit-learn's condition n - gap - k * test_size <= 0, without overflow.
    if (o.gap >= n || test_size > (n - o.gap - 1) / k) {
        throw invalid_argument(fmt::format("{}: {} folds of test_size {} with gap {} do not fit in {} rows", fn, k,
                                           test_size, o.gap, n));
    }
    std::vector<fold> out;
    out.reserve(k);
    for (std::size_t test_start = n - k * test_size; test_start < n; test_start += test_size) {
        const std::size_t train_end = test_start - o.gap;
        const std::size_t train_start =
            o.max_train_size && o.max_train_size < train_end ? train_end - o.max_train_size : 0;
        fold f;
        f.train.resize(train_end - train_start);
        std::iota(f.train.begin(), f.train.end(), train_start);
        f.test.resize(test_size);
        std::iota(f.test.begin(), f.test.end(), test_start);
        out.push_back(std::move(f));
    }
    return out;
}

/// `repeats` shuffled k_fold(n, k, s_r) one after another, s_r = seed_sequence(seed).derive(r).key():
/// repeats * k folds (scikit-learn's RepeatedKFold scheme). Throws as k_fold, and for repeats = 0.
inline std::vector<fold> repeated_k_fold(std::size_t n, std::size_t k, std::size_t repeats, std::uint64_t seed) {
    if (repeats == 0) throw invalid_argument("mldp::split::repeated_k_fold: repeats must be at least 1");
    std::vector<fold> out;
    for (std::size_t r = 0; r < repeats; ++r) {
        auto f = k_fold(n, k, seed_sequence(seed).derive(static_cast<std::uint64_t>(r)).key());
        for (auto& x : f) out.push_back(std::move(x));
    }
    return out;
}

/// `repeats` shuffled stratified_k_fold(labels, k, s_r) one after another (s_r as repeated_k_fold).
template <class L>
std::vector<fold> repeated_stratified_k_fold(const L& labels, std::size_t k, std::size_t repeats, std::uint64_t seed) {
    if (repeats == 0) throw invalid_argument("mldp::split::repeated_stratified_k_fold: repeats must be at least 1");
    std::vector<fold> out;
    for (std::size_t r = 0; r < repeats; ++r) {
        auto f = stratified_k_fold(labels, k, seed_sequence(seed).derive(static_cast<std::uint64_t>(r)).key());
        for (auto& x : f) out.push_back(std::move(x));
    }
    return out;
}

}  // namespace mldp::split

// mldp — seeded splits: random_split (exact sizes), stratified_split (every class in every subset in
// proportion, within one row), group_split (no group in two subsets).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <bitset>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <fmt/format.h>

#include "mldp/core/detail/memory.hpp"
#include "mldp/core/error.hpp"
#include "mldp/core/hash.hpp"
#include "mldp/core/random.hpp"
#include "mldp/split/detail/labels.hpp"
#include "mldp/split/fractions.hpp"
#include "mldp/split/hash.hpp"
#include "mldp/split/result.hpp"

namespace mldp::split {

/// What stratified_split does with a class that has fewer rows than there are non-empty subsets.
///   error:         throw invalid_argument naming the class (default);
///   keep_in_train: put all its rows in train and stratify the other classes.
enum class rare_class_policy { error, keep_in_train };

/// Options of stratified_split.
struct stratified_options {
    rare_class_policy rare_classes = rare_class_policy::error;
};

/// Whether group_split's fractions count rows (default) or groups.
enum class group_unit { rows, groups };

/// Options of group_split.
struct group_options {
    group_unit unit = group_unit::rows;
};

namespace detail {

__extension__ typedef unsigned __int128 split_u128;

/// Controlled rounding of the K x 3 table p[i][j] = counts[i] * sizes[j] / N (N = sum of counts =
/// sum of sizes): an integer table with the same row sums (counts) and column sums (sizes) whose every
/// cell is floor(p) or ceil(p), i.e. within one of proportional. Such a table always exists (the
/// transportation polytope has integral vertices; Cox & Ernst, "Controlled rounding", INFOR 1982).
/// Found greedily, column by column, giving the extra units to the largest remainders (scikit-learn's
/// _approximate_mode, in exact integer arithmetic; equal remainders in an order drawn from `g`), then
/// completed by augmenting paths through the three columns where the greedy pass left a class short.
inline std::vector<std::array<std::size_t, 3>> allocate(const std::vector<std::size_t>& counts,
                                                        const std::array<std::size_t, 3>& sizes, rng& g) {
    const std::size_t k = counts.size();
    std::size_t n = 0;
    for (auto c : counts) n += c;
    std::vector<std::array<std::size_t, 3>> x(k);
    std::vector<std::array<std::uint64_t, 3>> rem(k);
    std::vector<std::array<bool, 3>> up(k, {false, false, false});
    std::vector<std::size_t> need(k, 0);
    std::array<std::size_t, 3> col_need = sizes;
    for (std::size_t i = 0; i < k; ++i) {
        std::size_t floors = 0;
        for (int j = 0; j < 3; ++j) {
            const split_u128 prod = static_cast<split_u128>(counts[i]) * sizes[static_cast<std::size_t>(j)];
            x[i][static_cast<std::size_t>(j)] = static_cast<std::size_t>(prod / n);
            rem[i][static_cast<std::size_t>(j)] = static_cast<std::uint64_t>(prod % n);
            floors += x[i][static_cast<std::size_t>(j)];
            col_need[static_cast<std::size_t>(j)] -= x[i][static_cast<std::size_t>(j)];
        }
        need[i] = counts[i] - floors;
    }
    std::vector<std::size_t> order(k);
    std::iota(order.begin(), order.end(), std::size_t{0});
    mldp::shuffle(order.begin(), order.end(), g);
    std::array<std::size_t, 3> assigned = {0, 0, 0};
    for (std::size_t j = 0; j < 3; ++j) {
        std::vector<std::size_t> by_rem = order;
        std::stable_sort(by_rem.begin(), by_rem.end(),
                         [&](std::size_t a, std::size_t b) { return rem[a][j] > rem[b][j]; });
        for (std::size_t i : by_rem) {
            if (assigned[j] == col_need[j]) break;
            if (rem[i][j] > 0 && need[i] > 0) {
                up[i][j] = true;
                --need[i];
                ++assigned[j];
            }
        }
    }
    // Augment: a class still short takes a unit in a column with room, possibly by moving another
    // class's unit from a full column to one with room (at most two moves with three columns).
    for (std::size_t i0 : order) {
        while (need[i0] > 0) {
            std::array<int, 3> prev_col = {-2, -2, -2};  // -2 unvisited, -1 start
            std::array<std::size_t, 3> via = {0, 0, 0};
            std::array<std::size_t, 3> queue{};
            std::size_t head = 0, tail = 0;
            for (std::size_t j = 0; j < 3; ++j) {
                if (rem[i0][j] > 0 && !up[i0][j]) {
                    prev_col[j] = -1;
                    queue[tail++] = j;
                }
            }
            int found = -1;
            while (head < tail && found < 0) {
                const std::size_t j = queue[head++];
                if (assigned[j] < col_need[j]) {
                    found = static_cast<int>(j);
                    break;
                }
                for (std::size_t i = 0; i < k && tail < 3; ++i) {
                    if (!up[i][j]) continue;
                    for (std::size_t j2 = 0; j2 < 3; ++j2) {
                        if (prev_col[j2] == -2 && rem[i][j2] > 0 && !up[i][j2]) {
                            prev_col[j2] = static_cast<int>(j);
                            via[j2] = i;
                            queue[tail++] = j2;
                        }
                    }
                }
            }
            if (found < 0) {
                throw error("mldp::split: internal error: no controlled rounding found for the class counts "
                            "(this should be impossible; please report the counts and fractions)");
            }
            auto j = static_cast<std::size_t>(found);
            ++assigned[j];
            while (prev_col[j] >= 0) {
                const auto p = static_cast<std::size_t>(prev_col[j]);
                up[via[j]][j] = true;
                up[via[j]][p] = false;
                j = p;
            }
            up[i0][j] = true;
            --need[i0];
        }
    }
    for (std::size_t i = 0; i < k; ++i) {
        for (std::size_t j = 0; j < 3; ++j) x[i][j] += up[i][j];
    }
    return x;
}

/// Assigns each row of a class by sequential selection (Knuth's Algorithm S generalised to three
/// outcomes): with a, b, c rows still to place in train, validation and test among R = a + b + c, a
/// row goes to train with probability a / R, to validation with b / R. Every assignment with the
/// given counts is equally likely, and the output comes out in ascending row order. One rng draw
/// per row.
struct remaining {
    std::uint64_t train = 0, validation = 0, total = 0;
};

inline std::uint8_t draw(remaining& r, rng& g) noexcept {
    const std::uint64_t u = g.bounded_unchecked(r.total);
    --r.total;
    if (u < r.train) {
        --r.train;
        return 0;
    }
    if (u < r.train + r.validation) {
        --r.validation;
        return 1;
    }
    return 2;
}

/// 64-bit keyed hash of each row's key (xxh3 with `seed`), for order-independent selection.
template <class K>
std::vector<std::uint64_t> key_hashes(const K& keys, std::uint64_t seed) {
    std::vector<std::uint64_t> h;
    with_key_values(
        keys, [&](std::string_view k) { return hash64(k, seed); }, [&](auto k) { return hash_value(k, seed); },
        [&](std::size_t n, auto&& hash_of) {
            h.resize(n);
            for (std::size_t i = 0; i < n; ++i) h[i] = hash_of(i);
        });
    return h;
}

template <class L, class K>
split_result stratified_impl(const L& labels, const K* keys, const fractions& f, std::uint64_t seed,
                             const stratified_options& options) {
    constexpr const char* fn = "mldp::split::stratified_split";
    validate(f, fn);
    const encoded_labels e = encode_labels(labels, "labels");
    const std::size_t n = e.size();
    require_nonempty(n, fn);
    std::vector<std::uint64_t> hashes;
    if (keys) {
        const seed_sequence ks = seed_sequence(seed).derive("stratified_split/keys");
        hashes = key_hashes(*keys, ks.key());
        require_rows(hashes.size(), n, fn, "keys");
    }
    const std::size_t k = e.classes();
    const auto min_rows = static_cast<std::size_t>(nonempty_subsets(f));
    std::vector<char> rare(k, 0);
    std::size_t stratified_rows = n;
    std::vector<std::size_t> strat_counts = e.counts;
    for (std::size_t c = 0; c < k; ++c) {
        if (e.counts[c] >= min_rows) continue;
        if (options.rare_classes == rare_class_policy::error) {
            throw invalid_argument(fmt::format(
                "{}: class '{}' has {} row(s), fewer than the {} non-empty subsets; every class needs one row per "
                "subset (or use rare_class_policy::keep_in_train)",
                fn, e.names[c], e.counts[c], min_rows));
        }
        if (f.train <= 0) {
            throw invalid_argument(fmt::format(
                "{}: class '{}' has {} row(s) and rare_class_policy::keep_in_train needs a positive train fraction",
                fn, e.names[c], e.counts[c]));
        }
        rare[c] = 1;
        stratified_rows -= e.counts[c];
        strat_counts[c] = 0;
    }
    std::vector<std::array<std::size_t, 3>> cells(k, {0, 0, 0});
    if (stratified_rows > 0) {
        rng alloc_rng(seed_sequence(seed).derive("stratified_split/allocation"));
        std::vector<std::size_t> idx, sub_counts;
        for (std::size_t c = 0; c < k; ++c) {
            if (!rare[c]) {
                idx.push_back(c);
                sub_counts.push_back(e.counts[c]);
            }
        }
        const auto sub = allocate(sub_counts, subset_sizes(stratified_rows, f), alloc_rng);
        for (std::size_t t = 0; t < idx.size(); ++t) cells[idx[t]] = sub[t];
    }
    for (std::size_t c = 0; c < k; ++c) {
        if (rare[c]) cells[c] = {e.counts[c], 0, 0};
    }

    split_result r;
    if (!keys) {
        std::vector<remaining> rem(k);
        std::array<std::size_t, 3> sizes = {0, 0, 0};
        for (std::size_t c = 0; c < k; ++c) {
            rem[c] = {cells[c][0], cells[c][1], e.counts[c]};
            for (std::size_t j = 0; j < 3; ++j) sizes[j] += cells[c][j];
        }
        rng g(seed_sequence(seed).derive("stratified_split/rows"));
        subset_sink(r, sizes[0], sizes[1], sizes[2]).fill(n, [&](std::size_t i) { return draw(rem[e.codes[i]], g); });
    } else {
        std::vector<std::uint8_t> a(n);
        // Rank the rows of each class by keyed hash (ties by row): the lowest go to train, the next to
        // validation. The result depends on the (label, key) pairs only, not on row order.
        std::vector<std::size_t> start(k + 1, 0);
        for (std::size_t c = 0; c < k; ++c) start[c + 1] = start[c] + e.counts[c];
        std::vector<std::size_t> rows(n);
        std::vector<std::size_t> pos(start.begin(), start.end() - 1);
        for (std::size_t i = 0; i < n; ++i) rows[pos[e.codes[i]]++] = i;
        for (std::size_t c = 0; c < k; ++c) {
            auto first = rows.begin() + static_cast<std::ptrdiff_t>(start[c]);
            auto last = rows.begin() + static_cast<std::ptrdiff_t>(start[c + 1]);
            std::sort(first, last, [&](std::size_t x, std::size_t y) {
                return hashes[x] != hashes[y] ? hashes[x] < hashes[y] : x < y;
            });
            std::size_t rank = 0;
            for (auto it = first; it != last; ++it, ++rank) {
                a[*it] = static_cast<std::uint8_t>((rank >= cells[c][0]) + (rank >= cells[c][0] + cells[c][1]));
            }
        }
        fill_from_assignment(a, r);
    }
    r.info.algorithm = keys ? "stratified_split/keyed" : "stratified_split";
    r.info.seed = seed;
    r.info.requested = f;
    r.info.classes.reserve(k);
    for (std::size_t c = 0; c < k; ++c) {
        r.info.classes.push_back({e.names[c], cells[c][0], cells[c][1], cells[c][2]});
    }
    return r;
}

/// group_split's assignment of G groups (counts in ascending order of value) to subsets.
/// `counts` (rows per group) is needed for group_unit::rows only and may be null otherwise.
inline std::vector<std::uint8_t> assign_groups(std::size_t ng, const std::size_t* counts, std::size_t n,
                                               const fractions& f, std::uint64_t seed, group_unit unit,
                                               const char* fn) {
    const auto need = static_cast<std::size_t>(nonempty_subsets(f));
    if (ng < need) {
        throw invalid_argument(fmt::format("{}: {} group(s) cannot fill {} non-empty subsets without sharing a group",
                                           fn, ng, need));
    }
    auto order = mldp::detail::large_vector<std::uint32_t>(ng);
    std::iota(order.begin(), order.end(), std::uint32_t{0});
    rng g(seed_sequence(seed).derive("group_split"));
    mldp::shuffle(order.begin(), order.end(), g);
    auto group_subset = mldp::detail::large_vector<std::uint8_t>(ng);
    if (unit == group_unit::groups) {
        const auto s = subset_sizes(ng, f);
        for (std::size_t t = 0; t < ng; ++t) {
            group_subset[order[t]] = static_cast<std::uint8_t>((t >= s[0]) + (t >= s[0] + s[1]));
        }
    } else {
        // Compare 2 * midpoint = 2 * before + size with 2 * n * fraction, in doubles (exact below 2^52 rows).
        const double dn = static_cast<double>(n);
        const double cut1 = f.train > 0 ? 2.0 * dn * f.train : -1.0;
        const double cut2 = f.test > 0 ? (f.validation > 0 ? 2.0 * dn * (f.train + f.validation) : cut1) : 4.0 * dn;
        std::size_t before = 0;
        for (std::size_t t = 0; t < ng; ++t) {
            const std::size_t grp = order[t];
            const double mid2 = 2.0 * static_cast<double>(before) + static_cast<double>(counts[grp]);
            group_subset[grp] = static_cast<std::uint8_t>((mid2 >= cut1) + (mid2 >= cut2));
            before += counts[grp];  // rows mode: counts is given
        }
    }
    return group_subset;
}

inline split_result finish_group_split(split_result r, const fractions& f, std::uint64_t seed,
                                       const group_options& options) {
    r.info.algorithm = "group_split";
    r.info.seed = seed;
    r.info.unit = options.unit == group_unit::rows ? "rows" : "groups";
    r.info.requested = f;
    return r;
}

}  // namespace detail

/// Uniformly random split of rows 0..n-1 with exact sizes: train gets round(n * train) rows,
/// validation round(n * (train + validation)) - round(n * train), test the rest (each within 1 of
/// fraction * n; see detail::subset_sizes). Seeded through seed_sequence(seed).derive("random_split");
/// one draw per row (sequential selection), O(n) time, output already ascending. Throws
/// invalid_argument for n = 0 or bad fractions.
inline split_result random_split(std::size_t n, const fractions& f, std::uint64_t seed) {
    detail::validate(f, "mldp::split::random_split");
    detail::require_nonempty(n, "mldp::split::random_split");
    const auto s = detail::subset_sizes(n, f);
    detail::remaining rem{s[0], s[1], n};
    rng g(seed_sequence(seed).derive("random_split"));
    split_result r;
    detail::subset_sink(r, s[0], s[1], s[2]).fill(n, [&](std::size_t) { return detail::draw(rem, g); });
    r.info.algorithm = "random_split";
    r.info.seed = seed;
    r.info.requested = f;
    return r;
}

/// Stratified split: subset sizes as random_split, and each class's rows divided among the subsets
/// in proportion, every (class, subset) cell within one row of count * size / n (controlled rounding
/// with scikit-learn's largest-remainder rule, in integers: counts [99000, 1000] with 25000 in train
/// give [24750, 250]). Classes are ordered by value, so relabelling rows does not change counts.
/// Rows within a class are drawn uniformly (seeded). Labels: categorical_column, std::vector of
/// strings or string views, or a numeric column. O(n + K log K). Throws invalid_argument for n = 0,
/// bad fractions, or a class smaller than the number of non-empty subsets under
/// rare_class_policy::error; data_error for a missing or non-finite label.
template <class L>
split_result stratified_split(const L& labels, const fractions& f, std::uint64_t seed,
                              const stratified_options& options = {}) {
    return detail::stratified_impl<L, std::vector<std::int64_t>>(labels, nullptr, f, seed, options);
}

/// Keyed stratified split: as above, but within each class the rows are ranked by a seeded hash of
/// their key (xxh3, as hash_split encodes keys), so the result depends only on the (label, key) pairs
/// and the seed, never on row order. O(n log n). Also throws invalid_argument when keys has another
/// length than labels.
template <class L, class K, std::enable_if_t<!std::is_same_v<K, fractions>, int> = 0>
split_result stratified_split(const L& labels, const K& keys, const fractions& f, std::uint64_t seed,
                              const stratified_options& options = {}) {
    return detail::stratified_impl(labels, &keys, f, seed, options);
}

/// Group split: every group lands in exactly one subset. Groups (numbered in ascending order of
/// value) are shuffled with seed_sequence(seed).derive("group_split"); then
///   group_unit::rows (default): a group goes to the subset whose share of the row range holds its
///     midpoint (cumulative rows before it plus half its size), so row counts are within half the
///     largest group of the fractions;
///   group_unit::groups: the first round(G * train) groups go to train, and so on (as scikit-learn's
///     GroupShuffleSplit counts groups).
/// O(n + G). Throws invalid_argument for n = 0, bad fractions, or fewer groups than non-empty
/// subsets; data_error for a missing or non-finite group.
template <class G>
split_result group_split(const G& groups, const fractions& f, std::uint64_t seed, const group_options& options = {}) {
    constexpr const char* fn = "mldp::split::group_split";
    detail::validate(f, fn);
    split_result r;
    if constexpr (is_numeric_source_v<const G&>) {
        if constexpr (std::is_integral_v<detail::element_t<G>>) {
            // Integer ids in a dense range (the common case): count and look up by value, with no
            // per-row code array. Same groups, same order, same result as the general path.
            detail::require_int64_range(groups, "groups");
            const auto x = evaluate_contiguous<std::int64_t>(groups);
            const std::int64_t* v = x.data();
            const std::size_t n = x.size();
            detail::require_nonempty(n, fn);
            const auto [min_v, max_v] = detail::min_max(v, n);
            const auto lo = static_cast<std::uint64_t>(min_v);
            const std::uint64_t span = static_cast<std::uint64_t>(max_v) - lo;
            if (span < 2 * static_cast<std::uint64_t>(n) && span < (std::numeric_limits<std::uint32_t>::max)() &&
                options.unit == group_unit::groups) {
                // Counting groups needs only which ids occur: a bitmap (k / 8 bytes, cache-resident)
                // instead of per-id row counts. Subset sizes are then known only in expectation, and
                // the output vectors are reserved for that plus a margin.
                const std::size_t k = static_cast<std::size_t>(span) + 1;
                std::vector<std::uint64_t> present((k + 63) / 64, 0);
                for (std::size_t i = 0; i < n; ++i) {
                    const std::uint64_t j = static_cast<std::uint64_t>(v[i]) - lo;
                    present[j >> 6] |= std::uint64_t{1} << (j & 63);
                }
                std::size_t ng = 0;
                for (auto w : present) ng += std::bitset<64>(w).count();
                const auto group_subset = detail::assign_groups(ng, nullptr, n, f, seed, options.unit, fn);
                auto subset_by_value = mldp::detail::large_vector<std::uint8_t>(k);
                std::array<std::size_t, 3> groups_in = {0, 0, 0};
                for (std::size_t j = 0, t = 0; j < k; ++j) {
                    if (!((present[j >> 6] >> (j & 63)) & 1)) continue;
                    subset_by_value[j] = group_subset[t];
                    ++groups_in[group_subset[t++]];
                }
                std::array<std::size_t, 3> expected{};
                const double dn = static_cast<double>(n);
                for (std::size_t q = 0; q < 3; ++q) {
                    const double share = static_cast<double>(groups_in[q]) / static_cast<double>(ng);
                    expected[q] = static_cast<std::size_t>((std::min)(dn, dn * share + 8.0 * std::sqrt(dn) + 1024.0));
                }
                detail::subset_sink(r, expected[0], expected[1], expected[2]).fill(n, [&](std::size_t i) {
                    return subset_by_value[static_cast<std::uint64_t>(v[i]) - lo];
                });
                return detail::finish_group_split(std::move(r), f, seed, options);
            }
            if (span < 2 * static_cast<std::uint64_t>(n) && span < (std::numeric_limits<std::uint32_t>::max)()) {
                const std::size_t k = static_cast<std::size_t>(span) + 1;
                auto by_value = mldp::detail::large_vector<std::size_t>(k);
                for (std::size_t i = 0; i < n; ++i) ++by_value[static_cast<std::uint64_t>(v[i]) - lo];
                std::vector<std::size_t> counts;
                std::vector<std::uint32_t> value_of;
                mldp::detail::reserve_large(counts, k);
                mldp::detail::reserve_large(value_of, k);
                for (std::size_t j = 0; j < k; ++j) {
                    if (by_value[j] == 0) continue;
                    counts.push_back(by_value[j]);
                    value_of.push_back(static_cast<std::uint32_t>(j));
                }
                const auto group_subset = detail::assign_groups(counts.size(), counts.data(), n, f, seed, options.unit, fn);
                auto subset_by_value = mldp::detail::large_vector<std::uint8_t>(k);
                std::array<std::size_t, 3> sizes = {0, 0, 0};
                for (std::size_t t = 0; t < counts.size(); ++t) {
                    subset_by_value[value_of[t]] = group_subset[t];
                    sizes[group_subset[t]] += counts[t];
                }
                detail::subset_sink(r, sizes[0], sizes[1], sizes[2]).fill(n, [&](std::size_t i) {
                    return subset_by_value[static_cast<std::uint64_t>(v[i]) - lo];
                });
                return detail::finish_group_split(std::move(r), f, seed, options);
            }
        }
    }
    const detail::encoded_labels e = detail::encode_labels(groups, "groups", false);
    const std::size_t n = e.size();
    detail::require_nonempty(n, fn);
    const auto group_subset = detail::assign_groups(e.classes(), e.counts.data(), n, f, seed, options.unit, fn);
    std::array<std::size_t, 3> sizes = {0, 0, 0};
    for (std::size_t grp = 0; grp < e.classes(); ++grp) sizes[group_subset[grp]] += e.counts[grp];
    detail::subset_sink(r, sizes[0], sizes[1], sizes[2]).fill(n, [&](std::size_t i) { return group_subset[e.codes[i]]; });
    return detail::finish_group_split(std::move(r), f, seed, options);
}

}  // namespace mldp::split

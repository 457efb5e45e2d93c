// mldp — hash_split: the "repeatable splitting" pattern. A row's subset is a function of its key alone,
// so adding rows never moves an existing row, row order never matters, and the same key lands in the
// same subset on every machine and in every release. hash_kind::farm_fingerprint reproduces BigQuery's
// `ABS(MOD(FARM_FINGERPRINT(CAST(key AS STRING)), B))` exactly.
#pragma once

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <fmt/format.h>

#include "mldp/core/column.hpp"
#include "mldp/core/contiguous.hpp"
#include "mldp/core/detail/memory.hpp"
#include "mldp/core/error.hpp"
#include "mldp/core/farmhash.hpp"
#include "mldp/core/hash.hpp"
#include "mldp/split/detail/labels.hpp"
#include "mldp/split/fractions.hpp"
#include "mldp/split/result.hpp"

namespace mldp::split {

/// The hash that maps a key to its bucket.
///   xxh3:             XXH3-64 of the key's canonical bytes (strings: their bytes; integers: the value
///                     as 8 little-endian bytes, two's complement), seeded with XXH3-64(salt) when a
///                     salt is given (seed 0 otherwise); bucket = hash mod B (unsigned).
///   farm_fingerprint: BigQuery's FARM_FINGERPRINT of salt + key-as-string (integers in decimal, as
///                     CAST(key AS STRING)); bucket = |int64(fingerprint) MOD B| with MOD truncating
///                     toward zero, as BigQuery's MOD does.
enum class hash_kind { xxh3, farm_fingerprint };

/// "xxh3" or "farm_fingerprint".
constexpr const char* to_string(hash_kind h) noexcept {
    return h == hash_kind::xxh3 ? "xxh3" : "farm_fingerprint";
}

/// Options of hash_split: the hash, the number of buckets B (>= 1) and a salt that gives an
/// independent split of the same keys.
struct hash_options {
    hash_kind hash = hash_kind::xxh3;
    std::uint32_t buckets = 100;
    std::string salt;
};

namespace detail {

/// Computes buckets for one hash_options; keeps a reusable buffer for salted string keys.
class bucketer {
public:
    explicit bucketer(const hash_options& o) : kind_(o.hash), buckets_(o.buckets), salt_(o.salt) {
        if (buckets_ == 0) throw invalid_argument("mldp::split::hash_split: hash_options.buckets must be at least 1");
        seed_ = salt_.empty() ? 0 : hash64(salt_);
        buffer_ = salt_;
    }

    bool is_xxh3() const noexcept { return kind_ == hash_kind::xxh3; }
    std::uint64_t seed() const noexcept { return seed_; }
    std::uint32_t buckets() const noexcept { return buckets_; }

    std::uint32_t of_string(std::string_view key) {
        if (kind_ == hash_kind::xxh3) return static_cast<std::uint32_t>(hash64(key, seed_) % buckets_);
        if (salt_.empty()) return farm_bucket(farm_fingerprint64(key));
        buffer_.resize(salt_.size());
        buffer_.append(key.data(), key.size());
        return farm_bucket(farm_fingerprint64(buffer_));
    }

    template <class I>
    std::uint32_t of_integer(I key) {
        static_assert(std::is_integral_v<I>, "integer key");
        if (kind_ == hash_kind::xxh3) return static_cast<std::uint32_t>(hash_value(key, seed_) % buckets_);
        char digits[24];
        const auto r = std::to_chars(digits, digits + sizeof digits, key);
        return of_string(std::string_view(digits, static_cast<std::size_t>(r.ptr - digits)));
    }

private:
    std::uint32_t farm_bucket(std::uint64_t fp) const noexcept {
        const auto signed_fp = static_cast<std::int64_t>(fp);
        const std::int64_t m = signed_fp % static_cast<std::int64_t>(buckets_);  // truncating, as BigQuery's MOD
        return static_cast<std::uint32_t>(m < 0 ? -m : m);
    }

    hash_kind kind_;
    std::uint32_t buckets_;
    std::string salt_;
    std::uint64_t seed_ = 0;
    std::string buffer_;
};

/// Maps a key column to per-row values: calls body(n, value_at), where value_at(i) is
/// of_string(key i) for string keys and of_integer(key i) for integer keys. Keys:
/// std::vector<std::string>, std::vector<std::string_view>, a categorical_column (each dictionary
/// entry is mapped once; a missing value throws data_error before body runs), or any integer column.
template <class K, class OfString, class OfInteger, class Body>
void with_key_values(const K& keys, OfString&& of_string, OfInteger&& of_integer, Body&& body) {
    if constexpr (std::is_same_v<K, categorical_column>) {
        const auto& dict = keys.dictionary();
        std::vector<decltype(of_string(std::string_view()))> per_code;
        per_code.reserve(dict.size());
        for (const auto& d : dict) per_code.push_back(of_string(std::string_view(d)));
        const auto& codes = keys.codes();
        for (std::size_t i = 0; i < codes.size(); ++i) {
            if (codes[i] < 0) throw data_error("keys", i, "missing key (every row needs a key)");
        }
        body(codes.size(), [&](std::size_t i) { return per_code[static_cast<std::size_t>(codes[i])]; });
    } else if constexpr (is_string_column_v<K>) {
        body(keys.size(), [&](std::size_t i) { return of_string(std::string_view(keys[i])); });
    } else {
        static_assert(is_numeric_source_v<const K&> && std::is_integral_v<element_t<K>>,
                      "mldp::split: keys must be a std::vector of strings or string views, a categorical_column, "
                      "or an integer column (std::vector<std::int64_t>, xt::xtensor<int, 1>, ...)");
        using I = element_t<K>;
        static_assert(!std::is_same_v<I, bool>, "mldp::split: bool is not a key type");
        const auto x = evaluate_contiguous<I>(keys);
        const I* p = x.data();
        body(x.size(), [&](std::size_t i) { return of_integer(p[i]); });
    }
}

/// Fills a split_result from one subset byte per row (two passes: count, then fill exactly).
inline void fill_from_assignment(const std::vector<std::uint8_t>& a, split_result& r) {
    std::size_t counts[4] = {0, 0, 0, 0};
    for (auto s : a) ++counts[s];
    std::vector<std::size_t>* out[4] = {&r.train, &r.validation, &r.test, &r.dropped};
    for (int s = 0; s < 4; ++s) {
        out[s]->clear();
        mldp::detail::reserve_large(*out[s], counts[s]);
        out[s]->resize(counts[s]);
    }
    std::size_t* w[4] = {r.train.data(), r.validation.data(), r.test.data(), r.dropped.data()};
    for (std::size_t i = 0; i < a.size(); ++i) *w[a[i]]++ = i;
}

/// Appends rows to the subsets of a split_result, rows in ascending order so the vectors come out
/// sorted. Works in chunks: the subsets of a chunk of rows are computed first (independent
/// iterations the CPU overlaps), then the row numbers are scattered branch-free into three small
/// buffers (each row stored at all three cursors, only its own cursor advancing) and appended with
/// one insert each, which copies into reserved memory without zero-filling it first. Vectors are
/// reserved for the expected sizes and grow by the vector's own rule only if those are exceeded.
class subset_sink {
public:
    subset_sink(split_result& r, std::size_t train, std::size_t validation, std::size_t test)
        : out_{&r.train, &r.validation, &r.test} {
        const std::size_t want[3] = {train, validation, test};
        for (int s = 0; s < 3; ++s) {
            out_[s]->clear();
            mldp::detail::reserve_large(*out_[s], want[s]);
        }
    }

    /// Appends rows 0..n-1, row i to subset subset_of(i) (0 train, 1 validation, 2 test).
    template <class SubsetOf>
    void fill(std::size_t n, SubsetOf subset_of) {
        constexpr std::size_t chunk = 512;
        // 32-bit entries, not bytes: a byte store may alias any object, which would force the
        // compiler to reload captured values after each store.
        std::uint32_t sub[chunk];
        std::size_t rows[3][chunk + 1];
        for (std::size_t base = 0; base < n; base += chunk) {
            const std::size_t m = (std::min)(chunk, n - base);
            for (std::size_t j = 0; j < m; ++j) sub[j] = subset_of(base + j);
            std::size_t c0 = 0, c1 = 0, c2 = 0;
            for (std::size_t j = 0; j < m; ++j) {
                const std::uint64_t s = sub[j];  // 0, 1 or 2
                const std::size_t row = base + j;
                rows[0][c0] = row;
                rows[1][c1] = row;
                rows[2][c2] = row;
                // Arithmetic, not comparisons, so that the compiler cannot turn them back into
                // (mispredicted) branches: (s - 1) >> 63 is s == 0, s & 1 is s == 1, s >> 1 is s == 2.
                c0 += (s - 1) >> 63;
                c1 += s & 1;
                c2 += s >> 1;
            }
            out_[0]->insert(out_[0]->end(), rows[0], rows[0] + c0);
            out_[1]->insert(out_[1]->end(), rows[1], rows[1] + c1);
            out_[2]->insert(out_[2]->end(), rows[2], rows[2] + c2);
        }
    }

private:
    std::vector<std::size_t>* out_[3];
};

}  // namespace detail

/// Bucket in [0, B) of one key under `options` (what hash_split uses for every row): for placing a new
/// row at serving time without the others. Throws invalid_argument when buckets == 0.
inline std::uint32_t hash_bucket(std::string_view key, const hash_options& options = {}) {
    detail::bucketer b(options);
    return b.of_string(key);
}
/// Bucket of an integer key (xxh3: its 8 little-endian bytes; farm_fingerprint: its decimal string).
template <class I, std::enable_if_t<std::is_integral_v<I>, int> = 0>
std::uint32_t hash_bucket(I key, const hash_options& options = {}) {
    detail::bucketer b(options);
    return b.of_integer(key);
}

namespace detail {
inline split_result finish_hash_split(split_result r, const fractions& f, const hash_options& options) {
    r.info.algorithm = "hash_split";
    r.info.hash = to_string(options.hash);
    r.info.salt = options.salt;
    r.info.buckets = options.buckets;
    r.info.requested = f;
    return r;
}
}  // namespace detail

/// Splits rows by a hash of their key: bucket b (see hash_kind) goes to train when
/// b < cut1 = round(B * train), to validation when b < cut2 = round(B * (train + validation)), to test
/// otherwise (with test = 0, cut2 = B, so no bucket is lost to rounding). Subset sizes follow the
/// fractions only on average (in expectation b is uniform), but a row's subset depends on its key alone: appending rows never moves a row and row order never matters.
/// Rows with equal keys always share a subset. O(n). Throws invalid_argument for bad fractions or
/// buckets == 0, data_error for a missing categorical key.
template <class K>
split_result hash_split(const K& keys, const fractions& f, const hash_options& options = {}) {
    detail::validate(f, "mldp::split::hash_split");
    detail::bucketer b(options);
    const auto cuts = detail::subset_sizes(options.buckets, f);
    const std::uint32_t cut1 = static_cast<std::uint32_t>(cuts[0]);
    const std::uint32_t cut2 = static_cast<std::uint32_t>(cuts[0] + cuts[1]);
    split_result r;
    // Room for the expected share plus 8 binomial standard deviations: growth is then (almost) never
    // needed.
    auto expected = [&](std::size_t n, std::size_t buckets_in) {
        const double p = static_cast<double>(buckets_in) / static_cast<double>(options.buckets);
        const double dn = static_cast<double>(n);
        return static_cast<std::size_t>((std::min)(dn, dn * p + 8.0 * std::sqrt(dn * p * (1 - p)) + 64.0));
    };
    auto to_subset = [cut1, cut2](std::uint32_t bucket) {
        return static_cast<std::uint32_t>((bucket >= cut1) + (bucket >= cut2));
    };
    if constexpr (is_numeric_source_v<const K&>) {
        if (b.is_xxh3()) {
            // The hot case (integer keys, xxh3): every value the loop needs is copied into it.
            using I = detail::element_t<K>;
            static_assert(std::is_integral_v<I> && !std::is_same_v<I, bool>,
                          "mldp::split::hash_split: numeric keys must be integers");
            const auto x = evaluate_contiguous<I>(keys);
            const std::size_t n = x.size();
            detail::subset_sink sink(r, expected(n, cuts[0]), expected(n, cuts[1]), expected(n, cuts[2]));
            sink.fill(n, [p = x.data(), seed = b.seed(), buckets = std::uint64_t{b.buckets()}, to_subset](std::size_t i) {
                return to_subset(static_cast<std::uint32_t>(hash_value(p[i], seed) % buckets));
            });
            return detail::finish_hash_split(std::move(r), f, options);
        }
    }
    detail::with_key_values(
        keys, [&](std::string_view k) { return b.of_string(k); }, [&](auto k) { return b.of_integer(k); },
        [&](std::size_t n, auto&& bucket_of) {
            detail::subset_sink sink(r, expected(n, cuts[0]), expected(n, cuts[1]), expected(n, cuts[2]));
            sink.fill(n, [&](std::size_t i) { return to_subset(bucket_of(i)); });
        });
    return detail::finish_hash_split(std::move(r), f, options);
}

}  // namespace mldp::split

// mldp — what a splitter returns: the row indices of each subset, how they were made, and a manifest
// (sizes, per-class counts, a digest of the assignment) that can be printed, stored and compared.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "mldp/core/error.hpp"
#include "mldp/core/hash.hpp"
#include "mldp/split/fractions.hpp"

namespace mldp::split {

/// Rows of one class (or stratum) in each subset.
struct class_count {
    std::string label;
    std::size_t train = 0, validation = 0, test = 0;
};

/// How a split was made: enough to redo it and to tell two splits apart.
struct split_info {
    std::string algorithm;         ///< "random_split", "stratified_split", "hash_split", ...
    int algorithm_version = 1;     ///< bumped whenever the same inputs would give another split
    std::optional<std::uint64_t> seed;  ///< seeded splitters
    std::string hash;              ///< hash_split: "xxh3" or "farm_fingerprint"
    std::string salt;              ///< hash_split
    std::uint32_t buckets = 0;     ///< hash_split
    std::string unit;              ///< group_split: "rows" or "groups"; time_split: the gap
    fractions requested{};
    std::vector<class_count> classes;  ///< stratified_split: per-class counts, classes ascending
};

/// A split's manifest: its info, the subset sizes and a 64-bit digest of the assignment
/// (XXH3-64 of one byte per row: 0 train, 1 validation, 2 test, 3 dropped). Two splits of the same
/// rows are identical exactly when their digests agree (up to hash collisions).
struct split_manifest {
    split_info info;
    std::size_t rows = 0;
    std::size_t train = 0, validation = 0, test = 0, dropped = 0;
    std::uint64_t digest = 0;
};

/// Result of a three-way split. Each vector holds ascending row indices; every row of the input is in
/// exactly one of train, validation, test and dropped (only time_split drops rows, for its gap).
struct split_result {
    std::vector<std::size_t> train, validation, test;
    std::vector<std::size_t> dropped;
    split_info info;

    /// Number of rows the split covers.
    std::size_t rows() const noexcept { return train.size() + validation.size() + test.size() + dropped.size(); }

    /// The subset of `row`, by binary search (O(log n)). Throws invalid_argument when row >= rows().
    subset subset_of(std::size_t row) const {
        if (row >= rows()) {
            throw invalid_argument(fmt::format("mldp::split::split_result::subset_of: row {} is outside [0, {})",
                                               row, rows()));
        }
        if (std::binary_search(train.begin(), train.end(), row)) return subset::train;
        if (std::binary_search(validation.begin(), validation.end(), row)) return subset::validation;
        if (std::binary_search(test.begin(), test.end(), row)) return subset::test;
        return subset::dropped;
    }

    /// One entry per row: the subset it belongs to. O(n). Throws invalid_argument when the vectors do
    /// not partition 0..rows()-1 (an index out of range or in two places: a hand-edited result).
    std::vector<subset> assignment() const {
        const std::size_t n = rows();
        constexpr auto unset = static_cast<subset>(0xFF);
        std::vector<subset> a(n, unset);
        const std::pair<const std::vector<std::size_t>*, subset> parts[4] = {
            {&train, subset::train}, {&validation, subset::validation}, {&test, subset::test}, {&dropped, subset::dropped}};
        for (const auto& [rows_of, s] : parts) {
            for (auto r : *rows_of) {
                if (r >= n || a[r] != unset) {
                    throw invalid_argument(fmt::format(
                        "mldp::split::split_result: row {} is {} (the subsets must partition rows 0..{})", r,
                        r >= n ? "out of range" : "in two subsets", n - 1));
                }
                a[r] = s;
            }
        }
        return a;
    }

    /// The manifest: info, sizes and the digest of assignment(). O(n).
    split_manifest manifest() const {
        split_manifest m;
        m.info = info;
        m.rows = rows();
        m.train = train.size();
        m.validation = validation.size();
        m.test = test.size();
        m.dropped = dropped.size();
        const auto a = assignment();
        static_assert(sizeof(subset) == 1, "subset is one byte");
        m.digest = static_cast<std::uint64_t>(XXH3_64bits(a.data(), a.size()));
        return m;
    }
};

/// One fold of a cross-validation scheme: ascending train and test row indices.
struct fold {
    std::vector<std::size_t> train, test;
};

inline void to_json(nlohmann::json& j, const fractions& f) {
    j = nlohmann::json{{"train", f.train}, {"validation", f.validation}, {"test", f.test}};
}

inline void to_json(nlohmann::json& j, const class_count& c) {
    j = nlohmann::json{{"label", c.label}, {"train", c.train}, {"validation", c.validation}, {"test", c.test}};
}

/// JSON of a manifest; the digest is written as 16 hexadecimal digits (JSON numbers lose 64-bit
/// integers in many readers).
inline void to_json(nlohmann::json& j, const split_manifest& m) {
    j = nlohmann::json{{"algorithm", m.info.algorithm},
                       {"algorithm_version", m.info.algorithm_version},
                       {"fractions", m.info.requested},
                       {"rows", m.rows},
                       {"counts",
                        {{"train", m.train}, {"validation", m.validation}, {"test", m.test}, {"dropped", m.dropped}}},
                       {"digest", fmt::format("{:016x}", m.digest)}};
    if (m.info.seed) j["seed"] = *m.info.seed;
    if (!m.info.hash.empty()) {
        j["hash"] = m.info.hash;
        j["salt"] = m.info.salt;
        j["buckets"] = m.info.buckets;
    }
    if (!m.info.unit.empty()) j["unit"] = m.info.unit;
    if (!m.info.classes.empty()) j["classes"] = m.info.classes;
}

/// JSON of a split's info: every field by name; seed is null for unseeded splitters.
inline void to_json(nlohmann::json& j, const split_info& i) {
    j = nlohmann::json{{"algorithm", i.algorithm},
                       {"algorithm_version", i.algorithm_version},
                       {"seed", i.seed ? nlohmann::json(*i.seed) : nlohmann::json(nullptr)},
                       {"hash", i.hash},
                       {"salt", i.salt},
                       {"buckets", i.buckets},
                       {"unit", i.unit},
                       {"requested", i.requested},
                       {"classes", i.classes}};
}

/// JSON of a split: the row indices of train, validation, test and dropped (ascending arrays) and the
/// info. For the sizes and a digest without the indices, convert manifest() instead.
inline void to_json(nlohmann::json& j, const split_result& r) {
    j = nlohmann::json{{"train", r.train}, {"validation", r.validation}, {"test", r.test}, {"dropped", r.dropped}, {"info", r.info}};
}

/// JSON of a fold: {"train": [...], "test": [...]}, ascending row indices.
inline void to_json(nlohmann::json& j, const fold& f) { j = nlohmann::json{{"train", f.train}, {"test", f.test}}; }

}  // namespace mldp::split

/// Prints a manifest on a few lines: algorithm, parameters, sizes, per-class counts, digest.
template <>
struct fmt::formatter<mldp::split::split_manifest> {
    constexpr auto parse(format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const mldp::split::split_manifest& m, Ctx& ctx) const {
        auto out = ctx.out();
        out = fmt::format_to(out, "{} v{}", m.info.algorithm, m.info.algorithm_version);
        if (m.info.seed) out = fmt::format_to(out, " seed={}", *m.info.seed);
        if (!m.info.hash.empty()) {
            out = fmt::format_to(out, " hash={} buckets={} salt=\"{}\"", m.info.hash, m.info.buckets, m.info.salt);
        }
        if (!m.info.unit.empty()) out = fmt::format_to(out, " unit={}", m.info.unit);
        out = fmt::format_to(out, " fractions=({}, {}, {})\n", m.info.requested.train, m.info.requested.validation,
                             m.info.requested.test);
        out = fmt::format_to(out, "  rows {}: train {}, validation {}, test {}", m.rows, m.train, m.validation,
                             m.test);
        if (m.dropped) out = fmt::format_to(out, ", dropped {}", m.dropped);
        out = fmt::format_to(out, "\n");
        for (const auto& c : m.info.classes) {
            out = fmt::format_to(out, "  class {}: train {}, validation {}, test {}\n", c.label, c.train,
                                 c.validation, c.test);
        }
        return fmt::format_to(out, "  digest {:016x}", m.digest);
    }
};

/// Prints a split on one line: algorithm, seed, and the subset sizes ("random_split v1 seed=42: 10 rows:
/// train 8, validation 1, test 1"). The indices themselves are left to JSON.
template <>
struct fmt::formatter<mldp::split::split_result> {
    constexpr auto parse(format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const mldp::split::split_result& r, Ctx& ctx) const {
        auto out = fmt::format_to(ctx.out(), "{} v{}", r.info.algorithm.empty() ? "split" : r.info.algorithm, r.info.algorithm_version);
        if (r.info.seed) out = fmt::format_to(out, " seed={}", *r.info.seed);
        out = fmt::format_to(out, ": {} rows: train {}, validation {}, test {}", r.rows(), r.train.size(), r.validation.size(),
                             r.test.size());
        if (!r.dropped.empty()) out = fmt::format_to(out, ", dropped {}", r.dropped.size());
        return out;
    }
};

/// Prints a fold's sizes on one line: "fold: train 8, test 2".
template <>
struct fmt::formatter<mldp::split::fold> {
    constexpr auto parse(format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const mldp::split::fold& f, Ctx& ctx) const {
        return fmt::format_to(ctx.out(), "fold: train {}, test {}", f.train.size(), f.test.size());
    }
};

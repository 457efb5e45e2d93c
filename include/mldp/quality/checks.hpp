// mldp — the row-level and key checks of the validator: not_null, in_range, in_set (with typo
// suggestions), unique (one column or a compound key) and no_duplicate_rows. Each is a free function
// returning a check; every one of them is exactly mergeable across chunks.
#pragma once

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "mldp/core/detail/memory.hpp"
#include "mldp/core/detail/threshold_count.hpp"
#include "mldp/core/frame.hpp"
#include "mldp/core/hash.hpp"
#include "mldp/quality/check.hpp"

namespace mldp::quality {

namespace detail {

// ---- not_null, in_range, in_set: one column, one predicate per row ---------------------------------

enum class row_rule { not_null, in_range, in_set };

struct row_rule_spec {
    row_rule rule = row_rule::not_null;
    double lo = 0.0, hi = 0.0;          // in_range, inclusive
    std::vector<std::string> allowed;   // in_set
};

inline std::string lower_trimmed(std::string_view s) {
    std::size_t a = 0, b = s.size();
    while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
    while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
    std::string out(s.substr(a, b - a));
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

/// Levenshtein distance (unit costs), O(|a| |b|) time, O(|b|) memory.
inline std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
            cur[j] = (std::min)((std::min)(prev[j] + 1, cur[j - 1] + 1), sub);
        }
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

/// Suggestions for a value outside an allowed set: an allowed value equal up to case and surrounding
/// whitespace; else the allowed values at the smallest edit distance, when that distance is at most
/// max(1, |value| / 3).
inline std::vector<std::string> suggest(std::string_view value, const std::vector<std::string>& allowed) {
    std::vector<std::string> out;
    const std::string norm = lower_trimmed(value);
    for (const auto& a : allowed) {
        if (lower_trimmed(a) == norm) out.push_back(a + " (case or whitespace)");
    }
    if (!out.empty()) return out;
    std::size_t best = (std::numeric_limits<std::size_t>::max)();
    for (const auto& a : allowed) best = (std::min)(best, edit_distance(value, a));
    const std::size_t limit = (std::max)(std::size_t{1}, value.size() / 3);
    if (best > limit) return out;
    for (const auto& a : allowed) {
        if (edit_distance(value, a) == best) out.push_back(fmt::format("{} (edit distance {})", a, best));
    }
    return out;
}

// The index of the lowest set bit of m != 0.
inline int count_trailing_zeros(std::uint64_t m) noexcept {
#if defined(__GNUC__)
    return __builtin_ctzll(m);
#else
    int k = 0;
    while ((m & 1U) == 0) {
        m >>= 1;
        ++k;
    }
    return k;
#endif
}

class row_rule_state final : public check_state {
public:
    row_rule_state(check_options o, std::shared_ptr<const row_rule_spec> spec, const report_limits& limits)
        : o_(std::move(o)), spec_(std::move(spec)) {
        tally_.limits = limits;
    }
    void update(const frame& chunk, std::size_t offset) override {
        std::vector<finding> config;
        const std::string& name = o_.columns.front();
        const std::vector<column_kind> kinds = spec_->rule == row_rule::not_null
                                                   ? std::vector<column_kind>{column_kind::numeric, column_kind::categorical, column_kind::time}
                                               : spec_->rule == row_rule::in_range ? std::vector<column_kind>{column_kind::numeric, column_kind::time}
                                                                                   : std::vector<column_kind>{column_kind::categorical};
        const frame::column* c = column_for(chunk, name, kinds, o_, config);
        if (c == nullptr) {
            tally_.add_config(config);
            return;
        }
        if (const auto* nc = std::get_if<numeric_column>(&c->data)) {
            const auto v = nc->values();
            // Masks of the rows that need attention, missing or offending (vectorised; see
            // core/detail/threshold_count.hpp), 64 rows per word, built a piece at a time; those rows
            // are rare and visited one by one, the clear words skipped.
            const bool range = spec_->rule == row_rule::in_range;
            const double lo = spec_->lo, hi = spec_->hi;
            constexpr std::size_t piece = 64 * 256;
            std::uint64_t masks[piece / 64];
            for (std::size_t p0 = 0; p0 < v.size(); p0 += piece) {
                const std::size_t len = (std::min)(piece, v.size() - p0);
                mldp::detail::fail_masks(v.data() + p0, len, range, lo, hi, masks);
                std::size_t attention = 0;
                for (std::size_t w = 0; w * 64 < len; ++w) {
                    for (std::uint64_t m = masks[w]; m != 0; m &= m - 1) {
                        ++attention;
                        const std::size_t i = p0 + w * 64 + static_cast<std::size_t>(count_trailing_zeros(m));
                        const double x = v[i];
                        if (std::isnan(x)) {
                            missing_row(offset + i);
                        } else {
                            ++tally_.checked;
                            tally_.offend(offset + i, value_text(x));
                        }
                    }
                }
                tally_.checked += len - attention;
            }
        } else if (const auto* tc = std::get_if<time_column>(&c->data)) {
            for (std::size_t i = 0; i < tc->size(); ++i) {
                const auto t = tc->ticks[i];
                numeric_row(t == time_column::missing ? std::numeric_limits<double>::quiet_NaN() : static_cast<double>(t), offset + i);
            }
        } else if (const auto* cc = std::get_if<categorical_column>(&c->data)) {
            const auto& dict = cc->dictionary();
            std::vector<char> ok(dict.size(), 1);
            if (spec_->rule == row_rule::in_set) {
                for (std::size_t k = 0; k < dict.size(); ++k) {
                    ok[k] = std::find(spec_->allowed.begin(), spec_->allowed.end(), dict[k]) != spec_->allowed.end() ? 1 : 0;
                }
            }
            const auto& codes = cc->codes();
            std::size_t checked = 0;
            for (std::size_t i = 0; i < codes.size(); ++i) {
                const auto code = codes[i];
                if (code == categorical_column::missing_code) {
                    missing_row(offset + i);
                    continue;
                }
                ++checked;
                if (!ok[static_cast<std::size_t>(code)]) tally_.offend(offset + i, dict[static_cast<std::size_t>(code)]);
            }
            tally_.checked += checked;
        }
    }
    void merge(const check_state& other, std::size_t offset) override {
        tally_.merge(static_cast<const row_rule_state&>(other).tally_, offset);
    }
    std::vector<finding> finish(std::size_t total_rows) const override {
        const char* what = spec_->rule == row_rule::not_null ? "are missing"
                           : spec_->rule == row_rule::in_range ? "lie outside the range"
                                                               : "are outside the allowed set";
        auto out = tally_.finish(o_, o_.columns.front(), total_rows, what);
        if (spec_->rule == row_rule::in_set && !out.empty() && out[0].code == o_.code) {
            std::vector<std::string> hints;
            for (const auto& vc : out[0].values) {
                const auto s = suggest(vc.value, spec_->allowed);
                if (!s.empty()) hints.push_back(fmt::format("'{}' -> {}", vc.value, fmt::join(s, ", ")));
            }
            if (!hints.empty()) out[0].message += fmt::format("; did you mean: {}", fmt::join(hints, "; "));
        }
        return out;
    }
    std::unique_ptr<check_state> clone() const override { return std::make_unique<row_rule_state>(*this); }

private:
    void missing_row(std::size_t row) {
        if (spec_->rule == row_rule::not_null) {
            ++tally_.missing;
            ++tally_.checked;
            tally_.offend(row, "<missing>");
        } else {
            tally_.on_missing(row, o_.nulls);
        }
    }
    void numeric_row(double v, std::size_t row) {
        if (std::isnan(v)) {
            missing_row(row);
            return;
        }
        ++tally_.checked;
        if (spec_->rule == row_rule::in_range && !(v >= spec_->lo && v <= spec_->hi)) tally_.offend(row, value_text(v));
    }

    check_options o_;
    std::shared_ptr<const row_rule_spec> spec_;
    row_tally tally_;
};

using row_rule_impl = state_impl<row_rule_state, row_rule_spec, true>;

// ---- unique / no_duplicate_rows: keys hashed per row ------------------------------------------------

/// Keeps the `cap` smallest values offered in `heap`, a max-heap (std::push_heap order).
template <class T>
void keep_smallest(std::vector<T>& heap, T value, std::size_t cap) {
    if (heap.size() < cap) {
        heap.push_back(value);
        std::push_heap(heap.begin(), heap.end());
    } else if (!heap.empty() && value < heap.front()) {
        std::pop_heap(heap.begin(), heap.end());
        heap.back() = value;
        std::push_heap(heap.begin(), heap.end());
    }
}

/// A table from 64-bit row-key hashes to (count, first row). Exact up to 64-bit hash collisions
/// (about n^2 / 2^65: 3e-8 for 10^6 rows).
///
/// The table is split by the top 8 bits of the hash into 256 parts, each an open-addressing table
/// with linear probing, all parts of one capacity (kept at most 70% full) in one buffer, the keys
/// apart from the counts and first rows so that probing reads only keys. A chunk's rows are first
/// grouped by part (a counting sort of hash and row), then each part takes its rows at once, so
/// that the part being filled, about 1/256 of the table, stays in cache instead of every row
/// touching a random line of the whole table. Large buffers are advised to huge pages (see
/// core/detail/memory.hpp).
class key_table {
public:
    struct slot {
        std::uint64_t key = 0;
        std::uint64_t count = 0;
        std::uint64_t first = 0;
    };
    static constexpr unsigned part_bits = 8;
    static constexpr std::size_t parts = std::size_t{1} << part_bits;

    /// `keep`: how many of the smallest first rows of repeated keys to keep (see smallest_repeated()).
    explicit key_table(std::size_t keep = 0) : sizes_(parts, 0), keep_(keep) {}
    key_table(const key_table& o)
        : keys_(o.keys_), sizes_(o.sizes_), capacity_(o.capacity_), keep_(o.keep_), offending_(o.offending_), firsts_(o.firsts_) {
        payload_.reset(new entry[keys_.size()]);
        for (std::size_t i = 0; i < keys_.size(); ++i) {
            if (keys_[i] != 0) payload_[i] = o.payload_[i];
        }
    }
    key_table& operator=(const key_table& o) {
        if (this != &o) *this = key_table(o);
        return *this;
    }
    key_table(key_table&&) noexcept = default;
    key_table& operator=(key_table&&) noexcept = default;

    /// Adds one occurrence; returns the key's count after it.
    std::uint64_t add(std::uint64_t key, std::uint64_t row, std::uint64_t times = 1) {
        if (key == 0) key = 1;
        const std::size_t p = part_of(key);
        if (10 * (sizes_[p] + 1) > 7 * capacity_) rehash(grown(capacity_, sizes_[p] + 1));
        return insert(p, key, row, times);
    }

    /// Adds rows offset .. offset + n - 1 with hashes h[0..n); calls repeat(row) for each row whose
    /// key was seen before it (rows ascend within a key, not across keys).
    template <class F>
    void add_rows(const std::uint64_t* h, std::size_t n, std::size_t offset, F&& repeat) {
        if (n < 4096) {
            for (std::size_t i = 0; i < n; ++i) {
                if (add(h[i], offset + i) >= 2) repeat(offset + i);
            }
            return;
        }
        std::vector<std::size_t> start(parts + 1, 0);
        for (std::size_t i = 0; i < n; ++i) ++start[part_of(h[i] == 0 ? 1 : h[i]) + 1];
        std::size_t largest = 0;
        for (std::size_t p = 0; p < parts; ++p) {
            largest = (std::max)(largest, sizes_[p] + start[p + 1]);
            start[p + 1] += start[p];
        }
        if (10 * largest > 7 * capacity_) rehash(grown(capacity_, largest));
        // Grouped hashes and rows (written before they are read: no zeroing).
        const std::unique_ptr<std::uint64_t[]> keys(new std::uint64_t[n]), rows(new std::uint64_t[n]);
        mldp::detail::advise_huge_pages(keys.get(), n * sizeof(std::uint64_t));
        mldp::detail::advise_huge_pages(rows.get(), n * sizeof(std::uint64_t));
        std::vector<std::size_t> fill(start.begin(), start.end() - 1);
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint64_t key = h[i] == 0 ? 1 : h[i];
            const std::size_t at = fill[part_of(key)]++;
            keys[at] = key;
            rows[at] = offset + i;
        }
        for (std::size_t p = 0; p < parts; ++p) {
            // While a part fills, the next part's slots are fetched, a few lines per row.
            const char* next_keys = p + 1 < parts ? reinterpret_cast<const char*>(keys_.data() + (p + 1) * capacity_) : nullptr;
            const char* next_payload = p + 1 < parts ? reinterpret_cast<const char*>(payload_.get() + (p + 1) * capacity_) : nullptr;
            const std::size_t key_bytes = capacity_ * sizeof(std::uint64_t), payload_bytes = capacity_ * sizeof(entry);
            std::size_t fetched_keys = 0, fetched_payload = 0;
            for (std::size_t at = start[p]; at < start[p + 1]; ++at) {
                if (insert(p, keys[at], rows[at], 1) >= 2) repeat(static_cast<std::size_t>(rows[at]));
#if defined(__GNUC__)
                if (next_keys != nullptr) {
                    if (fetched_keys < key_bytes) {
                        __builtin_prefetch(next_keys + fetched_keys, 1);
                        fetched_keys += 64;
                    }
                    if (fetched_payload < payload_bytes) {
                        __builtin_prefetch(next_payload + fetched_payload, 1);
                        __builtin_prefetch(next_payload + fetched_payload + 64, 1);
                        fetched_payload += 128;
                    }
                }
#endif
            }
        }
    }

    /// Calls f(slot) for every key held.
    template <class F>
    void for_each(F&& f) const {
        for (std::size_t i = 0; i < keys_.size(); ++i) {
            if (keys_[i] != 0) f(slot{keys_[i], payload_[i].count, payload_[i].first});
        }
    }
    std::size_t size() const noexcept {
        std::size_t n = 0;
        for (std::size_t c : sizes_) n += c;
        return n;
    }
    /// Occurrences of the keys held more than once (kept as counts cross 2, so no scan is needed).
    std::uint64_t offending() const noexcept { return offending_; }
    /// The smallest `keep` first rows of the keys held more than once, ascending. First rows never
    /// decrease here: rows are added in ascending order (chunks, then later states merged in).
    std::vector<std::uint64_t> smallest_repeated() const {
        std::vector<std::uint64_t> out = firsts_;
        std::sort_heap(out.begin(), out.end());
        return out;
    }

private:
    struct entry {
        std::uint64_t count;
        std::uint64_t first;
    };

    static std::size_t part_of(std::uint64_t key) noexcept { return static_cast<std::size_t>(key >> (64 - part_bits)); }
    // A capacity for `need` keys per part at most 70% full, a multiple of 64, at least double the old.
    static std::size_t grown(std::size_t old, std::size_t need) noexcept {
        std::size_t cap = (std::max)(2 * old, (need * 10 + 6) / 7 + 1);
        return (cap + 63) / 64 * 64;
    }
    // Home slot within a part: the key's low 32 bits scaled to the capacity (bits apart from the part's).
    std::size_t home(std::uint64_t key) const noexcept {
        return static_cast<std::size_t>(((key & 0xFFFFFFFFULL) * static_cast<std::uint64_t>(capacity_)) >> 32);
    }

    // Inserts into part p, which has room (key != 0); `tally` keeps offending_ and firsts_ (off when
    // rehashing moves keys already counted).
    std::uint64_t insert(std::size_t p, std::uint64_t key, std::uint64_t row, std::uint64_t times, bool tally = true) {
        std::uint64_t* const k = keys_.data() + p * capacity_;
        std::size_t i = home(key);
        while (k[i] != 0 && k[i] != key) i = i + 1 == capacity_ ? 0 : i + 1;
        entry& e = payload_[p * capacity_ + i];
        std::uint64_t before = 0;
        if (k[i] == 0) {
            k[i] = key;
            e.count = times;
            e.first = row;
            ++sizes_[p];
        } else {
            before = e.count;
            if (row < e.first) e.first = row;
            e.count += times;
        }
        if (tally && e.count >= 2) {
            offending_ += e.count - (before >= 2 ? before : 0);
            if (before < 2) note_first(e.first);
        }
        return e.count;
    }

    void note_first(std::uint64_t row) { keep_smallest(firsts_, row, keep_); }

    void rehash(std::size_t cap) {
        std::vector<std::uint64_t> old_keys = mldp::detail::large_vector<std::uint64_t>(parts * cap);  // zeroed: empty
        std::unique_ptr<entry[]> old_payload(new entry[parts * cap]);  // written before it is read
        mldp::detail::advise_huge_pages(old_payload.get(), parts * cap * sizeof(entry));
        old_keys.swap(keys_);
        old_payload.swap(payload_);
        const std::size_t old_capacity = capacity_;
        capacity_ = cap;
        std::fill(sizes_.begin(), sizes_.end(), 0);
        for (std::size_t i = 0; i < old_keys.size(); ++i) {
            if (old_keys[i] != 0) insert(i / old_capacity, old_keys[i], old_payload[i].first, old_payload[i].count, false);
        }
    }

    std::vector<std::uint64_t> keys_;      // parts * capacity_ keys, part p at p * capacity_; 0 = empty
    std::unique_ptr<entry[]> payload_;     // count and first row of each held key
    std::vector<std::size_t> sizes_;       // keys per part
    std::size_t capacity_ = 0;             // slots per part
    std::size_t keep_ = 0;                 // first rows of repeated keys kept
    std::uint64_t offending_ = 0;          // occurrences of keys held more than once
    std::vector<std::uint64_t> firsts_;    // max-heap of the smallest first rows of repeated keys
};

class key_state final : public check_state {
public:
    key_state(check_options o, bool all_columns, const report_limits& limits)
        : o_(std::move(o)), all_(all_columns), limits_(limits), table_(limits.rows) {}

    void update(const frame& chunk, std::size_t offset) override {
        std::vector<std::string> names = all_ ? chunk.names() : o_.columns;
        if (all_ && !columns_seen_.empty() && names != columns_seen_) {
            add_config(config_finding(o_, "config.columns_changed", "", "no_duplicate_rows: the chunks have different columns"));
            return;
        }
        columns_seen_ = names;
        std::vector<const frame::column*> cols;
        std::vector<finding> config;
        for (const auto& n : names) {
            const frame::column* c = column_for(chunk, n, {column_kind::numeric, column_kind::categorical, column_kind::time}, o_, config);
            if (c != nullptr) cols.push_back(c);
        }
        if (!config.empty()) {
            for (auto& f : config) add_config(std::move(f));
            return;
        }
        const std::size_t n = chunk.rows();
        std::vector<std::uint64_t> h(n, 0x6d6c64702d6b6579ULL);
        for (const frame::column* c : cols) hash_column(*c, h);
        // The smallest `limits_.rows` repeating rows of this chunk (a bounded max-heap), after those
        // of earlier chunks, which are all smaller.
        std::vector<std::size_t> heap;
        const std::size_t room = limits_.rows - (std::min)(limits_.rows, later_.size());
        table_.add_rows(h.data(), n, offset, [&](std::size_t row) { keep_smallest(heap, row, room); });
        std::sort_heap(heap.begin(), heap.end());
        later_.insert(later_.end(), heap.begin(), heap.end());
        rows_ += n;
    }
    void merge(const check_state& other, std::size_t offset) override {
        const auto& o = static_cast<const key_state&>(other);
        for (const auto& f : o.config_) add_config(f);
        if (!o.columns_seen_.empty() && !columns_seen_.empty() && o.columns_seen_ != columns_seen_) {
            add_config(config_finding(o_, "config.columns_changed", "", "no_duplicate_rows: the chunks have different columns"));
        }
        if (columns_seen_.empty()) columns_seen_ = o.columns_seen_;
        // The other's rows come after ours: its first occurrences of keys we already hold are repeats.
        o.table_.for_each([&](const key_table::slot& s) {
            const std::uint64_t before = table_.add(s.key, s.first + offset, s.count) - s.count;
            if (before > 0) later_.push_back(s.first + offset);
        });
        for (std::size_t r : o.later_) later_.push_back(r + offset);
        std::sort(later_.begin(), later_.end());
        if (later_.size() > limits_.rows) later_.resize(limits_.rows);
        rows_ += o.rows_;
    }
    std::vector<finding> finish(std::size_t total_rows) const override {
        if (!config_.empty()) return config_;
        // Offending rows: every row whose key occurs more than once (deequ's duplicate count; one minus
        // deequ's Uniqueness as a fraction).
        const auto offending = static_cast<std::size_t>(table_.offending());
        if (offending == 0) return {};
        std::vector<std::size_t> rows;
        for (std::uint64_t r : table_.smallest_repeated()) rows.push_back(static_cast<std::size_t>(r));
        rows.insert(rows.end(), later_.begin(), later_.end());
        std::sort(rows.begin(), rows.end());
        if (rows.size() > limits_.rows) rows.resize(limits_.rows);
        finding f;
        f.code = o_.code;
        f.check = o_.description;
        f.column = all_ ? std::string() : fmt::format("{}", fmt::join(o_.columns, ","));
        f.count = offending;
        f.fraction = total_rows > 0 ? static_cast<double>(offending) / static_cast<double>(total_rows) : 0.0;
        f.fraction_non_missing = f.fraction;
        f.passed = 1.0 - f.fraction >= o_.mostly;
        f.severity = f.passed ? quality::severity::info : o_.severity;
        f.rows = std::move(rows);
        f.message = fmt::format("{} of {} rows share their {} with another row ({} distinct {})", offending, total_rows,
                                all_ ? "content" : "key", table_.size(), all_ ? "rows" : "keys");
        return {f};
    }
    std::unique_ptr<check_state> clone() const override { return std::make_unique<key_state>(*this); }

private:
    void add_config(finding f) {
        for (const auto& g : config_) {
            if (g.code == f.code && g.column == f.column) return;
        }
        config_.push_back(std::move(f));
    }
    // Chains each row's hash with the column's value: doubles and integers by mldp's canonical
    // hash_value, categories by the hash of their text (so chunks with other dictionaries agree).
    static void hash_column(const frame::column& c, std::vector<std::uint64_t>& h) {
        constexpr std::uint64_t missing = 0x4d495353494e4721ULL;
        if (const auto* nc = std::get_if<numeric_column>(&c.data)) {
            const auto v = nc->values();
            for (std::size_t i = 0; i < h.size(); ++i) h[i] = std::isnan(v[i]) ? hash_value(missing, h[i]) : hash_value(v[i], h[i]);
        } else if (const auto* tc = std::get_if<time_column>(&c.data)) {
            for (std::size_t i = 0; i < h.size(); ++i) {
                h[i] = tc->ticks[i] == time_column::missing ? hash_value(missing, h[i]) : hash_value(tc->ticks[i], h[i]);
            }
        } else if (const auto* cc = std::get_if<categorical_column>(&c.data)) {
            const auto& dict = cc->dictionary();
            std::vector<std::uint64_t> code_hash(dict.size());
            for (std::size_t k = 0; k < dict.size(); ++k) code_hash[k] = hash64(dict[k]);
            const auto& codes = cc->codes();
            for (std::size_t i = 0; i < h.size(); ++i) {
                const auto code = codes[i];
                h[i] = hash_value(code == categorical_column::missing_code ? missing : code_hash[static_cast<std::size_t>(code)], h[i]);
            }
        }
    }

    check_options o_;
    bool all_;
    report_limits limits_;
    key_table table_;
    std::vector<std::size_t> later_;  // the first rows that repeat a key seen earlier (at most limits_.rows)
    std::vector<std::string> columns_seen_;
    std::vector<finding> config_;
    std::size_t rows_ = 0;
};

using key_impl = state_impl<key_state, bool>;

inline check make_row_check(std::string code, std::string description, std::string column, row_rule_spec spec) {
    check_options o;
    o.code = std::move(code);
    o.description = std::move(description);
    o.columns = {std::move(column)};
    return check(std::move(o), std::make_shared<const row_rule_impl>(std::move(spec)));
}

}  // namespace detail

/// Every row of `column` (any kind) has a value: NaN, a missing category and NaT offend. deequ's
/// Completeness is one minus the finding's fraction. Exactly mergeable; O(rows).
inline check not_null(std::string column) {
    const std::string d = fmt::format("not_null({})", column);
    return detail::make_row_check("not_null", d, std::move(column), {detail::row_rule::not_null, 0.0, 0.0, {}});
}

/// Every non-missing value of a numeric (or time, in ticks) column lies in [lo, hi]. Missing values
/// follow the null policy. Throws invalid_argument for lo > hi or NaN bounds. Exactly mergeable; O(rows).
inline check in_range(std::string column, double lo, double hi) {
    if (!(lo <= hi)) throw invalid_argument(fmt::format("mldp::quality::in_range: the bounds [{}, {}] are not an interval", lo, hi));
    const std::string d = fmt::format("in_range({}, {:.10g}, {:.10g})", column, lo, hi);  // readable; the bounds themselves are exact
    return detail::make_row_check("in_range", d, std::move(column), {detail::row_rule::in_range, lo, hi, {}});
}

/// Every non-missing value of a categorical column is one of `allowed`. The finding suggests, for each
/// listed offending value, the allowed value equal up to case and whitespace, or the nearest ones by
/// edit distance (typos). Exactly mergeable; O(rows + dictionary x |allowed|).
inline check in_set(std::string column, std::vector<std::string> allowed) {
    if (allowed.empty()) throw invalid_argument("mldp::quality::in_set: the allowed set is empty");
    const std::string d = fmt::format("in_set({}, {{{}}})", column, fmt::join(allowed, ", "));
    return detail::make_row_check("in_set", d, std::move(column), {detail::row_rule::in_set, 0.0, 0.0, std::move(allowed)});
}

/// Every value (or combination of values, for several columns) occurs once. Offending rows are all
/// rows whose key occurs more than once, so the finding's fraction is one minus deequ's Uniqueness.
/// Keys are 64-bit hashes of the values (collisions about n^2 / 2^65). Exactly mergeable; O(rows)
/// time and O(distinct keys) memory. Throws invalid_argument for no column.
inline check unique(std::vector<std::string> columns) {
    if (columns.empty()) throw invalid_argument("mldp::quality::unique: no column given");
    check_options o;
    o.code = "unique";
    o.description = fmt::format("unique({})", fmt::join(columns, ", "));
    o.columns = std::move(columns);
    return check(std::move(o), std::make_shared<const detail::key_impl>(false));
}
/// unique over one column.
inline check unique(std::string column) { return unique(std::vector<std::string>{std::move(column)}); }

/// No two rows are equal in every column. Offending rows are all copies of a repeated row (deequ's
/// duplicate count: 2 for [(a,1),(b,2),(a,1),(c,3)]; pandas' duplicated() marks only the later
/// copies). Hashing as unique(). Exactly mergeable.
inline check no_duplicate_rows() {
    check_options o;
    o.code = "no_duplicate_rows";
    o.description = "no_duplicate_rows()";
    return check(std::move(o), std::make_shared<const detail::key_impl>(true));
}

}  // namespace mldp::quality

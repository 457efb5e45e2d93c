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
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "mldp/core/detail/cpu_dispatch.hpp"
#include "mldp/core/detail/memory.hpp"
#include "mldp/core/detail/threshold_count.hpp"
#include "mldp/core/frame.hpp"
#include "mldp/core/hash.hpp"
#include "mldp/quality/check.hpp"

#if MLDP_X86_DISPATCH
#include <immintrin.h>
#endif

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
            const bool range = spec_->rule == row_rule::in_range;
            const double lo = spec_->lo, hi = spec_->hi;
            auto fill = [&](std::size_t p0, std::size_t len, std::uint64_t* masks) {
                mldp::detail::fail_masks(v.data() + p0, len, range, lo, hi, masks);
            };
            visit_failing(v.size(), offset, fill, [&](std::size_t i) { return std::isnan(v[i]); },
                          [&](std::size_t i) { return value_text(v[i]); });
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
            if (dict.size() <= 32) {
                std::uint32_t allowed = 0;
                for (std::size_t k = 0; k < dict.size(); ++k) allowed |= ok[k] != 0 ? std::uint32_t{1} << k : 0U;
                auto fill = [&](std::size_t p0, std::size_t len, std::uint64_t* masks) {
                    mldp::detail::code_masks(codes.data() + p0, len, allowed, masks);
                };
                visit_failing(codes.size(), offset, fill, [&](std::size_t i) { return codes[i] == categorical_column::missing_code; },
                              [&](std::size_t i) -> const std::string& { return dict[static_cast<std::size_t>(codes[i])]; });
            } else {
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
    // Rows [0, n) by bit masks of the rows that need attention, missing or offending: fill(p0, len,
    // masks) sets the bits of rows p0 .. p0 + len - 1 (vectorised kernels, see
    // core/detail/threshold_count.hpp), 64 rows per word, a piece at a time; those rows are rare and
    // visited one by one (missing(i): whether row i is missing, else text(i) is its offending value),
    // the clear words skipped.
    template <class Fill, class Missing, class Text>
    void visit_failing(std::size_t n, std::size_t offset, Fill&& fill, Missing&& missing, Text&& text) {
        constexpr std::size_t piece = 64 * 256;
        std::uint64_t masks[piece / 64];
        for (std::size_t p0 = 0; p0 < n; p0 += piece) {
            const std::size_t len = (std::min)(piece, n - p0);
            fill(p0, len, masks);
            std::size_t attention = 0;
            for (std::size_t w = 0; w * 64 < len; ++w) {
                for (std::uint64_t m = masks[w]; m != 0; m &= m - 1) {
                    ++attention;
                    const std::size_t i = p0 + w * 64 + static_cast<std::size_t>(count_trailing_zeros(m));
                    if (missing(i)) {
                        missing_row(offset + i);
                    } else {
                        ++tally_.checked;
                        tally_.offend(offset + i, text(i));
                    }
                }
            }
            tally_.checked += len - attention;
        }
    }

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

/// The `cap` smallest rows offered, in a bounded max-heap. bound() is the value an offer must be
/// below to enter, so that callers can skip the call for the many rows that cannot.
class smallest_rows {
public:
    explicit smallest_rows(std::size_t cap = 0) : cap_(cap), bound_(cap == 0 ? 0 : no_row) {}
    static constexpr std::uint64_t no_row = (std::numeric_limits<std::uint64_t>::max)();

    std::uint64_t bound() const noexcept { return bound_; }
    void offer(std::uint64_t row) {
        if (row < bound_) push(row);
    }
    /// Offers every row of `o`, plus `offset`.
    void offer_all(const smallest_rows& o, std::uint64_t offset) {
        for (std::uint64_t r : o.heap_) offer(r + offset);
    }
    /// The rows held, ascending.
    std::vector<std::uint64_t> sorted() const {
        std::vector<std::uint64_t> out = heap_;
        std::sort_heap(out.begin(), out.end());
        return out;
    }
    // For offers already known to be below bound().
    void push(std::uint64_t row) {
        if (heap_.size() < cap_) {
            heap_.push_back(row);
            std::push_heap(heap_.begin(), heap_.end());
        } else {
            std::pop_heap(heap_.begin(), heap_.end());
            heap_.back() = row;
            std::push_heap(heap_.begin(), heap_.end());
        }
        if (heap_.size() == cap_) bound_ = heap_.front();
    }

private:
    std::vector<std::uint64_t> heap_;
    std::size_t cap_;
    std::uint64_t bound_;
};

/// A 64-byte-aligned array of 64-bit words (buckets of 8 keys are then one cache line each).
class line_buffer {
public:
    line_buffer() = default;
    explicit line_buffer(std::size_t n, bool zeroed) : size_(n) {
        raw_.reset(new std::uint64_t[n + 8]);
        const auto addr = reinterpret_cast<std::uintptr_t>(raw_.get());
        data_ = raw_.get() + ((64 - addr % 64) % 64) / sizeof(std::uint64_t);
        mldp::detail::advise_huge_pages(data_, n * sizeof(std::uint64_t));
        if (zeroed) std::fill(data_, data_ + n, std::uint64_t{0});
    }
    line_buffer(const line_buffer& o) : line_buffer(o.size_, false) { std::copy(o.data_, o.data_ + o.size_, data_); }
    line_buffer& operator=(const line_buffer& o) {
        if (this != &o) *this = line_buffer(o);
        return *this;
    }
    line_buffer(line_buffer&& o) noexcept
        : raw_(std::move(o.raw_)), data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)) {}
    line_buffer& operator=(line_buffer&& o) noexcept {
        raw_ = std::move(o.raw_);
        data_ = std::exchange(o.data_, nullptr);
        size_ = std::exchange(o.size_, 0);
        return *this;
    }
    std::uint64_t* data() const noexcept { return data_; }
    std::size_t size() const noexcept { return size_; }

private:
    std::unique_ptr<std::uint64_t[]> raw_;
    std::uint64_t* data_ = nullptr;
    std::size_t size_ = 0;
};

/// The set of 64-bit row-key hashes seen, each with the row of its first occurrence and whether it
/// occurred again. Exact up to 64-bit hash collisions (about n^2 / 2^65: 3e-8 for 10^6 rows).
///
/// The table is split by the top 8 bits of the hash into 256 parts of equal capacity (kept at most
/// 3/4 full), each an open-addressing table of buckets of 8 slots probed bucket after bucket: a
/// bucket's keys are one 64-byte line, searched at once (AVX-512 or AVX2 compares where the CPU has
/// them; every variant picks the same slot, the first holding the key or empty). A slot keeps the key
/// and a tag: the first row, with the top bit set once the key repeats. Counts beyond "once" and
/// "more than once" are not needed: the offending total is kept as keys cross into "more than once",
/// and a merge corrects it for the keys both sides hold.
///
/// A large chunk's rows are first grouped by part (a counting sort of hash and row), then each part
/// takes its rows at once, so that the part being filled (about 1/256 of the table) stays in cache
/// instead of every row touching a random line of the whole table. Large buffers are advised to huge
/// pages (see core/detail/memory.hpp).
class key_table {
public:
    static constexpr unsigned part_bits = 8;
    static constexpr std::size_t parts = std::size_t{1} << part_bits;
    static constexpr std::size_t width = 8;  // slots per bucket
    static constexpr std::uint64_t repeated = std::uint64_t{1} << 63;

    /// `keep`: how many of the smallest first rows of repeated keys to keep (see smallest_repeated()).
    explicit key_table(std::size_t keep = 0) : sizes_(parts, 0), firsts_(keep) {}

    // The grouped rows of one chunk, as the fill kernels take them.
    struct chunk_rows {
        const std::uint64_t* keys;    // hashes, grouped by part (never 0)
        const std::uint32_t* rows;    // their rows within the chunk
        const std::size_t* start;     // part p's rows are [start[p], start[p + 1])
        std::uint64_t offset;         // the chunk's first row
        smallest_rows* later;         // takes each row whose key was seen before it
    };
    using fill_kernel = void (*)(key_table&, const chunk_rows&);

    /// Adds rows offset .. offset + n - 1 with hashes h[0..n); offers each row whose key was seen
    /// before it (in an earlier row or chunk) to `later`. Rows must be below 2^63.
    void add_rows(const std::uint64_t* h, std::size_t n, std::uint64_t offset, smallest_rows& later) {
        add_rows(h, n, offset, later, best_fill_kernel());
    }
    /// As add_rows(h, n, offset, later), with a given fill kernel for large chunks (tests).
    void add_rows(const std::uint64_t* h, std::size_t n, std::uint64_t offset, smallest_rows& later, fill_kernel fill) {
        if (n < 4096 || n > (std::numeric_limits<std::uint32_t>::max)()) {
            for (std::size_t i = 0; i < n; ++i) {
                if (add(h[i], offset + i)) later.offer(offset + i);
            }
            return;
        }
        std::vector<std::size_t> start(parts + 1, 0);
        for (std::size_t i = 0; i < n; ++i) ++start[part_of(nonzero(h[i])) + 1];
        std::size_t largest = 0;
        for (std::size_t p = 0; p < parts; ++p) {
            largest = (std::max)(largest, sizes_[p] + start[p + 1]);
            start[p + 1] += start[p];
        }
        reserve(largest);
        // Grouped hashes and rows (written before they are read: no zeroing).
        const std::unique_ptr<std::uint64_t[]> keys(new std::uint64_t[n]);
        const std::unique_ptr<std::uint32_t[]> rows(new std::uint32_t[n]);
        mldp::detail::advise_huge_pages(keys.get(), n * sizeof(std::uint64_t));
        mldp::detail::advise_huge_pages(rows.get(), n * sizeof(std::uint32_t));
        std::vector<std::size_t> next(start.begin(), start.end() - 1);
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint64_t key = nonzero(h[i]);
            const std::size_t at = next[part_of(key)]++;
            keys[at] = key;
            rows[at] = static_cast<std::uint32_t>(i);
        }
        fill(*this, chunk_rows{keys.get(), rows.get(), start.data(), offset, &later});
    }

    /// Adds the keys of `o`, whose rows follow ours shifted by `offset`; offers to `later` the first
    /// rows of o's keys that we already hold (they repeat ours).
    void merge(const key_table& o, std::uint64_t offset, smallest_rows& later) {
        std::size_t largest = 0;
        for (std::size_t p = 0; p < parts; ++p) largest = (std::max)(largest, sizes_[p] + o.sizes_[p]);
        reserve(largest);
        offending_ += o.offending_;
        for (std::size_t i = 0; i < o.keys_.size(); ++i) {
            const std::uint64_t key = o.keys_.data()[i];
            if (key == 0) continue;
            const std::uint64_t tag = o.tags_.data()[i];
            const std::uint64_t first = (tag & ~repeated) + offset;
            bool held = false;
            const std::size_t p = part_of(key);
            const std::size_t s = locate(p, key, held);
            std::uint64_t& ours = tags_.data()[s];
            if (!held) {
                keys_.data()[s] = key;
                ours = first | (tag & repeated);
                ++sizes_[p];
                if ((tag & repeated) != 0) firsts_.offer(first);
                continue;
            }
            // Both sides hold the key: each side's first row now offends too if it did not already.
            if ((ours & repeated) == 0) {
                ours |= repeated;
                ++offending_;
                firsts_.offer(ours & ~repeated);
            }
            if ((tag & repeated) == 0) ++offending_;
            later.offer(first);
        }
    }

    /// Adds a key not held yet with its tag (first row, | repeated), taken from another set of keys
    /// whose offending total the caller adds with add_offending().
    void insert_new(std::uint64_t key, std::uint64_t tag) {
        key = nonzero(key);
        const std::size_t p = part_of(key);
        reserve(sizes_[p] + 1);
        bool held = false;
        const std::size_t s = locate(p, key, held);
        keys_.data()[s] = key;
        tags_.data()[s] = tag;
        ++sizes_[p];
        if ((tag & repeated) != 0) firsts_.offer(tag & ~repeated);
    }
    void add_offending(std::uint64_t n) noexcept { offending_ += n; }

    /// Distinct keys held.
    std::size_t size() const noexcept {
        std::size_t n = 0;
        for (std::size_t c : sizes_) n += c;
        return n;
    }
    /// Occurrences of the keys held more than once.
    std::uint64_t offending() const noexcept { return offending_; }
    /// The smallest `keep` first rows of the keys held more than once, ascending.
    std::vector<std::uint64_t> smallest_repeated() const { return firsts_.sorted(); }

    /// The fill kernels this CPU can run, baseline first, best last (the tests compare them).
    static std::vector<fill_kernel> fill_kernels() {
#if MLDP_X86_DISPATCH
        return mldp::detail::cpu_variants<fill_kernel>(fill_baseline, fill_avx2, fill_avx512);
#else
        return {fill_baseline};
#endif
    }
    static fill_kernel best_fill_kernel() noexcept {
#if MLDP_X86_DISPATCH
        static const fill_kernel best = mldp::detail::cpu_best<fill_kernel>(fill_baseline, fill_avx2, fill_avx512);
        return best;
#else
        return fill_baseline;
#endif
    }

private:
    static std::uint64_t nonzero(std::uint64_t key) noexcept { return key == 0 ? 1 : key; }
    static std::size_t part_of(std::uint64_t key) noexcept { return static_cast<std::size_t>(key >> (64 - part_bits)); }
    // Home bucket within a part: the key's low 32 bits scaled to the bucket count (bits apart from the part's).
    std::size_t home(std::uint64_t key) const noexcept {
        return static_cast<std::size_t>(((key & 0xFFFFFFFFULL) * static_cast<std::uint64_t>(buckets_)) >> 32);
    }
    std::size_t next_bucket(std::size_t b) const noexcept { return b + 1 == buckets_ ? 0 : b + 1; }

    // The slot (an index into keys_) holding `key` in part p, or the empty slot where it goes; the
    // part has room.
    std::size_t locate(std::size_t p, std::uint64_t key, bool& held) const noexcept {
        const std::uint64_t* const part = keys_.data() + p * buckets_ * width;
        for (std::size_t b = home(key);; b = next_bucket(b)) {
            const std::uint64_t* kb = part + b * width;
            for (std::size_t j = 0; j < width; ++j) {
                if (kb[j] == key || kb[j] == 0) {
                    held = kb[j] == key;
                    return p * buckets_ * width + b * width + j;
                }
            }
        }
    }

    // Adds one occurrence of `key` at `row`; returns whether the key was held before.
    bool add(std::uint64_t key, std::uint64_t row) {
        key = nonzero(key);
        const std::size_t p = part_of(key);
        reserve(sizes_[p] + 1);
        bool held = false;
        const std::size_t s = locate(p, key, held);
        std::uint64_t& tag = tags_.data()[s];
        if (!held) {
            keys_.data()[s] = key;
            tag = row;
            ++sizes_[p];
        } else if ((tag & repeated) == 0) {
            const std::uint64_t first = tag;
            tag |= repeated;
            offending_ += 2;
            firsts_.offer(first);
        } else {
            ++offending_;
        }
        return held;
    }

    // Makes room for `need` keys in every part (at most 3/4 full), growing at least twofold.
    void reserve(std::size_t need) {
        if (4 * need <= 3 * buckets_ * width) return;
        const std::size_t fit = (4 * need + 3 * width - 1) / (3 * width);
        const std::size_t buckets = (std::max)(fit, 2 * buckets_);
        line_buffer old_keys(parts * buckets * width, true), old_tags(parts * buckets * width, true);
        old_keys = std::exchange(keys_, std::move(old_keys));
        old_tags = std::exchange(tags_, std::move(old_tags));
        buckets_ = buckets;
        for (std::size_t i = 0; i < old_keys.size(); ++i) {
            const std::uint64_t key = old_keys.data()[i];
            if (key == 0) continue;
            bool held = false;
            const std::size_t s = locate(part_of(key), key, held);
            keys_.data()[s] = key;
            tags_.data()[s] = old_tags.data()[i];
        }
    }

    // The first slot of a bucket that holds `key` or is empty, or width when there is none (keys fill
    // a bucket's slots in order and are never removed, so the key, if held, comes before any empty slot).
    struct find_baseline {
        static unsigned find(const std::uint64_t* kb, std::uint64_t key) noexcept {
            unsigned j = 0;
            while (j < width && kb[j] != key && kb[j] != 0) ++j;
            return j;
        }
    };
#if MLDP_X86_DISPATCH
    struct find_avx2 {
        __attribute__((target("avx2"))) static unsigned find(const std::uint64_t* kb, std::uint64_t key) noexcept {
            const __m256i k = _mm256_set1_epi64x(static_cast<long long>(key)), zero = _mm256_setzero_si256();
            const __m256i a = _mm256_load_si256(reinterpret_cast<const __m256i*>(kb));
            const __m256i b = _mm256_load_si256(reinterpret_cast<const __m256i*>(kb + 4));
            const __m256i ma = _mm256_or_si256(_mm256_cmpeq_epi64(a, k), _mm256_cmpeq_epi64(a, zero));
            const __m256i mb = _mm256_or_si256(_mm256_cmpeq_epi64(b, k), _mm256_cmpeq_epi64(b, zero));
            const auto m = static_cast<unsigned>(_mm256_movemask_pd(_mm256_castsi256_pd(ma))) |
                           (static_cast<unsigned>(_mm256_movemask_pd(_mm256_castsi256_pd(mb))) << 4);
            return static_cast<unsigned>(__builtin_ctz(m | 0x100U));
        }
    };
    struct find_avx512 {
        __attribute__((target("avx512f"))) static unsigned find(const std::uint64_t* kb, std::uint64_t key) noexcept {
            const __m512i v = _mm512_load_si512(kb);
            const __mmask8 m = static_cast<__mmask8>(_mm512_cmpeq_epi64_mask(v, _mm512_set1_epi64(static_cast<long long>(key))) |
                                                     _mm512_cmpeq_epi64_mask(v, _mm512_setzero_si512()));
            return static_cast<unsigned>(__builtin_ctz(static_cast<unsigned>(m) | 0x100U));
        }
    };
#endif

    // Fills every part with its grouped rows. One body for every variant: the variants differ only in
    // Find, and each is flattened into its target function so that Find's compares are inlined.
    template <class Find>
    void fill_parts(const chunk_rows& c) {
        smallest_rows& later = *c.later;
        const std::size_t part_slots = buckets_ * width;
        for (std::size_t p = 0; p < parts; ++p) {
            std::uint64_t* const keys = keys_.data() + p * part_slots;
            std::uint64_t* const tags = tags_.data() + p * part_slots;
            // While a part fills, the next part's lines are fetched, a few per row.
            const char* next_keys = p + 1 < parts ? reinterpret_cast<const char*>(keys + part_slots) : nullptr;
            const char* next_tags = p + 1 < parts ? reinterpret_cast<const char*>(tags + part_slots) : nullptr;
            const std::size_t part_bytes = part_slots * sizeof(std::uint64_t);
            std::size_t fetched = 0;
            std::uint64_t added = 0, offended = 0;
            for (std::size_t at = c.start[p]; at < c.start[p + 1]; ++at) {
                const std::uint64_t key = c.keys[at];
                const std::uint64_t row = c.offset + c.rows[at];
                std::size_t b = home(key);
                unsigned j;
                while ((j = Find::find(keys + b * width, key)) == width) b = next_bucket(b);
                const std::size_t s = b * width + j;
                // Branch-free where the data decides: whether a key is new is a coin toss when keys
                // repeat often. held: 0 or 1; mask: all ones when held.
                const std::uint64_t held = keys[s] == key ? 1 : 0, mask = 0 - held;
                keys[s] = key;
                const std::uint64_t old = tags[s];  // 0 in an empty slot
                const std::uint64_t single = held & ((old >> 63) ^ 1);
                tags[s] = ((old | repeated) & mask) | (row & ~mask);
                added += held ^ 1;
                offended += held + single;
                const std::uint64_t first = old | (single - 1);  // the first row when the key turns repeated, else no_row
                const std::uint64_t again = row | ~mask;         // this row when it repeats a key, else no_row
                if (first < firsts_.bound() || again < later.bound()) {
                    // Rare: the counts are saved first, so that bad_alloc in a push leaves them true.
                    sizes_[p] += added;
                    offending_ += offended;
                    added = offended = 0;
                    if (first < firsts_.bound()) firsts_.push(first);
                    if (again < later.bound()) later.push(again);
                }
#if defined(__GNUC__)
                if (next_keys != nullptr && fetched < part_bytes) {
                    __builtin_prefetch(next_keys + fetched, 1);
                    __builtin_prefetch(next_tags + fetched, 1);
                    fetched += 64;
                }
#endif
            }
            sizes_[p] += added;
            offending_ += offended;
        }
    }
    static void fill_baseline(key_table& t, const chunk_rows& c) { t.fill_parts<find_baseline>(c); }
#if MLDP_X86_DISPATCH
    __attribute__((target("avx2"), flatten)) static void fill_avx2(key_table& t, const chunk_rows& c) { t.fill_parts<find_avx2>(c); }
    __attribute__((target("avx512f"), flatten)) static void fill_avx512(key_table& t, const chunk_rows& c) {
        t.fill_parts<find_avx512>(c);
    }
#endif

    line_buffer keys_;                 // parts * buckets_ * width keys, part p at p * buckets_ * width; 0 = empty
    line_buffer tags_;                 // each held key's first row, | repeated once it occurred again; 0 when empty
    std::size_t buckets_ = 0;          // buckets per part
    std::vector<std::size_t> sizes_;   // keys per part
    std::uint64_t offending_ = 0;      // occurrences of keys held more than once
    smallest_rows firsts_;             // the smallest first rows of repeated keys
};

/// The keys of one numeric column whose values are integers in [lo, lo + span), plus missing: a tag
/// per value, indexed by the value itself (no hashing, no probing). Tags as key_table's, with a
/// presence bit: 0 for a value not seen. This is the common case of integer ids in a compact range;
/// key_state falls back to hashing (converting) when values leave the range.
class dense_keys {
public:
    static constexpr std::uint64_t repeated = key_table::repeated;
    static constexpr std::uint64_t present = std::uint64_t{1} << 62;

    /// The range [lo, lo + span) of v's non-missing values when all of them are integers and the span
    /// is at most max_span; false otherwise (or when no value is present).
    static bool integer_range(const double* v, std::size_t n, std::size_t max_span, double& lo, std::size_t& span) noexcept {
        const integer_scan s = best_scan_kernel()(v, n);
        if (!s.integral || !(s.min <= s.max) || s.max - s.min >= static_cast<double>(max_span)) return false;
        lo = s.min;
        span = static_cast<std::size_t>(s.max - s.min) + 1;
        return true;
    }

    // The least and greatest non-missing value, and whether every non-missing value is an integer of
    // magnitude below 2^52, so that differences of values are exact (min > max when all are missing).
    // Exact in every variant.
    struct integer_scan {
        double min, max;
        bool integral;
    };
    using scan_kernel = integer_scan (*)(const double*, std::size_t);
    static integer_scan scan_baseline(const double* v, std::size_t n) noexcept { return scan_tail(v, 0, n, initial_scan()); }
#if MLDP_X86_DISPATCH
    __attribute__((target("avx2"))) static integer_scan scan_avx2(const double* v, std::size_t n) noexcept {
        const __m256d big = _mm256_set1_pd(two_52), sign = _mm256_set1_pd(-0.0);
        __m256d mn = _mm256_set1_pd(std::numeric_limits<double>::infinity()), mx = _mm256_set1_pd(-std::numeric_limits<double>::infinity());
        __m256d bad = _mm256_setzero_pd();
        std::size_t i = 0;
        for (; i + 4 <= n; i += 4) {
            const __m256d x = _mm256_loadu_pd(v + i);
            const __m256d given = _mm256_cmp_pd(x, x, _CMP_ORD_Q);
            const __m256d a = _mm256_andnot_pd(sign, x);
            const __m256d ok = _mm256_and_pd(_mm256_cmp_pd(a, big, _CMP_LT_OQ),
                                             _mm256_cmp_pd(_mm256_round_pd(a, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC), a, _CMP_EQ_OQ));
            bad = _mm256_or_pd(bad, _mm256_andnot_pd(ok, given));
            mn = _mm256_blendv_pd(mn, _mm256_min_pd(x, mn), given);
            mx = _mm256_blendv_pd(mx, _mm256_max_pd(x, mx), given);
        }
        alignas(32) double lo[4], hi[4];
        _mm256_store_pd(lo, mn);
        _mm256_store_pd(hi, mx);
        integer_scan s = initial_scan();
        s.integral = _mm256_movemask_pd(bad) == 0;
        for (int k = 0; k < 4; ++k) {
            s.min = lo[k] < s.min ? lo[k] : s.min;
            s.max = hi[k] > s.max ? hi[k] : s.max;
        }
        return scan_tail(v, i, n, s);
    }
    __attribute__((target("avx512f"))) static integer_scan scan_avx512(const double* v, std::size_t n) noexcept {
        const __m512d big = _mm512_set1_pd(two_52);
        __m512d mn = _mm512_set1_pd(std::numeric_limits<double>::infinity()), mx = _mm512_set1_pd(-std::numeric_limits<double>::infinity());
        __mmask8 bad = 0;
        std::size_t i = 0;
        for (; i + 8 <= n; i += 8) {
            const __m512d x = _mm512_loadu_pd(v + i);
            const __mmask8 given = _mm512_cmp_pd_mask(x, x, _CMP_ORD_Q);
            const __m512d a = _mm512_abs_pd(x);
            const __mmask8 ok = _mm512_cmp_pd_mask(a, big, _CMP_LT_OQ) &
                                _mm512_cmp_pd_mask(_mm512_maskz_roundscale_pd(static_cast<__mmask8>(0xFF), a, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC), a, _CMP_EQ_OQ);
            bad = static_cast<__mmask8>(bad | (given & ~ok));
            mn = _mm512_mask_min_pd(mn, given, x, mn);
            mx = _mm512_mask_max_pd(mx, given, x, mx);
        }
        alignas(64) double lo[8], hi[8];
        _mm512_store_pd(lo, mn);
        _mm512_store_pd(hi, mx);
        integer_scan s = initial_scan();
        s.integral = bad == 0;
        for (int k = 0; k < 8; ++k) {
            s.min = lo[k] < s.min ? lo[k] : s.min;
            s.max = hi[k] > s.max ? hi[k] : s.max;
        }
        return scan_tail(v, i, n, s);
    }
#endif
    /// The scan kernels this CPU can run, baseline first, best last (the tests compare them).
    static std::vector<scan_kernel> scan_kernels() {
#if MLDP_X86_DISPATCH
        return mldp::detail::cpu_variants<scan_kernel>(scan_baseline, scan_avx2, scan_avx512);
#else
        return {scan_baseline};
#endif
    }
    static scan_kernel best_scan_kernel() noexcept {
#if MLDP_X86_DISPATCH
        static const scan_kernel best = mldp::detail::cpu_best<scan_kernel>(scan_baseline, scan_avx2, scan_avx512);
        return best;
#else
        return scan_baseline;
#endif
    }

    dense_keys(double lo, std::size_t span, std::size_t keep) : lo_(lo), span_(span), tags_(span + 1, true), firsts_(keep) {}

    bool same_range(const dense_keys& o) const noexcept { return lo_ == o.lo_ && span_ == o.span_; }
    /// Whether every non-missing value of v[0..n) is an integer in the range.
    bool fits(const double* v, std::size_t n) const noexcept {
        double lo = 0.0;
        std::size_t span = 0;
        if (!integer_range(v, n, span_, lo, span)) {
            // All missing fits too.
            for (std::size_t i = 0; i < n; ++i) {
                if (v[i] == v[i]) return false;
            }
            return true;
        }
        return lo >= lo_ && lo + static_cast<double>(span) <= lo_ + static_cast<double>(span_);
    }

    /// Adds rows offset .. offset + n - 1 with values v (which fit); offers each row whose value was
    /// seen before it to `later`. Rows must be below 2^62.
    void add_rows(const double* v, std::size_t n, std::uint64_t offset, smallest_rows& later) {
        std::uint64_t* const tags = tags_.data();
        const auto missing_at = static_cast<double>(span_) + lo_;  // the missing slot, index span_
        const double lo = lo_;
        // Slots are computed a block ahead (a loop the compiler can vectorise), so that the main loop
        // reads them twice for free: `ahead` rows early, to fetch the slot's line (values are random
        // indexes into a table larger than the caches, so many misses overlap), then to update it.
        constexpr std::size_t block = 256, ahead = 64;
        std::size_t slots[2][block];
        auto fill_slots = [&](std::size_t b0, std::size_t* out) {
            const std::size_t len = (std::min)(block, n - b0);
            for (std::size_t j = 0; j < len; ++j) {
                const double x = v[b0 + j] == v[b0 + j] ? v[b0 + j] : missing_at;
                out[j] = static_cast<std::size_t>(static_cast<std::int64_t>(x - lo));
            }
        };
        std::uint64_t added = 0, offended = 0;
        if (n > 0) fill_slots(0, slots[0]);
        for (std::size_t b0 = 0, cur = 0; b0 < n; b0 += block, cur ^= 1) {
            const std::size_t len = (std::min)(block, n - b0);
            const bool more = b0 + block < n;
            const std::size_t next_len = more ? (std::min)(block, n - b0 - block) : 0;
            if (more) fill_slots(b0 + block, slots[cur ^ 1]);
            const std::size_t* const at_of = slots[cur];
            for (std::size_t j = 0; j < len; ++j) {
#if defined(__GNUC__)
                if (j + ahead < len) {
                    __builtin_prefetch(tags + at_of[j + ahead], 1);
                } else if (j + ahead - len < next_len) {
                    __builtin_prefetch(tags + slots[cur ^ 1][j + ahead - len], 1);
                }
#endif
                const std::size_t at = at_of[j];
                const std::uint64_t row = offset + b0 + j;
                // Branch-free, as key_table's fill: held 0 or 1, mask all ones when held.
                const std::uint64_t old = tags[at];
                const std::uint64_t held = (old >> 62) & 1, mask = 0 - held;
                const std::uint64_t single = held & ((old >> 63) ^ 1);
                tags[at] = ((old | repeated) & mask) | ((row | present) & ~mask);
                added += held ^ 1;
                offended += held + single;
                const std::uint64_t first = (old & ~present) | (single - 1);
                const std::uint64_t again = row | ~mask;
                if (first < firsts_.bound() || again < later.bound()) {
                    // Rare: the counts are saved first, so that bad_alloc in a push leaves them true.
                    size_ += added;
                    offending_ += offended;
                    added = offended = 0;
                    if (first < firsts_.bound()) firsts_.push(first);
                    if (again < later.bound()) later.push(again);
                }
            }
        }
        size_ += added;
        offending_ += offended;
    }

    /// Adds `o` (same range), whose rows follow ours shifted by `offset`, as key_table::merge does.
    void merge(const dense_keys& o, std::uint64_t offset, smallest_rows& later) {
        offending_ += o.offending_;
        std::uint64_t* const tags = tags_.data();
        for (std::size_t at = 0; at <= span_; ++at) {
            const std::uint64_t theirs = o.tags_.data()[at];
            if (theirs == 0) continue;
            const std::uint64_t first = (theirs & ~(present | repeated)) + offset;
            std::uint64_t& ours = tags[at];
            if (ours == 0) {
                ours = first | (theirs & (present | repeated));
                ++size_;
                if ((theirs & repeated) != 0) firsts_.offer(first);
                continue;
            }
            if ((ours & repeated) == 0) {
                ours |= repeated;
                ++offending_;
                firsts_.offer(ours & ~(present | repeated));
            }
            if ((theirs & repeated) == 0) ++offending_;
            later.offer(first);
        }
    }

    /// Moves every key into `t` (empty), each as the key of key_of(value) (key_of(NaN) for missing).
    template <class KeyOf>
    void move_to(key_table& t, KeyOf&& key_of) const {
        for (std::size_t at = 0; at <= span_; ++at) {
            const std::uint64_t tag = tags_.data()[at];
            if (tag == 0) continue;
            const double x = at == span_ ? std::numeric_limits<double>::quiet_NaN() : lo_ + static_cast<double>(at);
            t.insert_new(key_of(x), tag & ~present);
        }
        t.add_offending(offending_);
    }

    std::size_t size() const noexcept { return size_; }
    std::uint64_t offending() const noexcept { return offending_; }
    std::vector<std::uint64_t> smallest_repeated() const { return firsts_.sorted(); }

private:
    static constexpr double two_52 = 4503599627370496.0;  // values from 2^52 on take the hashed table
    static integer_scan initial_scan() noexcept {
        return {std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(), true};
    }
    // Scans v[i..n) into s. NaN (missing) passes; +-inf and non-integers fail. Integers are told by
    // truncation (not by adding 2^52, which -ffast-math could fold away).
    static integer_scan scan_tail(const double* v, std::size_t i, std::size_t n, integer_scan s) noexcept {
        for (; i < n; ++i) {
            const double x = v[i];
            if (x != x) continue;
            const double a = x < 0 ? -x : x;
            s.integral = s.integral && a < two_52 && std::trunc(a) == a;
            s.min = x < s.min ? x : s.min;
            s.max = x > s.max ? x : s.max;
        }
        return s;
    }

    double lo_;
    std::size_t span_;
    line_buffer tags_;  // span_ + 1 tags: value lo_ + i at i, missing at span_
    std::size_t size_ = 0;
    std::uint64_t offending_ = 0;
    smallest_rows firsts_;
};

class key_state final : public check_state {
public:
    key_state(check_options o, bool all_columns, const report_limits& limits)
        : o_(std::move(o)), all_(all_columns), limits_(limits), table_(limits.rows), later_(limits.rows) {}

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
        if (n == 0) return;
        // One numeric column of integers in a compact range (ids): indexed by value, while it lasts.
        const auto* single = cols.size() == 1 ? std::get_if<numeric_column>(&cols[0]->data) : nullptr;
        if (single != nullptr && n > 0) {
            const double* v = single->values().data();
            if (dense_ && dense_->fits(v, n)) {
                dense_->add_rows(v, n, offset, later_);
                rows_ += n;
                return;
            }
            double lo = 0.0;
            std::size_t span = 0;
            if (!dense_ && rows_ == 0 && table_.size() == 0 && n >= 4096 && dense_keys::integer_range(v, n, 2 * n, lo, span)) {
                dense_.emplace(lo, span, limits_.rows);
                dense_->add_rows(v, n, offset, later_);
                rows_ += n;
                return;
            }
        }
        to_table();
        std::vector<std::uint64_t> h;
        mldp::detail::reserve_large(h, n);
        h.assign(n, row_seed);
        for (const frame::column* c : cols) hash_column(*c, h);
        table_.add_rows(h.data(), n, offset, later_);
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
        if (dense_ && o.dense_ && dense_->same_range(*o.dense_)) {
            dense_->merge(*o.dense_, offset, later_);
        } else if (o.dense_) {
            to_table();
            key_table theirs(limits_.rows);
            o.dense_->move_to(theirs, [](double x) { return numeric_key(x); });
            table_.merge(theirs, offset, later_);
        } else if (o.table_.size() != 0) {
            to_table();
            table_.merge(o.table_, offset, later_);
        }
        later_.offer_all(o.later_, offset);
        rows_ += o.rows_;
    }
    std::vector<finding> finish(std::size_t total_rows) const override {
        if (!config_.empty()) return config_;
        // Offending rows: every row whose key occurs more than once (deequ's duplicate count; one minus
        // deequ's Uniqueness as a fraction).
        const auto offending = static_cast<std::size_t>(dense_ ? dense_->offending() : table_.offending());
        if (offending == 0) return {};
        std::vector<std::size_t> rows;
        for (std::uint64_t r : dense_ ? dense_->smallest_repeated() : table_.smallest_repeated()) rows.push_back(static_cast<std::size_t>(r));
        for (std::uint64_t r : later_.sorted()) rows.push_back(static_cast<std::size_t>(r));
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
                                all_ ? "content" : "key", dense_ ? dense_->size() : table_.size(), all_ ? "rows" : "keys");
        return {f};
    }
    std::unique_ptr<check_state> clone() const override { return std::make_unique<key_state>(*this); }
    double cost() const noexcept override { return 8.0; }

private:
    void add_config(finding f) {
        for (const auto& g : config_) {
            if (g.code == f.code && g.column == f.column) return;
        }
        config_.push_back(std::move(f));
    }
    static constexpr std::uint64_t row_seed = 0x6d6c64702d6b6579ULL;
    // A missing cell chained into a row hash h: the hash of a constant under a seed of its own, so
    // that no value (a double or tick with the constant's bits) hashes like it.
    static std::uint64_t missing_key(std::uint64_t h) noexcept {
        return hash_value(std::uint64_t{0x4d495353494e4721ULL}, h ^ 0x6e756c6c2d63656cULL);
    }
    // A numeric value chained into a row hash h; the key of a one-column row is numeric_key(x).
    static std::uint64_t numeric_key(double x, std::uint64_t h = row_seed) noexcept {
        return std::isnan(x) ? missing_key(h) : hash_value(x, h);
    }
    // Hashes the keys of dense_ into table_, from which on the state hashes.
    void to_table() {
        if (!dense_) return;
        dense_->move_to(table_, [](double x) { return numeric_key(x); });
        dense_.reset();
    }
    // Chains each row's hash with the column's value: doubles and integers by mldp's canonical
    // hash_value, categories by the hash of their text (so chunks with other dictionaries agree).
    static void hash_column(const frame::column& c, std::vector<std::uint64_t>& h) {
        if (const auto* nc = std::get_if<numeric_column>(&c.data)) {
            const auto v = nc->values();
            for (std::size_t i = 0; i < h.size(); ++i) h[i] = numeric_key(v[i], h[i]);
        } else if (const auto* tc = std::get_if<time_column>(&c.data)) {
            for (std::size_t i = 0; i < h.size(); ++i) {
                h[i] = tc->ticks[i] == time_column::missing ? missing_key(h[i]) : hash_value(tc->ticks[i], h[i]);
            }
        } else if (const auto* cc = std::get_if<categorical_column>(&c.data)) {
            const auto& dict = cc->dictionary();
            std::vector<std::uint64_t> code_hash(dict.size());
            for (std::size_t k = 0; k < dict.size(); ++k) code_hash[k] = hash64(dict[k]);
            const auto& codes = cc->codes();
            for (std::size_t i = 0; i < h.size(); ++i) {
                const auto code = codes[i];
                h[i] = code == categorical_column::missing_code ? missing_key(h[i]) : hash_value(code_hash[static_cast<std::size_t>(code)], h[i]);
            }
        }
    }

    check_options o_;
    bool all_;
    report_limits limits_;
    key_table table_;
    std::optional<dense_keys> dense_;  // instead of table_ while one integer column stays in range
    smallest_rows later_;  // the smallest rows that repeat a key seen in an earlier row
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

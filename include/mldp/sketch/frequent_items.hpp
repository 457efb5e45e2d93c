// mldp — frequent_items: the heavy hitters of a categorical stream with guaranteed error bounds in
// O(capacity) memory (Misra & Gries, "Finding repeated elements", 1982; weighted and mergeable as in
// Agarwal et al., "Mergeable summaries", PODS 2012). Exact while the stream has at most `capacity`
// distinct items.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <iterator>
#include <limits>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "mldp/core/archive.hpp"
#include "mldp/core/error.hpp"
#include "mldp/core/hash.hpp"

namespace mldp::sketch {

/// One item with its count bounds: lower <= true count <= upper.
template <class T>
struct item_estimate {
    T item;
    std::uint64_t lower = 0;  ///< the counter: never above the true count
    std::uint64_t upper = 0;  ///< lower + max_error(): never below it
};

/// Misra-Gries summary of a stream of items (T: an integer type or std::string).
///
/// Keeps at most `capacity` counters. A new item beyond capacity triggers a decrement: the smallest
/// of the capacity + 1 counters is subtracted from all of them and the non-positive ones dropped. For
/// every item, true count - max_error() <= lower_bound(item) <= true count, and
/// max_error() <= (n() - retained weight) / (capacity + 1) <= n() / (capacity + 1): any item more
/// frequent than n / (capacity + 1) is retained. max_error() is 0 (exact counts) until the stream
/// has more than `capacity` distinct items. update() is amortised O(1) (a decrement costs
/// O(capacity) and removes at least capacity + 1 units of weight); merge() O(capacity log capacity).
/// Results are deterministic: lookups use mldp's canonical hash, outputs are sorted.
template <class T>
class frequent_items {
    static_assert((std::is_integral_v<T> && !std::is_same_v<T, bool>) || std::is_same_v<T, std::string>,
                  "mldp::sketch::frequent_items<T>: T must be an integer type or std::string");

public:
    /// Throws invalid_argument for capacity 0.
    explicit frequent_items(std::size_t capacity = 1024) : capacity_(capacity) {
        if (capacity == 0) throw invalid_argument("mldp::sketch::frequent_items: capacity must be at least 1");
        counts_.reserve((std::min)(capacity + 1, std::size_t{4096}));  // grows as items arrive
    }

    /// Adds `weight` occurrences of `item`.
    void update(const T& item, std::uint64_t weight = 1) {
        if (weight == 0) return;
        n_ += weight;
        auto it = counts_.find(item);
        if (it != counts_.end()) {
            it->second += weight;
            return;
        }
        counts_.emplace(item, weight);
        if (counts_.size() > capacity_) reduce();
    }

    /// Adds the other summary, whose capacity must be at least this one's (a smaller one would break
    /// the error bound). Throws invalid_argument otherwise.
    void merge(const frequent_items& other) {
        if (other.capacity_ < capacity_) {
            throw invalid_argument(fmt::format("mldp::sketch::frequent_items::merge: capacity {} is below this summary's {}",
                                               other.capacity_, capacity_));
        }
        std::optional<frequent_items> self;  // merging a summary with itself reads a copy
        if (&other == this) self.emplace(other);
        const frequent_items& o = self ? *self : other;
        n_ += o.n_;
        offset_ += o.offset_;
        for (const auto& [item, c] : o.counts_) counts_[item] += c;
        if (counts_.size() > capacity_) reduce();
    }

    /// Total weight seen.
    std::uint64_t n() const noexcept { return n_; }
    std::size_t capacity() const noexcept { return capacity_; }
    /// Counters kept.
    std::size_t retained() const noexcept { return counts_.size(); }
    /// The most any count can be underestimated by (0: all counts exact).
    std::uint64_t max_error() const noexcept { return offset_; }
    bool exact() const noexcept { return offset_ == 0; }

    std::uint64_t lower_bound(const T& item) const {
        auto it = counts_.find(item);
        return it == counts_.end() ? 0 : it->second;
    }
    std::uint64_t upper_bound(const T& item) const { return lower_bound(item) + offset_; }

    /// Retained items whose lower bound exceeds `threshold` (no false positives: each truly occurs
    /// more often), by decreasing lower bound, ties by item.
    std::vector<item_estimate<T>> items_above(std::uint64_t threshold = 0) const {
        std::vector<item_estimate<T>> out;
        for (const auto& [item, c] : counts_) {
            if (c > threshold) out.push_back({item, c, c + offset_});
        }
        std::sort(out.begin(), out.end(), [](const item_estimate<T>& a, const item_estimate<T>& b) {
            return a.lower != b.lower ? a.lower > b.lower : a.item < b.item;
        });
        return out;
    }

    /// Bytes in mldp's checked envelope (type tag "FRQ1", version 1), items in sorted order.
    std::vector<std::uint8_t> serialize() const {
        archive_writer w("FRQ1", 1);
        w.put_u8(std::is_same_v<T, std::string> ? 0 : static_cast<std::uint8_t>(std::is_signed_v<T> ? 1 : 2));
        w.put_u64(capacity_);
        w.put_u64(n_);
        w.put_u64(offset_);
        const auto all = items_above(0);
        w.put_u64(all.size());
        for (const auto& e : all) {
            if constexpr (std::is_same_v<T, std::string>) {
                w.put_string(e.item);
            } else if constexpr (std::is_signed_v<T>) {
                w.put_i64(static_cast<std::int64_t>(e.item));
            } else {
                w.put_u64(static_cast<std::uint64_t>(e.item));
            }
            w.put_u64(e.lower);
        }
        return w.finish();
    }

    /// Restores serialize()'s output; checks the item type, capacity >= 1, at most capacity items,
    /// positive and distinct counters whose sum plus the decremented weight does not exceed n.
    /// Throws format_error.
    static frequent_items deserialize(const std::uint8_t* data, std::size_t size) {
        archive_reader r(data, size, "FRQ1", 1, 1);
        const std::uint8_t kind = r.get_u8("item type");
        r.require(kind == (std::is_same_v<T, std::string> ? 0 : (std::is_signed_v<T> ? 1 : 2)),
                  "the buffer holds items of another type");
        const std::uint64_t capacity = r.get_u64("capacity");
        r.require(capacity >= 1 && capacity <= (std::uint64_t{1} << 32), "capacity out of range");
        frequent_items f(static_cast<std::size_t>(capacity));
        f.n_ = r.get_u64("n");
        f.offset_ = r.get_u64("max error");
        const std::uint64_t k = r.get_u64("item count");
        r.require(k <= capacity && k <= r.remaining() / 9, "item count exceeds the capacity or the remaining bytes");
        std::uint64_t sum = 0;
        for (std::uint64_t i = 0; i < k; ++i) {
            T item{};
            if constexpr (std::is_same_v<T, std::string>) {
                item = r.get_string("item");
            } else if constexpr (std::is_signed_v<T>) {
                const std::int64_t v = r.get_i64("item");
                r.require(v >= static_cast<std::int64_t>((std::numeric_limits<T>::min)()) &&
                              v <= static_cast<std::int64_t>((std::numeric_limits<T>::max)()),
                          "item out of range for the item type");
                item = static_cast<T>(v);
            } else {
                const std::uint64_t v = r.get_u64("item");
                r.require(v <= static_cast<std::uint64_t>((std::numeric_limits<T>::max)()), "item out of range for the item type");
                item = static_cast<T>(v);
            }
            const std::uint64_t c = r.get_u64("count");
            r.require(c > 0, "zero counter");
            r.require(c <= f.n_ && sum <= f.n_ - c, "counters exceed n");
            sum += c;
            r.require(f.counts_.emplace(std::move(item), c).second, "repeated item");
        }
        r.finish();
        // Each reduction removed at least (capacity + 1) times what it added to the error.
        r.require(f.offset_ <= (f.n_ - sum) / (capacity + 1), "max error above (n - retained) / (capacity + 1)");
        return f;
    }
    static frequent_items deserialize(const std::vector<std::uint8_t>& bytes) { return deserialize(bytes.data(), bytes.size()); }

private:
    struct hasher {
        std::size_t operator()(const T& v) const noexcept { return static_cast<std::size_t>(hash_value(v)); }
    };

    /// Back to at most `capacity` counters: subtract the (capacity + 1)-th largest counter from every
    /// counter and drop those that reach zero (for capacity + 1 counters: the smallest).
    void reduce() {
        scratch_.clear();
        for (const auto& [item, c] : counts_) scratch_.push_back(c);
        const auto kth = scratch_.begin() + static_cast<std::ptrdiff_t>(scratch_.size() - capacity_ - 1);
        std::nth_element(scratch_.begin(), kth, scratch_.end());
        const std::uint64_t m = *kth;
        offset_ += m;
        for (auto it = counts_.begin(); it != counts_.end();) {
            if (it->second <= m) {
                it = counts_.erase(it);
            } else {
                it->second -= m;
                ++it;
            }
        }
    }

    std::size_t capacity_;
    std::uint64_t n_ = 0, offset_ = 0;
    std::unordered_map<T, std::uint64_t, hasher> counts_;
    std::vector<std::uint64_t> scratch_;
};

/// JSON of an item estimate: {"item", "lower", "upper"} (the item as a JSON string or integer).
template <class T>
void to_json(nlohmann::json& j, const item_estimate<T>& e) {
    j = nlohmann::json{{"item", e.item}, {"lower", e.lower}, {"upper", e.upper}};
}

}  // namespace mldp::sketch

/// Prints an item estimate on one line: "cat: 12" when exact, "cat: 12 to 15" otherwise.
template <class T>
struct fmt::formatter<mldp::sketch::item_estimate<T>> {
    constexpr auto parse(format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const mldp::sketch::item_estimate<T>& e, Ctx& ctx) const {
        if (e.lower == e.upper) return fmt::format_to(ctx.out(), "{}: {}", e.item, e.lower);
        return fmt::format_to(ctx.out(), "{}: {} to {}", e.item, e.lower, e.upper);
    }
};

// mldp — column_profile: a mergeable, serializable summary of one column, bounded in memory: exact
// values up to a threshold and a KLL sketch beyond it for numeric columns; exact category counts up
// to a cap and a frequent-items summary beyond it for categorical ones; missing values counted apart.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "mldp/core/archive.hpp"
#include "mldp/core/column.hpp"
#include "mldp/core/error.hpp"
#include "mldp/core/frame.hpp"
#include "mldp/sketch/frequent_items.hpp"
#include "mldp/sketch/kll.hpp"
#include "mldp/sketch/moments.hpp"

namespace mldp::sketch {

/// Limits of a column_profile.
struct profile_options {
    std::size_t exact_threshold = 16384;  ///< numeric values kept exactly before switching to a KLL sketch
    std::uint16_t kll_k = 200;            ///< the sketch's k (rank error 1.33% at 200)
    std::size_t category_cap = 1000;      ///< distinct categories counted exactly before frequent_items
    std::size_t frequent_capacity = 1024;  ///< counters of the frequent_items summary
    std::uint64_t seed = 0;               ///< seeds the sketch's compaction
};

enum class profile_kind : std::uint8_t { numeric = 0, categorical = 1 };

/// Summary of one numeric (or time) or categorical column. Numeric: moments of the finite values,
/// NaN (missing) and infinity counts, and the finite values themselves (exact while at most
/// exact_threshold, then a kll_sketch). Categorical: missing count and per-category counts (exact
/// while at most category_cap categories, then a frequent_items summary with its error bound).
/// Memory is O(exact_threshold + k log n) or O(category_cap + frequent_capacity), whatever n is.
class column_profile {
public:
    explicit column_profile(profile_kind kind = profile_kind::numeric, const profile_options& o = {})
        : kind_(kind), o_(o), sketch_(o.kll_k, o.seed), frequent_(o.frequent_capacity) {
        if (o.exact_threshold == 0 || o.category_cap == 0) {
            throw invalid_argument("mldp::sketch::column_profile: exact_threshold and category_cap must be at least 1");
        }
    }

    profile_kind kind() const noexcept { return kind_; }
    const profile_options& options() const noexcept { return o_; }

    /// Adds numeric values (NaN = missing).
    void update(const double* x, std::size_t n) {
        require_kind(profile_kind::numeric, "numeric values");
        for (std::size_t i = 0; i < n; ++i) {
            const double v = x[i];
            moments_.update(v);
            if (!std::isfinite(v)) continue;
            if (exact_) {
                values_.push_back(v);
                if (values_.size() > o_.exact_threshold) to_sketch();
            } else {
                sketch_.update(v);
            }
        }
    }
    /// Adds a categorical column (code -1 = missing).
    void update(const categorical_column& c) { update(c, 0, c.size()); }
    /// Adds one categorical value (std::nullopt = missing).
    void update_category(std::optional<std::string_view> value) {
        require_kind(profile_kind::categorical, "categories");
        ++rows_;
        if (!value) {
            ++missing_;
        } else {
            add_category(std::string(*value), 1);
        }
    }
    /// Adds rows [begin, end) of a categorical column.
    void update(const categorical_column& c, std::size_t begin, std::size_t end) {
        require_kind(profile_kind::categorical, "categories");
        require_range(begin, end, c.size());
        std::vector<std::uint64_t> per_code(c.dictionary().size(), 0);
        const auto& codes = c.codes();
        for (std::size_t i = begin; i < end; ++i) {
            if (codes[i] < 0) {
                ++missing_;
            } else {
                ++per_code[static_cast<std::size_t>(codes[i])];
            }
        }
        for (std::size_t j = 0; j < per_code.size(); ++j) {
            if (per_code[j]) add_category(c.dictionary()[j], per_code[j]);
        }
        rows_ += end - begin;
    }
    /// Adds a frame column: numeric and time (ticks as doubles; missing ticks as NaN) go to a numeric
    /// profile, categorical to a categorical one. Throws invalid_argument for a kind mismatch.
    void update(const frame::column& col) { update(col, 0, col.size()); }
    /// Adds rows [begin, end) of a frame column. Throws invalid_argument for a kind mismatch or a
    /// range outside the column.
    void update(const frame::column& col, std::size_t begin, std::size_t end) {
        require_range(begin, end, col.size());
        switch (col.kind()) {
            case column_kind::numeric: {
                const auto v = std::get<numeric_column>(col.data).values();
                update(v.data() + begin, end - begin);
                break;
            }
            case column_kind::time: {
                const auto& t = std::get<time_column>(col.data);
                std::vector<double> d(end - begin);
                for (std::size_t i = begin; i < end; ++i) {
                    d[i - begin] = t.is_missing(i) ? std::nan("") : static_cast<double>(t.ticks[i]);
                }
                update(d.data(), d.size());
                break;
            }
            case column_kind::categorical:
                update(std::get<categorical_column>(col.data), begin, end);
                break;
        }
    }

    /// Adds another profile of the same kind and limits.
    void merge(const column_profile& other) {
        std::optional<column_profile> self;  // merging a profile with itself reads a copy
        if (&other == this) self.emplace(other);
        const column_profile& o = self ? *self : other;
        if (o.kind_ != kind_) throw invalid_argument("mldp::sketch::column_profile::merge: profiles of different kinds");
        if (o.o_.exact_threshold != o_.exact_threshold || o.o_.kll_k != o_.kll_k || o.o_.category_cap != o_.category_cap ||
            o.o_.frequent_capacity != o_.frequent_capacity) {
            throw invalid_argument("mldp::sketch::column_profile::merge: profiles with different limits");
        }
        if (kind_ == profile_kind::numeric) {
            moments_.merge(o.moments_);
            if (exact_ && o.exact_ && values_.size() + o.values_.size() <= o_.exact_threshold) {
                values_.insert(values_.end(), o.values_.begin(), o.values_.end());
                return;
            }
            if (exact_) to_sketch();
            if (o.exact_) {
                for (double v : o.values_) sketch_.update(v);
            } else {
                sketch_.merge(o.sketch_);
            }
        } else {
            missing_ += o.missing_;
            rows_ += o.rows_;
            if (o.counted_exactly()) {
                for (const auto& [c, n] : o.counts_) add_category(c, n);
            } else {
                if (counted_exactly()) to_frequent();
                frequent_.merge(o.frequent_);
            }
        }
    }

    /// Rows seen (missing included).
    std::uint64_t rows() const noexcept { return kind_ == profile_kind::numeric ? moments_.total_count() : rows_; }
    /// Missing rows: NaN for numeric columns, code -1 for categorical ones.
    std::uint64_t missing() const noexcept { return kind_ == profile_kind::numeric ? moments_.nan_count() : missing_; }
    double missing_rate() const noexcept { return rows() ? static_cast<double>(missing()) / static_cast<double>(rows()) : 0.0; }

    // Numeric.
    const moments& stats() const noexcept { return moments_; }
    /// True while the finite values are kept exactly.
    bool exact() const noexcept { return exact_; }
    /// The finite values in arrival order (exact() only).
    const std::vector<double>& values() const noexcept { return values_; }
    const kll_sketch<double>& sketch() const noexcept { return sketch_; }
    /// Normalised rank error of the numeric summary (0 while exact).
    double rank_error() const noexcept { return exact_ ? 0.0 : sketch_.normalized_rank_error(); }
    /// The finite values as an ascending weighted view (weights 1 while exact).
    std::vector<std::pair<double, std::uint64_t>> sorted_view() const {
        if (!exact_) return sketch_.sorted_view();
        std::vector<double> v = values_;
        std::sort(v.begin(), v.end());
        std::vector<std::pair<double, std::uint64_t>> out;
        out.reserve(v.size());
        for (double x : v) out.emplace_back(x, 1);
        return out;
    }

    // Categorical.
    /// True while every category is counted exactly.
    bool counted_exactly() const noexcept { return !frequent_mode_; }
    /// Exact counts (counted_exactly() only), by category.
    const std::map<std::string, std::uint64_t>& counts() const noexcept { return counts_; }
    const frequent_items<std::string>& frequent() const noexcept { return frequent_; }
    /// Count (exact) or lower bound (frequent-items mode) of a category.
    std::uint64_t count(const std::string& category) const {
        if (!frequent_mode_) {
            auto it = counts_.find(category);
            return it == counts_.end() ? 0 : it->second;
        }
        return frequent_.lower_bound(category);
    }
    /// Largest undercount of count() (0 while exact).
    std::uint64_t count_error() const noexcept { return frequent_mode_ ? frequent_.max_error() : 0; }

    /// Bytes in mldp's checked envelope (tag "PRF1", version 1), nested sketches included.
    std::vector<std::uint8_t> serialize() const {
        archive_writer w("PRF1", 1);
        w.put_u8(static_cast<std::uint8_t>(kind_));
        w.put_u64(o_.exact_threshold);
        w.put_u16(o_.kll_k);
        w.put_u64(o_.category_cap);
        w.put_u64(o_.frequent_capacity);
        w.put_u64(o_.seed);
        if (kind_ == profile_kind::numeric) {
            w.put_bytes(moments_.serialize());
            w.put_u8(exact_ ? 1 : 0);
            if (exact_) {
                w.put_f64_array(values_.data(), values_.size());
            } else {
                w.put_bytes(sketch_.serialize());
            }
        } else {
            w.put_u64(rows_);
            w.put_u64(missing_);
            w.put_u8(frequent_mode_ ? 1 : 0);
            if (!frequent_mode_) {
                w.put_u64(counts_.size());
                for (const auto& [c, n] : counts_) {
                    w.put_string(c);
                    w.put_u64(n);
                }
            } else {
                w.put_bytes(frequent_.serialize());
            }
        }
        return w.finish();
    }

    /// Restores serialize()'s output, checking every nested part. Throws format_error.
    static column_profile deserialize(const std::uint8_t* data, std::size_t size) {
        archive_reader r(data, size, "PRF1", 1, 1);
        const std::uint8_t kind = r.get_u8("kind");
        r.require(kind <= 1, "unknown profile kind");
        profile_options o;
        o.exact_threshold = static_cast<std::size_t>(r.get_u64("exact threshold"));
        o.kll_k = r.get_u16("kll k");
        o.category_cap = static_cast<std::size_t>(r.get_u64("category cap"));
        o.frequent_capacity = static_cast<std::size_t>(r.get_u64("frequent capacity"));
        o.seed = r.get_u64("seed");
        r.require(o.exact_threshold >= 1 && o.exact_threshold <= (std::size_t{1} << 32), "exact threshold out of range");
        r.require(o.kll_k >= 8, "kll k below 8");
        r.require(o.category_cap >= 1 && o.category_cap <= (std::size_t{1} << 32), "category cap out of range");
        r.require(o.frequent_capacity >= 1 && o.frequent_capacity <= (std::size_t{1} << 32), "frequent capacity out of range");
        column_profile p(static_cast<profile_kind>(kind), o);
        try {
            if (p.kind_ == profile_kind::numeric) {
                p.moments_ = moments::deserialize(r.get_bytes("moments"));
                p.exact_ = r.get_u8("exact flag") == 1;
                if (p.exact_) {
                    p.values_ = r.get_f64_array("values", o.exact_threshold);
                    for (double v : p.values_) r.require(std::isfinite(v), "non-finite exact value");
                    r.require(p.values_.size() == p.moments_.count(), "exact values disagree with the moments' count");
                } else {
                    p.sketch_ = kll_sketch<double>::deserialize(r.get_bytes("sketch"));
                    r.require(p.sketch_.k() == o.kll_k, "sketch k disagrees with the options");
                    r.require(p.sketch_.n() == p.moments_.count(), "sketch size disagrees with the moments' count");
                }
            } else {
                p.rows_ = r.get_u64("rows");
                p.missing_ = r.get_u64("missing");
                r.require(p.missing_ <= p.rows_, "more missing rows than rows");
                p.frequent_mode_ = r.get_u8("frequent flag") == 1;
                std::uint64_t total = p.missing_;
                if (!p.frequent_mode_) {
                    const std::uint64_t k = r.get_u64("category count");
                    r.require(k <= o.category_cap && k <= r.remaining() / 16, "category count out of range");
                    for (std::uint64_t i = 0; i < k; ++i) {
                        std::string c = r.get_string("category");
                        const std::uint64_t n = r.get_u64("count");
                        r.require(n > 0 && n <= p.rows_ - (std::min)(total, p.rows_), "counts exceed the rows");
                        total += n;
                        r.require(p.counts_.emplace(std::move(c), n).second, "repeated category");
                    }
                    r.require(total == p.rows_, "counts and missing rows do not add up to the rows");
                } else {
                    p.frequent_ = frequent_items<std::string>::deserialize(r.get_bytes("frequent items"));
                    r.require(p.frequent_.capacity() == o.frequent_capacity, "frequent-items capacity disagrees with the options");
                    r.require(p.frequent_.n() + p.missing_ == p.rows_, "frequent-items weight and missing rows do not add up");
                }
            }
        } catch (const format_error& e) {
            throw format_error(std::string("mldp: cannot deserialize 'PRF1': nested part: ") + e.what());
        }
        r.finish();
        return p;
    }
    static column_profile deserialize(const std::vector<std::uint8_t>& b) { return deserialize(b.data(), b.size()); }

private:
    static void require_range(std::size_t begin, std::size_t end, std::size_t size) {
        if (begin > end || end > size) {
            throw invalid_argument(fmt::format("mldp::sketch::column_profile: rows [{}, {}) outside a column of {}", begin, end, size));
        }
    }
    void require_kind(profile_kind k, const char* what) const {
        if (k != kind_) {
            throw invalid_argument(fmt::format("mldp::sketch::column_profile: cannot add {} to a {} profile", what,
                                               kind_ == profile_kind::numeric ? "numeric" : "categorical"));
        }
    }
    void to_sketch() {
        for (double v : values_) sketch_.update(v);
        values_.clear();
        values_.shrink_to_fit();
        exact_ = false;
    }
    void add_category(const std::string& c, std::uint64_t n) {
        if (frequent_mode_) {
            frequent_.update(c, n);
            return;
        }
        counts_[c] += n;
        if (counts_.size() > o_.category_cap) to_frequent();
    }
    void to_frequent() {
        for (const auto& [c, n] : counts_) frequent_.update(c, n);
        counts_.clear();
        frequent_mode_ = true;
    }

    profile_kind kind_;
    profile_options o_;
    // numeric
    moments moments_;
    bool exact_ = true;
    std::vector<double> values_;
    kll_sketch<double> sketch_;
    // categorical
    std::uint64_t rows_ = 0, missing_ = 0;
    bool frequent_mode_ = false;
    std::map<std::string, std::uint64_t> counts_;
    frequent_items<std::string> frequent_;
};

}  // namespace mldp::sketch

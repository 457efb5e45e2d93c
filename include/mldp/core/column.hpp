// mldp — the three column kinds of the data model: numeric (double, missing = NaN), categorical
// (int32 codes into a dictionary, missing = code -1) and time (int64 ticks of a declared unit,
// missing = time_column::missing).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "mldp/core/error.hpp"
#include "mldp/core/hash.hpp"

namespace mldp {

/// Read-only view of contiguous doubles (a numeric column). Cheap to copy; does not own its data.
class numeric_view {
public:
    using value_type = double;
    using const_iterator = const double*;

    constexpr numeric_view() noexcept = default;
    constexpr numeric_view(const double* data, std::size_t size) noexcept : data_(data), size_(size) {}

    constexpr const double* data() const noexcept { return data_; }
    constexpr std::size_t size() const noexcept { return size_; }
    constexpr bool empty() const noexcept { return size_ == 0; }
    constexpr const double& operator[](std::size_t i) const noexcept { return data_[i]; }
    constexpr const double* begin() const noexcept { return data_; }
    constexpr const double* end() const noexcept { return data_ + size_; }

private:
    const double* data_ = nullptr;
    std::size_t size_ = 0;
};

/// Numeric column: doubles, NaN marks a missing value. Either owns its values (shared and immutable,
/// so copies are cheap) or borrows memory the caller keeps alive (frame::add_view).
class numeric_column {
public:
    numeric_column() = default;
    /// Owning column; takes the vector without copying.
    explicit numeric_column(std::vector<double> values)
        : owner_(std::make_shared<const std::vector<double>>(std::move(values))),
          view_(owner_->data(), owner_->size()) {}
    /// Borrowing column over [data, data + size).
    static numeric_column borrow(const double* data, std::size_t size) noexcept {
        numeric_column c;
        c.view_ = numeric_view(data, size);
        return c;
    }

    numeric_view values() const noexcept { return view_; }
    std::size_t size() const noexcept { return view_.size(); }
    /// True when the column borrows the caller's memory.
    bool is_view() const noexcept { return owner_ == nullptr; }

private:
    std::shared_ptr<const std::vector<double>> owner_;
    numeric_view view_;
};

/// Categorical column: one int32 code per row indexing `dictionary()`, with -1 for a missing value.
/// Built from strings (codes given in order of first appearance, so the encoding is deterministic and
/// independent of any hash function) or from codes and a dictionary (validated). The empty string is
/// an ordinary value, never "missing": use std::nullopt or code -1 for that.
class categorical_column {
public:
    static constexpr std::int32_t missing_code = -1;

    categorical_column() = default;

    /// Encodes strings; every value is present. O(n) expected.
    static categorical_column from_strings(const std::vector<std::string>& values) {
        categorical_column c;
        c.encode(values.size(), [&](std::size_t i) { return std::optional<std::string_view>(values[i]); });
        return c;
    }
    /// Encodes string views; every value is present.
    static categorical_column from_strings(const std::vector<std::string_view>& values) {
        categorical_column c;
        c.encode(values.size(), [&](std::size_t i) { return std::optional<std::string_view>(values[i]); });
        return c;
    }
    /// Encodes optional strings; std::nullopt is a missing value.
    static categorical_column from_strings(const std::vector<std::optional<std::string>>& values) {
        categorical_column c;
        c.encode(values.size(), [&](std::size_t i) {
            return values[i] ? std::optional<std::string_view>(*values[i]) : std::nullopt;
        });
        return c;
    }
    /// Adopts integer codes and their dictionary. Throws data_error (column `name`, first bad row) for a
    /// code outside [-1, dictionary.size()), and invalid_argument for a repeated dictionary entry.
    static categorical_column from_codes(std::vector<std::int32_t> codes, std::vector<std::string> dictionary,
                                         const std::string& name = "") {
        if (dictionary.size() > static_cast<std::size_t>((std::numeric_limits<std::int32_t>::max)())) {
            throw invalid_argument("mldp::categorical_column: a dictionary holds at most 2^31 - 1 categories");
        }
        const auto k = static_cast<std::int32_t>(dictionary.size());
        for (std::size_t i = 0; i < codes.size(); ++i) {
            if (codes[i] < -1 || codes[i] >= k) {
                throw data_error(name, i,
                                 "categorical code " + std::to_string(codes[i]) + " is outside [-1, " +
                                     std::to_string(k) + ") (-1 = missing, 0.." + std::to_string(k - 1) +
                                     " index the dictionary)");
            }
        }
        dictionary_index index;
        index.reserve(dictionary.size());
        for (std::size_t j = 0; j < dictionary.size(); ++j) {
            if (!index.emplace(dictionary[j], static_cast<std::int32_t>(j)).second) {
                throw invalid_argument("mldp::categorical_column" + (name.empty() ? std::string() : " '" + name + "'") +
                                       ": dictionary entry '" + dictionary[j] + "' appears more than once");
            }
        }
        categorical_column c;
        c.codes_ = std::move(codes);
        c.dictionary_ = std::move(dictionary);
        return c;
    }

    std::size_t size() const noexcept { return codes_.size(); }
    const std::vector<std::int32_t>& codes() const noexcept { return codes_; }
    const std::vector<std::string>& dictionary() const noexcept { return dictionary_; }
    bool is_missing(std::size_t row) const noexcept { return codes_[row] == missing_code; }
    /// The row's value, or std::nullopt when it is missing. No bounds check (row < size()).
    std::optional<std::string_view> value(std::size_t row) const noexcept {
        const std::int32_t c = codes_[row];
        if (c == missing_code) return std::nullopt;
        return std::string_view(dictionary_[static_cast<std::size_t>(c)]);
    }
    /// Code of a category, or std::nullopt when it is not in the dictionary. O(K).
    std::optional<std::int32_t> code_of(std::string_view category) const noexcept {
        for (std::size_t j = 0; j < dictionary_.size(); ++j) {
            if (dictionary_[j] == category) return static_cast<std::int32_t>(j);
        }
        return std::nullopt;
    }
    /// Number of missing rows.
    std::size_t missing_count() const noexcept {
        std::size_t m = 0;
        for (auto c : codes_) m += (c == missing_code);
        return m;
    }

private:
    struct string_hasher {
        std::size_t operator()(std::string_view s) const noexcept { return static_cast<std::size_t>(hash64(s)); }
    };
    using dictionary_index = std::unordered_map<std::string_view, std::int32_t, string_hasher>;

    template <class Get>
    void encode(std::size_t n, Get get) {
        codes_.resize(n);
        dictionary_index index;  // views into the caller's strings, which outlive this call
        for (std::size_t i = 0; i < n; ++i) {
            const std::optional<std::string_view> v = get(i);
            if (!v) {
                codes_[i] = missing_code;
                continue;
            }
            auto it = index.find(*v);
            if (it == index.end()) {
                if (dictionary_.size() == static_cast<std::size_t>((std::numeric_limits<std::int32_t>::max)())) {
                    throw invalid_argument("mldp::categorical_column: more than 2^31 - 1 distinct categories");
                }
                it = index.emplace(*v, static_cast<std::int32_t>(dictionary_.size())).first;
                dictionary_.emplace_back(*v);
            }
            codes_[i] = it->second;
        }
    }

    std::vector<std::int32_t> codes_;
    std::vector<std::string> dictionary_;
};

/// Unit of a time column's integer ticks.
enum class time_unit { nanoseconds, microseconds, milliseconds, seconds, minutes, hours, days };

/// Name of a time unit ("ns", "us", "ms", "s", "min", "h", "d").
constexpr std::string_view to_string(time_unit u) noexcept {
    switch (u) {
        case time_unit::nanoseconds: return "ns";
        case time_unit::microseconds: return "us";
        case time_unit::milliseconds: return "ms";
        case time_unit::seconds: return "s";
        case time_unit::minutes: return "min";
        case time_unit::hours: return "h";
        case time_unit::days: return "d";
    }
    return "?";
}

/// Time column: signed 64-bit ticks since an epoch the user chooses (usually the Unix epoch) in a
/// declared unit. A missing value is time_column::missing (INT64_MIN, NumPy's NaT), so every other
/// int64 value is a valid time.
struct time_column {
    static constexpr std::int64_t missing = (std::numeric_limits<std::int64_t>::min)();

    std::vector<std::int64_t> ticks;
    time_unit unit = time_unit::seconds;

    std::size_t size() const noexcept { return ticks.size(); }
    bool is_missing(std::size_t row) const noexcept { return ticks[row] == missing; }
};

}  // namespace mldp

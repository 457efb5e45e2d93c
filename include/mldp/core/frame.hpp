// mldp — frame: ordered, named columns of one length. Validators, the drift monitor and the split
// report take frames; tests and distances take single columns.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "mldp/core/column.hpp"
#include "mldp/core/contiguous.hpp"
#include "mldp/core/error.hpp"

namespace mldp {

/// Kind of a frame column.
enum class column_kind { numeric, categorical, time };

/// Name of a column kind ("numeric", "categorical", "time").
constexpr std::string_view to_string(column_kind k) noexcept {
    switch (k) {
        case column_kind::numeric: return "numeric";
        case column_kind::categorical: return "categorical";
        case column_kind::time: return "time";
    }
    return "?";
}

/// Ordered, named columns, all with the same number of rows. Column names are unique and non-empty.
/// Numeric columns are stored as double (other arithmetic types are converted on add) and may borrow
/// the caller's memory (add_view); everything else is owned. Copying a frame shares numeric storage.
///
///     mldp::frame f;
///     f.add("age", std::vector<double>{31, 45, 27})
///      .add("city", std::vector<std::string>{"Oslo", "Lima", "Oslo"});
///     double first_age = f.numeric("age")[0];
///
/// Every add() throws invalid_argument for an empty or duplicate name or a row count that differs from
/// the frame's, naming the column and both counts; the frame is unchanged when it throws.
class frame {
public:
    using column_data = std::variant<numeric_column, categorical_column, time_column>;

    struct column {
        std::string name;
        column_data data;
        column_kind kind() const noexcept { return static_cast<column_kind>(data.index()); }
        std::size_t size() const noexcept {
            return std::visit([](const auto& c) { return c.size(); }, data);
        }
    };

    frame() = default;

    /// Adds a numeric column, taking the vector without copying.
    frame& add(std::string name, std::vector<double> values) {
        return add_column(std::move(name), numeric_column(std::move(values)));
    }
    /// Adds a numeric column from any 1-D xtensor expression or range of arithmetic values, evaluated
    /// once and stored as owned doubles (use add_view for zero copy).
    template <class X, std::enable_if_t<is_numeric_source_v<X> &&
                                            !std::is_same_v<std::remove_cv_t<std::remove_reference_t<X>>,
                                                            std::vector<double>>,
                                        int> = 0>
    frame& add(std::string name, const X& values) {
        return add_column(std::move(name), numeric_column(std::move(evaluate_contiguous<double>(values)).release()));
    }
    /// Adds a categorical column from strings (all present).
    frame& add(std::string name, const std::vector<std::string>& values) {
        return add_column(std::move(name), categorical_column::from_strings(values));
    }
    /// Adds a categorical column from string views (all present).
    frame& add(std::string name, const std::vector<std::string_view>& values) {
        return add_column(std::move(name), categorical_column::from_strings(values));
    }
    /// Adds a categorical column from optional strings (std::nullopt = missing).
    frame& add(std::string name, const std::vector<std::optional<std::string>>& values) {
        return add_column(std::move(name), categorical_column::from_strings(values));
    }
    /// Adds an already built column of any kind.
    frame& add(std::string name, categorical_column values) { return add_column(std::move(name), std::move(values)); }
    frame& add(std::string name, time_column values) { return add_column(std::move(name), std::move(values)); }
    frame& add(std::string name, numeric_column values) { return add_column(std::move(name), std::move(values)); }

    /// Adds a numeric column that borrows [data, data + size): zero copy. The caller keeps the memory
    /// alive and unchanged for as long as the frame (or a copy of it) is used.
    frame& add_view(std::string name, const double* data, std::size_t size) {
        if (data == nullptr && size != 0) {
            throw invalid_argument("mldp::frame::add_view: column '" + name + "' has a null pointer with " +
                                   std::to_string(size) + " rows");
        }
        return add_column(std::move(name), numeric_column::borrow(data, size));
    }
    /// Zero-copy numeric column over a contiguous container of doubles (std::vector<double>,
    /// std::array<double, N>, xt::xtensor<double, 1>, ...). Temporaries are rejected at compile time.
    template <class C, class = decltype(std::declval<const C&>().data()),
              class = std::enable_if_t<std::is_same_v<std::remove_cv_t<std::remove_pointer_t<
                                                          decltype(std::declval<const C&>().data())>>,
                                                      double>>>
    frame& add_view(std::string name, const C& values) {
        return add_view(std::move(name), values.data(), static_cast<std::size_t>(values.size()));
    }
    template <class C>
    frame& add_view(std::string name, const C&& values) = delete;

    /// Number of rows (0 for a frame without columns).
    std::size_t rows() const noexcept { return rows_; }
    /// Number of columns.
    std::size_t columns() const noexcept { return columns_.size(); }
    /// Column names in insertion order.
    std::vector<std::string> names() const {
        std::vector<std::string> out;
        out.reserve(columns_.size());
        for (const auto& c : columns_) out.push_back(c.name);
        return out;
    }
    bool contains(std::string_view name) const noexcept { return find(name) != nullptr; }

    /// Kind of the named column; throws invalid_argument naming the column when it does not exist.
    column_kind kind(std::string_view name) const { return get(name).kind(); }

    /// Column by position (0 <= i < columns()); throws invalid_argument when out of range.
    const column& at(std::size_t i) const {
        if (i >= columns_.size()) {
            throw invalid_argument("mldp::frame::at: column index " + std::to_string(i) + " is out of range (the frame has " +
                                   std::to_string(columns_.size()) + " columns)");
        }
        return columns_[i];
    }
    /// Column by name; throws invalid_argument listing the available names when it does not exist.
    const column& at(std::string_view name) const { return get(name); }
    const std::vector<column>& all() const noexcept { return columns_; }

    /// Numeric column by name. Throws invalid_argument naming the column and its actual kind when it
    /// is not numeric, or listing the available names when it does not exist.
    numeric_view numeric(std::string_view name) const { return typed<numeric_column>(name, column_kind::numeric).values(); }
    /// Categorical column by name (same errors as numeric()).
    const categorical_column& categorical(std::string_view name) const {
        return typed<categorical_column>(name, column_kind::categorical);
    }
    /// Time column by name (same errors as numeric()).
    const time_column& time(std::string_view name) const { return typed<time_column>(name, column_kind::time); }

private:
    const column* find(std::string_view name) const noexcept {
        const auto it = index_.find(name);
        return it == index_.end() ? nullptr : &columns_[it->second];
    }

    const column& get(std::string_view name) const {
        if (const column* c = find(name)) return *c;
        std::string known;
        for (const auto& c : columns_) {
            if (!known.empty()) known += ", ";
            known += "'" + c.name + "'";
        }
        throw invalid_argument("mldp::frame: no column named '" + std::string(name) + "' (columns: " +
                               (known.empty() ? std::string("none") : known) + ")");
    }

    template <class T>
    const T& typed(std::string_view name, column_kind want) const {
        const column& c = get(name);
        if (const T* p = std::get_if<T>(&c.data)) return *p;
        throw invalid_argument("mldp::frame: column '" + c.name + "' is " + std::string(to_string(c.kind())) +
                               ", not " + std::string(to_string(want)));
    }

    template <class Col>
    frame& add_column(std::string name, Col&& data) {
        if (name.empty()) throw invalid_argument("mldp::frame::add: column names must not be empty");
        if (find(name) != nullptr) {
            throw invalid_argument("mldp::frame::add: a column named '" + name + "' already exists");
        }
        const std::size_t n = data.size();
        if (!columns_.empty() && n != rows_) {
            throw invalid_argument("mldp::frame::add: column '" + name + "' has " + std::to_string(n) +
                                   " rows but the frame has " + std::to_string(rows_) + " (from column '" +
                                   columns_.front().name + "')");
        }
        columns_.push_back(column{std::move(name), column_data(std::forward<Col>(data))});
        try {
            index_.emplace(columns_.back().name, columns_.size() - 1);
        } catch (...) {
            columns_.pop_back();
            throw;
        }
        rows_ = n;
        return *this;
    }

    std::vector<column> columns_;
    std::map<std::string, std::size_t, std::less<>> index_;  // name -> position: lookups in O(log columns)
    std::size_t rows_ = 0;
};

}  // namespace mldp

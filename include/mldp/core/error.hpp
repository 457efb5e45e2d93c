// mldp — errors thrown by every module.
//
// All exceptions derive from mldp::error (itself a std::runtime_error), so a caller can catch
// everything mldp throws with one handler, or tell bad parameters, bad data and corrupt bytes apart.
#pragma once

#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace mldp {

/// Base of every exception mldp throws. Catch this to handle all of them at once.
class error : public std::runtime_error {
public:
    explicit error(const std::string& what) : std::runtime_error(what) {}
};

/// A parameter is out of its domain (a negative count, fractions that do not sum to 1, an unknown
/// column name). The message names the parameter, the value given and what would be accepted.
class invalid_argument : public error {
public:
    explicit invalid_argument(const std::string& what) : error(what) {}
};

/// The data itself is unusable for the operation (NaN where none is allowed, a value out of the
/// dictionary, a length mismatch). Carries the column name and the first offending row, so that a
/// caller can point at the culprit without parsing the message.
class data_error : public error {
public:
    /// Row index used when the problem is not tied to one row (a whole column is empty, say).
    static constexpr std::size_t no_row = (std::numeric_limits<std::size_t>::max)();

    data_error(std::string column, std::size_t row, const std::string& what)
        : error(compose(column, row, what)), column_(std::move(column)), row_(row) {}

    /// Name of the offending column ("" when the input had no name, e.g. a bare vector).
    const std::string& column() const noexcept { return column_; }
    /// First offending row, or data_error::no_row.
    std::size_t row() const noexcept { return row_; }

private:
    static std::string compose(const std::string& column, std::size_t row, const std::string& what) {
        std::string msg;
        if (!column.empty()) {
            msg += "column '";
            msg += column;
            msg += '\'';
        }
        if (row != no_row) {
            msg += msg.empty() ? "row " : ", row ";
            msg += std::to_string(row);
        }
        if (!msg.empty()) msg += ": ";
        msg += what;
        return msg;
    }

    std::string column_;
    std::size_t row_;
};

/// Serialized bytes are truncated, corrupt, of another type or of an unsupported version.
class format_error : public error {
public:
    explicit format_error(const std::string& what) : error(what) {}
};

}  // namespace mldp

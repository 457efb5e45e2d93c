// mldp — a strict RFC 4180 CSV reader that returns an mldp::frame with one typed column per field.
//
//   mldp::io::csv_options o;
//   o.time_formats = {{"day", "%Y%m%d"}};
//   mldp::frame f = mldp::io::read_csv("events.csv", o);
//
// Syntax (RFC 4180, strict). Records end at LF, CRLF or a lone CR; a final line ending is not an
// extra record, and a line with no characters at all is skipped (as pandas does), so a one-column
// file writes a missing value as "" or a missing token. A field is quoted when its first character
// (after spaces/tabs, when `trim`) is the quote: it may then hold delimiters, line endings and doubled
// quotes (""), and nothing but spaces/tabs (when `trim`) may follow its closing quote. A quote inside
// an unquoted field (ab"c), text after a closing quote ("ab"c), an unterminated quoted field, a NUL
// byte anywhere and a record whose field count differs from the first record's are errors
// (csv_error), never silently repaired. A UTF-8 byte order mark at the start is skipped.
//
// Types, decided per column over all its rows, after trimming:
//   * missing: an unquoted field equal to one of `missing_tokens`, or a quoted empty field ("") when
//     "" is a missing token. A quoted "NA" is the two-letter string NA (Namibia), not a missing value.
//   * numeric: every non-missing field is a decimal number ([+-]digits[.digits][(e|E)[+-]digits],
//     digits on at least one side of the point) or inf / infinity / nan in any case, and the whole
//     field is consumed. Values are correctly rounded (Clinger's exact fast path, else std::strtod,
//     given the decimal point of any LC_NUMERIC locale); out-of-range magnitudes round to +-inf or to zero.
//     Missing -> NaN. A column with no non-missing value is numeric (all NaN).
//   * time: every non-missing field has the ISO-8601 shape YYYY-MM-DD or
//     YYYY-MM-DD(T| )HH:MM[:SS[.fraction]][Z|+HH:MM|-HH:MM]. The column is time even when a value is
//     out of range (month 13, 2023-02-29, 25:00): that is a csv_error naming the value, not a silent
//     fall back to categorical. Ticks are UTC since 1970-01-01 (proleptic Gregorian, H. Hinnant's
//     days_from_civil); the unit is days when every value is a date, else seconds, else milli-, micro-
//     or nanoseconds as the longest fraction written needs (digits as written: ".500" is ms).
//     A value outside int64 in that unit is a csv_error. Missing -> time_column::missing.
//   * categorical: anything else; codes in order of first appearance. Missing -> code -1.
// `kinds` and `time_formats` override the inference for a column; see csv_options.
#pragma once

#include <algorithm>
#include <cerrno>
#include <clocale>
#include <cfloat>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <vector>

#include "mldp/core/column.hpp"
#include "mldp/core/error.hpp"
#include "mldp/core/frame.hpp"

namespace mldp::io {

/// How parse_csv and read_csv read text. Defaults read RFC 4180 files with a header row as written by
/// pandas, R and spreadsheets. parse_csv throws invalid_argument for a contradictory option (delimiter
/// equal to the quote, a line-ending or NUL delimiter/quote, max_columns 0, a bad time format) and for
/// an entry of `kinds` or `time_formats` naming a column that the input does not have.
struct csv_options {
    /// Field separator: ',' (default), ';', '\t', '|', ... Any byte except the quote, '\n', '\r', '\0'.
    char delimiter = ',';
    /// Quote character that encloses fields holding delimiters, quotes or line endings. Inside a quoted
    /// field it is written twice ("").
    char quote = '"';
    /// True: the first record names the columns (non-empty, unique). False: every record is data and
    /// the columns are named column_1 .. column_n.
    bool header = true;
    /// Physical lines (ended by LF, CRLF or CR) skipped before the header or first record, quotes not
    /// interpreted: a preamble such as scikit-learn's "569,30,malignant,benign" first line.
    std::size_t skip_lines = 0;
    /// Unquoted field values (compared after trimming) that mean "missing". A quoted field is missing
    /// only when it is empty ("") and "" is listed here.
    std::vector<std::string> missing_tokens = {"", "NA", "N/A", "NaN", "nan", "null", "NULL"};
    /// Forces a column's kind, by column name: numeric (every non-missing value must be a number, else
    /// csv_error), categorical (the raw strings, numbers and dates included) or time (ISO-8601, or the
    /// column's entry in `time_formats`; every non-missing value must parse, else csv_error).
    std::vector<std::pair<std::string, column_kind>> kinds;
    /// Per-column time format, making the column time: %Y (4 digits), %m %d %H %M %S (2 digits each),
    /// %f (1-9 fraction digits), %z (Z, +HH:MM or +HHMM, either sign), %% and literal characters.
    /// %Y %m %d are required, each directive at most once. Example: {"day", "%Y%m%d"}.
    std::vector<std::pair<std::string, std::string>> time_formats;
    /// Removes ASCII spaces and tabs (unless one is the delimiter) around unquoted fields and around
    /// the quotes of quoted fields; the content of a quoted field is never trimmed.
    bool trim = true;
    /// Largest number of fields a record may have; more is a csv_error (a guard against reading a
    /// binary file). At least 1.
    std::size_t max_columns = 100000;
};

/// A file could not be opened or read. The message names the path and the operating system's reason
/// (strerror(errno)), e.g. "mldp::io::read_csv: cannot open 'x.csv': No such file or directory".
class io_error : public error {
public:
    io_error(std::string path, const std::string& what) : error(what), path_(std::move(path)) {}
    /// The path that could not be read.
    const std::string& path() const noexcept { return path_; }

private:
    std::string path_;
};

/// The CSV text is malformed or a value does not fit its column. Besides data_error's column() (""
/// when the problem is not tied to a named column) and row() (0-based data row, or data_error::no_row
/// for the header and the file as a whole), it carries the source name (the path, or "<memory>") and
/// the 1-based physical line where the offending field or record starts. what() reads
/// "data.csv:12: column 'age': 'abc' is not a number (column 'age' was forced numeric)".
class csv_error : public data_error {
public:
    csv_error(std::string file, std::size_t line, std::string column, std::size_t row, const std::string& what)
        : data_error(column, row, what),
          file_(std::move(file)),
          line_(line),
          message_(file_ + ":" + std::to_string(line) + ": " + (column.empty() ? std::string() : "column '" + column + "': ") +
                   what) {}

    /// Name of the input: read_csv's path or parse_csv's `source`.
    const std::string& file() const noexcept { return file_; }
    /// 1-based physical line where the offending field (or record) starts.
    std::size_t line() const noexcept { return line_; }
    /// "file:line: column 'name': what happened".
    const char* what() const noexcept override { return message_.c_str(); }

private:
    std::string file_;
    std::size_t line_;
    std::string message_;
};

namespace detail {

// ------------------------------------------------------------------------------------------------
// Small helpers

// The value shown in a message: at most 60 bytes, control and non-ASCII bytes escaped as \xNN.
inline std::string csv_show(std::string_view v) {
    static const char hex[] = "0123456789abcdef";
    std::string out = "'";
    const std::size_t shown = v.size() > 60 ? 60 : v.size();
    for (std::size_t i = 0; i < shown; ++i) {
        const auto c = static_cast<unsigned char>(v[i]);
        if (c < 0x20 || c >= 0x7f) {
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        } else {
            out += static_cast<char>(c);
        }
    }
    if (shown < v.size()) out += "...";
    out += '\'';
    return out;
}

inline bool csv_digit(char c) noexcept { return c >= '0' && c <= '9'; }

inline bool csv_iequal(std::string_view a, std::string_view lower) noexcept {
    if (a.size() != lower.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char c = a[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != lower[i]) return false;
    }
    return true;
}

// ------------------------------------------------------------------------------------------------
// Numbers

// Parses a whole field as a double; false when it is not a number. Grammar checked here (strtod alone
// would accept hex, "nan(...)", leading spaces and a locale's decimal comma). Clinger's fast path is
// exact: a mantissa below 2^53 and a power of ten up to 1e22 are both exact doubles, so the one
// multiplication or division rounds once, correctly; everything else goes to std::strtod.
inline bool parse_double(std::string_view s, double& out) {
    const std::size_t n = s.size();
    std::size_t i = 0;
    bool negative = false;
    if (i < n && (s[i] == '+' || s[i] == '-')) {
        negative = s[i] == '-';
        ++i;
    }
    if (i == n) return false;
    if (!csv_digit(s[i]) && s[i] != '.') {
        const std::string_view word = s.substr(i);
        if (csv_iequal(word, "inf") || csv_iequal(word, "infinity")) {
            out = negative ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
            return true;
        }
        if (csv_iequal(word, "nan")) {
            out = std::numeric_limits<double>::quiet_NaN();
            return true;
        }
        return false;
    }
    std::uint64_t mantissa = 0;
    int significant = 0;       // significant digits accumulated into `mantissa` (at most 19)
    bool truncated = false;    // a nonzero significant digit beyond the 19th was dropped
    long long exp10 = 0;       // value = mantissa * 10^exp10 (before the explicit exponent)
    std::size_t digits = 0;
    // One digit into mantissa x 10^exp10: the first 19 significant digits are kept; an integer digit
    // beyond them scales by 10, a fraction digit beyond them only marks the value inexact.
    const auto take = [&](unsigned d, bool fraction) {
        if (significant < 19) {
            if (mantissa != 0 || d != 0) {
                mantissa = mantissa * 10 + d;
                ++significant;
            }
            if (fraction) --exp10;
        } else {
            if (!fraction) ++exp10;
            truncated = truncated || d != 0;
        }
    };
    for (; i < n && csv_digit(s[i]); ++i, ++digits) take(static_cast<unsigned>(s[i] - '0'), false);
    if (i < n && s[i] == '.') {
        ++i;
        for (; i < n && csv_digit(s[i]); ++i, ++digits) take(static_cast<unsigned>(s[i] - '0'), true);
    }
    if (digits == 0) return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        bool exp_negative = false;
        if (i < n && (s[i] == '+' || s[i] == '-')) {
            exp_negative = s[i] == '-';
            ++i;
        }
        if (i == n || !csv_digit(s[i])) return false;
        long long e = 0;
        for (; i < n && csv_digit(s[i]); ++i) {
            if (e < 1000000) e = e * 10 + (s[i] - '0');  // beyond any double's range either way
        }
        exp10 += exp_negative ? -e : e;
    }
    if (i != n) return false;
    if (mantissa == 0 && !truncated) {
        out = negative ? -0.0 : 0.0;
        return true;
    }
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
    static constexpr double powers[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    if (!truncated && mantissa <= (std::uint64_t{1} << 53) && exp10 >= -22 && exp10 <= 22) {
        const auto m = static_cast<double>(mantissa);
        const double v = exp10 >= 0 ? m * powers[static_cast<std::size_t>(exp10)] : m / powers[static_cast<std::size_t>(-exp10)];
        out = negative ? -v : v;
        return true;
    }
#endif
    // strtod needs a NUL-terminated string; the grammar above guarantees it consumes all of it.
    char small[128];
    std::string large;
    const char* p = small;
    if (n < sizeof small) {
        std::memcpy(small, s.data(), n);
        small[n] = '\0';
    } else {
        large.assign(s.data(), n);
        p = large.c_str();
    }
    // strtod reads the decimal point of the process's LC_NUMERIC locale: under a decimal-comma
    // locale, write the copy's '.' as that locale's point, so the file reads the same everywhere.
    const char* point = std::localeconv()->decimal_point;
    if (point != nullptr && point[0] != '.' && point[0] != '\0' && point[1] == '\0') {
        if (p == small) {
            std::replace(small, small + n, '.', point[0]);
        } else {
            std::replace(large.begin(), large.end(), '.', point[0]);
            p = large.c_str();
        }
    }
    char* end = nullptr;
    const int saved_errno = errno;
    const double v = std::strtod(p, &end);  // ERANGE: +-inf or a correctly rounded subnormal/zero
    errno = saved_errno;
    if (end != p + n) return false;          // a multi-byte decimal point: not expected in practice
    out = v;
    return true;
}

// ------------------------------------------------------------------------------------------------
// Times

// H. Hinnant, "chrono-Compatible Low-Level Date Algorithms", days_from_civil: days since 1970-01-01
// of a proleptic Gregorian date (y, m in 1..12, d in 1..31).
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);                  // [0, 399]
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  // [0, 365]
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            // [0, 146096]
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

constexpr bool is_leap_year(std::int64_t y) noexcept { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

constexpr unsigned days_in_month(std::int64_t y, unsigned m) noexcept {
    constexpr unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap_year(y) ? 29u : days[m - 1];
}

// A parsed date-time before range checks.
struct civil_time {
    std::int64_t year = 1970;
    unsigned month = 1, day = 1, hour = 0, minute = 0, second = 0;
    std::uint32_t nanos = 0;        // fraction scaled to 9 digits (first 9 digits written)
    std::size_t fraction_digits = 0;
    int offset_sign = 0;            // 0: UTC / none; +1 or -1: local time ahead / behind UTC
    unsigned offset_hour = 0, offset_minute = 0;
    bool date_only = true;
};

// Reads exactly `count` digits at s[i..]; false when they are not all there.
inline bool read_digits(std::string_view s, std::size_t& i, std::size_t count, unsigned& out) noexcept {
    if (i > s.size() || s.size() - i < count) return false;
    unsigned v = 0;
    for (std::size_t k = 0; k < count; ++k) {
        if (!csv_digit(s[i + k])) return false;
        v = v * 10 + static_cast<unsigned>(s[i + k] - '0');
    }
    i += count;
    out = v;
    return true;
}

// Reads 1 or more fraction digits (the first 9 kept) at s[i..].
inline bool read_fraction(std::string_view s, std::size_t& i, civil_time& t, std::size_t max_digits) noexcept {
    std::uint32_t v = 0;
    std::size_t k = 0;
    for (; i < s.size() && csv_digit(s[i]) && k < max_digits; ++i, ++k) {
        if (k < 9) v = v * 10 + static_cast<std::uint32_t>(s[i] - '0');
    }
    if (k == 0) return false;
    for (std::size_t j = k; j < 9; ++j) v *= 10;
    t.nanos = v;
    t.fraction_digits = k;
    t.date_only = false;
    return true;
}

// Reads a UTC offset: Z / z, or a sign and HH:MM (HHMM too when `compact`).
inline bool read_offset(std::string_view s, std::size_t& i, civil_time& t, bool compact) noexcept {
    if (i >= s.size()) return false;
    t.date_only = false;
    if (s[i] == 'Z' || s[i] == 'z') {
        ++i;
        t.offset_sign = 0;
        return true;
    }
    if (s[i] != '+' && s[i] != '-') return false;
    const int sign = s[i] == '-' ? -1 : 1;
    ++i;
    if (!read_digits(s, i, 2, t.offset_hour)) return false;
    if (i < s.size() && s[i] == ':') {
        ++i;
    } else if (!compact) {
        return false;
    }
    if (!read_digits(s, i, 2, t.offset_minute)) return false;
    t.offset_sign = sign;
    return true;
}

// The ISO-8601 shapes YYYY-MM-DD and YYYY-MM-DD(T|t| )HH:MM[:SS[.f+]][Z|z|+HH:MM|-HH:MM]. Checks the
// shape only (ranges: check_civil).
inline bool parse_iso_time(std::string_view s, civil_time& t) noexcept {
    t = civil_time{};
    std::size_t i = 0;
    unsigned y = 0;
    if (!read_digits(s, i, 4, y) || i >= s.size() || s[i] != '-') return false;
    ++i;
    if (!read_digits(s, i, 2, t.month) || i >= s.size() || s[i] != '-') return false;
    ++i;
    if (!read_digits(s, i, 2, t.day)) return false;
    t.year = y;
    if (i == s.size()) return true;
    if (s[i] != 'T' && s[i] != 't' && s[i] != ' ') return false;
    ++i;
    t.date_only = false;
    if (!read_digits(s, i, 2, t.hour) || i >= s.size() || s[i] != ':') return false;
    ++i;
    if (!read_digits(s, i, 2, t.minute)) return false;
    if (i < s.size() && s[i] == ':') {
        ++i;
        if (!read_digits(s, i, 2, t.second)) return false;
        if (i < s.size() && s[i] == '.') {
            ++i;
            if (!read_fraction(s, i, t, (std::numeric_limits<std::size_t>::max)())) return false;
        }
    }
    if (i < s.size() && !read_offset(s, i, t, false)) return false;
    return i == s.size();
}

// A parsed time format (csv_options::time_formats): literal runs and directives.
struct time_format {
    std::string text;
    std::vector<char> items;  // a directive letter ('Y', 'm', ...), or '\0' followed by a literal byte
    bool has_time_of_day = false;
};

// Parses and validates a format; throws invalid_argument naming the column.
inline time_format compile_time_format(const std::string& column, const std::string& format) {
    time_format f;
    f.text = format;
    int seen[128] = {};
    for (std::size_t i = 0; i < format.size(); ++i) {
        const char c = format[i];
        if (c != '%') {
            f.items.push_back('\0');
            f.items.push_back(c);
            continue;
        }
        if (i + 1 == format.size()) {
            throw invalid_argument("mldp::io::csv_options::time_formats: the format '" + format + "' of column '" +
                                   column + "' ends with a lone '%' (write %% for a literal percent sign)");
        }
        const char d = format[++i];
        if (d == '%') {
            f.items.push_back('\0');
            f.items.push_back('%');
            continue;
        }
        if (std::string_view("YmdHMSfz").find(d) == std::string_view::npos) {
            throw invalid_argument("mldp::io::csv_options::time_formats: the format '" + format + "' of column '" +
                                   column + "' has an unknown directive %" + std::string(1, d) +
                                   " (accepted: %Y %m %d %H %M %S %f %z %%)");
        }
        if (seen[static_cast<unsigned char>(d)]++ != 0) {
            throw invalid_argument("mldp::io::csv_options::time_formats: the format '" + format + "' of column '" +
                                   column + "' has %" + std::string(1, d) + " more than once");
        }
        if (d != 'Y' && d != 'm' && d != 'd') f.has_time_of_day = true;
        f.items.push_back(d);
    }
    if (seen[static_cast<unsigned char>('Y')] == 0 || seen[static_cast<unsigned char>('m')] == 0 ||
        seen[static_cast<unsigned char>('d')] == 0) {
        throw invalid_argument("mldp::io::csv_options::time_formats: the format '" + format + "' of column '" + column +
                               "' must contain %Y, %m and %d (a date is needed for ticks since 1970-01-01)");
    }
    return f;
}

// Matches a value against a compiled format; shape only (ranges: check_civil).
inline bool parse_formatted_time(std::string_view s, const time_format& f, civil_time& t) noexcept {
    t = civil_time{};
    t.date_only = !f.has_time_of_day;
    std::size_t i = 0;
    for (std::size_t k = 0; k < f.items.size(); ++k) {
        const char d = f.items[k];
        bool ok = true;
        unsigned y = 0;
        switch (d) {
            case '\0':
                ok = i < s.size() && s[i] == f.items[k + 1];
                ++i;
                ++k;
                break;
            case 'Y':
                ok = read_digits(s, i, 4, y);
                t.year = y;
                break;
            case 'm': ok = read_digits(s, i, 2, t.month); break;
            case 'd': ok = read_digits(s, i, 2, t.day); break;
            case 'H': ok = read_digits(s, i, 2, t.hour); break;
            case 'M': ok = read_digits(s, i, 2, t.minute); break;
            case 'S': ok = read_digits(s, i, 2, t.second); break;
            case 'f': ok = read_fraction(s, i, t, 9); break;
            case 'z': ok = read_offset(s, i, t, true); break;
            default: ok = false; break;
        }
        if (!ok) return false;
    }
    return i == s.size();
}

// Range check of a parsed value: "" when valid, else what is wrong.
inline std::string check_civil(const civil_time& t) {
    if (t.month < 1 || t.month > 12) return "month " + std::to_string(t.month) + " is not in 01..12";
    const unsigned dim = days_in_month(t.year, t.month);
    if (t.day < 1 || t.day > dim) {
        return "day " + std::to_string(t.day) + " is not in 01.." + std::to_string(dim) + " for month " +
               std::to_string(t.month) + " of " + std::to_string(t.year);
    }
    if (t.hour > 23) return "hour " + std::to_string(t.hour) + " is not in 00..23";
    if (t.minute > 59) return "minute " + std::to_string(t.minute) + " is not in 00..59";
    if (t.second > 59) return "second " + std::to_string(t.second) + " is not in 00..59";
    if (t.fraction_digits > 9) return "the fraction has " + std::to_string(t.fraction_digits) + " digits (at most 9)";
    if (t.offset_hour > 23 || t.offset_minute > 59) return "the UTC offset is not in -23:59..+23:59";
    return std::string();
}

// Ticks of a valid civil time in `unit` (days, seconds, ms, us or ns); false on int64 overflow.
inline bool civil_to_ticks(const civil_time& t, time_unit unit, std::int64_t& out) noexcept {
    const std::int64_t days = days_from_civil(t.year, t.month, t.day);  // |days| < 3e6 for 4-digit years
    if (unit == time_unit::days) {
        out = days;
        return true;
    }
    const std::int64_t offset = (static_cast<std::int64_t>(t.offset_hour) * 3600 + t.offset_minute * 60) * t.offset_sign;
    const std::int64_t seconds = days * 86400 + t.hour * 3600 + t.minute * 60 + t.second - offset;  // |.| < 3e11
    std::int64_t per_second = 1;
    std::uint32_t nanos_per_tick = 1000000000;
    switch (unit) {
        case time_unit::milliseconds: per_second = 1000; nanos_per_tick = 1000000; break;
        case time_unit::microseconds: per_second = 1000000; nanos_per_tick = 1000; break;
        case time_unit::nanoseconds: per_second = 1000000000; nanos_per_tick = 1; break;
        default: break;
    }
    // ticks = s * per_second + p with s and p of one sign, so that neither step overflows on the way
    // to a representable result. The result must be >= -INT64_MAX: INT64_MIN marks a missing value.
    std::int64_t s = seconds;
    auto p = static_cast<std::int64_t>(t.nanos / nanos_per_tick);  // exact: the unit fits the fraction
    if (s < 0 && p > 0) {
        s += 1;
        p -= per_second;
    }
    const std::int64_t lim = (std::numeric_limits<std::int64_t>::max)();
    if (s > lim / per_second || s < -(lim / per_second)) return false;
    const std::int64_t whole = s * per_second;
    if (p >= 0 ? whole > lim - p : whole < -lim - p) return false;
    out = whole + p;
    return true;
}

// ------------------------------------------------------------------------------------------------
// Tokenizer

// One field: offset and size into the text, or into the arena for a quoted field with doubled quotes.
struct csv_field {
    std::size_t begin = 0;
    std::uint32_t size = 0;
    std::uint8_t flags = 0;
    static constexpr std::uint8_t quoted = 1;
    static constexpr std::uint8_t in_arena = 2;
};

// Splits records into fields in one pass over the text, validating RFC 4180 as it goes. Unquoted and
// quoted-without-escapes fields are views into the text (no allocation); only fields with doubled
// quotes are copied, unescaped, into the arena.
class csv_tokenizer {
public:
    csv_tokenizer(std::string_view text, const csv_options& o, const std::string& source, std::string& arena)
        : text_(text), options_(o), source_(source), arena_(arena) {
        const auto mark = [](bool* table, char c) { table[static_cast<unsigned char>(c)] = true; };
        for (bool* table : {plain_stop_, quoted_stop_}) {
            mark(table, o.quote);
            mark(table, '\n');
            mark(table, '\r');
            mark(table, '\0');
        }
        mark(plain_stop_, o.delimiter);
    }

    std::size_t pos = 0;   // next byte to read
    std::size_t line = 1;  // physical line of text_[pos]
    std::size_t record_offset = 0, record_line = 1;  // of the last record returned
    std::size_t row = data_error::no_row;            // data row being read (for messages)
    const std::vector<std::string>* names = nullptr;  // column names once known

    // Skips empty lines, then appends the next record's fields to `out` (and each field's start line
    // to `lines` when not null). False at the end of the text.
    bool next(std::vector<csv_field>& out, std::vector<std::size_t>* lines) {
        const std::string_view t = text_;
        const std::size_t n = t.size();
        while (pos < n && (t[pos] == '\n' || t[pos] == '\r')) {
            if (t[pos] == '\r' && pos + 1 < n && t[pos + 1] == '\n') ++pos;
            ++pos;
            ++line;
        }
        if (pos >= n) return false;
        record_offset = pos;
        record_line = line;
        std::size_t count = 0;
        for (;;) {
            const std::size_t field_line = line;
            if (count == options_.max_columns) {
                fail(field_line, "", "the record has more than " + std::to_string(options_.max_columns) +
                                         " fields (csv_options::max_columns)");
            }
            std::size_t p = pos;
            if (options_.trim) {
                while (p < n && is_space(t[p])) ++p;
            }
            csv_field f;
            if (p < n && t[p] == options_.quote) {
                p = quoted(p, f, count, field_line);
                if (options_.trim) {
                    while (p < n && is_space(t[p])) ++p;
                }
                if (p < n && t[p] != options_.delimiter && t[p] != '\n' && t[p] != '\r') {
                    if (t[p] == '\0') fail_field(field_line, count, nul_message());
                    fail_field(field_line, count,
                               "unexpected " + csv_show(t.substr(p, 1)) + " after the closing quote of a quoted field (" +
                                   csv_show(t.substr(pos, p + 1 - pos)) + "); a quote inside a field is written twice");
                }
            } else {
                const std::size_t b = p;
                while (p < n && !plain_stop_[static_cast<unsigned char>(t[p])]) ++p;
                if (p < n && t[p] == options_.quote) {
                    std::size_t e = p + 1;
                    while (e < n && t[e] != options_.delimiter && t[e] != '\n' && t[e] != '\r') ++e;
                    fail_field(field_line, count,
                               "quote character inside the unquoted field " + csv_show(t.substr(b, e - b)) +
                                   " (RFC 4180 allows quotes only in quoted fields: quote the whole field and "
                                   "write the inner quote twice)");
                }
                if (p < n && t[p] == '\0') fail_field(field_line, count, nul_message());
                std::size_t e = p;
                if (options_.trim) {
                    while (e > b && is_space(t[e - 1])) --e;
                }
                f.begin = b;
                f.size = checked_size(e - b, field_line, count);
            }
            out.push_back(f);
            if (lines != nullptr) lines->push_back(field_line);
            ++count;
            if (p < n && t[p] == options_.delimiter) {
                pos = p + 1;
                continue;
            }
            if (p < n) {  // '\n', '\r' or "\r\n"
                if (t[p] == '\r' && p + 1 < n && t[p + 1] == '\n') ++p;
                ++p;
                ++line;
            }
            pos = p;
            return true;
        }
    }

    [[noreturn]] void fail(std::size_t at_line, const std::string& column, const std::string& what) const {
        throw csv_error(source_, at_line, column, row, what);
    }

private:
    bool is_space(char c) const noexcept {
        return (c == ' ' || c == '\t') && c != options_.delimiter && c != options_.quote;
    }

    static std::string nul_message() {
        return "NUL byte in the text (is the file binary, or UTF-16 rather than UTF-8?)";
    }

    // Name of field `index` for messages: the column's name once known (column_k without a header),
    // else "" (the header itself, or a field beyond the last column).
    std::string column_label(std::size_t index) const {
        if (names != nullptr) return index < names->size() ? (*names)[index] : std::string();
        if (!options_.header) return "column_" + std::to_string(index + 1);
        return std::string();
    }

    // A problem with field `index` of the current record; names the field by number when the column
    // has no name yet.
    [[noreturn]] void fail_field(std::size_t at_line, std::size_t index, const std::string& what) const {
        std::string column = column_label(index);
        if (column.empty()) fail(at_line, column, "field " + std::to_string(index + 1) + ": " + what);
        fail(at_line, column, what);
    }

    std::uint32_t checked_size(std::size_t size, std::size_t at_line, std::size_t index) const {
        if (size > (std::numeric_limits<std::uint32_t>::max)()) {
            fail_field(at_line, index, "a field is longer than 4 GiB");
        }
        return static_cast<std::uint32_t>(size);
    }

    // Reads the quoted field whose opening quote is at text_[open]; returns the position after the
    // closing quote. Line endings inside the field advance `line`.
    std::size_t quoted(std::size_t open, csv_field& f, std::size_t index, std::size_t open_line) {
        const std::string_view t = text_;
        const std::size_t n = t.size();
        const char q = options_.quote;
        std::size_t p = open + 1;
        bool escaped = false;
        for (;;) {
            while (p < n && !quoted_stop_[static_cast<unsigned char>(t[p])]) ++p;
            if (p >= n) {
                fail_field(open_line, index,
                           "unterminated quoted field: the quote opened on line " + std::to_string(open_line) +
                         " is never closed");
            }
            const char c = t[p];
            if (c == q) {
                if (p + 1 < n && t[p + 1] == q) {
                    escaped = true;
                    p += 2;
                    continue;
                }
                break;
            }
            if (c == '\n') {
                ++line;
            } else if (c == '\r') {
                if (!(p + 1 < n && t[p + 1] == '\n')) ++line;
            } else {
                fail_field(open_line, index, nul_message());
            }
            ++p;
        }
        const std::size_t b = open + 1, e = p;
        f.flags = csv_field::quoted;
        if (!escaped) {
            f.begin = b;
            f.size = checked_size(e - b, open_line, index);
        } else {
            f.begin = arena_.size();
            for (std::size_t k = b; k < e; ++k) {
                arena_ += t[k];
                if (t[k] == q) ++k;  // the second quote of a doubled pair
            }
            f.size = checked_size(arena_.size() - f.begin, open_line, index);
            f.flags = static_cast<std::uint8_t>(f.flags | csv_field::in_arena);
        }
        return p + 1;
    }

    std::string_view text_;
    const csv_options& options_;
    const std::string& source_;
    std::string& arena_;
    bool plain_stop_[256] = {};
    bool quoted_stop_[256] = {};
};

// ------------------------------------------------------------------------------------------------
// The reader: tokenizes, resolves options against the header, converts column by column.

class csv_reader {
public:
    csv_reader(std::string_view text, const csv_options& o, std::string_view source)
        : options_(o), source_(source) {
        validate_options();
        if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
        text_ = text;
        for (const auto& m : options_.missing_tokens) {
            missing_.push_back(m);
            if (m.size() < 64) missing_lengths_ |= std::uint64_t{1} << m.size();
            else long_missing_ = true;
            if (m.empty()) empty_is_missing_ = true;
        }
    }

    frame read() {
        csv_tokenizer tk(text_, options_, source_, arena_);
        skip_lines(tk);
        if (!options_.header) tk.row = 0;
        if (!tk.next(fields_, nullptr)) {
            if (options_.header) {
                throw csv_error(source_, tk.line, "", data_error::no_row,
                                "no header row: the input is empty (csv_options::header is true)");
            }
            resolve_options();  // no columns: any option naming one is an error
            return frame();
        }
        width_ = fields_.size();
        if (options_.header) {
            names_.reserve(width_);
            for (const csv_field& f : fields_) names_.emplace_back(value(f));
            check_header(tk.record_line);
            fields_.clear();
        } else {
            for (std::size_t j = 0; j < width_; ++j) names_.push_back("column_" + std::to_string(j + 1));
            record_offsets_.push_back(tk.record_offset);
            record_lines_.push_back(tk.record_line);
        }
        resolve_options();
        tk.names = &names_;
        reserve(tk.pos);
        for (;;) {
            tk.row = record_lines_.size();
            const std::size_t before = fields_.size();
            if (!tk.next(fields_, nullptr)) break;
            const std::size_t got = fields_.size() - before;
            if (got != width_) {
                throw csv_error(source_, tk.record_line, "", tk.row,
                                "expected " + std::to_string(width_) + " fields (as in the " +
                                    (options_.header ? "header" : "first record") + "), got " + std::to_string(got));
            }
            record_offsets_.push_back(tk.record_offset);
            record_lines_.push_back(tk.record_line);
        }
        rows_ = record_lines_.size();
        frame out;
        for (std::size_t j = 0; j < width_; ++j) convert(out, j);
        return out;
    }

private:
    enum class mode { infer, forced };

    void validate_options() const {
        const auto bad = [](char c) { return c == '\n' || c == '\r' || c == '\0'; };
        if (options_.delimiter == options_.quote) {
            throw invalid_argument("mldp::io::csv_options: the delimiter and the quote are both " +
                                   csv_show(std::string_view(&options_.delimiter, 1)) + "; they must differ");
        }
        if (bad(options_.delimiter) || bad(options_.quote)) {
            throw invalid_argument(std::string("mldp::io::csv_options: the ") + (bad(options_.delimiter) ? "delimiter" : "quote") +
                                   " must not be '\\n', '\\r' or '\\0'");
        }
        if (options_.max_columns == 0) {
            throw invalid_argument("mldp::io::csv_options: max_columns is 0; it must be at least 1");
        }
    }

    void skip_lines(csv_tokenizer& tk) const {
        const std::string_view t = text_;
        for (std::size_t k = 0; k < options_.skip_lines && tk.pos < t.size(); ++k) {
            std::size_t p = tk.pos;
            while (p < t.size() && t[p] != '\n' && t[p] != '\r') ++p;
            if (p < t.size() && t[p] == '\r' && p + 1 < t.size() && t[p + 1] == '\n') ++p;
            tk.pos = p < t.size() ? p + 1 : p;
            ++tk.line;
        }
    }

    // Reserves the field and row vectors once, from the line endings left in the text (an upper bound
    // on the records unless quoted fields span lines), capped by what the bytes can hold: every field
    // but the last takes at least one byte (its delimiter or line ending).
    void reserve(std::size_t from) {
        const std::string_view rest = text_.substr(from);
        std::size_t lines = 1;
        for (const char* p = rest.data(), *end = p + rest.size();
             (p = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)))) != nullptr; ++p) {
            ++lines;
        }
        const std::size_t cap = rest.size() / 2 + 16;
        const std::size_t estimate = lines <= cap / width_ ? lines * width_ : cap;
        fields_.reserve(fields_.size() + estimate);
        const std::size_t rows = estimate / width_ + 1;
        record_offsets_.reserve(rows);
        record_lines_.reserve(rows);
    }

    void check_header(std::size_t line) const {
        std::unordered_map<std::string_view, std::size_t> seen;
        seen.reserve(names_.size());
        for (std::size_t j = 0; j < names_.size(); ++j) {
            if (names_[j].empty()) {
                throw csv_error(source_, line, "", data_error::no_row,
                                "header field " + std::to_string(j + 1) + " of " + std::to_string(names_.size()) +
                                    " is empty; every column needs a name");
            }
            const auto ins = seen.emplace(names_[j], j);
            if (!ins.second) {
                throw csv_error(source_, line, names_[j], data_error::no_row,
                                "duplicate column name in the header (fields " + std::to_string(ins.first->second + 1) +
                                    " and " + std::to_string(j + 1) + ")");
            }
        }
    }

    std::size_t column_index(const std::string& name, const char* option) const {
        for (std::size_t j = 0; j < names_.size(); ++j) {
            if (names_[j] == name) return j;
        }
        std::string known;
        const std::size_t shown = names_.size() < 20 ? names_.size() : 20;
        for (std::size_t j = 0; j < shown; ++j) known += (j ? ", '" : "'") + names_[j] + "'";
        if (shown < names_.size()) known += ", ... (" + std::to_string(names_.size()) + " in all)";
        throw invalid_argument(std::string("mldp::io::csv_options::") + option + ": " + source_ +
                               " has no column named '" + name + "' (columns: " + (known.empty() ? "none" : known) + ")");
    }

    void resolve_options() {
        kinds_.assign(names_.size(), std::nullopt);
        formats_.assign(names_.size(), std::nullopt);
        for (const auto& [name, kind] : options_.kinds) {
            const std::size_t j = column_index(name, "kinds");
            if (kinds_[j] && *kinds_[j] != kind) {
                throw invalid_argument("mldp::io::csv_options::kinds: column '" + name + "' is forced both " +
                                       std::string(to_string(*kinds_[j])) + " and " + std::string(to_string(kind)));
            }
            kinds_[j] = kind;
        }
        for (const auto& [name, format] : options_.time_formats) {
            const std::size_t j = column_index(name, "time_formats");
            if (formats_[j] && formats_[j]->text != format) {
                throw invalid_argument("mldp::io::csv_options::time_formats: column '" + name + "' has two formats, '" +
                                       formats_[j]->text + "' and '" + format + "'");
            }
            if (kinds_[j] && *kinds_[j] != column_kind::time) {
                throw invalid_argument("mldp::io::csv_options: column '" + name + "' has a time format but is forced " +
                                       std::string(to_string(*kinds_[j])));
            }
            formats_[j] = compile_time_format(name, format);
        }
    }

    std::string_view value(const csv_field& f) const noexcept {
        const char* base = (f.flags & csv_field::in_arena) ? arena_.data() : text_.data();
        return std::string_view(base + f.begin, f.size);
    }

    bool is_missing(const csv_field& f) const noexcept {
        if (f.flags & csv_field::quoted) return f.size == 0 && empty_is_missing_;
        if (f.size < 64 && !long_missing_ && ((missing_lengths_ >> f.size) & 1u) == 0) return false;
        const std::string_view v = value(f);
        for (const std::string_view m : missing_) {
            if (m == v) return true;
        }
        return false;
    }

    const csv_field& at(std::size_t row, std::size_t column) const noexcept { return fields_[row * width_ + column]; }

    // Physical line where field (row, column) starts: re-tokenizes that one record (error path only).
    std::size_t field_line(std::size_t row, std::size_t column) const {
        std::string scratch_arena;
        csv_tokenizer tk(text_, options_, source_, scratch_arena);
        tk.pos = record_offsets_[row];
        tk.line = record_lines_[row];
        std::vector<csv_field> scratch;
        std::vector<std::size_t> lines;
        if (tk.next(scratch, &lines) && column < lines.size()) return lines[column];
        return record_lines_[row];
    }

    [[noreturn]] void fail_value(std::size_t row, std::size_t column, const std::string& what) const {
        throw csv_error(source_, field_line(row, column), names_[column], row, what);
    }

    void convert(frame& out, std::size_t j) {
        const std::string& name = names_[j];
        if (formats_[j]) {
            out.add(name, to_time(j, mode::forced, &*formats_[j]).value());
            return;
        }
        if (kinds_[j] == column_kind::categorical) {
            out.add(name, to_categorical(j));
            return;
        }
        if (kinds_[j] == column_kind::time) {
            out.add(name, to_time(j, mode::forced, nullptr).value());
            return;
        }
        std::vector<double> v(rows_);
        bool any = false;
        std::size_t r = 0;
        for (; r < rows_; ++r) {
            const csv_field& f = at(r, j);
            if (is_missing(f)) {
                v[r] = std::numeric_limits<double>::quiet_NaN();
            } else if (parse_double(value(f), v[r])) {
                any = true;
            } else {
                break;
            }
        }
        if (r == rows_) {
            out.add(name, std::move(v));
            return;
        }
        if (kinds_[j] == column_kind::numeric) {
            fail_value(r, j, csv_show(value(at(r, j))) + " is not a number (column '" + name + "' was forced numeric)");
        }
        v = std::vector<double>();
        if (!any) {  // rows before r are all missing: a time column is still possible
            if (std::optional<time_column> t = to_time(j, mode::infer, nullptr)) {
                out.add(name, std::move(*t));
                return;
            }
        }
        out.add(name, to_categorical(j));
    }

    categorical_column to_categorical(std::size_t j) const {
        std::vector<std::int32_t> codes(rows_);
        std::vector<std::string> dictionary;
        std::unordered_map<std::string_view, std::int32_t> index;
        for (std::size_t r = 0; r < rows_; ++r) {
            const csv_field& f = at(r, j);
            if (is_missing(f)) {
                codes[r] = categorical_column::missing_code;
                continue;
            }
            const std::string_view v = value(f);
            auto it = index.find(v);
            if (it == index.end()) {
                if (dictionary.size() == static_cast<std::size_t>((std::numeric_limits<std::int32_t>::max)())) {
                    fail_value(r, j, "more than 2^31 - 1 distinct categories");
                }
                it = index.emplace(v, static_cast<std::int32_t>(dictionary.size())).first;
                dictionary.emplace_back(v);
            }
            codes[r] = it->second;
        }
        return categorical_column::from_codes(std::move(codes), std::move(dictionary), names_[j]);
    }

    // A time column, or std::nullopt in infer mode when some value does not have the ISO shape.
    // Out-of-range values (and, in forced mode, any unparsable value) are csv_errors.
    std::optional<time_column> to_time(std::size_t j, mode m, const time_format* format) const {
        const std::string& name = names_[j];
        civil_time t;
        bool date_only = format ? !format->has_time_of_day : true;
        std::size_t fraction = 0;
        std::size_t bad_row = rows_;
        std::string bad_reason;
        for (std::size_t r = 0; r < rows_; ++r) {
            const csv_field& f = at(r, j);
            if (is_missing(f)) continue;
            const std::string_view v = value(f);
            const bool shaped = format ? parse_formatted_time(v, *format, t) : parse_iso_time(v, t);
            if (!shaped) {
                if (m == mode::infer) return std::nullopt;
                if (format) {
                    fail_value(r, j, csv_show(v) + " does not match the time format '" + format->text + "'");
                }
                fail_value(r, j, csv_show(v) +
                                     " is not an ISO-8601 date or date-time (YYYY-MM-DD or "
                                     "YYYY-MM-DD[T ]HH:MM[:SS[.fraction]][Z|+HH:MM|-HH:MM]) (column '" +
                                     name + "' was forced time)");
            }
            if (bad_row == rows_) {
                std::string reason = check_civil(t);
                if (!reason.empty()) {
                    if (m == mode::forced) fail_value(r, j, csv_show(v) + " is not a valid time: " + reason);
                    bad_row = r;
                    bad_reason = std::move(reason);
                }
            }
            date_only = date_only && t.date_only;
            if (t.fraction_digits > fraction) fraction = t.fraction_digits;
        }
        if (bad_row != rows_) {
            fail_value(bad_row, j, csv_show(value(at(bad_row, j))) + " is not a valid time: " + bad_reason);
        }
        time_column c;
        c.unit = date_only       ? time_unit::days
                 : fraction == 0 ? time_unit::seconds
                 : fraction <= 3 ? time_unit::milliseconds
                 : fraction <= 6 ? time_unit::microseconds
                                 : time_unit::nanoseconds;
        c.ticks.resize(rows_);
        for (std::size_t r = 0; r < rows_; ++r) {
            const csv_field& f = at(r, j);
            if (is_missing(f)) {
                c.ticks[r] = time_column::missing;
                continue;
            }
            const std::string_view v = value(f);
            if (format) {
                parse_formatted_time(v, *format, t);
            } else {
                parse_iso_time(v, t);
            }
            if (!civil_to_ticks(t, c.unit, c.ticks[r])) {
                fail_value(r, j, csv_show(v) + " does not fit in a signed 64-bit count of " +
                                     std::string(to_string(c.unit)) + " since 1970-01-01 (the column's unit)");
            }
        }
        return c;
    }

    const csv_options& options_;
    std::string source_;
    std::string_view text_;
    std::vector<std::string_view> missing_;
    std::uint64_t missing_lengths_ = 0;
    bool long_missing_ = false;
    bool empty_is_missing_ = false;

    std::string arena_;
    std::vector<csv_field> fields_;            // row-major, width_ per record
    std::vector<std::size_t> record_offsets_;  // per data row: offset of its first byte in text_
    std::vector<std::size_t> record_lines_;    // per data row: physical line where it starts
    std::vector<std::string> names_;
    std::vector<std::optional<column_kind>> kinds_;
    std::vector<std::optional<time_format>> formats_;
    std::size_t width_ = 0;
    std::size_t rows_ = 0;
};

struct file_closer {
    void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};

// The whole file as bytes; io_error with the system's reason when it cannot be opened or read.
inline std::string read_file(const std::string& path) {
    errno = 0;
    std::unique_ptr<std::FILE, file_closer> f(std::fopen(path.c_str(), "rb"));
    if (!f) {
        const int e = errno;
        throw io_error(path, "mldp::io::read_csv: cannot open '" + path + "': " + std::generic_category().message(e));
    }
    std::string out;
    constexpr std::size_t chunk = std::size_t{1} << 16;
    for (bool first = true;; first = false) {
        if (!first && out.size() == chunk) {
            // A file larger than one chunk: reserve its size (a hint only; a directory or a pipe has
            // failed or ended on the first read, before any seek).
            const long here = std::ftell(f.get());
            if (here >= 0 && std::fseek(f.get(), 0, SEEK_END) == 0) {
                const long size = std::ftell(f.get());
                if (std::fseek(f.get(), here, SEEK_SET) != 0) {
                    throw io_error(path, "mldp::io::read_csv: cannot seek in '" + path + "'");
                }
                if (size > here && static_cast<unsigned long>(size) < out.max_size() / 2) {
                    out.reserve(static_cast<std::size_t>(size));
                }
            }
        }
        const std::size_t old = out.size();
        out.resize(old + chunk);
        errno = 0;
        const std::size_t got = std::fread(&out[old], 1, chunk, f.get());
        out.resize(old + got);
        if (got < chunk) {
            if (std::ferror(f.get())) {
                const int e = errno;
                throw io_error(path, "mldp::io::read_csv: cannot read '" + path + "': " +
                                         (e != 0 ? std::generic_category().message(e) : std::string("read error")));
            }
            break;
        }
    }
    return out;
}

}  // namespace detail

/// Parses CSV text into a frame: one column per field, its kind inferred (or forced by `options`) as
/// the comment at the top of this header describes. `source` names the text in error messages. One
/// pass splits the records into field views, then each column is converted: O(bytes + rows x columns).
/// Throws invalid_argument for bad options (see csv_options) and csv_error, with the source, line,
/// column and row, for malformed text or a value that does not fit its column.
inline frame parse_csv(std::string_view text, const csv_options& options = {}, std::string_view source = "<memory>") {
    return detail::csv_reader(text, options, source).read();
}

/// Reads the whole file at `path` and parses it with parse_csv (errors name the path). Throws
/// io_error (path and strerror(errno)) when the file cannot be opened or read, then as parse_csv.
inline frame read_csv(const std::string& path, const csv_options& options = {}) {
    const std::string text = detail::read_file(path);
    return parse_csv(text, options, path);
}

}  // namespace mldp::io


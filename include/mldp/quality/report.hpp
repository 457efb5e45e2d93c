// mldp — the result types of data validation: finding (what one check found) and quality_report
// (all of them, with a verdict), printable with fmt and convertible to JSON. Validation never throws
// on bad data: what is wrong with the data, and with the validator's own configuration (an unknown
// column, a column of the wrong kind), is a finding.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "mldp/core/detail/json.hpp"

namespace mldp::quality {

/// How much a finding matters. A report passes at a severity when no failed check has that severity
/// or a higher one.
enum class severity { info, warning, error };

constexpr std::string_view to_string(severity s) noexcept {
    switch (s) {
        case severity::info: return "info";
        case severity::warning: return "warning";
        case severity::error: return "error";
    }
    return "?";
}

/// One offending value and how often it occurred.
struct value_count {
    std::string value;
    std::size_t count = 0;
};

/// What one check found. `count` offending rows (or items: categories, sources, pairs), as fractions
/// of all rows and of the non-missing rows the check looked at; `rows` the first offending row
/// indices, ascending (at most the validator's row_limit); `values` the most frequent offending values
/// with their counts. `passed` says whether the check holds (its pass fraction reaches `mostly`); a
/// check that holds with some offending rows reports them at severity info.
struct finding {
    std::string code;    ///< stable identifier of the check kind ("not_null", "in_range", "config.unknown_column", ...)
    std::string check;   ///< the check as written ("in_range(age, 0, 120)")
    std::string column;  ///< the column it concerns, empty for frame-level checks
    quality::severity severity = quality::severity::error;
    bool passed = false;
    std::size_t count = 0;
    double fraction = 0.0;              ///< count / rows checked
    double fraction_non_missing = 0.0;  ///< count / non-missing rows checked
    std::vector<std::size_t> rows;
    std::vector<value_count> values;
    std::string message;  ///< plain language, with the numbers
};

/// The findings of one validation, in the order the checks were added.
struct quality_report {
    std::size_t rows = 0;
    std::size_t checks = 0;
    std::vector<finding> findings;

    /// True when no failed finding has severity `at_least` or higher.
    bool passed(quality::severity at_least = quality::severity::error) const noexcept {
        for (const auto& f : findings) {
            if (!f.passed && f.severity >= at_least) return false;
        }
        return true;
    }
    /// The highest severity among failed findings; info when everything passed.
    quality::severity max_severity() const noexcept {
        quality::severity s = quality::severity::info;
        for (const auto& f : findings) {
            if (!f.passed && f.severity > s) s = f.severity;
        }
        return s;
    }
    /// The findings of one check code (all of them for an empty code).
    std::vector<const finding*> with_code(std::string_view code) const {
        std::vector<const finding*> out;
        for (const auto& f : findings) {
            if (code.empty() || f.code == code) out.push_back(&f);
        }
        return out;
    }
};

inline void to_json(nlohmann::json& j, const value_count& v) { j = nlohmann::json{{"value", v.value}, {"count", v.count}}; }

inline void to_json(nlohmann::json& j, const finding& f) {
    j = nlohmann::json{{"code", f.code},
                       {"check", f.check},
                       {"column", f.column},
                       {"severity", std::string(to_string(f.severity))},
                       {"passed", f.passed},
                       {"count", f.count},
                       {"fraction", mldp::detail::json_number(f.fraction)},
                       {"fraction_non_missing", mldp::detail::json_number(f.fraction_non_missing)},
                       {"rows", f.rows},
                       {"values", f.values},
                       {"message", f.message}};
}

inline void to_json(nlohmann::json& j, const quality_report& r) {
    j = nlohmann::json{{"rows", r.rows},
                       {"checks", r.checks},
                       {"passed", r.passed()},
                       {"max_severity", std::string(to_string(r.max_severity()))},
                       {"findings", r.findings}};
}

}  // namespace mldp::quality

/// Prints a finding on one line: severity, the check (its code when unnamed), passed or FAILED, the
/// offending count and fraction, and the message ("error: in_range(age, 0, 120) FAILED, 3 offending
/// (fraction 0.3): ...").
template <>
struct fmt::formatter<mldp::quality::finding> {
    constexpr auto parse(fmt::format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const mldp::quality::finding& f, Ctx& ctx) const {
        auto out = fmt::format_to(ctx.out(), "{}: {} {}, {} offending (fraction {:.6g})", to_string(f.severity), f.check.empty() ? f.code : f.check,
                                  f.passed ? "passed" : "FAILED", f.count, f.fraction);
        if (!f.message.empty()) out = fmt::format_to(out, ": {}", f.message);
        return out;
    }
};

/// A table: one line per finding (severity, pass/fail, code, column, count, fraction), then the
/// messages.
template <>
struct fmt::formatter<mldp::quality::quality_report> {
    constexpr auto parse(fmt::format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const mldp::quality::quality_report& r, Ctx& ctx) const {
        auto out = fmt::format_to(ctx.out(), "quality report: {} rows, {} checks, {} findings; {}\n", r.rows, r.checks, r.findings.size(),
                                  r.passed() ? "passed" : fmt::format("failed (max severity {})", to_string(r.max_severity())));
        out = fmt::format_to(out, "{:<8} {:<5} {:<24} {:<20} {:>9} {:>9}\n", "severity", "ok", "code", "column", "count", "fraction");
        for (const auto& f : r.findings) {
            out = fmt::format_to(out, "{:<8} {:<5} {:<24} {:<20} {:>9} {:>9.4f}  {}\n", to_string(f.severity), f.passed ? "yes" : "NO", f.code,
                                 f.column, f.count, f.fraction, f.message);
        }
        return out;
    }
};

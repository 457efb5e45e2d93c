// mldp — the check interface of the validator, and the accumulator shared by the row-level checks.
//
// A check is a value (mldp::quality::check) holding its options (code, severity, mostly, null
// policy, columns) and an immutable implementation. Validating starts one check_state per check;
// the state reads the frame chunk by chunk (update), merges with the state of another chunk
// (merge: the other's rows follow this one's), and turns into findings (finish). Virtual calls
// happen per check and per chunk, never per row. A check writes a configuration finding (code
// "config.*") instead of throwing when its column is absent or of the wrong kind.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "mldp/core/error.hpp"
#include "mldp/core/frame.hpp"
#include "mldp/quality/report.hpp"

namespace mldp::quality {

/// What a check does with missing values (NaN, missing category, NaT):
///   ignore - they are not checked and not counted among the rows checked (the default);
///   pass   - they count as passing rows;
///   fail   - they count as offending rows.
enum class null_policy { ignore, pass, fail };

/// Options every check carries.
struct check_options {
    std::string code;         ///< stable identifier of the check kind
    std::string description;  ///< the check as written, for reports
    std::vector<std::string> columns;
    quality::severity severity = quality::severity::error;
    double mostly = 1.0;  ///< the check holds when at least this fraction of the rows checked pass
    null_policy nulls = null_policy::ignore;
};

/// Limits of what a finding lists.
struct report_limits {
    std::size_t rows = 20;    ///< first offending row indices kept
    std::size_t values = 5;   ///< most frequent offending values listed
    std::size_t tracked_values = 4096;  ///< distinct offending values counted exactly (later new ones are not)
};

/// The accumulating state of one check.
class check_state {
public:
    virtual ~check_state() = default;
    /// Reads rows [row_offset, row_offset + chunk.rows()) of the data.
    virtual void update(const frame& chunk, std::size_t row_offset) = 0;
    /// Adds the state of the following chunk (its rows start at `row_offset`). Same check only.
    virtual void merge(const check_state& other, std::size_t row_offset) = 0;
    /// The findings over `total_rows` rows.
    virtual std::vector<finding> finish(std::size_t total_rows) const = 0;
    virtual std::unique_ptr<check_state> clone() const = 0;
    /// The work of update() per row, relative to a one-column row check (1): the validator starts the
    /// costliest checks first when it runs them on several threads.
    virtual double cost() const noexcept { return 1.0; }
};

/// The implementation behind a check: makes its states.
class check_impl {
public:
    virtual ~check_impl() = default;
    virtual std::unique_ptr<check_state> start(const check_options& options, const report_limits& limits) const = 0;
};

/// A check: options plus an implementation. Copies share the implementation.
class check {
public:
    check(check_options options, std::shared_ptr<const check_impl> impl) : options_(std::move(options)), impl_(std::move(impl)) {}

    /// A copy with another severity.
    check with_severity(quality::severity s) const {
        check c = *this;
        c.options_.severity = s;
        return c;
    }
    /// A copy that holds when at least `fraction` (in [0, 1]) of the rows checked pass.
    check with_mostly(double fraction) const {
        if (!(fraction >= 0.0 && fraction <= 1.0)) {
            throw invalid_argument(fmt::format("mldp::quality::check::with_mostly: the fraction must lie in [0, 1], got {}", fraction));
        }
        check c = *this;
        c.options_.mostly = fraction;
        return c;
    }
    /// A copy with another null policy.
    check with_nulls(null_policy p) const {
        check c = *this;
        c.options_.nulls = p;
        return c;
    }
    const check_options& options() const noexcept { return options_; }
    std::unique_ptr<check_state> start(const report_limits& limits) const { return impl_->start(options_, limits); }

private:
    check_options options_;
    std::shared_ptr<const check_impl> impl_;
};

namespace detail {

/// The check_impl of a check whose states are built as State(options, spec, limits). `spec` holds
/// the check's parameters; with Shared, one immutable copy is shared by every state the check starts
/// (for parameters too large to copy per state).
template <class State, class Spec, bool Shared = false>
class state_impl final : public check_impl {
    using stored = std::conditional_t<Shared, std::shared_ptr<const Spec>, Spec>;

public:
    explicit state_impl(Spec spec) : spec_(store(std::move(spec))) {}
    std::unique_ptr<check_state> start(const check_options& options, const report_limits& limits) const override {
        return std::make_unique<State>(options, spec_, limits);
    }

private:
    static stored store(Spec spec) {
        if constexpr (Shared) {
            return std::make_shared<const Spec>(std::move(spec));
        } else {
            return spec;
        }
    }
    stored spec_;
};

/// A configuration finding: the check could not run as written.
inline finding config_finding(const check_options& o, std::string code, std::string column, std::string message) {
    finding f;
    f.code = std::move(code);
    f.check = o.description;
    f.column = std::move(column);
    f.severity = quality::severity::error;
    f.passed = false;
    f.message = std::move(message);
    return f;
}

/// Looks a column up for a check; nullptr (and a config finding) when it is absent or of another kind.
inline const frame::column* column_for(const frame& f, const std::string& name, const std::vector<column_kind>& kinds,
                                       const check_options& o, std::vector<finding>& config) {
    const frame::column* c = f.contains(name) ? &f.at(name) : nullptr;
    if (c == nullptr) {
        config.push_back(config_finding(o, "config.unknown_column", name, fmt::format("{}: the data has no column '{}'", o.description, name)));
        return nullptr;
    }
    for (column_kind k : kinds) {
        if (c->kind() == k) return c;
    }
    std::string want;
    for (column_kind k : kinds) want += (want.empty() ? "" : " or ") + std::string(to_string(k));
    config.push_back(config_finding(o, "config.wrong_kind", name,
                                    fmt::format("{}: column '{}' is {}, the check needs {}", o.description, name, to_string(c->kind()), want)));
    return nullptr;
}

/// Display form of a numeric value: the shortest round-trip text.
inline std::string value_text(double v) { return std::isnan(v) ? std::string("NaN") : fmt::format("{}", v); }

/// Counts for a row-level check: rows checked, missing, offending; the first offending rows; exact
/// counts of offending values (up to limits.tracked_values distinct). Mergeable exactly.
struct row_tally {
    std::size_t checked = 0, missing = 0, offending = 0;
    std::vector<std::size_t> rows;
    std::map<std::string, std::size_t> values;
    std::vector<finding> config;  // configuration findings (deduplicated by code and column)
    report_limits limits;

    void offend(std::size_t row, const std::string& value) {
        ++offending;
        if (rows.size() < limits.rows) rows.push_back(row);
        auto it = values.find(value);
        if (it != values.end()) {
            ++it->second;
        } else if (values.size() < limits.tracked_values) {
            values.emplace(value, 1);
        }
    }
    /// A missing row under the check's null policy.
    void on_missing(std::size_t row, null_policy p) {
        ++missing;
        if (p == null_policy::ignore) return;
        ++checked;
        if (p == null_policy::fail) offend(row, "<missing>");
    }
    void add_config(const std::vector<finding>& more) {
        for (const auto& f : more) {
            bool seen = false;
            for (const auto& g : config) seen = seen || (g.code == f.code && g.column == f.column);
            if (!seen) config.push_back(f);
        }
    }
    void merge(const row_tally& o, std::size_t row_offset) {
        checked += o.checked;
        missing += o.missing;
        offending += o.offending;
        for (std::size_t r : o.rows) {
            if (rows.size() < limits.rows) rows.push_back(r + row_offset);
        }
        for (const auto& [v, n] : o.values) {
            auto it = values.find(v);
            if (it != values.end()) {
                it->second += n;
            } else if (values.size() < limits.tracked_values) {
                values.emplace(v, n);
            }
        }
        add_config(o.config);
    }
    /// The finding of a row-level check, or the configuration findings when it could not run.
    std::vector<finding> finish(const check_options& o, const std::string& column, std::size_t total_rows, const std::string& what) const {
        if (!config.empty()) return config;
        std::vector<finding> out;
        if (offending == 0) return out;
        finding f;
        f.code = o.code;
        f.check = o.description;
        f.column = column;
        f.count = offending;
        // Of all rows, and of the non-missing ones (missing rows offend only under null_policy::fail).
        const std::size_t missing_offending = o.nulls == null_policy::fail ? missing : 0;
        const std::size_t non_missing = total_rows >= missing ? total_rows - missing : 0;
        f.fraction = total_rows > 0 ? static_cast<double>(offending) / static_cast<double>(total_rows) : 0.0;
        f.fraction_non_missing =
            non_missing > 0 ? static_cast<double>(offending - missing_offending) / static_cast<double>(non_missing) : 0.0;
        const double pass_share = checked > 0 ? 1.0 - static_cast<double>(offending) / static_cast<double>(checked) : 1.0;
        f.passed = pass_share >= o.mostly;
        f.severity = f.passed ? quality::severity::info : o.severity;
        f.rows = rows;
        std::vector<value_count> vc;
        for (const auto& [v, n] : values) vc.push_back({v, n});
        std::stable_sort(vc.begin(), vc.end(), [](const value_count& a, const value_count& b) { return a.count > b.count; });
        if (vc.size() > limits.values) vc.resize(limits.values);
        f.values = std::move(vc);
        f.message = fmt::format("{} of {} rows checked in '{}' {} ({:.4g}% of the checked rows; {:.4g}% pass, {:.4g}% required)", offending,
                                checked, column, what, 100.0 * (1.0 - pass_share), 100.0 * pass_share, 100.0 * o.mostly);
        out.push_back(std::move(f));
        return out;
    }
};

}  // namespace detail
}  // namespace mldp::quality

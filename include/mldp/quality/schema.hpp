// mldp — the data schema: what each column of a frame should look like (kind, whether it may be
// missing, a numeric range, the allowed categories, a time unit and time bounds), inferred from a
// frame as TFDV's infer_schema and deequ's constraint suggestions do, written to and read from JSON,
// and turned into validator checks:
//
//   auto s = mldp::quality::infer_schema(training_frame);
//   nlohmann::json j = s;                              // store it, review it, edit it
//   mldp::quality::validator v;
//   mldp::quality::expect_schema(v, j.get<mldp::quality::schema>());
//   auto report = v.validate(serving_batch);
#pragma once

#include <algorithm>
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
#include <nlohmann/json.hpp>

#include "mldp/core/column.hpp"
#include "mldp/core/detail/json.hpp"
#include "mldp/core/error.hpp"
#include "mldp/core/frame.hpp"
#include "mldp/quality/check.hpp"
#include "mldp/quality/checks.hpp"
#include "mldp/quality/report.hpp"
#include "mldp/quality/validator.hpp"

namespace mldp::quality {

/// What one column should look like. `min_value`/`max_value` bound a numeric column (inclusive; an
/// absent or infinite bound is no bound); `allowed` lists a categorical column's values (empty: any);
/// `unit` is a time column's tick unit ("ns", "us", "ms", "s", "min", "h", "d"; checked) or a numeric
/// column's unit (documentation only); `min_time`/`max_time` bound a time column's ticks (inclusive).
struct column_spec {
    std::string name;
    column_kind kind = column_kind::numeric;
    bool nullable = true;
    std::optional<double> min_value, max_value;
    std::vector<std::string> allowed;
    std::string unit;
    std::optional<std::int64_t> min_time, max_time;
};

/// The expected columns of a frame, in order. Names are unique (checked where a schema is read or
/// turned into checks).
struct schema {
    std::vector<column_spec> columns;

    /// The spec of a column, or nullptr when the schema has none. O(columns).
    const column_spec* find(std::string_view name) const noexcept {
        for (const auto& c : columns) {
            if (c.name == name) return &c;
        }
        return nullptr;
    }
};

/// Options of infer_schema(). `range_margin` widens each inferred numeric and time range [lo, hi] by
/// range_margin x (hi - lo) on each side (>= 0); categorical columns with more than `max_vocabulary`
/// distinct values get no allowed set (TFDV's max_string_domain_size, 100 by default; 0 = never);
/// with `nullable_if_any_missing` a column is nullable exactly when it has a missing value (deequ's
/// CompleteIfCompleteRule), without it every column is nullable (no completeness is inferred).
struct inference_options {
    double range_margin = 0.1;
    std::size_t max_vocabulary = 100;
    bool nullable_if_any_missing = true;
};

namespace detail {

// Moves a tick value by `by` towards the lower (down) or upper end, stopping at the last valid tick:
// INT64_MIN is the missing marker, so the lowest bound is INT64_MIN + 1.
inline std::int64_t saturating_shift(std::int64_t t, std::uint64_t by, bool down) noexcept {
    constexpr std::int64_t lowest = (std::numeric_limits<std::int64_t>::min)() + 1;
    constexpr std::int64_t highest = (std::numeric_limits<std::int64_t>::max)();
    if (down) {
        const std::uint64_t room = static_cast<std::uint64_t>(t) - static_cast<std::uint64_t>(lowest);  // t - lowest, >= 0
        return by >= room ? lowest : static_cast<std::int64_t>(static_cast<std::uint64_t>(t) - by);
    }
    const std::uint64_t room = static_cast<std::uint64_t>(highest) - static_cast<std::uint64_t>(t);  // highest - t, >= 0
    return by >= room ? highest : static_cast<std::int64_t>(static_cast<std::uint64_t>(t) + by);
}

// The time unit named `s`, if any.
inline std::optional<time_unit> time_unit_named(std::string_view s) noexcept {
    for (time_unit u : {time_unit::nanoseconds, time_unit::microseconds, time_unit::milliseconds, time_unit::seconds,
                        time_unit::minutes, time_unit::hours, time_unit::days}) {
        if (to_string(u) == s) return u;
    }
    return std::nullopt;
}

inline std::optional<column_kind> column_kind_named(std::string_view s) noexcept {
    for (column_kind k : {column_kind::numeric, column_kind::categorical, column_kind::time}) {
        if (to_string(k) == s) return k;
    }
    return std::nullopt;
}

inline column_spec infer_numeric(std::string name, numeric_view v, const inference_options& o) {
    column_spec s;
    s.name = std::move(name);
    s.kind = column_kind::numeric;
    bool missing = false, neg_inf = false, pos_inf = false, any_finite = false;
    double lo = 0.0, hi = 0.0;
    for (double x : v) {
        if (std::isnan(x)) {
            missing = true;
        } else if (std::isinf(x)) {
            (x > 0 ? pos_inf : neg_inf) = true;
        } else if (!any_finite) {
            lo = hi = x;
            any_finite = true;
        } else {
            lo = x < lo ? x : lo;
            hi = x > hi ? x : hi;
        }
    }
    s.nullable = missing || !o.nullable_if_any_missing;
    if (any_finite) {
        // An infinite value leaves its side unbounded; a bound that overflows is no bound either.
        const double margin = o.range_margin == 0.0 ? 0.0 : o.range_margin * (hi - lo);
        const double a = lo - margin, b = hi + margin;
        if (!neg_inf && std::isfinite(a)) s.min_value = a;
        if (!pos_inf && std::isfinite(b)) s.max_value = b;
    }
    return s;
}

inline column_spec infer_categorical(std::string name, const categorical_column& c, const inference_options& o) {
    column_spec s;
    s.name = std::move(name);
    s.kind = column_kind::categorical;
    std::vector<char> used(c.dictionary().size(), 0);
    bool missing = false;
    for (std::int32_t code : c.codes()) {
        if (code == categorical_column::missing_code) {
            missing = true;
        } else {
            used[static_cast<std::size_t>(code)] = 1;
        }
    }
    s.nullable = missing || !o.nullable_if_any_missing;
    std::vector<std::string> values;
    for (std::size_t k = 0; k < used.size(); ++k) {
        if (used[k]) values.push_back(c.dictionary()[k]);
    }
    if (!values.empty() && values.size() <= o.max_vocabulary) {
        std::sort(values.begin(), values.end());  // byte order, independent of the row order
        s.allowed = std::move(values);
    }
    return s;
}

inline column_spec infer_time(std::string name, const time_column& t, const inference_options& o) {
    column_spec s;
    s.name = std::move(name);
    s.kind = column_kind::time;
    s.unit = std::string(to_string(t.unit));
    bool missing = false, any = false;
    std::int64_t lo = 0, hi = 0;
    for (std::int64_t x : t.ticks) {
        if (x == time_column::missing) {
            missing = true;
        } else if (!any) {
            lo = hi = x;
            any = true;
        } else {
            lo = x < lo ? x : lo;
            hi = x > hi ? x : hi;
        }
    }
    s.nullable = missing || !o.nullable_if_any_missing;
    if (any) {
        const std::uint64_t span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);  // hi - lo, exact
        const double m = std::floor(o.range_margin * static_cast<double>(span));
        const std::uint64_t margin = m >= 18446744073709551616.0 ? (std::numeric_limits<std::uint64_t>::max)() : static_cast<std::uint64_t>(m);
        s.min_time = saturating_shift(lo, margin, true);
        s.max_time = saturating_shift(hi, margin, false);
    }
    return s;
}

// Checks what a schema must satisfy before it becomes checks; `fn` names the caller.
inline void validate_schema(const schema& s, const char* fn) {
    for (std::size_t i = 0; i < s.columns.size(); ++i) {
        const column_spec& c = s.columns[i];
        if (c.name.empty()) throw invalid_argument(fmt::format("{}: column spec {} has an empty name", fn, i));
        for (std::size_t k = 0; k < i; ++k) {
            if (s.columns[k].name == c.name) throw invalid_argument(fmt::format("{}: the schema names column '{}' twice", fn, c.name));
        }
        if ((c.min_value && std::isnan(*c.min_value)) || (c.max_value && std::isnan(*c.max_value))) {
            throw invalid_argument(fmt::format("{}: column '{}' has a NaN bound", fn, c.name));
        }
        if (c.min_value && c.max_value && *c.min_value > *c.max_value) {
            throw invalid_argument(fmt::format("{}: column '{}' has min_value {} > max_value {}", fn, c.name, *c.min_value, *c.max_value));
        }
        if (c.min_time && c.max_time && *c.min_time > *c.max_time) {
            throw invalid_argument(fmt::format("{}: column '{}' has min_time {} > max_time {}", fn, c.name, *c.min_time, *c.max_time));
        }
        if (c.kind == column_kind::time && !c.unit.empty() && !time_unit_named(c.unit)) {
            throw invalid_argument(fmt::format("{}: column '{}' has time unit '{}' (accepted: ns, us, ms, s, min, h, d)", fn, c.name, c.unit));
        }
    }
}

// ---- conforms_to: the frame's columns against the schema's ---------------------------------------

class conforms_state final : public check_state {
public:
    conforms_state(check_options o, std::shared_ptr<const schema> s) : o_(std::move(o)), schema_(std::move(s)) {}

    void update(const frame& chunk, std::size_t) override {
        const std::size_t n = chunk.rows();
        for (const auto& spec : schema_->columns) {
            if (!chunk.contains(spec.name)) {
                add("schema.missing_column", spec.name, n,
                    fmt::format("the data has no column '{}' (the schema expects a {} column)", spec.name, to_string(spec.kind)));
                continue;
            }
            const frame::column& c = chunk.at(spec.name);
            if (c.kind() != spec.kind) {
                add("schema.wrong_kind", spec.name, n,
                    fmt::format("column '{}' is {}, the schema says {}", spec.name, to_string(c.kind()), to_string(spec.kind)));
                continue;
            }
            if (const auto* t = std::get_if<time_column>(&c.data); t != nullptr && !spec.unit.empty() && to_string(t->unit) != spec.unit) {
                add("schema.wrong_unit", spec.name, n,
                    fmt::format("column '{}' counts ticks in {}, the schema says {}", spec.name, to_string(t->unit), spec.unit));
            }
        }
        for (const auto& c : chunk.all()) {
            if (schema_->find(c.name) == nullptr) {
                add("schema.extra_column", c.name, n, fmt::format("column '{}' ({}) is not in the schema", c.name, to_string(c.kind())));
            }
        }
    }
    void merge(const check_state& other, std::size_t) override {
        for (const auto& e : static_cast<const conforms_state&>(other).entries_) add(e.code, e.column, e.rows, e.message);
    }
    std::vector<finding> finish(std::size_t total_rows) const override {
        // Schema order (missing, wrong kind, wrong unit per column), then extra columns as first seen.
        std::vector<finding> out;
        auto emit = [&](const entry& e) {
            finding f;
            f.code = e.code;
            f.check = o_.description;
            f.column = e.column;
            // An extra column is a warning at most; the others carry the check's severity.
            f.severity = e.code == "schema.extra_column" ? (std::min)(o_.severity, quality::severity::warning) : o_.severity;
            f.passed = false;
            f.count = e.rows;
            f.fraction = total_rows > 0 ? static_cast<double>(e.rows) / static_cast<double>(total_rows) : 0.0;
            f.fraction_non_missing = f.fraction;
            f.message = e.message;
            out.push_back(std::move(f));
        };
        for (const auto& spec : schema_->columns) {
            for (const char* code : {"schema.missing_column", "schema.wrong_kind", "schema.wrong_unit"}) {
                for (const auto& e : entries_) {
                    if (e.column == spec.name && e.code == code) emit(e);
                }
            }
        }
        for (const auto& e : entries_) {
            if (e.code == "schema.extra_column") emit(e);
        }
        return out;
    }
    std::unique_ptr<check_state> clone() const override { return std::make_unique<conforms_state>(*this); }

private:
    // One problem, the rows of the chunks it held in, and the message of the first such chunk.
    struct entry {
        std::string code, column, message;
        std::size_t rows = 0;
    };
    void add(const std::string& code, const std::string& column, std::size_t rows, const std::string& message) {
        for (auto& e : entries_) {
            if (e.code == code && e.column == column) {
                e.rows += rows;
                return;
            }
        }
        entries_.push_back({code, column, message, rows});
    }

    check_options o_;
    std::shared_ptr<const schema> schema_;
    std::vector<entry> entries_;
};

class conforms_impl final : public check_impl {
public:
    explicit conforms_impl(std::shared_ptr<const schema> s) : schema_(std::move(s)) {}
    std::unique_ptr<check_state> start(const check_options& o, const report_limits&) const override {
        return std::make_unique<conforms_state>(o, schema_);
    }

private:
    std::shared_ptr<const schema> schema_;
};

// ---- a row check that leaves absent and mistyped columns to conforms_to --------------------------

class spec_column_state final : public check_state {
public:
    spec_column_state(std::unique_ptr<check_state> inner, std::string column, column_kind kind)
        : inner_(std::move(inner)), column_(std::move(column)), kind_(kind) {}

    void update(const frame& chunk, std::size_t row_offset) override {
        // conforms_to reports an absent or mistyped column once; the row check skips the chunk.
        if (!chunk.contains(column_) || chunk.at(column_).kind() != kind_) return;
        inner_->update(chunk, row_offset);
    }
    void merge(const check_state& other, std::size_t row_offset) override {
        inner_->merge(*static_cast<const spec_column_state&>(other).inner_, row_offset);
    }
    std::vector<finding> finish(std::size_t total_rows) const override { return inner_->finish(total_rows); }
    std::unique_ptr<check_state> clone() const override {
        return std::make_unique<spec_column_state>(inner_->clone(), column_, kind_);
    }

private:
    std::unique_ptr<check_state> inner_;
    std::string column_;
    column_kind kind_;
};

class spec_column_impl final : public check_impl {
public:
    spec_column_impl(check inner, column_kind kind) : inner_(std::move(inner)), kind_(kind) {}
    std::unique_ptr<check_state> start(const check_options& o, const report_limits& limits) const override {
        // The wrapper's options (severity, mostly, null policy set on it) reach the inner check.
        const check inner = inner_.with_severity(o.severity).with_mostly(o.mostly).with_nulls(o.nulls);
        return std::make_unique<spec_column_state>(inner.start(limits), o.columns.front(), kind_);
    }

private:
    check inner_;
    column_kind kind_;
};

inline check for_spec_column(check inner, column_kind kind) {
    check_options o = inner.options();
    return check(std::move(o), std::make_shared<const spec_column_impl>(std::move(inner), kind));
}

// ---- JSON reading ----------------------------------------------------------------------------------

[[noreturn]] inline void schema_corrupt(const std::string& where, const std::string& what) {
    throw format_error("mldp::quality::schema from JSON: " + where + what);
}

inline std::optional<double> read_bound(const nlohmann::json& j, const char* key, const std::string& where) {
    if (!j.contains(key) || j.at(key).is_null()) return std::nullopt;
    const auto& v = j.at(key);
    if (!v.is_number()) schema_corrupt(where, fmt::format("'{}' must be a number or null, got {}", key, v.dump()));
    return v.get<double>();
}

inline std::optional<std::int64_t> read_tick(const nlohmann::json& j, const char* key, const std::string& where) {
    if (!j.contains(key) || j.at(key).is_null()) return std::nullopt;
    const auto& v = j.at(key);
    if (v.is_number_unsigned()) {
        if (v.get<std::uint64_t>() > static_cast<std::uint64_t>((std::numeric_limits<std::int64_t>::max)())) {
            schema_corrupt(where, fmt::format("'{}' = {} does not fit a signed 64-bit tick", key, v.dump()));
        }
        return static_cast<std::int64_t>(v.get<std::uint64_t>());
    }
    if (!v.is_number_integer()) schema_corrupt(where, fmt::format("'{}' must be an integer tick or null, got {}", key, v.dump()));
    const auto t = v.get<std::int64_t>();
    if (t == time_column::missing) schema_corrupt(where, fmt::format("'{}' = {} is the missing-time marker, not a time", key, t));
    return t;
}

}  // namespace detail

/// Infers a schema from a frame, one spec per column in frame order: the kind; nullable when a value is
/// missing (see inference_options); numeric ranges [lo - m, hi + m] with m = range_margin x (hi - lo)
/// over the finite values; categorical allowed sets (sorted) up to max_vocabulary distinct values
/// (TFDV's domain inference); time units and tick bounds with the same margin. O(rows x columns).
/// Throws invalid_argument for a negative or non-finite range_margin.
inline schema infer_schema(const frame& f, const inference_options& options = {}) {
    if (!(options.range_margin >= 0.0) || std::isinf(options.range_margin)) {
        throw invalid_argument(fmt::format("mldp::quality::infer_schema: range_margin must be finite and >= 0, got {}", options.range_margin));
    }
    schema s;
    for (const auto& c : f.all()) {
        if (const auto* n = std::get_if<numeric_column>(&c.data)) {
            s.columns.push_back(detail::infer_numeric(c.name, n->values(), options));
        } else if (const auto* k = std::get_if<categorical_column>(&c.data)) {
            s.columns.push_back(detail::infer_categorical(c.name, *k, options));
        } else {
            s.columns.push_back(detail::infer_time(c.name, std::get<time_column>(c.data), options));
        }
    }
    return s;
}

/// The frame's columns against the schema's: a column the schema names that the data lacks
/// ("schema.missing_column"), of another kind ("schema.wrong_kind") or, for time, another tick unit
/// ("schema.wrong_unit") - each at the check's severity, error by default - and a column the schema
/// does not name ("schema.extra_column", warning). `count` is the rows of the chunks concerned.
/// Exactly mergeable; O(columns^2) per chunk. Throws invalid_argument for an invalid schema.
inline check conforms_to(const schema& s) {
    detail::validate_schema(s, "mldp::quality::conforms_to");
    check_options o;
    o.code = "schema";
    std::vector<std::string> names;
    for (const auto& c : s.columns) names.push_back(c.name);
    o.description = fmt::format("conforms_to(schema of {} columns)", s.columns.size());
    o.columns = std::move(names);
    return check(std::move(o), std::make_shared<const detail::conforms_impl>(std::make_shared<const schema>(s)));
}

/// The checks a schema implies: conforms_to(s) first, then per column in schema order not_null (when
/// not nullable), in_range (numeric bounds, or time bounds in ticks: compared as doubles, so exact up
/// to 2^53) and in_set (a non-empty allowed set). The row checks skip a column that is absent or of
/// another kind, which conforms_to reports once. Throws invalid_argument for an invalid schema
/// (empty or repeated name, NaN bound, min > max, unknown time unit).
inline std::vector<check> schema_checks(const schema& s) {
    detail::validate_schema(s, "mldp::quality::schema_checks");
    constexpr double inf = std::numeric_limits<double>::infinity();
    std::vector<check> out;
    out.push_back(conforms_to(s));
    for (const auto& c : s.columns) {
        if (!c.nullable) out.push_back(detail::for_spec_column(not_null(c.name), c.kind));
        if (c.kind == column_kind::numeric && (c.min_value || c.max_value)) {
            out.push_back(detail::for_spec_column(in_range(c.name, c.min_value.value_or(-inf), c.max_value.value_or(inf)), c.kind));
        } else if (c.kind == column_kind::time && (c.min_time || c.max_time)) {
            const double lo = c.min_time ? static_cast<double>(*c.min_time) : -inf;
            const double hi = c.max_time ? static_cast<double>(*c.max_time) : inf;
            out.push_back(detail::for_spec_column(in_range(c.name, lo, hi), c.kind));
        } else if (c.kind == column_kind::categorical && !c.allowed.empty()) {
            out.push_back(detail::for_spec_column(in_set(c.name, c.allowed), c.kind));
        }
    }
    return out;
}

/// Adds every check of schema_checks(s) to `v`; returns `v`. Throws like schema_checks.
inline validator& expect_schema(validator& v, const schema& s) {
    for (auto& c : schema_checks(s)) v.expect(std::move(c));
    return v;
}

/// JSON of a column spec: every field by name; absent bounds (and infinite numeric ones) are null.
inline void to_json(nlohmann::json& j, const column_spec& c) {
    const auto bound = [](const std::optional<double>& b) { return b ? mldp::detail::json_number(*b) : nlohmann::json(nullptr); };
    const auto tick = [](const std::optional<std::int64_t>& t) { return t ? nlohmann::json(*t) : nlohmann::json(nullptr); };
    j = nlohmann::json{{"name", c.name},
                       {"kind", std::string(to_string(c.kind))},
                       {"nullable", c.nullable},
                       {"min_value", bound(c.min_value)},
                       {"max_value", bound(c.max_value)},
                       {"allowed", c.allowed},
                       {"unit", c.unit},
                       {"min_time", tick(c.min_time)},
                       {"max_time", tick(c.max_time)}};
}

/// JSON of a schema: {"format": "mldp.schema", "version": 1, "columns": [...]}.
inline void to_json(nlohmann::json& j, const schema& s) {
    j = nlohmann::json{{"format", "mldp.schema"}, {"version", 1}, {"columns", s.columns}};
}

/// Reads a column spec. "name" and "kind" are required, the other fields optional (absent = nullable,
/// unbounded, any value). Throws format_error naming the column and the field for a wrong type, an
/// unknown kind or time unit, min > max, a bound on a column of another kind, or a tick out of range.
inline void from_json(const nlohmann::json& j, column_spec& c) {
    if (!j.is_object()) detail::schema_corrupt("", "a column spec must be an object, got " + j.dump());
    if (!j.contains("name") || !j.at("name").is_string() || j.at("name").get<std::string>().empty()) {
        detail::schema_corrupt("", "a column spec needs a non-empty string 'name', got " + j.dump());
    }
    column_spec out;
    out.name = j.at("name").get<std::string>();
    const std::string where = "column '" + out.name + "': ";
    if (!j.contains("kind") || !j.at("kind").is_string()) detail::schema_corrupt(where, "'kind' must be a string");
    const auto kind = detail::column_kind_named(j.at("kind").get<std::string>());
    if (!kind) {
        detail::schema_corrupt(where, fmt::format("unknown kind '{}' (accepted: numeric, categorical, time)", j.at("kind").get<std::string>()));
    }
    out.kind = *kind;
    if (j.contains("nullable")) {
        if (!j.at("nullable").is_boolean()) detail::schema_corrupt(where, "'nullable' must be true or false, got " + j.at("nullable").dump());
        out.nullable = j.at("nullable").get<bool>();
    }
    out.min_value = detail::read_bound(j, "min_value", where);
    out.max_value = detail::read_bound(j, "max_value", where);
    if (out.min_value && out.max_value && *out.min_value > *out.max_value) {
        detail::schema_corrupt(where, fmt::format("min_value {} > max_value {}: the range is empty", *out.min_value, *out.max_value));
    }
    if ((out.min_value || out.max_value) && out.kind != column_kind::numeric) {
        detail::schema_corrupt(where, fmt::format("min_value/max_value bound numeric columns, this one is {}", to_string(out.kind)));
    }
    if (j.contains("allowed") && !j.at("allowed").is_null()) {
        const auto& a = j.at("allowed");
        if (!a.is_array()) detail::schema_corrupt(where, "'allowed' must be an array of strings, got " + a.dump());
        for (const auto& v : a) {
            if (!v.is_string()) detail::schema_corrupt(where, "'allowed' must hold strings only, got " + v.dump());
            out.allowed.push_back(v.get<std::string>());
        }
        if (!out.allowed.empty() && out.kind != column_kind::categorical) {
            detail::schema_corrupt(where, fmt::format("'allowed' lists categories, this column is {}", to_string(out.kind)));
        }
    }
    if (j.contains("unit") && !j.at("unit").is_null()) {
        if (!j.at("unit").is_string()) detail::schema_corrupt(where, "'unit' must be a string, got " + j.at("unit").dump());
        out.unit = j.at("unit").get<std::string>();
        if (out.kind == column_kind::time && !out.unit.empty() && !detail::time_unit_named(out.unit)) {
            detail::schema_corrupt(where, fmt::format("unknown time unit '{}' (accepted: ns, us, ms, s, min, h, d)", out.unit));
        }
    }
    out.min_time = detail::read_tick(j, "min_time", where);
    out.max_time = detail::read_tick(j, "max_time", where);
    if (out.min_time && out.max_time && *out.min_time > *out.max_time) {
        detail::schema_corrupt(where, fmt::format("min_time {} > max_time {}: the range is empty", *out.min_time, *out.max_time));
    }
    if ((out.min_time || out.max_time) && out.kind != column_kind::time) {
        detail::schema_corrupt(where, fmt::format("min_time/max_time bound time columns, this one is {}", to_string(out.kind)));
    }
    c = std::move(out);
}

/// Reads a schema written by to_json (or by hand: "format" and "version" may be left out). Throws
/// format_error for another format or version, a missing "columns" array, a repeated column name, or
/// any column spec from_json(column_spec) refuses.
inline void from_json(const nlohmann::json& j, schema& s) {
    if (!j.is_object()) detail::schema_corrupt("", "a schema must be a JSON object, got " + j.dump());
    if (j.contains("format") && j.at("format") != "mldp.schema") {
        detail::schema_corrupt("", "'format' is " + j.at("format").dump() + ", expected \"mldp.schema\"");
    }
    if (j.contains("version") && j.at("version") != 1) {
        detail::schema_corrupt("", "unsupported version " + j.at("version").dump() + " (this mldp reads version 1)");
    }
    if (!j.contains("columns") || !j.at("columns").is_array()) detail::schema_corrupt("", "'columns' must be an array of column specs");
    schema out;
    for (const auto& c : j.at("columns")) {
        column_spec spec;
        from_json(c, spec);
        if (out.find(spec.name) != nullptr) detail::schema_corrupt("", fmt::format("column '{}' appears twice", spec.name));
        out.columns.push_back(std::move(spec));
    }
    s = std::move(out);
}

/// Parses JSON text into a schema; malformed text throws format_error (with the parser's position)
/// as does any content from_json(schema) refuses. O(text size).
inline schema parse_schema(std::string_view text) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text.begin(), text.end());
    } catch (const nlohmann::json::parse_error& e) {
        throw format_error(std::string("mldp::quality::parse_schema: malformed JSON: ") + e.what());
    }
    schema s;
    from_json(j, s);
    return s;
}

}  // namespace mldp::quality

/// Prints a column spec on one line: name, kind, nullability, then whichever constraints it has
/// ("x: numeric, nullable, range [0.6, 5.4]"; "c: categorical, not nullable, allowed {a, b}", at most
/// ten categories listed; "t: time, nullable, unit ms, ticks [80, 320]"). An absent bound prints as inf.
template <>
struct fmt::formatter<mldp::quality::column_spec> {
    constexpr auto parse(fmt::format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const mldp::quality::column_spec& c, Ctx& ctx) const {
        constexpr double inf = std::numeric_limits<double>::infinity();
        auto out = fmt::format_to(ctx.out(), "{}: {}, {}", c.name, mldp::to_string(c.kind), c.nullable ? "nullable" : "not nullable");
        if (!c.unit.empty()) out = fmt::format_to(out, ", unit {}", c.unit);
        if (c.min_value || c.max_value) out = fmt::format_to(out, ", range [{:.6g}, {:.6g}]", c.min_value.value_or(-inf), c.max_value.value_or(inf));
        if (c.min_time || c.max_time) {
            out = fmt::format_to(out, ", ticks [{}, {}]", c.min_time ? fmt::format("{}", *c.min_time) : std::string("-inf"),
                                 c.max_time ? fmt::format("{}", *c.max_time) : std::string("inf"));
        }
        if (!c.allowed.empty()) {
            out = fmt::format_to(out, ", allowed {{");
            const std::size_t shown = c.allowed.size() > 10 ? 10 : c.allowed.size();
            for (std::size_t i = 0; i < shown; ++i) out = fmt::format_to(out, "{}{}", i ? ", " : "", c.allowed[i]);
            if (shown < c.allowed.size()) out = fmt::format_to(out, ", ... ({} values)", c.allowed.size());
            out = fmt::format_to(out, "}}");
        }
        return out;
    }
};

/// Prints a schema: "schema: 4 columns", then one line per column spec.
template <>
struct fmt::formatter<mldp::quality::schema> {
    constexpr auto parse(fmt::format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const mldp::quality::schema& s, Ctx& ctx) const {
        auto out = fmt::format_to(ctx.out(), "schema: {} columns", s.columns.size());
        for (const auto& c : s.columns) out = fmt::format_to(out, "\n  {}", c);
        return out;
    }
};

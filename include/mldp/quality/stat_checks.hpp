// mldp — the statistical checks of the validator: outliers (robust z-score or Tukey's IQR fences),
// unit_consistency (values off from the column's bulk by a constant factor such as 100 or 2.54),
// label_coverage (expected classes present, a minimum count per class, imbalance judged by a Wilson
// lower bound) and timeliness (per-row lag = arrival - event against an SLA, negative lags, freshness),
// plus the binomial proportion intervals wilson_interval and wald_interval.
//
// Every check here is exact and exactly mergeable: outliers, unit_consistency and timeliness keep the
// column's values (or lags) with their rows in the state, O(rows) memory, because a robust statistic
// of the whole (median, MAD, quartiles, lag quantiles) is not a function of the chunks' statistics;
// label_coverage keeps counts per class. Merged chunks give the report of the whole, bit for bit.
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
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "mldp/core/detail/json.hpp"
#include "mldp/core/detail/portable_math.hpp"
#include "mldp/core/error.hpp"
#include "mldp/core/frame.hpp"
#include "mldp/core/quantile.hpp"
#include "mldp/quality/check.hpp"

namespace mldp::quality {

// ---- binomial proportion intervals ---------------------------------------------------------------

/// A two-sided confidence interval [low, high] for a binomial proportion.
struct proportion_interval {
    double low = 0.0;
    double high = 0.0;
};

namespace detail {

// Validates (successes, trials, confidence) and returns z = Phi^-1(1 - alpha/2) with alpha = 1 -
// confidence, computed as -Phi^-1(alpha/2) (scipy's norm.isf(alpha/2)): 1.959963984540054 at 0.95.
inline double interval_z(const char* who, double successes, double trials, double confidence) {
    if (!(trials > 0.0) || !std::isfinite(trials)) {
        throw invalid_argument(fmt::format("mldp::quality::{}: the number of trials must be positive and finite, got {}", who, trials));
    }
    if (!(successes >= 0.0 && successes <= trials)) {
        throw invalid_argument(fmt::format("mldp::quality::{}: successes must lie in [0, trials = {}], got {}", who, trials, successes));
    }
    if (!(confidence > 0.0 && confidence < 1.0)) {
        throw invalid_argument(fmt::format("mldp::quality::{}: the confidence must lie in (0, 1), got {}", who, confidence));
    }
    return -mldp::detail::normal_quantile(0.5 * (1.0 - confidence));
}

inline double clamp01(double x) noexcept { return x < 0.0 ? 0.0 : (x > 1.0 ? 1.0 : x); }

}  // namespace detail

/// Wilson score interval for a proportion successes / trials (Wilson 1927): center (p + z^2/2n) /
/// (1 + z^2/n), half-width z sqrt(p(1-p)/n + z^2/4n^2) / (1 + z^2/n), with statsmodels'
/// proportion_confint(method='wilson') arithmetic (its values to ~1 ulp; clamped to [0, 1] against
/// rounding). deequ's WilsonScoreIntervalStrategy is this rounded outward to 2 decimals. O(1).
/// Throws invalid_argument for trials <= 0, successes outside [0, trials], confidence outside (0, 1).
inline proportion_interval wilson_interval(double successes, double trials, double confidence = 0.95) {
    const double z = detail::interval_z("wilson_interval", successes, trials, confidence);
    const double q = successes / trials;
    const double z2 = z * z;
    const double denom = 1.0 + z2 / trials;
    const double center = (q + z2 / (2.0 * trials)) / denom;
    const double dist = z * std::sqrt(q * (1.0 - q) / trials + z2 / (4.0 * trials * trials)) / denom;
    return {detail::clamp01(center - dist), detail::clamp01(center + dist)};
}

/// Wald (normal approximation) interval p -+ z sqrt(p(1-p)/n), clipped to [0, 1], as statsmodels'
/// proportion_confint(method='normal'); deequ's WaldIntervalStrategy rounds it outward to 2
/// decimals. Poor coverage near 0 and 1: prefer wilson_interval. O(1). Throws as wilson_interval.
inline proportion_interval wald_interval(double successes, double trials, double confidence = 0.95) {
    const double z = detail::interval_z("wald_interval", successes, trials, confidence);
    const double q = successes / trials;
    const double dist = z * std::sqrt(q * (1.0 - q) / trials);
    return {detail::clamp01(q - dist), detail::clamp01(q + dist)};
}

// ---- options -----------------------------------------------------------------------------------

/// How outliers() decides: `robust_z` flags |x - median| / (MAD / 0.6744897501960817) > threshold
/// (the modified z-score of Iglewicz & Hoaglin 1993 with the exact constant Phi^-1(3/4), i.e.
/// scipy.stats.median_abs_deviation(scale='normal')); `iqr` flags x outside [Q1 - k IQR, Q3 + k IQR]
/// (Tukey's fences, quartiles as numpy.quantile's default 'linear').
enum class outlier_method { robust_z, iqr };

/// Options of outliers(): the method, the robust z threshold (> 0; 3.5 after Iglewicz & Hoaglin) and
/// the IQR multiplier k (>= 0; 1.5 after Tukey).
struct outlier_options {
    outlier_method method = outlier_method::robust_z;
    double threshold = 3.5;
    double iqr_k = 1.5;
};

/// Options of unit_consistency(): the factors tried (each finite, > 0 and not 1), the robust z a value
/// must exceed to be far from the bulk (> 0), and how far the bulk [Q1, Q3] is widened on each side,
/// in IQRs (>= 0), when testing value / factor.
struct unit_options {
    std::vector<double> factors{10.0, 100.0, 1000.0, 2.54, 0.1, 0.01, 0.001, 1.0 / 2.54};
    double threshold = 3.5;
    double bulk_widening = 0.5;
};

/// Options of label_coverage(): the confidence of the Wilson lower bound (in (0, 1)) and the share,
/// divided by the number of classes K, below which that bound flags a class (in [0, 1]).
struct label_options {
    double confidence = 0.95;
    double imbalance_share = 0.1;
};

/// Options of timeliness(), in the time columns' ticks: the SLA (>= 0) a lag may not exceed, the lag
/// quantiles reported (each in [0, 1]), `now` for the freshness of the newest arrival, and the largest
/// share of late rows (in [0, 1]) with which the check still holds.
struct timeliness_options {
    std::int64_t sla = 0;
    std::vector<double> quantiles{0.5, 0.9, 0.99};
    std::optional<std::int64_t> now;
    double max_late_share = 0.0;
};

namespace detail {

inline void add_config_once(std::vector<finding>& config, const finding& f) {
    for (const auto& g : config) {
        if (g.code == f.code && g.column == f.column) return;
    }
    config.push_back(f);
}

/// Phi^-1(3/4): the MAD of a standard normal, scipy's median_abs_deviation(scale='normal') divisor.
inline constexpr double mad_normal_scale = 0.6744897501960817;
/// sqrt(pi / 2): the mean absolute deviation of a normal is sigma sqrt(2 / pi).
inline constexpr double mean_ad_normal_scale = 1.2533141373155002;

/// Location and robust spread of the finite values of a column.
struct robust_summary {
    std::size_t n = 0;  // finite values
    double median = 0.0, mad = 0.0, scale = 0.0, q1 = 0.0, q3 = 0.0;
};

// median and MAD as numpy.median / scipy's median_abs_deviation; scale = MAD / Phi^-1(3/4), or, when
// more than half of the values equal the median (MAD = 0), sqrt(pi/2) times the mean absolute
// deviation from the median (so a column of mostly one value still has its rare values judged);
// quartiles as numpy.quantile. O(n) expected.
inline robust_summary summarize(const std::vector<double>& values) {
    robust_summary s;
    std::vector<double> v;
    v.reserve(values.size());
    for (double x : values) {
        if (std::isfinite(x)) v.push_back(x);
    }
    s.n = v.size();
    if (v.empty()) return s;
    const auto q = mldp::quantiles(v.data(), v.size(), {0.25, 0.5, 0.75});
    s.q1 = q[0];
    s.median = q[1];
    s.q3 = q[2];
    double sum = 0.0;
    for (double& x : v) {
        x = std::fabs(x - s.median);
        sum += x;
    }
    s.mad = mldp::quantiles(v.data(), v.size(), {0.5})[0];
    s.scale = s.mad > 0.0 ? s.mad / mad_normal_scale : mean_ad_normal_scale * (sum / static_cast<double>(v.size()));
    return s;
}

/// |x - median| / scale; infinite for a non-finite x, 0 when every value equals the median.
inline double robust_z(double x, const robust_summary& s) noexcept {
    if (!std::isfinite(x)) return std::numeric_limits<double>::infinity();
    if (!(s.scale > 0.0)) return 0.0;
    return std::fabs(x - s.median) / s.scale;
}

/// Numeric values with their rows, in row order; NaN marks a missing value. Exactly mergeable.
struct value_log {
    std::vector<double> values;
    std::vector<std::size_t> rows;
    std::optional<column_kind> kind;
    std::vector<finding> config;

    void read(const frame& chunk, std::size_t offset, const std::string& name, const std::vector<column_kind>& kinds,
              const check_options& o) {
        std::vector<finding> cfg;
        const frame::column* c = column_for(chunk, name, kinds, o, cfg);
        if (c == nullptr) {
            for (const auto& f : cfg) add_config_once(config, f);
            return;
        }
        if (const auto* nc = std::get_if<numeric_column>(&c->data)) {
            const auto v = nc->values();
            values.insert(values.end(), v.begin(), v.end());
        } else if (const auto* tc = std::get_if<time_column>(&c->data)) {
            for (const std::int64_t t : tc->ticks) {
                values.push_back(t == time_column::missing ? std::numeric_limits<double>::quiet_NaN() : static_cast<double>(t));
            }
        }
        for (std::size_t i = 0; i < chunk.rows(); ++i) rows.push_back(offset + i);
    }
    void merge(const value_log& o, std::size_t offset) {
        values.insert(values.end(), o.values.begin(), o.values.end());
        for (std::size_t r : o.rows) rows.push_back(r + offset);
        for (const auto& f : o.config) add_config_once(config, f);
    }
};

// ---- outliers ------------------------------------------------------------------------------------

class outlier_state final : public check_state {
public:
    outlier_state(check_options o, outlier_options opt, const report_limits& limits) : o_(std::move(o)), opt_(opt), limits_(limits) {}
    void update(const frame& chunk, std::size_t offset) override {
        log_.read(chunk, offset, o_.columns.front(), {column_kind::numeric, column_kind::time}, o_);
    }
    void merge(const check_state& other, std::size_t offset) override { log_.merge(static_cast<const outlier_state&>(other).log_, offset); }
    std::vector<finding> finish(std::size_t total_rows) const override {
        if (!log_.config.empty()) return log_.config;
        const robust_summary s = summarize(log_.values);
        row_tally t;
        t.limits = limits_;
        const double iqr = s.q3 - s.q1;
        const double lo = s.q1 - opt_.iqr_k * iqr, hi = s.q3 + opt_.iqr_k * iqr;
        for (std::size_t i = 0; i < log_.values.size(); ++i) {
            const double x = log_.values[i];
            if (std::isnan(x)) {
                t.on_missing(log_.rows[i], o_.nulls);
                continue;
            }
            ++t.checked;
            const bool out = opt_.method == outlier_method::robust_z ? robust_z(x, s) > opt_.threshold : !(x >= lo && x <= hi);
            if (out) t.offend(log_.rows[i], value_text(x));
        }
        auto f = t.finish(o_, o_.columns.front(), total_rows, "are outliers");
        if (!f.empty()) {
            if (opt_.method == outlier_method::robust_z) {
                f[0].message += fmt::format("; median {}, MAD {}, robust scale {}: |robust z| > {} outside [{:.6g}, {:.6g}]", s.median, s.mad,
                                            s.scale, opt_.threshold, s.median - opt_.threshold * s.scale, s.median + opt_.threshold * s.scale);
            } else {
                f[0].message += fmt::format("; Q1 {}, Q3 {}, IQR {}: outside [{}, {}] (k = {})", s.q1, s.q3, iqr, lo, hi, opt_.iqr_k);
            }
        }
        return f;
    }
    std::unique_ptr<check_state> clone() const override { return std::make_unique<outlier_state>(*this); }

private:
    check_options o_;
    outlier_options opt_;
    report_limits limits_;
    value_log log_;
};

using outlier_impl = state_impl<outlier_state, outlier_options>;

// ---- unit_consistency ----------------------------------------------------------------------------

/// "x100", "x2.54", "x0.01": the factor a slipped value carries.
inline std::string factor_label(double f) { return fmt::format("x{:.6g}", f); }

class unit_state final : public check_state {
public:
    unit_state(check_options o, std::shared_ptr<const unit_options> opt, const report_limits& limits)
        : o_(std::move(o)), opt_(std::move(opt)), limits_(limits) {}
    void update(const frame& chunk, std::size_t offset) override { log_.read(chunk, offset, o_.columns.front(), {column_kind::numeric}, o_); }
    void merge(const check_state& other, std::size_t offset) override { log_.merge(static_cast<const unit_state&>(other).log_, offset); }
    std::vector<finding> finish(std::size_t total_rows) const override {
        if (!log_.config.empty()) return log_.config;
        const robust_summary s = summarize(log_.values);
        const double iqr = s.q3 - s.q1;
        const double lo = s.q1 - opt_->bulk_widening * iqr, hi = s.q3 + opt_->bulk_widening * iqr;
        row_tally t;
        t.limits = limits_;
        for (std::size_t i = 0; i < log_.values.size(); ++i) {
            const double x = log_.values[i];
            if (std::isnan(x)) {
                t.on_missing(log_.rows[i], o_.nulls);
                continue;
            }
            ++t.checked;
            if (!std::isfinite(x) || !(robust_z(x, s) > opt_->threshold)) continue;
            // Of the factors that bring x back into the bulk, the one that brings it closest to the
            // median (the first listed on a tie).
            std::size_t best = opt_->factors.size();
            double best_distance = 0.0;
            for (std::size_t k = 0; k < opt_->factors.size(); ++k) {
                const double y = x / opt_->factors[k];
                if (!(y >= lo && y <= hi)) continue;
                const double d = std::fabs(y - s.median);
                if (best == opt_->factors.size() || d < best_distance) {
                    best = k;
                    best_distance = d;
                }
            }
            if (best < opt_->factors.size()) t.offend(log_.rows[i], factor_label(opt_->factors[best]));
        }
        auto f = t.finish(o_, o_.columns.front(), total_rows, "look like unit slips");
        if (!f.empty()) {
            f[0].message += fmt::format("; each lies beyond |robust z| {} (median {}, robust scale {}) and divided by its factor falls in the "
                                        "bulk [{}, {}] (Q1 {}, Q3 {} widened by {} IQR)",
                                        opt_->threshold, s.median, s.scale, lo, hi, s.q1, s.q3, opt_->bulk_widening);
        }
        return f;
    }
    std::unique_ptr<check_state> clone() const override { return std::make_unique<unit_state>(*this); }

private:
    check_options o_;
    std::shared_ptr<const unit_options> opt_;
    report_limits limits_;
    value_log log_;
};

using unit_impl = state_impl<unit_state, unit_options, true>;

// ---- label_coverage ------------------------------------------------------------------------------

struct label_spec {
    std::vector<std::string> expected;
    std::size_t min_count = 0;
    label_options options;
};

class label_state final : public check_state {
public:
    label_state(check_options o, std::shared_ptr<const label_spec> spec, const report_limits& limits)
        : o_(std::move(o)), spec_(std::move(spec)), limits_(limits) {}

    void update(const frame& chunk, std::size_t offset) override {
        std::vector<finding> cfg;
        const frame::column* c = column_for(chunk, o_.columns.front(), {column_kind::categorical}, o_, cfg);
        if (c == nullptr) {
            for (const auto& f : cfg) add_config_once(config_, f);
            return;
        }
        const auto& cc = std::get<categorical_column>(c->data);
        const auto& dict = cc.dictionary();
        std::vector<class_tally> local(dict.size());
        const auto& codes = cc.codes();
        for (std::size_t i = 0; i < codes.size(); ++i) {
            if (codes[i] == categorical_column::missing_code) {
                ++missing_;
                continue;
            }
            class_tally& t = local[static_cast<std::size_t>(codes[i])];
            ++t.count;
            if (t.rows.size() < limits_.rows) t.rows.push_back(offset + i);
        }
        for (std::size_t k = 0; k < dict.size(); ++k) {
            if (local[k].count > 0) add(dict[k], local[k], 0);
        }
    }
    void merge(const check_state& other, std::size_t offset) override {
        const auto& o = static_cast<const label_state&>(other);
        for (const auto& [name, t] : o.classes_) add(name, t, offset);
        missing_ += o.missing_;
        for (const auto& f : o.config_) add_config_once(config_, f);
    }
    std::vector<finding> finish(std::size_t total_rows) const override {
        if (!config_.empty()) return config_;
        std::vector<std::string> classes = spec_->expected;
        if (classes.empty()) {
            for (const auto& kv : classes_) classes.push_back(kv.first);
        }
        std::size_t labelled = 0;
        for (const auto& kv : classes_) labelled += kv.second.count;
        const std::string& column = o_.columns.front();
        std::vector<finding> out;
        if (classes.empty()) return out;
        const double k = static_cast<double>(classes.size());

        // Expected classes never seen.
        std::vector<std::string> absent;
        for (const auto& name : classes) {
            if (count_of(name) == 0) absent.push_back(name);
        }
        if (!absent.empty()) {
            finding f = base("label_coverage.missing_class", column);
            f.count = absent.size();
            f.fraction = f.fraction_non_missing = static_cast<double>(absent.size()) / k;
            for (std::size_t i = 0; i < absent.size() && i < limits_.values; ++i) f.values.push_back({absent[i], 0});
            f.message = fmt::format("{} of {} expected classes of '{}' never occur: {}", absent.size(), classes.size(), column, fmt::join(absent, ", "));
            out.push_back(std::move(f));
        }
        // Present classes below min_count.
        std::vector<std::string> rare;
        for (const auto& name : classes) {
            const std::size_t c = count_of(name);
            if (c > 0 && c < spec_->min_count) rare.push_back(name);
        }
        if (!rare.empty()) {
            std::vector<std::string> parts;
            for (const auto& name : rare) parts.push_back(fmt::format("{} ({})", name, count_of(name)));
            out.push_back(class_finding("label_coverage.rare_class", column, rare, total_rows, labelled,
                                        fmt::format("{} of {} classes of '{}' occur fewer than {} times: {}", rare.size(), classes.size(),
                                                    column, spec_->min_count, fmt::join(parts, ", "))));
        }
        // Present classes whose share is not shown, at the given confidence, to reach imbalance_share / K.
        const double floor_share = spec_->options.imbalance_share / k;
        std::vector<std::string> thin;
        std::vector<std::string> parts;
        for (const auto& name : classes) {
            const std::size_t c = count_of(name);
            if (c == 0) continue;
            const double low = wilson_interval(static_cast<double>(c), static_cast<double>(labelled), spec_->options.confidence).low;
            if (low < floor_share) {
                thin.push_back(name);
                parts.push_back(fmt::format("{} ({} of {}, share {:.4g}, Wilson lower bound {:.4g})", name, c, labelled,
                                            static_cast<double>(c) / static_cast<double>(labelled), low));
            }
        }
        if (!thin.empty()) {
            out.push_back(class_finding("label_coverage.imbalance", column, thin, total_rows, labelled,
                                        fmt::format("{} of {} classes of '{}' have a {:.4g}% Wilson lower bound of their share below {} / {} = {:.4g}: {}",
                                                    thin.size(), classes.size(), column, 100.0 * spec_->options.confidence, spec_->options.imbalance_share,
                                                    classes.size(), floor_share, fmt::join(parts, "; "))));
        }
        return out;
    }
    std::unique_ptr<check_state> clone() const override { return std::make_unique<label_state>(*this); }

private:
    struct class_tally {
        std::size_t count = 0;
        std::vector<std::size_t> rows;  // the first limits_.rows rows of the class
    };

    void add(const std::string& name, const class_tally& t, std::size_t offset) {
        class_tally& mine = classes_[name];
        mine.count += t.count;
        for (std::size_t r : t.rows) {
            if (mine.rows.size() < limits_.rows) mine.rows.push_back(r + offset);
        }
    }
    std::size_t count_of(const std::string& name) const {
        auto it = classes_.find(name);
        return it == classes_.end() ? 0 : it->second.count;
    }
    finding base(std::string code, const std::string& column) const {
        finding f;
        f.code = std::move(code);
        f.check = o_.description;
        f.column = column;
        f.passed = false;
        f.severity = o_.severity;
        return f;
    }
    // Offending rows: every row of the named classes; the check holds when the other rows make up at
    // least `mostly` of the labelled rows.
    finding class_finding(std::string code, const std::string& column, const std::vector<std::string>& names, std::size_t total_rows,
                          std::size_t labelled, std::string message) const {
        finding f = base(std::move(code), column);
        for (const auto& name : names) {
            const auto& t = classes_.at(name);
            f.count += t.count;
            f.rows.insert(f.rows.end(), t.rows.begin(), t.rows.end());
            f.values.push_back({name, t.count});
        }
        std::sort(f.rows.begin(), f.rows.end());
        if (f.rows.size() > limits_.rows) f.rows.resize(limits_.rows);
        std::stable_sort(f.values.begin(), f.values.end(), [](const value_count& a, const value_count& b) { return a.count > b.count; });
        if (f.values.size() > limits_.values) f.values.resize(limits_.values);
        f.fraction = total_rows > 0 ? static_cast<double>(f.count) / static_cast<double>(total_rows) : 0.0;
        f.fraction_non_missing = labelled > 0 ? static_cast<double>(f.count) / static_cast<double>(labelled) : 0.0;
        f.passed = 1.0 - f.fraction_non_missing >= o_.mostly;
        f.severity = f.passed ? quality::severity::info : o_.severity;
        f.message = std::move(message);
        return f;
    }

    check_options o_;
    std::shared_ptr<const label_spec> spec_;
    report_limits limits_;
    std::map<std::string, class_tally> classes_;
    std::size_t missing_ = 0;
    std::vector<finding> config_;
};

using label_impl = state_impl<label_state, label_spec, true>;

// ---- timeliness ----------------------------------------------------------------------------------

/// a - b, saturated to [INT64_MIN + 1, INT64_MAX] (INT64_MIN is the missing marker of time columns).
inline std::int64_t lag_of(std::int64_t a, std::int64_t b) noexcept {
    constexpr std::int64_t hi = (std::numeric_limits<std::int64_t>::max)();
    constexpr std::int64_t lo = (std::numeric_limits<std::int64_t>::min)() + 1;
    if (b > 0 && a < lo + b) return lo;
    if (b < 0 && a > hi + b) return hi;
    const std::int64_t d = a - b;
    return d < lo ? lo : d;
}

class timeliness_state final : public check_state {
public:
    timeliness_state(check_options o, std::shared_ptr<const timeliness_options> opt, const report_limits& limits)
        : o_(std::move(o)), opt_(std::move(opt)), limits_(limits) {}

    void update(const frame& chunk, std::size_t offset) override {
        std::vector<finding> cfg;
        const frame::column* e = column_for(chunk, o_.columns[0], {column_kind::time}, o_, cfg);
        const frame::column* a = column_for(chunk, o_.columns[1], {column_kind::time}, o_, cfg);
        if (e == nullptr || a == nullptr) {
            for (const auto& f : cfg) add_config_once(config_, f);
            return;
        }
        const auto& ev = std::get<time_column>(e->data);
        const auto& ar = std::get<time_column>(a->data);
        if (ev.unit != ar.unit) {
            add_config_once(config_, config_finding(o_, "config.unit_mismatch", o_.columns[1],
                                                    fmt::format("{}: '{}' is in {} but '{}' in {}; both time columns need one unit", o_.description,
                                                                o_.columns[0], to_string(ev.unit), o_.columns[1], to_string(ar.unit))));
            return;
        }
        note_unit(ev.unit);
        for (std::size_t i = 0; i < ev.size(); ++i) {
            const std::int64_t t0 = ev.ticks[i], t1 = ar.ticks[i];
            lags_.push_back(t0 == time_column::missing || t1 == time_column::missing ? time_column::missing : lag_of(t1, t0));
            rows_.push_back(offset + i);
            if (t1 != time_column::missing && (!newest_ || t1 > *newest_)) {
                newest_ = t1;
                newest_row_ = offset + i;
            }
        }
    }
    void merge(const check_state& other, std::size_t offset) override {
        const auto& o = static_cast<const timeliness_state&>(other);
        for (const auto& f : o.config_) add_config_once(config_, f);
        if (o.unit_) note_unit(*o.unit_);
        lags_.insert(lags_.end(), o.lags_.begin(), o.lags_.end());
        for (std::size_t r : o.rows_) rows_.push_back(r + offset);
        // The other's rows follow ours: it takes over the newest arrival only when strictly newer.
        if (o.newest_ && (!newest_ || *o.newest_ > *newest_)) {
            newest_ = o.newest_;
            newest_row_ = o.newest_row_ + offset;
        }
    }
    std::vector<finding> finish(std::size_t total_rows) const override {
        if (!config_.empty()) return config_;
        const std::string unit = unit_ ? std::string(to_string(*unit_)) : std::string("ticks");
        const std::string column = fmt::format("{},{}", o_.columns[0], o_.columns[1]);
        std::vector<double> present;
        for (std::int64_t l : lags_) {
            if (l != time_column::missing) present.push_back(static_cast<double>(l));
        }
        std::string quantile_text = "no lag observed";
        if (!present.empty() && !opt_->quantiles.empty()) {
            const auto qs = mldp::quantiles(present.data(), present.size(), opt_->quantiles);
            std::vector<std::string> parts;
            for (std::size_t i = 0; i < qs.size(); ++i) parts.push_back(fmt::format("q{} = {}", opt_->quantiles[i], qs[i]));
            quantile_text = fmt::format("lag quantiles ({}): {}", unit, fmt::join(parts, ", "));
        }
        row_tally negative, late;
        negative.limits = late.limits = limits_;
        for (std::size_t i = 0; i < lags_.size(); ++i) {
            const std::int64_t l = lags_[i];
            if (l == time_column::missing) {
                negative.on_missing(rows_[i], null_policy::ignore);
                late.on_missing(rows_[i], o_.nulls);
                continue;
            }
            ++negative.checked;
            ++late.checked;
            if (l < 0) negative.offend(rows_[i], fmt::format("{}", l));
            if (l > opt_->sla) late.offend(rows_[i], fmt::format("{}", l));
        }
        check_options neg_o = o_;
        neg_o.code = "timeliness.negative_lag";
        neg_o.nulls = null_policy::ignore;
        auto out = negative.finish(neg_o, column, total_rows, "arrive before their event time (negative lag)");
        for (auto& f : out) f.message += "; " + quantile_text;
        check_options late_o = o_;
        late_o.code = "timeliness.late";
        auto l = late.finish(late_o, column, total_rows, fmt::format("arrive later than the SLA of {} {}", opt_->sla, unit));
        for (auto& f : l) {
            const double share = late.checked > 0 ? static_cast<double>(late.offending) / static_cast<double>(late.checked) : 0.0;
            f.passed = share <= opt_->max_late_share;
            f.severity = f.passed ? quality::severity::info : o_.severity;
            f.message = fmt::format("{} of {} rows checked in '{}' arrive later than the SLA of {} {} ({:.4g}% late, at most {:.4g}% allowed); {}",
                                    late.offending, late.checked, column, opt_->sla, unit, 100.0 * share, 100.0 * opt_->max_late_share,
                                    quantile_text);
            out.push_back(std::move(f));
        }
        if (opt_->now) {
            // Plain values, not an optional: GCC 12's -Wmaybe-uninitialized misreads one here.
            const bool seen = newest_.has_value();
            const std::int64_t age = seen ? lag_of(*opt_->now, *newest_) : 0;
            if (!seen || age > opt_->sla) {
                finding f;
                f.code = "timeliness.stale";
                f.check = o_.description;
                f.column = o_.columns[1];
                f.severity = o_.severity;
                f.passed = false;
                if (seen) {
                    // The offending row is the newest arrival: even it is older than the SLA.
                    f.count = 1;
                    f.fraction = total_rows > 0 ? 1.0 / static_cast<double>(total_rows) : 0.0;
                    f.fraction_non_missing = f.fraction;
                    f.rows = {newest_row_};
                    f.values.push_back({fmt::format("{}", age), 1});
                    f.message = fmt::format("the newest arrival in '{}' (row {}, {}) is {} {} old at {}, beyond the SLA of {} {}", o_.columns[1],
                                            newest_row_, *newest_, age, unit, *opt_->now, opt_->sla, unit);
                } else {
                    f.message = fmt::format("no arrival time in '{}': freshness unknown at {}", o_.columns[1], *opt_->now);
                }
                out.push_back(std::move(f));
            }
        }
        return out;
    }
    std::unique_ptr<check_state> clone() const override { return std::make_unique<timeliness_state>(*this); }

private:
    void note_unit(time_unit u) {
        if (unit_ && *unit_ != u) {
            add_config_once(config_, config_finding(o_, "config.unit_mismatch", o_.columns[1],
                                                    fmt::format("{}: the chunks are in different units ({} and {})", o_.description,
                                                                to_string(*unit_), to_string(u))));
            return;
        }
        unit_ = u;
    }

    check_options o_;
    std::shared_ptr<const timeliness_options> opt_;
    report_limits limits_;
    std::vector<std::int64_t> lags_;  // arrival - event per row; time_column::missing when either is missing
    std::vector<std::size_t> rows_;
    std::optional<std::int64_t> newest_;  // the largest arrival time seen, at its first row
    std::size_t newest_row_ = 0;
    std::optional<time_unit> unit_;
    std::vector<finding> config_;
};

using timeliness_impl = state_impl<timeliness_state, timeliness_options, true>;

}  // namespace detail

// ---- the checks ----------------------------------------------------------------------------------

/// Outlying values of a numeric (or time, in ticks) column by outlier_options::method: robust z
/// (median, MAD as scipy's median_abs_deviation(scale='normal'); when MAD = 0, sqrt(pi/2) times the
/// mean absolute deviation instead) or Tukey's IQR fences (numpy.quantile). Statistics use the finite
/// values; +-inf always offend; NaN follows the null policy. Exact: keeps the column, O(rows) memory,
/// O(rows) expected time at finish. Throws invalid_argument for threshold <= 0 or iqr_k < 0 (or NaN).
inline check outliers(std::string column, outlier_options options = {}) {
    if (!(options.threshold > 0.0) || !std::isfinite(options.threshold)) {
        throw invalid_argument(fmt::format("mldp::quality::outliers: the threshold must be positive and finite, got {}", options.threshold));
    }
    if (!(options.iqr_k >= 0.0) || !std::isfinite(options.iqr_k)) {
        throw invalid_argument(fmt::format("mldp::quality::outliers: iqr_k must be non-negative and finite, got {}", options.iqr_k));
    }
    check_options o;
    o.code = "outliers";
    o.description = options.method == outlier_method::robust_z ? fmt::format("outliers({}, robust_z > {})", column, options.threshold)
                                                               : fmt::format("outliers({}, iqr k = {})", column, options.iqr_k);
    o.columns = {std::move(column)};
    return check(std::move(o), std::make_shared<const detail::outlier_impl>(options));
}

/// Unit slips in a numeric column: values far from the bulk (robust z as outliers(), > threshold)
/// that divided by one of the factors land in [Q1 - w IQR, Q3 + w IQR] (numpy quartiles, w =
/// bulk_widening); of several such factors the one landing closest to the median. Finding values
/// name the factor ("x100", "x2.54", "x0.01"). Exact: keeps the column, O(rows x factors).
/// Throws invalid_argument for no factor, a factor that is not finite, <= 0 or 1, or bad thresholds.
inline check unit_consistency(std::string column, unit_options options = {}) {
    if (options.factors.empty()) throw invalid_argument("mldp::quality::unit_consistency: no factor given");
    for (double f : options.factors) {
        if (!(f > 0.0) || !std::isfinite(f) || f == 1.0) {
            throw invalid_argument(fmt::format("mldp::quality::unit_consistency: factors must be finite, positive and not 1, got {}", f));
        }
    }
    if (!(options.threshold > 0.0) || !std::isfinite(options.threshold)) {
        throw invalid_argument(fmt::format("mldp::quality::unit_consistency: the threshold must be positive and finite, got {}", options.threshold));
    }
    if (!(options.bulk_widening >= 0.0) || !std::isfinite(options.bulk_widening)) {
        throw invalid_argument(
            fmt::format("mldp::quality::unit_consistency: bulk_widening must be non-negative and finite, got {}", options.bulk_widening));
    }
    check_options o;
    o.code = "unit_consistency";
    std::vector<std::string> labels;
    for (double f : options.factors) labels.push_back(detail::factor_label(f));
    o.description = fmt::format("unit_consistency({}, {{{}}})", column, fmt::join(labels, ", "));
    o.columns = {std::move(column)};
    return check(std::move(o), std::make_shared<const detail::unit_impl>(std::move(options)));
}

/// unit_consistency with these factors and the other options at their defaults.
inline check unit_consistency(std::string column, std::vector<double> factors) {
    unit_options options;
    options.factors = std::move(factors);
    return unit_consistency(std::move(column), std::move(options));
}

/// Coverage of a categorical label column over its K classes (`expected_classes`, else those seen):
/// "label_coverage.missing_class" (never seen; count = classes), ".rare_class" (seen < min_count times)
/// and ".imbalance" (Wilson lower bound of the share < imbalance_share / K; deequ's interval), these two
/// counting the classes' rows. Missing labels are skipped. Exactly mergeable counts, O(rows). Throws
/// invalid_argument for a repeated expected class or options outside their domains.
inline check label_coverage(std::string column, std::vector<std::string> expected_classes, std::size_t min_count = 0, label_options options = {}) {
    for (std::size_t i = 0; i < expected_classes.size(); ++i) {
        for (std::size_t j = 0; j < i; ++j) {
            if (expected_classes[i] == expected_classes[j]) {
                throw invalid_argument(fmt::format("mldp::quality::label_coverage: the expected class '{}' is listed twice", expected_classes[i]));
            }
        }
    }
    if (!(options.confidence > 0.0 && options.confidence < 1.0)) {
        throw invalid_argument(fmt::format("mldp::quality::label_coverage: the confidence must lie in (0, 1), got {}", options.confidence));
    }
    if (!(options.imbalance_share >= 0.0 && options.imbalance_share <= 1.0)) {
        throw invalid_argument(fmt::format("mldp::quality::label_coverage: imbalance_share must lie in [0, 1], got {}", options.imbalance_share));
    }
    check_options o;
    o.code = "label_coverage";
    o.description = fmt::format("label_coverage({}, {{{}}}, min_count {})", column, fmt::join(expected_classes, ", "), min_count);
    o.columns = {std::move(column)};
    return check(std::move(o), std::make_shared<const detail::label_impl>(detail::label_spec{std::move(expected_classes), min_count, options}));
}

/// Per-row lag = arrival - event of two time columns of one unit: "timeliness.negative_lag" (lag < 0),
/// "timeliness.late" (lag > sla; holds while the late share <= max_late_share; a missing lag is late
/// under null_policy::fail), both with the lag quantiles (numpy.quantile) in the message, and with
/// `now`, "timeliness.stale" (now - newest arrival > sla). Exact: keeps the lags, O(rows). Throws
/// invalid_argument for sla < 0, a quantile or max_late_share outside [0, 1].
inline check timeliness(std::string event_column, std::string arrival_column, timeliness_options options = {}) {
    if (options.sla < 0) throw invalid_argument(fmt::format("mldp::quality::timeliness: the SLA must be non-negative, got {}", options.sla));
    for (double q : options.quantiles) {
        if (!(q >= 0.0 && q <= 1.0)) throw invalid_argument(fmt::format("mldp::quality::timeliness: quantiles must lie in [0, 1], got {}", q));
    }
    if (!(options.max_late_share >= 0.0 && options.max_late_share <= 1.0)) {
        throw invalid_argument(fmt::format("mldp::quality::timeliness: max_late_share must lie in [0, 1], got {}", options.max_late_share));
    }
    check_options o;
    o.code = "timeliness";
    o.description = fmt::format("timeliness({}, {}, sla {})", event_column, arrival_column, options.sla);
    o.columns = {std::move(event_column), std::move(arrival_column)};
    return check(std::move(o), std::make_shared<const detail::timeliness_impl>(std::move(options)));
}

/// JSON of an interval: {"low", "high"}.
inline void to_json(nlohmann::json& j, const proportion_interval& i) {
    j = nlohmann::json{{"low", mldp::detail::json_number(i.low)}, {"high", mldp::detail::json_number(i.high)}};
}

}  // namespace mldp::quality

/// Prints an interval as "[0.0123, 0.456]".
template <>
struct fmt::formatter<mldp::quality::proportion_interval> {
    constexpr auto parse(fmt::format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const mldp::quality::proportion_interval& i, Ctx& ctx) const {
        return fmt::format_to(ctx.out(), "[{:.6g}, {:.6g}]", i.low, i.high);
    }
};

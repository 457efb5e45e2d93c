// mldp — sliced_metrics: a binary classifier's accuracy, precision, recall, F1, ROC AUC and calibration
// error on every slice of the data beside the overall values, the worst slice per metric and its gap to
// the overall value, so that a good average cannot hide a slice where the model fails (the "summary
// metrics" fallacy). Slices too small to judge are flagged, not ranked.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "mldp/core/contiguous.hpp"
#include "mldp/core/detail/json.hpp"
#include "mldp/core/error.hpp"
#include "mldp/core/numeric.hpp"
#include "mldp/loss/operating_point.hpp"

namespace mldp::audit {

/// Options of sliced_metrics(). A slice is `too_small` (reported, never named worst) when it has fewer
/// than `min_count` rows or fewer than `min_class_count` positives or negatives. `calibration_bins`
/// equal-width bins of [0, 1] serve the expected calibration error (at least 1).
struct slice_options {
    std::size_t min_count = 30;
    std::size_t min_class_count = 5;
    std::size_t calibration_bins = 10;
};

/// Signed differences slice value - overall value of each metric (NaN where either is NaN). A negative
/// accuracy / precision / recall / f1 / roc_auc gap and a positive calibration_error gap are worse.
struct metric_gaps {
    double accuracy = std::numeric_limits<double>::quiet_NaN();
    double precision = std::numeric_limits<double>::quiet_NaN();
    double recall = std::numeric_limits<double>::quiet_NaN();
    double f1 = std::numeric_limits<double>::quiet_NaN();
    double roc_auc = std::numeric_limits<double>::quiet_NaN();
    double calibration_error = std::numeric_limits<double>::quiet_NaN();
};

/// Metrics of one slice (or of every row, sliced_report::overall, whose slice is "(all)"). A row is
/// predicted positive when its score >= the threshold. accuracy, precision, recall and f1 equal
/// sklearn.metrics.accuracy_score / precision_score / recall_score / f1_score (1.2, zero_division
/// read as 0); roc_auc equals sklearn.metrics.roc_auc_score, NaN when the slice holds one class only;
/// calibration_error is the expected calibration error of sliced_metrics().
struct slice_metrics {
    std::string slice;
    std::size_t count = 0;                ///< rows
    std::size_t positives = 0;            ///< rows labelled 1
    std::size_t predicted_positives = 0;  ///< rows with score >= threshold
    double accuracy = std::numeric_limits<double>::quiet_NaN();
    double precision = std::numeric_limits<double>::quiet_NaN();
    double recall = std::numeric_limits<double>::quiet_NaN();
    double f1 = std::numeric_limits<double>::quiet_NaN();
    double roc_auc = std::numeric_limits<double>::quiet_NaN();
    double calibration_error = std::numeric_limits<double>::quiet_NaN();
    metric_gaps gap;         ///< this slice minus overall (all zero for overall itself)
    bool too_small = false;  ///< too few rows or too few of a class to judge (slice_options)
};

/// The worst judgeable slice for one metric: the lowest value for accuracy, precision, recall, f1 and
/// roc_auc, the highest for calibration_error, among slices that are not too_small and have a finite
/// value; ties go to the first slice by name. `found` is false (slice empty, value and gap NaN) when
/// none qualifies; an empty slice label is a label like any other.
struct worst_slice {
    std::string metric;  ///< "accuracy", "precision", "recall", "f1", "roc_auc" or "calibration_error"
    bool found = false;
    std::string slice;
    double value = std::numeric_limits<double>::quiet_NaN();
    double gap = std::numeric_limits<double>::quiet_NaN();  ///< value - overall value
};

/// Result of sliced_metrics(): overall metrics, one entry per slice (sorted by slice name, bytewise),
/// the worst slice of each metric (in the order of worst_slice::metric above) and readable warnings
/// (slices too small to judge, metrics undefined on a slice, metrics without a judgeable slice).
struct sliced_report {
    double threshold = 0.5;
    slice_metrics overall;
    std::vector<slice_metrics> slices;
    std::vector<worst_slice> worst;
    std::vector<std::string> warnings;
    slice_options options;
};

namespace detail {

struct metric_spec {
    const char* name;
    double slice_metrics::*value;
    double metric_gaps::*gap;
    bool higher_is_better;
};

inline const std::array<metric_spec, 6>& metric_specs() {
    static const std::array<metric_spec, 6> specs{{
        {"accuracy", &slice_metrics::accuracy, &metric_gaps::accuracy, true},
        {"precision", &slice_metrics::precision, &metric_gaps::precision, true},
        {"recall", &slice_metrics::recall, &metric_gaps::recall, true},
        {"f1", &slice_metrics::f1, &metric_gaps::f1, true},
        {"roc_auc", &slice_metrics::roc_auc, &metric_gaps::roc_auc, true},
        {"calibration_error", &slice_metrics::calibration_error, &metric_gaps::calibration_error, false},
    }};
    return specs;
}

// sklearn.metrics.roc_auc_score (1.2) on confusion_curve's points, operation for operation:
// roc_curve(drop_intermediate=True) keeps the first and last thresholds and every point where the
// second difference of fps or tps is non-zero, prepends (0, 0), divides by the totals, and auc() is
// numpy.trapz: the pairwise sum of diff(fpr) * (tpr[1:] + tpr[:-1]) / 2. NaN with one class only
// (where scikit-learn raises). O(points).
inline double roc_auc_from_curve(const std::vector<loss::operating_point::confusion_point>& curve) {
    const std::size_t m = curve.size() - 1;  // curve[0] is the +inf point, curve[1..m] _binary_clf_curve
    const double positives = curve.back().tp, negatives = curve.back().fp;
    if (!(positives > 0.0) || !(negatives > 0.0)) return std::numeric_limits<double>::quiet_NaN();
    std::vector<double> fps{0.0}, tps{0.0};
    fps.reserve(m + 1);
    tps.reserve(m + 1);
    for (std::size_t j = 1; j <= m; ++j) {
        bool keep = j == 1 || j == m;
        if (!keep) {
            const auto& a = curve[j - 1];
            const auto& b = curve[j];
            const auto& c = curve[j + 1];
            keep = ((c.fp - b.fp) - (b.fp - a.fp)) != 0.0 || ((c.tp - b.tp) - (b.tp - a.tp)) != 0.0;
        }
        if (keep) {
            fps.push_back(curve[j].fp);
            tps.push_back(curve[j].tp);
        }
    }
    std::vector<double> terms(fps.size() - 1);
    for (std::size_t i = 1; i < fps.size(); ++i) {
        const double d = fps[i] / negatives - fps[i - 1] / negatives;
        terms[i - 1] = d * (tps[i] / positives + tps[i - 1] / positives) / 2.0;
    }
    return pairwise_sum(terms.data(), terms.size());
}

// Expected calibration error with sklearn.calibration.calibration_curve's uniform bins: inner edges
// b * (1 / K) (numpy.linspace), bin = numpy.searchsorted(inner edges, score) (bins right-closed, the
// first one [0, 1/K]); ECE = sum over non-empty bins of (n_b / n) |mean label_b - mean score_b|.
inline double expected_calibration_error(const std::vector<double>& y, const std::vector<double>& s,
                                         std::size_t bins) {
    const double step = 1.0 / static_cast<double>(bins);
    std::vector<double> inner(bins - 1);
    for (std::size_t b = 0; b + 1 < bins; ++b) inner[b] = static_cast<double>(b + 1) * step;
    std::vector<double> score_sum(bins, 0.0), label_sum(bins, 0.0);
    std::vector<std::size_t> total(bins, 0);
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto b = static_cast<std::size_t>(std::lower_bound(inner.begin(), inner.end(), s[i]) - inner.begin());
        score_sum[b] += s[i];
        label_sum[b] += y[i];
        ++total[b];
    }
    const double n = static_cast<double>(s.size());
    double ece = 0.0;
    for (std::size_t b = 0; b < bins; ++b) {
        if (total[b] == 0) continue;
        const double nb = static_cast<double>(total[b]);
        ece += nb / n * std::fabs(label_sum[b] / nb - score_sum[b] / nb);
    }
    return ece;
}

// All metrics of the rows [rows] except gaps and the too_small flag.
inline slice_metrics compute_slice(std::string name, const double* y, const double* s, const std::vector<std::size_t>& rows,
                                   double threshold, std::size_t bins) {
    slice_metrics m;
    m.slice = std::move(name);
    m.count = rows.size();
    std::vector<double> ys(rows.size()), ss(rows.size());
    double tp = 0.0, fp = 0.0, tn = 0.0, fn = 0.0;
    for (std::size_t k = 0; k < rows.size(); ++k) {
        ys[k] = y[rows[k]];
        ss[k] = s[rows[k]];
        const bool predicted = ss[k] >= threshold, actual = ys[k] == 1.0;
        tp += predicted && actual;
        fp += predicted && !actual;
        tn += !predicted && !actual;
        fn += !predicted && actual;
    }
    m.positives = static_cast<std::size_t>(tp + fn);
    m.predicted_positives = static_cast<std::size_t>(tp + fp);
    m.accuracy = (tp + tn) / static_cast<double>(m.count);
    // zero_division = 0 as scikit-learn's default (which also warns); f1 as sklearn's fbeta_score:
    // 2 P R / (P + R) with a zero denominator read as 1.
    m.precision = tp + fp > 0.0 ? tp / (tp + fp) : 0.0;
    m.recall = tp + fn > 0.0 ? tp / (tp + fn) : 0.0;
    double denom = m.precision + m.recall;
    if (denom == 0.0) denom = 1.0;
    m.f1 = 2.0 * m.precision * m.recall / denom;
    m.roc_auc = roc_auc_from_curve(loss::operating_point::confusion_curve(ss, ys));
    m.calibration_error = expected_calibration_error(ys, ss, bins);
    return m;
}

inline double metric_gap(double value, double overall) {
    return std::isnan(value) || std::isnan(overall) ? std::numeric_limits<double>::quiet_NaN() : value - overall;
}

inline void flag_and_warn(slice_metrics& m, const slice_options& options, std::vector<std::string>& warnings) {
    const std::size_t negatives = m.count - m.positives;
    const std::string who = "slice '" + m.slice + "'";
    if (m.count < options.min_count) {
        m.too_small = true;
        warnings.push_back(who + ": " + std::to_string(m.count) + " rows, fewer than min_count = " +
                           std::to_string(options.min_count) + "; too small to judge");
    } else if (m.positives < options.min_class_count || negatives < options.min_class_count) {
        m.too_small = true;
        warnings.push_back(who + ": " + std::to_string(m.positives) + " positives and " + std::to_string(negatives) +
                           " negatives, a class below min_class_count = " + std::to_string(options.min_class_count) +
                           "; too small to judge");
    }
    if (m.positives == 0 || negatives == 0) {
        warnings.push_back(who + ": one class only (" + std::to_string(m.positives) + " positives, " +
                           std::to_string(negatives) + " negatives); roc_auc is undefined (NaN)" +
                           (m.positives == 0 ? " and recall is reported as 0" : ""));
    }
    if (m.predicted_positives == 0) {
        warnings.push_back(who + ": no score reaches the threshold; precision and f1 are reported as 0");
    }
}

}  // namespace detail

/// Metrics of a binary classifier per slice and overall (see slice_metrics), with each slice's gap to
/// the overall value, the worst judgeable slice per metric (worst_slice) and warnings. y_true: 0/1
/// labels; y_score: probabilities in [0, 1] (scores outside cannot be calibrated and are rejected, as
/// sklearn's calibration_curve does); slices: one label per row. The calibration error is
/// ECE = sum_b (n_b / n) |mean y_b - mean score_b| over calibration_bins equal-width bins, right-closed
/// as sklearn.calibration.calibration_curve(strategy="uniform"). O(n log n). Throws data_error (column
/// and first row) for differing lengths, empty input, a label not 0/1, a NaN score or one outside
/// [0, 1]; invalid_argument for a NaN threshold or calibration_bins == 0.
template <class Y, class S>
sliced_report sliced_metrics(Y&& y_true, S&& y_score, const std::vector<std::string>& slices, double threshold = 0.5,
                             const slice_options& options = {}) {
    const auto y = evaluate_contiguous<double>(std::forward<Y>(y_true));
    const auto s = evaluate_contiguous<double>(std::forward<S>(y_score));
    const char* fn = "mldp::audit::sliced_metrics: ";
    if (std::isnan(threshold)) throw invalid_argument(std::string(fn) + "threshold must not be NaN");
    if (options.calibration_bins == 0) {
        throw invalid_argument(std::string(fn) + "calibration_bins must be at least 1, got 0");
    }
    const std::size_t n = y.size();
    if (s.size() != n || slices.size() != n) {
        throw data_error(s.size() != n ? "y_score" : "slices", data_error::no_row,
                         std::string(fn) + "y_true has " + std::to_string(n) + " rows, y_score " +
                             std::to_string(s.size()) + " and slices " + std::to_string(slices.size()) +
                             "; one label, score and slice per row is needed");
    }
    if (n == 0) throw data_error("y_true", data_error::no_row, std::string(fn) + "the input is empty (no rows)");
    for (std::size_t i = 0; i < n; ++i) {
        if (!(y[i] == 0.0 || y[i] == 1.0)) {
            throw data_error("y_true", i, std::string(fn) + "labels must be 0 or 1, got " + std::to_string(y[i]));
        }
        if (!(s[i] >= 0.0 && s[i] <= 1.0)) {
            throw data_error("y_score", i,
                             std::string(fn) + "scores must be probabilities in [0, 1] (NaN is not allowed), got " +
                                 std::to_string(s[i]));
        }
    }

    // std::map: slices sorted by name, bytewise, without any hash function.
    std::map<std::string, std::vector<std::size_t>> groups;
    for (std::size_t i = 0; i < n; ++i) groups[slices[i]].push_back(i);

    sliced_report rep;
    rep.threshold = threshold;
    rep.options = options;
    std::vector<std::size_t> all(n);
    for (std::size_t i = 0; i < n; ++i) all[i] = i;
    rep.overall = detail::compute_slice("(all)", y.data(), s.data(), all, threshold, options.calibration_bins);
    const auto& specs = detail::metric_specs();
    for (const auto& spec : specs) rep.overall.gap.*(spec.gap) = 0.0;
    std::vector<std::string> overall_warnings;
    detail::flag_and_warn(rep.overall, options, overall_warnings);

    rep.slices.reserve(groups.size());
    for (auto& g : groups) {
        slice_metrics m = detail::compute_slice(g.first, y.data(), s.data(), g.second, threshold, options.calibration_bins);
        for (const auto& spec : specs) m.gap.*(spec.gap) = detail::metric_gap(m.*(spec.value), rep.overall.*(spec.value));
        detail::flag_and_warn(m, options, rep.warnings);
        rep.slices.push_back(std::move(m));
    }
    rep.warnings.insert(rep.warnings.begin(), overall_warnings.begin(), overall_warnings.end());

    for (const auto& spec : specs) {
        worst_slice w;
        w.metric = spec.name;
        const slice_metrics* best = nullptr;
        for (const auto& m : rep.slices) {
            const double v = m.*(spec.value);
            if (m.too_small || std::isnan(v)) continue;
            const double cur = best ? best->*(spec.value) : 0.0;
            if (!best || (spec.higher_is_better ? v < cur : v > cur)) best = &m;
        }
        if (best) {
            w.found = true;
            w.slice = best->slice;
            w.value = best->*(spec.value);
            w.gap = best->gap.*(spec.gap);
        } else {
            rep.warnings.push_back(std::string("no slice is large enough to judge ") + spec.name);
        }
        rep.worst.push_back(std::move(w));
    }
    return rep;
}

/// JSON of the gaps: one number (or null) per metric.
inline void to_json(nlohmann::json& j, const metric_gaps& g) {
    const auto num = mldp::detail::json_number;
    j = nlohmann::json{{"accuracy", num(g.accuracy)}, {"precision", num(g.precision)}, {"recall", num(g.recall)},
                       {"f1", num(g.f1)},             {"roc_auc", num(g.roc_auc)},     {"calibration_error", num(g.calibration_error)}};
}

/// JSON of one slice: slice, counts, metrics (null where undefined), gap and too_small.
inline void to_json(nlohmann::json& j, const slice_metrics& m) {
    const auto num = mldp::detail::json_number;
    j = nlohmann::json{{"slice", m.slice},
                       {"count", m.count},
                       {"positives", m.positives},
                       {"predicted_positives", m.predicted_positives},
                       {"accuracy", num(m.accuracy)},
                       {"precision", num(m.precision)},
                       {"recall", num(m.recall)},
                       {"f1", num(m.f1)},
                       {"roc_auc", num(m.roc_auc)},
                       {"calibration_error", num(m.calibration_error)},
                       {"gap", m.gap},
                       {"too_small", m.too_small}};
}

/// JSON of a worst slice: metric, slice (null when none qualifies), value and gap.
inline void to_json(nlohmann::json& j, const worst_slice& w) {
    const auto num = mldp::detail::json_number;
    j = nlohmann::json{{"metric", w.metric}, {"value", num(w.value)}, {"gap", num(w.gap)}};
    j["slice"] = w.found ? nlohmann::json(w.slice) : nlohmann::json(nullptr);
}

/// JSON of a report: threshold, options, overall, slices, worst and warnings.
inline void to_json(nlohmann::json& j, const sliced_report& r) {
    j = nlohmann::json{{"threshold", mldp::detail::json_number(r.threshold)},
                       {"options",
                        {{"min_count", r.options.min_count},
                         {"min_class_count", r.options.min_class_count},
                         {"calibration_bins", r.options.calibration_bins}}},
                       {"overall", r.overall},
                       {"slices", r.slices},
                       {"worst", r.worst},
                       {"warnings", r.warnings}};
}

}  // namespace mldp::audit

/// Prints one slice as a table row: slice, count, positives, accuracy, precision, recall, f1, roc_auc,
/// calibration error, and "too small" when flagged.
template <>
struct fmt::formatter<mldp::audit::slice_metrics> {
    constexpr auto parse(format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const mldp::audit::slice_metrics& m, Ctx& ctx) const {
        auto out = fmt::format_to(ctx.out(), "{:<16} {:>7} {:>7} {:>8.4f} {:>9.4f} {:>7.4f} {:>7.4f} {:>7.4f} {:>7.4f}",
                                  m.slice, m.count, m.positives, m.accuracy, m.precision, m.recall, m.f1, m.roc_auc,
                                  m.calibration_error);
        if (m.too_small) out = fmt::format_to(out, "  too small");
        return out;
    }
};

/// Prints a report: a header, a table of overall and per-slice metrics, the worst slice per metric with
/// its gap, and the warnings.
template <>
struct fmt::formatter<mldp::audit::sliced_report> {
    constexpr auto parse(format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const mldp::audit::sliced_report& r, Ctx& ctx) const {
        auto out = fmt::format_to(ctx.out(), "sliced metrics: {} rows, {} slices, threshold {:g}\n", r.overall.count,
                                  r.slices.size(), r.threshold);
        out = fmt::format_to(out, "{:<16} {:>7} {:>7} {:>8} {:>9} {:>7} {:>7} {:>7} {:>7}\n", "slice", "count", "pos",
                             "accuracy", "precision", "recall", "f1", "roc_auc", "ece");
        out = fmt::format_to(out, "{}\n", r.overall);
        for (const auto& m : r.slices) out = fmt::format_to(out, "{}\n", m);
        out = fmt::format_to(out, "worst slices:");
        for (const auto& w : r.worst) {
            if (!w.found) {
                out = fmt::format_to(out, "\n  {:<17} none judgeable", w.metric);
            } else {
                out = fmt::format_to(out, "\n  {:<17} '{}' {:.4f} (gap {:+.4f})", w.metric, w.slice, w.value, w.gap);
            }
        }
        for (const auto& why : r.warnings) out = fmt::format_to(out, "\n  warning: {}", why);
        return out;
    }
};

// mldp — operating points of a binary classifier: the weighted confusion counts at every distinct
// score threshold (the full trade-off curve, as data, in scikit-learn's order and arithmetic) and the
// threshold each of three criteria picks on it: least expected cost, best accuracy under a recall
// floor, best F-beta. A point predicts "positive" for every score >= its threshold.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "mldp/core/contiguous.hpp"
#include "mldp/core/detail/json.hpp"
#include "mldp/core/error.hpp"

namespace mldp::loss {

namespace detail {

// sklearn.metrics.fbeta_score (1.2), operation for operation: precision and recall with
// zero_division = 0, then (1 + b^2) P R / (b^2 P + R), a zero denominator read as 1; beta = +inf
// gives the recall.
inline double f_beta(double tp, double fp, double fn, double beta) noexcept {
    const double predicted = tp + fp, actual = tp + fn;
    const double p = predicted > 0.0 ? tp / predicted : 0.0;
    const double r = actual > 0.0 ? tp / actual : 0.0;
    if (std::isinf(beta)) return r;
    const double beta2 = beta * beta;
    double denom = beta2 * p + r;
    if (denom == 0.0) denom = 1.0;
    return (1.0 + beta2) * p * r / denom;
}

inline void check_beta(double beta, const char* fn) {
    if (!(beta >= 0.0)) {
        throw invalid_argument(std::string("mldp::loss::operating_point::") + fn +
                               ": beta must be >= 0 (0 weighs precision only, +inf recall only), got " +
                               std::to_string(beta));
    }
}

}  // namespace detail

namespace operating_point {

/// Weighted confusion counts when every score >= `threshold` is predicted positive. The rates follow
/// sklearn.metrics.roc_curve: tpr (= recall) is NaN without positive labels, fpr NaN without negative
/// ones (0/0, where scikit-learn warns). precision with tp + fp == 0 (the +inf threshold) is 1, the
/// end point of precision_recall_curve. O(1), noexcept except f_beta's parameter check.
struct confusion_point {
    double threshold = 0.0;
    double tp = 0.0, fp = 0.0, tn = 0.0, fn = 0.0;

    /// True positive rate tp / (tp + fn); NaN without positive labels.
    double tpr() const noexcept { return tp / (tp + fn); }
    /// Recall, the same as tpr().
    double recall() const noexcept { return tpr(); }
    /// False positive rate fp / (fp + tn); NaN without negative labels.
    double fpr() const noexcept { return fp / (fp + tn); }
    /// False negative rate (miss rate) fn / (tp + fn) = 1 - recall; NaN without positive labels.
    double false_negative_rate() const noexcept { return fn / (tp + fn); }
    /// Precision tp / (tp + fp), and 1 when nothing is predicted positive (precision_recall_curve).
    double precision() const noexcept { return tp + fp > 0.0 ? tp / (tp + fp) : 1.0; }
    /// Weighted accuracy (tp + tn) / (tp + fp + tn + fn), as sklearn.metrics.accuracy_score.
    double accuracy() const noexcept { return (tp + tn) / (tp + fp + tn + fn); }
    /// F-beta as sklearn.metrics.fbeta_score (zero_division = 0): ill-defined precision or recall
    /// count as 0 here (unlike precision()), so the +inf point scores 0 and a curve without positive
    /// labels scores 0 everywhere; beta = +inf gives the recall. Throws invalid_argument for beta < 0
    /// or NaN.
    double f_beta(double beta = 1.0) const {
        detail::check_beta(beta, "confusion_point::f_beta");
        return detail::f_beta(tp, fp, fn, beta);
    }
};

/// Costs of the two errors, in any common unit, for min_expected_cost (finite and >= 0).
struct cost_spec {
    double false_positive = 1.0, false_negative = 1.0;
};

/// The threshold a criterion picked, the whole point there, and the criterion's value at it
/// (expected cost, accuracy or F-beta). `feasible` is false only when max_accuracy_with_recall_floor
/// found no point meeting the floor and fell back to the highest recall.
struct threshold_choice {
    double threshold = std::numeric_limits<double>::quiet_NaN();
    confusion_point point{};
    double objective = std::numeric_limits<double>::quiet_NaN();
    bool feasible = true;
};

}  // namespace operating_point

namespace detail {

template <class X>
inline constexpr bool is_label_source_v =
    is_numeric_source_v<X> || std::is_same_v<std::remove_cv_t<std::remove_reference_t<X>>, std::vector<bool>>;

// Labels as doubles; std::vector<bool>, which evaluate_contiguous does not take, is converted here.
template <class L>
contiguous_values<double> label_values(L&& labels) {
    if constexpr (std::is_same_v<std::remove_cv_t<std::remove_reference_t<L>>, std::vector<bool>>) {
        std::vector<double> out(labels.size());
        for (std::size_t i = 0; i < out.size(); ++i) out[i] = labels[i] ? 1.0 : 0.0;
        return contiguous_values<double>::own(std::move(out));
    } else {
        return evaluate_contiguous<double>(std::forward<L>(labels));
    }
}

struct scored_row {
    double score;
    std::size_t row;
};

// scikit-learn's _binary_clf_curve (1.2) followed by roc_curve's "predict nothing" point:
//   - rows of weight 0 are dropped first, so a score held only by them gives no point;
//   - rows are ordered as np.argsort(score, kind="mergesort")[::-1]: score descending, ties by
//     descending row, so that the running sums below add the same terms in the same order as
//     np.cumsum and agree bit for bit;
//   - one point at the last row of each run of equal scores.
inline std::vector<operating_point::confusion_point> build_curve(const double* s, const double* y, const double* w,
                                                                 std::size_t n) {
    const char* fn = "mldp::loss::operating_point::confusion_curve: ";
    if (n == 0) throw data_error("scores", data_error::no_row, std::string(fn) + "no scores (the input is empty)");
    for (std::size_t i = 0; i < n; ++i) {
        if (!std::isfinite(s[i])) {
            throw data_error("scores", i, std::string(fn) + "scores must be finite, got " + std::to_string(s[i]));
        }
        if (!(y[i] == 0.0 || y[i] == 1.0)) {
            throw data_error("labels", i, std::string(fn) + "labels must be 0 or 1 (or false / true), got " +
                                              std::to_string(y[i]));
        }
        if (w && !(w[i] >= 0.0 && std::isfinite(w[i]))) {
            throw data_error("sample_weight", i,
                             std::string(fn) + "weights must be finite and >= 0, got " + std::to_string(w[i]));
        }
    }
    std::vector<scored_row> order;
    order.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        if (!w || w[i] != 0.0) order.push_back({s[i], i});
    }
    if (order.empty()) {
        throw data_error("sample_weight", data_error::no_row, std::string(fn) + "every weight is zero");
    }
    // The row breaks ties, so the order is total and the same under every standard library.
    std::sort(order.begin(), order.end(), [](const scored_row& a, const scored_row& b) {
        return a.score > b.score || (a.score == b.score && a.row > b.row);
    });
    std::vector<operating_point::confusion_point> curve;
    curve.push_back({std::numeric_limits<double>::infinity(), 0.0, 0.0, 0.0, 0.0});
    double tp = 0.0, fp = 0.0;
    const std::size_t m = order.size();
    for (std::size_t k = 0; k < m; ++k) {
        const std::size_t r = order[k].row;
        const double weight = w ? w[r] : 1.0;
        if (y[r] == 1.0) {
            tp += weight;
        } else {
            fp += weight;
        }
        if (k + 1 == m || order[k + 1].score != order[k].score) curve.push_back({order[k].score, tp, fp, 0.0, 0.0});
    }
    // The totals are the last running sums, as scikit-learn's tps[-1] and fps[-1].
    const double positives = tp, negatives = fp;
    for (auto& p : curve) {
        p.tn = negatives - p.fp;
        p.fn = positives - p.tp;
    }
    return curve;
}

inline void check_curve(const std::vector<operating_point::confusion_point>& curve, const char* fn) {
    if (curve.empty()) {
        throw invalid_argument(std::string("mldp::loss::operating_point::") + fn +
                               ": the curve is empty (confusion_curve returns at least two points)");
    }
}

// First index of the largest value(i) among the points where ok(i) holds (the highest threshold on
// ties, the curve being in descending threshold order); NaN values never win. curve.size() if none.
template <class Value, class Ok>
std::size_t first_argmax(std::size_t n, Value value, Ok ok) {
    std::size_t best = n;
    double best_value = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        if (!ok(i)) continue;
        const double v = value(i);
        if (std::isnan(v)) continue;
        if (best == n || v > best_value) {
            best = i;
            best_value = v;
        }
    }
    return best;
}

inline operating_point::threshold_choice make_choice(const operating_point::confusion_point& p, double objective,
                                                     bool feasible = true) {
    return {p.threshold, p, objective, feasible};
}

}  // namespace detail

namespace operating_point {

/// The full trade-off curve: a +inf point (predict nothing), then one point per distinct score, descending,
/// with sklearn.metrics._ranking._binary_clf_curve's counts bit for bit (rows of weight 0 dropped), i.e.
/// roc_curve(drop_intermediate=False) (1.2 labels the first point max + 1, 1.3 +inf). labels: 0/1 as
/// double, int or bool; empty sample_weight = unit weights; one class only is allowed. O(n log n). Throws
/// invalid_argument (lengths differ), data_error (empty, non-finite score, label not 0/1, bad weights).
template <class S, class L, class W = std::vector<double>,
          std::enable_if_t<is_numeric_source_v<S> && detail::is_label_source_v<L> && is_numeric_source_v<W>, int> = 0>
std::vector<confusion_point> confusion_curve(S&& scores, L&& labels, W&& sample_weight = {}) {
    const auto s = evaluate_contiguous<double>(std::forward<S>(scores));
    const auto y = detail::label_values(std::forward<L>(labels));
    const auto w = evaluate_contiguous<double>(std::forward<W>(sample_weight));
    auto mismatch = [&](const char* other, std::size_t size) {
        return invalid_argument("mldp::loss::operating_point::confusion_curve: scores has " + std::to_string(s.size()) +
                                " values and " + other + " has " + std::to_string(size) + "; they must match");
    };
    if (y.size() != s.size()) throw mismatch("labels", y.size());
    if (!w.empty() && w.size() != s.size()) throw mismatch("sample_weight", w.size());
    return detail::build_curve(s.data(), y.data(), w.empty() ? nullptr : w.data(), s.size());
}

/// Least expected (Bayes) cost false_positive * fp + false_negative * fn over the curve, with the
/// weighted counts (divide by the total weight for a per-example cost). Ties go to the highest
/// threshold (fewest positive predictions). O(points). Throws invalid_argument for an empty curve or
/// a negative or non-finite cost.
inline threshold_choice min_expected_cost(const std::vector<confusion_point>& curve, const cost_spec& costs = {}) {
    detail::check_curve(curve, "min_expected_cost");
    if (!(costs.false_positive >= 0.0 && std::isfinite(costs.false_positive) && costs.false_negative >= 0.0 &&
          std::isfinite(costs.false_negative))) {
        throw invalid_argument(fmt::format("mldp::loss::operating_point::min_expected_cost: costs must be finite and "
                                           ">= 0, got false_positive = {}, false_negative = {}",
                                           costs.false_positive, costs.false_negative));
    }
    auto cost = [&](std::size_t i) {
        return costs.false_positive * curve[i].fp + costs.false_negative * curve[i].fn;
    };
    const std::size_t best = detail::first_argmax(curve.size(), [&](std::size_t i) { return -cost(i); },
                                                  [](std::size_t) { return true; });
    if (best == curve.size()) {
        throw invalid_argument("mldp::loss::operating_point::min_expected_cost: the curve holds NaN counts");
    }
    return detail::make_choice(curve[best], cost(best));
}

/// min_expected_cost on confusion_curve(scores, labels). O(n log n); throws as both.
template <class S, class L, std::enable_if_t<is_numeric_source_v<S> && detail::is_label_source_v<L>, int> = 0>
threshold_choice min_expected_cost(S&& scores, L&& labels, const cost_spec& costs = {}) {
    return min_expected_cost(confusion_curve(std::forward<S>(scores), std::forward<L>(labels)), costs);
}

/// min_expected_cost on confusion_curve(scores, labels, sample_weight). O(n log n); throws as both.
template <class S, class L, class W,
          std::enable_if_t<is_numeric_source_v<S> && detail::is_label_source_v<L> && is_numeric_source_v<W>, int> = 0>
threshold_choice min_expected_cost(S&& scores, L&& labels, W&& sample_weight, const cost_spec& costs = {}) {
    return min_expected_cost(
        confusion_curve(std::forward<S>(scores), std::forward<L>(labels), std::forward<W>(sample_weight)), costs);
}

/// Highest accuracy among the points with recall >= min_recall (false negative rate <= 1 -
/// min_recall); ties go to the highest threshold; objective = accuracy. Without positive labels the
/// floor is vacuous (no positive can be missed). A full curve always ends at recall 1, so only a cut
/// curve can miss the floor: then the point of highest recall is returned with feasible = false.
/// O(points). Throws invalid_argument for an empty curve or min_recall outside [0, 1].
inline threshold_choice max_accuracy_with_recall_floor(const std::vector<confusion_point>& curve, double min_recall) {
    detail::check_curve(curve, "max_accuracy_with_recall_floor");
    if (!(min_recall >= 0.0 && min_recall <= 1.0)) {
        throw invalid_argument("mldp::loss::operating_point::max_accuracy_with_recall_floor: min_recall must be in "
                               "[0, 1], got " + std::to_string(min_recall));
    }
    auto accuracy = [&](std::size_t i) { return curve[i].accuracy(); };
    auto meets = [&](std::size_t i) { return curve[i].tp + curve[i].fn == 0.0 || curve[i].recall() >= min_recall; };
    const std::size_t best = detail::first_argmax(curve.size(), accuracy, meets);
    if (best != curve.size()) return detail::make_choice(curve[best], accuracy(best));
    const std::size_t fallback = detail::first_argmax(curve.size(), [&](std::size_t i) { return curve[i].recall(); },
                                                      [](std::size_t) { return true; });
    if (fallback == curve.size()) {
        throw invalid_argument(
            "mldp::loss::operating_point::max_accuracy_with_recall_floor: the curve holds NaN counts");
    }
    return detail::make_choice(curve[fallback], accuracy(fallback), false);
}

/// max_accuracy_with_recall_floor on confusion_curve(scores, labels). O(n log n); throws as both.
template <class S, class L, std::enable_if_t<is_numeric_source_v<S> && detail::is_label_source_v<L>, int> = 0>
threshold_choice max_accuracy_with_recall_floor(S&& scores, L&& labels, double min_recall) {
    return max_accuracy_with_recall_floor(confusion_curve(std::forward<S>(scores), std::forward<L>(labels)), min_recall);
}

/// max_accuracy_with_recall_floor on confusion_curve(scores, labels, sample_weight). O(n log n).
template <class S, class L, class W,
          std::enable_if_t<is_numeric_source_v<S> && detail::is_label_source_v<L> && is_numeric_source_v<W>, int> = 0>
threshold_choice max_accuracy_with_recall_floor(S&& scores, L&& labels, W&& sample_weight, double min_recall) {
    return max_accuracy_with_recall_floor(
        confusion_curve(std::forward<S>(scores), std::forward<L>(labels), std::forward<W>(sample_weight)), min_recall);
}

/// Highest F-beta (confusion_point::f_beta, i.e. sklearn.metrics.fbeta_score) over the curve; ties go
/// to the highest threshold; objective = F-beta. O(points). Throws invalid_argument for an empty curve
/// or beta < 0 or NaN.
inline threshold_choice max_f_beta(const std::vector<confusion_point>& curve, double beta = 1.0) {
    detail::check_curve(curve, "max_f_beta");
    detail::check_beta(beta, "max_f_beta");
    auto f = [&](std::size_t i) { return detail::f_beta(curve[i].tp, curve[i].fp, curve[i].fn, beta); };
    const std::size_t best = detail::first_argmax(curve.size(), f, [](std::size_t) { return true; });
    if (best == curve.size()) {
        throw invalid_argument("mldp::loss::operating_point::max_f_beta: the curve holds NaN counts");
    }
    return detail::make_choice(curve[best], f(best));
}

/// max_f_beta on confusion_curve(scores, labels). O(n log n); throws as both.
template <class S, class L, std::enable_if_t<is_numeric_source_v<S> && detail::is_label_source_v<L>, int> = 0>
threshold_choice max_f_beta(S&& scores, L&& labels, double beta = 1.0) {
    return max_f_beta(confusion_curve(std::forward<S>(scores), std::forward<L>(labels)), beta);
}

/// max_f_beta on confusion_curve(scores, labels, sample_weight). O(n log n); throws as both.
template <class S, class L, class W,
          std::enable_if_t<is_numeric_source_v<S> && detail::is_label_source_v<L> && is_numeric_source_v<W>, int> = 0>
threshold_choice max_f_beta(S&& scores, L&& labels, W&& sample_weight, double beta = 1.0) {
    return max_f_beta(confusion_curve(std::forward<S>(scores), std::forward<L>(labels), std::forward<W>(sample_weight)),
                      beta);
}

/// JSON of a point: threshold, counts and the rates tpr, fpr, precision; non-finite numbers (the +inf
/// threshold, NaN rates) are written as null. A curve (std::vector<confusion_point>) converts to an
/// array of these through nlohmann's ADL lookup: `nlohmann::json j = curve;`.
inline void to_json(nlohmann::json& j, const confusion_point& p) {
    const auto num = mldp::detail::json_number;
    j = nlohmann::json{{"threshold", num(p.threshold)}, {"tp", p.tp}, {"fp", p.fp}, {"tn", p.tn}, {"fn", p.fn},
                       {"tpr", num(p.tpr())},           {"fpr", num(p.fpr())}, {"precision", num(p.precision())}};
}

/// JSON of a choice: threshold (null for +inf), objective, feasible, and the point.
inline void to_json(nlohmann::json& j, const threshold_choice& c) {
    const auto num = mldp::detail::json_number;
    j = nlohmann::json{{"threshold", num(c.threshold)}, {"objective", num(c.objective)}, {"feasible", c.feasible},
                       {"point", c.point}};
}

}  // namespace operating_point
}  // namespace mldp::loss

/// Prints a point on one line: threshold, counts, tpr, fpr, precision.
template <>
struct fmt::formatter<mldp::loss::operating_point::confusion_point> {
    constexpr auto parse(format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const mldp::loss::operating_point::confusion_point& p, Ctx& ctx) const {
        return fmt::format_to(ctx.out(), "threshold {:.6g}: tp={:g} fp={:g} tn={:g} fn={:g} tpr={:.4f} fpr={:.4f} "
                              "precision={:.4f}",
                              p.threshold, p.tp, p.fp, p.tn, p.fn, p.tpr(), p.fpr(), p.precision());
    }
};

/// Prints a choice on one line: threshold, objective, the point's counts and rates, and "(infeasible)"
/// when a recall floor could not be met.
template <>
struct fmt::formatter<mldp::loss::operating_point::threshold_choice> {
    constexpr auto parse(format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const mldp::loss::operating_point::threshold_choice& c, Ctx& ctx) const {
        const auto& p = c.point;
        auto out = fmt::format_to(ctx.out(),
                                  "threshold {:.6g}, objective {:.6g}: tp={:g} fp={:g} tn={:g} fn={:g} tpr={:.4f} "
                                  "fpr={:.4f} precision={:.4f}",
                                  c.threshold, c.objective, p.tp, p.fp, p.tn, p.fn, p.tpr(), p.fpr(), p.precision());
        if (!c.feasible) out = fmt::format_to(out, " (infeasible)");
        return out;
    }
};

// mldp — label checks of the data-quality layer:
//
//   - confident learning (Northcutt, Jiang & Chuang 2021, "Confident Learning: Estimating Uncertainty in
//     Dataset Labels", JAIR 70) as cleanlab 2.x implements it: find_label_issues(labels, pred_probs)
//     flags the rows whose given label is likely wrong from out-of-sample predicted probabilities;
//     confident_thresholds, compute_confident_joint and label_quality_scores expose its pieces;
//   - the validator checks labeler_agreement (Cohen's / Fleiss' kappa, Krippendorff's alpha between
//     rater columns), label_issues (confident learning on a label column and probability columns) and
//     source_consistency (does one data source's value distribution sit apart from the others?).
//
// Each check keeps the rows it needs (ratings, labels and probabilities, values and sources), so its
// state merges exactly across chunks at O(rows) memory: chunked validation gives the report of the
// whole. Checks never throw on bad data: unusable rows and columns become findings.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <numeric>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>
#include <xtensor/xexpression.hpp>
#include <xtensor/xtensor.hpp>

#include "mldp/core/contiguous.hpp"
#include "mldp/core/detail/json.hpp"
#include "mldp/core/error.hpp"
#include "mldp/core/frame.hpp"
#include "mldp/core/numeric.hpp"
#include "mldp/quality/check.hpp"
#include "mldp/quality/report.hpp"
#include "mldp/stats/agreement.hpp"
#include "mldp/stats/ks.hpp"
#include "mldp/stats/mannwhitneyu.hpp"
#include "mldp/stats/multiple_testing.hpp"

namespace mldp::quality {

// =====================================================================================================
// Confident learning
// =====================================================================================================

/// Which rows find_label_issues() flags (cleanlab.filter.find_label_issues' `filter_by`):
///   prune_by_noise_rate - for every off-diagonal cell (i, j) of the calibrated confident joint, the
///                         that many rows labelled i with the largest margin p_j - p_i (the default);
///   prune_by_class      - per class i, the rows labelled i with the smallest p_i, as many as the
///                         joint's row i holds off its diagonal;
///   both                - rows flagged by both of the above;
///   confident_learning  - rows counted off the diagonal of the confident joint;
///   predicted_neq_given - rows whose argmax class differs from the label;
///   low_self_confidence, low_normalized_margin - the rows with the lowest such score, as many as
///                         confident_learning flags (cleanlab's num_label_issues).
/// Every filter but the two low_* ones finally keeps no row whose label is the model's prediction
/// (the argmax after adding 1e-6 to the label's probability, cleanlab's _reduce_issues).
enum class label_filter {
    prune_by_noise_rate,
    prune_by_class,
    both,
    confident_learning,
    predicted_neq_given,
    low_self_confidence,
    low_normalized_margin
};

/// cleanlab's name of a filter ("prune_by_noise_rate", ...).
constexpr std::string_view to_string(label_filter f) noexcept {
    switch (f) {
        case label_filter::prune_by_noise_rate: return "prune_by_noise_rate";
        case label_filter::prune_by_class: return "prune_by_class";
        case label_filter::both: return "both";
        case label_filter::confident_learning: return "confident_learning";
        case label_filter::predicted_neq_given: return "predicted_neq_given";
        case label_filter::low_self_confidence: return "low_self_confidence";
        case label_filter::low_normalized_margin: return "low_normalized_margin";
    }
    return "?";
}

/// Options of find_label_issues(), cleanlab's keyword arguments of the same names. `frac_noise` in
/// [0, 1] scales the off-diagonal prune counts (prune_* and both only); `min_examples_per_class`
/// leaves classes with at most that many rows alone and keeps at least that many per class.
struct label_issue_options {
    label_filter filter = label_filter::prune_by_noise_rate;
    double frac_noise = 1.0;
    std::size_t min_examples_per_class = 1;
};

/// Label quality score of one row (cleanlab.rank.get_label_quality_scores' `method`):
/// self_confidence p[label]; normalized_margin (p[label] - max_{k != label} p[k] + 1) / 2.
enum class label_score { self_confidence, normalized_margin };

namespace detail {

// Labels (class indices) and n x k predicted probabilities, row-major, validated.
struct cl_data {
    std::size_t n = 0, k = 0;
    std::vector<std::size_t> labels;
    std::vector<double> probs;
    const double* row(std::size_t i) const noexcept { return probs.data() + i * k; }
};

template <class P>
struct cl_is_nested_vector : std::false_type {};
template <class T>
struct cl_is_nested_vector<std::vector<std::vector<T>>> : std::is_arithmetic<T> {};

template <class P>
inline constexpr bool cl_dependent_false = false;

// Copies pred_probs (nested std::vector or 2-D xtensor expression) into d.probs; sets d.n and d.k.
template <class P>
void cl_read_probs(const P& pred_probs, cl_data& d, const char* fn) {
    if constexpr (cl_is_nested_vector<P>::value) {
        d.n = pred_probs.size();
        d.k = d.n > 0 ? pred_probs[0].size() : 0;
        d.probs.reserve(d.n * d.k);
        for (std::size_t i = 0; i < d.n; ++i) {
            if (pred_probs[i].size() != d.k) {
                throw invalid_argument(fmt::format("mldp::quality::{}: row {} of pred_probs has {} entries and row 0 has {}; pred_probs "
                                                   "must be n x K",
                                                   fn, i, pred_probs[i].size(), d.k));
            }
            for (const auto& v : pred_probs[i]) d.probs.push_back(static_cast<double>(v));
        }
    } else if constexpr (xt::is_xexpression<P>::value) {
        const P& e = pred_probs;
        if (e.dimension() != 2) {
            throw invalid_argument(fmt::format("mldp::quality::{}: pred_probs must be 2-D (n x K), got {} dimensions", fn, e.dimension()));
        }
        const xt::xtensor<double, 2> t = e;
        d.n = t.shape()[0];
        d.k = t.shape()[1];
        d.probs.assign(t.data(), t.data() + t.size());
    } else {
        static_assert(cl_dependent_false<P>,
                      "mldp::quality: pred_probs must be a nested std::vector of arithmetic values (one row per example) or a 2-D "
                      "xtensor expression");
    }
}

// What is wrong with one row of probabilities (empty when nothing): each in [0, 1], summing to 1
// within 1e-6.
inline std::string cl_row_problem(const double* p, std::size_t k) {
    double sum = 0.0;
    for (std::size_t j = 0; j < k; ++j) {
        if (!(p[j] >= 0.0 && p[j] <= 1.0)) return fmt::format("probability {} of class {} is not in [0, 1]", p[j], j);
        sum += p[j];
    }
    if (!(std::fabs(sum - 1.0) <= 1e-6)) return fmt::format("the probabilities sum to {}, not to 1 (within 1e-6)", sum);
    return {};
}

// Reads and validates labels and probabilities: invalid_argument for shapes, data_error for values.
template <class L, class P>
cl_data cl_read(L&& labels, const P& pred_probs, const char* fn) {
    static_assert(is_numeric_source_v<L>,
                  "mldp::quality: labels must be a column of integer class indices 0..K-1 (std::vector<int>, "
                  "xt::xtensor<std::int64_t, 1>, ...)");
    cl_data d;
    cl_read_probs(pred_probs, d, fn);
    const auto v = evaluate_contiguous<double>(std::forward<L>(labels));
    if (v.size() != d.n) {
        throw invalid_argument(fmt::format("mldp::quality::{}: {} labels but pred_probs has {} rows; they must match", fn, v.size(), d.n));
    }
    if (d.k < 2) throw invalid_argument(fmt::format("mldp::quality::{}: pred_probs has {} columns; it needs one per class, at least 2", fn, d.k));
    if (d.n == 0) throw data_error("labels", data_error::no_row, fmt::format("{}: no examples", fn));
    d.labels.resize(d.n);
    const double kd = static_cast<double>(d.k);
    for (std::size_t i = 0; i < d.n; ++i) {
        const double x = v[i];
        if (!(x >= 0.0 && x < kd) || x != std::floor(x)) {
            throw data_error("labels", i, fmt::format("{}: label {} is not a class index in [0, {})", fn, value_text(x), d.k));
        }
        d.labels[i] = static_cast<std::size_t>(x);
    }
    for (std::size_t i = 0; i < d.n; ++i) {
        const std::string problem = cl_row_problem(d.row(i), d.k);
        if (!problem.empty()) throw data_error("pred_probs", i, fmt::format("{}: {}", fn, problem));
    }
    return d;
}

inline std::size_t cl_argmax(const double* p, std::size_t k) noexcept {
    std::size_t best = 0;
    for (std::size_t j = 1; j < k; ++j) {
        if (p[j] > p[best]) best = j;
    }
    return best;
}

// numpy's round(): to nearest, halves to even, whatever the floating-point rounding mode.
inline double cl_round_half_even(double x) noexcept {
    const double r = std::round(x);
    return std::fabs(x - std::trunc(x)) == 0.5 ? 2.0 * std::round(x / 2.0) : r;
}

// cleanlab.count.get_confident_thresholds: the mean probability of class j over the rows labelled j
// (numpy's pairwise sum / count), 2 for a class no row carries, clipped below at 2e-6.
inline std::vector<double> cl_thresholds(const cl_data& d) {
    std::vector<std::vector<double>> by_class(d.k);
    for (std::size_t i = 0; i < d.n; ++i) by_class[d.labels[i]].push_back(d.row(i)[d.labels[i]]);
    std::vector<double> t(d.k);
    for (std::size_t j = 0; j < d.k; ++j) {
        const auto& v = by_class[j];
        t[j] = v.empty() ? 2.0 : pairwise_sum(v.data(), v.size()) / static_cast<double>(v.size());
        t[j] = (std::max)(t[j], 2e-6);
    }
    return t;
}

// The confident joint (given label x guessed true label, diagonal clipped below at 1) and which rows
// were counted off its diagonal. cleanlab.count.compute_confident_joint: a row counts for the one
// class whose probability reaches its threshold less 1e-6, or, when several do, for its argmax.
struct cl_confident {
    std::vector<std::int64_t> joint;
    std::vector<char> off_diagonal;
};

inline cl_confident cl_count(const cl_data& d, const std::vector<double>& t) {
    cl_confident c;
    c.joint.assign(d.k * d.k, 0);
    c.off_diagonal.assign(d.n, 0);
    for (std::size_t i = 0; i < d.n; ++i) {
        const double* p = d.row(i);
        std::size_t confident = 0, first = 0;
        for (std::size_t j = 0; j < d.k; ++j) {
            if (p[j] >= t[j] - 1e-6) {
                if (confident == 0) first = j;
                ++confident;
            }
        }
        if (confident == 0) continue;
        const std::size_t guess = confident > 1 ? cl_argmax(p, d.k) : first;
        ++c.joint[d.labels[i] * d.k + guess];
        c.off_diagonal[i] = guess != d.labels[i] ? 1 : 0;
    }
    for (std::size_t j = 0; j < d.k; ++j) c.joint[j * d.k + j] = (std::max)(c.joint[j * d.k + j], std::int64_t{1});
    return c;
}

// cleanlab.internal.util.round_preserving_sum on one row: round half to even, then move the rows'
// largest (or smallest) remainders by one until the integers sum to the rounded sum. Remainders are
// ordered stably, as numpy's default argsort does for rows of at most 16 entries.
inline void cl_round_preserving_sum(const double* floats, std::size_t k, std::int64_t* out) {
    std::vector<double> ints(k), rest(k);
    for (std::size_t j = 0; j < k; ++j) ints[j] = cl_round_half_even(floats[j]);
    const double target = cl_round_half_even(pairwise_sum(floats, k));
    double sum = cl_round_half_even(pairwise_sum(ints.data(), k));
    std::vector<std::size_t> order(k);
    while (std::fabs(sum - target) > 1e-6) {
        const double diff = cl_round_half_even(target - sum);
        const double step = diff < 0.0 ? -1.0 : 1.0;
        const std::size_t changes = (std::min)(static_cast<std::size_t>(std::fabs(diff)), k);
        for (std::size_t j = 0; j < k; ++j) rest[j] = floats[j] - ints[j];
        std::iota(order.begin(), order.end(), std::size_t{0});
        std::stable_sort(order.begin(), order.end(), [&rest](std::size_t a, std::size_t b) { return rest[a] < rest[b]; });
        if (step > 0.0) std::reverse(order.begin(), order.end());  // numpy's [::-1] of the ascending order
        for (std::size_t t = 0; t < changes; ++t) ints[order[t]] += step;
        sum = cl_round_half_even(pairwise_sum(ints.data(), k));
    }
    for (std::size_t j = 0; j < k; ++j) out[j] = static_cast<std::int64_t>(ints[j]);
}

// cleanlab.count.calibrate_confident_joint: scale row i to the count of label i, then the whole to n,
// then round each row preserving its total.
inline std::vector<std::int64_t> cl_calibrate(const std::vector<std::int64_t>& joint, const std::vector<std::int64_t>& label_counts,
                                              std::size_t k) {
    std::vector<double> c(k * k);
    std::int64_t n = 0;
    for (std::size_t i = 0; i < k; ++i) {
        std::int64_t row = 0;
        for (std::size_t j = 0; j < k; ++j) row += joint[i * k + j];
        const double denominator = (std::max)(static_cast<double>(row), 1e-100);
        for (std::size_t j = 0; j < k; ++j) c[i * k + j] = static_cast<double>(joint[i * k + j]) / denominator * static_cast<double>(label_counts[i]);
        n += label_counts[i];
    }
    const double total = (std::max)(pairwise_sum(c.data(), c.size()), 1e-100);
    for (double& v : c) v = v / total * static_cast<double>(n);
    std::vector<std::int64_t> out(k * k);
    for (std::size_t i = 0; i < k; ++i) cl_round_preserving_sum(c.data() + i * k, k, out.data() + i * k);
    return out;
}

// cleanlab.filter._keep_at_least_n_per_class and _reduce_prune_counts on the transposed calibrated
// joint m[true][given]: raise each diagonal entry to at least n, taking the increase evenly from the
// column's other non-zero entries; scale the off-diagonal by frac_noise, moving the difference to the
// diagonal; truncate to integers (numpy's astype(int)).
inline std::vector<std::int64_t> cl_prune_counts(const std::vector<std::int64_t>& calibrated, std::size_t k, std::size_t n, double frac_noise) {
    std::vector<double> m(k * k);
    for (std::size_t r = 0; r < k; ++r)
        for (std::size_t c = 0; c < k; ++c) m[r * k + c] = static_cast<double>(calibrated[c * k + r]);
    const double nd = static_cast<double>(n);
    std::vector<double> diagonal(k);
    for (std::size_t c = 0; c < k; ++c) {
        const double d = m[c * k + c];
        const double raised = (std::max)(d, nd);
        double nonzero = 0.0;
        for (std::size_t r = 0; r < k; ++r) nonzero += m[r * k + c] != 0.0 ? 1.0 : 0.0;
        const double share = (raised - d) / (std::max)(nonzero - 1.0, 1.0);
        for (std::size_t r = 0; r < k; ++r) {
            const double v = m[r * k + c] - share;
            m[r * k + c] = v < 0.0 ? 0.0 : v;
        }
        diagonal[c] = raised;
    }
    for (std::size_t c = 0; c < k; ++c) m[c * k + c] = diagonal[c];
    std::vector<std::int64_t> out(k * k);
    for (std::size_t c = 0; c < k; ++c) {
        // numpy's sum over axis 0 adds the rows in order.
        double moved = 0.0;
        for (std::size_t r = 0; r < k; ++r) {
            const double scaled = r == c ? m[r * k + c] : m[r * k + c] * frac_noise;
            moved += m[r * k + c] - scaled;
            out[r * k + c] = static_cast<std::int64_t>(scaled);
        }
        out[c * k + c] = static_cast<std::int64_t>(m[c * k + c] + moved);
    }
    // cleanlab rounds the rows preserving their totals next; on integers that changes nothing.
    return out;
}

inline std::vector<double> cl_scores(const cl_data& d, label_score method) {
    std::vector<double> s(d.n);
    for (std::size_t i = 0; i < d.n; ++i) {
        const double* p = d.row(i);
        const std::size_t y = d.labels[i];
        if (method == label_score::self_confidence) {
            s[i] = p[y];
        } else {
            double other = -std::numeric_limits<double>::infinity();
            for (std::size_t j = 0; j < d.k; ++j) {
                if (j != y && p[j] > other) other = p[j];
            }
            s[i] = (p[y] - other + 1.0) / 2.0;
        }
    }
    return s;
}

// cleanlab's _reduce_issues: the model predicts the given label (with 1e-6 of slack for it).
inline bool cl_predicts_label(const double* p, std::size_t k, std::size_t y) noexcept {
    const double own = p[y] + 1e-6;
    for (std::size_t j = 0; j < k; ++j) {
        const double v = j == y ? own : p[j];
        if (v > own || (v == own && j < y)) return false;
    }
    return true;
}

// Flags the first `count` entries of `rows` in the order of `key` (ascending, ties by position).
inline void cl_flag_lowest(const std::vector<std::size_t>& rows, const std::vector<double>& key, std::size_t count, std::vector<char>& mask) {
    std::vector<std::size_t> order(rows.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&key](std::size_t a, std::size_t b) { return key[a] < key[b]; });
    for (std::size_t t = 0; t < count && t < order.size(); ++t) mask[rows[order[t]]] = 1;
}

inline std::vector<std::int64_t> cl_label_counts(const cl_data& d) {
    std::vector<std::int64_t> counts(d.k, 0);
    for (std::size_t y : d.labels) ++counts[y];
    return counts;
}

// cleanlab.filter.find_label_issues for multi-class data, as a mask.
inline std::vector<char> cl_find(const cl_data& d, const label_issue_options& o) {
    const std::size_t n = d.n, k = d.k;
    const auto thresholds = cl_thresholds(d);
    const auto confident = cl_count(d, thresholds);
    std::vector<char> mask(n, 0);
    const label_filter f = o.filter;
    if (f == label_filter::confident_learning) {
        mask = confident.off_diagonal;
    } else if (f == label_filter::predicted_neq_given) {
        for (std::size_t i = 0; i < n; ++i) mask[i] = cl_argmax(d.row(i), k) != d.labels[i] ? 1 : 0;
    } else if (f == label_filter::low_self_confidence || f == label_filter::low_normalized_margin) {
        // As many as count.num_label_issues: rows off the joint's diagonal that the model does not predict as labelled.
        std::size_t errors = 0;
        for (std::size_t i = 0; i < n; ++i) errors += confident.off_diagonal[i] && !cl_predicts_label(d.row(i), k, d.labels[i]) ? 1 : 0;
        std::vector<std::size_t> all(n);
        std::iota(all.begin(), all.end(), std::size_t{0});
        cl_flag_lowest(all, cl_scores(d, f == label_filter::low_self_confidence ? label_score::self_confidence : label_score::normalized_margin),
                       errors, mask);
        return mask;
    } else {
        const auto counts = cl_label_counts(d);
        const auto prune = cl_prune_counts(cl_calibrate(confident.joint, counts, k), k, o.min_examples_per_class, o.frac_noise);
        std::vector<std::vector<std::size_t>> members(k);
        for (std::size_t i = 0; i < n; ++i) members[d.labels[i]].push_back(i);
        std::vector<char> by_class(n, 0), by_noise(n, 0);
        std::vector<double> key;
        for (std::size_t c = 0; c < k; ++c) {
            const auto& rows = members[c];
            // cleanlab applies a class's mask only when the class has more than one row.
            if (rows.size() <= o.min_examples_per_class || rows.size() <= 1) continue;
            key.resize(rows.size());
            if (f != label_filter::prune_by_noise_rate) {
                const std::int64_t issues = static_cast<std::int64_t>(rows.size()) - prune[c * k + c];
                if (issues >= 1) {
                    for (std::size_t t = 0; t < rows.size(); ++t) key[t] = d.row(rows[t])[c];
                    cl_flag_lowest(rows, key, static_cast<std::size_t>(issues), by_class);
                }
            }
            if (f != label_filter::prune_by_class) {
                for (std::size_t j = 0; j < k; ++j) {
                    const std::int64_t count = prune[j * k + c];
                    if (j == c || count <= 0) continue;
                    // Largest margin p_j - p_c first: ascending on its negation.
                    for (std::size_t t = 0; t < rows.size(); ++t) key[t] = -(d.row(rows[t])[j] - d.row(rows[t])[c]);
                    cl_flag_lowest(rows, key, static_cast<std::size_t>(count), by_noise);
                }
            }
        }
        for (std::size_t i = 0; i < n; ++i) {
            mask[i] = f == label_filter::prune_by_noise_rate ? by_noise[i] : f == label_filter::prune_by_class ? by_class[i] : (by_noise[i] && by_class[i]);
        }
    }
    for (std::size_t i = 0; i < n; ++i) {
        if (mask[i] && cl_predicts_label(d.row(i), k, d.labels[i])) mask[i] = 0;
    }
    return mask;
}

inline void cl_check_options(const label_issue_options& o, const char* fn) {
    if (!(o.frac_noise >= 0.0 && o.frac_noise <= 1.0)) {
        throw invalid_argument(fmt::format("mldp::quality::{}: frac_noise must lie in [0, 1], got {}", fn, o.frac_noise));
    }
}

inline std::vector<std::vector<std::int64_t>> cl_nested(const std::vector<std::int64_t>& m, std::size_t k) {
    std::vector<std::vector<std::int64_t>> out(k);
    for (std::size_t i = 0; i < k; ++i) out[i].assign(m.begin() + static_cast<std::ptrdiff_t>(i * k), m.begin() + static_cast<std::ptrdiff_t>((i + 1) * k));
    return out;
}

}  // namespace detail

/// Per-class confident thresholds t_j: the mean predicted probability of class j over the rows
/// labelled j, as cleanlab.count.get_confident_thresholds (2 for a class no row carries; at least 2e-6).
/// `labels`: integer class indices 0..K-1; `pred_probs`: n x K, a nested std::vector or 2-D xtensor
/// expression. O(n K). Throws invalid_argument for mismatched shapes or K < 2, data_error (naming the
/// row) for no rows, a label outside 0..K-1, a probability outside [0, 1] or a row not summing to 1 +- 1e-6.
template <class L, class P>
std::vector<double> confident_thresholds(L&& labels, const P& pred_probs) {
    return detail::cl_thresholds(detail::cl_read(std::forward<L>(labels), pred_probs, "confident_thresholds"));
}

/// The confident joint C[i][j]: rows labelled i whose probability of j reaches t_j (the argmax among
/// several such classes), diagonal at least 1, as cleanlab.count.compute_confident_joint; with
/// `calibrate`, rescaled so row i sums to the count of label i and the whole to n, rounded preserving
/// row totals (calibrate_confident_joint). O(n K + K^2). Throws as confident_thresholds().
template <class L, class P>
std::vector<std::vector<std::int64_t>> compute_confident_joint(L&& labels, const P& pred_probs, bool calibrate = true) {
    const auto d = detail::cl_read(std::forward<L>(labels), pred_probs, "compute_confident_joint");
    auto joint = detail::cl_count(d, detail::cl_thresholds(d)).joint;
    if (calibrate) joint = detail::cl_calibrate(joint, detail::cl_label_counts(d), d.k);
    return detail::cl_nested(joint, d.k);
}

/// The rows whose given label is likely wrong, ascending: cleanlab.filter.find_label_issues(labels,
/// pred_probs, filter_by, frac_noise, min_examples_per_class) for multi-class data (Northcutt et al.
/// 2021). `pred_probs` should be out-of-sample (cross-validated). Ties in the orderings are broken by
/// row (cleanlab's numpy argsort leaves them unspecified). O(n K log n). Throws as
/// confident_thresholds(), and invalid_argument for frac_noise outside [0, 1].
template <class L, class P>
std::vector<std::size_t> find_label_issues(L&& labels, const P& pred_probs, const label_issue_options& options = {}) {
    detail::cl_check_options(options, "find_label_issues");
    const auto mask = detail::cl_find(detail::cl_read(std::forward<L>(labels), pred_probs, "find_label_issues"), options);
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < mask.size(); ++i) {
        if (mask[i]) out.push_back(i);
    }
    return out;
}

/// One label quality score per row (lower: more likely mislabelled), as cleanlab.rank.
/// get_label_quality_scores(labels, pred_probs, method, adjust_pred_probs=False). O(n K). Throws as
/// confident_thresholds().
template <class L, class P>
std::vector<double> label_quality_scores(L&& labels, const P& pred_probs, label_score method = label_score::self_confidence) {
    return detail::cl_scores(detail::cl_read(std::forward<L>(labels), pred_probs, "label_quality_scores"), method);
}

// =====================================================================================================
// Agreement between raters
// =====================================================================================================

/// The agreement statistic of labeler_agreement(): Cohen's kappa (exactly two raters), Fleiss' kappa
/// (two or more, on the units every rater rated), Krippendorff's alpha (two or more, missing ratings
/// allowed).
enum class agreement_statistic { cohen, fleiss, krippendorff };

/// Options of labeler_agreement() and measure_agreement(): the statistic; Cohen's weights (over the
/// sorted categories); Krippendorff's level of measurement; the lowest acceptable value (at most 1).
struct agreement_options {
    agreement_statistic statistic = agreement_statistic::cohen;
    stats::kappa_weights weights = stats::kappa_weights::none;
    stats::alpha_level level = stats::alpha_level::nominal;
    double min_value = 0.6;
};

/// What measure_agreement() found: the statistic's value (NaN when undefined, e.g. one category
/// only, or when no unit could be used), the units it used, and those among them where the raters'
/// ratings differ (all of them, ascending).
struct agreement_summary {
    agreement_statistic statistic = agreement_statistic::cohen;
    double value = std::numeric_limits<double>::quiet_NaN();
    std::size_t raters = 0;
    std::size_t units = 0;
    std::size_t disagreements = 0;
    std::vector<std::size_t> disagreeing_rows;
};

namespace detail {

inline std::string agreement_name(const agreement_options& o) {
    switch (o.statistic) {
        case agreement_statistic::cohen:
            return o.weights == stats::kappa_weights::none     ? "Cohen's kappa"
                   : o.weights == stats::kappa_weights::linear ? "Cohen's kappa (linear weights)"
                                                               : "Cohen's kappa (quadratic weights)";
        case agreement_statistic::fleiss: return "Fleiss' kappa";
        case agreement_statistic::krippendorff: {
            const char* level = o.level == stats::alpha_level::nominal ? "nominal"
                                : o.level == stats::alpha_level::ordinal ? "ordinal"
                                : o.level == stats::alpha_level::interval ? "interval"
                                                                          : "ratio";
            return fmt::format("Krippendorff's alpha ({})", level);
        }
    }
    return "?";
}

inline void agreement_check_options(const std::vector<std::string>& columns, const agreement_options& o, const char* fn) {
    if (columns.size() < 2) throw invalid_argument(fmt::format("mldp::quality::{}: agreement needs at least two rater columns, got {}", fn, columns.size()));
    if (o.statistic == agreement_statistic::cohen && columns.size() != 2) {
        throw invalid_argument(fmt::format("mldp::quality::{}: Cohen's kappa compares exactly two rater columns, got {} (use Fleiss' kappa or "
                                           "Krippendorff's alpha for more)",
                                           fn, columns.size()));
    }
    for (std::size_t i = 0; i < columns.size(); ++i) {
        if (columns[i].empty()) throw invalid_argument(fmt::format("mldp::quality::{}: rater column {} has an empty name", fn, i));
        for (std::size_t j = 0; j < i; ++j) {
            if (columns[i] == columns[j]) throw invalid_argument(fmt::format("mldp::quality::{}: rater column '{}' is listed twice", fn, columns[i]));
        }
    }
    if (!(o.min_value <= 1.0) || std::isnan(o.min_value)) {
        throw invalid_argument(fmt::format("mldp::quality::{}: min_value must be a number of at most 1, got {}", fn, o.min_value));
    }
}

// The ratings read so far: units x raters, row-major, NaN where a rating is missing. Categorical
// ratings are codes into `dictionary` (in order of first appearance, so they depend on the chunking;
// agreement_compute ranks them by text, which does not).
struct agreement_ratings {
    std::size_t raters = 0;
    int kind = -1;  // -1 not yet known, 0 numeric, 1 categorical
    std::vector<double> values;
    std::vector<std::string> dictionary;
    std::map<std::string, double, std::less<>> codes;

    std::size_t units() const noexcept { return raters > 0 ? values.size() / raters : 0; }
    double code_of(std::string_view s) {
        auto it = codes.find(s);
        if (it != codes.end()) return it->second;
        const double c = static_cast<double>(dictionary.size());
        dictionary.emplace_back(s);
        codes.emplace(std::string(s), c);
        return c;
    }
};

// Appends `rows` units; cols[r] == nullptr reads rater r as missing. Returns the index of the first
// column whose kind differs from the ratings' kind (that rater is read as missing), or cols.size().
inline std::size_t agreement_append(agreement_ratings& s, const std::vector<const frame::column*>& cols, std::size_t rows) {
    const std::size_t m = s.raters, base = s.values.size();
    s.values.resize(base + rows * m, std::numeric_limits<double>::quiet_NaN());
    std::size_t wrong = cols.size();
    for (std::size_t r = 0; r < m; ++r) {
        const frame::column* c = cols[r];
        if (c == nullptr) continue;
        const int kind = c->kind() == column_kind::categorical ? 1 : 0;
        if (s.kind == -1) s.kind = kind;
        if (kind != s.kind) {
            if (wrong == cols.size()) wrong = r;
            continue;
        }
        if (const auto* nc = std::get_if<numeric_column>(&c->data)) {
            const auto v = nc->values();
            for (std::size_t i = 0; i < rows; ++i) s.values[base + i * m + r] = v[i];
        } else if (const auto* cc = std::get_if<categorical_column>(&c->data)) {
            const auto& dict = cc->dictionary();
            std::vector<double> map(dict.size());
            for (std::size_t t = 0; t < dict.size(); ++t) map[t] = s.code_of(dict[t]);
            const auto& codes = cc->codes();
            for (std::size_t i = 0; i < rows; ++i) {
                if (codes[i] != categorical_column::missing_code) s.values[base + i * m + r] = map[static_cast<std::size_t>(codes[i])];
            }
        }
    }
    return wrong;
}

// Appends another state's ratings (its units follow ours). False when the kinds differ.
inline bool agreement_merge(agreement_ratings& s, const agreement_ratings& o) {
    if (s.kind != -1 && o.kind != -1 && s.kind != o.kind) return false;
    if (s.kind == -1) s.kind = o.kind;
    if (o.kind == 1) {
        std::vector<double> map(o.dictionary.size());
        for (std::size_t t = 0; t < o.dictionary.size(); ++t) map[t] = s.code_of(o.dictionary[t]);
        for (double v : o.values) s.values.push_back(std::isnan(v) ? v : map[static_cast<std::size_t>(v)]);
    } else {
        s.values.insert(s.values.end(), o.values.begin(), o.values.end());
    }
    return true;
}

// The statistic over the ratings: Cohen on the units both raters rated, Fleiss on the units all raters
// rated, Krippendorff on the units with two or more ratings. Categories are ranked by their text
// (numbers by value), so weights and ordinal levels follow that order. Throws what the statistics throw.
inline agreement_summary agreement_compute(const agreement_ratings& s, const agreement_options& o) {
    const std::size_t m = s.raters, units = s.units();
    std::vector<double> v = s.values;
    if (s.kind == 1) {
        std::vector<std::size_t> order(s.dictionary.size());
        std::iota(order.begin(), order.end(), std::size_t{0});
        std::sort(order.begin(), order.end(), [&s](std::size_t a, std::size_t b) { return s.dictionary[a] < s.dictionary[b]; });
        std::vector<double> rank(order.size());
        for (std::size_t t = 0; t < order.size(); ++t) rank[order[t]] = static_cast<double>(t);
        for (double& x : v) {
            if (!std::isnan(x)) x = rank[static_cast<std::size_t>(x)];
        }
    }
    agreement_summary out;
    out.statistic = o.statistic;
    out.raters = m;
    // Units used, and whether their ratings differ.
    const std::size_t need = o.statistic == agreement_statistic::krippendorff ? 2 : m;
    std::vector<std::size_t> used;
    for (std::size_t u = 0; u < units; ++u) {
        const double* x = v.data() + u * m;
        std::size_t present = 0;
        double first = 0.0;
        bool differ = false;
        for (std::size_t r = 0; r < m; ++r) {
            if (std::isnan(x[r])) continue;
            if (present == 0) first = x[r];
            differ = differ || x[r] != first;
            ++present;
        }
        if (present < need) continue;
        used.push_back(u);
        if (differ) out.disagreeing_rows.push_back(u);
    }
    out.units = used.size();
    out.disagreements = out.disagreeing_rows.size();
    if (used.empty()) return out;
    if (o.statistic == agreement_statistic::krippendorff) {
        std::vector<std::vector<double>> matrix(m, std::vector<double>(used.size()));
        for (std::size_t t = 0; t < used.size(); ++t)
            for (std::size_t r = 0; r < m; ++r) matrix[r][t] = v[used[t] * m + r];
        out.value = stats::krippendorff_alpha(matrix, o.level).alpha;
        return out;
    }
    // Categories of the used units, ascending; ratings as their indices.
    std::vector<double> domain;
    domain.reserve(used.size() * m);
    for (std::size_t u : used)
        for (std::size_t r = 0; r < m; ++r) domain.push_back(v[u * m + r]);
    std::sort(domain.begin(), domain.end());
    domain.erase(std::unique(domain.begin(), domain.end()), domain.end());
    auto index = [&domain](double x) { return static_cast<std::size_t>(std::lower_bound(domain.begin(), domain.end(), x) - domain.begin()); };
    if (o.statistic == agreement_statistic::cohen) {
        std::vector<std::int64_t> a(used.size()), b(used.size());
        for (std::size_t t = 0; t < used.size(); ++t) {
            a[t] = static_cast<std::int64_t>(index(v[used[t] * m]));
            b[t] = static_cast<std::int64_t>(index(v[used[t] * m + 1]));
        }
        out.value = stats::cohen_kappa(a, b, o.weights).kappa;
    } else {
        std::vector<std::vector<double>> counts(used.size(), std::vector<double>(domain.size(), 0.0));
        for (std::size_t t = 0; t < used.size(); ++t)
            for (std::size_t r = 0; r < m; ++r) counts[t][index(v[used[t] * m + r])] += 1.0;
        out.value = stats::fleiss_kappa(counts).kappa;
    }
    return out;
}

// The ratings' text of one unit, for a finding's values ("cat | dog").
inline std::string agreement_unit_text(const agreement_ratings& s, std::size_t u) {
    std::string out;
    for (std::size_t r = 0; r < s.raters; ++r) {
        const double x = s.values[u * s.raters + r];
        if (r > 0) out += " | ";
        out += std::isnan(x) ? std::string("<missing>") : s.kind == 1 ? s.dictionary[static_cast<std::size_t>(x)] : value_text(x);
    }
    return out;
}

inline void add_config_unique(std::vector<finding>& config, finding f) {
    for (const auto& g : config) {
        if (g.code == f.code && g.column == f.column) return;
    }
    config.push_back(std::move(f));
}

class agreement_state final : public check_state {
public:
    agreement_state(check_options o, agreement_options opt, const report_limits& limits) : o_(std::move(o)), opt_(opt), limits_(limits) {
        ratings_.raters = o_.columns.size();
    }
    void update(const frame& chunk, std::size_t) override {
        std::vector<const frame::column*> cols;
        std::vector<finding> config;
        for (const auto& name : o_.columns) cols.push_back(column_for(chunk, name, {column_kind::numeric, column_kind::categorical}, o_, config));
        for (auto& f : config) add_config_unique(config_, std::move(f));
        const std::size_t wrong = agreement_append(ratings_, cols, chunk.rows());
        if (wrong < cols.size()) kinds_differ(o_.columns[wrong]);
    }
    void merge(const check_state& other, std::size_t) override {
        const auto& b = static_cast<const agreement_state&>(other);
        for (const auto& f : b.config_) add_config_unique(config_, f);
        if (!agreement_merge(ratings_, b.ratings_)) kinds_differ(o_.columns.front());
    }
    std::vector<finding> finish(std::size_t total_rows) const override {
        if (!config_.empty()) return config_;
        const std::string name = agreement_name(opt_);
        finding f;
        f.code = o_.code;
        f.check = o_.description;
        f.column = fmt::format("{}", fmt::join(o_.columns, ","));
        agreement_summary s;
        try {
            s = agreement_compute(ratings_, opt_);
        } catch (const mldp::error& e) {
            f.severity = o_.severity;
            f.message = fmt::format("{} could not be computed: {}", name, e.what());
            return {f};
        }
        f.count = s.disagreements;
        f.fraction = total_rows > 0 ? static_cast<double>(s.disagreements) / static_cast<double>(total_rows) : 0.0;
        f.fraction_non_missing = s.units > 0 ? static_cast<double>(s.disagreements) / static_cast<double>(s.units) : 0.0;
        f.rows.assign(s.disagreeing_rows.begin(), s.disagreeing_rows.begin() + static_cast<std::ptrdiff_t>((std::min)(limits_.rows, s.disagreeing_rows.size())));
        std::map<std::string, std::size_t> patterns;
        for (std::size_t u : s.disagreeing_rows) {
            auto it = patterns.find(agreement_unit_text(ratings_, u));
            if (it != patterns.end()) {
                ++it->second;
            } else if (patterns.size() < limits_.tracked_values) {
                patterns.emplace(agreement_unit_text(ratings_, u), 1);
            }
        }
        for (const auto& [text, n] : patterns) f.values.push_back({text, n});
        std::stable_sort(f.values.begin(), f.values.end(), [](const value_count& a, const value_count& b) { return a.count > b.count; });
        if (f.values.size() > limits_.values) f.values.resize(limits_.values);
        if (s.units == 0) {
            f.passed = true;
            f.severity = quality::severity::info;
            f.message = fmt::format("{} not computed: no unit has the ratings it needs", name);
        } else if (std::isnan(s.value)) {
            f.passed = true;
            f.severity = quality::severity::info;
            f.message = fmt::format("{} is undefined over {} units (chance agreement is 1: a single category)", name, s.units);
        } else if (s.value < opt_.min_value) {
            f.passed = false;
            f.severity = o_.severity;
            f.message = fmt::format("{} = {:.4f} over {} units, below the required {}; the raters disagree on {} units", name, s.value, s.units,
                                    opt_.min_value, s.disagreements);
        } else {
            return {};
        }
        return {f};
    }
    std::unique_ptr<check_state> clone() const override { return std::make_unique<agreement_state>(*this); }

private:
    void kinds_differ(const std::string& column) {
        add_config_unique(config_, config_finding(o_, "config.wrong_kind", column,
                                                  fmt::format("{}: the rater columns must all be numeric or all categorical; '{}' differs", o_.description,
                                                              column)));
    }
    check_options o_;
    agreement_options opt_;
    report_limits limits_;
    agreement_ratings ratings_;
    std::vector<finding> config_;
};

using agreement_impl = state_impl<agreement_state, agreement_options>;

}  // namespace detail

/// The agreement among the raters' columns of `f` (numeric, or categorical: all of one kind):
/// stats::cohen_kappa, stats::fleiss_kappa or stats::krippendorff_alpha on the units the statistic can
/// use (see agreement_options), equal to those functions on the same ratings; categories are ordered by
/// their text. O(rows x raters) plus the statistic. Throws invalid_argument for fewer than two columns
/// (Cohen: not exactly two), repeated names, min_value above 1 or NaN, an absent column, a time column
/// or mixed kinds; data_error for infinite ratings where the statistic refuses them.
inline agreement_summary measure_agreement(const frame& f, const std::vector<std::string>& rater_columns, const agreement_options& options = {}) {
    detail::agreement_check_options(rater_columns, options, "measure_agreement");
    detail::agreement_ratings s;
    s.raters = rater_columns.size();
    std::vector<const frame::column*> cols;
    for (const auto& name : rater_columns) {
        const frame::column& c = f.at(name);
        if (c.kind() == column_kind::time) {
            throw invalid_argument(fmt::format("mldp::quality::measure_agreement: column '{}' is time; ratings are numeric or categorical", name));
        }
        cols.push_back(&c);
    }
    const std::size_t wrong = detail::agreement_append(s, cols, f.rows());
    if (wrong < cols.size()) {
        throw invalid_argument(fmt::format("mldp::quality::measure_agreement: the rater columns must all be numeric or all categorical; '{}' differs",
                                           rater_columns[wrong]));
    }
    return detail::agreement_compute(s, options);
}

/// Checks that the raters' columns agree: a finding (code "labeler_agreement") when the statistic is
/// below options.min_value, naming the statistic and its value, counting the units where the ratings
/// differ and listing the first of them (ascending) with the most frequent rating patterns. An
/// undefined statistic, or no usable unit, is a passed finding at severity info. Exactly mergeable by
/// keeping every rating: O(rows x raters) memory. Throws invalid_argument as measure_agreement() for
/// bad options; absent or wrong-kind columns are configuration findings.
inline check labeler_agreement(std::vector<std::string> rater_columns, agreement_options options = {}) {
    detail::agreement_check_options(rater_columns, options, "labeler_agreement");
    check_options o;
    o.code = "labeler_agreement";
    o.description = fmt::format("labeler_agreement({}; {}, min {})", fmt::join(rater_columns, ", "), detail::agreement_name(options), options.min_value);
    o.columns = std::move(rater_columns);
    return check(std::move(o), std::make_shared<const detail::agreement_impl>(options));
}

// =====================================================================================================
// label_issues: confident learning as a check
// =====================================================================================================

namespace detail {

struct label_issue_spec {
    std::string label_column;
    std::vector<std::string> probability_columns;
    label_issue_options options;
};

class label_issues_state final : public check_state {
public:
    label_issues_state(check_options o, std::shared_ptr<const label_issue_spec> spec, const report_limits& limits)
        : o_(std::move(o)), spec_(std::move(spec)), limits_(limits) {}

    void update(const frame& chunk, std::size_t offset) override {
        const std::size_t k = spec_->probability_columns.size();
        std::vector<finding> config;
        const frame::column* label = column_for(chunk, spec_->label_column, {column_kind::numeric, column_kind::categorical}, o_, config);
        std::vector<numeric_view> probs;
        for (const auto& name : spec_->probability_columns) {
            const frame::column* c = column_for(chunk, name, {column_kind::numeric}, o_, config);
            if (c != nullptr) probs.push_back(std::get<numeric_column>(c->data).values());
        }
        if (!config.empty() || label == nullptr) {
            for (auto& f : config) add_config_unique(config_, std::move(f));
            return;
        }
        const int kind = label->kind() == column_kind::categorical ? 1 : 0;
        if (label_kind_ == -1) label_kind_ = kind;
        // A category names its class by the probability column of the same name.
        std::vector<std::int64_t> class_of;
        const categorical_column* cc = std::get_if<categorical_column>(&label->data);
        if (cc != nullptr) {
            for (const auto& value : cc->dictionary()) {
                const auto it = std::find(spec_->probability_columns.begin(), spec_->probability_columns.end(), value);
                class_of.push_back(it == spec_->probability_columns.end() ? -1 : static_cast<std::int64_t>(it - spec_->probability_columns.begin()));
            }
        }
        std::vector<double> p(k);
        for (std::size_t i = 0; i < chunk.rows(); ++i) {
            bool missing = false;
            for (std::size_t j = 0; j < k; ++j) {
                p[j] = probs[j][i];
                missing = missing || std::isnan(p[j]);
            }
            std::int64_t y = -1;
            std::string problem;
            if (cc != nullptr) {
                const std::int32_t code = cc->codes()[i];
                missing = missing || code == categorical_column::missing_code;
                if (!missing) {
                    y = class_of[static_cast<std::size_t>(code)];
                    if (y < 0) problem = fmt::format("label '{}' is not one of the probability columns", cc->dictionary()[static_cast<std::size_t>(code)]);
                }
            } else {
                const double x = std::get<numeric_column>(label->data).values()[i];
                missing = missing || std::isnan(x);
                if (!missing) {
                    if (x >= 0.0 && x < static_cast<double>(k) && x == std::floor(x)) {
                        y = static_cast<std::int64_t>(x);
                    } else {
                        problem = fmt::format("label {} is not a class index in [0, {})", value_text(x), k);
                    }
                }
            }
            if (missing) {
                ++missing_;
                continue;
            }
            if (problem.empty()) problem = cl_row_problem(p.data(), k);
            if (!problem.empty()) {
                if (invalid_ == 0) {
                    first_problem_row_ = offset + i;
                    first_problem_ = problem;
                }
                ++invalid_;
                if (invalid_rows_.size() < limits_.rows) invalid_rows_.push_back(offset + i);
                continue;
            }
            rows_.push_back(offset + i);
            labels_.push_back(static_cast<std::size_t>(y));
            probs_.insert(probs_.end(), p.begin(), p.end());
        }
    }
    void merge(const check_state& other, std::size_t offset) override {
        const auto& b = static_cast<const label_issues_state&>(other);
        for (const auto& f : b.config_) add_config_unique(config_, f);
        if (label_kind_ == -1) label_kind_ = b.label_kind_;
        for (std::size_t r : b.rows_) rows_.push_back(r + offset);
        labels_.insert(labels_.end(), b.labels_.begin(), b.labels_.end());
        probs_.insert(probs_.end(), b.probs_.begin(), b.probs_.end());
        missing_ += b.missing_;
        if (invalid_ == 0 && b.invalid_ > 0) {
            first_problem_row_ = b.first_problem_row_ + offset;
            first_problem_ = b.first_problem_;
        }
        invalid_ += b.invalid_;
        for (std::size_t r : b.invalid_rows_) {
            if (invalid_rows_.size() < limits_.rows) invalid_rows_.push_back(r + offset);
        }
    }
    std::vector<finding> finish(std::size_t total_rows) const override {
        if (!config_.empty()) return config_;
        std::vector<finding> out;
        const std::size_t k = spec_->probability_columns.size();
        if (invalid_ > 0) {
            finding f;
            f.code = o_.code + ".invalid_input";
            f.check = o_.description;
            f.column = spec_->label_column;
            f.severity = o_.severity;
            f.count = invalid_;
            f.fraction = total_rows > 0 ? static_cast<double>(invalid_) / static_cast<double>(total_rows) : 0.0;
            f.fraction_non_missing = total_rows > missing_ ? static_cast<double>(invalid_) / static_cast<double>(total_rows - missing_) : 0.0;
            f.rows = invalid_rows_;
            f.message = fmt::format("{} rows were left out of the label analysis: their label is not a class or their probabilities are not a "
                                    "distribution (first, row {}: {})",
                                    invalid_, first_problem_row_, first_problem_);
            out.push_back(std::move(f));
        }
        if (rows_.empty()) return out;
        cl_data d;
        d.n = rows_.size();
        d.k = k;
        d.labels = labels_;
        d.probs = probs_;
        const auto mask = cl_find(d, spec_->options);
        finding f;
        std::map<std::string, std::size_t> patterns;
        for (std::size_t i = 0; i < d.n; ++i) {
            if (!mask[i]) continue;
            ++f.count;
            if (f.rows.size() < limits_.rows) f.rows.push_back(rows_[i]);
            const std::string text = fmt::format("{} -> {}", class_name(d.labels[i]), class_name(cl_argmax(d.row(i), k)));
            auto it = patterns.find(text);
            if (it != patterns.end()) {
                ++it->second;
            } else if (patterns.size() < limits_.tracked_values) {
                patterns.emplace(text, 1);
            }
        }
        if (f.count == 0) return out;
        f.code = o_.code;
        f.check = o_.description;
        f.column = spec_->label_column;
        f.fraction = total_rows > 0 ? static_cast<double>(f.count) / static_cast<double>(total_rows) : 0.0;
        f.fraction_non_missing = static_cast<double>(f.count) / static_cast<double>(d.n);
        const double pass_share = 1.0 - f.fraction_non_missing;
        f.passed = pass_share >= o_.mostly;
        f.severity = f.passed ? quality::severity::info : o_.severity;
        for (const auto& [text, n] : patterns) f.values.push_back({text, n});
        std::stable_sort(f.values.begin(), f.values.end(), [](const value_count& a, const value_count& b) { return a.count > b.count; });
        if (f.values.size() > limits_.values) f.values.resize(limits_.values);
        f.message = fmt::format("{} of {} rows analysed in '{}' have a likely label error (confident learning, {}; values: given -> predicted "
                                "class){}",
                                f.count, d.n, spec_->label_column, to_string(spec_->options.filter),
                                missing_ > 0 ? fmt::format("; {} rows with a missing label or probability were skipped", missing_) : std::string());
        out.push_back(std::move(f));
        return out;
    }
    std::unique_ptr<check_state> clone() const override { return std::make_unique<label_issues_state>(*this); }

private:
    std::string class_name(std::size_t j) const { return label_kind_ == 1 ? spec_->probability_columns[j] : std::to_string(j); }

    check_options o_;
    std::shared_ptr<const label_issue_spec> spec_;
    report_limits limits_;
    std::vector<std::size_t> rows_;
    std::vector<std::size_t> labels_;
    std::vector<double> probs_;
    std::size_t missing_ = 0, invalid_ = 0, first_problem_row_ = 0;
    std::vector<std::size_t> invalid_rows_;
    std::string first_problem_;
    int label_kind_ = -1;
    std::vector<finding> config_;
};

using label_issues_impl = state_impl<label_issues_state, label_issue_spec, true>;

}  // namespace detail

/// Finds likely label errors with confident learning (find_label_issues) on `label_column` and the
/// out-of-sample predicted probabilities in `probability_columns` (column j holds class j). Labels are
/// class indices 0..K-1 (numeric) or categories named like a probability column. One finding (code
/// "label_issues") with the flagged rows, their count and the most frequent "given -> predicted"
/// pairs; rows with a missing label or probability are skipped; rows whose label is not a class or whose
/// probabilities are not a distribution go to a finding "label_issues.invalid_input" and are left out.
/// Exactly mergeable by keeping labels and probabilities: O(rows x K) memory. Throws invalid_argument
/// for an empty label column name, fewer than two or repeated probability columns, or bad options.
inline check label_issues(std::string label_column, std::vector<std::string> probability_columns, label_issue_options options = {}) {
    detail::cl_check_options(options, "label_issues");
    if (label_column.empty()) throw invalid_argument("mldp::quality::label_issues: the label column name is empty");
    if (probability_columns.size() < 2) {
        throw invalid_argument(fmt::format("mldp::quality::label_issues: one probability column per class is needed, at least 2, got {}",
                                           probability_columns.size()));
    }
    for (std::size_t i = 0; i < probability_columns.size(); ++i) {
        for (std::size_t j = 0; j < i; ++j) {
            if (probability_columns[i] == probability_columns[j]) {
                throw invalid_argument(fmt::format("mldp::quality::label_issues: probability column '{}' is listed twice", probability_columns[i]));
            }
        }
    }
    check_options o;
    o.code = "label_issues";
    o.description = fmt::format("label_issues({}, [{}], {})", label_column, fmt::join(probability_columns, ", "), to_string(options.filter));
    o.columns.push_back(label_column);
    o.columns.insert(o.columns.end(), probability_columns.begin(), probability_columns.end());
    return check(std::move(o), std::make_shared<const detail::label_issues_impl>(
                                   detail::label_issue_spec{std::move(label_column), std::move(probability_columns), options}));
}

// =====================================================================================================
// source_consistency
// =====================================================================================================

/// The two-sample test of source_consistency(): Mann-Whitney U (stats::mannwhitneyu, two-sided) or
/// Kolmogorov-Smirnov (stats::ks_2samp, two-sided), of each source against all the others.
enum class source_test { mann_whitney, kolmogorov_smirnov };

/// Options of source_consistency() and compare_sources(): a source offends when its Holm-adjusted
/// p-value is at most `alpha` and its offset exceeds `max_offset` robust standard deviations.
struct source_options {
    double alpha = 0.05;
    double max_offset = 1.0;
    source_test test = source_test::mann_whitney;
};

/// One source against the rest: its rows, its median, offset = (median - pooled median) / (1.4826 x
/// pooled MAD) (infinite when the MAD is 0 and the medians differ, 0 when they agree), the test's
/// statistic and p-value (NaN with a single source), the Holm-adjusted p-value, and the verdict.
struct source_comparison {
    std::string source;
    std::size_t count = 0;
    double median = std::numeric_limits<double>::quiet_NaN();
    double offset = std::numeric_limits<double>::quiet_NaN();
    double statistic = std::numeric_limits<double>::quiet_NaN();
    double p_value = std::numeric_limits<double>::quiet_NaN();
    double adjusted_p_value = std::numeric_limits<double>::quiet_NaN();
    bool offending = false;
};

namespace detail {

inline void source_check_options(const source_options& o, const char* fn) {
    if (!(o.alpha > 0.0 && o.alpha < 1.0)) throw invalid_argument(fmt::format("mldp::quality::{}: alpha must lie in (0, 1), got {}", fn, o.alpha));
    if (!(o.max_offset >= 0.0)) throw invalid_argument(fmt::format("mldp::quality::{}: max_offset must be >= 0, got {}", fn, o.max_offset));
}

// numpy.median: the middle value, or the mean of the two middle values. Reorders `v`.
inline double source_median(std::vector<double>& v) {
    const std::size_t n = v.size(), h = n / 2;
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(h), v.end());
    const double upper = v[h];
    if (n % 2 == 1) return upper;
    const double lower = *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(h));
    return (lower + upper) / 2.0;
}

// Values (finite) with their source ids into `names`; comparisons in order of source name.
inline std::vector<source_comparison> source_core(const std::vector<double>& values, const std::vector<std::int32_t>& ids,
                                                  const std::vector<std::string>& names, const source_options& o) {
    const std::size_t n = values.size();
    std::vector<source_comparison> out;
    if (n == 0) return out;
    std::vector<double> work = values;
    const double pooled = source_median(work);
    for (std::size_t i = 0; i < n; ++i) work[i] = std::fabs(values[i] - pooled);
    const double mad = source_median(work);
    std::vector<std::size_t> counts(names.size(), 0);
    for (std::int32_t id : ids) ++counts[static_cast<std::size_t>(id)];
    std::vector<std::size_t> order;
    for (std::size_t s = 0; s < names.size(); ++s) {
        if (counts[s] > 0) order.push_back(s);
    }
    std::sort(order.begin(), order.end(), [&names](std::size_t a, std::size_t b) { return names[a] < names[b]; });
    std::vector<double> own, rest, p_values;
    std::vector<std::size_t> tested;
    for (std::size_t s : order) {
        own.clear();
        rest.clear();
        for (std::size_t i = 0; i < n; ++i) (static_cast<std::size_t>(ids[i]) == s ? own : rest).push_back(values[i]);
        source_comparison c;
        c.source = names[s];
        c.count = own.size();
        std::vector<double> copy = own;
        c.median = source_median(copy);
        const double shift = c.median - pooled;
        c.offset = shift == 0.0 ? 0.0 : shift / (1.4826 * mad);
        if (!rest.empty()) {
            if (o.test == source_test::mann_whitney) {
                // scipy's automatic method, except that the exact recurrence, O(n_rest^2 n_own) memory,
                // gives way to the normal approximation when it would be large.
                stats::mwu_options mo;
                const double cells = (static_cast<double>(rest.size()) + 1.0) * (static_cast<double>(own.size() * rest.size()) + 1.0);
                mo.method = cells <= 1e6 ? stats::mwu_method::automatic : stats::mwu_method::asymptotic;
                const auto r = stats::mannwhitneyu(own, rest, mo);
                c.statistic = r.statistic;
                c.p_value = r.p_value;
            } else {
                const auto r = stats::ks_2samp(own, rest);
                c.statistic = r.statistic;
                c.p_value = r.p_value;
            }
            if (std::isnan(c.p_value)) c.p_value = 1.0;
            tested.push_back(out.size());
            p_values.push_back(c.p_value);
        }
        out.push_back(std::move(c));
    }
    if (!p_values.empty()) {
        const auto adjusted = stats::adjust_p_values(p_values, stats::correction::holm);
        for (std::size_t t = 0; t < tested.size(); ++t) {
            source_comparison& c = out[tested[t]];
            c.adjusted_p_value = adjusted[t];
            c.offending = c.adjusted_p_value <= o.alpha && std::fabs(c.offset) > o.max_offset;
        }
    }
    return out;
}

// Values and sources kept by source_consistency, with their rows.
struct source_rows {
    std::vector<std::size_t> rows;
    std::vector<double> values;
    std::vector<std::int32_t> ids;
    std::vector<std::string> names;
    std::map<std::string, std::int32_t, std::less<>> index;
    std::size_t skipped = 0;

    std::int32_t id_of(std::string_view s) {
        auto it = index.find(s);
        if (it != index.end()) return it->second;
        const auto id = static_cast<std::int32_t>(names.size());
        names.emplace_back(s);
        index.emplace(std::string(s), id);
        return id;
    }
};

class source_state final : public check_state {
public:
    source_state(check_options o, source_options opt, const report_limits& limits) : o_(std::move(o)), opt_(opt), limits_(limits) {}

    void update(const frame& chunk, std::size_t offset) override {
        std::vector<finding> config;
        const frame::column* value = column_for(chunk, o_.columns[0], {column_kind::numeric}, o_, config);
        const frame::column* source = column_for(chunk, o_.columns[1], {column_kind::categorical, column_kind::numeric}, o_, config);
        if (value == nullptr || source == nullptr) {
            for (auto& f : config) add_config_unique(config_, std::move(f));
            return;
        }
        const auto v = std::get<numeric_column>(value->data).values();
        std::vector<std::int32_t> ids(chunk.rows(), -1);
        if (const auto* cc = std::get_if<categorical_column>(&source->data)) {
            std::vector<std::int32_t> map;
            for (const auto& name : cc->dictionary()) map.push_back(data_.id_of(name));
            for (std::size_t i = 0; i < chunk.rows(); ++i) {
                const auto code = cc->codes()[i];
                if (code != categorical_column::missing_code) ids[i] = map[static_cast<std::size_t>(code)];
            }
        } else {
            const auto s = std::get<numeric_column>(source->data).values();
            for (std::size_t i = 0; i < chunk.rows(); ++i) {
                if (!std::isnan(s[i])) ids[i] = data_.id_of(value_text(s[i]));
            }
        }
        for (std::size_t i = 0; i < chunk.rows(); ++i) {
            if (ids[i] < 0 || !std::isfinite(v[i])) {
                ++data_.skipped;
                continue;
            }
            data_.rows.push_back(offset + i);
            data_.values.push_back(v[i]);
            data_.ids.push_back(ids[i]);
        }
    }
    void merge(const check_state& other, std::size_t offset) override {
        const auto& b = static_cast<const source_state&>(other);
        for (const auto& f : b.config_) add_config_unique(config_, f);
        std::vector<std::int32_t> map;
        for (const auto& name : b.data_.names) map.push_back(data_.id_of(name));
        for (std::size_t i = 0; i < b.data_.rows.size(); ++i) {
            data_.rows.push_back(b.data_.rows[i] + offset);
            data_.values.push_back(b.data_.values[i]);
            data_.ids.push_back(map[static_cast<std::size_t>(b.data_.ids[i])]);
        }
        data_.skipped += b.data_.skipped;
    }
    std::vector<finding> finish(std::size_t total_rows) const override {
        if (!config_.empty()) return config_;
        std::vector<finding> out;
        std::vector<source_comparison> comparisons;
        try {
            comparisons = source_core(data_.values, data_.ids, data_.names, opt_);
        } catch (const mldp::error& e) {
            finding f;
            f.code = o_.code;
            f.check = o_.description;
            f.column = o_.columns[0];
            f.severity = o_.severity;
            f.message = fmt::format("the sources could not be compared: {}", e.what());
            return {f};
        }
        const char* test = opt_.test == source_test::mann_whitney ? "Mann-Whitney U" : "Kolmogorov-Smirnov";
        for (const auto& c : comparisons) {
            if (!c.offending) continue;
            finding f;
            f.code = o_.code;
            f.check = o_.description;
            f.column = o_.columns[0];
            f.severity = o_.severity;
            f.passed = false;
            f.count = c.count;
            f.fraction = total_rows > 0 ? static_cast<double>(c.count) / static_cast<double>(total_rows) : 0.0;
            f.fraction_non_missing = static_cast<double>(c.count) / static_cast<double>(data_.values.size());
            for (std::size_t i = 0; i < data_.rows.size() && f.rows.size() < limits_.rows; ++i) {
                if (data_.names[static_cast<std::size_t>(data_.ids[i])] == c.source) f.rows.push_back(data_.rows[i]);
            }
            f.values.push_back({c.source, c.count});
            f.message = fmt::format("source '{}' ({} rows) of '{}' sits apart: median {:.6g}, offset {:+.3f} MADs from the pooled median (limit {}); "
                                    "{} p = {:.3g}, Holm-adjusted {:.3g} <= alpha {}",
                                    c.source, c.count, o_.columns[0], c.median, c.offset, opt_.max_offset, test, c.p_value, c.adjusted_p_value,
                                    opt_.alpha);
            out.push_back(std::move(f));
        }
        return out;
    }
    std::unique_ptr<check_state> clone() const override { return std::make_unique<source_state>(*this); }

private:
    check_options o_;
    source_options opt_;
    report_limits limits_;
    source_rows data_;
    std::vector<finding> config_;
};

using source_impl = state_impl<source_state, source_options>;

}  // namespace detail

/// Each source's values against the others', in order of source name: median offset in robust
/// standard deviations (1.4826 x MAD, MAD as scipy.stats.median_abs_deviation), a two-sided
/// Mann-Whitney U (scipy.stats.mannwhitneyu, automatic method while the exact recurrence stays small)
/// or Kolmogorov-Smirnov (scipy.stats.ks_2samp) test, Holm-adjusted across sources (statsmodels
/// multipletests 'holm'). Non-finite values are skipped. O(sources x n log n). Throws invalid_argument
/// for different lengths or bad options.
template <class V>
std::vector<source_comparison> compare_sources(V&& values, const std::vector<std::string>& sources, const source_options& options = {}) {
    detail::source_check_options(options, "compare_sources");
    const auto v = evaluate_contiguous<double>(std::forward<V>(values));
    if (v.size() != sources.size()) {
        throw invalid_argument(fmt::format("mldp::quality::compare_sources: {} values and {} sources; they must match", v.size(), sources.size()));
    }
    detail::source_rows d;
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (!std::isfinite(v[i])) continue;
        d.values.push_back(v[i]);
        d.ids.push_back(d.id_of(sources[i]));
    }
    return detail::source_core(d.values, d.ids, d.names, options);
}

/// Checks that no source (a categorical, or numeric, `source_column`) holds values of `value_column`
/// that sit apart from the rest (compare_sources): a finding (code "source_consistency") per offending
/// source, with the source in `values`, its first rows and its offset in the message. Rows with a
/// missing source or a non-finite value are skipped. Exact: keeps every value and source, O(rows)
/// memory. Throws invalid_argument for empty column names or bad options.
inline check source_consistency(std::string value_column, std::string source_column, source_options options = {}) {
    detail::source_check_options(options, "source_consistency");
    if (value_column.empty() || source_column.empty()) throw invalid_argument("mldp::quality::source_consistency: a column name is empty");
    check_options o;
    o.code = "source_consistency";
    o.description = fmt::format("source_consistency({}, {}, {}, alpha {}, max offset {})", value_column, source_column,
                                options.test == source_test::mann_whitney ? "Mann-Whitney U" : "Kolmogorov-Smirnov", options.alpha, options.max_offset);
    o.columns = {std::move(value_column), std::move(source_column)};
    return check(std::move(o), std::make_shared<const detail::source_impl>(options));
}

/// JSON of an agreement summary: every field by name (the statistic as "cohen", "fleiss" or
/// "krippendorff"), null for NaN.
inline void to_json(nlohmann::json& j, const agreement_summary& s) {
    const char* name = s.statistic == agreement_statistic::cohen ? "cohen" : s.statistic == agreement_statistic::fleiss ? "fleiss" : "krippendorff";
    j = nlohmann::json{{"statistic", name},        {"value", mldp::detail::json_number(s.value)},
                       {"raters", s.raters},       {"units", s.units},
                       {"disagreements", s.disagreements}, {"disagreeing_rows", s.disagreeing_rows}};
}

/// JSON of a source comparison: every field by name, null for NaN or infinity.
inline void to_json(nlohmann::json& j, const source_comparison& c) {
    const auto num = mldp::detail::json_number;
    j = nlohmann::json{{"source", c.source},       {"count", c.count},
                       {"median", num(c.median)},  {"offset", num(c.offset)},
                       {"statistic", num(c.statistic)}, {"p_value", num(c.p_value)},
                       {"adjusted_p_value", num(c.adjusted_p_value)}, {"offending", c.offending}};
}

}  // namespace mldp::quality

/// Prints an agreement summary on one line: statistic, value, units and disagreements.
template <>
struct fmt::formatter<mldp::quality::agreement_summary> {
    constexpr auto parse(fmt::format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const mldp::quality::agreement_summary& s, Ctx& ctx) const {
        const char* name = s.statistic == mldp::quality::agreement_statistic::cohen    ? "Cohen's kappa"
                           : s.statistic == mldp::quality::agreement_statistic::fleiss ? "Fleiss' kappa"
                                                                                       : "Krippendorff's alpha";
        return fmt::format_to(ctx.out(), "{} {:.4f} ({} raters, {} units, {} with differing ratings)", name, s.value, s.raters, s.units,
                              s.disagreements);
    }
};

/// Prints a source comparison on one line: source, rows, median, offset, p-values and verdict.
template <>
struct fmt::formatter<mldp::quality::source_comparison> {
    constexpr auto parse(fmt::format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const mldp::quality::source_comparison& c, Ctx& ctx) const {
        return fmt::format_to(ctx.out(), "source '{}' ({} rows): median {:.6g}, offset {:+.3f} MADs, p {:.3g} (Holm {:.3g}){}", c.source, c.count,
                              c.median, c.offset, c.p_value, c.adjusted_p_value, c.offending ? ", offending" : "");
    }
};

// mldp — distribution_summary: what to print beside any mean. Quantiles, skewness, kurtosis and a
// histogram show the shape that a mean and a standard deviation hide (Anscombe's quartet: four data
// sets with equal means, variances and correlations and nothing else in common), and
// compare_summaries() says when two equal-looking summaries describe different distributions.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "mldp/core/contiguous.hpp"
#include "mldp/core/detail/json.hpp"
#include "mldp/core/error.hpp"
#include "mldp/core/numeric.hpp"
#include "mldp/core/quantile.hpp"

namespace mldp::audit {

/// Options of distribution_summary(): the quantile probabilities (each in [0, 1]), the number of
/// equal-width histogram bins (at least 1), the width in characters of the longest text-histogram bar
/// (at least 1), and a name used in messages and printouts.
struct summary_options {
    std::vector<double> probabilities{0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0};
    std::size_t bins = 10;
    std::size_t bar_width = 40;
    std::string name;
};

/// One histogram bin: [lower, upper), the last bin closed [lower, upper] (numpy.histogram).
struct histogram_bin {
    double lower = 0.0, upper = 0.0;
    std::size_t count = 0;
};

/// Result of distribution_summary(). Moments follow NumPy / SciPy: variance and stddev with ddof = 1
/// (numpy.var(x, ddof=1)), skewness and excess_kurtosis the biased estimators of scipy.stats.skew /
/// scipy.stats.kurtosis defaults (NaN for a constant sample, as SciPy); quantiles[i] =
/// numpy.quantile(x, probabilities[i]) (method 'linear'); histogram = numpy.histogram(x, bins).
struct summary_statistics {
    std::string name;
    std::size_t count = 0;    ///< finite values summarised
    std::size_t missing = 0;  ///< NaN values left out
    double mean = std::numeric_limits<double>::quiet_NaN();
    double variance = std::numeric_limits<double>::quiet_NaN();
    double stddev = std::numeric_limits<double>::quiet_NaN();
    double skewness = std::numeric_limits<double>::quiet_NaN();
    double excess_kurtosis = std::numeric_limits<double>::quiet_NaN();
    std::vector<double> probabilities;
    std::vector<double> quantiles;
    std::vector<histogram_bin> histogram;
    std::size_t bar_width = 40;
};

namespace detail {

// scipy.stats._stats_py._moment (1.10): the central moment as numpy.mean of (x - mean)^k, the power
// taken by repeated squaring as SciPy does (k = 2: d^2; k = 3: (d)^2 d; k = 4: (d^2)^2).
inline double central_moment(const std::vector<double>& x, double mean, int k) {
    std::vector<double> p(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double d = x[i] - mean;
        if (k == 2) {
            p[i] = d * d;
        } else if (k == 3) {
            p[i] = (d * d) * d;
        } else {
            const double d2 = d * d;
            p[i] = d2 * d2;
        }
    }
    return pairwise_sum(p.data(), p.size()) / static_cast<double>(x.size());
}

// numpy.histogram(x, bins) (1.24) for equal-width bins: range [min, max] (min - 0.5, max + 0.5 when
// they are equal), edges numpy.linspace(first, last, bins + 1) = i * step + first with the last edge
// set to `last`, and numpy's index computation with its correction against the edges.
inline std::vector<histogram_bin> equal_width_histogram(const std::vector<double>& x, double lo, double hi, std::size_t bins) {
    double first = lo, last = hi;
    if (first == last) {
        first -= 0.5;
        last += 0.5;
    }
    if (!std::isfinite(last - first)) {  // numpy raises here too ("Cannot create ... finite-sized bins")
        throw data_error("values", data_error::no_row,
                         fmt::format("distribution_summary: the range [{}, {}] is too wide for equal-width bins", first, last));
    }
    const double nb = static_cast<double>(bins);
    std::vector<double> edges(bins + 1);
    const double step = (last - first) / nb;
    for (std::size_t i = 0; i <= bins; ++i) edges[i] = static_cast<double>(i) * step + first;
    edges[bins] = last;
    std::vector<histogram_bin> out(bins);
    for (std::size_t b = 0; b < bins; ++b) out[b] = {edges[b], edges[b + 1], 0};
    const double norm = nb / (last - first);
    for (double v : x) {
        auto idx = static_cast<std::size_t>((v - first) * norm);
        if (idx >= bins) idx = bins - 1;
        if (v < edges[idx] && idx > 0) --idx;
        if (idx + 1 < bins && v >= edges[idx + 1]) ++idx;
        ++out[idx].count;
    }
    return out;
}

// The finite values of a column, NaN counted apart; data_error (column `name`, row) for an infinity.
inline std::vector<double> finite_values(const double* data, std::size_t n, const std::string& name, const char* fn,
                                         std::size_t& missing) {
    std::vector<double> out;
    out.reserve(n);
    missing = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double v = data[i];
        if (std::isnan(v)) {
            ++missing;
        } else if (std::isinf(v)) {
            throw data_error(name, i, std::string(fn) + (v > 0 ? "+Inf" : "-Inf") +
                                          " cannot be summarised (only finite values, and NaN as missing)");
        } else {
            out.push_back(v);
        }
    }
    return out;
}

}  // namespace detail

/// Summary of a numeric column beside its mean: count, missing (NaN) count, mean, variance and stddev
/// (ddof = 1), skewness and excess kurtosis (scipy.stats.skew / kurtosis, bias=True), quantiles
/// (numpy.quantile, linear) and an equal-width histogram (numpy.histogram). O(n log n) at most.
/// Throws invalid_argument for bins or bar_width 0 or a probability outside [0, 1]; data_error (column
/// options.name, row) for an infinite value, or when no finite value is left.
template <class X>
summary_statistics distribution_summary(X&& values, const summary_options& options = {}) {
    const char* fn = "mldp::audit::distribution_summary: ";
    if (options.bins == 0) throw invalid_argument(std::string(fn) + "bins must be at least 1, got 0");
    if (options.bar_width == 0) throw invalid_argument(std::string(fn) + "bar_width must be at least 1, got 0");
    for (double p : options.probabilities) {
        if (!(p >= 0.0 && p <= 1.0)) {
            throw invalid_argument(std::string(fn) + "quantile probabilities must be in [0, 1], got " + std::to_string(p));
        }
    }
    const auto v = evaluate_contiguous<double>(std::forward<X>(values));
    summary_statistics s;
    s.name = options.name;
    s.bar_width = options.bar_width;
    const std::vector<double> x = detail::finite_values(v.data(), v.size(), options.name, fn, s.missing);
    s.count = x.size();
    if (x.empty()) {
        throw data_error(options.name, data_error::no_row,
                         std::string(fn) + "no finite value to summarise (" + std::to_string(v.size()) + " rows, " +
                             std::to_string(s.missing) + " NaN)");
    }
    const auto mv = numpy_mean_and_var(x.data(), x.size(), 1);
    s.mean = mv.first;
    s.variance = mv.second;
    s.stddev = std::sqrt(s.variance);
    // scipy.stats.skew / kurtosis: NaN when m2 <= (resolution * mean)^2, numpy's float64 resolution
    // 1e-15 (a sample constant up to rounding).
    const double m2 = detail::central_moment(x, s.mean, 2);
    const double eps = 1e-15;
    if (!(m2 <= (eps * s.mean) * (eps * s.mean))) {
        const double m3 = detail::central_moment(x, s.mean, 3), m4 = detail::central_moment(x, s.mean, 4);
        s.skewness = m3 / std::pow(m2, 1.5);
        s.excess_kurtosis = m4 / (m2 * m2) - 3.0;
    }
    s.probabilities = options.probabilities;
    s.quantiles = quantiles(x.data(), x.size(), options.probabilities);
    const auto mm = std::minmax_element(x.begin(), x.end());
    s.histogram = detail::equal_width_histogram(x, *mm.first, *mm.second, options.bins);
    return s;
}

/// The histogram as text, one line per bin: "[lower, upper) count |####", the longest bar
/// `bar_width` characters and any non-empty bin at least one '#'. O(bins * bar_width).
inline std::string text_histogram(const summary_statistics& s) {
    std::size_t top = 0;
    for (const auto& b : s.histogram) top = (std::max)(top, b.count);
    std::string out;
    for (std::size_t i = 0; i < s.histogram.size(); ++i) {
        const auto& b = s.histogram[i];
        std::size_t bar = top == 0 ? 0 : (b.count * s.bar_width + top / 2) / top;
        if (b.count > 0 && bar == 0) bar = 1;
        const bool last = i + 1 == s.histogram.size();
        out += fmt::format("[{:>10.4g}, {:>10.4g}{} {:>6} |{}\n", b.lower, b.upper, last ? ']' : ')', b.count,
                           std::string(bar, '#'));
    }
    return out;
}

/// Tolerances of compare_summaries(), in units of the pooled standard deviation sqrt((var_a + var_b) / 2)
/// except the ratio, skewness and kurtosis ones.
struct comparison_options {
    double location_tolerance = 0.1;  ///< |mean_b - mean_a| / pooled sd
    double scale_tolerance = 0.1;     ///< |sd_b / sd_a - 1|
    double quantile_tolerance = 0.1;  ///< largest |z-quantile gap|, z = (quantile - mean) / sd
    double skewness_tolerance = 0.25;
    double kurtosis_tolerance = 0.5;
};

/// Result of compare_summaries(). `differ` is true when location, scale or shape differ beyond the
/// tolerances; `same_moments_different_shape` when mean and sd agree but the shape does not (the
/// Anscombe situation, where a mean +- sd summary hides the difference).
struct summary_comparison {
    double mean_gap = std::numeric_limits<double>::quiet_NaN();      ///< (mean_b - mean_a) / pooled sd
    double stddev_ratio = std::numeric_limits<double>::quiet_NaN();  ///< sd_b / sd_a
    double max_quantile_gap = std::numeric_limits<double>::quiet_NaN();  ///< largest |z_b(p) - z_a(p)|
    double at_probability = std::numeric_limits<double>::quiet_NaN();    ///< p where it is attained
    double skewness_gap = std::numeric_limits<double>::quiet_NaN();      ///< skew_b - skew_a
    double kurtosis_gap = std::numeric_limits<double>::quiet_NaN();      ///< kurt_b - kurt_a
    bool location_differs = false, scale_differs = false, shape_differs = false;
    bool differ = false;
    bool same_moments_different_shape = false;
};

/// Compares two summaries descriptively (not a test: use stats::ks_2samp for inference, which at
/// Anscombe's n = 11 cannot tell the quartet apart): location by the standardized mean gap, scale by the
/// sd ratio, shape by the largest gap between standardized quantiles (q - mean) / sd at the shared
/// probabilities, and by the skewness and kurtosis gaps (a NaN moment, of a constant sample, differs
/// from a finite one). O(quantiles). Throws invalid_argument when the probabilities differ.
inline summary_comparison compare_summaries(const summary_statistics& a, const summary_statistics& b,
                                            const comparison_options& options = {}) {
    if (a.probabilities != b.probabilities || a.quantiles.size() != a.probabilities.size() ||
        b.quantiles.size() != b.probabilities.size()) {
        throw invalid_argument("mldp::audit::compare_summaries: both summaries need the same quantile probabilities");
    }
    summary_comparison c;
    const double pooled = std::sqrt((a.variance + b.variance) / 2.0);
    const double sa = a.stddev, sb = b.stddev;
    const bool degenerate = !(pooled > 0.0);  // n = 1 or both constant: compare raw values
    c.mean_gap = degenerate ? (a.mean == b.mean ? 0.0 : std::numeric_limits<double>::infinity())
                            : (b.mean - a.mean) / pooled;
    c.stddev_ratio = sb / sa;
    auto z = [](double q, double mean, double sd) { return sd > 0.0 ? (q - mean) / sd : q - mean; };
    c.max_quantile_gap = 0.0;
    for (std::size_t i = 0; i < a.quantiles.size(); ++i) {
        const double gap = std::fabs(z(b.quantiles[i], b.mean, sb) - z(a.quantiles[i], a.mean, sa));
        if (i == 0 || gap > c.max_quantile_gap) {
            c.max_quantile_gap = gap;
            c.at_probability = a.probabilities[i];
        }
    }
    c.skewness_gap = b.skewness - a.skewness;
    c.kurtosis_gap = b.excess_kurtosis - a.excess_kurtosis;
    auto beyond = [](double gap, double first, double second, double tol) {
        if (std::isnan(first) && std::isnan(second)) return false;
        return !(std::fabs(gap) <= tol);  // NaN against a number differs
    };
    c.location_differs = !(std::fabs(c.mean_gap) <= options.location_tolerance);
    c.scale_differs = degenerate ? sa != sb && !(std::isnan(sa) && std::isnan(sb))
                                 : !(std::fabs(c.stddev_ratio - 1.0) <= options.scale_tolerance);
    c.shape_differs = c.max_quantile_gap > options.quantile_tolerance ||
                      beyond(c.skewness_gap, a.skewness, b.skewness, options.skewness_tolerance) ||
                      beyond(c.kurtosis_gap, a.excess_kurtosis, b.excess_kurtosis, options.kurtosis_tolerance);
    c.differ = c.location_differs || c.scale_differs || c.shape_differs;
    c.same_moments_different_shape = !c.location_differs && !c.scale_differs && c.shape_differs;
    return c;
}

/// True when compare_summaries(a, b, options) finds a difference in location, scale or shape.
inline bool summaries_differ(const summary_statistics& a, const summary_statistics& b,
                             const comparison_options& options = {}) {
    return compare_summaries(a, b, options).differ;
}

/// Pearson's correlation coefficient of two equally long numeric columns, as
/// scipy.stats.pearsonr(x, y).statistic: sum(dx dy) / sqrt(sum dx^2 sum dy^2) around the means, clipped
/// to [-1, 1]; NaN when either column is constant (where SciPy warns). O(n). Throws data_error for
/// differing lengths, fewer than 2 rows, or a non-finite value (column "x" or "y", first row).
template <class X, class Y>
double pearson_correlation(X&& x, Y&& y) {
    const auto a = evaluate_contiguous<double>(std::forward<X>(x));
    const auto b = evaluate_contiguous<double>(std::forward<Y>(y));
    const char* fn = "mldp::audit::pearson_correlation: ";
    if (a.size() != b.size()) {
        throw data_error("y", data_error::no_row,
                         std::string(fn) + "x has " + std::to_string(a.size()) + " values and y " +
                             std::to_string(b.size()) + "; they must have the same length");
    }
    if (a.size() < 2) throw data_error("x", data_error::no_row, std::string(fn) + "at least 2 pairs are needed");
    require_finite(a.data(), a.size(), "x");
    require_finite(b.data(), b.size(), "y");
    const std::size_t n = a.size();
    const double ma = pairwise_sum(a.data(), n) / static_cast<double>(n);
    const double mb = pairwise_sum(b.data(), n) / static_cast<double>(n);
    std::vector<double> xy(n), xx(n), yy(n);
    for (std::size_t i = 0; i < n; ++i) {
        const double da = a[i] - ma, db = b[i] - mb;
        xy[i] = da * db;
        xx[i] = da * da;
        yy[i] = db * db;
    }
    const double sxx = pairwise_sum(xx.data(), n), syy = pairwise_sum(yy.data(), n);
    if (!(sxx > 0.0) || !(syy > 0.0)) return std::numeric_limits<double>::quiet_NaN();
    const double r = pairwise_sum(xy.data(), n) / std::sqrt(sxx * syy);
    return (std::max)(-1.0, (std::min)(1.0, r));
}

/// JSON of a bin: lower, upper, count.
inline void to_json(nlohmann::json& j, const histogram_bin& b) {
    j = nlohmann::json{{"lower", mldp::detail::json_number(b.lower)}, {"upper", mldp::detail::json_number(b.upper)},
                       {"count", b.count}};
}

/// JSON of a summary: name, count, missing, moments (null where undefined), quantiles as
/// [{"p", "value"}], histogram bins.
inline void to_json(nlohmann::json& j, const summary_statistics& s) {
    const auto num = mldp::detail::json_number;
    nlohmann::json q = nlohmann::json::array();
    for (std::size_t i = 0; i < s.quantiles.size(); ++i) {
        q.push_back({{"p", num(s.probabilities[i])}, {"value", num(s.quantiles[i])}});
    }
    j = nlohmann::json{{"name", s.name},
                       {"count", s.count},
                       {"missing", s.missing},
                       {"mean", num(s.mean)},
                       {"variance", num(s.variance)},
                       {"stddev", num(s.stddev)},
                       {"skewness", num(s.skewness)},
                       {"excess_kurtosis", num(s.excess_kurtosis)},
                       {"quantiles", q},
                       {"histogram", s.histogram}};
}

/// JSON of a comparison: every field by name (non-finite numbers as null).
inline void to_json(nlohmann::json& j, const summary_comparison& c) {
    const auto num = mldp::detail::json_number;
    j = nlohmann::json{{"mean_gap", num(c.mean_gap)},
                       {"stddev_ratio", num(c.stddev_ratio)},
                       {"max_quantile_gap", num(c.max_quantile_gap)},
                       {"at_probability", num(c.at_probability)},
                       {"skewness_gap", num(c.skewness_gap)},
                       {"kurtosis_gap", num(c.kurtosis_gap)},
                       {"location_differs", c.location_differs},
                       {"scale_differs", c.scale_differs},
                       {"shape_differs", c.shape_differs},
                       {"differ", c.differ},
                       {"same_moments_different_shape", c.same_moments_different_shape}};
}

}  // namespace mldp::audit

/// Prints a summary: count and missing, mean, sd, skewness, kurtosis, the quantiles, then the text
/// histogram.
template <>
struct fmt::formatter<mldp::audit::summary_statistics> {
    constexpr auto parse(format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const mldp::audit::summary_statistics& s, Ctx& ctx) const {
        auto out = fmt::format_to(ctx.out(), "{}{}n = {} (missing {}), mean {:.6g}, sd {:.6g}, skewness {:.4g}, "
                                  "excess kurtosis {:.4g}\n  quantiles:",
                                  s.name, s.name.empty() ? "" : ": ", s.count, s.missing, s.mean, s.stddev, s.skewness,
                                  s.excess_kurtosis);
        for (std::size_t i = 0; i < s.quantiles.size(); ++i) {
            out = fmt::format_to(out, " p{:g}={:.6g}", 100.0 * s.probabilities[i], s.quantiles[i]);
        }
        return fmt::format_to(out, "\n{}", mldp::audit::text_histogram(s));
    }
};

/// Prints a comparison on one line: the gaps and what differs.
template <>
struct fmt::formatter<mldp::audit::summary_comparison> {
    constexpr auto parse(format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const mldp::audit::summary_comparison& c, Ctx& ctx) const {
        auto out = fmt::format_to(ctx.out(),
                                  "mean gap {:.3g} sd, sd ratio {:.4g}, largest standardized quantile gap {:.3g} at "
                                  "p = {:g}, skewness gap {:.3g}, kurtosis gap {:.3g}: ",
                                  c.mean_gap, c.stddev_ratio, c.max_quantile_gap, c.at_probability, c.skewness_gap,
                                  c.kurtosis_gap);
        if (!c.differ) return fmt::format_to(out, "alike");
        if (c.same_moments_different_shape) return fmt::format_to(out, "same mean and sd, different shape");
        return fmt::format_to(out, "differ in{}{}{}", c.location_differs ? " location" : "",
                              c.scale_differs ? " scale" : "", c.shape_differs ? " shape" : "");
    }
};

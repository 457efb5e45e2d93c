// mldp — charts drawn as self-contained inline SVG: bar charts (split balance, drift statistics
// against a threshold, findings by severity), line charts (loss curves with an early-stopping
// marker, threshold trade-offs, a stream with detector alarms) and scatter charts (Pareto fronts).
//
// A chart is a plain struct that describes the data and a few options; render_svg(chart) returns one
// <svg> element that needs no script, font, image or network access. The output is a pure function
// of the input: the same chart gives byte-identical SVG (coordinates are printed with two decimals,
// numbers with {fmt}, which formats floating point without the C locale). Every string the caller
// gives is XML-escaped. Colours come from the Okabe-Ito palette, which stays distinguishable under
// the common forms of colour blindness; dashed lines and labels carry meaning as well as hue.
//
// Non-finite values (NaN, ±inf) are skipped, never drawn; a chart with no finite value at all draws
// a visible "no data" message. A malformed description (an x vector and a y vector of different
// lengths, a bar series with a value count other than the number of categories) throws
// mldp::invalid_argument naming the chart, the series and both lengths.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "mldp/core/error.hpp"

namespace mldp::report {

/// What a highlighted element means: the colour (and, in HTML, the label) of callouts, table rows,
/// metric cards, reference lines and event markers.
enum class tone { neutral, ok, info, warning, error };

/// "neutral", "ok", "info", "warning" or "error".
constexpr std::string_view to_string(tone t) noexcept {
    switch (t) {
        case tone::neutral: return "neutral";
        case tone::ok: return "ok";
        case tone::info: return "info";
        case tone::warning: return "warning";
        case tone::error: return "error";
    }
    return "neutral";
}

/// How numbers on an axis, in tooltips and in value labels are written: plain (0.25, 12k, 3.0e-7)
/// or as a percentage of 1 (0.25 -> 25%).
enum class number_format { plain, percent };

/// One numeric axis. `include` lists values the axis range must cover whatever the data (0 for a
/// baseline, 1 for shares); the range is then widened to nice tick values, never clipped.
struct axis {
    std::string label;
    std::vector<double> include;
    number_format format = number_format::plain;
};

/// Size of the drawing in SVG user units (it scales to the width of its container: the root has a
/// viewBox and width 100%). The height grows when rotated category labels need room.
struct chart_layout {
    double width = 720.0;
    double height = 360.0;
    bool legend = true;  ///< draw a legend of the named series (unnamed series get no entry)
};

/// A horizontal line at y = `value` across the plot (a threshold, a target), labelled at its right end.
struct reference_line {
    double value = 0.0;
    std::string label;
    report::tone tone = report::tone::neutral;
};

/// One named series of a bar chart: one value per category (NaN for a missing bar).
struct bar_series {
    std::string name;
    std::vector<double> values;
};

/// Bars per category, one per series, side by side (grouped) or on top of each other (stacked;
/// negative values stack downwards from zero). The value axis always includes 0. Drawing only some
/// bars in a highlight colour: put them in a second series, NaN elsewhere, and stack.
/// Bars are the only <rect> elements of the SVG; each carries a <title> tooltip.
struct bar_chart {
    std::string id;     ///< identifier for data-chart (sanitized to [a-z0-9-])
    std::string title;  ///< drawn at the top and used as aria-label
    std::vector<std::string> categories;
    std::vector<bar_series> series;
    bool stacked = false;
    bool value_labels = false;  ///< print each bar's value at its end (where it fits; stacks also get their total)
    std::vector<reference_line> lines;
    std::string x_label;
    axis y;
    chart_layout layout;
};

/// One named line: points (x[i], y[i]) joined in the order given. A non-finite coordinate is
/// skipped and breaks the line there (the gap stays visible instead of being bridged).
struct line_series {
    std::string name;
    std::vector<double> x;
    std::vector<double> y;
    bool markers = false;  ///< a dot with a tooltip at every finite point
    bool dashed = false;
};

/// A shaded region between `lower` and `upper` over `x` (a seed-sweep spread, a warning zone).
/// `series` names the line series whose colour the band takes (by index); none gives neutral grey.
struct band {
    std::string name;
    std::vector<double> x;
    std::vector<double> lower;
    std::vector<double> upper;
    std::optional<std::size_t> series;
};

/// A vertical line at x (a detector alarm, an early-stopping epoch, a chosen threshold), labelled at
/// the top of the plot. Labels that would overlap are moved to further rows (three at most) and
/// then left to the tooltip.
struct event_marker {
    double x = 0.0;
    std::string label;
    report::tone tone = report::tone::error;
};

/// Lines over a numeric x axis, with optional shaded bands, vertical events and horizontal
/// reference lines.
struct line_chart {
    std::string id;
    std::string title;
    std::vector<line_series> series;
    std::vector<band> bands;
    std::vector<event_marker> events;
    std::vector<reference_line> lines;
    axis x;
    axis y;
    chart_layout layout;
};

/// A named set of points. `labels`, when not empty, has one tooltip text per point. `connect` draws
/// a line through the finite points sorted by x (ties by y): a Pareto front.
struct point_set {
    std::string name;
    std::vector<double> x;
    std::vector<double> y;
    std::vector<std::string> labels;
    bool connect = false;
};

/// A point drawn with a ring and a visible label (the chosen operating point).
struct highlight {
    double x = 0.0;
    double y = 0.0;
    std::string label;
    report::tone tone = report::tone::error;
};

/// Points over two numeric axes.
struct scatter_chart {
    std::string id;
    std::string title;
    std::vector<point_set> sets;
    std::vector<highlight> highlights;
    axis x;
    axis y;
    chart_layout layout;
};

/// Tick positions of an axis: `values` from `lo` to `hi` in steps of `step` = m x 10^`exponent`
/// with m in {1, 2, 5}.
struct tick_scale {
    double lo = 0.0;
    double hi = 1.0;
    double step = 0.2;
    int exponent = -1;
    std::vector<double> values;
};

/// Series colours: the Okabe-Ito palette (Okabe & Ito 2008, "Color Universal Design"), reordered
/// so that the first colours are the most distinct on white and yellow comes last.
constexpr std::string_view series_color(std::size_t index) noexcept {
    constexpr std::string_view palette[] = {"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442"};
    return palette[index % (sizeof(palette) / sizeof(palette[0]))];
}

/// Stroke/fill colour of a tone (Okabe-Ito: bluish green, blue, orange, vermillion; grey).
constexpr std::string_view tone_color(tone t) noexcept {
    switch (t) {
        case tone::ok: return "#009E73";
        case tone::info: return "#0072B2";
        case tone::warning: return "#E69F00";
        case tone::error: return "#D55E00";
        case tone::neutral: break;
    }
    return "#4B5563";
}

/// Text colour of a tone: the same hues darkened to a contrast of at least 4.5:1 on white.
constexpr std::string_view tone_text_color(tone t) noexcept {
    switch (t) {
        case tone::ok: return "#00704F";
        case tone::info: return "#005A8C";
        case tone::warning: return "#8A5A00";
        case tone::error: return "#A84300";
        case tone::neutral: break;
    }
    return "#374151";
}

namespace detail {

// 10^e for |e| <= 308, exact for |e| <= 22 (every power of ten up to 1e22 is a double), and the
// same bits everywhere: repeated multiplication instead of std::pow, whose last bit is libm's choice.
inline double svg_pow10(int e) noexcept {
    double p = 1.0;
    for (int i = 0; i < (e < 0 ? -e : e); ++i) p *= 10.0;
    return e < 0 ? 1.0 / p : p;
}

// floor(log10(x)) for finite x > 0, corrected so that a libm rounding near a power of ten cannot
// move it.
inline int svg_decimal_exponent(double x) noexcept {
    int e = static_cast<int>(std::floor(std::log10(x)));
    e = std::clamp(e, -320, 308);
    while (e > -320 && x < svg_pow10(e)) --e;
    while (e < 308 && x >= svg_pow10(e + 1)) ++e;
    return e;
}

// m x 10^e as the double nearest the decimal: one correctly rounded multiplication or division of
// an integer-valued m by an exact power of ten.
inline double svg_decimal(double m, int e) noexcept { return e >= 0 ? m * svg_pow10(e) : m / svg_pow10(-e); }

// Heckbert's nice number ("Nice numbers for graph labels", Graphics Gems, 1990): a value of the
// form {1, 2, 5, 10} x 10^e near x, rounded to nearest or taken as the ceiling.
inline std::pair<double, int> svg_nice_number(double x, bool round) noexcept {
    const int e = svg_decimal_exponent(x);
    const double f = x / svg_pow10(e);
    double m;
    if (round) {
        m = f < 1.5 ? 1.0 : f < 3.0 ? 2.0 : f < 7.0 ? 5.0 : 10.0;
    } else {
        m = f <= 1.0 ? 1.0 : f <= 2.0 ? 2.0 : f <= 5.0 ? 5.0 : 10.0;
    }
    if (m == 10.0) return {1.0, e + 1};
    return {m, e};
}

// "-0" and "-0.00" -> "0"/"0.00": rounding a tiny negative number must not print a sign.
inline std::string svg_strip_negative_zero(std::string s) {
    if (!s.empty() && s[0] == '-' && s.find_first_not_of("-0.") == std::string::npos) s.erase(0, 1);
    return s;
}

inline std::string svg_fixed(double v, int decimals) {
    return svg_strip_negative_zero(fmt::format("{:.{}f}", v, std::clamp(decimals, 0, 17)));
}

// fmt's "2.0e-07" -> "2e-7", "1.50e+09" -> "1.5e9": no trailing zeros, no exponent padding.
inline std::string svg_tidy_exponent(std::string s) {
    const auto pos = s.find('e');
    if (pos == std::string::npos) return s;
    std::string mant = s.substr(0, pos);
    if (mant.find('.') != std::string::npos) {
        while (mant.back() == '0') mant.pop_back();
        if (mant.back() == '.') mant.pop_back();
    }
    std::string ex = s.substr(pos + 1);
    std::string sign;
    if (!ex.empty() && (ex[0] == '+' || ex[0] == '-')) {
        if (ex[0] == '-') sign = "-";
        ex.erase(0, 1);
    }
    const auto nz = ex.find_first_not_of('0');
    ex = nz == std::string::npos ? "0" : ex.substr(nz);
    return mant + "e" + sign + ex;
}

// SVG coordinate: at most two decimals, trailing zeros dropped ("12.5", "3", "0").
inline std::string svg_coord(double v) {
    std::string s = fmt::format("{:.2f}", v);
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
    return svg_strip_negative_zero(s.empty() ? "0" : s);
}

// Number of code points of UTF-8 text (continuation bytes are not counted).
inline std::size_t svg_code_points(std::string_view s) noexcept {
    std::size_t n = 0;
    for (const char c : s) {
        if ((static_cast<unsigned char>(c) & 0xC0U) != 0x80U) ++n;
    }
    return n;
}

// Estimated advance of a line of sans-serif text: 0.6 em per code point (a little wide for lower
// case, so that estimates err towards more room).
inline double svg_text_width(std::string_view s, double font_size) noexcept {
    return static_cast<double>(svg_code_points(s)) * font_size * 0.6;
}

// At most `max_points` code points, ending in "…" when cut; never splits a code point.
inline std::string svg_truncate(std::string_view s, std::size_t max_points) {
    if (svg_code_points(s) <= max_points) return std::string(s);
    if (max_points == 0) return std::string();
    std::size_t kept = 0;
    std::size_t i = 0;
    for (; i < s.size(); ++i) {
        if ((static_cast<unsigned char>(s[i]) & 0xC0U) != 0x80U) {
            if (kept == max_points - 1) break;
            ++kept;
        }
    }
    return std::string(s.substr(0, i)) + "\xE2\x80\xA6";
}

inline bool svg_all_finite(double a, double b) noexcept { return std::isfinite(a) && std::isfinite(b); }

// Running [min, max] of finite values.
struct svg_extent {
    double lo = 0.0;
    double hi = 0.0;
    bool any = false;
    void add(double v) noexcept {
        if (!std::isfinite(v)) return;
        if (!any) {
            lo = hi = v;
            any = true;
        } else {
            lo = (std::min)(lo, v);
            hi = (std::max)(hi, v);
        }
    }
};

}  // namespace detail

/// XML/HTML-escapes text for element content and attribute values: & < > " ' become entities,
/// control characters other than tab, newline and carriage return (not allowed in XML 1.0) and
/// bytes that are not valid UTF-8 become U+FFFD. Linear in the input.
inline std::string escape_xml(std::string_view s) {
    std::string out;
    out.reserve(s.size() + s.size() / 8);
    const std::string_view replacement = "\xEF\xBF\xBD";
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80U) {
            switch (c) {
                case '&': out += "&amp;"; break;
                case '<': out += "&lt;"; break;
                case '>': out += "&gt;"; break;
                case '"': out += "&quot;"; break;
                case '\'': out += "&#39;"; break;
                default:
                    if (c < 0x20U && c != '\t' && c != '\n' && c != '\r') {
                        out += replacement;
                    } else {
                        out += static_cast<char>(c);
                    }
            }
            ++i;
            continue;
        }
        // A well-formed UTF-8 sequence (no overlong forms, no surrogates, at most U+10FFFF) is
        // copied; anything else costs one byte and one replacement character.
        std::size_t len = 0;
        std::uint32_t min_cp = 0;
        std::uint32_t cp = 0;
        if ((c & 0xE0U) == 0xC0U) {
            len = 2;
            min_cp = 0x80U;
            cp = c & 0x1FU;
        } else if ((c & 0xF0U) == 0xE0U) {
            len = 3;
            min_cp = 0x800U;
            cp = c & 0x0FU;
        } else if ((c & 0xF8U) == 0xF0U) {
            len = 4;
            min_cp = 0x10000U;
            cp = c & 0x07U;
        }
        bool ok = len != 0 && i + len <= s.size();
        for (std::size_t k = 1; ok && k < len; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0U) != 0x80U) {
                ok = false;
            } else {
                cp = (cp << 6U) | (cc & 0x3FU);
            }
        }
        ok = ok && cp >= min_cp && cp <= 0x10FFFFU && !(cp >= 0xD800U && cp <= 0xDFFFU) && cp != 0xFFFEU && cp != 0xFFFFU;
        if (ok) {
            out.append(s.substr(i, len));
            i += len;
        } else {
            out += replacement;
            ++i;
        }
    }
    return out;
}

/// An identifier usable in ids, classes and data attributes: lower-cased ASCII letters and digits,
/// every other run of bytes becomes one '-', no leading or trailing '-'; "chart" when nothing is left.
inline std::string sanitize_id(std::string_view s, std::string_view fallback = "chart") {
    std::string out;
    bool dash = false;
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            if (dash && !out.empty()) out += '-';
            dash = false;
            out += static_cast<char>(c);
        } else if (c >= 'A' && c <= 'Z') {
            if (dash && !out.empty()) out += '-';
            dash = false;
            out += static_cast<char>(c - 'A' + 'a');
        } else {
            dash = true;
        }
    }
    return out.empty() ? std::string(fallback) : out;
}

/// Nice tick values covering [lo, hi] (Heckbert 1990, "loose" labelling): about `target` ticks
/// (at least 2 are aimed for) spaced 1, 2 or 5 x 10^k apart, the first at or below lo and the last at
/// or above hi. A zero span (lo == hi) is widened by 10 % of |lo| on each side, or to [0, 1] at
/// zero; values beyond ±1e300 are clamped. Tick values are the doubles nearest their decimal
/// (0.3, not 0.30000000000000004). Throws mldp::invalid_argument when lo or hi is not finite or
/// lo > hi. O(number of ticks).
inline tick_scale nice_ticks(double lo, double hi, std::size_t target = 5) {
    if (!std::isfinite(lo) || !std::isfinite(hi)) {
        throw invalid_argument(fmt::format("nice_ticks: the range must be finite, got [{}, {}]", lo, hi));
    }
    if (lo > hi) throw invalid_argument(fmt::format("nice_ticks: lo must not exceed hi, got [{}, {}]", lo, hi));
    lo = std::clamp(lo, -1e300, 1e300);
    hi = std::clamp(hi, -1e300, 1e300);
    const double magnitude = (std::max)(std::fabs(lo), std::fabs(hi));
    // A span below 1e-12 of the magnitude has no readable tick labels (and would need steps beyond
    // double precision): treat it as a single value.
    if (hi - lo <= magnitude * 1e-12 || hi - lo < 1e-290) {
        const double mid = lo + (hi - lo) / 2.0;
        if (std::fabs(mid) < 1e-290) {
            lo = 0.0;
            hi = 1.0;
        } else {
            lo = mid - std::fabs(mid) * 0.1;
            hi = mid + std::fabs(mid) * 0.1;
        }
    }
    const std::size_t n_target = std::max<std::size_t>(target, 2);
    const auto range = detail::svg_nice_number(hi - lo, false);
    const double nice_range = detail::svg_decimal(range.first, range.second);
    const auto step = detail::svg_nice_number(nice_range / static_cast<double>(n_target - 1), true);
    tick_scale s;
    s.exponent = step.second;
    s.step = detail::svg_decimal(step.first, step.second);
    // Tick k sits at k x step; the slack keeps 0.6 / 0.2 = 2.9999999999999996 at k = 3.
    const double k_lo = std::floor(lo / s.step + 1e-9);
    const double k_hi = std::ceil(hi / s.step - 1e-9);
    const double count = (std::max)(k_hi - k_lo, 1.0);
    const auto n = static_cast<std::size_t>((std::min)(count, 1000.0));
    s.values.reserve(n + 1);
    for (std::size_t i = 0; i <= n; ++i) {
        s.values.push_back(detail::svg_decimal((k_lo + static_cast<double>(i)) * step.first, step.second));
    }
    s.lo = s.values.front();
    s.hi = s.values.back();
    return s;
}

/// A compact tick label for `v` on scale `s`: as many decimals as the step needs ("0.2", "5",
/// "-0.05"), k and M suffixes from 10^4 and 10^6 ("12k", "1.5M"), scientific notation for
/// magnitudes below 10^-3 or from 10^9 ("2e-7", "2.5e9"); with number_format::percent, 0.25 -> "25%".
inline std::string format_tick(double v, const tick_scale& s, number_format f = number_format::plain) {
    if (!std::isfinite(v)) return fmt::format("{}", v);
    int e = s.exponent;
    double amax = (std::max)(std::fabs(s.lo), std::fabs(s.hi));
    std::string suffix;
    if (f == number_format::percent) {
        v *= 100.0;
        amax *= 100.0;
        e += 2;
        suffix = "%";
    }
    if (v == 0.0) return "0" + suffix;
    if (amax >= 1e9 || amax < 1e-3) {
        const int emax = detail::svg_decimal_exponent(amax);
        const int precision = std::clamp(emax - e, 0, 15);
        return detail::svg_tidy_exponent(fmt::format("{:.{}e}", v, precision)) + suffix;
    }
    if (amax >= 1e6 && e >= 5) return detail::svg_fixed(v / 1e6, 6 - e) + "M" + suffix;
    if (amax >= 1e4 && e >= 2) return detail::svg_fixed(v / 1e3, 3 - e) + "k" + suffix;
    return detail::svg_fixed(v, -e) + suffix;
}

/// A value for tooltips and value labels: integers in full ("1234"), other numbers with four
/// significant digits ("0.1235", "1.235e+05"); percent with three ("12.3%").
inline std::string format_number(double v, number_format f = number_format::plain) {
    if (!std::isfinite(v)) return fmt::format("{}", v);
    if (f == number_format::percent) return detail::svg_strip_negative_zero(fmt::format("{:.3g}", v * 100.0)) + "%";
    if (v == std::floor(v) && std::fabs(v) < 1e15) return detail::svg_fixed(v, 0);
    return detail::svg_strip_negative_zero(fmt::format("{:.4g}", v));
}

namespace detail {

inline constexpr std::string_view svg_ink = "#1F2937";
inline constexpr std::string_view svg_muted = "#4B5563";
inline constexpr std::string_view svg_axis = "#9CA3AF";
inline constexpr std::string_view svg_grid = "#E5E7EB";
inline constexpr double svg_pad = 16.0;
inline constexpr double svg_title_size = 15.0;
inline constexpr double svg_font_size = 12.0;
inline constexpr double svg_small_size = 11.0;
inline constexpr double svg_no_data_height = 180.0;  // a chart without data needs no full height

// Attributes that keep text readable over lines and bars: a white outline drawn under the glyphs.
inline constexpr std::string_view svg_halo = R"( stroke="#FFFFFF" stroke-width="3" stroke-linejoin="round" paint-order="stroke")";

enum class svg_swatch { box, line, dot, shade };

struct svg_legend_entry {
    std::string name;
    std::string color;
    svg_swatch swatch = svg_swatch::box;
    bool dashed = false;
    bool marker = false;
};

inline void svg_check_layout(const chart_layout& l, std::string_view kind, std::string_view id) {
    if (!(std::isfinite(l.width) && l.width >= 200.0 && l.width <= 10000.0) || !(std::isfinite(l.height) && l.height >= 120.0 && l.height <= 10000.0)) {
        throw invalid_argument(fmt::format("{} '{}': layout width must be in [200, 10000] and height in [120, 10000], got {} x {}", kind, id,
                                           l.width, l.height));
    }
}

// The SVG text under construction: the root element and title, and the primitives (text with
// escaping, lines, dots, the legend, the "no data" message) every chart draws with.
class svg_canvas {
public:
    svg_canvas(std::string_view id, std::string_view title, double width, double height) : width_(width), height_(height) {
        const std::string label = escape_xml(title.empty() ? std::string_view("chart") : title);
        fmt::format_to(std::back_inserter(out_),
                       "<svg class=\"mldp-chart\" data-chart=\"{}\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"{}\" "
                       "xmlns=\"http://www.w3.org/2000/svg\" width=\"100%\" preserveAspectRatio=\"xMidYMid meet\" "
                       "font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif\" "
                       "font-size=\"12\">\n<title>{}</title>\n",
                       sanitize_id(id), svg_coord(width), svg_coord(height), label, label);
        if (!title.empty()) {
            // Bold capitals run to about 0.7 em (DejaVu Sans Bold, a common fallback).
            const auto max_points = static_cast<std::size_t>((std::max)((width - 2.0 * svg_pad) / (svg_title_size * 0.7), 4.0));
            text(svg_pad, svg_pad + 10.0, svg_truncate(title, max_points), svg_title_size, "start", svg_ink, " font-weight=\"600\"");
        }
    }

    std::string& out() noexcept { return out_; }

    // Top of the space below the title.
    double body_top(bool has_title) const noexcept { return has_title ? svg_pad + 26.0 : svg_pad; }

    void text(double x, double y, std::string_view raw, double size, std::string_view anchor, std::string_view color,
              std::string_view extra = "") {
        fmt::format_to(std::back_inserter(out_), "<text x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"{}\" fill=\"{}\"{}>{}</text>\n",
                       svg_coord(x), svg_coord(y), svg_coord(size), anchor, color, extra, escape_xml(raw));
    }

    void line(double x1, double y1, double x2, double y2, std::string_view color, double stroke_width, std::string_view extra = "") {
        fmt::format_to(std::back_inserter(out_), "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"{}\"{}/>\n",
                       svg_coord(x1), svg_coord(y1), svg_coord(x2), svg_coord(y2), color, svg_coord(stroke_width), extra);
    }

    // Height of the legend laid out in rows of at most `max_width` (0 when there is nothing to show).
    static double legend_height(const std::vector<svg_legend_entry>& entries, double max_width) {
        return static_cast<double>(legend_rows(entries, max_width)) * 20.0;
    }

    void legend(const std::vector<svg_legend_entry>& entries, double x0, double y0, double max_width) {
        if (entries.empty()) return;
        out_ += "<g class=\"legend\">\n";
        double x = x0;
        double y = y0 + 10.0;
        for (const auto& e : entries) {
            const std::string name = svg_truncate(e.name, 40);
            const double w = entry_width(name);
            if (x > x0 && x + w > x0 + max_width) {
                x = x0;
                y += 20.0;
            }
            switch (e.swatch) {
                case svg_swatch::box:
                    fmt::format_to(std::back_inserter(out_), "<path d=\"M{},{}h12v12h-12z\" fill=\"{}\"/>\n", svg_coord(x), svg_coord(y - 6.0),
                                   e.color);
                    break;
                case svg_swatch::shade:
                    fmt::format_to(std::back_inserter(out_), "<path d=\"M{},{}h12v12h-12z\" fill=\"{}\" fill-opacity=\"0.25\"/>\n",
                                   svg_coord(x), svg_coord(y - 6.0), e.color);
                    break;
                case svg_swatch::line:
                    line(x - 2.0, y, x + 14.0, y, e.color, 2.5, e.dashed ? " stroke-dasharray=\"5 3\"" : "");
                    if (e.marker) dot(x + 6.0, y, 3.0, e.color, "");
                    break;
                case svg_swatch::dot: dot(x + 6.0, y, 4.0, e.color, " fill-opacity=\"0.8\""); break;
            }
            text(x + 19.0, y + 4.0, name, svg_font_size, "start", svg_ink);
            x += w;
        }
        out_ += "</g>\n";
    }

    void dot(double x, double y, double r, std::string_view color, std::string_view extra) {
        fmt::format_to(std::back_inserter(out_), "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{}\"{}/>\n", svg_coord(x), svg_coord(y),
                       svg_coord(r), color, extra);
    }

    // The "no data" message across the body.
    void no_data(double top) {
        const double mid = top + (height_ - top) / 2.0;
        fmt::format_to(std::back_inserter(out_),
                       "<path d=\"M{},{}H{}V{}H{}z\" fill=\"none\" stroke=\"{}\" stroke-dasharray=\"4 4\"/>\n",
                       svg_coord(svg_pad), svg_coord(top), svg_coord(width_ - svg_pad), svg_coord(height_ - svg_pad), svg_coord(svg_pad), svg_axis);
        text(width_ / 2.0, mid + 5.0, "no data", 14.0, "middle", svg_muted, " class=\"no-data\"");
    }

    std::string finish() {
        out_ += "</svg>\n";
        return std::move(out_);
    }

private:
    static double entry_width(std::string_view name) { return 19.0 + svg_text_width(name, svg_font_size) + 18.0; }

    static std::size_t legend_rows(const std::vector<svg_legend_entry>& entries, double max_width) {
        if (entries.empty()) return 0;
        std::size_t rows = 1;
        double x = 0.0;
        for (const auto& e : entries) {
            const double w = entry_width(svg_truncate(e.name, 40));
            if (x > 0.0 && x + w > max_width) {
                ++rows;
                x = 0.0;
            }
            x += w;
        }
        return rows;
    }

    std::string out_;
    double width_;
    double height_;
};

// A linear map from a tick scale onto [p0, p1] (p1 < p0 for a y axis that grows upwards).
struct svg_map {
    double lo;
    double hi;
    double p0;
    double p1;
    double operator()(double v) const noexcept { return p0 + (v - lo) / (hi - lo) * (p1 - p0); }
};

inline double svg_max_label_width(const tick_scale& s, number_format f, double size) {
    double w = 0.0;
    for (const double v : s.values) w = (std::max)(w, svg_text_width(format_tick(v, s, f), size));
    return w;
}

// Fewer ticks until the labels fit the room per tick (at most three tries).
inline tick_scale svg_fit_x_ticks(double lo, double hi, double plot_width, number_format f) {
    auto target = static_cast<std::size_t>(std::clamp(plot_width / 90.0, 3.0, 10.0));
    tick_scale s = nice_ticks(lo, hi, target);
    for (int attempt = 0; attempt < 3; ++attempt) {
        const double room = plot_width / static_cast<double>(std::max<std::size_t>(s.values.size() - 1, 1));
        if (svg_max_label_width(s, f, svg_font_size) + 10.0 <= room || target <= 2) break;
        target = std::max<std::size_t>(target / 2, 2);
        s = nice_ticks(lo, hi, target);
    }
    return s;
}

inline std::size_t svg_y_target(double plot_height) { return static_cast<std::size_t>(std::clamp(plot_height / 40.0, 4.0, 10.0)); }

// The y ticks for the final plot height, unless their labels are wider than the room the left
// margin (sized from `previous`) leaves them.
inline tick_scale svg_refit_y(const svg_extent& e, double plot_height, tick_scale previous, double label_room, number_format f) {
    tick_scale s = nice_ticks(e.lo, e.hi, svg_y_target(plot_height));
    return svg_max_label_width(s, f, svg_font_size) <= label_room ? s : previous;
}

// Horizontal grid, y tick labels and the y axis label.
inline void svg_y_axis(svg_canvas& c, const tick_scale& ys, const svg_map& my, const axis& a, double left, double right, bool y_label) {
    c.out() += "<g class=\"y-axis\">\n";
    for (const double v : ys.values) {
        const double y = my(v);
        c.line(left, y, right, y, v == 0.0 ? svg_axis : svg_grid, 1.0);
        c.text(left - 8.0, y + 4.0, format_tick(v, ys, a.format), svg_font_size, "end", svg_muted);
    }
    if (y_label) {
        const double mid = (my.p0 + my.p1) / 2.0;
        const double x = svg_pad + 8.0;
        c.text(x, mid, svg_truncate(a.label, 48), svg_font_size, "middle", svg_muted,
               fmt::format(" transform=\"rotate(-90 {} {})\"", svg_coord(x), svg_coord(mid)));
    }
    c.out() += "</g>\n";
}

// Vertical grid, x ticks and labels, the axis line and the x axis label.
inline void svg_x_axis(svg_canvas& c, const tick_scale& xs, const svg_map& mx, const axis& a, double top, double bottom, double height) {
    c.out() += "<g class=\"x-axis\">\n";
    for (const double v : xs.values) {
        const double x = mx(v);
        c.line(x, top, x, bottom, svg_grid, 1.0, " stroke-opacity=\"0.6\"");
        c.line(x, bottom, x, bottom + 4.0, svg_axis, 1.0);
        c.text(x, bottom + 18.0, format_tick(v, xs, a.format), svg_font_size, "middle", svg_muted);
    }
    c.line(mx.p0, bottom, mx.p1, bottom, svg_axis, 1.0);
    if (!a.label.empty()) c.text((mx.p0 + mx.p1) / 2.0, height - svg_pad + 2.0, svg_truncate(a.label, 80), svg_font_size, "middle", svg_muted);
    c.out() += "</g>\n";
}

// Horizontal reference lines; their labels (at the right end, above the line, or below it when the
// previous label sits too close) are appended to `labels`, which the caller draws over the data.
inline void svg_reference_lines(svg_canvas& c, const std::vector<reference_line>& lines, const svg_map& my, double left, double right,
                                number_format f, std::string& labels) {
    if (lines.empty()) return;
    c.out() += "<g class=\"reference-lines\">\n";
    std::vector<double> placed;
    for (const auto& r : lines) {
        if (!std::isfinite(r.value)) continue;
        const double y = my(r.value);
        const std::string tip = r.label.empty() ? format_number(r.value, f) : r.label + ": " + format_number(r.value, f);
        fmt::format_to(std::back_inserter(c.out()),
                       "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"><title>{}</title></line>\n",
                       svg_coord(left), svg_coord(y), svg_coord(right), svg_coord(y), tone_color(r.tone), escape_xml(tip));
        if (r.label.empty()) continue;
        double ty = y - 5.0;
        for (const double p : placed) {
            if (std::fabs(p - ty) < 13.0) ty = y + 14.0;
        }
        placed.push_back(ty);
        const auto max_points = static_cast<std::size_t>((std::max)((right - left) / (svg_small_size * 0.6) - 2.0, 4.0));
        fmt::format_to(std::back_inserter(labels), "<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\" fill=\"{}\"{} font-weight=\"600\">{}</text>\n",
                       svg_coord(right - 4.0), svg_coord(ty), tone_text_color(r.tone), svg_halo, escape_xml(svg_truncate(r.label, max_points)));
    }
    c.out() += "</g>\n";
}

}  // namespace detail

/// One <svg class="mldp-chart"> element drawing `c`. Throws mldp::invalid_argument when a series
/// does not have one value per category or the layout is out of range. O(categories x series).
inline std::string render_svg(const bar_chart& c) {
    using namespace detail;
    svg_check_layout(c.layout, "bar_chart", c.id);
    const std::size_t n = c.categories.size();
    for (const auto& s : c.series) {
        if (s.values.size() != n) {
            throw invalid_argument(fmt::format("bar_chart '{}': series '{}' has {} values, expected one per category ({})", c.id, s.name,
                                               s.values.size(), n));
        }
    }
    // Value extent: bars start at zero; stacked bars reach the running sums.
    svg_extent ext;
    ext.add(0.0);
    bool any = false;
    for (std::size_t i = 0; i < n; ++i) {
        double pos = 0.0;
        double neg = 0.0;
        for (const auto& s : c.series) {
            const double v = s.values[i];
            if (!std::isfinite(v)) continue;
            any = true;
            if (!c.stacked) {
                ext.add(v);
            } else if (v >= 0.0) {
                pos += v;
                ext.add(pos);
            } else {
                neg += v;
                ext.add(neg);
            }
        }
    }
    double width = c.layout.width;
    double height = c.layout.height;
    if (!any) {
        svg_canvas canvas(c.id, c.title, width, (std::min)(height, svg_no_data_height));
        canvas.no_data(canvas.body_top(!c.title.empty()));
        return canvas.finish();
    }
    for (const auto& r : c.lines) ext.add(r.value);
    for (const double v : c.y.include) ext.add(v);

    std::vector<svg_legend_entry> legend;
    if (c.layout.legend) {
        for (std::size_t k = 0; k < c.series.size(); ++k) {
            if (!c.series[k].name.empty()) legend.push_back({c.series[k].name, std::string(series_color(k)), svg_swatch::box, false, false});
        }
    }
    const double body_top = svg_pad + (c.title.empty() ? 0.0 : 26.0);
    const double legend_h = svg_canvas::legend_height(legend, width - 2.0 * svg_pad);
    const double top = body_top + legend_h + (legend_h > 0.0 ? 8.0 : 4.0) + (c.value_labels ? 12.0 : 0.0);

    // Category labels: horizontal when they fit their slot (cut to fit, if 12 code points or more
    // still do), else rotated by 35 degrees and cut to 24 code points; when even rotated labels
    // collide, only every k-th is printed. The full text stays in the bars' tooltips.
    const double plot_h_guess = (std::max)(height - top - 60.0, 80.0);
    tick_scale ys = nice_ticks(ext.lo, ext.hi, svg_y_target(plot_h_guess));
    const bool y_label = !c.y.label.empty();
    const double left = svg_pad + (y_label ? 22.0 : 0.0) + svg_max_label_width(ys, c.y.format, svg_font_size) + 10.0;
    const double right = width - svg_pad;
    const double slot = (right - left) / static_cast<double>(n);
    double widest = 0.0;
    for (const auto& cat : c.categories) widest = (std::max)(widest, svg_text_width(cat, svg_font_size));
    const auto horizontal_points = static_cast<std::size_t>((std::max)((slot - 6.0) / (svg_font_size * 0.6), 0.0));
    const bool rotate = widest + 6.0 > slot && horizontal_points < 12;
    std::size_t label_every = 1;
    double label_depth = 22.0;
    if (rotate) {
        widest = 0.0;
        for (const auto& cat : c.categories) widest = (std::max)(widest, svg_text_width(svg_truncate(cat, 24), svg_font_size));
        label_depth = 14.0 + widest * 0.574;  // sin(35 degrees)
        // Rotated labels are stacked along the axis about one line height (14 units / cos 35) apart.
        label_every = static_cast<std::size_t>(std::ceil(17.0 / (std::max)(slot, 1e-9)));
        label_every = std::max<std::size_t>(label_every, 1);
    }
    const double bottom_room = label_depth + (c.x_label.empty() ? 6.0 : 24.0) + svg_pad - 4.0;
    height = (std::max)(height, top + 140.0 + bottom_room);
    const double bottom = height - bottom_room;
    ys = svg_refit_y(ext, bottom - top, std::move(ys), left - svg_pad - (y_label ? 22.0 : 0.0) - 10.0, c.y.format);
    const svg_map my{ys.lo, ys.hi, bottom, top};

    svg_canvas canvas(c.id, c.title, width, height);
    canvas.legend(legend, svg_pad, body_top, width - 2.0 * svg_pad);
    svg_y_axis(canvas, ys, my, c.y, left, right, y_label);

    // Bars: each slot keeps 20 % of its width free, split between the two sides.
    const std::size_t m = c.series.size();
    // At most 64 units per bar: a few categories get bars of a readable shape, centred in the slot.
    const double per_group = c.stacked || m == 0 ? 1.0 : static_cast<double>(m);
    const double group = (std::min)(slot * 0.8, 64.0 * per_group);
    const double bar_w = group / per_group;
    const double gap = !c.stacked && m > 1 && bar_w > 8.0 ? 1.5 : 0.0;
    canvas.out() += "<g class=\"bars\">\n";
    std::string labels;
    for (std::size_t i = 0; i < n; ++i) {
        const double x0 = left + slot * static_cast<double>(i) + (slot - group) / 2.0;
        double pos = 0.0;
        double neg = 0.0;
        for (std::size_t k = 0; k < m; ++k) {
            const double v = c.series[k].values[i];
            if (!std::isfinite(v)) continue;
            double from = 0.0;
            double to = v;
            if (c.stacked) {
                from = v >= 0.0 ? pos : neg;
                to = from + v;
                (v >= 0.0 ? pos : neg) = to;
            }
            const double ya = my((std::max)(from, to));
            const double yb = my((std::min)(from, to));
            const double x = c.stacked ? x0 : x0 + bar_w * static_cast<double>(k);
            const double w = (std::max)(bar_w - gap, 0.5);
            std::string tip = c.series[k].name.empty() ? c.categories[i] : c.series[k].name + " \xC2\xB7 " + c.categories[i];
            tip += ": " + format_number(v, c.y.format);
            fmt::format_to(std::back_inserter(canvas.out()), "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>{}</title></rect>\n",
                           svg_coord(x + gap / 2.0), svg_coord(ya), svg_coord(w), svg_coord(yb - ya), series_color(k), escape_xml(tip));
            if (c.value_labels) {
                const std::string txt = format_number(v, c.y.format);
                if (c.stacked) {
                    if (yb - ya >= 14.0 && svg_text_width(txt, svg_small_size) <= w) {
                        fmt::format_to(std::back_inserter(labels), "<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#FFFFFF\">{}</text>\n",
                                       svg_coord(x + gap / 2.0 + w / 2.0), svg_coord((ya + yb) / 2.0 + 4.0), escape_xml(txt));
                    }
                } else if (svg_text_width(txt, svg_small_size) <= bar_w + 4.0) {
                    // A label wider than its bar would run into the next one: the tooltip has it.
                    const double ty = v >= 0.0 ? ya - 4.0 : yb + 12.0;
                    fmt::format_to(std::back_inserter(labels), "<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\" fill=\"{}\">{}</text>\n",
                                   svg_coord(x + gap / 2.0 + w / 2.0), svg_coord(ty), svg_ink, escape_xml(txt));
                }
            }
        }
        if (c.stacked && c.value_labels && pos > 0.0) {
            // The total above a stack of positive parts.
            fmt::format_to(std::back_inserter(labels), "<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\" fill=\"{}\" font-weight=\"600\">{}</text>\n",
                           svg_coord(x0 + group / 2.0), svg_coord(my(pos) - 4.0), svg_ink, escape_xml(format_number(pos, c.y.format)));
        }
    }
    canvas.out() += "</g>\n";
    if (!labels.empty()) {
        canvas.out() += "<g class=\"value-labels\">\n" + labels + "</g>\n";
    }
    // Category axis.
    canvas.out() += "<g class=\"x-axis\">\n";
    canvas.line(left, my(0.0), right, my(0.0), svg_axis, 1.0);
    for (std::size_t i = 0; i < n; i += label_every) {
        const double cx = left + slot * (static_cast<double>(i) + 0.5);
        if (rotate) {
            const double ty = bottom + 12.0;
            canvas.text(cx + 4.0, ty, svg_truncate(c.categories[i], 24), svg_font_size, "end", svg_muted,
                        fmt::format(" transform=\"rotate(-35 {} {})\"", svg_coord(cx + 4.0), svg_coord(ty)));
        } else {
            canvas.text(cx, bottom + 18.0, svg_truncate(c.categories[i], horizontal_points), svg_font_size, "middle", svg_muted);
        }
    }
    if (!c.x_label.empty()) canvas.text((left + right) / 2.0, height - svg_pad + 2.0, svg_truncate(c.x_label, 80), svg_font_size, "middle", svg_muted);
    canvas.out() += "</g>\n";
    std::string line_labels;
    svg_reference_lines(canvas, c.lines, my, left, right, c.y.format, line_labels);
    if (!line_labels.empty()) canvas.out() += "<g class=\"reference-labels\">\n" + line_labels + "</g>\n";
    return canvas.finish();
}

/// One <svg class="mldp-chart"> element drawing `c`. Non-finite points are skipped (and break the
/// line); the path of a series has one M/L command per finite point. Throws mldp::invalid_argument
/// when x and y (or a band's x, lower, upper) differ in length, a band names a series that does not
/// exist, or the layout is out of range. O(total points).
inline std::string render_svg(const line_chart& c) {
    using namespace detail;
    svg_check_layout(c.layout, "line_chart", c.id);
    for (const auto& s : c.series) {
        if (s.x.size() != s.y.size()) {
            throw invalid_argument(fmt::format("line_chart '{}': series '{}' has {} x values but {} y values", c.id, s.name, s.x.size(), s.y.size()));
        }
    }
    for (const auto& b : c.bands) {
        if (b.lower.size() != b.x.size() || b.upper.size() != b.x.size()) {
            throw invalid_argument(fmt::format("line_chart '{}': band '{}' has {} x values, {} lower and {} upper values; they must match", c.id,
                                               b.name, b.x.size(), b.lower.size(), b.upper.size()));
        }
        if (b.series && *b.series >= c.series.size()) {
            throw invalid_argument(
                fmt::format("line_chart '{}': band '{}' takes the colour of series {}, but there are {} series", c.id, b.name, *b.series, c.series.size()));
        }
    }
    svg_extent ex;
    svg_extent ey;
    for (const auto& s : c.series) {
        for (std::size_t i = 0; i < s.x.size(); ++i) {
            if (!svg_all_finite(s.x[i], s.y[i])) continue;
            ex.add(s.x[i]);
            ey.add(s.y[i]);
        }
    }
    for (const auto& b : c.bands) {
        for (std::size_t i = 0; i < b.x.size(); ++i) {
            if (!svg_all_finite(b.x[i], b.lower[i]) || !std::isfinite(b.upper[i])) continue;
            ex.add(b.x[i]);
            ey.add(b.lower[i]);
            ey.add(b.upper[i]);
        }
    }
    double width = c.layout.width;
    double height = c.layout.height;
    if (!ex.any) {
        svg_canvas canvas(c.id, c.title, width, (std::min)(height, svg_no_data_height));
        canvas.no_data(canvas.body_top(!c.title.empty()));
        return canvas.finish();
    }
    for (const auto& e : c.events) ex.add(e.x);
    for (const auto& r : c.lines) ey.add(r.value);
    for (const double v : c.x.include) ex.add(v);
    for (const double v : c.y.include) ey.add(v);

    std::vector<svg_legend_entry> legend;
    if (c.layout.legend) {
        for (std::size_t k = 0; k < c.series.size(); ++k) {
            const auto& s = c.series[k];
            if (!s.name.empty()) legend.push_back({s.name, std::string(series_color(k)), svg_swatch::line, s.dashed, s.markers});
        }
        for (const auto& b : c.bands) {
            if (!b.name.empty()) legend.push_back({b.name, std::string(b.series ? series_color(*b.series) : svg_muted), svg_swatch::shade, false, false});
        }
    }
    const double body_top = svg_pad + (c.title.empty() ? 0.0 : 26.0);
    const double legend_h = svg_canvas::legend_height(legend, width - 2.0 * svg_pad);
    const bool y_label = !c.y.label.empty();
    const double bottom_room = 22.0 + (c.x.label.empty() ? 6.0 : 24.0) + svg_pad - 4.0;

    tick_scale ys = nice_ticks(ey.lo, ey.hi, svg_y_target(height - body_top - legend_h - bottom_room - 20.0));
    const double left = svg_pad + (y_label ? 22.0 : 0.0) + svg_max_label_width(ys, c.y.format, svg_font_size) + 10.0;
    // Room for half of the last x tick label.
    const double right = width - svg_pad - 12.0;
    const tick_scale xs = svg_fit_x_ticks(ex.lo, ex.hi, right - left, c.x.format);
    const svg_map mx{xs.lo, xs.hi, left, right};

    // Event labels: greedy rows above the plot, sorted by position; a label that fits no row stays
    // in the tooltip only.
    struct placed_label {
        std::size_t event;
        std::size_t row;
        double x;
        std::string anchor;
    };
    std::vector<placed_label> event_labels;
    std::size_t rows_used = 0;
    {
        std::vector<std::size_t> order;
        for (std::size_t i = 0; i < c.events.size(); ++i) {
            if (std::isfinite(c.events[i].x) && !c.events[i].label.empty()) order.push_back(i);
        }
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return c.events[a].x < c.events[b].x; });
        double row_end[3] = {-1e300, -1e300, -1e300};
        for (const std::size_t i : order) {
            const double px = mx(c.events[i].x);
            const double w = svg_text_width(svg_truncate(c.events[i].label, 28), svg_small_size);
            double start = px + 3.0;
            std::string anchor = "start";
            if (start + w > width - svg_pad) {
                start = px - 3.0 - w;
                anchor = "end";
            }
            for (std::size_t r = 0; r < 3; ++r) {
                if (start > row_end[r] + 6.0) {
                    row_end[r] = start + w;
                    event_labels.push_back({i, r, anchor == "start" ? px + 3.0 : px - 3.0, anchor});
                    rows_used = (std::max)(rows_used, r + 1);
                    break;
                }
            }
        }
    }
    const double top = body_top + legend_h + (legend_h > 0.0 ? 8.0 : 4.0) + static_cast<double>(rows_used) * 14.0 + 6.0;
    height = (std::max)(height, top + 140.0 + bottom_room);
    const double bottom = height - bottom_room;
    ys = svg_refit_y(ey, bottom - top, std::move(ys), left - svg_pad - (y_label ? 22.0 : 0.0) - 10.0, c.y.format);
    const svg_map my{ys.lo, ys.hi, bottom, top};

    svg_canvas canvas(c.id, c.title, width, height);
    canvas.legend(legend, svg_pad, body_top, width - 2.0 * svg_pad);
    svg_y_axis(canvas, ys, my, c.y, left, right, y_label);
    svg_x_axis(canvas, xs, mx, c.x, top, bottom, height);

    // Bands: one closed path per run of finite points (upper forwards, lower backwards).
    if (!c.bands.empty()) {
        canvas.out() += "<g class=\"bands\">\n";
        for (const auto& b : c.bands) {
            const std::string_view color = b.series ? series_color(*b.series) : svg_muted;
            std::string d;
            std::size_t i = 0;
            while (i < b.x.size()) {
                while (i < b.x.size() && !(svg_all_finite(b.x[i], b.lower[i]) && std::isfinite(b.upper[i]))) ++i;
                std::size_t j = i;
                while (j < b.x.size() && svg_all_finite(b.x[j], b.lower[j]) && std::isfinite(b.upper[j])) ++j;
                if (j > i) {
                    for (std::size_t k = i; k < j; ++k) {
                        d += fmt::format("{}{},{}", k == i ? "M" : "L", svg_coord(mx(b.x[k])), svg_coord(my(b.upper[k])));
                    }
                    for (std::size_t k = j; k > i; --k) d += fmt::format("L{},{}", svg_coord(mx(b.x[k - 1])), svg_coord(my(b.lower[k - 1])));
                    d += "Z";
                }
                i = j;
            }
            if (d.empty()) continue;
            fmt::format_to(std::back_inserter(canvas.out()), "<path d=\"{}\" fill=\"{}\" fill-opacity=\"0.18\" stroke=\"none\"><title>{}</title></path>\n", d,
                           color, escape_xml(b.name.empty() ? std::string_view("band") : std::string_view(b.name)));
        }
        canvas.out() += "</g>\n";
    }
    std::string line_labels;
    svg_reference_lines(canvas, c.lines, my, left, right, c.y.format, line_labels);

    // Series.
    canvas.out() += "<g class=\"series\">\n";
    for (std::size_t k = 0; k < c.series.size(); ++k) {
        const auto& s = c.series[k];
        std::string d;
        bool pen_down = false;
        for (std::size_t i = 0; i < s.x.size(); ++i) {
            if (!svg_all_finite(s.x[i], s.y[i])) {
                pen_down = false;
                continue;
            }
            d += fmt::format("{}{},{}", pen_down ? "L" : "M", svg_coord(mx(s.x[i])), svg_coord(my(s.y[i])));
            pen_down = true;
        }
        if (d.empty()) continue;
        fmt::format_to(std::back_inserter(canvas.out()),
                       "<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\" stroke-linejoin=\"round\" stroke-linecap=\"round\"{}><title>{}</title></path>\n",
                       d, series_color(k), s.dashed ? " stroke-dasharray=\"6 4\"" : "",
                       escape_xml(s.name.empty() ? std::string_view("series") : std::string_view(s.name)));
        if (s.markers) {
            for (std::size_t i = 0; i < s.x.size(); ++i) {
                if (!svg_all_finite(s.x[i], s.y[i])) continue;
                const std::string tip = fmt::format("{}{}({}, {})", s.name, s.name.empty() ? "" : ": ", format_number(s.x[i], c.x.format),
                                                    format_number(s.y[i], c.y.format));
                fmt::format_to(std::back_inserter(canvas.out()),
                               "<circle cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"{}\" stroke=\"#FFFFFF\" stroke-width=\"1\"><title>{}</title></circle>\n",
                               svg_coord(mx(s.x[i])), svg_coord(my(s.y[i])), series_color(k), escape_xml(tip));
            }
        }
    }
    canvas.out() += "</g>\n";
    if (!line_labels.empty()) canvas.out() += "<g class=\"reference-labels\">\n" + line_labels + "</g>\n";

    // Events on top of everything else.
    if (!c.events.empty()) {
        canvas.out() += "<g class=\"events\">\n";
        for (const auto& e : c.events) {
            if (!std::isfinite(e.x)) continue;
            const double px = mx(e.x);
            const std::string tip = e.label.empty() ? fmt::format("x = {}", format_number(e.x, c.x.format))
                                                    : fmt::format("{} (x = {})", e.label, format_number(e.x, c.x.format));
            fmt::format_to(std::back_inserter(canvas.out()),
                           "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"1.5\" stroke-dasharray=\"3 3\"><title>{}</title></line>\n",
                           svg_coord(px), svg_coord(top - 2.0), svg_coord(px), svg_coord(bottom), tone_color(e.tone), escape_xml(tip));
        }
        for (const auto& p : event_labels) {
            const auto& e = c.events[p.event];
            const double y = top - 8.0 - static_cast<double>(rows_used - 1 - p.row) * 14.0;
            canvas.text(p.x, y, svg_truncate(e.label, 28), svg_small_size, p.anchor, tone_text_color(e.tone), " font-weight=\"600\"");
        }
        canvas.out() += "</g>\n";
    }
    return canvas.finish();
}

/// One <svg class="mldp-chart"> element drawing `c`. Non-finite points and highlights are skipped.
/// Throws mldp::invalid_argument when a set's x and y (or non-empty labels) differ in length, or
/// the layout is out of range. O(points log points) for connected sets, else O(points).
inline std::string render_svg(const scatter_chart& c) {
    using namespace detail;
    svg_check_layout(c.layout, "scatter_chart", c.id);
    for (const auto& s : c.sets) {
        if (s.x.size() != s.y.size()) {
            throw invalid_argument(fmt::format("scatter_chart '{}': point set '{}' has {} x values but {} y values", c.id, s.name, s.x.size(), s.y.size()));
        }
        if (!s.labels.empty() && s.labels.size() != s.x.size()) {
            throw invalid_argument(
                fmt::format("scatter_chart '{}': point set '{}' has {} labels for {} points (give one per point, or none)", c.id, s.name, s.labels.size(), s.x.size()));
        }
    }
    svg_extent ex;
    svg_extent ey;
    for (const auto& s : c.sets) {
        for (std::size_t i = 0; i < s.x.size(); ++i) {
            if (!svg_all_finite(s.x[i], s.y[i])) continue;
            ex.add(s.x[i]);
            ey.add(s.y[i]);
        }
    }
    for (const auto& h : c.highlights) {
        if (!svg_all_finite(h.x, h.y)) continue;
        ex.add(h.x);
        ey.add(h.y);
    }
    double width = c.layout.width;
    double height = c.layout.height;
    if (!ex.any) {
        svg_canvas canvas(c.id, c.title, width, (std::min)(height, svg_no_data_height));
        canvas.no_data(canvas.body_top(!c.title.empty()));
        return canvas.finish();
    }
    for (const double v : c.x.include) ex.add(v);
    for (const double v : c.y.include) ey.add(v);

    std::vector<svg_legend_entry> legend;
    if (c.layout.legend) {
        for (std::size_t k = 0; k < c.sets.size(); ++k) {
            const auto& s = c.sets[k];
            if (!s.name.empty()) legend.push_back({s.name, std::string(series_color(k)), s.connect ? svg_swatch::line : svg_swatch::dot, false, s.connect});
        }
    }
    const double body_top = svg_pad + (c.title.empty() ? 0.0 : 26.0);
    const double legend_h = svg_canvas::legend_height(legend, width - 2.0 * svg_pad);
    const double top = body_top + legend_h + (legend_h > 0.0 ? 8.0 : 4.0) + 8.0;
    const bool y_label = !c.y.label.empty();
    const double bottom_room = 22.0 + (c.x.label.empty() ? 6.0 : 24.0) + svg_pad - 4.0;
    height = (std::max)(height, top + 140.0 + bottom_room);
    const double bottom = height - bottom_room;
    const tick_scale ys = nice_ticks(ey.lo, ey.hi, svg_y_target(bottom - top));
    const double left = svg_pad + (y_label ? 22.0 : 0.0) + svg_max_label_width(ys, c.y.format, svg_font_size) + 10.0;
    const double right = width - svg_pad - 12.0;
    const tick_scale xs = svg_fit_x_ticks(ex.lo, ex.hi, right - left, c.x.format);
    const svg_map mx{xs.lo, xs.hi, left, right};
    const svg_map my{ys.lo, ys.hi, bottom, top};

    svg_canvas canvas(c.id, c.title, width, height);
    canvas.legend(legend, svg_pad, body_top, width - 2.0 * svg_pad);
    svg_y_axis(canvas, ys, my, c.y, left, right, y_label);
    svg_x_axis(canvas, xs, mx, c.x, top, bottom, height);

    canvas.out() += "<g class=\"points\">\n";
    for (std::size_t k = 0; k < c.sets.size(); ++k) {
        const auto& s = c.sets[k];
        if (s.connect) {
            std::vector<std::pair<double, double>> pts;
            for (std::size_t i = 0; i < s.x.size(); ++i) {
                if (svg_all_finite(s.x[i], s.y[i])) pts.emplace_back(s.x[i], s.y[i]);
            }
            std::sort(pts.begin(), pts.end());
            std::string d;
            for (std::size_t i = 0; i < pts.size(); ++i) d += fmt::format("{}{},{}", i == 0 ? "M" : "L", svg_coord(mx(pts[i].first)), svg_coord(my(pts[i].second)));
            if (!d.empty()) {
                fmt::format_to(std::back_inserter(canvas.out()),
                               "<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\" stroke-linejoin=\"round\"><title>{}</title></path>\n", d,
                               series_color(k), escape_xml(s.name.empty() ? std::string_view("front") : std::string_view(s.name)));
            }
        }
        for (std::size_t i = 0; i < s.x.size(); ++i) {
            if (!svg_all_finite(s.x[i], s.y[i])) continue;
            std::string tip = s.labels.empty() ? s.name : s.labels[i];
            tip += fmt::format("{}({}, {})", tip.empty() ? "" : ": ", format_number(s.x[i], c.x.format), format_number(s.y[i], c.y.format));
            fmt::format_to(std::back_inserter(canvas.out()),
                           "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{}\" fill-opacity=\"{}\" stroke=\"{}\" stroke-width=\"1\"><title>{}</title></circle>\n",
                           svg_coord(mx(s.x[i])), svg_coord(my(s.y[i])), s.connect ? "4" : "3.5", series_color(k), s.connect ? "1" : "0.7",
                           s.connect ? "#FFFFFF" : series_color(k), escape_xml(tip));
        }
    }
    canvas.out() += "</g>\n";

    if (!c.highlights.empty()) {
        canvas.out() += "<g class=\"highlights\">\n";
        for (const auto& h : c.highlights) {
            if (!svg_all_finite(h.x, h.y)) continue;
            const double px = mx(h.x);
            const double py = my(h.y);
            const std::string tip = fmt::format("{}{}({}, {})", h.label, h.label.empty() ? "" : ": ", format_number(h.x, c.x.format), format_number(h.y, c.y.format));
            fmt::format_to(std::back_inserter(canvas.out()),
                           "<circle cx=\"{}\" cy=\"{}\" r=\"8\" fill=\"none\" stroke=\"{}\" stroke-width=\"2.5\"><title>{}</title></circle>\n", svg_coord(px),
                           svg_coord(py), tone_color(h.tone), escape_xml(tip));
            if (h.label.empty()) continue;
            const std::string label = svg_truncate(h.label, 32);
            // Label to the side with more room, above the ring unless that leaves the plot.
            const bool to_left = px + 12.0 + svg_text_width(label, svg_font_size) > right;
            const double ty = py - 12.0 < top + 10.0 ? py + 22.0 : py - 12.0;
            canvas.text(to_left ? px - 10.0 : px + 10.0, ty, label, svg_font_size, to_left ? "end" : "start", tone_text_color(h.tone),
                        std::string(svg_halo) + " font-weight=\"600\"");
        }
        canvas.out() += "</g>\n";
    }
    return canvas.finish();
}

}  // namespace mldp::report

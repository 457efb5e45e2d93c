// Tests of mldp/report/svg.hpp and mldp/report/html.hpp: escaping, nice ticks, chart structure
// (one <rect> per finite bar, one path command per finite point), "no data", errors, ids,
// determinism and the shape of the rendered document.
#include "mldp/report/html.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mldp/core/error.hpp"
#include "mldp/report/svg.hpp"
#include "mldp/version.hpp"

namespace r = mldp::report;

namespace {

const double not_a_number = std::numeric_limits<double>::quiet_NaN();
const double infinity = std::numeric_limits<double>::infinity();
const std::string hostile = "<script>alert(1)</script> \"q\" 'a' & b";

std::size_t count(const std::string& haystack, std::string_view needle) {
    std::size_t n = 0;
    for (auto pos = haystack.find(needle); pos != std::string::npos; pos = haystack.find(needle, pos + needle.size())) ++n;
    return n;
}

bool contains(const std::string& haystack, std::string_view needle) { return haystack.find(needle) != std::string::npos; }

// The d attribute of the first <path> after `marker`.
std::string path_after(const std::string& svg, std::string_view marker) {
    const auto at = svg.find(marker);
    if (at == std::string::npos) return "";
    const auto p = svg.find("<path d=\"", at);
    if (p == std::string::npos) return "";
    const auto start = p + 9;
    return svg.substr(start, svg.find('"', start) - start);
}

// Path commands: one M or L per drawn point.
std::size_t path_points(const std::string& d) { return count(d, "M") + count(d, "L"); }

// True when the tags named in `names` open and close in properly nested order (a tiny check, enough
// to catch a block that forgets its closing tag; not an HTML parser).
bool balanced(const std::string& doc, const std::vector<std::string>& names) {
    std::vector<std::string> stack;
    for (std::size_t i = doc.find('<'); i != std::string::npos; i = doc.find('<', i + 1)) {
        const bool closing = i + 1 < doc.size() && doc[i + 1] == '/';
        const std::size_t start = i + (closing ? 2 : 1);
        std::size_t end = start;
        while (end < doc.size() && doc[end] != ' ' && doc[end] != '>' && doc[end] != '/' && doc[end] != '\n') ++end;
        const std::string name = doc.substr(start, end - start);
        bool tracked = false;
        for (const auto& n : names) tracked = tracked || n == name;
        if (!tracked) continue;
        if (!closing) {
            stack.push_back(name);
        } else {
            if (stack.empty() || stack.back() != name) return false;
            stack.pop_back();
        }
    }
    return stack.empty();
}

r::bar_chart sample_bars() {
    r::bar_chart c;
    c.id = "split-balance";
    c.title = "Class share per split";
    c.categories = {"no default", "default", "unknown"};
    c.series = {{"train", {0.78, 0.22, 0.0}}, {"test", {0.77, not_a_number, 0.01}}};
    c.y.label = "share";
    c.y.format = r::number_format::percent;
    c.lines = {{0.5, "half", r::tone::warning}};
    return c;
}

r::line_chart sample_lines() {
    r::line_chart c;
    c.id = "loss";
    c.title = "Loss by epoch";
    c.series = {{"training", {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, {0.9, 0.7, not_a_number, 0.5, 0.45, 0.42, infinity, 0.39, 0.38, 0.37}, true, false},
                {"validation", {1, 2, 3}, {1.0, 0.8, 0.75}, false, true}};
    c.bands = {{"seed spread", {1, 2, 3}, {0.95, 0.75, 0.7}, {1.05, 0.85, 0.8}, std::size_t{1}}};
    c.events = {{4, "early stop", r::tone::info}};
    c.lines = {{0.4, "target", r::tone::ok}};
    c.x.label = "epoch";
    c.y.label = "log loss";
    return c;
}

r::scatter_chart sample_scatter() {
    r::scatter_chart c;
    c.id = "pareto";
    c.title = "Pareto front";
    c.sets = {{"all", {0.3, 0.5, 0.4, not_a_number}, {0.2, 0.1, 0.3, 0.5}, {}, false}, {"front", {0.5, 0.3, 0.4}, {0.1, 0.2, 0.15}, {"w=1", "w=0", "w=0.5"}, true}};
    c.highlights = {{0.4, 0.15, "chosen", r::tone::error}, {not_a_number, 1.0, "invisible", r::tone::error}};
    c.x.label = "loss a";
    c.y.label = "loss b";
    return c;
}

}  // namespace

TEST_CASE("escape_xml: the five XML specials, control characters and invalid UTF-8") {
    CHECK(r::escape_xml("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&#39;");
    CHECK(r::escape_xml("tab\tnew\nline") == "tab\tnew\nline");
    CHECK(r::escape_xml(std::string("nul\0x", 5)) == "nul\xEF\xBF\xBDx");
    CHECK(r::escape_xml("bell\x07") == "bell\xEF\xBF\xBD");
    CHECK(r::escape_xml("caf\xC3\xA9 \xE2\x80\x94 \xF0\x9F\x93\x88") == "caf\xC3\xA9 \xE2\x80\x94 \xF0\x9F\x93\x88");  // é — 📈 kept
    CHECK(r::escape_xml("bad \xC3 end") == "bad \xEF\xBF\xBD end");            // truncated sequence
    CHECK(r::escape_xml("over \xC0\xAF") == "over \xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
    CHECK(r::escape_xml("surrogate \xED\xA0\x80") == "surrogate \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST_CASE("sanitize_id: lower-case [a-z0-9-], runs collapsed, a fallback when empty") {
    CHECK(r::sanitize_id("Split Balance / <Train>") == "split-balance-train");
    CHECK(r::sanitize_id("--drift__PSI--") == "drift-psi");
    CHECK(r::sanitize_id("") == "chart");
    CHECK(r::sanitize_id("<>\"'&") == "chart");
    CHECK(r::sanitize_id("\xC3\xA9t\xC3\xA9") == "t");
    CHECK(r::sanitize_id("", "section") == "section");
}

// Expected ticks by hand from Heckbert's loose labelling: range = nice(hi - lo, ceil), step =
// nice(range / 4, round), ticks from floor(lo / step) to ceil(hi / step).
TEST_CASE("nice_ticks: 1-2-5 steps on typical, negative, tiny and degenerate ranges") {
    SUBCASE("0..1") {
        const r::tick_scale s = r::nice_ticks(0.0, 1.0);
        CHECK(s.step == 0.2);
        CHECK(s.exponent == -1);
        CHECK(s.values == std::vector<double>{0.0, 0.2, 0.4, 0.6, 0.8, 1.0});
        CHECK(r::format_tick(0.6, s) == "0.6");
        CHECK(r::format_tick(0.0, s) == "0");
        CHECK(r::format_tick(1.0, s) == "1.0");
        CHECK(r::format_tick(0.4, s, r::number_format::percent) == "40%");
    }
    SUBCASE("0..7.3") {
        const r::tick_scale s = r::nice_ticks(0.0, 7.3);
        CHECK(s.step == 2.0);
        CHECK(s.values == std::vector<double>{0.0, 2.0, 4.0, 6.0, 8.0});
        CHECK(r::format_tick(6.0, s) == "6");
    }
    SUBCASE("-3..12") {
        const r::tick_scale s = r::nice_ticks(-3.0, 12.0);
        CHECK(s.step == 5.0);
        CHECK(s.values == std::vector<double>{-5.0, 0.0, 5.0, 10.0, 15.0});
        CHECK(r::format_tick(-5.0, s) == "-5");
    }
    SUBCASE("0.6..0.9: 0.6 / 0.1 is 5.999999999999999 in binary, the first tick stays at 0.6") {
        const r::tick_scale s = r::nice_ticks(0.6, 0.9);
        CHECK(s.step == 0.1);
        CHECK(s.values == std::vector<double>{0.6, 0.7, 0.8, 0.9});
    }
    SUBCASE("0..1e-6: scientific labels") {
        const r::tick_scale s = r::nice_ticks(0.0, 1e-6);
        CHECK(s.step == 2e-7);
        REQUIRE(s.values.size() == 6);
        CHECK(s.values.back() == 1e-6);
        CHECK(r::format_tick(2e-7, s) == "2e-7");
        CHECK(r::format_tick(6e-7, s) == "6e-7");
        CHECK(r::format_tick(1e-6, s) == "1e-6");
    }
    SUBCASE("1..1+1e-6: a tiny span far from zero") {
        // 1 + 1e-6 is 1.00000099999999991773 in binary: the span rounds up to 1e-6, step 2e-7.
        const r::tick_scale s = r::nice_ticks(1.0, 1.0 + 1e-6);
        CHECK(s.step == 2e-7);
        CHECK(s.lo <= 1.0);
        CHECK(s.hi >= 1.0 + 1e-6);
        REQUIRE(s.values.size() >= 3);
        CHECK(r::format_tick(s.values[1], s) == "1.0000002");
        CHECK(r::format_tick(s.values[1], s) != r::format_tick(s.values[2], s));
    }
    SUBCASE("large values get k and M suffixes") {
        const r::tick_scale k = r::nice_ticks(0.0, 20000.0);
        CHECK(k.step == 5000.0);
        CHECK(r::format_tick(15000.0, k) == "15k");
        const r::tick_scale m = r::nice_ticks(0.0, 2e6);
        CHECK(r::format_tick(1.5e6, m) == "1.5M");
        const r::tick_scale g = r::nice_ticks(0.0, 4e9);
        CHECK(r::format_tick(1e9, g) == "1e9");
        const r::tick_scale h = r::nice_ticks(0.0, 3e9, 10);
        CHECK(h.step == 5e8);
        CHECK(r::format_tick(2.5e9, h) == "2.5e9");
    }
    SUBCASE("a single value is widened by 10 % each side") {
        const r::tick_scale s = r::nice_ticks(5.0, 5.0);
        CHECK(s.lo <= 4.5);
        CHECK(s.hi >= 5.5);
        CHECK(s.step == 0.2);
        CHECK(s.values.size() == 7);  // 4.4 .. 5.6
    }
    SUBCASE("zero span at zero gives [0, 1]") {
        const r::tick_scale s = r::nice_ticks(0.0, 0.0);
        CHECK(s.lo == 0.0);
        CHECK(s.hi == 1.0);
    }
    SUBCASE("huge range stays finite and short") {
        const r::tick_scale s = r::nice_ticks(-1e308, 1e308);
        CHECK(std::isfinite(s.lo));
        CHECK(std::isfinite(s.hi));
        CHECK(s.values.size() <= 12);
    }
    SUBCASE("every tick is a multiple of the step, increasing") {
        const r::tick_scale s = r::nice_ticks(-0.037, 0.112, 7);
        for (std::size_t i = 1; i < s.values.size(); ++i) CHECK(s.values[i] > s.values[i - 1]);
        CHECK(s.lo <= -0.037);
        CHECK(s.hi >= 0.112);
    }
    SUBCASE("bad ranges throw") {
        CHECK_THROWS_AS(r::nice_ticks(not_a_number, 1.0), mldp::invalid_argument);
        CHECK_THROWS_AS(r::nice_ticks(0.0, infinity), mldp::invalid_argument);
        CHECK_THROWS_AS(r::nice_ticks(2.0, 1.0), mldp::invalid_argument);
    }
}

TEST_CASE("format_number: integers in full, four significant digits, percent") {
    CHECK(r::format_number(1234.0) == "1234");
    CHECK(r::format_number(0.123456) == "0.1235");
    CHECK(r::format_number(-0.0) == "0");
    CHECK(r::format_number(0.25, r::number_format::percent) == "25%");
    CHECK(r::format_number(0.1234, r::number_format::percent) == "12.3%");
    CHECK(r::format_number(not_a_number) == "nan");
}

TEST_CASE("bar_chart: one <rect> per finite bar, tooltips, root element, reference line") {
    const r::bar_chart c = sample_bars();
    const std::string svg = r::render_svg(c);
    CHECK(svg.rfind("<svg class=\"mldp-chart\" data-chart=\"split-balance\" viewBox=\"0 0 720 ", 0) == 0);
    CHECK(contains(svg, "role=\"img\" aria-label=\"Class share per split\""));
    CHECK(count(svg, "<rect") == 5);  // 3 + 3 values, one NaN
    CHECK(count(svg, "<rect") == count(svg, "</rect>"));
    CHECK(contains(svg, "<title>train \xC2\xB7 no default: 78%</title>"));
    CHECK(contains(svg, ">half</text>"));
    CHECK(contains(svg, ">share</text>"));
    CHECK(contains(svg, ">80%</text>"));  // percent ticks; the top of 0.78 is 0.8
    CHECK(count(svg, "</svg>") == 1);

    r::bar_chart stacked = c;
    stacked.stacked = true;
    stacked.value_labels = true;
    CHECK(count(r::render_svg(stacked), "<rect") == 5);

    r::bar_chart many;
    many.id = "drift";
    for (int i = 0; i < 40; ++i) many.categories.push_back("a_rather_long_feature_name_" + std::to_string(i));
    many.series = {{"psi", std::vector<double>(40, 0.05)}};
    many.series[0].values[7] = infinity;
    const std::string rotated = r::render_svg(many);
    CHECK(count(rotated, "<rect") == 39);
    CHECK(contains(rotated, "rotate(-35"));
}

TEST_CASE("bar_chart: negative values, value labels, and a series without a name has no legend entry") {
    r::bar_chart c;
    c.categories = {"a", "b"};
    c.series = {{"", {-2.0, 3.0}}};
    c.value_labels = true;
    const std::string svg = r::render_svg(c);
    CHECK(count(svg, "<rect") == 2);
    CHECK(contains(svg, ">-2</text>"));
    CHECK(contains(svg, ">3</text>"));
    CHECK_FALSE(contains(svg, "class=\"legend\""));
    CHECK(contains(svg, "data-chart=\"chart\""));
}

TEST_CASE("line_chart: one path command per finite point, markers, band, events, reference lines") {
    const r::line_chart c = sample_lines();
    const std::string svg = r::render_svg(c);
    const std::string d = path_after(svg, "<g class=\"series\">");
    CHECK(path_points(d) == 8);  // 10 points, a NaN and an infinity skipped
    CHECK(count(d, "M") == 3);   // each skipped point breaks the line
    // Markers only on the first series: one circle with a tooltip per finite point.
    CHECK(count(svg, "</circle>") == 8);
    CHECK(contains(svg, "<title>training: (5, 0.45)</title>"));
    CHECK(contains(svg, "stroke-dasharray=\"6 4\""));  // the dashed validation series
    CHECK(contains(svg, "<g class=\"bands\">"));
    CHECK(path_points(path_after(svg, "<g class=\"bands\">")) == 6);  // 3 upper + 3 lower
    CHECK(contains(svg, ">early stop</text>"));
    CHECK(contains(svg, "<title>early stop (x = 4)</title>"));
    CHECK(contains(svg, ">target</text>"));
    CHECK(contains(svg, ">epoch</text>"));
}

TEST_CASE("line_chart: crowded events keep their tooltips, labels move to further rows") {
    r::line_chart c;
    c.id = "stream";
    c.series = {{"value", {0, 1000}, {0.1, 0.2}, false, false}};
    for (int i = 0; i < 6; ++i) c.events.push_back({400.0 + 5.0 * i, "alarm " + std::to_string(i), r::tone::error});
    const std::string svg = r::render_svg(c);
    CHECK(count(svg, "stroke-dasharray=\"3 3\"") == 6);  // every event line is drawn
    for (int i = 0; i < 6; ++i) CHECK(contains(svg, "<title>alarm " + std::to_string(i) + " (x = "));
    std::size_t visible = 0;
    for (int i = 0; i < 6; ++i) visible += count(svg, ">alarm " + std::to_string(i) + "</text>");
    CHECK(visible == 3);  // three rows, one label each
}

TEST_CASE("scatter_chart: points, a front sorted by x, highlights") {
    const r::scatter_chart c = sample_scatter();
    const std::string svg = r::render_svg(c);
    // 3 finite of "all", 3 of "front", 1 finite highlight ring (legend dots have no tooltip).
    CHECK(count(svg, "</circle>") == 7);
    const std::string front = path_after(svg, "<g class=\"points\">");
    CHECK(path_points(front) == 3);
    CHECK(front.rfind("M", 0) == 0);
    CHECK(contains(svg, "<title>w=0: (0.3, 0.2)</title>"));
    CHECK(contains(svg, ">chosen</text>"));
    CHECK_FALSE(contains(svg, "invisible"));
    // Front x coordinates increase along the path.
    std::vector<double> xs_drawn;
    std::istringstream in(front);
    char cmd = 0;
    double x = 0.0;
    double y = 0.0;
    char comma = 0;
    while (in >> cmd >> x >> comma >> y) xs_drawn.push_back(x);
    REQUIRE(xs_drawn.size() == 3);
    CHECK(xs_drawn[0] < xs_drawn[1]);
    CHECK(xs_drawn[1] < xs_drawn[2]);
}

TEST_CASE("charts without finite data draw \"no data\"") {
    r::bar_chart b;
    b.title = "nothing";
    b.categories = {"a", "b"};
    b.series = {{"s", {not_a_number, infinity}}};
    const std::string bar = r::render_svg(b);
    CHECK(contains(bar, ">no data</text>"));
    CHECK(count(bar, "<rect") == 0);
    CHECK(contains(r::render_svg(r::bar_chart{}), ">no data</text>"));

    r::line_chart l;
    l.series = {{"s", {1, 2, not_a_number}, {not_a_number, -infinity, 3}, true, false}};
    l.events = {{1.0, "alarm", r::tone::error}};
    CHECK(contains(r::render_svg(l), ">no data</text>"));
    CHECK(contains(r::render_svg(r::line_chart{}), ">no data</text>"));

    r::scatter_chart s;
    s.sets = {{"s", {not_a_number}, {not_a_number}, {}, true}};
    CHECK(contains(r::render_svg(s), ">no data</text>"));
}

TEST_CASE("malformed charts throw invalid_argument naming the chart and the lengths") {
    r::bar_chart b = sample_bars();
    b.series[1].values.pop_back();
    CHECK_THROWS_WITH_AS(r::render_svg(b), "bar_chart 'split-balance': series 'test' has 2 values, expected one per category (3)", mldp::invalid_argument);

    r::line_chart l = sample_lines();
    l.series[1].y.push_back(0.5);
    CHECK_THROWS_WITH_AS(r::render_svg(l), "line_chart 'loss': series 'validation' has 3 x values but 4 y values", mldp::invalid_argument);
    l = sample_lines();
    l.bands[0].upper.pop_back();
    CHECK_THROWS_AS(r::render_svg(l), mldp::invalid_argument);
    l = sample_lines();
    l.bands[0].series = 7;
    CHECK_THROWS_AS(r::render_svg(l), mldp::invalid_argument);

    r::scatter_chart s = sample_scatter();
    s.sets[0].x.pop_back();
    CHECK_THROWS_AS(r::render_svg(s), mldp::invalid_argument);
    s = sample_scatter();
    s.sets[1].labels.pop_back();
    CHECK_THROWS_AS(r::render_svg(s), mldp::invalid_argument);

    r::bar_chart tiny = sample_bars();
    tiny.layout.width = 10.0;
    CHECK_THROWS_AS(r::render_svg(tiny), mldp::invalid_argument);
    tiny.layout.width = not_a_number;
    CHECK_THROWS_AS(r::render_svg(tiny), mldp::invalid_argument);
}

TEST_CASE("hostile strings are escaped in titles, ids, labels, legends, tooltips and tables") {
    r::bar_chart b;
    b.id = hostile;
    b.title = hostile;
    b.categories = {hostile, "ok"};
    b.series = {{hostile, {1.0, 2.0}}};
    b.lines = {{1.5, hostile, r::tone::error}};
    b.x_label = hostile;
    b.y.label = hostile;
    r::line_chart l;
    l.title = hostile;
    l.series = {{hostile, {0, 1}, {0, 1}, true, false}};
    l.bands = {{hostile, {0, 1}, {0, 0}, {1, 1}, std::nullopt}};
    l.events = {{0.5, hostile, r::tone::warning}};
    l.x.label = hostile;
    r::scatter_chart s;
    s.title = hostile;
    s.sets = {{hostile, {0, 1}, {0, 1}, {hostile, hostile}, true}};
    s.highlights = {{0.5, 0.5, hostile, r::tone::ok}};

    for (const std::string& svg : {r::render_svg(b), r::render_svg(l), r::render_svg(s)}) {
        CHECK_FALSE(contains(svg, "<script"));
        CHECK_FALSE(contains(svg, "\"q\""));
        CHECK_FALSE(contains(svg, "'a'"));
        CHECK_FALSE(contains(svg, "& b"));
        CHECK(contains(svg, "&lt;script&gt;alert(1)&lt;/script&gt; &quot;q&quot; &#39;a&#39; &amp; b"));
    }
    CHECK(contains(r::render_svg(b), "data-chart=\"script-alert-1-script-q-a-b\""));

    r::html_document doc(hostile);
    doc.metric_cards({{hostile, hostile, hostile, r::tone::warning}});
    doc.section(hostile, hostile);
    doc.paragraph(hostile);
    doc.note(hostile, r::tone::error);
    doc.key_values({{hostile, hostile}});
    doc.table({hostile, "n"}, {{hostile, "1"}}, {r::tone::error});
    doc.code_block(hostile);
    doc.chart(b, hostile);
    doc.chart(l);
    doc.chart(s);
    doc.section("second");
    const std::string html = doc.render();
    CHECK_FALSE(contains(html, "<script"));
    CHECK_FALSE(contains(html, "\"q\""));
    CHECK(count(html, "&lt;script&gt;alert(1)&lt;/script&gt;") >= 10);
    CHECK(contains(html, "<section id=\"script-alert-1-script-q-a-b\">"));
}

TEST_CASE("rendering is deterministic: the same input gives the same bytes") {
    CHECK(r::render_svg(sample_bars()) == r::render_svg(sample_bars()));
    CHECK(r::render_svg(sample_lines()) == r::render_svg(sample_lines()));
    CHECK(r::render_svg(sample_scatter()) == r::render_svg(sample_scatter()));
    auto build = [] {
        r::html_document doc("Report");
        doc.metric_cards({{"rows", "1 000", "", r::tone::neutral}});
        doc.section("Charts");
        doc.chart(sample_bars(), "caption");
        doc.chart(sample_lines());
        doc.chart(sample_scatter());
        return doc.render();
    };
    CHECK(build() == build());
}

TEST_CASE("html_document: a complete, balanced, script-free document with contents and footer") {
    r::html_document doc("Model report");
    doc.metric_cards({{"Rows", "30 000", "train / validation / test", r::tone::neutral}, {"Drifted", "3", "of 23 features", r::tone::warning}});
    doc.note("Everything passed.", r::tone::ok);
    doc.section("Split balance", "split");
    doc.paragraph("Shares per class.");
    doc.chart(sample_bars(), "Stratified split.");
    doc.key_values({{"seed", "42"}, {"splitter", "stratified"}});
    doc.section("Training");
    doc.chart(sample_lines());
    doc.section("Training");  // same heading: a unique anchor
    doc.chart(sample_scatter());
    doc.table({"feature", "psi", "p-value"}, {{"age", "0.21", "1.2e-5"}, {"income", "0.04", "0.31"}}, {r::tone::error, r::tone::neutral});
    doc.code_block("a < b");
    const std::string html = doc.render();

    CHECK(html.rfind("<!DOCTYPE html>\n<html lang=\"en\">", 0) == 0);
    CHECK(contains(html, "<meta charset=\"utf-8\">"));
    CHECK(contains(html, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"));
    CHECK(contains(html, "<title>Model report</title>"));
    CHECK(contains(html, "@media print"));
    CHECK(contains(html, std::string("mldp ") + mldp::version_string));
    CHECK_FALSE(contains(html, "<script"));
    CHECK(count(html, "http") == count(html, "http://www.w3.org/2000/svg"));  // the SVG namespace is the only URL
    CHECK_FALSE(contains(html, "url("));
    CHECK(balanced(html, {"html", "head", "body", "main", "section", "figure", "figcaption", "svg", "g", "table", "thead", "tbody", "tr", "td",
                          "th", "nav", "ol", "li", "div", "pre", "text", "title", "rect"}));
    CHECK(count(html, "<svg class=\"mldp-chart\"") == 3);
    CHECK(count(html, "<figure>") == 3);
    CHECK(count(html, "<figcaption") == 3);
    CHECK(contains(html, "<figcaption>Stratified split.</figcaption>"));
    CHECK(count(html, "<section id=") == 3);
    CHECK(contains(html, "<section id=\"split\">"));
    CHECK(contains(html, "<section id=\"training\">"));
    CHECK(contains(html, "<section id=\"training-2\">"));
    CHECK(contains(html, "<a href=\"#training-2\">Training</a>"));
    CHECK(contains(html, "<td class=\"num\">1.2e-5</td>"));
    CHECK(contains(html, "<th scope=\"col\" class=\"num\">psi</th>"));
    CHECK(contains(html, "<td>age</td>"));
    CHECK(contains(html, "<tr class=\"tone-error\">"));
    CHECK(contains(html, "<div class=\"note tone-ok\" role=\"note\"><span class=\"note-label\">OK</span>Everything passed.</div>"));
    CHECK(contains(html, "<div class=\"card tone-warning\">"));
    CHECK(contains(html, "<pre><code>a &lt; b</code></pre>"));
    // The metric cards come before the contents, the contents before the first section.
    CHECK(html.find("class=\"cards\"") < html.find("<nav class=\"toc\""));
    CHECK(html.find("<nav class=\"toc\"") < html.find("<section"));

    r::html_document single("One section");
    single.section("Only");
    CHECK_FALSE(contains(single.render(), "<nav"));
}

TEST_CASE("html_document::table: numeric cells, malformed rows and tones throw") {
    r::html_document doc("t");
    CHECK_THROWS_WITH_AS(doc.table({"a", "b"}, {{"1", "2"}, {"3"}}), "html_document::table: row 1 has 1 cells, the header has 2", mldp::invalid_argument);
    CHECK_THROWS_AS(doc.table({"a"}, {{"1"}, {"2"}}, {r::tone::ok}), mldp::invalid_argument);
    doc.table({"text", "number"}, {{"x", "1,204"}, {"1.2.3", "-4.5%"}, {"-", "nan"}, {"1e", "12 408"}, {"", "\xE2\x88\x92" "3"}});
    const std::string html = doc.render();
    for (const char* cell : {"1,204", "-4.5%", "nan", "12 408", "\xE2\x88\x92" "3"}) CHECK(contains(html, std::string("<td class=\"num\">") + cell + "</td>"));
    for (const char* cell : {"x", "1.2.3", "-", "1e", ""}) CHECK(contains(html, std::string("<td>") + cell + "</td>"));
    CHECK(contains(html, "<th scope=\"col\">text</th>"));
    CHECK(contains(html, "<th scope=\"col\" class=\"num\">number</th>"));
}

TEST_CASE("html_document::save writes render() and throws mldp::error with the path when it cannot") {
    r::html_document doc("Saved");
    doc.paragraph("hello");
    const std::filesystem::path path = std::filesystem::temp_directory_path() / "mldp_report_html_test.html";
    doc.save(path.string());
    std::ifstream in(path, std::ios::binary);
    const std::string back((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    in.close();
    CHECK(back == doc.render());
    std::filesystem::remove(path);

    const std::string missing = "/nonexistent-mldp-dir/sub/report.html";
    CHECK_THROWS_AS(doc.save(missing), mldp::error);
    try {
        doc.save(missing);
    } catch (const mldp::error& e) {
        CHECK(contains(e.what(), missing));
        CHECK(contains(e.what(), "cannot open"));
    }
    // A directory cannot be opened for writing, even by root.
    CHECK_THROWS_AS(doc.save(std::filesystem::temp_directory_path().string()), mldp::error);
}

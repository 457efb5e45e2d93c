// mldp — one self-contained HTML report: headings with a table of contents, paragraphs, callouts,
// summary tables, metric cards, code blocks and the inline SVG charts of mldp/report/svg.hpp.
//
// The document needs nothing but a browser: the CSS is inline, the charts are SVG, and there is no
// script, web font, image or link to anything outside the file. It prints cleanly (@media print
// keeps figures, cards and table rows whole), reflows from phone to desktop width, and every string
// the caller gives is escaped. Rendering is deterministic: the same calls give the same bytes (no
// clock, no random ids), so a report can be pinned in a test or diffed between runs.
#pragma once

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "mldp/core/error.hpp"
#include "mldp/report/svg.hpp"
#include "mldp/version.hpp"

namespace mldp::report {

/// A big-number card of the summary row at the top of a report ("rows checked", "12 408", "3 %
/// missing", warning).
struct metric_card {
    std::string label;
    std::string value;
    std::string detail;
    report::tone tone = report::tone::neutral;
};

namespace detail {

// True for text a reader takes as a number (right-aligned in tables): optional sign, digits with
// optional thousands separators (',', '_', ' ', U+2009 thin space), optional fraction and exponent,
// an optional '%' or unit-free suffix "x"; also nan, inf and the em dash that marks a missing value.
inline bool html_numeric(std::string_view s) noexcept {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    if (s.empty()) return false;
    if (s == "nan" || s == "NaN" || s == "inf" || s == "-inf" || s == "+inf" || s == "\xE2\x80\x94") return true;
    std::size_t i = 0;
    auto digit = [&](std::size_t k) { return k < s.size() && s[k] >= '0' && s[k] <= '9'; };
    if (s[i] == '+' || s[i] == '-') {
        ++i;
    } else if (s.substr(0, 3) == "\xE2\x88\x92") {  // U+2212 minus sign
        i += 3;
    }
    std::size_t digits = 0;
    while (i < s.size()) {
        if (digit(i)) {
            ++digits;
            ++i;
        } else if ((s[i] == ',' || s[i] == '_' || s[i] == ' ') && digits > 0 && digit(i + 1)) {
            ++i;
        } else if (s.substr(i, 3) == "\xE2\x80\x89" && digits > 0 && digit(i + 3)) {
            i += 3;
        } else {
            break;
        }
    }
    if (i < s.size() && s[i] == '.') {
        ++i;
        while (digit(i)) {
            ++digits;
            ++i;
        }
    }
    if (digits == 0) return false;
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        std::size_t j = i + 1;
        if (j < s.size() && (s[j] == '+' || s[j] == '-')) ++j;
        if (!digit(j)) return false;
        while (digit(j)) ++j;
        i = j;
    }
    if (i < s.size() && (s[i] == '%' || s[i] == 'x')) ++i;
    return i == s.size();
}

inline std::string_view html_tone_label(tone t) noexcept {
    switch (t) {
        case tone::ok: return "OK";
        case tone::info: return "Note";
        case tone::warning: return "Warning";
        case tone::error: return "Error";
        case tone::neutral: break;
    }
    return "";
}

// Colours are Okabe-Ito (as in the charts); tinted backgrounds are those colours at about 12 % on
// white, and text colours are darkened to a contrast of 4.5:1 or more.
inline constexpr std::string_view html_css = R"css(
:root{--ink:#1F2937;--muted:#4B5563;--faint:#6B7280;--line:#E5E7EB;--panel:#F9FAFB;--page:#F3F4F6;--link:#005A8C;
--accent:#6B7280;--tint:#F3F4F6;--accent-text:#374151}
.tone-ok{--accent:#009E73;--tint:#E3F4EE;--accent-text:#00704F}
.tone-info{--accent:#0072B2;--tint:#E3EFF7;--accent-text:#005A8C}
.tone-warning{--accent:#E69F00;--tint:#FCF1DA;--accent-text:#8A5A00}
.tone-error{--accent:#D55E00;--tint:#FAE8DC;--accent-text:#A84300}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:var(--page);color:var(--ink);font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
.mldp-report{max-width:1080px;margin:0 auto;padding:36px 40px 28px;background:#FFFFFF;min-height:100vh}
header h1{font-size:28px;line-height:1.2;margin:0 0 6px;letter-spacing:-.01em}
header{margin-bottom:20px}
h2{font-size:20px;line-height:1.3;margin:0 0 14px;padding-bottom:6px;border-bottom:1px solid var(--line)}
section{margin:40px 0 0}
p{margin:0 0 12px;max-width:78ch}
a{color:var(--link)}
nav.toc{background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:12px 18px;margin:20px 0}
nav.toc h2{font-size:13px;text-transform:uppercase;letter-spacing:.06em;color:var(--faint);border:0;margin:0 0 6px;padding:0}
nav.toc ol{margin:0;padding-left:22px;columns:2 260px;column-gap:32px}
nav.toc li{margin:2px 0;break-inside:avoid}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(190px,1fr));gap:12px;margin:18px 0}
.card{border:1px solid var(--line);border-top:4px solid var(--accent);border-radius:8px;padding:12px 16px 14px;background:#FFFFFF}
.card-label{font-size:12px;font-weight:600;text-transform:uppercase;letter-spacing:.05em;color:var(--faint)}
.card-value{font-size:30px;font-weight:650;line-height:1.2;margin:6px 0 2px;font-variant-numeric:tabular-nums;color:var(--ink);overflow-wrap:anywhere}
.card-detail{font-size:13px;color:var(--accent-text)}
.note{border-left:4px solid var(--accent);background:var(--tint);border-radius:0 6px 6px 0;padding:10px 14px;margin:12px 0;max-width:78ch}
.note-label{font-weight:650;color:var(--accent-text);margin-right:6px}
.table-wrap{overflow-x:auto;margin:12px 0 18px}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{padding:6px 12px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top;overflow-wrap:break-word}
thead th{font-weight:600;font-size:13px;color:var(--muted);background:var(--panel);border-bottom:2px solid #D1D5DB}
th.num,td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tbody tr.tone-ok,tbody tr.tone-info,tbody tr.tone-warning,tbody tr.tone-error{background:var(--tint)}
tbody tr.tone-ok td:first-child,tbody tr.tone-info td:first-child,tbody tr.tone-warning td:first-child,tbody tr.tone-error td:first-child{box-shadow:inset 4px 0 0 var(--accent)}
table.kv{width:auto;min-width:50%}
table.kv th{font-weight:600;color:var(--muted);white-space:nowrap;padding-right:28px}
figure{margin:16px 0 22px;padding:14px 14px 10px;border:1px solid var(--line);border-radius:8px;background:#FFFFFF}
figure svg{display:block;width:100%;height:auto}
figcaption{font-size:13px;color:var(--muted);margin:8px 2px 0}
.visually-hidden{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
pre{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:12px 14px;margin:12px 0;overflow-x:auto;font:13px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;white-space:pre-wrap;overflow-wrap:anywhere}
footer{margin-top:48px;padding-top:12px;border-top:1px solid var(--line);font-size:12px;color:var(--faint)}
@media (max-width:640px){.mldp-report{padding:18px 16px}header h1{font-size:23px}.card-value{font-size:24px}figure{padding:6px}th,td{padding:5px 8px}}
@media print{
@page{margin:14mm}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{background:#FFFFFF;font-size:10.5pt}
.mldp-report{max-width:none;padding:0;min-height:0}
a{color:inherit;text-decoration:none}
h2{break-after:avoid}
figure,.card,.note,pre,tr,table.kv{break-inside:avoid}
.table-wrap{overflow:visible}
nav.toc ol{columns:2}
}
)css";

}  // namespace detail

/// Builds one report page block by block, then renders it to a complete HTML document.
///
/// Blocks added before the first section() go under the title (metric cards, an overview note);
/// each section() starts a <section> with a heading and an entry in the table of contents (shown
/// when there are two sections or more). Every text argument is plain text: it is escaped, never
/// interpreted as markup. All methods return *this for chaining. No output contains <script>.
class html_document {
public:
    /// A document titled `title` (the <h1> and the <title>).
    explicit html_document(std::string title) : title_(std::move(title)) { sections_.emplace_back(); }

    /// Starts a section headed `heading`. Its anchor is `id` (or the heading) sanitized to
    /// [a-z0-9-], made unique with a "-2", "-3", ... suffix.
    html_document& section(std::string heading, std::string id = "") {
        std::string base = sanitize_id(id.empty() ? std::string_view(heading) : std::string_view(id), "section");
        std::string unique = base;
        for (std::size_t k = 2; taken(unique); ++k) unique = base + "-" + std::to_string(k);
        sections_.push_back(section_data{std::move(heading), std::move(unique), {}});
        return *this;
    }

    /// A paragraph of plain text.
    html_document& paragraph(std::string_view text) {
        add("<p>" + escape_xml(text) + "</p>\n");
        return *this;
    }

    /// A callout; its tone gives the colour and a leading word (OK, Note, Warning, Error), so the
    /// meaning survives grey-scale printing.
    html_document& note(std::string_view text, tone t = tone::info) {
        std::string b = fmt::format("<div class=\"note tone-{}\" role=\"note\">", to_string(t));
        const std::string_view label = detail::html_tone_label(t);
        if (!label.empty()) b += fmt::format("<span class=\"note-label\">{}</span>", label);
        b += escape_xml(text) + "</div>\n";
        add(b);
        return *this;
    }

    /// A two-column summary table: one row per (key, value).
    html_document& key_values(const std::vector<std::pair<std::string, std::string>>& items) {
        std::string b = "<div class=\"table-wrap\"><table class=\"kv\"><tbody>\n";
        for (const auto& [k, v] : items) {
            b += fmt::format("<tr><th scope=\"row\">{}</th><td>{}</td></tr>\n", escape_xml(k), escape_xml(v));
        }
        b += "</tbody></table></div>\n";
        add(b);
        return *this;
    }

    /// A table with a header row. Cells that read as numbers are right-aligned with tabular digits
    /// (a header cell follows its column when every body cell of it is numeric). `row_tones`, when
    /// not empty, gives each row a tone (a tinted row with a coloured left edge). Throws
    /// mldp::invalid_argument when a row has a cell count other than the header's, or row_tones is
    /// neither empty nor one per row.
    html_document& table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                         const std::vector<tone>& row_tones = {}) {
        for (std::size_t r = 0; r < rows.size(); ++r) {
            if (rows[r].size() != header.size()) {
                throw invalid_argument(fmt::format("html_document::table: row {} has {} cells, the header has {}", r, rows[r].size(), header.size()));
            }
        }
        if (!row_tones.empty() && row_tones.size() != rows.size()) {
            throw invalid_argument(fmt::format("html_document::table: {} row tones for {} rows (give one per row, or none)", row_tones.size(), rows.size()));
        }
        std::vector<bool> numeric_column(header.size(), !rows.empty());
        for (const auto& row : rows) {
            for (std::size_t j = 0; j < row.size(); ++j) {
                if (!detail::html_numeric(row[j])) numeric_column[j] = false;
            }
        }
        std::string b = "<div class=\"table-wrap\"><table>\n";
        if (!header.empty()) {
            b += "<thead><tr>";
            for (std::size_t j = 0; j < header.size(); ++j) {
                b += fmt::format("<th scope=\"col\"{}>{}</th>", numeric_column[j] ? " class=\"num\"" : "", escape_xml(header[j]));
            }
            b += "</tr></thead>\n";
        }
        b += "<tbody>\n";
        for (std::size_t r = 0; r < rows.size(); ++r) {
            const tone t = row_tones.empty() ? tone::neutral : row_tones[r];
            b += t == tone::neutral ? std::string("<tr>") : fmt::format("<tr class=\"tone-{}\">", to_string(t));
            for (const auto& cell : rows[r]) {
                b += fmt::format("<td{}>{}</td>", detail::html_numeric(cell) ? " class=\"num\"" : "", escape_xml(cell));
            }
            b += "</tr>\n";
        }
        b += "</tbody></table></div>\n";
        add(b);
        return *this;
    }

    /// A row of big-number cards (wraps on narrow screens).
    html_document& metric_cards(const std::vector<metric_card>& cards) {
        std::string b = "<div class=\"cards\">\n";
        for (const auto& c : cards) {
            b += fmt::format("<div class=\"card tone-{}\"><div class=\"card-label\">{}</div><div class=\"card-value\">{}</div>", to_string(c.tone),
                             escape_xml(c.label), escape_xml(c.value));
            if (!c.detail.empty()) b += fmt::format("<div class=\"card-detail\">{}</div>", escape_xml(c.detail));
            b += "</div>\n";
        }
        b += "</div>\n";
        add(b);
        return *this;
    }

    /// A chart in a <figure>; the <figcaption> is `caption`. Without a caption it holds the chart's
    /// title for screen readers only (the title is drawn in the chart already). Throws what
    /// render_svg throws.
    html_document& chart(const bar_chart& c, std::string_view caption = "") { return figure(render_svg(c), c.title, caption); }
    html_document& chart(const line_chart& c, std::string_view caption = "") { return figure(render_svg(c), c.title, caption); }
    html_document& chart(const scatter_chart& c, std::string_view caption = "") { return figure(render_svg(c), c.title, caption); }

    /// Preformatted text (a command line, a configuration, a text report from fmt).
    html_document& code_block(std::string_view text) {
        add("<pre><code>" + escape_xml(text) + "</code></pre>\n");
        return *this;
    }

    /// The complete document: <!DOCTYPE html>, inline CSS, the title, the blocks before the first
    /// section, the table of contents, the sections and a footer naming the mldp version.
    std::string render() const {
        std::string out;
        const std::string title = escape_xml(title_);
        fmt::format_to(std::back_inserter(out),
                       "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                       "<meta name=\"generator\" content=\"mldp {}\">\n<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n"
                       "<main class=\"mldp-report\">\n<header><h1>{}</h1></header>\n",
                       version_string, title, detail::html_css, title);
        for (const auto& b : sections_.front().blocks) out += b;
        if (sections_.size() > 2) {
            out += "<nav class=\"toc\" aria-label=\"Contents\"><h2>Contents</h2><ol>\n";
            for (std::size_t i = 1; i < sections_.size(); ++i) {
                fmt::format_to(std::back_inserter(out), "<li><a href=\"#{}\">{}</a></li>\n", sections_[i].id, escape_xml(sections_[i].heading));
            }
            out += "</ol></nav>\n";
        }
        for (std::size_t i = 1; i < sections_.size(); ++i) {
            const auto& s = sections_[i];
            fmt::format_to(std::back_inserter(out), "<section id=\"{}\">\n<h2>{}</h2>\n", s.id, escape_xml(s.heading));
            for (const auto& b : s.blocks) out += b;
            out += "</section>\n";
        }
        fmt::format_to(std::back_inserter(out), "<footer>Generated by mldp {}</footer>\n</main>\n</body>\n</html>\n", version_string);
        return out;
    }

    /// Writes render() to `path` (replacing the file). Throws mldp::error with the path and the
    /// system's reason when the file cannot be opened or written.
    void save(const std::string& path) const {
        const std::string text = render();
        std::FILE* f = std::fopen(path.c_str(), "wb");
        if (f == nullptr) {
            const int err = errno;
            throw error(fmt::format("html_document::save: cannot open '{}' for writing: {}", path, std::strerror(err)));
        }
        const std::size_t written = std::fwrite(text.data(), 1, text.size(), f);
        const int write_err = errno;
        const bool closed = std::fclose(f) == 0;
        if (written != text.size() || !closed) {
            const int err = written != text.size() ? write_err : errno;
            throw error(fmt::format("html_document::save: cannot write '{}': {}", path, std::strerror(err)));
        }
    }

private:
    struct section_data {
        std::string heading;
        std::string id;
        std::vector<std::string> blocks;
    };

    bool taken(const std::string& id) const {
        for (const auto& s : sections_) {
            if (s.id == id) return true;
        }
        return false;
    }

    void add(std::string block) { sections_.back().blocks.push_back(std::move(block)); }

    html_document& figure(const std::string& svg, std::string_view title, std::string_view caption) {
        std::string b = "<figure>\n" + svg;
        if (!caption.empty()) {
            b += "<figcaption>" + escape_xml(caption) + "</figcaption>\n";
        } else if (!title.empty()) {
            b += "<figcaption class=\"visually-hidden\">" + escape_xml(title) + "</figcaption>\n";
        }
        b += "</figure>\n";
        add(b);
        return *this;
    }

    std::string title_;
    std::vector<section_data> sections_;  // [0]: the blocks before the first section
};

}  // namespace mldp::report

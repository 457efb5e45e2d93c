// mldp's end-to-end demo: scripts/demo runs it on the bundled Breast Cancer Wisconsin data; give it
// your own CSV and column names to run it on yours:
//
//   pipeline [data.csv] [--label COL] [--positive CLASS] [--key COL] [--slice COL]
//            [--scale-feature COL] [--shift-feature COL] [--seed N] [--recall-floor R] [--out DIR]
//
// It prints a short summary (coloured on a terminal, with progress bars on the long steps) and writes
// DIR/report.json and DIR/report.html (DIR defaults to the current directory) (self-contained: open it in any browser, offline).
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/color.h>
#include <fmt/format.h>

#include <mldp/io/csv.hpp>

#include "pipeline.hpp"
#include "pipeline_html.hpp"
#include "pipeline_json.hpp"

#ifndef MLDP_EXAMPLE_DATA
#define MLDP_EXAMPLE_DATA "examples/data"
#endif

namespace {

struct console {
    bool color = false;
    bool tty_err = false;

    template <class... A>
    void say(fmt::text_style style, fmt::format_string<A...> f, A&&... a) const {
        const std::string s = fmt::format(f, std::forward<A>(a)...);
        if (color) fmt::print(style, "{}", s);
        else fmt::print("{}", s);
    }
    void verdict(bool good, const std::string& text) const {
        say(good ? fmt::fg(fmt::terminal_color::green) : fmt::fg(fmt::terminal_color::yellow) | fmt::emphasis::bold, "{}", text);
    }
    void heading(const std::string& text) const { say(fmt::emphasis::bold, "\n{}\n", text); }
};

// A one-line progress bar on stderr, drawn only when stderr is a terminal.
mldp::progress_fn progress_bar(const console& c) {
    if (!c.tty_err) return {};
    return [](const mldp::progress_event& e) {
        const std::size_t width = 30;
        const std::size_t filled = e.total && e.done < e.total ? e.done * width / e.total : width;
        fmt::print(stderr, "\r  {:<24} [{}{}] {}/{}", e.task, std::string(filled, '#'), std::string(width - filled, '.'), e.done, e.total);
        if (e.done >= e.total) fmt::print(stderr, "\r{:80}\r", "");
        std::fflush(stderr);
    };
}

constexpr const char* usage_text =
    "usage: pipeline [data.csv --label COL] [--positive CLASS] [--key COL] [--slice COL] [--delimiter C]\n"
    "                [--scale-feature COL] [--shift-feature COL] [--seed N] [--recall-floor R] [--out DIR]\n"
    "With no file, runs on the bundled Breast Cancer Wisconsin data.\n";

int usage(const std::string& why) {
    fmt::print(stderr, "pipeline: {}\n{}", why, usage_text);
    return 2;
}

// Clears a half-drawn progress bar before an error message.
void clear_progress_line(const console& c) {
    if (c.tty_err) fmt::print(stderr, "\r{:80}\r", "");
}

std::string pct(double x) { return std::isnan(x) ? std::string("n/a") : fmt::format("{:.1f}%", 100.0 * x); }

}  // namespace

int main(int argc, char** argv) {
    pipeline::options o;
    std::string out_dir = ".";
    bool bundled = true;
    mldp::io::csv_options csv;
    bool label_given = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--help" || a == "-h") {
            fmt::print("{}", usage_text);
            return 0;
        }
        if (a.rfind("--", 0) == 0) {
            if (i + 1 >= argc) return usage("option " + a + " needs a value");
            const std::string v = argv[++i];
            char* end = nullptr;
            if (a == "--label") {
                o.label = v;
                label_given = true;
            } else if (a == "--positive") o.positive = v;
            else if (a == "--key") o.key = v;
            else if (a == "--slice") o.slice = v;
            else if (a == "--scale-feature") o.scale_feature = v;
            else if (a == "--shift-feature") o.shift_feature = v;
            else if (a == "--out") out_dir = v;
            else if (a == "--delimiter") {
                if (v.size() != 1 && v != "\\t") return usage("--delimiter takes one character (or \\t), got '" + v + "'");
                csv.delimiter = v == "\\t" ? '\t' : v[0];
            } else if (a == "--seed") {
                errno = 0;
                o.seed = std::strtoull(v.c_str(), &end, 10);
                if (v.empty() || v[0] == '-' || *end != '\0' || errno == ERANGE) return usage("--seed takes an unsigned integer, got '" + v + "'");
            } else if (a == "--recall-floor") {
                o.recall_floor = std::strtod(v.c_str(), &end);
                if (v.empty() || *end != '\0' || !(o.recall_floor > 0.0 && o.recall_floor <= 1.0)) {
                    return usage("--recall-floor takes a number in (0, 1], got '" + v + "'");
                }
            } else {
                return usage("unknown option " + a);
            }
        } else if (o.csv.empty()) {
            o.csv = a;
            bundled = false;
        } else {
            return usage("more than one input file");
        }
    }
    if (bundled) {
        // The bundled data's columns, where the command line did not name others.
        o.csv = std::string(MLDP_EXAMPLE_DATA) + "/breast_cancer_wisconsin.csv";
        if (o.positive.empty() && o.label == "diagnosis") o.positive = "malignant";
        if (o.key.empty()) o.key = "case";
        if (o.slice.empty()) o.slice = "mean_radius";
        if (o.scale_feature.empty()) o.scale_feature = "mean_texture";
        if (o.shift_feature.empty()) o.shift_feature = "mean_smoothness";
    } else if (!label_given) {
        return usage("name the label column of " + o.csv + " with --label");
    }
    // The label and the key are identifiers, read as text even when they look like numbers (0/1
    // labels, ids beyond 2^53 or with leading zeros).
    csv.kinds.push_back({o.label, mldp::column_kind::categorical});
    if (!o.key.empty() && o.key != o.label) csv.kinds.push_back({o.key, mldp::column_kind::categorical});

    console c;
    c.color = isatty(fileno(stdout)) != 0 && std::getenv("NO_COLOR") == nullptr;
    c.tty_err = isatty(fileno(stderr)) != 0;
    const auto progress = progress_bar(c);
    const auto started = std::chrono::steady_clock::now();

    pipeline::result r;
    try {
        mldp::frame f = mldp::io::read_csv(o.csv, csv);
        r = pipeline::run(std::move(f), o.csv, o, progress);
    } catch (const std::exception& e) {
        clear_progress_line(c);
        fmt::print(stderr, "pipeline: {}\n", e.what());
        return 1;
    }

    c.say(fmt::emphasis::bold, "mldp {} end-to-end pipeline\n", mldp::version_string);
    fmt::print("data: {} ({} rows, {} numeric features); label '{}', positive class '{}'; key {}\n", r.source, r.data.frame.rows(),
               r.data.features.size(), o.label, r.data.positive, r.data.key_column.empty() ? "(row number)" : "'" + r.data.key_column + "'");
    if (!r.data.ignored.empty()) {
        fmt::print("   not used by the model (not numeric: a value that is not a number makes a column categorical): {}\n",
                   fmt::join(r.data.ignored, ", "));
    }

    // 1. Split
    const auto& m = r.split.manifest;
    c.heading("1. Split: stratified by label, rows ranked by a seeded hash of their key");
    fmt::print("   train {}, validation {}, test {}; digest {:016x} (seed {})\n", m.train, m.validation, m.test, m.digest, o.seed);
    for (const auto& l : r.split.report.labels) {
        fmt::print("   {:<12} overall {:>6}  train {:>6}  validation {:>6}  test {:>6}\n", l.label, pct(l.overall), pct(l.train),
                   pct(l.validation), pct(l.test));
    }
    fmt::print("   check_split: ");
    c.verdict(r.split.report.result == mldp::split::verdict::pass, mldp::split::to_string(r.split.report.result));
    std::size_t differing = 0;
    for (const auto& f : r.split.report.features) differing += f.differs ? 1 : 0;
    fmt::print(" ({} feature comparisons, {} differ; leaks: {})\n", r.split.report.features.size(), differing, r.split.report.leaks.size());

    // 2. Quality
    c.heading("2. Quality: schema inferred from the training rows, validated on every row");
    std::size_t failed = 0, warnings = 0, infos = 0;
    for (const auto& f : r.quality.report.findings) {
        if (f.passed) continue;
        if (f.severity == mldp::quality::severity::error) ++failed;
        else if (f.severity == mldp::quality::severity::warning) ++warnings;
        else ++infos;
    }
    fmt::print("   {} checks over {} rows: ", r.quality.report.checks, r.quality.report.rows);
    c.verdict(failed == 0, fmt::format("{} errors", failed));
    fmt::print(", {} warnings, {} notes\n", warnings, infos);
    std::size_t shown = 0;
    for (const auto& f : r.quality.report.findings) {
        if (f.passed || shown == 6) continue;
        ++shown;
        fmt::print("   - [{}] {}\n", mldp::quality::to_string(f.severity), f.message);
    }

    // 3. Training
    const auto& t = r.training;
    const auto& best = t.sweep[t.chosen];
    c.heading("3. Training: logistic regression, accuracy vs missed positives, weight sweep");
    fmt::print("   lambda  epochs  val loss (all)  val loss ({})  Pareto  val accuracy at the recall floor\n", r.data.positive);
    for (std::size_t i = 0; i < t.sweep.size(); ++i) {
        const auto& s = t.sweep[i];
        const bool front = std::find(t.front.begin(), t.front.end(), i) != t.front.end();
        fmt::print("   {:>6.2f}  {:>6}  {:>14.4f}  {:>{}.4f}  {:^6}  {}{}\n", s.lambda, s.epochs, s.validation_loss_all, s.validation_loss_positive,
                   13 + r.data.positive.size(), front ? "*" : "", s.at_floor.feasible ? pct(s.at_floor.point.accuracy()) : "floor not met",
                   i == t.chosen ? "  <- chosen" : "");
    }
    if (!t.data.unused.empty()) {
        fmt::print("   features without two distinct finite training values, left out: {}\n", fmt::join(t.data.unused, ", "));
    }
    fmt::print("   hypervolume of the front {:.4f} (reference ({:.4g}, {:.4g})); chosen lambda {:.2f} (best validation accuracy with\n"
               "   recall >= {}, ties to the larger lambda),\n",
               t.hypervolume, t.reference[0], t.reference[1], best.lambda, pct(o.recall_floor));
    fmt::print("   early stopping kept epoch {} of {}; threshold {:.4f}\n", best.best_epoch + 1, best.epochs, t.threshold);
    const auto& tp = t.test_at_threshold;
    fmt::print("   test at the threshold: accuracy {}, recall ", pct(tp.accuracy()));
    c.verdict(tp.recall() >= o.recall_floor, pct(tp.recall()));
    fmt::print(", precision {}; missed positives {} of {}\n", pct(tp.precision()), tp.fn, tp.tp + tp.fn);
    fmt::print("   (at 0.5 instead: accuracy {}, recall {}, missed {})\n", pct(t.test_at_half.accuracy()), pct(t.test_at_half.recall()),
               t.test_at_half.fn);

    // 4. Slices
    c.heading("4. Sliced metrics on the test rows, by " + r.slices.column);
    for (const auto& s : r.slices.report.slices) {
        fmt::print("   {:<28} n {:>4}  accuracy {:>6}  recall {:>6}  AUC {:.3f}{}\n", s.slice, s.count, pct(s.accuracy), pct(s.recall),
                   s.roc_auc, s.too_small ? "  (too small to judge)" : "");
    }
    for (const auto& w : r.slices.report.worst) {
        if (w.found && w.metric == "recall") fmt::print("   worst recall: {} ({}, {:+.1f} points)\n", w.slice, pct(w.value), 100.0 * w.gap);
    }

    // 5. Drift
    const auto& d = r.drift;
    c.heading("5. Drift: held-out rows streamed; from row " + std::to_string(d.change_at) + " '" + d.scaled + "' is x" +
              fmt::format("{:g}", d.scale) + " and '" + d.shifted + "' +" + fmt::format("{:.4g}", d.shift));
    for (std::size_t w = 0; w < d.windows.size(); ++w) {
        std::vector<std::string> flagged;
        for (const auto& col : d.windows[w].columns) {
            if (col.drift) flagged.push_back(col.column);
        }
        fmt::print("   rows {:>5}-{:<5} ", w * d.window, (w + 1) * d.window - 1);
        if (flagged.empty()) c.verdict(true, "no drift");
        else c.verdict(false, fmt::format("drift in {}", fmt::join(flagged, ", ")));
        fmt::print("\n");
    }
    for (const auto& a : d.alarms) fmt::print("   alarm: {} at row {}\n", a.detector, a.row);
    if (d.alarms.empty()) fmt::print("   no streaming detector fired\n");
    fmt::print("   model accuracy on the stream: {} before the change, {} after\n", pct(d.accuracy_before), pct(d.accuracy_after));

    // 6. Seed sweep
    const auto& s = r.sweep.accuracy;
    c.heading("6. Seed sweep: split, initialisation and batch order redrawn " + std::to_string(s.values.size()) + " times");
    fmt::print("   test accuracy {:.1f}% +- {:.1f} (sd); 95% CI [{:.1f}%, {:.1f}%]; best {:.1f}%, worst {:.1f}%\n", 100 * s.mean, 100 * s.sd,
               100 * s.ci_low, 100 * s.ci_high, 100 * s.best, 100 * s.worst);
    fmt::print("   {}\n", s.message);

    // Reports
    const nlohmann::json j = pipeline::to_json(r, o);
    const std::string json_path = out_dir + "/report.json", html_path = out_dir + "/report.html";
    try {
        std::error_code ec;
        std::filesystem::create_directories(out_dir, ec);
        if (ec) throw mldp::error(fmt::format("cannot create the directory {}: {}", out_dir, ec.message()));
        std::ofstream js(json_path, std::ios::binary);
        if (!js) throw mldp::error(fmt::format("cannot write {}: {}", json_path, std::strerror(errno)));
        // Text from the CSV that is not valid UTF-8 becomes U+FFFD rather than an exception.
        js << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
        js.close();
        if (!js) throw mldp::error(fmt::format("cannot write {} (disk full?)", json_path));
        pipeline::html_report(r, o).save(html_path);
    } catch (const std::exception& e) {
        fmt::print(stderr, "pipeline: {}\n", e.what());
        return 1;
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    c.heading("Reports");
    fmt::print("   {}\n   {}\n   (finished in {:.2f} s)\n", json_path, html_path, secs);
    return 0;
}

// report.html of the pipeline, drawn with mldp::report: metric cards, then one section per step with
// its charts and tables. Self-contained (inline CSS and SVG, no scripts), deterministic.
#pragma once

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <mldp/report/html.hpp>
#include <mldp/report/svg.hpp>

#include "pipeline.hpp"

namespace pipeline {

namespace rep = mldp::report;

inline std::string pct1(double x) { return std::isnan(x) ? std::string("n/a") : fmt::format("{:.1f}%", 100.0 * x); }

/// Mean of the finite values among v[i - w + 1 .. i] (fewer at the start; NaN when none is finite):
/// the stream charts smooth single rows.
inline std::vector<double> rolling_mean(const std::vector<double>& v, std::size_t w) {
    std::vector<double> out(v.size());
    double s = 0.0;
    std::size_t n = 0;
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (std::isfinite(v[i])) {
            s += v[i];
            ++n;
        }
        if (i >= w && std::isfinite(v[i - w])) {
            s -= v[i - w];
            --n;
        }
        out[i] = n ? s / static_cast<double>(n) : std::nan("");
    }
    return out;
}

inline rep::html_document html_report(const result& r, const options& o) {
    const auto& t = r.training;
    const auto& best = t.sweep[t.chosen];
    const auto& tp = t.test_at_threshold;
    rep::html_document doc("mldp pipeline report");

    std::size_t errors = 0, warnings = 0, notes = 0;
    for (const auto& f : r.quality.report.findings) {
        if (f.passed) continue;
        if (f.severity == mldp::quality::severity::error) ++errors;
        else if (f.severity == mldp::quality::severity::warning) ++warnings;
        else ++notes;
    }
    std::size_t drifted_windows = 0;
    for (const auto& w : r.drift.windows) drifted_windows += w.drifted > 0 ? 1 : 0;

    doc.paragraph(fmt::format("Data: {} ({} rows, {} numeric features). Label '{}', positive class '{}'. Seed {}.", r.source,
                              r.data.frame.rows(), r.data.features.size(), o.label, r.data.positive, o.seed));
    doc.metric_cards({
        {"split check", mldp::split::to_string(r.split.report.result), fmt::format("digest {:016x}", r.split.manifest.digest),
         r.split.report.result == mldp::split::verdict::pass ? rep::tone::ok : rep::tone::warning},
        {"quality", fmt::format("{} errors", errors), fmt::format("{} warnings, {} notes", warnings, notes),
         errors ? rep::tone::error : warnings ? rep::tone::warning : rep::tone::ok},
        {"test recall", pct1(tp.recall()), fmt::format("floor {} on validation", pct1(o.recall_floor)),
         tp.recall() >= o.recall_floor ? rep::tone::ok : rep::tone::warning},
        {"test accuracy", pct1(tp.accuracy()), fmt::format("threshold {:.3f}", t.threshold), rep::tone::neutral},
        {"drift", fmt::format("{} of {} windows", drifted_windows, r.drift.windows.size()),
         fmt::format("change at row {}", r.drift.change_at), drifted_windows ? rep::tone::warning : rep::tone::ok},
        {"seed sweep", fmt::format("{:.1f}% \u00b1 {:.1f}", 100 * r.sweep.accuracy.mean, 100 * r.sweep.accuracy.sd),
         fmt::format("{} seeds, test accuracy", r.sweep.accuracy.values.size()), rep::tone::neutral},
    });

    // 1. Split
    doc.section("1. Split", "split");
    doc.paragraph(fmt::format("Stratified by '{}'; within each class rows are ranked by a seeded hash of their key ({}), so the "
                              "assignment depends only on the (label, key) pairs and the seed.",
                              o.label, r.data.key_column.empty() ? "the row number" : "'" + r.data.key_column + "'"));
    doc.key_values({{"train / validation / test", fmt::format("{} / {} / {}", r.split.manifest.train, r.split.manifest.validation,
                                                               r.split.manifest.test)},
                    {"digest", fmt::format("{:016x}", r.split.manifest.digest)},
                    {"check_split verdict", mldp::split::to_string(r.split.report.result)}});
    {
        rep::bar_chart c;
        c.id = "split-balance";
        c.title = "Class share per subset";
        for (const auto& l : r.split.report.labels) c.categories.push_back(l.label);
        rep::bar_series all{"all rows", {}}, tr{"train", {}}, va{"validation", {}}, te{"test", {}};
        for (const auto& l : r.split.report.labels) {
            all.values.push_back(l.overall);
            tr.values.push_back(l.train);
            va.values.push_back(l.validation);
            te.values.push_back(l.test);
        }
        c.series = {all, tr, va, te};
        c.y.label = "share of the subset";
        c.y.format = rep::number_format::percent;
        c.x_label = o.label;
        doc.chart(c, "Every subset keeps the class balance of the whole data.");
    }
    {
        std::vector<std::vector<std::string>> diff;
        for (const auto& f : r.split.report.features) {
            if (!f.differs) continue;
            diff.push_back({f.feature, fmt::format("{} vs {}", mldp::split::to_string(f.first), mldp::split::to_string(f.second)), f.test,
                            fmt::format("{:.3g}", f.p_adjusted), fmt::format("{:+.3f}", f.smd)});
        }
        if (diff.empty()) {
            doc.note("No feature differs between subsets.", rep::tone::ok);
        } else {
            // The SMD two random subsets of these sizes show by chance: sd of d ~ sqrt(1/n1 + 1/n2).
            const double n_small = static_cast<double>((std::min)(r.split.manifest.validation, r.split.manifest.test));
            const double n_large = static_cast<double>(r.split.manifest.train);
            const double chance_sd = std::sqrt(1.0 / n_small + 1.0 / n_large);
            doc.note(fmt::format("{} of {} feature comparisons differ: |standardized mean difference| above {} (a common balance "
                                 "rule) or a significant test after {} correction. Between random subsets of {} and {} rows the "
                                 "SMD itself varies by about {:.2f} (one standard deviation), so read the tests first.",
                                 diff.size(), r.split.report.features.size(), r.split.report.options.max_abs_smd,
                                 r.split.report.options.correction == mldp::stats::correction::holm ? "Holm" : "multiple-testing",
                                 r.split.manifest.train, (std::min)(r.split.manifest.validation, r.split.manifest.test), chance_sd),
                     rep::tone::warning);
            doc.table({"feature", "subsets", "test", "adjusted p", "SMD"}, diff);
        }
    }

    // 2. Quality
    doc.section("2. Data quality", "quality");
    doc.paragraph(fmt::format("{} checks over {} rows, against a schema inferred from the {} training rows (ranges with a 10% "
                              "margin, vocabularies, nullability), plus uniqueness of the key, duplicate rows, label coverage and "
                              "robust-z outliers per feature (reported as notes).",
                              r.quality.report.checks, r.quality.report.rows, r.split.manifest.train));
    {
        rep::bar_chart c;
        c.id = "quality-findings";
        c.title = "Failed checks by severity";
        c.categories = {"error", "warning", "info"};
        c.series = {{"failed checks", {static_cast<double>(errors), static_cast<double>(warnings), static_cast<double>(notes)}}};
        c.value_labels = true;
        c.y.label = "checks";
        c.layout.height = 260;
        doc.chart(c);
    }
    // Errors and warnings in full; notes (the outlier screens) one line each.
    std::vector<std::vector<std::string>> rows, note_rows;
    std::vector<rep::tone> tones;
    for (const auto& f : r.quality.report.findings) {
        if (f.passed) continue;
        if (f.severity == mldp::quality::severity::info) {
            note_rows.push_back({f.check, f.column.empty() ? "(frame)" : f.column, std::to_string(f.count), pct1(f.fraction)});
            continue;
        }
        rows.push_back({std::string(mldp::quality::to_string(f.severity)), f.check, f.column.empty() ? "(frame)" : f.column,
                        std::to_string(f.count), f.message});
        tones.push_back(f.severity == mldp::quality::severity::error ? rep::tone::error : rep::tone::warning);
    }
    if (rows.empty()) {
        doc.note("Every error- and warning-level check passed.", rep::tone::ok);
    } else {
        const bool ranges = std::any_of(r.quality.report.findings.begin(), r.quality.report.findings.end(),
                                        [](const mldp::quality::finding& f) { return !f.passed && f.code == "in_range"; });
        if (ranges) {
            doc.note("in_range findings: values outside the training rows' range (plus the margin), which a model trained on those "
                     "rows has never seen; worth a look before serving.",
                     rep::tone::warning);
        }
        doc.table({"severity", "check", "column", "rows", "finding"}, rows, tones);
    }
    if (!note_rows.empty()) {
        doc.paragraph(fmt::format("Notes: {} screens flagged rows (report.json has every finding with its rows and message).",
                                  note_rows.size()));
        doc.table({"check", "column", "rows", "share"}, note_rows);
    }

    // 3. Training
    doc.section("3. Training and operating point", "training");
    doc.paragraph(fmt::format("Logistic regression by mini-batch SGD (batch {}, learning rate {}), early stopping on the validation "
                              "loss (patience {}). The loss weighs two objectives: cross-entropy on every row (accuracy) and on the "
                              "'{}' rows only (missed positives), (1 - \u03bb, \u03bb), for \u03bb in a sweep. The chosen model has the "
                              "best validation accuracy with validation recall at least {}.",
                              o.batch, o.learning_rate, o.patience, r.data.positive, pct1(o.recall_floor)));
    {
        rep::line_chart c;
        c.id = "loss-curve";
        c.title = fmt::format("Loss by epoch (\u03bb = {:.2f})", best.lambda);
        std::vector<double> epochs(best.train_loss.size());
        for (std::size_t i = 0; i < epochs.size(); ++i) epochs[i] = static_cast<double>(i + 1);
        c.series = {{"training", epochs, best.train_loss, false, false}, {"validation", epochs, best.validation_loss, false, false}};
        c.events = {{static_cast<double>(best.best_epoch + 1), fmt::format("best epoch {}", best.best_epoch + 1), rep::tone::ok}};
        c.x.label = "epoch";
        c.y.label = "weighted loss";
        doc.chart(c, best.stopped_early ? "Training stopped when the validation loss had not improved for the patience window; the "
                                          "best epoch's weights are kept."
                                        : "Training ran to the epoch limit; the best epoch's weights are kept.");
    }
    {
        rep::scatter_chart c;
        c.id = "pareto-front";
        c.title = "Weight sweep: the two validation objectives";
        rep::point_set all{"sweep", {}, {}, {}, false}, front{"Pareto front", {}, {}, {}, true};
        for (std::size_t i = 0; i < t.sweep.size(); ++i) {
            const auto& s = t.sweep[i];
            all.x.push_back(s.validation_loss_all);
            all.y.push_back(s.validation_loss_positive);
            all.labels.push_back(fmt::format("\u03bb = {:.2f}", s.lambda));
            if (std::find(t.front.begin(), t.front.end(), i) != t.front.end()) {
                front.x.push_back(s.validation_loss_all);
                front.y.push_back(s.validation_loss_positive);
                front.labels.push_back(fmt::format("\u03bb = {:.2f}", s.lambda));
            }
        }
        c.sets = {all, front};
        c.highlights = {{best.validation_loss_all, best.validation_loss_positive, fmt::format("chosen \u03bb = {:.2f}", best.lambda),
                         rep::tone::ok}};
        c.x.label = "cross-entropy over every row (accuracy)";
        c.y.label = fmt::format("cross-entropy, '{}' rows", r.data.positive);
        doc.chart(c, fmt::format("Hypervolume of the front against the reference point ({:.4g}, {:.4g}), 1.1 times the worst value "
                                 "of each objective: {:.4g}.",
                                 t.reference[0], t.reference[1], t.hypervolume));
    }
    {
        rep::line_chart c;
        c.id = "threshold-tradeoff";
        c.title = "Validation precision, recall and accuracy by threshold";
        rep::line_series pr{"precision", {}, {}, false, false}, rc{"recall", {}, {}, false, false}, ac{"accuracy", {}, {}, false, true};
        for (auto it = t.validation_curve.rbegin(); it != t.validation_curve.rend(); ++it) {
            if (!std::isfinite(it->threshold)) continue;
            pr.x.push_back(it->threshold);
            pr.y.push_back(it->precision());
            rc.x.push_back(it->threshold);
            rc.y.push_back(it->recall());
            ac.x.push_back(it->threshold);
            ac.y.push_back(it->accuracy());
        }
        c.series = {pr, rc, ac};
        c.events = {{t.threshold, fmt::format("chosen {:.3f}", t.threshold), rep::tone::ok}};
        c.lines = {{o.recall_floor, fmt::format("recall floor {}", pct1(o.recall_floor)), rep::tone::warning}};
        c.x.label = "threshold on the predicted probability";
        c.x.include = {0.0, 1.0};
        c.y.format = rep::number_format::percent;
        doc.chart(c);
    }
    std::vector<std::vector<std::string>> sweep_rows;
    std::vector<rep::tone> sweep_tones;
    for (std::size_t i = 0; i < t.sweep.size(); ++i) {
        const auto& s = t.sweep[i];
        const bool front = std::find(t.front.begin(), t.front.end(), i) != t.front.end();
        sweep_rows.push_back({fmt::format("{:.2f}", s.lambda), std::to_string(s.epochs), fmt::format("{:.4f}", s.validation_loss_all),
                              fmt::format("{:.4f}", s.validation_loss_positive),
                              front ? "yes" : "", fmt::format("{:.4f}", s.at_floor.threshold), pct1(s.at_floor.point.accuracy())});
        sweep_tones.push_back(i == t.chosen ? rep::tone::ok : rep::tone::neutral);
    }
    doc.table({"\u03bb", "epochs", "val loss (all)", "val loss (positives)", "Pareto", "threshold @floor", "val accuracy @floor"}, sweep_rows,
              sweep_tones);
    doc.key_values({{"test accuracy", pct1(tp.accuracy())},
                    {"test recall", pct1(tp.recall())},
                    {"test precision", pct1(tp.precision())},
                    {"missed positives (test)", fmt::format("{} of {}", tp.fn, tp.tp + tp.fn)},
                    {"false alarms (test)", fmt::format("{} of {}", tp.fp, tp.fp + tp.tn)},
                    {"at threshold 0.5 instead", fmt::format("accuracy {}, recall {}, missed {}", pct1(t.test_at_half.accuracy()),
                                                             pct1(t.test_at_half.recall()), t.test_at_half.fn)}});

    // 4. Slices
    doc.section("4. Sliced metrics", "slices");
    doc.paragraph(fmt::format("Test rows sliced by '{}'{}; a slice is judged only with at least {} rows and {} of each class.", r.slices.column,
                              r.data.frame.kind(r.slices.column) == mldp::column_kind::numeric ? " (tertiles of the training rows)" : "",
                              r.slices.report.options.min_count, r.slices.report.options.min_class_count));
    {
        rep::bar_chart c;
        c.id = "slice-metrics";
        c.title = "Test metrics per slice";
        rep::bar_series acc{"accuracy", {}}, rec{"recall", {}}, auc{"ROC AUC", {}};
        c.categories.push_back("(all)");
        acc.values.push_back(r.slices.report.overall.accuracy);
        rec.values.push_back(r.slices.report.overall.recall);
        auc.values.push_back(r.slices.report.overall.roc_auc);
        for (const auto& s : r.slices.report.slices) {
            c.categories.push_back(s.slice);
            acc.values.push_back(s.accuracy);
            rec.values.push_back(s.recall);
            auc.values.push_back(s.roc_auc);
        }
        c.series = {acc, rec, auc};
        c.y.format = rep::number_format::percent;
        c.y.include = {0.0, 1.0};
        c.x_label = r.slices.column;
        doc.chart(c);
    }
    for (const auto& w : r.slices.report.warnings) doc.note(w, rep::tone::info);

    // 5. Drift
    const auto& d = r.drift;
    doc.section("5. Drift", "drift");
    doc.paragraph(fmt::format("{} held-out rows drawn with replacement are streamed through a drift monitor (reference: the training "
                              "rows; tumbling windows of {} rows; KS per feature, Benjamini-Hochberg across features) and streaming "
                              "detectors. From row {} the instrument is recalibrated: '{}' reads {:g} times its value and '{}' "
                              "{:+.4g} ({:g} training standard deviations).",
                              d.rows, d.window, d.change_at, d.scaled, d.scale, d.shifted, d.shift, o.shift_sd));
    if (!d.windows.empty()) {
        // The monitor's test as a chart: a feature's distribution drifted when its Benjamini-Hochberg
        // adjusted p-value is at most alpha, i.e. its bar reaches the line.
        const auto& last = d.windows.back();
        rep::bar_chart c;
        c.id = "drift-features";
        c.title = fmt::format("Per-feature drift in the last window (rows {}-{})", (d.windows.size() - 1) * d.window,
                              d.windows.size() * d.window - 1);
        rep::bar_series stable{"no drift", {}}, drifted{"drift", {}};
        for (const auto& col : last.columns) {
            c.categories.push_back(col.column);
            const double v = -std::log10((std::max)(col.p_adjusted, 1e-300));
            stable.values.push_back(col.drift ? std::nan("") : v);
            drifted.values.push_back(col.drift ? v : std::nan(""));
        }
        c.series = {stable, drifted};
        c.stacked = true;
        c.lines = {{-std::log10(d.alpha), fmt::format("alpha {:g}", d.alpha), rep::tone::warning}};
        c.y.label = "-log10 adjusted p (KS)";
        c.layout.height = 400;
        doc.chart(c, "KS test per feature against the training rows, p-values adjusted by Benjamini-Hochberg across features. The "
                     "monitor also flags a rise in the missing rate, so a flagged bar can sit below the line.");
    }
    {
        rep::line_chart c;
        c.id = "drift-windows";
        c.title = "Adjusted p-value per window (-log10)";
        for (const auto& name : {d.scaled, d.shifted}) {
            rep::line_series s{name, {}, {}, true, false};
            for (std::size_t w = 0; w < d.windows.size(); ++w) {
                for (const auto& col : d.windows[w].columns) {
                    if (col.column != name) continue;
                    s.x.push_back(static_cast<double>((w + 1) * d.window));
                    s.y.push_back(-std::log10((std::max)(col.p_adjusted, 1e-300)));
                }
            }
            c.series.push_back(s);
        }
        c.lines = {{-std::log10(d.alpha), fmt::format("alpha {:g}", d.alpha), rep::tone::warning}};
        c.events = {{static_cast<double>(d.change_at), "recalibration", rep::tone::info}};
        c.x.label = "stream row at the end of the window";
        c.x.include = {0.0};
        c.y.label = "-log10 adjusted p";
        doc.chart(c);
    }
    {
        rep::line_chart c;
        c.id = "detector-alarms";
        c.title = "The stream and the detector alarms";
        const std::size_t js = static_cast<std::size_t>(std::find(r.data.features.begin(), r.data.features.end(), d.scaled) - r.data.features.begin());
        const std::size_t jh = static_cast<std::size_t>(std::find(r.data.features.begin(), r.data.features.end(), d.shifted) - r.data.features.begin());
        std::vector<double> x(d.rows), zs(d.rows), zh(d.rows);
        for (std::size_t i = 0; i < d.rows; ++i) {
            x[i] = static_cast<double>(i);
            zs[i] = (d.scaled_values[i] - t.data.mean[js]) / t.data.sd[js];
            zh[i] = (d.shifted_values[i] - t.data.mean[jh]) / t.data.sd[jh];
        }
        c.series = {{d.scaled, x, rolling_mean(zs, 50), false, false},
                    {d.shifted, x, rolling_mean(zh, 50), false, false},
                    {"model error rate", x, rolling_mean(d.errors, 50), false, true}};
        c.events.push_back({static_cast<double>(d.change_at), "recalibration", rep::tone::info});
        for (const auto& a : d.alarms) c.events.push_back({static_cast<double>(a.row), a.detector, rep::tone::error});
        c.x.label = "stream row";
        c.y.label = "z-score / error rate";
        doc.chart(c, fmt::format("Rolling means of 50 rows; features in training z-scores. Model accuracy on the stream: {} before "
                                 "the change, {} after.",
                                 pct1(d.accuracy_before), pct1(d.accuracy_after)));
    }
    std::vector<std::vector<std::string>> alarm_rows;
    for (const auto& a : d.alarms) alarm_rows.push_back({a.detector, std::to_string(a.row), a.row >= d.change_at ? fmt::format("{} rows after the change", a.row - d.change_at) : "before the change (false alarm)"});
    if (alarm_rows.empty()) doc.note("No streaming detector fired.", rep::tone::info);
    else doc.table({"detector", "row", "delay"}, alarm_rows);

    // 6. Seed sweep
    const auto& s = r.sweep.accuracy;
    doc.section("6. Seed sweep", "seeds");
    doc.paragraph(fmt::format("The split, initial weights and batch order redrawn with {} seeds at \u03bb = {:.2f}; each run picks its "
                              "own threshold for the recall floor on its validation rows.",
                              s.values.size(), best.lambda));
    {
        rep::bar_chart c;
        c.id = "seed-sweep";
        c.title = "Test accuracy and recall per seed";
        rep::bar_series acc{"test accuracy", s.values}, rec{"test recall", r.sweep.recall};
        for (std::size_t i = 0; i < s.values.size(); ++i) c.categories.push_back(fmt::format("run {}", i + 1));
        c.series = {acc, rec};
        c.lines = {{s.mean, fmt::format("mean accuracy {}", pct1(s.mean)), rep::tone::info}};
        c.y.format = rep::number_format::percent;
        doc.chart(c);
    }
    doc.note(s.message, rep::tone::info);
    if (!r.sweep.recall.empty()) {
        const auto [lo, hi] = std::minmax_element(r.sweep.recall.begin(), r.sweep.recall.end());
        if (*lo < o.recall_floor) {
            doc.note(fmt::format("Test recall ranged from {} to {} over the seeds: a threshold set for a {} recall floor on {} "
                                 "validation rows does not guarantee the floor on new data. Budget for the spread, or set the "
                                 "floor on more rows.",
                                 pct1(*lo), pct1(*hi), pct1(o.recall_floor), r.split.manifest.validation),
                     rep::tone::warning);
        } else {
            doc.note(fmt::format("Test recall ranged from {} to {} over the seeds: the {} floor held on every run.", pct1(*lo),
                                 pct1(*hi), pct1(o.recall_floor)),
                     rep::tone::ok);
        }
    }
    return doc;
}

}  // namespace pipeline

// report.json of the pipeline: every step's results through the library's own to_json functions.
// It holds no time stamps or durations, so two runs on the same data write the same bytes.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pipeline.hpp"

namespace pipeline {

inline nlohmann::json point_json(const mldp::loss::operating_point::confusion_point& p) {
    return {{"threshold", p.threshold}, {"tp", p.tp},         {"fp", p.fp},         {"tn", p.tn},
            {"fn", p.fn},               {"accuracy", p.accuracy()}, {"recall", p.recall()}, {"precision", p.precision()}};
}

inline nlohmann::json to_json(const result& r, const options& o) {
    nlohmann::json j;
    j["mldp_version"] = mldp::version_string;
    j["source"] = r.source;
    j["rows"] = r.data.frame.rows();
    j["label"] = {{"column", o.label}, {"positive", r.data.positive}, {"negative", r.data.negative}};
    j["key"] = r.data.key_column.empty() ? "(row number)" : r.data.key_column;
    j["features"] = r.data.features;
    j["ignored_columns"] = r.data.ignored;
    j["seed"] = o.seed;

    j["split"] = {{"manifest", r.split.manifest}, {"digest_hex", fmt::format("{:016x}", r.split.manifest.digest)}, {"report", r.split.report}};

    j["quality"] = {{"schema", r.quality.schema}, {"report", r.quality.report}};

    nlohmann::json sweep = nlohmann::json::array();
    for (std::size_t i = 0; i < r.training.sweep.size(); ++i) {
        const auto& t = r.training.sweep[i];
        sweep.push_back({{"lambda", t.lambda},
                         {"epochs", t.epochs},
                         {"best_epoch", t.best_epoch},
                         {"stopped_early", t.stopped_early},
                         {"validation_error_at_0_5", t.validation_error},
                         {"validation_fnr_at_0_5", t.validation_fnr},
                         {"validation_loss_all", t.validation_loss_all},
                         {"validation_loss_positive", t.validation_loss_positive},
                         {"validation_at_recall_floor", t.at_floor},
                         {"pareto_optimal", std::find(r.training.front.begin(), r.training.front.end(), i) != r.training.front.end()}});
    }
    const auto& chosen = r.training.sweep[r.training.chosen];
    j["training"] = {{"recall_floor", o.recall_floor},
                     {"sweep", sweep},
                     {"pareto_front", r.training.front},
                     {"hypervolume", r.training.hypervolume},
                     {"hypervolume_reference", r.training.reference},
                     {"unused_features", r.training.data.unused},
                     {"chosen_lambda", chosen.lambda},
                     {"threshold", r.training.threshold},
                     {"train_loss", chosen.train_loss},
                     {"validation_loss", chosen.validation_loss},
                     {"weights", std::vector<double>(chosen.best.w.begin(), chosen.best.w.end())},
                     {"bias", chosen.best.b},
                     {"test_at_threshold", point_json(r.training.test_at_threshold)},
                     {"test_at_0_5", point_json(r.training.test_at_half)}};

    j["slices"] = {{"column", r.slices.column}, {"report", r.slices.report}};

    nlohmann::json alarms = nlohmann::json::array();
    for (const auto& a : r.drift.alarms) alarms.push_back({{"detector", a.detector}, {"row", a.row}});
    j["drift"] = {{"scaled_feature", r.drift.scaled},
                  {"scale", r.drift.scale},
                  {"shifted_feature", r.drift.shifted},
                  {"shift", r.drift.shift},
                  {"rows", r.drift.rows},
                  {"change_at", r.drift.change_at},
                  {"window_rows", r.drift.window},
                  {"windows", r.drift.windows},
                  {"alarms", alarms},
                  {"model_accuracy_before", r.drift.accuracy_before},
                  {"model_accuracy_after", r.drift.accuracy_after}};

    std::vector<std::string> digests;
    for (auto d : r.sweep.digests) digests.push_back(fmt::format("{:016x}", d));
    j["seed_sweep"] = {{"test_accuracy", r.sweep.accuracy}, {"test_recall", r.sweep.recall}, {"split_digests", digests}};
    return j;
}

}  // namespace pipeline

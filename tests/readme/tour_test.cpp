// The README's tour, compiled and run. Every block between "// [tour:NAME]" and "// [/tour]" appears
// verbatim in README.md (tests/readme/check_readme.py verifies it, as the ctest 'readme_snippets'),
// so a snippet that stops compiling or stops giving the numbers shown fails the tests.
#include <mldp/mldp.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

TEST_CASE("tour: split") {
    // [tour:split]
    // Labels and keys of 1000 rows; 80/10/10, stratified, each row placed by a seeded hash of its key,
    // so adding or reordering rows never moves another row.
    std::vector<std::string> label(1000), key(1000);
    for (std::size_t i = 0; i < 1000; ++i) {
        label[i] = i % 10 == 0 ? "fraud" : "ok";
        key[i] = "txn-" + std::to_string(i);
    }
    auto s = mldp::split::stratified_split(label, key, {0.8, 0.1, 0.1}, /*seed=*/42);
    // s.train, s.validation, s.test: ascending row indices; 80/10/10 fraud rows exactly
    fmt::print("{}\n", s.manifest());  // algorithm, seed, per-class counts, XXH3 digest of the assignment
    // [/tour]
    CHECK(s.train.size() == 800);
    CHECK(s.test.size() == 100);
    std::size_t fraud_in_test = 0;
    for (auto r : s.test) fraud_in_test += label[r] == "fraud" ? 1 : 0;
    CHECK(fraud_in_test == 10);
}

TEST_CASE("tour: stats") {
    // [tour:stats]
    std::vector<double> a{0.61, 0.29, 0.06, 0.59, -1.73, -0.74, 0.51, -0.56, 0.39, 1.64, 0.05, -0.06, 0.64, -0.82, 0.37};
    std::vector<double> b{1.85, 0.61, 1.33, 0.79, 2.02, 1.45, 0.35, 1.20, 2.45, 0.92, 1.67, 1.11, 0.58, 1.74, 1.29};
    auto ks = mldp::stats::ks_2samp(a, b);             // = scipy.stats.ks_2samp(a, b): exact p for small n
    auto t = mldp::stats::ttest_ind(a, b);             // Welch, = scipy.stats.ttest_ind(a, b, equal_var=False)
    auto w = mldp::stats::wasserstein_distance(a, b);  // = scipy.stats.wasserstein_distance
    auto adjusted = mldp::stats::adjust_p_values(std::vector<double>{ks.p_value, t.p_value},
                                                 mldp::stats::correction::holm);  // = statsmodels multipletests
    // [/tour]
    // scipy 1.10.1: ks_2samp(a, b) = (0.7333333333333333, 0.00035334499932696196);
    // ttest_ind(a, b, equal_var=False).pvalue = 7.102632653021197e-05; wasserstein_distance(a, b) = 1.208.
    CHECK(ks.statistic == doctest::Approx(0.7333333333333333).epsilon(1e-12));
    CHECK(ks.p_value == doctest::Approx(0.00035334499932696196).epsilon(1e-9));
    CHECK(t.p_value == doctest::Approx(7.102632653021197e-05).epsilon(1e-9));
    CHECK(w == doctest::Approx(1.208).epsilon(1e-12));
    CHECK(adjusted.size() == 2);
}

TEST_CASE("tour: drift") {
    // [tour:drift]
    // A streaming detector with River's arithmetic and defaults: true on the value where drift is found.
    mldp::drift::adwin detector;
    mldp::rng g{mldp::seed_sequence{7}.derive("stream")};
    std::size_t detected_at = 0;
    for (std::size_t i = 0; i < 2000 && detected_at == 0; ++i) {
        const double x = g.normal() + (i < 1000 ? 0.0 : 1.0);  // the mean moves at row 1000
        if (detector.update(x)) detected_at = i;
    }
    // A monitor for frames: per-column KS / chi-square against a reference, Benjamini-Hochberg across columns.
    std::vector<double> ref(5000), cur(500);
    for (auto& x : ref) x = g.normal();
    for (auto& x : cur) x = g.normal() + 0.5;
    mldp::frame reference, batch;
    reference.add("x", ref);
    batch.add("x", cur);
    mldp::drift::drift_monitor monitor(reference);
    monitor.update(batch);
    auto report = monitor.results();  // report.columns[0].drift, .p_value, .effect_size ...
    // [/tour]
    CHECK(detected_at > 1000);
    CHECK(detected_at < 1200);
    CHECK(report.columns[0].drift);
}

TEST_CASE("tour: quality") {
    // [tour:quality]
    mldp::frame f;
    f.add("age", std::vector<double>{34, 51, NAN, 29, 340})
        .add("site", std::vector<std::string>{"A", "B", "A", "b ", "C"});
    mldp::quality::validator v;
    v.expect(mldp::quality::not_null("age"))
        .expect(mldp::quality::in_range("age", 0, 120))
        .expect(mldp::quality::in_set("site", {"A", "B"}))  // suggests "B" for "b "
        .expect(mldp::quality::no_duplicate_rows());
    mldp::quality::quality_report r = v.validate(f);  // never throws on bad data: findings name rows and values
    fmt::print("{}\n", r);
    // [/tour]
    CHECK_FALSE(r.passed());
    std::size_t failed = 0;
    for (const auto& x : r.findings) failed += x.passed ? 0 : 1;
    CHECK(failed == 3);  // the missing age, age 340, sites "b " and "C"
}

TEST_CASE("tour: loss") {
    // [tour:loss]
    // Two objectives on the same logits: overall cross-entropy and cross-entropy on the positives
    // (missed positives), weighted 0.7 / 0.3; value and gradient in one call.
    std::vector<double> logits{2.0, -1.0, 0.5, -0.3}, y{1, 0, 0, 1}, all(4, 1.0);
    mldp::loss::multi_objective mo{mldp::loss::weighting::fixed({0.7, 0.3}), {"accuracy", "missed positives"}};
    auto step = mo.combine({mldp::loss::binary_cross_entropy_with_logits(logits, y, all),
                            mldp::loss::binary_cross_entropy_with_logits(logits, y, y)});
    // step.value, step.gradient (d loss / d logits)
    // The threshold that keeps recall >= 0.9 with the best accuracy, from one sorted pass.
    auto choice = mldp::loss::operating_point::max_accuracy_with_recall_floor(logits, y, 0.9);
    // [/tour]
    CHECK(step.gradient.size() == 4);
    CHECK(step.value > 0.0);
    CHECK(choice.feasible);
    CHECK(choice.point.recall() >= 0.9);
}

TEST_CASE("tour: audit") {
    // [tour:audit]
    // Berkeley-style admissions, two departments: women are admitted more often in each, less often overall.
    using mldp::audit::stratum_counts;
    auto r = mldp::audit::simpsons_paradox(std::vector<stratum_counts>{
        {"easy", 80, 100, 480, 800},   // stratum, successes a, trials a, successes b, trials b
        {"hard", 180, 900, 20, 200}});
    // r.reversal == true; fmt::print("{}", r) explains which way each comparison goes, and why
    // [/tour]
    CHECK(r.reversal);
}

TEST_CASE("tour: io and report") {
    // [tour:io]
    const std::string path = "tour_example.csv";
    std::ofstream(path) << "id,when,site,value\n1,2024-03-01,\"A, north\",3.5\n2,2024-03-02,B,NA\n";
    mldp::frame f = mldp::io::read_csv(path);  // kinds inferred: numeric, time (days), categorical, numeric
    mldp::report::html_document doc("Site values");
    doc.section("Values");
    doc.chart(mldp::report::bar_chart{});  // see mldp/report/svg.hpp for every chart's fields
    doc.save("tour_example.html");         // one self-contained file, no scripts, works offline
    // [/tour]
    CHECK(f.rows() == 2);
    CHECK(f.kind("when") == mldp::column_kind::time);
    CHECK(f.categorical("site").value(0) == std::optional<std::string_view>("A, north"));
    CHECK(std::isnan(f.numeric("value")[1]));
}

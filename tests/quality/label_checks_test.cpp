#include "mldp/quality/label_checks.hpp"
#include "mldp/quality/validator.hpp"
#include "mldp/core/random.hpp"
#include "mldp/stats/agreement.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <xtensor/xtensor.hpp>

#include "close.hpp"
#include "label_vectors.hpp"

namespace q = mldp::quality;
namespace st = mldp::stats;

namespace {

std::vector<std::vector<double>> nested(const std::vector<double>& flat, std::size_t k) {
    std::vector<std::vector<double>> out;
    for (std::size_t i = 0; i < flat.size(); i += k) out.emplace_back(flat.begin() + static_cast<std::ptrdiff_t>(i), flat.begin() + static_cast<std::ptrdiff_t>(i + k));
    return out;
}

std::vector<std::vector<std::int64_t>> nested(const std::vector<std::int64_t>& flat, std::size_t k) {
    std::vector<std::vector<std::int64_t>> out;
    for (std::size_t i = 0; i < flat.size(); i += k) out.emplace_back(flat.begin() + static_cast<std::ptrdiff_t>(i), flat.begin() + static_cast<std::ptrdiff_t>(i + k));
    return out;
}

q::label_filter filter_named(const std::string& s) {
    for (auto f : {q::label_filter::prune_by_noise_rate, q::label_filter::prune_by_class, q::label_filter::both, q::label_filter::confident_learning,
                   q::label_filter::predicted_neq_given, q::label_filter::low_self_confidence, q::label_filter::low_normalized_margin}) {
        if (q::to_string(f) == s) return f;
    }
    FAIL("unknown filter " << s);
    return q::label_filter::prune_by_noise_rate;
}

// The reference vector: labels [0,0,0,1,1,1], P(class 1) = [.1,.2,.9,.8,.7,.9], P(class 0) = 1 - P(class 1).
std::vector<std::vector<double>> reference_probs() {
    std::vector<std::vector<double>> p;
    for (double p1 : {0.1, 0.2, 0.9, 0.8, 0.7, 0.9}) p.push_back({1.0 - p1, p1});
    return p;
}
const std::vector<int> reference_labels{0, 0, 0, 1, 1, 1};

mldp::frame case_frame(const oracle::labels::cl_case& c, bool categorical, const std::vector<std::string>& names) {
    mldp::frame f;
    if (categorical) {
        std::vector<std::string> labels;
        for (auto y : c.labels) labels.push_back(names[static_cast<std::size_t>(y)]);
        f.add("label", labels);
    } else {
        f.add("label", std::vector<double>(c.labels.begin(), c.labels.end()));
    }
    for (std::size_t j = 0; j < c.k; ++j) {
        std::vector<double> col(c.n);
        for (std::size_t i = 0; i < c.n; ++i) col[i] = c.pred_probs[i * c.k + j];
        f.add(names[j], col);
    }
    return f;
}

const q::finding* first(const q::quality_report& r, const std::string& code) {
    for (const auto& f : r.findings) {
        if (f.code == code) return &f;
    }
    return nullptr;
}

// Two raters' categories (some missing) and a third, by an integer recipe: rater b copies a unless
// (7 i + 3) % 10 < 3; rater c copies a unless (5 i + 1) % 9 < 2.
struct ratings {
    std::vector<std::optional<std::string>> a, b, c;
};
ratings make_ratings(std::size_t n) {
    const std::vector<std::string> cats{"dog", "cat", "bird"};
    ratings r;
    for (std::size_t i = 0; i < n; ++i) {
        const std::string x = cats[(i * i + 3 * i) % 3];
        r.a.push_back(x);
        r.b.push_back((7 * i + 3) % 10 < 3 ? cats[(i + 1) % 3] : x);
        r.c.push_back((5 * i + 1) % 9 < 2 ? cats[(2 * i) % 3] : x);
    }
    r.b[4] = std::nullopt;
    r.b[17] = std::nullopt;
    r.a[23] = std::nullopt;
    return r;
}

}  // namespace

// The reference vector: thresholds (0.6, 0.8), calibrated confident joint [[2,1],[0,3]], only
// row 2 flagged (derived by hand; the oracle's transcription of cleanlab agrees bit for bit).
TEST_CASE("confident learning reproduces the reference vector") {
    const auto p = reference_probs();
    const auto t = q::confident_thresholds(reference_labels, p);
    REQUIRE(t.size() == 2);
    CHECK_CLOSE(t[0], 0.6, 1e-15);
    CHECK_CLOSE(t[1], 0.8, 1e-15);
    CHECK(t == oracle::labels::reference_thresholds);
    CHECK(q::compute_confident_joint(reference_labels, p) == std::vector<std::vector<std::int64_t>>{{2, 1}, {0, 3}});
    CHECK(q::compute_confident_joint(reference_labels, p, false) == std::vector<std::vector<std::int64_t>>{{2, 1}, {0, 2}});
    CHECK(q::find_label_issues(reference_labels, p) == std::vector<std::size_t>{2});
    CHECK(q::find_label_issues(reference_labels, p) == oracle::labels::reference_rows);
    // The same from a 2-D xtensor and int64 labels.
    xt::xtensor<double, 2> px = xt::zeros<double>({6, 2});
    for (std::size_t i = 0; i < 6; ++i) {
        px(i, 0) = p[i][0];
        px(i, 1) = p[i][1];
    }
    const std::vector<std::int64_t> labels64(reference_labels.begin(), reference_labels.end());
    CHECK(q::find_label_issues(labels64, px) == std::vector<std::size_t>{2});
    // cleanlab.rank: self confidence p[label]; normalized margin (p[label] - max other + 1) / 2.
    const auto sc = q::label_quality_scores(reference_labels, p);
    CHECK(sc[2] == p[2][0]);
    const auto nm = q::label_quality_scores(reference_labels, p, q::label_score::normalized_margin);
    CHECK(nm[2] == (p[2][0] - p[2][1] + 1.0) / 2.0);
}

// tests/oracles/label_vectors.py: a numpy transcription of cleanlab 2.x (count.py, filter.py, rank.py)
// on three recipe data sets, every filter, frac_noise and min_examples_per_class variants. Exact.
TEST_CASE("find_label_issues agrees with the cleanlab transcription") {
    for (const auto& c : oracle::labels::cl_cases) {
        INFO(c.name);
        const auto p = nested(c.pred_probs, c.k);
        CHECK(q::confident_thresholds(c.labels, p) == c.thresholds);
        CHECK(q::compute_confident_joint(c.labels, p, false) == nested(c.joint_raw, c.k));
        CHECK(q::compute_confident_joint(c.labels, p) == nested(c.joint_calibrated, c.k));
        CHECK(q::label_quality_scores(c.labels, p) == c.self_confidence);
        const auto margin = q::label_quality_scores(c.labels, p, q::label_score::normalized_margin);
        REQUIRE(margin.size() == c.n);
        for (std::size_t i = 0; i < c.n; ++i) CHECK_CLOSE(margin[i], c.normalized_margin[i], 1e-15);
        for (const auto& r : c.results) {
            INFO(r.filter << " frac_noise " << r.frac_noise << " min_examples_per_class " << r.min_examples_per_class);
            q::label_issue_options o;
            o.filter = filter_named(r.filter);
            o.frac_noise = r.frac_noise;
            o.min_examples_per_class = r.min_examples_per_class;
            CHECK(q::find_label_issues(c.labels, p, o) == r.rows);
            if (o.filter == q::label_filter::confident_learning) {
                // Rows off the joint's diagonal, less those the model predicts as labelled.
                for (std::size_t row : r.rows) CHECK(std::find(c.off_diagonal.begin(), c.off_diagonal.end(), row) != c.off_diagonal.end());
            }
        }
    }
}

// cleanlab.internal.util.round_preserving_sum (run through tests/oracles/label_vectors.py's copy with
// numpy 1.24): numpy rounds halves to even, and equal remainders keep their order (reversed when
// rounding up, numpy's [::-1]).
TEST_CASE("calibration rounds like cleanlab's round_preserving_sum") {
    auto rounded = [](std::vector<double> x) {
        std::vector<std::int64_t> out(x.size());
        q::detail::cl_round_preserving_sum(x.data(), x.size(), out.data());
        return out;
    };
    CHECK(rounded({0.5, 1.5, 2.5}) == std::vector<std::int64_t>{0, 2, 2});
    CHECK(rounded({0.5, 0.5, 2.0}) == std::vector<std::int64_t>{0, 1, 2});
    CHECK(rounded({2.5, 0.5, 1.0}) == std::vector<std::int64_t>{2, 1, 1});
    CHECK(rounded({1.4, 1.4, 1.2}) == std::vector<std::int64_t>{1, 2, 1});
}

TEST_CASE("confident learning refuses bad input") {
    auto p = reference_probs();
    // Shapes: invalid_argument.
    CHECK_THROWS_AS(q::find_label_issues(std::vector<int>{0, 1}, p), mldp::invalid_argument);
    auto ragged = p;
    ragged[3].push_back(0.0);
    CHECK_THROWS_AS(q::find_label_issues(reference_labels, ragged), mldp::invalid_argument);
    CHECK_THROWS_AS(q::find_label_issues(std::vector<int>{0, 0}, std::vector<std::vector<double>>{{1.0}, {1.0}}), mldp::invalid_argument);
    q::label_issue_options o;
    o.frac_noise = 1.5;
    CHECK_THROWS_AS(q::find_label_issues(reference_labels, p, o), mldp::invalid_argument);
    // Data: data_error naming the row.
    auto row_of = [](auto&& call) -> std::size_t {
        try {
            call();
        } catch (const mldp::data_error& e) {
            return e.row();
        }
        return 999;
    };
    CHECK(row_of([&] { q::find_label_issues(std::vector<int>{0, 0, 2, 1, 1, 1}, p); }) == 2);
    CHECK(row_of([&] { q::find_label_issues(std::vector<double>{0, 0, 0, 1, 0.5, 1}, p); }) == 4);
    auto bad = p;
    bad[3] = {-0.1, 1.1};
    CHECK(row_of([&] { q::find_label_issues(reference_labels, bad); }) == 3);
    bad = p;
    bad[5] = {0.5, 0.6};
    CHECK(row_of([&] { q::confident_thresholds(reference_labels, bad); }) == 5);
    bad = p;
    bad[1][0] = NAN;
    CHECK(row_of([&] { q::compute_confident_joint(reference_labels, bad); }) == 1);
    CHECK_THROWS_AS(q::find_label_issues(std::vector<int>{}, std::vector<std::vector<double>>{}), mldp::error);
}

// The check flags the rows find_label_issues flags, from numeric class indices or from categories
// named like the probability columns; the first 20 are listed (report_limits), the count is all.
TEST_CASE("label_issues as a check") {
    const auto& c = oracle::labels::cl_cases[0];
    const std::vector<std::string> names{"cat", "dog", "bird"};
    const auto& expected = c.results[0].rows;  // prune_by_noise_rate, frac_noise 1, min 1
    REQUIRE(c.results[0].filter == "prune_by_noise_rate");
    for (bool categorical : {false, true}) {
        INFO("categorical labels: " << categorical);
        const auto r = q::validator().expect(q::label_issues("label", names)).validate(case_frame(c, categorical, names));
        REQUIRE(r.findings.size() == 1);
        const auto& f = r.findings[0];
        CHECK(f.code == "label_issues");
        CHECK(f.column == "label");
        CHECK(f.count == expected.size());
        CHECK(f.rows == std::vector<std::size_t>(expected.begin(), expected.begin() + 20));
        CHECK(f.fraction == doctest::Approx(static_cast<double>(expected.size()) / static_cast<double>(c.n)));
        CHECK_FALSE(f.passed);
        REQUIRE(!f.values.empty());
        CHECK(f.values[0].value.find(" -> ") != std::string::npos);
        CHECK(f.message.find("prune_by_noise_rate") != std::string::npos);
        if (categorical) CHECK(f.values[0].value.find_first_of("0123456789") == std::string::npos);
    }
    // Missing rows are skipped; invalid rows go to their own finding and are left out.
    const auto p = reference_probs();
    mldp::frame f;
    f.add("y", std::vector<double>{0, 0, 0, 1, 1, 1, 1, NAN, 5});
    std::vector<double> p0, p1;
    for (const auto& row : p) {
        p0.push_back(row[0]);
        p1.push_back(row[1]);
    }
    p0.insert(p0.end(), {0.7, 0.5, 0.5});
    p1.insert(p1.end(), {0.7, 0.5, 0.5});
    f.add("p0", p0).add("p1", p1);
    const auto r = q::validator().expect(q::label_issues("y", {"p0", "p1"})).validate(f);
    const auto* invalid = first(r, "label_issues.invalid_input");
    REQUIRE(invalid != nullptr);
    CHECK(invalid->rows == std::vector<std::size_t>{6, 8});
    CHECK(invalid->message.find("row 6") != std::string::npos);
    const auto* issues = first(r, "label_issues");
    REQUIRE(issues != nullptr);
    CHECK(issues->rows == std::vector<std::size_t>{2});
    CHECK(issues->message.find("1 rows with a missing label") != std::string::npos);
    // Configuration findings and construction errors.
    const auto cfg = q::validator().expect(q::label_issues("nope", {"p0", "p1"})).expect(q::label_issues("y", {"p0", "y2"})).validate(f);
    REQUIRE(cfg.findings.size() == 2);
    CHECK(cfg.findings[0].code == "config.unknown_column");
    CHECK(cfg.findings[1].code == "config.unknown_column");
    CHECK_THROWS_AS(q::label_issues("y", {"p0"}), mldp::invalid_argument);
    CHECK_THROWS_AS(q::label_issues("y", {"p0", "p0"}), mldp::invalid_argument);
    CHECK_THROWS_AS(q::label_issues("", {"p0", "p1"}), mldp::invalid_argument);
    CHECK_THROWS_AS(q::label_issues("y", {"p0", "p1"}, q::label_issue_options{q::label_filter::both, -0.5, 1}), mldp::invalid_argument);
}

// The check's value is mldp::stats' statistic on the same ratings (bit for bit): Cohen's kappa on the
// units both raters rated, Fleiss' kappa on the units all raters rated (categories in sorted order),
// Krippendorff's alpha on every unit with NaN for a missing rating.
TEST_CASE("labeler_agreement equals the agreement statistics") {
    const std::size_t n = 40;
    const auto rt = make_ratings(n);
    mldp::frame f;
    f.add("a", rt.a).add("b", rt.b).add("c", rt.c);
    // Cohen (unweighted and linear) on the rows where a and b are present.
    std::vector<std::string> a, b;
    std::vector<std::size_t> disagree;
    for (std::size_t i = 0; i < n; ++i) {
        if (!rt.a[i] || !rt.b[i]) continue;
        a.push_back(*rt.a[i]);
        b.push_back(*rt.b[i]);
        if (*rt.a[i] != *rt.b[i]) disagree.push_back(i);
    }
    for (auto w : {st::kappa_weights::none, st::kappa_weights::linear, st::kappa_weights::quadratic}) {
        q::agreement_options o;
        o.weights = w;
        const auto s = q::measure_agreement(f, {"a", "b"}, o);
        CHECK(s.value == st::cohen_kappa(a, b, w).kappa);
        CHECK(s.units == a.size());
        CHECK(s.disagreeing_rows == disagree);
    }
    const double kappa = st::cohen_kappa(a, b).kappa;
    REQUIRE(kappa > 0.3);
    REQUIRE(kappa < 0.9);
    // Below the threshold: a finding naming the statistic and its value, with the disagreeing rows.
    q::agreement_options strict;
    strict.min_value = 0.9;
    const auto r = q::validator().expect(q::labeler_agreement({"a", "b"}, strict)).validate(f);
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].code == "labeler_agreement");
    CHECK(r.findings[0].column == "a,b");
    CHECK_FALSE(r.findings[0].passed);
    CHECK(r.findings[0].message.find("Cohen's kappa") != std::string::npos);
    CHECK(r.findings[0].message.find(fmt::format("{:.4f}", kappa)) != std::string::npos);
    CHECK(r.findings[0].count == disagree.size());
    CHECK(r.findings[0].rows == disagree);
    REQUIRE(!r.findings[0].values.empty());
    CHECK(r.findings[0].values[0].value.find(" | ") != std::string::npos);
    // Above it: nothing.
    q::agreement_options lenient;
    lenient.min_value = 0.3;
    CHECK(q::validator().expect(q::labeler_agreement({"a", "b"}, lenient)).validate(f).findings.empty());

    // Fleiss on the units all three rated; the table's categories ascending (bird, cat, dog).
    std::vector<std::vector<double>> table;
    for (std::size_t i = 0; i < n; ++i) {
        if (!rt.a[i] || !rt.b[i] || !rt.c[i]) continue;
        std::vector<double> row(3, 0.0);
        for (const auto* x : {&rt.a[i], &rt.b[i], &rt.c[i]}) row[**x == "bird" ? 0 : **x == "cat" ? 1 : 2] += 1.0;
        table.push_back(row);
    }
    q::agreement_options fo;
    fo.statistic = q::agreement_statistic::fleiss;
    const auto fs = q::measure_agreement(f, {"a", "b", "c"}, fo);
    CHECK(fs.value == st::fleiss_kappa(table).kappa);
    CHECK(fs.units == table.size());
    fo.min_value = 0.99;
    const auto fr = q::validator().expect(q::labeler_agreement({"a", "b", "c"}, fo)).validate(f);
    REQUIRE(fr.findings.size() == 1);
    CHECK(fr.findings[0].message.find("Fleiss' kappa") != std::string::npos);
    CHECK(fr.findings[0].message.find(fmt::format("{:.4f}", fs.value)) != std::string::npos);

    // Krippendorff, interval level, on numeric scores with missing ratings; and nominal on categories
    // (ranked by text: bird 0, cat 1, dog 2).
    std::vector<double> s1, s2, s3;
    for (std::size_t i = 0; i < n; ++i) {
        s1.push_back(static_cast<double>(1 + (i * 7) % 5));
        s2.push_back(i % 6 == 1 ? NAN : static_cast<double>(1 + (i * 7 + (i % 4 == 0 ? 1 : 0)) % 5));
        s3.push_back(i % 5 == 2 ? NAN : static_cast<double>(1 + (i * 7 + (i % 3 == 0 ? 2 : 0)) % 5));
    }
    mldp::frame g;
    g.add("s1", s1).add("s2", s2).add("s3", s3);
    q::agreement_options ko;
    ko.statistic = q::agreement_statistic::krippendorff;
    ko.level = st::alpha_level::interval;
    CHECK(q::measure_agreement(g, {"s1", "s2", "s3"}, ko).value == st::krippendorff_alpha(std::vector<std::vector<double>>{s1, s2, s3}, st::alpha_level::interval).alpha);
    ko.level = st::alpha_level::nominal;
    std::vector<std::vector<double>> coded(3, std::vector<double>(n));
    for (std::size_t i = 0; i < n; ++i) {
        const std::optional<std::string>* xs[3] = {&rt.a[i], &rt.b[i], &rt.c[i]};
        for (std::size_t r2 = 0; r2 < 3; ++r2) coded[r2][i] = !*xs[r2] ? NAN : **xs[r2] == "bird" ? 0.0 : **xs[r2] == "cat" ? 1.0 : 2.0;
    }
    CHECK(q::measure_agreement(f, {"a", "b", "c"}, ko).value == st::krippendorff_alpha(coded, st::alpha_level::nominal).alpha);
    // Cohen, linear weights, on the numeric scores (rows where both are present).
    std::vector<std::int64_t> x1, x2;
    for (std::size_t i = 0; i < n; ++i) {
        if (std::isnan(s2[i])) continue;
        x1.push_back(static_cast<std::int64_t>(s1[i]));
        x2.push_back(static_cast<std::int64_t>(s2[i]));
    }
    q::agreement_options lo;
    lo.weights = st::kappa_weights::linear;
    CHECK(q::measure_agreement(g, {"s1", "s2"}, lo).value == st::cohen_kappa(x1, x2, st::kappa_weights::linear).kappa);
}

TEST_CASE("labeler_agreement: undefined values, configuration findings and bad options") {
    // One category only: kappa is undefined, reported as a passed info finding.
    mldp::frame one;
    one.add("a", std::vector<std::string>{"x", "x", "x"}).add("b", std::vector<std::string>{"x", "x", "x"});
    const auto u = q::validator().expect(q::labeler_agreement({"a", "b"})).validate(one);
    REQUIRE(u.findings.size() == 1);
    CHECK(u.findings[0].passed);
    CHECK(u.findings[0].severity == q::severity::info);
    CHECK(u.passed(q::severity::info));
    // Absent column, mixed kinds, a time column: configuration findings.
    mldp::frame f;
    f.add("a", std::vector<std::string>{"x", "y", "x"}).add("n", std::vector<double>{1, 2, 1});
    f.add("t", mldp::time_column{{1, 2, 3}, mldp::time_unit::seconds});
    const auto r = q::validator()
                       .expect(q::labeler_agreement({"a", "nope"}))
                       .expect(q::labeler_agreement({"a", "n"}))
                       .expect(q::labeler_agreement({"n", "t"}))
                       .validate(f);
    REQUIRE(r.findings.size() == 3);
    CHECK(r.findings[0].code == "config.unknown_column");
    CHECK(r.findings[1].code == "config.wrong_kind");
    CHECK(r.findings[1].column == "n");
    CHECK(r.findings[2].code == "config.wrong_kind");
    CHECK_THROWS_AS(q::measure_agreement(f, {"a", "n"}), mldp::invalid_argument);
    CHECK_THROWS_AS(q::measure_agreement(f, {"a", "nope"}), mldp::invalid_argument);
    // Bad options throw at construction.
    CHECK_THROWS_AS(q::labeler_agreement({"a"}), mldp::invalid_argument);
    CHECK_THROWS_AS(q::labeler_agreement({"a", "b", "c"}), mldp::invalid_argument);  // Cohen needs exactly two
    CHECK_THROWS_AS(q::labeler_agreement({"a", "a"}, {q::agreement_statistic::fleiss}), mldp::invalid_argument);
    q::agreement_options bad;
    bad.min_value = NAN;
    CHECK_THROWS_AS(q::labeler_agreement({"a", "b"}, bad), mldp::invalid_argument);
    bad.min_value = 1.5;
    CHECK_THROWS_AS(q::labeler_agreement({"a", "b"}, bad), mldp::invalid_argument);
}

// scipy.stats.mannwhitneyu / ks_2samp of each source against the rest, numpy.median and scipy's
// median_abs_deviation, statsmodels' Holm (tests/oracles/label_vectors.py). Source C is shifted.
TEST_CASE("source_consistency matches scipy and statsmodels") {
    namespace o = oracle::labels;
    for (auto test : {q::source_test::mann_whitney, q::source_test::kolmogorov_smirnov}) {
        const bool mw = test == q::source_test::mann_whitney;
        INFO((mw ? "Mann-Whitney" : "KS"));
        q::source_options so;
        so.test = test;
        const auto c = q::compare_sources(o::source_values, o::source_names, so);
        REQUIRE(c.size() == 3);
        for (std::size_t s = 0; s < 3; ++s) {
            const auto& e = o::source_references[s];
            CHECK(c[s].source == e.source);
            CHECK(c[s].count == e.rows.size());
            CHECK(c[s].median == e.median);
            CHECK_CLOSE(c[s].offset, e.offset, 1e-14);
            CHECK_CLOSE(c[s].statistic, mw ? e.mwu_statistic : e.ks_statistic, 1e-14);
            CHECK_CLOSE(c[s].p_value, mw ? e.mwu_p : e.ks_p, 1e-10);
            CHECK_CLOSE(c[s].adjusted_p_value, mw ? e.mwu_holm : e.ks_holm, 1e-10);
            // Only C is both significant after Holm and more than one MAD away (A is significant but close).
            CHECK(c[s].offending == (e.source == "C"));
        }
        mldp::frame f;
        f.add("value", o::source_values).add("source", o::source_names);
        const auto r = q::validator().expect(q::source_consistency("value", "source", so)).validate(f);
        REQUIRE(r.findings.size() == 1);
        const auto& g = r.findings[0];
        CHECK(g.code == "source_consistency");
        CHECK(g.column == "value");
        REQUIRE(g.values.size() == 1);
        CHECK(g.values[0].value == "C");
        CHECK(g.values[0].count == 7);
        CHECK(g.count == 7);
        CHECK(g.rows == o::source_references[2].rows);
        CHECK(g.message.find(fmt::format("{:+.3f} MADs", o::source_references[2].offset)) != std::string::npos);
    }
    // The pooled statistics behind the offsets.
    const auto c = q::compare_sources(oracle::labels::source_values, oracle::labels::source_names);
    CHECK_CLOSE(c[2].offset * 1.4826 * oracle::labels::pooled_mad + oracle::labels::pooled_median, c[2].median, 1e-14);
    // A larger limit, or a stricter alpha, silences C.
    mldp::frame f;
    f.add("value", oracle::labels::source_values).add("source", oracle::labels::source_names);
    CHECK(q::validator().expect(q::source_consistency("value", "source", {0.05, 2.0})).validate(f).findings.empty());
    CHECK(q::validator().expect(q::source_consistency("value", "source", {1e-9, 1.0})).validate(f).findings.empty());
    // Configuration findings and bad options.
    const auto cfg = q::validator().expect(q::source_consistency("source", "value")).expect(q::source_consistency("value", "nope")).validate(f);
    REQUIRE(cfg.findings.size() == 2);
    CHECK(cfg.findings[0].code == "config.wrong_kind");
    CHECK(cfg.findings[1].code == "config.unknown_column");
    CHECK_THROWS_AS(q::source_consistency("value", "source", {0.0, 1.0}), mldp::invalid_argument);
    CHECK_THROWS_AS(q::source_consistency("value", "source", {0.05, -1.0}), mldp::invalid_argument);
    CHECK_THROWS_AS(q::compare_sources(std::vector<double>{1, 2}, std::vector<std::string>{"a"}), mldp::invalid_argument);
}

// Every check here keeps the rows it needs, so chunked validation merged equals whole validation,
// compared as JSON.
TEST_CASE("label checks: chunks merged equal the whole") {
    const auto& c = oracle::labels::cl_cases[0];
    const std::size_t n = c.n;
    const std::vector<std::string> names{"cat", "dog", "bird"};
    mldp::rng g{mldp::seed_sequence{11}.derive("label-checks-chunks")};
    const std::vector<std::string> cats{"x", "y", "z", "w"};
    std::vector<std::optional<std::string>> r1(n), r2(n);
    std::vector<double> s1(n), s2(n), s3(n), value(n);
    std::vector<std::string> source(n);
    for (std::size_t i = 0; i < n; ++i) {
        const auto k = static_cast<std::size_t>(g.bounded(cats.size()));
        r1[i] = cats[k];
        r2[i] = g.uniform01() < 0.3 ? cats[static_cast<std::size_t>(g.bounded(cats.size()))] : cats[k];
        if (g.uniform01() < 0.05) r2[i] = std::nullopt;
        const double base = static_cast<double>(g.bounded(5));
        s1[i] = base;
        s2[i] = g.uniform01() < 0.2 ? NAN : base + (g.uniform01() < 0.3 ? 1.0 : 0.0);
        s3[i] = g.uniform01() < 0.2 ? NAN : base;
        source[i] = std::string(1, static_cast<char>('A' + g.bounded(4)));
        value[i] = g.normal() + (source[i] == "D" ? 3.0 : 0.0);
    }
    const mldp::frame labels = case_frame(c, true, names);
    auto slice = [&](std::size_t a, std::size_t b) {
        auto sub = [a, b](const auto& v) { return std::decay_t<decltype(v)>(v.begin() + static_cast<std::ptrdiff_t>(a), v.begin() + static_cast<std::ptrdiff_t>(b)); };
        mldp::frame f;
        f.add("r1", sub(r1)).add("r2", sub(r2)).add("s1", sub(s1)).add("s2", sub(s2)).add("s3", sub(s3));
        f.add("value", sub(value)).add("source", sub(source));
        std::vector<std::string> y;
        for (std::size_t i = a; i < b; ++i) y.push_back(std::string(*labels.categorical("label").value(i)));
        f.add("label", y);
        for (const auto& name : names) {
            const auto v = labels.numeric(name);
            f.add(name, std::vector<double>(v.begin() + a, v.begin() + b));
        }
        return f;
    };
    q::agreement_options cohen;
    cohen.min_value = 0.95;
    q::agreement_options fleiss{q::agreement_statistic::fleiss, st::kappa_weights::none, st::alpha_level::nominal, 0.99};
    q::agreement_options alpha{q::agreement_statistic::krippendorff, st::kappa_weights::none, st::alpha_level::ordinal, 0.99};
    q::validator v;
    v.expect(q::labeler_agreement({"r1", "r2"}, cohen))
        .expect(q::labeler_agreement({"s1", "s2", "s3"}, fleiss))
        .expect(q::labeler_agreement({"s1", "s2", "s3"}, alpha))
        .expect(q::label_issues("label", names))
        .expect(q::source_consistency("value", "source"))
        .expect(q::label_issues("label", {"cat", "missing_column"}));
    const auto whole_report = v.validate(slice(0, n));
    const nlohmann::json whole = whole_report;
    CHECK(first(whole_report, "labeler_agreement") != nullptr);
    CHECK(first(whole_report, "label_issues") != nullptr);
    CHECK(first(whole_report, "source_consistency") != nullptr);
    auto st1 = v.begin();
    st1.update(slice(0, 50));
    st1.update(slice(50, 97));
    st1.update(slice(97, n));
    CHECK(nlohmann::json(st1.report()) == whole);
    auto a = v.begin(), b = v.begin(), d = v.begin();
    a.update(slice(0, 40));
    b.update(slice(40, 110));
    d.update(slice(110, n));
    b.merge(d);
    a.merge(b);
    CHECK(nlohmann::json(a.report()) == whole);
    const auto text = fmt::format("{}", whole_report);
    CHECK(text.find("labeler_agreement") != std::string::npos);
    // Summaries and comparisons convert to JSON.
    const nlohmann::json js = q::measure_agreement(slice(0, n), {"r1", "r2"});
    CHECK(js["statistic"] == "cohen");
    const auto comparisons = q::compare_sources(value, source);
    const nlohmann::json jc = comparisons;
    CHECK(jc.size() == 4);
    CHECK(fmt::format("{}", comparisons.back()).find("source 'D'") != std::string::npos);
    CHECK(fmt::format("{}", q::measure_agreement(slice(0, n), {"r1", "r2"})).find("Cohen's kappa") != std::string::npos);
}

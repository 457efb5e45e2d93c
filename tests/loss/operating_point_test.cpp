#include "mldp/loss/operating_point.hpp"

#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <xtensor/xtensor.hpp>

#include "close.hpp"
#include "operating_point_vectors.hpp"

namespace op = mldp::loss::operating_point;

namespace {

const double inf = std::numeric_limits<double>::infinity();

struct inputs {
    std::vector<double> scores, labels, weights;
};

// The portable recipe of tests/oracles/operating_point_vectors.py (large_inputs): integer arithmetic
// and one correctly rounded division, so Python and C++ build the same doubles.
inputs large_recipe(bool weighted) {
    inputs in;
    for (std::size_t i = 0; i < 2000; ++i) {
        in.scores.push_back(static_cast<double>((i * 7919) % 1000) / 1000.0);
        in.labels.push_back(((i * 104729) % 7) < 3 ? 1.0 : 0.0);
        if (weighted) in.weights.push_back(static_cast<double>((i * 31) % 5) / 4.0);
    }
    return in;
}

inputs inputs_of(const oracle::operating_point::curve_case& c) {
    if (c.recipe != 0) return large_recipe(c.recipe == 2);
    return {c.scores, c.labels, c.weights};
}

void check_choice(const op::threshold_choice& got, const oracle::operating_point::choice& want,
                  const std::vector<op::confusion_point>& curve) {
    CHECK(got.threshold == want.threshold);
    CHECK(got.point.threshold == curve[want.index].threshold);
    CHECK(got.point.tp == curve[want.index].tp);
    CHECK(got.point.fp == curve[want.index].fp);
    CHECK_CLOSE(got.objective, want.objective, 1e-12);
    CHECK(got.feasible);
}

}  // namespace

// Expected values: tests/loss/operating_point_vectors.hpp, written by
// tests/oracles/operating_point_vectors.py from scikit-learn 1.2.1's roc_curve(drop_intermediate=False),
// precision_recall_curve, confusion_matrix, accuracy_score and fbeta_score (with sample_weight where
// the case has weights). Weights are multiples of 1/4, so the counts are exact on both sides.
TEST_CASE("confusion_curve reproduces scikit-learn's curves and per-threshold metrics") {
    for (const auto& c : oracle::operating_point::cases) {
        CAPTURE(c.name);
        const auto in = inputs_of(c);
        const auto curve = op::confusion_curve(in.scores, in.labels, in.weights);
        REQUIRE(curve.size() == c.thresholds.size());
        for (std::size_t i = 0; i < curve.size(); ++i) {
            CAPTURE(i);
            const auto& p = curve[i];
            CHECK(p.threshold == c.thresholds[i]);
            CHECK(p.tp == c.tp[i]);
            CHECK(p.fp == c.fp[i]);
            CHECK(p.tn == c.tn[i]);
            CHECK(p.fn == c.fn[i]);
            CHECK_CLOSE(p.tpr(), c.tpr[i], 1e-15);
            CHECK_CLOSE(p.recall(), c.tpr[i], 1e-15);
            CHECK_CLOSE(p.fpr(), c.fpr[i], 1e-15);
            CHECK_CLOSE(p.precision(), c.precision[i], 1e-15);
            if (!c.accuracy.empty()) {
                CHECK_CLOSE(p.accuracy(), c.accuracy[i], 1e-15);
                CHECK_CLOSE(p.f_beta(0.5), c.f_half[i], 1e-15);
                CHECK_CLOSE(p.f_beta(), c.f1[i], 1e-15);
                CHECK_CLOSE(p.f_beta(2.0), c.f2[i], 1e-15);
                // 1 - recall; NaN without positive labels, like tpr
                CHECK_CLOSE(p.false_negative_rate(), std::isnan(c.tpr[i]) ? c.tpr[i] : 1.0 - c.tpr[i], 1e-15);
            }
        }
    }
}

// Expected thresholds: brute force in tests/oracles/operating_point_vectors.py over every scikit-learn
// threshold (numpy argmin/argmax, first index = highest threshold on ties).
TEST_CASE("the three criteria pick the brute-force thresholds") {
    for (const auto& c : oracle::operating_point::cases) {
        CAPTURE(c.name);
        const auto in = inputs_of(c);
        const auto curve = op::confusion_curve(in.scores, in.labels, in.weights);
        check_choice(op::min_expected_cost(curve), c.cost_1_1, curve);
        check_choice(op::min_expected_cost(curve, {1.0, 5.0}), c.cost_1_5, curve);
        check_choice(op::min_expected_cost(curve, {4.0, 1.0}), c.cost_4_1, curve);
        check_choice(op::max_accuracy_with_recall_floor(curve, 0.0), c.floor_0, curve);
        check_choice(op::max_accuracy_with_recall_floor(curve, 0.8), c.floor_080, curve);
        check_choice(op::max_accuracy_with_recall_floor(curve, 0.95), c.floor_095, curve);
        check_choice(op::max_f_beta(curve, 0.5), c.f_beta_05, curve);
        check_choice(op::max_f_beta(curve), c.f_beta_1, curve);
        check_choice(op::max_f_beta(curve, 2.0), c.f_beta_2, curve);
        // the overloads on raw columns build the same curve
        if (in.weights.empty()) {
            check_choice(op::min_expected_cost(in.scores, in.labels, op::cost_spec{1.0, 5.0}), c.cost_1_5, curve);
            check_choice(op::max_accuracy_with_recall_floor(in.scores, in.labels, 0.8), c.floor_080, curve);
            check_choice(op::max_f_beta(in.scores, in.labels, 2.0), c.f_beta_2, curve);
            check_choice(op::max_f_beta(in.scores, in.labels), c.f_beta_1, curve);
        } else {
            check_choice(op::min_expected_cost(in.scores, in.labels, in.weights, {1.0, 5.0}), c.cost_1_5, curve);
            check_choice(op::max_accuracy_with_recall_floor(in.scores, in.labels, in.weights, 0.8), c.floor_080, curve);
            check_choice(op::max_f_beta(in.scores, in.labels, in.weights, 2.0), c.f_beta_2, curve);
            check_choice(op::max_f_beta(in.scores, in.labels, in.weights), c.f_beta_1, curve);
        }
    }
}

// Hand derivation on scikit-learn's roc_curve docstring example, y = [0 0 1 1], s = [.1 .4 .35 .8]:
// thresholds +inf, .8, .4, .35, .1 give (fp, fn) = (0,2) (0,1) (1,1) (1,0) (2,0). With unit costs
// .8 and .35 both cost 1: the higher threshold wins.
TEST_CASE("ties go to the highest threshold; a cut curve can miss the recall floor") {
    const std::vector<double> s{0.1, 0.4, 0.35, 0.8};
    const std::vector<int> y{0, 0, 1, 1};
    const auto curve = op::confusion_curve(s, y);
    REQUIRE(curve.size() == 5);
    CHECK(curve[0].threshold == inf);
    const auto c = op::min_expected_cost(curve);
    CHECK(c.threshold == 0.8);
    CHECK(c.objective == 1.0);

    // Only +inf and .8 kept: recall 0 and 1/2, so a floor of 0.9 is out of reach; the fallback is the
    // highest recall (.8), reported with its accuracy 3/4.
    const std::vector<op::confusion_point> cut(curve.begin(), curve.begin() + 2);
    const auto f = op::max_accuracy_with_recall_floor(cut, 0.9);
    CHECK_FALSE(f.feasible);
    CHECK(f.threshold == 0.8);
    CHECK(f.objective == 0.75);
    // ... while on the full curve the lowest threshold reaches recall 1: feasible.
    CHECK(op::max_accuracy_with_recall_floor(curve, 1.0).feasible);
    CHECK(op::max_accuracy_with_recall_floor(curve, 1.0).threshold == 0.35);

    // Both costs zero: every point ties, so +inf (predict nothing) is chosen.
    CHECK(op::min_expected_cost(curve, {0.0, 0.0}).threshold == inf);
}

TEST_CASE("conventions at the ends of the curve") {
    // The +inf point predicts nothing: precision 1 (precision_recall_curve's end point), F 0 (fbeta_score
    // with zero_division = 0), hand-derived for y = [0 0 1 1].
    const auto curve = op::confusion_curve(std::vector<double>{0.1, 0.4, 0.35, 0.8}, std::vector<double>{0, 0, 1, 1});
    CHECK(curve[0].precision() == 1.0);
    CHECK(curve[0].f_beta() == 0.0);
    CHECK(curve[0].tn == 2.0);
    CHECK(curve[0].fn == 2.0);
    // beta = +inf is the recall (fbeta_score's special case): at .35, recall 1.
    CHECK(curve[3].f_beta(inf) == 1.0);
    // beta = 0 is the precision: at .35, tp 2, fp 1.
    CHECK_CLOSE(curve[3].f_beta(0.0), 2.0 / 3.0, 1e-15);
    CHECK_THROWS_WITH_AS((void)curve[3].f_beta(-1.0), doctest::Contains("beta must be >= 0"), mldp::invalid_argument);
    CHECK_THROWS_AS(op::max_f_beta(curve, std::nan("")), mldp::invalid_argument);

    // Labels of one class: all-negative gives tpr NaN, and a vacuous recall floor (nothing to miss),
    // so the best accuracy (1, predict nothing) is feasible. Hand-derived.
    const auto neg = op::confusion_curve(std::vector<double>{0.3, 0.6}, std::vector<int>{0, 0});
    CHECK(std::isnan(neg[1].tpr()));
    CHECK(neg[1].fpr() == 0.5);
    const auto r = op::max_accuracy_with_recall_floor(neg, 0.99);
    CHECK(r.feasible);
    CHECK(r.threshold == inf);
    CHECK(r.objective == 1.0);
}

// Same values as the double-typed columns; 2 * s is a monotone transform, so the counts stay.
TEST_CASE("labels as int, bool, std::vector<bool>; scores as xtensor expressions") {
    const std::vector<double> s{0.9, 0.8, 0.8, 0.7, 0.7, 0.7, 0.4, 0.4, 0.2, 0.1, 0.8, 0.4};
    const std::vector<double> yd{1, 1, 0, 1, 0, 1, 0, 0, 1, 0, 1, 1};
    const auto ref = op::confusion_curve(s, yd);
    std::vector<int> yi;
    std::vector<bool> yb;
    std::array<bool, 12> ya{};
    for (std::size_t i = 0; i < yd.size(); ++i) {
        yi.push_back(static_cast<int>(yd[i]));
        yb.push_back(yd[i] == 1.0);
        ya[i] = yd[i] == 1.0;
    }
    xt::xtensor<double, 1> xs = xt::zeros<double>({s.size()});
    for (std::size_t i = 0; i < s.size(); ++i) xs(i) = s[i];
    const std::vector<std::vector<op::confusion_point>> curves{
        op::confusion_curve(s, yi), op::confusion_curve(s, yb), op::confusion_curve(s, ya),
        op::confusion_curve(xs, yd), op::confusion_curve(2.0 * xs, yb)};
    for (const auto& curve : curves) {
        REQUIRE(curve.size() == ref.size());
        for (std::size_t i = 0; i < ref.size(); ++i) {
            CHECK(curve[i].tp == ref[i].tp);
            CHECK(curve[i].fp == ref[i].fp);
            CHECK(curve[i].tn == ref[i].tn);
            CHECK(curve[i].fn == ref[i].fn);
        }
    }
    CHECK(curves[4][2].threshold == 1.6);
    // An explicitly empty weight column means unit weights.
    CHECK(op::confusion_curve(s, yd, std::vector<double>{}).size() == ref.size());
}

TEST_CASE("bad inputs are rejected with the column and row") {
    const std::vector<double> s{0.1, 0.4, 0.35, 0.8}, y{0, 0, 1, 1}, w{1, 1, 1, 1};
    CHECK_THROWS_WITH_AS(op::confusion_curve(std::vector<double>{0.1, NAN, 0.3, 0.4}, y),
                         doctest::Contains("column 'scores', row 1"), mldp::data_error);
    CHECK_THROWS_WITH_AS(op::confusion_curve(std::vector<double>{0.1, 0.2, inf, 0.4}, y),
                         doctest::Contains("column 'scores', row 2"), mldp::data_error);
    CHECK_THROWS_WITH_AS(op::confusion_curve(s, std::vector<int>{0, 2, 1, 1}),
                         doctest::Contains("column 'labels', row 1: mldp::loss::operating_point::confusion_curve: labels must be 0 or 1"),
                         mldp::data_error);
    CHECK_THROWS_WITH_AS(op::confusion_curve(s, y, std::vector<double>{1, 1, 1, -0.5}),
                         doctest::Contains("column 'sample_weight', row 3"), mldp::data_error);
    CHECK_THROWS_WITH_AS(op::confusion_curve(s, y, std::vector<double>{1, NAN, 1, 1}),
                         doctest::Contains("weights must be finite and >= 0"), mldp::data_error);
    CHECK_THROWS_WITH_AS(op::confusion_curve(s, y, std::vector<double>{0, 0, 0, 0}),
                         doctest::Contains("every weight is zero"), mldp::data_error);
    CHECK_THROWS_WITH_AS(op::confusion_curve(s, std::vector<double>{0, 1, 1}),
                         doctest::Contains("scores has 4 values and labels has 3"), mldp::invalid_argument);
    CHECK_THROWS_WITH_AS(op::confusion_curve(s, y, std::vector<double>{1, 1}),
                         doctest::Contains("sample_weight has 2"), mldp::invalid_argument);
    CHECK_THROWS_WITH_AS(op::confusion_curve(std::vector<double>{}, std::vector<double>{}),
                         doctest::Contains("the input is empty"), mldp::data_error);
    CHECK_THROWS_AS(op::max_f_beta(std::vector<double>{}, std::vector<int>{}), mldp::data_error);

    const auto curve = op::confusion_curve(s, y, w);
    CHECK_THROWS_WITH_AS(op::min_expected_cost(curve, {-1.0, 1.0}), doctest::Contains("costs must be finite"),
                         mldp::invalid_argument);
    CHECK_THROWS_WITH_AS(op::max_accuracy_with_recall_floor(curve, 1.5), doctest::Contains("min_recall must be in [0, 1]"),
                         mldp::invalid_argument);
    CHECK_THROWS_WITH_AS(op::max_f_beta(std::vector<op::confusion_point>{}), doctest::Contains("the curve is empty"),
                         mldp::invalid_argument);
    try {
        (void)op::confusion_curve(s, std::vector<double>{0, 0, 0.5, 1});
        FAIL("expected data_error");
    } catch (const mldp::data_error& e) {
        CHECK(e.column() == "labels");
        CHECK(e.row() == 2);
    }
}

// Hand-derived on scikit-learn's docstring example: at .35, tp 2, fp 1, tn 1, fn 0.
TEST_CASE("points and choices print with fmt and convert to JSON") {
    const auto curve = op::confusion_curve(std::vector<double>{0.1, 0.4, 0.35, 0.8}, std::vector<double>{0, 0, 1, 1});
    CHECK(fmt::format("{}", curve[3]) == "threshold 0.35: tp=2 fp=1 tn=1 fn=0 tpr=1.0000 fpr=0.5000 precision=0.6667");
    CHECK(fmt::format("{}", curve[0]) == "threshold inf: tp=0 fp=0 tn=2 fn=2 tpr=0.0000 fpr=0.0000 precision=1.0000");
    const auto c = op::max_f_beta(curve, 2.0);  // F2 at .35 = 5 * (2/3) * 1 / (4 * 2/3 + 1) = 10/11
    CHECK(fmt::format("{}", c) ==
          "threshold 0.35, objective 0.909091: tp=2 fp=1 tn=1 fn=0 tpr=1.0000 fpr=0.5000 precision=0.6667");
    op::threshold_choice infeasible = c;
    infeasible.feasible = false;
    CHECK(fmt::format("{}", infeasible).find("(infeasible)") != std::string::npos);

    const nlohmann::json j = c;
    CHECK(j["threshold"].get<double>() == 0.35);
    CHECK(j["feasible"].get<bool>());
    CHECK_CLOSE(j["objective"].get<double>(), 10.0 / 11.0, 1e-15);
    CHECK(j["point"]["tp"].get<double>() == 2.0);
    CHECK(j["point"]["fpr"].get<double>() == 0.5);

    const nlohmann::json jc = curve;  // the whole curve, one object per point
    REQUIRE(jc.is_array());
    CHECK(jc.size() == 5);
    CHECK(jc[0]["threshold"].is_null());  // +inf: JSON has no infinity
    CHECK(jc[0]["precision"].get<double>() == 1.0);
    CHECK(jc[4]["threshold"].get<double>() == 0.1);
    const auto neg = op::confusion_curve(std::vector<double>{0.3}, std::vector<double>{0});
    CHECK(nlohmann::json(neg[1])["tpr"].is_null());  // NaN
}

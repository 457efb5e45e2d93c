// Every public result type prints with fmt::format("{}", r) and converts to JSON (DESIGN.md, contract
// 4). Each case makes its value by calling the public function on a tiny input, then checks the key
// numbers in the text and the keys and values of the JSON. Expected numbers are derived by hand in the
// comments, or are the scipy / statsmodels values the header's own test already pins (named there).
#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <xtensor/xtensor.hpp>

#include "mldp/audit/ledger.hpp"
#include "mldp/audit/overfitting.hpp"
#include "mldp/audit/representativeness.hpp"
#include "mldp/audit/runs.hpp"
#include "mldp/audit/simpson.hpp"
#include "mldp/audit/slices.hpp"
#include "mldp/audit/summary.hpp"
#include "mldp/drift/monitor.hpp"
#include "mldp/loss/detail/aggregation_result.hpp"
#include "mldp/loss/multi_objective.hpp"
#include "mldp/loss/operating_point.hpp"
#include "mldp/loss/pareto.hpp"
#include "mldp/loss/terms.hpp"
#include "mldp/quality/checks.hpp"
#include "mldp/quality/label_checks.hpp"
#include "mldp/quality/leakage.hpp"
#include "mldp/quality/report.hpp"
#include "mldp/quality/schema.hpp"
#include "mldp/quality/stat_checks.hpp"
#include "mldp/quality/validator.hpp"
#include "mldp/sketch/frequent_items.hpp"
#include "mldp/sketch/moments.hpp"
#include "mldp/split/folds.hpp"
#include "mldp/split/random.hpp"
#include "mldp/split/report.hpp"
#include "mldp/split/result.hpp"
#include "mldp/split/time.hpp"
#include "mldp/stats/agreement.hpp"
#include "mldp/stats/anderson.hpp"
#include "mldp/stats/contingency.hpp"
#include "mldp/stats/cramervonmises.hpp"
#include "mldp/stats/distance.hpp"
#include "mldp/stats/fisher.hpp"
#include "mldp/stats/ks.hpp"
#include "mldp/stats/mannwhitneyu.hpp"
#include "mldp/stats/mmd.hpp"
#include "mldp/stats/test_result.hpp"
#include "mldp/stats/ttest.hpp"
#ifdef MLDP_WITH_BLAS
#include "mldp/loss/aggregation.hpp"
#endif

namespace st = mldp::stats;
namespace q = mldp::quality;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A number as the formatters print it.
std::string g6(double v) { return fmt::format("{:.6g}", v); }

bool close(double a, double b, double tol) { return std::fabs(a - b) <= tol; }

// The JSON object's keys, in nlohmann's (sorted) order.
std::vector<std::string> keys(const nlohmann::json& j) {
    std::vector<std::string> out;
    for (auto it = j.begin(); it != j.end(); ++it) out.push_back(it.key());
    return out;
}

// scipy's published pair (tests/stats/recipe.hpp), whose results anderson_test and cramervonmises_test pin.
const std::vector<double> published_x{38.7, 41.5, 43.8, 44.5, 45.5, 46.0, 47.7, 58.0};
const std::vector<double> published_y{39.2, 39.3, 39.7, 41.4, 41.8, 42.9, 43.3, 45.8};

}  // namespace

// ============================================================================================ stats

TEST_CASE("stats::test_result: statistic and p, df when the test has one; NaN df is null in JSON") {
    // chisquare([10, 20, 30]): expected 20 each, chi2 = (100 + 0 + 100) / 20 = 10, df 2, and the
    // chi-square survival function at 2 df is exp(-x / 2): p = exp(-5) = 0.00673795.
    const st::test_result r = st::chisquare(std::vector<double>{10, 20, 30});
    CHECK(fmt::format("{}", r) == "statistic = 10, p = 0.00673795, df = 2");
    const nlohmann::json j = r;
    CHECK(keys(j) == std::vector<std::string>{"df", "p_value", "statistic"});
    CHECK(j["statistic"].get<double>() == doctest::Approx(10.0).epsilon(1e-14));
    CHECK(close(j["p_value"].get<double>(), std::exp(-5.0), 1e-15));
    CHECK(j["df"] == 2.0);

    // cramervonmises_2samp on the published pair (scipy 1.10.1): T = 0.4375, p 0.06433566433566433; no df.
    const st::test_result c = st::cramer_von_mises_2samp(published_x, published_y);
    CHECK(fmt::format("{}", c) == "statistic = 0.4375, p = 0.0643357");
    const nlohmann::json jc = c;
    CHECK(jc["df"].is_null());
    CHECK(jc["statistic"].get<double>() == doctest::Approx(0.4375).epsilon(1e-12));
}

TEST_CASE("stats::ks_result: D, p, location, sign and method") {
    // a below b entirely: D = 1 (F_a - F_b = 1 from a's last value, 4, up to b's first), sign +1;
    // the exact two-sided p-value is the share of the C(8, 4) = 70 orderings as extreme: 2 / 70.
    const auto r = st::ks_2samp(std::vector<double>{1, 2, 3, 4}, std::vector<double>{5, 6, 7, 8});
    CHECK(fmt::format("{}", r) == "ks_2samp: D = 1, p = 0.0285714 (at 4, sign +1, exact)");
    const nlohmann::json j = r;
    CHECK(keys(j) == std::vector<std::string>{"method_used", "p_value", "statistic", "statistic_location", "statistic_sign"});
    CHECK(j["statistic"] == 1.0);
    CHECK(close(j["p_value"].get<double>(), 2.0 / 70.0, 1e-15));
    CHECK(j["statistic_location"] == 4.0);
    CHECK(j["statistic_sign"] == 1);
    CHECK(j["method_used"] == "exact");
    CHECK(std::string(st::to_string(st::ks_method::asymp)) == "asymp");

    // A propagated NaN: NaN prints as "nan" and is null in JSON.
    st::ks_options propagate;
    propagate.nan_policy = st::nan_policy::propagate;
    const auto n = st::ks_2samp(std::vector<double>{1, NAN}, std::vector<double>{2, 3}, propagate);
    CHECK(contains(fmt::format("{}", n), "D = nan"));
    const nlohmann::json jn = n;
    CHECK(jn["statistic"].is_null());
    CHECK(jn["p_value"].is_null());
}

TEST_CASE("stats::mwu_result: U, p, effect size and method") {
    // No value of a exceeds one of b: U1 = 0, effect size 0 / 16 = 0; exact two-sided p = 2 / C(8, 4).
    const auto r = st::mannwhitneyu(std::vector<double>{1, 2, 3, 4}, std::vector<double>{5, 6, 7, 8});
    CHECK(fmt::format("{}", r) == "mannwhitneyu: U = 0, p = 0.0285714, effect size = 0 (exact)");
    const nlohmann::json j = r;
    CHECK(keys(j) == std::vector<std::string>{"effect_size", "method_used", "p_value", "statistic"});
    CHECK(j["statistic"] == 0.0);
    CHECK(close(j["p_value"].get<double>(), 2.0 / 70.0, 1e-15));
    CHECK(j["effect_size"] == 0.0);
    CHECK(j["method_used"] == "exact");
}

TEST_CASE("stats::anderson_result: A2, p, critical values and the cap / floor flags") {
    // The published pair (scipy 1.10.1, pinned in anderson_test): 1.7183096744360893, p 0.06351467728760844.
    const auto r = st::anderson_ksamp(published_x, published_y);
    CHECK(fmt::format("{}", r) == "anderson_ksamp: A2 = 1.71831, p = 0.0635147");
    const nlohmann::json j = r;
    CHECK(keys(j) == std::vector<std::string>{"critical_values", "p_value", "p_value_capped", "p_value_floored", "statistic"});
    CHECK(j["statistic"].get<double>() == doctest::Approx(1.7183096744360893).epsilon(1e-12));
    REQUIRE(j["critical_values"].size() == 7);
    CHECK(j["critical_values"][2].get<double>() == r.critical_values[2]);
    CHECK(j["p_value_capped"] == false);
    CHECK(j["p_value_floored"] == false);

    // Two equal samples: the statistic lies below every critical value, so scipy caps p at 0.25.
    const std::vector<double> same{1, 2, 3, 4, 5};
    const auto capped = st::anderson_ksamp(same, same);
    CHECK(capped.p_value_capped);
    CHECK(contains(fmt::format("{}", capped), "p = 0.25 (capped: the true p is above 0.25)"));
    CHECK(nlohmann::json(capped)["p_value_capped"] == true);
}

TEST_CASE("stats::contingency_result: statistic, p, df and the expected table") {
    // [[30, 70], [45, 55]] with Yates' correction (scipy 1.10.1, pinned in contingency_test):
    // 4.181333333333333, p 0.04087153408900628, df 1; expected = row sums x column sums / 200.
    const xt::xtensor<double, 2> t = {{30, 70}, {45, 55}};
    const auto r = st::chi2_contingency(t);
    CHECK(fmt::format("{}", r) == "chi2_contingency: statistic = 4.18133, p = 0.0408715, df = 1 (2 x 2 table)");
    const nlohmann::json j = r;
    CHECK(keys(j) == std::vector<std::string>{"df", "expected", "p_value", "statistic"});
    CHECK(j["df"] == 1.0);
    CHECK(j["expected"] == nlohmann::json::parse("[[37.5, 62.5], [37.5, 62.5]]"));
    CHECK(j["statistic"].get<double>() == doctest::Approx(4.181333333333333).epsilon(1e-12));
}

TEST_CASE("stats::fisher_result: odds ratio and p; an infinite odds ratio is null in JSON") {
    // [[8, 2], [1, 5]] (scipy 1.10.1, pinned in fisher_test): odds ratio 8 x 5 / (2 x 1) = 20, p 0.034965034965034975.
    const auto r = st::fisher_exact(8, 2, 1, 5);
    CHECK(fmt::format("{}", r) == "fisher_exact: odds ratio = 20, p = 0.034965");
    const nlohmann::json j = r;
    CHECK(keys(j) == std::vector<std::string>{"p_value", "statistic"});
    CHECK(j["statistic"] == 20.0);
    CHECK(close(j["p_value"].get<double>(), 0.034965034965034975, 1e-12));

    // b c = 0: the odds ratio is infinite.
    const auto inf = st::fisher_exact(3, 0, 1, 2);
    CHECK(contains(fmt::format("{}", inf), "odds ratio = inf"));
    CHECK(nlohmann::json(inf)["statistic"].is_null());
}

TEST_CASE("stats::psi_result: the index and its binning") {
    // reference {1, 2, 3, 4}, 2 bins: edges = quantiles at 0, 0.5, 1 = 1, 2.5, 4; reference shares
    // 0.5, 0.5; current {1, 1, 1, 4}: 0.75, 0.25. PSI = 0.25 ln 1.5 + (-0.25) ln 0.5 = 0.25 ln 3.
    const auto r = st::psi(std::vector<double>{1, 2, 3, 4}, std::vector<double>{1, 1, 1, 4}, std::size_t{2});
    CHECK(fmt::format("{}", r) == "psi = " + g6(0.25 * std::log(3.0)) + " (2 bins)");
    CHECK(fmt::format("{}", r) == "psi = 0.274653 (2 bins)");
    const nlohmann::json j = r;
    CHECK(keys(j) == std::vector<std::string>{"current_share", "edges", "psi", "reference_share"});
    CHECK(j["edges"] == nlohmann::json::parse("[1, 2.5, 4]"));
    CHECK(j["reference_share"] == nlohmann::json::parse("[0.5, 0.5]"));
    CHECK(j["current_share"] == nlohmann::json::parse("[0.75, 0.25]"));
    CHECK(close(j["psi"].get<double>(), 0.25 * std::log(3.0), 1e-15));
}

TEST_CASE("stats::mmd_result: MMD^2, permutation p and bandwidth") {
    st::mmd_options o;
    o.bandwidth = 1.0;
    o.permutations = 19;
    o.seed = 7;
    const auto r = st::mmd2(std::vector<double>{0, 1, 2, 3}, std::vector<double>{10, 11, 12, 13}, o);
    // p = (1 + k) / (B + 1) = (1 + k) / 20.
    const double k = r.p_value * 20.0 - 1.0;
    CHECK(k == std::round(k));
    CHECK(fmt::format("{}", r) == "mmd2: MMD^2 = " + g6(r.statistic) + ", p = " + g6(r.p_value) + ", bandwidth = 1");
    const nlohmann::json j = r;
    CHECK(keys(j) == std::vector<std::string>{"bandwidth", "p_value", "statistic"});
    CHECK(j["bandwidth"] == 1.0);
    CHECK(j["statistic"].get<double>() == r.statistic);

    // No permutations: p is NaN, null in JSON.
    o.permutations = 0;
    const auto none = st::mmd2(std::vector<double>{0, 1, 2, 3}, std::vector<double>{10, 11, 12, 13}, o);
    CHECK(nlohmann::json(none)["p_value"].is_null());
    CHECK(contains(fmt::format("{}", none), "p = nan"));
}

TEST_CASE("stats::ttest_result: t, p, df, mean difference and effect size") {
    // a = {1, 2, 3, 4}, b = {3, 4, 5, 6}: both variances 5/3, so Welch's t = -2 / sqrt(5/12 + 5/12) =
    // -2.19089 with df 6 (equal variances and sizes), and d = -2 / sqrt(5/3) = -1.54919.
    const auto r = st::ttest_ind(std::vector<double>{1, 2, 3, 4}, std::vector<double>{3, 4, 5, 6});
    CHECK(fmt::format("{}", r) ==
          "ttest_ind: t = -2.19089, p = " + g6(r.p_value) + ", df = 6, mean difference = -2, effect size = -1.54919");
    const nlohmann::json j = r;
    CHECK(keys(j) == std::vector<std::string>{"df", "effect_size", "mean_difference", "p_value", "statistic"});
    CHECK(j["mean_difference"] == -2.0);
    CHECK(close(j["statistic"].get<double>(), -2.0 / std::sqrt(5.0 / 6.0), 1e-14));
    CHECK(close(j["df"].get<double>(), 6.0, 1e-12));
    CHECK(close(j["effect_size"].get<double>(), -2.0 / std::sqrt(5.0 / 3.0), 1e-15));
}

TEST_CASE("stats agreement results (kappa, Fleiss, Krippendorff) print and convert") {
    const auto k = st::cohen_kappa(std::vector<int>{0, 1, 1, 0}, std::vector<int>{0, 1, 1, 0});  // identical raters: 1
    CHECK(contains(fmt::format("{}", k), "kappa 1.0000"));
    CHECK(nlohmann::json(k)["kappa"] == 1.0);
    CHECK(nlohmann::json(k)["n"] == 4);
    // {{7, 1}, {3, 5}}: 0.161905 (pinned in agreement_test).
    const auto f = st::fleiss_kappa(std::vector<std::vector<double>>{{7, 1}, {3, 5}});
    CHECK(contains(fmt::format("{}", f), "kappa 0.1619"));
    CHECK(nlohmann::json(f)["kappa"].get<double>() == doctest::Approx(0.161905).epsilon(1e-5));
    const auto a = st::krippendorff_alpha(std::vector<std::vector<double>>{{0, 1, 2}, {0, 1, 2}}, st::alpha_level::ratio);
    CHECK(contains(fmt::format("{}", a), "alpha 1.0000"));
    CHECK(nlohmann::json(a)["alpha"] == 1.0);
}

// ============================================================================================ split

TEST_CASE("split::split_result: algorithm, seed and sizes in text; indices and info in JSON") {
    const mldp::split::fractions fr{0.8, 0.1, 0.1};
    const auto r = mldp::split::random_split(10, fr, 42);
    REQUIRE(r.train.size() == 8);
    CHECK(fmt::format("{}", r) == "random_split v1 seed=42: 10 rows: train 8, validation 1, test 1");
    const nlohmann::json j = r;
    CHECK(keys(j) == std::vector<std::string>{"dropped", "info", "test", "train", "validation"});
    CHECK(j["train"] == nlohmann::json(r.train));
    CHECK(j["test"].size() == 1);
    CHECK(j["dropped"].empty());
    CHECK(j["info"]["algorithm"] == "random_split");
    CHECK(j["info"]["seed"] == 42);
    CHECK(j["info"]["requested"]["train"] == 0.8);
    CHECK(j["info"]["hash"] == "");

    // time_split with a one-row gap drops a row, which both say.
    const std::vector<double> t{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    const auto ts = mldp::split::time_split(t, mldp::split::fractions{0.6, 0.2, 0.2}, mldp::split::time_gap::of_rows(1));
    REQUIRE(!ts.dropped.empty());
    CHECK(contains(fmt::format("{}", ts), fmt::format(", dropped {}", ts.dropped.size())));
    CHECK(nlohmann::json(ts)["dropped"] == nlohmann::json(ts.dropped));
    CHECK(nlohmann::json(ts)["info"]["seed"].is_null());
}

TEST_CASE("split::fold: sizes in text, indices in JSON") {
    // k_fold(5, 5): fold i tests row i and trains on the other four.
    const auto folds = mldp::split::k_fold(5, 5);
    REQUIRE(folds.size() == 5);
    CHECK(fmt::format("{}", folds[1]) == "fold: train 4, test 1");
    const nlohmann::json j = folds[1];
    CHECK(keys(j) == std::vector<std::string>{"test", "train"});
    CHECK(j["test"] == nlohmann::json::parse("[1]"));
    CHECK(j["train"] == nlohmann::json::parse("[0, 2, 3, 4]"));
    CHECK(nlohmann::json(folds).size() == 5);  // a vector of folds converts too
}

TEST_CASE("split::split_manifest and split::split_report print and convert") {
    const auto r = mldp::split::random_split(10, mldp::split::fractions{0.8, 0.1, 0.1}, 42);
    const auto m = r.manifest();
    CHECK(contains(fmt::format("{}", m), fmt::format("digest {:016x}", m.digest)));
    CHECK(nlohmann::json(m)["digest"] == fmt::format("{:016x}", m.digest));
    CHECK(nlohmann::json(m)["counts"]["train"] == 8);

    std::vector<double> x(10);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<double>(i);
    mldp::frame f;
    f.add("x", x);
    const auto rep = mldp::split::check_split(f, r);
    CHECK(contains(fmt::format("{}", rep), "split report: 10 rows -> train 8, validation 1, test 1"));
    const nlohmann::json j = rep;
    CHECK(j["rows"] == 10);
    CHECK(j["verdict"] == mldp::split::to_string(rep.result));
}

// =========================================================================================== sketch

TEST_CASE("sketch::item_estimate: exact and bounded counts, string and integer items") {
    mldp::sketch::frequent_items<std::string> exact(4);
    for (const char* s : {"a", "b", "a", "c", "a", "b"}) exact.update(s);
    const auto items = exact.items_above();
    REQUIRE(items.size() == 3);
    CHECK(fmt::format("{}", items[0]) == "a: 3");
    const nlohmann::json j = items[0];
    CHECK(keys(j) == std::vector<std::string>{"item", "lower", "upper"});
    CHECK(j["item"] == "a");
    CHECK(j["lower"] == 3);
    CHECK(j["upper"] == 3);
    CHECK(nlohmann::json(items).size() == 3);

    // Capacity 1: a, a, b leaves counters a = 2, b = 1; the decrement subtracts 1 from both, so a
    // keeps lower bound 1 and the max error is 1 (upper bound 2).
    mldp::sketch::frequent_items<std::int64_t> bounded(1);
    bounded.update(7);
    bounded.update(7);
    bounded.update(9);
    const auto b = bounded.items_above();
    REQUIRE(b.size() == 1);
    CHECK(fmt::format("{}", b[0]) == "7: 1 to 2");
    CHECK(nlohmann::json(b[0]) == nlohmann::json::parse(R"({"item": 7, "lower": 1, "upper": 2})"));
}

TEST_CASE("sketch::moments prints and converts") {
    mldp::sketch::moments m;
    for (double v : {1.0, 2.0, 3.0}) m.update(v);
    CHECK(contains(fmt::format("{}", m), "moments(n=3, mean=2, sd=1"));
    CHECK(nlohmann::json(m)["count"] == 3);
    CHECK(nlohmann::json(m)["mean"] == 2.0);
}

// ========================================================================================== quality

TEST_CASE("quality::finding and quality::quality_report") {
    mldp::frame f;
    f.add("x", std::vector<double>{1, NAN, 3});
    q::validator v;
    v.expect(q::not_null("x"));
    const q::quality_report r = v.validate(f);
    REQUIRE(r.findings.size() == 1);
    const q::finding& x = r.findings[0];
    // One of three rows is missing: count 1, fraction 1/3.
    const std::string text = fmt::format("{}", x);
    CHECK(contains(text, fmt::format("error: {} FAILED, 1 offending (fraction 0.333333)", x.check)));
    CHECK(contains(text, x.message));
    const nlohmann::json j = x;
    CHECK(keys(j) == std::vector<std::string>{"check", "code", "column", "count", "fraction", "fraction_non_missing", "message",
                                              "passed", "rows", "severity", "values"});
    CHECK(j["code"] == "not_null");
    CHECK(j["severity"] == "error");
    CHECK(j["count"] == 1);
    CHECK(j["rows"] == nlohmann::json::parse("[1]"));

    CHECK(contains(fmt::format("{}", r), "quality report: 3 rows, 1 checks, 1 findings"));
    CHECK(nlohmann::json(r)["findings"][0] == j);
}

TEST_CASE("quality::column_spec and quality::schema") {
    // As schema_test's hand derivation: x [1, 3] with a NaN widened by 0.1 x 2 on each side; c {a, b}
    // with no missing value; t [100, 300] ms widened by floor(0.1 x 200) = 20 ticks.
    mldp::frame f;
    f.add("x", std::vector<double>{1, NAN, 3});
    f.add("c", std::vector<std::string>{"b", "a", "b"});
    mldp::time_column t;
    t.ticks = {100, 300, 200};
    t.unit = mldp::time_unit::milliseconds;
    f.add("t", t);
    const q::schema s = q::infer_schema(f);
    REQUIRE(s.columns.size() == 3);
    CHECK(fmt::format("{}", s.columns[0]) == "x: numeric, nullable, range [0.8, 3.2]");
    CHECK(fmt::format("{}", s.columns[1]) == "c: categorical, not nullable, allowed {a, b}");
    CHECK(fmt::format("{}", s.columns[2]) == "t: time, not nullable, unit ms, ticks [80, 320]");
    CHECK(fmt::format("{}", s) ==
          "schema: 3 columns\n  x: numeric, nullable, range [0.8, 3.2]\n  c: categorical, not nullable, allowed {a, b}\n"
          "  t: time, not nullable, unit ms, ticks [80, 320]");
    const nlohmann::json j = s;
    CHECK(j["columns"][0]["name"] == "x");
    CHECK(j["columns"][1]["allowed"] == nlohmann::json::parse(R"(["a", "b"])"));
    CHECK(j["columns"][2]["max_time"] == 320);
    CHECK(nlohmann::json(s.columns[0])["min_value"].get<double>() == doctest::Approx(0.8).epsilon(1e-14));

    // A long vocabulary is cut at ten; a one-sided bound prints the other side as inf.
    q::column_spec many;
    many.name = "k";
    many.kind = mldp::column_kind::categorical;
    for (int i = 0; i < 12; ++i) many.allowed.push_back(fmt::format("v{}", i));
    CHECK(contains(fmt::format("{}", many), "allowed {v0, v1, v2, v3, v4, v5, v6, v7, v8, v9, ... (12 values)}"));
    q::column_spec half;
    half.name = "h";
    half.min_value = 0.0;
    CHECK(fmt::format("{}", half) == "h: numeric, nullable, range [0, inf]");
}

TEST_CASE("quality::proportion_interval") {
    // Wilson at 8/10, 95%: centre (0.8 + z^2/20) / (1 + z^2/10), half-width z sqrt(0.016 + z^2/400) /
    // (1 + z^2/10), z = 1.959963984540054: statsmodels proportion_confint(8, 10, method='wilson') =
    // (0.4901625, 0.9433178).
    const auto i = q::wilson_interval(8, 10);
    CHECK(fmt::format("{}", i) == "[" + g6(i.low) + ", " + g6(i.high) + "]");
    CHECK(fmt::format("{}", i) == "[0.490162, 0.943318]");
    const nlohmann::json j = i;
    CHECK(keys(j) == std::vector<std::string>{"high", "low"});
    CHECK(j["low"].get<double>() == i.low);
    CHECK(j["high"].get<double>() == i.high);
}

TEST_CASE("quality agreement, source and selection results print and convert") {
    mldp::frame f;
    f.add("a", std::vector<std::string>{"x", "y", "x", "y"});
    f.add("b", std::vector<std::string>{"x", "y", "x", "x"});
    const auto s = q::measure_agreement(f, {"a", "b"});
    CHECK(s.disagreements == 1);
    CHECK(contains(fmt::format("{}", s), "Cohen's kappa " + fmt::format("{:.4f}", s.value)));
    CHECK(nlohmann::json(s)["disagreeing_rows"] == nlohmann::json::parse("[3]"));

    const std::vector<double> values{1, 2, 3, 4, 10, 11, 12, 13};
    const std::vector<std::string> sources{"p", "p", "p", "p", "q", "q", "q", "q"};
    const auto c = q::compare_sources(values, sources);
    REQUIRE(c.size() == 2);
    CHECK(contains(fmt::format("{}", c[0]), "source 'p' (4 rows): median 2.5"));
    CHECK(nlohmann::json(c[0])["median"] == 2.5);

    mldp::frame before;
    before.add("x", std::vector<double>{1, 2, 3, 4, 5, 6, 7, 8});
    const auto sel = q::selection_audit(before, std::vector<bool>{true, true, true, true, false, false, false, false});
    CHECK(contains(fmt::format("{}", sel), "selection audit: kept 4 of 8 rows (50.0%)"));
    CHECK(nlohmann::json(sel)["rows_kept"] == 4);
    CHECK(nlohmann::json(sel)["columns"][0]["column"] == "x");
}

// ============================================================================================= loss

TEST_CASE("loss::loss_value: value and gradient shape in text, value and gradient array in JSON") {
    // mse([1, 2], [0, 0]) = (1 + 4) / 2 = 2.5; gradient 2 (p - t) / n = [1, 2].
    const auto l = mldp::loss::mse(std::vector<double>{1, 2}, std::vector<double>{0, 0});
    CHECK(fmt::format("{}", l) == "value = 2.5, gradient size 2 (shape [2])");
    const nlohmann::json j = l;
    CHECK(keys(j) == std::vector<std::string>{"gradient", "value"});
    CHECK(j["value"] == 2.5);
    CHECK(j["gradient"] == nlohmann::json::parse("[1, 2]"));

    // 2 x 2: the columns add up (terms.hpp), so value = (1 + 0 + 4 + 1) / 2 = 3 and the gradient
    // 2 (p - t) / 2 keeps the shape as nested rows.
    const xt::xtensor<double, 2> p = {{1, 0}, {2, 1}}, t = {{0, 0}, {0, 0}};
    const auto l2 = mldp::loss::mse(p, t);
    CHECK(fmt::format("{}", l2) == "value = 3, gradient size 4 (shape [2, 2])");
    CHECK(nlohmann::json(l2)["gradient"] == nlohmann::json::parse("[[1, 0], [2, 1]]"));
}

TEST_CASE("loss::aggregation: weights and the direction's norm; weights and direction arrays in JSON") {
    // By hand: weights (0.6, 0.4) of the gradients (-4, 1, 1) and (6, 1, 1) give direction (0, 1, 1), norm sqrt 2.
    mldp::loss::aggregation a;
    a.weights = {0.6, 0.4};
    a.direction = {0.0, 1.0, 1.0};
    CHECK(fmt::format("{}", a) == "weights [0.6, 0.4], direction of 3 values, norm 1.41421");
    const nlohmann::json j = a;
    CHECK(keys(j) == std::vector<std::string>{"direction", "weights"});
    CHECK(j["weights"] == nlohmann::json::parse("[0.6, 0.4]"));
    CHECK(j["direction"] == nlohmann::json::parse("[0, 1, 1]"));
#ifdef MLDP_WITH_BLAS
    // MGDA's min-norm point of the two gradients above (multi_objective_test pins the weights 0.6, 0.4).
    const xt::xtensor<double, 2> jac = {{-4.0, 1.0, 1.0}, {6.0, 1.0, 1.0}};
    const auto m = mldp::loss::mgda{}.aggregate(jac);
    CHECK(fmt::format("{}", m) == "weights [0.6, 0.4], direction of 3 values, norm 1.41421");
    const nlohmann::json jm = m;
    CHECK(jm["weights"][0].get<double>() == doctest::Approx(0.6).epsilon(1e-12));
    CHECK(jm["direction"].size() == 3);
#endif
}

TEST_CASE("loss::step_record: losses, weights and total") {
    mldp::loss::multi_objective mo{mldp::loss::weighting::fixed({0.7, 0.3})};
    mo.weights(std::vector<double>{1.0, 2.0});
    REQUIRE(mo.history().size() == 1);
    const auto& r = mo.history()[0];
    // total = 0.7 x 1 + 0.3 x 2 = 1.3
    CHECK(fmt::format("{}", r) == "step 0: losses [1, 2], weights [0.7, 0.3], total 1.3");
    const nlohmann::json j = r;
    CHECK(keys(j) == std::vector<std::string>{"losses", "step", "total", "weights"});
    CHECK(j["weights"] == nlohmann::json::parse("[0.7, 0.3]"));
    CHECK(j["total"].get<double>() == doctest::Approx(1.3).epsilon(1e-15));
}

TEST_CASE("loss::pareto archive and its members") {
    mldp::loss::pareto::pareto_archive a(2);
    CHECK(a.insert(std::vector<double>{1, 2}, 1));
    CHECK(a.insert(std::vector<double>{2, 1}, 2));
    CHECK_FALSE(a.insert(std::vector<double>{3, 3}, 3));  // dominated by both
    CHECK(fmt::format("{}", a.members()[0]) == "id 1: (1, 2)");
    CHECK(fmt::format("{}", a) == "pareto archive: 2 members of 2 objectives\n  id 1: (1, 2)\n  id 2: (2, 1)");
    const nlohmann::json j = a;
    CHECK(j["num_objectives"] == 2);
    CHECK(j["members"][1] == nlohmann::json::parse(R"({"id": 2, "objectives": [2, 1]})"));
}

TEST_CASE("loss::operating_point results print and convert") {
    const std::vector<double> scores{0.1, 0.4, 0.35, 0.8}, labels{0, 0, 1, 1};
    const auto curve = mldp::loss::operating_point::confusion_curve(scores, labels);
    REQUIRE(!curve.empty());
    CHECK(contains(fmt::format("{}", curve.back()), "tp="));
    CHECK(nlohmann::json(curve).size() == curve.size());
    const auto c = mldp::loss::operating_point::max_f_beta(scores, labels);
    CHECK(contains(fmt::format("{}", c), "threshold " + g6(c.threshold) + ", objective " + g6(c.objective)));
    CHECK(nlohmann::json(c)["feasible"] == true);
}

// ============================================================================================ audit

TEST_CASE("audit Simpson results: comparison, result and scan") {
    // Kidney stones (Charig et al. 1986): treatment a wins in each stratum, b in aggregate.
    const std::vector<mldp::audit::stratum_counts> counts = {{"small", 81, 87, 234, 270}, {"large", 192, 263, 55, 80}};
    const auto r = mldp::audit::simpsons_paradox(counts);
    CHECK(r.reversal);
    CHECK(contains(fmt::format("{}", r.aggregate), "a 273/350 = 78.00%, b 289/350 = 82.57%"));
    CHECK(nlohmann::json(r.aggregate)["trials_a"] == 350.0);
    const std::string text = fmt::format("{}", r);
    CHECK(contains(text, "reversal: yes"));
    const nlohmann::json j = r;
    CHECK(j["reversal"] == true);
    CHECK(j["strata"].size() == 2);
    CHECK(j["cmh"]["df"] == 1.0);

    // The same counts as rows of a frame, scanned.
    std::vector<double> outcome;
    std::vector<std::string> treatment, size;
    for (const auto& s : counts) {
        const double cells[4] = {s.successes_a, s.trials_a - s.successes_a, s.successes_b, s.trials_b - s.successes_b};
        for (std::size_t cell = 0; cell < 4; ++cell) {
            for (double k = 0; k < cells[cell]; ++k) {
                outcome.push_back(cell % 2 == 0 ? 1.0 : 0.0);
                treatment.push_back(cell < 2 ? "a" : "b");
                size.push_back(s.name);
            }
        }
    }
    mldp::frame f;
    f.add("success", outcome).add("treatment", treatment).add("size", size);
    const auto scan = mldp::audit::scan_simpsons_paradox(f, "success", "treatment");
    REQUIRE(scan.findings.size() == 1);
    CHECK(contains(fmt::format("{}", scan), "1. 'size': REVERSAL"));
    CHECK(nlohmann::json(scan)["findings"][0]["column"] == "size");
}

TEST_CASE("audit sliced metrics, summaries, ledger, gap, representativeness and runs print and convert") {
    const std::vector<double> y{1, 0, 1, 0, 1, 0}, s{0.9, 0.2, 0.6, 0.7, 0.4, 0.1};
    mldp::audit::slice_options so;
    so.min_count = 1;
    so.min_class_count = 1;
    const auto sr = mldp::audit::sliced_metrics(y, s, {"u", "u", "u", "v", "v", "v"}, 0.5, so);
    CHECK(contains(fmt::format("{}", sr), "sliced metrics: 6 rows, 2 slices"));
    CHECK(contains(fmt::format("{}", sr.slices[0]), "u "));
    CHECK(nlohmann::json(sr)["slices"].size() == 2);

    const auto a = mldp::audit::distribution_summary(std::vector<double>{1, 2, 3, 4});
    CHECK(contains(fmt::format("{}", a), "n = 4 (missing 0), mean 2.5"));
    CHECK(nlohmann::json(a)["mean"] == 2.5);
    const auto b = mldp::audit::distribution_summary(std::vector<double>{2, 3, 4, 5});
    const auto cmp = mldp::audit::compare_summaries(a, b);
    CHECK(contains(fmt::format("{}", cmp), "differ in location"));
    CHECK(nlohmann::json(cmp)["location_differs"] == true);

    mldp::audit::hypothesis_ledger ledger("d");
    ledger.record("one", 0.01);
    ledger.record("two", 0.04);
    ledger.record("three", 0.5);
    const auto lr = ledger.report();
    CHECK(!fmt::format("{}", lr).empty());
    CHECK(nlohmann::json(lr)["tests"] == 3);

    mldp::audit::generalization_gap gg;
    const std::vector<double> train{1.0, 0.8, 0.6, 0.5, 0.4, 0.35, 0.3}, val{1.1, 0.9, 0.7, 0.72, 0.75, 0.8, 0.85};
    for (std::size_t e = 0; e < train.size(); ++e) gg.update(train[e], val[e]);
    const auto gr = gg.report();
    CHECK(contains(fmt::format("{}", gr), "generalization gap over 7 epochs"));
    CHECK(nlohmann::json(gr)["epochs"] == 7);

    std::vector<double> pop(200), smp(50);
    for (std::size_t i = 0; i < pop.size(); ++i) pop[i] = static_cast<double>(i % 20);
    for (std::size_t i = 0; i < smp.size(); ++i) smp[i] = static_cast<double>(i % 20) + 5.0;
    mldp::frame sample, population;
    sample.add("x", smp);
    population.add("x", pop);
    const auto rep = mldp::audit::representativeness(sample, population);
    REQUIRE(rep.columns.size() == 1);
    CHECK(contains(fmt::format("{}", rep.columns[0]), "x (numeric): ks_2samp = " + fmt::format("{:.4g}", rep.columns[0].statistic)));
    CHECK(contains(fmt::format("{}", rep), "representativeness: 1 column(s) tested"));
    CHECK(nlohmann::json(rep)["columns"][0]["column"] == "x");

    const auto sw = mldp::audit::summarize_runs(std::vector<double>{0.80, 0.82, 0.81});
    CHECK(!fmt::format("{}", sw).empty());
    CHECK(nlohmann::json(sw)["mean"].get<double>() == doctest::Approx(0.81).epsilon(1e-12));
    const auto rc = mldp::audit::compare_runs(std::vector<double>{0.80, 0.82, 0.81}, std::vector<double>{0.70, 0.72, 0.71});
    CHECK(!fmt::format("{}", rc).empty());
    CHECK(nlohmann::json(rc)["difference"].get<double>() == doctest::Approx(0.1).epsilon(1e-12));
}

// ============================================================================================ drift

TEST_CASE("drift::drift_report prints; it and column_drift convert") {
    std::vector<double> ref(400), cur(200);
    for (std::size_t i = 0; i < ref.size(); ++i) ref[i] = static_cast<double>(i % 40);
    for (std::size_t i = 0; i < cur.size(); ++i) cur[i] = static_cast<double>(i % 40) + 20.0;
    mldp::frame reference, current;
    reference.add("x", ref);
    current.add("x", cur);
    mldp::drift::drift_monitor m(reference);
    m.update(current);
    const auto r = m.results();
    REQUIRE(r.columns.size() == 1);
    CHECK(r.columns[0].drift);
    CHECK(contains(fmt::format("{}", r), "drift report: 1 of 1 columns drifted"));
    const nlohmann::json j = r;
    CHECK(j["drifted"] == 1);
    CHECK(nlohmann::json(r.columns[0])["column"] == "x");
    CHECK(nlohmann::json(r.columns[0])["drift"] == true);
}

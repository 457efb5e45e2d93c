#include "mldp/quality/stat_checks.hpp"
#include "mldp/quality/validator.hpp"
#include "mldp/core/random.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "close.hpp"
#include "quality_vectors.hpp"

namespace q = mldp::quality;

namespace {

const q::finding* first(const q::quality_report& r, const std::string& code) {
    for (const auto& f : r.findings) {
        if (f.code == code) return &f;
    }
    return nullptr;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

mldp::time_column times(std::vector<std::int64_t> ticks, mldp::time_unit unit = mldp::time_unit::seconds) {
    mldp::time_column c;
    c.ticks = std::move(ticks);
    c.unit = unit;
    return c;
}

// deequ rounds its intervals outward to two decimals (BigDecimal setScale(2, DOWN / UP)).
double round_down2(double x) { return std::floor(x * 100.0) / 100.0; }
double round_up2(double x) { return std::ceil(x * 100.0) / 100.0; }

constexpr std::int64_t nat = mldp::time_column::missing;

}  // namespace

// ---- proportion intervals --------------------------------------------------------------------------

// deequ's IntervalStrategyTest table (pHat, numRecords -> bounds at 95%), e.g. Wilson(0.9, 100) =
// [0.82, 0.95] and Wald(0.9, 100) = [0.84, 0.96]; successes = pHat * n.
TEST_CASE("wilson_interval and wald_interval reproduce deequ's interval table") {
    struct row {
        double p, n, low, high;
    };
    const std::vector<row> wald{{1.0, 20, 1.0, 1.0}, {0.5, 100, 0.4, 0.6}, {0.4, 100, 0.3, 0.5},
                                {0.6, 100, 0.5, 0.7}, {0.9, 100, 0.84, 0.96}, {1.0, 100, 1.0, 1.0}};
    for (const auto& r : wald) {
        const auto i = q::wald_interval(r.p * r.n, r.n);
        INFO("wald p = " << r.p << ", n = " << r.n);
        CHECK(round_down2(i.low) == r.low);
        CHECK(round_up2(i.high) == r.high);
    }
    const std::vector<row> wilson{{0.01, 20, 0.0, 0.18}, {1.0, 20, 0.83, 1.0}, {0.5, 100, 0.4, 0.6}, {0.4, 100, 0.3, 0.5},
                                  {0.6, 100, 0.5, 0.7},  {0.9, 100, 0.82, 0.95}, {1.0, 100, 0.96, 1.0}};
    for (const auto& r : wilson) {
        const auto i = q::wilson_interval(r.p * r.n, r.n);
        INFO("wilson p = " << r.p << ", n = " << r.n);
        CHECK(round_down2(i.low) == r.low);
        CHECK(round_up2(i.high) == r.high);
    }
}

// statsmodels proportion_confint(count, nobs, alpha=1 - confidence, method='wilson' / 'normal'), from
// tests/oracles/quality_vectors.py. Agreement to a few ulp (the normal quantile is AS 241, scipy's is
// Cephes' ndtri); values that are 0 up to rounding compared absolutely.
TEST_CASE("wilson_interval and wald_interval agree with statsmodels' proportion_confint") {
    auto near = [](double a, double b) { return std::fabs(a - b) <= 1e-17 + 1e-14 * std::fabs(b); };
    for (const auto& c : oracle::quality::interval_cases) {
        const auto w = q::wilson_interval(c.count, c.nobs, c.confidence);
        const auto n = q::wald_interval(c.count, c.nobs, c.confidence);
        INFO("count " << c.count << ", nobs " << c.nobs << ", confidence " << c.confidence << ": wilson [" << w.low << ", " << w.high
                      << "], wald [" << n.low << ", " << n.high << "]");
        CHECK(near(w.low, c.wilson_low));
        CHECK(near(w.high, c.wilson_high));
        CHECK(near(n.low, c.wald_low));
        CHECK(near(n.high, c.wald_high));
    }
    // The z of a 95% interval: scipy.stats.norm.isf((1 - 0.95) / 2) = 1.959963984540054. Wald's
    // half-width at p = 1/2, n = 10^4 is z sqrt(1/4 / 10^4) = z / 200.
    const auto half = q::wald_interval(5000.0, 10000.0, 0.95);
    CHECK_CLOSE(100.0 * (half.high - half.low), 1.959963984540054, 1e-13);
    CHECK_THROWS_AS(q::wilson_interval(5, 0), mldp::invalid_argument);
    CHECK_THROWS_AS(q::wilson_interval(-1, 10), mldp::invalid_argument);
    CHECK_THROWS_AS(q::wilson_interval(11, 10), mldp::invalid_argument);
    CHECK_THROWS_AS(q::wald_interval(5, 10, 1.0), mldp::invalid_argument);
    CHECK_THROWS_AS(q::wald_interval(5, 10, 0.0), mldp::invalid_argument);
    CHECK_THROWS_AS(q::wald_interval(NAN, 10), mldp::invalid_argument);
}

// ---- outliers ----------------------------------------------------------------------------------------

// Hand derivation. Finite values sorted: [-50, 10, 11, 12, 13, 14, 19, 100]; median 12.5; absolute
// deviations [0.5, 0.5, 1.5, 1.5, 2.5, 6.5, 62.5, 87.5], MAD 2, robust scale 2 / 0.6744897501960817 =
// 2.9652; z(19) = 2.19, z(-50) = 21.1, z(100) = 29.5. numpy linear quartiles: Q1 at h = 1.75 is
// 10.75, Q3 at h = 5.25 is 15.25, IQR 4.5.
TEST_CASE("outliers flags robust z-scores and IQR fences with exact rows") {
    mldp::frame f;
    f.add("x", std::vector<double>{10, 11, 12, 13, 14, 19, NAN, -50, 100});
    const auto r = q::validator().expect(q::outliers("x")).validate(f);
    REQUIRE(r.findings.size() == 1);
    const auto& o = r.findings[0];
    CHECK(o.code == "outliers");
    CHECK(o.check == "outliers(x, robust_z > 3.5)");
    CHECK(o.count == 2);
    CHECK(o.rows == std::vector<std::size_t>{7, 8});
    CHECK(o.fraction == 2.0 / 9.0);
    CHECK(o.fraction_non_missing == 2.0 / 8.0);  // the NaN row is not checked
    REQUIRE(o.values.size() == 2);
    CHECK(o.values[0].value == "-50");
    CHECK(o.values[1].value == "100");
    CHECK_FALSE(o.passed);
    CHECK(contains(o.message, "median 12.5, MAD 2"));
    // A lower threshold takes in 19 (z = 6.5 / 2.9652 = 2.19).
    q::outlier_options lower;
    lower.threshold = 2.0;
    CHECK(q::validator().expect(q::outliers("x", lower)).validate(f).findings[0].rows == std::vector<std::size_t>{5, 7, 8});
    // IQR with k = 1.5: fences [4, 22], so 19 stays; with k = 0.5: [8.5, 17.5], so 19 is out.
    q::outlier_options iqr;
    iqr.method = q::outlier_method::iqr;
    const auto ri = q::validator().expect(q::outliers("x", iqr)).validate(f);
    REQUIRE(ri.findings.size() == 1);
    CHECK(ri.findings[0].rows == std::vector<std::size_t>{7, 8});
    CHECK(contains(ri.findings[0].message, "Q1 10.75, Q3 15.25, IQR 4.5: outside [4, 22]"));
    iqr.iqr_k = 0.5;
    const auto rk = q::validator().expect(q::outliers("x", iqr)).validate(f);
    CHECK(rk.findings[0].count == 3);
    CHECK(rk.findings[0].rows == std::vector<std::size_t>{5, 7, 8});
    // Null policy fail: the NaN row offends too.
    const auto rf = q::validator().expect(q::outliers("x").with_nulls(q::null_policy::fail)).validate(f);
    CHECK(rf.findings[0].rows == std::vector<std::size_t>{6, 7, 8});
    // mostly: 2 of 8 offend, 75% pass, so the check holds at 0.7 and is reported at severity info.
    const auto rm = q::validator().expect(q::outliers("x").with_mostly(0.7)).validate(f);
    CHECK(rm.findings[0].passed);
    CHECK(rm.findings[0].severity == q::severity::info);
}

// Hand derivation: [5 x7, 9] has MAD 0; the fallback scale is sqrt(pi/2) * mean |x - 5| = 1.2533 *
// 4/8 = 0.6267, so z(9) = 6.38. A constant column has no outlier. +-inf always offend; the statistics
// of [1, 2, 3, inf, -inf] are those of [1, 2, 3].
TEST_CASE("outliers when the MAD is zero, on constant columns and on infinities") {
    mldp::frame f;
    f.add("x", std::vector<double>{5, 5, 5, 5, 5, 5, 9, 5});
    f.add("c", std::vector<double>{2, 2, 2, 2, 2, 2, 2, 2});
    const auto r = q::validator().expect(q::outliers("x")).expect(q::outliers("c")).validate(f);
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].column == "x");
    CHECK(r.findings[0].rows == std::vector<std::size_t>{6});
    CHECK(contains(r.findings[0].message, fmt::format("robust scale {}", 1.2533141373155002 * 0.5)));
    mldp::frame g;
    g.add("x", std::vector<double>{1, 2, INFINITY, 3, -INFINITY});
    const auto ri = q::validator().expect(q::outliers("x")).validate(g);
    REQUIRE(ri.findings.size() == 1);
    CHECK(ri.findings[0].rows == std::vector<std::size_t>{2, 4});
    CHECK(contains(ri.findings[0].message, "median 2, MAD 1"));
}

// numpy / scipy statistics and flagged rows from tests/oracles/quality_vectors.py: rows 160 (z =
// 3.5034) and 170 (z = 3.4875) sit on either side of the robust threshold, rows 150 (83.6) and 190
// (83.4) on either side of the upper fence 83.5.
TEST_CASE("outliers agrees with numpy and scipy on the oracle column") {
    mldp::frame f;
    f.add("x", oracle::quality::outlier_data);
    q::outlier_options iqr;
    iqr.method = q::outlier_method::iqr;
    const auto r = q::validator().expect(q::outliers("x")).expect(q::outliers("x", iqr)).validate(f);
    REQUIRE(r.findings.size() == 2);
    CHECK(r.findings[0].rows == oracle::quality::outlier_robust_rows);
    CHECK(r.findings[0].count == oracle::quality::outlier_robust_rows.size());
    CHECK(contains(r.findings[0].message, fmt::format("median {}, MAD {}, robust scale {}", oracle::quality::outlier_median,
                                                      oracle::quality::outlier_mad, oracle::quality::outlier_scale)));
    CHECK(r.findings[1].rows == oracle::quality::outlier_iqr_rows);
    CHECK(r.findings[1].count == oracle::quality::outlier_iqr_rows.size());
    CHECK(contains(r.findings[1].message, fmt::format("Q1 {}, Q3 {}", oracle::quality::outlier_q1, oracle::quality::outlier_q3)));
}

// ---- unit_consistency ----------------------------------------------------------------------------

// Hand derivation. Sorted: [0.1, 40, 98, 99, 100, 100.5, 101, 102, 5000, 10000]; median 100.25; Q1
// (h = 2.25) 98.25, Q3 (h = 6.75) 101.75, IQR 3.5, bulk widened by IQR/2: [96.5, 103.5]; MAD 2.
// 10000 / 100 = 100, 40 / (1/2.54) = 101.6, 0.1 / 0.001 = 100 land in the bulk; 5000 is an outlier no
// factor explains (500, 50, 5, 1968.5, 50000, ...), so it is not a unit slip.
TEST_CASE("unit_consistency names the factor of each slipped value") {
    mldp::frame f;
    f.add("len", std::vector<double>{100, 102, 98, 101, 99, 10000, 40, 0.1, 100.5, 5000});
    const auto r = q::validator().expect(q::unit_consistency("len")).validate(f);
    REQUIRE(r.findings.size() == 1);
    const auto& u = r.findings[0];
    CHECK(u.code == "unit_consistency");
    CHECK(u.count == 3);
    CHECK(u.rows == std::vector<std::size_t>{5, 6, 7});
    REQUIRE(u.values.size() == 3);
    CHECK(u.values[0].value == "x0.001");
    CHECK(u.values[1].value == "x0.393701");
    CHECK(u.values[2].value == "x100");
    CHECK(u.values[2].count == 1);
    CHECK(contains(u.message, "bulk [96.5, 103.5]"));
    // Only the factors given: without 1/2.54, row 6 is no slip.
    const auto r2 = q::validator().expect(q::unit_consistency("len", std::vector<double>{100, 0.001})).validate(f);
    CHECK(r2.findings[0].rows == std::vector<std::size_t>{5, 7});
    // Clean: no slip.
    mldp::frame g;
    g.add("len", std::vector<double>{100, 102, 98, 101, 99, 100.5});
    CHECK(q::validator().expect(q::unit_consistency("len")).validate(g).findings.empty());
}

TEST_CASE("unit_consistency agrees with the rule on numpy's statistics") {
    mldp::frame f;
    f.add("price", oracle::quality::unit_data);
    const auto r = q::validator().expect(q::unit_consistency("price")).validate(f);
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].rows == oracle::quality::unit_rows);
    CHECK(r.findings[0].count == oracle::quality::unit_rows.size());
    // Every expected label is among the finding's values (x100 twice, the others once).
    for (std::size_t i = 0; i < oracle::quality::unit_rows.size(); ++i) {
        const std::size_t row = oracle::quality::unit_rows[i];
        bool found = false;
        for (const auto& v : r.findings[0].values) found = found || v.value == oracle::quality::unit_labels[i];
        INFO("row " << row << " expected " << oracle::quality::unit_labels[i]);
        CHECK(found);
    }
    // x100 occurs twice (rows 3 and 90), so it leads the values.
    CHECK(r.findings[0].values[0].value == "x100");
    CHECK(r.findings[0].values[0].count == 2);
}

// ---- label_coverage ------------------------------------------------------------------------------

// Hand derivation: cat at rows 0 2 3 5 7 9 10 (7), dog at 1 6 (2), bird at 4 (1), fish at 11 (1, not
// expected), row 8 missing: 11 labelled rows, K = 4 expected classes. cow never occurs; bird is below
// min_count 2; Wilson 95% lower bounds (statsmodels): bird 1/11 -> 0.016232172885884855 < 0.1/4 =
// 0.025, dog 2/11 -> 0.05136768974608513, cat 7/11 -> 0.35380117450784887.
TEST_CASE("label_coverage reports missing, rare and under-represented classes") {
    const std::vector<std::optional<std::string>> y{"cat", "dog", "cat", "cat", "bird", "cat", "dog", "cat", std::nullopt, "cat", "cat", "fish"};
    mldp::frame f;
    f.add("y", y);
    const auto r = q::validator().expect(q::label_coverage("y", {"cat", "dog", "bird", "cow"}, 2)).validate(f);
    REQUIRE(r.findings.size() == 3);
    const auto* missing = first(r, "label_coverage.missing_class");
    REQUIRE(missing != nullptr);
    CHECK(missing->count == 1);
    CHECK(missing->fraction == 0.25);
    REQUIRE(missing->values.size() == 1);
    CHECK(missing->values[0].value == "cow");
    CHECK(missing->rows.empty());
    const auto* rare = first(r, "label_coverage.rare_class");
    REQUIRE(rare != nullptr);
    CHECK(rare->count == 1);
    CHECK(rare->rows == std::vector<std::size_t>{4});
    CHECK(rare->values[0].value == "bird");
    CHECK(rare->fraction == 1.0 / 12.0);
    CHECK(rare->fraction_non_missing == 1.0 / 11.0);
    const auto* thin = first(r, "label_coverage.imbalance");
    REQUIRE(thin != nullptr);
    CHECK(thin->count == 1);
    CHECK(thin->rows == std::vector<std::size_t>{4});
    CHECK(contains(thin->message, fmt::format("Wilson lower bound {:.4g}", 0.016232172885884855)));
    // min_count 3 takes in dog: rows of both rare classes, ascending.
    const auto r3 = q::validator().expect(q::label_coverage("y", {"cat", "dog", "bird", "cow"}, 3)).validate(f);
    const auto* rare3 = first(r3, "label_coverage.rare_class");
    REQUIRE(rare3 != nullptr);
    CHECK(rare3->count == 3);
    CHECK(rare3->rows == std::vector<std::size_t>{1, 4, 6});
    CHECK(rare3->values[0].value == "dog");
    CHECK(rare3->values[0].count == 2);
    // Without expected classes: the classes seen (bird, cat, dog, fish; K = 4); bird and fish thin.
    const auto ro = q::validator().expect(q::label_coverage("y", {}, 0)).validate(f);
    REQUIRE(ro.findings.size() == 1);
    CHECK(ro.findings[0].code == "label_coverage.imbalance");
    CHECK(ro.findings[0].rows == std::vector<std::size_t>{4, 11});
    CHECK(ro.findings[0].count == 2);
    // Balanced and complete: nothing to report.
    mldp::frame g;
    g.add("y", std::vector<std::string>{"a", "b", "c", "a", "b", "c", "c", "b", "a"});
    CHECK(q::validator().expect(q::label_coverage("y", {"a", "b", "c"}, 3)).validate(g).findings.empty());
}

// ---- timeliness ------------------------------------------------------------------------------------

// Hand derivation: lags 5, 120, -5, 5, (missing), 120 s; SLA 60. Negative: row 2. Late: rows 1 and 5
// (2 of the 5 rows with a lag). numpy.quantile([-5, 5, 5, 120, 120], [0.5, 0.9, 0.99]) = [5, 120, 120].
// Newest arrival 170 at row 5: 130 s old at now = 300, beyond the SLA.
TEST_CASE("timeliness reports negative lags, late rows, lag quantiles and staleness") {
    mldp::frame f;
    f.add("event", times({0, 10, 20, 30, 40, 50}));
    f.add("arrival", times({5, 130, 15, 35, nat, 170}));
    q::timeliness_options opt;
    opt.sla = 60;
    opt.now = 300;
    const auto r = q::validator().expect(q::timeliness("event", "arrival", opt)).validate(f);
    REQUIRE(r.findings.size() == 3);
    const auto* neg = first(r, "timeliness.negative_lag");
    REQUIRE(neg != nullptr);
    CHECK(neg->count == 1);
    CHECK(neg->rows == std::vector<std::size_t>{2});
    CHECK(neg->values[0].value == "-5");
    CHECK(neg->column == "event,arrival");
    const auto* late = first(r, "timeliness.late");
    REQUIRE(late != nullptr);
    CHECK(late->count == 2);
    CHECK(late->rows == std::vector<std::size_t>{1, 5});
    CHECK(late->values[0].value == "120");
    CHECK(late->values[0].count == 2);
    CHECK(late->fraction == 2.0 / 6.0);
    CHECK(late->fraction_non_missing == 2.0 / 5.0);
    CHECK_FALSE(late->passed);
    CHECK(contains(late->message, "lag quantiles (s): q0.5 = 5, q0.9 = 120, q0.99 = 120"));
    const auto* stale = first(r, "timeliness.stale");
    REQUIRE(stale != nullptr);
    CHECK(stale->count == 1);
    CHECK(stale->rows == std::vector<std::size_t>{5});
    CHECK(stale->values[0].value == "130");
    // A late share of 0.4 is within max_late_share 0.5: reported at severity info; fresh at now = 200.
    opt.max_late_share = 0.5;
    opt.now = 200;
    const auto r2 = q::validator().expect(q::timeliness("event", "arrival", opt)).validate(f);
    REQUIRE(r2.findings.size() == 2);
    CHECK(r2.findings[1].code == "timeliness.late");
    CHECK(r2.findings[1].passed);
    CHECK(r2.findings[1].severity == q::severity::info);
    // Under null_policy::fail the row without an arrival is late.
    opt.max_late_share = 0.0;
    const auto r3 = q::validator().expect(q::timeliness("event", "arrival", opt).with_nulls(q::null_policy::fail)).validate(f);
    const auto* late3 = first(r3, "timeliness.late");
    REQUIRE(late3 != nullptr);
    CHECK(late3->count == 3);
    CHECK(late3->rows == std::vector<std::size_t>{1, 4, 5});
    // No arrival at all: freshness unknown, stale.
    mldp::frame e;
    e.add("event", times({0, 1}));
    e.add("arrival", times({nat, nat}));
    const auto re = q::validator().expect(q::timeliness("event", "arrival", opt)).validate(e);
    REQUIRE(re.findings.size() == 1);
    CHECK(re.findings[0].code == "timeliness.stale");
    CHECK(re.findings[0].count == 0);
    // Clean: every lag within [0, SLA], and fresh (the newest arrival, 70, is 30 s old at now = 100).
    opt.now = 100;
    mldp::frame g;
    g.add("event", times({0, 10, 20}));
    g.add("arrival", times({0, 70, 21}));
    CHECK(q::validator().expect(q::timeliness("event", "arrival", opt)).validate(g).findings.empty());
}

// numpy.quantile of the int64 lags and the negative / late rows from tests/oracles/quality_vectors.py.
TEST_CASE("timeliness agrees with numpy on the oracle lags") {
    mldp::frame f;
    f.add("event", times(oracle::quality::time_event));
    f.add("arrival", times(oracle::quality::time_arrival));
    q::report_limits limits;
    limits.rows = 100;
    q::timeliness_options opt;
    opt.sla = 100;
    opt.now = oracle::quality::time_newest_arrival + 101;
    const auto r = q::validator(limits).expect(q::timeliness("event", "arrival", opt)).validate(f);
    REQUIRE(r.findings.size() == 3);
    CHECK(r.findings[0].code == "timeliness.negative_lag");
    CHECK(r.findings[0].rows == oracle::quality::time_negative_rows);
    CHECK(r.findings[1].code == "timeliness.late");
    CHECK(r.findings[1].rows == oracle::quality::time_late_rows);
    CHECK(contains(r.findings[1].message, fmt::format("{} of {} rows checked", oracle::quality::time_late_rows.size(),
                                                      oracle::quality::time_rows_with_lag)));
    const auto& qs = oracle::quality::time_lag_quantiles;
    CHECK(contains(r.findings[1].message, fmt::format("q0.5 = {}, q0.9 = {}, q0.99 = {}", qs[0], qs[1], qs[2])));
    CHECK(r.findings[2].code == "timeliness.stale");
    CHECK(r.findings[2].rows == std::vector<std::size_t>{oracle::quality::time_newest_row});
    CHECK(r.findings[2].values[0].value == "101");
    opt.quantiles = {0.1, 0.333, 0.95, 1.0};
    opt.now = oracle::quality::time_newest_arrival + 100;  // exactly the SLA: not stale
    const auto rc = q::validator(limits).expect(q::timeliness("event", "arrival", opt)).validate(f);
    REQUIRE(rc.findings.size() == 2);
    const auto& qc = oracle::quality::time_lag_quantiles_custom;
    CHECK(contains(rc.findings[1].message, fmt::format("q0.1 = {}, q0.333 = {}, q0.95 = {}, q1 = {}", qc[0], qc[1], qc[2], qc[3])));
}

// ---- configuration and parameters ----------------------------------------------------------------

TEST_CASE("a check that cannot run is a configuration finding") {
    mldp::frame f;
    f.add("x", std::vector<double>{1, 2, 3});
    f.add("s", std::vector<std::string>{"a", "b", "a"});
    f.add("t_s", times({0, 1, 2}));
    f.add("t_ms", times({0, 1000, 2000}, mldp::time_unit::milliseconds));
    q::validator v;
    v.expect(q::outliers("nope"))
        .expect(q::outliers("s"))
        .expect(q::unit_consistency("t_s"))
        .expect(q::label_coverage("x", {"a"}, 1))
        .expect(q::timeliness("x", "t_s"))
        .expect(q::timeliness("t_s", "t_ms"))
        .expect(q::timeliness("t_s", "gone"));
    const auto r = v.validate(f);
    REQUIRE(r.findings.size() == 7);
    CHECK(r.findings[0].code == "config.unknown_column");
    CHECK(r.findings[1].code == "config.wrong_kind");
    CHECK(contains(r.findings[1].message, "is categorical"));
    CHECK(r.findings[2].code == "config.wrong_kind");
    CHECK(r.findings[3].code == "config.wrong_kind");
    CHECK(r.findings[4].code == "config.wrong_kind");
    CHECK(r.findings[4].column == "x");
    CHECK(r.findings[5].code == "config.unit_mismatch");
    CHECK(contains(r.findings[5].message, "'t_s' is in s but 't_ms' in ms"));
    CHECK(r.findings[6].code == "config.unknown_column");
    CHECK(r.findings[6].column == "gone");
    CHECK_FALSE(r.passed());
    // Chunks in different units.
    q::validator w;
    w.expect(q::timeliness("e", "a"));
    mldp::frame c1, c2;
    c1.add("e", times({0})).add("a", times({1}));
    c2.add("e", times({0}, mldp::time_unit::milliseconds)).add("a", times({1}, mldp::time_unit::milliseconds));
    auto st = w.begin();
    st.update(c1);
    st.update(c2);
    const auto rc = st.report();
    REQUIRE(rc.findings.size() == 1);
    CHECK(rc.findings[0].code == "config.unit_mismatch");
}

TEST_CASE("bad parameters throw invalid_argument when the check is built") {
    q::outlier_options o;
    o.threshold = 0.0;
    CHECK_THROWS_AS(q::outliers("x", o), mldp::invalid_argument);
    o.threshold = NAN;
    CHECK_THROWS_AS(q::outliers("x", o), mldp::invalid_argument);
    o = {};
    o.iqr_k = -1.0;
    CHECK_THROWS_AS(q::outliers("x", o), mldp::invalid_argument);
    CHECK_THROWS_AS(q::unit_consistency("x", std::vector<double>{}), mldp::invalid_argument);
    CHECK_THROWS_AS(q::unit_consistency("x", std::vector<double>{100, 1}), mldp::invalid_argument);
    CHECK_THROWS_AS(q::unit_consistency("x", std::vector<double>{-10}), mldp::invalid_argument);
    CHECK_THROWS_AS(q::unit_consistency("x", std::vector<double>{INFINITY}), mldp::invalid_argument);
    q::unit_options u;
    u.bulk_widening = -0.1;
    CHECK_THROWS_AS(q::unit_consistency("x", u), mldp::invalid_argument);
    CHECK_THROWS_AS(q::label_coverage("y", {"a", "b", "a"}, 1), mldp::invalid_argument);
    q::label_options l;
    l.confidence = 1.0;
    CHECK_THROWS_AS(q::label_coverage("y", {"a"}, 1, l), mldp::invalid_argument);
    l = {};
    l.imbalance_share = 1.5;
    CHECK_THROWS_AS(q::label_coverage("y", {"a"}, 1, l), mldp::invalid_argument);
    q::timeliness_options t;
    t.sla = -1;
    CHECK_THROWS_AS(q::timeliness("e", "a", t), mldp::invalid_argument);
    t = {};
    t.quantiles = {0.5, 1.5};
    CHECK_THROWS_AS(q::timeliness("e", "a", t), mldp::invalid_argument);
    t = {};
    t.max_late_share = -0.1;
    CHECK_THROWS_AS(q::timeliness("e", "a", t), mldp::invalid_argument);
    CHECK_NOTHROW(q::timeliness("e", "a"));
}

// ---- chunked == whole ----------------------------------------------------------------------------

// Every check here keeps exact state, so validating chunks (sequentially, or in independent states
// merged in order) gives the whole data's report, compared as JSON.
TEST_CASE("validating chunks and merging equals validating the whole") {
    mldp::rng g{mldp::seed_sequence{11}.derive("stat-checks-chunks")};
    const std::size_t n = 4000;
    std::vector<double> x(n), price(n);
    std::vector<std::optional<std::string>> label(n);
    std::vector<std::int64_t> event(n), arrival(n);
    const std::vector<std::string> classes{"a", "b", "c", "d", "rare"};
    for (std::size_t i = 0; i < n; ++i) {
        x[i] = g.uniform01() < 0.03 ? NAN : 50.0 + 10.0 * g.normal();
        if (g.uniform01() < 0.004) x[i] = 500.0 * g.normal();
        price[i] = 20.0 + 10.0 * g.uniform01();
        const double u = g.uniform01();
        if (u < 0.003) price[i] *= 100.0;
        else if (u < 0.006) price[i] /= 2.54;
        const double c = g.uniform01();
        label[i] = c < 0.01 ? std::nullopt : std::optional<std::string>(classes[c < 0.012 ? 4 : g.bounded(4)]);
        event[i] = 1'000'000 + static_cast<std::int64_t>(i) * 30;
        arrival[i] = event[i] + static_cast<std::int64_t>(g.bounded(200)) - 5;
        if (g.uniform01() < 0.01) arrival[i] = nat;
    }
    auto slice = [&](std::size_t a, std::size_t b) {
        auto cut = [&](const auto& v) {
            using vec = std::decay_t<decltype(v)>;
            return vec(v.begin() + static_cast<std::ptrdiff_t>(a), v.begin() + static_cast<std::ptrdiff_t>(b));
        };
        mldp::frame f;
        f.add("x", cut(x));
        f.add("price", cut(price));
        f.add("label", cut(label));
        f.add("event", times(cut(event)));
        f.add("arrival", times(cut(arrival)));
        return f;
    };
    q::outlier_options iqr;
    iqr.method = q::outlier_method::iqr;
    q::timeliness_options t;
    t.sla = 150;
    t.now = event.back() + 400;
    q::validator v;
    v.expect(q::outliers("x"))
        .expect(q::outliers("x", iqr).with_nulls(q::null_policy::fail))
        .expect(q::unit_consistency("price"))
        .expect(q::label_coverage("label", {"a", "b", "c", "d", "rare", "unseen"}, 50))
        .expect(q::timeliness("event", "arrival", t))
        .expect(q::outliers("missing_column"));
    const auto whole_report = v.validate(slice(0, n));
    const nlohmann::json whole = whole_report;
    // Every check reports something here, so the comparison covers each state's merge.
    for (const char* code : {"outliers", "unit_consistency", "label_coverage.missing_class", "label_coverage.rare_class",
                             "label_coverage.imbalance", "timeliness.negative_lag", "timeliness.late", "timeliness.stale",
                             "config.unknown_column"}) {
        INFO(code);
        CHECK(first(whole_report, code) != nullptr);
    }
    auto st = v.begin();
    st.update(slice(0, 1000));
    st.update(slice(1000, 1001));
    st.update(slice(1001, 2600));
    st.update(slice(2600, n));
    CHECK(nlohmann::json(st.report()) == whole);
    auto a = v.begin(), b = v.begin(), c = v.begin();
    a.update(slice(0, 1500));
    b.update(slice(1500, 2100));
    c.update(slice(2100, n));
    b.merge(c);
    const auto a_copy = a;  // states copy (clone) without sharing
    a.merge(b);
    CHECK(nlohmann::json(a.report()) == whole);
    CHECK(a_copy.rows() == 1500);
    // The report prints.
    CHECK(contains(fmt::format("{}", whole_report), "timeliness.late"));
}

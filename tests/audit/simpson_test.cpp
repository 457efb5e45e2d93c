#include "mldp/audit/simpson.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <xtensor/xtensor.hpp>

#include "close.hpp"
#include "mldp/core/frame.hpp"
#include "mldp/core/random.hpp"
#include "mldp/stats/contingency.hpp"
#include "simpson_vectors.hpp"

namespace audit = mldp::audit;

namespace {

const double not_a_number = std::numeric_limits<double>::quiet_NaN();

// The admissions table, from its counts: subject 1: male 148 of 1200, female 270 of 1800;
// subject 2: male 400 of 800, female 102 of 200.
std::vector<audit::stratum_counts> admissions_counts() { return {{"1", 148, 1200, 270, 1800}, {"2", 400, 800, 102, 200}}; }

audit::simpson_options admissions_options() {
    audit::simpson_options o;
    o.level_a = "male";
    o.level_b = "female";
    o.outcome_name = "admitted";
    o.treatment_name = "gender";
    o.stratum_name = "subject";
    return o;
}

// Row-level columns with the given counts per stratum: for each stratum, level a's successes, a's
// failures, b's successes, b's failures, in that order (so a appears first).
struct columns {
    std::vector<int> outcome;
    std::vector<std::string> treatment, stratum;
};

columns expand(const std::vector<audit::stratum_counts>& table, const std::string& a, const std::string& b) {
    columns c;
    auto push = [&](const std::string& level, const std::string& s, double count, int y) {
        for (std::int64_t i = 0; i < static_cast<std::int64_t>(count); ++i) {
            c.outcome.push_back(y);
            c.treatment.push_back(level);
            c.stratum.push_back(s);
        }
    };
    for (const auto& s : table) {
        push(a, s.name, s.successes_a, 1);
        push(a, s.name, s.trials_a - s.successes_a, 0);
        push(b, s.name, s.successes_b, 1);
        push(b, s.name, s.trials_b - s.successes_b, 0);
    }
    return c;
}

// The same rows in an order drawn from mldp::rng (seeded), so first appearances move.
columns shuffled(columns c, std::uint64_t seed) {
    mldp::rng g{seed};
    for (std::size_t i = c.outcome.size(); i > 1; --i) {
        const auto j = static_cast<std::size_t>(g.bounded(i));
        std::swap(c.outcome[i - 1], c.outcome[j]);
        std::swap(c.treatment[i - 1], c.treatment[j]);
        std::swap(c.stratum[i - 1], c.stratum[j]);
    }
    return c;
}

const audit::group_comparison& stratum_named(const audit::simpson_result& r, const std::string& name) {
    for (const auto& s : r.strata) {
        if (s.name == name) return s;
    }
    FAIL("no stratum named " << name);
    return r.strata.front();
}

// Exact verdicts from integer counts: sign(s_a n_b - s_b n_a) per stratum and overall.
int sign_of(std::int64_t sa, std::int64_t na, std::int64_t sb, std::int64_t nb) {
    const std::int64_t x = sa * nb - sb * na;
    return (x > 0) - (x < 0);
}

struct integer_verdict {
    bool reversal, vanishes;
};

integer_verdict brute_force(const std::vector<audit::stratum_counts>& t) {
    std::int64_t sa = 0, na = 0, sb = 0, nb = 0;
    std::vector<int> dirs;
    for (const auto& s : t) {
        const auto a = static_cast<std::int64_t>(s.successes_a), ta = static_cast<std::int64_t>(s.trials_a);
        const auto b = static_cast<std::int64_t>(s.successes_b), tb = static_cast<std::int64_t>(s.trials_b);
        sa += a;
        na += ta;
        sb += b;
        nb += tb;
        dirs.push_back(sign_of(a, ta, b, tb));
    }
    const int agg = sign_of(sa, na, sb, nb);
    bool all_opposite = agg != 0, any_same = false;
    for (const int d : dirs) {
        all_opposite = all_opposite && d == -agg;
        any_same = any_same || (agg != 0 && d == agg);
    }
    return {all_opposite, agg != 0 && !any_same};
}

}  // namespace

TEST_CASE("admissions table from counts: females better in each subject, males overall") {
    const auto r = audit::simpsons_paradox(admissions_counts(), admissions_options());
    // Rates from the table's counts, computed here with the same single division.
    CHECK(r.level_a == "male");
    CHECK(r.level_b == "female");
    REQUIRE(r.strata.size() == 2);
    CHECK(r.strata[0].rate_a == 148.0 / 1200.0);
    CHECK(r.strata[0].rate_b == 270.0 / 1800.0);
    CHECK(r.strata[1].rate_a == 400.0 / 800.0);
    CHECK(r.strata[1].rate_b == 102.0 / 200.0);
    CHECK(r.strata[0].direction == -1);
    CHECK(r.strata[1].direction == -1);
    // Totals from the counts (not the printed "272 of 1400"): male 548 of 2000, female 372 of 2000.
    CHECK(r.aggregate.successes_a == 548.0);
    CHECK(r.aggregate.trials_a == 2000.0);
    CHECK(r.aggregate.successes_b == 372.0);
    CHECK(r.aggregate.trials_b == 2000.0);
    CHECK(r.aggregate.rate_a == 548.0 / 2000.0);
    CHECK(r.aggregate.rate_b == 372.0 / 2000.0);
    CHECK(r.aggregate.direction == 1);
    CHECK(r.reversal);
    CHECK(r.vanishes);  // reversal implies vanishes
    CHECK(r.stratum == "subject");
    // The explanation names both levels and the rates (one decimal, from the counts).
    CHECK(r.explanation.find("Simpson's paradox") != std::string::npos);
    CHECK(r.explanation.find("female has the higher success rate") != std::string::npos);
    CHECK(r.explanation.find("male has the higher rate overall (27.4% vs 18.6%)") != std::string::npos);
    CHECK(r.explanation.find("15.0% vs 12.3%") != std::string::npos);
    CHECK(r.explanation.find("51.0% vs 50.0%") != std::string::npos);
    // Mechanism, from the counts: 800 / 2000 = 40.0% of male's trials and 200 / 2000 = 10.0% of
    // female's are in subject 2, whose pooled rate is 502 / 1000 = 50.2%.
    CHECK(r.explanation.find("40.0% of male's trials but 10.0% of female's are in '2'") != std::string::npos);
    CHECK(r.explanation.find("highest success rate (50.2%), so male's overall rate is lifted by where its trials fall") !=
          std::string::npos);
}

TEST_CASE("admissions table from columns equals the counts path") {
    const auto counts = audit::simpsons_paradox(admissions_counts(), admissions_options());
    const columns c = expand(admissions_counts(), "male", "female");
    REQUIRE(c.outcome.size() == 4000);

    SUBCASE("levels by first appearance, std::vector<int> outcome and string columns") {
        audit::simpson_options o = admissions_options();
        o.level_a.clear();
        o.level_b.clear();
        const auto r = audit::simpsons_paradox(c.outcome, c.treatment, c.stratum, o);
        CHECK(r.level_a == "male");  // male rows come first
        CHECK(r.level_b == "female");
        CHECK(r.reversal);
        CHECK(r.rows == 4000);
        CHECK(r.rows_used == 4000);
        CHECK(r.rows_missing == 0);
        REQUIRE(r.strata.size() == 2);
        CHECK(r.strata[0].name == "1");
        CHECK(r.strata[0].rate_a == 148.0 / 1200.0);
        CHECK(r.aggregate.rate_b == 372.0 / 2000.0);
        // Same arithmetic in the same order as the counts path: equal bits.
        CHECK(r.odds_ratio == counts.odds_ratio);
        CHECK(r.cmh.statistic == counts.cmh.statistic);
        CHECK(r.explanation == counts.explanation);
    }
    SUBCASE("shuffled rows, named levels, std::int64_t outcome and string_view columns") {
        const columns s = shuffled(c, 7);
        std::vector<std::int64_t> y(s.outcome.begin(), s.outcome.end());
        std::vector<std::string_view> t(s.treatment.begin(), s.treatment.end()), st(s.stratum.begin(), s.stratum.end());
        const auto r = audit::simpsons_paradox(y, t, st, admissions_options());
        CHECK(r.level_a == "male");
        CHECK(r.reversal);
        CHECK(stratum_named(r, "1").rate_a == 148.0 / 1200.0);
        CHECK(stratum_named(r, "1").rate_b == 270.0 / 1800.0);
        CHECK(stratum_named(r, "2").rate_a == 400.0 / 800.0);
        CHECK(stratum_named(r, "2").rate_b == 102.0 / 200.0);
        CHECK(r.aggregate.rate_a == 548.0 / 2000.0);
        // Sums in another stratum order: equal to rounding.
        CHECK_CLOSE(r.odds_ratio, counts.odds_ratio, 1e-13);
        CHECK_CLOSE(r.cmh.statistic, counts.cmh.statistic, 1e-12);
    }
    SUBCASE("double outcome with NaN = missing, optional strings with nullopt = missing") {
        std::vector<double> y(c.outcome.begin(), c.outcome.end());
        std::vector<std::optional<std::string>> t(c.treatment.begin(), c.treatment.end());
        std::vector<std::string> st = c.stratum;
        // Add three rows that are missing somewhere; the result must not change.
        y.push_back(not_a_number);
        t.emplace_back("male");
        st.emplace_back("1");
        y.push_back(1.0);
        t.emplace_back(std::nullopt);
        st.emplace_back("2");
        y.push_back(0.0);
        t.emplace_back("female");
        st.emplace_back("1");
        auto o = admissions_options();
        std::vector<std::optional<std::string>> st_opt(st.begin(), st.end());
        st_opt.back() = std::nullopt;
        const auto r = audit::simpsons_paradox(y, t, st_opt, o);
        CHECK(r.rows == 4003);
        CHECK(r.rows_missing == 3);
        CHECK(r.rows_used == 4000);
        CHECK(r.reversal);
        CHECK(r.aggregate.successes_a == 548.0);
        CHECK(r.odds_ratio == counts.odds_ratio);
    }
}

TEST_CASE("Mantel-Haenszel and CMH / Breslow-Day agree with statsmodels StratifiedTable") {
    // Values: tests/oracles/simpson_vectors.py (statsmodels 0.13.5, scipy 1.10.1), in simpson_vectors.hpp.
    for (const auto& c : oracle::simpson::cases) {
        INFO("case " << c.name);
        std::vector<audit::stratum_counts> t;
        for (const auto& s : c.strata) t.push_back({s.name, s.successes_a, s.trials_a, s.successes_b, s.trials_b});
        audit::simpson_options o;
        o.level_a = c.level_a;
        o.level_b = c.level_b;
        const auto r = audit::simpsons_paradox(t, o);
        CHECK_CLOSE(r.aggregate.rate_a, c.rate_a, 1e-15);
        CHECK_CLOSE(r.aggregate.rate_b, c.rate_b, 1e-15);
        REQUIRE(r.strata.size() == c.strata.size());
        for (std::size_t k = 0; k < c.strata.size(); ++k) CHECK_CLOSE(r.strata[k].odds_ratio, c.strata[k].odds_ratio, 1e-14);
        CHECK_CLOSE(r.odds_ratio, c.mh_odds_ratio, 1e-13);
        CHECK_CLOSE(r.log_odds_ratio_se, c.log_odds_se, 1e-12);
        CHECK_CLOSE(r.odds_ratio_ci_low, c.ci_low, 1e-12);
        CHECK_CLOSE(r.odds_ratio_ci_high, c.ci_high, 1e-12);
        CHECK_CLOSE(r.cmh.statistic, c.cmh, 1e-12);
        CHECK_CLOSE(r.cmh_corrected.statistic, c.cmh_cc, 1e-12);
        CHECK(r.cmh.df == 1.0);
        // p-values against scipy.stats.chi2.sf of statsmodels' statistic; statsmodels' own 1 - cdf
        // agrees to about 1e-9 where nothing cancels.
        CHECK_CLOSE(r.cmh.p_value, c.cmh_p, 1e-11);
        CHECK_CLOSE(r.cmh_corrected.p_value, c.cmh_cc_p, 1e-11);
        CHECK_CLOSE(r.cmh.p_value, c.cmh_p_statsmodels, 1e-9);
        CHECK_CLOSE(r.breslow_day.statistic, c.breslow_day, 1e-11);
        CHECK(r.breslow_day.df == static_cast<double>(c.strata.size() - 1));
        CHECK_CLOSE(r.breslow_day.p_value, c.breslow_day_p, 1e-10);
        // Hand formula of the Mantel-Haenszel risk difference (Greenland & Robins 1985), numpy.
        CHECK_CLOSE(r.adjusted_difference, c.mh_risk_difference, 1e-13);
        CHECK_CLOSE(r.confounding_gap, std::fabs((c.rate_a - c.rate_b) - c.mh_risk_difference), 1e-12);
    }
}

TEST_CASE("verdicts of the oracle tables") {
    // Directions read off the counts in simpson_vectors.py's CASES.
    auto run = [](std::size_t i) {
        const auto& c = oracle::simpson::cases[i];
        std::vector<audit::stratum_counts> t;
        for (const auto& s : c.strata) t.push_back({s.name, s.successes_a, s.trials_a, s.successes_b, s.trials_b});
        return audit::simpsons_paradox(t);
    };
    const auto kidney = run(1);  // A better for small (93.1% vs 86.7%) and large stones (73.0% vs 68.8%), B overall
    CHECK(kidney.reversal);
    CHECK(kidney.aggregate.direction == -1);
    CHECK(kidney.level_a == "a");  // counts without names: "a" and "b"
    CHECK(kidney.explanation.find("within every stratum of 'stratum', a has the higher success rate") != std::string::npos);
    const auto consistent = run(2);  // a better in s1, s2, s3 and overall
    CHECK_FALSE(consistent.reversal);
    CHECK_FALSE(consistent.vanishes);
    CHECK(consistent.explanation.find("No Simpson's reversal: a has the higher success rate overall (42.0% vs 27.3%) "
                                      "and in 3 of 3 strata") != std::string::npos);
    const auto mixed = run(3);  // w, y: b better; x, z: a better; a better overall
    CHECK_FALSE(mixed.reversal);
    CHECK_FALSE(mixed.vanishes);
    CHECK(mixed.aggregate.direction == 1);
    // Breslow-Day p = 4.4e-8 (statsmodels): the explanation warns that one odds ratio is a poor summary.
    CHECK(mixed.explanation.find("Breslow-Day p = 4.42e-08") != std::string::npos);
}

TEST_CASE("a direction that vanishes in every stratum without reversing") {
    // Hand derivation: x: 10/20 vs 10/20, y: 30/40 vs 15/20 (both ties); overall 40/60 vs 25/40.
    // Every stratum has odds ratio 1 (ad = bc: 100 = 100, 150 = 150), so the MH odds ratio is 1, the
    // CMH numerator sum(a - E a) = (10 - 10) + (30 - 30) = 0 and the Breslow-Day expected cells equal
    // the observed ones: statistic 0, p 1 (statsmodels' test_equal_odds returns NaN at an odds ratio of
    // exactly 1, dividing by 1 - 1).
    const auto r = audit::simpsons_paradox(std::vector<audit::stratum_counts>{{"x", 10, 20, 10, 20}, {"y", 30, 40, 15, 20}});
    CHECK(r.aggregate.direction == 1);
    CHECK(r.strata[0].direction == 0);
    CHECK(r.strata[1].direction == 0);
    CHECK_FALSE(r.reversal);
    CHECK(r.vanishes);
    CHECK(r.odds_ratio == 1.0);
    CHECK(r.cmh.statistic == 0.0);
    CHECK(r.cmh.p_value == 1.0);
    CHECK(r.cmh_corrected.statistic == 0.0);  // |0| < 1/2: no correction
    CHECK(r.breslow_day.statistic == doctest::Approx(0.0));
    CHECK(r.breslow_day.p_value == doctest::Approx(1.0));
    CHECK(r.adjusted_difference == 0.0);
    CHECK_CLOSE(r.confounding_gap, 40.0 / 60.0 - 25.0 / 40.0, 1e-15);
    CHECK(r.explanation.find("no stratum of 'stratum' shows it: the rates are equal in 2 and reversed in 0 of 2") !=
          std::string::npos);
}

TEST_CASE("the explanation points at the low-rate stratum when that is where the loser's trials are") {
    // Hand-built: both levels put 100 trials in h; a puts 880 in m and 20 in l, b the reverse. b is 5
    // points better in each stratum; a wins overall 522/1000 vs 228/1000. Pooled rates: h 165/200 =
    // 82.5%, m 451/900 = 50.1%, l 134/900 = 14.9%. Equal shares in h, so the low-rate stratum l
    // explains it: 880/1000 = 88.0% of b's trials, 20/1000 = 2.0% of a's.
    const auto r = audit::simpsons_paradox(std::vector<audit::stratum_counts>{
        {"h", 80, 100, 85, 100}, {"m", 440, 880, 11, 20}, {"l", 2, 20, 132, 880}});
    CHECK(r.reversal);
    CHECK(r.explanation.find("88.0% of b's trials but 2.0% of a's are in 'l', the stratum with the lowest success rate "
                             "(14.9%), so b's overall rate is pulled down") != std::string::npos);
}

TEST_CASE("the explanation's shares are each level's own when b wins with unequal totals") {
    // By hand: a 372/2000 = 18.6% overall, b 230/640 = 35.9%; a is better in both strata (15.0% vs
    // 12.5%, 51.0% vs 50.0%). Pooled rates 300/2040 = 14.7% and 302/600 = 50.3%: b has 400/640 =
    // 62.5% of its trials in '2', a 200/2000 = 10.0%.
    const auto r = audit::simpsons_paradox(std::vector<audit::stratum_counts>{{"1", 270, 1800, 30, 240}, {"2", 102, 200, 200, 400}});
    CHECK(r.reversal);
    CHECK(r.aggregate.direction == -1);
    CHECK(r.explanation.find("62.5% of b's trials but 10.0% of a's are in '2'") != std::string::npos);
}

TEST_CASE("weighted (non-integral) counts: the count-based tests are NaN") {
    const auto r = audit::simpsons_paradox(std::vector<audit::stratum_counts>{{"x", 1.5, 4.0, 2.0, 3.5}, {"y", 3.0, 5.0, 1.0, 6.0}});
    CHECK(std::isfinite(r.odds_ratio));
    CHECK(std::isnan(r.cmh.statistic));
    CHECK(std::isnan(r.breslow_day.statistic));
}

TEST_CASE("one stratum: CMH is the Pearson chi-square times (n - 1) / n") {
    // Identity: with one stratum, (a - E a)^2 / (margins / (n^2 (n - 1))) = (n - 1) / n * Pearson chi2,
    // and with the 1/2 correction (n - 1) / n * Yates' chi2; checked against mldp::stats::chi2_contingency
    // (itself pinned to scipy.stats.chi2_contingency).
    const double a = 31, na = 70, c = 18, nc = 65;
    const auto r = audit::simpsons_paradox(std::vector<audit::stratum_counts>{{"only", a, na, c, nc}});
    const double n = na + nc;
    const xt::xtensor<double, 2> table{{a, na - a}, {c, nc - c}};
    mldp::stats::contingency_options plain;
    plain.correction = false;
    const auto pearson = mldp::stats::chi2_contingency(table, plain);
    const auto yates = mldp::stats::chi2_contingency(table);
    CHECK_CLOSE(r.cmh.statistic, pearson.statistic * (n - 1) / n, 1e-12);
    CHECK_CLOSE(r.cmh_corrected.statistic, yates.statistic * (n - 1) / n, 1e-12);
    CHECK_CLOSE(r.odds_ratio, (a * (nc - c)) / ((na - a) * c), 1e-14);
    CHECK_FALSE(r.reversal);  // one stratum equals the aggregate
    CHECK(std::isnan(r.breslow_day.statistic));  // needs two strata
}

TEST_CASE("generated tables: verdicts equal the integer brute force") {
    // Tables drawn from mldp::rng. Confounded family: b is 3-8 points better in every stratum, and a's
    // trials sit in the high-rate strata, b's in the low ones, which usually reverses the aggregate.
    // Balanced family: both levels have the same trials per stratum, so the aggregate follows the
    // strata. Expected verdicts: sign(s_a n_b - s_b n_a) in exact int64 arithmetic.
    std::size_t reversals = 0, others = 0;
    for (std::uint64_t seed = 0; seed < 200; ++seed) {
        mldp::rng g{mldp::seed_sequence{seed}.derive("simpson-table")};
        const bool confounded = seed % 2 == 0;
        const auto k = static_cast<std::size_t>(2 + g.bounded(4));
        std::vector<audit::stratum_counts> t;
        for (std::size_t j = 0; j < k; ++j) {
            const double p = 0.05 + 0.8 * static_cast<double>(j) / static_cast<double>(k);
            const double rate_b = p + 0.03 + 0.05 * g.uniform01();
            const auto base = static_cast<double>(20 + g.bounded(100));
            const double na = confounded ? base * static_cast<double>(1 + 4 * j) : base;
            const double nb = confounded ? base * static_cast<double>(1 + 4 * (k - 1 - j)) : base;
            t.push_back({fmt::format("s{}", j), std::floor(p * na), na, std::floor(rate_b * nb), nb});
        }
        const auto r = audit::simpsons_paradox(t);
        const auto expected = brute_force(t);
        INFO("seed " << seed);
        CHECK(r.reversal == expected.reversal);
        CHECK(r.vanishes == expected.vanishes);
        double sa = 0, na = 0;
        for (const auto& s : t) {
            sa += s.successes_a;
            na += s.trials_a;
        }
        CHECK(r.aggregate.successes_a == sa);
        CHECK(r.aggregate.trials_a == na);
        (expected.reversal ? reversals : others) += 1;
        // The columns path on the same rows, shuffled, gives the same verdict and counts.
        if (seed % 20 == 0) {
            const columns cols = shuffled(expand(t, "a", "b"), seed);
            audit::simpson_options o;
            o.level_a = "a";
            o.level_b = "b";
            const auto rc = audit::simpsons_paradox(cols.outcome, cols.treatment, cols.stratum, o);
            CHECK(rc.reversal == r.reversal);
            CHECK(rc.aggregate.successes_b == r.aggregate.successes_b);
            CHECK_CLOSE(rc.odds_ratio, r.odds_ratio, 1e-12);
            CHECK_CLOSE(rc.cmh.statistic, r.cmh.statistic, 1e-10);
        }
    }
    // Both branches are exercised.
    CHECK(reversals >= 50);
    CHECK(others >= 50);
}

TEST_CASE("scan: of two candidate strata only 'subject' reverses, and it ranks first") {
    const columns c = expand(admissions_counts(), "male", "female");
    const std::size_t n = c.outcome.size();
    std::vector<double> y(c.outcome.begin(), c.outcome.end());
    // campus alternates row by row; every block of equal rows has an even size, so each campus holds
    // exactly half of every (subject, gender, outcome) cell: its rates equal the aggregate's.
    std::vector<std::string> campus(n), id(n);
    std::vector<double> age(n);
    for (std::size_t i = 0; i < n; ++i) {
        campus[i] = i % 2 == 0 ? "north" : "south";
        id[i] = fmt::format("r{}", i);
        age[i] = static_cast<double>(18 + i % 40);
    }
    mldp::frame f;
    f.add("admitted", y).add("campus", campus).add("gender", c.treatment).add("age", age).add("subject", c.stratum)
        .add("id", id);
    const auto scan = audit::scan_simpsons_paradox(f, "admitted", "gender");
    CHECK(scan.outcome == "admitted");
    REQUIRE(scan.findings.size() == 2);
    CHECK(scan.findings[0].column == "subject");
    CHECK(scan.findings[0].result.reversal);
    CHECK(scan.findings[0].result.stratum == "subject");
    CHECK(scan.findings[0].strength == scan.findings[0].result.confounding_gap);
    CHECK(scan.findings[0].result.explanation.find("stratum of 'subject'") != std::string::npos);
    CHECK(scan.findings[1].column == "campus");
    CHECK_FALSE(scan.findings[1].result.reversal);
    CHECK_FALSE(scan.findings[1].result.vanishes);
    // Campus halves every cell, so adjusting for it changes nothing: 27.4% - 18.6% both ways.
    CHECK(scan.findings[1].strength == doctest::Approx(0.0).epsilon(1e-12));
    CHECK_CLOSE(scan.findings[1].result.adjusted_difference, 0.274 - 0.186, 1e-12);
    REQUIRE(scan.skipped.size() == 1);  // one row per id: no stratum holds both genders
    CHECK(scan.skipped[0].column == "id");
    CHECK(scan.skipped[0].reason.find("no stratum holds rows of both") != std::string::npos);

    const std::string text = fmt::format("{}", scan);
    CHECK(text.find("1. 'subject': REVERSAL") != std::string::npos);
    CHECK(text.find("2. 'campus': consistent") != std::string::npos);
    CHECK(text.find("skipped 'id'") != std::string::npos);
    const nlohmann::json j = scan;
    CHECK(j["findings"][0]["column"] == "subject");
    CHECK(j["findings"][0]["result"]["reversal"] == true);
    CHECK(j["skipped"][0]["column"] == "id");

    // Columns the scan cannot use as outcome or treatment.
    CHECK_THROWS_WITH_AS(audit::scan_simpsons_paradox(f, "gender", "subject"), doctest::Contains("is categorical"),
                         mldp::invalid_argument);
    CHECK_THROWS_WITH_AS(audit::scan_simpsons_paradox(f, "admitted", "nope"), doctest::Contains("no column named 'nope'"),
                         mldp::invalid_argument);
    mldp::frame bad;
    bad.add("y", std::vector<double>{0, 1, 2}).add("t", std::vector<std::string>{"a", "b", "a"});
    CHECK_THROWS_WITH_AS(audit::scan_simpsons_paradox(bad, "y", "t"), doctest::Contains("must be 0 or 1"),
                         mldp::data_error);
}

TEST_CASE("fmt output and JSON carry the key fields") {
    const auto r = audit::simpsons_paradox(admissions_counts(), admissions_options());
    const std::string text = fmt::format("{}", r);
    CHECK(text.find("'admitted' by 'gender' (a = male, b = female) within 'subject'") != std::string::npos);
    CHECK(text.find("overall      male 548/2000 = 27.40%, female 372/2000 = 18.60%, difference +8.80 points") !=
          std::string::npos);
    CHECK(text.find("reversal: yes") != std::string::npos);
    CHECK(text.find("Mantel-Haenszel odds ratio 0.8465") != std::string::npos);  // statsmodels: 0.84647...
    CHECK(text.find("CMH chi2 = 3.423, p = 0.06431") != std::string::npos);     // statsmodels: 3.42251, 0.064313
    CHECK(text.find(r.explanation) != std::string::npos);
    CHECK(fmt::format("{}", r.strata[0]).find("1: a 148/1200 = 12.33%, b 270/1800 = 15.00%") != std::string::npos);

    const nlohmann::json j = r;
    CHECK(j["reversal"] == true);
    CHECK(j["vanishes"] == true);
    CHECK(j["level_a"] == "male");
    CHECK(j["aggregate"]["successes_a"] == 548.0);
    CHECK(j["aggregate"]["rate_a"].get<double>() == 548.0 / 2000.0);
    CHECK(j["strata"].size() == 2);
    CHECK(j["strata"][1]["rate_b"].get<double>() == 102.0 / 200.0);
    CHECK(j["cmh"]["df"] == 1.0);
    CHECK(j["breslow_day"]["statistic"].is_number());
    CHECK(j["odds_ratio_ci"].size() == 2);
    CHECK(j["explanation"] == r.explanation);
    CHECK(j["rows"]["used"] == 0);  // counts input

    // Non-finite numbers become null: a zero cell makes that stratum's odds ratio +inf.
    const auto z = audit::simpsons_paradox(std::vector<audit::stratum_counts>{{"p", 5, 5, 2, 10}, {"q", 3, 10, 4, 10}});
    CHECK(std::isinf(z.strata[0].odds_ratio));
    const nlohmann::json jz = z;
    CHECK(jz["strata"][0]["odds_ratio"].is_null());
    CHECK(jz["strata"][1]["odds_ratio"].is_number());
}

TEST_CASE("incomplete strata and a third treatment level are left out and counted") {
    // Stratum "c" holds only level a; level "z" is neither compared level. Expected by hand: strata a, b.
    const std::vector<int> y = {1, 0, 1, 1, 0, 0, 1, 0, 1, 1};
    const std::vector<std::string> t = {"p", "q", "p", "q", "p", "q", "p", "z", "z", "p"};
    const std::vector<std::string> s = {"a", "a", "a", "b", "b", "b", "c", "a", "b", "c"};
    audit::simpson_options o;
    CHECK_THROWS_WITH_AS(audit::simpsons_paradox(y, t, s, o), doctest::Contains("has 3 levels ('p', 'q', 'z'); name the two"),
                         mldp::invalid_argument);
    o.level_b = "q";
    CHECK_THROWS_WITH_AS(audit::simpsons_paradox(y, t, s, o), doctest::Contains("name both level_a and level_b"),
                         mldp::invalid_argument);
    o.level_a = "p";
    const auto r = audit::simpsons_paradox(y, t, s, o);
    CHECK(r.rows == 10);
    CHECK(r.rows_other_levels == 2);
    CHECK(r.rows_incomplete == 2);
    CHECK(r.rows_used == 6);
    REQUIRE(r.incomplete_strata.size() == 1);
    CHECK(r.incomplete_strata[0] == "c");
    REQUIRE(r.strata.size() == 2);
    CHECK(r.strata[0].successes_a == 2.0);  // rows 0, 2
    CHECK(r.strata[0].trials_a == 2.0);
    CHECK(r.strata[0].successes_b == 0.0);  // row 1
    CHECK(r.aggregate.trials_a == 3.0);     // rows 0, 2, 4
    CHECK(r.aggregate.trials_b == 3.0);     // rows 1, 3, 5
    CHECK(fmt::format("{}", r).find("rows: 6 used of 10; 0 missing, 2 other levels, 2 in 1 incomplete strata") !=
          std::string::npos);

    // An explicit level order swaps a and b.
    audit::simpson_options swapped;
    swapped.level_a = "q";
    swapped.level_b = "p";
    const auto rs = audit::simpsons_paradox(y, t, s, swapped);
    CHECK(rs.aggregate.rate_a == r.aggregate.rate_b);
    CHECK(rs.level_a == "q");
}

TEST_CASE("bad input throws with a message that says what was wrong") {
    const std::vector<std::string> t = {"a", "b", "a", "b"}, s = {"x", "x", "y", "y"};
    SUBCASE("an outcome label of 2") {
        const std::vector<int> y = {0, 1, 2, 0};
        CHECK_THROWS_WITH_AS(audit::simpsons_paradox(y, t, s), doctest::Contains("row 2: a binary outcome must be 0 or 1"),
                             mldp::data_error);
        try {
            audit::simpsons_paradox(y, t, s);
        } catch (const mldp::data_error& e) {
            CHECK(e.column() == "outcome");
            CHECK(e.row() == 2);
        }
        audit::simpson_options o;
        o.outcome_name = "clicked";
        CHECK_THROWS_WITH_AS(audit::simpsons_paradox(y, t, s, o), doctest::Contains("column 'clicked', row 2"),
                             mldp::data_error);
    }
    SUBCASE("an infinite outcome") {
        const std::vector<double> y = {0, 1, std::numeric_limits<double>::infinity(), 0};
        CHECK_THROWS_WITH_AS(audit::simpsons_paradox(y, t, s), doctest::Contains("got inf"), mldp::data_error);
    }
    SUBCASE("lengths differ") {
        const std::vector<int> y = {0, 1, 1};
        CHECK_THROWS_WITH_AS(audit::simpsons_paradox(y, t, s), doctest::Contains("columns differ in length"),
                             mldp::invalid_argument);
    }
    SUBCASE("one treatment level") {
        const std::vector<int> y = {0, 1, 1, 0};
        const std::vector<std::string> one = {"a", "a", "a", "a"};
        CHECK_THROWS_WITH_AS(audit::simpsons_paradox(y, one, s), doctest::Contains("only one treatment level ('a')"),
                             mldp::data_error);
    }
    SUBCASE("a level that is not there, or the same level twice") {
        const std::vector<int> y = {0, 1, 1, 0};
        audit::simpson_options o;
        o.level_a = "a";
        o.level_b = "c";
        CHECK_THROWS_WITH_AS(audit::simpsons_paradox(y, t, s, o), doctest::Contains("has no level 'c' (levels: 'a', 'b')"),
                             mldp::invalid_argument);
        o.level_b = "a";
        CHECK_THROWS_WITH_AS(audit::simpsons_paradox(y, t, s, o), doctest::Contains("both 'a'"), mldp::invalid_argument);
    }
    SUBCASE("no stratum holds both levels") {
        const std::vector<int> y = {0, 1, 1, 0};
        const std::vector<std::string> apart = {"x", "y", "x", "y"};
        CHECK_THROWS_WITH_AS(audit::simpsons_paradox(y, t, apart), doctest::Contains("no stratum holds rows of both 'a' and 'b'"),
                             mldp::data_error);
    }
    SUBCASE("successes > trials, NaN, zero trials, no strata, bad confidence") {
        using sc = std::vector<audit::stratum_counts>;
        CHECK_THROWS_WITH_AS(audit::simpsons_paradox(sc{{"x", 5, 10, 3, 10}, {"y", 11, 10, 3, 10}}),
                             doctest::Contains("column 'successes_a', row 1: stratum 'y': successes of level a must lie in [0, trials = 10], got 11"),
                             mldp::data_error);
        CHECK_THROWS_WITH_AS(audit::simpsons_paradox(sc{{"x", 5, 10, not_a_number, 10}}), doctest::Contains("counts must be finite, got nan"),
                             mldp::data_error);
        CHECK_THROWS_WITH_AS(audit::simpsons_paradox(sc{{"x", 5, 10, 0, 0}}), doctest::Contains("trials of level b must be > 0"),
                             mldp::data_error);
        CHECK_THROWS_WITH_AS(audit::simpsons_paradox(sc{{"x", -1, 10, 0, 3}}), doctest::Contains("got -1"), mldp::data_error);
        CHECK_THROWS_WITH_AS(audit::simpsons_paradox(sc{}), doctest::Contains("no strata given"), mldp::invalid_argument);
        audit::simpson_options o;
        o.confidence = 1.0;
        CHECK_THROWS_WITH_AS(audit::simpsons_paradox(sc{{"x", 5, 10, 3, 10}}, o), doctest::Contains("confidence must lie in (0, 1)"),
                             mldp::invalid_argument);
    }
}

#include "mldp/audit/ledger.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <fmt/format.h>

#include "close.hpp"
#include "mldp/stats/ttest.hpp"

// Benjamini & Hochberg (1995), section 4.1: fifteen p-values from a multiple-endpoint trial. At
// 0.05 the FDR procedure rejects four hypotheses and the Bonferroni-type ones three (the paper).
// Adjusted values: statsmodels 0.13 multipletests(p, method='holm' / 'fdr_bh')[1].
TEST_CASE("hypothesis_ledger on Benjamini and Hochberg's published example") {
    const std::vector<double> p{0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344,
                                0.0459, 0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.000};
    const std::vector<double> holm{0.0015, 0.0056, 0.0247, 0.11399999999999999, 0.2211, 0.27799999999999997, 0.27799999999999997,
                                   0.27799999999999997, 0.32130000000000003, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0};
    const std::vector<double> bh{0.0015, 0.003, 0.0095, 0.035625, 0.0603, 0.06385714285714286, 0.06385714285714286, 0.0645,
                                 0.07650000000000001, 0.48600000000000004, 0.5811818181818182, 0.7148749999999999,
                                 0.7532307692307693, 0.8132142857142857, 1.0};
    mldp::audit::hypothesis_ledger ledger("trial endpoints");
    for (std::size_t i = 0; i < p.size(); ++i) ledger.record("endpoint " + std::to_string(i + 1), p[i]);
    const auto r = ledger.report();
    CHECK(r.tests == 15);
    CHECK(r.significant == 9);
    CHECK(r.significant_family == 3);
    CHECK(r.significant_fdr == 4);
    CHECK(r.dredged());
    CHECK_CLOSE(r.expected_false_positives, 0.75, 1e-15);
    for (std::size_t i = 0; i < p.size(); ++i) {
        CHECK_CLOSE(r.entries[i].p_family, holm[i], 1e-12);
        CHECK_CLOSE(r.entries[i].p_fdr, bh[i], 1e-12);
    }
    REQUIRE(!r.warnings.empty());
    CHECK(r.warnings[0].find("6 of 9 findings") != std::string::npos);
    CHECK(r.warnings[0].find("endpoint 4") != std::string::npos);
    const auto text = fmt::format("{}", r);
    CHECK(text.find("(lost)") != std::string::npos);
    const nlohmann::json j = r;
    CHECK(j["significant_fdr"] == 4);
    CHECK(j["entries"][3]["significant_fdr"] == true);
}

TEST_CASE("a ledger with one honest finding raises nothing; test results record their p-value") {
    mldp::audit::hypothesis_ledger ledger("d");
    const auto t = mldp::stats::ttest_ind(std::vector<double>{1, 2, 3, 4, 5}, std::vector<double>{6, 7, 8, 9, 10});
    ledger.record("shift", t);
    ledger.record("noise", 0.6);
    const auto r = ledger.report();
    CHECK(r.entries[0].p_value == t.p_value);
    CHECK(r.significant == 1);
    CHECK(r.significant_family == 1);
    CHECK_FALSE(r.dredged());
    CHECK(r.warnings.empty());
    // Many tests with a few small p-values by chance: the chance warning appears.
    mldp::audit::hypothesis_ledger fishing("d");
    for (int i = 0; i < 40; ++i) fishing.record("t" + std::to_string(i), i < 2 ? 0.03 : 0.5);
    const auto f = fishing.report();
    CHECK(f.significant == 2);
    CHECK(f.significant_family == 0);
    CHECK(f.warnings.size() == 2);
}

TEST_CASE("ledgers merge and round-trip through bytes; corrupt bytes throw") {
    mldp::audit::hypothesis_ledger a("d"), b("d");
    a.record("x", 0.01);
    b.record("y", 0.2);
    b.record("z", 0.04);
    a.merge(b);
    CHECK(a.size() == 3);
    a.merge(a);
    CHECK(a.size() == 6);
    const auto bytes = a.serialize();
    const auto back = mldp::audit::hypothesis_ledger::deserialize(bytes);
    CHECK(nlohmann::json(back.report()) == nlohmann::json(a.report()));
    for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
        CHECK_THROWS_AS(mldp::audit::hypothesis_ledger::deserialize(
                            std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(cut))),
                        mldp::format_error);
    }
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        auto flipped = bytes;
        flipped[i] ^= 0x04;
        CHECK_THROWS_AS(mldp::audit::hypothesis_ledger::deserialize(flipped), mldp::format_error);
    }
    mldp::audit::hypothesis_ledger other("other");
    CHECK_THROWS_AS(a.merge(other), mldp::invalid_argument);
    mldp::audit::hypothesis_ledger bonferroni("d", 0.05, mldp::stats::correction::bonferroni);
    CHECK_THROWS_AS(a.merge(bonferroni), mldp::invalid_argument);
    CHECK_THROWS_WITH_AS(a.record("bad", 1.5), doctest::Contains("outside [0, 1]"), mldp::data_error);
    CHECK_THROWS_AS(a.record("nan", NAN), mldp::data_error);
    CHECK_THROWS_AS(mldp::audit::hypothesis_ledger("d", 0.0), mldp::invalid_argument);
}

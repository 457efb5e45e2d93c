#include "mldp/quality/leakage.hpp"
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
#include "leakage_vectors.hpp"

namespace q = mldp::quality;

namespace {

// Train: 5 rows. Content tuples (patient, x, s): (p1, 0.5, a) (p1, 1.5, b) (p2, 2.5, a) (p3, 3.5, b)
// (p4, 4.5, c).
mldp::frame train_frame() {
    mldp::frame f;
    f.add("id", std::vector<double>{1, 2, 3, 4, 5});
    f.add("patient", std::vector<std::string>{"p1", "p1", "p2", "p3", "p4"});
    f.add("x", std::vector<double>{0.5, 1.5, 2.5, 3.5, 4.5});
    f.add("s", std::vector<std::string>{"a", "b", "a", "b", "c"});
    return f;
}

// Test: 7 rows. Row 2 copies train row 0 and row 4 copies train row 3 with fresh ids (content leaks);
// id 2 (row 1) is a train key, row 6 has no id; patients p1 (rows 2, 6) and p3 (row 4) are in train,
// row 5 has no patient.
mldp::frame test_frame(bool with_patient = true) {
    mldp::frame f;
    f.add("id", std::vector<double>{6, 2, 7, 8, 9, 10, NAN});
    if (with_patient) {
        f.add("patient", std::vector<std::optional<std::string>>{"p9", "p8", "p1", "p7", "p3", std::nullopt, "p1"});
    }
    f.add("x", std::vector<double>{2.5, 9.0, 0.5, 7.0, 3.5, 2.5, 8.0});
    f.add("s", std::vector<std::string>{"a", "z", "a", "y", "b", "a", "q"});
    return f;
}

q::leakage_options group_on(std::string column) {
    q::leakage_options o;
    o.group_column = std::move(column);
    return o;
}

}  // namespace

// Hand derivation from the comments of train_frame() and test_frame().
TEST_CASE("no_leakage: content, key and group leakage with exact counts and rows") {
    q::validator v;
    v.expect(q::no_leakage(train_frame(), {"id"}, group_on("patient")));
    const auto r = v.validate(test_frame());
    REQUIRE(r.findings.size() == 3);
    const q::finding& content = r.findings[0];
    CHECK(content.code == "leakage.content");
    CHECK(content.column.empty());
    CHECK(content.count == 2);
    CHECK(content.rows == std::vector<std::size_t>{2, 4});
    REQUIRE(content.values.size() == 2);
    CHECK(content.values[0].value == "train row 0");
    CHECK(content.values[1].value == "train row 3");
    CHECK(content.fraction == 2.0 / 7.0);
    CHECK(content.message.find("(patient, x, s)") != std::string::npos);  // the key is not content
    CHECK_FALSE(content.passed);
    CHECK(content.severity == q::severity::error);

    const q::finding& key = r.findings[1];
    CHECK(key.code == "leakage.key");
    CHECK(key.column == "id");
    CHECK(key.count == 1);
    CHECK(key.rows == std::vector<std::size_t>{1});
    REQUIRE(key.values.size() == 1);
    CHECK(key.values[0].value == "2");
    CHECK(key.fraction == 1.0 / 7.0);
    CHECK(key.fraction_non_missing == 1.0 / 6.0);  // row 6 has no id and is not checked

    const q::finding& group = r.findings[2];
    CHECK(group.code == "leakage.group");
    CHECK(group.column == "patient");
    CHECK(group.count == 3);
    CHECK(group.rows == std::vector<std::size_t>{2, 4, 6});
    REQUIRE(group.values.size() == 2);
    CHECK(group.values[0].value == "p1");
    CHECK(group.values[0].count == 2);
    CHECK(group.values[1].value == "p3");
    CHECK(group.fraction_non_missing == 3.0 / 6.0);
    CHECK(group.message.find("2 distinct groups") != std::string::npos);

    // The train frame against itself leaks everything; a disjoint test leaks nothing.
    const auto self = q::validator().expect(q::no_leakage(train_frame(), {"id"})).validate(train_frame());
    REQUIRE(self.findings.size() == 2);
    CHECK(self.findings[0].count == 5);
    CHECK(self.findings[1].count == 5);
    mldp::frame fresh;
    fresh.add("id", std::vector<double>{100});
    fresh.add("patient", std::vector<std::string>{"p100"});
    fresh.add("x", std::vector<double>{-1});
    fresh.add("s", std::vector<std::string>{"a"});
    CHECK(q::validator().expect(q::no_leakage(train_frame(), {"id"}, group_on("patient"))).validate(fresh).findings.empty());
    // mostly: 2 of 7 content leaks and 1 of 6 key leaks hold at 0.7, reported as info.
    const auto lenient = q::validator().expect(q::no_leakage(train_frame(), {"id"}).with_mostly(0.7)).validate(test_frame());
    REQUIRE(lenient.findings.size() == 2);
    for (const auto& f : lenient.findings) {
        CHECK(f.passed);
        CHECK(f.severity == q::severity::info);
    }
    CHECK(lenient.passed());
    // Without keys the id is content, and every test id is fresh: no content leak.
    CHECK(q::validator().expect(q::no_leakage(train_frame())).validate(test_frame()).findings.empty());
}

// Without a patient column in the test data the default content is (x, s): rows 0 and 5 repeat train
// row 2, rows 2 and 4 rows 0 and 3. Explicit content (x only) gives the same rows here.
TEST_CASE("no_leakage: content over the shared columns, explicit content, configuration findings") {
    const auto r = q::validator().expect(q::no_leakage(train_frame(), {"id"})).validate(test_frame(false));
    REQUIRE(r.findings.size() == 2);
    CHECK(r.findings[0].code == "leakage.content");
    CHECK(r.findings[0].rows == std::vector<std::size_t>{0, 2, 4, 5});
    CHECK(r.findings[0].values[0].value == "train row 2");
    CHECK(r.findings[0].values[0].count == 2);
    CHECK(r.findings[0].message.find("(x, s)") != std::string::npos);

    q::leakage_options x_only;
    x_only.content_columns = {"x"};
    const auto e = q::validator().expect(q::no_leakage(train_frame(), {}, x_only)).validate(test_frame());
    REQUIRE(e.findings.size() == 1);
    CHECK(e.findings[0].rows == std::vector<std::size_t>{0, 2, 4, 5});

    // A group column the test lacks is a configuration finding; the content check still runs.
    const auto g = q::validator().expect(q::no_leakage(train_frame(), {"id"}, group_on("patient"))).validate(test_frame(false));
    REQUIRE(g.findings.size() == 3);
    CHECK(g.findings[0].code == "leakage.content");
    CHECK(g.findings[0].rows == std::vector<std::size_t>{0, 2, 4, 5});
    CHECK(g.findings[1].code == "leakage.key");
    CHECK(g.findings[2].code == "config.unknown_column");
    CHECK(g.findings[2].column == "patient");
    // Groups only.
    q::leakage_options groups_only = group_on("patient");
    groups_only.check_content = false;
    const auto go = q::validator().expect(q::no_leakage(train_frame(), {}, groups_only)).validate(test_frame());
    REQUIRE(go.findings.size() == 1);
    CHECK(go.findings[0].code == "leakage.group");
    // A key column of another kind in the test data.
    mldp::frame w;
    w.add("id", std::vector<std::string>{"6", "2", "7", "8", "9", "10", "11"});
    const auto k = q::validator().expect(q::no_leakage(train_frame(), {"id"}, groups_only)).validate(w);
    REQUIRE(k.findings.size() == 2);
    CHECK(k.findings[0].code == "config.wrong_kind");
    CHECK(k.findings[1].code == "config.unknown_column");
    // Nothing shared at all.
    mldp::frame other;
    other.add("unrelated", std::vector<double>{1, 2});
    const auto n = q::validator().expect(q::no_leakage(train_frame())).validate(other);
    REQUIRE(n.findings.size() == 1);
    CHECK(n.findings[0].code == "config.no_shared_columns");

    CHECK_THROWS_AS(q::no_leakage(train_frame(), {"nope"}), mldp::invalid_argument);
    CHECK_THROWS_AS(q::no_leakage(train_frame(), {"id", "id"}), mldp::invalid_argument);
    CHECK_THROWS_AS(q::no_leakage(train_frame(), {}, group_on("nope")), mldp::invalid_argument);
    q::leakage_options bad;
    bad.content_columns = {"x", "nope"};
    CHECK_THROWS_AS(q::no_leakage(train_frame(), {}, bad), mldp::invalid_argument);
}

// Chunked validation merged equals whole validation, compared as JSON: sequential chunks, and
// independent states merged in order, both with the full column set and with a test frame that shares
// only some content columns (each state indexes that subset once).
TEST_CASE("no_leakage: validating test chunks and merging equals the whole") {
    mldp::rng g{mldp::seed_sequence{11}.derive("leakage-chunks")};
    const std::size_t n_train = 600, n_test = 2500;
    const std::vector<std::string> cats{"A", "B", "C"};
    auto make = [&](std::size_t n, bool with_c) {
        std::vector<double> id(n), x(n);
        std::vector<std::string> grp(n), c(n);
        for (std::size_t i = 0; i < n; ++i) {
            id[i] = static_cast<double>(g.bounded(4000));
            x[i] = g.uniform01() < 0.02 ? NAN : static_cast<double>(g.bounded(12));
            grp[i] = fmt::format("g{}", g.bounded(300));
            c[i] = cats[static_cast<std::size_t>(g.bounded(cats.size()))];
        }
        mldp::frame f;
        f.add("id", id);
        f.add("x", x);
        f.add("grp", grp);
        if (with_c) f.add("c", c);
        return f;
    };
    const mldp::frame train = make(n_train, true);
    for (bool with_c : {true, false}) {
        const mldp::frame test = make(n_test, with_c);
        auto slice = [&](std::size_t a, std::size_t b) {
            mldp::frame f;
            const auto id = test.numeric("id"), x = test.numeric("x");
            f.add("id", std::vector<double>(id.begin() + a, id.begin() + b));
            f.add("x", std::vector<double>(x.begin() + a, x.begin() + b));
            std::vector<std::string> grp, c;
            for (std::size_t i = a; i < b; ++i) {
                grp.emplace_back(*test.categorical("grp").value(i));
                if (with_c) c.emplace_back(*test.categorical("c").value(i));
            }
            f.add("grp", grp);
            if (with_c) f.add("c", c);
            return f;
        };
        q::validator v;
        v.expect(q::no_leakage(train, {"id"}, group_on("grp")));
        const q::quality_report whole_report = v.validate(test);
        const nlohmann::json whole = whole_report;
        REQUIRE(whole_report.findings.size() == 3);
        for (const auto& f : whole_report.findings) CHECK(f.count > 0);
        auto st = v.begin();
        st.update(slice(0, 700));
        st.update(slice(700, 1900));
        st.update(slice(1900, n_test));
        CHECK(nlohmann::json(st.report()) == whole);
        auto a = v.begin(), b = v.begin(), c = v.begin();
        a.update(slice(0, 1000));
        b.update(slice(1000, 1001));
        c.update(slice(1001, n_test));
        b.merge(c);
        a.merge(b);
        CHECK(nlohmann::json(a.report()) == whole);
    }
}

namespace {

// The pinned case of tests/oracles/leakage_vectors.py, rebuilt from the same integer recipe.
struct pinned {
    mldp::frame f;
    std::vector<bool> kept;
};

pinned pinned_case() {
    const std::vector<std::string> cities{"Oslo", "Lima", "Pune", "Kyiv"};
    std::vector<double> age, income;
    std::vector<std::optional<std::string>> city;
    std::vector<std::string> label;
    mldp::time_column day;
    day.unit = mldp::time_unit::seconds;
    pinned p;
    for (int i = 0; i < 40; ++i) {
        const double a = i % 13 == 5 ? NAN : static_cast<double>(18 + (i * 37) % 53);
        age.push_back(a);
        income.push_back(static_cast<double>((i * 7919) % 101) * 250.0 + 0.5 * static_cast<double>(i % 3));
        city.push_back(i % 11 == 3 ? std::nullopt : std::optional<std::string>(cities[static_cast<std::size_t>(((i * 31) % 7) % 4)]));
        label.push_back((i * 17) % 10 < 4 ? "yes" : "no");
        day.ticks.push_back(1700000000 + 86400 * static_cast<std::int64_t>((i * 13) % 40));
        p.kept.push_back((!std::isnan(a) && a < 50) || i % 5 == 0);
    }
    p.f.add("age", age).add("income", income).add("city", city).add("label", label).add("day", day);
    return p;
}

}  // namespace

// scipy.stats.ks_2samp / chi2_contingency and statsmodels multipletests(method='holm') on the pinned
// case (values in leakage_vectors.hpp). Counts and shares are exact; the statistics agree to a few ulp.
TEST_CASE("selection_audit agrees with scipy and statsmodels on the pinned case") {
    const pinned p = pinned_case();
    q::selection_options o;
    o.label_column = "label";
    const q::selection_report r = q::selection_audit(p.f, p.kept, o);
    CHECK(r.rows_before == 40);
    CHECK(r.rows_kept == oracle::selection::rows_kept);
    REQUIRE(r.columns.size() == oracle::selection::columns.size());
    for (std::size_t i = 0; i < r.columns.size(); ++i) {
        const auto& c = r.columns[i];
        const auto& e = oracle::selection::columns[i];
        INFO("column " << e.name);
        CHECK(c.column == e.name);
        CHECK(c.test == (c.kind == mldp::column_kind::categorical ? "chi2_contingency" : "ks_2samp"));
        CHECK_CLOSE(c.statistic, e.statistic, 1e-12);
        CHECK_CLOSE(c.p_value, e.p_value, 1e-10);
        CHECK_CLOSE(c.df, e.df, 0.0);
        CHECK_CLOSE(c.p_adjusted, e.p_holm, 1e-10);
        CHECK_CLOSE(c.shift, e.shift, 1e-12);
        CHECK_CLOSE(c.mean_before, e.mean_before, 1e-14);
        CHECK_CLOSE(c.mean_kept, e.mean_kept, 1e-14);
        CHECK_CLOSE(c.std_before, e.std_before, 1e-14);
        CHECK(c.count_before == c.count_kept + c.count_dropped);
        if (c.kind != mldp::column_kind::categorical) {
            // The KS distance of kept vs before is the dropped share times D(kept, dropped).
            CHECK(c.shift == doctest::Approx(static_cast<double>(c.count_dropped) / static_cast<double>(c.count_before) * c.statistic));
        }
        REQUIRE(c.categories.size() == e.shares.size());
        for (const auto& s : e.shares) {
            bool found = false;
            for (const auto& got : c.categories) {
                if (got.category != s.category) continue;
                found = true;
                CHECK(got.count_before == s.count_before);
                CHECK(got.count_kept == s.count_kept);
                CHECK(got.share_before == s.share_before);
                CHECK(got.share_kept == s.share_kept);
            }
            CHECK(found);
        }
    }
    // Hand counts: age is NaN at rows 5, 18, 31, of which row 5 is kept (5 % 5 == 0); city is missing at
    // rows 3, 14, 25, 36, whose ages are 23, 59, 42, 25: all but row 14 kept.
    CHECK(r.columns[0].missing_before == 3);
    CHECK(r.columns[0].missing_kept == 1);
    CHECK(r.columns[2].missing_before == 4);
    CHECK(r.columns[2].missing_kept == 3);
    // Survivorship: age and the label changed (Holm p 4.5e-6 and 0.0048), ranked by shift.
    CHECK(r.most_changed == std::vector<std::string>{"age", "label"});
    CHECK(r.columns[0].changed);
    CHECK_FALSE(r.columns[1].changed);
    CHECK(r.columns[0].standardized_shift < 0.0);
    // Label shares before and kept, in first-appearance order.
    const auto& label = oracle::selection::columns[3];
    REQUIRE(r.label_shares.size() == 2);
    for (std::size_t k = 0; k < 2; ++k) {
        CHECK(r.label_shares[k].category == label.shares[k].category);
        CHECK(r.label_shares[k].share_before == label.shares[k].share_before);
        CHECK(r.label_shares[k].share_kept == label.shares[k].share_kept);
    }
    CHECK_CLOSE(r.label_shift, label.shift, 1e-15);

    const std::string text = fmt::format("{}", r);
    CHECK(text.find("age (numeric): ks_2samp") != std::string::npos);
    CHECK(text.find("CHANGED") != std::string::npos);
    CHECK(text.find("changed most: age label") != std::string::npos);
    const nlohmann::json j = r;
    CHECK(j.at("most_changed") == nlohmann::json::array({"age", "label"}));
    CHECK(j.at("columns").at(0).at("df").is_null());
    CHECK(j.at("columns").at(3).at("df") == 1.0);
}

TEST_CASE("selection_audit: degenerate filters, numeric labels and bad arguments") {
    const pinned p = pinned_case();
    const auto all = q::selection_audit(p.f, std::vector<bool>(40, true));
    REQUIRE(all.notes.size() == 1);
    CHECK(all.notes[0].find("kept all 40 rows") != std::string::npos);
    CHECK(all.most_changed.empty());
    for (const auto& c : all.columns) {
        CHECK(c.test.empty());
        CHECK(std::isnan(c.p_value));
        CHECK(c.notes.empty());
    }
    CHECK(all.columns[0].shift == 0.0);
    CHECK(all.columns[2].shift == 0.0);
    const auto none = q::selection_audit(p.f, std::vector<bool>(40, false));
    REQUIRE(none.notes.size() == 1);
    CHECK(none.notes[0].find("kept none of the 40 rows") != std::string::npos);
    CHECK(none.rows_kept == 0);
    CHECK(std::isnan(none.columns[0].mean_kept));
    CHECK(fmt::format("{}", none).find("not tested") != std::string::npos);

    // A numeric 0/1 label: classes ascending. Rows 0-3 kept: labels 1, 0, 1, 1 of 1, 0, 1, 1, 0, 0.
    mldp::frame f;
    f.add("y", std::vector<double>{1, 0, 1, 1, 0, 0});
    f.add("k", std::vector<std::string>{"a", "a", "a", "a", "a", "a"});
    q::selection_options o;
    o.label_column = "y";
    const auto r = q::selection_audit(f, {true, true, true, true, false, false}, o);
    REQUIRE(r.label_shares.size() == 2);
    CHECK(r.label_shares[0].category == "0");
    CHECK(r.label_shares[0].count_before == 3);
    CHECK(r.label_shares[0].count_kept == 1);
    CHECK(r.label_shares[1].share_kept == 0.75);
    CHECK(r.label_shift == 0.25);  // |0.25 - 0.5| + |0.75 - 0.5|, halved
    CHECK(r.columns[1].test.empty());  // one category only
    REQUIRE(r.columns[1].notes.size() == 1);

    CHECK_THROWS_AS(q::selection_audit(p.f, std::vector<bool>(39, true)), mldp::invalid_argument);
    o.label_column = "nope";
    CHECK_THROWS_AS(q::selection_audit(f, std::vector<bool>(6, true), o), mldp::invalid_argument);
    o.label_column = "day";
    CHECK_THROWS_AS(q::selection_audit(p.f, std::vector<bool>(40, true), o), mldp::invalid_argument);
    o.label_column.clear();
    o.alpha = 1.0;
    CHECK_THROWS_AS(q::selection_audit(f, std::vector<bool>(6, true), o), mldp::invalid_argument);
    mldp::frame inf;
    inf.add("v", std::vector<double>{1, INFINITY});
    CHECK_THROWS_AS(q::selection_audit(inf, {true, false}), mldp::data_error);
}

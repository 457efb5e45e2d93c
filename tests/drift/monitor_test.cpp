#include "mldp/drift/monitor.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "mldp/core/random.hpp"
#include "mldp/drift/adwin.hpp"
#include "mldp/drift/kswin.hpp"

using mldp::drift::drift_monitor;

namespace {

// 4 numeric columns N(0, 1) (one with 1% NaN) and a categorical one with 4 categories.
mldp::frame make(std::size_t n, std::uint64_t seed, double shift = 0.0, bool new_category = false) {
    mldp::rng g(seed);
    mldp::frame f;
    for (int c = 0; c < 4; ++c) {
        std::vector<double> x(n);
        for (auto& v : x) v = g.normal() + (c == 0 ? shift : 0.0);
        if (c == 3) {
            for (std::size_t i = 0; i < n; i += 100) x[i] = std::nan("");
        }
        f.add("x" + std::to_string(c), std::move(x));
    }
    const char* cats[4] = {"red", "green", "blue", "grey"};
    std::vector<std::string> s(n);
    for (std::size_t i = 0; i < n; ++i) s[i] = cats[g.bounded(4)];
    if (new_category) {
        for (std::size_t i = 0; i < n; i += 50) s[i] = "violet";
    }
    f.add("colour", s);
    return f;
}

}  // namespace

TEST_CASE("drift_monitor: a batch from the reference distribution is not flagged") {
    drift_monitor m(make(100000, 1));
    m.update(make(5000, 2));
    const auto r = m.results();
    CHECK(r.drifted == 0);
    CHECK_FALSE(r.dataset_drift);
    REQUIRE(r.columns.size() == 5);
    CHECK(r.columns[0].method == "ks_sketch");  // the reference passed the exact threshold
    CHECK(r.columns[4].method == "chi2_contingency");
    CHECK(r.columns[3].missing_rate_reference == doctest::Approx(0.01));
}

TEST_CASE("drift_monitor flags a 0.5-sigma shift and a new category in a 5000-row batch") {
    drift_monitor m(make(100000, 1));
    m.update(make(5000, 3, 0.5, true));
    const auto r = m.results();
    REQUIRE(r.columns.size() == 5);
    CHECK(r.columns[0].drift);
    CHECK(r.columns[0].effect_size == doctest::Approx(0.5).epsilon(0.1));
    CHECK(r.columns[0].statistic > r.columns[0].threshold);
    CHECK_FALSE(r.columns[1].drift);
    CHECK(r.columns[4].drift);
    CHECK(r.columns[4].new_category_share == doctest::Approx(0.02));
    CHECK(r.drifted == 2);
    const nlohmann::json j = r;
    CHECK(j["columns"][0]["drift"] == true);
    CHECK(fmt::format("{}", r).find("DRIFT") != std::string::npos);
}

TEST_CASE("drift_monitor: exact small samples use scipy's ks_2samp; a missing-rate rise is drift") {
    mldp::drift::monitor_options o;
    o.columns = {"x0", "x3"};
    drift_monitor m(make(2000, 4), o);
    auto batch = make(500, 5);
    std::vector<double> x3(500, std::nan(""));
    for (std::size_t i = 0; i < 400; ++i) x3[i] = static_cast<double>(i % 7) / 7.0;
    mldp::frame b;
    b.add("x0", std::vector<double>(batch.numeric("x0").begin(), batch.numeric("x0").end())).add("x3", x3);
    m.update(b);
    const auto r = m.results();
    REQUIRE(r.columns.size() == 2);
    CHECK(r.columns[0].method == "ks_2samp");
    CHECK_FALSE(r.columns[0].drift);
    CHECK(r.columns[1].drift);
    CHECK(r.columns[1].missing_rate_current == doctest::Approx(0.2));
    // The KS p-value is scipy's for the same samples (the monitor keeps them exactly).
    const auto direct = mldp::stats::ks_2samp(m.reference("x0").values(), m.current("x0").values());
    CHECK(r.columns[0].p_value == direct.p_value);
}

TEST_CASE("drift_monitor: merged windows equal one window; errors") {
    drift_monitor a(make(20000, 6)), b(make(20000, 6));
    a.update(make(3000, 7));
    b.update(make(3000, 8));
    a.merge(b);
    drift_monitor one(make(20000, 6));
    one.update(make(3000, 7));
    one.update(make(3000, 8));
    const auto ra = a.results(), r1 = one.results();
    for (std::size_t i = 0; i < ra.columns.size(); ++i) {
        CHECK(ra.columns[i].n_current == r1.columns[i].n_current);
        CHECK(ra.columns[i].statistic == doctest::Approx(r1.columns[i].statistic).epsilon(0.02));
    }
    CHECK_THROWS_AS(drift_monitor(mldp::frame{}), mldp::invalid_argument);
    mldp::drift::monitor_options bad;
    bad.columns = {"nope"};
    CHECK_THROWS_AS(drift_monitor(make(100, 1), bad), mldp::invalid_argument);
    mldp::frame wrong;
    wrong.add("x0", std::vector<double>{1, 2});
    drift_monitor m(make(100, 1));
    CHECK_THROWS_AS(m.update(wrong), mldp::invalid_argument);
}

TEST_CASE("drift_monitor: serialization and saved reference profiles") {
    drift_monitor m(make(30000, 9));
    m.update(make(2000, 10, 0.5));
    const auto bytes = m.serialize();
    const auto r = drift_monitor::deserialize(bytes);
    CHECK(r.serialize() == bytes);
    const auto a = m.results(), b = r.results();
    REQUIRE(a.columns.size() == b.columns.size());
    for (std::size_t i = 0; i < a.columns.size(); ++i) {
        CHECK(a.columns[i].p_value == b.columns[i].p_value);
        CHECK(a.columns[i].drift == b.columns[i].drift);
    }
    for (std::size_t len = 0; len < bytes.size(); len += bytes.size() / 97 + 1) {
        CHECK_THROWS_AS(drift_monitor::deserialize(bytes.data(), len), mldp::format_error);
    }
    for (std::size_t i = 0; i < bytes.size(); i += bytes.size() / 211 + 1) {
        auto bad = bytes;
        bad[i] ^= 0x20;
        CHECK_THROWS_AS(drift_monitor::deserialize(bad), mldp::format_error);
    }
    std::vector<std::pair<std::string, mldp::sketch::column_profile>> saved;
    saved.emplace_back("x0", m.reference("x0"));
    auto fromp = drift_monitor::from_profiles(saved);
    const auto shifted = make(2000, 10, 0.5);
    const auto x0 = shifted.numeric("x0");
    mldp::frame b0;
    b0.add("x0", std::vector<double>(x0.begin(), x0.end()));
    fromp.update(b0);
    CHECK(fromp.results().columns.at(0).drift);
    CHECK_THROWS_AS(drift_monitor::from_profiles({}), mldp::invalid_argument);
}

TEST_CASE("drift_monitor windows: tumbling reports per window, sliding per pane") {
    mldp::drift::monitor_options t;
    t.columns = {"x0", "colour"};
    t.window = {mldp::drift::window_kind::tumbling, 1000, 8};
    drift_monitor tm(make(20000, 11), t);
    std::vector<std::size_t> done;
    auto reps = tm.update(make(2500, 12), [&](const mldp::progress_event& e) {
        CHECK(e.task == "drift_monitor::update");
        CHECK(e.total == 2500);
        done.push_back(e.done);
    });
    CHECK(done == std::vector<std::size_t>{1000, 2000, 2500});  // after each window, then at the end
    CHECK(reps.size() == 2);
    for (const auto& r : reps) CHECK(r.columns[0].n_current == 1000);
    CHECK(tm.results().columns[0].n_current == 500);  // the partial third window
    reps = tm.update(make(600, 13, 0.8));
    REQUIRE(reps.size() == 1);
    CHECK(reps[0].columns[0].n_current == 1000);

    mldp::drift::monitor_options sl = t;
    sl.window = {mldp::drift::window_kind::sliding, 1000, 4};
    drift_monitor sm(make(20000, 11), sl);
    CHECK(sm.update(make(999, 14)).empty());       // fewer than 1000 rows seen
    auto clean = sm.update(make(1001, 15));         // panes complete at 1000, 1250, ..., 2000
    REQUIRE(clean.size() == 5);
    for (const auto& r : clean) {
        CHECK(r.columns[0].n_current == 1000);
        CHECK_FALSE(r.columns[0].drift);
    }
    auto shifted = sm.update(make(1000, 16, 1.0));  // the window moves onto shifted rows, a pane at a time
    REQUIRE(shifted.size() == 4);
    CHECK(shifted.back().columns[0].drift);
    CHECK(shifted.back().columns[0].effect_size > 0.8);
    // The state, panes included, survives serialization.
    const auto bytes = sm.serialize();
    auto restored = drift_monitor::deserialize(bytes);
    CHECK(restored.serialize() == bytes);
    CHECK(restored.update(make(250, 17, 1.0)).size() == sm.update(make(250, 17, 1.0)).size());
    // Row by row: the same windows as batches.
    drift_monitor rows(make(20000, 11), t);
    const auto batch = make(1000, 12);
    std::optional<mldp::drift::drift_report> last;
    for (std::size_t i = 0; i < 1000; ++i) {
        last = rows.update_row({batch.numeric("x0")[i]}, {batch.categorical("colour").value(i)});
        if (i < 999) REQUIRE_FALSE(last.has_value());
    }
    REQUIRE(last.has_value());
    drift_monitor batched(make(20000, 11), t);
    const auto same = batched.update(batch);
    REQUIRE(same.size() == 1);
    CHECK(last->columns[0].p_value == same[0].columns[0].p_value);
    CHECK(last->columns[1].p_value == same[0].columns[1].p_value);
    CHECK_THROWS_AS(rows.update_row({1.0, 2.0}, {}), mldp::invalid_argument);
    mldp::drift::monitor_options bad = t;
    bad.window = {mldp::drift::window_kind::sliding, 10, 20};
    CHECK_THROWS_AS(drift_monitor(make(100, 1), bad), mldp::invalid_argument);
}

TEST_CASE("column_profile: exact then sketched, merge, serialization") {
    mldp::sketch::profile_options o;
    o.exact_threshold = 1000;
    mldp::sketch::column_profile p(mldp::sketch::profile_kind::numeric, o), q(mldp::sketch::profile_kind::numeric, o);
    std::vector<double> x(800);
    mldp::rng g(3);
    for (auto& v : x) v = g.normal();
    x[5] = std::nan("");
    p.update(x.data(), x.size());
    CHECK(p.exact());
    CHECK(p.missing() == 1);
    q.update(x.data(), x.size());
    p.merge(q);
    CHECK_FALSE(p.exact());  // 1598 finite values > 1000
    CHECK(p.sketch().n() == 1598);
    CHECK(p.rows() == 1600);
    const auto bytes = p.serialize();
    const auto r = mldp::sketch::column_profile::deserialize(bytes);
    CHECK(r.serialize() == bytes);
    for (std::size_t i = 0; i < bytes.size(); i += 5) {
        auto bad = bytes;
        bad[i] ^= 0x01;
        CHECK_THROWS_AS(mldp::sketch::column_profile::deserialize(bad), mldp::format_error);
    }
    mldp::sketch::column_profile c(mldp::sketch::profile_kind::categorical, o);
    c.update(mldp::categorical_column::from_strings(std::vector<std::optional<std::string>>{"a", "b", std::nullopt, "a"}));
    CHECK(c.count("a") == 2);
    CHECK(c.missing() == 1);
    const auto cb = c.serialize();
    CHECK(mldp::sketch::column_profile::deserialize(cb).serialize() == cb);
    CHECK_THROWS_AS(c.update(x.data(), 3), mldp::invalid_argument);
}

TEST_CASE("review regressions: windows of odd sizes, approximate categories, self-merges, limits") {
    // Sliding window of 10 rows in 8 panes: panes of 2 rows, 5 of them, so reports cover 10 rows.
    mldp::drift::monitor_options o;
    o.columns = {"x0"};
    o.window = {mldp::drift::window_kind::sliding, 10, 8};
    drift_monitor m(make(5000, 21), o);
    const auto reps = m.update(make(12, 22));
    REQUIRE(reps.size() == 2);  // at rows 10 and 12
    CHECK(reps[0].columns[0].n_current == 10);
    CHECK(reps[1].columns[0].n_current == 10);
    m.merge(m);  // self-merge is defined: the window doubles
    CHECK(m.results().columns[0].n_current == 20);

    // A reference with more categories than category_cap (frequent-items mode) against an exact
    // window from the same distribution: no drift from the difference in coverage.
    mldp::drift::monitor_options c;
    c.columns = {"cat"};
    c.profile.category_cap = 100;
    c.profile.frequent_capacity = 64;
    mldp::rng g(30);
    auto frame_of = [&](std::size_t n) {
        std::vector<std::string> v(n);
        for (auto& s : v) s = "k" + std::to_string(g.bounded(2000));
        mldp::frame f;
        f.add("cat", v);
        return f;
    };
    drift_monitor cm(frame_of(200000), c);
    CHECK_FALSE(cm.reference("cat").counted_exactly());
    cm.update(frame_of(500));
    const auto r = cm.results();
    CHECK_FALSE(r.columns[0].drift);
    CHECK(r.columns[0].new_category_share == 0.0);  // unknowable against an approximate reference

    mldp::sketch::kll_sketch<double> k;
    for (int i = 0; i < 1000; ++i) k.update(i);
    k.merge(k);
    CHECK(k.n() == 2000);
    mldp::sketch::frequent_items<int> f(10), small(1);
    small.update(1);
    small.update(2);
    CHECK_THROWS_AS(f.merge(small), mldp::invalid_argument);
    f.update(3);
    f.merge(f);
    CHECK(f.lower_bound(3) == 2);
    CHECK_THROWS_AS(mldp::drift::kswin({0.005, 10, 6, 0}), mldp::invalid_argument);
    CHECK_NOTHROW(mldp::drift::kswin({0.005, 10, 5, 0}));
    mldp::drift::monitor_options twice;
    twice.columns = {"x0", "x0"};
    CHECK_THROWS_AS(drift_monitor(make(100, 1), twice), mldp::invalid_argument);
    CHECK_THROWS_AS(mldp::drift::adwin({0.002, 32, 1 << 20, 5, 10}), mldp::invalid_argument);
}

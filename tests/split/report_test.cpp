#include "mldp/split/report.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "mldp/core/random.hpp"
#include "mldp/split/random.hpp"
#include "mldp/split/time.hpp"

using mldp::split::fractions;

namespace {

mldp::frame make_frame(std::size_t n, std::uint64_t seed) {
    mldp::rng g(seed);
    std::vector<double> x(n), z(n);
    std::vector<std::string> site(n), label(n);
    std::vector<std::int64_t> id(n);
    for (std::size_t i = 0; i < n; ++i) {
        x[i] = g.normal();
        z[i] = g.normal(10, 2);
        site[i] = g.bounded(3) == 0 ? "A" : "B";
        label[i] = g.bounded(5) == 0 ? "yes" : "no";
        id[i] = static_cast<std::int64_t>(i);
    }
    mldp::frame f;
    f.add("x", std::move(x)).add("z", std::move(z)).add("site", site).add("label", label).add("id", id);
    return f;
}

}  // namespace

TEST_CASE("check_split passes a stratified split and reports its label shares") {
    const auto data = make_frame(20000, 1);
    const auto split = mldp::split::stratified_split(data.categorical("label"), fractions{0.7, 0.15, 0.15}, 4);
    mldp::split::split_check_options o;
    o.label = "label";
    o.key = "id";
    const auto rep = mldp::split::check_split(data, split, o);
    CHECK(rep.rows == 20000);
    CHECK(rep.train == 14000);
    REQUIRE(rep.labels.size() == 2);
    CHECK(rep.labels[0].label == "no");
    CHECK(std::abs(rep.labels[1].train - rep.labels[1].overall) < 1.0 / 14000 + 1e-12);
    REQUIRE(rep.label_test);
    CHECK(rep.label_test->p_value > 0.9);  // stratified: the shares agree to within one row
    // x, z, site compared between 3 pairs of subsets: 9 comparisons.
    CHECK(rep.features.size() == 9);
    CHECK(rep.result == mldp::split::verdict::pass);
    CHECK(rep.leaks.size() == 2);
    for (const auto& l : rep.leaks) CHECK(l.rows == 0);
    const auto text = fmt::format("{}", rep);
    CHECK(text.find("verdict: pass") != std::string::npos);
    const nlohmann::json j = rep;
    CHECK(j["verdict"] == "pass");
    CHECK(j["sizes"]["train"] == 14000);
}

TEST_CASE("check_split finds leakage and shifted features") {
    auto data = make_frame(20000, 2);
    const auto base = mldp::split::random_split(20000, fractions{0.8, 0.1, 0.1}, 1);
    // Duplicate the content of a train row into a test row (all features equal, key differs).
    const auto x = data.numeric("x");
    const auto z = data.numeric("z");
    std::vector<double> x2(x.begin(), x.end()), z2(z.begin(), z.end());
    std::vector<std::string> site, label;
    for (std::size_t i = 0; i < 20000; ++i) {
        site.emplace_back(*data.categorical("site").value(i));
        label.emplace_back(*data.categorical("label").value(i));
    }
    const std::size_t from = base.train[0], to = base.test[0];
    x2[to] = x2[from];
    z2[to] = z2[from];
    site[to] = site[from];
    // Shift z in the test subset by one standard deviation (z has sd 2).
    for (auto r : base.test) {
        if (r != to) z2[r] += 2.0;
    }
    std::vector<std::int64_t> key(20000);
    for (std::size_t i = 0; i < 20000; ++i) key[i] = static_cast<std::int64_t>(i % 19990);  // rows 19990.. reuse keys
    mldp::frame f;
    f.add("x", x2).add("z", z2).add("site", site).add("label", label).add("key", key);
    mldp::split::split_check_options o;
    o.key = "key";
    o.label = "label";
    const auto rep = mldp::split::check_split(f, base, o);
    CHECK(rep.result == mldp::split::verdict::fail);
    REQUIRE(rep.leaks.size() == 2);
    CHECK(rep.leaks[0].kind == "content");
    CHECK(rep.leaks[0].values == 1);
    CHECK(rep.leaks[0].rows == 2);
    CHECK(rep.leaks[0].example_rows == std::vector<std::size_t>{(std::min)(from, to), (std::max)(from, to)});
    CHECK(rep.leaks[1].kind == "key");
    CHECK(rep.leaks[1].rows > 0);
    bool z_flagged = false, x_flagged = false;
    for (const auto& fc : rep.features) {
        if (fc.feature == "z" && fc.second == mldp::split::subset::test) z_flagged |= fc.differs && fc.p_adjusted < 1e-6;
        if (fc.feature == "x") x_flagged |= fc.differs;
    }
    CHECK(z_flagged);
    CHECK_FALSE(x_flagged);
    CHECK(rep.reasons.size() >= 3);
}

TEST_CASE("check_split errors") {
    const auto data = make_frame(100, 3);
    const auto split = mldp::split::random_split(99, fractions{}, 1);
    CHECK_THROWS_AS(mldp::split::check_split(data, split), mldp::invalid_argument);
    mldp::split::split_check_options o;
    o.label = "nope";
    CHECK_THROWS_AS(mldp::split::check_split(data, mldp::split::random_split(100, fractions{}, 1), o),
                    mldp::invalid_argument);
}

TEST_CASE("check_split with a label that lives only in dropped rows, and malformed splits") {
    // time_split drops row 4 (the gap), the only row labelled "b": the label test runs on "a" and "c".
    std::vector<std::int64_t> t(10);
    std::vector<std::string> y(10, "a");
    for (std::size_t i = 0; i < 10; ++i) t[i] = static_cast<std::int64_t>(i);
    y[4] = "b";
    for (std::size_t i = 7; i < 10; ++i) y[i] = "c";
    y[0] = "c";
    mldp::frame f;
    f.add("t", t).add("y", y);
    const auto split = mldp::split::time_split(t, fractions{0.4, 0.3, 0.3}, mldp::split::time_gap::of_rows(1));
    REQUIRE(split.subset_of(4) == mldp::split::subset::dropped);
    mldp::split::split_check_options o;
    o.label = "y";
    const auto rep = mldp::split::check_split(f, split, o);
    CHECK(rep.label_test.has_value());
    CHECK(rep.dropped == 2);

    mldp::split::split_result bad;
    bad.train = {0, 5};
    bad.test = {1};
    CHECK_THROWS_AS(bad.assignment(), mldp::invalid_argument);
    CHECK_THROWS_AS(bad.manifest(), mldp::invalid_argument);
    bad.train = {0, 1};
    bad.test = {1};
    CHECK_THROWS_AS(bad.assignment(), mldp::invalid_argument);
}

TEST_CASE("manifest: counts, digest, JSON and text") {
    const std::vector<int> labels{0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1};
    const auto r = mldp::split::stratified_split(labels, fractions{0.5, 0.25, 0.25}, 9);
    const auto m = r.manifest();
    CHECK(m.rows == 12);
    CHECK(m.train + m.validation + m.test == 12);
    CHECK(m.info.seed == 9u);
    REQUIRE(m.info.classes.size() == 2);
    CHECK(m.info.classes[0].train == 3);
    const nlohmann::json j = m;
    CHECK(j["algorithm"] == "stratified_split");
    CHECK(j["seed"] == 9);
    CHECK(j["digest"].get<std::string>().size() == 16);
    CHECK(j["classes"][1]["label"] == "1");
    const auto text = fmt::format("{}", m);
    CHECK(text.find("stratified_split v1 seed=9") == 0);
    CHECK(text.find(fmt::format("{:016x}", m.digest)) != std::string::npos);
    // Another seed, another assignment, another digest.
    CHECK(mldp::split::stratified_split(labels, fractions{0.5, 0.25, 0.25}, 10).manifest().digest != m.digest);
    CHECK_THROWS_AS(r.subset_of(12), mldp::invalid_argument);
}

TEST_CASE("check_split leaves NaN and infinities out of the feature tests") {
    // x: 0..99 with an infinity and a NaN; the KS test of x between the subsets runs on the finite values.
    std::vector<double> x(100), y(100);
    for (std::size_t i = 0; i < 100; ++i) {
        x[i] = static_cast<double>(i);
        y[i] = static_cast<double>(i % 2);
    }
    x[3] = INFINITY;
    x[4] = NAN;
    mldp::frame f;
    f.add("x", x);
    const auto s = mldp::split::random_split(100, {0.5, 0.25, 0.25}, 7);
    const auto r = mldp::split::check_split(f, s);
    REQUIRE_FALSE(r.features.empty());
    for (const auto& c : r.features) {
        CHECK(c.test == "ks_2samp");
        CHECK(std::isfinite(c.statistic));
    }
}

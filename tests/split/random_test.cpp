#include "mldp/split/random.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

using mldp::split::fractions;
using mldp::split::subset;

namespace {

void check_partition(const mldp::split::split_result& r, std::size_t n) {
    CHECK(r.rows() == n);
    CHECK(r.dropped.empty());
    for (const auto* v : {&r.train, &r.validation, &r.test}) CHECK(std::is_sorted(v->begin(), v->end()));
    const auto a = r.assignment();
    std::size_t counts[4] = {0, 0, 0, 0};
    for (auto s : a) ++counts[static_cast<int>(s)];
    CHECK(counts[0] == r.train.size());
    CHECK(counts[1] == r.validation.size());
    CHECK(counts[2] == r.test.size());
    CHECK(counts[3] == 0);
}

// Each (class, subset) cell within one row of count * size / n.
void check_cells(const std::vector<std::int64_t>& labels, const mldp::split::split_result& r) {
    std::map<std::int64_t, std::array<double, 3>> cells;
    std::map<std::int64_t, double> totals;
    const auto a = r.assignment();
    for (std::size_t i = 0; i < labels.size(); ++i) {
        cells[labels[i]][static_cast<std::size_t>(a[i])] += 1;
        totals[labels[i]] += 1;
    }
    const double n = static_cast<double>(labels.size());
    const double sizes[3] = {double(r.train.size()), double(r.validation.size()), double(r.test.size())};
    for (const auto& [label, row] : cells) {
        for (std::size_t j = 0; j < 3; ++j) {
            const double want = totals[label] * sizes[j] / n;
            REQUIRE(std::abs(row[j] - want) < 1.0);
        }
    }
}

}  // namespace

TEST_CASE("random_split sizes follow the cut rule") {
    // round(10 * 0.7) = 7, round(10 * 0.85) = 9 (8.5 rounds away from zero): 7 / 2 / 1.
    auto r = mldp::split::random_split(10, fractions{0.7, 0.15, 0.15}, 1);
    check_partition(r, 10);
    CHECK(r.train.size() == 7);
    CHECK(r.validation.size() == 2);
    CHECK(r.test.size() == 1);
    for (std::size_t n : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{101}, std::size_t{99999}}) {
        const fractions f{0.8, 0.1, 0.1};
        const auto s = mldp::split::random_split(n, f, 3);
        check_partition(s, n);
        const double dn = static_cast<double>(n);
        CHECK(std::abs(static_cast<double>(s.train.size()) - 0.8 * dn) <= 0.5);
        CHECK(std::abs(static_cast<double>(s.validation.size()) - 0.1 * dn) <= 1.0);
        CHECK(std::abs(static_cast<double>(s.test.size()) - 0.1 * dn) <= 0.5 + 1e-9);
    }
    const auto zero_val = mldp::split::random_split(1000, fractions{0.75, 0, 0.25}, 4);
    CHECK(zero_val.validation.empty());
    CHECK(zero_val.train.size() == 750);
    const auto all_test = mldp::split::random_split(5, fractions{0, 0, 1}, 4);
    CHECK(all_test.test.size() == 5);
    // Fractions summing to 1 within 1e-9 are accepted; 1e-6 off is not.
    CHECK_NOTHROW(mldp::split::random_split(10, fractions{0.7, 0.2, 0.1 + 5e-10}, 1));
    CHECK_THROWS_AS(mldp::split::random_split(10, fractions{0.7, 0.2, 0.1 + 1e-6}, 1), mldp::invalid_argument);
    CHECK_THROWS_AS(mldp::split::random_split(0, fractions{}, 1), mldp::invalid_argument);
    CHECK_THROWS_AS(mldp::split::random_split(10, fractions{NAN, 0.5, 0.5}, 1), mldp::invalid_argument);
}

TEST_CASE("random_split is seeded and uniform") {
    CHECK(mldp::split::random_split(1000, fractions{}, 9).train == mldp::split::random_split(1000, fractions{}, 9).train);
    CHECK(mldp::split::random_split(1000, fractions{}, 9).train != mldp::split::random_split(1000, fractions{}, 10).train);
    // Each of 10 rows lands in train with probability 3/10; over 20000 seeds every row's frequency is
    // within 5 sigma (sigma = sqrt(p (1 - p) / 20000) = 0.0032) of 0.3.
    std::vector<int> hits(10, 0);
    for (std::uint64_t s = 0; s < 20000; ++s) {
        for (auto r : mldp::split::random_split(10, fractions{0.3, 0.3, 0.4}, s).train) ++hits[r];
    }
    for (int h : hits) CHECK(std::abs(h / 20000.0 - 0.3) < 5 * 0.0032);
}

TEST_CASE("stratified_split: the largest-remainder example") {
    // [99000, 1000] with 25000 in train gives [24750, 250] (scikit-learn's _approximate_mode).
    std::vector<int> labels(100000, 0);
    for (std::size_t i = 0; i < 1000; ++i) labels[i * 100 + 7] = 1;
    const auto r = mldp::split::stratified_split(labels, fractions{0.25, 0.0, 0.75}, 42);
    check_partition(r, labels.size());
    REQUIRE(r.info.classes.size() == 2);
    CHECK(r.info.classes[0].label == "0");
    CHECK(r.info.classes[0].train == 24750);
    CHECK(r.info.classes[1].train == 250);
    CHECK(r.info.classes[1].test == 750);
    std::size_t ones = 0;
    for (auto i : r.train) ones += labels[i] == 1;
    CHECK(ones == 250);
}

TEST_CASE("stratified_split cells are within one row of proportional on random shapes") {
    mldp::rng g(77);
    for (int t = 0; t < 400; ++t) {
        const std::size_t k = 1 + g.bounded(8);
        std::vector<std::int64_t> labels;
        for (std::size_t c = 0; c < k; ++c) {
            const std::uint64_t scale = t % 4 == 0 ? 4 : t % 4 == 1 ? 12 : t % 4 == 2 ? 60 : 900;
            const std::uint64_t count = 3 + g.bounded(scale);
            for (std::uint64_t j = 0; j < count; ++j) labels.push_back(static_cast<std::int64_t>(c * 10));
        }
        mldp::shuffle(labels.begin(), labels.end(), g);
        double w[3] = {g.uniform01() + 0.01, g.uniform01() + 0.01, g.uniform01() + 0.01};
        if (t % 5 == 0) w[t % 3] = 0;
        const double sum = w[0] + w[1] + w[2];
        const fractions f{w[0] / sum, w[1] / sum, w[2] / sum};
        const auto r = mldp::split::stratified_split(labels, f, static_cast<std::uint64_t>(t));
        check_partition(r, labels.size());
        check_cells(labels, r);
        const auto s = mldp::split::detail::subset_sizes(labels.size(), f);
        CHECK(r.train.size() == s[0]);
        CHECK(r.validation.size() == s[1]);
    }
}

// The controlled rounding itself, on counts with classes of one and two rows (which stratified_split
// only meets under keep_in_train): rows sum to the counts, columns to the sizes, every cell is floor
// or ceil of count * size / n.
TEST_CASE("controlled rounding: row sums, column sums, floor or ceil") {
    auto check = [](const std::vector<std::size_t>& counts, const std::array<std::size_t, 3>& sizes, std::uint64_t seed) {
        mldp::rng g(seed);
        const auto x = mldp::split::detail::allocate(counts, sizes, g);
        std::size_t n = 0;
        for (auto c : counts) n += c;
        std::array<std::size_t, 3> col = {0, 0, 0};
        for (std::size_t i = 0; i < counts.size(); ++i) {
            REQUIRE(x[i][0] + x[i][1] + x[i][2] == counts[i]);
            for (std::size_t j = 0; j < 3; ++j) {
                col[j] += x[i][j];
                const double p = static_cast<double>(counts[i]) * static_cast<double>(sizes[j]) / static_cast<double>(n);
                REQUIRE((static_cast<double>(x[i][j]) == std::floor(p) || static_cast<double>(x[i][j]) == std::ceil(p)));
            }
        }
        REQUIRE(col == sizes);
    };
    // Column-by-column largest remainder alone leaves a class short here, so an augmenting path is
    // needed: classes [2, 8, 9, 3, 2], subsets (4, 12, 8).
    for (std::uint64_t seed = 0; seed < 200; ++seed) check({2, 8, 9, 3, 2}, {4, 12, 8}, seed);
    mldp::rng g(11);
    for (int t = 0; t < 20000; ++t) {
        std::vector<std::size_t> counts(1 + g.bounded(9));
        std::size_t n = 0;
        for (auto& c : counts) n += (c = 1 + g.bounded(t % 2 ? 5 : 40));
        const std::size_t a = g.bounded(n + 1), b = g.bounded(n - a + 1);
        check(counts, {a, b, n - a - b}, static_cast<std::uint64_t>(t));
    }
}

TEST_CASE("stratified_split label types, rare classes and errors") {
    const std::vector<std::string> s{"b", "a", "b", "b", "a", "c", "c", "a", "b", "c"};
    const auto r = mldp::split::stratified_split(s, fractions{0.4, 0.3, 0.3}, 5);
    check_partition(r, s.size());
    REQUIRE(r.info.classes.size() == 3);
    CHECK(r.info.classes[0].label == "a");  // classes ascending
    CHECK(r.info.classes[2].label == "c");
    const auto cat = mldp::categorical_column::from_strings(s);
    CHECK(mldp::split::stratified_split(cat, fractions{0.4, 0.3, 0.3}, 5).manifest().digest == r.manifest().digest);

    const std::vector<int> rare{0, 0, 0, 0, 0, 0, 1, 1, 0, 0};
    CHECK_THROWS_AS(mldp::split::stratified_split(rare, fractions{0.6, 0.2, 0.2}, 1), mldp::invalid_argument);
    try {
        mldp::split::stratified_split(rare, fractions{0.6, 0.2, 0.2}, 1);
    } catch (const mldp::invalid_argument& e) {
        CHECK(std::string(e.what()).find("class '1' has 2 row(s)") != std::string::npos);
    }
    mldp::split::stratified_options keep;
    keep.rare_classes = mldp::split::rare_class_policy::keep_in_train;
    const auto k = mldp::split::stratified_split(rare, fractions{0.6, 0.2, 0.2}, 1, keep);
    check_partition(k, rare.size());
    CHECK(std::count(k.train.begin(), k.train.end(), std::size_t{6}) == 1);
    CHECK(std::count(k.train.begin(), k.train.end(), std::size_t{7}) == 1);
    CHECK(k.info.classes[1].train == 2);
    // keep_in_train cannot keep anything in a train set of fraction 0.
    CHECK_THROWS_AS(mldp::split::stratified_split(std::vector<int>{0, 0, 0, 0, 1}, fractions{0, 0.5, 0.5}, 1, keep),
                    mldp::invalid_argument);
    // Unsigned labels above INT64_MAX cannot be ordered as int64.
    CHECK_THROWS_AS(mldp::split::stratified_split(std::vector<std::uint64_t>{1, ~std::uint64_t{0}}, fractions{1, 0, 0}, 1),
                    mldp::data_error);
    // Two non-empty subsets: a class of 2 is enough.
    CHECK_NOTHROW(mldp::split::stratified_split(rare, fractions{0.5, 0, 0.5}, 1));

    CHECK_THROWS_AS(mldp::split::stratified_split(std::vector<int>{}, fractions{}, 1), mldp::invalid_argument);
    CHECK_THROWS_AS(mldp::split::stratified_split(std::vector<double>{0, 1, INFINITY}, fractions{1, 0, 0}, 1),
                    mldp::data_error);
    CHECK_THROWS_AS(mldp::split::stratified_split(s, std::vector<int>{1, 2}, fractions{0.4, 0.3, 0.3}, 1),
                    mldp::invalid_argument);
}

TEST_CASE("keyed stratified_split does not depend on row order") {
    mldp::rng g(3);
    std::vector<int> labels;
    std::vector<std::int64_t> keys;
    for (int i = 0; i < 3000; ++i) {
        labels.push_back(static_cast<int>(g.bounded(4)));
        keys.push_back(static_cast<std::int64_t>(g.next_u64() >> 1));
    }
    const fractions f{0.7, 0.2, 0.1};
    const auto base = mldp::split::stratified_split(labels, keys, f, 12);
    check_partition(base, labels.size());
    std::vector<std::size_t> perm(labels.size());
    for (std::size_t i = 0; i < perm.size(); ++i) perm[i] = i;
    mldp::shuffle(perm.begin(), perm.end(), g);
    std::vector<int> pl;
    std::vector<std::int64_t> pk;
    for (auto p : perm) {
        pl.push_back(labels[p]);
        pk.push_back(keys[p]);
    }
    const auto shuffled = mldp::split::stratified_split(pl, pk, f, 12);
    for (std::size_t i = 0; i < perm.size(); ++i) REQUIRE(shuffled.subset_of(i) == base.subset_of(perm[i]));
    std::vector<std::int64_t> wide(labels.begin(), labels.end());
    check_cells(wide, base);
}

TEST_CASE("group_split keeps every group in one subset") {
    mldp::rng g(8);
    std::vector<std::int64_t> groups;
    for (int i = 0; i < 20000; ++i) groups.push_back(static_cast<std::int64_t>(g.bounded(2000)) * 13);
    for (const auto unit : {mldp::split::group_unit::rows, mldp::split::group_unit::groups}) {
        const auto r = mldp::split::group_split(groups, fractions{0.7, 0.15, 0.15}, 21, {unit});
        check_partition(r, groups.size());
        std::map<std::int64_t, std::set<subset>> where;
        const auto a = r.assignment();
        for (std::size_t i = 0; i < groups.size(); ++i) where[groups[i]].insert(a[i]);
        std::size_t per[3] = {0, 0, 0};
        for (const auto& [grp, subsets] : where) {
            REQUIRE(subsets.size() == 1);
            ++per[static_cast<int>(*subsets.begin())];
        }
        if (unit == mldp::split::group_unit::groups) {
            CHECK(per[0] == 1400);  // round(2000 * 0.7) groups
            CHECK(per[1] == 300);
            CHECK(r.info.unit == "groups");
        } else {
            // Midpoint rule: each boundary is off by at most half the largest group (~25 rows here).
            CHECK(std::abs(static_cast<double>(r.train.size()) - 14000.0) <= 30);
            CHECK(std::abs(static_cast<double>(r.test.size()) - 3000.0) <= 30);
        }
    }
    // Integer ids take a by-value path; as doubles they take the general one: same groups, same split.
    std::vector<double> as_double(groups.begin(), groups.end());
    std::vector<std::int64_t> sparse(groups);
    for (auto& v : sparse) v = v * 1000003 - 7;  // not a dense range any more
    for (const auto unit : {mldp::split::group_unit::rows, mldp::split::group_unit::groups}) {
        const auto want = mldp::split::group_split(groups, fractions{0.6, 0.2, 0.2}, 5, {unit}).manifest().digest;
        CHECK(mldp::split::group_split(as_double, fractions{0.6, 0.2, 0.2}, 5, {unit}).manifest().digest == want);
        CHECK(mldp::split::group_split(sparse, fractions{0.6, 0.2, 0.2}, 5, {unit}).manifest().digest == want);
    }
    CHECK_THROWS_AS(mldp::split::group_split(std::vector<int>{1, 1, 2}, fractions{0.5, 0.25, 0.25}, 1),
                    mldp::invalid_argument);
    CHECK_NOTHROW(mldp::split::group_split(std::vector<int>{1, 1, 2}, fractions{0.5, 0, 0.5}, 1));
    const auto strings = mldp::split::group_split(std::vector<std::string>{"x", "y", "x", "z", "y"},
                                                  fractions{0.4, 0.3, 0.3}, 2);
    check_partition(strings, 5);
}

#include "mldp/split/folds.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "sklearn_folds.hpp"

using mldp::split::fold;

namespace {

void check_same(const std::vector<fold>& got, const oracle::fold_case& c) {
    REQUIRE(got.size() == c.test.size());
    for (std::size_t f = 0; f < got.size(); ++f) {
        CHECK(got[f].test == c.test[f]);
        CHECK(got[f].train == c.train[f]);
    }
}

// Every row in exactly one test fold; train is the complement, both ascending.
void check_partition(const std::vector<fold>& folds, std::size_t n) {
    std::vector<int> seen(n, 0);
    for (const auto& f : folds) {
        CHECK(std::is_sorted(f.test.begin(), f.test.end()));
        CHECK(std::is_sorted(f.train.begin(), f.train.end()));
        CHECK(f.train.size() + f.test.size() == n);
        for (auto r : f.test) ++seen[r];
        std::vector<std::size_t> all;
        std::merge(f.train.begin(), f.train.end(), f.test.begin(), f.test.end(), std::back_inserter(all));
        for (std::size_t i = 0; i < all.size(); ++i) REQUIRE(all[i] == i);
    }
    CHECK(std::all_of(seen.begin(), seen.end(), [](int s) { return s == 1; }));
}

}  // namespace

// Oracle: scikit-learn 1.2.1 (tests/oracles/split_vectors.py).
TEST_CASE("k_fold equals scikit-learn KFold") {
    for (const auto& c : oracle::kfold_cases) check_same(mldp::split::k_fold(c.n, c.k), c);
}

TEST_CASE("stratified_k_fold equals scikit-learn StratifiedKFold") {
    for (const auto& c : oracle::stratified_kfold_cases) {
        check_same(mldp::split::stratified_k_fold(c.labels, c.k), c);
        // Labels as strings: the classes are the same, so the folds are too.
        std::vector<std::string> s;
        for (auto v : c.labels) s.push_back("class " + std::to_string(v));
        check_same(mldp::split::stratified_k_fold(s, c.k), c);
    }
}

TEST_CASE("group_k_fold equals scikit-learn GroupKFold when group sizes are distinct") {
    for (const auto& c : oracle::group_kfold_cases) check_same(mldp::split::group_k_fold(c.groups, c.k), c);
}

TEST_CASE("stratified_group_k_fold equals scikit-learn StratifiedGroupKFold") {
    for (const auto& c : oracle::stratified_group_kfold_cases) {
        check_same(mldp::split::stratified_group_k_fold(c.labels, c.groups, c.k), c);
    }
}

TEST_CASE("time_series_folds equals scikit-learn TimeSeriesSplit") {
    for (const auto& c : oracle::time_series_cases) {
        mldp::split::time_series_options o;
        o.gap = static_cast<std::size_t>(c.labels[0]);
        o.test_size = static_cast<std::size_t>(c.labels[1]);
        o.max_train_size = static_cast<std::size_t>(c.labels[2]);
        check_same(mldp::split::time_series_folds(c.n, c.k, o), c);
    }
}

TEST_CASE("shuffled folds partition the rows and keep the unshuffled sizes") {
    const auto plain = mldp::split::k_fold(103, 4);
    const auto shuffled = mldp::split::k_fold(103, 4, 7);
    check_partition(shuffled, 103);
    for (std::size_t f = 0; f < 4; ++f) CHECK(shuffled[f].test.size() == plain[f].test.size());
    CHECK(shuffled[0].test != plain[0].test);
    CHECK(mldp::split::k_fold(103, 4, 7)[2].test == shuffled[2].test);  // seeded: repeatable
    CHECK(mldp::split::k_fold(103, 4, 8)[2].test != shuffled[2].test);

    const auto& c = oracle::stratified_kfold_cases[1];
    const auto s = mldp::split::stratified_k_fold(c.labels, c.k, 3);
    check_partition(s, c.n);
    // Per-class counts per fold are those of the unshuffled scheme.
    for (std::size_t f = 0; f < c.k; ++f) {
        for (std::int64_t cls : {7, -2, 40, 3}) {
            auto count = [&](const std::vector<std::size_t>& rows) {
                return std::count_if(rows.begin(), rows.end(), [&](std::size_t r) { return c.labels[r] == cls; });
            };
            CHECK(count(s[f].test) == count(c.test[f]));
        }
    }
    const auto& g = oracle::stratified_group_kfold_cases[1];
    const auto sg = mldp::split::stratified_group_k_fold(g.labels, g.groups, g.k, 11);
    check_partition(sg, g.n);
    for (const auto& f : sg) {  // no group in two folds
        for (auto r : f.test) {
            for (auto t : f.train) REQUIRE(g.groups[r] != g.groups[t]);
        }
    }
    const auto rep = mldp::split::repeated_k_fold(50, 5, 3, 1);
    CHECK(rep.size() == 15);
    CHECK(rep[0].test != rep[5].test);
    const auto reps = mldp::split::repeated_stratified_k_fold(c.labels, 5, 2, 1);
    CHECK(reps.size() == 10);
}

TEST_CASE("stratified k-fold counts are within one of proportional") {
    // Rows sorted by class are dealt round-robin, so every class's per-fold count is floor or ceil of
    // count / k.
    for (const auto& c : oracle::stratified_kfold_cases) {
        const auto folds = mldp::split::stratified_k_fold(c.labels, c.k, 99);
        std::vector<std::int64_t> classes(c.labels);
        std::sort(classes.begin(), classes.end());
        classes.erase(std::unique(classes.begin(), classes.end()), classes.end());
        for (auto cls : classes) {
            const double total = static_cast<double>(std::count(c.labels.begin(), c.labels.end(), cls));
            for (const auto& f : folds) {
                const auto in = std::count_if(f.test.begin(), f.test.end(), [&](std::size_t r) { return c.labels[r] == cls; });
                CHECK(std::abs(static_cast<double>(in) - total / static_cast<double>(c.k)) < 1.0);
            }
        }
    }
}

TEST_CASE("fold errors") {
    using mldp::invalid_argument;
    CHECK_THROWS_AS(mldp::split::k_fold(10, 1), invalid_argument);
    CHECK_THROWS_AS(mldp::split::k_fold(3, 4), invalid_argument);
    CHECK_THROWS_AS(mldp::split::k_fold(0, 2), invalid_argument);
    CHECK_THROWS_AS(mldp::split::k_fold(5, 2, 0).at(0).test.at(10), std::out_of_range);
    const std::vector<int> labels{0, 0, 1, 1, 1};
    CHECK_THROWS_AS(mldp::split::stratified_k_fold(labels, 4), invalid_argument);  // every class < k
    CHECK_THROWS_AS(mldp::split::stratified_k_fold(std::vector<int>{}, 2), invalid_argument);
    CHECK_THROWS_AS(mldp::split::group_k_fold(std::vector<int>{1, 1, 2, 2}, 3), invalid_argument);
    CHECK_THROWS_AS(mldp::split::stratified_group_k_fold(labels, std::vector<int>{1, 2, 3}, 2), invalid_argument);
    CHECK_THROWS_AS(mldp::split::time_series_folds(5, 5), invalid_argument);
    CHECK_THROWS_AS(mldp::split::time_series_folds(10, 3, {5, 2, 0}), invalid_argument);
    CHECK_THROWS_AS(mldp::split::repeated_k_fold(10, 2, 0, 1), invalid_argument);
    // Sizes whose arithmetic would overflow are rejected, not wrapped.
    CHECK_THROWS_AS(mldp::split::time_series_folds(10, SIZE_MAX), invalid_argument);
    CHECK_THROWS_AS(mldp::split::time_series_folds(100, 3, {0, SIZE_MAX / 2, 0}), invalid_argument);
    CHECK_THROWS_AS(mldp::split::time_series_folds(100, 3, {SIZE_MAX, 0, 0}), invalid_argument);
    CHECK_THROWS_AS(mldp::split::stratified_k_fold(std::vector<double>{0, 1, NAN, 1}, 2), mldp::data_error);
    try {
        mldp::split::k_fold(3, 4);
    } catch (const invalid_argument& e) {
        CHECK(std::string(e.what()).find("k = 4") != std::string::npos);
    }
}

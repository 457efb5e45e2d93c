#include "mldp/split/hash.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "mldp/core/random.hpp"

using mldp::split::fractions;
using mldp::split::hash_kind;
using mldp::split::hash_options;
using mldp::split::subset;

// BigQuery: ABS(MOD(FARM_FINGERPRINT(key), 10)) for the keys of the repeatable-splitting example.
TEST_CASE("farm_fingerprint buckets reproduce BigQuery") {
    const hash_options bq{hash_kind::farm_fingerprint, 10, ""};
    CHECK(mldp::split::hash_bucket("1footrue", bq) == 1);
    CHECK(mldp::split::hash_bucket("2applefalse", bq) == 9);
    CHECK(mldp::split::hash_bucket("3true", bq) == 2);
    const std::vector<std::string> keys{"1footrue", "2applefalse", "3true"};
    const auto r = mldp::split::hash_split(keys, fractions{0.8, 0.1, 0.1}, bq);
    CHECK(r.train == std::vector<std::size_t>{0, 2});
    CHECK(r.validation.empty());
    CHECK(r.test == std::vector<std::size_t>{1});
    CHECK(r.subset_of(1) == subset::test);
    const auto m = r.manifest();
    CHECK(m.info.algorithm == "hash_split");
    CHECK(m.info.hash == "farm_fingerprint");
    CHECK(m.info.buckets == 10);
}

TEST_CASE("farm_fingerprint integer keys hash their decimal string, salt is a prefix") {
    const hash_options bq{hash_kind::farm_fingerprint, 97, ""};
    const hash_options salted{hash_kind::farm_fingerprint, 97, "s1-"};
    for (std::int64_t k : {std::int64_t{0}, std::int64_t{-5}, std::int64_t{123456789012345}, INT64_MIN, INT64_MAX}) {
        CHECK(mldp::split::hash_bucket(k, bq) == mldp::split::hash_bucket(std::to_string(k), bq));
        CHECK(mldp::split::hash_bucket(k, salted) == mldp::split::hash_bucket("s1-" + std::to_string(k), bq));
    }
    CHECK(mldp::split::hash_bucket(std::uint64_t{18446744073709551615ULL}, bq) ==
          mldp::split::hash_bucket("18446744073709551615", bq));
}

TEST_CASE("xxh3 buckets follow the documented encoding") {
    const hash_options o{hash_kind::xxh3, 100, ""};
    CHECK(mldp::split::hash_bucket("abc", o) == mldp::hash64("abc") % 100);
    CHECK(mldp::split::hash_bucket(std::int32_t{-7}, o) == mldp::hash_value(std::int64_t{-7}) % 100);
    const hash_options salted{hash_kind::xxh3, 1000, "v2"};
    CHECK(mldp::split::hash_bucket("abc", salted) == mldp::hash64("abc", mldp::hash64("v2")) % 1000);
    // Golden values: XXH3-64 is frozen, so these never change.
    CHECK(mldp::hash64("abc") == 0x78af5f94892f3950ULL);
    CHECK(mldp::split::hash_bucket("abc", o) == 0x78af5f94892f3950ULL % 100);
}

TEST_CASE("hash_split cut points, zero fractions and buckets") {
    // cut1 = round(100 * 0.7) = 70, cut2 = round(100 * 0.85) = 85.
    std::vector<std::int64_t> keys(20000);
    for (std::size_t i = 0; i < keys.size(); ++i) keys[i] = static_cast<std::int64_t>(i) * 7919 - 5000;
    const hash_options o{};
    const auto r = mldp::split::hash_split(keys, fractions{0.7, 0.15, 0.15}, o);
    for (std::size_t i = 0; i < keys.size(); ++i) {
        const auto b = mldp::split::hash_bucket(keys[i], o);
        const subset want = b < 70 ? subset::train : b < 85 ? subset::validation : subset::test;
        REQUIRE(r.subset_of(i) == want);
    }
    // Shares are near the fractions (binomial; 6 sigma bounds).
    CHECK(std::abs(static_cast<double>(r.train.size()) / 20000.0 - 0.7) < 0.02);
    CHECK(std::abs(static_cast<double>(r.test.size()) / 20000.0 - 0.15) < 0.016);
    const auto all_train = mldp::split::hash_split(keys, fractions{1, 0, 0});
    CHECK(all_train.train.size() == keys.size());
    const auto no_val = mldp::split::hash_split(keys, fractions{0.5, 0, 0.5});
    CHECK(no_val.validation.empty());
    const auto one_bucket = mldp::split::hash_split(keys, fractions{0.4, 0.3, 0.3}, hash_options{hash_kind::xxh3, 1, ""});
    CHECK(one_bucket.train.empty());  // cut1 = round(0.4) = 0, cut2 = round(0.7) = 1
    CHECK(one_bucket.validation.size() == keys.size());
}

TEST_CASE("hash_split is stable under appends and independent of row order") {
    mldp::rng g(5);
    std::vector<std::string> keys;
    for (int i = 0; i < 5000; ++i) keys.push_back("user-" + std::to_string(g.next_u64() % 1000000));
    const fractions f{0.6, 0.2, 0.2};
    for (const auto kind : {hash_kind::xxh3, hash_kind::farm_fingerprint}) {
        const hash_options o{kind, 1000, "exp-1"};
        const auto base = mldp::split::hash_split(keys, f, o);
        auto more = keys;
        for (int i = 0; i < 3000; ++i) more.push_back("new-" + std::to_string(i));
        const auto grown = mldp::split::hash_split(more, f, o);
        for (std::size_t i = 0; i < keys.size(); ++i) REQUIRE(grown.subset_of(i) == base.subset_of(i));
        std::vector<std::size_t> perm(keys.size());
        for (std::size_t i = 0; i < perm.size(); ++i) perm[i] = i;
        mldp::shuffle(perm.begin(), perm.end(), g);
        std::vector<std::string> shuffled;
        for (auto p : perm) shuffled.push_back(keys[p]);
        const auto s = mldp::split::hash_split(shuffled, f, o);
        for (std::size_t i = 0; i < perm.size(); ++i) REQUIRE(s.subset_of(i) == base.subset_of(perm[i]));
        // A categorical column and string views give the same split as the strings.
        const auto cat = mldp::categorical_column::from_strings(keys);
        CHECK(mldp::split::hash_split(cat, f, o).manifest().digest == base.manifest().digest);
        std::vector<std::string_view> views(keys.begin(), keys.end());
        CHECK(mldp::split::hash_split(views, f, o).manifest().digest == base.manifest().digest);
        // Another salt gives another split.
        CHECK(mldp::split::hash_split(keys, f, hash_options{kind, 1000, "exp-2"}).manifest().digest !=
              base.manifest().digest);
    }
}

TEST_CASE("hash_split errors") {
    const std::vector<std::string> keys{"a", "b"};
    CHECK_THROWS_AS(mldp::split::hash_split(keys, fractions{0.5, 0.5, 0.5}), mldp::invalid_argument);
    CHECK_THROWS_AS(mldp::split::hash_split(keys, fractions{-0.1, 0.6, 0.5}), mldp::invalid_argument);
    CHECK_THROWS_AS(mldp::split::hash_split(keys, fractions{0.8, 0.1, 0.1}, hash_options{hash_kind::xxh3, 0, ""}),
                    mldp::invalid_argument);
    const auto cat = mldp::categorical_column::from_strings(std::vector<std::optional<std::string>>{"a", std::nullopt});
    try {
        mldp::split::hash_split(cat, fractions{0.8, 0.1, 0.1});
        FAIL("expected data_error");
    } catch (const mldp::data_error& e) {
        CHECK(e.row() == 1);
    }
    // Empty input is a valid, empty split (nothing to assign).
    CHECK(mldp::split::hash_split(std::vector<std::string>{}, fractions{0.8, 0.1, 0.1}).rows() == 0);
}

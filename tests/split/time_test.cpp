#include "mldp/split/time.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <vector>

using mldp::split::fractions;
using mldp::split::time_gap;

TEST_CASE("time_split is chronological") {
    // Times out of row order: rows sorted by time are 9, 8, ..., 0.
    std::vector<std::int64_t> t(10);
    for (std::size_t i = 0; i < 10; ++i) t[i] = 100 - static_cast<std::int64_t>(i) * 10;
    const auto r = mldp::split::time_split(t, fractions{0.6, 0.2, 0.2});
    CHECK(r.train == std::vector<std::size_t>{4, 5, 6, 7, 8, 9});
    CHECK(r.validation == std::vector<std::size_t>{2, 3});
    CHECK(r.test == std::vector<std::size_t>{0, 1});
    CHECK(r.dropped.empty());
}

TEST_CASE("time_split gaps by rows and by span, and ties stay together") {
    std::vector<std::int64_t> t(20);
    for (std::size_t i = 0; i < 20; ++i) t[i] = static_cast<std::int64_t>(i);
    const auto g = mldp::split::time_split(t, fractions{0.5, 0.25, 0.25}, time_gap::of_rows(2));
    CHECK(g.train.size() == 10);
    CHECK(g.validation == std::vector<std::size_t>{12, 13, 14});
    CHECK(g.test == std::vector<std::size_t>{17, 18, 19});
    CHECK(g.dropped == std::vector<std::size_t>{10, 11, 15, 16});
    CHECK(g.subset_of(11) == mldp::split::subset::dropped);
    // span 3: rows less than 3 ticks after the last train time (9) are dropped: 10, 11.
    const auto s = mldp::split::time_split(t, fractions{0.5, 0.25, 0.25}, time_gap::of_span(3));
    CHECK(s.validation == std::vector<std::size_t>{12, 13, 14});
    CHECK(s.test == std::vector<std::size_t>{17, 18, 19});
    // Ties: times 0,0,0,1,1,1,2,2,2,3 with train 0.5 -> cut 5 moves to 6.
    const std::vector<double> tied{0, 0, 0, 1, 1, 1, 2, 2, 2, 3};
    const auto ts = mldp::split::time_split(tied, fractions{0.5, 0.5, 0});
    CHECK(ts.train == std::vector<std::size_t>{0, 1, 2, 3, 4, 5});
    CHECK(ts.validation == std::vector<std::size_t>{6, 7, 8, 9});
    mldp::time_column tc{{5, 1, 3}, mldp::time_unit::days};
    const auto tcs = mldp::split::time_split(tc, fractions{2.0 / 3, 0, 1.0 / 3});
    CHECK(tcs.test == std::vector<std::size_t>{0});
}

TEST_CASE("time_split errors") {
    CHECK_THROWS_AS(mldp::split::time_split(std::vector<double>{1, NAN, 3}, fractions{}), mldp::data_error);
    CHECK_THROWS_AS(mldp::split::time_split(std::vector<double>{}, fractions{}), mldp::invalid_argument);
    CHECK_THROWS_AS(mldp::split::time_split(std::vector<double>{1, 2}, fractions{}, time_gap::of_span(-1)),
                    mldp::invalid_argument);
    mldp::time_column tc{{5, mldp::time_column::missing}, mldp::time_unit::seconds};
    try {
        mldp::split::time_split(tc, fractions{});
        FAIL("expected data_error");
    } catch (const mldp::data_error& e) {
        CHECK(e.row() == 1);
    }
    // A gap of more rows than a subset has drops the whole subset (no wrap-around).
    std::vector<std::int64_t> ten(10);
    for (std::size_t i = 0; i < 10; ++i) ten[i] = static_cast<std::int64_t>(i);
    const auto all_gap = mldp::split::time_split(ten, fractions{0.8, 0.1, 0.1}, time_gap::of_rows(SIZE_MAX));
    CHECK(all_gap.train.size() == 8);
    CHECK(all_gap.validation.empty());
    CHECK(all_gap.test.empty());
    CHECK(all_gap.dropped.size() == 2);
    // Unsigned ticks above INT64_MAX cannot be ordered as int64.
    CHECK_THROWS_AS(mldp::split::time_split(std::vector<std::uint64_t>{1, 2, std::uint64_t{1} << 63}, fractions{}),
                    mldp::data_error);
    // Extreme ticks do not overflow the span arithmetic.
    const std::vector<std::int64_t> extreme{INT64_MIN + 1, 0, INT64_MAX};
    CHECK(mldp::split::time_split(extreme, fractions{1.0 / 3, 1.0 / 3, 1.0 / 3}, time_gap::of_span(1e30)).dropped.size() == 2);
}

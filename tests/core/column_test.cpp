#include "mldp/core/column.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

TEST_CASE("categorical codes follow the order of first appearance") {
    const auto c = mldp::categorical_column::from_strings(std::vector<std::string>{"b", "a", "b", "c", "a", ""});
    CHECK(c.dictionary() == std::vector<std::string>{"b", "a", "c", ""});
    CHECK(c.codes() == std::vector<std::int32_t>{0, 1, 0, 2, 1, 3});
    CHECK(c.value(3) == std::optional<std::string_view>("c"));
    CHECK(c.value(5) == std::optional<std::string_view>(""));  // the empty string is a value
    CHECK(c.missing_count() == 0);
    CHECK(c.code_of("c") == 2);
    CHECK_FALSE(c.code_of("z").has_value());
}

TEST_CASE("std::nullopt is a missing categorical value with code -1") {
    const std::vector<std::optional<std::string>> v{"x", std::nullopt, "y", std::nullopt};
    const auto c = mldp::categorical_column::from_strings(v);
    CHECK(c.codes() == std::vector<std::int32_t>{0, -1, 1, -1});
    CHECK(c.is_missing(1));
    CHECK_FALSE(c.value(1).has_value());
    CHECK(c.missing_count() == 2);
    CHECK(c.dictionary().size() == 2);
}

TEST_CASE("from_codes validates codes and the dictionary") {
    const auto ok = mldp::categorical_column::from_codes({0, 1, -1, 1}, {"no", "yes"});
    CHECK(ok.value(3) == std::optional<std::string_view>("yes"));

    try {
        mldp::categorical_column::from_codes({0, 1, 2, 0}, {"no", "yes"}, "answer");
        FAIL("expected data_error");
    } catch (const mldp::data_error& e) {
        CHECK(e.column() == "answer");
        CHECK(e.row() == 2);
        CHECK(std::string(e.what()).find("code 2 is outside [-1, 2)") != std::string::npos);
    }
    CHECK_THROWS_AS(mldp::categorical_column::from_codes({-2}, {"a"}), mldp::data_error);
    CHECK_THROWS_WITH_AS(mldp::categorical_column::from_codes({0}, {"a", "b", "a"}, "grade"),
                         doctest::Contains("'a' appears more than once"), mldp::invalid_argument);
}

TEST_CASE("time columns mark missing values with INT64_MIN") {
    mldp::time_column t{{0, 86400, mldp::time_column::missing}, mldp::time_unit::seconds};
    CHECK(t.size() == 3);
    CHECK(t.is_missing(2));
    CHECK_FALSE(t.is_missing(0));
    CHECK(mldp::to_string(mldp::time_unit::milliseconds) == "ms");
    CHECK(mldp::to_string(mldp::time_unit::days) == "d");
}

TEST_CASE("numeric columns own or borrow") {
    const std::vector<double> data{1.0, 2.0};
    const auto view = mldp::numeric_column::borrow(data.data(), data.size());
    CHECK(view.is_view());
    CHECK(view.values().data() == data.data());
    const mldp::numeric_column owned(std::vector<double>{3.0});
    CHECK_FALSE(owned.is_view());
    const auto copy = owned;  // shares the immutable storage
    CHECK(copy.values().data() == owned.values().data());
}

#include "mldp/core/error.hpp"

#include <doctest/doctest.h>

#include <string>

TEST_CASE("every mldp exception is an mldp::error and a std::runtime_error") {
    CHECK_THROWS_AS(throw mldp::invalid_argument("x"), mldp::error);
    CHECK_THROWS_AS(throw mldp::data_error("c", 3, "x"), mldp::error);
    CHECK_THROWS_AS(throw mldp::format_error("x"), mldp::error);
    CHECK_THROWS_AS(throw mldp::format_error("x"), std::runtime_error);
}

TEST_CASE("data_error carries the column and the first offending row") {
    const mldp::data_error e("age", 17, "NaN is not allowed");
    CHECK(e.column() == "age");
    CHECK(e.row() == 17);
    CHECK(std::string(e.what()) == "column 'age', row 17: NaN is not allowed");

    const mldp::data_error no_column("", 4, "bad");
    CHECK(std::string(no_column.what()) == "row 4: bad");

    const mldp::data_error whole_column("x", mldp::data_error::no_row, "is empty");
    CHECK(whole_column.row() == mldp::data_error::no_row);
    CHECK(std::string(whole_column.what()) == "column 'x': is empty");
}

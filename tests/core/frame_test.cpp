#include "mldp/core/frame.hpp"

#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>

TEST_CASE("a frame holds named columns of every kind, in order") {
    mldp::frame f;
    f.add("age", std::vector<double>{31, 45, std::nan("")})
        .add("city", std::vector<std::string>{"Oslo", "Lima", "Oslo"})
        .add("visits", std::vector<int>{1, 2, 3})
        .add("t", mldp::time_column{{10, 20, 30}, mldp::time_unit::milliseconds});
    CHECK(f.rows() == 3);
    CHECK(f.columns() == 4);
    CHECK(f.names() == std::vector<std::string>{"age", "city", "visits", "t"});
    CHECK(f.kind("city") == mldp::column_kind::categorical);
    CHECK(f.numeric("age")[1] == 45.0);
    CHECK(std::isnan(f.numeric("age")[2]));  // missing
    CHECK(f.numeric("visits")[2] == 3.0);
    CHECK(f.categorical("city").codes() == std::vector<std::int32_t>{0, 1, 0});
    CHECK(f.time("t").unit == mldp::time_unit::milliseconds);
    CHECK(f.contains("t"));
    CHECK_FALSE(f.contains("T"));
    CHECK(f.at(1).name == "city");
    CHECK(f.at(1).kind() == mldp::column_kind::categorical);
    CHECK(&f.at(std::string_view("city")) == &f.at(1));
    CHECK_THROWS_AS(f.at(std::string_view("nope")), mldp::invalid_argument);
}

TEST_CASE("typed access to a column of another kind names the column and both kinds") {
    mldp::frame f;
    f.add("city", std::vector<std::string>{"a"});
    CHECK_THROWS_WITH_AS(f.numeric("city"), "mldp::frame: column 'city' is categorical, not numeric",
                         mldp::invalid_argument);
    CHECK_THROWS_WITH_AS(f.time("city"), doctest::Contains("is categorical, not time"), mldp::invalid_argument);
    CHECK_THROWS_WITH_AS(f.numeric("age"), "mldp::frame: no column named 'age' (columns: 'city')",
                         mldp::invalid_argument);
    CHECK_THROWS_WITH_AS(f.at(1), doctest::Contains("column index 1 is out of range (the frame has 1 columns)"),
                         mldp::invalid_argument);
    mldp::frame empty;
    CHECK_THROWS_WITH_AS(empty.categorical("x"), doctest::Contains("(columns: none)"), mldp::invalid_argument);
}

TEST_CASE("columns of another length, duplicate and empty names are rejected and leave the frame unchanged") {
    mldp::frame f;
    f.add("x", std::vector<double>{1, 2, 3, 4});
    CHECK_THROWS_WITH_AS(f.add("y", std::vector<double>{1, 2, 3, 4, 5}),
                         "mldp::frame::add: column 'y' has 5 rows but the frame has 4 (from column 'x')",
                         mldp::invalid_argument);
    CHECK_THROWS_WITH_AS(f.add("x", std::vector<double>{1, 2, 3, 4}),
                         "mldp::frame::add: a column named 'x' already exists", mldp::invalid_argument);
    CHECK_THROWS_WITH_AS(f.add("", std::vector<double>{1, 2, 3, 4}), doctest::Contains("column names must not be empty"),
                         mldp::invalid_argument);
    CHECK_THROWS_WITH_AS(f.add("c", std::vector<std::string>{"a"}), doctest::Contains("column 'c' has 1 rows"),
                         mldp::invalid_argument);
    CHECK(f.columns() == 1);
    CHECK(f.rows() == 4);
}

TEST_CASE("add_view borrows contiguous doubles without copying") {
    const std::vector<double> v{1.5, 2.5};
    const xt::xtensor<double, 1> t = {3.5, 4.5};
    const std::array<double, 2> a{5.5, 6.5};
    mldp::frame f;
    f.add_view("v", v).add_view("t", t).add_view("a", a).add_view("p", v.data(), v.size());
    CHECK(f.numeric("v").data() == v.data());
    CHECK(f.numeric("t").data() == t.data());
    CHECK(f.numeric("a").data() == a.data());
    CHECK(f.numeric("p")[1] == 2.5);
    CHECK_THROWS_WITH_AS(f.add_view("null", static_cast<const double*>(nullptr), 2),
                         doctest::Contains("column 'null' has a null pointer with 2 rows"), mldp::invalid_argument);

    const mldp::frame copy = f;  // copies share numeric storage
    CHECK(copy.numeric("v").data() == v.data());
}

TEST_CASE("xtensor expressions and std containers become owned numeric columns") {
    const xt::xtensor<double, 1> a = {1.0, 2.0, 3.0};
    mldp::frame f;
    f.add("twice", 2.0 * a).add("floats", std::vector<float>{0.5f, 1.5f, 2.5f}).add("a", a);
    CHECK(f.numeric("twice")[2] == 6.0);
    CHECK(f.numeric("floats")[0] == 0.5);
    CHECK(f.numeric("a").data() != a.data());  // add() copies; add_view() borrows
    const xt::xtensor<double, 2> m = {{1.0}, {2.0}, {3.0}};
    CHECK_THROWS_WITH_AS(f.add("m", m), doctest::Contains("2 dimensions"), mldp::invalid_argument);
}

TEST_CASE("categorical columns from optional strings and string views") {
    mldp::frame f;
    f.add("o", std::vector<std::optional<std::string>>{"a", std::nullopt})
        .add("sv", std::vector<std::string_view>{"p", "q"})
        .add("codes", mldp::categorical_column::from_codes({1, 0}, {"n", "y"}));
    CHECK(f.categorical("o").is_missing(1));
    CHECK(f.categorical("sv").dictionary() == std::vector<std::string>{"p", "q"});
    CHECK(f.categorical("codes").value(0) == std::optional<std::string_view>("y"));
}

TEST_CASE("a wide frame finds every column by name and still rejects a repeated name") {
    // 20,000 columns: names are indexed, so adding and finding them is not quadratic in the width.
    mldp::frame f;
    for (int c = 0; c < 20000; ++c) f.add("col" + std::to_string(c), std::vector<double>{static_cast<double>(c), 1.0});
    CHECK(f.columns() == 20000);
    for (int c = 0; c < 20000; c += 997) CHECK(f.numeric("col" + std::to_string(c))[0] == static_cast<double>(c));
    CHECK_FALSE(f.contains("col20000"));
    CHECK_THROWS_AS(f.add("col123", std::vector<double>{0.0, 0.0}), mldp::invalid_argument);
    CHECK(f.columns() == 20000);
    const mldp::frame copy = f;  // the copy's index points into the copy's columns
    CHECK(&copy.at("col42") == &copy.at(42));
    CHECK(copy.names()[42] == "col42");
}

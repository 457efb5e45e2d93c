#include "mldp/core/contiguous.hpp"

#include <doctest/doctest.h>

#include <array>
#include <list>
#include <string>
#include <vector>

#include <xtensor/xarray.hpp>
#include <xtensor/xbuilder.hpp>
#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>

TEST_CASE("lvalue containers of the target type are borrowed, not copied") {
    const std::vector<double> v{1.0, 2.0, 3.0};
    const auto c = mldp::evaluate_contiguous(v);
    CHECK(c.data() == v.data());
    CHECK(c.size() == 3);
    CHECK_FALSE(c.owns_storage());

    const std::array<double, 2> a{4.0, 5.0};
    CHECK(mldp::evaluate_contiguous(a).data() == a.data());

    const double raw[3] = {1, 2, 3};
    CHECK(mldp::evaluate_contiguous(raw).data() == &raw[0]);

    const xt::xtensor<double, 1> t = {1.0, 2.0};
    CHECK(mldp::evaluate_contiguous(t).data() == t.data());
}

TEST_CASE("rvalue vectors are moved in; other element types are converted") {
    std::vector<double> v{1.0, 2.0};
    const double* p = v.data();
    const auto moved = mldp::evaluate_contiguous(std::move(v));
    CHECK(moved.data() == p);
    CHECK(moved.owns_storage());

    const std::vector<int> ints{1, 2, 3};
    const auto conv = mldp::evaluate_contiguous(ints);
    CHECK(conv.owns_storage());
    CHECK(conv[2] == 3.0);

    const std::list<float> lst{0.5f, 1.5f};
    const auto from_list = mldp::evaluate_contiguous(lst);
    REQUIRE(from_list.size() == 2);
    CHECK(from_list[1] == 1.5);

    const auto as_float = mldp::evaluate_contiguous<float>(std::vector<double>{0.25});
    CHECK(as_float[0] == 0.25f);
}

TEST_CASE("lazy xtensor expressions and views are evaluated once into owned memory") {
    const xt::xtensor<double, 1> a = {1.0, 2.0, 3.0};
    const xt::xtensor<double, 1> b = {10.0, 20.0, 30.0};
    const auto sum = mldp::evaluate_contiguous(a + 2.0 * b);
    REQUIRE(sum.size() == 3);
    CHECK(sum.owns_storage());
    CHECK(sum[0] == 21.0);
    CHECK(sum[2] == 63.0);

    const auto strided = mldp::evaluate_contiguous(xt::view(a, xt::range(0, 3, 2)));
    REQUIRE(strided.size() == 2);
    CHECK(strided[1] == 3.0);

    const auto ints = mldp::evaluate_contiguous(xt::arange<int>(5));
    CHECK(ints.size() == 5);
    CHECK(ints[4] == 4.0);

    const xt::xarray<double> one_d = {1.0, 2.0};
    CHECK(mldp::evaluate_contiguous(one_d).data() == one_d.data());
}

TEST_CASE("an xtensor expression that is not 1-D is rejected with its dimension") {
    const xt::xtensor<double, 2> m = {{1.0, 2.0}, {3.0, 4.0}};
    CHECK_THROWS_WITH_AS(mldp::evaluate_contiguous(m), doctest::Contains("2 dimensions"), mldp::invalid_argument);
}

TEST_CASE("copies of an owning contiguous_values point at their own storage") {
    auto a = mldp::evaluate_contiguous(std::vector<int>{1, 2, 3});
    const auto b = a;  // NOLINT(performance-unnecessary-copy-initialization)
    CHECK(b.data() != a.data());
    CHECK(b[1] == 2.0);
    mldp::contiguous_values<double> c;
    c = b;
    CHECK(c.data() != b.data());
    CHECK(c[2] == 3.0);
    const auto released = std::move(a).release();
    CHECK(released == std::vector<double>{1.0, 2.0, 3.0});
    CHECK(mldp::is_numeric_source_v<std::vector<int>>);
    CHECK_FALSE(mldp::is_numeric_source_v<std::vector<std::string>>);
    CHECK_FALSE(mldp::is_numeric_source_v<std::vector<bool>>);
}

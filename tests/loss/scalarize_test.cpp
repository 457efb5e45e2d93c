#include "mldp/loss/scalarize.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include <xtensor/xarray.hpp>
#include <xtensor/xtensor.hpp>

#include "close.hpp"

namespace loss = mldp::loss;

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

// f = (1, 4, 2), weights w = (0.5, 0.25, 0.25), ideal / reference point z = (0, 1, 0):
// |f - z| = (1, 3, 2), w |f - z| = (0.5, 0.75, 0.5), (f - z) / w = (2, 12, 8).
const std::vector<double> f{1, 4, 2}, w{0.5, 0.25, 0.25}, z{0, 1, 0};

}  // namespace

TEST_CASE("weighted sum: sum_i w_i f_i (pymoo WeightedSum: sum(F * weights))") {
    // 0.5*1 + 0.25*4 + 0.25*2 = 2
    CHECK(loss::weighted_sum(f, w) == 2.0);
    CHECK(loss::weighted_sum({1.0, 2.0}, {0.5, 0.5}) == 1.5);  // braced lists: std::vector<double>
    CHECK(loss::weighted_sum(xt::xtensor<double, 1>{-1.0, 3.0}, std::vector<double>{2.0, 0.0}) == -2.0);
}

TEST_CASE("Tchebycheff: max_i w_i |f_i - z_i| (pymoo Tchebicheff: max(|F - utopian| * weights))") {
    CHECK(loss::tchebycheff(f, w, z) == 0.75);  // max(0.5, 0.75, 0.5)
    // the absolute value: f below the ideal point still counts as a distance, max(1*|0-2|, 1*|5-1|) = 4
    CHECK(loss::tchebycheff({0.0, 5.0}, {1.0, 1.0}, {2.0, 1.0}) == 4.0);
    // a zero weight switches an objective off
    CHECK(loss::tchebycheff({100.0, 5.0}, {0.0, 1.0}, {0.0, 1.0}) == 4.0);
}

TEST_CASE("augmented Tchebycheff: max_i w_i |f_i - z_i| + rho sum_i |f_i - z_i| (Steuer & Choo 1983; Miettinen 1999 3.4.5)") {
    // 0.75 + 0.1 * (1 + 3 + 2) = 1.35
    CHECK_CLOSE(loss::augmented_tchebycheff(f, w, z, 0.1), 1.35, 1e-15);
    // default rho = 1e-4: 0.75 + 6e-4
    CHECK_CLOSE(loss::augmented_tchebycheff(f, w, z), 0.7506, 1e-15);
    CHECK(loss::augmented_tchebycheff(f, w, z, 0.0) == loss::tchebycheff(f, w, z));
    // the augmentation separates a weakly Pareto-optimal point from the Pareto-optimal one it ties with:
    // (1, 2) and (1, 3) have the same Tchebycheff value 1 under w = (1, 0.1), z = (0, 0)
    CHECK(loss::tchebycheff({1.0, 2.0}, {1.0, 0.1}, {0.0, 0.0}) == loss::tchebycheff({1.0, 3.0}, {1.0, 0.1}, {0.0, 0.0}));
    CHECK(loss::augmented_tchebycheff({1.0, 2.0}, {1.0, 0.1}, {0.0, 0.0}) <
          loss::augmented_tchebycheff({1.0, 3.0}, {1.0, 0.1}, {0.0, 0.0}));
}

TEST_CASE("ASF: max_i (f_i - r_i) / w_i, zero weights -> 1e-10 (pymoo ASF, weight_0 = 1e-10)") {
    CHECK(loss::asf(f, w, z) == 12.0);  // max(2, 12, 8)
    // w = (1, 0, 1): (1/1, 3/1e-10, 2/1) -> 3e10
    CHECK_CLOSE(loss::asf(f, {1.0, 0.0, 1.0}, z), 3e10, 1e-15);
    // a zero weight on an objective that meets the reference: 0 / 1e-10 = 0, so max(1, 0, 2) = 2
    CHECK(loss::asf({1.0, 1.0, 2.0}, {1.0, 0.0, 1.0}, z) == 2.0);
    // no absolute value: better than the reference everywhere gives a negative value, max(-1, -2)
    CHECK(loss::asf({0.0, 0.0}, {1.0, 1.0}, {1.0, 2.0}) == -1.0);
}

TEST_CASE("epsilon-constraint (penalty form): f_p + penalty * sum_{j != p} max(0, f_j - eps_j)") {
    // primary 0: 1 + 10 * (max(0, 4 - 3) + max(0, 2 - 2.5)) = 11; eps_0 is ignored
    CHECK(loss::epsilon_constraint(f, 0, std::vector<double>{99, 3, 2.5}, 10.0) == 11.0);
    CHECK(loss::epsilon_constraint(f, 0, std::vector<double>{NAN, 3, inf}, 10.0) == 11.0);  // +Inf: no constraint
    // primary 1: 4 + 2 * (max(0, 1 - 0) + max(0, 2 - 0)) = 10
    CHECK(loss::epsilon_constraint(f, 1, std::vector<double>{0, 0, 0}, 2.0) == 10.0);
    // all constraints met: just the primary objective
    CHECK(loss::epsilon_constraint(f, 2, std::vector<double>{5, 5, -7}, 1e6) == 2.0);
}

TEST_CASE("matrix overloads give one value per row, equal to the single-vector forms") {
    const xt::xtensor<double, 2> points{{1, 4, 2}, {0, 0, 0}, {3, 1, 5}};
    const auto ws = loss::weighted_sum(points, w);
    const auto tc = loss::tchebycheff(points, w, z);
    const auto at = loss::augmented_tchebycheff(points, w, z, 0.1);
    const auto as = loss::asf(points, w, z);
    const auto ec = loss::epsilon_constraint(points, 0, std::vector<double>{0, 3, 2.5}, 10.0);
    REQUIRE(ws.size() == 3);
    REQUIRE(tc.size() == 3);
    REQUIRE(at.size() == 3);
    REQUIRE(as.size() == 3);
    REQUIRE(ec.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
        const std::vector<double> row{points(i, 0), points(i, 1), points(i, 2)};
        CHECK(ws[i] == loss::weighted_sum(row, w));
        CHECK(tc[i] == loss::tchebycheff(row, w, z));
        CHECK(at[i] == loss::augmented_tchebycheff(row, w, z, 0.1));
        CHECK(as[i] == loss::asf(row, w, z));
        CHECK(ec[i] == loss::epsilon_constraint(row, 0, std::vector<double>{0, 3, 2.5}, 10.0));
    }
    // row 1 = (0, 0, 0): weighted sum 0; Tchebycheff max(0, 0.25, 0) = 0.25; ASF max(0, -4, 0) = 0
    CHECK(ws[1] == 0.0);
    CHECK(tc[1] == 0.25);
    CHECK(as[1] == 0.0);
    // a lazy expression of a 2-D tensor takes the matrix path as well
    CHECK(loss::weighted_sum(points * 2.0, w) == std::vector<double>{4.0, 0.0, 6.0});  // rows (2,8,4), (0,0,0), (6,2,10)
    CHECK(loss::weighted_sum(xt::xtensor<double, 2>::from_shape({0, 3}), w).empty());
}

TEST_CASE("scalarisation inputs are validated") {
    CHECK_THROWS_WITH_AS(loss::weighted_sum(f, std::vector<double>{0.5, -0.25, 0.75}), doctest::Contains("non-negative"),
                         mldp::invalid_argument);
    CHECK_THROWS_AS(loss::weighted_sum(f, std::vector<double>{0.5, NAN, 0.5}), mldp::invalid_argument);
    CHECK_THROWS_AS(loss::weighted_sum(f, std::vector<double>{0.5, inf, 0.5}), mldp::invalid_argument);
    CHECK_THROWS_WITH_AS(loss::tchebycheff(f, std::vector<double>{0, 0, 0}, z), doctest::Contains("all zero"),
                         mldp::invalid_argument);
    CHECK_THROWS_WITH_AS(loss::asf(f, std::vector<double>{1, 1}, z), doctest::Contains("the weight vector has 2 values"),
                         mldp::invalid_argument);
    CHECK_THROWS_WITH_AS(loss::weighted_sum(std::vector<double>{1, NAN, 2}, w), doctest::Contains("column 'f', row 1"),
                         mldp::data_error);
    CHECK_THROWS_AS(loss::asf(std::vector<double>{1, 2, -inf}, w, z), mldp::data_error);
    CHECK_THROWS_WITH_AS(loss::tchebycheff(f, w, std::vector<double>{0, NAN, 0}), doctest::Contains("column 'ideal', row 1"),
                         mldp::data_error);
    CHECK_THROWS_AS(loss::asf(f, w, std::vector<double>{0, 0}), mldp::invalid_argument);
    CHECK_THROWS_AS(loss::augmented_tchebycheff(f, w, z, -0.1), mldp::invalid_argument);
    CHECK_THROWS_AS(loss::weighted_sum(std::vector<double>{}, std::vector<double>{}), mldp::invalid_argument);
    CHECK_THROWS_AS(loss::epsilon_constraint(f, 3, std::vector<double>{0, 0, 0}, 1.0), mldp::invalid_argument);
    CHECK_THROWS_AS(loss::epsilon_constraint(f, 0, std::vector<double>{0, 0, 0}, -1.0), mldp::invalid_argument);
    CHECK_THROWS_AS(loss::epsilon_constraint(f, 0, std::vector<double>{0, NAN, 0}, 1.0), mldp::invalid_argument);
    CHECK_THROWS_AS(loss::epsilon_constraint(f, 0, std::vector<double>{0, 0}, 1.0), mldp::invalid_argument);
    const xt::xtensor<double, 2> bad{{1, 2, 3}, {4, NAN, 6}};
    CHECK_THROWS_WITH_AS(loss::weighted_sum(bad, w), doctest::Contains("column 'points', row 1"), mldp::data_error);
    CHECK_THROWS_AS(loss::tchebycheff(xt::xtensor<double, 2>::from_shape({2, 0}), std::vector<double>{}, std::vector<double>{}),
                    mldp::invalid_argument);
    // a dynamic-rank xarray is taken as one objective vector: 2-D is refused (use xt::xtensor<double, 2>)
    CHECK_THROWS_AS(loss::weighted_sum(xt::xarray<double>{{1.0, 2.0}, {3.0, 4.0}}, std::vector<double>{1, 1}),
                    mldp::invalid_argument);
}

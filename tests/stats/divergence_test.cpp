#include "mldp/stats/divergence.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "close.hpp"
#include "oracle_vectors.hpp"

// Reference vectors (scipy 1.10.1), p = [16,18,16,14,12,12]/88, q = [16,16,16,16,16,8]/88.
TEST_CASE("divergences on the published pair") {
    const std::vector<double> p{16, 18, 16, 14, 12, 12}, q{16, 16, 16, 16, 16, 8};
    CHECK_CLOSE(mldp::stats::jensen_shannon_distance(p, q), 0.08173421330573757, 1e-12);
    CHECK_CLOSE(mldp::stats::jensen_shannon_distance(p, q, std::exp(1.0)), 0.06804819617703867, 1e-12);
    CHECK_CLOSE(mldp::stats::hellinger_distance(p, q), 0.06812774370983345, 1e-12);
    CHECK_CLOSE(mldp::stats::l_infinity_distance(p, q), 0.04545454545454547, 1e-12);
    CHECK_CLOSE(mldp::stats::total_variation_distance(p, q), 0.06818181818181819, 1e-12);
    CHECK_CLOSE(mldp::stats::kl_divergence(p, q), 0.018909676965320497, 1e-12);
}

// Reference values: tests/stats/oracle_vectors.hpp.
TEST_CASE("divergences agree with scipy on count vectors with zeros") {
    for (const auto& c : oracle::divergences) {
        CHECK_CLOSE(mldp::stats::kl_divergence(c.p, c.q), c.kl, 1e-12);
        CHECK_CLOSE(mldp::stats::jensen_shannon_distance(c.p, c.q), c.js_base2, 1e-12);
        CHECK_CLOSE(mldp::stats::jensen_shannon_distance(c.p, c.q, std::exp(1.0)), c.js_nat, 1e-12);
        CHECK_CLOSE(mldp::stats::jensen_shannon_divergence(c.p, c.q), c.jsd_base2, 1e-12);
        CHECK_CLOSE(mldp::stats::hellinger_distance(c.p, c.q), c.hellinger, 1e-12);
        CHECK_CLOSE(mldp::stats::l_infinity_distance(c.p, c.q), c.l_inf, 1e-12);
        CHECK_CLOSE(mldp::stats::total_variation_distance(c.p, c.q), c.tvd, 1e-12);
    }
}

TEST_CASE("divergence inputs are validated") {
    const std::vector<double> p{1, 2}, q3{1, 2, 3}, neg{1, -2}, zero{0, 0}, nan{1, NAN};
    CHECK_THROWS_WITH_AS(mldp::stats::kl_divergence(p, q3), doctest::Contains("p has 2 entries and q has 3"),
                         mldp::invalid_argument);
    CHECK_THROWS_WITH_AS(mldp::stats::jensen_shannon_distance(p, neg), doctest::Contains("column 'q', row 1"),
                         mldp::data_error);
    CHECK_THROWS_WITH_AS(mldp::stats::hellinger_distance(zero, p), doctest::Contains("sum to zero"), mldp::data_error);
    CHECK_THROWS_AS(mldp::stats::total_variation_distance(nan, p), mldp::data_error);
    CHECK_THROWS_AS(mldp::stats::l_infinity_distance(std::vector<double>{}, std::vector<double>{}), mldp::data_error);
    CHECK_THROWS_AS(mldp::stats::jensen_shannon_distance(p, p, 1.0), mldp::invalid_argument);
    CHECK(mldp::stats::jensen_shannon_distance(p, p) == 0.0);
}

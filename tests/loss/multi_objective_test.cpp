#include "mldp/loss/multi_objective.hpp"
#include "mldp/loss/aggregation.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "close.hpp"

TEST_CASE("multi_objective combines loss terms with a weighting and logs each step") {
    const std::vector<double> z{0.3, -1.2, 2.0, 0.1}, y{1.0, 0.0, 1.0, 0.0}, fn_weight{4.0, 1.0, 4.0, 1.0};
    mldp::loss::multi_objective mo{mldp::loss::weighting::fixed({0.7, 0.3}), {"accuracy", "false negatives"}};
    const auto a = mldp::loss::binary_cross_entropy_with_logits(z, y);
    const auto b = mldp::loss::binary_cross_entropy_with_logits(z, y, fn_weight);
    const auto c = mo.combine({a, b});
    CHECK_CLOSE(c.value, 0.7 * a.value + 0.3 * b.value, 1e-15);
    for (std::size_t i = 0; i < z.size(); ++i) CHECK_CLOSE(c.gradient(i), 0.7 * a.gradient(i) + 0.3 * b.gradient(i), 1e-15);
    REQUIRE(mo.history().size() == 1);
    CHECK(mo.history()[0].weights == std::vector<double>{0.7, 0.3});
    CHECK_CLOSE(mo.history()[0].total, c.value, 1e-15);
    const auto j = mo.history_json();
    CHECK(j["tasks"][1] == "false negatives");
    CHECK(j["steps"][0]["step"] == 0);
    CHECK_THROWS_AS(mo.weights(std::vector<double>{1.0, 2.0, 3.0}), mldp::invalid_argument);
}

TEST_CASE("multi_objective with an aggregator, and a bounded log") {
    mldp::loss::multi_objective mo{mldp::loss::mgda{}, {"a", "b"}, 3};
    const xt::xtensor<double, 2> jac = {{-4.0, 1.0, 1.0}, {6.0, 1.0, 1.0}};
    for (int s = 0; s < 5; ++s) {
        const auto agg = mo.step(std::vector<double>{1.0, 2.0}, jac);
        CHECK_CLOSE(agg.weights(0), 0.6, 1e-12);
    }
    CHECK(mo.steps() == 5);
    REQUIRE(mo.history().size() == 3);
    CHECK(mo.history().front().step == 2);
    CHECK_CLOSE(mo.history().back().total, 0.6 * 1.0 + 0.4 * 2.0, 1e-12);
    CHECK_THROWS_AS(mo.step(std::vector<double>{1.0}, jac), mldp::invalid_argument);
}

TEST_CASE("multi_objective with gradnorm and dwa") {
    mldp::loss::multi_objective g{mldp::loss::weighting::gradnorm{}};
    g.weights(std::vector<double>{1.0, 1.0}, std::vector<double>{1.0, 1.0});
    const auto w = g.weights(std::vector<double>{0.5, 1.0}, std::vector<double>{2.0, 1.0});
    CHECK_CLOSE(w[0] + w[1], 2.0, 1e-15);
    mldp::loss::multi_objective d{mldp::loss::weighting::dwa{}};
    d.strategy().end_epoch(std::vector<double>{1.0, 1.0});
    d.strategy().end_epoch(std::vector<double>{1.0, 0.5});
    const auto r = d.weights(std::vector<double>{0.2, 0.1});
    CHECK(std::fabs(r[0] - 1.1244) < 5e-5);
}

#include "mldp/loss/weighting.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "close.hpp"

namespace w = mldp::loss::weighting;

TEST_CASE("fixed and equal weights") {
    CHECK(w::fixed({0.5, 0.3, 0.2}).weights(std::vector<double>{1, 2, 3}) == std::vector<double>{0.5, 0.3, 0.2});
    CHECK(w::equal{}.weights(std::vector<double>{4, 5}) == std::vector<double>{1.0, 1.0});
    CHECK_THROWS_AS(w::fixed({0.5, 0.5}).weights(std::vector<double>{1, 2, 3}), mldp::invalid_argument);
    CHECK_THROWS_AS(w::fixed({-0.5, 0.5}), mldp::invalid_argument);
    CHECK_THROWS_WITH_AS(w::equal{}.weights(std::vector<double>{1, NAN}), doctest::Contains("column 'losses', row 1"), mldp::data_error);
    CHECK_THROWS_AS(w::equal{}.weights(std::vector<double>{}), mldp::invalid_argument);
}

// The reference vector: loss ratios [1, 0.5] at T = 2 give K softmax(r / T) = 2 e^{r/2} / sum =
// [1.1244, 0.8756] (by hand: e^0.5 = 1.64872, e^0.25 = 1.28403).
TEST_CASE("dwa: ones for two epochs, then the softmax of loss ratios") {
    w::dwa d;
    const std::vector<double> step{0.3, 0.2};
    CHECK(d.weights(step) == std::vector<double>{1.0, 1.0});  // epoch 0
    d.end_epoch(std::vector<double>{1.0, 1.0});
    CHECK(d.weights(step) == std::vector<double>{1.0, 1.0});  // epoch 1
    d.end_epoch(std::vector<double>{1.0, 0.5});
    const auto r = d.weights(step);  // epoch 2: ratios [1, 0.5]
    CHECK_CLOSE(r[0], 2.0 * std::exp(0.5) / (std::exp(0.5) + std::exp(0.25)), 1e-15);
    CHECK(std::fabs(r[0] - 1.1244) < 5e-5);
    CHECK(std::fabs(r[1] - 0.8756) < 5e-5);
    CHECK_CLOSE(r[0] + r[1], 2.0, 1e-15);
    CHECK(d.weights(std::vector<double>{5.0, 9.0}) == r);  // constant within the epoch
    const auto restored = w::dwa::deserialize(d.serialize());
    CHECK(restored.weights(step) == r);
    CHECK_THROWS_AS(d.end_epoch(std::vector<double>{1.0, 0.0}), mldp::data_error);
    CHECK_THROWS_AS(d.weights(std::vector<double>{1.0, 1.0, 1.0}), mldp::invalid_argument);
    CHECK_THROWS_AS(w::dwa(0.0), mldp::invalid_argument);
}

// Kendall et al.: at the optimum of L_i / (2 e^s) + s / 2, s = log L_i and the weight is 1 / (2 L_i).
TEST_CASE("uncertainty weighting converges to 1 / (2 L) and its gradient is exact") {
    const std::vector<double> losses{0.8, 2.5, 0.05};
    w::uncertainty u;
    for (int i = 0; i < 4000; ++i) u.step(losses, 0.05);
    const auto wt = u.weights(losses);
    for (std::size_t i = 0; i < 3; ++i) CHECK_CLOSE(wt[i], 1.0 / (2.0 * losses[i]), 1e-9);
    // Gradient against central differences of total() in s.
    w::uncertainty v;
    v.set_log_variances({0.3, -1.2, 2.0});
    const auto g = v.gradient(losses);
    for (std::size_t i = 0; i < 3; ++i) {
        auto s = v.log_variances();
        const double h = 1e-6;
        s[i] += h;
        w::uncertainty up;
        up.set_log_variances(s);
        s[i] -= 2 * h;
        w::uncertainty down;
        down.set_log_variances(s);
        const double fd = (up.total(losses) - down.total(losses)) / (2 * h);
        CHECK(std::fabs(fd - g[i]) <= 1e-6 * std::fabs(fd) + 1e-10);
    }
    // s is clamped to [-10, 10].
    w::uncertainty c;
    for (int i = 0; i < 100; ++i) c.step(std::vector<double>{1e9}, 10.0);
    CHECK(c.log_variances()[0] == 10.0);
    const auto back = w::uncertainty::deserialize(v.serialize());
    CHECK(back.log_variances() == v.log_variances());
    CHECK_THROWS_AS(v.step(losses, -1.0), mldp::invalid_argument);
}

// GLS: (prod L)^(1/K); the weights are its partial derivatives (checked by central differences).
TEST_CASE("geometric weights are the gradient of the geometric mean") {
    const std::vector<double> l{0.5, 2.0, 4.0};
    const w::geometric g;
    CHECK_CLOSE(g.value(l), 1.5874010519681994, 1e-15);  // cbrt(4)
    const auto wt = g.weights(l);
    for (std::size_t i = 0; i < 3; ++i) {
        auto up = l, down = l;
        up[i] += 1e-6;
        down[i] -= 1e-6;
        CHECK_CLOSE(wt[i], (g.value(up) - g.value(down)) / 2e-6, 1e-8);
    }
    CHECK_THROWS_AS(g.weights(std::vector<double>{1.0, -1.0}), mldp::data_error);
}

TEST_CASE("normalized weighting by initial magnitude and by moving average") {
    w::normalized n;
    CHECK(n.weights(std::vector<double>{2.0, 0.5}) == std::vector<double>{0.5, 2.0});
    CHECK(n.weights(std::vector<double>{1.0, 1.0}) == std::vector<double>{0.5, 2.0});
    w::normalized e(w::normalized::mode::ema, 0.5);
    e.weights(std::vector<double>{2.0, 0.5});
    const auto r = e.weights(std::vector<double>{4.0, 0.5});  // m = 0.5 * 2 + 0.5 * 4 = 3
    CHECK_CLOSE(r[0], 1.0 / 3.0, 1e-15);
    const auto back = w::normalized::deserialize(e.serialize());
    auto e2 = e;
    auto back2 = back;
    CHECK(back2.weights(std::vector<double>{1.0, 1.0}) == e2.weights(std::vector<double>{1.0, 1.0}));
}

// One GradNorm step by hand: w = (1, 1), norms n = (2, 1), L(0) = (1, 1), L = (0.5, 1).
// ratios r = (0.5, 1) / 0.75; mean(w n) = 1.5; targets 1.5 (2/3)^1.5 = 0.8165, 1.5 (4/3)^1.5 = 2.3094;
// w n - target = (+1.18, -1.31) -> grads (+2, -1) -> w = (1 - 0.025 * 2, 1 + 0.025) = (0.95, 1.025),
// renormalised to sum 2: (0.95, 1.025) * 2 / 1.975.
TEST_CASE("gradnorm: one step by hand") {
    // Equal losses and equal norms: every w_i n_i is on its target, nothing moves.
    w::gradnorm h;
    CHECK(h.weights(std::vector<double>{1.0, 1.0}, std::vector<double>{1.0, 1.0}) == std::vector<double>{1.0, 1.0});
    CHECK(h.weights(std::vector<double>{0.7, 0.7}, std::vector<double>{3.0, 3.0}) == std::vector<double>{1.0, 1.0});
    w::gradnorm f;
    const auto first = f.weights(std::vector<double>{1.0, 1.0}, std::vector<double>{1.0, 1.0});
    CHECK(first == std::vector<double>{1.0, 1.0});
    const auto r = f.weights(std::vector<double>{0.5, 1.0}, std::vector<double>{2.0, 1.0});
    CHECK_CLOSE(r[0], 0.95 * 2.0 / 1.975, 1e-15);
    CHECK_CLOSE(r[1], 1.025 * 2.0 / 1.975, 1e-15);
    const auto back = w::gradnorm::deserialize(f.serialize());
    auto f2 = f;
    auto back2 = back;
    CHECK(back2.weights(std::vector<double>{0.4, 1.0}, std::vector<double>{1.0, 1.0}) ==
          f2.weights(std::vector<double>{0.4, 1.0}, std::vector<double>{1.0, 1.0}));
    CHECK_THROWS_AS(f.weights(std::vector<double>{0.5, 1.0}, std::vector<double>{1.0}), mldp::invalid_argument);
    CHECK_THROWS_AS(f.weights(std::vector<double>{0.5, 1.0}, std::vector<double>{1.0, -1.0}), mldp::data_error);
}

TEST_CASE("rlw: seeded softmax weights, reproducible and resumable") {
    w::rlw a(42), b(42), c(43);
    const std::vector<double> l{1.0, 1.0, 1.0};
    const auto wa = a.weights(l), wb = b.weights(l), wc = c.weights(l);
    CHECK(wa == wb);
    CHECK(wa != wc);
    CHECK_CLOSE(wa[0] + wa[1] + wa[2], 1.0, 1e-15);
    auto resumed = w::rlw::deserialize(a.serialize());
    CHECK(resumed.weights(l) == a.weights(l));
}

TEST_CASE("weighting state buffers reject corruption") {
    w::dwa d;
    d.end_epoch(std::vector<double>{1.0, 2.0});
    d.end_epoch(std::vector<double>{0.5, 2.0});
    const auto bytes = d.serialize();
    for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
        CHECK_THROWS_AS(w::dwa::deserialize(std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(cut))),
                        mldp::format_error);
    }
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        auto flipped = bytes;
        flipped[i] ^= 0x10;
        CHECK_THROWS_AS(w::dwa::deserialize(flipped), mldp::format_error);
    }
    CHECK_THROWS_AS(w::uncertainty::deserialize(d.serialize()), mldp::format_error);  // wrong type tag
}

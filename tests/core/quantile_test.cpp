#include "mldp/core/quantile.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <vector>

#include "mldp/core/random.hpp"

namespace {

// numpy.quantile's 'linear' rule on a fully sorted copy: the reference the selection must reproduce.
std::vector<double> by_sorting(std::vector<double> x, const std::vector<double>& q) {
    std::sort(x.begin(), x.end());
    std::vector<double> out;
    const std::size_t n = x.size();
    for (double p : q) {
        const double h = static_cast<double>(n - 1) * p;
        const double lo_d = std::floor(h);
        const auto lo = static_cast<std::size_t>(lo_d);
        const double a = x[lo], b = x[std::min(lo + 1, n - 1)], t = h - lo_d, d = b - a;
        out.push_back(t >= 0.5 ? b - d * (1.0 - t) : a + d * t);
    }
    return out;
}

const std::vector<double> probs{0.0, 0.001, 0.1, 0.25, 0.3, 0.5, 0.7, 0.75, 0.9, 0.999, 1.0};

}  // namespace

TEST_CASE("quantiles equal the sorted-copy definition on many shapes and sizes") {
    mldp::rng g{77};
    for (std::size_t n : std::initializer_list<std::size_t>{1, 2, 3, 100, 4096, 4097, 50000, 300000}) {
        for (int shape = 0; shape < 6; ++shape) {
            std::vector<double> x(n);
            for (std::size_t i = 0; i < n; ++i) {
                switch (shape) {
                    case 0: x[i] = g.normal(); break;
                    case 1: x[i] = static_cast<double>(i); break;                        // sorted ascending
                    case 2: x[i] = -static_cast<double>(i); break;                       // sorted descending
                    case 3: x[i] = 4.0; break;                                           // constant
                    case 4: x[i] = static_cast<double>(g.bounded(3)); break;             // three values
                    default: x[i] = (i % 8 == 0) ? 1e9 + static_cast<double>(i) : g.uniform01(); break;  // defeats the stride sample
                }
            }
            INFO("n = " << n << ", shape " << shape);
            CHECK(mldp::quantiles(x.data(), x.size(), probs) == by_sorting(x, probs));
            // the counts below each quantile, found from the same selection, equal a direct count
            std::vector<std::size_t> less;
            const auto qs = mldp::detail::quantiles_and_counts(x.data(), x.size(), probs, &less);
            for (std::size_t i = 0; i < qs.size(); ++i) {
                std::size_t direct = 0;
                for (double v : x) direct += v < qs[i] ? 1 : 0;
                CHECK(less[i] == direct);
            }
        }
    }
}

TEST_CASE("quantiles rejects an empty sample and probabilities outside [0, 1]") {
    const std::vector<double> x{1.0, 2.0};
    CHECK_THROWS_WITH_AS(mldp::quantiles(x.data(), 0, {0.5}), doctest::Contains("empty"), mldp::invalid_argument);
    CHECK_THROWS_WITH_AS(mldp::quantiles(x.data(), 2, {1.5}), doctest::Contains("[0, 1], got 1.5"), mldp::invalid_argument);
    CHECK_THROWS_AS(mldp::quantiles(x.data(), 2, {NAN}), mldp::invalid_argument);
}

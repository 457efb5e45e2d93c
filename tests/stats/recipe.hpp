// The portable sample recipe shared with tests/oracles/stats_vectors.py: an LCG whose draws, and the
// sample kinds built from them, are exact in both C++ and Python, so scipy's reference values can be
// pinned without storing the inputs.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace oracle {

struct recipe {
    std::string kind;  // uniform | sum4 | heavy | ties
    std::size_t n;
    std::uint64_t seed;
    double scale, shift;
};

/// The published pair of the statistics layer's specification (eight values each), whose scipy 1.10
/// results are pinned in ks_test, anderson_test, cramervonmises_test and distance_test.
inline const std::vector<double> published_x{38.7, 41.5, 43.8, 44.5, 45.5, 46.0, 47.7, 58.0};
inline const std::vector<double> published_y{39.2, 39.3, 39.7, 41.4, 41.8, 42.9, 43.3, 45.8};

inline std::vector<double> lcg_draws(std::uint64_t seed, std::size_t n) {
    std::vector<double> u(n);
    std::uint64_t s = seed;
    for (auto& v : u) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        v = (static_cast<double>(s >> 11) + 0.5) / 9007199254740992.0;
    }
    return u;
}

inline std::vector<double> make(const recipe& r) {
    std::vector<double> x(r.n);
    if (r.kind == "uniform") {
        x = lcg_draws(r.seed, r.n);
    } else if (r.kind == "sum4") {
        const auto u = lcg_draws(r.seed, 4 * r.n);
        for (std::size_t i = 0; i < r.n; ++i) x[i] = u[4 * i] + u[4 * i + 1] + u[4 * i + 2] + u[4 * i + 3] - 2.0;
    } else if (r.kind == "heavy") {
        const auto u = lcg_draws(r.seed, r.n);
        for (std::size_t i = 0; i < r.n; ++i) x[i] = (u[i] - 0.5) / (u[i] * (1.0 - u[i]));
    } else if (r.kind == "ties") {
        const auto u = lcg_draws(r.seed, r.n);
        for (std::size_t i = 0; i < r.n; ++i) x[i] = std::floor(u[i] * 7.0) / 2.0;
    }
    for (auto& v : x) v = v * r.scale + r.shift;
    return x;
}

}  // namespace oracle

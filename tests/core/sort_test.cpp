#include "mldp/core/sort.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <cstring>
#include <limits>
#include <vector>

#include "mldp/core/random.hpp"

namespace {

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

}  // namespace

TEST_CASE("sort_doubles orders like std::sort on every size and distribution") {
    mldp::rng g{31};
    for (std::size_t n : std::initializer_list<std::size_t>{0, 1, 2, 255, 256, 257, 1000, 65537, 200000}) {
        for (int shape = 0; shape < 4; ++shape) {
            std::vector<double> v(n);
            for (auto& x : v) {
                switch (shape) {
                    case 0: x = g.normal(); break;                                        // mixed signs
                    case 1: x = static_cast<double>(g.bounded(5)) - 2.0; break;           // heavy ties
                    case 2: x = g.uniform01() * 1e-310; break;                             // subnormals
                    default: x = std::ldexp(g.normal(), static_cast<int>(g.bounded(2000)) - 1000); break;  // wide range
                }
            }
            std::vector<double> expected = v;
            std::sort(expected.begin(), expected.end());
            mldp::sort_doubles(v);
            INFO("n = " << n << ", shape " << shape);
            CHECK(same_bits(v, expected));
        }
    }
}

TEST_CASE("sort_doubles handles infinities, extremes and signed zeros") {
    std::vector<double> v(300, 1.0);
    v[3] = std::numeric_limits<double>::infinity();
    v[7] = -std::numeric_limits<double>::infinity();
    v[11] = -0.0;
    v[13] = 0.0;
    v[17] = std::numeric_limits<double>::max();
    v[19] = std::numeric_limits<double>::lowest();
    v[23] = std::numeric_limits<double>::denorm_min();
    v[29] = -std::numeric_limits<double>::denorm_min();
    mldp::sort_doubles(v);
    CHECK(v[0] == -std::numeric_limits<double>::infinity());
    CHECK(v[1] == std::numeric_limits<double>::lowest());
    CHECK(v[2] == -std::numeric_limits<double>::denorm_min());
    CHECK((v[3] == 0.0 && std::signbit(v[3])));   // -0.0 first
    CHECK((v[4] == 0.0 && !std::signbit(v[4])));
    CHECK(v[5] == std::numeric_limits<double>::denorm_min());
    CHECK(v[297] == 1.0);
    CHECK(v[298] == std::numeric_limits<double>::max());
    CHECK(v[299] == std::numeric_limits<double>::infinity());
}

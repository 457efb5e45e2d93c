#include "mldp/core/detail/portable_math.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <limits>

namespace {

// Distance in units in the last place between two finite doubles of the same sign.
std::int64_t ulp_distance(double a, double b) {
    std::int64_t ia, ib;
    std::memcpy(&ia, &a, sizeof a);
    std::memcpy(&ib, &b, sizeof b);
    return ia > ib ? ia - ib : ib - ia;
}

}  // namespace

TEST_CASE("portable_log is within 2 ulp of the platform's log") {
    const double values[] = {1.0, 2.0, 0.5, 10.0, 0.1, 1.0 + 1e-15, 1.0 - 1e-15, 1.4142135623730951,
                             0.7071067811865476, 1e-300, 1e300, 5e-324, 2.2250738585072014e-308, 3.5,
                             123456.789, 1.7976931348623157e308};
    for (double x : values) {
        const double mine = mldp::detail::portable_log(x), ref = std::log(x);
        if (ref == 0.0) {
            CHECK(mine == 0.0);
        } else {
            INFO("x = " << x);
            CHECK(ulp_distance(mine, ref) <= 2);
        }
    }
    // A dense sweep across binades, including values close to 1 where log is small.
    std::int64_t worst = 0;
    for (double x = 1e-12; x < 1e12; x *= 1.0137) worst = std::max(worst, ulp_distance(mldp::detail::portable_log(x), std::log(x)));
    for (double x = 0.75; x < 1.33; x += 1.7e-5) {
        if (x == 1.0) continue;
        worst = std::max(worst, ulp_distance(mldp::detail::portable_log(x), std::log(x)));
    }
    CHECK(worst <= 2);
}

TEST_CASE("portable_log edge cases") {
    CHECK(mldp::detail::portable_log(0.0) == -std::numeric_limits<double>::infinity());
    CHECK(std::isnan(mldp::detail::portable_log(-1.0)));
    CHECK(std::isnan(mldp::detail::portable_log(std::numeric_limits<double>::quiet_NaN())));
    CHECK(mldp::detail::portable_log(std::numeric_limits<double>::infinity()) == std::numeric_limits<double>::infinity());
}

// Reference: scipy.special.ndtri (scipy 1.10.1), printed with repr().
TEST_CASE("normal_quantile agrees with scipy.special.ndtri") {
    struct ref {
        double p, z;
    };
    const ref refs[] = {
        {1e-300, -37.0470962993612},     {1e-100, -21.273453560965322},   {1e-20, -9.262340089798409},
        {1e-12, -7.034483825301131},     {1e-10, -6.361340902404056},     {1e-06, -4.753424308822899},
        {0.001, -3.090232306167813},     {0.01, -2.3263478740408408},     {0.02425, -1.972961051311885},
        {0.05, -1.6448536269514729},     {0.075, -1.4395314709384563},    {0.1, -1.2815515655446004},
        {0.2, -0.8416212335729142},      {0.3, -0.5244005127080409},      {0.4, -0.2533471031357997},
        {0.6, 0.2533471031357997},       {0.7, 0.5244005127080407},       {0.8, 0.8416212335729143},
        {0.9, 1.2815515655446004},       {0.925, 1.4395314709384563},     {0.95, 1.6448536269514722},
        {0.975, 1.959963984540054},      {0.99, 2.3263478740408408},      {0.999, 3.090232306167813},
        {1 - 1e-6, 4.753424308817087},   {1 - 1e-10, 6.361340889697422},
    };
    for (const auto& r : refs) {
        INFO("p = " << r.p);
        CHECK(mldp::detail::normal_quantile(r.p) == doctest::Approx(r.z).epsilon(1e-14));
    }
    CHECK(mldp::detail::normal_quantile(0.5) == 0.0);
    CHECK(mldp::detail::normal_quantile(0.0) == -std::numeric_limits<double>::infinity());
    CHECK(mldp::detail::normal_quantile(1.0) == std::numeric_limits<double>::infinity());
    CHECK(std::isnan(mldp::detail::normal_quantile(-0.1)));
    CHECK(std::isnan(mldp::detail::normal_quantile(1.1)));
    CHECK(std::isnan(mldp::detail::normal_quantile(std::numeric_limits<double>::quiet_NaN())));
}

TEST_CASE("normal_quantile is antisymmetric and monotone") {
    double prev = -std::numeric_limits<double>::infinity();
    for (int i = 1; i < 10000; ++i) {
        const double p = i / 10000.0;
        const double z = mldp::detail::normal_quantile(p);
        REQUIRE(z > prev);
        prev = z;
    }
    // p where 1 - p is exact, so both calls see the same tail probability: exact antisymmetry.
    for (double p : {0x1p-40, 0x1p-27, 0.125, 0.25, 0.375, 0.4375}) {
        CHECK(mldp::detail::normal_quantile(p) == -mldp::detail::normal_quantile(1.0 - p));
    }
}

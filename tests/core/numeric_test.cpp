#include "mldp/core/numeric.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

namespace {

// x_i = ((i * 7919) mod 1009 - 504) / 13 * scale[i mod 4]: every operation is correctly rounded, so
// Python computes the same doubles.
std::vector<double> recipe(std::size_t n) {
    const double scale[4] = {1e-3, 1.0, 1e3, 1e8};
    std::vector<double> x(n);
    for (std::size_t i = 0; i < n; ++i) {
        x[i] = static_cast<double>(static_cast<long long>((i * 7919) % 1009) - 504) / 13.0 * scale[i % 4];
    }
    return x;
}

std::int64_t ulp_distance(double a, double b) {
    std::int64_t ia, ib;
    std::memcpy(&ia, &a, sizeof a);
    std::memcpy(&ib, &b, sizeof b);
    return ia > ib ? ia - ib : ib - ia;
}

struct sum_ref {
    std::size_t n;
    double numpy_sum;  // float(numpy.sum(numpy.array(x))) — numpy 1.24.2
    double fsum;       // math.fsum(x), the correctly rounded sum — Python 3.11
};

// Generated with /usr/bin/python3 (Debian 12) from recipe() above; printed with float.hex().
const sum_ref sum_refs[] = {
    {0, 0x0.0p+0, 0x0.0p+0},
    {1, -0x1.3d98f847d668ep-5, -0x1.3d98f847d668ep-5},
    {7, 0x1.5170343566df7p+28, 0x1.5170343566df6p+28},
    {8, 0x1.c0688aae0f522p+31, 0x1.c0688aae0f522p+31},
    {100, 0x1.4848918917510p+30, 0x1.484891891750ep+30},
    {128, 0x1.1c453d50b475ep+32, 0x1.1c453d50b475ep+32},
    {129, 0x1.1c453d50b645cp+32, 0x1.1c453d50b645bp+32},
    {1000, -0x1.69485943d733ap+30, -0x1.69485943d732cp+30},
    {8192, 0x1.e341bcb8cb500p+31, 0x1.e341bcb8cb4dcp+31},
    {8193, 0x1.e341bcb8d7675p+31, 0x1.e341bcb8d7651p+31},
    {100000, 0x1.4bb9379c45a42p+33, 0x1.4bb9379c45a1dp+33},
    {1000003, 0x1.a73124f96788ep+33, 0x1.a73124f9676f1p+33},
};

}  // namespace

TEST_CASE("pairwise_sum equals numpy.sum bit for bit") {
    for (const auto& r : sum_refs) {
        INFO("n = " << r.n);
        const auto x = recipe(r.n);
        CHECK(mldp::pairwise_sum(x.data(), x.size()) == r.numpy_sum);
        CHECK(mldp::pairwise_sum(x) == r.numpy_sum);
    }
}

TEST_CASE("compensated_sum is within 1 ulp of the correctly rounded sum (math.fsum)") {
    for (const auto& r : sum_refs) {
        INFO("n = " << r.n);
        const auto x = recipe(r.n);
        CHECK(ulp_distance(mldp::compensated_sum(x), r.fsum) <= 1);
    }
    // Cancellation that defeats naive and Kahan summation: the exact sum is 2.
    const std::vector<double> hard{1.0, 1e100, 1.0, -1e100};
    CHECK(mldp::compensated_sum(hard) == 2.0);
}

TEST_CASE("neumaier_sum merges: the union of two halves equals the whole within 1 ulp of fsum") {
    const auto x = recipe(100000);
    mldp::neumaier_sum left, right, whole;
    for (std::size_t i = 0; i < x.size(); ++i) {
        whole.add(x[i]);
        (i < 37000 ? left : right).add(x[i]);
    }
    left.merge(right);
    CHECK(ulp_distance(left.value(), 0x1.4bb9379c45a1dp+33) <= 1);
    CHECK(ulp_distance(whole.value(), 0x1.4bb9379c45a1dp+33) <= 1);
    mldp::neumaier_sum empty;
    CHECK(empty.value() == 0.0);
}

TEST_CASE("require_finite names the column and the first bad row") {
    const std::vector<double> ok{1.0, 2.0};
    CHECK_NOTHROW(mldp::require_finite(ok.data(), ok.size(), "x"));
    CHECK(mldp::first_non_finite(ok.data(), ok.size()) == 2);

    const std::vector<double> bad{1.0, 2.0, std::nan(""), std::numeric_limits<double>::infinity()};
    try {
        mldp::require_finite(bad.data(), bad.size(), "income");
        FAIL("expected data_error");
    } catch (const mldp::data_error& e) {
        CHECK(e.column() == "income");
        CHECK(e.row() == 2);
        CHECK(std::string(e.what()).find("NaN") != std::string::npos);
    }
    const std::vector<double> inf{-std::numeric_limits<double>::infinity()};
    CHECK_THROWS_WITH_AS(mldp::require_finite(inf.data(), 1, "t"), doctest::Contains("-Inf"), mldp::data_error);
}

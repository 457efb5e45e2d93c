#include "mldp/core/random.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <numeric>
#include <set>
#include <type_traits>
#include <vector>

namespace {

// Pearson's chi-square statistic of observed counts against equal expected counts.
double chi_square_uniform(const std::vector<double>& counts) {
    const double total = std::accumulate(counts.begin(), counts.end(), 0.0);
    const double expected = total / static_cast<double>(counts.size());
    double x2 = 0;
    for (double c : counts) x2 += (c - expected) * (c - expected) / expected;
    return x2;
}

}  // namespace

// Published SplitMix64 outputs for seed 1234567 (Vigna's splitmix64.c; the same vector is in the test
// suites of rand_xoshiro and Arc.Crypto).
TEST_CASE("splitmix64 reproduces the reference outputs") {
    std::uint64_t state = 1234567;
    CHECK(mldp::detail::splitmix64_next(state) == 6457827717110365317ULL);
    CHECK(mldp::detail::splitmix64_next(state) == 3203168211198807973ULL);
    CHECK(mldp::detail::splitmix64_next(state) == 9817491932198370423ULL);
    CHECK(mldp::detail::splitmix64_next(state) == 4593380528125082431ULL);
    CHECK(mldp::detail::splitmix64_next(state) == 16408922859458223821ULL);
}

// xoshiro256** from the state {1, 2, 3, 4}: the reference outputs of Blackman & Vigna's
// xoshiro256starstar.c, as pinned by rand_xoshiro's `reference` test.
TEST_CASE("xoshiro256** reproduces the reference outputs") {
    mldp::rng g;
    const std::uint64_t state[4] = {1, 2, 3, 4};
    g.set_state(state);
    const std::uint64_t expected[] = {11520ULL,
                                      0ULL,
                                      1509978240ULL,
                                      1215971899390074240ULL,
                                      1216172134540287360ULL,
                                      607988272756665600ULL,
                                      16172922978634559625ULL,
                                      8476171486693032832ULL,
                                      10595114339597558777ULL,
                                      2904607092377533576ULL};
    for (std::uint64_t e : expected) CHECK(g.next_u64() == e);
}

TEST_CASE("rng seeds its state with four SplitMix64 outputs") {
    std::uint64_t sm = 42;
    const std::uint64_t s0 = mldp::detail::splitmix64_next(sm), s1 = mldp::detail::splitmix64_next(sm),
                        s2 = mldp::detail::splitmix64_next(sm), s3 = mldp::detail::splitmix64_next(sm);
    const mldp::rng g{42};
    CHECK(g.state()[0] == s0);
    CHECK(g.state()[1] == s1);
    CHECK(g.state()[2] == s2);
    CHECK(g.state()[3] == s3);
    CHECK(mldp::rng{mldp::seed_sequence{42}} == g);
    CHECK(mldp::rng{43} != g);
}

TEST_CASE("rng is a UniformRandomBitGenerator and its state round-trips") {
    static_assert(std::is_same_v<mldp::rng::result_type, std::uint64_t>);
    static_assert((mldp::rng::min)() == 0);
    static_assert((mldp::rng::max)() == std::numeric_limits<std::uint64_t>::max());
    mldp::rng a{7};
    a.next_u64();
    mldp::rng b{0};
    b.set_state(a.state());
    for (int i = 0; i < 5; ++i) CHECK(a() == b.next_u64());
    const std::uint64_t zero[4] = {0, 0, 0, 0};
    CHECK_THROWS_WITH_AS(b.set_state(zero), doctest::Contains("all-zero state"), mldp::invalid_argument);
}

TEST_CASE("uniform01 is the top 53 bits scaled by 2^-53, in [0, 1)") {
    mldp::rng a{11}, b{11};
    double sum = 0;
    for (int i = 0; i < 100000; ++i) {
        const double u = a.uniform01();
        CHECK(u == static_cast<double>(b.next_u64() >> 11) * 0x1.0p-53);
        REQUIRE(u >= 0.0);
        REQUIRE(u < 1.0);
        sum += u;
    }
    CHECK(sum / 100000 == doctest::Approx(0.5).epsilon(0.01));
    // The largest possible draw is 1 - 2^-53, not 1.
    CHECK(static_cast<double>(~std::uint64_t{0} >> 11) * 0x1.0p-53 < 1.0);
}

TEST_CASE("uniform_open01 never returns 0 or 1") {
    CHECK((static_cast<double>(~std::uint64_t{0} >> 12) + 0.5) * 0x1.0p-52 < 1.0);
    CHECK((0.0 + 0.5) * 0x1.0p-52 > 0.0);
    mldp::rng g{5};
    for (int i = 0; i < 10000; ++i) {
        const double u = g.uniform_open01();
        REQUIRE(u > 0.0);
        REQUIRE(u < 1.0);
    }
}

TEST_CASE("128-bit products: the portable fallback equals the native one") {
    mldp::rng g{3};
    const std::uint64_t edge[] = {0, 1, 0xFFFFFFFFULL, 0x100000000ULL, ~std::uint64_t{0}, 1ULL << 63};
    for (auto a : edge)
        for (auto b : edge) CHECK(mldp::detail::mul_128_portable(a, b) == mldp::detail::mul_128(a, b));
    for (int i = 0; i < 10000; ++i) {
        const std::uint64_t a = g.next_u64(), b = g.next_u64();
        REQUIRE(mldp::detail::mul_128_portable(a, b) == mldp::detail::mul_128(a, b));
    }
    const auto p = mldp::detail::mul_128_portable(~std::uint64_t{0}, ~std::uint64_t{0});  // (2^64-1)^2
    CHECK(p.first == 0xFFFFFFFFFFFFFFFEULL);
    CHECK(p.second == 1);
}

TEST_CASE("bounded draws are in range, unbiased, and reject n == 0") {
    mldp::rng g{2025};
    CHECK_THROWS_WITH_AS(g.bounded(0), doctest::Contains("n must be at least 1"), mldp::invalid_argument);
    for (int i = 0; i < 100; ++i) CHECK(g.bounded(1) == 0);

    // Chi-square over 7 cells, 70000 draws: below chi2.ppf(0.999, 6) = 22.457744484825323 (scipy 1.10).
    std::vector<double> counts(7, 0.0);
    for (int i = 0; i < 70000; ++i) counts[static_cast<std::size_t>(g.bounded(7))] += 1;
    CHECK(chi_square_uniform(counts) < 22.457744484825323);

    // n = 2^63 + 1 rejects about half of all raw draws: the rejection loop must still give values < n
    // and hit both halves of the range.
    const std::uint64_t n = (1ULL << 63) + 1;
    int upper = 0;
    for (int i = 0; i < 2000; ++i) {
        const std::uint64_t v = g.bounded(n);
        REQUIRE(v < n);
        upper += v >= (1ULL << 62);  // the upper half of [0, 2^63 + 1)
    }
    CHECK(upper > 800);
    CHECK(upper < 1200);
}

TEST_CASE("bounded follows Lemire's method exactly") {
    // Same stream, computed by hand: the high word of x * n, rejecting while the low word < 2^64 mod n.
    mldp::rng a{77}, b{77};
    const std::uint64_t n = 1000003;
    const std::uint64_t threshold = (0 - n) % n;
    for (int i = 0; i < 1000; ++i) {
        std::pair<std::uint64_t, std::uint64_t> m;
        do {
            m = mldp::detail::mul_128(b.next_u64(), n);
        } while (m.second < threshold);
        REQUIRE(a.bounded(n) == m.first);
    }
}

TEST_CASE("normal draws follow N(0, 1)") {
    // One-sample Kolmogorov-Smirnov statistic of 1e5 draws: sqrt(n) * D below the 0.999 quantile of
    // the Kolmogorov distribution, kstwobign.ppf(0.999) = 1.949474603504375 (scipy 1.10).
    mldp::rng g{mldp::seed_sequence{9}.derive("normal")};
    const std::size_t n = 100000;
    std::vector<double> x(n);
    for (auto& v : x) v = g.normal();
    std::sort(x.begin(), x.end());
    double d = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double cdf = 0.5 * std::erfc(-x[i] / std::sqrt(2.0));
        d = std::max({d, cdf - static_cast<double>(i) / n, static_cast<double>(i + 1) / n - cdf});
    }
    CHECK(std::sqrt(static_cast<double>(n)) * d < 1.949474603504375);
    const double mean = std::accumulate(x.begin(), x.end(), 0.0) / n;
    CHECK(std::fabs(mean) < 0.02);

    mldp::rng a{1}, b{1};
    CHECK(a.normal(10.0, 2.0) == 10.0 + 2.0 * b.normal());
}

TEST_CASE("normal() is the AS 241 quantile of uniform_open01()") {
    mldp::rng a{8}, b{8};
    for (int i = 0; i < 1000; ++i) REQUIRE(a.normal() == mldp::detail::normal_quantile(b.uniform_open01()));
}

TEST_CASE("shuffle is Fisher-Yates with bounded draws, and uniform") {
    std::vector<int> v(50);
    std::iota(v.begin(), v.end(), 0);
    std::vector<int> by_hand = v;
    mldp::rng a{4}, b{4};
    mldp::shuffle(v.begin(), v.end(), a);
    for (std::size_t i = by_hand.size(); i > 1; --i) std::swap(by_hand[i - 1], by_hand[b.bounded(i)]);
    CHECK(v == by_hand);
    std::vector<int> sorted = v;
    std::sort(sorted.begin(), sorted.end());
    std::vector<int> iota(50);
    std::iota(iota.begin(), iota.end(), 0);
    CHECK(sorted == iota);

    std::vector<int> empty;
    mldp::shuffle(empty.begin(), empty.end(), a);  // no draws, no crash
    std::vector<int> one{7};
    const mldp::rng before = a;
    mldp::shuffle(one.begin(), one.end(), a);
    CHECK(a == before);  // n = 1 consumes nothing

    // All 6 orders of 3 elements, 60000 shuffles: chi-square below chi2.ppf(0.999, 5) = 20.515005652432873.
    std::map<std::array<int, 3>, double> seen;
    mldp::rng g{99};
    for (int i = 0; i < 60000; ++i) {
        std::array<int, 3> p{0, 1, 2};
        mldp::shuffle(p.begin(), p.end(), g);
        seen[p] += 1;
    }
    REQUIRE(seen.size() == 6);
    std::vector<double> counts;
    for (const auto& kv : seen) counts.push_back(kv.second);
    CHECK(chi_square_uniform(counts) < 20.515005652432873);
}

TEST_CASE("sample_without_replacement gives k distinct sorted indices, uniformly") {
    mldp::rng g{12};
    const auto s = mldp::sample_without_replacement(1000000, 1000, g);
    REQUIRE(s.size() == 1000);
    CHECK(std::is_sorted(s.begin(), s.end()));
    CHECK(std::adjacent_find(s.begin(), s.end()) == s.end());
    CHECK(s.back() < 1000000);

    const auto all = mldp::sample_without_replacement(10, 10, g);
    CHECK(all == std::vector<std::uint64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
    CHECK(mldp::sample_without_replacement(10, 0, g).empty());
    CHECK(mldp::sample_without_replacement(0, 0, g).empty());
    try {
        mldp::sample_without_replacement(3, 4, g);
        FAIL("expected invalid_argument");
    } catch (const mldp::invalid_argument& e) {
        CHECK(std::string(e.what()).find("k = 4") != std::string::npos);
        CHECK(std::string(e.what()).find("n = 3") != std::string::npos);
    }

    // The 10 two-element subsets of 5, 50000 draws: chi-square below chi2.ppf(0.999, 9) = 27.877164871256568.
    std::map<std::pair<std::uint64_t, std::uint64_t>, double> seen;
    for (int i = 0; i < 50000; ++i) {
        const auto p = mldp::sample_without_replacement(5, 2, g);
        seen[{p[0], p[1]}] += 1;
    }
    REQUIRE(seen.size() == 10);
    std::vector<double> counts;
    for (const auto& kv : seen) counts.push_back(kv.second);
    CHECK(chi_square_uniform(counts) < 27.877164871256568);
}

TEST_CASE("seed_sequence derives stable, distinct children by the documented formula") {
    const mldp::seed_sequence root{42};
    CHECK(root.key() == 42);
    CHECK(root.derive("shuffle") == root.derive("shuffle"));
    CHECK(root.derive("shuffle").key() == mldp::hash64("shuffle", 42));
    CHECK(root.derive("shuffle") != root.derive("split"));
    CHECK(root.derive("a").derive("b") != root.derive("b").derive("a"));
    CHECK(root.derive(std::uint64_t{3}).key() ==
          mldp::hash64(std::string_view("\x03\0\0\0\0\0\0\0", 8), 42 ^ 0x6d6c64702d696478ULL));
    std::set<std::uint64_t> keys;
    for (std::uint64_t i = 0; i < 1000; ++i) keys.insert(root.derive(i).key());
    CHECK(keys.size() == 1000);
    CHECK(mldp::seed_sequence{}.key() == 0);
}

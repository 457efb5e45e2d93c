#include "mldp/sketch/kll.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <vector>

#include "mldp/core/random.hpp"

using mldp::sketch::kll_sketch;

namespace {

// A permutation of 0..n-1: the true inclusive rank of value v is (v + 1) / n.
std::vector<double> permutation(std::size_t n, std::uint64_t seed) {
    std::vector<double> v(n);
    std::iota(v.begin(), v.end(), 0.0);
    mldp::rng g(seed);
    mldp::shuffle(v.begin(), v.end(), g);
    return v;
}

double max_rank_error(const kll_sketch<double>& s, std::size_t n) {
    double worst = 0;
    for (std::size_t i = 0; i < 1000; ++i) {
        const double v = std::floor(static_cast<double>(n) * (static_cast<double>(i) + 0.5) / 1000.0);
        worst = (std::max)(worst, std::fabs(s.rank(v) - (v + 1) / static_cast<double>(n)));
    }
    return worst;
}

}  // namespace

TEST_CASE("kll error bound 2.296 / k^0.9723: at most one miss in 100 seeds, single stream and merged") {
    const std::size_t n = 200000;
    const auto data = permutation(n, 1);
    const double bound = kll_sketch<double>::normalized_rank_error(200, false);
    CHECK(bound == doctest::Approx(0.01329).epsilon(0.001));
    int misses_single = 0, misses_merged = 0;
    double worst_single = 0, worst_merged = 0;
    for (std::uint64_t seed = 0; seed < 100; ++seed) {
        kll_sketch<double> s(200, seed);
        for (double v : data) s.update(v);
        const double e = max_rank_error(s, n);
        worst_single = (std::max)(worst_single, e);
        misses_single += e > bound;
        // Ten sketches of a tenth each, merged.
        std::vector<kll_sketch<double>> parts;
        for (std::uint64_t p = 0; p < 10; ++p) parts.emplace_back(200, seed * 100 + p);
        for (std::size_t i = 0; i < n; ++i) parts[i % 10].update(data[i]);
        kll_sketch<double> m = parts[0];
        for (std::size_t p = 1; p < 10; ++p) m.merge(parts[p]);
        CHECK(m.n() == n);
        const double em = max_rank_error(m, n);
        worst_merged = (std::max)(worst_merged, em);
        misses_merged += em > bound;
    }
    MESSAGE("worst single-stream error " << worst_single << ", merged " << worst_merged << ", bound " << bound);
    CHECK(misses_single <= 1);
    CHECK(misses_merged <= 1);
}

TEST_CASE("kll quantiles and ranks are exact below capacity, and merges there equal one stream") {
    kll_sketch<double> s(200, 3), a(200, 4), b(200, 5);
    std::vector<double> x;
    mldp::rng g(9);
    for (int i = 0; i < 150; ++i) x.push_back(g.normal());
    for (std::size_t i = 0; i < x.size(); ++i) {
        s.update(x[i]);
        (i % 2 ? a : b).update(x[i]);
    }
    a.merge(b);
    CHECK(s.retained() == x.size());
    std::vector<double> sorted = x;
    std::sort(sorted.begin(), sorted.end());
    for (double q : {0.0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.999, 1.0}) {
        // Smallest item whose inclusive rank is >= q: sorted[ceil(q n) - 1] (numpy's 'inverted_cdf').
        const auto idx = q == 0 ? 0 : static_cast<std::size_t>(std::ceil(q * 150.0)) - 1;
        CHECK(s.quantile(q) == sorted[idx]);
        CHECK(a.quantile(q) == sorted[idx]);
    }
    for (std::size_t i = 0; i < sorted.size(); i += 7) {
        CHECK(s.rank(sorted[i]) == static_cast<double>(i + 1) / 150.0);
        CHECK(a.rank(sorted[i]) == s.rank(sorted[i]));
    }
    const auto c = s.cdf({sorted[14], sorted[74]});
    REQUIRE(c.size() == 3);
    CHECK(c[0] == 15.0 / 150);
    CHECK(c[1] == 75.0 / 150);
    CHECK(c[2] == 1.0);
    CHECK(s.min_item() == sorted.front());
    CHECK(s.max_item() == sorted.back());
}

TEST_CASE("kll memory stays bounded and NaN is ignored") {
    kll_sketch<double> s;
    for (int i = 0; i < 1000000; ++i) s.update(static_cast<double>(i % 9973));
    s.update(std::nan(""));
    CHECK(s.n() == 1000000);
    CHECK(s.retained() < 3 * 200 + 8 * 20);  // about 3k items whatever n is
    kll_sketch<std::int64_t> ints(100, 1);
    for (std::int64_t i = -500; i < 500; ++i) ints.update(i);
    CHECK(ints.min_item() == -500);
    CHECK(ints.max_item() == 499);
    CHECK(std::abs(static_cast<double>(ints.quantile(0.5))) < 1000 * ints.normalized_rank_error());
}

TEST_CASE("kll serialization: round trip continues identically; corrupt bytes throw") {
    kll_sketch<double> s(64, 7);
    mldp::rng g(1);
    for (int i = 0; i < 5000; ++i) s.update(g.normal());
    const auto bytes = s.serialize();
    auto r = kll_sketch<double>::deserialize(bytes);
    CHECK(r.n() == s.n());
    CHECK(r.retained() == s.retained());
    for (int i = 0; i < 3000; ++i) {
        const double v = g.normal();
        s.update(v);
        r.update(v);
    }
    CHECK(r.serialize() == s.serialize());  // same coin state: the same compactions
    for (double q : {0.1, 0.5, 0.9}) CHECK(r.quantile(q) == s.quantile(q));
    CHECK(kll_sketch<double>::deserialize(kll_sketch<double>().serialize()).empty());

    const auto small = [] {
        kll_sketch<double> t(8, 1);
        for (int i = 0; i < 40; ++i) t.update(i * 0.5);
        return t.serialize();
    }();
    for (std::size_t len = 0; len < small.size(); ++len) {
        CHECK_THROWS_AS(kll_sketch<double>::deserialize(small.data(), len), mldp::format_error);
    }
    for (std::size_t i = 0; i < small.size(); ++i) {
        for (int bit = 0; bit < 8; ++bit) {
            auto bad = small;
            bad[i] = static_cast<std::uint8_t>(bad[i] ^ (1u << bit));
            CHECK_THROWS_AS(kll_sketch<double>::deserialize(bad), mldp::format_error);
        }
    }
    CHECK_THROWS_AS(kll_sketch<float>::deserialize(small), mldp::format_error);  // another item type

    // Valid envelope, inconsistent content: each must be caught by the semantic checks.
    auto craft = [](std::uint16_t k, std::uint64_t n, double lo, double hi, std::vector<std::vector<double>> levels,
                    std::uint64_t state0 = 1) {
        mldp::archive_writer w("KLL1", 1);
        w.put_u8(1);
        w.put_u16(k);
        w.put_u64(n);
        w.put_f64(lo);
        w.put_f64(hi);
        w.put_u64(state0);
        for (int i = 0; i < 3; ++i) w.put_u64(0);
        w.put_u64(levels.size());
        for (const auto& l : levels) {
            w.put_u64(l.size());
            for (double v : l) w.put_f64(v);
        }
        return w.finish();
    };
    using K = kll_sketch<double>;
    CHECK_NOTHROW(K::deserialize(craft(8, 4, 0, 3, {{0, 1}, {3}})));
    CHECK_THROWS_AS(K::deserialize(craft(8, 5, 0, 3, {{0, 1}, {3}})), mldp::format_error);     // weights != n
    CHECK_THROWS_AS(K::deserialize(craft(8, 5, 0, 3, {{0}, {3, 1}})), mldp::format_error);     // unsorted level
    CHECK_THROWS_AS(K::deserialize(craft(8, 2, 0, 3, {{0, NAN}})), mldp::format_error);        // NaN item
    CHECK_THROWS_AS(K::deserialize(craft(8, 2, 0, 3, {{0, 4}})), mldp::format_error);          // above max
    CHECK_THROWS_AS(K::deserialize(craft(4, 2, 0, 3, {{0, 1}})), mldp::format_error);          // k < 8
    CHECK_THROWS_AS(K::deserialize(craft(8, 2, 0, 3, {{0, 1}}, 0)), mldp::format_error);       // zero rng state
    CHECK_THROWS_AS(K::deserialize(craft(8, 2, 3, 0, {{0, 1}})), mldp::format_error);          // min > max
    CHECK_THROWS_AS(K::deserialize(craft(8, 0, 0, 0, {})), mldp::format_error);                // no levels
}

TEST_CASE("kll errors") {
    CHECK_THROWS_AS(kll_sketch<double>(7), mldp::invalid_argument);
    kll_sketch<double> s;
    CHECK_THROWS_AS(s.quantile(0.5), mldp::invalid_argument);
    CHECK_THROWS_AS(s.rank(1.0), mldp::invalid_argument);
    CHECK_THROWS_AS(s.min_item(), mldp::invalid_argument);
    s.update(1.0);
    CHECK_THROWS_AS(s.quantile(1.5), mldp::invalid_argument);
    CHECK_THROWS_AS(s.quantile(NAN), mldp::invalid_argument);
    CHECK_THROWS_AS(s.cdf({2.0, 1.0}), mldp::invalid_argument);
    kll_sketch<double> other(100);
    CHECK_THROWS_AS(s.merge(other), mldp::invalid_argument);
}

TEST_CASE("kll: every variant of the counting sort and merge equals std::stable_sort and std::merge") {
    // Sizes 0..128 on each side, values with many ties, signed zeros and infinities; every variant
    // this CPU runs (baseline first) against the standard algorithms, bit for bit.
    namespace d = mldp::sketch::detail;
    mldp::rng g(99);
    auto draw = [&](std::size_t n) {
        std::vector<double> v(n);
        for (auto& x : v) {
            const auto pick = g.bounded(20);
            x = pick == 0 ? -0.0 : pick == 1 ? 0.0 : pick == 2 ? INFINITY : pick == 3 ? -INFINITY : static_cast<double>(g.bounded(9)) - 4.0;
        }
        return v;
    };
    auto same_bits = [](const std::vector<double>& a, const std::vector<double>& b) {
        if (a.size() != b.size()) return false;
        for (std::size_t i = 0; i < a.size(); ++i) {
            if (std::signbit(a[i]) != std::signbit(b[i]) || !(a[i] == b[i])) return false;
        }
        return true;
    };
    for (std::size_t n : std::vector<std::size_t>{0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 64, 100, 128}) {
        const std::vector<double> x = draw(n);
        std::vector<double> expect = x;
        std::stable_sort(expect.begin(), expect.end());
        for (auto sort : d::rank_sort_f64_variants()) {
            std::vector<double> out(d::padded_size(n) + 1, 42.0);
            sort(x.data(), n, out.data());
            CHECK(same_bits(std::vector<double>(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n)), expect));
        }
        for (std::size_t m : std::vector<std::size_t>{0, 1, 8, 13, 64, 128}) {
            std::vector<double> a = draw(n), b = draw(m);
            std::stable_sort(a.begin(), a.end());
            std::stable_sort(b.begin(), b.end());
            std::vector<double> merged(n + m);
            std::merge(a.begin(), a.end(), b.begin(), b.end(), merged.begin());  // ties: a first
            for (auto merge : d::rank_merge_f64_variants()) {
                std::vector<double> out(d::padded_size(n) + d::padded_size(m) + 1, 42.0);
                merge(a.data(), n, b.data(), m, out.data());
                INFO("n = " << n << ", m = " << m);
                CHECK(same_bits(std::vector<double>(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n + m)), merged));
            }
        }
    }
}

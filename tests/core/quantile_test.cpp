#include "mldp/core/quantile.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
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

// 101 probabilities: many ranks, some sharing a bucket or a bracket
std::vector<double> percentiles() {
    std::vector<double> q;
    for (int i = 0; i <= 100; ++i) q.push_back(i / 100.0);
    return q;
}

}  // namespace

TEST_CASE("quantiles equal the sorted-copy definition on many shapes and sizes") {
    mldp::rng g{77};
    for (std::size_t n : std::initializer_list<std::size_t>{1, 2, 3, 100, 4096, 4097, 50000, 300000}) {
        for (int shape = 0; shape < 11; ++shape) {
            std::vector<double> x(n);
            for (std::size_t i = 0; i < n; ++i) {
                switch (shape) {
                    case 0: x[i] = g.normal(); break;
                    case 1: x[i] = static_cast<double>(i); break;                        // sorted ascending
                    case 2: x[i] = -static_cast<double>(i); break;                       // sorted descending
                    case 3: x[i] = 4.0; break;                                           // constant
                    case 4: x[i] = static_cast<double>(g.bounded(3)); break;             // three values
                    case 5: x[i] = (i % 8 == 0) ? 1e9 + static_cast<double>(i) : g.uniform01(); break;  // defeats the stride sample
                    case 6: x[i] = g.normal() / g.normal(); break;                        // Cauchy: heavy tails
                    case 7: x[i] = std::exp(2.0 * g.normal()); break;                    // log-normal: skewed
                    case 8: x[i] = g.bounded(100) == 0 ? (g.bounded(2) ? 1e300 : -1e300) : g.normal(); break;  // far outliers
                    case 9: x[i] = static_cast<double>(g.bounded(200)) * 0.25; break;    // 200 tied values
                    default: x[i] = g.uniform01() < 0.5 ? g.normal() : 1e-3 * g.normal() + 5.0; break;  // a narrow spike
                }
            }
            INFO("n = " << n << ", shape " << shape);
            CHECK(mldp::quantiles(x.data(), x.size(), probs) == by_sorting(x, probs));
            CHECK(mldp::quantiles(x.data(), x.size(), percentiles()) == by_sorting(x, percentiles()));
            // the counts below each quantile, found from the same selection, equal a direct count
            std::vector<std::size_t> less;
            const auto qs = mldp::detail::quantiles_and_counts(x.data(), x.size(), probs, &less);
            for (std::size_t i = 0; i < qs.size(); ++i) {
                std::size_t direct = 0;
                for (double v : x) direct += v < qs[i] ? 1 : 0;
                CHECK(less[i] == direct);
            }
            // counts below values that are not quantiles (between, beyond and inside the buckets)
            std::vector<std::size_t> ranks{0, x.size() / 3, x.size() - 1};
            ranks.erase(std::unique(ranks.begin(), ranks.end()), ranks.end());
            const mldp::detail::rank_selection sel(x.data(), x.size(), ranks);
            for (double e : {-1e301, -2.0, -0.5, 0.0, 0.3, 1.0, 4.0, 5.0, 1e9, 1e301}) {
                std::size_t direct = 0;
                for (double v : x) direct += v < e ? 1 : 0;
                CHECK(sel.count_less(e) == direct);
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

TEST_CASE("every instruction-set variant of the counting kernels gives the same counts") {
    // Values, thresholds and brackets with ties, infinities and NaN; each variant against a plain loop.
    mldp::rng g{2024};
    std::vector<double> v(mldp::detail::threshold_block);
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = std::round(g.normal() * 8.0) / 4.0;
    v[3] = NAN;
    v[7] = INFINITY;
    v[11] = -INFINITY;
    v[12] = 1e308;
    const std::vector<double> lo{-INFINITY, -2.0, -0.5, 0.0, 1.25, 3.0}, hi{-2.5, -1.0, -0.25, 1.0, 2.0, INFINITY};
    for (std::size_t len : {std::size_t{0}, std::size_t{1}, std::size_t{7}, v.size()}) {
        INFO("len = " << len);
        std::vector<std::int64_t> ge_ref(lo.size(), 0), code_ref(len, 0);
        for (std::size_t j = 0; j < lo.size(); ++j) {
            for (std::size_t i = 0; i < len; ++i) {
                ge_ref[j] += v[i] >= lo[j] ? 1 : 0;
                if (v[i] >= lo[j] && v[i] <= hi[j]) code_ref[i] = static_cast<std::int64_t>(j + 1);
            }
        }
        for (auto kernel : mldp::detail::bracket_block_variants()) {
            std::vector<std::int64_t> ge(lo.size(), 0), code(mldp::detail::threshold_block, -1);
            kernel(v.data(), len, lo.data(), hi.data(), lo.size(), code.data(), ge.data());
            CHECK(ge == ge_ref);
            CHECK(std::vector<std::int64_t>(code.begin(), code.begin() + static_cast<std::ptrdiff_t>(len)) == code_ref);
        }
        for (auto kernel : mldp::detail::at_least_block_variants()) {
            std::vector<std::int64_t> ge(lo.size(), 0);
            kernel(v.data(), len, lo.data(), lo.size(), ge.data());
            CHECK(ge == ge_ref);
        }
        const double origin = -3.0, scale = 10.0, last = 99.0;
        std::vector<std::int32_t> ref(len);
        for (std::size_t i = 0; i < len; ++i) {
            const double t = (v[i] - origin) * scale;
            ref[i] = std::isnan(v[i]) ? 100 : static_cast<std::int32_t>(t <= 0.0 ? 0.0 : (t >= last ? last : t));
        }
        for (auto kernel : mldp::detail::bucket_block_variants()) {
            std::vector<std::int32_t> b(mldp::detail::threshold_block, -1);
            kernel(v.data(), len, origin, scale, last, b.data());
            CHECK(std::vector<std::int32_t>(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(len)) == ref);
        }
    }
}

TEST_CASE("every variant of the fail-mask kernel sets the same bits as a plain loop") {
    mldp::rng g{31};
    for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{63}, std::size_t{64}, std::size_t{65}, std::size_t{1000}}) {
        std::vector<double> v(n);
        for (auto& x : v) {
            const auto pick = g.bounded(10);
            x = pick == 0 ? NAN : pick == 1 ? INFINITY : pick == 2 ? -INFINITY : pick == 3 ? 4.0 : pick == 4 ? -4.0 : g.normal() * 3.0;
        }
        for (bool range : {false, true}) {
            std::vector<std::uint64_t> expect((n + 63) / 64, 0);
            for (std::size_t i = 0; i < n; ++i) {
                const bool fail = range ? !(v[i] >= -4.0 && v[i] <= 4.0) : std::isnan(v[i]);
                if (fail) expect[i / 64] |= std::uint64_t{1} << (i % 64);
            }
            for (auto kernel : mldp::detail::fail_masks_variants()) {
                std::vector<std::uint64_t> got((n + 63) / 64, 0xDEADBEEFULL);
                kernel(v.data(), n, range, -4.0, 4.0, got.data());
                INFO("n = " << n << ", range = " << range);
                CHECK(got == expect);
            }
        }
    }
}

TEST_CASE("every variant of the category-code mask kernel sets the same bits as a plain loop") {
    // Codes -1 (missing), 0..31 and beyond 31 (never allowed), against allowed sets with the low,
    // the high and no bits.
    mldp::rng g{37};
    for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{15}, std::size_t{64}, std::size_t{65}, std::size_t{1000}}) {
        std::vector<std::int32_t> codes(n);
        for (auto& c : codes) {
            const auto pick = g.bounded(10);
            c = pick == 0 ? -1 : pick == 1 ? static_cast<std::int32_t>(32 + g.bounded(100)) : pick == 2 ? 31 : static_cast<std::int32_t>(g.bounded(8));
        }
        for (std::uint32_t allowed : {0x0000001DU, 0x80000003U, 0U, 0xFFFFFFFFU}) {
            std::vector<std::uint64_t> expect((n + 63) / 64, 0);
            for (std::size_t i = 0; i < n; ++i) {
                const bool fail = codes[i] < 0 || codes[i] > 31 || ((allowed >> codes[i]) & 1U) == 0;
                if (fail) expect[i / 64] |= std::uint64_t{1} << (i % 64);
            }
            for (auto kernel : mldp::detail::code_masks_variants()) {
                std::vector<std::uint64_t> got((n + 63) / 64, 0xDEADBEEFULL);
                kernel(codes.data(), n, allowed, got.data());
                INFO("n = " << n << ", allowed = " << allowed);
                CHECK(got == expect);
            }
        }
    }
}

// mldp — sorting doubles, the floor of every rank-based statistic (KS, Wasserstein, PSI quantiles).
//
// An LSD radix sort on the IEEE-754 bit patterns, mapped so that unsigned order is numeric order:
// O(n) with up to eight passes of 8-bit digits, passes whose digit is the same for every key skipped.
// On 10^6 normal doubles it runs several times faster than std::sort (benchmarks/core_bench.cpp).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

namespace mldp {

namespace detail {

// Order-preserving map from double bits to uint64: flip the sign bit of positives, all bits of
// negatives. -0.0 sorts just before +0.0; NaN with the sign bit clear sorts after +inf.
inline std::uint64_t double_to_ordered(double x) noexcept {
    std::uint64_t u;
    std::memcpy(&u, &x, sizeof u);
    return (u & 0x8000000000000000ULL) ? ~u : (u | 0x8000000000000000ULL);
}

inline double ordered_to_double(std::uint64_t u) noexcept {
    u = (u & 0x8000000000000000ULL) ? (u & 0x7FFFFFFFFFFFFFFFULL) : ~u;
    double x;
    std::memcpy(&x, &u, sizeof x);
    return x;
}

}  // namespace detail

/// Sorts [data, data + n) ascending. Below 256 values std::sort; above, an LSD radix sort with 8-bit
/// digits (eight passes at most, each histogram and bucket set fitting in L1) that needs n words of
/// scratch memory. Equal values are indistinguishable, so stability is moot; -0.0 is placed before
/// +0.0. NaN must not be present (callers reject or drop it first).
inline void sort_doubles(double* data, std::size_t n) {
    if (n < 256) {
        std::sort(data, data + n);
        return;
    }
    constexpr int bits = 8;
    constexpr int passes = 8;
    constexpr std::size_t buckets = std::size_t{1} << bits;
    // The keys replace the doubles in place (same width), so only one scratch buffer is allocated.
    // Uninitialised on purpose: every word is written by the first scatter before it is read.
    const std::unique_ptr<std::uint64_t[]> scratch(new std::uint64_t[n]);
    std::array<std::array<std::size_t, buckets>, passes> hist{};
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint64_t k = detail::double_to_ordered(data[i]);
        std::memcpy(data + i, &k, sizeof k);
        for (int p = 0; p < passes; ++p) ++hist[static_cast<std::size_t>(p)][(k >> (p * bits)) & (buckets - 1)];
    }
    // data now holds keys (as bytes); ping-pong between it and scratch.
    auto load = [](const void* base, std::size_t i) {
        std::uint64_t k;
        std::memcpy(&k, static_cast<const unsigned char*>(base) + i * sizeof k, sizeof k);
        return k;
    };
    auto store = [](void* base, std::size_t i, std::uint64_t k) {
        std::memcpy(static_cast<unsigned char*>(base) + i * sizeof k, &k, sizeof k);
    };
    void* src = data;
    void* dst = scratch.get();
    for (int p = 0; p < passes; ++p) {
        auto& h = hist[static_cast<std::size_t>(p)];
        // A pass where every key has the same digit would only copy.
        if (h[(load(src, 0) >> (p * bits)) & (buckets - 1)] == n) continue;
        std::size_t sum = 0;
        for (auto& c : h) {
            const std::size_t count = c;
            c = sum;
            sum += count;
        }
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint64_t k = load(src, i);
            store(dst, h[(k >> (p * bits)) & (buckets - 1)]++, k);
        }
        std::swap(src, dst);
    }
    for (std::size_t i = 0; i < n; ++i) data[i] = detail::ordered_to_double(load(src, i));
}

/// Sorts a vector of doubles ascending (see sort_doubles(double*, std::size_t)).
inline void sort_doubles(std::vector<double>& values) { sort_doubles(values.data(), values.size()); }

}  // namespace mldp

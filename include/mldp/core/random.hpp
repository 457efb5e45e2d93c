// mldp — portable seeded randomness: named seed derivation, a documented generator, and the few
// sampling primitives mldp needs, all giving the same bits under every compiler and standard library.
//
// Why not <random>: its engines are portable, but its distributions and its shuffle are not
// (libstdc++, libc++ and MSVC use different algorithms), so a seeded split would change with the
// toolchain. Every algorithm here is specified below and pinned by golden vectors.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mldp/core/detail/portable_math.hpp"
#include "mldp/core/error.hpp"
#include "mldp/core/hash.hpp"

namespace mldp {

namespace detail {

/// SplitMix64 (Steele, Lea & Flood, OOPSLA 2014; Vigna's reference splitmix64.c): advances `state`
/// by the golden-ratio increment and returns the mixed value.
constexpr std::uint64_t splitmix64_next(std::uint64_t& state) noexcept {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

constexpr std::uint64_t rotl64(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }

/// Full 64x64 -> 128-bit product from 32-bit halves, returned as (high, low); the fallback where the
/// compiler has no 128-bit integer type.
constexpr std::pair<std::uint64_t, std::uint64_t> mul_128_portable(std::uint64_t a, std::uint64_t b) noexcept {
    const std::uint64_t a_lo = a & 0xFFFFFFFFULL, a_hi = a >> 32;
    const std::uint64_t b_lo = b & 0xFFFFFFFFULL, b_hi = b >> 32;
    const std::uint64_t lo_lo = a_lo * b_lo, hi_lo = a_hi * b_lo, lo_hi = a_lo * b_hi, hi_hi = a_hi * b_hi;
    // cannot overflow: (2^32-1)^2 + 2 (2^32-1) = 2^64 - 1
    const std::uint64_t cross = (lo_lo >> 32) + (hi_lo & 0xFFFFFFFFULL) + lo_hi;
    return {(hi_lo >> 32) + (cross >> 32) + hi_hi, (cross << 32) | (lo_lo & 0xFFFFFFFFULL)};
}

/// Full 64x64 -> 128-bit product, returned as (high, low).
inline std::pair<std::uint64_t, std::uint64_t> mul_128(std::uint64_t a, std::uint64_t b) noexcept {
#if defined(__SIZEOF_INT128__)
    __extension__ typedef unsigned __int128 u128;
    const u128 m = static_cast<u128>(a) * b;
    return {static_cast<std::uint64_t>(m >> 64), static_cast<std::uint64_t>(m)};
#else
    return mul_128_portable(a, b);
#endif
}

}  // namespace detail

/// A 64-bit seed that derives named, stable child seeds, so each component of a pipeline gets its own
/// independent stream from one user seed, and adding a component never shifts another's stream.
///   derive(name):  key' = XXH3-64(bytes of name, seed = key)
///   derive(index): key' = XXH3-64(index as 8 little-endian bytes, seed = key ^ 0x6d6c64702d696478)
/// The same parent and name always give the same child, on every platform and in every release
/// (golden vectors pin this). Cheap to copy; never throws.
class seed_sequence {
public:
    constexpr seed_sequence() noexcept = default;
    constexpr explicit seed_sequence(std::uint64_t seed) noexcept : key_(seed) {}

    /// Child sequence for a named purpose ("shuffle", "fold-3", "bootstrap").
    seed_sequence derive(std::string_view name) const noexcept { return seed_sequence{hash64(name, key_)}; }

    /// Child sequence for the i-th repetition of something (seed sweeps, repeated k-fold).
    seed_sequence derive(std::uint64_t index) const noexcept {
        return seed_sequence{detail::hash_le64(index, key_ ^ index_domain_)};
    }

    /// The 64-bit value this sequence stands for (what rng seeds from).
    constexpr std::uint64_t key() const noexcept { return key_; }

    friend constexpr bool operator==(const seed_sequence& a, const seed_sequence& b) noexcept {
        return a.key_ == b.key_;
    }
    friend constexpr bool operator!=(const seed_sequence& a, const seed_sequence& b) noexcept {
        return !(a == b);
    }

private:
    static constexpr std::uint64_t index_domain_ = 0x6d6c64702d696478ULL;  // "mldp-idx"
    std::uint64_t key_ = 0;
};

/// mldp's random generator: xoshiro256** 1.0 (Blackman & Vigna, "Scrambled linear pseudorandom number
/// generators", ACM TOMS 2021), its 256-bit state filled by four SplitMix64 outputs from the seed, as the
/// authors recommend. Period 2^256 - 1; passes BigCrush and PractRand. Also a standard
/// UniformRandomBitGenerator, so it plugs into code that expects one. Not for cryptography.
class rng {
public:
    using result_type = std::uint64_t;

    /// Seeds from a plain 64-bit value (state = SplitMix64 outputs 1..4 starting at `seed`).
    explicit rng(std::uint64_t seed = 0) noexcept {
        std::uint64_t sm = seed;
        for (auto& w : s_) w = detail::splitmix64_next(sm);
    }
    /// Seeds from a seed_sequence: rng{seq} is rng{seq.key()}.
    explicit rng(const seed_sequence& seq) noexcept : rng(seq.key()) {}

    static constexpr result_type (min)() noexcept { return 0; }
    static constexpr result_type (max)() noexcept { return (std::numeric_limits<result_type>::max)(); }
    result_type operator()() noexcept { return next_u64(); }

    /// Next 64 uniformly distributed bits.
    std::uint64_t next_u64() noexcept {
        const std::uint64_t result = detail::rotl64(s_[1] * 5, 7) * 9;
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = detail::rotl64(s_[3], 45);
        return result;
    }

    /// Uniform double in [0, 1): the top 53 bits of next_u64() times 2^-53. Every multiple of 2^-53 is
    /// equally likely; 1.0 is never returned.
    double uniform01() noexcept { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

    /// Uniform double in the open interval (0, 1): (top 52 bits + 1/2) * 2^-52, exact, symmetric
    /// about 1/2, never 0 or 1 (what inverse-CDF sampling needs).
    double uniform_open01() noexcept {
        return (static_cast<double>(next_u64() >> 12) + 0.5) * 0x1.0p-52;
    }

    /// Uniform integer in [0, n), unbiased, by Lemire's multiply-and-reject method ("Fast random integer
    /// generation in an interval", ACM TOMS 2019): one 64x64->128 multiply, and a rejection (with one
    /// division) with probability below n / 2^64. Throws invalid_argument when n == 0.
    std::uint64_t bounded(std::uint64_t n) {
        if (n == 0) throw invalid_argument("mldp::rng::bounded: n must be at least 1 (draws are in [0, n))");
        return bounded_unchecked(n);
    }

    /// bounded() without the n == 0 check, for callers that have validated n (n >= 1).
    std::uint64_t bounded_unchecked(std::uint64_t n) noexcept {
        auto m = detail::mul_128(next_u64(), n);
        if (m.second < n) {
            const std::uint64_t threshold = (0 - n) % n;  // 2^64 mod n
            while (m.second < threshold) m = detail::mul_128(next_u64(), n);
        }
        return m.first;
    }

    /// Standard normal draw by inversion: detail::normal_quantile(uniform_open01()) (Wichura's AS 241
    /// with a portable logarithm). One 64-bit draw per normal, so streams stay aligned; monotone in
    /// the underlying uniform; tails reach about +-8.1 sigma.
    double normal() noexcept { return detail::normal_quantile(uniform_open01()); }

    /// Normal draw with the given mean and standard deviation (mean + sd * normal()).
    double normal(double mean, double sd) noexcept { return mean + detail::fp_barrier(sd * normal()); }

    /// The 256-bit state, for checkpointing; restore with set_state.
    const std::uint64_t (&state() const noexcept)[4] { return s_; }

    /// Restores a state saved with state(). Throws invalid_argument for the all-zero state, which
    /// xoshiro256** can never leave.
    void set_state(const std::uint64_t (&s)[4]) {
        if ((s[0] | s[1] | s[2] | s[3]) == 0)
            throw invalid_argument("mldp::rng::set_state: the all-zero state is not a valid xoshiro256** state");
        for (int i = 0; i < 4; ++i) s_[i] = s[i];
    }

    friend bool operator==(const rng& a, const rng& b) noexcept {
        return std::equal(std::begin(a.s_), std::end(a.s_), std::begin(b.s_));
    }
    friend bool operator!=(const rng& a, const rng& b) noexcept { return !(a == b); }

private:
    std::uint64_t s_[4];
};

/// Shuffles [first, last) in place by Fisher-Yates (Durstenfeld's variant): for i = n-1 down to 1,
/// swap element i with element g.bounded(i + 1). Uniform over all n! orders; O(n). Unlike the standard shuffle
/// the resulting order is specified, so it is the same with every standard library.
template <class RandomIt>
void shuffle(RandomIt first, RandomIt last, rng& g) noexcept(noexcept(std::iter_swap(first, first))) {
    const auto n = static_cast<std::uint64_t>(std::distance(first, last));
    for (std::uint64_t i = n; i > 1; --i) {
        const std::uint64_t j = g.bounded_unchecked(i);
        using diff = typename std::iterator_traits<RandomIt>::difference_type;
        std::iter_swap(first + static_cast<diff>(i - 1), first + static_cast<diff>(j));
    }
}

/// Draws k distinct indices from [0, n), uniformly among all k-subsets, returned in ascending order.
/// Robert Floyd's algorithm (Bentley & Floyd, CACM 1987): for j = n-k .. n-1, t = g.bounded(j + 1);
/// take t unless already taken, else take j. Exactly k draws; O(k log k) time and O(k) memory whatever
/// n is. Throws invalid_argument when k > n.
inline std::vector<std::uint64_t> sample_without_replacement(std::uint64_t n, std::uint64_t k, rng& g) {
    if (k > n) {
        throw invalid_argument("mldp::sample_without_replacement: cannot draw k = " + std::to_string(k) +
                               " distinct indices from n = " + std::to_string(n) + " (need k <= n)");
    }
    std::vector<std::uint64_t> out;
    if (k == 0) return out;
    out.reserve(static_cast<std::size_t>(k));
    // Membership set: open addressing over a power-of-two table at most half full. The probe order
    // affects speed only, never which indices are taken.
    std::size_t cap = 16;
    while (cap < 2 * k) cap <<= 1;
    constexpr std::uint64_t empty = (std::numeric_limits<std::uint64_t>::max)();
    std::vector<std::uint64_t> table(cap, empty);
    const std::size_t mask = cap - 1;
    auto insert_if_absent = [&](std::uint64_t v) {
        std::uint64_t h = v;
        std::size_t i = static_cast<std::size_t>(detail::splitmix64_next(h)) & mask;
        while (table[i] != empty) {
            if (table[i] == v) return false;
            i = (i + 1) & mask;
        }
        table[i] = v;
        return true;
    };
    for (std::uint64_t j = n - k; j < n; ++j) {
        const std::uint64_t t = g.bounded_unchecked(j + 1);
        if (insert_if_absent(t)) {
            out.push_back(t);
        } else {
            insert_if_absent(j);
            out.push_back(j);
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace mldp

// mldp — FarmHash Fingerprint64, the function behind BigQuery's FARM_FINGERPRINT.
//
// Header-only implementation of Google's FarmHash `util::Fingerprint64` (= farmhashna::Hash64, MIT
// licence, Copyright (c) 2014 Google, Inc.; algorithm by Geoff Pike), written from its published
// description. A fingerprint is frozen forever by its authors, which is what makes
// `ABS(MOD(FARM_FINGERPRINT(key), 10)) < 8` a repeatable split in SQL; mldp reproduces it bit for bit
// so that a C++ pipeline and a BigQuery query put every key in the same bucket.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <utility>

namespace mldp {
namespace detail::farm {

constexpr std::uint64_t k0 = 0xc3a5c85c97cb3127ULL;
constexpr std::uint64_t k1 = 0xb492b66fbe98f273ULL;
constexpr std::uint64_t k2 = 0x9ae16a3b2f90404fULL;

// FarmHash reads words little-endian whatever the host order is.
inline std::uint64_t fetch64(const char* p) noexcept {
    std::uint64_t v;
    std::memcpy(&v, p, sizeof v);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

inline std::uint32_t fetch32(const char* p) noexcept {
    std::uint32_t v;
    std::memcpy(&v, p, sizeof v);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap32(v);
#endif
    return v;
}

// Right rotation; callers never pass 0 (FarmHash guards it because a shift by 64 is undefined).
constexpr std::uint64_t rotr(std::uint64_t v, int s) noexcept { return (v >> s) | (v << (64 - s)); }

constexpr std::uint64_t shift_mix(std::uint64_t v) noexcept { return v ^ (v >> 47); }

// Murmur-inspired mixing of two words (FarmHash's HashLen16 with an explicit multiplier).
constexpr std::uint64_t hash_len16(std::uint64_t u, std::uint64_t v, std::uint64_t mul) noexcept {
    std::uint64_t a = (u ^ v) * mul;
    a ^= (a >> 47);
    std::uint64_t b = (v ^ a) * mul;
    b ^= (b >> 47);
    return b * mul;
}

inline std::uint64_t hash_len0to16(const char* s, std::size_t len) noexcept {
    if (len >= 8) {
        const std::uint64_t mul = k2 + len * 2;
        const std::uint64_t a = fetch64(s) + k2;
        const std::uint64_t b = fetch64(s + len - 8);
        const std::uint64_t c = rotr(b, 37) * mul + a;
        const std::uint64_t d = (rotr(a, 25) + b) * mul;
        return hash_len16(c, d, mul);
    }
    if (len >= 4) {
        const std::uint64_t mul = k2 + len * 2;
        const std::uint64_t a = fetch32(s);
        return hash_len16(len + (a << 3), fetch32(s + len - 4), mul);
    }
    if (len > 0) {
        const auto a = static_cast<unsigned char>(s[0]);
        const auto b = static_cast<unsigned char>(s[len >> 1]);
        const auto c = static_cast<unsigned char>(s[len - 1]);
        const std::uint32_t y = static_cast<std::uint32_t>(a) + (static_cast<std::uint32_t>(b) << 8);
        const std::uint32_t z = static_cast<std::uint32_t>(len) + (static_cast<std::uint32_t>(c) << 2);
        return shift_mix(y * k2 ^ z * k0) * k2;
    }
    return k2;
}

inline std::uint64_t hash_len17to32(const char* s, std::size_t len) noexcept {
    const std::uint64_t mul = k2 + len * 2;
    const std::uint64_t a = fetch64(s) * k1;
    const std::uint64_t b = fetch64(s + 8);
    const std::uint64_t c = fetch64(s + len - 8) * mul;
    const std::uint64_t d = fetch64(s + len - 16) * k2;
    return hash_len16(rotr(a + b, 43) + rotr(c, 30) + d, a + rotr(b + k2, 18) + c, mul);
}

inline std::uint64_t hash_len33to64(const char* s, std::size_t len) noexcept {
    const std::uint64_t mul = k2 + len * 2;
    const std::uint64_t a = fetch64(s) * k2;
    const std::uint64_t b = fetch64(s + 8);
    const std::uint64_t c = fetch64(s + len - 8) * mul;
    const std::uint64_t d = fetch64(s + len - 16) * k2;
    const std::uint64_t y = rotr(a + b, 43) + rotr(c, 30) + d;
    const std::uint64_t z = hash_len16(y, a + rotr(b + k2, 18) + c, mul);
    const std::uint64_t e = fetch64(s + 16) * mul;
    const std::uint64_t f = fetch64(s + 24);
    const std::uint64_t g = (y + fetch64(s + len - 32)) * mul;
    const std::uint64_t h = (z + fetch64(s + len - 24)) * mul;
    return hash_len16(rotr(e + f, 43) + rotr(g, 30) + h, e + rotr(f + a, 18) + g, mul);
}

struct word_pair {
    std::uint64_t first;
    std::uint64_t second;
};

// A 16-byte hash of 32 bytes plus two seeds; "quick and dirty" in FarmHash's words, mixed further
// by the caller.
inline word_pair weak_hash_len32_with_seeds(const char* s, std::uint64_t a, std::uint64_t b) noexcept {
    const std::uint64_t w = fetch64(s);
    const std::uint64_t x = fetch64(s + 8);
    const std::uint64_t y = fetch64(s + 16);
    const std::uint64_t z = fetch64(s + 24);
    a += w;
    b = rotr(b + a + z, 21);
    const std::uint64_t c = a;
    a += x;
    a += y;
    b += rotr(a, 44);
    return {a + z, b + c};
}

inline std::uint64_t hash64(const char* s, std::size_t len) noexcept {
    if (len <= 16) return hash_len0to16(s, len);
    if (len <= 32) return hash_len17to32(s, len);
    if (len <= 64) return hash_len33to64(s, len);

    // Longer inputs: 64-byte blocks through 56 bytes of state (v, w, x, y, z); the last block is the
    // final 64 bytes of the input, overlapping the previous one when len is not a multiple of 64.
    constexpr std::uint64_t seed = 81;
    std::uint64_t x = seed;
    std::uint64_t y = seed * k1 + 113;
    std::uint64_t z = shift_mix(y * k2 + 113) * k2;
    word_pair v{0, 0};
    word_pair w{0, 0};
    x = x * k2 + fetch64(s);

    const char* const end = s + ((len - 1) / 64) * 64;
    const char* const last64 = s + len - 64;
    do {
        x = rotr(x + y + v.first + fetch64(s + 8), 37) * k1;
        y = rotr(y + v.second + fetch64(s + 48), 42) * k1;
        x ^= w.second;
        y += v.first + fetch64(s + 40);
        z = rotr(z + w.first, 33) * k1;
        v = weak_hash_len32_with_seeds(s, v.second * k1, x + w.first);
        w = weak_hash_len32_with_seeds(s + 32, z + w.second, y + fetch64(s + 16));
        std::swap(z, x);
        s += 64;
    } while (s != end);
    const std::uint64_t mul = k1 + ((z & 0xff) << 1);
    s = last64;
    w.first += ((len - 1) & 63);
    v.first += w.first;
    w.first += v.first;
    x = rotr(x + y + v.first + fetch64(s + 8), 37) * mul;
    y = rotr(y + v.second + fetch64(s + 48), 42) * mul;
    x ^= w.second * 9;
    y += v.first * 9 + fetch64(s + 40);
    z = rotr(z + w.first, 33) * mul;
    v = weak_hash_len32_with_seeds(s, v.second * mul, x + w.first);
    w = weak_hash_len32_with_seeds(s + 32, z + w.second, y + fetch64(s + 16));
    std::swap(z, x);
    return hash_len16(hash_len16(v.first, w.first, mul) + shift_mix(y) * k0 + z,
                      hash_len16(v.second, w.second, mul) + x, mul);
}

}  // namespace detail::farm

/// FarmHash Fingerprint64 of `bytes`: equal to libfarmhash's `util::Fingerprint64` and to BigQuery's
/// FARM_FINGERPRINT, which prints the same 64 bits as a signed integer:
/// `static_cast<std::int64_t>(farm_fingerprint64("1footrue")) == -1541654101129638711`.
/// Frozen output; O(n); never throws.
inline std::uint64_t farm_fingerprint64(std::string_view bytes) noexcept {
    return detail::farm::hash64(bytes.data(), bytes.size());
}

}  // namespace mldp

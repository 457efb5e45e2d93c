// mldp — stable 64-bit hashing (XXH3-64) and the canonical encoding of typed values.
//
// Every hash mldp puts on a result path (hash splits, row digests, derived seeds) goes through this
// header, so that the same bytes give the same number on every compiler, standard library, CPU and
// release. XXH3-64 is used in libxxhash's header-only mode (XXH_INLINE_ALL): the hash is inlined into
// the caller and there is no library to link.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

#ifndef XXH_INLINE_ALL
#define XXH_INLINE_ALL
#define MLDP_DEFINED_XXH_INLINE_ALL_
#endif
#include <xxhash.h>
#ifdef MLDP_DEFINED_XXH_INLINE_ALL_
#undef XXH_INLINE_ALL
#undef MLDP_DEFINED_XXH_INLINE_ALL_
#endif

namespace mldp {

/// XXH3-64 of `bytes` with `seed`: equal to libxxhash's XXH3_64bits (seed 0) and
/// XXH3_64bits_withSeed. Its output is frozen by the XXH3 specification (xxhash >= 0.8.0), so it may
/// be stored and compared across machines and versions. O(n); never throws.
inline std::uint64_t hash64(std::string_view bytes, std::uint64_t seed = 0) noexcept {
    return static_cast<std::uint64_t>(XXH3_64bits_withSeed(bytes.data(), bytes.size(), seed));
}

namespace detail {

/// XXH3-64 of a value's canonical 8-byte little-endian encoding: XXH3_64bits_withSeed(bytes, 8,
/// seed), written out. For 4 to 8 bytes the specification (xxhash 0.8, XXH3_len_4to8_64b) keys the
/// input, read as the two little-endian 32-bit halves swapped, with two words of the default secret
/// minus a seed-derived word, then mixes it with rrmxmx. Here it is a few inline integer operations,
/// where the library's entry point is a call with a length dispatch (about 4x slower in the row-hashing
/// loops); tests/core/hash_test.cpp checks it against libxxhash.
inline std::uint64_t hash_le64(std::uint64_t v, std::uint64_t seed) noexcept {
    constexpr std::uint64_t secret_8 = 0x1cad21f72c81017cULL;   // XXH3_kSecret bytes 8..15, little-endian
    constexpr std::uint64_t secret_16 = 0xdb979083e96dd4deULL;  // bytes 16..23
    constexpr std::uint64_t prime_mx2 = 0x9FB21C651E98DF25ULL;
    const auto low = static_cast<std::uint32_t>(seed);
    const std::uint32_t swapped = (low >> 24) | ((low >> 8) & 0xFF00U) | ((low << 8) & 0xFF0000U) | (low << 24);
    seed ^= static_cast<std::uint64_t>(swapped) << 32;
    std::uint64_t h = ((v >> 32) | (v << 32)) ^ ((secret_8 ^ secret_16) - seed);
    h ^= ((h << 49) | (h >> 15)) ^ ((h << 24) | (h >> 40));
    h *= prime_mx2;
    h ^= (h >> 35) + 8;
    h *= prime_mx2;
    return h ^ (h >> 28);
}

/// Bits of the canonical double: -0.0 becomes +0.0 and every NaN becomes the quiet NaN
/// 0x7FF8000000000000, so that values that compare equal (or are both missing) hash equally.
inline std::uint64_t canonical_double_bits(double x) noexcept {
    if (x != x) return 0x7FF8000000000000ULL;
    if (x == 0.0) return 0;
    std::uint64_t bits;
    std::memcpy(&bits, &x, sizeof bits);
    return bits;
}

}  // namespace detail

/// Canonical 64-bit encoding of a typed value, hashed with XXH3-64:
///   - integers (and bool) of any width: the value as 8 little-endian bytes, two's complement for
///     signed types (so int32 5, uint64 5 and int64 5 all hash like the bytes 05 00 00 00 00 00 00 00);
///   - float and double: the IEEE-754 binary64 bits of the value as 8 little-endian bytes, with -0.0
///     mapped to +0.0 and every NaN to 0x7FF8000000000000 (floats are widened to double first, exactly);
///   - strings (std::string, std::string_view, const char*): their bytes, no terminator, no length prefix.
/// The encoding is part of mldp's stable format; hash_split and row digests depend on it.
template <class T>
std::uint64_t hash_value(const T& value, std::uint64_t seed = 0) noexcept {
    if constexpr (std::is_integral_v<T>) {
        if constexpr (std::is_signed_v<T>) {
            return detail::hash_le64(static_cast<std::uint64_t>(static_cast<std::int64_t>(value)), seed);
        } else {
            return detail::hash_le64(static_cast<std::uint64_t>(value), seed);
        }
    } else if constexpr (std::is_floating_point_v<T>) {
        static_assert(sizeof(T) <= sizeof(double),
                      "mldp::hash_value: long double has no portable canonical encoding; convert to double");
        return detail::hash_le64(detail::canonical_double_bits(static_cast<double>(value)), seed);
    } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
        return hash64(std::string_view(value), seed);
    } else {
        static_assert(std::is_integral_v<T> || std::is_floating_point_v<T> ||
                          std::is_convertible_v<const T&, std::string_view>,
                      "mldp::hash_value accepts integers, floating-point values and strings");
        return 0;
    }
}

}  // namespace mldp

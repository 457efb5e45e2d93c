#include "mldp/core/hash.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace {

std::string_view bytes(const unsigned char (&b)[8]) { return {reinterpret_cast<const char*>(b), 8}; }

}  // namespace

// XXH3-64 of the empty input with seed 0 is 0x2D06800538D394C2 (xxHash's specification,
// doc/xxhash_spec.md, and its sanity-check table tests/sanity_test_vectors.h).
TEST_CASE("hash64 of the empty string is XXH3's published value") {
    CHECK(mldp::hash64("") == 0x2D06800538D394C2ULL);
    CHECK(mldp::hash64(std::string_view()) == 0x2D06800538D394C2ULL);
    // XXH3 with seed 0 is the unseeded function by definition.
    CHECK(mldp::hash64("abc", 0) == mldp::hash64("abc"));
    CHECK(mldp::hash64("abc", 1) != mldp::hash64("abc"));
}

TEST_CASE("hash64 over a string_view hashes exactly its bytes") {
    const std::string s("ab\0cd", 5);
    CHECK(mldp::hash64(s) == mldp::hash64(std::string_view(s.data(), s.size())));
    CHECK(mldp::hash64(s) != mldp::hash64("ab"));  // embedded NUL is part of the input
}

TEST_CASE("hash_value: integers are 8 little-endian bytes whatever their width and signedness") {
    const unsigned char five[8] = {5, 0, 0, 0, 0, 0, 0, 0};
    const std::uint64_t h5 = mldp::hash64(bytes(five));
    CHECK(mldp::hash_value(std::int8_t{5}) == h5);
    CHECK(mldp::hash_value(std::int32_t{5}) == h5);
    CHECK(mldp::hash_value(std::uint16_t{5}) == h5);
    CHECK(mldp::hash_value(std::int64_t{5}) == h5);
    CHECK(mldp::hash_value(std::uint64_t{5}) == h5);
    CHECK(mldp::hash_value(true) == mldp::hash_value(1));

    const unsigned char minus_one[8] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    CHECK(mldp::hash_value(std::int32_t{-1}) == mldp::hash64(bytes(minus_one)));  // sign-extended
    const unsigned char big[8] = {0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01};
    CHECK(mldp::hash_value(std::uint64_t{0x0102030405060708ULL}) == mldp::hash64(bytes(big)));
    CHECK(mldp::hash_value(std::uint64_t{7}, 99) == mldp::hash64(std::string_view("\x07\0\0\0\0\0\0\0", 8), 99));
}

// hash_value of 8-byte encodings computes XXH3's 4-to-8-byte path inline; libxxhash's own entry point
// over the same little-endian bytes is the oracle, for values and seeds with every byte pattern.
TEST_CASE("hash_value of 8-byte values equals libxxhash's XXH3_64bits_withSeed") {
    std::uint64_t x = 0x9E3779B97F4A7C15ULL;
    auto next = [&x] {  // splitmix64: a fixed sequence of well-spread 64-bit words
        std::uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    };
    std::vector<std::uint64_t> values{0, 1, 0xFF, 0x80000000ULL, 0xFFFFFFFFULL, 0x100000000ULL, ~0ULL, 0x7FF8000000000000ULL};
    std::vector<std::uint64_t> seeds{0, 1, 0xFFFFFFFFULL, 0x100000000ULL, ~0ULL, 0x12345678ULL};
    for (int i = 0; i < 2000; ++i) values.push_back(next());
    for (int i = 0; i < 50; ++i) seeds.push_back(next());
    std::size_t mismatches = 0;
    for (std::uint64_t seed : seeds) {
        for (std::uint64_t v : values) {
            unsigned char le[8];
            for (int b = 0; b < 8; ++b) le[b] = static_cast<unsigned char>(v >> (8 * b));
            const auto expected = static_cast<std::uint64_t>(XXH3_64bits_withSeed(le, 8, seed));
            if (mldp::hash_value(v, seed) != expected) ++mismatches;
        }
    }
    CHECK(mismatches == 0);
}

TEST_CASE("hash_value: doubles hash their canonical IEEE-754 bits") {
    // 1.0 is 0x3FF0000000000000.
    const unsigned char one[8] = {0, 0, 0, 0, 0, 0, 0xf0, 0x3f};
    CHECK(mldp::hash_value(1.0) == mldp::hash64(bytes(one)));
    CHECK(mldp::hash_value(1.0f) == mldp::hash_value(1.0));  // floats widen exactly
    CHECK(mldp::hash_value(-0.0) == mldp::hash_value(0.0));
    const unsigned char zero[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    CHECK(mldp::hash_value(-0.0) == mldp::hash64(bytes(zero)));

    const double qnan = std::numeric_limits<double>::quiet_NaN();
    const double neg_nan = -qnan;
    const double payload_nan = std::nan("0x1234");
    const unsigned char canonical_nan[8] = {0, 0, 0, 0, 0, 0, 0xf8, 0x7f};
    CHECK(mldp::hash_value(qnan) == mldp::hash64(bytes(canonical_nan)));
    CHECK(mldp::hash_value(neg_nan) == mldp::hash_value(qnan));
    CHECK(mldp::hash_value(payload_nan) == mldp::hash_value(qnan));
    CHECK(mldp::hash_value(std::numeric_limits<float>::quiet_NaN()) == mldp::hash_value(qnan));
    CHECK(mldp::hash_value(std::numeric_limits<double>::infinity()) !=
          mldp::hash_value(-std::numeric_limits<double>::infinity()));
    // An integer and the double of the same value are different encodings.
    CHECK(mldp::hash_value(1) != mldp::hash_value(1.0));
}

TEST_CASE("hash_value: strings hash their bytes without terminator or length") {
    CHECK(mldp::hash_value(std::string("key-1")) == mldp::hash64("key-1"));
    CHECK(mldp::hash_value(std::string_view("key-1")) == mldp::hash64("key-1"));
    CHECK(mldp::hash_value("key-1") == mldp::hash64("key-1"));
    CHECK(mldp::hash_value(std::string("key-1"), 42) == mldp::hash64("key-1", 42));
}

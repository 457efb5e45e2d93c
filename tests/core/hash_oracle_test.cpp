// mldp's header-only hashes against the reference libraries (Debian's libxxhash and libfarmhash),
// on random byte strings of every length 0..200 and on longer ones that reach XXH3's long-input path
// (> 240 bytes) and FarmHash's 64-byte block loop.
#include "mldp/core/farmhash.hpp"
#include "mldp/core/hash.hpp"
#include "mldp/core/random.hpp"

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "../oracles/reference_hashes.hpp"

namespace {

std::string random_bytes(mldp::rng& g, std::size_t len) {
    std::string s(len, '\0');
    for (auto& c : s) c = static_cast<char>(g.next_u64() & 0xff);
    return s;
}

}  // namespace

TEST_CASE("hash64 equals libxxhash's XXH3_64bits and XXH3_64bits_withSeed on 1e5 random strings") {
    mldp::rng g{mldp::seed_sequence{2024}.derive("xxh3-oracle")};
    std::size_t mismatches = 0;
    for (std::size_t i = 0; i < 100000; ++i) {
        const std::string s = random_bytes(g, i % 201);
        const std::uint64_t seed = (i % 3 == 0) ? 0 : g.next_u64();
        mismatches += mldp::hash64(s, seed) != oracle::libxxhash_xxh3_64(s.data(), s.size(), seed);
    }
    CHECK(mismatches == 0);
    for (std::size_t len = 201; len < 4200; len += 13) {
        const std::string s = random_bytes(g, len);
        CHECK(mldp::hash64(s) == oracle::libxxhash_xxh3_64(s.data(), s.size(), 0));
        CHECK(mldp::hash64(s, len) == oracle::libxxhash_xxh3_64(s.data(), s.size(), len));
    }
}

TEST_CASE("farm_fingerprint64 equals libfarmhash's util::Fingerprint64 on 1e5 random strings") {
    mldp::rng g{mldp::seed_sequence{2024}.derive("farmhash-oracle")};
    std::size_t mismatches = 0;
    for (std::size_t i = 0; i < 100000; ++i) {
        const std::string s = random_bytes(g, i % 201);
        mismatches += mldp::farm_fingerprint64(s) != oracle::libfarmhash_fingerprint64(s.data(), s.size());
    }
    CHECK(mismatches == 0);
    for (std::size_t len = 201; len < 4200; len += 13) {
        const std::string s = random_bytes(g, len);
        CHECK(mldp::farm_fingerprint64(s) == oracle::libfarmhash_fingerprint64(s.data(), s.size()));
    }
}

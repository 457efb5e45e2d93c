// hash_split's farm_fingerprint buckets against libfarmhash's util::Fingerprint64 (Debian
// libfarmhash-dev), which BigQuery's FARM_FINGERPRINT is.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "../oracles/reference_hashes.hpp"
#include "mldp/core/random.hpp"
#include "mldp/split/hash.hpp"

TEST_CASE("farm_fingerprint bucketing agrees with libfarmhash on 1e5 random keys") {
    mldp::rng g(20261129);
    const mldp::split::hash_options o{mldp::split::hash_kind::farm_fingerprint, 10, ""};
    const mldp::split::hash_options o1000{mldp::split::hash_kind::farm_fingerprint, 1000, "salt:"};
    std::vector<std::string> keys;
    for (int i = 0; i < 100000; ++i) {
        std::string k;
        const auto len = g.bounded(40);
        for (std::uint64_t j = 0; j < len; ++j) k.push_back(static_cast<char>(32 + g.bounded(95)));
        if (i % 3 == 0) k = std::to_string(static_cast<std::int64_t>(g.next_u64()));
        keys.push_back(std::move(k));
    }
    auto reference = [](const std::string& s, std::int64_t b) {
        const auto fp = static_cast<std::int64_t>(oracle::libfarmhash_fingerprint64(s.data(), s.size()));
        const std::int64_t m = fp % b;  // BigQuery MOD truncates toward zero
        return static_cast<std::uint32_t>(m < 0 ? -m : m);
    };
    std::size_t mismatches = 0;
    for (const auto& k : keys) {
        mismatches += mldp::split::hash_bucket(k, o) != reference(k, 10);
        mismatches += mldp::split::hash_bucket(k, o1000) != reference("salt:" + k, 1000);
    }
    CHECK(mismatches == 0);
    const auto r = mldp::split::hash_split(keys, mldp::split::fractions{0.8, 0.1, 0.1}, o);
    for (std::size_t i = 0; i < keys.size(); ++i) {
        const auto b = reference(keys[i], 10);
        const auto want = b < 8 ? mldp::split::subset::train : b < 9 ? mldp::split::subset::validation
                                                                     : mldp::split::subset::test;
        REQUIRE(r.subset_of(i) == want);
    }
}

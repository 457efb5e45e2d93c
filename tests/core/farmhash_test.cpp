#include "mldp/core/farmhash.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <string_view>

// BigQuery documents FARM_FINGERPRINT with these values (GoogleSQL reference, "Hash functions",
// FARM_FINGERPRINT example over CONCAT(CAST(x AS STRING), y, CAST(z AS STRING))):
//   1, "foo", true    -> "1footrue"    -> -1541654101129638711
//   2, "apple", false -> "2applefalse" ->  2794438866806483259
//   3, "", true       -> "3true"       -> -4880158226897771312
TEST_CASE("farm_fingerprint64 equals BigQuery's FARM_FINGERPRINT") {
    CHECK(static_cast<std::int64_t>(mldp::farm_fingerprint64("1footrue")) == -1541654101129638711LL);
    CHECK(static_cast<std::int64_t>(mldp::farm_fingerprint64("2applefalse")) == 2794438866806483259LL);
    CHECK(static_cast<std::int64_t>(mldp::farm_fingerprint64("3true")) == -4880158226897771312LL);
}

TEST_CASE("farm_fingerprint64 of the empty input is FarmHash's k2 constant") {
    // farmhashna::HashLen0to16 returns k2 for len == 0 (farmhash.cc).
    CHECK(mldp::farm_fingerprint64("") == 0x9ae16a3b2f90404fULL);
}

TEST_CASE("farm_fingerprint64 reads only the given bytes") {
    const char buf[] = "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789";
    for (std::size_t n = 0; n < sizeof buf - 1; ++n) {
        std::string copy(buf, n);  // a separate allocation: no bytes after the end to peek at
        CHECK(mldp::farm_fingerprint64(std::string_view(buf, n)) == mldp::farm_fingerprint64(copy));
    }
}

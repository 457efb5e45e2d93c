// Reference implementations mldp's hashing is checked against: libxxhash (Debian libxxhash-dev) and
// libfarmhash (Debian libfarmhash-dev), called out of line from their shared libraries.
#pragma once

#include <cstddef>
#include <cstdint>

namespace oracle {

std::uint64_t libxxhash_xxh3_64(const void* data, std::size_t size, std::uint64_t seed);
std::uint64_t libfarmhash_fingerprint64(const char* data, std::size_t size);

}  // namespace oracle

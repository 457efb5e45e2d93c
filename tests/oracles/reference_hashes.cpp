// Deliberately includes xxhash.h without XXH_INLINE_ALL: these calls go to libxxhash.so.
#include "reference_hashes.hpp"

#include <farmhash.h>
#include <xxhash.h>

namespace oracle {

std::uint64_t libxxhash_xxh3_64(const void* data, std::size_t size, std::uint64_t seed) {
    return seed == 0 ? XXH3_64bits(data, size) : XXH3_64bits_withSeed(data, size, seed);
}

std::uint64_t libfarmhash_fingerprint64(const char* data, std::size_t size) {
    return util::Fingerprint64(data, size);
}

}  // namespace oracle

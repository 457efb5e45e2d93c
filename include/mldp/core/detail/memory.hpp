// mldp — private: large result buffers backed by transparent huge pages where Linux offers them.
//
// A fresh multi-megabyte std::vector is returned by mmap and faulted in 4 KiB page by page on first
// write; on virtual machines each fault can cost several microseconds, so filling an 80 MB index
// vector can take 20x longer than computing its contents. Advising the kernel (MADV_HUGEPAGE) before
// the first write lets it back the buffer with 2 MiB pages: 512 times fewer faults. This is what
// glibc's glibc.malloc.hugetlb=1 tunable does for every allocation; mldp does it only for its own
// large outputs. The advice never changes contents or results; where it is unsupported it is a no-op.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace mldp::detail {

/// Advises huge pages for the 2 MiB-aligned interior of [p, p + bytes) when it spans at least 4 MiB.
inline void advise_huge_pages(const void* p, std::size_t bytes) noexcept {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    constexpr std::uintptr_t huge = std::uintptr_t{1} << 21;
    if (bytes < 2 * huge) return;
    const auto begin = reinterpret_cast<std::uintptr_t>(p);
    const std::uintptr_t first = (begin + huge - 1) & ~(huge - 1);
    const std::uintptr_t last = (begin + bytes) & ~(huge - 1);
    if (last > first) (void)::madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
#else
    (void)p;
    (void)bytes;
#endif
}

/// v.reserve(n), with huge-page advice for a large new buffer (call before the first write).
template <class T>
void reserve_large(std::vector<T>& v, std::size_t n) {
    if (n <= v.capacity()) return;
    v.reserve(n);
    advise_huge_pages(v.data(), v.capacity() * sizeof(T));
}

/// A vector of n value-initialised elements whose buffer is advised before it is written.
template <class T>
std::vector<T> large_vector(std::size_t n) {
    std::vector<T> v;
    reserve_large(v, n);
    v.resize(n);
    return v;
}

}  // namespace mldp::detail

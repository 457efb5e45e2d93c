// mldp — private: picking a kernel's instruction-set variant at run time.
//
// Users compile mldp for their baseline (x86-64: SSE2). A few kernels are also compiled, from the same
// body, for AVX2 and AVX-512F with GCC/clang target attributes, and the best one the CPU runs is picked
// once. Every variant of a kernel computes the same result bit for bit (integer counts and positions,
// or arithmetic with contraction off); the tests run every variant the CPU has. The BCE kernel picks
// its own variants (loss/detail/bce_kernel.hpp): its AVX2 variant also needs FMA, and its SSE2
// variant, for CPUs without AVX2 + FMA, rounds products separately.
#pragma once

#include <vector>

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define MLDP_X86_DISPATCH 1
#else
#define MLDP_X86_DISPATCH 0
#endif

namespace mldp::detail {

/// The variants of a kernel this CPU can run, baseline first, best last: `baseline`, then `avx2` and
/// `avx512` where given (not null) and the CPU has AVX2 / AVX-512F.
template <class Fn>
std::vector<Fn> cpu_variants(Fn baseline, Fn avx2 = nullptr, Fn avx512 = nullptr) {
    std::vector<Fn> out{baseline};
#if MLDP_X86_DISPATCH
    if (avx2 != nullptr && __builtin_cpu_supports("avx2")) out.push_back(avx2);
    if (avx512 != nullptr && __builtin_cpu_supports("avx512f")) out.push_back(avx512);
#else
    (void)avx2;
    (void)avx512;
#endif
    return out;
}

/// The last of cpu_variants(baseline, avx2, avx512), without building the list.
template <class Fn>
Fn cpu_best(Fn baseline, Fn avx2 = nullptr, Fn avx512 = nullptr) noexcept {
#if MLDP_X86_DISPATCH
    if (avx512 != nullptr && __builtin_cpu_supports("avx512f")) return avx512;
    if (avx2 != nullptr && __builtin_cpu_supports("avx2")) return avx2;
#else
    (void)avx2;
    (void)avx512;
#endif
    return baseline;
}

}  // namespace mldp::detail

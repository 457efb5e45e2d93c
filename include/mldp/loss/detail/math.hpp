// mldp — private: compilation settings and bit helpers shared by the loss kernels (the arithmetic
// of the fused BCE kernel is in bce_kernel.hpp).
#pragma once

#include <cstdint>
#include <cstring>

// GCC, under its default -ftrapping-math, refuses to if-convert the selects below and leaves the
// loops that use them scalar; clang vectorises them as they are. Trapping math only concerns
// floating-point exception flags, never values, so the kernels (and only they: push/pop) are
// compiled without it. Contraction into FMA is switched off there too (clang: the pragma in the
// kernel bodies), and the BCE kernel asks for its fused multiply-adds explicitly (bce_kernel.hpp).
// clang's -ffp-contract=fast overrides the pragma: only the BCE kernel shields its products from it.
#if defined(__GNUC__) && !defined(__clang__)
#define MLDP_LOSS_KERNELS_BEGIN \
    _Pragma("GCC push_options") _Pragma("GCC optimize(\"no-trapping-math\", \"fp-contract=off\")")
#define MLDP_LOSS_KERNELS_END _Pragma("GCC pop_options")
#else
#define MLDP_LOSS_KERNELS_BEGIN
#define MLDP_LOSS_KERNELS_END
#endif

// Clang takes contraction per function body: every kernel function starts with this.
#if defined(__clang__)
#define MLDP_LOSS_NO_CONTRACT _Pragma("clang fp contract(off)")
#else
#define MLDP_LOSS_NO_CONTRACT
#endif

#if defined(__GNUC__)
#define MLDP_LOSS_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define MLDP_LOSS_ALWAYS_INLINE inline
#endif

MLDP_LOSS_KERNELS_BEGIN
namespace mldp::loss::detail {

MLDP_LOSS_ALWAYS_INLINE std::uint64_t bits_of(double x) noexcept {
    std::uint64_t u;
    std::memcpy(&u, &x, sizeof u);
    return u;
}

MLDP_LOSS_ALWAYS_INLINE double double_of(std::uint64_t u) noexcept {
    double x;
    std::memcpy(&x, &u, sizeof x);
    return x;
}

}  // namespace mldp::loss::detail
MLDP_LOSS_KERNELS_END

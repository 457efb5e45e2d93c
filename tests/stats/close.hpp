// Relative comparison for oracle values (doctest::Approx adds an absolute term of epsilon, which would
// make tiny p-values pass whatever they are).
#pragma once

#include <cmath>

namespace oracle {

/// |a - b| <= rtol * |b|, with infinities and NaN equal only to themselves.
inline bool close(double a, double b, double rtol) {
    if (std::isnan(b)) return std::isnan(a);
    if (std::isinf(b)) return a == b;
    return std::fabs(a - b) <= rtol * std::fabs(b);
}

}  // namespace oracle

#define CHECK_CLOSE(a, b, rtol)                                                     \
    do {                                                                            \
        const double mldp_check_a_ = (a), mldp_check_b_ = (b);                      \
        INFO(#a " = " << mldp_check_a_ << ", expected " << mldp_check_b_);          \
        CHECK(oracle::close(mldp_check_a_, mldp_check_b_, (rtol)));                 \
    } while (false)

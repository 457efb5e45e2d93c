// mldp — private: River's running statistics (stats.Mean, stats.Var, stats.EWMean), with the same
// arithmetic in the same order, so that the detectors built on them flag the same samples.
#pragma once

#include <cmath>
#include <string>

#include <fmt/format.h>

#include "mldp/core/detail/portable_math.hpp"
#include "mldp/core/error.hpp"

namespace mldp::drift::detail {

/// river.stats.Mean: n += 1; mean += (x - mean) / n.
struct running_mean {
    double n = 0;
    double mean = 0;
    void update(double x) noexcept {
        n += 1.0;
        mean += (x - mean) / n;
    }
};

/// river.stats.Var(ddof = 1): sigma += ((x - old_mean) (x - new_mean) - sigma) / (n - 1).
struct running_var {
    running_mean m;
    double sigma = 0;
    void update(double x) noexcept {
        const double old_mean = m.mean;
        m.update(x);
        if (m.n > 1.0) sigma += (mldp::detail::fp_barrier((x - old_mean) * (x - m.mean)) - sigma) / (m.n - 1.0);
    }
};

/// river.stats.EWMean (River >= 0.24): the first value initialises the mean, then
/// mean = alpha x + (1 - alpha) mean.
struct ew_mean {
    double alpha = 0.5;
    double one_minus_alpha = 0.5;
    double mean = 0;
    bool initialized = false;
    void update(double x) noexcept {
        if (!initialized) {
            mean = x;
            initialized = true;
        } else {
            mean = mldp::detail::fp_barrier(alpha * x) + mldp::detail::fp_barrier(one_minus_alpha * mean);
        }
    }
};

/// Detectors take finite inputs only; NaN or infinity is a data_error naming the detector.
inline void require_finite_input(double x, const char* detector) {
    if (!std::isfinite(x)) {
        throw data_error("", data_error::no_row, fmt::format("{}: input {} is not finite", detector, x));
    }
}

}  // namespace mldp::drift::detail

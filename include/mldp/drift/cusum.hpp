// mldp — the tabular CUSUM chart (Page, "Continuous inspection schemes", Biometrika 1954; as in
// Montgomery, "Introduction to Statistical Quality Control", section 9.1): two one-sided cumulative
// sums of standardised deviations from a target mean.
#pragma once

#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "mldp/core/detail/portable_math.hpp"
#include "mldp/core/error.hpp"
#include "mldp/drift/detail/running.hpp"

namespace mldp::drift {

/// CUSUM's parameters. Target and sigma describe the in-control process; when left NaN they are
/// estimated from the first `warm_up` values (mean and sample standard deviation), which are not
/// tested.
struct cusum_options {
    double target = std::numeric_limits<double>::quiet_NaN();  ///< in-control mean mu0
    double sigma = std::numeric_limits<double>::quiet_NaN();   ///< in-control standard deviation
    double k = 0.5;    ///< reference value (slack), in sigmas: half the shift to detect
    double h = 5.0;    ///< decision interval, in sigmas
    int warm_up = 30;  ///< values used to estimate target / sigma when they are not given
};

/// C+ = max(0, C+ + z - k), C- = max(0, C- - z - k) with z = (x - target) / sigma; a drift when
/// either exceeds h (upward() / downward() tell which). With k = 0.5 and h = 5 the in-control average
/// run length is about 465 and a one-sigma shift is found after about 10 values (Montgomery, Table
/// 9.3). update() is O(1), allocation-free; the detector restarts (sums, and estimates if it made
/// them) on the update after a drift. Throws invalid_argument for bad options and data_error for a
/// non-finite input.
class cusum {
public:
    explicit cusum(const cusum_options& o = {}) : o_(o) {
        if (!(o.k >= 0) || !(o.h > 0) || o.warm_up < 2 || (std::isfinite(o.sigma) && !(o.sigma > 0)) ||
            std::isinf(o.target) || std::isinf(o.sigma)) {
            throw invalid_argument("mldp::drift::cusum: need k >= 0, h > 0, warm_up >= 2, sigma > 0 when given, finite target");
        }
        clear();
    }

    bool update(double x) {
        detail::require_finite_input(x, "mldp::drift::cusum");
        if (drift_) clear();
        if (estimating_) {
            warm_.update(x);
            if (warm_.m.n < static_cast<double>(o_.warm_up)) return false;
            if (std::isnan(o_.target)) target_ = warm_.m.mean;
            if (std::isnan(o_.sigma)) sigma_ = std::sqrt(warm_.sigma);
            estimating_ = false;
            if (!(sigma_ > 0)) sigma_ = 1.0;  // a constant warm-up: any change is a shift in raw units
            return false;
        }
        const double z = (x - target_) / sigma_;
        upper_ = (std::max)(0.0, upper_ + z - o_.k);
        lower_ = (std::max)(0.0, lower_ - z - o_.k);
        up_ = upper_ > o_.h;
        down_ = lower_ > o_.h;
        drift_ = up_ || down_;
        return drift_;
    }

    bool drift_detected() const noexcept { return drift_; }
    bool upward() const noexcept { return up_; }
    bool downward() const noexcept { return down_; }
    double upper_sum() const noexcept { return upper_; }
    double lower_sum() const noexcept { return lower_; }

private:
    void clear() noexcept {
        drift_ = up_ = down_ = false;
        upper_ = lower_ = 0.0;
        target_ = o_.target;
        sigma_ = o_.sigma;
        estimating_ = std::isnan(o_.target) || std::isnan(o_.sigma);
        warm_ = {};
    }

    cusum_options o_;
    detail::running_var warm_;
    double target_ = 0, sigma_ = 1, upper_ = 0, lower_ = 0;
    bool estimating_ = false, drift_ = false, up_ = false, down_ = false;
};

}  // namespace mldp::drift

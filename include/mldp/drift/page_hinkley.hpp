// mldp — the Page-Hinkley test (Page, "Continuous inspection schemes", Biometrika 1954), exactly as
// River computes it (river.drift.PageHinkley), plus an option that scales by the running standard
// deviation so one threshold suits streams of any spread.
#pragma once

#include <cmath>

#include <fmt/format.h>

#include "mldp/core/detail/portable_math.hpp"
#include "mldp/core/error.hpp"
#include "mldp/drift/detail/running.hpp"

namespace mldp::drift {

/// Which changes of the mean Page-Hinkley watches.
enum class ph_mode { up, down, both };

/// Page-Hinkley's parameters, with River's defaults.
struct page_hinkley_options {
    int min_instances = 30;     ///< values before any test (the current one included)
    double delta = 0.005;       ///< tolerated drift per value
    double threshold = 50.0;    ///< lambda: a cumulative deviation above this is a drift
    double alpha = 1 - 0.0001;  ///< forgetting factor of the cumulative sums
    ph_mode mode = ph_mode::both;
    /// false: River's test, on raw deviations (its fixed threshold fires every ~1,600 values on
    /// N(0, 1) and never on N(0, 0.1)). true: each deviation is divided by the running standard
    /// deviation (sample, ddof 1; 1 until two values are seen), so delta and threshold are in units
    /// of the stream's own spread.
    bool scale_by_std = false;
};

/// Page-Hinkley test: with m the running mean and dev = x - m, the sums
/// up = alpha up + dev - delta and down = alpha down + dev + delta are compared with their running
/// extremes; up - min(up) > threshold (mode up or both) or max(down) - down > threshold (down or both)
/// is a drift. update() is O(1), allocation-free; the detector restarts on the update after a drift.
/// Throws invalid_argument for bad options and data_error for a non-finite input.
class page_hinkley {
public:
    explicit page_hinkley(const page_hinkley_options& o = {}) : o_(o) {
        if (o.min_instances < 0 || !(o.delta >= 0) || !(o.threshold > 0) || !(o.alpha > 0 && o.alpha <= 1)) {
            throw invalid_argument("mldp::drift::page_hinkley: need min_instances >= 0, delta >= 0, threshold > 0, alpha in (0, 1]");
        }
        clear();
    }

    bool update(double x) {
        detail::require_finite_input(x, "mldp::drift::page_hinkley");
        if (drift_) clear();
        mean_.update(x);
        double dev = x - mean_.m.mean;
        if (o_.scale_by_std) {
            const double sd = mean_.m.n > 1.0 ? std::sqrt(mean_.sigma) : 0.0;
            if (sd > 0) dev /= sd;
        }
        up_ = mldp::detail::fp_barrier(o_.alpha * up_) + dev - o_.delta;
        down_ = mldp::detail::fp_barrier(o_.alpha * down_) + dev + o_.delta;
        if (up_ < min_up_) min_up_ = up_;
        if (down_ > max_down_) max_down_ = down_;
        if (mean_.m.n >= static_cast<double>(o_.min_instances)) {
            const double inc = up_ - min_up_;
            const double dec = max_down_ - down_;
            drift_ = (o_.mode != ph_mode::down && inc > o_.threshold) || (o_.mode != ph_mode::up && dec > o_.threshold);
        }
        return drift_;
    }

    bool drift_detected() const noexcept { return drift_; }

private:
    void clear() noexcept {
        drift_ = false;
        mean_ = {};
        up_ = down_ = 0.0;
        min_up_ = INFINITY;
        max_down_ = -1.0;  // River's initial value
    }

    page_hinkley_options o_;
    detail::running_var mean_;  // River's mean; the variance serves scale_by_std
    double up_ = 0, down_ = 0, min_up_ = INFINITY, max_down_ = -1.0;
    bool drift_ = false;
};

}  // namespace mldp::drift

// mldp — DDM and EDDM, the drift detection methods for a stream of errors (1) and successes (0), exactly
// as River computes them (river.drift.binary.DDM and EDDM).
#pragma once

#include <cmath>
#include <cstdint>

#include <fmt/format.h>

#include "mldp/core/detail/portable_math.hpp"
#include "mldp/core/error.hpp"
#include "mldp/drift/detail/running.hpp"

namespace mldp::drift {

/// DDM's parameters, with River's defaults.
struct ddm_options {
    int warm_start = 30;             ///< samples before any test
    double warning_threshold = 2.0;  ///< warning when p + s > p_min + w s_min
    double drift_threshold = 3.0;    ///< drift when p + s > p_min + d s_min
};

/// Drift Detection Method (Gama, Medas, Castillo & Rodrigues, SBIA 2004): tracks the error rate p and
/// its binomial standard deviation s = sqrt(p (1 - p) / n), remembers the minimum of p + s, and signals
/// a warning or a drift when p + s rises w or d standard deviations above it. Input: 1 = error,
/// 0 = correct (any value is averaged as River does). update() is O(1), allocation-free; after a
/// drift the detector restarts on the next update. Throws invalid_argument for bad options and
/// data_error for a non-finite input.
class ddm {
public:
    explicit ddm(const ddm_options& o = {}) : o_(o) {
        if (o.warm_start < 0 || !(o.warning_threshold > 0) || !(o.drift_threshold >= o.warning_threshold)) {
            throw invalid_argument("mldp::drift::ddm: need warm_start >= 0 and 0 < warning_threshold <= drift_threshold");
        }
        clear();
    }

    bool update(double x) {
        detail::require_finite_input(x, "mldp::drift::ddm");
        if (drift_) clear();
        p_.update(x);
        const double p = p_.mean, n = p_.n;
        const double s = std::sqrt(p * (1 - p) / n);
        if (n > static_cast<double>(o_.warm_start)) {
            if (p + s <= ps_min_) {
                p_min_ = p;
                s_min_ = s;
                ps_min_ = p_min_ + s_min_;
            }
            warning_ = p + s > p_min_ + mldp::detail::fp_barrier(o_.warning_threshold * s_min_);
            if (p + s > p_min_ + mldp::detail::fp_barrier(o_.drift_threshold * s_min_)) {
                drift_ = true;
                warning_ = false;
            }
        }
        return drift_;
    }

    bool drift_detected() const noexcept { return drift_; }
    bool warning() const noexcept { return warning_; }
    /// The current error rate estimate.
    double error_rate() const noexcept { return p_.mean; }

private:
    void clear() noexcept {
        drift_ = warning_ = false;
        p_ = {};
        p_min_ = s_min_ = ps_min_ = INFINITY;
    }

    ddm_options o_;
    detail::running_mean p_;
    double p_min_ = INFINITY, s_min_ = INFINITY, ps_min_ = INFINITY;
    bool drift_ = false, warning_ = false;
};

/// EDDM's parameters, with River's defaults.
struct eddm_options {
    int warm_start = 30;  ///< samples, and errors, before any test
    double alpha = 0.95;  ///< warning when (p' + 2 s') / max < alpha
    double beta = 0.9;    ///< drift when (p' + 2 s') / max < beta
};

/// Early Drift Detection Method (Baena-García et al., 2006): watches the distance between consecutive
/// errors, its mean p' and standard deviation s'; a drop of p' + 2 s' below beta (alpha) times its
/// maximum is a drift (warning). Input: 1 = error. As in River, the warning flag changes only on
/// errors and is not cleared by a drift. update() is O(1), allocation-free. Throws invalid_argument
/// for bad options (alpha < beta) and data_error for a non-finite input.
class eddm {
public:
    explicit eddm(const eddm_options& o = {}) : o_(o) {
        if (o.warm_start < 0 || !(o.alpha >= o.beta) || !(o.beta > 0) || !(o.alpha <= 1)) {
            throw invalid_argument("mldp::drift::eddm: need warm_start >= 0 and 0 < beta <= alpha <= 1");
        }
        clear();
    }

    bool update(double x) {
        detail::require_finite_input(x, "mldp::drift::eddm");
        if (drift_) clear();
        ++n_;
        if (x == 1.0) {
            ++errors_;
            distances_.update(static_cast<double>(n_ - last_error_));
            if (n_ > static_cast<std::uint64_t>(o_.warm_start)) {
                const double p = distances_.m.mean;
                const double s = std::sqrt(distances_.sigma);
                const double p2s = p + mldp::detail::fp_barrier(2 * s);
                if (p2s > p2s_max_) {
                    p2s_max_ = p2s;
                } else if (errors_ > static_cast<std::uint64_t>(o_.warm_start)) {
                    const double level = p2s / p2s_max_;
                    if (level < o_.beta) {
                        drift_ = true;
                    } else {
                        warning_ = level < o_.alpha;
                    }
                }
            }
            last_error_ = n_;
        }
        return drift_;
    }

    bool drift_detected() const noexcept { return drift_; }
    bool warning() const noexcept { return warning_; }

private:
    void clear() noexcept {
        drift_ = warning_ = false;
        distances_ = {};
        n_ = last_error_ = errors_ = 0;
        p2s_max_ = -1.0;
    }

    eddm_options o_;
    detail::running_var distances_;
    std::uint64_t n_ = 0, last_error_ = 0, errors_ = 0;
    double p2s_max_ = -1.0;
    bool drift_ = false, warning_ = false;
};

}  // namespace mldp::drift

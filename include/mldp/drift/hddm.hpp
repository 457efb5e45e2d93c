// mldp — HDDM_A and HDDM_W (Frías-Blanco et al., "Online and non-parametric drift detection methods
// based on Hoeffding's bounds", IEEE TKDE 2015), exactly as River computes them
// (river.drift.binary.HDDM_A / HDDMA and HDDM_W / HDDMW, after MOA).
#pragma once

#include <cmath>

#include <fmt/format.h>

#include "mldp/core/detail/portable_math.hpp"
#include "mldp/core/error.hpp"
#include "mldp/drift/detail/running.hpp"

namespace mldp::drift {

/// HDDM_A's parameters, with River's defaults.
struct hddm_a_options {
    double drift_confidence = 0.001;
    double warning_confidence = 0.005;
    bool two_sided_test = false;  ///< also watch for a decrease of the mean
};

/// HDDM with moving averages (the A-test): keeps the global mean Z and snapshots of it at the points
/// where a Hoeffding bound says the mean was lowest (and highest); a drift (warning) when Z exceeds
/// the low snapshot by more than the bound at drift_confidence (warning_confidence). Input in [0, 1]
/// (1 = error). update() is O(1), allocation-free; the detector restarts on the update after a drift.
/// Throws invalid_argument for confidences outside (0, 1) and data_error for a non-finite input.
class hddm_a {
public:
    explicit hddm_a(const hddm_a_options& o = {}) : o_(o) {
        if (!(o.drift_confidence > 0 && o.drift_confidence < 1 && o.warning_confidence > 0 && o.warning_confidence < 1)) {
            throw invalid_argument("mldp::drift::hddm_a: confidences must be in (0, 1)");
        }
        // The logarithms River evaluates on every update depend on the options only.
        log_inv_drift_ = std::log(1.0 / o.drift_confidence);
        log2_drift_ = std::log(2.0 / o.drift_confidence);
        log2_warning_ = std::log(2.0 / o.warning_confidence);
        clear();
    }

    bool update(double x) {
        detail::require_finite_input(x, "mldp::drift::hddm_a");
        if (drift_) clear();
        z_.update(x);
        const double eps_z = bound(z_.n);
        // A snapshot's bound depends on its n only, so it is kept with the snapshot.
        if (x_min_.n == 0) set_min(eps_z);
        if (x_max_.n == 0) set_max(eps_z);
        if (x_min_.mean + eps_min_ >= z_.mean + eps_z) set_min(eps_z);
        if (x_max_.mean - eps_max_ <= z_.mean - eps_z) set_max(eps_z);
        if (mean_increased(log2_drift_)) {
            warning_ = false;
            drift_ = true;
        } else if (mean_increased(log2_warning_)) {
            warning_ = true;
            drift_ = false;
        } else {
            warning_ = drift_ = false;
        }
        if (o_.two_sided_test) {
            if (mean_decreased(log2_drift_)) {
                drift_ = true;
            } else if (mean_decreased(log2_warning_)) {
                warning_ = true;
            }
        }
        return drift_;
    }

    bool drift_detected() const noexcept { return drift_; }
    bool warning() const noexcept { return warning_; }

private:
    void clear() noexcept {
        drift_ = warning_ = false;
        z_ = x_min_ = x_max_ = {};
        eps_min_ = eps_max_ = 0;
    }
    void set_min(double eps_z) noexcept {
        x_min_ = z_;
        eps_min_ = eps_z;
    }
    void set_max(double eps_z) noexcept {
        x_max_ = z_;
        eps_max_ = eps_z;
    }
    double bound(double n) const noexcept { return std::sqrt(1.0 / (2 * n) * log_inv_drift_); }
    /// log2_conf = log(2 / confidence).
    bool mean_increased(double log2_conf) const noexcept {
        if (x_min_.n == z_.n) return false;
        const double m = (z_.n - x_min_.n) / x_min_.n * (1.0 / z_.n);
        return z_.mean - x_min_.mean >= std::sqrt(m / 2 * log2_conf);
    }
    bool mean_decreased(double log2_conf) const noexcept {
        if (x_max_.n == z_.n) return false;
        const double m = (z_.n - x_max_.n) / x_max_.n * (1.0 / z_.n);
        return x_max_.mean - z_.mean >= std::sqrt(m / 2 * log2_conf);
    }

    hddm_a_options o_;
    double log_inv_drift_ = 0, log2_drift_ = 0, log2_warning_ = 0;
    detail::running_mean z_, x_min_, x_max_;
    double eps_min_ = 0, eps_max_ = 0;  // bound(x_min_.n), bound(x_max_.n)
    bool drift_ = false, warning_ = false;
};

/// HDDM_W's parameters, with River's defaults.
struct hddm_w_options {
    double drift_confidence = 0.001;
    double warning_confidence = 0.005;
    double lambda = 0.05;         ///< weight of the newest value in the exponentially weighted mean
    bool two_sided_test = false;  ///< also watch for a decrease of the mean
};

/// HDDM with exponentially weighted moving averages (the W-test, McDiarmid bounds): splits the stream
/// at the point where EWMA + bound was lowest and compares the EWMA of what came after it with the
/// EWMA before it. Input in [0, 1] (1 = error). Follows River >= 0.24, whose EWMA starts from its first
/// value (earlier River restarted it whenever it was exactly 0). update() is O(1), allocation-free;
/// the detector restarts on the update after a drift. Throws invalid_argument for confidences outside
/// (0, 1) or lambda outside (0, 1], and data_error for a non-finite input.
class hddm_w {
public:
    explicit hddm_w(const hddm_w_options& o = {}) : o_(o) {
        if (!(o.drift_confidence > 0 && o.drift_confidence < 1 && o.warning_confidence > 0 && o.warning_confidence < 1)) {
            throw invalid_argument("mldp::drift::hddm_w: confidences must be in (0, 1)");
        }
        if (!(o.lambda > 0 && o.lambda <= 1)) throw invalid_argument("mldp::drift::hddm_w: lambda must be in (0, 1]");
        log_inv_drift_ = std::log(1 / o.drift_confidence);
        log_inv_warning_ = std::log(1 / o.warning_confidence);
        clear();
    }

    bool update(double x) {
        detail::require_finite_input(x, "mldp::drift::hddm_w");
        if (drift_) clear();
        total_.update(x, *this);
        // Cut point for an increase.
        double eps = bound(total_.ibc, log_inv_drift_);
        if (total_.ewma.mean + eps < incr_cut_) {
            incr_cut_ = total_.ewma.mean + eps;
            s1_incr_ = total_;
            s2_incr_ = fresh();
        } else {
            s2_incr_.update(x, *this);
        }
        if (changed(s1_incr_, s2_incr_, log_inv_drift_)) {
            warning_ = false;
            drift_ = true;
        } else if (changed(s1_incr_, s2_incr_, log_inv_warning_)) {
            warning_ = true;
            drift_ = false;
        } else {
            warning_ = drift_ = false;
        }
        // Cut point for a decrease (kept up to date even for the one-sided test, as River does).
        eps = bound(total_.ibc, log_inv_drift_);
        if (total_.ewma.mean - eps > decr_cut_) {
            decr_cut_ = total_.ewma.mean - eps;
            s1_decr_ = total_;
            s2_decr_ = fresh();
        } else {
            s2_decr_.update(x, *this);
        }
        if (o_.two_sided_test) {
            if (changed(s2_decr_, s1_decr_, log_inv_drift_)) {
                drift_ = true;
            } else if (changed(s2_decr_, s1_decr_, log_inv_warning_)) {
                warning_ = true;
            }
        }
        return drift_;
    }

    bool drift_detected() const noexcept { return drift_; }
    bool warning() const noexcept { return warning_; }

private:
    // River's SampleInfo: an EWMA and its independent bound condition ibc = l^2 + (1 - l)^2 ibc.
    struct sample_info {
        detail::ew_mean ewma;
        bool is_init = false;
        double ibc = 1.0;
        void update(double x, const hddm_w& d) noexcept {
            ewma.update(x);
            is_init = true;
            ibc = d.lambda_sq_ + mldp::detail::fp_barrier(d.c_lambda_sq_ * ibc);
        }
    };

    sample_info fresh() const noexcept {
        sample_info s;
        s.ewma.alpha = o_.lambda;
        s.ewma.one_minus_alpha = 1.0 - o_.lambda;
        return s;
    }
    void clear() noexcept {
        drift_ = warning_ = false;
        lambda_sq_ = o_.lambda * o_.lambda;
        c_lambda_sq_ = (1.0 - o_.lambda) * (1.0 - o_.lambda);
        total_ = s1_incr_ = s2_incr_ = s1_decr_ = s2_decr_ = fresh();
        incr_cut_ = INFINITY;
        decr_cut_ = -INFINITY;
    }
    /// McDiarmid's bound; log_inv_conf = log(1 / confidence), computed once.
    static double bound(double ibc, double log_inv_conf) noexcept { return std::sqrt(ibc * log_inv_conf / 2); }
    static bool changed(const sample_info& s1, const sample_info& s2, double log_inv_conf) noexcept {
        if (!(s1.is_init && s2.is_init)) return false;
        return s2.ewma.mean - s1.ewma.mean > bound(s1.ibc + s2.ibc, log_inv_conf);
    }

    hddm_w_options o_;
    double log_inv_drift_ = 0, log_inv_warning_ = 0;
    double lambda_sq_ = 0, c_lambda_sq_ = 0;
    sample_info total_, s1_incr_, s2_incr_, s1_decr_, s2_decr_;
    double incr_cut_ = INFINITY, decr_cut_ = -INFINITY;
    bool drift_ = false, warning_ = false;
};

}  // namespace mldp::drift

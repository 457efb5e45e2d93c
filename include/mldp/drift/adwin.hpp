// mldp — ADWIN, adaptive windowing (Bifet & Gavaldà, "Learning from time-changing data with adaptive
// windowing", SDM 2007), exactly as River >= 0.22 computes it (river.drift.ADWIN; the full bucket scan
// of MOA and of River's Rust core), so the same stream is flagged at the same samples.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "mldp/core/detail/portable_math.hpp"
#include "mldp/core/error.hpp"
#include "mldp/drift/detail/running.hpp"

namespace mldp::drift {

/// ADWIN's parameters, with River's defaults.
struct adwin_options {
    double delta = 0.002;           ///< confidence of the cut test
    int clock = 32;                 ///< test for a cut every `clock` updates
    int max_buckets = 5;            ///< bucket entries per row before two are merged into the next row
    int min_window_length = 5;      ///< both sub-windows need at least this many values
    int grace_period = 10;          ///< no test before the window holds more values than this
};

/// ADaptive WINdowing: keeps a window of recent values in exponential-histogram buckets and drops its
/// oldest part whenever two sub-windows have means farther apart than the Hoeffding-type bound
/// eps = sqrt(2 m var delta') + 2/3 delta' m (m = 1/(n0 - mwl + 1) + 1/(n1 - mwl + 1),
/// delta' = ln(2 ln(width) / delta)). update(x) returns whether this value completed a detection; as
/// in River the detector then restarts empty on the next update. O(log width) memory; update is
/// O(1) amortised between tests and O(log width) per test (every `clock` values), allocation-free.
/// Throws invalid_argument for bad options and data_error for a non-finite input.
class adwin {
public:
    explicit adwin(const adwin_options& o = {}) : o_(o) {
        if (!(o.delta > 0 && o.delta < 1)) throw invalid_argument(fmt::format("mldp::drift::adwin: delta = {} must be in (0, 1)", o.delta));
        if (o.clock < 1) throw invalid_argument(fmt::format("mldp::drift::adwin: clock = {} must be >= 1", o.clock));
        if (o.max_buckets < 2 || o.max_buckets > 65536) {
            throw invalid_argument(fmt::format("mldp::drift::adwin: max_buckets = {} must be in [2, 65536]", o.max_buckets));
        }
        if (o.min_window_length < 1 || o.grace_period < 0) {
            throw invalid_argument("mldp::drift::adwin: min_window_length must be >= 1 and grace_period >= 0");
        }
        row_cap_ = static_cast<std::size_t>(o.max_buckets) + 1;
        totals_.assign(max_rows * row_cap_, 0.0);
        variances_.assign(max_rows * row_cap_, 0.0);
        clear();
    }

    /// Adds one value; true when it completes a detection (the oldest part of the window was dropped).
    bool update(double x) {
        detail::require_finite_input(x, "mldp::drift::adwin");
        if (drift_) clear();
        insert(x);
        drift_ = detect();
        if (drift_) ++detections_;
        return drift_;
    }

    bool drift_detected() const noexcept { return drift_; }
    /// Values in the current window, their sum and mean, and the window's variance (sum of squared
    /// deviations / width, as River's variance_in_window).
    double width() const noexcept { return width_; }
    double total() const noexcept { return total_; }
    double estimation() const noexcept { return width_ > 0 ? total_ / width_ : 0.0; }
    double variance() const noexcept { return width_ > 0 ? variance_ / width_ : 0.0; }
    /// Detections since construction (River counts per helper; this counts across resets).
    std::uint64_t detections() const noexcept { return detections_; }
    const adwin_options& options() const noexcept { return o_; }

private:
    // Row i holds entries that summarise 2^i values; 64 rows cover any window a 64-bit count can reach.
    static constexpr std::size_t max_rows = 64;

    // 2^row, exactly (what std::ldexp(1.0, row) returns, without the library call).
    static double row_size(std::size_t row) noexcept {
        const std::uint64_t bits = static_cast<std::uint64_t>(1023 + row) << 52;
        double d;
        std::memcpy(&d, &bits, sizeof d);
        return d;
    }

    void clear() noexcept {
        drift_ = false;
        total_ = variance_ = width_ = 0.0;
        tick_ = 0;
        rows_ = 1;
        for (auto& c : count_) c = 0;
    }

    double& total_at(std::size_t row, std::size_t k) noexcept { return totals_[row * row_cap_ + k]; }
    double& variance_at(std::size_t row, std::size_t k) noexcept { return variances_[row * row_cap_ + k]; }

    void push(std::size_t row, double total, double variance) noexcept {
        total_at(row, count_[row]) = total;
        variance_at(row, count_[row]) = variance;
        ++count_[row];
    }
    /// Drops the first n entries of a row (River's Bucket.compress).
    void drop_front(std::size_t row, std::size_t n) noexcept {
        const std::size_t c = count_[row];
        for (std::size_t k = n; k < c; ++k) {
            total_at(row, k - n) = total_at(row, k);
            variance_at(row, k - n) = variance_at(row, k);
        }
        for (std::size_t k = c - n; k < c; ++k) total_at(row, k) = variance_at(row, k) = 0.0;
        count_[row] = c - n;
    }

    void insert(double x) noexcept {
        push(0, x, 0.0);
        width_ += 1.0;
        double incremental = 0.0;
        if (width_ > 1.0) {
            const double d = x - total_ / (width_ - 1.0);
            incremental = (width_ - 1.0) * d * d / width_;
        }
        variance_ += incremental;
        total_ += x;
        // Merge the two oldest entries of a full row into the next row, cascading.
        const std::size_t full = row_cap_;
        for (std::size_t row = 0; count_[row] == full; ++row) {
            const double n1 = row_size(row);
            const double t0 = total_at(row, 0), t1 = total_at(row, 1);
            const double v0 = variance_at(row, 0), v1 = variance_at(row, 1);
            const double mu1 = t0 / n1, mu2 = t1 / n1;
            const double temp = mldp::detail::fp_barrier(n1 * 0.5 * (mu1 - mu2) * (mu1 - mu2));
            if (row + 1 == rows_) ++rows_;
            push(row + 1, t0 + t1, v0 + v1 + temp);
            drop_front(row, 2);
            if (count_[row + 1] <= static_cast<std::size_t>(o_.max_buckets)) break;
        }
    }

    /// Removes the oldest entry (last row, first entry) and shrinks the window statistics.
    void delete_oldest() noexcept {
        const std::size_t last = rows_ - 1;
        const double n = row_size(last);
        const double u = total_at(last, 0), v = variance_at(last, 0);
        const double mu = u / n;
        width_ -= n;
        total_ -= u;
        const double mu_window = total_ / width_;
        const double inc = v + n * width_ * (mu - mu_window) * (mu - mu_window) / (n + width_);
        variance_ -= inc;
        drop_front(last, 1);
        if (count_[last] == 0 && rows_ > 1) --rows_;
    }

    /// delta_prime depends on the width only, so a scan computes it once per width (the same value
    /// River recomputes for every candidate cut).
    /// `window_variance` is variance_ / width_, the same for every candidate of a scan.
    bool cut(double n0, double n1, double delta_mean, double delta_prime, double window_variance) const noexcept {
        const double mwl = static_cast<double>(o_.min_window_length);
        const double m_recip = 1.0 / (n0 - mwl + 1.0) + 1.0 / (n1 - mwl + 1.0);
        const double eps = std::sqrt(2.0 * m_recip * window_variance * delta_prime) +
                           mldp::detail::fp_barrier(2.0 / 3.0 * delta_prime * m_recip);
        return std::fabs(delta_mean) > eps;
    }

    bool detect() noexcept {
        bool detected = false;
        ++tick_;
        if (tick_ % o_.clock != 0 || !(width_ > static_cast<double>(o_.grace_period))) return false;
        const double mwl = static_cast<double>(o_.min_window_length);
        bool again = true;
        while (again) {
            again = false;
            double n0 = 0.0, n1 = width_, u0 = 0.0, u1 = total_;
            const double delta_prime = std::log(2.0 * std::log(width_) / o_.delta);
            const double window_variance = variance_ / width_;
            bool stop = false;
            for (std::size_t row = rows_; row-- > 0 && !stop;) {
                const double size = row_size(row);
                const std::size_t c = count_[row];
                for (std::size_t k = 0; k < c; ++k) {
                    n0 += size;
                    n1 -= size;
                    const double t = total_at(row, k);
                    u0 += t;
                    u1 -= t;
                    if (row == 0 && k == c - 1) {
                        stop = true;
                        break;
                    }
                    if (n1 >= mwl && n0 >= mwl && cut(n0, n1, u0 / n0 - u1 / n1, delta_prime, window_variance)) {
                        again = true;
                        detected = true;
                        if (width_ > 0.0) {
                            delete_oldest();
                            stop = true;
                            break;
                        }
                    }
                }
            }
        }
        return detected;
    }

    adwin_options o_;
    std::size_t row_cap_ = 6;
    std::vector<double> totals_, variances_;  // max_rows x (max_buckets + 1), allocated once
    std::array<std::size_t, max_rows + 1> count_{};
    std::size_t rows_ = 1;
    double total_ = 0, variance_ = 0, width_ = 0;
    std::int64_t tick_ = 0;
    std::uint64_t detections_ = 0;
    bool drift_ = false;
};

}  // namespace mldp::drift

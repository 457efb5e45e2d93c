// mldp — KSWIN, the Kolmogorov-Smirnov windowing detector (Raab, Heusinger & Schleif, "Reactive soft
// prototype computing for concept drift streams", Neurocomputing 2020), with River's algorithm and
// defaults (river.drift.KSWIN) and a seeded, portable sampler (mldp::rng instead of Python's random).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <vector>

#include <fmt/format.h>

#include "mldp/core/error.hpp"
#include "mldp/core/random.hpp"
#include "mldp/drift/detail/running.hpp"
#include "mldp/stats/ks.hpp"

namespace mldp::drift {

/// KSWIN's parameters, with River's defaults.
struct kswin_options {
    double alpha = 0.005;          ///< drift when the KS p-value <= alpha (and the statistic > 0.1)
    std::size_t window_size = 100;  ///< values kept
    std::size_t stat_size = 30;     ///< the newest values, compared with as many drawn from the older ones
    std::uint64_t seed = 0;         ///< seeds the draws (seed_sequence(seed).derive("kswin"))
};

/// Keeps the last window_size values; once full, every update compares the newest stat_size values
/// with stat_size values drawn without replacement from the older window_size - stat_size by a
/// two-sample KS test (scipy's ks_2samp, method auto: exact here). Drift when p <= alpha and D > 0.1.
/// As in River the detector restarts (empty window, re-seeded draws) on the update after a drift, so
/// a seed reproduces the whole run. update() is O(window_size + stat_size log stat_size) and
/// allocation-free. Throws invalid_argument for alpha outside [0, 1], stat_size = 0 or
/// 2 stat_size > window_size (as River, whose draw needs as many older values), and data_error for a
/// non-finite input.
class kswin {
public:
    explicit kswin(const kswin_options& o = {}) : o_(o), g_(seed_sequence(o.seed).derive("kswin")) {
        if (!(o.alpha >= 0 && o.alpha <= 1)) throw invalid_argument(fmt::format("mldp::drift::kswin: alpha = {} must be in [0, 1]", o.alpha));
        // stat_size values are drawn without replacement from the window_size - stat_size older ones.
        if (o.stat_size == 0 || o.stat_size >= o.window_size || o.stat_size > o.window_size - o.stat_size) {
            throw invalid_argument(fmt::format("mldp::drift::kswin: need 0 < stat_size ({}) <= window_size ({}) / 2",
                                               o.stat_size, o.window_size));
        }
        ring_.assign(o.window_size, 0.0);
        pool_.resize(o.window_size - o.stat_size);
        sample_.resize(o.stat_size);
        recent_.resize(o.stat_size);
        scratch_.reserve(o.stat_size + 1);
        clear();
    }

    bool update(double x) {
        detail::require_finite_input(x, "mldp::drift::kswin");
        if (drift_) clear();
        ring_[(start_ + count_) % o_.window_size] = x;
        if (count_ < o_.window_size) {
            ++count_;
        } else {
            start_ = (start_ + 1) % o_.window_size;
        }
        if (count_ < o_.window_size) return drift_ = false;
        // Draw stat_size of the older positions by a partial Fisher-Yates shuffle of the pool.
        const std::size_t older = o_.window_size - o_.stat_size;
        for (std::size_t i = 0; i < o_.stat_size; ++i) {
            const std::size_t j = i + static_cast<std::size_t>(g_.bounded_unchecked(older - i));
            std::swap(pool_[i], pool_[j]);
            sample_[i] = at(pool_[i]);
        }
        for (std::size_t i = 0; i < o_.stat_size; ++i) recent_[i] = at(older + i);
        std::sort(sample_.begin(), sample_.end());
        std::sort(recent_.begin(), recent_.end());
        const double n = static_cast<double>(o_.stat_size);
        stats::detail::ks::extremes e;
        stats::detail::ks::walk(e, sample_, recent_, true, n, n);
        stats::detail::ks::walk(e, recent_, sample_, false, n, n);
        const auto r = stats::detail::ks::finish(e, static_cast<std::int64_t>(o_.stat_size),
                                                 static_cast<std::int64_t>(o_.stat_size), stats::ks_options{}, &scratch_);
        statistic_ = r.statistic;
        p_value_ = r.p_value;
        drift_ = p_value_ <= o_.alpha && statistic_ > 0.1;
        return drift_;
    }

    bool drift_detected() const noexcept { return drift_; }
    /// The last test's KS statistic and p-value (0 before the window first fills).
    double statistic() const noexcept { return statistic_; }
    double p_value() const noexcept { return p_value_; }

private:
    double at(std::size_t i) const noexcept { return ring_[(start_ + i) % o_.window_size]; }

    void clear() noexcept {
        drift_ = false;
        start_ = count_ = 0;
        statistic_ = p_value_ = 0;
        g_ = rng(seed_sequence(o_.seed).derive("kswin"));
        std::iota(pool_.begin(), pool_.end(), std::size_t{0});
    }

    kswin_options o_;
    rng g_;
    std::vector<double> ring_, sample_, recent_, scratch_;
    std::vector<std::size_t> pool_;
    std::size_t start_ = 0, count_ = 0;
    double statistic_ = 0, p_value_ = 0;
    bool drift_ = false;
};

}  // namespace mldp::drift

// mldp — guards against overfitting: early_stopping (Keras's EarlyStopping rule, with the
// bookkeeping to restore the best model) and generalization_gap (train against validation, flagging
// the epoch from which validation worsens while training still improves).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "mldp/core/archive.hpp"
#include "mldp/core/detail/json.hpp"
#include "mldp/core/error.hpp"

namespace mldp::audit {

/// Whether a smaller (loss) or a larger (accuracy) metric is better.
enum class goal { minimize, maximize };

/// Options of early_stopping, with Keras's defaults except patience (Keras: 0).
struct early_stopping_options {
    audit::goal goal = audit::goal::minimize;
    std::size_t patience = 10;  ///< epochs without improvement before stopping
    double min_delta = 0.0;     ///< an improvement must beat the best by more than this (>= 0)
    std::size_t start_from_epoch = 0;  ///< epochs before this one never count towards stopping
};

/// Early stopping with keras.callbacks.EarlyStopping's rule: an epoch improves when its metric beats
/// the best so far by more than min_delta; the wait counter counts epochs since the last
/// improvement and training should stop once it reaches `patience`. update() returns whether to
/// stop; improved() says whether the last epoch was the new best (save the model then, to restore
/// it at the end: best_epoch() names it). NaN or infinite metrics throw data_error. O(1) per epoch.
class early_stopping {
public:
    explicit early_stopping(const early_stopping_options& o = {}) : o_(o) {
        if (!(o.min_delta >= 0.0) || std::isinf(o.min_delta)) {
            throw invalid_argument(fmt::format("mldp::audit::early_stopping: min_delta must be finite and >= 0, got {}", o.min_delta));
        }
    }

    /// Records one epoch's metric; true when training should stop.
    bool update(double metric) {
        if (!std::isfinite(metric)) {
            throw data_error("metric", epochs_, fmt::format("early_stopping: the metric of epoch {} is {}", epochs_, metric));
        }
        const std::size_t epoch = epochs_++;
        improved_ = false;
        if (epoch < o_.start_from_epoch) return false;
        ++wait_;
        const bool better = o_.goal == goal::minimize ? metric + o_.min_delta < best_ : metric - o_.min_delta > best_;
        if (better || !has_best_) {
            best_ = metric;
            best_epoch_ = epoch;
            has_best_ = true;
            improved_ = true;
            wait_ = 0;
            return stopped_;  // as Keras: an improving epoch never triggers the stop
        }
        if (wait_ >= o_.patience && epoch > 0) {
            if (!stopped_) stopped_epoch_ = epoch;
            stopped_ = true;
        }
        return stopped_;
    }

    bool should_stop() const noexcept { return stopped_; }
    bool improved() const noexcept { return improved_; }
    /// The best metric and its epoch (0-based); NaN and 0 before any counted epoch.
    double best() const noexcept { return has_best_ ? best_ : std::numeric_limits<double>::quiet_NaN(); }
    std::size_t best_epoch() const noexcept { return best_epoch_; }
    std::size_t epochs() const noexcept { return epochs_; }
    std::size_t wait() const noexcept { return wait_; }
    /// The epoch at which stopping was first signalled (meaningful when should_stop()).
    std::size_t stopped_epoch() const noexcept { return stopped_epoch_; }

    std::vector<std::uint8_t> serialize() const {
        archive_writer w("ESTP", 1);
        w.put_u8(o_.goal == goal::minimize ? 0 : 1);
        w.put_u64(o_.patience);
        w.put_f64(o_.min_delta);
        w.put_u64(o_.start_from_epoch);
        w.put_f64(best_);
        w.put_u8(has_best_ ? 1 : 0);
        w.put_u8(stopped_ ? 1 : 0);
        w.put_u8(improved_ ? 1 : 0);
        w.put_u64(best_epoch_);
        w.put_u64(epochs_);
        w.put_u64(wait_);
        w.put_u64(stopped_epoch_);
        return w.finish();
    }
    /// Restores the state; throws format_error for truncated or corrupt bytes.
    static early_stopping deserialize(const std::vector<std::uint8_t>& bytes) {
        archive_reader r(bytes, "ESTP", 1, 1);
        early_stopping_options o;
        const auto g = r.get_u8("goal");
        r.require(g <= 1, "unknown goal");
        o.goal = g == 0 ? goal::minimize : goal::maximize;
        o.patience = static_cast<std::size_t>(r.get_u64("patience"));
        o.min_delta = r.get_f64("min_delta");
        r.require(o.min_delta >= 0.0 && std::isfinite(o.min_delta), "min_delta must be finite and >= 0");
        o.start_from_epoch = static_cast<std::size_t>(r.get_u64("start_from_epoch"));
        early_stopping e(o);
        e.best_ = r.get_f64("best");
        const auto hb = r.get_u8("has best"), st = r.get_u8("stopped"), im = r.get_u8("improved");
        r.require(hb <= 1 && st <= 1 && im <= 1, "flags must be 0 or 1");
        e.has_best_ = hb == 1;
        e.stopped_ = st == 1;
        e.improved_ = im == 1;
        r.require(!e.has_best_ || std::isfinite(e.best_), "the best metric is not finite");
        e.best_epoch_ = static_cast<std::size_t>(r.get_u64("best epoch"));
        e.epochs_ = static_cast<std::size_t>(r.get_u64("epochs"));
        e.wait_ = static_cast<std::size_t>(r.get_u64("wait"));
        e.stopped_epoch_ = static_cast<std::size_t>(r.get_u64("stopped epoch"));
        r.require(e.best_epoch_ <= e.epochs_ && e.wait_ <= e.epochs_ && e.stopped_epoch_ <= e.epochs_, "epoch counters are inconsistent");
        r.finish();
        return e;
    }

private:
    early_stopping_options o_;
    double best_ = 0.0;
    bool has_best_ = false, stopped_ = false, improved_ = false;
    std::size_t best_epoch_ = 0, epochs_ = 0, wait_ = 0, stopped_epoch_ = 0;
};

/// Options of generalization_gap.
struct gap_options {
    audit::goal goal = audit::goal::minimize;  ///< of both metrics (losses: minimize)
    std::size_t patience = 3;  ///< epochs of worsening validation (with improving training) to flag
    double min_delta = 0.0;    ///< changes within this count as no change
};

/// The state of the train / validation comparison.
struct gap_report {
    std::size_t epochs = 0;
    std::vector<double> gap;  ///< validation - train per epoch (train - validation when maximising): > 0 means worse on validation
    std::size_t best_validation_epoch = 0;
    bool overfitting = false;   ///< validation worse than its best for `patience` epochs while training kept improving
    std::size_t began_epoch = 0;  ///< the first epoch of the worsening run (meaningful when overfitting)
    std::string message;
};

/// Tracks a training and a validation metric per epoch. Overfitting is flagged when the last
/// `patience` epochs or more have all been worse than the best validation so far by more than
/// min_delta (a run of such epochs; an epoch within min_delta of the best ends it) while training
/// has improved on its value at the best validation epoch by more than min_delta; began_epoch is
/// the first epoch of that run. O(1) per update, O(epochs) memory for the gap history.
class generalization_gap {
public:
    explicit generalization_gap(const gap_options& o = {}) : o_(o) {
        if (!(o.min_delta >= 0.0) || std::isinf(o.min_delta)) {
            throw invalid_argument(fmt::format("mldp::audit::generalization_gap: min_delta must be finite and >= 0, got {}", o.min_delta));
        }
        if (o.patience == 0) throw invalid_argument("mldp::audit::generalization_gap: patience must be at least 1");
    }

    /// Records one epoch; returns whether overfitting is flagged now. data_error for non-finite input.
    bool update(double train_metric, double validation_metric) {
        if (!std::isfinite(train_metric)) throw data_error("train_metric", train_.size(), "generalization_gap: the training metric is not finite");
        if (!std::isfinite(validation_metric)) {
            throw data_error("validation_metric", val_.size(), "generalization_gap: the validation metric is not finite");
        }
        // Internally lower is better.
        const double s = o_.goal == goal::minimize ? 1.0 : -1.0;
        train_.push_back(s * train_metric);
        val_.push_back(s * validation_metric);
        const std::size_t e = val_.size() - 1;
        if (e == 0 || val_[e] < val_[best_]) {
            best_ = e;
            run_ = 0;
        } else if (val_[e] > val_[best_] + o_.min_delta) {
            if (run_ == 0) run_start_ = e;
            ++run_;
        } else {
            run_ = 0;
        }
        return flagged();
    }

    gap_report report() const {
        gap_report r;
        r.epochs = val_.size();
        for (std::size_t e = 0; e < val_.size(); ++e) r.gap.push_back(val_[e] - train_[e]);
        r.best_validation_epoch = best_;
        r.overfitting = flagged();
        r.began_epoch = r.overfitting ? run_start_ : 0;
        if (r.overfitting) {
            r.message = fmt::format("overfitting since epoch {}: validation has been worse than its best (epoch {}) for {} epochs while training kept improving",
                                    r.began_epoch, best_, run_);
        } else if (val_.empty()) {
            r.message = "no epoch recorded";
        } else {
            r.message = fmt::format("no overfitting signal: best validation at epoch {} of {}", best_, val_.size());
        }
        return r;
    }

private:
    bool flagged() const {
        if (run_ < o_.patience) return false;
        return train_.back() < train_[best_] - o_.min_delta;
    }

    gap_options o_;
    std::vector<double> train_, val_;
    std::size_t best_ = 0;
    std::size_t run_ = 0, run_start_ = 0;  // the trailing run of epochs worse than the best by > min_delta
};

inline void to_json(nlohmann::json& j, const gap_report& r) {
    nlohmann::json g = nlohmann::json::array();
    for (double x : r.gap) g.push_back(mldp::detail::json_number(x));
    j = nlohmann::json{{"epochs", r.epochs},
                       {"gap", g},
                       {"best_validation_epoch", r.best_validation_epoch},
                       {"overfitting", r.overfitting},
                       {"began_epoch", r.began_epoch},
                       {"message", r.message}};
}

}  // namespace mldp::audit

template <>
struct fmt::formatter<mldp::audit::gap_report> {
    constexpr auto parse(fmt::format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const mldp::audit::gap_report& r, Ctx& ctx) const {
        return fmt::format_to(ctx.out(), "generalization gap over {} epochs: {}", r.epochs, r.message);
    }
};

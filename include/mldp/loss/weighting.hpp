// mldp — loss weighting strategies for multi-task training (namespace mldp::loss::weighting).
//
// Each strategy is a small object: weights(losses) returns this step's weights for the task losses
// (the training loop then minimises sum_i w_i L_i), and serialize()/deserialize() save and restore
// its state with the checked binary envelope of mldp/core/archive.hpp, so a resumed run continues
// exactly. Conventions follow LibMTL where it defines one (its EW, DWA, RLW, GLS) and the papers
// otherwise (GradNorm is the paper's update, not LibMTL's softmax form). Bad input (a loss count that changes, NaN or Inf losses, negative
// losses where a ratio or logarithm needs them positive) throws invalid_argument / data_error.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "mldp/core/archive.hpp"
#include "mldp/core/contiguous.hpp"
#include "mldp/core/error.hpp"
#include "mldp/core/random.hpp"

namespace mldp::loss::weighting {

namespace detail {

template <class L>
std::vector<double> read_losses(const L& losses, const char* fn, bool positive) {
    auto v = evaluate_contiguous<double>(losses);
    if (v.empty()) throw invalid_argument(fmt::format("mldp::loss::weighting::{}: no loss given", fn));
    for (std::size_t i = 0; i < v.size(); ++i) {
        const bool ok = positive ? (v[i] > 0.0 && std::isfinite(v[i])) : std::isfinite(v[i]);
        if (!ok) {
            throw data_error("losses", i, fmt::format("{}: losses must be finite{}, got {}", fn, positive ? " and positive" : "", v[i]));
        }
    }
    return std::move(v).release();
}

inline void require_count(std::size_t expected, std::size_t got, const char* fn) {
    if (expected != 0 && expected != got) {
        throw invalid_argument(fmt::format("mldp::loss::weighting::{}: {} losses given, the state holds {} tasks", fn, got, expected));
    }
}

}  // namespace detail

/// Fixed weights given by the user (the weighted sum of the losses). Throws invalid_argument for
/// negative or non-finite weights, and when the loss count differs from the weight count.
class fixed {
public:
    explicit fixed(std::vector<double> w) : w_(std::move(w)) {
        if (w_.empty()) throw invalid_argument("mldp::loss::weighting::fixed: no weight given");
        for (double x : w_) {
            if (!(x >= 0.0) || std::isinf(x)) throw invalid_argument(fmt::format("mldp::loss::weighting::fixed: weight {} is not finite and >= 0", x));
        }
    }
    template <class L>
    std::vector<double> weights(const L& losses) const {
        detail::require_count(w_.size(), detail::read_losses(losses, "fixed", false).size(), "fixed");
        return w_;
    }

private:
    std::vector<double> w_;
};

/// Equal weights, 1 per task (LibMTL's EW).
class equal {
public:
    template <class L>
    std::vector<double> weights(const L& losses) const {
        return std::vector<double>(detail::read_losses(losses, "equal", false).size(), 1.0);
    }
};

/// Normalisation by magnitude: w_i = 1 / m_i, where m_i is the task's first loss (mode::initial) or
/// an exponential moving average m_i <- beta m_i + (1 - beta) L_i started at the first loss
/// (mode::ema), so that each weighted loss is about 1. Losses must be positive.
class normalized {
public:
    enum class mode { initial, ema };
    explicit normalized(mode m = mode::initial, double beta = 0.9) : mode_(m), beta_(beta) {
        if (!(beta >= 0.0 && beta < 1.0)) throw invalid_argument(fmt::format("mldp::loss::weighting::normalized: beta must be in [0, 1), got {}", beta));
    }
    template <class L>
    std::vector<double> weights(const L& losses) {
        const auto l = detail::read_losses(losses, "normalized", true);
        detail::require_count(ref_.size(), l.size(), "normalized");
        if (ref_.empty()) {
            ref_ = l;
        } else if (mode_ == mode::ema) {
            for (std::size_t i = 0; i < l.size(); ++i) ref_[i] = beta_ * ref_[i] + (1.0 - beta_) * l[i];
        }
        std::vector<double> w(l.size());
        for (std::size_t i = 0; i < l.size(); ++i) w[i] = 1.0 / ref_[i];
        return w;
    }
    std::vector<std::uint8_t> serialize() const {
        archive_writer w("LWNM", 1);
        w.put_u64(mode_ == mode::ema ? 1 : 0);
        w.put_f64(beta_);
        w.put_f64_array(ref_.data(), ref_.size());
        return w.finish();
    }
    static normalized deserialize(const std::vector<std::uint8_t>& bytes) {
        archive_reader r(bytes, "LWNM", 1, 1);
        const auto m = r.get_u64("mode");
        r.require(m <= 1, "mode must be 0 or 1");
        const double beta = r.get_f64("beta");
        r.require(beta >= 0.0 && beta < 1.0, "beta must be in [0, 1)");
        normalized out(m == 1 ? mode::ema : mode::initial, beta);
        out.ref_ = r.get_f64_array("reference magnitudes");
        for (double x : out.ref_) r.require(x > 0.0 && std::isfinite(x), "reference magnitudes must be positive");
        r.finish();
        return out;
    }

private:
    mode mode_;
    double beta_;
    std::vector<double> ref_;
};

/// Homoscedastic uncertainty weighting (Kendall, Gal & Cipolla 2018), in the form
/// L = sum_i L_i / (2 e^{s_i}) + s_i / 2 with learnable s_i = log sigma_i^2 (initial 0), clamped
/// to [-10, 10]. weights() returns 1 / (2 e^{s_i}); total() the objective; gradient() dL/ds_i =
/// 1/2 - L_i / (2 e^{s_i}); step(losses, lr) one SGD step on s. At the optimum s_i = log L_i, so the
/// weight is 1 / (2 L_i).
class uncertainty {
public:
    explicit uncertainty(std::size_t tasks = 0) : s_(tasks, 0.0) {}
    template <class L>
    std::vector<double> weights(const L& losses) {
        const auto l = detail::read_losses(losses, "uncertainty", false);
        adopt(l.size());
        std::vector<double> w(l.size());
        for (std::size_t i = 0; i < l.size(); ++i) w[i] = 0.5 * std::exp(-s_[i]);
        return w;
    }
    template <class L>
    double total(const L& losses) {
        const auto l = detail::read_losses(losses, "uncertainty", false);
        adopt(l.size());
        double t = 0.0;
        for (std::size_t i = 0; i < l.size(); ++i) t += 0.5 * std::exp(-s_[i]) * l[i] + 0.5 * s_[i];
        return t;
    }
    template <class L>
    std::vector<double> gradient(const L& losses) {
        const auto l = detail::read_losses(losses, "uncertainty", false);
        adopt(l.size());
        std::vector<double> g(l.size());
        for (std::size_t i = 0; i < l.size(); ++i) g[i] = 0.5 - 0.5 * std::exp(-s_[i]) * l[i];
        return g;
    }
    /// One gradient step s <- clamp(s - lr dL/ds, -10, 10). Throws invalid_argument for lr <= 0.
    template <class L>
    void step(const L& losses, double lr) {
        if (!(lr > 0.0) || std::isinf(lr)) throw invalid_argument(fmt::format("mldp::loss::weighting::uncertainty::step: lr must be positive, got {}", lr));
        const auto g = gradient(losses);
        for (std::size_t i = 0; i < g.size(); ++i) s_[i] = std::clamp(s_[i] - lr * g[i], -10.0, 10.0);
    }
    const std::vector<double>& log_variances() const noexcept { return s_; }
    /// Sets s (clamped to [-10, 10]), e.g. from the training framework's own optimiser.
    void set_log_variances(std::vector<double> s) {
        for (double& x : s) {
            if (!std::isfinite(x)) throw invalid_argument("mldp::loss::weighting::uncertainty: log variances must be finite");
            x = std::clamp(x, -10.0, 10.0);
        }
        s_ = std::move(s);
    }
    std::vector<std::uint8_t> serialize() const {
        archive_writer w("LWUN", 1);
        w.put_f64_array(s_.data(), s_.size());
        return w.finish();
    }
    static uncertainty deserialize(const std::vector<std::uint8_t>& bytes) {
        archive_reader r(bytes, "LWUN", 1, 1);
        uncertainty out;
        out.s_ = r.get_f64_array("log variances");
        for (double x : out.s_) r.require(x >= -10.0 && x <= 10.0, "log variances must lie in [-10, 10]");
        r.finish();
        return out;
    }

private:
    void adopt(std::size_t n) {
        if (s_.empty()) s_.assign(n, 0.0);
        detail::require_count(s_.size(), n, "uncertainty");
    }
    std::vector<double> s_;
};

/// Dynamic Weight Average (Liu, Johns & Davison 2019; LibMTL DWA), temperature T = 2. The weights
/// change once per epoch: call end_epoch(mean task losses of the epoch) at the end of each epoch;
/// weights(losses) returns the weights for the current epoch, K softmax(r / T) with
/// r_i = L_i(t-1) / L_i(t-2), and all ones during the first two epochs (fewer than two recorded).
/// Losses must be positive; a task count that changes throws invalid_argument.
class dwa {
public:
    explicit dwa(double temperature = 2.0) : t_(temperature) {
        if (!(temperature > 0.0) || std::isinf(temperature)) {
            throw invalid_argument(fmt::format("mldp::loss::weighting::dwa: the temperature must be positive, got {}", temperature));
        }
    }
    /// This step's weights (the losses only fix the task count). O(K).
    template <class L>
    std::vector<double> weights(const L& losses) const {
        const auto l = detail::read_losses(losses, "dwa", false);
        detail::require_count(last_.size(), l.size(), "dwa");
        return current(l.size());
    }
    /// Records an epoch's mean task losses. O(K).
    template <class L>
    void end_epoch(const L& epoch_losses) {
        const auto l = detail::read_losses(epoch_losses, "dwa", true);
        detail::require_count(last_.size(), l.size(), "dwa");
        before_ = last_;
        last_ = l;
    }
    /// The weights for the coming epoch of k tasks, from the recorded history.
    std::vector<double> current(std::size_t k) const {
        if (before_.empty()) return std::vector<double>(k, 1.0);
        std::vector<double> r(k);
        double top = -INFINITY;
        for (std::size_t i = 0; i < k; ++i) {
            r[i] = last_[i] / before_[i] / t_;
            top = (std::max)(top, r[i]);
        }
        double sum = 0.0;
        for (double& x : r) sum += (x = std::exp(x - top));
        for (double& x : r) x = static_cast<double>(k) * x / sum;
        return r;
    }
    std::vector<std::uint8_t> serialize() const {
        archive_writer w("LWDW", 1);
        w.put_f64(t_);
        w.put_f64_array(before_.data(), before_.size());
        w.put_f64_array(last_.data(), last_.size());
        return w.finish();
    }
    static dwa deserialize(const std::vector<std::uint8_t>& bytes) {
        archive_reader r(bytes, "LWDW", 1, 1);
        const double t = r.get_f64("temperature");
        r.require(t > 0.0 && std::isfinite(t), "the temperature must be positive");
        dwa out(t);
        out.before_ = r.get_f64_array("losses two epochs back");
        out.last_ = r.get_f64_array("losses of the last epoch");
        r.require(out.before_.empty() || out.before_.size() == out.last_.size(), "the two epochs hold different task counts");
        for (double x : out.before_) r.require(x > 0.0 && std::isfinite(x), "losses must be positive");
        for (double x : out.last_) r.require(x > 0.0 && std::isfinite(x), "losses must be positive");
        r.finish();
        return out;
    }

private:
    double t_;
    std::vector<double> before_, last_;
};

/// GradNorm (Chen et al. 2018), alpha = 1.5: learnable weights w (initially 1) are moved by one
/// gradient step of sum_i |w_i n_i - mean_j(w_j n_j) r_i^alpha| (the target held constant), where
/// n_i = |grad_W L_i| are the task gradient norms at the shared layer, r_i = (L_i / L_i(0)) / mean of
/// the same; then renormalised to sum to K. weights(losses, grad_norms) returns the updated weights.
/// Losses must be positive; gradient norms finite and >= 0.
class gradnorm {
public:
    explicit gradnorm(double alpha = 1.5, double lr = 0.025) : alpha_(alpha), lr_(lr) {
        if (!(alpha >= 0.0) || std::isinf(alpha)) throw invalid_argument(fmt::format("mldp::loss::weighting::gradnorm: alpha must be >= 0, got {}", alpha));
        if (!(lr > 0.0) || std::isinf(lr)) throw invalid_argument(fmt::format("mldp::loss::weighting::gradnorm: lr must be positive, got {}", lr));
    }
    template <class L, class N>
    std::vector<double> weights(const L& losses, const N& grad_norms) {
        const auto l = detail::read_losses(losses, "gradnorm", true);
        const auto n = detail::read_losses(grad_norms, "gradnorm", false);
        if (n.size() != l.size()) {
            throw invalid_argument(fmt::format("mldp::loss::weighting::gradnorm: {} gradient norms for {} losses", n.size(), l.size()));
        }
        for (std::size_t i = 0; i < n.size(); ++i) {
            if (n[i] < 0.0) throw data_error("grad_norms", i, "gradnorm: gradient norms must be >= 0");
        }
        detail::require_count(initial_.size(), l.size(), "gradnorm");
        const std::size_t k = l.size();
        if (initial_.empty()) {
            initial_ = l;
            w_.assign(k, 1.0);
        }
        std::vector<double> ratio(k), gw(k);
        double rmean = 0.0, gmean = 0.0;
        for (std::size_t i = 0; i < k; ++i) {
            ratio[i] = l[i] / initial_[i];
            rmean += ratio[i] / static_cast<double>(k);
            gw[i] = w_[i] * n[i];
            gmean += gw[i] / static_cast<double>(k);
        }
        double sum = 0.0;
        for (std::size_t i = 0; i < k; ++i) {
            const double target = gmean * std::pow(ratio[i] / rmean, alpha_);
            const double diff = gw[i] - target;
            const double grad = (diff > 0.0 ? 1.0 : (diff < 0.0 ? -1.0 : 0.0)) * n[i];
            w_[i] = (std::max)(w_[i] - lr_ * grad, 0.0);
            sum += w_[i];
        }
        if (sum > 0.0) {
            for (double& x : w_) x *= static_cast<double>(k) / sum;
        } else {
            w_.assign(k, 1.0);
        }
        return w_;
    }
    std::vector<std::uint8_t> serialize() const {
        archive_writer w("LWGN", 1);
        w.put_f64(alpha_);
        w.put_f64(lr_);
        w.put_f64_array(initial_.data(), initial_.size());
        w.put_f64_array(w_.data(), w_.size());
        return w.finish();
    }
    static gradnorm deserialize(const std::vector<std::uint8_t>& bytes) {
        archive_reader r(bytes, "LWGN", 1, 1);
        const double alpha = r.get_f64("alpha"), lr = r.get_f64("lr");
        r.require(alpha >= 0.0 && std::isfinite(alpha) && lr > 0.0 && std::isfinite(lr), "alpha and lr out of range");
        gradnorm out(alpha, lr);
        out.initial_ = r.get_f64_array("initial losses");
        out.w_ = r.get_f64_array("weights");
        r.require(out.initial_.size() == out.w_.size(), "initial losses and weights differ in count");
        for (double x : out.initial_) r.require(x > 0.0 && std::isfinite(x), "initial losses must be positive");
        for (double x : out.w_) r.require(x >= 0.0 && std::isfinite(x), "weights must be finite and >= 0");
        r.finish();
        return out;
    }

private:
    double alpha_, lr_;
    std::vector<double> initial_, w_;
};

/// Random Loss Weighting (Lin et al. 2022; LibMTL RLW): each step, weights = softmax of K standard
/// normal draws from a seeded mldp::rng (normal() by inversion: the same draws on every platform).
class rlw {
public:
    explicit rlw(std::uint64_t seed = 0) : rng_(seed_sequence(seed).derive("rlw")) {}
    template <class L>
    std::vector<double> weights(const L& losses) {
        const std::size_t k = detail::read_losses(losses, "rlw", false).size();
        std::vector<double> w(k);
        double top = -INFINITY;
        for (double& x : w) top = (std::max)(top, x = rng_.normal());
        double sum = 0.0;
        for (double& x : w) sum += (x = std::exp(x - top));
        for (double& x : w) x /= sum;
        return w;
    }
    std::vector<std::uint8_t> serialize() const {
        archive_writer w("LWRL", 1);
        for (auto s : rng_.state()) w.put_u64(s);
        return w.finish();
    }
    static rlw deserialize(const std::vector<std::uint8_t>& bytes) {
        archive_reader r(bytes, "LWRL", 1, 1);
        std::uint64_t s[4];
        for (auto& x : s) x = r.get_u64("rng state");
        r.require(s[0] != 0 || s[1] != 0 || s[2] != 0 || s[3] != 0, "the rng state is all zero");
        r.finish();
        rlw out;
        out.rng_.set_state(s);
        return out;
    }

private:
    rng rng_;
};

/// Geometric loss strategy (Chennupati et al. 2019; LibMTL GLS): the objective (prod_i L_i)^(1/K).
/// weights() returns its gradient with respect to each loss, (prod L)^(1/K) / (K L_i), so that the
/// weighted sum has the GLS gradient; value() returns the objective. Losses must be positive.
class geometric {
public:
    template <class L>
    std::vector<double> weights(const L& losses) const {
        const auto l = detail::read_losses(losses, "geometric", true);
        const double v = geometric_mean(l);
        std::vector<double> w(l.size());
        for (std::size_t i = 0; i < l.size(); ++i) w[i] = v / (static_cast<double>(l.size()) * l[i]);
        return w;
    }
    template <class L>
    double value(const L& losses) const {
        return geometric_mean(detail::read_losses(losses, "geometric", true));
    }

private:
    static double geometric_mean(const std::vector<double>& l) {
        double s = 0.0;
        for (double x : l) s += std::log(x);
        return std::exp(s / static_cast<double>(l.size()));
    }
};

}  // namespace mldp::loss::weighting

// mldp — multi_objective: ties loss terms, a weighting strategy (mldp::loss::weighting) or a
// gradient aggregator (mldp::loss::mgda, upgrad, ...) and a bounded training log together, so that a
// training loop makes one call per step.
//
//   mldp::loss::multi_objective mo{mldp::loss::weighting::uncertainty{}, {"accuracy", "recall"}};
//   auto step = mo.combine({bce, fn_weighted_bce});   // loss_value: sum_i w_i L_i and its gradient
//   mo.strategy().step(losses, lr);                    // a strategy's own update, where it has one
//   (dwa: mo.strategy().end_epoch(epoch_mean_losses) once per epoch)
//   mldp::loss::multi_objective ag{mldp::loss::upgrad{}};      // needs mldp/loss/aggregation.hpp
//   auto agg = ag.step(losses, J);                       // weights and direction from the k x d J
//
// Every step is logged (step number, losses, weights, total) in a ring of `keep` entries, printable
// as JSON. Bad input (a loss count that differs from the task names, gradients of different shapes)
// throws invalid_argument.
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <xtensor/xtensor.hpp>

#include "mldp/core/contiguous.hpp"
#include "mldp/core/detail/json.hpp"
#include "mldp/core/error.hpp"
#include "mldp/loss/detail/aggregation_result.hpp"
#include "mldp/loss/terms.hpp"
#include "mldp/loss/weighting.hpp"

namespace mldp::loss {

/// One logged step.
struct step_record {
    std::size_t step = 0;
    std::vector<double> losses, weights;
    double total = 0.0;  ///< sum_i w_i L_i
};

/// JSON of a step: {"step", "losses", "weights", "total"}; NaN and infinity are written as null.
inline void to_json(nlohmann::json& j, const step_record& r) {
    auto arr = [](const std::vector<double>& v) {
        nlohmann::json a = nlohmann::json::array();
        for (double x : v) a.push_back(mldp::detail::json_number(x));
        return a;
    };
    j = nlohmann::json{{"step", r.step}, {"losses", arr(r.losses)}, {"weights", arr(r.weights)}, {"total", mldp::detail::json_number(r.total)}};
}

namespace detail {
template <class S, class = void>
struct is_aggregator : std::false_type {};
template <class S>
struct is_aggregator<S, std::void_t<decltype(std::declval<S&>().weights_from_gram(std::declval<const xt::xtensor<double, 2>&>()))>>
    : std::true_type {};
}  // namespace detail

/// A strategy with its task names and log. Strategy is a weighting (weights(losses), or gradnorm's
/// weights(losses, grad_norms)) or an aggregator (aggregate(J)).
template <class Strategy>
class multi_objective {
public:
    explicit multi_objective(Strategy strategy, std::vector<std::string> task_names = {}, std::size_t keep = 1000)
        : strategy_(std::move(strategy)), names_(std::move(task_names)), keep_(keep) {}

    /// This step's weights for the task losses (weighting strategies), logged.
    template <class L>
    std::vector<double> weights(const L& losses) {
        static_assert(!detail::is_aggregator<Strategy>::value, "mldp::loss::multi_objective: an aggregator needs the task gradients: use step(losses, J)");
        const auto l = read(losses);
        auto w = strategy_.weights(l);
        log(l, w);
        return w;
    }

    /// GradNorm's form: weights from the losses and the task gradient norms, logged.
    template <class L, class N>
    std::vector<double> weights(const L& losses, const N& grad_norms) {
        const auto l = read(losses);
        auto w = strategy_.weights(l, grad_norms);
        log(l, w);
        return w;
    }

    /// Aggregators: weights and direction from the k x d task gradients J, logged with the losses.
    template <class L, class E>
    aggregation step(const L& losses, const xt::xexpression<E>& jacobian) {
        static_assert(detail::is_aggregator<Strategy>::value, "mldp::loss::multi_objective::step(losses, J) needs an aggregator strategy");
        const auto l = read(losses);
        auto a = strategy_.aggregate(jacobian);
        if (a.weights.size() != l.size()) {
            throw invalid_argument(fmt::format("mldp::loss::multi_objective::step: {} losses for {} task gradients", l.size(), a.weights.size()));
        }
        log(l, std::vector<double>(a.weights.begin(), a.weights.end()));
        return a;
    }

    /// Weighted sum of loss terms on the same predictions: value sum_i w_i L_i and gradient
    /// sum_i w_i grad_i, with this step's weights (weighting strategies only).
    loss_value combine(const std::vector<loss_value>& terms) {
        if (terms.empty()) throw invalid_argument("mldp::loss::multi_objective::combine: no loss term given");
        std::vector<double> l;
        for (const auto& t : terms) l.push_back(t.value);
        const auto w = weights(l);
        loss_value out;
        out.gradient = xt::zeros<double>(terms[0].gradient.shape());
        for (std::size_t i = 0; i < terms.size(); ++i) {
            if (terms[i].gradient.shape() != terms[0].gradient.shape()) {
                throw invalid_argument(fmt::format("mldp::loss::multi_objective::combine: term {} has a gradient of another shape", i));
            }
            out.value += w[i] * terms[i].value;
            const double* g = terms[i].gradient.data();
            double* o = out.gradient.data();
            for (std::size_t k = 0; k < out.gradient.size(); ++k) o[k] += w[i] * g[k];
        }
        return out;
    }

    Strategy& strategy() noexcept { return strategy_; }
    const Strategy& strategy() const noexcept { return strategy_; }
    const std::vector<std::string>& task_names() const noexcept { return names_; }
    /// The last `keep` steps, oldest first.
    const std::deque<step_record>& history() const noexcept { return history_; }
    std::size_t steps() const noexcept { return steps_; }

    /// {"tasks": [...], "steps": [...]} of the kept history.
    nlohmann::json history_json() const {
        nlohmann::json j{{"tasks", names_}, {"steps", nlohmann::json::array()}};
        for (const auto& r : history_) j["steps"].push_back(r);
        return j;
    }

private:
    template <class L>
    std::vector<double> read(const L& losses) {
        auto v = evaluate_contiguous<double>(losses);
        if (!names_.empty() && v.size() != names_.size()) {
            throw invalid_argument(fmt::format("mldp::loss::multi_objective: {} losses for {} named tasks", v.size(), names_.size()));
        }
        return std::move(v).release();
    }
    void log(const std::vector<double>& l, const std::vector<double>& w) {
        step_record r{steps_++, l, w, 0.0};
        for (std::size_t i = 0; i < l.size() && i < w.size(); ++i) r.total += w[i] * l[i];
        if (keep_ == 0) return;
        if (history_.size() == keep_) history_.pop_front();
        history_.push_back(std::move(r));
    }

    Strategy strategy_;
    std::vector<std::string> names_;
    std::size_t keep_;
    std::size_t steps_ = 0;
    std::deque<step_record> history_;
};

template <class Strategy>
multi_objective(Strategy) -> multi_objective<Strategy>;
template <class Strategy>
multi_objective(Strategy, std::vector<std::string>) -> multi_objective<Strategy>;

}  // namespace mldp::loss

/// Prints a step on one line: "step 3: losses [0.5, 0.25], weights [1, 2], total 1".
template <>
struct fmt::formatter<mldp::loss::step_record> {
    constexpr auto parse(format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const mldp::loss::step_record& r, Ctx& ctx) const {
        auto out = fmt::format_to(ctx.out(), "step {}: losses [", r.step);
        for (std::size_t i = 0; i < r.losses.size(); ++i) out = fmt::format_to(out, "{}{:.6g}", i ? ", " : "", r.losses[i]);
        out = fmt::format_to(out, "], weights [");
        for (std::size_t i = 0; i < r.weights.size(); ++i) out = fmt::format_to(out, "{}{:.6g}", i ? ", " : "", r.weights[i]);
        return fmt::format_to(out, "], total {:.6g}", r.total);
    }
};

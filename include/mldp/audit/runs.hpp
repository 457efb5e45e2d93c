// mldp — guards against cherry picking and regression toward the mean: seed_sweep runs a training
// or evaluation over many derived seeds and reports the spread (so a single lucky run is not the
// result), with how far the best run lies above the mean against what the winner's curse predicts
// for that many runs; compare_runs asks whether two configurations differ given their seed spread.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "mldp/audit/overfitting.hpp"
#include "mldp/core/contiguous.hpp"
#include "mldp/core/detail/json.hpp"
#include "mldp/core/error.hpp"
#include "mldp/core/numeric.hpp"
#include "mldp/core/progress.hpp"
#include "mldp/core/random.hpp"
#include "mldp/stats/special.hpp"
#include "mldp/stats/ttest.hpp"

namespace mldp::audit {

/// E[max of n independent standard normals] = int x n phi(x) Phi(x)^(n-1) dx, by composite Simpson
/// on [-12, 12] with 24000 panels (about 1e-13 absolute; scipy.integrate.quad of the same integral
/// is pinned in the tests). The expected gap between the best of n runs and their mean, in standard
/// deviations, when the runs differ only by chance. O(1) for a given n (24001 evaluations).
inline double expected_max_of_normals(std::size_t n) {
    if (n == 0) throw invalid_argument("mldp::audit::expected_max_of_normals: n must be at least 1");
    if (n == 1) return 0.0;
    const int panels = 24000;
    const double a = -12.0, b = 12.0, h = (b - a) / panels;
    const double k = static_cast<double>(n);
    auto f = [&](double x) {
        const double phi = 0.3989422804014327 * std::exp(-0.5 * x * x);
        const double cdf = stats::normal_cdf(x);
        return cdf > 0.0 ? x * k * phi * std::exp((k - 1.0) * std::log(cdf)) : 0.0;
    };
    double s = f(a) + f(b);
    for (int i = 1; i < panels; ++i) s += (i % 2 ? 4.0 : 2.0) * f(a + h * i);
    return s * h / 3.0;
}

/// Options of seed_sweep / summarize_runs.
struct sweep_options {
    double confidence = 0.95;                  ///< of the t-based interval for the mean
    audit::goal goal = audit::goal::maximize;  ///< which run is "best" (accuracy: maximize)
};

/// The spread of one configuration over seeds.
struct sweep_result {
    std::vector<std::uint64_t> seeds;  ///< the seed given to each run (empty for summarize_runs)
    std::vector<double> values;        ///< in run order
    double mean = 0.0;
    double sd = 0.0;  ///< sample standard deviation (n - 1)
    double ci_low = 0.0, ci_high = 0.0;  ///< mean -+ t_{(1+c)/2, n-1} sd / sqrt(n)
    double best = 0.0, worst = 0.0;
    std::size_t best_run = 0;
    double best_minus_mean = 0.0;           ///< |best - mean|: what reporting the best run overstates
    double expected_best_minus_mean = 0.0;  ///< sd E[max of n normals]: the overstatement chance alone gives
    std::string message;
};

/// Summarises already collected run results (at least two, finite). Throws data_error otherwise,
/// invalid_argument for a confidence outside (0, 1). O(n).
template <class V>
sweep_result summarize_runs(const V& values, const sweep_options& o = {}) {
    if (!(o.confidence > 0.0 && o.confidence < 1.0)) {
        throw invalid_argument(fmt::format("mldp::audit::summarize_runs: confidence must lie in (0, 1), got {}", o.confidence));
    }
    const auto v = evaluate_contiguous<double>(values);
    if (v.size() < 2) throw data_error("values", data_error::no_row, "summarize_runs: at least two runs are needed for a spread");
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (!std::isfinite(v[i])) throw data_error("values", i, fmt::format("summarize_runs: run {} returned {}", i, v[i]));
    }
    sweep_result r;
    r.values.assign(v.begin(), v.end());
    const auto [mean, var] = numpy_mean_and_var(v.data(), v.size(), 1);
    const double n = static_cast<double>(v.size());
    r.mean = mean;
    r.sd = std::sqrt(var);
    const double half = stats::student_t_ppf(0.5 + 0.5 * o.confidence, n - 1.0) * r.sd / std::sqrt(n);
    r.ci_low = mean - half;
    r.ci_high = mean + half;
    const bool maximize = o.goal == goal::maximize;
    r.best = r.worst = v[0];
    for (std::size_t i = 1; i < v.size(); ++i) {
        if (maximize ? v[i] > r.best : v[i] < r.best) {
            r.best = v[i];
            r.best_run = i;
        }
        if (maximize ? v[i] < r.worst : v[i] > r.worst) r.worst = v[i];
    }
    r.best_minus_mean = std::fabs(r.best - r.mean);
    r.expected_best_minus_mean = r.sd * expected_max_of_normals(v.size());
    r.message = fmt::format("{} runs: mean {:.6g} ({:g}% interval [{:.6g}, {:.6g}]), sd {:.3g}; the best run ({:.6g}) lies {:.3g} from the mean, "
                            "{:.3g} is what the best of {} runs gives by chance alone",
                            v.size(), r.mean, 100.0 * o.confidence, r.ci_low, r.ci_high, r.sd, r.best, r.best_minus_mean,
                            r.expected_best_minus_mean, v.size());
    return r;
}

/// Runs `run(seed)` for n_seeds seeds derived from `seeds` (seeds.derive(i).key(), i = 0..n-1) and
/// summarises the results (summarize_runs). `run` returns the metric as a number. Throws
/// invalid_argument for fewer than two seeds, data_error when a run returns NaN or infinity.
/// `progress` (optional) hears ("seed_sweep", i, n_seeds) after each run.
template <class F>
sweep_result seed_sweep(F&& run, std::size_t n_seeds, const seed_sequence& seeds, const sweep_options& o = {},
                        const progress_fn& progress = {}) {
    static_assert(std::is_invocable_v<F&, std::uint64_t>, "mldp::audit::seed_sweep: run must be callable with a std::uint64_t seed");
    if (n_seeds < 2) throw invalid_argument(fmt::format("mldp::audit::seed_sweep: at least two seeds are needed, got {}", n_seeds));
    std::vector<std::uint64_t> used(n_seeds);
    std::vector<double> values(n_seeds);
    for (std::size_t i = 0; i < n_seeds; ++i) {
        used[i] = seeds.derive(static_cast<std::uint64_t>(i)).key();
        values[i] = static_cast<double>(run(used[i]));
        mldp::detail::report_progress(progress, "seed_sweep", i + 1, n_seeds);
    }
    auto r = summarize_runs(values, o);
    r.seeds = std::move(used);
    return r;
}

/// Options of compare_runs.
struct run_comparison_options {
    double alpha = 0.05;  ///< significance level, and 1 - confidence of the interval
};

/// Whether two configurations differ given their seed spread.
struct run_comparison {
    double mean_a = 0.0, mean_b = 0.0;
    double difference = 0.0;              ///< mean_a - mean_b
    double ci_low = 0.0, ci_high = 0.0;   ///< Welch interval for the difference
    double statistic = 0.0, p_value = 1.0, df = 0.0;  ///< Welch's t-test (scipy.stats.ttest_ind, equal_var=False)
    double cohens_d = 0.0;  ///< difference over the pooled sd
    double hedges_g = 0.0;  ///< d (1 - 3 / (4 (n_a + n_b) - 9)), the small-sample correction
    bool differ = false;    ///< p_value <= alpha
    std::string message;
};

/// Welch's t-test of run results a against b (at least two each; finite), the interval for the
/// difference of means with Welch's df, and the effect size. O(n_a + n_b). Throws data_error for
/// bad samples (as ttest_ind), invalid_argument for alpha outside (0, 1).
template <class A, class B>
run_comparison compare_runs(const A& a, const B& b, const run_comparison_options& o = {}) {
    if (!(o.alpha > 0.0 && o.alpha < 1.0)) throw invalid_argument(fmt::format("mldp::audit::compare_runs: alpha must lie in (0, 1), got {}", o.alpha));
    const auto va = evaluate_contiguous<double>(a);
    const auto vb = evaluate_contiguous<double>(b);
    const auto t = stats::ttest_ind(va, vb);
    run_comparison c;
    const auto [ma, vara] = numpy_mean_and_var(va.data(), va.size(), 1);
    const auto [mb, varb] = numpy_mean_and_var(vb.data(), vb.size(), 1);
    const double na = static_cast<double>(va.size()), nb = static_cast<double>(vb.size());
    c.mean_a = ma;
    c.mean_b = mb;
    c.difference = ma - mb;
    c.statistic = t.statistic;
    c.p_value = t.p_value;
    c.df = t.df;
    const double se = std::sqrt(vara / na + varb / nb);
    const double half = stats::student_t_ppf(1.0 - 0.5 * o.alpha, t.df) * se;
    c.ci_low = c.difference - half;
    c.ci_high = c.difference + half;
    c.cohens_d = t.effect_size;
    c.hedges_g = t.effect_size * (1.0 - 3.0 / (4.0 * (na + nb) - 9.0));
    c.differ = t.p_value <= o.alpha;
    c.message = c.differ ? fmt::format("the configurations differ: {:.6g} vs {:.6g} (Welch t = {:.3g}, p = {:.3g}, Hedges' g = {:.3g})", ma, mb,
                                       c.statistic, c.p_value, c.hedges_g)
                         : fmt::format("no difference beyond the seed spread: {:.6g} vs {:.6g} (Welch t = {:.3g}, p = {:.3g}); the interval "
                                       "[{:.3g}, {:.3g}] holds 0",
                                       ma, mb, c.statistic, c.p_value, c.ci_low, c.ci_high);
    return c;
}

inline void to_json(nlohmann::json& j, const sweep_result& r) {
    auto num = [](double x) { return mldp::detail::json_number(x); };
    nlohmann::json vals = nlohmann::json::array();
    for (double x : r.values) vals.push_back(num(x));
    j = nlohmann::json{{"seeds", r.seeds},
                       {"values", vals},
                       {"mean", num(r.mean)},
                       {"sd", num(r.sd)},
                       {"ci_low", num(r.ci_low)},
                       {"ci_high", num(r.ci_high)},
                       {"best", num(r.best)},
                       {"worst", num(r.worst)},
                       {"best_run", r.best_run},
                       {"best_minus_mean", num(r.best_minus_mean)},
                       {"expected_best_minus_mean", num(r.expected_best_minus_mean)},
                       {"message", r.message}};
}

inline void to_json(nlohmann::json& j, const run_comparison& c) {
    auto num = [](double x) { return mldp::detail::json_number(x); };
    j = nlohmann::json{{"mean_a", num(c.mean_a)},     {"mean_b", num(c.mean_b)},   {"difference", num(c.difference)},
                       {"ci_low", num(c.ci_low)},     {"ci_high", num(c.ci_high)}, {"statistic", num(c.statistic)},
                       {"p_value", num(c.p_value)},   {"df", num(c.df)},           {"cohens_d", num(c.cohens_d)},
                       {"hedges_g", num(c.hedges_g)}, {"differ", c.differ},        {"message", c.message}};
}

}  // namespace mldp::audit

template <>
struct fmt::formatter<mldp::audit::sweep_result> {
    constexpr auto parse(fmt::format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const mldp::audit::sweep_result& r, Ctx& ctx) const {
        return fmt::format_to(ctx.out(), "{}", r.message);
    }
};

template <>
struct fmt::formatter<mldp::audit::run_comparison> {
    constexpr auto parse(fmt::format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const mldp::audit::run_comparison& c, Ctx& ctx) const {
        return fmt::format_to(ctx.out(), "{}", c.message);
    }
};

// mldp — result and option types shared by the statistical tests, and the NaN policy every test and
// distance applies to its inputs.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "mldp/core/contiguous.hpp"
#include "mldp/core/detail/json.hpp"
#include "mldp/core/error.hpp"

namespace mldp::stats {

/// Result of a hypothesis test. `df` is the degrees of freedom where the reference distribution has
/// them (chi-square family), NaN otherwise.
struct test_result {
    double statistic = std::numeric_limits<double>::quiet_NaN();
    double p_value = std::numeric_limits<double>::quiet_NaN();
    double df = std::numeric_limits<double>::quiet_NaN();
};

/// Alternative hypothesis of a two-sample test. For ks_2samp, as in scipy, `less` says the CDF of
/// the first sample lies below that of the second somewhere (statistic max(F_b - F_a)), `greater` the
/// opposite; for location tests (ttest_ind, mannwhitneyu), `less` says the first sample's location
/// is smaller.
enum class alternative { two_sided, less, greater };

/// What a test does with NaN in its input (scipy's nan_policy):
///   raise     - throw data_error naming the argument and the first NaN row (default);
///   omit      - drop NaN values and compute on the rest;
///   propagate - return NaN for the statistic and the p-value.
/// Infinite values are never silently accepted: they throw data_error under every policy.
enum class nan_policy { raise, omit, propagate };

namespace detail {

/// A numeric sample after the NaN policy: contiguous finite values, or `has_nan` set under propagate.
struct prepared_sample {
    contiguous_values<double> values;
    bool has_nan = false;
};

/// Evaluates `x` once and applies `policy`. `name` is the argument's name for error messages
/// ("a", "reference", ...). Throws data_error for Inf (always) and NaN (under raise).
template <class X>
prepared_sample prepare_sample(X&& x, nan_policy policy, const char* name) {
    prepared_sample s{evaluate_contiguous<double>(std::forward<X>(x)), false};
    const double* p = s.values.data();
    const std::size_t n = s.values.size();
    // A branch-free count of the values that are not finite, from their exponent bits (integer
    // arithmetic, so it vectorises), before the row-by-row look that names the first one.
    std::uint64_t not_finite = 0;
    for (std::size_t i = 0; i < n; ++i) {
        std::uint64_t u;
        std::memcpy(&u, p + i, sizeof u);
        not_finite += (((u >> 52) & 0x7FFU) + 1) >> 11;  // 1 exactly when the exponent is all ones
    }
    if (not_finite == 0) return s;
    std::size_t nans = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double v = p[i];
        if (std::isnan(v)) {
            if (policy == nan_policy::raise) {
                throw data_error(name, i, "NaN is not allowed with nan_policy::raise (use nan_policy::omit to drop NaN values)");
            }
            ++nans;
        } else if (std::isinf(v)) {
            throw data_error(name, i, std::string(v > 0 ? "+Inf" : "-Inf") + " is not allowed (only finite values and, per nan_policy, NaN)");
        }
    }
    if (nans == 0) return s;
    if (policy == nan_policy::propagate) {
        s.has_nan = true;
        return s;
    }
    std::vector<double> kept;
    kept.reserve(n - nans);
    for (std::size_t i = 0; i < n; ++i) {
        if (!std::isnan(p[i])) kept.push_back(p[i]);
    }
    s.values = contiguous_values<double>::own(std::move(kept));
    return s;
}

/// Throws data_error when a sample (after NaN omission) holds fewer than `min_size` values.
inline void require_size(const prepared_sample& s, const char* name, std::size_t min_size) {
    if (s.values.size() >= min_size) return;
    if (s.values.empty()) {
        throw data_error(name, data_error::no_row, "the sample is empty (after removing NaN values, if omitted)");
    }
    throw data_error(name, data_error::no_row,
                     "the test needs at least " + std::to_string(min_size) + " values per sample (after removing NaN values, if omitted), got " +
                         std::to_string(s.values.size()));
}

/// Two samples after the NaN policy, each checked to hold at least `min_size` values unless a NaN is
/// being propagated (then the caller returns NaN without computing).
struct prepared_pair {
    prepared_sample a, b;
    bool has_nan() const noexcept { return a.has_nan || b.has_nan; }
};

template <class A, class B>
prepared_pair prepare_pair(A&& a, B&& b, nan_policy policy, const char* name_a = "a", const char* name_b = "b",
                           std::size_t min_size = 1) {
    prepared_pair p{prepare_sample(std::forward<A>(a), policy, name_a), prepare_sample(std::forward<B>(b), policy, name_b)};
    if (!p.has_nan()) {
        require_size(p.a, name_a, min_size);
        require_size(p.b, name_b, min_size);
    }
    return p;
}

}  // namespace detail

/// JSON of a test: {"statistic", "p_value", "df"}; NaN (a df the test does not have, a propagated
/// NaN) and infinity are written as null.
inline void to_json(nlohmann::json& j, const test_result& r) {
    const auto num = mldp::detail::json_number;
    j = nlohmann::json{{"statistic", num(r.statistic)}, {"p_value", num(r.p_value)}, {"df", num(r.df)}};
}

}  // namespace mldp::stats

/// Prints a test on one line: "statistic = 3.84, p = 0.05", with ", df = 1" when the test has degrees
/// of freedom.
template <>
struct fmt::formatter<mldp::stats::test_result> {
    constexpr auto parse(format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const mldp::stats::test_result& r, Ctx& ctx) const {
        auto out = fmt::format_to(ctx.out(), "statistic = {:.6g}, p = {:.6g}", r.statistic, r.p_value);
        if (!std::isnan(r.df)) out = fmt::format_to(out, ", df = {:.6g}", r.df);
        return out;
    }
};

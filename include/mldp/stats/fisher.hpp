// mldp — Fisher's exact test on a 2 x 2 table, equal to scipy.stats.fisher_exact (scipy 1.10),
// with the hypergeometric distribution it rests on.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "mldp/core/detail/json.hpp"
#include "mldp/core/error.hpp"
#include "mldp/stats/special.hpp"
#include "mldp/stats/test_result.hpp"

namespace mldp::stats {

/// Hypergeometric probability of k successes in n draws from a population of `total` holding `good`
/// successes (scipy.stats.hypergeom.pmf(k, total, good, n)), from log-beta functions as scipy does.
inline double hypergeom_pmf(std::int64_t k, std::int64_t total, std::int64_t good, std::int64_t n) {
    const std::int64_t bad = total - good;
    if (k < 0 || k > good || n - k < 0 || n - k > bad) return 0.0;
    using detail::log_beta;
    auto d = [](std::int64_t v) { return static_cast<double>(v); };
    const double lp = log_beta(d(good) + 1, 1) + log_beta(d(bad) + 1, 1) + log_beta(d(total - n) + 1, d(n) + 1) -
                      log_beta(d(k) + 1, d(good - k) + 1) - log_beta(d(n - k) + 1, d(bad - n + k) + 1) -
                      log_beta(d(total) + 1, 1);
    return std::exp(lp);
}

/// P(K <= k) of the hypergeometric distribution (a sum of probabilities from the lower end).
inline double hypergeom_cdf(std::int64_t k, std::int64_t total, std::int64_t good, std::int64_t n) {
    double s = 0.0;
    const std::int64_t lo = (std::max)(std::int64_t{0}, n - (total - good));
    for (std::int64_t j = lo; j <= k && j <= (std::min)(good, n); ++j) s += hypergeom_pmf(j, total, good, n);
    return (std::min)(s, 1.0);
}

/// P(K > k) of the hypergeometric distribution (a sum of probabilities from the upper end).
inline double hypergeom_sf(std::int64_t k, std::int64_t total, std::int64_t good, std::int64_t n) {
    double s = 0.0;
    for (std::int64_t j = (std::min)(good, n); j > k && j >= 0; --j) s += hypergeom_pmf(j, total, good, n);
    return (std::min)(s, 1.0);
}

/// Result of fisher_exact(): the sample odds ratio a d / (b c) (inf when b c = 0) and the p-value.
struct fisher_result {
    double statistic = std::numeric_limits<double>::quiet_NaN();  ///< odds ratio
    double p_value = std::numeric_limits<double>::quiet_NaN();
};

/// Fisher's exact test of independence on the 2 x 2 table [[a, b], [c, d]] of counts, equal to
/// scipy.stats.fisher_exact(table, alternative): one-sided p-values are hypergeometric tails; the
/// two-sided p-value sums the probabilities of all tables at most as likely as the observed one
/// (with scipy's relative tolerance of 1e-14 for ties). A row or column of zeros gives odds ratio NaN
/// and p = 1, as scipy. Throws invalid_argument for a negative count.
inline fisher_result fisher_exact(std::int64_t a, std::int64_t b, std::int64_t c, std::int64_t d,
                                  alternative alt = alternative::two_sided) {
    if (a < 0 || b < 0 || c < 0 || d < 0) {
        throw invalid_argument("mldp::stats::fisher_exact: counts must be non-negative, got [[" + std::to_string(a) + ", " +
                               std::to_string(b) + "], [" + std::to_string(c) + ", " + std::to_string(d) + "]]");
    }
    fisher_result r;
    if (a + c == 0 || b + d == 0 || a + b == 0 || c + d == 0) {
        r.p_value = 1.0;
        return r;
    }
    r.statistic = (c > 0 && b > 0) ? static_cast<double>(a) * static_cast<double>(d) / (static_cast<double>(c) * static_cast<double>(b))
                                   : std::numeric_limits<double>::infinity();
    const std::int64_t n1 = a + b, n2 = c + d, n = a + c, total = n1 + n2;
    auto pmf = [&](std::int64_t x) { return hypergeom_pmf(x, total, n1, n); };
    double p;
    if (alt == alternative::less) {
        p = hypergeom_cdf(a, total, n1, n);
    } else if (alt == alternative::greater) {
        p = hypergeom_cdf(b, total, n1, b + d);
    } else {
        const auto mode = static_cast<std::int64_t>(static_cast<double>(n + 1) * static_cast<double>(n1 + 1) /
                                                    static_cast<double>(total + 2));
        const double pexact = pmf(a), pmode = pmf(mode);
        constexpr double epsilon = 1e-14;
        const double gamma = 1 + epsilon;
        // scipy's _binary_search: the index i in [lo, hi] with f(i) <= target < f(i + 1), f increasing
        auto search = [](auto f, double target, std::int64_t lo, std::int64_t hi) {
            while (lo < hi) {
                const std::int64_t mid = lo + (hi - lo) / 2;
                const double v = f(mid);
                if (v < target) {
                    lo = mid + 1;
                } else if (v > target) {
                    hi = mid - 1;
                } else {
                    return mid;
                }
            }
            return f(lo) <= target ? lo : lo - 1;
        };
        if (std::fabs(pexact - pmode) / (std::max)(pexact, pmode) <= epsilon) {
            p = 1.0;
        } else if (a < mode) {
            const double plower = hypergeom_cdf(a, total, n1, n);
            if (pmf(n) > pexact * gamma) {
                p = plower;
            } else {
                const std::int64_t guess = search([&](std::int64_t x) { return -pmf(x); }, -pexact * gamma, mode, n);
                p = plower + hypergeom_sf(guess, total, n1, n);
            }
        } else {
            const double pupper = hypergeom_sf(a - 1, total, n1, n);
            if (pmf(0) > pexact * gamma) {
                p = pupper;
            } else {
                const std::int64_t guess = search(pmf, pexact * gamma, 0, mode);
                p = pupper + hypergeom_cdf(guess, total, n1, n);
            }
        }
    }
    r.p_value = (std::min)(p, 1.0);
    return r;
}

/// JSON of a Fisher result: {"statistic" (the odds ratio), "p_value"}; an infinite or NaN odds ratio
/// is written as null.
inline void to_json(nlohmann::json& j, const fisher_result& r) {
    j = nlohmann::json{{"statistic", mldp::detail::json_number(r.statistic)}, {"p_value", mldp::detail::json_number(r.p_value)}};
}

}  // namespace mldp::stats

/// Prints a result on one line: "fisher_exact: odds ratio = 6, p = 0.0237".
template <>
struct fmt::formatter<mldp::stats::fisher_result> {
    constexpr auto parse(format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const mldp::stats::fisher_result& r, Ctx& ctx) const {
        return fmt::format_to(ctx.out(), "fisher_exact: odds ratio = {:.6g}, p = {:.6g}", r.statistic, r.p_value);
    }
};

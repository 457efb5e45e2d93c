// mldp — the kernel two-sample test: unbiased squared maximum mean discrepancy with a Gaussian (RBF)
// kernel (Gretton, Borgwardt, Rasch, Schoelkopf & Smola, JMLR 2012, eq. 3), the median heuristic for
// its bandwidth, and a seeded permutation p-value.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "mldp/core/detail/json.hpp"
#include "mldp/core/error.hpp"
#include "mldp/core/numeric.hpp"
#include "mldp/core/quantile.hpp"
#include "mldp/core/random.hpp"
#include "mldp/stats/test_result.hpp"

namespace mldp::stats {

/// Options of mmd2().
struct mmd_options {
    /// Kernel bandwidth sigma in k(a, b) = exp(-(a - b)^2 / (2 sigma^2)); 0 selects the median
    /// heuristic: the median distance |a - b| over all pairs of the pooled sample (numpy.median's
    /// convention for an even count).
    double bandwidth = 0.0;
    std::size_t permutations = 100;  ///< B; 0 skips the permutation test (p-value NaN)
    std::uint64_t seed = 0;          ///< permutations come from seed_sequence{seed}.derive("mmd2-permutations")
    stats::nan_policy nan_policy = stats::nan_policy::raise;
};

/// Result of mmd2().
struct mmd_result {
    double statistic = std::numeric_limits<double>::quiet_NaN();  ///< unbiased MMD^2 (may be slightly negative)
    /// (1 + #{permuted statistics >= observed}) / (B + 1): never 0, valid at any B (Phipson & Smyth 2010).
    double p_value = std::numeric_limits<double>::quiet_NaN();
    double bandwidth = std::numeric_limits<double>::quiet_NaN();  ///< sigma used
};

/// Largest pooled sample mmd2() accepts: the kernel matrix is held in memory (N^2 doubles) and each
/// permutation costs O(N^2). Subsample larger columns first (sample_without_replacement).
inline constexpr std::size_t mmd_max_pooled_size = 4096;

namespace detail {

// MMD^2_u for the split `in_a` (true: first sample) of the pooled kernel matrix K (N x N, unit
// diagonal): sum_{i != j in a} K / (m (m-1)) + sum_{i != j in b} K / (n (n-1)) - 2 sum_{a x b} K / (m n).
inline double mmd2_from_kernel(const std::vector<double>& K, std::size_t N, const std::vector<char>& in_a, double m, double n) {
    neumaier_sum saa, sbb, sab;
    for (std::size_t i = 0; i < N; ++i) {
        const double* row = K.data() + i * N;
        double ra = 0.0, rb = 0.0;
        for (std::size_t j = 0; j < N; ++j) {
            if (in_a[j]) {
                ra += row[j];
            } else {
                rb += row[j];
            }
        }
        if (in_a[i]) {
            saa.add(ra - 1.0);  // drop the diagonal k(x_i, x_i) = 1
            sab.add(rb);
        } else {
            sbb.add(rb - 1.0);
        }
    }
    return saa.value() / (m * (m - 1)) + sbb.value() / (n * (n - 1)) - 2.0 * sab.value() / (m * n);
}

}  // namespace detail

/// Unbiased squared maximum mean discrepancy between two numeric samples with the Gaussian kernel,
/// and its permutation p-value: the pooled sample is relabelled `permutations` times by
/// Fisher-Yates shuffles from a seeded mldp::rng (same seed, same p-value, on every platform).
/// O(N^2 (B + 1)) time and O(N^2) memory for N = n + m <= mmd_max_pooled_size. Throws
/// invalid_argument for a larger pooled sample or a negative or non-finite bandwidth; data_error for a
/// sample with fewer than two values, Inf, or NaN under nan_policy::raise.
template <class A, class B>
mmd_result mmd2(A&& a, B&& b, const mmd_options& options = {}) {
    if (!(options.bandwidth >= 0.0) || std::isinf(options.bandwidth)) {
        throw invalid_argument("mldp::stats::mmd2: the bandwidth must be finite and >= 0 (0 = median heuristic), got " +
                               std::to_string(options.bandwidth));
    }
    auto s = detail::prepare_pair(std::forward<A>(a), std::forward<B>(b), options.nan_policy, "a", "b", 2);
    mmd_result r;
    if (s.has_nan()) return r;
    const std::size_t m = s.a.values.size(), n = s.b.values.size(), N = m + n;
    if (N > mmd_max_pooled_size) {
        throw invalid_argument("mldp::stats::mmd2: the pooled sample has " + std::to_string(N) + " values; at most " +
                               std::to_string(mmd_max_pooled_size) + " are supported (subsample first)");
    }
    std::vector<double> z(N);
    std::copy(s.a.values.begin(), s.a.values.end(), z.begin());
    std::copy(s.b.values.begin(), s.b.values.end(), z.begin() + static_cast<std::ptrdiff_t>(m));

    double sigma = options.bandwidth;
    if (sigma == 0.0) {
        std::vector<double> d;
        d.reserve(N * (N - 1) / 2);
        for (std::size_t i = 0; i < N; ++i)
            for (std::size_t j = i + 1; j < N; ++j) d.push_back(std::fabs(z[i] - z[j]));
        const std::size_t c = d.size();
        std::vector<std::size_t> ranks{(c - 1) / 2};
        if (c % 2 == 0) ranks.push_back(c / 2);
        const auto stats = mldp::detail::order_statistics(d.data(), c, ranks);
        sigma = c % 2 ? stats[0] : (stats[0] + stats[1]) / 2.0;  // numpy.median: mean of the middle pair
        if (!(sigma > 0.0)) {
            throw data_error("a", data_error::no_row,
                             "the median heuristic gives a zero bandwidth (more than half of all pairs are equal); pass a bandwidth");
        }
    }
    r.bandwidth = sigma;
    const double inv = 1.0 / (2.0 * sigma * sigma);
    std::vector<double> K(N * N);
    for (std::size_t i = 0; i < N; ++i) {
        K[i * N + i] = 1.0;
        for (std::size_t j = i + 1; j < N; ++j) {
            const double diff = z[i] - z[j];
            K[i * N + j] = K[j * N + i] = std::exp(-diff * diff * inv);
        }
    }
    const double md = static_cast<double>(m), nd = static_cast<double>(n);
    std::vector<char> in_a(N, 0);
    std::fill(in_a.begin(), in_a.begin() + static_cast<std::ptrdiff_t>(m), 1);
    r.statistic = detail::mmd2_from_kernel(K, N, in_a, md, nd);
    if (options.permutations == 0) return r;
    rng g{seed_sequence{options.seed}.derive("mmd2-permutations")};
    std::vector<std::size_t> order(N);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::size_t at_least = 0;
    for (std::size_t p = 0; p < options.permutations; ++p) {
        shuffle(order.begin(), order.end(), g);
        std::fill(in_a.begin(), in_a.end(), 0);
        for (std::size_t i = 0; i < m; ++i) in_a[order[i]] = 1;
        at_least += detail::mmd2_from_kernel(K, N, in_a, md, nd) >= r.statistic;
    }
    r.p_value = static_cast<double>(at_least + 1) / static_cast<double>(options.permutations + 1);
    return r;
}

/// JSON of an MMD result: statistic, p_value, bandwidth; NaN (no permutations, a propagated NaN) is
/// written as null.
inline void to_json(nlohmann::json& j, const mmd_result& r) {
    const auto num = mldp::detail::json_number;
    j = nlohmann::json{{"statistic", num(r.statistic)}, {"p_value", num(r.p_value)}, {"bandwidth", num(r.bandwidth)}};
}

}  // namespace mldp::stats

/// Prints a result on one line: "mmd2: MMD^2 = 0.123, p = 0.0099, bandwidth = 1.5".
template <>
struct fmt::formatter<mldp::stats::mmd_result> {
    constexpr auto parse(format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const mldp::stats::mmd_result& r, Ctx& ctx) const {
        return fmt::format_to(ctx.out(), "mmd2: MMD^2 = {:.6g}, p = {:.6g}, bandwidth = {:.6g}", r.statistic, r.p_value, r.bandwidth);
    }
};

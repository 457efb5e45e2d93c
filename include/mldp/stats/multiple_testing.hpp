// mldp — multiple-testing correction of p-values, equal to statsmodels.stats.multitest.multipletests.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "mldp/core/contiguous.hpp"
#include "mldp/core/error.hpp"
#include "mldp/core/numeric.hpp"

namespace mldp::stats {

/// Multiple-testing corrections (statsmodels method names in brackets):
///   bonferroni          - family-wise error: min(m p, 1)                      ["bonferroni"]
///   holm                - family-wise error, step-down (Holm 1979)           ["holm"]
///   benjamini_hochberg  - false discovery rate, independent or PRDS tests     ["fdr_bh"]
///   benjamini_yekutieli - false discovery rate under any dependence          ["fdr_by"]
enum class correction { bonferroni, holm, benjamini_hochberg, benjamini_yekutieli };

/// Adjusted p-values, in the input order, equal to statsmodels' multipletests(p, method=...)[1]:
///   bonferroni: min(1, m p_i)
///   holm:       sorted ascending, max over j <= i of (m - j) p_(j), clipped to 1
///   BH:         sorted ascending, min over j >= i of m p_(j) / (j + 1), clipped to 1
///   BY:         as BH with m replaced by m * sum_{k=1..m} 1/k
/// A hypothesis is rejected at level alpha when its adjusted p-value is <= alpha. O(m log m).
/// Throws data_error (naming the position) for a p-value that is NaN or outside [0, 1].
template <class P>
std::vector<double> adjust_p_values(P&& p_values, correction method) {
    const auto p = evaluate_contiguous<double>(std::forward<P>(p_values));
    const std::size_t m = p.size();
    for (std::size_t i = 0; i < m; ++i) {
        if (!(p[i] >= 0.0 && p[i] <= 1.0)) {
            throw data_error("p_values", i, "p-values must be in [0, 1], got " + std::to_string(p[i]));
        }
    }
    std::vector<double> out(m);
    if (m == 0) return out;
    const double md = static_cast<double>(m);
    if (method == correction::bonferroni) {
        for (std::size_t i = 0; i < m; ++i) out[i] = (std::min)(1.0, p[i] * md);
        return out;
    }
    // Ties share their adjusted value whatever their relative order (the running max / min absorbs
    // the differences), so any ascending order gives statsmodels' result.
    std::vector<std::size_t> order(m);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return p[a] < p[b]; });

    if (method == correction::holm) {
        double running = 0.0;
        for (std::size_t k = 0; k < m; ++k) {
            running = (std::max)(running, static_cast<double>(m - k) * p[order[k]]);
            out[order[k]] = (std::min)(1.0, running);
        }
        return out;
    }
    double factor = 1.0;  // BY's c(m) = sum 1/k, summed as numpy.sum does
    if (method == correction::benjamini_yekutieli) {
        std::vector<double> reciprocals(m);
        for (std::size_t k = 0; k < m; ++k) reciprocals[k] = 1.0 / static_cast<double>(k + 1);
        factor = pairwise_sum(reciprocals.data(), m);
    }
    double running = 1.0;
    for (std::size_t k = m; k-- > 0;) {
        // statsmodels: ecdffactor = (k + 1) / m (divided by c(m) for BY), then p / ecdffactor.
        double ecdf = static_cast<double>(k + 1) / md;
        if (method == correction::benjamini_yekutieli) ecdf /= factor;
        running = (std::min)(running, p[order[k]] / ecdf);
        out[order[k]] = running;
    }
    return out;
}

}  // namespace mldp::stats

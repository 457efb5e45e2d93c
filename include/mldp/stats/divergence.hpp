// mldp — divergences and distances between two discrete distributions given as probability vectors
// or counts (each is normalised by its own sum first, as scipy does). Each function names the exact
// quantity it computes, because drift tools disagree: Jensen-Shannon here is scipy's *distance*
// (the square root of the divergence) in bits unless told otherwise.
#pragma once

#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "mldp/core/contiguous.hpp"
#include "mldp/core/error.hpp"
#include "mldp/core/numeric.hpp"

namespace mldp::stats {

namespace detail {

struct distribution_pair {
    std::vector<double> p, q;
};

// Validates two count/probability vectors (same length >= 1, finite, non-negative, positive sums)
// and normalises each by its numpy.sum.
template <class P, class Q>
distribution_pair normalised_pair(P&& p_in, Q&& q_in, const char* fn) {
    auto p = evaluate_contiguous<double>(std::forward<P>(p_in));
    auto q = evaluate_contiguous<double>(std::forward<Q>(q_in));
    if (p.size() != q.size()) {
        throw invalid_argument(std::string("mldp::stats::") + fn + ": p has " + std::to_string(p.size()) +
                               " entries and q has " + std::to_string(q.size()) + "; they must match");
    }
    if (p.empty()) throw data_error("p", data_error::no_row, std::string(fn) + ": the distributions are empty");
    auto check = [fn](const contiguous_values<double>& v, const char* name) {
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (!(v[i] >= 0.0) || std::isinf(v[i])) {
                throw data_error(name, i, std::string(fn) + ": probabilities and counts must be finite and non-negative, got " +
                                              std::to_string(v[i]));
            }
        }
        const double s = pairwise_sum(v.data(), v.size());
        if (!(s > 0.0)) throw data_error(name, data_error::no_row, std::string(fn) + ": the entries sum to zero");
        return s;
    };
    const double sp = check(p, "p"), sq = check(q, "q");
    distribution_pair out{std::vector<double>(p.size()), std::vector<double>(q.size())};
    for (std::size_t i = 0; i < p.size(); ++i) {
        out.p[i] = p[i] / sp;
        out.q[i] = q[i] / sq;
    }
    return out;
}

// scipy.special.rel_entr: x log(x / y) for x, y > 0; 0 for x == 0, y >= 0; +inf otherwise.
inline double rel_entr(double x, double y) noexcept {
    if (x > 0.0 && y > 0.0) return x * std::log(x / y);
    if (x == 0.0 && y >= 0.0) return 0.0;
    return std::numeric_limits<double>::infinity();
}

}  // namespace detail

/// Kullback-Leibler divergence KL(p || q) = sum p_i ln(p_i / q_i) in nats, after normalising both
/// (scipy.stats.entropy(p, q)). +inf when some q_i = 0 < p_i. O(k). Throws invalid_argument for
/// different lengths, data_error for negative, non-finite or all-zero entries.
template <class P, class Q>
double kl_divergence(P&& p, Q&& q) {
    const auto d = detail::normalised_pair(std::forward<P>(p), std::forward<Q>(q), "kl_divergence");
    std::vector<double> terms(d.p.size());
    for (std::size_t i = 0; i < terms.size(); ++i) terms[i] = detail::rel_entr(d.p[i], d.q[i]);
    return pairwise_sum(terms.data(), terms.size());
}

/// Jensen-Shannon divergence (KL(p||m) + KL(q||m)) / 2 with m = (p + q) / 2, in units of log(base)
/// (base 2: bits, bounded by 1; pass base = e for nats). The square of jensen_shannon_distance.
template <class P, class Q>
double jensen_shannon_divergence(P&& p, Q&& q, double base = 2.0) {
    if (!(base > 0.0) || base == 1.0 || std::isinf(base)) {
        throw invalid_argument("mldp::stats::jensen_shannon_divergence: base must be positive, finite and not 1, got " +
                               std::to_string(base));
    }
    const auto d = detail::normalised_pair(std::forward<P>(p), std::forward<Q>(q), "jensen_shannon_divergence");
    const std::size_t k = d.p.size();
    std::vector<double> left(k), right(k);
    for (std::size_t i = 0; i < k; ++i) {
        const double m = (d.p[i] + d.q[i]) / 2.0;
        left[i] = detail::rel_entr(d.p[i], m);
        right[i] = detail::rel_entr(d.q[i], m);
    }
    double js = pairwise_sum(left.data(), k) + pairwise_sum(right.data(), k);
    js /= std::log(base);
    return js / 2.0;
}

/// Jensen-Shannon distance sqrt(jensen_shannon_divergence(p, q, base)), equal to
/// scipy.spatial.distance.jensenshannon(p, q, base) (default base 2, so in [0, 1]).
template <class P, class Q>
double jensen_shannon_distance(P&& p, Q&& q, double base = 2.0) {
    return std::sqrt(jensen_shannon_divergence(std::forward<P>(p), std::forward<Q>(q), base));
}

/// Hellinger distance sqrt(1/2 sum (sqrt p_i - sqrt q_i)^2), in [0, 1].
template <class P, class Q>
double hellinger_distance(P&& p, Q&& q) {
    const auto d = detail::normalised_pair(std::forward<P>(p), std::forward<Q>(q), "hellinger_distance");
    std::vector<double> terms(d.p.size());
    for (std::size_t i = 0; i < terms.size(); ++i) {
        const double diff = std::sqrt(d.p[i]) - std::sqrt(d.q[i]);
        terms[i] = diff * diff;
    }
    return std::sqrt(pairwise_sum(terms.data(), terms.size()) / 2.0);
}

/// L-infinity distance max_i |p_i - q_i| between the normalised distributions (TFDV's drift metric
/// for categorical features), in [0, 1].
template <class P, class Q>
double l_infinity_distance(P&& p, Q&& q) {
    const auto d = detail::normalised_pair(std::forward<P>(p), std::forward<Q>(q), "l_infinity_distance");
    double m = 0.0;
    for (std::size_t i = 0; i < d.p.size(); ++i) m = std::fmax(m, std::fabs(d.p[i] - d.q[i]));
    return m;
}

/// Total variation distance 1/2 sum |p_i - q_i|, in [0, 1].
template <class P, class Q>
double total_variation_distance(P&& p, Q&& q) {
    const auto d = detail::normalised_pair(std::forward<P>(p), std::forward<Q>(q), "total_variation_distance");
    std::vector<double> terms(d.p.size());
    for (std::size_t i = 0; i < terms.size(); ++i) terms[i] = std::fabs(d.p[i] - d.q[i]);
    return pairwise_sum(terms.data(), terms.size()) / 2.0;
}

}  // namespace mldp::stats

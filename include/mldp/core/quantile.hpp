// mldp — exact sample quantiles with NumPy's default ('linear') definition, without sorting.
//
// quantiles() returns the same doubles as numpy.quantile(x, q) (method 'linear', numpy >= 1.22 arithmetic)
// in about one pass over the data: a deterministic stride sample brackets each needed order statistic,
// one pass counts the values below each bracket and collects those inside, and a selection inside each
// (small) bracket finds the exact order statistic. When a bracket misses (possible only for adversarial
// data), the order statistic is found by selection on a full copy instead; the result is exact either way.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "mldp/core/error.hpp"
#include "mldp/core/sort.hpp"

namespace mldp {

namespace detail {

// Exact order statistics x_(k) (0-based ranks, ascending and unique) of [data, data + n), and exact
// counts #{x < e} for values e near them, from one pass over the data.
class rank_selection {
public:
    rank_selection(const double* data, std::size_t n, const std::vector<std::size_t>& ranks) : data_(data), n_(n) {
        stats_.resize(ranks.size());
        if (ranks.empty()) return;
        if (n <= 4096) {
            sorted_.assign(data, data + n);
            sort_doubles(sorted_);
            for (std::size_t i = 0; i < ranks.size(); ++i) stats_[i] = sorted_[ranks[i]];
            return;
        }
        select(ranks);
    }

    const std::vector<double>& stats() const noexcept { return stats_; }

    /// #{x < e}, exactly: from the brackets when e lies inside one, else by a pass over the data.
    std::size_t count_less(double e) const {
        if (!sorted_.empty() || n_ == 0) {
            return static_cast<std::size_t>(std::lower_bound(sorted_.begin(), sorted_.end(), e) - sorted_.begin());
        }
        std::size_t before = 0;
        for (std::size_t j = 0; j < los_.size(); ++j) {
            before += below_[j];
            if (los_[j] <= e && e <= his_[j]) {
                std::size_t c = 0;
                for (double v : inside_[j]) c += v < e ? 1 : 0;
                return before + c;
            }
            before += inside_[j].size();
        }
        std::size_t c = 0;
        for (std::size_t i = 0; i < n_; ++i) c += data_[i] < e ? 1 : 0;
        return c;
    }

private:
    void select(const std::vector<std::size_t>& ranks) {
        const double* data = data_;
        const std::size_t n = n_;
        // 1. A stride sample, sorted: its empirical quantiles estimate the data's. A larger sample makes
        //    narrower brackets (their width shrinks as 1/sqrt(m)), so fewer values are collected in step 3.
        const std::size_t m = (std::min)((std::max)(n / 8, std::size_t{4096}), std::size_t{65536});
        std::vector<double> sample(m);
        for (std::size_t i = 0; i < m; ++i) sample[i] = data[i * (n / m)];
        sort_doubles(sample);
        // 2. Brackets [lo, hi] around each rank's estimate: +-4 standard deviations of a sample quantile's
        //    rank (sqrt(m)/2 at worst) plus one, merged where they overlap.
        const auto slack = static_cast<std::size_t>(2.0 * std::sqrt(static_cast<double>(m))) + 2;
        struct bracket {
            double lo, hi;
        };
        std::vector<bracket> brackets;
        for (std::size_t r : ranks) {
            const double pos = static_cast<double>(r) / static_cast<double>(n - 1) * static_cast<double>(m - 1);
            const auto c = static_cast<std::size_t>(pos);
            // Near the ends of the sample the bracket is open: the extremes of the data lie beyond it.
            const double lo = c > slack ? sample[c - slack] : -std::numeric_limits<double>::infinity();
            const double hi = c + 1 + slack < m ? sample[c + 1 + slack] : std::numeric_limits<double>::infinity();
            if (!brackets.empty() && lo <= brackets.back().hi) {
                brackets.back().hi = (std::max)(brackets.back().hi, hi);
            } else {
                brackets.push_back({lo, hi});
            }
        }
        // 3. One pass: c = #{lo_j <= v} (J is at most a few dozen, so a linear count);
        //    v lies in bracket c-1 when it is also <= hi_{c-1}, otherwise in the gap below bracket c.
        const std::size_t J = brackets.size();
        los_.resize(J);
        his_.resize(J);
        for (std::size_t j = 0; j < J; ++j) {
            los_[j] = brackets[j].lo;
            his_[j] = brackets[j].hi;
        }
        below_.assign(J + 1, 0);
        inside_.resize(J);
        for (std::size_t j = 0; j < J; ++j) {
            // expected share of the data inside bracket j, from the sample, with some headroom
            const auto in_sample = static_cast<std::size_t>(std::upper_bound(sample.begin(), sample.end(), his_[j]) -
                                                            std::lower_bound(sample.begin(), sample.end(), los_[j]));
            inside_[j].reserve(n / m * in_sample + in_sample + 64);
        }
        for (std::size_t i = 0; i < n; ++i) {
            const double v = data[i];
            std::size_t c = 0;  // a linear count: independent compares, no dependent branches
            for (std::size_t j = 0; j < J; ++j) c += los_[j] <= v ? 1 : 0;
            if (c > 0 && v <= his_[c - 1]) {
                inside_[c - 1].push_back(v);
            } else {
                ++below_[c];
            }
        }
        // 4. Each rank inside its bracket: selection among the collected values; otherwise fall back.
        std::vector<double> copy;  // full copy, only if some rank missed its bracket
        std::size_t before = 0, j = 0;
        for (std::size_t i = 0; i < ranks.size(); ++i) {
            const std::size_t r = ranks[i];
            // advance to the bracket whose range of ranks could hold r
            while (j < J && before + below_[j] + inside_[j].size() <= r) {
                before += below_[j] + inside_[j].size();
                ++j;
            }
            if (j < J && r >= before + below_[j]) {
                auto& vals = inside_[j];
                const std::size_t k = r - before - below_[j];
                std::nth_element(vals.begin(), vals.begin() + static_cast<std::ptrdiff_t>(k), vals.end());
                stats_[i] = vals[k];
            } else {
                if (copy.empty()) copy.assign(data, data + n);
                std::nth_element(copy.begin(), copy.begin() + static_cast<std::ptrdiff_t>(r), copy.end());
                stats_[i] = copy[r];
            }
        }
    }

    const double* data_;
    std::size_t n_;
    std::vector<double> sorted_;  // small samples: all of them, sorted
    std::vector<double> los_, his_;
    std::vector<std::size_t> below_;
    std::vector<std::vector<double>> inside_;
    std::vector<double> stats_;
};

// The order statistics x_(k) (0-based ranks, ascending and unique) of [data, data + n), exactly.
inline std::vector<double> order_statistics(const double* data, std::size_t n, const std::vector<std::size_t>& ranks) {
    return rank_selection(data, n, ranks).stats();
}

}  // namespace detail

namespace detail {

// quantiles() and, when `less` is given, the exact counts #{x < quantile_i}.
inline std::vector<double> quantiles_and_counts(const double* data, std::size_t n, const std::vector<double>& q,
                                                std::vector<std::size_t>* less) {
    if (n == 0) throw invalid_argument("mldp::quantiles: the sample is empty");
    for (double p : q) {
        if (!(p >= 0.0 && p <= 1.0)) {
            throw invalid_argument("mldp::quantiles: probabilities must be in [0, 1], got " + std::to_string(p));
        }
    }
    std::vector<std::size_t> ranks;
    ranks.reserve(2 * q.size());
    for (double p : q) {
        const double h = static_cast<double>(n - 1) * p;
        const auto lo = static_cast<std::size_t>(std::floor(h));
        ranks.push_back((std::min)(lo, n - 1));
        ranks.push_back((std::min)(lo + 1, n - 1));
    }
    std::sort(ranks.begin(), ranks.end());
    ranks.erase(std::unique(ranks.begin(), ranks.end()), ranks.end());
    const rank_selection selection(data, n, ranks);
    const std::vector<double>& stats = selection.stats();
    auto stat = [&](std::size_t r) { return stats[static_cast<std::size_t>(std::lower_bound(ranks.begin(), ranks.end(), r) - ranks.begin())]; };
    std::vector<double> out(q.size());
    for (std::size_t i = 0; i < q.size(); ++i) {
        const double h = static_cast<double>(n - 1) * q[i];
        const double lo_d = std::floor(h);
        const auto lo = (std::min)(static_cast<std::size_t>(lo_d), n - 1);
        const double a = stat(lo), b = stat((std::min)(lo + 1, n - 1));
        const double t = h - lo_d;
        const double diff = b - a;
        out[i] = t >= 0.5 ? b - diff * (1.0 - t) : a + diff * t;
    }
    if (less != nullptr) {
        less->resize(q.size());
        for (std::size_t i = 0; i < q.size(); ++i) (*less)[i] = selection.count_less(out[i]);
    }
    return out;
}

}  // namespace detail

/// numpy.quantile(x, q) with the default method 'linear', bit for bit: for each q in [0, 1], with
/// h = (n - 1) q, lo = floor(h), t = h - lo: x_(lo) + (x_(lo+1) - x_(lo)) t, or, when t >= 0.5,
/// x_(lo+1) - (x_(lo+1) - x_(lo)) (1 - t) (NumPy's _lerp). O(n) expected; the data are not modified.
/// Throws invalid_argument for an empty sample or q outside [0, 1] (or NaN); the data must not hold NaN.
inline std::vector<double> quantiles(const double* data, std::size_t n, const std::vector<double>& q) {
    return detail::quantiles_and_counts(data, n, q, nullptr);
}

}  // namespace mldp

// mldp — exact sample quantiles with NumPy's default ('linear') definition, without sorting.
//
// quantiles() returns the same doubles as numpy.quantile(x, q) (method 'linear', numpy >= 1.22 arithmetic)
// in two passes over the data. A sorted stride sample of 4096 values sets 4096 linear buckets over
// the bulk of the data; the first pass counts the values per bucket, which places every wanted order
// statistic in one bucket, and the second collects only those buckets' values, among which a
// selection finds each order statistic exactly. When the sample shows the values crowding into a few
// buckets (ties, heavy tails), a wider sample brackets each wanted order statistic instead, one pass
// counts the values below each bracket and collects those inside, and the selection runs inside each
// bracket; if a bracket misses (possible only for adversarial data), the order statistic is found by
// selection on a full copy. The result is exact on every path.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "mldp/core/error.hpp"
#include "mldp/core/detail/threshold_count.hpp"
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
        if (!select_buckets(ranks)) select_brackets(ranks);
    }

    const std::vector<double>& stats() const noexcept { return stats_; }

    /// #{x < e}, exactly: from the brackets when e lies inside one, else by a pass over the data.
    std::size_t count_less(double e) const {
        if (!sorted_.empty() || n_ == 0) {
            return static_cast<std::size_t>(std::lower_bound(sorted_.begin(), sorted_.end(), e) - sorted_.begin());
        }
        if (e != e) return 0;  // nothing is less than NaN
        if (!cum_.empty()) {
            const std::size_t b = bucket_of(e);
            const std::size_t before = cum_[b], in_bucket = cum_[b + 1] - cum_[b];
            if (in_bucket == 0) return before;
            if (want_[b] != 0) {
                std::size_t c = 0;
                for (std::size_t i = 0; i < in_bucket; ++i) c += flat_[offset_[b] + i] < e ? 1U : 0U;
                return before + c;
            }
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
    // Linear buckets over the bulk of the data (see bucket_block_body): the bucket of e, B for NaN.
    std::size_t bucket_of(double e) const noexcept {
        std::int32_t b;
        bucket_block_default(&e, 1, origin_, scale_, static_cast<double>(buckets - 1), &b);
        return static_cast<std::size_t>(b);
    }

    static constexpr std::size_t buckets = 4096;

    // The fast path: a histogram pass over `buckets` linear buckets spanning the sample's 0.1% to 99.9%
    // quantiles, then a second pass that collects the values of only the buckets holding a wanted
    // rank, and a selection among those. Memory: the histogram and the collected values (a few
    // hundred per rank on smooth data). Declines (returns false) when the sample says the values
    // crowd into few buckets (ties, heavy tails, a tiny spread): the bracket path takes those.
    bool select_buckets(const std::vector<std::size_t>& ranks) {
        const double* data = data_;
        const std::size_t n = n_;
        constexpr std::size_t m = 4096;
        std::vector<double> sample;
        sample.reserve(m);
        for (std::size_t i = 0; i < m; ++i) sample.push_back(data[i * (n / m)]);
        sort_doubles(sample);
        constexpr std::size_t trim = 4;
        const double lo = sample[trim], hi = sample[m - 1 - trim];
        const double width = hi - lo;
        if (!(width > 0.0) || !std::isfinite(width)) return false;
        scale_ = static_cast<double>(buckets) / width;
        if (!std::isfinite(scale_)) return false;
        origin_ = lo;
        // Crowding: no bucket may hold more than 1/32 of the sample.
        std::size_t run = 0, longest = 0, previous = static_cast<std::size_t>(-1);
        for (double v : sample) {
            const std::size_t b = bucket_of(v);
            run = b == previous ? run + 1 : 1;
            previous = b;
            longest = (std::max)(longest, run);
        }
        if (longest > m / 32) return false;

        // Pass 1: the histogram (bucket `buckets` holds NaN, which sorts last).
        const std::size_t B = buckets + 1;
        const bucket_block_fn kernel = bucket_block_kernel();
        const double last = static_cast<double>(buckets - 1);
        std::vector<std::size_t> hist(B, 0);
        std::int32_t bk[threshold_block];
        for (std::size_t i0 = 0; i0 < n; i0 += threshold_block) {
            const std::size_t len = (std::min)(n - i0, threshold_block);
            kernel(data + i0, len, origin_, scale_, last, bk);
            for (std::size_t i = 0; i < len; ++i) ++hist[static_cast<std::size_t>(bk[i])];
        }
        cum_.assign(B + 1, 0);
        for (std::size_t b = 0; b < B; ++b) cum_[b + 1] = cum_[b] + hist[b];
        // The bucket of each rank: the last b with cum_[b] <= r (it holds values, as r < n).
        auto bucket_of_rank = [&](std::size_t r) {
            return static_cast<std::size_t>(std::upper_bound(cum_.begin(), cum_.end(), r) - cum_.begin()) - 1;
        };
        want_.assign(B, 0);
        for (std::size_t r : ranks) {
            const std::size_t b = bucket_of_rank(r);
            if (b < buckets) want_[b] = 1;
        }
        offset_.assign(B, 0);
        std::size_t total = 0;
        for (std::size_t b = 0; b < B; ++b) {
            offset_[b] = total;
            if (want_[b] != 0) total += hist[b];
        }
        flat_.resize(total);
        // Pass 2: collect the wanted buckets' values, compacted without branches on the data.
        std::vector<std::size_t> fill(offset_);
        double kept[threshold_block];
        std::size_t kept_bucket[threshold_block];
        for (std::size_t i0 = 0; i0 < n; i0 += threshold_block) {
            const std::size_t len = (std::min)(n - i0, threshold_block);
            kernel(data + i0, len, origin_, scale_, last, bk);
            std::size_t k = 0;
            for (std::size_t i = 0; i < len; ++i) {
                const auto b = static_cast<std::size_t>(bk[i]);
                kept[k] = data[i0 + i];
                kept_bucket[k] = b;
                k += want_[b];
            }
            for (std::size_t t = 0; t < k; ++t) flat_[fill[kept_bucket[t]]++] = kept[t];
        }
        // Each rank by selection inside its bucket; a later rank in the same bucket needs only the part
        // above the previous one.
        constexpr std::size_t none = static_cast<std::size_t>(-1);
        std::size_t last_bucket = none, last_k = 0;
        for (std::size_t i = 0; i < ranks.size(); ++i) {
            const std::size_t b = bucket_of_rank(ranks[i]);
            if (b == buckets) {
                stats_[i] = std::numeric_limits<double>::quiet_NaN();
                continue;
            }
            const std::size_t k = ranks[i] - cum_[b];
            const auto first = flat_.begin() + static_cast<std::ptrdiff_t>(offset_[b]);
            const std::size_t from = last_bucket == b ? last_k + 1 : 0;
            stats_[i] = select_in(first, first + static_cast<std::ptrdiff_t>(hist[b]), from, k);
            last_bucket = b;
            last_k = k;
        }
        return true;
    }

    // The k-th least of [first, last), given that [first, first + from) already holds the `from`
    // least ones, in order statistics terms (from <= k).
    template <class It>
    static double select_in(It first, It last, std::size_t from, std::size_t k) {
        const It start = first + static_cast<std::ptrdiff_t>(from);
        const It nth = first + static_cast<std::ptrdiff_t>(k);
        if (k == from) {
            std::iter_swap(start, std::min_element(start, last));
        } else {
            std::nth_element(start, nth, last);
        }
        return *nth;
    }

    void select_brackets(const std::vector<std::size_t>& ranks) {
        const double* data = data_;
        const std::size_t n = n_;
        // 1. A stride sample, sorted: its empirical quantiles estimate the data's. A larger sample makes
        //    narrower brackets (their width shrinks as 1/sqrt(m)), so fewer values are collected in step 3.
        const std::size_t m = (std::min)((std::max)(n / 8, std::size_t{4096}), std::size_t{65536});
        std::vector<double> sample;
        sample.reserve(m);
        for (std::size_t i = 0; i < m; ++i) sample.push_back(data[i * (n / m)]);
        // 2. Brackets [lo, hi] around each rank's estimate: +-4 standard deviations of a sample quantile's
        //    rank (sqrt(m)/2 at worst) plus one, merged where they overlap.
        const auto slack = static_cast<std::size_t>(2.0 * std::sqrt(static_cast<double>(m))) + 2;
        struct bracket {
            std::size_t lo, hi;  // sample ranks; lo == npos: open below, hi == npos: open above
        };
        constexpr std::size_t open = static_cast<std::size_t>(-1);
        std::vector<bracket> brackets;
        for (std::size_t r : ranks) {
            const double pos = static_cast<double>(r) / static_cast<double>(n - 1) * static_cast<double>(m - 1);
            const auto c = static_cast<std::size_t>(pos);
            // Near the ends of the sample the bracket is open: the extremes of the data lie beyond it.
            const std::size_t lo = c > slack ? c - slack : open;
            const std::size_t hi = c + 1 + slack < m ? c + 1 + slack : open;
            if (!brackets.empty() && (brackets.back().hi == open || (lo != open && lo <= brackets.back().hi) || lo == open)) {
                brackets.back().hi = (brackets.back().hi == open || hi == open) ? open : (std::max)(brackets.back().hi, hi);
            } else {
                brackets.push_back({lo, hi});
            }
        }
        sort_doubles(sample);
        auto sample_stat = [&](std::size_t rank) { return sample[rank]; };
        // Brackets touching in value (ties in the sample) are merged, so that no value lies in two.
        constexpr double inf = std::numeric_limits<double>::infinity();
        los_.clear();
        his_.clear();
        std::vector<bracket> merged;
        for (const bracket& b : brackets) {
            const double lo = b.lo == open ? -inf : sample_stat(b.lo);
            const double hi = b.hi == open ? inf : sample_stat(b.hi);
            if (!merged.empty() && lo <= his_.back()) {
                his_.back() = (std::max)(his_.back(), hi);
                merged.back().hi = (merged.back().hi == open || b.hi == open) ? open : (std::max)(merged.back().hi, b.hi);
            } else {
                los_.push_back(lo);
                his_.push_back(hi);
                merged.push_back(b);
            }
        }
        brackets = std::move(merged);
        const std::size_t J = brackets.size();
        // 3. One pass over the data, a block at a time: per bracket, the values at or above its low end
        //    and above its high end (integer counts, vectorised; see threshold_count.hpp), and the
        //    values inside a bracket collected for step 4.
        inside_.resize(J);
        for (std::size_t j = 0; j < J; ++j) {
            // expected share of the data inside bracket j, from the sample's ranks, with some headroom
            const std::size_t first = brackets[j].lo == open ? 0 : brackets[j].lo;
            const std::size_t last = brackets[j].hi == open ? m - 1 : brackets[j].hi;
            const std::size_t span = last - first + 1;
            inside_[j].reserve(n / m * span + span + 64);
        }
        std::vector<std::int64_t> ge(J, 0);
        std::int64_t code[threshold_block];
        double kept[threshold_block];
        std::size_t kept_bracket[threshold_block];
        const bracket_block_fn kernel = bracket_block_kernel();
        for (std::size_t i0 = 0; i0 < n; i0 += threshold_block) {
            const std::size_t len = (std::min)(n - i0, threshold_block);
            kernel(data + i0, len, los_.data(), his_.data(), J, code, ge.data());
            // compaction without branches on the data: each value is written, and kept when inside
            std::size_t k = 0;
            for (std::size_t i = 0; i < len; ++i) {
                kept[k] = data[i0 + i];
                kept_bracket[k] = static_cast<std::size_t>(code[i]) - 1;
                k += code[i] != 0 ? 1 : 0;
            }
            for (std::size_t t = 0; t < k; ++t) inside_[kept_bracket[t]].push_back(kept[t]);
        }
        // below_[j]: the values in the gap below bracket j (NaN, which no comparison admits, count in gap 0).
        // #{v < lo_j} = n - ge[j] and #{v > hi_j} = ge[j] - |inside_j|.
        below_.assign(J + 1, 0);
        const auto un = static_cast<std::int64_t>(n);
        auto above = [&](std::size_t j) { return ge[j] - static_cast<std::int64_t>(inside_[j].size()); };
        below_[0] = static_cast<std::size_t>(un - ge[0]);
        for (std::size_t j = 1; j < J; ++j) below_[j] = static_cast<std::size_t>(above(j - 1) - ge[j]);
        below_[J] = static_cast<std::size_t>(above(J - 1));
        // 4. Each rank inside its bracket: selection among the collected values; otherwise fall back.
        //    Ranks are ascending, so a later rank in the same bracket needs only the part above the
        //    previous one (and the next rank up, only the least value there).
        std::vector<double> copy;  // full copy, only if some rank missed its bracket
        auto select_from = [](std::vector<double>& vals, std::size_t from, std::size_t k) {
            return select_in(vals.begin(), vals.end(), from, k);
        };
        constexpr std::size_t none = static_cast<std::size_t>(-1);
        std::size_t last_bracket = none, last_k = 0, last_copy = none;
        std::size_t before = 0, j = 0;
        for (std::size_t i = 0; i < ranks.size(); ++i) {
            const std::size_t r = ranks[i];
            // advance to the bracket whose range of ranks could hold r
            while (j < J && before + below_[j] + inside_[j].size() <= r) {
                before += below_[j] + inside_[j].size();
                ++j;
            }
            if (j < J && r >= before + below_[j]) {
                const std::size_t k = r - before - below_[j];
                stats_[i] = select_from(inside_[j], last_bracket == j ? last_k + 1 : 0, k);
                last_bracket = j;
                last_k = k;
            } else {
                if (copy.empty()) copy.assign(data, data + n);
                stats_[i] = select_from(copy, last_copy == none ? 0 : last_copy + 1, r);
                last_copy = r;
            }
        }
    }

    const double* data_;
    std::size_t n_;
    std::vector<double> sorted_;  // small samples: all of them, sorted
    std::vector<double> los_, his_;
    std::vector<std::size_t> below_;
    std::vector<std::vector<double>> inside_;
    double origin_ = 0.0, scale_ = 0.0;  // the bucket path's linear map
    std::vector<std::size_t> cum_;       // bucket path: #{values in buckets < b}; empty on other paths
    std::vector<std::uint8_t> want_;     // bucket path: 1 for the buckets whose values were collected
    std::vector<std::size_t> offset_;    // bucket path: where a collected bucket starts in flat_
    std::vector<double> flat_;           // bucket path: the collected values, bucket by bucket
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

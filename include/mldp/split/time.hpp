// mldp — time_split: a chronological three-way split with a gap between subsets, so that a model
// validated on the future never sees the moments just before it.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <type_traits>
#include <vector>

#include <fmt/format.h>

#include "mldp/core/column.hpp"
#include "mldp/core/contiguous.hpp"
#include "mldp/core/error.hpp"
#include "mldp/split/detail/labels.hpp"
#include "mldp/split/fractions.hpp"
#include "mldp/split/hash.hpp"
#include "mldp/split/result.hpp"

namespace mldp::split {

/// Rows left out between consecutive non-empty subsets of time_split: the first `rows` rows of the
/// later subset, and every row of the later subset whose time is less than `span` after the last time
/// of the earlier one (span in the time column's own unit). Both zero by default (no gap).
struct time_gap {
    std::size_t rows = 0;
    double span = 0;

    static time_gap of_rows(std::size_t n) noexcept { return time_gap{n, 0}; }
    static time_gap of_span(double span) noexcept { return time_gap{0, span}; }
};

namespace detail {

/// later - earlier (later >= earlier) as a double, without overflow for any two int64 ticks.
template <class T>
double elapsed(T earlier, T later) noexcept {
    if constexpr (std::is_integral_v<T>) {
        return static_cast<double>(static_cast<std::uint64_t>(later) - static_cast<std::uint64_t>(earlier));
    } else {
        return later - earlier;
    }
}

template <class T>
split_result time_split_impl(const T* t, std::size_t n, const fractions& f, const time_gap& gap) {
    constexpr const char* fn = "mldp::split::time_split";
    if (!(gap.span >= 0) || !std::isfinite(gap.span)) {
        throw invalid_argument(fmt::format("{}: time_gap.span = {} must be finite and >= 0", fn, gap.span));
    }
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return t[a] < t[b]; });
    const auto s = subset_sizes(n, f);
    // A cut never separates equal times: it moves forward to the end of their run.
    auto settle = [&](std::size_t c) {
        while (c > 0 && c < n && t[order[c]] == t[order[c - 1]]) ++c;
        return c;
    };
    std::size_t bounds[4] = {0, settle(s[0]), 0, n};
    bounds[2] = (std::max)(bounds[1], settle(s[0] + s[1]));
    std::vector<std::uint8_t> a(n, 3);
    std::ptrdiff_t last_end = -1;  // end (in sorted order) of the previous non-empty subset
    for (std::size_t sub = 0; sub < 3; ++sub) {
        const std::size_t lo = bounds[sub], hi = bounds[sub + 1];
        if (lo == hi) continue;
        std::size_t first = lo;
        if (last_end >= 0) {
            first = lo + (std::min)(gap.rows, hi - lo);
            if (gap.span > 0) {
                const T previous = t[order[static_cast<std::size_t>(last_end) - 1]];
                while (first < hi && elapsed(previous, t[order[first]]) < gap.span) ++first;
            }
        }
        for (std::size_t p = first; p < hi; ++p) a[order[p]] = static_cast<std::uint8_t>(sub);
        last_end = static_cast<std::ptrdiff_t>(hi);
    }
    split_result r;
    fill_from_assignment(a, r);
    r.info.algorithm = "time_split";
    r.info.requested = f;
    if (gap.rows || gap.span > 0) r.info.unit = fmt::format("gap rows={} span={}", gap.rows, gap.span);
    return r;
}

}  // namespace detail

/// Chronological split: rows sorted by time (equal times keep row order), the earliest
/// round(n * train) to train, then validation, then test, as random_split sizes them; a cut moves
/// forward past rows with the time just before it, so equal times never straddle two subsets. The
/// gap's rows go to split_result::dropped. Times: a time_column, any integer column of ticks, or a
/// floating-point column. O(n log n). Throws invalid_argument for n = 0 or bad fractions or gap;
/// data_error for NaN, infinite or missing times.
template <class T>
split_result time_split(const T& times, const fractions& f, const time_gap& gap = {}) {
    constexpr const char* fn = "mldp::split::time_split";
    detail::validate(f, fn);
    if constexpr (std::is_same_v<T, time_column>) {
        for (std::size_t i = 0; i < times.size(); ++i) {
            if (times.is_missing(i)) throw data_error("times", i, "missing time (every row needs one)");
        }
        detail::require_nonempty(times.size(), fn);
        return detail::time_split_impl(times.ticks.data(), times.size(), f, gap);
    } else {
        static_assert(is_numeric_source_v<const T&>,
                      "mldp::split::time_split: times must be a time_column or a numeric column");
        if constexpr (std::is_integral_v<detail::element_t<T>>) {
            detail::require_int64_range(times, "times");
            const auto x = evaluate_contiguous<std::int64_t>(times);
            detail::require_nonempty(x.size(), fn);
            return detail::time_split_impl(x.data(), x.size(), f, gap);
        } else {
            const auto x = evaluate_contiguous<double>(times);
            for (std::size_t i = 0; i < x.size(); ++i) {
                if (!std::isfinite(x.data()[i])) {
                    throw data_error("times", i, fmt::format("time {} is not finite", x.data()[i]));
                }
            }
            detail::require_nonempty(x.size(), fn);
            return detail::time_split_impl(x.data(), x.size(), f, gap);
        }
    }
}

}  // namespace mldp::split

// mldp — private: turns a column of labels, groups or strata (integers, floating-point values,
// strings or a categorical column) into dense codes numbered in ascending order of the value, so
// that every splitter's result depends on the values, never on the order in which they first appear.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "mldp/core/column.hpp"
#include "mldp/core/contiguous.hpp"
#include "mldp/core/detail/memory.hpp"
#include "mldp/core/error.hpp"

namespace mldp::split::detail {

/// Dense codes of a label column. Class c is the c-th smallest distinct value (strings compare
/// bytewise); counts[c] rows have it; names[c] prints it.
struct encoded_labels {
    std::vector<std::uint32_t> codes;
    std::vector<std::size_t> counts;
    std::vector<std::string> names;

    std::size_t size() const noexcept { return codes.size(); }
    std::size_t classes() const noexcept { return counts.size(); }
};

template <class C, class = void>
struct has_value_type : std::false_type {};
template <class C>
struct has_value_type<C, std::void_t<typename C::value_type>> : std::true_type {};

template <class L>
constexpr bool is_string_column_v = std::is_same_v<L, std::vector<std::string>> ||
                                    std::is_same_v<L, std::vector<std::string_view>>;

template <class X, class = void>
struct element_type {
    using type = mldp::detail::range_value_t<X>;
};
template <class X>
struct element_type<X, std::enable_if_t<mldp::detail::is_xexpression_v<X>>> {
    using type = typename X::value_type;
};
/// Element type of a numeric column.
template <class X>
using element_t = typename element_type<X>::type;

/// Throws data_error for an unsigned 64-bit value above INT64_MAX: mldp orders integer labels,
/// groups and times as int64.
template <class X>
void require_int64_range(const X& column, const char* what) {
    using T = element_t<X>;
    if constexpr (std::is_unsigned_v<T> && sizeof(T) >= sizeof(std::int64_t)) {
        const auto x = evaluate_contiguous<T>(column);
        for (std::size_t i = 0; i < x.size(); ++i) {
            if (x.data()[i] > static_cast<T>((std::numeric_limits<std::int64_t>::max)())) {
                throw data_error(what, i, fmt::format("{} is above the int64 range mldp orders integers in", x.data()[i]));
            }
        }
    } else {
        (void)column;
        (void)what;
    }
}

/// Remaps raw codes (in [0, k)) so that classes come in the order `order` gives (order[j] = raw code
/// of the j-th class) and unused raw codes disappear.
inline void canonicalize(encoded_labels& e, std::size_t k, const std::vector<std::uint32_t>& order,
                         std::vector<std::string> raw_names, std::vector<std::size_t> raw_counts = {}) {
    if (raw_counts.empty()) {
        raw_counts.assign(k, 0);
        for (auto c : e.codes) ++raw_counts[c];
    }
    std::vector<std::uint32_t> remap(k, 0);
    std::uint32_t next = 0;
    bool identity = true;
    for (auto raw : order) {
        if (raw_counts[raw] == 0) continue;
        identity &= raw == next;
        remap[raw] = next++;
        e.counts.push_back(raw_counts[raw]);
        if (!raw_names.empty()) e.names.push_back(std::move(raw_names[raw]));
    }
    if (!identity) {
        for (auto& c : e.codes) c = remap[c];
    }
}

inline encoded_labels encode_categorical(const categorical_column& col, const char* what) {
    encoded_labels e;
    const auto& codes = col.codes();
    e.codes = mldp::detail::large_vector<std::uint32_t>(codes.size());
    for (std::size_t i = 0; i < codes.size(); ++i) {
        if (codes[i] < 0) throw data_error(what, i, "missing value (every row needs one)");
        e.codes[i] = static_cast<std::uint32_t>(codes[i]);
    }
    const auto& dict = col.dictionary();
    std::vector<std::uint32_t> order(dict.size());
    std::iota(order.begin(), order.end(), std::uint32_t{0});
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return dict[a] < dict[b]; });
    canonicalize(e, dict.size(), order, dict);
    return e;
}

/// Codes of v[0..n) as positions in the sorted distinct values u (given unsorted, with duplicates),
/// and the count and (when wanted) the printed name of each. O(n log n).
template <class T, class Name>
void code_by_sorted_unique(encoded_labels& e, const T* v, std::size_t n, std::vector<T> u, bool names_wanted, Name name_of) {
    std::sort(u.begin(), u.end());
    u.erase(std::unique(u.begin(), u.end()), u.end());
    if (u.size() > (std::numeric_limits<std::uint32_t>::max)()) {
        throw invalid_argument("mldp::split: more than 2^32 - 1 distinct labels or groups");
    }
    e.counts.assign(u.size(), 0);
    for (std::size_t i = 0; i < n; ++i) {
        const auto c = static_cast<std::uint32_t>(std::lower_bound(u.begin(), u.end(), v[i]) - u.begin());
        e.codes[i] = c;
        ++e.counts[c];
    }
    if (names_wanted) {
        e.names.reserve(u.size());
        for (const auto& x : u) e.names.push_back(name_of(x));
    }
}

/// Smallest and largest of v[0..n), n >= 1, in a loop compilers vectorise (std::minmax_element's
/// iterator contract keeps it scalar).
inline std::pair<std::int64_t, std::int64_t> min_max(const std::int64_t* v, std::size_t n) noexcept {
    std::int64_t lo = v[0], hi = v[0];
    for (std::size_t i = 1; i < n; ++i) {
        lo = v[i] < lo ? v[i] : lo;
        hi = v[i] > hi ? v[i] : hi;
    }
    return {lo, hi};
}

inline encoded_labels encode_integers(const std::int64_t* v, std::size_t n, bool names_wanted) {
    encoded_labels e;
    e.codes = mldp::detail::large_vector<std::uint32_t>(n);
    if (n == 0) return e;
    const auto [lo, hi] = min_max(v, n);
    const std::uint64_t span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
    if (span < (std::max<std::uint64_t>)(std::uint64_t{1} << 16, 2 * static_cast<std::uint64_t>(n)) &&
        span < (std::numeric_limits<std::uint32_t>::max)()) {
        // Dense range: a direct table, O(n + range); codes and counts in one pass.
        const std::size_t k = static_cast<std::size_t>(span) + 1;
        std::vector<std::size_t> counts(k, 0);
        for (std::size_t i = 0; i < n; ++i) {
            const auto c = static_cast<std::uint32_t>(static_cast<std::uint64_t>(v[i]) - static_cast<std::uint64_t>(lo));
            e.codes[i] = c;
            ++counts[c];
        }
        std::vector<std::uint32_t> order(k);
        std::iota(order.begin(), order.end(), std::uint32_t{0});
        std::vector<std::string> names;
        if (names_wanted) {
            names.resize(k);
            for (std::size_t j = 0; j < k; ++j) {
                if (counts[j]) names[j] = std::to_string(static_cast<std::int64_t>(static_cast<std::uint64_t>(lo) + j));
            }
        }
        canonicalize(e, k, order, std::move(names), std::move(counts));
        return e;
    }
    code_by_sorted_unique(e, v, n, std::vector<std::int64_t>(v, v + n), names_wanted,
                          [](std::int64_t x) { return std::to_string(x); });
    return e;
}

inline encoded_labels encode_doubles(const double* v, std::size_t n, const char* what, bool names_wanted = true) {
    for (std::size_t i = 0; i < n; ++i) {
        if (!std::isfinite(v[i])) throw data_error(what, i, fmt::format("{} is not a valid label (finite values only)", v[i]));
    }
    std::vector<double> u(v, v + n);
    for (auto& x : u) x = x == 0.0 ? 0.0 : x;  // -0.0 and +0.0 are one class
    encoded_labels e;
    e.codes = mldp::detail::large_vector<std::uint32_t>(n);
    code_by_sorted_unique(e, v, n, std::move(u), names_wanted, [](double x) { return fmt::format("{}", x); });
    return e;
}

/// Encodes a label-like column: categorical_column, std::vector<std::string>,
/// std::vector<std::string_view>, or any numeric column (integers exactly; floating-point values must
/// be finite). `what` names the argument in error messages; names_wanted = false skips printable
/// names (groups need none).
template <class L>
encoded_labels encode_labels(const L& labels, const char* what, bool names_wanted = true) {
    if constexpr (std::is_same_v<L, categorical_column>) {
        return encode_categorical(labels, what);
    } else if constexpr (is_string_column_v<L>) {
        return encode_categorical(categorical_column::from_strings(labels), what);
    } else {
        static_assert(is_numeric_source_v<const L&>,
                      "mldp::split: labels, groups and strata must be a categorical_column, a std::vector of "
                      "strings or string views, or a numeric column (std::vector, std::array, xtensor expression)");
        if constexpr (std::is_integral_v<element_t<L>>) {
            require_int64_range(labels, what);
            const auto x = evaluate_contiguous<std::int64_t>(labels);
            return encode_integers(x.data(), x.size(), names_wanted);
        } else {
            const auto x = evaluate_contiguous<double>(labels);
            return encode_doubles(x.data(), x.size(), what, names_wanted);
        }
    }
}

}  // namespace mldp::split::detail

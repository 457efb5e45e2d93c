// mldp — the train/validation/test fractions every splitter takes, and the one rounding rule that
// turns them into subset sizes.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include <fmt/format.h>

#include "mldp/core/error.hpp"

namespace mldp::split {

/// Shares of the rows (or groups, or hash buckets) that go to each subset. Each must lie in [0, 1]
/// and the three must sum to 1 within 1e-9; a zero share gives an empty subset. Splitters throw
/// invalid_argument otherwise.
struct fractions {
    double train = 0.8;
    double validation = 0.1;
    double test = 0.1;
};

/// The subset a row belongs to. `dropped` marks rows a splitter leaves out on purpose (the gap of
/// time_split).
enum class subset : std::uint8_t { train = 0, validation = 1, test = 2, dropped = 3 };

/// "train", "validation", "test" or "dropped".
constexpr const char* to_string(subset s) noexcept {
    switch (s) {
        case subset::train: return "train";
        case subset::validation: return "validation";
        case subset::test: return "test";
        case subset::dropped: return "dropped";
    }
    return "?";
}

namespace detail {

inline void validate(const fractions& f, const char* fn) {
    const double v[3] = {f.train, f.validation, f.test};
    const char* names[3] = {"train", "validation", "test"};
    for (int i = 0; i < 3; ++i) {
        if (!(v[i] >= 0.0 && v[i] <= 1.0)) {
            throw invalid_argument(fmt::format("{}: fractions.{} = {} is outside [0, 1]", fn, names[i], v[i]));
        }
    }
    const double sum = f.train + f.validation + f.test;
    if (std::fabs(sum - 1.0) > 1e-9) {
        throw invalid_argument(fmt::format(
            "{}: fractions must sum to 1 (within 1e-9), got {} + {} + {} = {:.17g}", fn, f.train, f.validation,
            f.test, sum));
    }
}

/// Number of subsets with a positive fraction.
inline int nonempty_subsets(const fractions& f) noexcept {
    return (f.train > 0) + (f.validation > 0) + (f.test > 0);
}

/// The cut rule shared by every splitter: of n ordered units, the first
/// cut1 = round(n * train) go to train, the next up to cut2 = round(n * (train + validation)) to
/// validation, the rest to test (round = half away from zero). A subset with a zero fraction is
/// empty, and each size is within 1 of fraction * n (train and test within 1/2).
inline std::array<std::size_t, 3> subset_sizes(std::size_t n, const fractions& f) noexcept {
    const double dn = static_cast<double>(n);
    auto cut = [&](double share) {
        if (share <= 0) return std::size_t{0};
        const double c = std::round(dn * share);
        return c >= dn ? n : static_cast<std::size_t>(c);
    };
    const std::size_t c1 = cut(f.train);
    // With test = 0 everything after train is validation (cut2 = n even if train + validation
    // rounds below 1); with validation = 0, cut2 = cut(train) = cut1.
    const std::size_t c2 = f.test > 0 ? cut(f.train + f.validation) : n;
    return {c1, c2 - c1, n - c2};
}

inline void require_rows(std::size_t n, std::size_t expected, const char* fn, const char* what) {
    if (n != expected) {
        throw invalid_argument(fmt::format("{}: {} has {} rows, expected {} (one per row)", fn, what, n, expected));
    }
}

inline void require_nonempty(std::size_t n, const char* fn) {
    if (n == 0) throw invalid_argument(fmt::format("{}: there are no rows to split (n = 0)", fn));
}

}  // namespace detail
}  // namespace mldp::split

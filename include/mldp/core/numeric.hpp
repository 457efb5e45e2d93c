// mldp — summation that later layers rely on for accuracy and reproducibility, and the finiteness
// check every numeric entry point applies before it computes.
#pragma once

#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "mldp/core/contiguous.hpp"
#include "mldp/core/error.hpp"

namespace mldp {

/// Running sum with Neumaier's compensation (Neumaier 1974, "Rundungsfehleranalyse einiger Verfahren
/// zur Summation endlicher Summen"): the error is bounded by about 2 ulp of the result, independent of
/// the number of terms, whatever their order or signs (plain Kahan fails when a term exceeds the sum).
/// Mergeable: a.merge(b) sums the union of both inputs. add() and merge() never allocate or throw.
class neumaier_sum {
public:
    void add(double x) noexcept {
        const double t = sum_ + x;
        // Whichever of the two operands is larger loses no bits; recover the low bits of the other.
        if (std::fabs(sum_) >= std::fabs(x)) {
            comp_ += (sum_ - t) + x;
        } else {
            comp_ += (x - t) + sum_;
        }
        sum_ = t;
    }
    void merge(const neumaier_sum& other) noexcept {
        add(other.sum_);
        comp_ += other.comp_;
    }
    /// The compensated sum.
    double value() const noexcept { return sum_ + comp_; }

private:
    double sum_ = 0.0;
    double comp_ = 0.0;
};

/// Compensated (Neumaier) sum of a numeric column. O(n).
template <class X>
double compensated_sum(X&& values) {
    const auto v = evaluate_contiguous<double>(std::forward<X>(values));
    neumaier_sum s;
    for (double x : v) s.add(x);
    return s.value();
}

namespace detail {

// NumPy's pairwise_sum kernel (numpy/core/src/umath/loops_utils.h.src) for one block.
inline double pairwise_block(const double* a, std::size_t n) noexcept {
    if (n < 8) {
        double res = 0.0;
        for (std::size_t i = 0; i < n; ++i) res += a[i];
        return res;
    }
    if (n <= 128) {
        double r[8];
        for (std::size_t j = 0; j < 8; ++j) r[j] = a[j];
        std::size_t i = 8;
        for (; i < n - (n % 8); i += 8) {
            for (std::size_t j = 0; j < 8; ++j) r[j] += a[i + j];
        }
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; ++i) res += a[i];
        return res;
    }
    std::size_t n2 = n / 2;
    n2 -= n2 % 8;
    return pairwise_block(a, n2) + pairwise_block(a + n2, n - n2);
}

}  // namespace detail

/// Sum of n doubles computed exactly as numpy.sum does on a contiguous float64 array, bit for bit:
/// NumPy's reduction walks the array in buffers of 8192 elements (its default ufunc buffer size) and
/// adds each buffer's pairwise sum to a running total that starts at 0.0. Within a buffer: below 8
/// terms a plain loop; up to 128 terms eight interleaved partial sums combined as
/// ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)); above that, split at n/2 rounded down to a multiple of 8 and
/// recurse. Error O(log n) ulp within a buffer; O(n) time, no allocation.
/// `on_buffer(data, len)` sees each buffer right after it is summed (while it is still in cache), so
/// a caller can check the values in the same pass over memory.
template <class OnBuffer>
double pairwise_sum(const double* a, std::size_t n, OnBuffer&& on_buffer) {
    constexpr std::size_t numpy_buffer = 8192;
    double total = 0.0;
    for (std::size_t start = 0; start < n; start += numpy_buffer) {
        const std::size_t len = n - start < numpy_buffer ? n - start : numpy_buffer;
        total += detail::pairwise_block(a + start, len);
        on_buffer(a + start, len);
    }
    return total;
}
inline double pairwise_sum(const double* a, std::size_t n) noexcept {
    return pairwise_sum(a, n, [](const double*, std::size_t) noexcept {});
}

/// numpy.sum-exact pairwise sum of a numeric column (see pairwise_sum(const double*, std::size_t)).
template <class X>
double pairwise_sum(X&& values) {
    const auto v = evaluate_contiguous<double>(std::forward<X>(values));
    return pairwise_sum(v.data(), v.size());
}

/// numpy.mean(x) and numpy.var(x, ddof) with numpy's summation, so they match NumPy (and scipy, which
/// calls it) bit for bit: the mean is pairwise_sum / n, the variance the pairwise sum of squared
/// deviations over n - ddof (NaN when n <= ddof). Allocates n doubles for the deviations. n >= 1.
inline std::pair<double, double> numpy_mean_and_var(const double* x, std::size_t n, std::size_t ddof) {
    const double mean = pairwise_sum(x, n) / static_cast<double>(n);
    std::vector<double> sq(n);
    for (std::size_t i = 0; i < n; ++i) {
        const double d = x[i] - mean;
        sq[i] = d * d;
    }
    const double var = n > ddof ? pairwise_sum(sq.data(), n) / static_cast<double>(n - ddof)
                                : std::numeric_limits<double>::quiet_NaN();
    return {mean, var};
}

/// Index of the first NaN or infinite value in [data, data + n), or n when all are finite.
inline std::size_t first_non_finite(const double* data, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n; ++i) {
        if (!std::isfinite(data[i])) return i;
    }
    return n;
}

/// Throws data_error naming `column` and the first row whose value is NaN or infinite.
inline void require_finite(const double* data, std::size_t n, const std::string& column) {
    const std::size_t i = first_non_finite(data, n);
    if (i != n) {
        const double v = data[i];
        throw data_error(column, i,
                         std::string(v != v ? "NaN" : (v > 0 ? "+Inf" : "-Inf")) +
                             " is not allowed here (only finite values are accepted; drop or impute missing values first)");
    }
}

}  // namespace mldp

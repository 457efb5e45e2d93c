// mldp — loss terms with analytic gradients: mse, mae, huber, binary cross-entropy with logits,
// softmax cross-entropy, focal loss, and balanced class weights.
//
// Every term returns loss_value{value, gradient}: the reduced loss and its gradient with respect to
// the predictions (logits for the classification terms), same shape as them. Predictions are 1-D
// (n) or 2-D (n x m: m outputs, objectives or labels per sample). Weights:
//   - sample weights w_i (length n) and column weights c_j (length m; class weights for
//     softmax_cross_entropy) multiply each element's loss;
//   - reduction::mean divides by the sum of the sample weights (PyTorch's rule for weighted
//     CrossEntropyLoss), so value = sum_ij w_i c_j l_ij / sum_i w_i: the columns of a 2-D input are
//     objectives that add up with their weights c_j. This is not PyTorch's all-element mean over an
//     n x m tensor (which divides by n m): pass c_j = 1/m for that. reduction::sum does not divide.
// The *_into forms write the gradient into a caller's xtensor container (resized only when its
// shape differs), so a training step in steady state allocates nothing. Bad input throws: NaN or
// Inf predictions or targets and targets out of range are data_error naming the column and the
// first offending row; negative or non-finite weights, weights summing to zero and mismatched
// lengths are data_error / invalid_argument.
#pragma once

#include <cmath>
#include <cstddef>
#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>
#include <xtensor/xarray.hpp>
#include <xtensor/xeval.hpp>
#include <xtensor/xtensor.hpp>

#include "mldp/core/contiguous.hpp"
#include "mldp/core/detail/cpu_dispatch.hpp"
#include "mldp/core/detail/json.hpp"
#include "mldp/core/detail/threshold_count.hpp"
#include "mldp/core/error.hpp"
#include "mldp/core/numeric.hpp"
#include "mldp/loss/detail/bce_kernel.hpp"
#include "mldp/loss/detail/math.hpp"

namespace mldp::loss {

/// How a term reduces its per-element losses (see the header comment for the weighting rule).
enum class reduction { mean, sum };

/// A reduced loss and its gradient with respect to the predictions (same shape as them).
struct loss_value {
    double value = 0.0;
    xt::xarray<double> gradient;
};

/// Per-sample and per-column weights. Lvalue std::vector<double> and xtensor containers of double
/// are borrowed (zero copy: keep them alive while the loss_weights is used); temporaries are moved
/// or copied in, so `loss_weights::columns(balanced_class_weights(y, K))` is safe. Implicitly
/// constructible from one numeric container, the sample weights, so that
/// `binary_cross_entropy_with_logits(logits, targets, weights)` reads as it should.
struct loss_weights {
    contiguous_values<double> sample;  ///< length n, or empty for 1
    contiguous_values<double> column;  ///< length m (classes for softmax_cross_entropy), or empty for 1

    loss_weights() = default;
    template <class S, class = std::enable_if_t<is_numeric_source_v<S>>>
    loss_weights(S&& sample_weights) : sample(evaluate_contiguous<double>(std::forward<S>(sample_weights))) {}  // NOLINT: implicit
    template <class S, class C, class = std::enable_if_t<is_numeric_source_v<S> && is_numeric_source_v<C>>>
    loss_weights(S&& sample_weights, C&& column_weights)
        : sample(evaluate_contiguous<double>(std::forward<S>(sample_weights))),
          column(evaluate_contiguous<double>(std::forward<C>(column_weights))) {}
    /// Column (class) weights only.
    template <class C>
    static loss_weights columns(C&& column_weights) {
        loss_weights w;
        w.column = evaluate_contiguous<double>(std::forward<C>(column_weights));
        return w;
    }
};

/// Options shared by the terms: the reduction; Huber's threshold `delta`; the focal loss's `alpha`
/// and `gamma` (alpha < 0 disables the class balance factor, as torchvision does). Brace-initialise
/// the reduction alone as `{mldp::loss::reduction::sum}`.
struct loss_options {
    reduction reduce = reduction::mean;
    double delta = 1.0;
    double alpha = 0.25;
    double gamma = 2.0;
};

namespace detail {

// A 1-D or 2-D input as contiguous row-major doubles: borrowed when the caller's container already
// is one, otherwise evaluated once.
struct dense_input {
    std::vector<double> owned;  // (a default xt::xarray would allocate its one 0-D element)
    contiguous_values<double> flat;
    const double* data = nullptr;
    std::size_t rows = 0, cols = 1, dim = 1;
    std::vector<std::size_t> shape() const { return dim == 1 ? std::vector<std::size_t>{rows} : std::vector<std::size_t>{rows, cols}; }
    std::size_t size() const noexcept { return rows * cols; }
};

template <class X>
dense_input dense(const X& x, const char* fn, const char* name) {
    dense_input d;
    if constexpr (xt::is_xexpression<X>::value) {
        const X& e = x;
        if (e.dimension() != 1 && e.dimension() != 2) {
            throw invalid_argument(fmt::format("mldp::loss::{}: {} must be 1-D or 2-D, got {} dimensions", fn, name, e.dimension()));
        }
        using D = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<typename D::value_type, double> && xt::is_crtp_base_of<xt::xcontainer, D>::value) {
            if (e.layout() == xt::layout_type::row_major || e.dimension() == 1) {
                d.data = e.data();
            }
        }
        if (d.data == nullptr) {
            const auto ev = xt::eval(xt::cast<double>(e));  // row-major, the default layout
            d.owned.assign(ev.begin(), ev.end());
            d.data = d.owned.data();
        }
        d.dim = e.dimension();
        d.rows = e.shape()[0];
        d.cols = d.dim == 2 ? e.shape()[1] : 1;
    } else {
        d.flat = evaluate_contiguous<double>(x);
        d.data = d.flat.data();
        d.rows = d.flat.size();
    }
    return d;
}

// Whether every weight in [v, v + n) is finite and non-negative, by the validators' fail masks
// (core/detail/threshold_count.hpp: SSE2, AVX2 or AVX-512 compares).
inline bool weights_valid(const double* v, std::size_t n) noexcept {
    constexpr std::size_t chunk = 8192;
    std::uint64_t masks[chunk / 64];
    std::uint64_t any = 0;
    for (std::size_t start = 0; start < n; start += chunk) {
        const std::size_t len = (std::min)(chunk, n - start);
        mldp::detail::fail_masks(v + start, len, true, 0.0, (std::numeric_limits<double>::max)(), masks);
        for (std::size_t w = 0; w < (len + 63) / 64; ++w) any |= masks[w];
    }
    return any == 0;
}

// Checks the weights and returns 1 / (sum of sample weights) for reduction::mean, 1 for sum. The
// sample weights are summed (pairwise_sum) and checked in the same pass over memory.
inline double check_weights(const loss_weights& w, std::size_t rows, std::size_t cols, reduction r, const char* fn,
                            bool columns_are_classes = false) {
    auto check_size = [&](const contiguous_values<double>& v, std::size_t expected, const char* name, const char* what) {
        if (!v.empty() && v.size() != expected) {
            throw invalid_argument(fmt::format("mldp::loss::{}: {} has {} entries for {} {}", fn, name, v.size(), expected, what));
        }
    };
    auto throw_first_bad_weight = [&](const contiguous_values<double>& v, const char* name) {
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (!(v[i] >= 0.0) || std::isinf(v[i])) {
                throw data_error(name, i, fmt::format("{}: weights must be finite and non-negative, got {}", fn, v[i]));
            }
        }
    };
    const char* cname = columns_are_classes ? "class_weight" : "column_weight";
    check_size(w.sample, rows, "sample_weight", "samples");
    check_size(w.column, cols, cname, columns_are_classes ? "classes" : "columns");
    bool ok = true;
    const double s = pairwise_sum(w.sample.data(), w.sample.size(),
                                  [&ok](const double* v, std::size_t len) noexcept { ok &= weights_valid(v, len); });
    if (!ok) throw_first_bad_weight(w.sample, "sample_weight");
    if (!weights_valid(w.column.data(), w.column.size())) throw_first_bad_weight(w.column, cname);
    if (rows == 0) throw data_error("predictions", data_error::no_row, std::string(fn) + ": the predictions are empty");
    if (r == reduction::sum) return 1.0;
    if (w.sample.empty()) return 1.0 / static_cast<double>(rows);
    if (!(s > 0.0)) throw data_error("sample_weight", data_error::no_row, std::string(fn) + ": the sample weights sum to zero");
    if (std::isinf(s)) {
        throw data_error("sample_weight", data_error::no_row, std::string(fn) + ": the sample weights' sum overflows a double");
    }
    if (std::isinf(1.0 / s)) {
        throw data_error("sample_weight", data_error::no_row,
                         fmt::format("{}: the sample weights sum to {}, too small to divide by", fn, s));
    }
    return 1.0 / s;
}

inline void require_same_shape(const dense_input& p, const dense_input& t, const char* fn, const char* a, const char* b) {
    if (p.rows != t.rows || p.cols != t.cols || p.dim != t.dim) {
        throw invalid_argument(fmt::format("mldp::loss::{}: {} has shape ({}) and {} ({}); they must match", fn, a,
                                           fmt::join(p.shape(), ", "), b, fmt::join(t.shape(), ", ")));
    }
}

template <class G>
struct is_row_major_xtensor : std::false_type {};
template <std::size_t N>
struct is_row_major_xtensor<xt::xtensor<double, N, xt::layout_type::row_major>> : std::true_type {};

// The caller's gradient buffer: xt::xarray<double> or xt::xtensor<double, N> (row-major, the
// defaults), resized only when its shape differs from the predictions'.
template <class G>
double* prepare_gradient(G& g, const dense_input& p, const char* fn) {
    static_assert(std::is_same_v<G, xt::xarray<double>> || is_row_major_xtensor<G>::value,
                  "mldp::loss: the gradient buffer must be an xt::xarray<double> or an xt::xtensor<double, N> (row-major)");
    const std::size_t dims[2] = {p.rows, p.cols};
    const std::size_t rank = p.dim;
    bool same = g.dimension() == rank;
    for (std::size_t a = 0; same && a < rank; ++a) same = g.shape()[a] == dims[a];
    if (!same) {
        if constexpr (std::is_same_v<G, xt::xarray<double>>) {
            g.resize(p.shape());
        } else {
            if (g.dimension() != rank) {
                throw invalid_argument(fmt::format("mldp::loss::{}: the gradient buffer has {} dimensions, the predictions {}", fn,
                                                   g.dimension(), rank));
            }
            typename G::shape_type s{};
            for (std::size_t a = 0; a < rank; ++a) s[a] = dims[a];
            g.resize(s);
        }
    }
    return g.data();
}

// Finds the first element that made a kernel's check fail and throws for it.
[[noreturn]] inline void throw_first_bad(const dense_input& p, const dense_input& t, const char* fn, const char* pname,
                                         const char* tname, bool (*target_ok)(double)) {
    for (std::size_t k = 0; k < p.size(); ++k) {
        if (!std::isfinite(p.data[k])) {
            throw data_error(pname, k / p.cols, fmt::format("{}: predictions must be finite, got {}", fn, p.data[k]));
        }
        if (!std::isfinite(t.data[k]) || !target_ok(t.data[k])) {
            throw data_error(tname, k / t.cols, fmt::format("{}: invalid target {}", fn, t.data[k]));
        }
    }
    throw data_error(pname, data_error::no_row, std::string(fn) + ": the loss is not finite");
}

inline bool any_target(double) { return true; }
inline bool unit_target(double y) { return y >= 0.0 && y <= 1.0; }

constexpr std::size_t block = 512;

// Per-element weights (w_i f) c_j for the block of flat indices [k0, k0 + len) (any alignment), c_j f
// without sample weights; f is 1, or the reduction's scale for an op that takes its weights scaled
// (w_i f <= 1 then, so no product overflows).
inline void block_weights(double* out, std::size_t k0, std::size_t len, std::size_t cols, const loss_weights& w, double f) noexcept {
    std::size_t i = k0 / cols, j = k0 % cols;
    const double* sw = w.sample.empty() ? nullptr : w.sample.data();
    const double* cw = w.column.empty() ? nullptr : w.column.data();
    for (std::size_t k = 0; k < len; ++k) {
        const double c = cw ? cw[j] : 1.0;
        out[k] = sw ? (sw[i] * f) * c : c * f;
        if (++j == cols) {
            j = 0;
            ++i;
        }
    }
}

// (w_i f) c_j for rows [0, rows) of sw, c = colw; for cols <= 8 in the lane patterns of row_weights
// (a group of 8 rows is cols vectors, vector v holding rows (8 v + lane) / cols).
using expand_kernel = void (*)(double* out, const double* sw, double f, std::size_t rows, const double* colw, std::size_t cols,
                               const std::int64_t* idx, const double* pat);
inline void expand_rows_scalar(double* out, const double* sw, double f, std::size_t rows, const double* colw, std::size_t cols,
                               const std::int64_t*, const double*) noexcept {
    for (std::size_t r = 0; r < rows; ++r) {
        const double s = sw[r] * f;
        for (std::size_t j = 0; j < cols; ++j) out[r * cols + j] = s * colw[j];
    }
}
#if MLDP_X86_DISPATCH
__attribute__((target("avx512f"))) inline void expand_rows_avx512(double* out, const double* sw, double f, std::size_t rows,
                                                                 const double* colw, std::size_t cols, const std::int64_t* idx,
                                                                 const double* pat) noexcept {
    std::size_t r = 0;
    const __m512d fv = _mm512_set1_pd(f);
    for (; r + 8 <= rows; r += 8) {
        const __m512d s = _mm512_mul_pd(_mm512_loadu_pd(sw + r), fv);
        for (std::size_t v = 0; v < cols; ++v) {
            const __m512d sv = _mm512_maskz_permutexvar_pd(0xFF, _mm512_loadu_si512(idx + 8 * v), s);
            _mm512_storeu_pd(out + r * cols + 8 * v, _mm512_mul_pd(sv, _mm512_loadu_pd(pat + 8 * v)));
        }
    }
    expand_rows_scalar(out + r * cols, sw + r, f, rows - r, colw, cols, idx, pat);
}
#endif
inline expand_kernel best_expand_kernel() noexcept {
#if MLDP_X86_DISPATCH
    static const expand_kernel best = mldp::detail::cpu_best<expand_kernel>(expand_rows_scalar, nullptr, expand_rows_avx512);
    return best;
#else
    return expand_rows_scalar;
#endif
}

// The per-element weights (w_i f) c_j of an n x cols input (c_j f without sample weights; f: 1, or
// the reduction's scale folded in), served a block of whole rows at a time (a multiple of 8 rows
// when a row has at most 64 columns); inputs with more than `block` columns use flat blocks.
// Without sample weights the block is the same every time and is filled once.
class row_weights {
public:
    row_weights(const loss_weights& w, std::size_t rows, std::size_t cols, double* buf, double f)
        : w_(w), cols_(cols), buf_(buf), f_(f) {
        if (cols == 0 || cols > block) {
            flat_ = true;
            block_len_ = block;
            return;
        }
        block_rows_ = 8 * cols <= block ? 8 * (block / (8 * cols)) : block / cols;
        if (block_rows_ > rows && rows > 0) block_rows_ = rows;
        block_len_ = block_rows_ * cols;
        for (std::size_t j = 0; j < cols; ++j) colw_[j] = w.column.empty() ? 1.0 : w.column[j];
        if (w.sample.empty()) {
            for (std::size_t k = 0; k < block_len_; ++k) buf_[k] = colw_[k % cols] * f;
        } else if (cols <= 8) {
            for (std::size_t k = 0; k < 8 * cols; ++k) {
                idx_[k] = static_cast<std::int64_t>(k / cols);
                pat_[k] = colw_[k % cols];
            }
            expand_ = best_expand_kernel();
        }
    }
    std::size_t block_len() const noexcept { return block_len_; }
    // With sample weights and at most 8 columns the weights follow lane patterns (idx, pat: see
    // expand_rows_avx512), which a kernel can apply itself to the block's sample weights.
    bool patterned() const noexcept { return expand_ != nullptr; }
    const double* sample_rows(std::size_t k0) const noexcept { return w_.sample.data() + k0 / cols_; }
    double factor() const noexcept { return f_; }
    std::size_t cols() const noexcept { return cols_; }
    const std::int64_t* pattern_index() const noexcept { return idx_; }
    const double* pattern_weights() const noexcept { return pat_; }
    // The weights of flat elements [k0, k0 + len), k0 a multiple of block_len().
    const double* at(std::size_t k0, std::size_t len) const noexcept {
        if (flat_) {
            block_weights(buf_, k0, len, cols_, w_, f_);
            return buf_;
        }
        if (w_.sample.empty()) return buf_;
        const double* sw = w_.sample.data() + k0 / cols_;
        if (cols_ == 1 && w_.column.empty() && f_ == 1.0) return sw;
        const std::size_t rows = len / cols_;
        if (expand_ != nullptr) {
            expand_(buf_, sw, f_, rows, colw_, cols_, idx_, pat_);
        } else {
            expand_rows_scalar(buf_, sw, f_, rows, colw_, cols_, idx_, pat_);
        }
        return buf_;
    }

private:
    const loss_weights& w_;
    std::size_t cols_, block_rows_ = 0, block_len_ = 0;
    double* buf_;
    double f_;
    bool flat_ = false;
    expand_kernel expand_ = nullptr;
    double colw_[block];   // the first cols_ entries
    std::int64_t idx_[64];  // the first 8 cols_ entries, with expand_
    double pat_[64];
};

// Sums a block with four running sums (a fixed order: the same bits on every platform).
inline double block_sum(const double* v, std::size_t len) noexcept {
    double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0;
    std::size_t k = 0;
    for (; k + 4 <= len; k += 4) {
        a0 += v[k];
        a1 += v[k + 1];
        a2 += v[k + 2];
        a3 += v[k + 3];
    }
    for (; k < len; ++k) a0 += v[k];
    return (a0 + a1) + (a2 + a3);
}

template <class Op, class = void>
struct is_fused : std::false_type {};
template <class Op>
struct is_fused<Op, std::void_t<decltype(Op::fused)>> : std::bool_constant<Op::fused> {};

// The elementwise driver, over blocks of whole rows. A plain op(p, t, w, scale, l, g, len) fills
// per-element losses and derivatives and returns a "bad" accumulator that is 0 when every element
// was valid (NaN or non-zero otherwise); a fused op(p, t, weights, k0, g, len) takes the block's
// weights from `weights` (row_weights, the scale folded in: (w_i scale) c_j) and returns the
// block's loss sum itself, non-finite when an element was invalid.
template <class Op>
double elementwise(const Op& op, const dense_input& p, const dense_input& t, const loss_weights& w, double scale, double* grad,
                   double& bad) {
    constexpr bool fused = is_fused<Op>::value;
    alignas(64) double lbuf[block], wbuf[block], gbuf[block];
    const row_weights weights(w, p.rows, p.cols, wbuf, fused ? scale : 1.0);
    const std::size_t step = weights.block_len();
    double total = 0.0, comp = 0.0;
    bad = 0.0;
    const std::size_t n = p.size();
    for (std::size_t k0 = 0; k0 < n; k0 += step) {
        const std::size_t len = (n - k0 < step) ? n - k0 : step;
        double* g = grad ? grad + k0 : gbuf;
        double s;
        if constexpr (fused) {
            s = op(p.data + k0, t.data + k0, weights, k0, g, len);
        } else {
            const double* wk = weights.at(k0, len);
            bad += op(p.data + k0, t.data + k0, wk, scale, lbuf, g, len);
            s = block_sum(lbuf, len);
        }
        // Neumaier summation of the block sums keeps 10^7-element losses accurate.
        const double tsum = total + s;
        comp += std::fabs(total) >= std::fabs(s) ? (total - tsum) + s : (s - tsum) + total;
        total = tsum;
    }
    return fused ? total + comp : (total + comp) * scale;
}

MLDP_LOSS_KERNELS_BEGIN

// Each op: per element, weighted loss into l and scaled weighted derivative into g; returns the bad
// accumulator (NaN or Inf inputs turn it into NaN; out-of-range targets add 1).
struct mse_op {
    double operator()(const double* __restrict p, const double* __restrict t, const double* __restrict w, double scale,
                      double* __restrict l, double* __restrict g, std::size_t len) const noexcept {
        double bad = 0.0;
        for (std::size_t k = 0; k < len; ++k) {
            const double r = p[k] - t[k];
            l[k] = w[k] * (r * r);
            g[k] = (2.0 * scale) * w[k] * r;
            bad += r - r;
        }
        return bad;
    }
};

struct mae_op {
    double operator()(const double* __restrict p, const double* __restrict t, const double* __restrict w, double scale,
                      double* __restrict l, double* __restrict g, std::size_t len) const noexcept {
        double bad = 0.0;
        for (std::size_t k = 0; k < len; ++k) {
            const double r = p[k] - t[k];
            const double sign = r > 0.0 ? 1.0 : (r < 0.0 ? -1.0 : 0.0);
            l[k] = w[k] * std::fabs(r);
            g[k] = scale * w[k] * sign;
            bad += r - r;
        }
        return bad;
    }
};

struct huber_op {
    double delta;
    double operator()(const double* __restrict p, const double* __restrict t, const double* __restrict w, double scale,
                      double* __restrict l, double* __restrict g, std::size_t len) const noexcept {
        double bad = 0.0;
        const double d = delta;
        for (std::size_t k = 0; k < len; ++k) {
            const double r = p[k] - t[k];
            const double a = std::fabs(r);
            const double rc = r < -d ? -d : (r > d ? d : r);  // the derivative: r inside, delta sign(r) outside
            // 0.5 r^2 inside, delta (|r| - delta / 2) outside (scipy.special.huber, PyTorch HuberLoss).
            const double quad = 0.5 * r * r, lin = d * (a - 0.5 * d);
            l[k] = w[k] * (a <= d ? quad : lin);
            g[k] = scale * w[k] * rc;
            bad += r - r;
        }
        return bad;
    }
};

// l = max(z, 0) - z y + log1p(exp(-|z|)), dl/dz = sigmoid(z) - y: the numerically stable form
// (PyTorch BCEWithLogitsLoss, TensorFlow sigmoid_cross_entropy_with_logits), fused with the block
// sum (detail/bce_kernel.hpp): it returns the block's loss sum, NaN for a target outside [0, 1].
// `kernel`: the CPU's best variant, or any other (the determinism test runs each class's reference).
// The AVX-512 kernel builds patterned weights itself (the same bits, one pass fewer).
struct bce_op {
    static constexpr bool fused = true;
    bce_kernel_fn kernel = best_bce_variant().run;
    double operator()(const double* z, const double* y, const row_weights& w, std::size_t k0, double* g, std::size_t len) const noexcept {
#if MLDP_X86_DISPATCH
        if (kernel == bce_kernel_avx512 && w.patterned()) {
            return bce_kernel_avx512_rows(z, y, w.sample_rows(k0), w.factor(), w.pattern_index(), w.pattern_weights(), w.cols(), g, len);
        }
#endif
        return kernel(z, y, w.at(k0, len), g, len);
    }
};

MLDP_LOSS_KERNELS_END

// sigmoid(z) and 1 - sigmoid(z), each without cancellation.
inline std::pair<double, double> sigmoid_pair(double z) noexcept {
    const double e = std::exp(-std::fabs(z));
    const double inv = 1.0 / (1.0 + e);
    return z >= 0.0 ? std::pair{inv, e * inv} : std::pair{e * inv, inv};
}

// torchvision.ops.sigmoid_focal_loss: ce (1 - p_t)^gamma, times alpha_t when alpha >= 0, with
// p_t = p y + (1 - p)(1 - y) and ce the BCE with logits. The derivative through p_t uses
// dp_t/dz = (2y - 1) p (1 - p).
struct focal_op {
    double alpha, gamma;
    double operator()(const double* z, const double* y, const double* w, double scale, double* l, double* g,
                      std::size_t len) const noexcept {
        double bad = 0.0;
        for (std::size_t k = 0; k < len; ++k) {
            const double zk = z[k], yk = y[k];
            const auto [p, q] = sigmoid_pair(zk);
            const double ce = ((zk > 0.0 ? zk : 0.0) - zk * yk) + std::log1p(std::exp(-std::fabs(zk)));
            const double one_minus_pt = yk * q + (1.0 - yk) * p;
            const double mod = gamma == 0.0 ? 1.0 : std::pow(one_minus_pt, gamma);
            // (1 - p_t)^(gamma - 1) p q -> 0 as 1 - p_t -> 0 (p q vanishes with it), also for gamma < 1.
            const double dmod = gamma == 0.0 || !(one_minus_pt > 0.0)
                                    ? 0.0
                                    : -gamma * std::pow(one_minus_pt, gamma - 1.0) * (2.0 * yk - 1.0) * p * q;
            const double at = alpha >= 0.0 ? alpha * yk + (1.0 - alpha) * (1.0 - yk) : 1.0;
            l[k] = w[k] * at * mod * ce;
            g[k] = scale * w[k] * at * (dmod * ce + mod * (p - yk));
            bad += (zk - zk) + (yk >= 0.0 && yk <= 1.0 ? 0.0 : 1.0);
        }
        return bad;
    }
};

struct term_names {
    const char* fn;
    const char* pred;
    const char* target;
    bool (*target_ok)(double);
};

template <class Op>
double run_elementwise(const Op& op, const dense_input& p, const dense_input& t, const loss_weights& w, reduction r,
                       const term_names& names, double* grad) {
    require_same_shape(p, t, names.fn, names.pred, names.target);
    const double scale = check_weights(w, p.rows, p.cols, r, names.fn);
    double bad = 0.0;
    const double v = elementwise(op, p, t, w, scale, grad, bad);
    if (bad != 0.0 || !std::isfinite(v)) throw_first_bad(p, t, names.fn, names.pred, names.target, names.target_ok);
    return v;
}

template <class Op, class P, class T>
loss_value value_and_gradient(const Op& op, const P& pred, const T& target, const loss_weights& w, reduction r,
                              const term_names& names) {
    const dense_input p = dense(pred, names.fn, names.pred);
    const dense_input t = dense(target, names.fn, names.target);
    loss_value out;
    out.gradient = xt::xarray<double>::from_shape(p.shape());
    out.value = run_elementwise(op, p, t, w, r, names, out.gradient.data());
    return out;
}

template <class Op, class G, class P, class T>
double value_into(const Op& op, G& gradient, const P& pred, const T& target, const loss_weights& w, reduction r,
                  const term_names& names) {
    const dense_input p = dense(pred, names.fn, names.pred);
    const dense_input t = dense(target, names.fn, names.target);
    require_same_shape(p, t, names.fn, names.pred, names.target);
    return run_elementwise(op, p, t, w, r, names, prepare_gradient(gradient, p, names.fn));
}

inline constexpr term_names mse_names{"mse", "predictions", "targets", any_target};
inline constexpr term_names mae_names{"mae", "predictions", "targets", any_target};
inline constexpr term_names huber_names{"huber", "predictions", "targets", any_target};
inline constexpr term_names bce_names{"binary_cross_entropy_with_logits", "logits", "targets", unit_target};
inline constexpr term_names focal_names{"focal_loss", "logits", "targets", unit_target};

}  // namespace detail

// Each elementwise term comes in two forms: term(...) returns loss_value (value and a new gradient
// array); term_into(gradient, ...) writes the gradient into the caller's buffer and returns the
// value (no allocation once the buffer has the predictions' shape).
#define MLDP_LOSS_ELEMENTWISE_TERM(name, op_expr, names, pname, tname, check)                                          \
    template <class P, class T>                                                                                      \
    loss_value name(const P& pname, const T& tname, const loss_weights& w = {}, const loss_options& o = {}) {       \
        check;                                                                                                       \
        return detail::value_and_gradient(op_expr, pname, tname, w, o.reduce, names);                               \
    }                                                                                                                \
    template <class G, class P, class T>                                                                             \
    double name##_into(G& gradient, const P& pname, const T& tname, const loss_weights& w = {}, const loss_options& o = {}) { \
        check;                                                                                                       \
        return detail::value_into(op_expr, gradient, pname, tname, w, o.reduce, names);                            \
    }

namespace detail {
inline void check_huber(const loss_options& o) {
    if (!(o.delta > 0.0) || std::isinf(o.delta)) {
        throw invalid_argument(fmt::format("mldp::loss::huber: delta must be positive and finite, got {}", o.delta));
    }
}
inline void check_focal(const loss_options& o) {
    if (!(o.gamma >= 0.0) || std::isinf(o.gamma)) {
        throw invalid_argument(fmt::format("mldp::loss::focal_loss: gamma must be finite and >= 0, got {}", o.gamma));
    }
    if (!(o.alpha <= 1.0)) throw invalid_argument(fmt::format("mldp::loss::focal_loss: alpha must be <= 1 (< 0 disables it), got {}", o.alpha));
}
}  // namespace detail

/// Mean squared error, (p - t)^2 per element, gradient 2 (p - t). On 1-D input it agrees with
/// sklearn mean_squared_error(sample_weight) and PyTorch MSELoss; on n x m input the columns add up
/// (see the header comment: m times PyTorch's all-element mean unless column weights are 1/m).
/// mse_into writes the gradient into a buffer. O(n m). Throws as the header comment says.
MLDP_LOSS_ELEMENTWISE_TERM(mse, detail::mse_op{}, detail::mse_names, predictions, targets, (void)o)

/// Mean absolute error, |p - t| per element, gradient sign(p - t) with 0 at 0 (sklearn
/// mean_absolute_error and PyTorch L1Loss on 1-D input; columns add up on n x m). O(n m).
MLDP_LOSS_ELEMENTWISE_TERM(mae, detail::mae_op{}, detail::mae_names, predictions, targets, (void)o)

/// Huber loss with threshold o.delta > 0: 0.5 r^2 for |r| <= delta, delta (|r| - delta/2) beyond
/// (scipy.special.huber; PyTorch HuberLoss on 1-D input). Throws invalid_argument for delta <= 0. O(n m).
MLDP_LOSS_ELEMENTWISE_TERM(huber, detail::huber_op{o.delta}, detail::huber_names, predictions, targets, detail::check_huber(o))

/// Binary cross-entropy on logits in the stable form max(z,0) - z y + log1p(exp(-|z|)); gradient
/// sigmoid(z) - y. Targets in [0, 1] (soft labels allowed). On 1-D input it agrees with sklearn
/// log_loss(sigmoid(z), sample_weight) and PyTorch BCEWithLogitsLoss; on n x m input each column is
/// an objective and the columns add up with their column weights (PyTorch's `weight` argument would
/// instead divide by the element count). Vectorised, with AVX2 / AVX-512 variants picked at run
/// time on x86; every variant gives the same bits. O(n m).
MLDP_LOSS_ELEMENTWISE_TERM(binary_cross_entropy_with_logits, detail::bce_op{}, detail::bce_names, logits, targets, (void)o)

/// Sigmoid focal loss on logits (Lin et al. 2017; torchvision.ops.sigmoid_focal_loss):
/// alpha_t (1 - p_t)^gamma BCE(z, y), alpha_t = alpha y + (1 - alpha)(1 - y), or 1 when alpha < 0.
/// Defaults alpha = 0.25, gamma = 2. Throws invalid_argument for gamma < 0 or alpha > 1. O(n m).
MLDP_LOSS_ELEMENTWISE_TERM(focal_loss, (detail::focal_op{o.alpha, o.gamma}), detail::focal_names, logits, targets, detail::check_focal(o))

#undef MLDP_LOSS_ELEMENTWISE_TERM

/// Softmax cross-entropy from logits (n x K) and class indices (n values in 0..K-1): per row
/// logsumexp(z) - z_y, gradient softmax(z) - onehot(y). Class weights (loss_weights::columns, length
/// K) scale each row by the weight of its class; reduction::mean divides by sum_i w_i c_{y_i}, as
/// PyTorch CrossEntropyLoss(weight=...) and sklearn log_loss(sample_weight = w_i c_{y_i}) do. O(n K).
template <class Z, class Y>
loss_value softmax_cross_entropy(const Z& logits, const Y& targets, const loss_weights& w = {}, const loss_options& o = {}) {
    const char* fn = "softmax_cross_entropy";
    const reduction r = o.reduce;
    const detail::dense_input z = detail::dense(logits, fn, "logits");
    if (z.dim != 2) throw invalid_argument("mldp::loss::softmax_cross_entropy: logits must be 2-D (samples x classes)");
    const auto y = evaluate_contiguous<double>(targets);
    if (y.size() != z.rows) {
        throw invalid_argument(fmt::format("mldp::loss::{}: {} targets for {} rows of logits", fn, y.size(), z.rows));
    }
    if (z.cols == 0) throw invalid_argument("mldp::loss::softmax_cross_entropy: the logits have no classes");
    detail::check_weights(w, z.rows, z.cols, reduction::sum, fn, true);
    const std::size_t K = z.cols;
    std::vector<std::size_t> cls(z.rows);
    double denom = 0.0;
    for (std::size_t i = 0; i < z.rows; ++i) {
        const double v = y[i];
        if (!(v >= 0.0) || !(v < static_cast<double>(K)) || v != std::floor(v)) {
            throw data_error("targets", i, fmt::format("{}: a target must be a class index in 0..{}, got {}", fn, K - 1, v));
        }
        cls[i] = static_cast<std::size_t>(v);
        denom += (w.sample.empty() ? 1.0 : w.sample[i]) * (w.column.empty() ? 1.0 : w.column[cls[i]]);
    }
    if (r == reduction::mean && !(denom > 0.0)) throw data_error("sample_weight", data_error::no_row, std::string(fn) + ": the weights sum to zero");
    if (!std::isfinite(denom)) throw data_error("sample_weight", data_error::no_row, std::string(fn) + ": the weights sum to infinity");
    const double scale = r == reduction::mean ? 1.0 / denom : 1.0;
    loss_value out;
    out.gradient = xt::xarray<double>::from_shape({z.rows, K});
    double* g = out.gradient.data();
    double total = 0.0, comp = 0.0;
    for (std::size_t i = 0; i < z.rows; ++i) {
        const double* row = z.data + i * K;
        double m = row[0];
        for (std::size_t j = 0; j < K; ++j) {
            if (!std::isfinite(row[j])) throw data_error("logits", i, fmt::format("{}: logits must be finite, got {}", fn, row[j]));
            if (row[j] > m) m = row[j];
        }
        double s = 0.0;
        for (std::size_t j = 0; j < K; ++j) s += std::exp(row[j] - m);
        const double lse = m + std::log(s);
        const double wi = (w.sample.empty() ? 1.0 : w.sample[i]) * (w.column.empty() ? 1.0 : w.column[cls[i]]);
        const double li = wi * (lse - row[cls[i]]);
        const double tsum = total + li;
        comp += std::fabs(total) >= std::fabs(li) ? (total - tsum) + li : (li - tsum) + total;
        total = tsum;
        for (std::size_t j = 0; j < K; ++j) {
            const double p = std::exp(row[j] - lse);
            g[i * K + j] = scale * wi * (p - (j == cls[i] ? 1.0 : 0.0));
        }
    }
    out.value = (total + comp) * scale;
    if (!std::isfinite(out.value)) throw data_error("logits", data_error::no_row, std::string(fn) + ": the loss is not finite");
    return out;
}

/// Balanced class weights n / (K n_c) for labels in 0..K-1 (sklearn
/// compute_class_weight("balanced")). Throws data_error for a label outside 0..K-1 or a class with
/// no example (sklearn refuses it too), invalid_argument for K = 0.
template <class Y>
std::vector<double> balanced_class_weights(const Y& labels, std::size_t num_classes) {
    if (num_classes == 0) throw invalid_argument("mldp::loss::balanced_class_weights: the number of classes must be positive");
    const auto y = evaluate_contiguous<double>(labels);
    if (y.empty()) throw data_error("labels", data_error::no_row, "balanced_class_weights: no labels");
    std::vector<double> count(num_classes, 0.0);
    for (std::size_t i = 0; i < y.size(); ++i) {
        const double v = y[i];
        if (!(v >= 0.0) || !(v < static_cast<double>(num_classes)) || v != std::floor(v)) {
            throw data_error("labels", i, fmt::format("balanced_class_weights: a label must be a class index in 0..{}, got {}", num_classes - 1, v));
        }
        count[static_cast<std::size_t>(v)] += 1.0;
    }
    std::vector<double> out(num_classes);
    for (std::size_t c = 0; c < num_classes; ++c) {
        if (count[c] == 0.0) {
            throw data_error("labels", data_error::no_row, fmt::format("balanced_class_weights: class {} has no example", c));
        }
        out[c] = static_cast<double>(y.size()) / (static_cast<double>(num_classes) * count[c]);
    }
    return out;
}

/// JSON of a loss: {"value", "gradient"}, the gradient as nested arrays of its shape (a flat array for
/// 1-D predictions, one array per row for 2-D); NaN and infinity are written as null.
inline void to_json(nlohmann::json& j, const loss_value& l) {
    j = nlohmann::json{{"value", mldp::detail::json_number(l.value)}, {"gradient", mldp::detail::json_tensor(l.gradient)}};
}

}  // namespace mldp::loss

/// Prints a loss on one line: "value = 0.693147, gradient size 4 (shape [2, 2])"; the gradient's
/// entries are left to JSON.
template <>
struct fmt::formatter<mldp::loss::loss_value> {
    constexpr auto parse(format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const mldp::loss::loss_value& l, Ctx& ctx) const {
        auto out = fmt::format_to(ctx.out(), "value = {:.6g}, gradient size {} (shape [", l.value, l.gradient.size());
        const auto& shape = l.gradient.shape();
        for (std::size_t d = 0; d < shape.size(); ++d) out = fmt::format_to(out, "{}{}", d ? ", " : "", shape[d]);
        return fmt::format_to(out, "])");
    }
};

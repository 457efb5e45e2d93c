// mldp — gradient aggregation for multi-task training: mgda, pcgrad, imtl_g, cagrad, aligned_mtl and
// upgrad, framework-agnostic. Each works on J, the k x d matrix whose rows are the task gradients
// (flatten a model's parameters however the training loop does), through its k x k Gram matrix
// G = J J^T computed by BLAS (dsyrk): the only O(k^2 d) step. An aggregator returns
// aggregation{weights, direction} with direction = weights^T J, the update to descend along.
// Every aggregator also takes a precomputed Gram matrix (weights_from_gram), for loops that build
// it themselves (libtorch, a distributed all-reduce). Conventions follow torchjd (its
// tests/unit/aggregation/_values.py are pinned in tests/loss/aggregation_test.cpp).
//
// Needs the mldp::blas target (xtensor-blas with BLAS and LAPACK).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <type_traits>
#include <vector>

#include <fmt/format.h>
#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xeval.hpp>
#include <xtensor/xtensor.hpp>

#include "mldp/core/error.hpp"
#include "mldp/core/detail/portable_math.hpp"
#include "mldp/core/random.hpp"
#include "mldp/loss/detail/aggregation_result.hpp"

namespace mldp::loss {

namespace detail {

// J as contiguous row-major doubles, borrowed when it already is one.
struct jacobian_view {
    xt::xtensor<double, 2> owned;
    const double* data = nullptr;
    std::size_t k = 0, d = 0;
};

template <class E>
jacobian_view jacobian(const xt::xexpression<E>& expr, const char* fn) {
    const E& e = static_cast<const E&>(expr);  // xtensor's derived_cast() is ambiguous on containers
    if (e.dimension() != 2) {
        throw invalid_argument(fmt::format("mldp::loss::{}: J must be 2-D (tasks x parameters), got {} dimensions", fn, e.dimension()));
    }
    jacobian_view v;
    if constexpr (std::is_same_v<typename E::value_type, double> && xt::is_crtp_base_of<xt::xcontainer, E>::value) {
        if (e.layout() == xt::layout_type::row_major) v.data = e.data();
    }
    if (v.data == nullptr) {
        v.owned = xt::eval(xt::cast<double>(e));
        v.data = v.owned.data();
    }
    v.k = e.shape()[0];
    v.d = e.shape()[1];
    if (v.k == 0) throw invalid_argument(fmt::format("mldp::loss::{}: J has no task", fn));
    if (v.d == 0) throw invalid_argument(fmt::format("mldp::loss::{}: J has no parameter", fn));
    constexpr auto blas_max = static_cast<std::size_t>((std::numeric_limits<xt::blas_index_t>::max)());
    if (v.k > blas_max || v.d > blas_max) {
        throw invalid_argument(fmt::format("mldp::loss::{}: J is {} x {}; BLAS takes at most {} per dimension", fn, v.k, v.d, blas_max));
    }
    return v;
}

/// G = J J^T by BLAS dsyrk (the upper triangle, mirrored). Throws data_error when an entry of G is
/// not finite (J held NaN or Inf).
inline xt::xtensor<double, 2> gram(const jacobian_view& j, const char* fn) {
    xt::xtensor<double, 2> g = xt::zeros<double>({j.k, j.k});
    using idx = xt::blas_index_t;
    cxxblas::syrk<idx>(cxxblas::StorageOrder::RowMajor, cxxblas::StorageUpLo::Upper, cxxblas::Transpose::NoTrans,
                       static_cast<idx>(j.k), static_cast<idx>(j.d), 1.0, j.data, static_cast<idx>(j.d), 0.0, g.data(),
                       static_cast<idx>(j.k));
    for (std::size_t a = 0; a < j.k; ++a) {
        for (std::size_t b = a; b < j.k; ++b) {
            if (!std::isfinite(g(a, b))) {
                throw data_error("J", a, fmt::format("{}: the task gradients must be finite (row {} or {} is not)", fn, a, b));
            }
            g(b, a) = g(a, b);
        }
    }
    return g;
}

/// direction = w^T J by BLAS dgemv.
inline xt::xtensor<double, 1> combine(const jacobian_view& j, const xt::xtensor<double, 1>& w) {
    xt::xtensor<double, 1> out = xt::zeros<double>({j.d});
    using idx = xt::blas_index_t;
    cxxblas::gemv<idx>(cxxblas::StorageOrder::RowMajor, cxxblas::Transpose::Trans, static_cast<idx>(j.k), static_cast<idx>(j.d), 1.0,
                       j.data, static_cast<idx>(j.d), w.data(), 1, 0.0, out.data(), 1);
    return out;
}

inline void check_gram(const xt::xtensor<double, 2>& g, const char* fn) {
    if (g.shape()[0] != g.shape()[1] || g.shape()[0] == 0) {
        throw invalid_argument(fmt::format("mldp::loss::{}: the Gram matrix must be square and non-empty, got {} x {}", fn, g.shape()[0],
                                           g.shape()[1]));
    }
    for (std::size_t a = 0; a < g.shape()[0]; ++a) {
        if (!(g(a, a) >= 0.0)) throw data_error("gram", a, fmt::format("{}: a diagonal entry is negative or NaN ({})", fn, g(a, a)));
        for (std::size_t b = 0; b < g.shape()[1]; ++b) {
            if (!std::isfinite(g(a, b))) throw data_error("gram", a, fmt::format("{}: the Gram matrix must be finite", fn));
        }
    }
}

inline double quad(const xt::xtensor<double, 2>& g, const std::vector<double>& w) noexcept {
    double s = 0.0;
    for (std::size_t a = 0; a < w.size(); ++a) {
        for (std::size_t b = 0; b < w.size(); ++b) s += w[a] * g(a, b) * w[b];
    }
    return s;
}

// Solves the small dense system a x = b in place by Gaussian elimination with partial pivoting;
// false when a pivot vanishes (relative to the largest entry).
inline bool solve_dense(std::vector<double>& a, std::vector<double>& b, std::size_t n) {
    double big = 0.0;
    for (double v : a) big = (std::max)(big, std::fabs(v));
    for (std::size_t c = 0; c < n; ++c) {
        std::size_t p = c;
        for (std::size_t r = c + 1; r < n; ++r) {
            if (std::fabs(a[r * n + c]) > std::fabs(a[p * n + c])) p = r;
        }
        if (!(std::fabs(a[p * n + c]) > 1e-14 * big)) return false;
        if (p != c) {
            for (std::size_t q = 0; q < n; ++q) std::swap(a[c * n + q], a[p * n + q]);
            std::swap(b[c], b[p]);
        }
        for (std::size_t r = c + 1; r < n; ++r) {
            const double f = a[r * n + c] / a[c * n + c];
            if (f == 0.0) continue;
            for (std::size_t q = c; q < n; ++q) a[r * n + q] -= f * a[c * n + q];
            b[r] -= f * b[c];
        }
    }
    for (std::size_t c = n; c-- > 0;) {
        double v = b[c];
        for (std::size_t q = c + 1; q < n; ++q) v -= a[c * n + q] * b[q];
        b[c] = v / a[c * n + c];
    }
    return true;
}

/// min_w w^T G w over the simplex: the minimum-norm point of the convex hull of the gradients. Two
/// tasks: the closed form. More: Wolfe's algorithm (Wolfe 1976, "Finding the nearest point in a
/// polytope"), on G alone: exact up to rounding, finite; it stops when no vertex improves the
/// point by more than `tolerance` times the largest squared gradient norm, or after
/// `max_iterations` major cycles.
inline std::vector<double> min_norm_simplex(const xt::xtensor<double, 2>& g, double tolerance, std::size_t max_iterations) {
    const std::size_t k = g.shape()[0];
    if (k == 1) return {1.0};
    if (k == 2) {
        const double den = g(0, 0) + g(1, 1) - 2.0 * g(0, 1);
        const double a = den > 0.0 ? std::clamp((g(1, 1) - g(0, 1)) / den, 0.0, 1.0) : 0.5;
        return {a, 1.0 - a};
    }
    double scale = 0.0;
    for (std::size_t a = 0; a < k; ++a) scale = (std::max)(scale, g(a, a));
    std::vector<double> lambda(k, 0.0);
    if (scale == 0.0) {
        std::fill(lambda.begin(), lambda.end(), 1.0 / static_cast<double>(k));
        return lambda;
    }
    std::size_t first = 0;
    for (std::size_t a = 1; a < k; ++a) {
        if (g(a, a) < g(first, first)) first = a;
    }
    std::vector<std::size_t> set{first};  // the corral
    lambda[first] = 1.0;
    std::vector<double> gx(k), sys, rhs;
    for (std::size_t it = 0; it < max_iterations; ++it) {
        for (std::size_t a = 0; a < k; ++a) {
            gx[a] = 0.0;
            for (std::size_t b : set) gx[a] += g(a, b) * lambda[b];
        }
        double xx = 0.0;
        for (std::size_t b : set) xx += lambda[b] * gx[b];
        std::size_t j = 0;
        for (std::size_t a = 1; a < k; ++a) {
            if (gx[a] < gx[j]) j = a;
        }
        if (xx - gx[j] <= tolerance * scale || std::find(set.begin(), set.end(), j) != set.end()) break;
        set.push_back(j);
        for (;;) {  // minor cycle: the affine minimiser of the corral, kept inside the hull
            const std::size_t s = set.size(), n = s + 1;
            sys.assign(n * n, 0.0);
            rhs.assign(n, 0.0);
            for (std::size_t a = 0; a < s; ++a) {
                for (std::size_t b = 0; b < s; ++b) sys[a * n + b] = g(set[a], set[b]);
                sys[a * n + s] = 1.0;
                sys[s * n + a] = 1.0;
            }
            rhs[s] = 1.0;
            if (!solve_dense(sys, rhs, n)) {  // affinely dependent (rounding): drop the newest point
                set.pop_back();
                break;
            }
            bool inside = true;
            for (std::size_t a = 0; a < s; ++a) inside = inside && rhs[a] > 0.0;
            if (inside) {
                for (std::size_t a = 0; a < s; ++a) lambda[set[a]] = rhs[a];
                break;
            }
            double theta = 1.0;
            for (std::size_t a = 0; a < s; ++a) {
                if (rhs[a] <= 0.0) theta = (std::min)(theta, lambda[set[a]] / (lambda[set[a]] - rhs[a]));
            }
            std::vector<std::size_t> kept;
            for (std::size_t a = 0; a < s; ++a) {
                const double v = lambda[set[a]] + theta * (rhs[a] - lambda[set[a]]);
                lambda[set[a]] = v > 0.0 ? v : 0.0;
                if (v > 0.0) kept.push_back(set[a]);
            }
            set.swap(kept);
            if (set.empty()) break;
        }
        if (set.empty()) break;
    }
    double sum = 0.0;
    for (double v : lambda) sum += v;
    for (double& v : lambda) v /= sum;
    return lambda;
}

/// min_v v^T A v subject to v >= u (A symmetric positive definite), by cyclic coordinate descent
/// on x = v - u >= 0, until no coordinate moves by more than `tolerance` (relative) or after
/// `max_sweeps`.
inline std::vector<double> nonnegative_qp(const xt::xtensor<double, 2>& a, const std::vector<double>& u, double tolerance,
                                          std::size_t max_sweeps) {
    const std::size_t k = u.size();
    std::vector<double> x(k, 0.0), grad(k, 0.0);  // grad = A (u + x)
    for (std::size_t i = 0; i < k; ++i) {
        for (std::size_t j = 0; j < k; ++j) grad[i] += a(i, j) * u[j];
    }
    for (std::size_t sweep = 0; sweep < max_sweeps; ++sweep) {
        double moved = 0.0, size = 0.0;
        for (std::size_t i = 0; i < k; ++i) {
            if (!(a(i, i) > 0.0)) continue;
            const double xi = (std::max)(0.0, x[i] - grad[i] / a(i, i));
            const double delta = xi - x[i];
            if (delta != 0.0) {
                for (std::size_t j = 0; j < k; ++j) grad[j] += a(j, i) * delta;
                x[i] = xi;
            }
            moved = (std::max)(moved, std::fabs(delta));
            size = (std::max)(size, std::fabs(u[i] + x[i]));
        }
        if (moved <= tolerance * (size > 0.0 ? size : 1.0)) break;
    }
    for (std::size_t i = 0; i < k; ++i) x[i] += u[i];
    return x;
}

// Symmetric eigendecomposition by LAPACK (ascending eigenvalues).
inline std::pair<xt::xtensor<double, 1>, xt::xtensor<double, 2>> eigen(const xt::xtensor<double, 2>& g) {
    auto r = xt::linalg::eigh(g);
    return {xt::xtensor<double, 1>(std::get<0>(r)), xt::xtensor<double, 2>(std::get<1>(r))};
}

inline xt::xtensor<double, 1> to_tensor(const std::vector<double>& w) {
    xt::xtensor<double, 1> t = xt::zeros<double>({w.size()});
    std::copy(w.begin(), w.end(), t.begin());
    return t;
}

// Every aggregator: weights from the Gram matrix, then direction = w^T J.
template <class A, class E>
aggregation aggregate_with(A& aggregator, const xt::xexpression<E>& jac, const char* fn) {
    const jacobian_view j = jacobian(jac, fn);
    const auto g = gram(j, fn);
    aggregation out;
    out.weights = aggregator.weights_from_gram(g);
    out.direction = combine(j, out.weights);
    return out;
}

}  // namespace detail

/// MGDA (Désidéri 2012; Sener & Koltun 2018): the minimum-norm point of the convex hull of the task
/// gradients, weights on the simplex. Closed form for two tasks; Wolfe's exact min-norm-point
/// algorithm beyond (it stops when no task improves the point by more than tolerance * max_i |g_i|^2,
/// or after max_iterations major cycles). O(k^2 d) for the Gram matrix, then O(k^3) per cycle.
struct mgda {
    double tolerance = 1e-14;
    std::size_t max_iterations = 1000;

    xt::xtensor<double, 1> weights_from_gram(const xt::xtensor<double, 2>& g) const {
        detail::check_gram(g, "mgda");
        return detail::to_tensor(detail::min_norm_simplex(g, tolerance, max_iterations));
    }
    template <class E>
    aggregation aggregate(const xt::xexpression<E>& j) const {
        return detail::aggregate_with(*this, j, "mgda");
    }
};

/// PCGrad (Yu et al. 2020, "Gradient surgery"): each task gradient is projected off the normal plane
/// of every other task gradient it conflicts with (negative inner product), in task order by default
/// or in a seeded random order per task (shuffle = true, from mldp::rng: reproducible, advancing per
/// call); the projected gradients are summed (as torchjd does), so weights need not sum to 1.
class pcgrad {
public:
    /// In task order (the default), or shuffled per task by an mldp::rng seeded with `seed`.
    explicit pcgrad(bool shuffle = false, std::uint64_t seed = 0) : shuffle_(shuffle), rng_(seed_sequence(seed).derive("pcgrad")) {}
    bool shuffled() const noexcept { return shuffle_; }

    xt::xtensor<double, 1> weights_from_gram(const xt::xtensor<double, 2>& g) {
        detail::check_gram(g, "pcgrad");
        const std::size_t k = g.shape()[0];
        std::vector<double> total(k, 0.0), cur(k);
        std::vector<std::size_t> order(k);
        for (std::size_t i = 0; i < k; ++i) {
            std::iota(order.begin(), order.end(), std::size_t{0});
            if (shuffle_) mldp::shuffle(order.begin(), order.end(), rng_);
            std::fill(cur.begin(), cur.end(), 0.0);
            cur[i] = 1.0;
            for (std::size_t j : order) {
                if (j == i || !(g(j, j) > 0.0)) continue;
                double inner = 0.0;  // <current projected g_i, g_j>; the barrier keeps FMA out (seeded result)
                for (std::size_t m = 0; m < k; ++m) inner += mldp::detail::fp_barrier(cur[m] * g(m, j));
                if (inner < 0.0) cur[j] -= inner / g(j, j);
            }
            for (std::size_t m = 0; m < k; ++m) total[m] += cur[m];
        }
        return detail::to_tensor(total);
    }
    template <class E>
    aggregation aggregate(const xt::xexpression<E>& j) {
        return detail::aggregate_with(*this, j, "pcgrad");
    }

private:
    bool shuffle_;
    rng rng_;
};

/// IMTL-G (Liu et al. 2021, "Towards impartial multi-task learning"): the direction whose projections
/// on every unit task gradient are equal; weights = v / sum(v) with v = pinv(G) sqrt(diag G) (torchjd's
/// Gram form; all zero when |sum v| < 1e-12). pinv by LAPACK eigh, cutting eigenvalues below
/// k 2^-52 times the largest (torch.linalg.pinv's default rtol). O(k^2 d + k^3).
struct imtl_g {
    xt::xtensor<double, 1> weights_from_gram(const xt::xtensor<double, 2>& g) const {
        detail::check_gram(g, "imtl_g");
        const std::size_t k = g.shape()[0];
        const auto [lambda, v] = detail::eigen(g);
        const double cut = static_cast<double>(k) * 2.220446049250313e-16 * (std::max)(std::fabs(lambda(k - 1)), std::fabs(lambda(0)));
        std::vector<double> d(k), proj(k, 0.0), out(k, 0.0);
        for (std::size_t i = 0; i < k; ++i) d[i] = std::sqrt(g(i, i));
        for (std::size_t e = 0; e < k; ++e) {
            if (!(std::fabs(lambda(e)) > cut)) continue;
            double dot = 0.0;
            for (std::size_t i = 0; i < k; ++i) dot += v(i, e) * d[i];
            for (std::size_t i = 0; i < k; ++i) out[i] += v(i, e) * dot / lambda(e);
        }
        const double s = std::accumulate(out.begin(), out.end(), 0.0);
        if (std::fabs(s) < 1e-12) return xt::zeros<double>({k});
        for (double& x : out) x /= s;
        return detail::to_tensor(out);
    }
    template <class E>
    aggregation aggregate(const xt::xexpression<E>& j) const {
        return detail::aggregate_with(*this, j, "imtl_g");
    }
};

/// CAGrad (Liu et al. 2021, "Conflict-averse gradient descent"), c = 0.5 by default, on the Gram
/// matrix normalised by its trace (torchjd): with g0 the mean gradient and phi = c |g0|, w minimises
/// w^T G 1/k + phi sqrt(w^T G w) over the simplex (projected gradient with backtracking, to
/// `tolerance` or `max_iterations`), and the weights are 1/k + phi / |g_w| w, i.e. the direction
/// g0 + phi / |g_w| g_w, unscaled. As torchjd: zero weights when the trace is below norm_eps or
/// |g_w| (normalised) is below norm_eps ("approximately on the Pareto front"). Throws
/// invalid_argument for c < 0. O(k^2 d) for G, then O(k^2) per iteration.
struct cagrad {
    double c = 0.5;
    double norm_eps = 1e-4;
    double tolerance = 1e-13;
    std::size_t max_iterations = 20000;

    xt::xtensor<double, 1> weights_from_gram(const xt::xtensor<double, 2>& gram) const {
        detail::check_gram(gram, "cagrad");
        if (!(c >= 0.0) || std::isinf(c)) throw invalid_argument(fmt::format("mldp::loss::cagrad: c must be finite and >= 0, got {}", c));
        const std::size_t k = gram.shape()[0];
        double trace = 0.0;
        for (std::size_t i = 0; i < k; ++i) trace += gram(i, i);
        if (trace < norm_eps) return xt::zeros<double>({k});
        const xt::xtensor<double, 2> g = gram / trace;
        const double inv_k = 1.0 / static_cast<double>(k);
        std::vector<double> b(k, 0.0);  // G 1 / k: <g_i, g0>
        for (std::size_t i = 0; i < k; ++i) {
            for (std::size_t j = 0; j < k; ++j) b[i] += g(i, j) * inv_k;
        }
        double g0sq = 0.0;
        for (double x : b) g0sq += x * inv_k;
        const double phi = c * std::sqrt((std::max)(g0sq, 0.0));
        auto objective = [&](const std::vector<double>& w) {
            double lin = 0.0;
            for (std::size_t i = 0; i < k; ++i) lin += b[i] * w[i];
            return lin + phi * std::sqrt((std::max)(detail::quad(g, w), 0.0));
        };
        std::vector<double> w(k, inv_k), grad(k), next(k);
        if (phi == 0.0) {  // a linear program: the best vertex
            std::fill(w.begin(), w.end(), 0.0);
            w[static_cast<std::size_t>(std::min_element(b.begin(), b.end()) - b.begin())] = 1.0;
        } else {
            minimise(g, objective, phi, w, grad, next);
        }
        const double gw_norm = std::sqrt((std::max)(detail::quad(g, w), 0.0));
        if (gw_norm < norm_eps) return xt::zeros<double>({k});
        std::vector<double> out(k, inv_k);
        for (std::size_t i = 0; i < k; ++i) out[i] += phi / gw_norm * w[i];
        return detail::to_tensor(out);
    }
    template <class E>
    aggregation aggregate(const xt::xexpression<E>& j) const {
        return detail::aggregate_with(*this, j, "cagrad");
    }

private:
    template <class F>
    void minimise(const xt::xtensor<double, 2>& g, const F& objective, double phi, std::vector<double>& w, std::vector<double>& grad,
                  std::vector<double>& next) const {
        const std::size_t k = w.size();
        std::vector<double> b(k, 0.0);
        for (std::size_t i = 0; i < k; ++i) {
            for (std::size_t j = 0; j < k; ++j) b[i] += g(i, j) / static_cast<double>(k);
        }
        double f = objective(w), step = 1.0;
        for (std::size_t it = 0; it < max_iterations; ++it) {
            const double norm = std::sqrt((std::max)(detail::quad(g, w), 0.0));
            for (std::size_t i = 0; i < k; ++i) {
                double gw = 0.0;
                for (std::size_t j = 0; j < k; ++j) gw += g(i, j) * w[j];
                grad[i] = b[i] + (norm > 0.0 ? phi * gw / norm : 0.0);
            }
            // Backtracking on the projected step (the step carries over between iterations; the
            // trace normalisation keeps the curvature near 1).
            step = (std::min)(step * 2.0, 1e6);
            double fn = f;
            for (int tries = 0; tries < 60; ++tries) {
                for (std::size_t i = 0; i < k; ++i) next[i] = w[i] - step * grad[i];
                project_simplex(next);
                fn = objective(next);
                double decrease = 0.0, dist = 0.0;
                for (std::size_t i = 0; i < k; ++i) {
                    decrease += grad[i] * (w[i] - next[i]);
                    dist += (w[i] - next[i]) * (w[i] - next[i]);
                }
                if (fn <= f - decrease + dist / (2.0 * step)) break;
                step *= 0.5;
            }
            double moved = 0.0;
            for (std::size_t i = 0; i < k; ++i) moved = (std::max)(moved, std::fabs(next[i] - w[i]));
            if (fn <= f) {
                w = next;
                f = fn;
            }
            if (moved <= tolerance) break;
        }
    }

public:
    /// Euclidean projection onto the probability simplex (Duchi et al. 2008, sort-based).
    static void project_simplex(std::vector<double>& v) {
        std::vector<double> s(v);
        std::sort(s.begin(), s.end(), [](double a, double b) { return a > b; });
        double cum = 0.0, theta = 0.0;
        for (std::size_t i = 0; i < s.size(); ++i) {
            cum += s[i];
            const double t = (cum - 1.0) / static_cast<double>(i + 1);
            if (s[i] - t > 0.0) theta = t;
        }
        for (double& x : v) x = (std::max)(x - theta, 0.0);
    }
};

/// Aligned-MTL (Senushkin et al. 2023, "Independent component alignment for multi-task learning"):
/// weights = B p with B = sqrt(lambda_min) V Lambda^{-1/2} V^T over the eigenpairs of G above
/// max(lambda) k 2^-23 (torchjd's rank cut, which uses torch's default float32 epsilon;
/// lambda_min the smallest kept) and p = 1/k (the default preference), so that the aligned task
/// gradients share one norm. Rank 0 (all gradients zero): B = I, weights p. Eigenpairs by LAPACK.
/// O(k^2 d + k^3).
struct aligned_mtl {
    xt::xtensor<double, 1> weights_from_gram(const xt::xtensor<double, 2>& g) const {
        detail::check_gram(g, "aligned_mtl");
        const std::size_t k = g.shape()[0];
        const auto [lambda, v] = detail::eigen(g);
        const double tol = lambda(k - 1) * static_cast<double>(k) * 1.1920928955078125e-07;
        double smallest = 0.0;
        for (std::size_t e = 0; e < k; ++e) {
            if (lambda(e) > tol) {
                smallest = lambda(e);
                break;
            }
        }
        const double inv_k = 1.0 / static_cast<double>(k);
        std::vector<double> out(k, 0.0);
        if (smallest == 0.0) return detail::to_tensor(std::vector<double>(k, inv_k));
        for (std::size_t e = 0; e < k; ++e) {
            if (!(lambda(e) > tol)) continue;
            double dot = 0.0;  // v_e^T p
            for (std::size_t i = 0; i < k; ++i) dot += v(i, e) * inv_k;
            const double f = std::sqrt(smallest / lambda(e)) * dot;
            for (std::size_t i = 0; i < k; ++i) out[i] += v(i, e) * f;
        }
        return detail::to_tensor(out);
    }
    template <class E>
    aggregation aggregate(const xt::xexpression<E>& j) const {
        return detail::aggregate_with(*this, j, "aligned_mtl");
    }
};

/// UPGrad (Quinton & Rey 2024, "Jacobian descent for multi-objective optimization", torchjd): each
/// task's preference e_i / k is projected onto the dual cone of the gradients, v_i = argmin_{v >= e_i/k}
/// v^T G' v, and the weights are sum_i v_i. G' is G normalised by its trace and regularised by
/// reg_eps I (torchjd: norm_eps = reg_eps = 1e-4; a trace below norm_eps makes G' = reg_eps I, so
/// every weight is 1/k). The quadratic programs are solved by coordinate descent to `tolerance`.
/// O(k^2 d) for G, then O(k^2) per sweep and task.
struct upgrad {
    double norm_eps = 1e-4;
    double reg_eps = 1e-4;
    double tolerance = 1e-15;
    std::size_t max_sweeps = 100000;

    xt::xtensor<double, 1> weights_from_gram(const xt::xtensor<double, 2>& g) const {
        detail::check_gram(g, "upgrad");
        if (!(reg_eps > 0.0)) throw invalid_argument(fmt::format("mldp::loss::upgrad: reg_eps must be positive, got {}", reg_eps));
        const std::size_t k = g.shape()[0];
        double trace = 0.0;
        for (std::size_t i = 0; i < k; ++i) trace += g(i, i);
        std::vector<double> total(k, 0.0);
        if (trace < norm_eps) return detail::to_tensor(std::vector<double>(k, 1.0 / static_cast<double>(k)));
        xt::xtensor<double, 2> a = g / trace;
        for (std::size_t i = 0; i < k; ++i) a(i, i) += reg_eps;
        std::vector<double> u(k, 0.0);
        for (std::size_t i = 0; i < k; ++i) {
            std::fill(u.begin(), u.end(), 0.0);
            u[i] = 1.0 / static_cast<double>(k);
            const auto v = detail::nonnegative_qp(a, u, tolerance, max_sweeps);
            for (std::size_t m = 0; m < k; ++m) total[m] += v[m];
        }
        return detail::to_tensor(total);
    }
    template <class E>
    aggregation aggregate(const xt::xexpression<E>& j) const {
        return detail::aggregate_with(*this, j, "upgrad");
    }
};

/// The Gram matrix G = J J^T of task gradients (k x k), by BLAS dsyrk. Throws invalid_argument for a
/// J that is not 2-D or is empty, data_error for non-finite entries.
template <class E>
xt::xtensor<double, 2> gram_matrix(const xt::xexpression<E>& j) {
    return detail::gram(detail::jacobian(j, "gram_matrix"), "gram_matrix");
}

}  // namespace mldp::loss

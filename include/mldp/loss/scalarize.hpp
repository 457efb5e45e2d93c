// mldp — scalarisations of an objective vector f (m objectives, all minimised) into one number:
// weighted sum, weighted and augmented Tchebycheff, the achievement scalarising function and a
// penalty form of the epsilon-constraint method (Miettinen, "Nonlinear Multiobjective Optimization",
// Kluwer 1999, part II ch. 3). Each takes one vector (-> double) or an n x m matrix of points, one per
// row (-> std::vector<double> of n values); the formulas follow pymoo.decomposition where it has them.
//
// Validation, the same for every function: f / points must be finite (data_error, column "f" or
// "points"); weights must be as many as objectives, finite, non-negative and not all zero; the ideal
// or reference point must have m finite values; any other violation is an invalid_argument.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <xtensor/xadapt.hpp>
#include <xtensor/xexpression.hpp>
#include <xtensor/xnoalias.hpp>
#include <xtensor/xtensor.hpp>
#include <xtensor/xutils.hpp>

#include "mldp/core/contiguous.hpp"
#include "mldp/core/error.hpp"

namespace mldp::loss {

// Private; nested so that the names cannot meet other loss headers' helpers.
namespace detail::scalarize {

template <class S>
struct static_dimension : std::integral_constant<std::size_t, static_cast<std::size_t>(-1)> {};
template <class T, std::size_t N>
struct static_dimension<std::array<T, N>> : std::integral_constant<std::size_t, N> {};

template <class X, class = void>
struct is_point_matrix : std::false_type {};
// An xtensor expression known at compile time to be 2-D (xt::xtensor<T, 2>, xfixed, and expressions
// or views of them, whose shape type is std::array<size_t, 2>). A dynamic-rank xt::xarray takes the
// single-vector path, which accepts it only when it is 1-D.
template <class X>
struct is_point_matrix<X, std::enable_if_t<xt::is_xexpression<X>::value>>
    : std::bool_constant<static_dimension<typename X::shape_type>::value == 2 || xt::get_rank<X>::value == 2> {};

template <class X>
inline constexpr bool is_point_matrix_v = is_point_matrix<std::remove_cv_t<std::remove_reference_t<X>>>::value;

inline std::string where(const char* fn) { return std::string("mldp::loss::") + fn; }

inline const char* non_finite_name(double v) noexcept { return v != v ? "NaN" : (v > 0 ? "+Inf" : "-Inf"); }

inline void require_size(std::size_t got, std::size_t m, const char* what, const char* fn) {
    if (got != m) {
        throw invalid_argument(where(fn) + ": " + what + " has " + std::to_string(got) + " values but there are " +
                               std::to_string(m) + " objectives; they must match");
    }
}

// Finite, non-negative, not all zero, m of them.
template <class W>
contiguous_values<double> checked_weights(const W& w_in, std::size_t m, const char* fn) {
    auto w = evaluate_contiguous<double>(w_in);
    require_size(w.size(), m, "the weight vector", fn);
    bool any_positive = false;
    for (std::size_t j = 0; j < m; ++j) {
        if (!std::isfinite(w[j]) || w[j] < 0.0) {
            throw invalid_argument(where(fn) + ": weight " + std::to_string(j) + " is " + std::to_string(w[j]) +
                                   "; weights must be finite and non-negative");
        }
        any_positive = any_positive || w[j] > 0.0;
    }
    if (!any_positive) throw invalid_argument(where(fn) + ": the weights are all zero; at least one must be positive");
    return w;
}

// An objective-space point (ideal, reference): m finite values.
template <class Z>
contiguous_values<double> checked_point(const Z& z_in, std::size_t m, const char* name, const char* fn) {
    auto z = evaluate_contiguous<double>(z_in);
    require_size(z.size(), m, name, fn);
    for (std::size_t j = 0; j < m; ++j) {
        if (!std::isfinite(z[j])) throw data_error(name, j, where(fn) + ": the value is " + non_finite_name(z[j]) + "; it must be finite");
    }
    return z;
}

inline void check_row(const double* f, std::size_t m, const char* column, std::size_t row, const char* fn) {
    for (std::size_t j = 0; j < m; ++j) {
        if (!std::isfinite(f[j])) {
            throw data_error(column, row,
                             where(fn) + ": objective " + std::to_string(j) + " is " + non_finite_name(f[j]) +
                                 "; only finite objective values are accepted");
        }
    }
}

// One objective vector: m >= 1 finite values (data_error names coordinate j as the row).
template <class F>
contiguous_values<double> checked_vector(const F& f_in, const char* fn) {
    auto f = evaluate_contiguous<double>(f_in);
    if (f.empty()) throw invalid_argument(where(fn) + ": the objective vector f is empty; need m >= 1 objectives");
    for (std::size_t j = 0; j < f.size(); ++j) {
        if (!std::isfinite(f[j])) {
            throw data_error("f", j, where(fn) + ": the objective is " + non_finite_name(f[j]) + "; only finite values are accepted");
        }
    }
    return f;
}

// An n x m matrix of objective vectors, row-major, evaluated once; m >= 1, finite.
struct matrix {
    std::size_t n = 0, m = 0;
    std::vector<double> values;
    const double* row(std::size_t i) const noexcept { return values.data() + i * m; }
};

template <class E>
matrix checked_matrix(const xt::xexpression<E>& points, const char* fn) {
    const E& e = points.derived_cast();
    matrix out;
    out.n = static_cast<std::size_t>(e.shape()[0]);
    out.m = static_cast<std::size_t>(e.shape()[1]);
    if (out.m == 0) throw invalid_argument(where(fn) + ": the points have no objectives (m == 0); need m >= 1 columns");
    out.values.resize(out.n * out.m);
    auto a = xt::adapt(out.values, std::array<std::size_t, 2>{out.n, out.m});
    xt::noalias(a) = e;
    for (std::size_t i = 0; i < out.n; ++i) check_row(out.row(i), out.m, "points", i, fn);
    return out;
}

inline double weighted_sum_kernel(const double* f, const double* w, std::size_t m) noexcept {
    double s = 0.0;
    for (std::size_t j = 0; j < m; ++j) s += w[j] * f[j];
    return s;
}

inline double tchebycheff_kernel(const double* f, const double* w, const double* z, std::size_t m) noexcept {
    double best = -std::numeric_limits<double>::infinity();
    for (std::size_t j = 0; j < m; ++j) best = std::fmax(best, std::fabs(f[j] - z[j]) * w[j]);
    return best;
}

inline double augmented_tchebycheff_kernel(const double* f, const double* w, const double* z, double rho,
                                           std::size_t m) noexcept {
    double best = -std::numeric_limits<double>::infinity(), sum = 0.0;
    for (std::size_t j = 0; j < m; ++j) {
        const double d = std::fabs(f[j] - z[j]);
        best = std::fmax(best, d * w[j]);
        sum += d;
    }
    return best + rho * sum;
}

// pymoo.decomposition.asf.ASF: weights equal to 0 are replaced by weight_0 = 1e-10.
inline double asf_kernel(const double* f, const double* w, const double* r, std::size_t m) noexcept {
    double best = -std::numeric_limits<double>::infinity();
    for (std::size_t j = 0; j < m; ++j) best = std::fmax(best, (f[j] - r[j]) / (w[j] == 0.0 ? 1e-10 : w[j]));
    return best;
}

inline double epsilon_constraint_kernel(const double* f, std::size_t primary, const double* eps, double penalty,
                                        std::size_t m) noexcept {
    double violation = 0.0;
    for (std::size_t j = 0; j < m; ++j) {
        if (j != primary) violation += std::fmax(0.0, f[j] - eps[j]);
    }
    return f[primary] + penalty * violation;
}

inline void check_rho(double rho, const char* fn) {
    if (!std::isfinite(rho) || rho < 0.0) {
        throw invalid_argument(where(fn) + ": rho must be finite and non-negative, got " + std::to_string(rho));
    }
}

inline void check_epsilon_parameters(std::size_t primary, std::size_t m, double penalty, const contiguous_values<double>& eps,
                                     const char* fn) {
    if (primary >= m) {
        throw invalid_argument(where(fn) + ": primary objective " + std::to_string(primary) + " is out of range for " +
                               std::to_string(m) + " objectives");
    }
    if (!std::isfinite(penalty) || penalty < 0.0) {
        throw invalid_argument(where(fn) + ": the penalty must be finite and non-negative, got " + std::to_string(penalty));
    }
    require_size(eps.size(), m, "the epsilon vector", fn);
    for (std::size_t j = 0; j < m; ++j) {
        if (j != primary && (std::isnan(eps[j]) || eps[j] == -std::numeric_limits<double>::infinity())) {
            throw invalid_argument(where(fn) + ": epsilon " + std::to_string(j) + " is " + std::to_string(eps[j]) +
                                   "; bounds must be finite or +Inf (no constraint)");
        }
    }
}

}  // namespace detail::scalarize

/// Weighted sum sum_i w_i f_i (Miettinen 1999, sec. 3.1; pymoo.decomposition.weighted_sum.WeightedSum:
/// numpy.sum(F * weights, axis=1)). Reaches only the convex part of a Pareto front. O(m). Throws
/// invalid_argument for bad weights or an empty f, data_error for NaN/Inf in f.
template <class F = std::vector<double>, class W = std::vector<double>, std::enable_if_t<!detail::scalarize::is_point_matrix_v<F>, int> = 0>
double weighted_sum(const F& f, const W& w) {
    const auto fv = detail::scalarize::checked_vector(f, "weighted_sum");
    const auto wv = detail::scalarize::checked_weights(w, fv.size(), "weighted_sum");
    return detail::scalarize::weighted_sum_kernel(fv.data(), wv.data(), fv.size());
}

/// weighted_sum of each row of an n x m matrix of points; n values. O(n m).
template <class E, class W = std::vector<double>, std::enable_if_t<detail::scalarize::is_point_matrix_v<E>, int> = 0>
std::vector<double> weighted_sum(const xt::xexpression<E>& points, const W& w) {
    const detail::scalarize::matrix p = detail::scalarize::checked_matrix(points, "weighted_sum");
    const auto wv = detail::scalarize::checked_weights(w, p.m, "weighted_sum");
    std::vector<double> out(p.n);
    for (std::size_t i = 0; i < p.n; ++i) out[i] = detail::scalarize::weighted_sum_kernel(p.row(i), wv.data(), p.m);
    return out;
}

/// Weighted Tchebycheff max_i w_i |f_i - z_i| with z the ideal (utopian) point (Miettinen 1999,
/// sec. 3.4; pymoo.decomposition.tchebicheff.Tchebicheff: max(|F - utopian_point| * weights)); every
/// Pareto-optimal point minimises it for some weights. O(m). Throws as weighted_sum, and data_error
/// (column "ideal") for a non-finite ideal point, invalid_argument for one of another size.
template <class F = std::vector<double>, class W = std::vector<double>, class Z = std::vector<double>,
          std::enable_if_t<!detail::scalarize::is_point_matrix_v<F>, int> = 0>
double tchebycheff(const F& f, const W& w, const Z& ideal) {
    const auto fv = detail::scalarize::checked_vector(f, "tchebycheff");
    const auto wv = detail::scalarize::checked_weights(w, fv.size(), "tchebycheff");
    const auto zv = detail::scalarize::checked_point(ideal, fv.size(), "ideal", "tchebycheff");
    return detail::scalarize::tchebycheff_kernel(fv.data(), wv.data(), zv.data(), fv.size());
}

/// tchebycheff of each row of an n x m matrix of points; n values. O(n m).
template <class E, class W = std::vector<double>, class Z = std::vector<double>,
          std::enable_if_t<detail::scalarize::is_point_matrix_v<E>, int> = 0>
std::vector<double> tchebycheff(const xt::xexpression<E>& points, const W& w, const Z& ideal) {
    const detail::scalarize::matrix p = detail::scalarize::checked_matrix(points, "tchebycheff");
    const auto wv = detail::scalarize::checked_weights(w, p.m, "tchebycheff");
    const auto zv = detail::scalarize::checked_point(ideal, p.m, "ideal", "tchebycheff");
    std::vector<double> out(p.n);
    for (std::size_t i = 0; i < p.n; ++i) out[i] = detail::scalarize::tchebycheff_kernel(p.row(i), wv.data(), zv.data(), p.m);
    return out;
}

/// Augmented weighted Tchebycheff max_i w_i |f_i - z_i| + rho sum_i |f_i - z_i|: the augmentation
/// term is unweighted, as in Steuer & Choo (Math. Programming 26, 1983) and Miettinen 1999, sec. 3.4.5
/// (current pymoo has no such class; its AASF augments the ASF instead). rho > 0 small excludes weakly
/// Pareto-optimal points. O(m). Throws as tchebycheff, and invalid_argument for rho < 0 or non-finite.
template <class F = std::vector<double>, class W = std::vector<double>, class Z = std::vector<double>,
          std::enable_if_t<!detail::scalarize::is_point_matrix_v<F>, int> = 0>
double augmented_tchebycheff(const F& f, const W& w, const Z& ideal, double rho = 1e-4) {
    detail::scalarize::check_rho(rho, "augmented_tchebycheff");
    const auto fv = detail::scalarize::checked_vector(f, "augmented_tchebycheff");
    const auto wv = detail::scalarize::checked_weights(w, fv.size(), "augmented_tchebycheff");
    const auto zv = detail::scalarize::checked_point(ideal, fv.size(), "ideal", "augmented_tchebycheff");
    return detail::scalarize::augmented_tchebycheff_kernel(fv.data(), wv.data(), zv.data(), rho, fv.size());
}

/// augmented_tchebycheff of each row of an n x m matrix of points; n values. O(n m).
template <class E, class W = std::vector<double>, class Z = std::vector<double>,
          std::enable_if_t<detail::scalarize::is_point_matrix_v<E>, int> = 0>
std::vector<double> augmented_tchebycheff(const xt::xexpression<E>& points, const W& w, const Z& ideal, double rho = 1e-4) {
    detail::scalarize::check_rho(rho, "augmented_tchebycheff");
    const detail::scalarize::matrix p = detail::scalarize::checked_matrix(points, "augmented_tchebycheff");
    const auto wv = detail::scalarize::checked_weights(w, p.m, "augmented_tchebycheff");
    const auto zv = detail::scalarize::checked_point(ideal, p.m, "ideal", "augmented_tchebycheff");
    std::vector<double> out(p.n);
    for (std::size_t i = 0; i < p.n; ++i) out[i] = detail::scalarize::augmented_tchebycheff_kernel(p.row(i), wv.data(), zv.data(), rho, p.m);
    return out;
}

/// Achievement scalarising function max_i (f_i - r_i) / w_i for a reference point r (Wierzbicki 1980;
/// Miettinen 1999, sec. 3.5.2), exactly pymoo.decomposition.asf.ASF with utopian_point = r: a zero
/// weight is replaced by weight_0 = 1e-10 (so that objective dominates unless f_i = r_i); no absolute
/// value, so it is negative when f is better than r everywhere. O(m). Throws as tchebycheff (column
/// "reference_point").
template <class F = std::vector<double>, class W = std::vector<double>, class Z = std::vector<double>,
          std::enable_if_t<!detail::scalarize::is_point_matrix_v<F>, int> = 0>
double asf(const F& f, const W& w, const Z& reference_point) {
    const auto fv = detail::scalarize::checked_vector(f, "asf");
    const auto wv = detail::scalarize::checked_weights(w, fv.size(), "asf");
    const auto rv = detail::scalarize::checked_point(reference_point, fv.size(), "reference_point", "asf");
    return detail::scalarize::asf_kernel(fv.data(), wv.data(), rv.data(), fv.size());
}

/// asf of each row of an n x m matrix of points; n values. O(n m).
template <class E, class W = std::vector<double>, class Z = std::vector<double>,
          std::enable_if_t<detail::scalarize::is_point_matrix_v<E>, int> = 0>
std::vector<double> asf(const xt::xexpression<E>& points, const W& w, const Z& reference_point) {
    const detail::scalarize::matrix p = detail::scalarize::checked_matrix(points, "asf");
    const auto wv = detail::scalarize::checked_weights(w, p.m, "asf");
    const auto rv = detail::scalarize::checked_point(reference_point, p.m, "reference_point", "asf");
    std::vector<double> out(p.n);
    for (std::size_t i = 0; i < p.n; ++i) out[i] = detail::scalarize::asf_kernel(p.row(i), wv.data(), rv.data(), p.m);
    return out;
}

/// Penalty form of the epsilon-constraint method (Haimes, Lasdon & Wismer 1971; Miettinen 1999,
/// sec. 3.2): f_primary + penalty * sum_{j != primary} max(0, f_j - eps_j). eps_primary is ignored;
/// eps_j = +Inf switches constraint j off. O(m). Throws invalid_argument for primary >= m, a negative
/// or non-finite penalty, a NaN or -Inf bound, or a bound vector of another size; data_error for NaN/Inf in f.
template <class F = std::vector<double>, class Eps = std::vector<double>, std::enable_if_t<!detail::scalarize::is_point_matrix_v<F>, int> = 0>
double epsilon_constraint(const F& f, std::size_t primary, const Eps& epsilons, double penalty) {
    const auto fv = detail::scalarize::checked_vector(f, "epsilon_constraint");
    const auto ev = evaluate_contiguous<double>(epsilons);
    detail::scalarize::check_epsilon_parameters(primary, fv.size(), penalty, ev, "epsilon_constraint");
    return detail::scalarize::epsilon_constraint_kernel(fv.data(), primary, ev.data(), penalty, fv.size());
}

/// epsilon_constraint of each row of an n x m matrix of points; n values. O(n m).
template <class E, class Eps = std::vector<double>, std::enable_if_t<detail::scalarize::is_point_matrix_v<E>, int> = 0>
std::vector<double> epsilon_constraint(const xt::xexpression<E>& points, std::size_t primary, const Eps& epsilons, double penalty) {
    const detail::scalarize::matrix p = detail::scalarize::checked_matrix(points, "epsilon_constraint");
    const auto ev = evaluate_contiguous<double>(epsilons);
    detail::scalarize::check_epsilon_parameters(primary, p.m, penalty, ev, "epsilon_constraint");
    std::vector<double> out(p.n);
    for (std::size_t i = 0; i < p.n; ++i) out[i] = detail::scalarize::epsilon_constraint_kernel(p.row(i), primary, ev.data(), penalty, p.m);
    return out;
}

}  // namespace mldp::loss

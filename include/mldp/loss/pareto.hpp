// mldp — Pareto tools for minimisation problems: dominance, non-dominated sorting, crowding distance,
// exact hypervolume and per-point hypervolume contributions, and an archive that keeps the
// non-dominated members of a sweep. Points are the rows of an n x m matrix (n points, m objectives);
// every objective is minimised.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <xtensor/xadapt.hpp>
#include <xtensor/xexpression.hpp>
#include <xtensor/xnoalias.hpp>
#include <xtensor/xtensor.hpp>

#include "mldp/core/archive.hpp"
#include "mldp/core/contiguous.hpp"
#include "mldp/core/error.hpp"
#include "mldp/core/numeric.hpp"

namespace mldp::loss::pareto {

namespace detail {

// Row-major n x m objective values, evaluated once; borrows the caller's row-major container of
// doubles, otherwise owns a copy. Copy-safe: data() never points into another object's buffer.
struct point_rows {
    std::size_t n = 0, m = 0;
    const double* borrowed = nullptr;
    std::vector<double> owned;
    const double* data() const noexcept { return borrowed != nullptr ? borrowed : owned.data(); }
    const double* row(std::size_t i) const noexcept { return data() + i * m; }
};

inline std::string where(const char* fn) { return std::string("mldp::loss::pareto::") + fn; }

inline const char* non_finite_name(double v) noexcept { return v != v ? "NaN" : (v > 0 ? "+Inf" : "-Inf"); }

template <class E>
point_rows evaluate_points(const xt::xexpression<E>& points, const char* fn) {
    const E& e = points.derived_cast();
    if (e.dimension() != 2) {
        throw invalid_argument(where(fn) + ": points must be a 2-D n x m expression (one row per point, one column "
                                           "per objective), got one with " +
                               std::to_string(e.dimension()) + " dimensions");
    }
    point_rows p;
    p.n = static_cast<std::size_t>(e.shape()[0]);
    p.m = static_cast<std::size_t>(e.shape()[1]);
    if (p.m == 0) throw invalid_argument(where(fn) + ": the points have no objectives (m == 0); need m >= 1 columns");
    bool borrowed = false;
    if constexpr (mldp::detail::is_xcontainer_v<E> && std::is_same_v<typename E::value_type, double>) {
        if constexpr (E::static_layout == xt::layout_type::row_major) {
            p.borrowed = e.data();
            borrowed = p.n * p.m > 0;
        }
    }
    if (!borrowed) {
        p.borrowed = nullptr;
        p.owned.resize(p.n * p.m);
        auto out = xt::adapt(p.owned, std::array<std::size_t, 2>{p.n, p.m});
        xt::noalias(out) = e;
    }
    const double* d = p.data();
    for (std::size_t i = 0; i < p.n; ++i) {
        for (std::size_t j = 0; j < p.m; ++j) {
            const double v = d[i * p.m + j];
            if (!std::isfinite(v)) {
                throw data_error("points", i,
                                 where(fn) + ": objective " + std::to_string(j) + " is " + non_finite_name(v) +
                                     "; only finite objective values are accepted");
            }
        }
    }
    return p;
}

template <class R>
std::vector<double> evaluate_reference(R&& reference, std::size_t m, const char* fn) {
    auto r = evaluate_contiguous<double>(std::forward<R>(reference));
    if (r.size() != m) {
        throw invalid_argument(where(fn) + ": the reference point has " + std::to_string(r.size()) +
                               " coordinates but the points have " + std::to_string(m) + " objectives; they must match");
    }
    for (std::size_t j = 0; j < m; ++j) {
        if (!std::isfinite(r[j])) {
            throw data_error("reference", j,
                             where(fn) + ": the reference coordinate is " + non_finite_name(r[j]) + "; it must be finite");
        }
    }
    return std::vector<double>(r.begin(), r.end());
}

// a dominates b: a_j <= b_j for every j and a_j < b_j for at least one.
inline bool dominates(const double* a, const double* b, std::size_t m) noexcept {
    bool strictly = false;
    for (std::size_t j = 0; j < m; ++j) {
        if (b[j] < a[j]) return false;
        if (a[j] < b[j]) strictly = true;
    }
    return strictly;
}

// a_j <= b_j for every j (a dominates b or equals it).
inline bool weakly_dominates(const double* a, const double* b, std::size_t m) noexcept {
    for (std::size_t j = 0; j < m; ++j) {
        if (b[j] < a[j]) return false;
    }
    return true;
}

// +1 when a dominates b, -1 when b dominates a, 0 otherwise (incomparable or equal); one pass.
inline int dominance(const double* a, const double* b, std::size_t m) noexcept {
    bool a_better = false, b_better = false;
    for (std::size_t j = 0; j < m; ++j) {
        if (a[j] < b[j]) {
            a_better = true;
        } else if (b[j] < a[j]) {
            b_better = true;
        }
        if (a_better && b_better) return 0;
    }
    return a_better ? 1 : (b_better ? -1 : 0);
}

// Keeps, in place and in order, the rows of the n x d block `pts` that no other row weakly dominates
// (the first of equal rows survives). Returns the number kept. O(n^2 d).
inline std::size_t keep_non_dominated(std::vector<double>& pts, std::size_t n, std::size_t d) {
    std::vector<char> drop(n, 0);
    for (std::size_t i = 0; i < n; ++i) {
        if (drop[i]) continue;
        const double* a = pts.data() + i * d;
        for (std::size_t k = i + 1; k < n; ++k) {
            if (drop[k]) continue;
            const double* b = pts.data() + k * d;
            if (weakly_dominates(a, b, d)) {
                drop[k] = 1;
            } else if (weakly_dominates(b, a, d)) {
                // whatever row i would have removed, row k (which still stands) removes as well
                drop[i] = 1;
                break;
            }
        }
    }
    std::size_t out = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (drop[i]) continue;
        if (out != i) std::copy(pts.begin() + static_cast<std::ptrdiff_t>(i * d),
                                pts.begin() + static_cast<std::ptrdiff_t>((i + 1) * d),
                                pts.begin() + static_cast<std::ptrdiff_t>(out * d));
        ++out;
    }
    pts.resize(out * d);
    return out;
}

// Product of (ref_j - p_j) over the first d coordinates: the volume p dominates on its own.
inline double box_volume(const double* p, const double* ref, std::size_t d) noexcept {
    double v = 1.0;
    for (std::size_t j = 0; j < d; ++j) v *= ref[j] - p[j];
    return v;
}

// In the functions below every point lies strictly below `ref` in each of the first d coordinates.

inline double hv_1d(const double* pts, std::size_t n, const double* ref) noexcept {
    double lo = ref[0];
    for (std::size_t i = 0; i < n; ++i) lo = std::fmin(lo, pts[i]);
    return ref[0] - lo;
}

// 2-D sweep: by x ascending, each point that lowers the best y so far adds the strip
// [x, ref_x] x [y, best_y). O(n log n).
inline double hv_2d(const double* pts, std::size_t n, const double* ref) {
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [pts](std::size_t a, std::size_t b) {
        if (pts[2 * a] != pts[2 * b]) return pts[2 * a] < pts[2 * b];
        if (pts[2 * a + 1] != pts[2 * b + 1]) return pts[2 * a + 1] < pts[2 * b + 1];
        return a < b;
    });
    neumaier_sum area;
    double best_y = ref[1];
    for (std::size_t i : order) {
        const double x = pts[2 * i], y = pts[2 * i + 1];
        if (y < best_y) {
            area.add((ref[0] - x) * (best_y - y));
            best_y = y;
        }
    }
    return area.value();
}

// 3-D sweep over z ascending (the HV3D idea of Beume, Fonseca, Lopez-Ibanez, Paquete & Vahrenhold,
// IEEE TEC 13(5), 2009): a 2-D staircase of the (x, y) projections seen so far, x strictly ascending
// and y strictly descending, whose area is updated by the exact area each new point adds; the volume
// is the sum of area x (next z - z). O(n log n) comparisons plus the staircase's vector moves.
inline double hv_3d(const double* pts, std::size_t n, const double* ref) {
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [pts](std::size_t a, std::size_t b) {
        if (pts[3 * a + 2] != pts[3 * b + 2]) return pts[3 * a + 2] < pts[3 * b + 2];
        return a < b;
    });
    struct step {
        double x, y;
    };
    std::vector<step> stair;
    stair.reserve(n);
    neumaier_sum area, volume;
    for (std::size_t k = 0; k < n; ++k) {
        const double* p = pts + 3 * order[k];
        const double x = p[0], y = p[1];
        const auto above = std::upper_bound(stair.begin(), stair.end(), x,
                                            [](double v, const step& s) { return v < s.x; });
        const bool covered = above != stair.begin() && std::prev(above)->y <= y;
        if (!covered) {
            auto lo = std::lower_bound(stair.begin(), above, x, [](const step& s, double v) { return s.x < v; });
            auto hi = lo;
            while (hi != stair.end() && hi->y >= y) ++hi;
            // Added area: the integral over [x, x_hi) of (old staircase height - y).
            double h = lo == stair.begin() ? ref[1] : std::prev(lo)->y;
            double cx = x;
            neumaier_sum added;
            for (auto s = lo; s != hi; ++s) {
                added.add((s->x - cx) * (h - y));
                cx = s->x;
                h = s->y;
            }
            added.add(((hi == stair.end() ? ref[0] : hi->x) - cx) * (h - y));
            area.add(added.value());
            if (lo == hi) {
                stair.insert(lo, step{x, y});
            } else {
                *lo = step{x, y};
                stair.erase(lo + 1, hi);
            }
        }
        const double z_next = k + 1 < n ? pts[3 * order[k + 1] + 2] : ref[2];
        volume.add(area.value() * (z_next - p[2]));
    }
    return volume.value();
}

inline double hv_dispatch(std::vector<double>& pts, std::size_t n, std::size_t d, const double* ref);

// WFG (While, Bradstreet & Barone, "A fast way of calculating exact hypervolumes", IEEE TEC 16(1),
// 2012), with its slicing on the last objective: sorting rows by the last coordinate, worst first,
//   HV_d(S) = sum_i (ref_d - p_i,d) * exclhv_{d-1}(p_i | p_{i+1..}),
//   exclhv(p | Q) = inclhv(p) - HV(nds(limitset(p, Q))),  limitset: q -> max(p, q) coordinatewise,
// where later rows are exactly those with a better (smaller) last coordinate. The recursion ends in
// the exact 3-D and 2-D sweeps. `pts` holds n rows of d >= 4 coordinates and is reordered.
inline double hv_wfg(std::vector<double>& pts, std::size_t n, std::size_t d, const double* ref) {
    const std::size_t last = d - 1;
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&pts, d, last](std::size_t a, std::size_t b) {
        const double va = pts[a * d + last], vb = pts[b * d + last];
        if (va != vb) return va > vb;
        return a < b;
    });
    std::vector<double> sorted(n * d);
    for (std::size_t i = 0; i < n; ++i) {
        std::copy(pts.begin() + static_cast<std::ptrdiff_t>(order[i] * d),
                  pts.begin() + static_cast<std::ptrdiff_t>((order[i] + 1) * d),
                  sorted.begin() + static_cast<std::ptrdiff_t>(i * d));
    }
    neumaier_sum volume;
    std::vector<double> limit;
    for (std::size_t i = 0; i < n; ++i) {
        const double* p = sorted.data() + i * d;
        double exclusive = box_volume(p, ref, last);
        if (i + 1 < n) {
            limit.resize((n - i - 1) * last);
            for (std::size_t k = i + 1; k < n; ++k) {
                const double* q = sorted.data() + k * d;
                double* l = limit.data() + (k - i - 1) * last;
                for (std::size_t j = 0; j < last; ++j) l[j] = std::fmax(p[j], q[j]);
            }
            const std::size_t kept = keep_non_dominated(limit, n - i - 1, last);
            exclusive -= hv_dispatch(limit, kept, last, ref);
        }
        volume.add((ref[last] - p[last]) * exclusive);
    }
    return volume.value();
}

inline double hv_dispatch(std::vector<double>& pts, std::size_t n, std::size_t d, const double* ref) {
    if (n == 0) return 0.0;
    if (n == 1) return box_volume(pts.data(), ref, d);
    switch (d) {
        case 1: return hv_1d(pts.data(), n, ref);
        case 2: return hv_2d(pts.data(), n, ref);
        case 3: return hv_3d(pts.data(), n, ref);
        default: return hv_wfg(pts, n, d, ref);
    }
}

// Indices of the rows strictly below the reference in every coordinate (the others add no volume).
inline std::vector<std::size_t> rows_inside(const double* data, std::size_t n, std::size_t m, const double* ref) {
    std::vector<std::size_t> inside;
    for (std::size_t i = 0; i < n; ++i) {
        const double* p = data + i * m;
        bool ok = true;
        for (std::size_t j = 0; j < m && ok; ++j) ok = p[j] < ref[j];
        if (ok) inside.push_back(i);
    }
    return inside;
}

// Exact hypervolume of n validated rows of m coordinates against a validated reference.
inline double hypervolume_rows(const double* data, std::size_t n, std::size_t m, const double* ref) {
    const std::vector<std::size_t> inside = rows_inside(data, n, m, ref);
    std::vector<double> pts(inside.size() * m);
    for (std::size_t k = 0; k < inside.size(); ++k) std::copy(data + inside[k] * m, data + (inside[k] + 1) * m, pts.data() + k * m);
    std::size_t count = inside.size();
    // WFG's cost grows with every point it carries; the sweeps ignore dominated points by themselves.
    if (m >= 4) count = keep_non_dominated(pts, count, m);
    return hv_dispatch(pts, count, m, ref);
}

}  // namespace detail

/// True when a dominates b under minimisation: a_j <= b_j for every objective and a_j < b_j for at
/// least one. `a` and `b` are 1-D numeric columns (std::vector, std::array, 1-D xtensor). O(m).
/// Throws invalid_argument for different or zero lengths, data_error for a NaN or infinite value.
template <class A = std::vector<double>, class B = std::vector<double>>
bool dominates(const A& a, const B& b) {
    const auto va = evaluate_contiguous<double>(a);
    const auto vb = evaluate_contiguous<double>(b);
    if (va.size() != vb.size() || va.empty()) {
        throw invalid_argument("mldp::loss::pareto::dominates: a has " + std::to_string(va.size()) + " objectives and b has " +
                               std::to_string(vb.size()) + "; they must match and be at least 1");
    }
    require_finite(va.data(), va.size(), "a");
    require_finite(vb.data(), vb.size(), "b");
    return detail::dominates(va.data(), vb.data(), va.size());
}

/// Fast non-dominated sort (Deb, Pratap, Agarwal & Meyarivan, "A fast and elitist multiobjective
/// genetic algorithm: NSGA-II", IEEE TEC 6(2), 2002): the fronts in order, front 0 being the
/// non-dominated rows; indices ascending inside each front. Equal rows share a front. O(m n^2) time,
/// O(n^2) memory worst case. Throws invalid_argument for a non-2-D input or m == 0, data_error
/// (column "points", the row) for NaN or Inf. n == 0 gives no fronts.
template <class E>
std::vector<std::vector<std::size_t>> non_dominated_sort(const xt::xexpression<E>& points) {
    const detail::point_rows p = detail::evaluate_points(points, "non_dominated_sort");
    std::vector<std::size_t> dominated_by(p.n, 0);
    std::vector<std::vector<std::size_t>> dominated(p.n);
    for (std::size_t i = 0; i < p.n; ++i) {
        for (std::size_t k = i + 1; k < p.n; ++k) {
            const int r = detail::dominance(p.row(i), p.row(k), p.m);
            if (r > 0) {
                dominated[i].push_back(k);
                ++dominated_by[k];
            } else if (r < 0) {
                dominated[k].push_back(i);
                ++dominated_by[i];
            }
        }
    }
    std::vector<std::vector<std::size_t>> fronts;
    std::vector<std::size_t> current;
    for (std::size_t i = 0; i < p.n; ++i) {
        if (dominated_by[i] == 0) current.push_back(i);
    }
    while (!current.empty()) {
        std::vector<std::size_t> next;
        for (std::size_t i : current) {
            for (std::size_t k : dominated[i]) {
                if (--dominated_by[k] == 0) next.push_back(k);
            }
        }
        std::sort(next.begin(), next.end());
        fronts.push_back(std::move(current));
        current = std::move(next);
    }
    return fronts;
}

/// Indices (ascending) of the rows no other row dominates: the first front of non_dominated_sort.
/// Equal rows are all kept. O(m n^2) time, O(n) memory. Throws as non_dominated_sort.
template <class E>
std::vector<std::size_t> non_dominated(const xt::xexpression<E>& points) {
    const detail::point_rows p = detail::evaluate_points(points, "non_dominated");
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < p.n; ++i) {
        bool dominated = false;
        for (std::size_t k = 0; k < p.n && !dominated; ++k) dominated = k != i && detail::dominates(p.row(k), p.row(i), p.m);
        if (!dominated) out.push_back(i);
    }
    return out;
}

/// NSGA-II crowding distance of each row, as pymoo computes it: FunctionalDiversity(
/// calc_crowding_distance, filter_out_duplicates=True) of pymoo.operators.survival.rank_and_crowding
/// .metrics (the configuration of pymoo's tests/misc/test_crowding_distance.py). n <= 2: all +inf.
/// Otherwise repeats of an earlier row get 0; on the remaining rows, per objective (stable sort):
/// ends +inf, others (next - previous) / (max - min), summed and divided by m; an objective with
/// max == min adds 0 to every row (pymoo: norm NaN, then NaN -> 0), so a single distinct row gets 0.
/// O(m n log n). Throws as non_dominated_sort.
template <class E>
std::vector<double> crowding_distance(const xt::xexpression<E>& points) {
    // pymoo's find_duplicates flags a row whose Euclidean distance to an earlier row is <= 1e-32;
    // here a row is a repeat when it equals an earlier row exactly (the same for any coordinates
    // above ~1e-16 in magnitude). pymoo sums the m per-objective terms with numpy.sum, which is
    // this sequential sum for m < 8; for m >= 8 the two may differ in the last bits.
    const detail::point_rows p = detail::evaluate_points(points, "crowding_distance");
    const std::size_t n = p.n, m = p.m;
    constexpr double inf = std::numeric_limits<double>::infinity();
    if (n <= 2) return std::vector<double>(n, inf);

    std::vector<std::size_t> lex(n);
    std::iota(lex.begin(), lex.end(), std::size_t{0});
    std::sort(lex.begin(), lex.end(), [&p, m](std::size_t a, std::size_t b) {
        const double *ra = p.row(a), *rb = p.row(b);
        for (std::size_t j = 0; j < m; ++j) {
            if (ra[j] != rb[j]) return ra[j] < rb[j];
        }
        return a < b;
    });
    std::vector<char> repeat(n, 0);
    for (std::size_t k = 1; k < n; ++k) {
        const double *prev = p.row(lex[k - 1]), *cur = p.row(lex[k]);
        repeat[lex[k]] = std::equal(cur, cur + m, prev) ? 1 : 0;
    }
    std::vector<std::size_t> unique;
    for (std::size_t i = 0; i < n; ++i) {
        if (!repeat[i]) unique.push_back(i);
    }
    const std::size_t u = unique.size();

    std::vector<double> sum(u, 0.0);
    std::vector<std::size_t> order(u);
    for (std::size_t j = 0; j < m; ++j) {
        auto value = [&](std::size_t k) { return p.row(unique[k])[j]; };
        std::iota(order.begin(), order.end(), std::size_t{0});
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return value(a) < value(b); });
        const double norm = value(order[u - 1]) - value(order[0]);
        if (norm == 0.0) continue;  // pymoo: every term of this objective is NaN, then set to 0
        for (std::size_t r = 0; r < u; ++r) {
            const double v = value(order[r]);
            const double to_last = r == 0 ? inf : (v - value(order[r - 1])) / norm;
            const double to_next = r + 1 == u ? inf : (value(order[r + 1]) - v) / norm;
            sum[order[r]] += to_last + to_next;
        }
    }
    std::vector<double> out(n, 0.0);
    for (std::size_t k = 0; k < u; ++k) out[unique[k]] = sum[k] / static_cast<double>(m);
    return out;
}

/// Exact hypervolume (Lebesgue measure) of the region dominated by the rows of `points` and bounded by
/// `reference` (minimisation). Rows not strictly below the reference in every objective add nothing.
/// m = 1: reference - min; m = 2: sort sweep, O(n log n); m = 3: z-sweep over a 2-D staircase,
/// O(n log n) comparisons (O(n^2) element moves at worst); m >= 4: WFG (While, Bradstreet & Barone, IEEE TEC 16(1), 2012), exponential in m in the
/// worst case. `reference`: 1-D column of m values. Throws invalid_argument for a non-2-D input, m == 0
/// or a reference of another size; data_error for NaN/Inf in points or reference. n == 0 gives 0.
template <class E, class R = std::vector<double>>
double hypervolume(const xt::xexpression<E>& points, const R& reference) {
    const detail::point_rows p = detail::evaluate_points(points, "hypervolume");
    const std::vector<double> ref = detail::evaluate_reference(reference, p.m, "hypervolume");
    return detail::hypervolume_rows(p.data(), p.n, p.m, ref.data());
}

/// Exclusive hypervolume contribution of each row: HV(all rows) - HV(all rows but this one),
/// computed directly as inclhv(p) - HV(limit set of the others) (WFG's exclhv), clamped at 0 against
/// rounding. 0 for rows outside the reference box and for rows weakly dominated by another row; in
/// particular both rows of an exact duplicate pair get 0 (removing either leaves the volume unchanged).
/// m = 2: one O(n log n) sweep; otherwise one hypervolume per contributing row. Throws as hypervolume.
template <class E, class R = std::vector<double>>
std::vector<double> hypervolume_contributions(const xt::xexpression<E>& points, const R& reference) {
    const detail::point_rows p = detail::evaluate_points(points, "hypervolume_contributions");
    const std::vector<double> ref = detail::evaluate_reference(reference, p.m, "hypervolume_contributions");
    const std::size_t m = p.m;
    std::vector<double> out(p.n, 0.0);
    const std::vector<std::size_t> inside = detail::rows_inside(p.data(), p.n, m, ref.data());
    if (inside.empty()) return out;

    if (m == 2) {
        // Staircase of the distinct non-dominated values, x ascending; step k contributes
        // (x_{k+1} - x_k) (y_{k-1} - y_k) with x_K = ref_x, y_{-1} = ref_y, unless it is repeated.
        std::vector<std::size_t> order = inside;
        std::sort(order.begin(), order.end(), [&p](std::size_t a, std::size_t b) {
            const double *ra = p.row(a), *rb = p.row(b);
            if (ra[0] != rb[0]) return ra[0] < rb[0];
            if (ra[1] != rb[1]) return ra[1] < rb[1];
            return a < b;
        });
        struct step {
            double x, y;
            std::size_t index;
            bool repeated;
        };
        std::vector<step> stair;
        double best_y = ref[1];
        for (std::size_t i : order) {
            const double x = p.row(i)[0], y = p.row(i)[1];
            if (y < best_y) {
                stair.push_back(step{x, y, i, false});
                best_y = y;
            } else if (!stair.empty() && stair.back().x == x && stair.back().y == y) {
                stair.back().repeated = true;
            }
        }
        for (std::size_t k = 0; k < stair.size(); ++k) {
            if (stair[k].repeated) continue;
            const double next_x = k + 1 < stair.size() ? stair[k + 1].x : ref[0];
            const double prev_y = k > 0 ? stair[k - 1].y : ref[1];
            out[stair[k].index] = (next_x - stair[k].x) * (prev_y - stair[k].y);
        }
        return out;
    }

    std::vector<double> limit;
    for (std::size_t i : inside) {
        const double* a = p.row(i);
        bool covered = false;
        for (std::size_t k : inside) {
            if (k != i && detail::weakly_dominates(p.row(k), a, m)) {
                covered = true;
                break;
            }
        }
        if (covered) continue;
        limit.resize((inside.size() - 1) * m);
        std::size_t c = 0;
        for (std::size_t k : inside) {
            if (k == i) continue;
            const double* b = p.row(k);
            for (std::size_t j = 0; j < m; ++j) limit[c * m + j] = std::fmax(a[j], b[j]);
            ++c;
        }
        const std::size_t kept = detail::keep_non_dominated(limit, c, m);
        const double exclusive = detail::box_volume(a, ref.data(), m) - detail::hv_dispatch(limit, kept, m, ref.data());
        out[i] = std::fmax(exclusive, 0.0);
    }
    return out;
}

/// A member of a pareto_archive: the caller's id and its objective vector.
struct archive_entry {
    std::uint64_t id = 0;
    std::vector<double> objectives;
};

/// The non-dominated members of a stream of objective vectors (minimisation), e.g. the runs of a
/// hyper-parameter sweep. A point enters unless a member weakly dominates it (an exact duplicate is
/// rejected: the first id wins); on entry it evicts the members it dominates. Whatever the insertion
/// order, the set of member objective vectors is the distinct non-dominated points of everything
/// inserted, so merge() is associative as a set. insert() is O(size x m).
class pareto_archive {
public:
    /// An empty archive for points of m objectives. Throws invalid_argument when m == 0.
    explicit pareto_archive(std::size_t m) : m_(m) {
        if (m == 0) throw invalid_argument("mldp::loss::pareto::pareto_archive: the number of objectives must be at least 1");
    }

    /// Offers a point; returns true when it entered. `objectives`: 1-D column of m values. Throws
    /// invalid_argument for another size, data_error (column "objectives", the coordinate) for NaN/Inf.
    template <class V = std::vector<double>>
    bool insert(const V& objectives, std::uint64_t id) {
        const auto v = evaluate_contiguous<double>(objectives);
        if (v.size() != m_) {
            throw invalid_argument("mldp::loss::pareto::pareto_archive::insert: got " + std::to_string(v.size()) +
                                   " objectives, the archive holds points of " + std::to_string(m_));
        }
        require_finite(v.data(), v.size(), "objectives");
        return insert_unchecked(v.data(), id);
    }

    /// Number of members.
    std::size_t size() const noexcept { return members_.size(); }
    /// Number of objectives m of every member.
    std::size_t num_objectives() const noexcept { return m_; }
    /// The members, in the order they entered.
    const std::vector<archive_entry>& members() const noexcept { return members_; }

    /// The members' objective vectors as a size() x m matrix, rows in member order.
    xt::xtensor<double, 2> points() const {
        xt::xtensor<double, 2> out = xt::xtensor<double, 2>::from_shape({members_.size(), m_});
        for (std::size_t i = 0; i < members_.size(); ++i) std::copy(members_[i].objectives.begin(), members_[i].objectives.end(), out.data() + i * m_);
        return out;
    }

    /// Exact hypervolume of the members against `reference` (see pareto::hypervolume, whose throws it shares).
    template <class R = std::vector<double>>
    double hypervolume(const R& reference) const {
        const std::vector<double> ref = detail::evaluate_reference(reference, m_, "pareto_archive::hypervolume");
        std::vector<double> flat(members_.size() * m_);
        for (std::size_t i = 0; i < members_.size(); ++i) std::copy(members_[i].objectives.begin(), members_[i].objectives.end(), flat.data() + i * m_);
        return detail::hypervolume_rows(flat.data(), members_.size(), m_, ref.data());
    }

    /// Inserts each member of `other`, in its order (self-merge changes nothing). Throws
    /// invalid_argument when the numbers of objectives differ.
    void merge(const pareto_archive& other) {
        if (other.m_ != m_) {
            throw invalid_argument("mldp::loss::pareto::pareto_archive::merge: archives of " + std::to_string(m_) + " and " +
                                   std::to_string(other.m_) + " objectives cannot be merged");
        }
        if (&other == this) return;
        for (const archive_entry& e : other.members_) insert_unchecked(e.objectives.data(), e.id);
    }

    /// The archive as bytes (mldp's checked envelope, type "PARC" version 1): m, then each member's
    /// id and objectives in member order.
    std::vector<std::uint8_t> serialize() const {
        archive_writer w("PARC", 1);
        w.put_u64(m_);
        w.put_u64(members_.size());
        for (const archive_entry& e : members_) {
            w.put_u64(e.id);
            for (double x : e.objectives) w.put_f64(x);
        }
        return w.finish();
    }

    /// Restores an archive from serialize()'s bytes. Throws format_error for truncated or corrupt
    /// bytes, non-finite objectives, or members that dominate one another (an archive never holds
    /// those), before allocating more than the bytes can describe.
    static pareto_archive deserialize(const std::vector<std::uint8_t>& bytes) {
        archive_reader r(bytes, "PARC", 1, 1);
        const std::uint64_t m = r.get_u64("number of objectives");
        r.require(m >= 1 && m <= r.remaining() / 8 + 1, "the number of objectives is out of range");
        const std::uint64_t n = r.get_u64("member count");
        r.require(n <= r.remaining() / (8 * (m + 1)), "the member count exceeds the bytes");
        pareto_archive a(static_cast<std::size_t>(m));
        std::vector<double> v(static_cast<std::size_t>(m));
        for (std::uint64_t i = 0; i < n; ++i) {
            const std::uint64_t id = r.get_u64("member id");
            for (double& x : v) {
                x = r.get_f64("objective");
                r.require(std::isfinite(x), "an objective is not finite");
            }
            r.require(a.insert_unchecked(v.data(), id) && a.members_.size() == i + 1, "the members dominate one another");
        }
        r.finish();
        return a;
    }

private:
    bool insert_unchecked(const double* v, std::uint64_t id) {
        for (const archive_entry& e : members_) {
            if (detail::weakly_dominates(e.objectives.data(), v, m_)) return false;
        }
        // Not weakly dominated, so v differs from every member: v weakly dominating a member means dominating it.
        members_.erase(std::remove_if(members_.begin(), members_.end(),
                                      [&](const archive_entry& e) { return detail::weakly_dominates(v, e.objectives.data(), m_); }),
                       members_.end());
        members_.push_back(archive_entry{id, std::vector<double>(v, v + m_)});
        return true;
    }

    std::size_t m_;
    std::vector<archive_entry> members_;
};

/// JSON of an archive member: {"id": ..., "objectives": [...]}.
inline void to_json(nlohmann::json& j, const archive_entry& e) {
    j = nlohmann::json{{"id", e.id}, {"objectives", e.objectives}};
}

/// JSON of an archive: {"num_objectives": m, "members": [{"id", "objectives"}, ...]} in member order
/// (objective values are always finite, so they are plain numbers).
inline void to_json(nlohmann::json& j, const pareto_archive& a) {
    j = nlohmann::json{{"num_objectives", a.num_objectives()}, {"members", a.members()}};
}

}  // namespace mldp::loss::pareto

/// Prints a member on one line: "id 3: (0.1, 0.2)".
template <>
struct fmt::formatter<mldp::loss::pareto::archive_entry> {
    constexpr auto parse(format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const mldp::loss::pareto::archive_entry& e, Ctx& ctx) const {
        auto out = fmt::format_to(ctx.out(), "id {}: (", e.id);
        for (std::size_t j = 0; j < e.objectives.size(); ++j) out = fmt::format_to(out, "{}{:.6g}", j ? ", " : "", e.objectives[j]);
        return fmt::format_to(out, ")");
    }
};

/// Prints an archive: "pareto archive: 2 members of 2 objectives", then one line per member in
/// member order.
template <>
struct fmt::formatter<mldp::loss::pareto::pareto_archive> {
    constexpr auto parse(format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const mldp::loss::pareto::pareto_archive& a, Ctx& ctx) const {
        auto out = fmt::format_to(ctx.out(), "pareto archive: {} members of {} objectives", a.size(), a.num_objectives());
        for (const auto& e : a.members()) out = fmt::format_to(out, "\n  {}", e);
        return out;
    }
};

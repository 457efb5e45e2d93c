#include "mldp/loss/pareto.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>
#include <vector>

#include <nlohmann/json.hpp>
#include <xtensor/xarray.hpp>
#include <xtensor/xbuilder.hpp>
#include <xtensor/xtensor.hpp>

#include "close.hpp"
#include "mldp/core/random.hpp"

namespace pareto = mldp::loss::pareto;

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

xt::xtensor<double, 2> matrix(const std::vector<std::vector<double>>& rows, std::size_t m) {
    xt::xtensor<double, 2> out = xt::xtensor<double, 2>::from_shape({rows.size(), m});
    for (std::size_t i = 0; i < rows.size(); ++i)
        for (std::size_t j = 0; j < m; ++j) out(i, j) = rows[i][j];
    return out;
}

// The staircase {(i, n + 1 - i) : i = 1..n} followed by `zeros` coordinates equal to 0, with the
// zero columns placed first when `zeros_first` (so that the sorts see them in another position).
xt::xtensor<double, 2> staircase(std::size_t n, std::size_t zeros, bool zeros_first) {
    const std::size_t m = 2 + zeros;
    xt::xtensor<double, 2> out = xt::zeros<double>({n, m});
    const std::size_t off = zeros_first ? zeros : 0;
    for (std::size_t i = 0; i < n; ++i) {
        out(i, off) = static_cast<double>(i + 1);
        out(i, off + 1) = static_cast<double>(n - i);
    }
    return out;
}

std::vector<double> staircase_reference(std::size_t n, std::size_t zeros, bool zeros_first) {
    std::vector<double> ref(2 + zeros, 1.0);
    const std::size_t off = zeros_first ? zeros : 0;
    ref[off] = ref[off + 1] = static_cast<double>(n + 1);
    return ref;
}

// Independent oracle 1: inclusion-exclusion over the non-empty subsets S of the points,
// HV = sum_S (-1)^(|S|+1) prod_j (r_j - max_{i in S} p_ij) (each point clipped at the reference
// first, so that points outside the box contribute empty boxes). O(2^n n m); n <= 16.
double hv_inclusion_exclusion(const xt::xtensor<double, 2>& p, const std::vector<double>& ref) {
    const std::size_t n = p.shape()[0], m = p.shape()[1];
    double total = 0.0;
    std::vector<double> corner(m);
    for (std::uint32_t mask = 1; mask < (1u << n); ++mask) {
        std::fill(corner.begin(), corner.end(), -inf);
        int bits = 0;
        for (std::size_t i = 0; i < n; ++i) {
            if (!(mask & (1u << i))) continue;
            ++bits;
            for (std::size_t j = 0; j < m; ++j) corner[j] = std::fmax(corner[j], p(i, j));
        }
        double box = 1.0;
        for (std::size_t j = 0; j < m; ++j) box *= std::fmax(ref[j] - corner[j], 0.0);
        total += (bits % 2 == 1) ? box : -box;
    }
    return total;
}

// Independent oracle 2: on integer coordinates in [0, k], with reference k in every objective, the
// hypervolume is the number of unit cells c in {0..k-1}^m that some point weakly dominates (p <= c).
double hv_grid_count(const xt::xtensor<double, 2>& p, std::size_t k) {
    const std::size_t n = p.shape()[0], m = p.shape()[1];
    std::vector<std::size_t> cell(m, 0);
    std::size_t count = 0;
    while (true) {
        bool covered = false;
        for (std::size_t i = 0; i < n && !covered; ++i) {
            bool below = true;
            for (std::size_t j = 0; j < m && below; ++j) below = p(i, j) <= static_cast<double>(cell[j]);
            covered = below;
        }
        if (covered) ++count;
        std::size_t j = 0;
        while (j < m && ++cell[j] == k) cell[j++] = 0;
        if (j == m) break;
    }
    return static_cast<double>(count);
}

xt::xtensor<double, 2> uniform_points(mldp::rng& g, std::size_t n, std::size_t m) {
    xt::xtensor<double, 2> out = xt::xtensor<double, 2>::from_shape({n, m});
    for (double& v : out) v = g.uniform01();
    return out;
}

// Points on the simplex sum_j p_j = 1 (mutually non-dominated almost surely), the hard case for HV.
xt::xtensor<double, 2> front_points(mldp::rng& g, std::size_t n, std::size_t m) {
    xt::xtensor<double, 2> out = uniform_points(g, n, m);
    for (std::size_t i = 0; i < n; ++i) {
        double s = 0.0;
        for (std::size_t j = 0; j < m; ++j) s += out(i, j) + 1e-3;
        for (std::size_t j = 0; j < m; ++j) out(i, j) = (out(i, j) + 1e-3) / s;
    }
    return out;
}

xt::xtensor<double, 2> without_row(const xt::xtensor<double, 2>& p, std::size_t skip) {
    const std::size_t n = p.shape()[0], m = p.shape()[1];
    xt::xtensor<double, 2> out = xt::xtensor<double, 2>::from_shape({n - 1, m});
    for (std::size_t i = 0, r = 0; i < n; ++i) {
        if (i == skip) continue;
        for (std::size_t j = 0; j < m; ++j) out(r, j) = p(i, j);
        ++r;
    }
    return out;
}

std::vector<std::vector<double>> sorted_objectives(const pareto::pareto_archive& a) {
    std::vector<std::vector<double>> out;
    for (const auto& e : a.members()) out.push_back(e.objectives);
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

// Hand derivations by inclusion-exclusion (the sum of the boxes, minus pairwise intersections, plus
// the triple intersection; an intersection's box has the coordinatewise max as its corner).
TEST_CASE("hypervolume reference vectors") {
    // boxes 2*1 + 1*2, intersection corner (2,2): 1*1 -> 4 - 1 = 3
    CHECK(pareto::hypervolume(matrix({{1, 2}, {2, 1}}, 2), std::vector<double>{3, 3}) == 3.0);
    // boxes 3*2*1 + 2*1*3 + 1*3*2 = 18; pairs (2,3,3), (3,2,3), (3,3,2): 2 each -> -6; triple (3,3,3): +1 -> 13
    CHECK(pareto::hypervolume(matrix({{1, 2, 3}, {2, 3, 1}, {3, 1, 2}}, 3), std::vector<double>{4, 4, 4}) == 13.0);
    // boxes 1*2*1 + 2*1*2 = 6; intersection corner (1,1,1): 1 -> 5
    CHECK(pareto::hypervolume(matrix({{1, 0, 1}, {0, 1, 0}}, 3), std::vector<double>{2, 2, 2}) == 5.0);
    // a braced reference picks the std::vector<double> default
    CHECK(pareto::hypervolume(matrix({{1, 2}, {2, 1}}, 2), {3.0, 3.0}) == 3.0);
}

// The staircase (i, n+1-i), i = 1..n, with reference (n+1, n+1): the sweep adds for point i the strip
// (n+1-i) x 1, so HV = sum_i (n+1-i) = n(n+1)/2 = n^2 - n(n-1)/2. Appending coordinates equal to 0 with
// reference 1 multiplies the volume by 1, which drives the 3-D sweep (m = 3) and WFG (m = 4..6).
TEST_CASE("hypervolume of the staircase, embedded in up to six objectives") {
    for (std::size_t n : {1u, 2u, 3u, 5u, 8u, 13u, 40u}) {
        const double expected = static_cast<double>(n * n) - static_cast<double>(n * (n - 1)) / 2.0;
        for (std::size_t zeros = 0; zeros <= 4; ++zeros) {
            for (bool first : {false, true}) {
                INFO("n = " << n << ", m = " << 2 + zeros << ", zero columns first = " << first);
                CHECK_CLOSE(pareto::hypervolume(staircase(n, zeros, first), staircase_reference(n, zeros, first)), expected, 1e-12);
            }
        }
    }
}

// Each step of the staircase owns exactly the unit square [i, i+1] x [n+1-i, n+2-i]: removing point i
// leaves the rest of the staircase, which covers everything but that square. So every contribution is 1.
TEST_CASE("hypervolume contributions of the staircase are all 1") {
    for (std::size_t n : {1u, 2u, 4u, 9u}) {
        for (std::size_t zeros : {0u, 1u, 2u}) {
            INFO("n = " << n << ", m = " << 2 + zeros);
            const auto c = pareto::hypervolume_contributions(staircase(n, zeros, false), staircase_reference(n, zeros, false));
            REQUIRE(c.size() == n);
            for (double v : c) CHECK_CLOSE(v, 1.0, 1e-12);
        }
    }
}

TEST_CASE("hypervolume agrees with inclusion-exclusion on random points, m = 2..6") {
    mldp::rng g{mldp::seed_sequence{42}.derive("hv")};
    for (std::size_t m = 2; m <= 6; ++m) {
        for (int rep = 0; rep < 6; ++rep) {
            const std::size_t n = 1 + static_cast<std::size_t>(g.bounded(12));
            const bool on_front = rep % 2 == 0;
            const xt::xtensor<double, 2> p = on_front ? front_points(g, n, m) : uniform_points(g, n, m);
            // a reference inside the cloud now and then, so that some points fall outside the box
            const std::vector<double> ref(m, rep == 5 ? 0.8 : 1.0);
            INFO("m = " << m << ", n = " << n << ", rep = " << rep);
            CHECK_CLOSE(pareto::hypervolume(p, ref), hv_inclusion_exclusion(p, ref), 1e-9);
        }
    }
}

TEST_CASE("hypervolume equals the dominated cell count on integer points (ties, duplicates, points outside)") {
    struct grid_case {
        std::size_t m, k;
    };
    for (const grid_case c : {grid_case{2, 12}, grid_case{3, 8}, grid_case{4, 6}, grid_case{5, 5}, grid_case{6, 4}}) {
        for (std::uint64_t seed = 0; seed < 5; ++seed) {
            mldp::rng g{mldp::seed_sequence{seed}.derive("hv-grid")};
            const std::size_t n = 1 + static_cast<std::size_t>(g.bounded(120));
            xt::xtensor<double, 2> p = xt::xtensor<double, 2>::from_shape({n, c.m});
            // coordinates in 0..k: a coordinate equal to k puts the point on the reference's face
            for (double& v : p) v = static_cast<double>(g.bounded(c.k + 1));
            INFO("m = " << c.m << ", k = " << c.k << ", seed = " << seed << ", n = " << n);
            CHECK(pareto::hypervolume(p, std::vector<double>(c.m, static_cast<double>(c.k))) == hv_grid_count(p, c.k));
        }
    }
}

// No oracle at this size: the volume is a property of the set, so permuting the objectives (which
// changes WFG's slicing objective and every recursion below it) or the rows must not change it.
TEST_CASE("hypervolume is invariant under permutations of objectives and rows (n = 80, m = 3..6)") {
    mldp::rng g{mldp::seed_sequence{42}.derive("hv-permutation")};
    for (std::size_t m = 3; m <= 6; ++m) {
        const std::size_t n = 80;
        const xt::xtensor<double, 2> p = front_points(g, n, m);
        const std::vector<double> ref(m, 1.0);
        const double v = pareto::hypervolume(p, ref);
        xt::xtensor<double, 2> rotated = xt::xtensor<double, 2>::from_shape({n, m});
        xt::xtensor<double, 2> reversed = xt::xtensor<double, 2>::from_shape({n, m});
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t j = 0; j < m; ++j) {
                rotated(i, j) = p(i, (j + 1) % m);
                reversed(n - 1 - i, j) = p(i, j);
            }
        }
        INFO("m = " << m);
        CHECK(v > 0.0);
        CHECK_CLOSE(pareto::hypervolume(rotated, ref), v, 1e-12);
        CHECK_CLOSE(pareto::hypervolume(reversed, ref), v, 1e-12);
    }
}

TEST_CASE("hypervolume edge cases") {
    // m = 1: reference - min over points strictly below it: 5 - 1 = 4; 7 lies beyond the reference
    CHECK(pareto::hypervolume(matrix({{3}, {1}, {2}, {7}}, 1), std::vector<double>{5}) == 4.0);
    // no points, or none strictly inside the box (on the face counts as outside): 0
    CHECK(pareto::hypervolume(xt::xtensor<double, 2>::from_shape({0, 3}), std::vector<double>{1, 1, 1}) == 0.0);
    CHECK(pareto::hypervolume(matrix({{1, 3}, {3, 1}}, 2), std::vector<double>{3, 3}) == 0.0);
    // dominated and duplicated points change nothing: {(1,1)} alone is 2 x 2 = 4 below (3,3)
    CHECK(pareto::hypervolume(matrix({{1, 1}, {2, 2}, {1, 1}, {1, 2}}, 2), std::vector<double>{3, 3}) == 4.0);
    // the same points in any layout or expression give the same volume
    const auto p = matrix({{1, 2, 3, 1}, {2, 3, 1, 2}, {3, 1, 2, 3}, {1, 1, 4, 4}}, 4);
    const std::vector<double> ref{5, 5, 5, 5};
    const double v = pareto::hypervolume(p, ref);
    xt::xtensor<double, 2, xt::layout_type::column_major> col = p;
    xt::xarray<double> arr = p;
    CHECK(pareto::hypervolume(col, ref) == v);
    CHECK(pareto::hypervolume(arr, ref) == v);
    CHECK(pareto::hypervolume(p + 0.0, ref) == v);
    CHECK(pareto::hypervolume(p, xt::xtensor<double, 1>{5, 5, 5, 5}) == v);
    CHECK(v == hv_inclusion_exclusion(p, ref));
}

TEST_CASE("hypervolume contributions equal HV(all) - HV(all but one)") {
    mldp::rng g{mldp::seed_sequence{42}.derive("hv-contributions")};
    for (std::size_t m = 1; m <= 5; ++m) {
        for (int rep = 0; rep < 4; ++rep) {
            const std::size_t n = 2 + static_cast<std::size_t>(g.bounded(9));
            const xt::xtensor<double, 2> p = rep % 2 == 0 ? front_points(g, n, m) : uniform_points(g, n, m);
            const std::vector<double> ref(m, 1.0);
            const double total = pareto::hypervolume(p, ref);
            const auto c = pareto::hypervolume_contributions(p, ref);
            REQUIRE(c.size() == n);
            for (std::size_t i = 0; i < n; ++i) {
                const double expected = total - pareto::hypervolume(without_row(p, i), ref);
                INFO("m = " << m << ", n = " << n << ", i = " << i << ": " << c[i] << " vs " << expected);
                CHECK(std::fabs(c[i] - expected) <= 1e-12 * (total + 1.0));
                CHECK(c[i] >= 0.0);
            }
        }
    }
}

TEST_CASE("hypervolume contributions of dominated, duplicated and outside points are 0") {
    // 2-D, ref (4,4). (1,3) and (3,1) are unique and non-dominated; (2,2) appears twice; (3,3) is
    // dominated; (5,0) lies outside. Staircase x: 1, 2, 3; y: 3, 2, 1 -> each unique step owns
    // (next x - x)(previous y - y) = 1; the duplicated step (2,2) gets 0 for both copies.
    const auto p2 = matrix({{1, 3}, {2, 2}, {3, 1}, {2, 2}, {3, 3}, {5, 0}}, 2);
    const auto c2 = pareto::hypervolume_contributions(p2, std::vector<double>{4, 4});
    CHECK(c2 == std::vector<double>{1, 0, 1, 0, 0, 0});
    // The same in 3-D with a third coordinate 0 (ref 1): the generic limit-set path.
    const auto p3 = matrix({{1, 3, 0}, {2, 2, 0}, {3, 1, 0}, {2, 2, 0}, {3, 3, 0}, {5, 0, 0}}, 3);
    const auto c3 = pareto::hypervolume_contributions(p3, std::vector<double>{4, 4, 1});
    CHECK(c3 == std::vector<double>{1, 0, 1, 0, 0, 0});
    CHECK(pareto::hypervolume_contributions(xt::xtensor<double, 2>::from_shape({0, 2}), std::vector<double>{1, 1}).empty());
}

// Hand-derived: front 0 = {(1,4), (2,2), (4,1), (2,2) again}; front 1 = {(2,4) dominated by (1,4),
// (3,3) by (2,2), (5,1) by (4,1)}; front 2 = {(4,4), dominated by (3,3) of front 1}.
TEST_CASE("non_dominated_sort with three fronts and a duplicate") {
    const auto p = matrix({{1, 4}, {2, 2}, {4, 1}, {2, 4}, {3, 3}, {4, 4}, {2, 2}, {5, 1}}, 2);
    const auto fronts = pareto::non_dominated_sort(p);
    REQUIRE(fronts.size() == 3);
    CHECK(fronts[0] == std::vector<std::size_t>{0, 1, 2, 6});
    CHECK(fronts[1] == std::vector<std::size_t>{3, 4, 7});
    CHECK(fronts[2] == std::vector<std::size_t>{5});
    CHECK(pareto::non_dominated(p) == fronts[0]);
    CHECK(pareto::non_dominated_sort(xt::xtensor<double, 2>::from_shape({0, 2})).empty());
    // m = 1: fronts are the distinct values in increasing order
    const auto one = pareto::non_dominated_sort(matrix({{2}, {1}, {2}, {0}}, 1));
    CHECK(one == std::vector<std::vector<std::size_t>>{{3}, {1}, {0, 2}});
}

TEST_CASE("non_dominated_sort agrees with repeated non_dominated peeling on random points") {
    mldp::rng g{mldp::seed_sequence{42}.derive("nds")};
    for (std::size_t m = 2; m <= 4; ++m) {
        xt::xtensor<double, 2> p = xt::xtensor<double, 2>::from_shape({60, m});
        for (double& v : p) v = static_cast<double>(g.bounded(6));  // many ties and duplicates
        const auto fronts = pareto::non_dominated_sort(p);
        // peel: the first front of what is left is the next front
        std::vector<std::size_t> left(60);
        for (std::size_t i = 0; i < 60; ++i) left[i] = i;
        for (const auto& front : fronts) {
            xt::xtensor<double, 2> rest = xt::xtensor<double, 2>::from_shape({left.size(), m});
            for (std::size_t r = 0; r < left.size(); ++r)
                for (std::size_t j = 0; j < m; ++j) rest(r, j) = p(left[r], j);
            std::vector<std::size_t> peeled;
            for (std::size_t r : pareto::non_dominated(rest)) peeled.push_back(left[r]);
            CHECK(peeled == front);
            std::vector<std::size_t> next;
            std::set_difference(left.begin(), left.end(), front.begin(), front.end(), std::back_inserter(next));
            left = next;
        }
        CHECK(left.empty());
    }
}

TEST_CASE("dominates") {
    CHECK(pareto::dominates(std::vector<double>{1, 2}, std::vector<double>{1, 3}));
    CHECK_FALSE(pareto::dominates(std::vector<double>{1, 3}, std::vector<double>{1, 2}));
    CHECK_FALSE(pareto::dominates(std::vector<double>{1, 2}, std::vector<double>{1, 2}));  // equal: no
    CHECK_FALSE(pareto::dominates(std::vector<double>{0, 3}, std::vector<double>{1, 2}));  // incomparable
    CHECK(pareto::dominates({0.0, 0.0, 0.0}, {0.0, 0.0, 1.0}));
    CHECK_THROWS_AS(pareto::dominates(std::vector<double>{1, 2}, std::vector<double>{1, 2, 3}), mldp::invalid_argument);
    CHECK_THROWS_WITH_AS(pareto::dominates(std::vector<double>{1, NAN}, std::vector<double>{1, 2}),
                         doctest::Contains("column 'a', row 1"), mldp::data_error);
}

// pymoo's tests/misc/test_crowding_distance.py (FunctionalDiversity(calc_crowding_distance,
// filter_out_duplicates=True)): the three published vectors.
TEST_CASE("crowding distance: pymoo's test vectors") {
    CHECK(pareto::crowding_distance(matrix({{1, 1}, {1, 1}, {0.5, 1.5}, {0, 2}}, 2)) == std::vector<double>{inf, 0, 1, inf});
    CHECK(pareto::crowding_distance(matrix({{1, 1}, {1, 1}, {1, 1}, {0.5, 1.5}, {0, 2}}, 2)) ==
          std::vector<double>{inf, 0, 0, 1, inf});
    const auto cd = pareto::crowding_distance(matrix({{1.0, 1.5, 0.5, 1.0}, {1.0, 0.5, 1.5, 1.0}, {1.0, 0.0, 2.0, 1.5}}, 4));
    REQUIRE(cd.size() == 3);
    CHECK(cd[0] == inf);
    CHECK_CLOSE(cd[1], 0.75, 1e-15);
    CHECK(cd[2] == inf);
}

// Hand derivation from pymoo's calc_crowding_distance, rows A..E and a repeat of C:
//   objective 0: 0 1 2 5 6 (A B C D E), range 6: B 1/6+1/6, C 1/6+3/6, D 3/6+1/6; A, E inf
//   objective 1: sorted E0 D1 C2 B3 A5, range 5: D 1/5+1/5, C 1/5+1/5, B 1/5+2/5; E, A inf
//   objective 2: sorted E0 C1 A2 D3 B6, range 6: C 1/6+1/6, A 1/6+1/6, D 1/6+3/6; E, B inf
//   C = (4/6 + 2/5 + 2/6) / 3 = 7/15; D = (4/6 + 2/5 + 4/6) / 3 = 26/45; A, B, E inf; the repeat 0.
TEST_CASE("crowding distance: hand-derived three-objective case") {
    const auto cd = pareto::crowding_distance(
        matrix({{0, 5, 2}, {1, 3, 6}, {2, 2, 1}, {5, 1, 3}, {6, 0, 0}, {2, 2, 1}}, 3));
    REQUIRE(cd.size() == 6);
    CHECK(cd[0] == inf);
    CHECK(cd[1] == inf);
    CHECK_CLOSE(cd[2], 7.0 / 15.0, 1e-15);
    CHECK_CLOSE(cd[3], 26.0 / 45.0, 1e-15);
    CHECK(cd[4] == inf);
    CHECK(cd[5] == 0.0);
}

// Conventions read off pymoo's source: n <= 2 returns inf for every row before any duplicate check;
// an objective whose values are all equal contributes 0 (NaN set to 0), ends included, so with a
// single distinct row every row gets 0; ties inside an objective are broken by row order (mergesort).
TEST_CASE("crowding distance: pymoo's edge conventions") {
    CHECK(pareto::crowding_distance(matrix({{1, 1}, {1, 1}}, 2)) == std::vector<double>{inf, inf});
    CHECK(pareto::crowding_distance(xt::xtensor<double, 2>::from_shape({0, 2})).empty());
    CHECK(pareto::crowding_distance(matrix({{1, 1}, {1, 1}, {1, 1}}, 2)) == std::vector<double>{0, 0, 0});
    // objective 1 constant: only objective 0 counts, halved by m = 2: middle (1/2 + 1/2) / 2 = 0.5
    CHECK(pareto::crowding_distance(matrix({{0, 7}, {1, 7}, {2, 7}}, 2)) == std::vector<double>{inf, 0.5, inf});
    // tie in objective 0 between rows 0 and 1: row 0 sorts first and takes the -inf side; row 1 gets
    // 0 + 1/1 there; objective 1 (3, 2, 1): row 1 is interior with 1/2 + 1/2 -> (1 + 1) / 2 = 1
    CHECK(pareto::crowding_distance(matrix({{0, 3}, {0, 2}, {1, 1}}, 2)) == std::vector<double>{inf, 1, inf});
}

TEST_CASE("pareto_archive: entry, rejection, duplicates, eviction") {
    pareto::pareto_archive a{2};
    CHECK(a.insert(std::vector<double>{2, 2}, 1));
    CHECK_FALSE(a.insert(std::vector<double>{3, 3}, 2));  // dominated
    CHECK_FALSE(a.insert(std::vector<double>{2, 2}, 3));  // exact duplicate: the first id stays
    CHECK_FALSE(a.insert(std::vector<double>{2, 3}, 4));  // weakly dominated (tie in x)
    CHECK(a.insert(std::vector<double>{1, 3}, 5));
    CHECK(a.insert(std::vector<double>{3, 1}, 6));
    REQUIRE(a.size() == 3);
    CHECK(a.members()[0].id == 1);
    CHECK(a.members()[1].id == 5);
    CHECK(a.members()[2].id == 6);
    // (1.5, 1.5) dominates only (2, 2): it leaves, the others keep their order, the newcomer goes last
    CHECK(a.insert({1.5, 1.5}, 7));
    REQUIRE(a.size() == 3);
    CHECK(a.members()[0].id == 5);
    CHECK(a.members()[1].id == 6);
    CHECK(a.members()[2].id == 7);
    const auto pts = a.points();
    REQUIRE(pts.shape()[0] == 3);
    REQUIRE(pts.shape()[1] == 2);
    CHECK(pts(2, 0) == 1.5);
    CHECK(pts(0, 1) == 3.0);
    // staircase x 1, 1.5, 3 / y 3, 1.5, 1 below (4, 4): 3*1 + 2.5*1.5 + 1*0.5 = 7.25
    CHECK(a.hypervolume(std::vector<double>{4, 4}) == 7.25);
    CHECK(a.insert(std::vector<double>{0, 0}, 8));  // dominates everything
    REQUIRE(a.size() == 1);
    CHECK(a.members()[0].id == 8);

    const nlohmann::json j = a;
    CHECK(j["num_objectives"] == 2);
    CHECK(j["members"][0]["id"] == 8);
    CHECK(j["members"][0]["objectives"] == nlohmann::json::array({0.0, 0.0}));
}

TEST_CASE("pareto_archive: merge equals inserting everything, in any grouping; HV equals the full set's") {
    for (std::size_t m : {2u, 3u, 4u}) {
        mldp::rng g{mldp::seed_sequence{42}.derive("archive").derive(m)};
        const std::size_t n = 150;
        xt::xtensor<double, 2> p = xt::xtensor<double, 2>::from_shape({n, m});
        for (double& v : p) v = static_cast<double>(g.bounded(7)) + 0.5 * g.uniform01();
        for (std::size_t i = 0; i < 10; ++i)
            for (std::size_t j = 0; j < m; ++j) p(n - 1 - i, j) = p(i, j);  // duplicates across chunks

        pareto::pareto_archive all{m}, a{m}, b{m}, c{m};
        for (std::size_t i = 0; i < n; ++i) {
            const std::vector<double> row(p.data() + i * m, p.data() + (i + 1) * m);
            all.insert(row, i);
            (i < 50 ? a : i < 100 ? b : c).insert(row, i);
        }
        pareto::pareto_archive left = a, right = b;
        left.merge(b);
        left.merge(c);   // (a + b) + c
        right.merge(c);
        pareto::pareto_archive right_total = a;
        right_total.merge(right);  // a + (b + c)
        CHECK(sorted_objectives(left) == sorted_objectives(all));
        CHECK(sorted_objectives(right_total) == sorted_objectives(all));
        // in-order merges keep the first id of a duplicate, as one insertion sweep does
        CHECK(nlohmann::json(left) == nlohmann::json(all));

        // the members are exactly the distinct non-dominated rows
        std::vector<std::vector<double>> nd;
        for (std::size_t i : pareto::non_dominated(p)) nd.emplace_back(p.data() + i * m, p.data() + (i + 1) * m);
        std::sort(nd.begin(), nd.end());
        nd.erase(std::unique(nd.begin(), nd.end()), nd.end());
        CHECK(sorted_objectives(all) == nd);

        const std::vector<double> ref(m, 8.0);
        CHECK_CLOSE(all.hypervolume(ref), pareto::hypervolume(p, ref), 1e-12);

        pareto::pareto_archive self = all;
        self.merge(self);
        CHECK(sorted_objectives(self) == sorted_objectives(all));
    }
}

TEST_CASE("bad input is rejected with the documented exception") {
    const std::vector<double> ref2{3, 3};
    CHECK_THROWS_WITH_AS(pareto::hypervolume(matrix({{1, 2}, {2, NAN}}, 2), ref2), doctest::Contains("column 'points', row 1"),
                         mldp::data_error);
    CHECK_THROWS_WITH_AS(pareto::hypervolume(matrix({{1, 2}, {inf, 1}}, 2), ref2), doctest::Contains("+Inf"), mldp::data_error);
    CHECK_THROWS_WITH_AS(pareto::hypervolume(matrix({{1, 2}}, 2), std::vector<double>{3, 3, 3}),
                         doctest::Contains("reference point has 3 coordinates"), mldp::invalid_argument);
    CHECK_THROWS_WITH_AS(pareto::hypervolume(matrix({{1, 2}}, 2), std::vector<double>{3, NAN}),
                         doctest::Contains("column 'reference', row 1"), mldp::data_error);
    CHECK_THROWS_WITH_AS(pareto::hypervolume(xt::xtensor<double, 2>::from_shape({3, 0}), std::vector<double>{}),
                         doctest::Contains("m == 0"), mldp::invalid_argument);
    CHECK_THROWS_AS(pareto::hypervolume(xt::xarray<double>{1.0, 2.0}, ref2), mldp::invalid_argument);  // 1-D, not n x m
    CHECK_THROWS_AS(pareto::hypervolume_contributions(matrix({{1, 2}}, 2), std::vector<double>{3}), mldp::invalid_argument);
    CHECK_THROWS_AS(pareto::hypervolume_contributions(matrix({{NAN, 2}}, 2), ref2), mldp::data_error);
    CHECK_THROWS_AS(pareto::non_dominated_sort(matrix({{1, 2}, {-inf, 2}}, 2)), mldp::data_error);
    CHECK_THROWS_AS(pareto::non_dominated(xt::xtensor<double, 2>::from_shape({2, 0})), mldp::invalid_argument);
    CHECK_THROWS_AS(pareto::crowding_distance(matrix({{1, 2}, {2, 1}, {NAN, 0}}, 2)), mldp::data_error);

    CHECK_THROWS_AS(pareto::pareto_archive{0}, mldp::invalid_argument);
    pareto::pareto_archive a{2};
    CHECK_THROWS_WITH_AS(a.insert(std::vector<double>{1, 2, 3}, 1), doctest::Contains("got 3 objectives"), mldp::invalid_argument);
    CHECK_THROWS_WITH_AS(a.insert(std::vector<double>{1, NAN}, 1), doctest::Contains("column 'objectives', row 1"),
                         mldp::data_error);
    CHECK(a.size() == 0);
    pareto::pareto_archive b{3};
    CHECK_THROWS_AS(a.merge(b), mldp::invalid_argument);
    CHECK_THROWS_AS(a.hypervolume(std::vector<double>{1, 1, 1}), mldp::invalid_argument);
}

TEST_CASE("pareto_archive: serialization round trip and corrupt bytes") {
    mldp::loss::pareto::pareto_archive a(2);
    a.insert(std::vector<double>{1.0, 4.0}, 10);
    a.insert(std::vector<double>{2.0, 2.0}, 11);
    a.insert(std::vector<double>{4.0, 1.0}, 12);
    const auto bytes = a.serialize();
    const auto b = mldp::loss::pareto::pareto_archive::deserialize(bytes);
    REQUIRE(b.size() == 3);
    CHECK(b.members()[1].id == 11);
    CHECK(b.members()[2].objectives == std::vector<double>{4.0, 1.0});
    CHECK(b.hypervolume(std::vector<double>{5.0, 5.0}) == a.hypervolume(std::vector<double>{5.0, 5.0}));
    for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
        CHECK_THROWS_AS(mldp::loss::pareto::pareto_archive::deserialize(
                            std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(cut))),
                        mldp::format_error);
    }
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        auto flipped = bytes;
        flipped[i] ^= 0x01;
        CHECK_THROWS_AS(mldp::loss::pareto::pareto_archive::deserialize(flipped), mldp::format_error);
    }
}

#include "mldp/loss/aggregation.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "aggregation_vectors.hpp"
#include "recipe.hpp"

namespace {

const xt::xtensor<double, 2> torchjd_j = {{-4.0, 1.0, 1.0}, {6.0, 1.0, 1.0}};

void check_vector(const xt::xtensor<double, 1>& got, const std::vector<double>& want, double tol) {
    REQUIRE(got.size() == want.size());
    for (std::size_t i = 0; i < want.size(); ++i) {
        INFO("entry " << i << ": got " << got(i) << ", expected " << want[i]);
        CHECK(std::fabs(got(i) - want[i]) <= tol);
    }
}

// The J of tests/oracles/aggregation_vectors.py.
xt::xtensor<double, 2> case_j(std::size_t c, std::size_t k, std::size_t d) {
    const auto u = oracle::lcg_draws(40 + c, k * d);
    xt::xtensor<double, 2> j = xt::zeros<double>({k, d});
    for (std::size_t i = 0; i < k; ++i) {
        for (std::size_t m = 0; m < d; ++m) j(i, m) = (u[i * d + m] - 0.5) * 4.0 + 0.5 * static_cast<double>(i % 2);
    }
    return j;
}

double dot(const xt::xtensor<double, 1>& a, const xt::xtensor<double, 2>& j, std::size_t row) {
    double s = 0.0;
    for (std::size_t m = 0; m < a.size(); ++m) s += a(m) * j(row, m);
    return s;
}

}  // namespace

// torchjd tests/unit/aggregation/_values.py (J = [[-4, 1, 1], [6, 1, 1]]), to its 1e-4.
TEST_CASE("aggregators reproduce torchjd's published values") {
    const auto m = mldp::loss::mgda{}.aggregate(torchjd_j);
    check_vector(m.direction, {0.0, 1.0, 1.0}, 1e-4);
    check_vector(m.weights, {0.6, 0.4}, 1e-12);  // closed form: (38 + 22) / (18 + 38 + 44)
    check_vector(mldp::loss::pcgrad{}.aggregate(torchjd_j).direction, {0.5848, 3.8012, 3.8012}, 1e-4);
    check_vector(mldp::loss::imtl_g{}.aggregate(torchjd_j).direction, {0.0767, 1.0, 1.0}, 1e-4);
    check_vector(mldp::loss::upgrad{}.aggregate(torchjd_j).direction, {0.2929, 1.9004, 1.9004}, 1e-4);
    check_vector(mldp::loss::aligned_mtl{}.aggregate(torchjd_j).direction, {0.2133, 0.9673, 0.9673}, 1e-4);
    check_vector(mldp::loss::cagrad{}.aggregate(torchjd_j).direction, {0.1835, 1.2041, 1.2041}, 1e-4);
}

// tests/loss/aggregation_vectors.hpp: each method from its definition in numpy/scipy (SLSQP and
// L-BFGS-B for the programs, so those references carry ~1e-7 of solver error; pinv and eigh ones
// are exact to rounding).
TEST_CASE("aggregators agree with numpy/scipy references beyond two tasks") {
    for (std::size_t c = 0; c < oracle::aggregation::cases.size(); ++c) {
        const auto& ref = oracle::aggregation::cases[c];
        CAPTURE(c);
        const auto j = case_j(c, ref.k, ref.d);
        check_vector(mldp::loss::mgda{}.aggregate(j).direction, ref.mgda, 1e-6);
        check_vector(mldp::loss::pcgrad{}.aggregate(j).direction, ref.pcgrad, 1e-12);
        check_vector(mldp::loss::imtl_g{}.aggregate(j).direction, ref.imtl_g, 1e-10);
        check_vector(mldp::loss::cagrad{}.aggregate(j).direction, ref.cagrad, 1e-6);
        check_vector(mldp::loss::aligned_mtl{}.aggregate(j).direction, ref.aligned_mtl, 1e-10);
        check_vector(mldp::loss::upgrad{}.aggregate(j).direction, ref.upgrad, 1e-6);
    }
}

TEST_CASE("aggregator properties") {
    const auto j = case_j(2, 5, 12);
    // MGDA: weights on the simplex, and the min-norm direction has <d, g_i> >= |d|^2 for every task
    // (the optimality condition of the min-norm point of the convex hull).
    const auto m = mldp::loss::mgda{}.aggregate(j);
    double wsum = 0.0, norm2 = 0.0;
    for (double w : m.weights) {
        CHECK(w >= 0.0);
        wsum += w;
    }
    for (double x : m.direction) norm2 += x * x;
    CHECK(std::fabs(wsum - 1.0) < 1e-12);
    for (std::size_t i = 0; i < 5; ++i) CHECK(dot(m.direction, j, i) >= norm2 * (1.0 - 1e-9));
    // UPGrad: no conflict with any task.
    const auto u = mldp::loss::upgrad{}.aggregate(j);
    for (std::size_t i = 0; i < 5; ++i) CHECK(dot(u.direction, j, i) >= -1e-12);
    // The Gram matrix is J J^T.
    const auto g = mldp::loss::gram_matrix(j);
    for (std::size_t a = 0; a < 5; ++a) {
        for (std::size_t b = 0; b < 5; ++b) {
            double s = 0.0;
            for (std::size_t q = 0; q < 12; ++q) s += j(a, q) * j(b, q);
            CHECK(std::fabs(g(a, b) - s) <= 1e-12 * (std::fabs(s) + 1.0));
        }
    }
    // Agreeing tasks: every aggregator that normalises nothing returns a positive combination.
    const xt::xtensor<double, 2> same = {{1.0, 2.0}, {2.0, 4.0}};
    check_vector(mldp::loss::pcgrad{}.aggregate(same).direction, {3.0, 6.0}, 1e-12);
    // A single task: MGDA returns it.
    const xt::xtensor<double, 2> one = {{3.0, -1.0}};
    check_vector(mldp::loss::mgda{}.aggregate(one).direction, {3.0, -1.0}, 1e-15);
}

TEST_CASE("seeded pcgrad is reproducible and only its order changes") {
    const auto j = case_j(1, 4, 7);
    mldp::loss::pcgrad a(true, 7), b(true, 7);
    for (int step = 0; step < 3; ++step) {
        const auto da = a.aggregate(j).direction, db = b.aggregate(j).direction;
        for (std::size_t m = 0; m < da.size(); ++m) CHECK(da(m) == db(m));
    }
    // Four tasks: the seeded result is the sum, over tasks, of one projection order each (found
    // among all 6^4 combinations of orders, computed here on the gradients themselves).
    const std::size_t k = 4, dim = 7;
    mldp::loss::pcgrad c(true, 11);
    const auto got = c.aggregate(j).direction;
    std::vector<std::vector<std::vector<double>>> per_task(k);  // [task][order] -> projected gradient
    for (std::size_t i = 0; i < k; ++i) {
        std::vector<std::size_t> others;
        for (std::size_t m = 0; m < k; ++m) {
            if (m != i) others.push_back(m);
        }
        do {
            std::vector<double> gi(dim);
            for (std::size_t q = 0; q < dim; ++q) gi[q] = j(i, q);
            for (std::size_t m : others) {
                double inner = 0.0, norm = 0.0;
                for (std::size_t q = 0; q < dim; ++q) {
                    inner += gi[q] * j(m, q);
                    norm += j(m, q) * j(m, q);
                }
                if (inner < 0.0) {
                    for (std::size_t q = 0; q < dim; ++q) gi[q] -= inner / norm * j(m, q);
                }
            }
            per_task[i].push_back(gi);
        } while (std::next_permutation(others.begin(), others.end()));
    }
    bool found = false;
    for (std::size_t combo = 0; combo < 1296 && !found; ++combo) {
        std::size_t rest = combo;
        std::vector<double> sum(dim, 0.0);
        for (std::size_t i = 0; i < k; ++i) {
            const auto& gi = per_task[i][rest % 6];
            rest /= 6;
            for (std::size_t q = 0; q < dim; ++q) sum[q] += gi[q];
        }
        bool same = true;
        for (std::size_t q = 0; q < dim; ++q) same = same && std::fabs(sum[q] - got(q)) <= 1e-12 * (1.0 + std::fabs(sum[q]));
        found = same;
    }
    CHECK(found);
    // With two tasks the order cannot matter.
    mldp::loss::pcgrad s(true, 3);
    check_vector(s.aggregate(torchjd_j).direction, {0.5848, 3.8012, 3.8012}, 1e-4);
}

TEST_CASE("aggregators reject bad input") {
    const xt::xtensor<double, 2> nan_j = {{1.0, NAN}, {0.0, 1.0}};
    CHECK_THROWS_WITH_AS(mldp::loss::mgda{}.aggregate(nan_j), doctest::Contains("must be finite"), mldp::data_error);
    const xt::xtensor<double, 2> empty_j = xt::zeros<double>({std::size_t{0}, std::size_t{3}});
    CHECK_THROWS_AS(mldp::loss::upgrad{}.aggregate(empty_j), mldp::invalid_argument);
    const xt::xtensor<double, 1> flat = {1.0, 2.0};
    CHECK_THROWS_AS(mldp::loss::imtl_g{}.aggregate(flat), mldp::invalid_argument);
    const xt::xtensor<double, 2> not_square = xt::zeros<double>({std::size_t{2}, std::size_t{3}});
    CHECK_THROWS_AS(mldp::loss::mgda{}.weights_from_gram(not_square), mldp::invalid_argument);
    const xt::xtensor<double, 2> negative_diag = {{-1.0, 0.0}, {0.0, 1.0}};
    CHECK_THROWS_AS(mldp::loss::aligned_mtl{}.weights_from_gram(negative_diag), mldp::data_error);
    mldp::loss::cagrad bad_c;
    bad_c.c = -1.0;
    CHECK_THROWS_AS(bad_c.aggregate(torchjd_j), mldp::invalid_argument);
}

// torchjd's conventions where the Gram matrix degenerates (its _gramian_utils normalize/regularize,
// _aligned_mtl rank 0, _cagrad and _imtl_g zero branches), on the weights, not only the direction.
TEST_CASE("aggregators on degenerate gradients follow torchjd") {
    const xt::xtensor<double, 2> zero_j = xt::zeros<double>({std::size_t{3}, std::size_t{4}});
    const double third = 1.0 / 3.0;
    check_vector(mldp::loss::upgrad{}.aggregate(zero_j).weights, {third, third, third}, 1e-15);       // G' = reg_eps I
    check_vector(mldp::loss::aligned_mtl{}.aggregate(zero_j).weights, {third, third, third}, 1e-15);  // rank 0: B = I
    check_vector(mldp::loss::cagrad{}.aggregate(zero_j).weights, {0.0, 0.0, 0.0}, 0.0);                // trace < norm_eps
    check_vector(mldp::loss::imtl_g{}.aggregate(zero_j).weights, {0.0, 0.0, 0.0}, 0.0);                // |sum v| < 1e-12
    // Tiny gradients (trace 5.6e-5 < norm_eps = 1e-4): UPGrad falls back to the mean.
    const xt::xtensor<double, 2> tiny = torchjd_j * 1e-3;
    check_vector(mldp::loss::upgrad{}.aggregate(tiny).weights, {0.5, 0.5}, 1e-15);
    // Nearly collinear gradients: eigenvalue ratio 1e-11 < k 2^-23, so Aligned-MTL keeps rank 1 and
    // the weights are B p with B = (v1 v1^T) (1/sqrt(l1)) sqrt(l1) = v1 v1^T.
    const xt::xtensor<double, 2> collinear = {{1.0, 0.0, 2.0}, {1.0, 1e-5, 2.0}};
    const auto a = mldp::loss::aligned_mtl{}.aggregate(collinear).weights;
    CHECK(std::fabs(a(0) - 0.5) < 1e-5);
    CHECK(std::fabs(a(1) - 0.5) < 1e-5);
}

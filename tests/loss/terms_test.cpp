#include "mldp/loss/terms.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <string>
#include <tuple>
#include <cstring>
#include <limits>
#include <functional>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "close.hpp"
#include "loss_vectors.hpp"
#include "recipe.hpp"

namespace {

constexpr std::size_t N = 1000, M = 3, K = 4;

// The inputs of tests/oracles/loss_vectors.py, rebuilt from the same LCG recipe.
xt::xtensor<double, 2> grid(std::uint64_t seed, std::size_t rows, std::size_t cols, double span) {
    const auto u = oracle::lcg_draws(seed, rows * cols);
    xt::xtensor<double, 2> x = xt::zeros<double>({rows, cols});
    for (std::size_t k = 0; k < rows * cols; ++k) x.data()[k] = (u[k] - 0.5) * span;
    return x;
}

struct inputs {
    xt::xtensor<double, 2> z = grid(11, N, M, 12.0), p = grid(12, N, M, 6.0), t = grid(13, N, M, 6.0), zc = grid(17, N, K, 12.0);
    xt::xtensor<double, 2> y = xt::zeros<double>({N, M});
    std::vector<double> w, c;
    std::vector<double> colw{0.5, 0.3, 0.2}, classw{1.0, 2.0, 0.5, 1.5};
    inputs() {
        const auto uy = oracle::lcg_draws(14, N * M), uw = oracle::lcg_draws(15, N), uc = oracle::lcg_draws(16, N);
        for (std::size_t k = 0; k < N * M; ++k) y.data()[k] = uy[k] < 0.3 ? 1.0 : 0.0;
        for (double v : uw) w.push_back(0.5 + v);
        for (double v : uc) c.push_back(std::floor(v * static_cast<double>(K)));
    }
    xt::xtensor<double, 1> col(const xt::xtensor<double, 2>& a, std::size_t j) const {
        xt::xtensor<double, 1> v = xt::zeros<double>({a.shape()[0]});
        for (std::size_t i = 0; i < a.shape()[0]; ++i) v(i) = a(i, j);
        return v;
    }
};

const inputs& data() {
    static const inputs d;
    return d;
}

// Central differences of f at x, element by element, against the analytic gradient g: relative
// error below rtol (absolute below atol where the derivative is near zero).
void check_gradient(const std::function<double(const xt::xarray<double>&)>& f, xt::xarray<double> x, const xt::xarray<double>& g,
                    double rtol = 1e-6, double atol = 1e-9) {
    REQUIRE(g.size() == x.size());
    for (std::size_t k = 0; k < x.size(); ++k) {
        const double x0 = x.data()[k];
        const double h = 1e-5 * (std::fabs(x0) > 1.0 ? std::fabs(x0) : 1.0);
        x.data()[k] = x0 + h;
        const double up = f(x);
        x.data()[k] = x0 - h;
        const double down = f(x);
        x.data()[k] = x0;
        const double fd = (up - down) / (2.0 * h);
        INFO("element " << k << ": analytic " << g.data()[k] << ", central difference " << fd);
        CHECK(std::fabs(fd - g.data()[k]) <= rtol * std::fabs(fd) + atol);
    }
}

}  // namespace

using mldp::loss::loss_weights;

// Values: tests/loss/loss_vectors.hpp (sklearn log_loss / mean_squared_error / mean_absolute_error,
// scipy.special.huber, on the same inputs).
TEST_CASE("loss terms agree with scikit-learn and scipy") {
    const auto& d = data();
    const auto z0 = d.col(d.z, 0), y0 = d.col(d.y, 0), p0 = d.col(d.p, 0), t0 = d.col(d.t, 0);
    CHECK_CLOSE(mldp::loss::binary_cross_entropy_with_logits(z0, y0, d.w).value, oracle::loss::bce_1d, 1e-12);
    CHECK_CLOSE(mldp::loss::binary_cross_entropy_with_logits(z0, y0).value, oracle::loss::bce_1d_unweighted, 1e-12);
    CHECK_CLOSE(mldp::loss::binary_cross_entropy_with_logits(d.z, d.y, loss_weights(d.w, d.colw)).value, oracle::loss::bce_2d, 1e-12);
    CHECK_CLOSE(mldp::loss::mse(p0, t0, d.w).value, oracle::loss::mse_1d, 1e-12);
    CHECK_CLOSE(mldp::loss::mse(d.p, d.t, loss_weights(d.w, d.colw)).value, oracle::loss::mse_2d, 1e-12);
    CHECK_CLOSE(mldp::loss::mae(p0, t0, d.w).value, oracle::loss::mae_1d, 1e-12);
    CHECK_CLOSE(mldp::loss::mae(d.p, d.t, loss_weights(d.w, d.colw)).value, oracle::loss::mae_2d, 1e-12);
    CHECK_CLOSE(mldp::loss::huber(p0, t0, d.w).value, oracle::loss::huber_1d, 1e-12);
    mldp::loss::loss_options o;
    o.delta = 2.0;
    CHECK_CLOSE(mldp::loss::huber(p0, t0, d.w, o).value, oracle::loss::huber_1d_delta2, 1e-12);
    CHECK_CLOSE(mldp::loss::softmax_cross_entropy(d.zc, d.c).value, oracle::loss::softmax_ce, 1e-12);
    CHECK_CLOSE(mldp::loss::softmax_cross_entropy(d.zc, d.c, loss_weights(d.w, d.classw)).value, oracle::loss::softmax_ce_weighted, 1e-12);
    const auto bw = mldp::loss::balanced_class_weights(d.c, K);
    REQUIRE(bw.size() == K);
    for (std::size_t k = 0; k < K; ++k) CHECK_CLOSE(bw[k], oracle::loss::balanced_weights[k], 1e-15);
}

TEST_CASE("reductions: sum is mean times the weight total") {
    const auto& d = data();
    double wsum = 0.0;
    for (double v : d.w) wsum += v;
    const auto mean = mldp::loss::binary_cross_entropy_with_logits(d.z, d.y, d.w);
    const auto sum = mldp::loss::binary_cross_entropy_with_logits(d.z, d.y, d.w, {mldp::loss::reduction::sum});
    CHECK_CLOSE(sum.value, mean.value * wsum, 1e-12);
    CHECK_CLOSE(sum.gradient(3, 1), mean.gradient(3, 1) * wsum, 1e-12);
}

// The focal reference vector: p = 0.9 (z = log 9), y = 1. CE = -log 0.9 = 0.105360515657826;
// focal = 0.25 * (1 - 0.9)^2 * CE = 2.63401289e-4 (torchvision's formula by hand).
TEST_CASE("focal loss at p = 0.9") {
    const std::vector<double> z{std::log(9.0)}, y{1.0};
    mldp::loss::loss_options no_focus;
    no_focus.gamma = 0.0;
    no_focus.alpha = -1.0;
    CHECK_CLOSE(mldp::loss::focal_loss(z, y, {}, no_focus).value, 0.10536051565782628, 1e-14);
    CHECK_CLOSE(mldp::loss::binary_cross_entropy_with_logits(z, y).value, 0.10536051565782628, 1e-14);
    CHECK_CLOSE(mldp::loss::focal_loss(z, y).value, 0.25 * 0.01 * 0.10536051565782628, 1e-13);
    mldp::loss::loss_options no_alpha;
    no_alpha.alpha = -1.0;
    CHECK_CLOSE(mldp::loss::focal_loss(z, y, {}, no_alpha).value, 0.01 * 0.10536051565782628, 1e-13);
}

TEST_CASE("every gradient matches central differences") {
    const auto& d = data();
    // A 40 x 3 slice keeps the finite-difference loops short.
    const std::size_t n = 40;
    xt::xarray<double> z = xt::zeros<double>({n, M}), y = xt::zeros<double>({n, M}), p = xt::zeros<double>({n, M}),
                       t = xt::zeros<double>({n, M}), zc = xt::zeros<double>({n, K});
    std::vector<double> w(d.w.begin(), d.w.begin() + n), c(d.c.begin(), d.c.begin() + n);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < M; ++j) {
            z(i, j) = d.z(i, j);
            y(i, j) = j == 2 ? 0.25 + 0.5 * d.y(i, j) : d.y(i, j);  // a soft-label column
            p(i, j) = d.p(i, j);
            t(i, j) = d.t(i, j);
        }
        for (std::size_t j = 0; j < K; ++j) zc(i, j) = d.zc(i, j);
    }
    const loss_weights lw(w, d.colw);
    mldp::loss::loss_options o;
    o.delta = 1.5;
    SUBCASE("bce") {
        check_gradient([&](const xt::xarray<double>& x) { return mldp::loss::binary_cross_entropy_with_logits(x, y, lw).value; }, z,
                       mldp::loss::binary_cross_entropy_with_logits(z, y, lw).gradient);
    }
    SUBCASE("focal, both alpha modes and a fractional gamma") {
        for (double alpha : {0.25, -1.0}) {
            for (double gamma : {2.0, 0.5, 0.0}) {
                mldp::loss::loss_options fo;
                fo.alpha = alpha;
                fo.gamma = gamma;
                check_gradient([&](const xt::xarray<double>& x) { return mldp::loss::focal_loss(x, y, lw, fo).value; }, z,
                               mldp::loss::focal_loss(z, y, lw, fo).gradient);
            }
        }
    }
    SUBCASE("mse") {
        check_gradient([&](const xt::xarray<double>& x) { return mldp::loss::mse(x, t, lw).value; }, p, mldp::loss::mse(p, t, lw).gradient);
    }
    SUBCASE("mae") {
        check_gradient([&](const xt::xarray<double>& x) { return mldp::loss::mae(x, t, lw).value; }, p, mldp::loss::mae(p, t, lw).gradient);
    }
    SUBCASE("huber") {
        check_gradient([&](const xt::xarray<double>& x) { return mldp::loss::huber(x, t, lw, o).value; }, p,
                       mldp::loss::huber(p, t, lw, o).gradient);
    }
    SUBCASE("softmax cross-entropy") {
        const loss_weights cw(w, d.classw);
        check_gradient([&](const xt::xarray<double>& x) { return mldp::loss::softmax_cross_entropy(x, c, cw).value; }, zc,
                       mldp::loss::softmax_cross_entropy(zc, c, cw).gradient);
    }
}

TEST_CASE("the _into forms reuse the caller's buffer and agree with the value forms") {
    const auto& d = data();
    xt::xtensor<double, 2> g;
    const double v = mldp::loss::binary_cross_entropy_with_logits_into(g, d.z, d.y, loss_weights(d.w, d.colw));
    const auto ref = mldp::loss::binary_cross_entropy_with_logits(d.z, d.y, loss_weights(d.w, d.colw));
    CHECK(v == ref.value);
    REQUIRE(g.shape()[0] == N);
    const double* buffer = g.data();
    for (std::size_t k = 0; k < g.size(); ++k) REQUIRE(g.data()[k] == ref.gradient.data()[k]);
    mldp::loss::binary_cross_entropy_with_logits_into(g, d.z, d.y, loss_weights(d.w, d.colw));
    CHECK(g.data() == buffer);
    xt::xtensor<double, 2> gm;
    CHECK(mldp::loss::mse_into(gm, d.p, d.t) == mldp::loss::mse(d.p, d.t).value);
    xt::xtensor<double, 1> wrong_rank;
    CHECK_THROWS_AS(mldp::loss::mse_into(wrong_rank, d.p, d.t), mldp::invalid_argument);
}

// The table-driven exp and log1p behind the BCE kernel, in both arithmetic classes (one rounding per
// multiply-add, or the product rounded first), against libm (itself within 1 ulp).
template <class Ops>
void check_exp_log1p_accuracy() {
    namespace dt = mldp::loss::detail;
    auto ulps = [](double a, double b) {
        if (a == b) return 0.0;
        return std::fabs(a - b) / (std::nextafter(std::fabs(b), INFINITY) - std::fabs(b));
    };
    const auto u = oracle::lcg_draws(99, 400000);
    double worst_exp = 0.0, worst_log = 0.0, worst_inv = 0.0;
    for (std::size_t i = 0; i < u.size(); ++i) {
        // exp(-a) over [0, 3], [0, 40] and [0, 750] (subnormal results below a = 708.4).
        const double a = u[i] * (i % 3 == 0 ? 750.0 : (i % 3 == 1 ? 40.0 : 3.0));
        worst_exp = std::max(worst_exp, ulps(dt::bce_exp_neg<Ops>(a), std::exp(-a)));
        const double v = i % 3 ? u[i] : std::exp(-60.0 * u[i]);
        double inv = 0.0;
        worst_log = std::max(worst_log, ulps(dt::bce_log1p<Ops>(v, inv), std::log1p(v)));
        worst_inv = std::max(worst_inv, ulps(inv, 1.0 / (1.0 + v)));
    }
    CHECK(worst_exp <= 1.0);
    CHECK(worst_log <= 1.0);
    CHECK(worst_inv == 0.0);  // one correctly rounded division
    // Each table point's neighbourhood, where the index rounds.
    for (int j = 0; j <= 15; ++j) {
        for (double d = -3e-3; d <= 3e-3; d += 1e-4) {
            const double v = std::min(1.0, std::max(0.0, j / 15.0 + d));
            double inv = 0.0;
            REQUIRE(ulps(dt::bce_log1p<Ops>(v, inv), std::log1p(v)) <= 1.0);
        }
    }
    CHECK(dt::bce_exp_neg<Ops>(INFINITY) == 0.0);
    CHECK(dt::bce_exp_neg<Ops>(746.0) == 0.0);
    CHECK(dt::bce_exp_neg<Ops>(745.0) == std::exp(-745.0));  // the smallest subnormal
    CHECK(dt::bce_exp_neg<Ops>(0.0) == 1.0);
    double inv = 0.0;
    CHECK(dt::bce_log1p<Ops>(0.0, inv) == 0.0);
    CHECK(inv == 1.0);
    CHECK(dt::bce_log1p<Ops>(1.0, inv) == std::log(2.0));
    CHECK(inv == 0.5);
}

TEST_CASE("kernel exp and log1p stay within 1 ulp of libm") {
    SUBCASE("fused multiply-add") { check_exp_log1p_accuracy<mldp::loss::detail::bce_scalar_ops>(); }
    SUBCASE("separate rounding") { check_exp_log1p_accuracy<mldp::loss::detail::bce_scalar_separate_ops>(); }
    // Extreme logits stay finite and exact in the limit.
    const std::vector<double> big{800.0, -800.0}, yy{1.0, 0.0};
    const auto r = mldp::loss::binary_cross_entropy_with_logits(big, yy);
    CHECK(r.value == 0.0);
    CHECK(r.gradient(0) == 0.0);
    CHECK(r.gradient(1) == 0.0);
}

// Every instruction-set variant of the BCE kernel this CPU runs gives the same bits, gradient and
// block sum, as the scalar kernel of its class (one rounding per multiply-add: AVX2 + FMA and
// AVX-512F; the product rounded first: SSE2), at every length (vector tails) and over the whole
// range of logits, including the subnormal exp(-|z|) of |z| > 708 and the clamp at 746. The two
// classes agree to a few ulp.
TEST_CASE("BCE kernel variants agree bit for bit") {
    const auto& d = data();
    const auto u = oracle::lcg_draws(7, 2000);
    std::vector<double> z(1000), y(1000), w(1000);
    for (std::size_t k = 0; k < z.size(); ++k) {
        const double scale = k % 7 == 0 ? 760.0 : (k % 7 == 1 ? 40.0 : 3.0);
        z[k] = (2.0 * u[k] - 1.0) * scale;
        y[k] = k % 5 == 0 ? u[1000 + k] : (k % 3 == 0 ? 1.0 : 0.0);
        w[k] = 0.25 + u[1000 + k];
    }
    z[3] = 0.0;
    z[4] = -0.0;
    z[5] = 746.0;
    z[6] = -709.5;
    // Finite extremes and subnormals (not errors): |z| = DBL_MAX, subnormal z, y and w, y = -0.
    z[7] = std::numeric_limits<double>::max();
    z[8] = std::numeric_limits<double>::lowest();
    y[8] = 0.5;
    z[9] = std::numeric_limits<double>::denorm_min();
    z[10] = -1e-310;
    y[11] = -0.0;
    y[12] = std::numeric_limits<double>::denorm_min();
    w[13] = 1e-310;
    w[14] = 0.0;
    const auto variants = mldp::loss::detail::bce_variants();
    std::string names;
    for (const auto& v : variants) names += std::string(" ") + v.name;
    MESSAGE("BCE kernel variants on this CPU:" << names);
    using inputs = std::tuple<const double*, const double*, const double*>;
    for (const auto& [zs, ys, ws] : {inputs{d.z.data(), d.y.data(), w.data()}, inputs{z.data(), y.data(), w.data()}}) {
        for (std::size_t len : {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{4}, std::size_t{5},
                                std::size_t{6}, std::size_t{7}, std::size_t{8}, std::size_t{9}, std::size_t{10}, std::size_t{14},
                                std::size_t{15}, std::size_t{17}, std::size_t{504}, std::size_t{999}}) {
            std::vector<double> g0(len), g1(len, 7.0), gs(len);
            for (const auto& v : variants) {
                if (v.run == v.reference) continue;  // a scalar kernel
                CAPTURE(v.name);
                CAPTURE(len);
                const double s0 = v.reference(zs, ys, ws, g0.data(), len);
                const double s1 = v.run(zs, ys, ws, g1.data(), len);
                REQUIRE(std::memcmp(&s0, &s1, sizeof s0) == 0);
                for (std::size_t k = 0; k < len; ++k) REQUIRE(std::memcmp(&g0[k], &g1[k], sizeof g0[k]) == 0);
            }
            // The classes: each gradient w (sigmoid - y) within a few ulp of w (sigmoid and y are at
            // most 1); each loss w ((max(z, 0) - z y) + log1p(e)) within a few ulp of w max(|z|, 1)
            // (z y rounded on its own in the separate class), so the sums within the sum of those.
            const double sf = mldp::loss::detail::bce_kernel_scalar(zs, ys, ws, g0.data(), len);
            const double ss = mldp::loss::detail::bce_kernel_scalar_separate(zs, ys, ws, gs.data(), len);
            double bound = 0.0;
            for (std::size_t k = 0; k < len; ++k) bound += 4.0 * DBL_EPSILON * ws[k] * std::max(std::fabs(zs[k]), 1.0);
            if (std::isfinite(sf)) {
                CHECK(std::fabs(sf - ss) <= bound);
            } else {
                CHECK(sf == ss);
            }
            for (std::size_t k = 0; k < len; ++k) REQUIRE(std::fabs(g0[k] - gs[k]) <= 4.0 * DBL_EPSILON * ws[k]);
        }
    }
    // A target outside [0, 1] anywhere in a block (vector body or tail) makes the block sum NaN.
    for (std::size_t at : {std::size_t{0}, std::size_t{8}, std::size_t{13}}) {
        std::vector<double> yb(y.begin(), y.begin() + 14), g(14);
        yb[at] = 1.5;
        for (const auto& v : variants) CHECK(std::isnan(v.run(z.data(), yb.data(), w.data(), g.data(), 14)));
    }
}

// The per-element weights w_i c_j come a block of whole rows at a time (flat blocks past 512
// columns), by a permute kernel for up to 8 columns with sample weights, once for the whole call
// without them. Every shape and weighting must give each element exactly w_i c_j: the MSE gradient
// (2 scale) w_i c_j r, and for BCE, which takes the scale in its weights as (w_i scale) c_j, the
// gradient of the scalar kernel (of the class in use) on that one element, bit for bit; the AVX-512
// kernel builds patterned weights itself, and its value must equal the reference's, bit for bit.
TEST_CASE("per-element weights on every block layout") {
    const auto u = oracle::lcg_draws(5, 200000);
    std::size_t at = 0;
    auto next = [&] { return u[at++ % u.size()]; };
    for (std::size_t rows : {std::size_t{1}, std::size_t{37}, std::size_t{1000}}) {
        for (std::size_t cols : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{5}, std::size_t{8}, std::size_t{9}, std::size_t{64}, std::size_t{65}, std::size_t{513}, std::size_t{600}}) {
            if (rows * cols > 100000) continue;
            xt::xtensor<double, 2> z = xt::zeros<double>({rows, cols}), y = xt::zeros<double>({rows, cols});
            std::vector<double> sw(rows), cw(cols);
            for (std::size_t k = 0; k < rows * cols; ++k) {
                z.data()[k] = 6.0 * next() - 3.0;
                y.data()[k] = next() < 0.3 ? 1.0 : 0.0;
            }
            for (auto& v : sw) v = 0.25 + next();
            for (auto& v : cw) v = 0.5 + next();
            for (int config = 0; config < 4; ++config) {
                CAPTURE(rows);
                CAPTURE(cols);
                CAPTURE(config);
                const bool has_sample = config & 1, has_column = config & 2;
                mldp::loss::loss_weights lw;
                if (has_sample) lw.sample = mldp::evaluate_contiguous<double>(sw);
                if (has_column) lw.column = mldp::evaluate_contiguous<double>(cw);
                const double scale = has_sample ? 1.0 / mldp::pairwise_sum(sw.data(), sw.size()) : 1.0 / static_cast<double>(rows);
                const auto m = mldp::loss::mse(z, y, lw);
                const auto b = mldp::loss::binary_cross_entropy_with_logits(z, y, lw);
                std::size_t mse_mismatches = 0, bce_mismatches = 0;
                for (std::size_t i = 0; i < rows; ++i) {
                    for (std::size_t j = 0; j < cols; ++j) {
                        const std::size_t k = i * cols + j;
                        const double w = (has_sample ? sw[i] : 1.0) * (has_column ? cw[j] : 1.0);
                        const double r = z.data()[k] - y.data()[k];
                        mse_mismatches += m.gradient.data()[k] != (2.0 * scale) * w * r;
                        const double c = has_column ? cw[j] : 1.0, ws = has_sample ? (sw[i] * scale) * c : c * scale;
                        double g = 0.0;
                        mldp::loss::detail::best_bce_variant().reference(z.data() + k, y.data() + k, &ws, &g, 1);
                        bce_mismatches += b.gradient.data()[k] != g;
                    }
                }
                CHECK(mse_mismatches == 0);
                CHECK(bce_mismatches == 0);
                // The value too: the driver on the reference kernel (expanded weights) gives the same bits.
                namespace ld = mldp::loss::detail;
                const auto ref = ld::value_and_gradient(ld::bce_op{ld::best_bce_variant().reference}, z, y, lw,
                                                        mldp::loss::reduction::mean, ld::bce_names);
                CHECK(std::memcmp(&ref.value, &b.value, sizeof b.value) == 0);
            }
        }
    }
    // Under reduction::sum one column without column weights reads the sample weights in place.
    const std::vector<double> z{-2.0, 0.5, 3.0, -0.25}, y{0.0, 1.0, 1.0, 0.5}, sw{0.5, 2.0, 1.5, 0.25};
    mldp::loss::loss_weights lw;
    lw.sample = mldp::evaluate_contiguous<double>(sw);
    const auto b = mldp::loss::binary_cross_entropy_with_logits(z, y, lw, {mldp::loss::reduction::sum});
    double expected = 0.0;
    for (std::size_t k = 0; k < z.size(); ++k) {
        double g = 0.0;
        expected += mldp::loss::detail::best_bce_variant().reference(z.data() + k, y.data() + k, &sw[k], &g, 1);
        CHECK(b.gradient(k) == g);
    }
    CHECK(b.value == doctest::Approx(expected).epsilon(1e-15));
}

// The mean divides by the sum of the sample weights, so scaling them all by 2^-1000 or 2^996 changes
// nothing, however large or small the column weights: the folded scale (w_i scale) c_j never
// overflows or vanishes where the result does not.
TEST_CASE("BCE weights at the ends of the double range") {
    const xt::xtensor<double, 2> z = {{-2.0, 0.5}, {3.0, -0.25}, {1.5, 40.0}};
    const xt::xtensor<double, 2> y = {{0.0, 1.0}, {1.0, 0.5}, {0.25, 0.0}};
    const std::vector<double> sw{0.5, 2.0, 1.5};
    for (const double c0 : {1e10, 1e-30, 1.0}) {
        for (const double f : {std::ldexp(1.0, -1000), std::ldexp(1.0, 996)}) {
            CAPTURE(c0);
            CAPTURE(f);
            std::vector<double> scaled(sw);
            for (auto& v : scaled) v *= f;
            const std::vector<double> cw{c0, 0.5};
            const auto ref = mldp::loss::binary_cross_entropy_with_logits(z, y, mldp::loss::loss_weights(sw, cw));
            const auto r = mldp::loss::binary_cross_entropy_with_logits(z, y, mldp::loss::loss_weights(scaled, cw));
            CHECK(r.value == doctest::Approx(ref.value).epsilon(1e-14));
            for (std::size_t k = 0; k < r.gradient.size(); ++k) CHECK(r.gradient.data()[k] == doctest::Approx(ref.gradient.data()[k]).epsilon(1e-14));
        }
    }
}

// Without column weights the columns of an n x m input add up: the value is the sum of the
// per-column sklearn values (tests/loss/loss_vectors.hpp has them weighted by [0.5, 0.3, 0.2]).
TEST_CASE("2-D terms add their columns up") {
    const auto& d = data();
    double by_column = 0.0;
    for (std::size_t j = 0; j < M; ++j) by_column += mldp::loss::mse(d.col(d.p, j), d.col(d.t, j), d.w).value;
    CHECK_CLOSE(mldp::loss::mse(d.p, d.t, d.w).value, by_column, 1e-13);
    const std::vector<double> third(M, 1.0 / 3.0);
    CHECK_CLOSE(mldp::loss::mse(d.p, d.t, loss_weights(d.w, third)).value, by_column / 3.0, 1e-13);
}

// torchvision's formula by hand at y = 0 and on a soft label: p = sigmoid(z).
TEST_CASE("focal loss off the positive class") {
    const double z = 0.7, p = 1.0 / (1.0 + std::exp(-z));
    const double ce0 = -std::log(1.0 - p);  // y = 0: p_t = 1 - p, alpha_t = 0.75
    CHECK_CLOSE(mldp::loss::focal_loss(std::vector<double>{z}, std::vector<double>{0.0}).value, 0.75 * p * p * ce0, 1e-14);
    const double y = 0.3, ce = -(y * std::log(p) + (1 - y) * std::log(1 - p));
    const double pt = p * y + (1 - p) * (1 - y), at = 0.25 * y + 0.75 * (1 - y);
    CHECK_CLOSE(mldp::loss::focal_loss(std::vector<double>{z}, std::vector<double>{y}).value, at * (1 - pt) * (1 - pt) * ce, 1e-13);
    // Far on the right side with gamma < 1 the gradient tends to 0, never NaN.
    mldp::loss::loss_options o;
    o.gamma = 0.5;
    const auto r = mldp::loss::focal_loss(std::vector<double>{800.0, -800.0}, std::vector<double>{1.0, 0.0}, {}, o);
    CHECK(r.gradient(0) == 0.0);
    CHECK(r.gradient(1) == 0.0);
}

TEST_CASE("weights from temporaries are owned, gradient buffers of either kind") {
    const auto& d = data();
    const auto cw = loss_weights::columns(mldp::loss::balanced_class_weights(d.c, K));  // a temporary, moved in
    const auto ref = mldp::loss::softmax_cross_entropy(d.zc, d.c, loss_weights(std::vector<double>(N, 1.0), d.classw));
    CHECK(mldp::loss::softmax_cross_entropy(d.zc, d.c, cw).value > 0.0);
    const loss_weights tmp = std::vector<double>(N, 1.0);
    CHECK(mldp::loss::softmax_cross_entropy(d.zc, d.c, loss_weights(std::vector<double>(N, 1.0), d.classw)).value == ref.value);
    CHECK(mldp::loss::mse(d.p, d.t, tmp).value == mldp::loss::mse(d.p, d.t).value);
    xt::xarray<double> ga = xt::zeros<double>({std::size_t{2}});
    const double v = mldp::loss::huber_into(ga, d.p, d.t);
    CHECK(ga.shape()[0] == N);
    CHECK(ga.shape()[1] == M);
    CHECK(v == mldp::loss::huber(d.p, d.t).value);
    xt::xtensor<double, 2> gf;
    CHECK(mldp::loss::focal_loss_into(gf, d.z, d.y) == mldp::loss::focal_loss(d.z, d.y).value);
    xt::xtensor<double, 1> gm;
    CHECK(mldp::loss::mae_into(gm, d.col(d.p, 0), d.col(d.t, 0)) == mldp::loss::mae(d.col(d.p, 0), d.col(d.t, 0)).value);
}

TEST_CASE("bad input to the loss terms") {
    const std::vector<double> z{0.5, -1.0, 2.0}, y{1.0, 0.0, 1.0}, w{1.0, 1.0, 1.0};
    CHECK_THROWS_WITH_AS(mldp::loss::binary_cross_entropy_with_logits(std::vector<double>{0.5, NAN, 1.0}, y),
                         doctest::Contains("column 'logits', row 1"), mldp::data_error);
    CHECK_THROWS_WITH_AS(mldp::loss::binary_cross_entropy_with_logits(std::vector<double>{0.5, 1.0, INFINITY}, y),
                         doctest::Contains("row 2"), mldp::data_error);
    CHECK_THROWS_WITH_AS(mldp::loss::binary_cross_entropy_with_logits(z, std::vector<double>{1.0, 2.0, 0.0}),
                         doctest::Contains("column 'targets', row 1"), mldp::data_error);
    CHECK_THROWS_WITH_AS(mldp::loss::binary_cross_entropy_with_logits(z, std::vector<double>{1.0, 0.0}),
                         doctest::Contains("they must match"), mldp::invalid_argument);
    CHECK_THROWS_WITH_AS(mldp::loss::mse(z, y, std::vector<double>{1.0, -1.0, 1.0}), doctest::Contains("column 'sample_weight', row 1"),
                         mldp::data_error);
    CHECK_THROWS_WITH_AS(mldp::loss::mse(z, y, std::vector<double>{0.0, 0.0, 0.0}), doctest::Contains("sum to zero"), mldp::data_error);
    CHECK_THROWS_WITH_AS(mldp::loss::mse(z, y, std::vector<double>{1e308, 1e308, 1.0}), doctest::Contains("overflows"), mldp::data_error);
    CHECK_THROWS_WITH_AS(mldp::loss::mse(z, y, std::vector<double>{1e-310, 0.0, 0.0}), doctest::Contains("too small to divide by"),
                         mldp::data_error);
    CHECK_THROWS_WITH_AS(mldp::loss::mse(z, y, std::vector<double>{1.0, 1.0, INFINITY}), doctest::Contains("column 'sample_weight', row 2"),
                         mldp::data_error);
    CHECK_THROWS_WITH_AS(mldp::loss::binary_cross_entropy_with_logits(z, y, std::vector<double>{NAN, 1.0, 1.0}),
                         doctest::Contains("column 'sample_weight', row 0"), mldp::data_error);
    CHECK_THROWS_WITH_AS(mldp::loss::binary_cross_entropy_with_logits(z, y, mldp::loss::loss_weights::columns(std::vector<double>{-0.5})),
                         doctest::Contains("column 'column_weight', row 0"), mldp::data_error);
    // A bad weight or target past the first 8192 weights (the check's buffer), in a block's vector body
    // and in its tail.
    {
        std::vector<double> zz(20001, 0.25), yy(20001, 1.0), ww(20001, 1.0);
        ww[19999] = -0.0;  // -0 is a valid weight
        CHECK(std::isfinite(mldp::loss::binary_cross_entropy_with_logits(zz, yy, ww).value));
        ww[20000] = -1e-300;
        CHECK_THROWS_WITH_AS(mldp::loss::binary_cross_entropy_with_logits(zz, yy, ww), doctest::Contains("row 20000"), mldp::data_error);
        ww[20000] = 1.0;
        yy[19998] = -1e-300;  // in the last block's vector body
        CHECK_THROWS_WITH_AS(mldp::loss::binary_cross_entropy_with_logits(zz, yy, ww), doctest::Contains("column 'targets', row 19998"),
                             mldp::data_error);
        yy[19998] = 0.0;
        yy[20000] = 1.5;  // the last block's vector tail
        CHECK_THROWS_WITH_AS(mldp::loss::binary_cross_entropy_with_logits(zz, yy, ww), doctest::Contains("column 'targets', row 20000"),
                             mldp::data_error);
        yy[20000] = 1.0;
        zz[20000] = -INFINITY;
        CHECK_THROWS_WITH_AS(mldp::loss::binary_cross_entropy_with_logits(zz, yy, ww), doctest::Contains("column 'logits', row 20000"),
                             mldp::data_error);
    }
    CHECK_THROWS_AS(mldp::loss::mse(z, y, std::vector<double>{1.0, 1.0}), mldp::invalid_argument);
    CHECK_THROWS_AS(mldp::loss::mse(std::vector<double>{}, std::vector<double>{}), mldp::data_error);
    CHECK_THROWS_WITH_AS(mldp::loss::mae(z, std::vector<double>{1.0, NAN, 0.0}), doctest::Contains("column 'targets', row 1"),
                         mldp::data_error);
    mldp::loss::loss_options o;
    o.delta = 0.0;
    CHECK_THROWS_AS(mldp::loss::huber(z, y, {}, o), mldp::invalid_argument);
    o = {};
    o.gamma = -1.0;
    CHECK_THROWS_AS(mldp::loss::focal_loss(z, y, {}, o), mldp::invalid_argument);
    CHECK_THROWS_AS(mldp::loss::huber(std::vector<double>{1e308}, std::vector<double>{-1e308}), mldp::data_error);  // p - t overflows to inf
    CHECK(std::isfinite(mldp::loss::huber(std::vector<double>{1e160}, std::vector<double>{0.0}).value));
    xt::xtensor<double, 2> logits = {{1.0, 2.0}, {0.5, 0.1}};
    CHECK_THROWS_WITH_AS(mldp::loss::softmax_cross_entropy(logits, std::vector<double>{0.0, 2.0}), doctest::Contains("row 1"),
                         mldp::data_error);
    CHECK_THROWS_AS(mldp::loss::softmax_cross_entropy(logits, std::vector<double>{0.0, 0.5}), mldp::data_error);
    CHECK_THROWS_AS(mldp::loss::softmax_cross_entropy(logits, std::vector<double>{0.0}), mldp::invalid_argument);
    CHECK_THROWS_AS(mldp::loss::softmax_cross_entropy(z, y), mldp::invalid_argument);
    CHECK_THROWS_WITH_AS(mldp::loss::balanced_class_weights(std::vector<double>{0, 0, 2}, 3), doctest::Contains("class 1 has no example"),
                         mldp::data_error);
    CHECK_THROWS_AS(mldp::loss::balanced_class_weights(std::vector<double>{0, 3}, 3), mldp::data_error);
}

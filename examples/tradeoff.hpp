// A small logistic regression trained with two objectives that pull against each other:
// overall accuracy (binary cross-entropy on every row) and false negatives (binary cross-entropy on
// the positive rows only). A fixed weighting mixes them, multi_objective combines the loss terms
// and their gradients, and operating_point reads the classifier off at threshold 0.5. Moving the
// weight towards the false-negative objective moves the model along the trade-off: fewer missed
// positives, more false alarms. Used by examples/tradeoff.cpp and tests/loss/tradeoff_example_test.cpp.
#pragma once

#include <cstddef>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "mldp/core/random.hpp"
#include "mldp/loss/multi_objective.hpp"
#include "mldp/loss/operating_point.hpp"
#include "mldp/loss/terms.hpp"
#include "mldp/loss/weighting.hpp"

namespace tradeoff {

/// Synthetic imbalanced data: 20% positives, two features whose class means overlap.
struct dataset {
    xt::xtensor<double, 2> x;  // n x 2
    std::vector<double> y;
};

inline dataset make_data(std::size_t n, std::uint64_t seed) {
    mldp::rng g{mldp::seed_sequence{seed}.derive("tradeoff-data")};
    dataset d{xt::zeros<double>({n, std::size_t{2}}), std::vector<double>(n)};
    for (std::size_t i = 0; i < n; ++i) {
        const bool positive = g.uniform01() < 0.2;
        d.y[i] = positive ? 1.0 : 0.0;
        d.x(i, 0) = g.normal() + (positive ? 1.0 : 0.0);
        d.x(i, 1) = g.normal() + (positive ? 0.5 : 0.0);
    }
    return d;
}

struct outcome {
    double weight_on_false_negatives;
    double accuracy, false_negative_rate, false_positive_rate;
    double loss;  ///< the combined loss at the end of training
};

/// Full-batch gradient descent on w (2 features + bias) for `epochs` steps with the objectives
/// weighted (1 - lambda, lambda).
inline outcome train(const dataset& d, double lambda, std::size_t epochs = 400, double lr = 0.5) {
    const std::size_t n = d.y.size();
    double w0 = 0.0, w1 = 0.0, b = 0.0;
    mldp::loss::multi_objective mo{mldp::loss::weighting::fixed({1.0 - lambda, lambda}), {"accuracy", "false negatives"}, 0};
    xt::xtensor<double, 1> z = xt::zeros<double>({n});
    const std::vector<double> all(n, 1.0);
    const std::vector<double>& positives = d.y;  // weight 1 on positive rows, 0 elsewhere
    double last = 0.0;
    for (std::size_t epoch = 0; epoch < epochs; ++epoch) {
        for (std::size_t i = 0; i < n; ++i) z(i) = w0 * d.x(i, 0) + w1 * d.x(i, 1) + b;
        const auto combined = mo.combine({mldp::loss::binary_cross_entropy_with_logits(z, d.y, all),
                                          mldp::loss::binary_cross_entropy_with_logits(z, d.y, positives)});
        last = combined.value;
        double g0 = 0.0, g1 = 0.0, gb = 0.0;  // chain rule through z = w . x + b
        for (std::size_t i = 0; i < n; ++i) {
            const double gz = combined.gradient(i);
            g0 += gz * d.x(i, 0);
            g1 += gz * d.x(i, 1);
            gb += gz;
        }
        w0 -= lr * g0;
        w1 -= lr * g1;
        b -= lr * gb;
    }
    for (std::size_t i = 0; i < n; ++i) z(i) = w0 * d.x(i, 0) + w1 * d.x(i, 1) + b;
    // Logit 0 is probability 0.5: the point of the curve with the lowest threshold >= 0.
    const auto curve = mldp::loss::operating_point::confusion_curve(z, d.y);
    const mldp::loss::operating_point::confusion_point* at = &curve.front();
    for (const auto& p : curve) {
        if (p.threshold >= 0.0) at = &p;
    }
    return {lambda, at->accuracy(), at->false_negative_rate(), at->fpr(), last};
}

}  // namespace tradeoff

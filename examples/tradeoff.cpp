// Trains the logistic regression of tradeoff.hpp at five weightings of accuracy against false
// negatives and prints where each lands, plus the Pareto front of (error, missed positives).
#include <cstdio>

#include <fmt/format.h>

#include "mldp/loss/pareto.hpp"
#include "tradeoff.hpp"

int main() {
    const auto data = tradeoff::make_data(4000, 7);
    mldp::loss::pareto::pareto_archive front(2);
    fmt::print("{:>22} {:>9} {:>20} {:>20}\n", "weight on false negs", "accuracy", "false negative rate", "false positive rate");
    std::uint64_t id = 0;
    for (double lambda : {0.0, 0.25, 0.5, 0.75, 0.9}) {
        const auto o = tradeoff::train(data, lambda);
        fmt::print("{:>22.2f} {:>9.4f} {:>20.4f} {:>20.4f}\n", lambda, o.accuracy, o.false_negative_rate, o.false_positive_rate);
        front.insert(std::vector<double>{1.0 - o.accuracy, o.false_negative_rate}, id++);
    }
    fmt::print("{} of 5 weightings are Pareto-optimal in (error, false negative rate)\n", front.size());
    return 0;
}

// The acceptance test of examples/tradeoff.hpp: as the weight moves from the accuracy objective to
// the false-negative objective, the trained model moves along the trade-off.
#include "../../examples/tradeoff.hpp"

#include <doctest/doctest.h>

#include <vector>

TEST_CASE("weights move a logistic regression along the accuracy / false-negative trade-off") {
    const auto data = tradeoff::make_data(4000, 7);
    std::vector<tradeoff::outcome> runs;
    for (double lambda : {0.0, 0.25, 0.5, 0.75, 0.9}) runs.push_back(tradeoff::train(data, lambda));
    for (std::size_t i = 1; i < runs.size(); ++i) {
        INFO("lambda " << runs[i].weight_on_false_negatives << ": FNR " << runs[i].false_negative_rate << " (before "
                       << runs[i - 1].false_negative_rate << "), FPR " << runs[i].false_positive_rate << " (before "
                       << runs[i - 1].false_positive_rate << ")");
        CHECK(runs[i].false_negative_rate < runs[i - 1].false_negative_rate);
        CHECK(runs[i].false_positive_rate > runs[i - 1].false_positive_rate);
    }
    // The accuracy-only model is the most accurate of them; at 0.9 most positives are caught.
    for (std::size_t i = 1; i < runs.size(); ++i) CHECK(runs[i].accuracy < runs[0].accuracy);
    CHECK(runs.back().false_negative_rate < 0.5 * runs.front().false_negative_rate);
}

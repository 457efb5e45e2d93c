// mldp — the result type of the gradient aggregators, apart from them so that headers which only
// pass it along (multi_objective.hpp) need no BLAS.
#pragma once

#include <xtensor/xtensor.hpp>

namespace mldp::loss {

/// The result of an aggregator: one weight per task and the aggregated direction (length d).
struct aggregation {
    xt::xtensor<double, 1> weights;
    xt::xtensor<double, 1> direction;
};

}  // namespace mldp::loss

// mldp — the result type of the gradient aggregators, with its formatter and JSON, apart from them so
// that headers which only pass it along (multi_objective.hpp) need no BLAS.
#pragma once

#include <cmath>
#include <cstddef>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <xtensor/xtensor.hpp>

#include "mldp/core/detail/json.hpp"

namespace mldp::loss {

/// The result of an aggregator: one weight per task and the aggregated direction (length d).
struct aggregation {
    xt::xtensor<double, 1> weights;
    xt::xtensor<double, 1> direction;
};

/// JSON of an aggregation: {"weights": [...], "direction": [...]}; NaN and infinity are written as null.
inline void to_json(nlohmann::json& j, const aggregation& a) {
    j = nlohmann::json{{"weights", mldp::detail::json_numbers(a.weights)}, {"direction", mldp::detail::json_numbers(a.direction)}};
}

}  // namespace mldp::loss

/// Prints an aggregation on one line: the task weights and the direction's length and norm
/// ("weights [0.5, 0.5], direction of 3 values, norm 0.707107").
template <>
struct fmt::formatter<mldp::loss::aggregation> {
    constexpr auto parse(format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const mldp::loss::aggregation& a, Ctx& ctx) const {
        auto out = fmt::format_to(ctx.out(), "weights [");
        for (std::size_t i = 0; i < a.weights.size(); ++i) out = fmt::format_to(out, "{}{:.6g}", i ? ", " : "", a.weights.data()[i]);
        double sq = 0.0;
        for (std::size_t i = 0; i < a.direction.size(); ++i) sq += a.direction.data()[i] * a.direction.data()[i];
        return fmt::format_to(out, "], direction of {} values, norm {:.6g}", a.direction.size(), std::sqrt(sq));
    }
};

// mldp — private: JSON conventions shared by every result type.
#pragma once

#include <cmath>

#include <nlohmann/json.hpp>

namespace mldp::detail {

/// A double as JSON: the number when finite, null otherwise (JSON has no NaN or infinity).
inline nlohmann::json json_number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

}  // namespace mldp::detail

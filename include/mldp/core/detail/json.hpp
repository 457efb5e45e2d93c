// mldp — private: JSON conventions shared by every result type.
#pragma once

#include <cmath>
#include <cstddef>

#include <nlohmann/json.hpp>

namespace mldp::detail {

/// A double as JSON: the number when finite, null otherwise (JSON has no NaN or infinity).
inline nlohmann::json json_number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

/// n contiguous doubles as a JSON array of json_number()s.
inline nlohmann::json json_numbers(const double* v, std::size_t n) {
    nlohmann::json a = nlohmann::json::array();
    for (std::size_t i = 0; i < n; ++i) a.push_back(json_number(v[i]));
    return a;
}

/// A container with data() and size() of doubles (std::vector, std::array, xt::xtensor<double, 1>)
/// as a JSON array of json_number()s.
template <class C>
nlohmann::json json_numbers(const C& c) {
    return json_numbers(c.data(), c.size());
}

/// Row-major doubles of shape[0] x ... x shape[ndim - 1] as nested JSON arrays (one level per
/// dimension, the last one holding json_number()s); ndim == 0 gives the single number v[0].
inline nlohmann::json json_nested(const double* v, const std::size_t* shape, std::size_t ndim) {
    if (ndim == 0) return json_number(v[0]);
    if (ndim == 1) return json_numbers(v, shape[0]);
    std::size_t stride = 1;
    for (std::size_t d = 1; d < ndim; ++d) stride *= shape[d];
    nlohmann::json a = nlohmann::json::array();
    for (std::size_t i = 0; i < shape[0]; ++i) a.push_back(json_nested(v + i * stride, shape + 1, ndim - 1));
    return a;
}

/// A row-major xtensor container of doubles (xt::xtensor, xt::xarray) as nested JSON arrays, one
/// level per dimension (see json_nested).
template <class X>
nlohmann::json json_tensor(const X& x) {
    return json_nested(x.data(), x.shape().data(), x.dimension());
}

}  // namespace mldp::detail

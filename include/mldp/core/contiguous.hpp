// mldp — one entry point that turns whatever numeric column a user has (an xtensor expression, a
// std::vector, a std::array, a C array, any range of arithmetic values) into contiguous memory, once,
// at the API boundary. Inner loops then walk a plain pointer: no views, no lazy expressions.
#pragma once

#include <array>
#include <cstddef>
#include <iterator>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <xtensor/xadapt.hpp>
#include <xtensor/xcontainer.hpp>
#include <xtensor/xexpression.hpp>
#include <xtensor/xnoalias.hpp>

#include "mldp/core/error.hpp"

namespace mldp {

/// Read-only contiguous values of type T that either borrow the caller's memory (zero copy) or own a
/// converted copy. Obtained from evaluate_contiguous(); copyable and movable (moving never copies).
template <class T>
class contiguous_values {
    static_assert(std::is_arithmetic_v<T>, "mldp::contiguous_values<T>: T must be an arithmetic type");

public:
    using value_type = T;
    using const_iterator = const T*;

    contiguous_values() noexcept = default;

    /// Borrows [data, data + size); the caller keeps the memory alive.
    static contiguous_values borrow(const T* data, std::size_t size) noexcept {
        contiguous_values c;
        c.data_ = data;
        c.size_ = size;
        return c;
    }
    /// Takes ownership of `values`.
    static contiguous_values own(std::vector<T> values) noexcept {
        contiguous_values c;
        c.owned_ = std::move(values);
        c.data_ = c.owned_.data();
        c.size_ = c.owned_.size();
        return c;
    }

    contiguous_values(const contiguous_values& o) : owned_(o.owned_), data_(o.data_), size_(o.size_) {
        if (o.owns_storage()) data_ = owned_.data();
    }
    contiguous_values& operator=(const contiguous_values& o) {
        if (this != &o) *this = contiguous_values(o);
        return *this;
    }
    // std::vector's move keeps its buffer, so a borrowed or owned pointer stays valid.
    contiguous_values(contiguous_values&&) noexcept = default;
    contiguous_values& operator=(contiguous_values&&) noexcept = default;

    const T* data() const noexcept { return data_; }
    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    const T& operator[](std::size_t i) const noexcept { return data_[i]; }
    const T* begin() const noexcept { return data_; }
    const T* end() const noexcept { return data_ + size_; }
    /// True when the values were copied (converted or evaluated) rather than borrowed.
    bool owns_storage() const noexcept { return !owned_.empty() && data_ == owned_.data(); }
    /// Moves the values out into a vector (copying only if they were borrowed).
    std::vector<T> release() && {
        if (owns_storage()) return std::move(owned_);
        return std::vector<T>(data_, data_ + size_);
    }

private:
    std::vector<T> owned_;
    const T* data_ = nullptr;
    std::size_t size_ = 0;
};

namespace detail {

template <class X, class = void>
struct has_data_and_size : std::false_type {};
template <class X>
struct has_data_and_size<X, std::void_t<decltype(std::data(std::declval<const X&>())),
                                        decltype(std::size(std::declval<const X&>()))>> : std::true_type {};

template <class X, class = void>
struct is_iterable : std::false_type {};
template <class X>
struct is_iterable<X, std::void_t<decltype(std::begin(std::declval<const X&>())),
                                  decltype(std::end(std::declval<const X&>()))>> : std::true_type {};

template <class X>
using range_value_t = std::remove_cv_t<std::remove_reference_t<decltype(*std::begin(std::declval<const X&>()))>>;

template <class X>
constexpr bool is_xexpression_v = xt::is_xexpression<X>::value;

template <class X>
constexpr bool is_xcontainer_v = xt::is_crtp_base_of<xt::xcontainer, X>::value;

/// True for what evaluate_contiguous accepts: 1-D xtensor expressions and ranges of arithmetic values
/// (std::vector<bool> excepted: it is not a range of bool objects).
template <class X, class = void>
struct is_numeric_source : std::false_type {};
template <class X>
struct is_numeric_source<X, std::enable_if_t<is_xexpression_v<X>>>
    : std::bool_constant<std::is_arithmetic_v<typename X::value_type>> {};
template <class X>
struct is_numeric_source<X, std::enable_if_t<!is_xexpression_v<X> && is_iterable<X>::value>>
    : std::bool_constant<std::is_arithmetic_v<range_value_t<X>> && !std::is_same_v<X, std::vector<bool>>> {};

}  // namespace detail

/// True when X can be passed where mldp takes a numeric column.
template <class X>
inline constexpr bool is_numeric_source_v = detail::is_numeric_source<std::remove_cv_t<std::remove_reference_t<X>>>::value;

/// Turns a numeric column into contiguous values of type T, evaluating it exactly once.
///   - an lvalue std::vector<T>, std::array<T, N>, C array, or 1-D xtensor container of T: borrowed,
///     zero copy (the caller keeps it alive while the result is used);
///   - an rvalue std::vector<T>: moved in;
///   - anything else (other element types, lazy xtensor expressions, views, lists): evaluated into an
///     owned buffer, elements converted with static_cast<T>.
/// Throws invalid_argument for an xtensor expression that is not 1-D. O(n) at most.
template <class T = double, class X>
contiguous_values<T> evaluate_contiguous(X&& x) {
    using D = std::remove_cv_t<std::remove_reference_t<X>>;
    static_assert(is_numeric_source_v<D>,
                  "mldp: a numeric column must be a 1-D xtensor expression or a range of arithmetic values "
                  "(std::vector<double>, std::array<float, N>, xt::xtensor<int, 1>, ...)");
    constexpr bool is_lvalue = std::is_lvalue_reference_v<X>;
    if constexpr (detail::is_xexpression_v<D>) {
        const D& e = x;
        if (e.dimension() != 1) {
            throw invalid_argument("mldp: expected a 1-D xtensor expression for a column, got one with " +
                                   std::to_string(e.dimension()) + " dimensions");
        }
        const std::size_t n = e.size();
        if constexpr (detail::is_xcontainer_v<D> && std::is_same_v<typename D::value_type, T>) {
            if (is_lvalue) return contiguous_values<T>::borrow(e.data(), n);
        }
        std::vector<T> out(n);
        auto adapted = xt::adapt(out, std::array<std::size_t, 1>{n});
        xt::noalias(adapted) = e;
        return contiguous_values<T>::own(std::move(out));
    } else {
        using V = detail::range_value_t<D>;
        if constexpr (std::is_same_v<D, std::vector<T>> && !is_lvalue) {
            return contiguous_values<T>::own(std::move(x));
        } else if constexpr (std::is_same_v<V, T> && detail::has_data_and_size<D>::value && is_lvalue) {
            return contiguous_values<T>::borrow(std::data(x), static_cast<std::size_t>(std::size(x)));
        } else {
            std::vector<T> out;
            if constexpr (detail::has_data_and_size<D>::value) out.reserve(static_cast<std::size_t>(std::size(x)));
            for (const auto& v : x) out.push_back(static_cast<T>(v));
            return contiguous_values<T>::own(std::move(out));
        }
    }
}

}  // namespace mldp

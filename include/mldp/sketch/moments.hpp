// mldp — moments: count, mean, variance, min and max of a numeric stream, plus its NaN and infinity
// counts, in constant memory, mergeable across threads and machines.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "mldp/core/detail/json.hpp"

#include "mldp/core/archive.hpp"
#include "mldp/core/detail/portable_math.hpp"
#include "mldp/core/error.hpp"

namespace mldp::sketch {

/// Running moments of the finite values of a stream (Welford's update; Chan, Golub & LeVeque's
/// pairwise merge, "Updating formulae and a pairwise algorithm for computing sample variances", 1979),
/// with NaN, +Inf and -Inf counted apart and left out of the moments. update() is O(1), noexcept and
/// allocation-free; merge() is associative up to floating-point rounding.
class moments {
public:
    /// Adds one value.
    void update(double x) noexcept {
        if (std::isnan(x)) {
            ++nan_;
            return;
        }
        if (std::isinf(x)) {
            ++(x > 0 ? pos_inf_ : neg_inf_);
            return;
        }
        ++n_;
        const double delta = x - mean_;
        mean_ += delta / static_cast<double>(n_);
        m2_ += mldp::detail::fp_barrier(delta * (x - mean_));
        if (x < min_) min_ = x;
        if (x > max_) max_ = x;
    }

    /// Adds the other stream's moments: the result summarises both streams.
    void merge(const moments& o) noexcept {
        nan_ += o.nan_;
        pos_inf_ += o.pos_inf_;
        neg_inf_ += o.neg_inf_;
        if (o.n_ == 0) return;
        if (n_ == 0) {
            n_ = o.n_;
            mean_ = o.mean_;
            m2_ = o.m2_;
            min_ = o.min_;
            max_ = o.max_;
            return;
        }
        const double na = static_cast<double>(n_), nb = static_cast<double>(o.n_);
        const double n = na + nb;
        const double delta = o.mean_ - mean_;
        mean_ += mldp::detail::fp_barrier(delta * (nb / n));
        m2_ += o.m2_ + mldp::detail::fp_barrier(delta * delta * (na * nb / n));
        n_ += o.n_;
        if (o.min_ < min_) min_ = o.min_;
        if (o.max_ > max_) max_ = o.max_;
    }

    /// Finite values seen.
    std::uint64_t count() const noexcept { return n_; }
    std::uint64_t nan_count() const noexcept { return nan_; }
    std::uint64_t positive_infinity_count() const noexcept { return pos_inf_; }
    std::uint64_t negative_infinity_count() const noexcept { return neg_inf_; }
    /// Every value seen, finite or not.
    std::uint64_t total_count() const noexcept { return n_ + nan_ + pos_inf_ + neg_inf_; }
    /// Mean of the finite values (NaN when there are none).
    double mean() const noexcept { return n_ ? mean_ : std::numeric_limits<double>::quiet_NaN(); }
    /// Variance with ddof degrees of freedom removed (NaN when count() <= ddof), as numpy.var(x, ddof).
    double variance(unsigned ddof = 1) const noexcept {
        return n_ > ddof ? m2_ / static_cast<double>(n_ - ddof) : std::numeric_limits<double>::quiet_NaN();
    }
    double stddev(unsigned ddof = 1) const noexcept { return std::sqrt(variance(ddof)); }
    /// Smallest and largest finite values (NaN when there are none). Not named min/max, so that
    /// windows.h-style macros cannot break them.
    double minimum() const noexcept { return n_ ? min_ : std::numeric_limits<double>::quiet_NaN(); }
    double maximum() const noexcept { return n_ ? max_ : std::numeric_limits<double>::quiet_NaN(); }

    /// Bytes in mldp's checked envelope (type tag "MOM1", version 1).
    std::vector<std::uint8_t> serialize() const {
        archive_writer w("MOM1", 1);
        w.put_u64(n_);
        w.put_u64(nan_);
        w.put_u64(pos_inf_);
        w.put_u64(neg_inf_);
        w.put_f64(mean_);
        w.put_f64(m2_);
        w.put_f64(min_);
        w.put_f64(max_);
        return w.finish();
    }

    /// Restores serialize()'s output. Throws format_error for truncated, corrupt, foreign or
    /// inconsistent bytes (negative M2, min above max, non-finite moments for a non-empty state).
    static moments deserialize(const std::uint8_t* data, std::size_t size) {
        archive_reader r(data, size, "MOM1", 1, 1);
        moments m;
        m.n_ = r.get_u64("count");
        m.nan_ = r.get_u64("nan count");
        m.pos_inf_ = r.get_u64("+inf count");
        m.neg_inf_ = r.get_u64("-inf count");
        m.mean_ = r.get_f64("mean");
        m.m2_ = r.get_f64("m2");
        m.min_ = r.get_f64("min");
        m.max_ = r.get_f64("max");
        r.finish();
        if (m.n_ == 0) {
            r.require(m.mean_ == 0 && m.m2_ == 0, "an empty state must have zero mean and M2");
            r.require(m.min_ == std::numeric_limits<double>::infinity() &&
                          m.max_ == -std::numeric_limits<double>::infinity(),
                      "an empty state must have min = +inf and max = -inf");
        } else {
            r.require(std::isfinite(m.mean_) && std::isfinite(m.m2_) && m.m2_ >= 0, "mean and M2 must be finite, M2 >= 0");
            r.require(std::isfinite(m.min_) && std::isfinite(m.max_) && m.min_ <= m.max_, "min and max must be finite, min <= max");
        }
        return m;
    }
    static moments deserialize(const std::vector<std::uint8_t>& bytes) { return deserialize(bytes.data(), bytes.size()); }

    friend bool operator==(const moments& a, const moments& b) noexcept {
        return a.n_ == b.n_ && a.nan_ == b.nan_ && a.pos_inf_ == b.pos_inf_ && a.neg_inf_ == b.neg_inf_ &&
               a.mean_ == b.mean_ && a.m2_ == b.m2_ && a.min_ == b.min_ && a.max_ == b.max_;
    }
    friend bool operator!=(const moments& a, const moments& b) noexcept { return !(a == b); }

private:
    std::uint64_t n_ = 0, nan_ = 0, pos_inf_ = 0, neg_inf_ = 0;
    double mean_ = 0, m2_ = 0;
    double min_ = std::numeric_limits<double>::infinity();
    double max_ = -std::numeric_limits<double>::infinity();
};

inline void to_json(nlohmann::json& j, const moments& m) {
    const auto num = mldp::detail::json_number;
    j = nlohmann::json{{"count", m.count()},       {"nan", m.nan_count()},
                       {"pos_inf", m.positive_infinity_count()}, {"neg_inf", m.negative_infinity_count()},
                       {"mean", num(m.mean())},    {"variance", num(m.variance())},
                       {"min", num(m.minimum())},      {"max", num(m.maximum())}};
}

}  // namespace mldp::sketch

template <>
struct fmt::formatter<mldp::sketch::moments> {
    constexpr auto parse(format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const mldp::sketch::moments& m, Ctx& ctx) const {
        return fmt::format_to(ctx.out(), "moments(n={}, mean={:.6g}, sd={:.6g}, min={:.6g}, max={:.6g}, nan={}, inf={})",
                              m.count(), m.mean(), m.stddev(), m.minimum(), m.maximum(), m.nan_count(),
                              m.positive_infinity_count() + m.negative_infinity_count());
    }
};

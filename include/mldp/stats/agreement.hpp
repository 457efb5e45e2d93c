// mldp — agreement between raters: Cohen's kappa for two raters (unweighted, linear or quadratic
// weights; scikit-learn's cohen_kappa_score on labels, statsmodels' cohens_kappa on a confusion
// table), Fleiss' kappa for many raters (statsmodels' fleiss_kappa) and Krippendorff's alpha for any
// number of raters with missing ratings (Krippendorff 2011, the `krippendorff` package's alpha).
// Label noise between annotators bounds what a model trained on their labels can learn; these say
// how much of the agreement is beyond chance.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <xtensor/xexpression.hpp>
#include <xtensor/xtensor.hpp>

#include "mldp/core/contiguous.hpp"
#include "mldp/core/detail/json.hpp"
#include "mldp/core/error.hpp"
#include "mldp/core/numeric.hpp"

namespace mldp::stats {

/// Weights of Cohen's kappa over category indices i, j in 0..k-1 (the sorted categories): `none`
/// counts only exact agreement; `linear` and `quadratic` give partial credit 1 - |i-j|/(k-1) and
/// 1 - (i-j)^2/(k-1)^2, as scikit-learn's weights='linear'/'quadratic' and statsmodels' wt=.
enum class kappa_weights { none, linear, quadratic };

/// Chance agreement of fleiss_kappa(): `fleiss` from the pooled category proportions (Fleiss 1971),
/// `randolph` uniform 1/k over the k categories (Randolph 2005, free-marginal kappa).
enum class fleiss_method { fleiss, randolph };

/// Level of measurement of krippendorff_alpha(), i.e. its difference function between values c, k:
/// nominal [c != k]; ordinal (sum of the pairable counts from c to k minus half of n_c and n_k)^2;
/// interval (c - k)^2; ratio ((c - k) / (c + k))^2 (0 when c + k = 0).
enum class alpha_level { nominal, ordinal, interval, ratio };

/// Result of cohen_kappa(): kappa = (p_o - p_e) / (1 - p_e) with the (weighted) observed and
/// chance-expected agreements; standard errors as statsmodels' std_kappa (ASE) and std_kappa0 (ASE
/// under H0: kappa = 0; z = kappa / std_error_h0). NaN when p_e = 1 (a single category).
struct kappa_result {
    double kappa = std::numeric_limits<double>::quiet_NaN();
    double observed_agreement = std::numeric_limits<double>::quiet_NaN();
    double expected_agreement = std::numeric_limits<double>::quiet_NaN();
    double std_error = std::numeric_limits<double>::quiet_NaN();
    double std_error_h0 = std::numeric_limits<double>::quiet_NaN();
    std::size_t n = 0;           ///< rated items (the table's total count)
    std::size_t categories = 0;  ///< k: the table's side, or the size of the union of both raters' labels
};

/// Result of fleiss_kappa(): kappa = (P - P_e) / (1 - P_e) with P the mean per-subject agreement and
/// P_e the chance agreement; std_error_h0 is the standard error under H0: kappa = 0 of Fleiss, Nee &
/// Landis (1979), as R's irr::kappam.fleiss (method fleiss only, NaN for randolph).
struct fleiss_result {
    double kappa = std::numeric_limits<double>::quiet_NaN();
    double observed_agreement = std::numeric_limits<double>::quiet_NaN();
    double expected_agreement = std::numeric_limits<double>::quiet_NaN();
    double std_error_h0 = std::numeric_limits<double>::quiet_NaN();
    std::size_t subjects = 0;
    std::size_t raters = 0;  ///< ratings per subject
    std::size_t categories = 0;
};

/// Result of krippendorff_alpha(): alpha = 1 - D_o / D_e, the observed and expected disagreements
/// (mean difference within units, and between any two pairable values). NaN when D_e = 0 (all
/// pairable values equal). Counts cover pairable units only (units with two or more values).
struct alpha_result {
    double alpha = std::numeric_limits<double>::quiet_NaN();
    double observed_disagreement = std::numeric_limits<double>::quiet_NaN();
    double expected_disagreement = std::numeric_limits<double>::quiet_NaN();
    std::size_t units = 0;            ///< units with at least two values
    std::size_t pairable_values = 0;  ///< n: the values in those units
    std::size_t distinct_values = 0;  ///< distinct values among them
};

namespace detail {

// A 2-D input read once into row-major doubles.
struct agreement_matrix {
    std::vector<double> values;
    std::size_t rows = 0, cols = 0;
    double operator()(std::size_t i, std::size_t j) const noexcept { return values[i * cols + j]; }
};

template <class E>
agreement_matrix agreement_read(const xt::xexpression<E>& m, const char* fn, const char* name) {
    const auto& e = m.derived_cast();
    if (e.dimension() != 2) {
        throw invalid_argument(std::string("mldp::stats::") + fn + ": " + name + " must be 2-D, got " +
                               std::to_string(e.dimension()) + " dimensions");
    }
    const xt::xtensor<double, 2> t = e;
    agreement_matrix out;
    out.rows = t.shape()[0];
    out.cols = t.shape()[1];
    out.values.assign(t.data(), t.data() + t.size());
    return out;
}

template <class T>
agreement_matrix agreement_read(const std::vector<std::vector<T>>& m, const char* fn, const char* name) {
    static_assert(std::is_arithmetic_v<T>, "mldp::stats: a nested-vector matrix must hold arithmetic values");
    agreement_matrix out;
    out.rows = m.size();
    out.cols = m.empty() ? 0 : m[0].size();
    out.values.reserve(out.rows * out.cols);
    for (std::size_t i = 0; i < m.size(); ++i) {
        if (m[i].size() != out.cols) {
            throw invalid_argument(std::string("mldp::stats::") + fn + ": row " + std::to_string(i) + " of " + name +
                                   " has " + std::to_string(m[i].size()) + " entries and row 0 has " +
                                   std::to_string(out.cols) + "; every row must have the same length");
        }
        for (const T& v : m[i]) out.values.push_back(static_cast<double>(v));
    }
    return out;
}

// Every cell a finite, non-negative integer (a count); throws data_error naming the matrix row.
inline void agreement_check_counts(const agreement_matrix& m, const char* fn, const char* name) {
    for (std::size_t i = 0; i < m.rows; ++i) {
        for (std::size_t j = 0; j < m.cols; ++j) {
            const double v = m(i, j);
            if (!(v >= 0.0) || std::isinf(v) || v != std::floor(v)) {
                throw data_error(name, i, std::string(fn) + ": cell (" + std::to_string(i) + ", " + std::to_string(j) +
                                              ") is " + std::to_string(v) + "; counts must be non-negative integers");
            }
        }
    }
}

// Cohen's kappa from the k x k table given as its row and column totals and its non-zero cells.
// Agreement weights w_ij (1 on the diagonal), disagreement d_ij = 1 - w_ij. O(cells + k^2), O(k) memory.
struct kappa_cell {
    std::size_t i, j;
    double count;
};

inline double kappa_agreement_weight(std::size_t i, std::size_t j, std::size_t k, kappa_weights w) noexcept {
    if (i == j) return 1.0;
    if (w == kappa_weights::none) return 0.0;
    const double d = std::fabs(static_cast<double>(i) - static_cast<double>(j)) / static_cast<double>(k - 1);
    return 1.0 - (w == kappa_weights::linear ? d : d * d);
}

inline kappa_result kappa_kernel(const std::vector<double>& row_totals, const std::vector<double>& col_totals,
                                 const std::vector<kappa_cell>& cells, kappa_weights w) {
    const std::size_t k = row_totals.size();
    neumaier_sum total_sum;
    for (double v : row_totals) total_sum.add(v);
    const double nobs = total_sum.value();
    std::vector<double> r(k), c(k);
    for (std::size_t i = 0; i < k; ++i) {
        r[i] = row_totals[i] / nobs;
        c[i] = col_totals[i] / nobs;
    }
    kappa_result out;
    out.n = static_cast<std::size_t>(nobs);
    out.categories = k;
    double po = 0.0, pe = 0.0;
    if (w == kappa_weights::none || k == 1) {
        // statsmodels' simple kappa: (agree / nobs - agree_exp) / (1 - agree_exp).
        neumaier_sum agree, expected;
        for (const auto& cell : cells) {
            if (cell.i == cell.j) agree.add(cell.count);
        }
        for (std::size_t i = 0; i < k; ++i) expected.add(r[i] * c[i]);
        po = agree.value() / nobs;
        pe = expected.value();
        out.kappa = (po - pe) / (1.0 - pe);
    } else {
        // sklearn and statsmodels: 1 - sum(d * observed) / sum(d * expected); scale-free in d.
        neumaier_sum dis_o, dis_e;
        for (const auto& cell : cells) dis_o.add((1.0 - kappa_agreement_weight(cell.i, cell.j, k, w)) * cell.count);
        for (std::size_t i = 0; i < k; ++i)
            for (std::size_t j = 0; j < k; ++j) dis_e.add((1.0 - kappa_agreement_weight(i, j, k, w)) * r[i] * c[j]);
        const double d_o = dis_o.value() / nobs, d_e = dis_e.value();
        po = 1.0 - d_o;
        pe = 1.0 - d_e;
        out.kappa = d_e > 0.0 ? 1.0 - d_o / d_e : std::numeric_limits<double>::quiet_NaN();
    }
    out.observed_agreement = po;
    out.expected_agreement = pe;
    if (!(pe < 1.0) || std::isnan(out.kappa)) {
        out.kappa = std::numeric_limits<double>::quiet_NaN();
        return out;
    }
    // Fleiss, Cohen & Everitt (1969), as statsmodels (the SAS manual's formulas): with
    // w_row_i = sum_j c_j w_ij and w_col_j = sum_i r_i w_ij,
    //   var  = [sum p_ij (w_ij - (w_row_i + w_col_j)(1 - kappa))^2 - (kappa - p_e (1 - kappa))^2] / ((1 - p_e)^2 n)
    //   var0 = [sum r_i c_j (w_ij - (w_row_i + w_col_j))^2 - p_e^2] / ((1 - p_e)^2 n).
    // With w = identity they reduce to statsmodels' unweighted expressions.
    std::vector<double> w_row(k, 0.0), w_col(k, 0.0);
    for (std::size_t i = 0; i < k; ++i) {
        neumaier_sum sr, sc;
        for (std::size_t j = 0; j < k; ++j) {
            sr.add(c[j] * kappa_agreement_weight(i, j, k, w));
            sc.add(r[j] * kappa_agreement_weight(j, i, k, w));
        }
        w_row[i] = sr.value();
        w_col[i] = sc.value();
    }
    const double kappa = out.kappa, fac = 1.0 / ((1.0 - pe) * (1.0 - pe) * nobs);
    neumaier_sum term_a, term_0;
    for (const auto& cell : cells) {
        const double t = kappa_agreement_weight(cell.i, cell.j, k, w) - (w_row[cell.i] + w_col[cell.j]) * (1.0 - kappa);
        term_a.add(cell.count / nobs * t * t);
    }
    for (std::size_t i = 0; i < k; ++i) {
        for (std::size_t j = 0; j < k; ++j) {
            const double t = kappa_agreement_weight(i, j, k, w) - (w_row[i] + w_col[j]);
            term_0.add(r[i] * c[j] * t * t);
        }
    }
    const double shift = kappa - pe * (1.0 - kappa);
    // Rounding can leave a variance a few ulp below zero (perfect agreement): read it as zero.
    out.std_error = std::sqrt((std::max)(0.0, (term_a.value() - shift * shift) * fac));
    out.std_error_h0 = std::sqrt((std::max)(0.0, (term_0.value() - pe * pe) * fac));
    return out;
}

// Labels of one rater: integers as int64, or strings (any range of values convertible to string_view).
template <class D, class = void>
struct is_string_label_source : std::false_type {};
template <class D>
struct is_string_label_source<D, std::enable_if_t<!mldp::detail::is_xexpression_v<D> && mldp::detail::is_iterable<D>::value>>
    : std::bool_constant<std::is_convertible_v<const mldp::detail::range_value_t<D>&, std::string_view> &&
                         !std::is_arithmetic_v<mldp::detail::range_value_t<D>>> {};
template <class X>
inline constexpr bool is_string_label_source_v = is_string_label_source<std::remove_cv_t<std::remove_reference_t<X>>>::value;

template <class X>
std::vector<std::int64_t> kappa_integer_labels(X&& x, const char* name) {
    using D = std::remove_cv_t<std::remove_reference_t<X>>;
    using V = std::conditional_t<mldp::detail::is_xexpression_v<D>, typename D::value_type, mldp::detail::range_value_t<D>>;
    std::vector<std::int64_t> out;
    if constexpr (std::is_floating_point_v<V>) {
        const auto v = evaluate_contiguous<double>(std::forward<X>(x));
        out.resize(v.size());
        constexpr double two63 = 9223372036854775808.0;
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (std::isnan(v[i])) {
                throw data_error(name, i, "cohen_kappa: a label is NaN; drop the items either rater left unlabelled");
            }
            if (v[i] != std::floor(v[i]) || !(v[i] >= -two63 && v[i] < two63)) {
                throw data_error(name, i, "cohen_kappa: label " + std::to_string(v[i]) +
                                              " is not an integer; labels are integers or strings");
            }
            out[i] = static_cast<std::int64_t>(v[i]);
        }
    } else if constexpr (std::is_unsigned_v<V> && sizeof(V) >= sizeof(std::int64_t)) {
        const auto v = evaluate_contiguous<std::uint64_t>(std::forward<X>(x));
        out.resize(v.size());
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (v[i] > static_cast<std::uint64_t>((std::numeric_limits<std::int64_t>::max)())) {
                throw data_error(name, i, "cohen_kappa: label " + std::to_string(v[i]) + " exceeds the int64 range");
            }
            out[i] = static_cast<std::int64_t>(v[i]);
        }
    } else {
        auto v = evaluate_contiguous<std::int64_t>(std::forward<X>(x));
        out = std::move(v).release();
    }
    return out;
}

template <class X>
std::vector<std::string_view> kappa_string_labels(const X& x) {
    std::vector<std::string_view> out;
    for (const auto& v : x) out.emplace_back(std::string_view(v));
    return out;
}

// Kappa from two label columns: categories are the sorted union (sklearn's unique_labels); the table
// is built from its non-zero cells, so memory stays O(n + k) even when every label is distinct.
template <class L>
kappa_result kappa_from_labels(const std::vector<L>& a, const std::vector<L>& b, kappa_weights w) {
    if (a.size() != b.size()) {
        throw invalid_argument("mldp::stats::cohen_kappa: rater_a has " + std::to_string(a.size()) +
                               " labels and rater_b has " + std::to_string(b.size()) + "; they must match");
    }
    if (a.empty()) throw data_error("rater_a", data_error::no_row, "cohen_kappa: no labels");
    std::vector<L> cats;
    cats.reserve(2 * a.size());
    cats.insert(cats.end(), a.begin(), a.end());
    cats.insert(cats.end(), b.begin(), b.end());
    std::sort(cats.begin(), cats.end());
    cats.erase(std::unique(cats.begin(), cats.end()), cats.end());
    const std::size_t k = cats.size(), n = a.size();
    auto index = [&cats](const L& v) {
        return static_cast<std::size_t>(std::lower_bound(cats.begin(), cats.end(), v) - cats.begin());
    };
    std::vector<double> rows(k, 0.0), cols(k, 0.0);
    std::vector<std::pair<std::size_t, std::size_t>> pairs(n);
    for (std::size_t t = 0; t < n; ++t) {
        pairs[t] = {index(a[t]), index(b[t])};
        rows[pairs[t].first] += 1.0;
        cols[pairs[t].second] += 1.0;
    }
    std::sort(pairs.begin(), pairs.end());
    std::vector<kappa_cell> cells;
    for (std::size_t t = 0; t < n;) {
        std::size_t u = t;
        while (u < n && pairs[u] == pairs[t]) ++u;
        cells.push_back({pairs[t].first, pairs[t].second, static_cast<double>(u - t)});
        t = u;
    }
    return kappa_kernel(rows, cols, cells, w);
}

inline kappa_result kappa_from_matrix(const agreement_matrix& m, kappa_weights w) {
    constexpr const char* fn = "cohen_kappa_from_table";
    if (m.rows != m.cols) {
        throw invalid_argument(std::string("mldp::stats::") + fn + ": the table must be square (k x k), got " +
                               std::to_string(m.rows) + " x " + std::to_string(m.cols));
    }
    if (m.rows == 0) throw data_error("table", data_error::no_row, std::string(fn) + ": the table is empty");
    agreement_check_counts(m, fn, "table");
    const std::size_t k = m.rows;
    std::vector<double> rows(k, 0.0), cols(k, 0.0);
    std::vector<kappa_cell> cells;
    for (std::size_t i = 0; i < k; ++i) {
        for (std::size_t j = 0; j < k; ++j) {
            const double v = m(i, j);
            rows[i] += v;
            cols[j] += v;
            if (v > 0.0) cells.push_back({i, j, v});
        }
    }
    if (cells.empty()) throw data_error("table", data_error::no_row, std::string(fn) + ": every count is zero");
    return kappa_kernel(rows, cols, cells, w);
}

inline fleiss_result fleiss_from_matrix(const agreement_matrix& m, fleiss_method method) {
    constexpr const char* fn = "fleiss_kappa";
    if (m.rows == 0 || m.cols == 0) {
        throw data_error("counts", data_error::no_row, std::string(fn) + ": the subjects x categories table is empty");
    }
    agreement_check_counts(m, fn, "counts");
    const std::size_t subjects = m.rows, k = m.cols;
    std::vector<double> row_totals(subjects);
    for (std::size_t i = 0; i < subjects; ++i) row_totals[i] = pairwise_sum(m.values.data() + i * k, k);
    const double raters = row_totals[0];
    for (std::size_t i = 1; i < subjects; ++i) {
        if (row_totals[i] != raters) {
            throw data_error("counts", i, std::string(fn) + ": subject " + std::to_string(i) + " has " +
                                              std::to_string(static_cast<std::size_t>(row_totals[i])) +
                                              " ratings and subject 0 has " + std::to_string(static_cast<std::size_t>(raters)) +
                                              "; every subject must be rated by the same number of raters");
        }
    }
    if (raters < 2.0) {
        throw data_error("counts", 0, std::string(fn) + ": each subject has " + std::to_string(static_cast<std::size_t>(raters)) +
                                          " ratings; agreement needs at least 2 raters per subject");
    }
    fleiss_result out;
    out.subjects = subjects;
    out.raters = static_cast<std::size_t>(raters);
    out.categories = k;
    const double total = raters * static_cast<double>(subjects);
    // statsmodels: p_rat_i = (sum_j n_ij^2 - n) / (n (n - 1)), averaged as numpy's mean.
    std::vector<double> p_subject(subjects), squares(k);
    for (std::size_t i = 0; i < subjects; ++i) {
        for (std::size_t j = 0; j < k; ++j) squares[j] = m(i, j) * m(i, j);
        p_subject[i] = (pairwise_sum(squares.data(), k) - raters) / (raters * (raters - 1.0));
    }
    out.observed_agreement = pairwise_sum(p_subject.data(), subjects) / static_cast<double>(subjects);
    std::vector<double> p_cat(k, 0.0);
    for (std::size_t i = 0; i < subjects; ++i)
        for (std::size_t j = 0; j < k; ++j) p_cat[j] += m(i, j);
    for (double& p : p_cat) p /= total;
    double pq = 0.0, pq_skew = 0.0;
    for (std::size_t j = 0; j < k; ++j) {
        squares[j] = p_cat[j] * p_cat[j];
        pq += p_cat[j] * (1.0 - p_cat[j]);
        pq_skew += p_cat[j] * (1.0 - p_cat[j]) * ((1.0 - p_cat[j]) - p_cat[j]);
    }
    out.expected_agreement = method == fleiss_method::fleiss ? pairwise_sum(squares.data(), k) : 1.0 / static_cast<double>(k);
    out.kappa = out.expected_agreement < 1.0
                    ? (out.observed_agreement - out.expected_agreement) / (1.0 - out.expected_agreement)
                    : std::numeric_limits<double>::quiet_NaN();
    if (method == fleiss_method::fleiss && pq > 0.0) {
        // Fleiss, Nee & Landis (1979), eq. 12; irr::kappam.fleiss.
        const double var0 = 2.0 / (pq * pq * total * (raters - 1.0)) * (pq * pq - pq_skew);
        out.std_error_h0 = std::sqrt(var0);
    }
    return out;
}

// Krippendorff's alpha on a raters x units matrix with NaN for missing values.
inline alpha_result alpha_from_matrix(const agreement_matrix& m, alpha_level level) {
    constexpr const char* fn = "krippendorff_alpha";
    if (m.rows == 0 || m.cols == 0) {
        throw data_error("ratings", data_error::no_row, std::string(fn) + ": the raters x units matrix is empty");
    }
    for (std::size_t i = 0; i < m.rows; ++i) {
        for (std::size_t j = 0; j < m.cols; ++j) {
            const double v = m(i, j);
            if (std::isinf(v)) {
                throw data_error("ratings", i, std::string(fn) + ": rater " + std::to_string(i) + ", unit " +
                                                   std::to_string(j) + " is infinite (missing values are NaN)");
            }
            if (level == alpha_level::ratio && v < 0.0) {
                throw data_error("ratings", i, std::string(fn) + ": rater " + std::to_string(i) + ", unit " +
                                                   std::to_string(j) + " is " + std::to_string(v) +
                                                   "; ratio data must be non-negative");
            }
        }
    }
    // Pairable units (two or more values), each unit's values sorted and stored contiguously.
    std::vector<double> values;
    std::vector<std::size_t> starts{0};
    std::vector<double> unit;
    for (std::size_t j = 0; j < m.cols; ++j) {
        unit.clear();
        for (std::size_t i = 0; i < m.rows; ++i) {
            if (!std::isnan(m(i, j))) unit.push_back(m(i, j));
        }
        if (unit.size() < 2) continue;
        std::sort(unit.begin(), unit.end());
        values.insert(values.end(), unit.begin(), unit.end());
        starts.push_back(values.size());
    }
    alpha_result out;
    out.units = starts.size() - 1;
    out.pairable_values = values.size();
    if (out.units == 0) {
        throw data_error("ratings", data_error::no_row,
                         std::string(fn) + ": no unit has values from two or more raters, so no value is pairable");
    }
    // Distinct pairable values and their counts n_c.
    std::vector<double> domain(values);
    std::sort(domain.begin(), domain.end());
    std::vector<double> counts;
    {
        std::size_t w = 0;
        for (std::size_t t = 0; t < domain.size();) {
            std::size_t u = t;
            while (u < domain.size() && domain[u] == domain[t]) ++u;
            domain[w++] = domain[t];
            counts.push_back(static_cast<double>(u - t));
            t = u;
        }
        domain.resize(w);
    }
    const std::size_t v_count = domain.size();
    out.distinct_values = v_count;
    const double n = static_cast<double>(values.size());
    // The ordinal difference of c < k, (sum_{g=c..k} n_g - (n_c + n_k)/2)^2, is (M_k - M_c)^2 with
    // M_c = sum_{g<c} n_g + n_c / 2 (the mid-rank of c): ordinal alpha is interval alpha on mid-ranks.
    std::vector<double> score(domain);
    if (level == alpha_level::ordinal) {
        double below = 0.0;
        for (std::size_t c = 0; c < v_count; ++c) {
            score[c] = below + counts[c] / 2.0;
            below += counts[c];
        }
    }
    auto index = [&domain](double x) {
        return static_cast<std::size_t>(std::lower_bound(domain.begin(), domain.end(), x) - domain.begin());
    };
    auto ratio_delta = [](double a, double b) {
        const double s = a + b;
        if (s == 0.0) return 0.0;
        const double q = (a - b) / s;
        return q * q;
    };
    // D_o = (1/n) sum_u 1/(m_u - 1) sum_{i != j in u} delta(v_i, v_j).
    neumaier_sum within;
    std::vector<double> t_unit;
    for (std::size_t u = 0; u + 1 < starts.size(); ++u) {
        const double* x = values.data() + starts[u];
        const std::size_t mu = starts[u + 1] - starts[u];
        double pairs_sum = 0.0;
        if (level == alpha_level::nominal) {
            // m_u^2 - sum_c n_uc^2 ordered pairs of different values (x is sorted).
            double same = 0.0;
            for (std::size_t t = 0; t < mu;) {
                std::size_t e = t;
                while (e < mu && x[e] == x[t]) ++e;
                same += static_cast<double>((e - t) * (e - t));
                t = e;
            }
            pairs_sum = static_cast<double>(mu * mu) - same;
        } else if (level == alpha_level::ratio) {
            for (std::size_t a = 0; a < mu; ++a)
                for (std::size_t b = a + 1; b < mu; ++b) pairs_sum += 2.0 * ratio_delta(x[a], x[b]);
        } else {
            // sum_{i != j} (t_i - t_j)^2 = 2 m_u sum_i (t_i - mean)^2.
            t_unit.resize(mu);
            double mean = 0.0;
            for (std::size_t a = 0; a < mu; ++a) {
                t_unit[a] = level == alpha_level::ordinal ? score[index(x[a])] : x[a];
                mean += t_unit[a];
            }
            mean /= static_cast<double>(mu);
            double ss = 0.0;
            for (std::size_t a = 0; a < mu; ++a) ss += (t_unit[a] - mean) * (t_unit[a] - mean);
            pairs_sum = 2.0 * static_cast<double>(mu) * ss;
        }
        within.add(pairs_sum / static_cast<double>(mu - 1));
    }
    // D_e = 1/(n (n - 1)) sum_{c, k} n_c n_k delta(c, k).
    double between = 0.0;
    if (level == alpha_level::nominal) {
        double sq = 0.0;
        for (double c : counts) sq += c * c;
        between = n * n - sq;
    } else if (level == alpha_level::ratio) {
        neumaier_sum s;
        for (std::size_t c = 0; c < v_count; ++c)
            for (std::size_t k = c + 1; k < v_count; ++k) s.add(2.0 * counts[c] * counts[k] * ratio_delta(domain[c], domain[k]));
        between = s.value();
    } else {
        neumaier_sum mean_sum, ss;
        for (std::size_t c = 0; c < v_count; ++c) mean_sum.add(counts[c] * score[c]);
        const double mean = mean_sum.value() / n;
        for (std::size_t c = 0; c < v_count; ++c) ss.add(counts[c] * (score[c] - mean) * (score[c] - mean));
        between = 2.0 * n * ss.value();
    }
    out.observed_disagreement = within.value() / n;
    out.expected_disagreement = between / (n * (n - 1.0));
    out.alpha = out.expected_disagreement > 0.0 ? 1.0 - out.observed_disagreement / out.expected_disagreement
                                                : std::numeric_limits<double>::quiet_NaN();
    return out;
}

}  // namespace detail

/// Cohen's kappa between two raters' labels of the same items, equal to sklearn.metrics.
/// cohen_kappa_score(rater_a, rater_b, weights) (and, for the standard errors, statsmodels'
/// cohens_kappa on the confusion table). Labels: integers (any integer type, or floating values that
/// are integral) or strings; categories are the sorted union of both raters' labels, so weights use
/// category ranks, not label values. O(n log n + k^2) time, O(n + k) memory. Throws invalid_argument
/// for different lengths, data_error for no labels or a NaN / non-integral label (naming rater and row).
template <class A, class B>
kappa_result cohen_kappa(A&& rater_a, B&& rater_b, kappa_weights weights = kappa_weights::none) {
    constexpr bool a_str = detail::is_string_label_source_v<A>, b_str = detail::is_string_label_source_v<B>;
    if constexpr (a_str && b_str) {
        return detail::kappa_from_labels(detail::kappa_string_labels(rater_a), detail::kappa_string_labels(rater_b), weights);
    } else {
        static_assert(is_numeric_source_v<A> && is_numeric_source_v<B>,
                      "mldp::stats::cohen_kappa: both raters' labels must be integer columns (std::vector<int>, "
                      "xt::xtensor<std::int64_t, 1>, integral doubles, ...) or both string columns "
                      "(std::vector<std::string>, std::vector<std::string_view>)");
        return detail::kappa_from_labels(detail::kappa_integer_labels(std::forward<A>(rater_a), "rater_a"),
                                         detail::kappa_integer_labels(std::forward<B>(rater_b), "rater_b"), weights);
    }
}

/// Cohen's kappa from a k x k confusion table (rater a in rows, rater b in columns), equal to
/// statsmodels.stats.inter_rater.cohens_kappa(table, wt=None / 'linear' / 'quadratic'): kappa,
/// std_kappa and std_kappa0. Weights use the table's row indices, so an all-zero category still
/// counts in the distances (sklearn, working from labels, would not see it). O(k^2). Throws
/// invalid_argument for a table that is not 2-D and square, data_error for an empty or all-zero
/// table or a cell that is not a non-negative integer (naming the table row).
template <class E>
kappa_result cohen_kappa_from_table(const xt::xexpression<E>& table, kappa_weights weights = kappa_weights::none) {
    return detail::kappa_from_matrix(detail::agreement_read(table, "cohen_kappa_from_table", "table"), weights);
}

/// cohen_kappa_from_table() on a nested std::vector (rows of equal length; `{{0, 4}, {1, 5}}` works).
template <class T = double>
kappa_result cohen_kappa_from_table(const std::vector<std::vector<T>>& table, kappa_weights weights = kappa_weights::none) {
    return detail::kappa_from_matrix(detail::agreement_read(table, "cohen_kappa_from_table", "table"), weights);
}

/// Fleiss' kappa (Fleiss 1971) on a subjects x categories table of rating counts, equal to
/// statsmodels.stats.inter_rater.fleiss_kappa(counts, method='fleiss' / 'randolph'); NaN when the
/// chance agreement is 1. O(subjects x categories). Throws invalid_argument for input that is not
/// 2-D (or ragged), data_error for an empty table, a count that is not a non-negative integer, fewer
/// than 2 raters, or a subject whose ratings do not sum to those of subject 0 (naming the row).
template <class E>
fleiss_result fleiss_kappa(const xt::xexpression<E>& counts, fleiss_method method = fleiss_method::fleiss) {
    return detail::fleiss_from_matrix(detail::agreement_read(counts, "fleiss_kappa", "counts"), method);
}

/// fleiss_kappa() on a nested std::vector (one row per subject).
template <class T = double>
fleiss_result fleiss_kappa(const std::vector<std::vector<T>>& counts, fleiss_method method = fleiss_method::fleiss) {
    return detail::fleiss_from_matrix(detail::agreement_read(counts, "fleiss_kappa", "counts"), method);
}

/// Krippendorff's alpha (Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability") on a
/// raters x units matrix with NaN for missing ratings, equal to krippendorff.alpha(reliability_data,
/// level_of_measurement) of the `krippendorff` package; units with fewer than 2 values are dropped.
/// O(values log values), ratio level O(values^2). Throws invalid_argument for non-2-D or ragged input,
/// data_error for an empty matrix, an infinite (or, at ratio level, negative) value, or no pairable unit.
template <class E>
alpha_result krippendorff_alpha(const xt::xexpression<E>& ratings, alpha_level level) {
    return detail::alpha_from_matrix(detail::agreement_read(ratings, "krippendorff_alpha", "ratings"), level);
}

/// krippendorff_alpha() on a nested std::vector (one row per rater, NaN where a rater gave no value).
template <class T = double>
alpha_result krippendorff_alpha(const std::vector<std::vector<T>>& ratings, alpha_level level) {
    return detail::alpha_from_matrix(detail::agreement_read(ratings, "krippendorff_alpha", "ratings"), level);
}

/// JSON of a kappa: every field by name, null for NaN.
inline void to_json(nlohmann::json& j, const kappa_result& r) {
    const auto num = mldp::detail::json_number;
    j = nlohmann::json{{"kappa", num(r.kappa)},
                       {"observed_agreement", num(r.observed_agreement)},
                       {"expected_agreement", num(r.expected_agreement)},
                       {"std_error", num(r.std_error)},
                       {"std_error_h0", num(r.std_error_h0)},
                       {"n", r.n},
                       {"categories", r.categories}};
}

/// JSON of Fleiss' kappa: every field by name, null for NaN.
inline void to_json(nlohmann::json& j, const fleiss_result& r) {
    const auto num = mldp::detail::json_number;
    j = nlohmann::json{{"kappa", num(r.kappa)},
                       {"observed_agreement", num(r.observed_agreement)},
                       {"expected_agreement", num(r.expected_agreement)},
                       {"std_error_h0", num(r.std_error_h0)},
                       {"subjects", r.subjects},
                       {"raters", r.raters},
                       {"categories", r.categories}};
}

/// JSON of Krippendorff's alpha: every field by name, null for NaN.
inline void to_json(nlohmann::json& j, const alpha_result& r) {
    const auto num = mldp::detail::json_number;
    j = nlohmann::json{{"alpha", num(r.alpha)},
                       {"observed_disagreement", num(r.observed_disagreement)},
                       {"expected_disagreement", num(r.expected_disagreement)},
                       {"units", r.units},
                       {"pairable_values", r.pairable_values},
                       {"distinct_values", r.distinct_values}};
}

}  // namespace mldp::stats

/// Prints a kappa on one line: kappa, agreements, standard error, n and categories.
template <>
struct fmt::formatter<mldp::stats::kappa_result> {
    constexpr auto parse(format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const mldp::stats::kappa_result& r, Ctx& ctx) const {
        return fmt::format_to(ctx.out(), "kappa {:.4f} (observed {:.4f}, expected {:.4f}, se {:.4f}; n={} categories={})",
                              r.kappa, r.observed_agreement, r.expected_agreement, r.std_error, r.n, r.categories);
    }
};

/// Prints Fleiss' kappa on one line: kappa, agreements, and the table's shape.
template <>
struct fmt::formatter<mldp::stats::fleiss_result> {
    constexpr auto parse(format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const mldp::stats::fleiss_result& r, Ctx& ctx) const {
        return fmt::format_to(ctx.out(), "kappa {:.4f} (observed {:.4f}, expected {:.4f}; subjects={} raters={} categories={})",
                              r.kappa, r.observed_agreement, r.expected_agreement, r.subjects, r.raters, r.categories);
    }
};

/// Prints Krippendorff's alpha on one line: alpha, disagreements and the pairable data's size.
template <>
struct fmt::formatter<mldp::stats::alpha_result> {
    constexpr auto parse(format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const mldp::stats::alpha_result& r, Ctx& ctx) const {
        return fmt::format_to(ctx.out(),
                              "alpha {:.4f} (observed disagreement {:.6g}, expected {:.6g}; units={} values={} distinct={})",
                              r.alpha, r.observed_disagreement, r.expected_disagreement, r.units, r.pairable_values,
                              r.distinct_values);
    }
};

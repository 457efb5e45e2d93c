// mldp — representativeness: is a sample drawn like its population (sampling bias)? Every column the
// sample shares with a population reference is tested — categorical columns by a chi-square goodness of
// fit of the sample's category counts against the population's shares, numeric columns by a two-sample
// Kolmogorov-Smirnov test — the p-values corrected across columns, and the largest discrepancies named.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "mldp/core/column.hpp"
#include "mldp/core/detail/json.hpp"
#include "mldp/core/error.hpp"
#include "mldp/core/frame.hpp"
#include "mldp/core/quantile.hpp"
#include "mldp/stats/contingency.hpp"
#include "mldp/stats/ks.hpp"
#include "mldp/stats/multiple_testing.hpp"

namespace mldp::audit {

/// Options of representativeness(): the family-wise level `alpha` applied to the corrected p-values,
/// the correction across columns (Holm by default), the columns to test (empty: every column of the
/// sample that the population reference also has), and how many categories to name per categorical
/// column (at least 1).
struct representativeness_options {
    double alpha = 0.05;
    stats::correction correction = stats::correction::holm;
    std::vector<std::string> columns;
    std::size_t top_categories = 3;
};

/// A category's share of the sample and of the population (over non-missing values).
struct category_discrepancy {
    std::string category;
    std::size_t sample_count = 0, population_count = 0;
    double sample_share = 0.0, population_share = 0.0;
};

/// One tested column. Categorical: `statistic` is scipy.stats.chisquare(observed sample counts,
/// expected = sample size x population shares) over the categories the population holds, `df` = K - 1,
/// `effect_size` Cramer's V for goodness of fit sqrt(chi2 / (n (K - 1))) (rcompanion's cramerVFit; 1
/// when a uniform population's sample falls in one category, above 1 possible for rare categories);
/// `largest_categories` the categories by descending |share gap|. Numeric: scipy.stats.ks_2samp(sample,
/// population), `effect_size` = D, and the largest gap between sample and population quantiles at
/// p = 0.05, 0.10, ..., 0.95 (numpy.quantile). Missing values (NaN, code -1) are left out and counted.
struct column_representativeness {
    std::string column;
    column_kind kind = column_kind::numeric;
    std::string test;  ///< "chisquare" or "ks_2samp"
    double statistic = std::numeric_limits<double>::quiet_NaN();
    double p_value = std::numeric_limits<double>::quiet_NaN();
    double p_adjusted = std::numeric_limits<double>::quiet_NaN();  ///< corrected across tested columns
    double df = std::numeric_limits<double>::quiet_NaN();          ///< chi-square degrees of freedom, NaN for KS
    double effect_size = std::numeric_limits<double>::quiet_NaN(); ///< Cramer's V or KS D
    std::size_t sample_count = 0, population_count = 0;       ///< non-missing values
    std::size_t sample_missing = 0, population_missing = 0;
    /// True when p_adjusted <= alpha, or the sample holds categories the population never shows.
    bool biased = false;
    std::vector<category_discrepancy> largest_categories;
    /// Sample categories absent from the population: left out of the test (their expected count is 0)
    /// and enough on their own to mark the column biased.
    std::vector<std::string> unseen_categories;
    double quantile_probability = std::numeric_limits<double>::quiet_NaN();  ///< numeric: p of the largest gap
    double sample_quantile = std::numeric_limits<double>::quiet_NaN();
    double population_quantile = std::numeric_limits<double>::quiet_NaN();
    double statistic_location = std::numeric_limits<double>::quiet_NaN();  ///< numeric: where D is attained
    std::vector<std::string> notes;
};

/// A column that was not tested, and why.
struct skipped_column {
    std::string column;
    std::string reason;
};

/// Result of representativeness(): tested columns in the sample's column order, the biased ones ranked
/// by descending effect size (ties: smaller adjusted p-value, then name), the skipped ones, the options.
struct representativeness_report {
    std::vector<column_representativeness> columns;
    std::vector<std::string> biased;
    std::vector<skipped_column> skipped;
    representativeness_options options;
};

namespace detail {

// Counts of each dictionary entry of a categorical column, and its missing count.
inline std::vector<std::size_t> category_counts(const categorical_column& c, std::size_t& missing) {
    std::vector<std::size_t> counts(c.dictionary().size(), 0);
    missing = 0;
    for (std::int32_t code : c.codes()) {
        if (code == categorical_column::missing_code) {
            ++missing;
        } else {
            ++counts[static_cast<std::size_t>(code)];
        }
    }
    return counts;
}

inline void test_categorical(column_representativeness& r, const categorical_column& s, const categorical_column& p,
                             std::size_t top) {
    r.test = "chisquare";
    const std::vector<std::size_t> sc = category_counts(s, r.sample_missing);
    const std::vector<std::size_t> pc = category_counts(p, r.population_missing);
    std::size_t ns = 0, np = 0;
    for (auto c : sc) ns += c;
    for (auto c : pc) np += c;
    r.sample_count = ns;
    r.population_count = np;

    // Categories: the population's present ones in its dictionary order, then the sample's unseen ones.
    std::vector<category_discrepancy> cats;
    std::vector<double> observed, expected_share;
    for (std::size_t j = 0; j < pc.size(); ++j) {
        if (pc[j] == 0) continue;
        category_discrepancy d;
        d.category = p.dictionary()[j];
        d.population_count = pc[j];
        const auto code = s.code_of(d.category);
        d.sample_count = code ? sc[static_cast<std::size_t>(*code)] : 0;
        cats.push_back(d);
    }
    const std::size_t tested = cats.size();
    std::size_t in_population = 0;
    for (const auto& d : cats) in_population += d.sample_count;
    for (std::size_t j = 0; j < sc.size(); ++j) {
        if (sc[j] == 0) continue;
        const auto code = p.code_of(s.dictionary()[j]);
        if (code && pc[static_cast<std::size_t>(*code)] > 0) continue;
        category_discrepancy d;
        d.category = s.dictionary()[j];
        d.sample_count = sc[j];
        r.unseen_categories.push_back(d.category);
        cats.push_back(d);
    }
    for (auto& d : cats) {
        d.sample_share = static_cast<double>(d.sample_count) / static_cast<double>(ns);
        d.population_share = static_cast<double>(d.population_count) / static_cast<double>(np);
    }
    if (!r.unseen_categories.empty()) {
        r.notes.push_back(std::to_string(ns - in_population) + " sample value(s) in " +
                          std::to_string(r.unseen_categories.size()) +
                          (r.unseen_categories.size() == 1 ? " category" : " categories") +
                          " the population never shows; left out of the test");
    }

    if (tested >= 2 && in_population > 0) {
        std::vector<double> obs(tested), exp(tested);
        for (std::size_t k = 0; k < tested; ++k) {
            obs[k] = static_cast<double>(cats[k].sample_count);
            exp[k] = static_cast<double>(in_population) *
                     (static_cast<double>(cats[k].population_count) / static_cast<double>(np));
        }
        const stats::test_result t = stats::chisquare(obs, exp);
        r.statistic = t.statistic;
        r.p_value = t.p_value;
        r.df = t.df;
        r.effect_size = std::sqrt(t.statistic / static_cast<double>(in_population) / static_cast<double>(tested - 1));
    } else {
        // One population category (or no sample value in any): nothing to fit, nothing to reject.
        r.statistic = 0.0;
        r.p_value = 1.0;
        r.df = 0.0;
        r.effect_size = 0.0;
        r.notes.push_back(tested < 2 ? "the population holds fewer than 2 categories; no goodness-of-fit test"
                                     : "no sample value falls in a population category; no goodness-of-fit test");
    }

    std::stable_sort(cats.begin(), cats.end(), [](const category_discrepancy& a, const category_discrepancy& b) {
        return std::fabs(a.sample_share - a.population_share) > std::fabs(b.sample_share - b.population_share);
    });
    if (cats.size() > top) cats.resize(top);
    r.largest_categories = std::move(cats);
}

inline std::vector<double> finite_or_throw(numeric_view v, const std::string& column, const char* frame_name,
                                           std::size_t& missing) {
    std::vector<double> out;
    out.reserve(v.size());
    missing = 0;
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (std::isnan(v[i])) {
            ++missing;
        } else if (std::isinf(v[i])) {
            throw data_error(column, i,
                             std::string("mldp::audit::representativeness: ") + frame_name + " holds " +
                                 (v[i] > 0 ? "+Inf" : "-Inf") + " (only finite values, and NaN as missing)");
        } else {
            out.push_back(v[i]);
        }
    }
    return out;
}

inline void test_numeric(column_representativeness& r, const std::vector<double>& s, const std::vector<double>& p) {
    r.test = "ks_2samp";
    r.sample_count = s.size();
    r.population_count = p.size();
    const stats::ks_result k = stats::ks_2samp(s, p);
    r.statistic = k.statistic;
    r.p_value = k.p_value;
    r.effect_size = k.statistic;
    r.statistic_location = k.statistic_location;
    std::vector<double> probs(19);
    for (std::size_t i = 0; i < probs.size(); ++i) probs[i] = static_cast<double>(i + 1) / 20.0;
    const std::vector<double> qs = quantiles(s.data(), s.size(), probs);
    const std::vector<double> qp = quantiles(p.data(), p.size(), probs);
    std::size_t best = 0;
    for (std::size_t i = 1; i < probs.size(); ++i) {
        if (std::fabs(qs[i] - qp[i]) > std::fabs(qs[best] - qp[best])) best = i;
    }
    r.quantile_probability = probs[best];
    r.sample_quantile = qs[best];
    r.population_quantile = qp[best];
}

}  // namespace detail

/// Tests whether `sample` is distributed like `population_reference`, column by column (see
/// column_representativeness), corrects the p-values across the tested columns with
/// stats::adjust_p_values (statsmodels multipletests; Holm by default) and ranks the biased columns.
/// Columns in one frame only, of different kinds, of time kind, or without a non-missing value on a
/// side are listed in `skipped`. O(sum of n log n). Throws invalid_argument for alpha outside (0, 1),
/// top_categories 0 or an option column missing from the sample; data_error for an empty frame or an
/// infinite value (column, row).
inline representativeness_report representativeness(const frame& sample, const frame& population_reference,
                                                    const representativeness_options& options = {}) {
    const char* fn = "mldp::audit::representativeness: ";
    if (!(options.alpha > 0.0 && options.alpha < 1.0)) {
        throw invalid_argument(std::string(fn) + "alpha must be in (0, 1), got " + std::to_string(options.alpha));
    }
    if (options.top_categories == 0) throw invalid_argument(std::string(fn) + "top_categories must be at least 1");
    if (sample.rows() == 0) throw data_error("sample", data_error::no_row, std::string(fn) + "the sample has no rows");
    if (population_reference.rows() == 0) {
        throw data_error("population_reference", data_error::no_row, std::string(fn) + "the population reference has no rows");
    }
    std::vector<std::string> names = options.columns;
    if (names.empty()) {
        names = sample.names();
    } else {
        for (std::size_t i = 0; i < names.size(); ++i) {
            const auto& name = names[i];
            if (!sample.contains(name)) {
                throw invalid_argument(std::string(fn) + "options.columns names '" + name + "', which the sample lacks");
            }
            for (std::size_t k = 0; k < i; ++k) {
                if (names[k] == name) {
                    throw invalid_argument(std::string(fn) + "options.columns names '" + name + "' twice (it would count twice in the correction)");
                }
            }
        }
    }

    representativeness_report rep;
    rep.options = options;
    for (const auto& name : names) {
        if (!population_reference.contains(name)) {
            rep.skipped.push_back({name, "only in the sample"});
            continue;
        }
        const column_kind ks = sample.kind(name), kp = population_reference.kind(name);
        if (ks != kp) {
            rep.skipped.push_back({name, "numeric in one frame and categorical or time in the other"});
            continue;
        }
        if (ks == column_kind::time) {
            rep.skipped.push_back({name, "time columns are not compared"});
            continue;
        }
        column_representativeness r;
        r.column = name;
        r.kind = ks;
        if (ks == column_kind::categorical) {
            const auto& s = sample.categorical(name);
            const auto& p = population_reference.categorical(name);
            std::size_t ms = 0, mp = 0;
            detail::category_counts(s, ms);
            detail::category_counts(p, mp);
            if (ms == s.size() || mp == p.size()) {
                rep.skipped.push_back({name, ms == s.size() ? "every sample value is missing"
                                                            : "every population value is missing"});
                continue;
            }
            detail::test_categorical(r, s, p, options.top_categories);
        } else {
            std::size_t ms = 0, mp = 0;
            const auto s = detail::finite_or_throw(sample.numeric(name), name, "the sample", ms);
            const auto p = detail::finite_or_throw(population_reference.numeric(name), name, "the population reference", mp);
            if (s.empty() || p.empty()) {
                rep.skipped.push_back({name, s.empty() ? "every sample value is missing" : "every population value is missing"});
                continue;
            }
            detail::test_numeric(r, s, p);
            r.sample_missing = ms;
            r.population_missing = mp;
        }
        rep.columns.push_back(std::move(r));
    }
    if (options.columns.empty()) {
        for (const auto& name : population_reference.names()) {
            if (!sample.contains(name)) rep.skipped.push_back({name, "only in the population reference"});
        }
    }

    std::vector<double> p(rep.columns.size());
    for (std::size_t i = 0; i < p.size(); ++i) p[i] = rep.columns[i].p_value;
    const std::vector<double> adjusted = stats::adjust_p_values(p, options.correction);
    std::vector<const column_representativeness*> ranked;
    for (std::size_t i = 0; i < p.size(); ++i) {
        auto& r = rep.columns[i];
        r.p_adjusted = adjusted[i];
        r.biased = r.p_adjusted <= options.alpha || !r.unseen_categories.empty();
        if (r.biased) ranked.push_back(&r);
    }
    std::stable_sort(ranked.begin(), ranked.end(), [](const column_representativeness* a, const column_representativeness* b) {
        if (a->effect_size != b->effect_size) return a->effect_size > b->effect_size;
        if (a->p_adjusted != b->p_adjusted) return a->p_adjusted < b->p_adjusted;
        return a->column < b->column;
    });
    for (const auto* r : ranked) rep.biased.push_back(r->column);
    return rep;
}

/// JSON of a category discrepancy: category, counts and shares.
inline void to_json(nlohmann::json& j, const category_discrepancy& d) {
    j = nlohmann::json{{"category", d.category},
                       {"sample_count", d.sample_count},
                       {"population_count", d.population_count},
                       {"sample_share", mldp::detail::json_number(d.sample_share)},
                       {"population_share", mldp::detail::json_number(d.population_share)}};
}

/// JSON of a tested column: every field by name; the numeric-only fields are null for categoricals.
inline void to_json(nlohmann::json& j, const column_representativeness& r) {
    const auto num = mldp::detail::json_number;
    j = nlohmann::json{{"column", r.column},
                       {"kind", std::string(to_string(r.kind))},
                       {"test", r.test},
                       {"statistic", num(r.statistic)},
                       {"p_value", num(r.p_value)},
                       {"p_adjusted", num(r.p_adjusted)},
                       {"df", num(r.df)},
                       {"effect_size", num(r.effect_size)},
                       {"sample_count", r.sample_count},
                       {"population_count", r.population_count},
                       {"sample_missing", r.sample_missing},
                       {"population_missing", r.population_missing},
                       {"biased", r.biased},
                       {"largest_categories", r.largest_categories},
                       {"unseen_categories", r.unseen_categories},
                       {"quantile_probability", num(r.quantile_probability)},
                       {"sample_quantile", num(r.sample_quantile)},
                       {"population_quantile", num(r.population_quantile)},
                       {"statistic_location", num(r.statistic_location)},
                       {"notes", r.notes}};
}

/// JSON of a skipped column: column and reason.
inline void to_json(nlohmann::json& j, const skipped_column& s) {
    j = nlohmann::json{{"column", s.column}, {"reason", s.reason}};
}

/// Name of a correction as statsmodels spells it ("bonferroni", "holm", "fdr_bh", "fdr_by").
inline std::string correction_name(stats::correction c) {
    switch (c) {
        case stats::correction::bonferroni: return "bonferroni";
        case stats::correction::holm: return "holm";
        case stats::correction::benjamini_hochberg: return "fdr_bh";
        case stats::correction::benjamini_yekutieli: return "fdr_by";
    }
    return "?";
}

/// JSON of a report: alpha, correction, columns, biased (ranked names), skipped.
inline void to_json(nlohmann::json& j, const representativeness_report& r) {
    j = nlohmann::json{{"alpha", r.options.alpha},
                       {"correction", correction_name(r.options.correction)},
                       {"columns", r.columns},
                       {"biased", r.biased},
                       {"skipped", r.skipped}};
}

}  // namespace mldp::audit

/// Prints a tested column on one line, then its largest discrepancies: the categories with sample vs
/// population shares, or the quantile with the largest gap.
template <>
struct fmt::formatter<mldp::audit::column_representativeness> {
    constexpr auto parse(format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const mldp::audit::column_representativeness& r, Ctx& ctx) const {
        auto out = fmt::format_to(ctx.out(), "{} ({}): {} = {:.4g}, p = {:.3g} (adjusted {:.3g}), {} {:.3f}{}", r.column,
                                  mldp::to_string(r.kind), r.test, r.statistic, r.p_value, r.p_adjusted,
                                  r.kind == mldp::column_kind::categorical ? "V" : "D", r.effect_size,
                                  r.biased ? "  BIASED" : "");
        if (r.kind == mldp::column_kind::categorical) {
            for (const auto& d : r.largest_categories) {
                out = fmt::format_to(out, "\n    '{}': sample {:.1f}% vs population {:.1f}%", d.category,
                                     100.0 * d.sample_share, 100.0 * d.population_share);
            }
            for (const auto& u : r.unseen_categories) out = fmt::format_to(out, "\n    '{}' is absent from the population", u);
        } else {
            out = fmt::format_to(out, "\n    largest quantile gap at p = {:g}: sample {:.6g} vs population {:.6g}",
                                 r.quantile_probability, r.sample_quantile, r.population_quantile);
        }
        for (const auto& note : r.notes) out = fmt::format_to(out, "\n    note: {}", note);
        return out;
    }
};

/// Prints a report: the tested columns, the biased ones in rank order, the skipped ones.
template <>
struct fmt::formatter<mldp::audit::representativeness_report> {
    constexpr auto parse(format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const mldp::audit::representativeness_report& r, Ctx& ctx) const {
        auto out = fmt::format_to(ctx.out(), "representativeness: {} column(s) tested, alpha {} ({} corrected)",
                                  r.columns.size(), r.options.alpha, mldp::audit::correction_name(r.options.correction));
        for (const auto& c : r.columns) out = fmt::format_to(out, "\n  {}", c);
        out = fmt::format_to(out, "\n  biased (by effect size):");
        if (r.biased.empty()) out = fmt::format_to(out, " none");
        for (const auto& b : r.biased) out = fmt::format_to(out, " {}", b);
        for (const auto& s : r.skipped) out = fmt::format_to(out, "\n  skipped {}: {}", s.column, s.reason);
        return out;
    }
};

// mldp — simpsons_paradox: a guard against Simpson's paradox. Compares the success rate of two
// treatment levels in aggregate and within every stratum of a third variable, says whether the
// aggregate direction reverses (or vanishes) in every stratum, pools the strata with Mantel-Haenszel
// (odds ratio, risk difference, Cochran-Mantel-Haenszel and Breslow-Day tests, as in
// statsmodels.stats.contingency_tables.StratifiedTable) and explains the finding in plain English.
// scan_simpsons_paradox tries every categorical column of a frame as the stratum and ranks them.
//
// Conventions. Every stratum is the 2x2 table [[successes_a, failures_a], [successes_b, failures_b]]
// (rows: treatment level a, b; columns: success, failure), so odds ratios are odds(a) / odds(b) and
// differences are rate_a - rate_b. Everything is computed from counts, never from rounded rates.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "mldp/core/column.hpp"
#include "mldp/core/contiguous.hpp"
#include "mldp/core/detail/json.hpp"
#include "mldp/core/detail/portable_math.hpp"
#include "mldp/core/error.hpp"
#include "mldp/core/frame.hpp"
#include "mldp/stats/special.hpp"
#include "mldp/stats/test_result.hpp"

namespace mldp::audit {

/// Counts of one stratum for the counts overload of simpsons_paradox: successes out of trials for
/// treatment level a and for level b. Counts may be non-integral (weighted data) but must be finite
/// with 0 <= successes <= trials and trials > 0. The CMH and Breslow-Day tests assume counts (their
/// variances are hypergeometric): with non-integral counts, or a stratum of one trial in all, they
/// are reported as NaN.
struct stratum_counts {
    std::string name;
    double successes_a = 0.0, trials_a = 0.0;
    double successes_b = 0.0, trials_b = 0.0;
};

/// Options of simpsons_paradox and scan_simpsons_paradox.
struct simpson_options {
    /// The two treatment levels compared (a first). Both empty: the treatment must have exactly two
    /// levels, taken in order of first appearance. One given: the other is the only remaining level.
    /// Counts overload: names only (default "a" and "b").
    std::string level_a, level_b;
    /// Names used in error messages, the explanation and the output (scan sets them to column names).
    std::string outcome_name = "outcome", treatment_name = "treatment", stratum_name = "stratum";
    double confidence = 0.95;  ///< level of the Mantel-Haenszel odds-ratio interval, in (0, 1)
};

/// Rates of levels a and b in one stratum (or overall). difference = rate_a - rate_b; direction is +1
/// when a has the higher rate, -1 when b has, 0 on an exact tie; odds_ratio = odds(a) / odds(b)
/// (statsmodels Table2x2.oddsratio: +inf or NaN when a cell is zero).
struct group_comparison {
    std::string name;
    double successes_a = 0.0, trials_a = 0.0, successes_b = 0.0, trials_b = 0.0;
    double rate_a = std::numeric_limits<double>::quiet_NaN();
    double rate_b = std::numeric_limits<double>::quiet_NaN();
    double difference = std::numeric_limits<double>::quiet_NaN();
    int direction = 0;
    double odds_ratio = std::numeric_limits<double>::quiet_NaN();
};

/// What simpsons_paradox found. `aggregate` sums the strata listed in `strata` (strata lacking rows
/// of a or of b are left out of both and named in `incomplete_strata`). `reversal`: the aggregate
/// direction is non-zero and every stratum has the opposite one. `vanishes`: the aggregate direction is
/// non-zero and no stratum shares it (every stratum tied or opposite; reversal implies vanishes).
/// Row counters are those of the columns overload (all 0 for counts).
struct simpson_result {
    std::string outcome, treatment, stratum;  ///< names from simpson_options
    std::string level_a, level_b;
    group_comparison aggregate;
    std::vector<group_comparison> strata;  ///< in order of first appearance (columns) or as given (counts)
    bool reversal = false;
    bool vanishes = false;
    double odds_ratio = std::numeric_limits<double>::quiet_NaN();  ///< Mantel-Haenszel pooled, a vs b
    double log_odds_ratio_se = std::numeric_limits<double>::quiet_NaN();  ///< Robins-Greenland-Breslow
    double odds_ratio_ci_low = std::numeric_limits<double>::quiet_NaN();
    double odds_ratio_ci_high = std::numeric_limits<double>::quiet_NaN();
    double confidence = 0.95;
    /// Mantel-Haenszel risk difference (Greenland & Robins 1985): the stratum-adjusted rate_a - rate_b.
    double adjusted_difference = std::numeric_limits<double>::quiet_NaN();
    /// |aggregate.difference - adjusted_difference|: how far adjusting for the stratum moves the
    /// comparison, in rate units; the strength scan_simpsons_paradox ranks by.
    double confounding_gap = std::numeric_limits<double>::quiet_NaN();
    stats::test_result cmh;            ///< Cochran-Mantel-Haenszel, no continuity correction, df 1
    /// The same with the 1/2 continuity correction, applied only when |sum(a - E a)| >= 1/2 (R's
    /// mantelhaen.test; statsmodels applies it always, which agrees above 1/2).
    stats::test_result cmh_corrected;
    /// Homogeneity of the stratum odds ratios (test_equal_odds(adjust=False)) over the strata with both
    /// successes and failures, df = those strata - 1; NaN below two. Finite at a pooled odds ratio of
    /// exactly 1, where statsmodels returns NaN.
    stats::test_result breslow_day;
    std::size_t rows = 0;               ///< rows given
    std::size_t rows_used = 0;          ///< rows counted in `aggregate`
    std::size_t rows_missing = 0;       ///< NaN outcome, missing treatment or missing stratum
    std::size_t rows_other_levels = 0;  ///< treatment level other than level_a and level_b
    std::size_t rows_incomplete = 0;    ///< rows of strata lacking level a or level b
    std::vector<std::string> incomplete_strata;
    std::string explanation;  ///< plain English, computed from the numbers above
};

/// One candidate stratum column of scan_simpsons_paradox with its result; strength =
/// result.confounding_gap.
struct simpson_finding {
    std::string column;
    double strength = 0.0;
    simpson_result result;
};

/// A categorical column scan_simpsons_paradox could not use as the stratum, and why.
struct simpson_skip {
    std::string column;
    std::string reason;
};

/// Result of scan_simpsons_paradox: findings ranked reversals first, then vanishing directions, then
/// by strength (descending), ties in column order; columns that could not be used, in column order.
struct simpson_scan {
    std::string outcome, treatment;
    std::vector<simpson_finding> findings;
    std::vector<simpson_skip> skipped;
};

namespace detail {

template <class X>
struct is_simpson_categorical : std::false_type {};
template <>
struct is_simpson_categorical<categorical_column> : std::true_type {};
template <>
struct is_simpson_categorical<std::vector<std::string>> : std::true_type {};
template <>
struct is_simpson_categorical<std::vector<std::string_view>> : std::true_type {};
template <>
struct is_simpson_categorical<std::vector<std::optional<std::string>>> : std::true_type {};

template <class X>
inline constexpr bool is_simpson_categorical_v =
    is_simpson_categorical<std::remove_cv_t<std::remove_reference_t<X>>>::value;

// A categorical column as given (borrowed) or encoded from strings (owned). Not copyable: a copy of
// a borrowing one would outlive nothing useful, and the owned case is never needed twice.
class simpson_categorical {
public:
    explicit simpson_categorical(const categorical_column& c) noexcept : borrowed_(&c) {}
    template <class V, std::enable_if_t<!std::is_same_v<V, categorical_column>, int> = 0>
    explicit simpson_categorical(const V& values) : owned_(categorical_column::from_strings(values)) {}
    simpson_categorical(const simpson_categorical&) = delete;
    simpson_categorical& operator=(const simpson_categorical&) = delete;
    const categorical_column& get() const noexcept { return borrowed_ != nullptr ? *borrowed_ : owned_; }

private:
    categorical_column owned_;
    const categorical_column* borrowed_ = nullptr;
};

inline std::string simpson_quote_list(const std::vector<std::string>& names) {
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i == 8) {
            out += fmt::format(", ... ({} in all)", names.size());
            break;
        }
        if (i) out += ", ";
        out += "'" + names[i] + "'";
    }
    return out;
}

// The two treatment codes compared, per simpson_options::level_a / level_b.
struct simpson_levels {
    std::int32_t a = -1, b = -1;
    std::string name_a, name_b;
};

inline simpson_levels simpson_resolve_levels(const categorical_column& t, const simpson_options& o) {
    const char* where = "mldp::audit::simpsons_paradox";
    // Levels present in the rows, in order of first appearance (the dictionary may hold unused entries).
    std::vector<std::int32_t> order;
    std::vector<char> seen(t.dictionary().size(), 0);
    for (const std::int32_t c : t.codes()) {
        if (c == categorical_column::missing_code || seen[static_cast<std::size_t>(c)]) continue;
        seen[static_cast<std::size_t>(c)] = 1;
        order.push_back(c);
    }
    std::vector<std::string> present;
    for (const std::int32_t c : order) present.push_back(t.dictionary()[static_cast<std::size_t>(c)]);
    auto find = [&](const std::string& level) -> std::int32_t {
        for (const std::int32_t c : order) {
            if (t.dictionary()[static_cast<std::size_t>(c)] == level) return c;
        }
        throw invalid_argument(fmt::format("{}: treatment '{}' has no level '{}' (levels: {})", where, o.treatment_name,
                                           level, present.empty() ? std::string("none") : simpson_quote_list(present)));
    };
    if (!o.level_a.empty() && o.level_a == o.level_b) {
        throw invalid_argument(fmt::format("{}: level_a and level_b are both '{}'; name two different treatment levels",
                                           where, o.level_a));
    }
    if (order.size() < 2 && o.level_a.empty() && o.level_b.empty()) {
        throw data_error(o.treatment_name, data_error::no_row,
                         order.empty() ? std::string("no non-missing treatment value; the comparison needs two levels")
                                       : "only one treatment level ('" + present.front() +
                                             "') is present; the comparison needs two");
    }
    simpson_levels lv;
    if (!o.level_a.empty() && !o.level_b.empty()) {
        lv.a = find(o.level_a);
        lv.b = find(o.level_b);
    } else if (!o.level_a.empty() || !o.level_b.empty()) {
        const std::string& given = o.level_a.empty() ? o.level_b : o.level_a;
        const std::int32_t g = find(given);
        if (order.size() != 2) {
            throw invalid_argument(fmt::format(
                "{}: treatment '{}' has {} level(s) ({}); with only {} = '{}' given, the other level must be the "
                "only remaining one: name both level_a and level_b",
                where, o.treatment_name, order.size(), simpson_quote_list(present),
                o.level_a.empty() ? "level_b" : "level_a", given));
        }
        const std::int32_t other = order[0] == g ? order[1] : order[0];
        lv.a = o.level_a.empty() ? other : g;
        lv.b = o.level_a.empty() ? g : other;
    } else {
        if (order.size() > 2) {
            throw invalid_argument(fmt::format("{}: treatment '{}' has {} levels ({}); name the two to compare with "
                                               "simpson_options::level_a and level_b",
                                               where, o.treatment_name, order.size(), simpson_quote_list(present)));
        }
        lv.a = order[0];
        lv.b = order[1];
    }
    lv.name_a = t.dictionary()[static_cast<std::size_t>(lv.a)];
    lv.name_b = t.dictionary()[static_cast<std::size_t>(lv.b)];
    return lv;
}

// Throws data_error at the first outcome that is neither 0, 1 nor NaN (missing).
inline void simpson_check_outcome(const double* y, std::size_t n, const std::string& name) {
    for (std::size_t i = 0; i < n; ++i) {
        const double v = y[i];
        if (v == 0.0 || v == 1.0 || std::isnan(v)) continue;
        throw data_error(name, i, fmt::format("a binary outcome must be 0 or 1 (NaN = missing), got {}", v));
    }
}

inline void simpson_check_confidence(double confidence) {
    if (!(confidence > 0.0 && confidence < 1.0)) {
        throw invalid_argument(
            fmt::format("mldp::audit::simpsons_paradox: confidence must lie in (0, 1), got {}", confidence));
    }
}

inline group_comparison simpson_compare(std::string name, double sa, double na, double sb, double nb) {
    group_comparison g;
    g.name = std::move(name);
    g.successes_a = sa;
    g.trials_a = na;
    g.successes_b = sb;
    g.trials_b = nb;
    g.rate_a = sa / na;
    g.rate_b = sb / nb;
    // Equal rationals round to equal doubles, so a tie in counts is a tie here.
    g.difference = g.rate_a - g.rate_b;
    g.direction = g.rate_a > g.rate_b ? 1 : (g.rate_a < g.rate_b ? -1 : 0);
    g.odds_ratio = (sa * (nb - sb)) / ((na - sa) * sb);
    return g;
}

// Two percentages with the fewest decimals (1 to 4) at which they differ, so that a real difference
// never prints as "50.0% vs 50.0%".
inline std::pair<std::string, std::string> simpson_percents(double x, double y) {
    int d = 1;
    while (d < 4 && x != y && fmt::format("{:.{}f}", 100.0 * x, d) == fmt::format("{:.{}f}", 100.0 * y, d)) ++d;
    return {fmt::format("{:.{}f}%", 100.0 * x, d), fmt::format("{:.{}f}%", 100.0 * y, d)};
}

inline std::string simpson_percent(double x) { return fmt::format("{:.1f}%", 100.0 * x); }

// "w: 15.0% vs 12.3%; x: ..." for the winner first, at most six strata.
inline std::string simpson_stratum_list(const std::vector<group_comparison>& strata, bool a_first) {
    std::string out;
    for (std::size_t i = 0; i < strata.size(); ++i) {
        if (i == 6) {
            out += fmt::format("; ... ({} strata)", strata.size());
            break;
        }
        const auto& s = strata[i];
        const auto p = a_first ? simpson_percents(s.rate_a, s.rate_b) : simpson_percents(s.rate_b, s.rate_a);
        if (i) out += "; ";
        out += fmt::format("{}: {} vs {}", s.name, p.first, p.second);
    }
    return out;
}

// Why the aggregate differs from the strata: the overall winner's trials lie more in the stratum with
// the highest pooled success rate (or the loser's more in the lowest).
inline std::string simpson_mechanism(const simpson_result& r) {
    const bool a_wins = r.aggregate.direction > 0;
    const std::string& winner = a_wins ? r.level_a : r.level_b;
    const std::string& loser = a_wins ? r.level_b : r.level_a;
    std::size_t hi = 0, lo = 0;
    auto pooled = [&](std::size_t k) {
        const auto& s = r.strata[k];
        return (s.successes_a + s.successes_b) / (s.trials_a + s.trials_b);
    };
    for (std::size_t k = 1; k < r.strata.size(); ++k) {
        if (pooled(k) > pooled(hi)) hi = k;
        if (pooled(k) < pooled(lo)) lo = k;
    }
    auto share = [&](std::size_t k, bool of_winner) {
        const auto& s = r.strata[k];
        // The winner's share is over the winner's own trials: a's trials over a's total when a wins.
        return of_winner == a_wins ? s.trials_a / r.aggregate.trials_a : s.trials_b / r.aggregate.trials_b;
    };
    if (share(hi, true) > share(hi, false)) {
        return fmt::format(" {} of {}'s trials but {} of {}'s are in '{}', the stratum with the highest success "
                           "rate ({}), so {}'s overall rate is lifted by where its trials fall, not by doing better.",
                           simpson_percent(share(hi, true)), winner, simpson_percent(share(hi, false)), loser,
                           r.strata[hi].name, simpson_percent(pooled(hi)), winner);
    }
    if (share(lo, false) > share(lo, true)) {
        return fmt::format(" {} of {}'s trials but {} of {}'s are in '{}', the stratum with the lowest success "
                           "rate ({}), so {}'s overall rate is pulled down by where its trials fall, not by doing worse.",
                           simpson_percent(share(lo, false)), loser, simpson_percent(share(lo, true)), winner,
                           r.strata[lo].name, simpson_percent(pooled(lo)), loser);
    }
    return " The two levels are spread differently over strata whose success rates differ.";
}

inline std::string simpson_explain(const simpson_result& r) {
    std::string text;
    const auto& g = r.aggregate;
    const std::string of = "'" + r.stratum + "'";
    const std::size_t k = r.strata.size();
    std::size_t up = 0, down = 0, tie = 0;
    for (const auto& s : r.strata) {
        up += s.direction > 0;
        down += s.direction < 0;
        tie += s.direction == 0;
    }
    const bool a_wins = g.direction > 0;
    const std::string& winner = a_wins ? r.level_a : r.level_b;
    const std::string& loser = a_wins ? r.level_b : r.level_a;
    const auto overall = a_wins ? simpson_percents(g.rate_a, g.rate_b) : simpson_percents(g.rate_b, g.rate_a);
    if (r.reversal) {
        text = fmt::format("Simpson's paradox: within every stratum of {}, {} has the higher success rate ({}), but {} "
                           "has the higher rate overall ({} vs {}).",
                           of, loser, simpson_stratum_list(r.strata, !a_wins), winner, overall.first, overall.second);
        text += simpson_mechanism(r);
    } else if (r.vanishes) {
        text = fmt::format("Overall {} has the higher success rate ({} vs {}), but no stratum of {} shows it: the rates "
                           "are equal in {} and reversed in {} of {} strata ({}).",
                           winner, overall.first, overall.second, of, tie, a_wins ? down : up, k,
                           simpson_stratum_list(r.strata, a_wins));
        text += simpson_mechanism(r);
    } else if (g.direction != 0) {
        text = fmt::format("No Simpson's reversal: {} has the higher success rate overall ({} vs {}) and in {} of {} "
                           "strata of {}.",
                           winner, overall.first, overall.second, a_wins ? up : down, k, of);
    } else {
        text = fmt::format("Overall {} and {} have the same success rate ({}); within strata of {}, {} is higher in {}, "
                           "{} in {}, tied in {}.",
                           r.level_a, r.level_b, simpson_percent(g.rate_a), of, r.level_a, up, r.level_b, down, tie);
    }
    text += fmt::format(" Adjusted for {}, the rate difference {} - {} is {:+.1f} points (Mantel-Haenszel; {:+.1f} "
                        "unadjusted)",
                        of, r.level_a, r.level_b, 100.0 * r.adjusted_difference, 100.0 * g.difference);
    if (std::isfinite(r.odds_ratio) && r.odds_ratio > 0.0) {
        text += fmt::format(" and the pooled odds ratio {:.3g} ({:g}% CI {:.3g} to {:.3g}; CMH chi2 = {:.3g}, p = {:.3g}).",
                            r.odds_ratio, 100.0 * r.confidence, r.odds_ratio_ci_low, r.odds_ratio_ci_high,
                            r.cmh.statistic, r.cmh.p_value);
    } else {
        text += fmt::format("; the pooled odds ratio is {:g} (a zero cell in every stratum).", r.odds_ratio);
    }
    if (r.breslow_day.p_value < 1.0 - r.confidence) {
        text += fmt::format(" The stratum odds ratios differ (Breslow-Day p = {:.3g}), so one pooled odds ratio "
                            "summarises them poorly.",
                            r.breslow_day.p_value);
    }
    return text;
}

// Everything after the strata are known (all complete: trials_a > 0 and trials_b > 0).
inline void simpson_analyse(simpson_result& r) {
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    double sa = 0.0, na = 0.0, sb = 0.0, nb = 0.0;
    double ad_n = 0.0, bc_n = 0.0;               // sum a d / n, sum b c / n
    double apd_ad = 0.0, mid = 0.0, bc_rest = 0.0;  // terms of the RGB variance
    double cmh_num = 0.0, cmh_den = 0.0;
    double rd_num = 0.0, rd_den = 0.0;
    for (const auto& s : r.strata) {
        sa += s.successes_a;
        na += s.trials_a;
        sb += s.successes_b;
        nb += s.trials_b;
        // statsmodels' names: a = table[0,0], b = [0,1], c = [1,0], d = [1,1].
        const double a = s.successes_a, b = s.trials_a - s.successes_a;
        const double c = s.successes_b, d = s.trials_b - s.successes_b;
        const double n = s.trials_a + s.trials_b;
        const double apb = a + b, apc = a + c, bpd = b + d, cpd = c + d, apd = a + d;
        ad_n += a * d / n;
        bc_n += b * c / n;
        apd_ad += apd * a * d / (n * n);
        mid += apd * b * c / (n * n) + (1.0 - apd / n) * a * d / n;
        bc_rest += (1.0 - apd / n) * b * c / n;
        cmh_num += a - apb * apc / n;
        cmh_den += apb * apc * bpd * cpd / (n * n * (n - 1.0));
        rd_num += (s.successes_a * s.trials_b - s.successes_b * s.trials_a) / n;
        rd_den += s.trials_a * s.trials_b / n;
    }
    r.aggregate = simpson_compare("overall", sa, na, sb, nb);
    const int dir = r.aggregate.direction;
    bool shared = false, all_opposite = dir != 0;
    for (const auto& s : r.strata) {
        shared = shared || (dir != 0 && s.direction == dir);
        all_opposite = all_opposite && s.direction == -dir;
    }
    r.reversal = all_opposite;
    r.vanishes = dir != 0 && !shared;

    // Mantel-Haenszel pooled odds ratio and its Robins-Greenland-Breslow standard error
    // (StratifiedTable.oddsratio_pooled, logodds_pooled_se, oddsratio_pooled_confint).
    r.odds_ratio = ad_n / bc_n;
    if (std::isfinite(r.odds_ratio) && r.odds_ratio > 0.0) {
        const double var = 0.5 * (apd_ad / (ad_n * ad_n) + mid / (ad_n * bc_n) + bc_rest / (bc_n * bc_n));
        r.log_odds_ratio_se = std::sqrt(var);
        const double z = mldp::detail::normal_quantile(1.0 - 0.5 * (1.0 - r.confidence));
        const double lor = std::log(r.odds_ratio);
        r.odds_ratio_ci_low = std::exp(lor - z * r.log_odds_ratio_se);
        r.odds_ratio_ci_high = std::exp(lor + z * r.log_odds_ratio_se);
    }
    r.adjusted_difference = rd_num / rd_den;
    r.confounding_gap = std::fabs(r.aggregate.difference - r.adjusted_difference);

    // CMH test (StratifiedTable.test_null_odds). A stratum with a zero margin adds 0 to both sums; when
    // every stratum has one the statistic is 0/0 and reported as NaN. The continuity correction is
    // applied only when |sum(a - E a)| >= 1/2 (as R's mantelhaen.test; statsmodels would square a
    // negative |.| - 1/2 there).
    r.cmh.df = 1.0;
    r.cmh_corrected.df = 1.0;
    bool counts = true;  // integral counts and n >= 2 in every stratum: what the tests' variances assume
    for (const auto& s : r.strata) {
        const double n = s.trials_a + s.trials_b;
        counts = counts && s.successes_a == std::floor(s.successes_a) && s.trials_a == std::floor(s.trials_a) &&
                 s.successes_b == std::floor(s.successes_b) && s.trials_b == std::floor(s.trials_b) && n >= 2.0;
    }
    if (counts && cmh_den > 0.0) {
        const double dev = std::fabs(cmh_num);
        const double dev_cc = dev >= 0.5 ? dev - 0.5 : dev;
        r.cmh.statistic = dev * dev / cmh_den;
        r.cmh_corrected.statistic = dev_cc * dev_cc / cmh_den;
        r.cmh.p_value = stats::chi2_sf(r.cmh.statistic, 1.0);
        r.cmh_corrected.p_value = stats::chi2_sf(r.cmh_corrected.statistic, 1.0);
    }

    // Breslow-Day test (StratifiedTable.test_equal_odds(adjust=False)) over the strata with successes
    // and failures (the others have a zero-variance expected cell); df = those strata - 1.
    const double psi = r.odds_ratio;
    double bd = 0.0;
    std::size_t used = 0;
    if (counts && std::isfinite(psi) && psi > 0.0) {
        for (const auto& s : r.strata) {
            const double a = s.successes_a, b = s.trials_a - s.successes_a;
            const double c = s.successes_b, d = s.trials_b - s.successes_b;
            const double apb = a + b, apc = a + c, bpd = b + d, cpd = c + d, dma = d - a;
            if (!(apc > 0.0 && bpd > 0.0)) continue;
            // E[a] under the common odds ratio psi solves (1 - psi) e^2 + (psi (apb + apc) + dma) e -
            // psi apb apc = 0 with all four expected cells positive, i.e. e in (lo, hi). statsmodels takes
            // (-qb + sqrt(disc)) / (2 qa), which is 0/0 at psi = 1; the stable pair q / qa, qc / q holds
            // the same root, and qa = 0 leaves the linear equation.
            const double qa = 1.0 - psi, qb = psi * (apb + apc) + dma, qc = -psi * apb * apc;
            const double lo = (std::max)(0.0, apc - cpd), hi = (std::min)(apb, apc);
            double e;
            if (qa == 0.0) {
                e = -qc / qb;
            } else {
                const double disc = std::sqrt((std::max)(0.0, qb * qb - 4.0 * qa * qc));
                const double q = -0.5 * (qb + std::copysign(disc, qb));
                const double r1 = q / qa, r2 = qc / q;
                auto outside = [&](double x) { return std::isnan(x) ? 1e300 : (x < lo ? lo - x : (x > hi ? x - hi : 0.0)); };
                e = outside(r1) <= outside(r2) ? r1 : r2;
            }
            const double v = 1.0 / (1.0 / e + 1.0 / (apc - e) + 1.0 / (apb - e) + 1.0 / (dma + e));
            bd += (a - e) * (a - e) / v;
            ++used;
        }
    }
    if (used >= 2) {
        r.breslow_day.statistic = bd;
        r.breslow_day.df = static_cast<double>(used - 1);
        r.breslow_day.p_value = stats::chi2_sf(bd, r.breslow_day.df);
    } else {
        r.breslow_day = stats::test_result{nan, nan, nan};
    }
    r.explanation = simpson_explain(r);
}

inline simpson_result simpson_start(const simpson_options& o, std::string level_a, std::string level_b) {
    simpson_result r;
    r.outcome = o.outcome_name;
    r.treatment = o.treatment_name;
    r.stratum = o.stratum_name;
    r.level_a = std::move(level_a);
    r.level_b = std::move(level_b);
    r.confidence = o.confidence;
    return r;
}

// The columns path after the outcome has been checked and the levels resolved.
inline simpson_result simpson_columns(const double* y, std::size_t n, const categorical_column& t,
                                      const categorical_column& s, const simpson_levels& lv, const simpson_options& o) {
    simpson_result r = simpson_start(o, lv.name_a, lv.name_b);
    r.rows = n;
    const std::size_t k = s.dictionary().size();
    std::vector<double> cnt(4 * k, 0.0);  // per stratum code: successes_a, trials_a, successes_b, trials_b
    std::vector<std::size_t> rows_of(k, 0);
    std::vector<std::int32_t> order;  // stratum codes in order of first appearance among counted rows
    std::vector<char> seen(k, 0);
    const auto& tc = t.codes();
    const auto& sc = s.codes();
    for (std::size_t i = 0; i < n; ++i) {
        const std::int32_t ti = tc[i], si = sc[i];
        if (std::isnan(y[i]) || ti == categorical_column::missing_code || si == categorical_column::missing_code) {
            ++r.rows_missing;
            continue;
        }
        if (ti != lv.a && ti != lv.b) {
            ++r.rows_other_levels;
            continue;
        }
        const auto j = static_cast<std::size_t>(si);
        if (!seen[j]) {
            seen[j] = 1;
            order.push_back(si);
        }
        const std::size_t off = 4 * j + (ti == lv.a ? 0 : 2);
        cnt[off] += y[i];
        cnt[off + 1] += 1.0;
        ++rows_of[j];
    }
    for (const std::int32_t code : order) {
        const auto j = static_cast<std::size_t>(code);
        const std::string& name = s.dictionary()[j];
        if (cnt[4 * j + 1] > 0.0 && cnt[4 * j + 3] > 0.0) {
            r.strata.push_back(simpson_compare(name, cnt[4 * j], cnt[4 * j + 1], cnt[4 * j + 2], cnt[4 * j + 3]));
            r.rows_used += rows_of[j];
        } else {
            r.incomplete_strata.push_back(name);
            r.rows_incomplete += rows_of[j];
        }
    }
    if (r.strata.empty()) {
        throw data_error(o.stratum_name, data_error::no_row,
                         fmt::format("no stratum holds rows of both '{}' and '{}' (with a 0/1 outcome and no missing "
                                     "value); nothing to compare",
                                     lv.name_a, lv.name_b));
    }
    simpson_analyse(r);
    return r;
}

inline nlohmann::json simpson_test_json(const stats::test_result& t) {
    const auto num = mldp::detail::json_number;
    return nlohmann::json{{"statistic", num(t.statistic)}, {"p_value", num(t.p_value)}, {"df", num(t.df)}};
}

}  // namespace detail

/// Simpson's paradox check on counts: one stratum_counts per stratum (order kept). Level names come
/// from options.level_a / level_b ("a" and "b" when empty). Mantel-Haenszel odds ratio, CMH and
/// Breslow-Day tests agree with statsmodels StratifiedTable (see simpson_result). O(K). Throws
/// invalid_argument for no strata or a bad confidence, data_error (column "successes_a", ..., row =
/// stratum index) for a non-finite count, successes outside [0, trials] or trials <= 0.
inline simpson_result simpsons_paradox(const std::vector<stratum_counts>& strata, const simpson_options& options = {}) {
    detail::simpson_check_confidence(options.confidence);
    if (strata.empty()) throw invalid_argument("mldp::audit::simpsons_paradox: no strata given (need at least one)");
    simpson_result r = detail::simpson_start(options, options.level_a.empty() ? std::string("a") : options.level_a,
                                             options.level_b.empty() ? std::string("b") : options.level_b);
    if (r.level_a == r.level_b) {
        throw invalid_argument("mldp::audit::simpsons_paradox: level_a and level_b are both '" + r.level_a + "'");
    }
    for (std::size_t i = 0; i < strata.size(); ++i) {
        const auto& s = strata[i];
        const std::pair<const char*, double> fields[] = {
            {"successes_a", s.successes_a}, {"trials_a", s.trials_a}, {"successes_b", s.successes_b}, {"trials_b", s.trials_b}};
        for (const auto& [field, v] : fields) {
            if (!std::isfinite(v)) {
                throw data_error(field, i, fmt::format("stratum '{}': counts must be finite, got {}", s.name, v));
            }
        }
        for (int g = 0; g < 2; ++g) {
            const double succ = g == 0 ? s.successes_a : s.successes_b, trials = g == 0 ? s.trials_a : s.trials_b;
            const char* level = g == 0 ? "a" : "b";
            if (!(trials > 0.0)) {
                throw data_error(g == 0 ? "trials_a" : "trials_b", i,
                                 fmt::format("stratum '{}': trials of level {} must be > 0, got {}", s.name, level, trials));
            }
            if (succ < 0.0 || succ > trials) {
                throw data_error(g == 0 ? "successes_a" : "successes_b", i,
                                 fmt::format("stratum '{}': successes of level {} must lie in [0, trials = {}], got {}",
                                             s.name, level, trials, succ));
            }
        }
        r.strata.push_back(detail::simpson_compare(s.name, s.successes_a, s.trials_a, s.successes_b, s.trials_b));
    }
    detail::simpson_analyse(r);
    return r;
}

/// Simpson's paradox check on columns: `outcome` numeric 0/1 (std::vector<int>, <std::int64_t>,
/// <double>, xtensor; NaN = missing), `treatment` and `stratum` categorical (std::vector<std::string>,
/// <std::string_view>, <std::optional<std::string>> with std::nullopt = missing, or categorical_column).
/// Rows with a missing value are skipped and counted; see simpson_options for the levels. O(n + K).
/// Throws invalid_argument for unequal lengths or unusable levels, data_error for an outcome other than
/// 0/1/NaN (first row), fewer than two treatment levels, or no stratum holding both levels.
template <class O, class T, class S,
          std::enable_if_t<is_numeric_source_v<O> && detail::is_simpson_categorical_v<T> &&
                               detail::is_simpson_categorical_v<S>,
                           int> = 0>
simpson_result simpsons_paradox(O&& outcome, const T& treatment, const S& stratum, const simpson_options& options = {}) {
    detail::simpson_check_confidence(options.confidence);
    const contiguous_values<double> y = evaluate_contiguous<double>(std::forward<O>(outcome));
    const detail::simpson_categorical t(treatment), s(stratum);
    if (t.get().size() != y.size() || s.get().size() != y.size()) {
        throw invalid_argument(fmt::format("mldp::audit::simpsons_paradox: columns differ in length: {} '{}' has {} "
                                           "rows, {} '{}' {}, {} '{}' {}",
                                           "outcome", options.outcome_name, y.size(), "treatment",
                                           options.treatment_name, t.get().size(), "stratum", options.stratum_name,
                                           s.get().size()));
    }
    detail::simpson_check_outcome(y.data(), y.size(), options.outcome_name);
    const detail::simpson_levels lv = detail::simpson_resolve_levels(t.get(), options);
    return detail::simpson_columns(y.data(), y.size(), t.get(), s.get(), lv, options);
}

/// Tries every categorical column of `f` other than `treatment` as the stratum of simpsons_paradox
/// (outcome: a numeric 0/1 column, NaN = missing; treatment: categorical) and ranks the findings (see
/// simpson_scan). A column with fewer than two strata holding both levels is skipped with its reason.
/// O(columns x rows). Throws invalid_argument for an unknown or wrongly typed column and as
/// simpsons_paradox for the outcome and the treatment levels.
inline simpson_scan scan_simpsons_paradox(const frame& f, std::string_view outcome, std::string_view treatment,
                                          const simpson_options& options = {}) {
    detail::simpson_check_confidence(options.confidence);
    const numeric_view y = f.numeric(outcome);
    const categorical_column& t = f.categorical(treatment);
    simpson_options o = options;
    o.outcome_name = std::string(outcome);
    o.treatment_name = std::string(treatment);
    detail::simpson_check_outcome(y.data(), y.size(), o.outcome_name);
    const detail::simpson_levels lv = detail::simpson_resolve_levels(t, o);
    simpson_scan scan;
    scan.outcome = o.outcome_name;
    scan.treatment = o.treatment_name;
    for (const auto& c : f.all()) {
        if (c.kind() != column_kind::categorical || c.name == treatment) continue;
        o.stratum_name = c.name;
        try {
            simpson_result r = detail::simpson_columns(y.data(), y.size(), t, std::get<categorical_column>(c.data), lv, o);
            if (r.strata.size() < 2) {
                scan.skipped.push_back({c.name, fmt::format("fewer than two strata hold both '{}' and '{}'", lv.name_a,
                                                            lv.name_b)});
                continue;
            }
            const double strength = r.confounding_gap;
            scan.findings.push_back({c.name, strength, std::move(r)});
        } catch (const data_error& e) {
            scan.skipped.push_back({c.name, e.what()});
        }
    }
    std::stable_sort(scan.findings.begin(), scan.findings.end(), [](const simpson_finding& x, const simpson_finding& z) {
        if (x.result.reversal != z.result.reversal) return x.result.reversal;
        if (x.result.vanishes != z.result.vanishes) return x.result.vanishes;
        return x.strength > z.strength;
    });
    return scan;
}

/// JSON of a comparison: name, counts, rates, difference, direction, odds_ratio (null when not finite).
inline void to_json(nlohmann::json& j, const group_comparison& g) {
    const auto num = mldp::detail::json_number;
    j = nlohmann::json{{"name", g.name},
                       {"successes_a", g.successes_a},
                       {"trials_a", g.trials_a},
                       {"successes_b", g.successes_b},
                       {"trials_b", g.trials_b},
                       {"rate_a", num(g.rate_a)},
                       {"rate_b", num(g.rate_b)},
                       {"difference", num(g.difference)},
                       {"direction", g.direction},
                       {"odds_ratio", num(g.odds_ratio)}};
}

/// JSON of a result: every field, tests as {statistic, p_value, df}, non-finite numbers as null.
inline void to_json(nlohmann::json& j, const simpson_result& r) {
    const auto num = mldp::detail::json_number;
    j = nlohmann::json{{"outcome", r.outcome},
                       {"treatment", r.treatment},
                       {"stratum", r.stratum},
                       {"level_a", r.level_a},
                       {"level_b", r.level_b},
                       {"aggregate", r.aggregate},
                       {"strata", r.strata},
                       {"reversal", r.reversal},
                       {"vanishes", r.vanishes},
                       {"odds_ratio", num(r.odds_ratio)},
                       {"log_odds_ratio_se", num(r.log_odds_ratio_se)},
                       {"odds_ratio_ci", {num(r.odds_ratio_ci_low), num(r.odds_ratio_ci_high)}},
                       {"confidence", r.confidence},
                       {"adjusted_difference", num(r.adjusted_difference)},
                       {"confounding_gap", num(r.confounding_gap)},
                       {"cmh", detail::simpson_test_json(r.cmh)},
                       {"cmh_corrected", detail::simpson_test_json(r.cmh_corrected)},
                       {"breslow_day", detail::simpson_test_json(r.breslow_day)},
                       {"rows",
                        {{"given", r.rows},
                         {"used", r.rows_used},
                         {"missing", r.rows_missing},
                         {"other_levels", r.rows_other_levels},
                         {"incomplete", r.rows_incomplete}}},
                       {"incomplete_strata", r.incomplete_strata},
                       {"explanation", r.explanation}};
}

/// JSON of a finding: column, strength, result.
inline void to_json(nlohmann::json& j, const simpson_finding& f) {
    j = nlohmann::json{{"column", f.column}, {"strength", mldp::detail::json_number(f.strength)}, {"result", f.result}};
}

/// JSON of a skipped column: column, reason.
inline void to_json(nlohmann::json& j, const simpson_skip& s) {
    j = nlohmann::json{{"column", s.column}, {"reason", s.reason}};
}

/// JSON of a scan: outcome, treatment, findings (ranked), skipped.
inline void to_json(nlohmann::json& j, const simpson_scan& s) {
    j = nlohmann::json{{"outcome", s.outcome}, {"treatment", s.treatment}, {"findings", s.findings}, {"skipped", s.skipped}};
}

}  // namespace mldp::audit

/// Prints a comparison on one line: "name: a s/n = r%, b s/n = r%, difference +d points".
template <>
struct fmt::formatter<mldp::audit::group_comparison> {
    constexpr auto parse(format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const mldp::audit::group_comparison& g, Ctx& ctx) const {
        return fmt::format_to(ctx.out(), "{}: a {:g}/{:g} = {:.2f}%, b {:g}/{:g} = {:.2f}%, difference {:+.2f} points",
                              g.name, g.successes_a, g.trials_a, 100.0 * g.rate_a, g.successes_b, g.trials_b,
                              100.0 * g.rate_b, 100.0 * g.difference);
    }
};

/// Prints a result: the levels, the aggregate and per-stratum rates, reversal / vanishes, the
/// Mantel-Haenszel summary and tests, skipped rows, and the explanation.
template <>
struct fmt::formatter<mldp::audit::simpson_result> {
    constexpr auto parse(format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const mldp::audit::simpson_result& r, Ctx& ctx) const {
        auto out = ctx.out();
        out = fmt::format_to(out, "Simpson's paradox check: '{}' by '{}' (a = {}, b = {}) within '{}'\n", r.outcome,
                             r.treatment, r.level_a, r.level_b, r.stratum);
        auto line = [&](const mldp::audit::group_comparison& g) {
            out = fmt::format_to(out, "  {:<12} {} {:g}/{:g} = {:.2f}%, {} {:g}/{:g} = {:.2f}%, difference {:+.2f} points\n",
                                 g.name, r.level_a, g.successes_a, g.trials_a, 100.0 * g.rate_a, r.level_b,
                                 g.successes_b, g.trials_b, 100.0 * g.rate_b, 100.0 * g.difference);
        };
        line(r.aggregate);
        for (const auto& s : r.strata) line(s);
        out = fmt::format_to(out, "  reversal: {}, vanishes: {}\n", r.reversal ? "yes" : "no", r.vanishes ? "yes" : "no");
        out = fmt::format_to(out,
                             "  Mantel-Haenszel odds ratio {:.4g} ({:g}% CI {:.4g} to {:.4g}), adjusted difference "
                             "{:+.2f} points, confounding gap {:.2f} points\n",
                             r.odds_ratio, 100.0 * r.confidence, r.odds_ratio_ci_low, r.odds_ratio_ci_high,
                             100.0 * r.adjusted_difference, 100.0 * r.confounding_gap);
        out = fmt::format_to(out, "  CMH chi2 = {:.4g}, p = {:.4g} (corrected {:.4g}, p = {:.4g}); Breslow-Day chi2 = {:.4g}, "
                             "df {:g}, p = {:.4g}\n",
                             r.cmh.statistic, r.cmh.p_value, r.cmh_corrected.statistic, r.cmh_corrected.p_value,
                             r.breslow_day.statistic, r.breslow_day.df, r.breslow_day.p_value);
        if (r.rows_missing || r.rows_other_levels || r.rows_incomplete) {
            out = fmt::format_to(out, "  rows: {} used of {}; {} missing, {} other levels, {} in {} incomplete strata\n",
                                 r.rows_used, r.rows, r.rows_missing, r.rows_other_levels, r.rows_incomplete,
                                 r.incomplete_strata.size());
        }
        return fmt::format_to(out, "  {}", r.explanation);
    }
};

/// Prints a scan: one line per finding in rank order, then the skipped columns.
template <>
struct fmt::formatter<mldp::audit::simpson_scan> {
    constexpr auto parse(format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const mldp::audit::simpson_scan& s, Ctx& ctx) const {
        auto out = fmt::format_to(ctx.out(), "Simpson's paradox scan: '{}' by '{}', {} stratum column(s) tried", s.outcome,
                                  s.treatment, s.findings.size() + s.skipped.size());
        std::size_t rank = 0;
        for (const auto& f : s.findings) {
            const auto& r = f.result;
            out = fmt::format_to(out, "\n  {}. '{}': {}, strength {:.2f} points (difference {:+.2f} overall, {:+.2f} "
                                 "adjusted), MH odds ratio {:.4g}, CMH p = {:.4g}",
                                 ++rank, f.column, r.reversal ? "REVERSAL" : (r.vanishes ? "vanishes" : "consistent"),
                                 100.0 * f.strength, 100.0 * r.aggregate.difference, 100.0 * r.adjusted_difference,
                                 r.odds_ratio, r.cmh.p_value);
        }
        for (const auto& k : s.skipped) out = fmt::format_to(out, "\n  skipped '{}': {}", k.column, k.reason);
        return out;
    }
};

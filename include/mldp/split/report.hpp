// mldp — check_split: does a split keep train, validation and test statistically alike, and does any
// row, key or group leak across them? A report with a verdict and the reasons for it.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "mldp/core/detail/json.hpp"
#include <xtensor/xtensor.hpp>

#include "mldp/core/column.hpp"
#include "mldp/core/error.hpp"
#include "mldp/core/frame.hpp"
#include "mldp/core/hash.hpp"
#include "mldp/split/detail/labels.hpp"
#include "mldp/split/result.hpp"
#include "mldp/stats/contingency.hpp"
#include "mldp/stats/ks.hpp"
#include "mldp/stats/multiple_testing.hpp"
#include "mldp/stats/ttest.hpp"

namespace mldp::split {

/// Options of check_split. Column names are optional; an empty name skips that check.
struct split_check_options {
    std::string label;  ///< label column: per-subset shares and a chi-square test of label x subset
    std::string key;    ///< key column: keys present in more than one subset are leakage
    std::string group;  ///< group column: groups present in more than one subset are leakage
    /// Columns compared between subsets and hashed for content leakage; empty means every column
    /// except label, key and group.
    std::vector<std::string> features;
    double alpha = 0.05;  ///< family-wise (or FDR) level after correction
    stats::correction correction = stats::correction::holm;
    double max_abs_smd = 0.1;  ///< |standardized mean difference| above which a numeric feature is flagged
    bool content_leakage = true;  ///< look for rows with equal feature values in different subsets
};

/// One feature compared between two subsets: ks_2samp for numeric and time columns (NaN and
/// infinities omitted),
/// chi2_contingency for categorical ones (missing as its own category).
struct feature_comparison {
    std::string feature;
    subset first = subset::train, second = subset::test;
    std::string test;  ///< "ks_2samp" or "chi2_contingency"; "" when skipped (too few values)
    double statistic = std::numeric_limits<double>::quiet_NaN();
    double p_value = std::numeric_limits<double>::quiet_NaN();
    double p_adjusted = std::numeric_limits<double>::quiet_NaN();  ///< after the correction over all tests
    double smd = std::numeric_limits<double>::quiet_NaN();         ///< Cohen's d, numeric features
    bool differs = false;  ///< p_adjusted <= alpha, or |smd| > max_abs_smd
};

/// Share of each label in each subset (NaN for an empty subset).
struct label_share {
    std::string label;
    double overall = 0, train = 0, validation = 0, test = 0;
};

/// Values shared by more than one subset.
struct leakage {
    std::string kind;             ///< "content", "key" or "group"
    std::size_t values = 0;       ///< distinct shared values (rows with equal content count as one value)
    std::size_t rows = 0;         ///< rows carrying them
    std::vector<std::size_t> example_rows;  ///< up to 10, ascending
};

enum class verdict { pass, warning, fail };

constexpr const char* to_string(verdict v) noexcept {
    return v == verdict::pass ? "pass" : v == verdict::warning ? "warning" : "fail";
}

/// Result of check_split.
struct split_report {
    std::size_t rows = 0, train = 0, validation = 0, test = 0, dropped = 0;
    std::vector<label_share> labels;
    std::optional<feature_comparison> label_test;  ///< chi-square of label x subset
    std::vector<feature_comparison> features;
    std::vector<leakage> leaks;
    split_check_options options;
    verdict result = verdict::pass;
    std::vector<std::string> reasons;  ///< why the verdict is not pass
};

namespace detail {

/// Canonical 64-bit hash of row i of a column, chained onto `h`.
inline std::uint64_t hash_cell(const frame::column& c, std::size_t i, std::uint64_t h) {
    switch (c.kind()) {
        case column_kind::numeric:
            return hash_value(std::get<numeric_column>(c.data).values()[i], h);
        case column_kind::categorical: {
            const auto v = std::get<categorical_column>(c.data).value(i);
            return v ? hash64(*v, h ^ 0x63617465ULL) : hash_value(std::uint64_t{0x6d697373}, h);
        }
        case column_kind::time:
            return hash_value(std::get<time_column>(c.data).ticks[i], h ^ 0x74696d65ULL);
    }
    return h;
}

/// Rows whose hash occurs in more than one subset.
inline leakage find_leaks(std::string kind, const std::vector<std::uint64_t>& h, const std::vector<subset>& a) {
    leakage out;
    out.kind = std::move(kind);
    std::vector<std::size_t> rows;
    rows.reserve(h.size());
    for (std::size_t i = 0; i < h.size(); ++i) {
        if (a[i] != subset::dropped) rows.push_back(i);
    }
    std::sort(rows.begin(), rows.end(), [&](std::size_t x, std::size_t y) { return h[x] != h[y] ? h[x] < h[y] : x < y; });
    std::vector<std::size_t> leaked;
    for (std::size_t s = 0; s < rows.size();) {
        std::size_t e = s + 1;
        bool mixed = false;
        while (e < rows.size() && h[rows[e]] == h[rows[s]]) {
            mixed |= a[rows[e]] != a[rows[s]];
            ++e;
        }
        if (mixed) {
            ++out.values;
            leaked.insert(leaked.end(), rows.begin() + static_cast<std::ptrdiff_t>(s),
                          rows.begin() + static_cast<std::ptrdiff_t>(e));
        }
        s = e;
    }
    out.rows = leaked.size();
    std::sort(leaked.begin(), leaked.end());
    leaked.resize((std::min)(leaked.size(), std::size_t{10}));
    out.example_rows = std::move(leaked);
    return out;
}

inline std::vector<std::uint64_t> column_hashes(const frame::column& c, std::size_t n) {
    std::vector<std::uint64_t> h(n);
    for (std::size_t i = 0; i < n; ++i) h[i] = hash_cell(c, i, 0);
    return h;
}

inline std::vector<double> column_values(const frame::column& c, const std::vector<std::size_t>& rows) {
    std::vector<double> v;
    v.reserve(rows.size());
    if (c.kind() == column_kind::numeric) {
        const auto x = std::get<numeric_column>(c.data).values();
        for (auto r : rows) {
            if (std::isfinite(x[r])) v.push_back(x[r]);  // the tests need finite values: NaN and +-inf are left out
        }
    } else {
        const auto& t = std::get<time_column>(c.data);
        for (auto r : rows) {
            if (!t.is_missing(r)) v.push_back(static_cast<double>(t.ticks[r]));
        }
    }
    return v;
}

inline feature_comparison compare_numeric(const frame::column& c, const std::vector<std::size_t>& ra,
                                          const std::vector<std::size_t>& rb) {
    feature_comparison fc;
    fc.feature = c.name;
    const auto a = column_values(c, ra), b = column_values(c, rb);
    if (a.empty() || b.empty()) return fc;
    const auto ks = stats::ks_2samp(a, b);
    fc.test = "ks_2samp";
    fc.statistic = ks.statistic;
    fc.p_value = ks.p_value;
    if (a.size() >= 2 && b.size() >= 2) fc.smd = stats::ttest_ind(a, b).effect_size;
    return fc;
}

inline feature_comparison compare_categorical(const frame::column& c, const std::vector<std::size_t>& ra,
                                              const std::vector<std::size_t>& rb) {
    feature_comparison fc;
    fc.feature = c.name;
    const auto& col = std::get<categorical_column>(c.data);
    const std::size_t k = col.dictionary().size() + 1;  // + missing
    std::vector<double> counts(2 * k, 0.0);
    for (auto r : ra) counts[static_cast<std::size_t>(col.codes()[r] + 1)] += 1;
    for (auto r : rb) counts[k + static_cast<std::size_t>(col.codes()[r] + 1)] += 1;
    std::vector<std::size_t> used;
    for (std::size_t j = 0; j < k; ++j) {
        if (counts[j] + counts[k + j] > 0) used.push_back(j);
    }
    if (used.size() < 2 || ra.empty() || rb.empty()) return fc;
    xt::xtensor<double, 2> table = xt::zeros<double>({std::size_t{2}, used.size()});
    for (std::size_t t = 0; t < used.size(); ++t) {
        table(0, t) = counts[used[t]];
        table(1, t) = counts[k + used[t]];
    }
    const auto r = stats::chi2_contingency(table);
    fc.test = "chi2_contingency";
    fc.statistic = r.statistic;
    fc.p_value = r.p_value;
    return fc;
}

}  // namespace detail

/// Checks a split of `data` (one split_result row per frame row):
///   - sizes of each subset;
///   - label shares per subset and a chi-square test of label x subset (options.label);
///   - every feature compared between each pair of non-empty subsets (two-sample KS and Cohen's d for
///     numeric and time columns, chi-square for categorical ones), p-values corrected together with
///     the label test by options.correction (Holm by default);
///   - leakage: rows with equal feature values (64-bit hash of the canonical values), keys or groups
///     in more than one subset.
/// Verdict: fail on any leakage; warning when a test rejects after correction or a feature's |SMD|
/// exceeds max_abs_smd; pass otherwise. O(F n log n). Throws invalid_argument when the split and the
/// frame differ in rows, the split is not a partition, or a named column does not exist or is a time
/// column used as the label; data_error for a missing or non-finite label.
inline split_report check_split(const frame& data, const split_result& split, const split_check_options& options = {}) {
    constexpr const char* fn = "mldp::split::check_split";
    const std::size_t n = data.rows();
    if (split.rows() != n) {
        throw invalid_argument(fmt::format("{}: the split covers {} rows but the frame has {}", fn, split.rows(), n));
    }
    split_report rep;
    rep.options = options;
    rep.rows = n;
    rep.train = split.train.size();
    rep.validation = split.validation.size();
    rep.test = split.test.size();
    rep.dropped = split.dropped.size();
    const auto assignment = split.assignment();
    const std::array<const std::vector<std::size_t>*, 3> rows_of = {&split.train, &split.validation, &split.test};

    std::vector<const frame::column*> features;
    if (options.features.empty()) {
        for (const auto& c : data.all()) {
            if (c.name != options.label && c.name != options.key && c.name != options.group) features.push_back(&c);
        }
    } else {
        for (const auto& name : options.features) features.push_back(&data.at(std::string_view(name)));
    }
    auto column_named = [&](const std::string& name) -> const frame::column& { return data.at(std::string_view(name)); };

    // Label shares and the label x subset test.
    if (!options.label.empty()) {
        const auto& lc = column_named(options.label);
        detail::encoded_labels e;
        if (lc.kind() == column_kind::categorical) {
            e = detail::encode_labels(std::get<categorical_column>(lc.data), "label");
        } else if (lc.kind() == column_kind::numeric) {
            const auto v = std::get<numeric_column>(lc.data).values();
            e = detail::encode_doubles(v.data(), v.size(), "label");
        } else {
            throw invalid_argument(fmt::format("{}: label column '{}' is a time column", fn, options.label));
        }
        const std::size_t k = e.classes();
        std::vector<std::array<double, 3>> cnt(k, {0, 0, 0});
        for (std::size_t i = 0; i < n; ++i) {
            if (assignment[i] != subset::dropped) cnt[e.codes[i]][static_cast<std::size_t>(assignment[i])] += 1;
        }
        const std::array<double, 3> sizes = {double(rep.train), double(rep.validation), double(rep.test)};
        const double kept = sizes[0] + sizes[1] + sizes[2];
        std::vector<std::size_t> nonempty;
        for (std::size_t s = 0; s < 3; ++s) {
            if (sizes[s] > 0) nonempty.push_back(s);
        }
        for (std::size_t c = 0; c < k; ++c) {
            label_share ls;
            ls.label = e.names[c];
            ls.overall = (cnt[c][0] + cnt[c][1] + cnt[c][2]) / kept;
            double* out[3] = {&ls.train, &ls.validation, &ls.test};
            for (std::size_t s = 0; s < 3; ++s) {
                *out[s] = sizes[s] > 0 ? cnt[c][s] / sizes[s] : std::numeric_limits<double>::quiet_NaN();
            }
            rep.labels.push_back(ls);
        }
        std::vector<std::size_t> present;  // classes with kept rows (a class may live only in dropped rows)
        for (std::size_t c = 0; c < k; ++c) {
            if (cnt[c][0] + cnt[c][1] + cnt[c][2] > 0) present.push_back(c);
        }
        if (nonempty.size() >= 2 && present.size() >= 2) {
            xt::xtensor<double, 2> table = xt::zeros<double>({nonempty.size(), present.size()});
            for (std::size_t t = 0; t < nonempty.size(); ++t) {
                for (std::size_t c = 0; c < present.size(); ++c) table(t, c) = cnt[present[c]][nonempty[t]];
            }
            const auto r = stats::chi2_contingency(table);
            feature_comparison fc;
            fc.feature = options.label;
            fc.first = static_cast<subset>(nonempty.front());
            fc.second = static_cast<subset>(nonempty.back());
            fc.test = "chi2_contingency";
            fc.statistic = r.statistic;
            fc.p_value = r.p_value;
            rep.label_test = fc;
        }
    }

    // Feature comparisons between every pair of non-empty subsets.
    for (const auto* c : features) {
        for (std::size_t s1 = 0; s1 < 3; ++s1) {
            for (std::size_t s2 = s1 + 1; s2 < 3; ++s2) {
                if (rows_of[s1]->empty() || rows_of[s2]->empty()) continue;
                feature_comparison fc = c->kind() == column_kind::categorical
                                            ? detail::compare_categorical(*c, *rows_of[s1], *rows_of[s2])
                                            : detail::compare_numeric(*c, *rows_of[s1], *rows_of[s2]);
                fc.first = static_cast<subset>(s1);
                fc.second = static_cast<subset>(s2);
                rep.features.push_back(std::move(fc));
            }
        }
    }

    // One correction over every test that ran.
    std::vector<double> p;
    std::vector<feature_comparison*> tested;
    if (rep.label_test) {
        p.push_back(rep.label_test->p_value);
        tested.push_back(&*rep.label_test);
    }
    for (auto& fc : rep.features) {
        if (!fc.test.empty() && !std::isnan(fc.p_value)) {
            p.push_back(fc.p_value);
            tested.push_back(&fc);
        }
    }
    if (!p.empty()) {
        const auto adj = stats::adjust_p_values(p, options.correction);
        for (std::size_t t = 0; t < adj.size(); ++t) {
            tested[t]->p_adjusted = adj[t];
            tested[t]->differs = adj[t] <= options.alpha;
        }
    }
    for (auto& fc : rep.features) {
        if (std::fabs(fc.smd) > options.max_abs_smd) fc.differs = true;
    }

    // Leakage.
    if (options.content_leakage && !features.empty()) {
        std::vector<std::uint64_t> h(n, 0x636f6e74656e74ULL);
        for (const auto* c : features) {
            for (std::size_t i = 0; i < n; ++i) h[i] = detail::hash_cell(*c, i, h[i]);
        }
        rep.leaks.push_back(detail::find_leaks("content", h, assignment));
    }
    if (!options.key.empty()) {
        rep.leaks.push_back(detail::find_leaks("key", detail::column_hashes(column_named(options.key), n), assignment));
    }
    if (!options.group.empty()) {
        rep.leaks.push_back(
            detail::find_leaks("group", detail::column_hashes(column_named(options.group), n), assignment));
    }

    // Verdict.
    for (const auto& l : rep.leaks) {
        if (l.rows > 0) {
            rep.result = verdict::fail;
            rep.reasons.push_back(fmt::format("{} leakage: {} value(s) on {} row(s) appear in more than one subset",
                                              l.kind, l.values, l.rows));
        }
    }
    auto warn = [&](std::string why) {
        if (rep.result == verdict::pass) rep.result = verdict::warning;
        rep.reasons.push_back(std::move(why));
    };
    if (rep.label_test && rep.label_test->differs) {
        warn(fmt::format("label shares differ between subsets (chi-square p = {:.3g}, adjusted {:.3g})",
                         rep.label_test->p_value, rep.label_test->p_adjusted));
    }
    for (const auto& fc : rep.features) {
        if (!fc.differs) continue;
        if (fc.p_adjusted <= options.alpha) {
            warn(fmt::format("'{}' differs between {} and {} ({} p = {:.3g}, adjusted {:.3g})", fc.feature,
                             to_string(fc.first), to_string(fc.second), fc.test, fc.p_value, fc.p_adjusted));
        } else {
            warn(fmt::format("'{}' is imbalanced between {} and {} (|SMD| = {:.3f} > {})", fc.feature,
                             to_string(fc.first), to_string(fc.second), std::fabs(fc.smd), options.max_abs_smd));
        }
    }
    return rep;
}

inline void to_json(nlohmann::json& j, const feature_comparison& f) {
    const auto num = mldp::detail::json_number;
    j = nlohmann::json{{"feature", f.feature},       {"first", to_string(f.first)},
                       {"second", to_string(f.second)}, {"test", f.test},
                       {"statistic", num(f.statistic)}, {"p_value", num(f.p_value)},
                       {"p_adjusted", num(f.p_adjusted)}, {"smd", num(f.smd)},
                       {"differs", f.differs}};
}

inline void to_json(nlohmann::json& j, const label_share& l) {
    const auto num = mldp::detail::json_number;
    j = nlohmann::json{{"label", l.label}, {"overall", l.overall}, {"train", num(l.train)},
                       {"validation", num(l.validation)}, {"test", num(l.test)}};
}

inline void to_json(nlohmann::json& j, const leakage& l) {
    j = nlohmann::json{{"kind", l.kind}, {"values", l.values}, {"rows", l.rows}, {"example_rows", l.example_rows}};
}

inline void to_json(nlohmann::json& j, const split_report& r) {
    j = nlohmann::json{{"rows", r.rows},
                       {"sizes", {{"train", r.train}, {"validation", r.validation}, {"test", r.test}, {"dropped", r.dropped}}},
                       {"labels", r.labels},
                       {"features", r.features},
                       {"leakage", r.leaks},
                       {"alpha", r.options.alpha},
                       {"verdict", to_string(r.result)},
                       {"reasons", r.reasons}};
    j["label_test"] = r.label_test ? nlohmann::json(*r.label_test) : nlohmann::json(nullptr);
}

}  // namespace mldp::split

/// Prints a split report: sizes, label shares, the features that differ, leakage, verdict.
template <>
struct fmt::formatter<mldp::split::split_report> {
    constexpr auto parse(format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const mldp::split::split_report& r, Ctx& ctx) const {
        using mldp::split::to_string;
        auto out = ctx.out();
        out = fmt::format_to(out, "split report: {} rows -> train {}, validation {}, test {}", r.rows, r.train,
                             r.validation, r.test);
        if (r.dropped) out = fmt::format_to(out, ", dropped {}", r.dropped);
        out = fmt::format_to(out, "\n");
        if (!r.labels.empty()) {
            out = fmt::format_to(out, "  label shares (overall / train / validation / test):\n");
            for (const auto& l : r.labels) {
                out = fmt::format_to(out, "    {:<12} {:.4f} / {:.4f} / {:.4f} / {:.4f}\n", l.label, l.overall, l.train,
                                     l.validation, l.test);
            }
        }
        std::size_t tested = 0, differing = 0;
        for (const auto& f : r.features) {
            tested += !f.test.empty();
            differing += f.differs;
        }
        out = fmt::format_to(out, "  feature comparisons: {} run, {} flagged (alpha {}, corrected)\n", tested,
                             differing, r.options.alpha);
        for (const auto& f : r.features) {
            if (!f.differs) continue;
            out = fmt::format_to(out, "    {} {} vs {}: {} = {:.4g}, p = {:.3g} (adjusted {:.3g}), SMD {:.3f}\n",
                                 f.feature, to_string(f.first), to_string(f.second), f.test, f.statistic, f.p_value,
                                 f.p_adjusted, f.smd);
        }
        for (const auto& l : r.leaks) {
            out = fmt::format_to(out, "  {} leakage: {} value(s), {} row(s)\n", l.kind, l.values, l.rows);
        }
        out = fmt::format_to(out, "  verdict: {}", to_string(r.result));
        for (const auto& why : r.reasons) out = fmt::format_to(out, "\n    - {}", why);
        return out;
    }
};

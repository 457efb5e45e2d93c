// mldp — leakage between training and evaluation data, and what a filtering step did to the data.
//
// no_leakage(train, keys, options) is a validator check run on the test (or serving) frame: the train
// side is hashed once, and every test row whose content, key or group appears in train is reported,
// exactly and mergeably across test chunks. selection_audit(before, kept_mask) compares the rows a
// filter kept with the rows it dropped, column by column and for the label, so that survivorship and
// sampling bias introduced by a "harmless" cleaning step become visible.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>
#include <xtensor/xtensor.hpp>

#include "mldp/core/column.hpp"
#include "mldp/core/detail/json.hpp"
#include "mldp/core/error.hpp"
#include "mldp/core/frame.hpp"
#include "mldp/core/hash.hpp"
#include "mldp/core/numeric.hpp"
#include "mldp/quality/check.hpp"
#include "mldp/quality/report.hpp"
#include "mldp/stats/contingency.hpp"
#include "mldp/stats/ks.hpp"
#include "mldp/stats/multiple_testing.hpp"

namespace mldp::quality {

/// Options of no_leakage(). `content_columns`: the columns whose values together make a row's content
/// (empty: every train column the test chunk also has with the same kind, except the key columns, so
/// that a copied record with a fresh id still counts as a copy); `group_column`: a column of group
/// identities (patient, user, session) that must not span train and test (empty: no group check);
/// `check_content`: false leaves the content check out (keys and groups only).
struct leakage_options {
    std::vector<std::string> content_columns;
    std::string group_column;
    bool check_content = true;
};

namespace detail {

// From 64-bit row hashes to the first train row holding each: open addressing with linear probing,
// sized once at half load. Exact up to 64-bit hash collisions (about n m / 2^64 for n train and m
// test rows).
class row_index {
public:
    static constexpr std::uint64_t none = (std::numeric_limits<std::uint64_t>::max)();

    explicit row_index(std::size_t expected) {
        std::size_t cap = 16;
        while (cap < 2 * expected) cap *= 2;
        slots_.resize(cap);
    }
    /// Records `row` for `key` unless an earlier row holds it.
    void insert(std::uint64_t key, std::uint64_t row) {
        if (key == 0) key = 1;  // 0 marks an empty slot
        std::size_t i = static_cast<std::size_t>(key) & (slots_.size() - 1);
        while (slots_[i].key != 0 && slots_[i].key != key) i = (i + 1) & (slots_.size() - 1);
        if (slots_[i].key == 0) {
            slots_[i] = {key, row};
            ++size_;
        }
    }
    /// The first train row holding `key`, or none.
    std::uint64_t find(std::uint64_t key) const noexcept {
        if (key == 0) key = 1;
        std::size_t i = static_cast<std::size_t>(key) & (slots_.size() - 1);
        while (slots_[i].key != 0) {
            if (slots_[i].key == key) return slots_[i].row;
            i = (i + 1) & (slots_.size() - 1);
        }
        return none;
    }
    std::size_t size() const noexcept { return size_; }

private:
    struct slot {
        std::uint64_t key = 0, row = 0;
    };
    std::vector<slot> slots_;
    std::size_t size_ = 0;
};

constexpr std::uint64_t leak_missing = 0x4d495353494e4721ULL;  // the value hash of a missing cell
constexpr std::uint64_t leak_seed = 0x6d6c64702d6c6b67ULL;

// Value hashes of one column, row by row: doubles by mldp's canonical hash_value (-0.0 == 0.0), ticks
// as int64, categories by the hash of their text (so frames with other dictionaries agree); a missing
// cell hashes to leak_missing and, when `missing` is given, is flagged there.
inline void value_hashes(const frame::column& c, std::vector<std::uint64_t>& out, std::vector<char>* missing) {
    const std::size_t n = c.size();
    out.resize(n);
    if (missing != nullptr) missing->assign(n, 0);
    auto mark = [&](std::size_t i) {
        out[i] = leak_missing;
        if (missing != nullptr) (*missing)[i] = 1;
    };
    if (const auto* nc = std::get_if<numeric_column>(&c.data)) {
        const auto v = nc->values();
        for (std::size_t i = 0; i < n; ++i) {
            if (std::isnan(v[i])) {
                mark(i);
            } else {
                out[i] = hash_value(v[i]);
            }
        }
    } else if (const auto* tc = std::get_if<time_column>(&c.data)) {
        for (std::size_t i = 0; i < n; ++i) {
            if (tc->ticks[i] == time_column::missing) {
                mark(i);
            } else {
                out[i] = hash_value(tc->ticks[i]);
            }
        }
    } else if (const auto* cc = std::get_if<categorical_column>(&c.data)) {
        const auto& dict = cc->dictionary();
        std::vector<std::uint64_t> code_hash(dict.size());
        for (std::size_t k = 0; k < dict.size(); ++k) code_hash[k] = hash64(dict[k]);
        const auto& codes = cc->codes();
        for (std::size_t i = 0; i < n; ++i) {
            if (codes[i] == categorical_column::missing_code) {
                mark(i);
            } else {
                out[i] = code_hash[static_cast<std::size_t>(codes[i])];
            }
        }
    }
}

// A cell as text, for the values a finding lists.
inline std::string cell_text(const frame::column& c, std::size_t row) {
    if (const auto* nc = std::get_if<numeric_column>(&c.data)) return value_text(nc->values()[row]);
    if (const auto* tc = std::get_if<time_column>(&c.data)) return fmt::format("{}", tc->ticks[row]);
    const auto v = std::get<categorical_column>(c.data).value(row);
    return v ? std::string(*v) : std::string("<missing>");
}

// Row hashes over several columns: h = hash_value(value hash, h) column after column, from leak_seed;
// `missing` flags the rows with a missing cell in any of them.
inline std::vector<std::uint64_t> row_hashes(const std::vector<const frame::column*>& cols, std::size_t n, std::vector<char>* missing) {
    std::vector<std::uint64_t> h(n, leak_seed), v;
    std::vector<char> m;
    if (missing != nullptr) missing->assign(n, 0);
    for (const frame::column* c : cols) {
        value_hashes(*c, v, missing != nullptr ? &m : nullptr);
        for (std::size_t i = 0; i < n; ++i) {
            h[i] = hash_value(v[i], h[i]);
            if (missing != nullptr) (*missing)[i] = static_cast<char>((*missing)[i] | m[i]);
        }
    }
    return h;
}

inline std::shared_ptr<const row_index> index_of(const std::vector<std::uint64_t>& h, const std::vector<char>* skip) {
    auto idx = std::make_shared<row_index>(h.size());
    for (std::size_t i = 0; i < h.size(); ++i) {
        if (skip == nullptr || !(*skip)[i]) idx->insert(h[i], i);
    }
    return idx;
}

// The train side, hashed once and shared (immutable) by every state of the check.
struct leakage_train {
    std::size_t rows = 0;
    std::vector<std::string> names;  // every train column, in order
    std::vector<column_kind> kinds;
    bool default_content = true;
    bool check_content = true;
    std::vector<std::string> content;  // the content columns (default: every non-key train column)
    std::vector<column_kind> content_kinds;
    std::shared_ptr<const row_index> content_index;  // over `content`
    // Default content only: value hashes of every content column, to index the subset a test chunk shares.
    std::vector<std::vector<std::uint64_t>> content_values;
    std::vector<std::string> keys;
    std::vector<column_kind> key_kinds;
    std::shared_ptr<const row_index> key_index;  // rows with a missing key cell left out
    std::string group;
    column_kind group_kind = column_kind::categorical;
    std::shared_ptr<const row_index> group_index;  // rows with a missing group left out

    column_kind kind_of(const std::string& name) const {
        for (std::size_t i = 0; i < names.size(); ++i) {
            if (names[i] == name) return kinds[i];
        }
        return column_kind::numeric;
    }
    // Index over a subset of the default content columns (given in train order).
    std::shared_ptr<const row_index> subset_index(const std::vector<std::size_t>& positions) const {
        std::vector<std::uint64_t> h(rows, leak_seed);
        for (std::size_t p : positions) {
            for (std::size_t i = 0; i < rows; ++i) h[i] = hash_value(content_values[p][i], h[i]);
        }
        return index_of(h, nullptr);
    }
};

class leakage_state final : public check_state {
public:
    leakage_state(check_options o, std::shared_ptr<const leakage_train> t, const report_limits& limits)
        : o_(std::move(o)), train_(std::move(t)) {
        content_.limits = key_.limits = group_.limits = limits;
    }

    void update(const frame& chunk, std::size_t offset) override {
        const std::size_t n = chunk.rows();
        if (train_->check_content) update_content(chunk, offset, n);
        if (!train_->keys.empty()) {
            std::vector<const frame::column*> cols;
            std::vector<finding> config;
            for (std::size_t k = 0; k < train_->keys.size(); ++k) {
                const frame::column* c = column_for(chunk, train_->keys[k], {train_->key_kinds[k]}, o_, config);
                if (c != nullptr) cols.push_back(c);
            }
            if (!config.empty()) {
                key_.add_config(config);
            } else {
                probe(key_, *train_->key_index, cols, n, offset, [&](std::size_t i, std::uint64_t) {
                    std::string text;
                    for (const frame::column* c : cols) text += (text.empty() ? "" : ", ") + cell_text(*c, i);
                    return text;
                });
            }
        }
        if (!train_->group.empty()) {
            std::vector<finding> config;
            const frame::column* c = column_for(chunk, train_->group, {train_->group_kind}, o_, config);
            if (c == nullptr) {
                group_.add_config(config);
            } else {
                probe(group_, *train_->group_index, {c}, n, offset, [&](std::size_t i, std::uint64_t) { return cell_text(*c, i); });
            }
        }
    }
    void merge(const check_state& other, std::size_t offset) override {
        const auto& o = static_cast<const leakage_state&>(other);
        if (!o.content_seen_.empty() && !content_seen_.empty() && o.content_seen_ != content_seen_) columns_changed();
        if (content_seen_.empty()) content_seen_ = o.content_seen_;
        content_.merge(o.content_, offset);
        key_.merge(o.key_, offset);
        group_.merge(o.group_, offset);
    }
    std::vector<finding> finish(std::size_t total_rows) const override {
        std::vector<finding> out;
        auto part = [&](const row_tally& t, const char* code, const std::string& column, const std::string& message) {
            if (!t.config.empty()) {
                for (const auto& f : t.config) {
                    bool seen = false;
                    for (const auto& g : out) seen = seen || (g.code == f.code && g.column == f.column);
                    if (!seen) out.push_back(f);
                }
                return;
            }
            if (t.offending == 0) return;
            finding f;
            f.code = code;
            f.check = o_.description;
            f.column = column;
            f.count = t.offending;
            f.fraction = total_rows > 0 ? static_cast<double>(t.offending) / static_cast<double>(total_rows) : 0.0;
            f.fraction_non_missing = t.checked > 0 ? static_cast<double>(t.offending) / static_cast<double>(t.checked) : 0.0;
            f.passed = 1.0 - f.fraction_non_missing >= o_.mostly;
            f.severity = f.passed ? quality::severity::info : o_.severity;
            f.rows = t.rows;
            std::vector<value_count> vc;
            for (const auto& [v, c] : t.values) vc.push_back({v, c});
            std::stable_sort(vc.begin(), vc.end(), [](const value_count& a, const value_count& b) { return a.count > b.count; });
            if (vc.size() > t.limits.values) vc.resize(t.limits.values);
            f.values = std::move(vc);
            f.message = message;
            out.push_back(std::move(f));
        };
        const auto distinct = [](const row_tally& t) {
            return fmt::format("{}{}", t.values.size() >= t.limits.tracked_values ? "at least " : "", t.values.size());
        };
        if (train_->check_content) {
            part(content_, "leakage.content", "",
                 fmt::format("{} of {} test rows repeat a train row in every content column ({}); {} distinct train rows are repeated",
                             content_.offending, content_.checked, fmt::join(content_seen_, ", "), distinct(content_)));
        }
        if (!train_->keys.empty()) {
            part(key_, "leakage.key", fmt::format("{}", fmt::join(train_->keys, ",")),
                 fmt::format("{} of {} test rows with a complete key have a key ({}) that train holds; {} distinct keys",
                             key_.offending, key_.checked, fmt::join(train_->keys, ", "), distinct(key_)));
        }
        if (!train_->group.empty()) {
            part(group_, "leakage.group", train_->group,
                 fmt::format("{} of {} test rows with a group belong to a group of '{}' that train also holds; {} distinct groups span both",
                             group_.offending, group_.checked, train_->group, distinct(group_)));
        }
        return out;
    }
    std::unique_ptr<check_state> clone() const override { return std::make_unique<leakage_state>(*this); }

private:
    // Looks every row of `cols` up in `index`: rows with a missing cell are counted missing (except
    // for content, where missing is a value), the others checked, the found ones offend.
    template <class Text>
    void probe(row_tally& t, const row_index& index, const std::vector<const frame::column*>& cols, std::size_t n, std::size_t offset,
               Text text, bool missing_is_value = false) {
        std::vector<char> missing;
        const auto h = row_hashes(cols, n, missing_is_value ? nullptr : &missing);
        for (std::size_t i = 0; i < n; ++i) {
            if (!missing_is_value && missing[i]) {
                ++t.missing;
                continue;
            }
            ++t.checked;
            const std::uint64_t first = index.find(h[i]);
            if (first != row_index::none) t.offend(offset + i, text(i, first));
        }
    }

    void update_content(const frame& chunk, std::size_t offset, std::size_t n) {
        const leakage_train& tr = *train_;
        std::vector<const frame::column*> cols;
        std::vector<std::string> names;
        std::vector<std::size_t> positions;
        if (!tr.default_content) {
            std::vector<finding> config;
            for (std::size_t k = 0; k < tr.content.size(); ++k) {
                const frame::column* c = column_for(chunk, tr.content[k], {tr.content_kinds[k]}, o_, config);
                if (c != nullptr) cols.push_back(c);
            }
            if (!config.empty()) {
                content_.add_config(config);
                return;
            }
            names = tr.content;
        } else {
            for (std::size_t k = 0; k < tr.content.size(); ++k) {
                if (chunk.contains(tr.content[k]) && chunk.at(tr.content[k]).kind() == tr.content_kinds[k]) {
                    cols.push_back(&chunk.at(tr.content[k]));
                    names.push_back(tr.content[k]);
                    positions.push_back(k);
                }
            }
            if (cols.empty()) {
                content_.add_config({config_finding(o_, "config.no_shared_columns", "",
                                                    fmt::format("{}: the test data shares no content column with train", o_.description))});
                return;
            }
        }
        if (!content_seen_.empty() && names != content_seen_) columns_changed();
        content_seen_ = names;
        std::shared_ptr<const row_index> index = tr.content_index;
        if (tr.default_content && names.size() != tr.content.size()) {
            // The chunk shares a subset of the train columns: index it once per state and subset.
            if (cached_names_ != names) {
                cached_ = tr.subset_index(positions);
                cached_names_ = names;
            }
            index = cached_;
        }
        probe(content_, *index, cols, n, offset, [](std::size_t, std::uint64_t first) { return fmt::format("train row {}", first); }, true);
    }

    void columns_changed() {
        content_.add_config({config_finding(o_, "config.columns_changed", "",
                                            fmt::format("{}: the test chunks have different content columns", o_.description))});
    }

    check_options o_;
    std::shared_ptr<const leakage_train> train_;
    row_tally content_, key_, group_;
    std::vector<std::string> content_seen_;
    std::vector<std::string> cached_names_;
    std::shared_ptr<const row_index> cached_;
};

using leakage_impl = state_impl<leakage_state, std::shared_ptr<const leakage_train>>;

}  // namespace detail

/// Train/test leakage, checked on the test frame: test rows whose content (the values of the content
/// columns; missing cells compare equal), key (the key columns) or group (options.group_column) also
/// occurs in `train` - findings "leakage.content", "leakage.key", "leakage.group" with exact counts,
/// the first test rows ascending, and the repeated train rows, keys or groups as values. Rows with a
/// missing key or group are not checked. Train is hashed once (O(train rows x columns); default content
/// keeps 8 bytes per train cell to serve test chunks that share only some columns); each test chunk
/// costs O(rows x columns); exactly mergeable. Throws invalid_argument for a key, content or group
/// column that train lacks, or a column named twice.
inline check no_leakage(const frame& train, std::vector<std::string> keys = {}, leakage_options options = {}) {
    const char* fn = "mldp::quality::no_leakage";
    auto need = [&](const std::string& name, const char* role) {
        if (!train.contains(name)) throw invalid_argument(fmt::format("{}: the {} column '{}' is not in train (columns: {})", fn, role, name, fmt::join(train.names(), ", ")));
    };
    auto unique_names = [&](const std::vector<std::string>& names, const char* role) {
        for (std::size_t i = 0; i < names.size(); ++i) {
            need(names[i], role);
            for (std::size_t k = 0; k < i; ++k) {
                if (names[k] == names[i]) throw invalid_argument(fmt::format("{}: the {} column '{}' is named twice", fn, role, names[i]));
            }
        }
    };
    unique_names(keys, "key");
    unique_names(options.content_columns, "content");
    if (!options.group_column.empty()) need(options.group_column, "group");

    auto t = std::make_shared<detail::leakage_train>();
    t->rows = train.rows();
    t->names = train.names();
    for (const auto& c : train.all()) t->kinds.push_back(c.kind());
    t->check_content = options.check_content;
    t->default_content = options.content_columns.empty();
    if (t->default_content) {
        for (const auto& name : t->names) {
            if (std::find(keys.begin(), keys.end(), name) == keys.end()) t->content.push_back(name);
        }
    } else {
        t->content = options.content_columns;
    }
    for (const auto& name : t->content) t->content_kinds.push_back(t->kind_of(name));
    if (t->check_content) {
        std::vector<const frame::column*> cols;
        for (const auto& name : t->content) cols.push_back(&train.at(name));
        t->content_index = detail::index_of(detail::row_hashes(cols, t->rows, nullptr), nullptr);
        if (t->default_content) {
            t->content_values.resize(cols.size());
            for (std::size_t k = 0; k < cols.size(); ++k) detail::value_hashes(*cols[k], t->content_values[k], nullptr);
        }
    }
    t->keys = keys;
    if (!keys.empty()) {
        std::vector<const frame::column*> cols;
        for (const auto& name : keys) {
            cols.push_back(&train.at(name));
            t->key_kinds.push_back(t->kind_of(name));
        }
        std::vector<char> missing;
        t->key_index = detail::index_of(detail::row_hashes(cols, t->rows, &missing), &missing);
    }
    t->group = options.group_column;
    if (!t->group.empty()) {
        t->group_kind = t->kind_of(t->group);
        std::vector<char> missing;
        t->group_index = detail::index_of(detail::row_hashes({&train.at(t->group)}, t->rows, &missing), &missing);
    }

    check_options o;
    o.code = "leakage";
    std::string parts = fmt::format("train of {} rows", train.rows());
    if (!keys.empty()) parts += fmt::format("; keys: {}", fmt::join(keys, ", "));
    if (!t->group.empty()) parts += fmt::format("; group: {}", t->group);
    o.description = fmt::format("no_leakage({})", parts);
    o.columns = keys;
    return check(std::move(o), std::make_shared<const detail::leakage_impl>(std::move(t)));
}

// ---- selection_audit ---------------------------------------------------------------------------------

/// Options of selection_audit(): the label column whose class shares are compared (empty: none;
/// categorical or numeric), the family-wise level `alpha` for Holm-corrected p-values, and how many
/// categories each categorical column lists (at least 1).
struct selection_options {
    std::string label_column;
    double alpha = 0.05;
    std::size_t top_categories = 10;
};

/// A category (or label value) before the filter and among the kept rows: counts and shares of the
/// non-missing values.
struct category_share {
    std::string category;
    std::size_t count_before = 0, count_kept = 0;
    double share_before = std::numeric_limits<double>::quiet_NaN(), share_kept = std::numeric_limits<double>::quiet_NaN();
};

/// What the filter did to one column. Numeric and time (ticks): `test` "ks_2samp" = scipy.stats.
/// ks_2samp(kept, dropped) (disjoint samples, so the p-value is valid); `shift` = the KS distance
/// between kept and before (= dropped share x D(kept, dropped)); means before and kept, the standard
/// deviation before (ddof 1) and standardized_shift = (mean_kept - mean_before) / std_before.
/// Categorical: `test` "chi2_contingency" on the 2 x K table kept/dropped x category (scipy, Yates at
/// df 1); `shift` = total variation distance between kept and before shares; `categories` the
/// largest share changes first. Missing values are left out of the tests and counted.
struct column_selection {
    std::string column;
    column_kind kind = column_kind::numeric;
    std::string test;  ///< "ks_2samp", "chi2_contingency", or empty when the column could not be tested
    std::size_t count_before = 0, count_kept = 0, count_dropped = 0;  ///< non-missing values
    std::size_t missing_before = 0, missing_kept = 0;
    double statistic = std::numeric_limits<double>::quiet_NaN();
    double p_value = std::numeric_limits<double>::quiet_NaN();
    double p_adjusted = std::numeric_limits<double>::quiet_NaN();  ///< Holm across the tested columns
    double df = std::numeric_limits<double>::quiet_NaN();
    double shift = std::numeric_limits<double>::quiet_NaN();
    double mean_before = std::numeric_limits<double>::quiet_NaN(), mean_kept = std::numeric_limits<double>::quiet_NaN();
    double std_before = std::numeric_limits<double>::quiet_NaN();
    double standardized_shift = std::numeric_limits<double>::quiet_NaN();
    std::vector<category_share> categories;
    bool changed = false;  ///< p_adjusted <= alpha
    std::vector<std::string> notes;
};

/// Result of selection_audit(): rows before and kept, every column in frame order, the changed
/// columns ranked by descending shift (ties: smaller adjusted p, then name), the label's shares before
/// and after (every label value, in order of first appearance or ascending for numeric labels) with
/// their total variation distance, and report-level notes.
struct selection_report {
    std::size_t rows_before = 0, rows_kept = 0;
    std::vector<column_selection> columns;
    std::vector<std::string> most_changed;
    std::string label_column;
    std::vector<category_share> label_shares;
    double label_shift = std::numeric_limits<double>::quiet_NaN();
    double alpha = 0.05;
    std::vector<std::string> notes;
};

namespace detail {

inline void select_numeric(column_selection& r, const std::vector<double>& before, const std::vector<double>& kept,
                           const std::vector<double>& dropped, bool degenerate) {
    r.count_before = before.size();
    r.count_kept = kept.size();
    r.count_dropped = dropped.size();
    if (!before.empty()) {
        const auto mv = numpy_mean_and_var(before.data(), before.size(), 1);
        r.mean_before = mv.first;
        r.std_before = std::sqrt(mv.second);
    }
    if (!kept.empty()) r.mean_kept = numpy_mean_and_var(kept.data(), kept.size(), 0).first;
    if (!std::isnan(r.mean_kept) && !std::isnan(r.std_before)) {
        // A constant column cannot shift: its kept mean equals its mean.
        r.standardized_shift = r.std_before > 0.0 ? (r.mean_kept - r.mean_before) / r.std_before : 0.0;
    }
    if (kept.empty() || dropped.empty()) {
        if (!degenerate && !before.empty()) r.notes.push_back(kept.empty() ? "no kept row has a value here: nothing to compare"
                                                                           : "no dropped row has a value here: the filter left this column as it was");
        if (before.empty()) r.notes.push_back("every value is missing");
        if (!kept.empty() && dropped.empty()) r.shift = 0.0;
        return;
    }
    r.test = "ks_2samp";
    const stats::ks_result k = stats::ks_2samp(kept, dropped);
    r.statistic = k.statistic;
    r.p_value = k.p_value;
    stats::ks_options statistic_only;
    statistic_only.method = stats::ks_method::asymp;  // only D is used: skip the exact p-value
    r.shift = stats::ks_2samp(kept, before, statistic_only).statistic;
}

// Numeric values of a column (ticks for time) split into before / kept / dropped, missing counted;
// throws data_error (column, row) for an infinite value.
inline void split_numeric(const frame::column& c, const std::vector<bool>& mask, column_selection& r, std::vector<double>& before,
                          std::vector<double>& kept, std::vector<double>& dropped) {
    auto add = [&](std::size_t i, double v, bool missing) {
        if (missing) {
            ++r.missing_before;
            if (mask[i]) ++r.missing_kept;
            return;
        }
        before.push_back(v);
        (mask[i] ? kept : dropped).push_back(v);
    };
    if (const auto* nc = std::get_if<numeric_column>(&c.data)) {
        const auto v = nc->values();
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (std::isinf(v[i])) {
                throw data_error(c.name, i, std::string("mldp::quality::selection_audit: ") + (v[i] > 0 ? "+Inf" : "-Inf") +
                                                " cannot be compared (only finite values, and NaN as missing)");
            }
            add(i, v[i], std::isnan(v[i]));
        }
    } else {
        const auto& ticks = std::get<time_column>(c.data).ticks;
        for (std::size_t i = 0; i < ticks.size(); ++i) add(i, static_cast<double>(ticks[i]), ticks[i] == time_column::missing);
    }
}

// Shares of each category before and among the kept rows; the total variation distance between them.
inline double fill_shares(std::vector<category_share>& cats) {
    std::size_t nb = 0, nk = 0;
    for (const auto& c : cats) {
        nb += c.count_before;
        nk += c.count_kept;
    }
    double tvd = 0.0;
    for (auto& c : cats) {
        c.share_before = nb > 0 ? static_cast<double>(c.count_before) / static_cast<double>(nb) : std::numeric_limits<double>::quiet_NaN();
        c.share_kept = nk > 0 ? static_cast<double>(c.count_kept) / static_cast<double>(nk) : std::numeric_limits<double>::quiet_NaN();
        tvd += std::fabs(c.share_kept - c.share_before);
    }
    return nk > 0 && nb > 0 ? 0.5 * tvd : std::numeric_limits<double>::quiet_NaN();
}

// The categories of a categorical column present before the filter, in dictionary order.
inline std::vector<category_share> categorical_shares(const categorical_column& c, const std::vector<bool>& mask, column_selection& r) {
    std::vector<std::size_t> cb(c.dictionary().size(), 0), ck(c.dictionary().size(), 0);
    const auto& codes = c.codes();
    for (std::size_t i = 0; i < codes.size(); ++i) {
        if (codes[i] == categorical_column::missing_code) {
            ++r.missing_before;
            if (mask[i]) ++r.missing_kept;
            continue;
        }
        ++cb[static_cast<std::size_t>(codes[i])];
        if (mask[i]) ++ck[static_cast<std::size_t>(codes[i])];
    }
    std::vector<category_share> cats;
    for (std::size_t k = 0; k < cb.size(); ++k) {
        if (cb[k] > 0) cats.push_back({c.dictionary()[k], cb[k], ck[k]});
    }
    return cats;
}

inline void select_categorical(column_selection& r, std::vector<category_share> cats, std::size_t top, bool degenerate) {
    r.shift = fill_shares(cats);
    for (const auto& c : cats) {
        r.count_before += c.count_before;
        r.count_kept += c.count_kept;
    }
    r.count_dropped = r.count_before - r.count_kept;
    if (r.count_kept == 0 || r.count_dropped == 0 || cats.size() < 2) {
        if (r.count_before == 0) {
            r.notes.push_back("every value is missing");
        } else if (cats.size() < 2) {
            r.notes.push_back("one category only: nothing to compare");
        } else if (!degenerate) {
            r.notes.push_back(r.count_kept == 0 ? "no kept row has a value here: nothing to compare"
                                                : "no dropped row has a value here: the filter left this column as it was");
        }
    } else {
        r.test = "chi2_contingency";
        auto table = xt::xtensor<double, 2>::from_shape({2, cats.size()});
        for (std::size_t k = 0; k < cats.size(); ++k) {
            table(0, k) = static_cast<double>(cats[k].count_kept);
            table(1, k) = static_cast<double>(cats[k].count_before - cats[k].count_kept);
        }
        const auto t = stats::chi2_contingency(table);
        r.statistic = t.statistic;
        r.p_value = t.p_value;
        r.df = t.df;
    }
    std::stable_sort(cats.begin(), cats.end(), [](const category_share& a, const category_share& b) {
        const double da = std::fabs(a.share_kept - a.share_before), db = std::fabs(b.share_kept - b.share_before);
        return da > db;
    });
    if (cats.size() > top) cats.resize(top);
    r.categories = std::move(cats);
}

}  // namespace detail

/// What a filtering step did: `kept_mask[i]` says whether row i of `before` survived. Per column (see
/// column_selection) the kept rows are tested against the dropped ones - KS (scipy.stats.ks_2samp) for
/// numeric and time, chi-square (scipy.stats.chi2_contingency) for categorical - with Holm across the
/// tested columns (statsmodels multipletests), the label's shares compared, and the changed columns
/// ranked by shift. A filter that keeps every row or none gets a note and no test. O(sum n log n).
/// Throws invalid_argument for a mask of another length, alpha outside (0, 1), top_categories 0 or an
/// unknown or time label column; data_error (column, row) for an infinite numeric value.
inline selection_report selection_audit(const frame& before, const std::vector<bool>& kept_mask, const selection_options& options = {}) {
    const char* fn = "mldp::quality::selection_audit";
    if (kept_mask.size() != before.rows()) {
        throw invalid_argument(fmt::format("{}: kept_mask has {} entries but the frame has {} rows", fn, kept_mask.size(), before.rows()));
    }
    if (!(options.alpha > 0.0 && options.alpha < 1.0)) throw invalid_argument(fmt::format("{}: alpha must be in (0, 1), got {}", fn, options.alpha));
    if (options.top_categories == 0) throw invalid_argument(fmt::format("{}: top_categories must be at least 1", fn));
    if (!options.label_column.empty()) {
        if (!before.contains(options.label_column)) {
            throw invalid_argument(fmt::format("{}: the label column '{}' is not in the frame (columns: {})", fn, options.label_column,
                                               fmt::join(before.names(), ", ")));
        }
        if (before.kind(options.label_column) == column_kind::time) {
            throw invalid_argument(fmt::format("{}: the label column '{}' is a time column; labels are categorical or numeric", fn, options.label_column));
        }
    }
    selection_report rep;
    rep.rows_before = before.rows();
    for (bool k : kept_mask) rep.rows_kept += k ? 1 : 0;
    rep.label_column = options.label_column;
    rep.alpha = options.alpha;
    const bool degenerate = rep.rows_kept == 0 || rep.rows_kept == rep.rows_before;
    if (rep.rows_before == 0) {
        rep.notes.push_back("the frame has no rows: nothing to compare");
    } else if (rep.rows_kept == rep.rows_before) {
        rep.notes.push_back(fmt::format("the filter kept all {} rows: nothing was dropped, so no distribution can have changed", rep.rows_before));
    } else if (rep.rows_kept == 0) {
        rep.notes.push_back(fmt::format("the filter kept none of the {} rows: the kept side is empty, no test can compare it", rep.rows_before));
    }

    for (const auto& c : before.all()) {
        column_selection r;
        r.column = c.name;
        r.kind = c.kind();
        if (const auto* cc = std::get_if<categorical_column>(&c.data)) {
            detail::select_categorical(r, detail::categorical_shares(*cc, kept_mask, r), options.top_categories, degenerate);
        } else {
            std::vector<double> all, kept, dropped;
            detail::split_numeric(c, kept_mask, r, all, kept, dropped);
            detail::select_numeric(r, all, kept, dropped, degenerate);
        }
        if (c.name == options.label_column) {
            if (const auto* cc = std::get_if<categorical_column>(&c.data)) {
                column_selection scratch;
                rep.label_shares = detail::categorical_shares(*cc, kept_mask, scratch);
            } else {
                // Numeric labels: each distinct value is a class, ascending.
                const auto v = std::get<numeric_column>(c.data).values();
                std::vector<std::pair<double, bool>> rows;
                for (std::size_t i = 0; i < v.size(); ++i) {
                    if (!std::isnan(v[i])) rows.emplace_back(v[i], kept_mask[i]);
                }
                std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
                for (std::size_t i = 0; i < rows.size(); ++i) {
                    if (i == 0 || rows[i].first != rows[i - 1].first) rep.label_shares.push_back({mldp::quality::detail::value_text(rows[i].first), 0, 0});
                    ++rep.label_shares.back().count_before;
                    if (rows[i].second) ++rep.label_shares.back().count_kept;
                }
            }
            rep.label_shift = detail::fill_shares(rep.label_shares);
        }
        rep.columns.push_back(std::move(r));
    }

    std::vector<double> p;
    std::vector<std::size_t> tested;
    for (std::size_t i = 0; i < rep.columns.size(); ++i) {
        if (!rep.columns[i].test.empty()) {
            p.push_back(rep.columns[i].p_value);
            tested.push_back(i);
        }
    }
    const std::vector<double> adjusted = stats::adjust_p_values(p, stats::correction::holm);
    std::vector<const column_selection*> ranked;
    for (std::size_t k = 0; k < tested.size(); ++k) {
        auto& r = rep.columns[tested[k]];
        r.p_adjusted = adjusted[k];
        r.changed = r.p_adjusted <= options.alpha;
        if (r.changed) ranked.push_back(&r);
    }
    std::stable_sort(ranked.begin(), ranked.end(), [](const column_selection* a, const column_selection* b) {
        if (a->shift != b->shift) return a->shift > b->shift;
        if (a->p_adjusted != b->p_adjusted) return a->p_adjusted < b->p_adjusted;
        return a->column < b->column;
    });
    for (const auto* r : ranked) rep.most_changed.push_back(r->column);
    return rep;
}

/// JSON of a category share: category, counts and shares (null when undefined).
inline void to_json(nlohmann::json& j, const category_share& c) {
    j = nlohmann::json{{"category", c.category},
                       {"count_before", c.count_before},
                       {"count_kept", c.count_kept},
                       {"share_before", mldp::detail::json_number(c.share_before)},
                       {"share_kept", mldp::detail::json_number(c.share_kept)}};
}

/// JSON of a column's selection result: every field by name; undefined numbers are null.
inline void to_json(nlohmann::json& j, const column_selection& r) {
    const auto num = mldp::detail::json_number;
    j = nlohmann::json{{"column", r.column},
                       {"kind", std::string(to_string(r.kind))},
                       {"test", r.test},
                       {"count_before", r.count_before},
                       {"count_kept", r.count_kept},
                       {"count_dropped", r.count_dropped},
                       {"missing_before", r.missing_before},
                       {"missing_kept", r.missing_kept},
                       {"statistic", num(r.statistic)},
                       {"p_value", num(r.p_value)},
                       {"p_adjusted", num(r.p_adjusted)},
                       {"df", num(r.df)},
                       {"shift", num(r.shift)},
                       {"mean_before", num(r.mean_before)},
                       {"mean_kept", num(r.mean_kept)},
                       {"std_before", num(r.std_before)},
                       {"standardized_shift", num(r.standardized_shift)},
                       {"categories", r.categories},
                       {"changed", r.changed},
                       {"notes", r.notes}};
}

/// JSON of a selection report.
inline void to_json(nlohmann::json& j, const selection_report& r) {
    j = nlohmann::json{{"rows_before", r.rows_before},
                       {"rows_kept", r.rows_kept},
                       {"alpha", r.alpha},
                       {"correction", "holm"},
                       {"columns", r.columns},
                       {"most_changed", r.most_changed},
                       {"label_column", r.label_column},
                       {"label_shares", r.label_shares},
                       {"label_shift", mldp::detail::json_number(r.label_shift)},
                       {"notes", r.notes}};
}

}  // namespace mldp::quality

/// One line per column (test, statistic, p and Holm-adjusted p, shift, and the means or the largest
/// category share changes), then the changed columns in rank order, the label's shares and the notes.
template <>
struct fmt::formatter<mldp::quality::selection_report> {
    constexpr auto parse(fmt::format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const mldp::quality::selection_report& r, Ctx& ctx) const {
        auto out = fmt::format_to(ctx.out(), "selection audit: kept {} of {} rows ({:.1f}%), alpha {} (Holm)", r.rows_kept, r.rows_before,
                                  r.rows_before > 0 ? 100.0 * static_cast<double>(r.rows_kept) / static_cast<double>(r.rows_before) : 0.0,
                                  r.alpha);
        for (const auto& c : r.columns) {
            out = fmt::format_to(out, "\n  {} ({}): ", c.column, mldp::to_string(c.kind));
            if (c.test.empty()) {
                out = fmt::format_to(out, "not tested");
            } else {
                out = fmt::format_to(out, "{} = {:.4g}, p = {:.3g} (adjusted {:.3g}), shift {:.3f}{}", c.test, c.statistic, c.p_value,
                                     c.p_adjusted, c.shift, c.changed ? "  CHANGED" : "");
            }
            if (c.kind == mldp::column_kind::categorical) {
                for (std::size_t k = 0; k < c.categories.size() && k < 3; ++k) {
                    const auto& s = c.categories[k];
                    out = fmt::format_to(out, "\n    '{}': {:.1f}% before, {:.1f}% kept", s.category, 100.0 * s.share_before, 100.0 * s.share_kept);
                }
            } else {
                out = fmt::format_to(out, "\n    mean {:.6g} before, {:.6g} kept ({:+.3f} sd)", c.mean_before, c.mean_kept, c.standardized_shift);
            }
            if (c.missing_before > 0) out = fmt::format_to(out, "\n    missing: {} before, {} kept", c.missing_before, c.missing_kept);
            for (const auto& note : c.notes) out = fmt::format_to(out, "\n    note: {}", note);
        }
        out = fmt::format_to(out, "\n  changed most:");
        if (r.most_changed.empty()) out = fmt::format_to(out, " none");
        for (const auto& name : r.most_changed) out = fmt::format_to(out, " {}", name);
        if (!r.label_column.empty()) {
            out = fmt::format_to(out, "\n  label '{}' (total variation {:.3f}):", r.label_column, r.label_shift);
            for (const auto& s : r.label_shares) {
                out = fmt::format_to(out, " '{}' {:.1f}% -> {:.1f}%", s.category, 100.0 * s.share_before, 100.0 * s.share_kept);
            }
        }
        for (const auto& note : r.notes) out = fmt::format_to(out, "\n  note: {}", note);
        return out;
    }
};

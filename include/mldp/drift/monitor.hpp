// mldp — drift_monitor: compares batches of a frame with a reference, column by column, on bounded,
// mergeable profiles, and reports which columns drifted and whether the dataset did.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "mldp/core/detail/json.hpp"
#include <xtensor/xtensor.hpp>

#include "mldp/core/archive.hpp"
#include "mldp/core/error.hpp"
#include "mldp/core/frame.hpp"
#include "mldp/core/progress.hpp"
#include "mldp/sketch/column_profile.hpp"
#include "mldp/stats/contingency.hpp"
#include "mldp/stats/ks.hpp"
#include "mldp/stats/multiple_testing.hpp"
#include "mldp/stats/special.hpp"

namespace mldp::drift {

/// How batches are grouped into the window compared with the reference.
///   rows = 0: one window that grows until reset_window();
///   tumbling, rows = W: consecutive windows of W rows; update() reports on each window it completes;
///   sliding, rows = W: the last W rows, kept as `panes` panes of ceil(W / panes) rows; update()
///     reports each time a pane completes once W rows have been seen (every W / panes rows).
enum class window_kind : std::uint8_t { tumbling = 0, sliding = 1 };
struct window_options {
    window_kind kind = window_kind::tumbling;
    std::size_t rows = 0;
    std::size_t panes = 8;
};

/// Options of drift_monitor.
struct monitor_options {
    window_options window{};  ///< how batches form the compared window (see window_options)
    double alpha = 0.05;  ///< level of each column's test, after the correction across columns
    stats::correction correction = stats::correction::benjamini_hochberg;
    sketch::profile_options profile{};       ///< limits of every column profile
    double missing_rate_tolerance = 0.02;    ///< a rise of the missing rate by more than this is drift
    double new_category_tolerance = 0.0;     ///< a share of rows in unseen categories above this is drift
    double dataset_drift_share = 0.5;        ///< the dataset drifted when at least this share of columns did
    std::vector<std::string> columns;        ///< columns to watch (empty: every column of the reference)
};

/// One column's comparison.
struct column_drift {
    std::string column;
    std::string method;  ///< "ks_2samp" (both exact), "ks_sketch" (a KLL side), "chi2_contingency"
    double statistic = std::numeric_limits<double>::quiet_NaN();
    double p_value = std::numeric_limits<double>::quiet_NaN();        ///< before the correction
    double p_adjusted = std::numeric_limits<double>::quiet_NaN();     ///< after it
    double effect_size = std::numeric_limits<double>::quiet_NaN();    ///< Cohen's d (numeric) or Cramér's V
    double threshold = std::numeric_limits<double>::quiet_NaN();      ///< ks_sketch: the D above which drift is certain at alpha
    std::uint64_t n_reference = 0, n_current = 0;
    double missing_rate_reference = 0, missing_rate_current = 0;
    double new_category_share = 0;  ///< categorical: share of current rows in categories the reference lacks
    bool drift = false;
    std::string reason;  ///< why it drifted ("" when it did not)
};

/// The monitor's verdict on the current window.
struct drift_report {
    std::vector<column_drift> columns;
    std::size_t drifted = 0;
    double drifted_share = 0;
    bool dataset_drift = false;
};

namespace detail {

/// KS statistic between two ascending weighted views: the largest gap between their CDFs, evaluated
/// just after every distinct value of either side.
inline double ks_between(const std::vector<std::pair<double, std::uint64_t>>& a,
                         const std::vector<std::pair<double, std::uint64_t>>& b) {
    double na = 0, nb = 0;
    for (const auto& x : a) na += static_cast<double>(x.second);
    for (const auto& x : b) nb += static_cast<double>(x.second);
    std::size_t i = 0, j = 0;
    double ca = 0, cb = 0, d = 0;
    while (i < a.size() || j < b.size()) {
        const double v = j == b.size() || (i < a.size() && a[i].first <= b[j].first) ? a[i].first : b[j].first;
        while (i < a.size() && a[i].first == v) ca += static_cast<double>(a[i++].second);
        while (j < b.size() && b[j].first == v) cb += static_cast<double>(b[j++].second);
        d = (std::max)(d, std::fabs(ca / na - cb / nb));
    }
    return d;
}

}  // namespace detail

/// Watches the columns of a reference frame for drift in later batches.
///
/// The reference and the current window are column_profiles (bounded memory, mergeable). Per column:
///   numeric / time: two-sample KS. With both sides still exact (at most profile.exact_threshold
///     finite values each) it is scipy's ks_2samp (exact p-value up to 10,000 values). Otherwise a
///     side is a KLL sketch, and, as DataSketches does, the sketches' rank errors e are not ignored:
///     the reported p-value is the asymptotic Kolmogorov p-value of max(0, D - e_ref - e_cur), so it is
///     never finer than the sketches can know, and `threshold` is the D that is significant at alpha
///     whatever the sketch error (sqrt(-ln(alpha / 2) / 2) sqrt(1/n + 1/m) + e_ref + e_cur).
///     Effect size: Cohen's d from the moments.
///   categorical: chi-square test of the reference and current category counts (scipy's
///     chi2_contingency; categories the reference lacks are counted and reported apart).
///     Effect size: Cramér's V.
/// p-values are corrected across columns (Benjamini-Hochberg by default). A column drifts when its
/// corrected p-value is <= alpha, its missing rate rose by more than missing_rate_tolerance, or the
/// share of current rows in unseen categories exceeds new_category_tolerance.
class drift_monitor {
public:
    /// Profiles every watched column of `reference`. Throws invalid_argument for an empty reference,
    /// an unknown column, or bad options.
    drift_monitor(const frame& reference, const monitor_options& o = {}) : o_(o) {
        if (!(o.alpha > 0 && o.alpha < 1)) throw invalid_argument("mldp::drift::drift_monitor: alpha must be in (0, 1)");
        if (reference.rows() == 0) throw invalid_argument("mldp::drift::drift_monitor: the reference frame has no rows");
        validate_window(o.window);
        std::vector<std::string> names = o.columns.empty() ? reference.names() : o.columns;
        for (std::size_t i = 0; i < names.size(); ++i) {
            for (std::size_t j = 0; j < i; ++j) {
                if (names[i] == names[j]) {
                    throw invalid_argument(fmt::format("mldp::drift::drift_monitor: column '{}' listed twice", names[i]));
                }
            }
        }
        for (const auto& name : names) {
            const auto& col = column_of(reference, name);
            const auto kind = col.kind() == column_kind::categorical ? sketch::profile_kind::categorical
                                                                     : sketch::profile_kind::numeric;
            watched_.push_back({name, sketch::column_profile(kind, o.profile), sketch::column_profile(kind, o.profile), {}});
            watched_.back().reference.update(col);
        }
    }

    /// Adds a batch, row by row, to the window (see window_options) and returns the reports of the
    /// windows it completed (none with rows = 0). Throws invalid_argument when the batch lacks a
    /// watched column or has it with another kind.
    std::vector<drift_report> update(const frame& batch) { return update(batch, progress_fn{}); }

    /// As update(batch), reporting progress in rows ("drift_monitor::update", done of batch.rows())
    /// after each completed pane (window_options::rows > 0) or once at the end.
    std::vector<drift_report> update(const frame& batch, const progress_fn& progress) {
        std::vector<const frame::column*> cols;
        for (auto& w : watched_) {
            const auto& col = column_of(batch, w.name);
            const bool categorical = col.kind() == column_kind::categorical;
            if (categorical != (w.current.kind() == sketch::profile_kind::categorical)) {
                throw invalid_argument(fmt::format("mldp::drift::drift_monitor::update: column '{}' changed kind", w.name));
            }
            cols.push_back(&col);
        }
        std::vector<drift_report> reports;
        const std::size_t n = batch.rows();
        if (o_.window.rows == 0) {
            for (std::size_t c = 0; c < cols.size(); ++c) watched_[c].current.update(*cols[c]);
            current_rows_ += n;
            mldp::detail::report_progress(progress, "drift_monitor::update", n, n);
            return reports;
        }
        const std::size_t pane = pane_rows();
        // (A merge can leave the current pane full; it completes before new rows go in.)
        for (std::size_t pos = 0; pos < n || current_rows_ >= pane;) {
            const std::size_t take = current_rows_ >= pane ? 0 : (std::min)(n - pos, pane - current_rows_);
            for (std::size_t c = 0; c < cols.size(); ++c) watched_[c].current.update(*cols[c], pos, pos + take);
            current_rows_ += take;
            pos += take;
            if (current_rows_ >= pane) {
                if (auto r = complete_pane()) reports.push_back(std::move(*r));
                if (pos < n) mldp::detail::report_progress(progress, "drift_monitor::update", pos, n);
            }
        }
        mldp::detail::report_progress(progress, "drift_monitor::update", n, n);
        return reports;
    }

    /// Adds one row, for serving loops: `numeric` holds the values of the watched numeric and time
    /// columns and `categorical` those of the watched categorical columns, each in watching order
    /// (NaN and std::nullopt are missing). Returns the report of the window this row completes, if
    /// any. Throws invalid_argument when a count differs from the watched columns of that kind.
    std::optional<drift_report> update_row(const std::vector<double>& numeric,
                                           const std::vector<std::optional<std::string_view>>& categorical) {
        std::size_t nn = 0, nc = 0;
        for (const auto& w : watched_) (w.current.kind() == sketch::profile_kind::numeric ? nn : nc) += 1;
        if (numeric.size() != nn || categorical.size() != nc) {
            throw invalid_argument(fmt::format("mldp::drift::drift_monitor::update_row: got {} numeric and {} categorical values "
                                               "for {} numeric and {} categorical watched columns",
                                               numeric.size(), categorical.size(), nn, nc));
        }
        std::size_t in = 0, ic = 0;
        for (auto& w : watched_) {
            if (w.current.kind() == sketch::profile_kind::numeric) {
                w.current.update(&numeric[in++], 1);
            } else {
                w.current.update_category(categorical[ic++]);
            }
        }
        ++current_rows_;
        if (o_.window.rows > 0 && current_rows_ >= pane_rows()) return complete_pane();
        return std::nullopt;
    }

    /// Empties the window (and the sliding window's panes).
    void reset_window() {
        for (auto& w : watched_) {
            w.current = sketch::column_profile(w.current.kind(), o_.profile);
            w.panes.clear();
        }
        current_rows_ = 0;
    }

    /// Adds another monitor's window (the same reference and options, e.g. another thread's share of
    /// the same stream): the current panes merge, and completed panes merge position by position.
    /// Throws invalid_argument when the monitors watch different columns or hold different numbers
    /// of completed panes.
    void merge(const drift_monitor& other_in) {
        std::optional<drift_monitor> self;  // merging a monitor with itself reads a copy
        if (&other_in == this) self.emplace(other_in);
        const drift_monitor& other = self ? *self : other_in;
        if (other.watched_.size() != watched_.size()) {
            throw invalid_argument("mldp::drift::drift_monitor::merge: the monitors watch different columns");
        }
        for (std::size_t i = 0; i < watched_.size(); ++i) {
            if (other.watched_[i].name != watched_[i].name || other.watched_[i].panes.size() != watched_[i].panes.size()) {
                throw invalid_argument("mldp::drift::drift_monitor::merge: the monitors watch different columns or windows");
            }
        }
        for (std::size_t i = 0; i < watched_.size(); ++i) {
            watched_[i].current.merge(other.watched_[i].current);
            for (std::size_t p = 0; p < watched_[i].panes.size(); ++p) watched_[i].panes[p].merge(other.watched_[i].panes[p]);
        }
        current_rows_ += other.current_rows_;
    }

    /// Compares the window (for sliding windows: the completed panes plus the current one) with the
    /// reference. Columns with no current rows are reported with NaN statistics and never drift.
    /// O(columns x profile size).
    drift_report results() const {
        drift_report rep;
        std::vector<double> p;
        std::vector<std::size_t> tested;
        for (const auto& w : watched_) {
            column_drift c;
            if (w.panes.empty()) {
                c = compare(w.name, w.reference, w.current);
            } else {
                sketch::column_profile window = w.panes.front();
                for (std::size_t k = 1; k < w.panes.size(); ++k) window.merge(w.panes[k]);
                window.merge(w.current);
                c = compare(w.name, w.reference, window);
            }
            if (!std::isnan(c.p_value)) {
                p.push_back(c.p_value);
                tested.push_back(rep.columns.size());
            }
            rep.columns.push_back(std::move(c));
        }
        if (!p.empty()) {
            const auto adj = stats::adjust_p_values(p, o_.correction);
            for (std::size_t t = 0; t < adj.size(); ++t) rep.columns[tested[t]].p_adjusted = adj[t];
        }
        for (auto& c : rep.columns) {
            if (c.n_current == 0) continue;
            if (c.p_adjusted <= o_.alpha) {
                c.drift = true;
                c.reason = fmt::format("{} p = {:.3g} (corrected {:.3g}) <= {}", c.method, c.p_value, c.p_adjusted, o_.alpha);
            }
            if (c.missing_rate_current - c.missing_rate_reference > o_.missing_rate_tolerance) {
                c.drift = true;
                c.reason += fmt::format("{}missing rate {:.3f} -> {:.3f}", c.reason.empty() ? "" : "; ",
                                        c.missing_rate_reference, c.missing_rate_current);
            }
            if (c.new_category_share > o_.new_category_tolerance) {
                c.drift = true;
                c.reason += fmt::format("{}{:.3g}% of rows in categories the reference lacks", c.reason.empty() ? "" : "; ",
                                        100 * c.new_category_share);
            }
            rep.drifted += c.drift;
        }
        rep.drifted_share = rep.columns.empty() ? 0.0 : static_cast<double>(rep.drifted) / static_cast<double>(rep.columns.size());
        rep.dataset_drift = !rep.columns.empty() && rep.drifted_share >= o_.dataset_drift_share;
        return rep;
    }

    /// A monitor from saved reference profiles (name, profile), e.g. built elsewhere and merged, or
    /// restored with column_profile::deserialize. Throws invalid_argument for no profiles, a repeated
    /// name, or profiles whose limits differ from o.profile.
    static drift_monitor from_profiles(std::vector<std::pair<std::string, sketch::column_profile>> profiles,
                                       const monitor_options& o = {}) {
        if (profiles.empty()) throw invalid_argument("mldp::drift::drift_monitor::from_profiles: no profiles");
        validate_window(o.window);
        drift_monitor m(o, 0);
        for (auto& [name, p] : profiles) {
            for (const auto& w : m.watched_) {
                if (w.name == name) throw invalid_argument(fmt::format("mldp::drift::drift_monitor: column '{}' given twice", name));
            }
            const auto& po = p.options();
            if (po.exact_threshold != o.profile.exact_threshold || po.kll_k != o.profile.kll_k ||
                po.category_cap != o.profile.category_cap || po.frequent_capacity != o.profile.frequent_capacity) {
                throw invalid_argument(fmt::format("mldp::drift::drift_monitor: profile '{}' has other limits than the options", name));
            }
            const auto kind = p.kind();
            m.watched_.push_back({name, std::move(p), sketch::column_profile(kind, o.profile), {}});
        }
        return m;
    }

    /// Bytes in mldp's checked envelope (tag "MON1", version 1): the options and, per column, its name
    /// and reference and current profiles. A restored monitor continues where this one stopped.
    std::vector<std::uint8_t> serialize() const {
        archive_writer w("MON1", 1);
        w.put_f64(o_.alpha);
        w.put_u8(static_cast<std::uint8_t>(o_.correction));
        w.put_f64(o_.missing_rate_tolerance);
        w.put_f64(o_.new_category_tolerance);
        w.put_f64(o_.dataset_drift_share);
        w.put_u64(o_.profile.exact_threshold);
        w.put_u16(o_.profile.kll_k);
        w.put_u64(o_.profile.category_cap);
        w.put_u64(o_.profile.frequent_capacity);
        w.put_u64(o_.profile.seed);
        w.put_u8(static_cast<std::uint8_t>(o_.window.kind));
        w.put_u64(o_.window.rows);
        w.put_u64(o_.window.panes);
        w.put_u64(current_rows_);
        w.put_u64(watched_.size());
        for (const auto& c : watched_) {
            w.put_string(c.name);
            w.put_bytes(c.reference.serialize());
            w.put_bytes(c.current.serialize());
            w.put_u64(c.panes.size());
            for (const auto& p : c.panes) w.put_bytes(p.serialize());
        }
        return w.finish();
    }

    /// Restores serialize()'s output; every field and nested profile is checked. Throws format_error.
    static drift_monitor deserialize(const std::uint8_t* data, std::size_t size) {
        archive_reader r(data, size, "MON1", 1, 1);
        monitor_options o;
        o.alpha = r.get_f64("alpha");
        r.require(o.alpha > 0 && o.alpha < 1, "alpha outside (0, 1)");
        const std::uint8_t corr = r.get_u8("correction");
        r.require(corr <= static_cast<std::uint8_t>(stats::correction::benjamini_yekutieli), "unknown correction");
        o.correction = static_cast<stats::correction>(corr);
        o.missing_rate_tolerance = r.get_f64("missing rate tolerance");
        o.new_category_tolerance = r.get_f64("new category tolerance");
        o.dataset_drift_share = r.get_f64("dataset drift share");
        r.require(std::isfinite(o.missing_rate_tolerance) && std::isfinite(o.new_category_tolerance) &&
                      std::isfinite(o.dataset_drift_share),
                  "non-finite tolerance");
        o.profile.exact_threshold = static_cast<std::size_t>(r.get_u64("exact threshold"));
        o.profile.kll_k = r.get_u16("kll k");
        o.profile.category_cap = static_cast<std::size_t>(r.get_u64("category cap"));
        o.profile.frequent_capacity = static_cast<std::size_t>(r.get_u64("frequent capacity"));
        o.profile.seed = r.get_u64("seed");
        const std::uint8_t wk = r.get_u8("window kind");
        r.require(wk <= 1, "unknown window kind");
        o.window.kind = static_cast<window_kind>(wk);
        o.window.rows = static_cast<std::size_t>(r.get_u64("window rows"));
        o.window.panes = static_cast<std::size_t>(r.get_u64("window panes"));
        r.require(o.window.panes >= 1 && o.window.panes <= 4096 && (o.window.rows == 0 || o.window.panes <= o.window.rows),
                  "window panes out of range");
        const std::uint64_t current_rows = r.get_u64("rows in the current pane");
        const std::uint64_t k = r.get_u64("column count");
        r.require(k >= 1 && k <= r.remaining() / 24, "column count out of range");
        drift_monitor m(o, 0);
        auto get_profile = [&](const char* what) { return sketch::column_profile::deserialize(r.get_bytes(what)); };
        for (std::uint64_t i = 0; i < k; ++i) {
            std::string name = r.get_string("column name");
            auto ref = get_profile("reference profile");
            auto cur = get_profile("current profile");
            r.require(ref.kind() == cur.kind(), "reference and current profiles of different kinds");
            for (const auto& w : m.watched_) r.require(w.name != name, "repeated column name");
            const std::uint64_t np = r.get_u64("pane count");
            r.require(np <= m.pane_count() && (np == 0 || o.window.kind == window_kind::sliding), "pane count out of range");
            std::vector<sketch::column_profile> panes;
            for (std::uint64_t q = 0; q < np; ++q) {
                panes.push_back(get_profile("pane profile"));
                r.require(panes.back().kind() == ref.kind(), "pane of another kind");
            }
            if (!m.watched_.empty()) r.require(panes.size() == m.watched_.front().panes.size(), "columns with different pane counts");
            m.watched_.push_back({std::move(name), std::move(ref), std::move(cur), std::move(panes)});
        }
        r.finish();
        r.require(o.window.rows == 0 || current_rows < m.pane_rows(), "current pane holds more rows than a pane");
        m.current_rows_ = static_cast<std::size_t>(current_rows);
        return m;
    }
    static drift_monitor deserialize(const std::vector<std::uint8_t>& b) { return deserialize(b.data(), b.size()); }

    const monitor_options& options() const noexcept { return o_; }
    /// The reference profile of a watched column. Throws invalid_argument for an unwatched one.
    const sketch::column_profile& reference(const std::string& column) const { return find(column).reference; }
    const sketch::column_profile& current(const std::string& column) const { return find(column).current; }

private:
    drift_monitor(const monitor_options& o, int /*empty*/) : o_(o) {}

    struct watched {
        std::string name;
        sketch::column_profile reference, current;
        std::vector<sketch::column_profile> panes;  // completed panes of a sliding window, oldest first
    };

    static void validate_window(const window_options& w) {
        if (w.panes == 0 || (w.rows > 0 && w.panes > w.rows)) {
            throw invalid_argument("mldp::drift::drift_monitor: window panes must be in [1, window rows]");
        }
    }
    /// Closes the full current pane: a tumbling window is reported and emptied; a sliding window
    /// keeps the pane (dropping the oldest beyond `panes`) and is reported once it holds all of them.
    std::optional<drift_report> complete_pane() {
        if (o_.window.kind == window_kind::tumbling) {
            auto r = results();
            reset_window();
            return r;
        }
        for (auto& w : watched_) {
            w.panes.push_back(std::move(w.current));
            if (w.panes.size() > pane_count()) w.panes.erase(w.panes.begin());
            w.current = sketch::column_profile(w.panes.back().kind(), o_.profile);
        }
        current_rows_ = 0;
        if (watched_.front().panes.size() == pane_count()) return results();
        return std::nullopt;
    }

    /// Panes a full sliding window keeps: ceil(rows / pane_rows()), so that they hold about `rows`
    /// rows (rows = 10 in 8 panes gives panes of 2 rows, and 5 of them).
    std::size_t pane_count() const noexcept {
        const std::size_t pr = pane_rows();
        return pr == 0 ? 0 : (o_.window.rows + pr - 1) / pr;
    }

    /// Rows per pane: the whole window for tumbling windows, ceil(rows / panes) for sliding ones.
    std::size_t pane_rows() const noexcept {
        return o_.window.kind == window_kind::tumbling ? o_.window.rows
                                                       : (o_.window.rows + o_.window.panes - 1) / o_.window.panes;
    }

    static const frame::column& column_of(const frame& f, const std::string& name) { return f.at(std::string_view(name)); }
    const watched& find(const std::string& name) const {
        for (const auto& w : watched_) {
            if (w.name == name) return w;
        }
        throw invalid_argument(fmt::format("mldp::drift::drift_monitor: column '{}' is not watched", name));
    }

    column_drift compare(const std::string& name, const sketch::column_profile& ref, const sketch::column_profile& cur) const {
        column_drift c;
        c.column = name;
        c.missing_rate_reference = ref.missing_rate();
        c.missing_rate_current = cur.missing_rate();
        if (ref.kind() == sketch::profile_kind::numeric) {
            c.n_reference = ref.stats().count();
            c.n_current = cur.stats().count();
            if (c.n_reference == 0 || c.n_current == 0) return c;
            if (ref.exact() && cur.exact()) {
                const auto r = stats::ks_2samp(ref.values(), cur.values());
                c.method = "ks_2samp";
                c.statistic = r.statistic;
                c.p_value = r.p_value;
            } else {
                const double d = detail::ks_between(ref.sorted_view(), cur.sorted_view());
                const double e = ref.rank_error() + cur.rank_error();
                const double n = static_cast<double>(c.n_reference), m = static_cast<double>(c.n_current);
                const double en = n * m / (n + m);
                c.method = "ks_sketch";
                c.statistic = d;
                c.p_value = stats::kolmogorov_sf((std::max)(0.0, d - e) * std::sqrt(en));
                c.threshold = std::sqrt(-0.5 * std::log(o_.alpha / 2)) * std::sqrt(1 / n + 1 / m) + e;
            }
            const double vr = ref.stats().variance(), vc = cur.stats().variance();
            const double pooled = std::sqrt((vr + vc) / 2);
            if (pooled > 0) c.effect_size = (cur.stats().mean() - ref.stats().mean()) / pooled;
            return c;
        }
        // Categorical.
        c.n_reference = ref.rows() - ref.missing();
        c.n_current = cur.rows() - cur.missing();
        if (c.n_reference == 0 || c.n_current == 0) return c;
        std::map<std::string, std::pair<double, double>> table;  // category -> (reference, current)
        // An approximate (frequent-items) side knows a category's count only within its max_error:
        // it contributes the categories known to 5% (lower bound >= 20 max_error), each at the middle
        // of its bounds; the rest of its weight stays in the pooled "other" cell.
        auto add = [&](const sketch::column_profile& p, bool current_side) {
            if (p.counted_exactly()) {
                for (const auto& [cat, n] : p.counts()) {
                    (current_side ? table[cat].second : table[cat].first) += static_cast<double>(n);
                }
            } else {
                const std::uint64_t err = p.count_error();
                for (const auto& e : p.frequent().items_above(0)) {
                    if (e.lower < 20 * err) continue;
                    const double est = static_cast<double>(e.lower) + static_cast<double>(err) / 2;
                    (current_side ? table[e.item].second : table[e.item].first) += est;
                }
            }
        };
        add(ref, false);
        add(cur, true);
        double unseen = 0;
        if (ref.counted_exactly()) {
            for (const auto& [cat, rc] : table) unseen += rc.first == 0 ? rc.second : 0.0;
        }
        c.new_category_share = unseen / static_cast<double>(c.n_current);
        // A category gets its own cell only when every approximate side knows it (above); the rest of
        // both sides pools into "other", so that one side's coverage never passes for a difference in
        // distribution.
        const bool ref_exact = ref.counted_exactly(), cur_exact = cur.counted_exactly();
        std::vector<std::pair<double, double>> cells;
        double ref_in = 0, cur_in = 0;
        for (const auto& [cat, rc] : table) {
            const bool ref_known = ref_exact || rc.first > 0;
            const bool cur_known = cur_exact || rc.second > 0;
            if (!(ref_known && cur_known)) continue;
            cells.push_back(rc);
            ref_in += rc.first;
            cur_in += rc.second;
        }
        const double ref_other = static_cast<double>(c.n_reference) - ref_in;
        const double cur_other = static_cast<double>(c.n_current) - cur_in;
        if (ref_other > 0 || cur_other > 0) cells.emplace_back(ref_other, cur_other);
        if (cells.size() < 2) {
            c.method = "chi2_contingency";
            c.statistic = 0;
            c.p_value = 1;
            return c;
        }
        xt::xtensor<double, 2> t = xt::zeros<double>({std::size_t{2}, cells.size()});
        for (std::size_t j = 0; j < cells.size(); ++j) {
            t(0, j) = cells[j].first;
            t(1, j) = cells[j].second;
        }
        const auto r = stats::chi2_contingency(t);
        c.method = "chi2_contingency";
        c.statistic = r.statistic;
        c.p_value = r.p_value;
        c.effect_size = stats::cramers_v(t);
        return c;
    }

    monitor_options o_;
    std::vector<watched> watched_;
    std::size_t current_rows_ = 0;  // rows in the current pane (window)
};

inline void to_json(nlohmann::json& j, const column_drift& c) {
    const auto num = mldp::detail::json_number;
    j = nlohmann::json{{"column", c.column},
                       {"method", c.method},
                       {"statistic", num(c.statistic)},
                       {"p_value", num(c.p_value)},
                       {"p_adjusted", num(c.p_adjusted)},
                       {"effect_size", num(c.effect_size)},
                       {"threshold", num(c.threshold)},
                       {"n_reference", c.n_reference},
                       {"n_current", c.n_current},
                       {"missing_rate_reference", c.missing_rate_reference},
                       {"missing_rate_current", c.missing_rate_current},
                       {"new_category_share", c.new_category_share},
                       {"drift", c.drift},
                       {"reason", c.reason}};
}

inline void to_json(nlohmann::json& j, const drift_report& r) {
    j = nlohmann::json{{"columns", r.columns}, {"drifted", r.drifted}, {"drifted_share", r.drifted_share},
                       {"dataset_drift", r.dataset_drift}};
}

}  // namespace mldp::drift

/// Prints one column's comparison on a line: method, statistic, adjusted p-value, effect size, sizes, verdict.
template <>
struct fmt::formatter<mldp::drift::column_drift> {
    constexpr auto parse(format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const mldp::drift::column_drift& c, Ctx& ctx) const {
        return fmt::format_to(ctx.out(), "{:<16} {:<16} stat {:>9.4g}  p {:>9.3g}  effect {:>7.3f}  n {}/{}  {}{}", c.column, c.method,
                              c.statistic, c.p_adjusted, c.effect_size, c.n_reference, c.n_current, c.drift ? "DRIFT" : "ok",
                              c.reason.empty() ? "" : " (" + c.reason + ")");
    }
};

/// Prints a drift report, one line per column.
template <>
struct fmt::formatter<mldp::drift::drift_report> {
    constexpr auto parse(format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const mldp::drift::drift_report& r, Ctx& ctx) const {
        auto out = fmt::format_to(ctx.out(), "drift report: {} of {} columns drifted; dataset drift: {}\n", r.drifted,
                                  r.columns.size(), r.dataset_drift ? "yes" : "no");
        for (const auto& c : r.columns) out = fmt::format_to(out, "  {}\n", c);
        return out;
    }
};

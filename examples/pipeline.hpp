// The end-to-end pipeline of examples/pipeline.cpp (scripts/demo), as functions a test can call:
//
//   1. read a CSV, then a reproducible stratified, key-hashed 3-way split with its manifest and report;
//   2. quality validation against a schema inferred from the training rows;
//   3. a logistic regression (mini-batch SGD written with xtensor, early stopping on validation),
//      trained on two weighted objectives, overall accuracy against missed positives, over a sweep
//      of weights kept in a Pareto archive; the operating threshold chosen for a recall floor;
//   4. sliced metrics on the test rows;
//   5. a drift scenario on held-out rows (one feature rescaled, another shifted, as by a recalibrated
//      instrument) fed through the drift monitor and streaming detectors;
//   6. a seed sweep of the whole training to show the run-to-run spread.
//
// Everything is seeded: the same data, options and seed give the same numbers on every run.
#pragma once

#include <algorithm>
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
#include <xtensor/xtensor.hpp>

#include <mldp/mldp.hpp>

namespace pipeline {

/// What to run on. The defaults run the bundled Breast Cancer Wisconsin data: predict a malignant
/// diagnosis, where a missed malignancy costs most.
struct options {
    std::string csv;                      ///< path of the CSV file
    std::string label = "diagnosis";      ///< label column (two classes)
    std::string positive;                 ///< the class to detect; default: the rarer class
    std::string key;                      ///< key column for the keyed split; default: the row number
    std::string slice;                    ///< column to slice test metrics by; numeric columns are cut in tertiles
    std::string scale_feature;            ///< drift scenario: the feature multiplied by `scale` (default: 2nd feature)
    std::string shift_feature;            ///< drift scenario: the feature shifted by `shift_sd` sds (default: 5th)
    double scale = 1.25;
    double shift_sd = 1.0;
    mldp::split::fractions split{0.6, 0.2, 0.2};
    std::uint64_t seed = 42;
    double recall_floor = 0.95;           ///< the operating threshold keeps validation recall at least this
    std::vector<double> lambdas{0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9};  ///< weights on missed positives
    std::size_t max_epochs = 300;
    std::size_t batch = 32;
    double learning_rate = 0.1;
    std::size_t patience = 15;
    std::size_t sweep_seeds = 10;
    std::size_t stream_rows = 2000;       ///< drift stream length; the change starts halfway
    std::size_t window_rows = 250;        ///< drift monitor tumbling window
};

/// Progress of a long step, for the console's progress bar.
using progress_fn = mldp::progress_fn;

// ---------------------------------------------------------------------------------------------
// Data preparation

/// The labelled rows: features standardized later, per split.
struct dataset {
    mldp::frame frame;                  ///< the CSV as read
    std::vector<std::string> features;  ///< numeric columns used by the model
    std::vector<std::string> labels;    ///< label text per row
    std::vector<double> y;              ///< 1 for the positive class
    std::vector<std::string> keys;      ///< key text per row
    std::string positive, negative;
    std::string key_column;             ///< "" when the row number is the key
    std::vector<std::string> ignored;   ///< columns that are neither label, key nor numeric feature
    std::string scaled, shifted;        ///< the drift scenario's two features
};

inline std::string cell_text(const mldp::frame::column& c, std::size_t row) {
    switch (c.kind()) {
        case mldp::column_kind::categorical: {
            const auto v = std::get<mldp::categorical_column>(c.data).value(row);
            return v ? std::string(*v) : std::string();
        }
        case mldp::column_kind::numeric: {
            const double v = std::get<mldp::numeric_column>(c.data).values()[row];
            return std::isnan(v) ? std::string() : fmt::format("{}", v);
        }
        case mldp::column_kind::time: {
            const auto& t = std::get<mldp::time_column>(c.data);
            return t.is_missing(row) ? std::string() : fmt::format("{}", t.ticks[row]);
        }
    }
    return {};
}

/// Picks label, positive class, key and features. Throws mldp::invalid_argument with a clear
/// message when the label is missing, has other than two classes, or rows lack a label.
inline dataset prepare(mldp::frame f, const options& o) {
    dataset d;
    const auto& label = f.at(o.label);  // throws, listing the columns, when absent
    const std::size_t n = f.rows();
    if (n < 20) throw mldp::invalid_argument(fmt::format("the data has {} rows; the pipeline needs at least 20", n));
    d.labels.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        d.labels[i] = cell_text(label, i);
        if (d.labels[i].empty()) {
            throw mldp::data_error(o.label, i, "the label is missing; drop or fill unlabelled rows first");
        }
    }
    std::vector<std::pair<std::string, std::size_t>> counts;
    for (const auto& l : d.labels) {
        auto it = std::find_if(counts.begin(), counts.end(), [&](const auto& c) { return c.first == l; });
        if (it == counts.end()) counts.emplace_back(l, 1);
        else ++it->second;
    }
    if (counts.size() != 2) {
        throw mldp::invalid_argument(fmt::format("the label column '{}' has {} classes; the pipeline trains a binary classifier",
                                                 o.label, counts.size()));
    }
    std::sort(counts.begin(), counts.end());
    for (const auto& c : counts) {
        if (c.second < 10) {
            throw mldp::invalid_argument(fmt::format("class '{}' of '{}' has {} rows; the pipeline needs at least 10 per class to "
                                                     "split, train, validate and test",
                                                     c.first, o.label, c.second));
        }
    }
    if (!o.positive.empty()) {
        auto it = std::find_if(counts.begin(), counts.end(), [&](const auto& c) { return c.first == o.positive; });
        if (it == counts.end()) {
            throw mldp::invalid_argument(fmt::format("--positive '{}' is not a class of '{}' (classes: {}, {})", o.positive,
                                                     o.label, counts[0].first, counts[1].first));
        }
        d.positive = o.positive;
    } else {
        d.positive = counts[0].second <= counts[1].second ? counts[0].first : counts[1].first;  // the rarer class
    }
    d.negative = counts[0].first == d.positive ? counts[1].first : counts[0].first;
    d.y.resize(n);
    for (std::size_t i = 0; i < n; ++i) d.y[i] = d.labels[i] == d.positive ? 1.0 : 0.0;

    d.key_column = o.key;
    d.keys.resize(n);
    if (!o.key.empty()) {
        const auto& k = f.at(o.key);
        for (std::size_t i = 0; i < n; ++i) d.keys[i] = cell_text(k, i);
    } else {
        for (std::size_t i = 0; i < n; ++i) d.keys[i] = fmt::format("row-{}", i);
    }
    for (const auto& c : f.all()) {
        if (c.name == o.label || c.name == o.key) continue;
        (c.kind() == mldp::column_kind::numeric ? d.features : d.ignored).push_back(c.name);
    }
    if (d.features.empty()) throw mldp::invalid_argument("the data has no numeric feature column to train on");
    // Every column option is checked here, before any work.
    if (!o.slice.empty()) (void)f.at(o.slice);
    const auto is_feature = [&](const std::string& name) {
        return std::find(d.features.begin(), d.features.end(), name) != d.features.end();
    };
    for (const auto& name : {o.scale_feature, o.shift_feature}) {
        if (!name.empty() && !is_feature(name)) {
            throw mldp::invalid_argument(fmt::format("'{}' is not a numeric feature column (features: {})", name, fmt::join(d.features, ", ")));
        }
    }
    if (d.features.size() < 2) throw mldp::invalid_argument("the drift scenario needs two numeric feature columns");
    d.scaled = o.scale_feature.empty() ? d.features[(std::min)(std::size_t{1}, d.features.size() - 1)] : o.scale_feature;
    d.shifted = o.shift_feature;
    if (d.shifted.empty()) {
        d.shifted = d.features[(std::min)(std::size_t{4}, d.features.size() - 1)];
        if (d.shifted == d.scaled) d.shifted = d.features[d.scaled == d.features[0] ? 1 : 0];
    }
    if (d.shifted == d.scaled) {
        throw mldp::invalid_argument(fmt::format("--scale-feature and --shift-feature name the same column '{}'", d.scaled));
    }
    d.frame = std::move(f);
    return d;
}

/// Rows `rows` of frame `f`, copied.
inline mldp::frame take_rows(const mldp::frame& f, const std::vector<std::size_t>& rows) {
    mldp::frame out;
    for (const auto& c : f.all()) {
        switch (c.kind()) {
            case mldp::column_kind::numeric: {
                const auto v = std::get<mldp::numeric_column>(c.data).values();
                std::vector<double> x(rows.size());
                for (std::size_t i = 0; i < rows.size(); ++i) x[i] = v[rows[i]];
                out.add(c.name, std::move(x));
                break;
            }
            case mldp::column_kind::categorical: {
                const auto& cat = std::get<mldp::categorical_column>(c.data);
                std::vector<std::int32_t> codes(rows.size());
                for (std::size_t i = 0; i < rows.size(); ++i) codes[i] = cat.codes()[rows[i]];
                out.add(c.name, mldp::categorical_column::from_codes(std::move(codes), cat.dictionary(), c.name));
                break;
            }
            case mldp::column_kind::time: {
                const auto& t = std::get<mldp::time_column>(c.data);
                mldp::time_column s;
                s.unit = t.unit;
                s.ticks.resize(rows.size());
                for (std::size_t i = 0; i < rows.size(); ++i) s.ticks[i] = t.ticks[rows[i]];
                out.add(c.name, std::move(s));
                break;
            }
        }
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Step 1: split

struct split_step {
    mldp::split::split_result split;
    mldp::split::split_manifest manifest;
    mldp::split::split_report report;
};

inline split_step make_split(const dataset& d, const options& o, std::uint64_t seed) {
    split_step s;
    s.split = mldp::split::stratified_split(d.labels, d.keys, o.split, seed);
    s.manifest = s.split.manifest();
    return s;
}

inline void check(split_step& s, const dataset& d, const options& o) {
    mldp::split::split_check_options c;
    c.label = o.label;
    c.key = d.key_column;
    s.report = mldp::split::check_split(d.frame, s.split, c);
}

// ---------------------------------------------------------------------------------------------
// Step 2: quality

struct quality_step {
    mldp::quality::schema schema;
    mldp::quality::quality_report report;
};

inline quality_step validate(const dataset& d, const split_step& s, const options& o, const progress_fn& progress = {}) {
    quality_step q;
    // The schema is learnt from the training rows only, as it would be before new data arrives.
    q.schema = mldp::quality::infer_schema(take_rows(d.frame, s.split.train));
    // The key identifies rows: its training vocabulary says nothing about new rows' keys, so the
    // schema keeps the key's kind and nullability but no list of allowed values.
    for (auto& c : q.schema.columns) {
        if (c.name == d.key_column) c.allowed.clear();
    }
    mldp::quality::validator v;
    for (auto& c : mldp::quality::schema_checks(q.schema)) v.expect(std::move(c));
    if (!d.key_column.empty()) v.expect(mldp::quality::unique(d.key_column));
    v.expect(mldp::quality::no_duplicate_rows());
    v.expect(mldp::quality::label_coverage(o.label, {d.negative, d.positive}, 30));
    for (const auto& f : d.features) {
        v.expect(mldp::quality::outliers(f).with_severity(mldp::quality::severity::info));
    }
    q.report = v.validate(d.frame, progress);
    return q;
}

// ---------------------------------------------------------------------------------------------
// Step 3: training

/// Standardized design matrices of the three subsets (train mean and sd; missing and infinite values
/// -> 0, the train mean). A feature with fewer than two distinct finite training values gets sd = +inf,
/// so it is 0 everywhere and cannot move a prediction (`unused` names them).
struct design {
    std::vector<double> mean, sd;
    std::vector<std::string> unused;
    xt::xtensor<double, 2> train, validation, test;
    std::vector<double> y_train, y_validation, y_test;
};

inline xt::xtensor<double, 2> standardize(const dataset& d, const std::vector<std::size_t>& rows, const std::vector<double>& mean,
                                          const std::vector<double>& sd) {
    const std::size_t p = d.features.size();
    xt::xtensor<double, 2> x = xt::zeros<double>({rows.size(), p});
    for (std::size_t j = 0; j < p; ++j) {
        const auto v = d.frame.numeric(d.features[j]);
        for (std::size_t i = 0; i < rows.size(); ++i) {
            const double a = v[rows[i]];
            x(i, j) = std::isfinite(a) ? (a - mean[j]) / sd[j] : 0.0;  // missing or infinite: the training mean
        }
    }
    return x;
}

inline std::vector<double> pick(const std::vector<double>& v, const std::vector<std::size_t>& rows) {
    std::vector<double> out(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) out[i] = v[rows[i]];
    return out;
}

inline design make_design(const dataset& d, const mldp::split::split_result& s) {
    design m;
    const std::size_t p = d.features.size();
    m.mean.assign(p, 0.0);
    m.sd.assign(p, 1.0);
    for (std::size_t j = 0; j < p; ++j) {
        const auto v = d.frame.numeric(d.features[j]);
        mldp::sketch::moments mo;
        for (auto r : s.train) {
            if (std::isfinite(v[r])) mo.update(v[r]);
        }
        const double sd = mo.count() >= 2 ? std::sqrt(mo.variance()) : 0.0;
        if (sd > 0.0 && std::isfinite(sd)) {
            m.mean[j] = mo.mean();
            m.sd[j] = sd;
        } else {
            m.sd[j] = std::numeric_limits<double>::infinity();
            m.unused.push_back(d.features[j]);
        }
    }
    m.train = standardize(d, s.train, m.mean, m.sd);
    m.validation = standardize(d, s.validation, m.mean, m.sd);
    m.test = standardize(d, s.test, m.mean, m.sd);
    m.y_train = pick(d.y, s.train);
    m.y_validation = pick(d.y, s.validation);
    m.y_test = pick(d.y, s.test);
    return m;
}

/// A trained logistic regression: weights then bias.
struct model {
    xt::xtensor<double, 1> w;
    double b = 0.0;

    xt::xtensor<double, 1> logits(const xt::xtensor<double, 2>& x) const {
        xt::xtensor<double, 1> z = xt::zeros<double>({x.shape()[0]});
        for (std::size_t i = 0; i < x.shape()[0]; ++i) {
            double s = b;
            for (std::size_t j = 0; j < w.size(); ++j) s += x(i, j) * w(j);
            z(i) = s;
        }
        return z;
    }
    std::vector<double> probabilities(const xt::xtensor<double, 2>& x) const {
        const auto z = logits(x);
        std::vector<double> p(z.size());
        for (std::size_t i = 0; i < z.size(); ++i) p[i] = 1.0 / (1.0 + std::exp(-z(i)));
        return p;
    }
};

struct training_run {
    double lambda = 0.0;
    model best;
    std::vector<double> train_loss, validation_loss;  ///< combined loss per epoch
    std::size_t best_epoch = 0, epochs = 0;
    bool stopped_early = false;
    // Validation at threshold 0.5.
    double validation_error = 0.0, validation_fnr = 0.0;
    // The two objectives on the validation rows at the best epoch: mean cross-entropy over every
    // row and over the positive rows.
    double validation_loss_all = 0.0, validation_loss_positive = 0.0;
    // Validation at the recall floor's threshold.
    mldp::loss::operating_point::threshold_choice at_floor;
};

/// The point of a confusion curve for threshold t: the lowest curve threshold >= t (scores >= t are positive).
inline mldp::loss::operating_point::confusion_point point_at(const std::vector<mldp::loss::operating_point::confusion_point>& curve,
                                                             double threshold) {
    const mldp::loss::operating_point::confusion_point* at = &curve.front();
    for (const auto& pt : curve) {
        if (pt.threshold >= threshold) at = &pt;
    }
    return *at;
}

/// The two objectives: binary cross-entropy on every row (accuracy) and on the positive rows only
/// (missed positives), weighted (1 - lambda, lambda).
inline double combined_loss(const model& m, const xt::xtensor<double, 2>& x, const std::vector<double>& y, double lambda) {
    const auto z = m.logits(x);
    const std::vector<double> all(y.size(), 1.0);
    const double a = mldp::loss::binary_cross_entropy_with_logits(z, y, all).value;
    const double b = mldp::loss::binary_cross_entropy_with_logits(z, y, y).value;
    return (1.0 - lambda) * a + lambda * b;
}

/// Mini-batch SGD with a seeded shuffle per epoch and early stopping on the validation loss; the
/// returned model is the best epoch's (Keras's restore_best_weights).
inline training_run train(const design& m, double lambda, const options& o, std::uint64_t seed) {
    const std::size_t n = m.train.shape()[0], p = m.train.shape()[1];
    training_run r;
    r.lambda = lambda;
    model cur;
    mldp::rng g{mldp::seed_sequence{seed}.derive("init")};
    cur.w = xt::zeros<double>({p});
    for (std::size_t j = 0; j < p; ++j) cur.w(j) = 0.01 * g.normal();
    r.best = cur;
    mldp::loss::multi_objective mo{mldp::loss::weighting::fixed({1.0 - lambda, lambda}), {"accuracy", "missed positives"}, 0};
    mldp::audit::early_stopping stop({mldp::audit::goal::minimize, o.patience, 1e-4, 0});
    mldp::rng shuffler{mldp::seed_sequence{seed}.derive("batches")};
    std::vector<std::size_t> order(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = i;
    double positive_rate = 0.0;
    for (double v : m.y_train) positive_rate += v;
    positive_rate /= static_cast<double>(n);
    if (!(positive_rate > 0.0)) throw mldp::invalid_argument("the training rows hold no positive example");
    mldp::loss::loss_options sum;
    sum.reduce = mldp::loss::reduction::sum;
    for (std::size_t epoch = 0; epoch < o.max_epochs; ++epoch) {
        mldp::shuffle(order.begin(), order.end(), shuffler);
        for (std::size_t start = 0; start < n; start += o.batch) {
            const std::size_t end = (std::min)(n, start + o.batch);
            const std::size_t bn = end - start;
            xt::xtensor<double, 1> z = xt::zeros<double>({bn});
            std::vector<double> yb(bn), ones(bn, 1.0);
            for (std::size_t k = 0; k < bn; ++k) {
                const std::size_t i = order[start + k];
                double s = cur.b;
                for (std::size_t j = 0; j < p; ++j) s += m.train(i, j) * cur.w(j);
                z(k) = s;
                yb[k] = m.y_train[i];
            }
            // The missed-positives term over a batch: the positive rows' loss summed and divided by
            // the number of positives a batch holds on average, an unbiased estimate of the mean over
            // positives that is also defined for a batch without any.
            std::vector<double> wpos(bn);
            for (std::size_t k = 0; k < bn; ++k) wpos[k] = yb[k] / (static_cast<double>(bn) * positive_rate);
            const auto step = mo.combine({mldp::loss::binary_cross_entropy_with_logits(z, yb, ones),
                                          mldp::loss::binary_cross_entropy_with_logits(z, yb, wpos, sum)});
            // Chain rule through z = x . w + b.
            for (std::size_t k = 0; k < bn; ++k) {
                const std::size_t i = order[start + k];
                const double gz = step.gradient(k);
                for (std::size_t j = 0; j < p; ++j) cur.w(j) -= o.learning_rate * gz * m.train(i, j);
                cur.b -= o.learning_rate * gz;
            }
        }
        r.train_loss.push_back(combined_loss(cur, m.train, m.y_train, lambda));
        r.validation_loss.push_back(combined_loss(cur, m.validation, m.y_validation, lambda));
        r.epochs = epoch + 1;
        const bool halt = stop.update(r.validation_loss.back());
        if (stop.improved()) r.best = cur;
        if (halt) {
            r.stopped_early = true;
            break;
        }
    }
    r.best_epoch = stop.best_epoch();
    r.validation_loss_all = combined_loss(r.best, m.validation, m.y_validation, 0.0);
    r.validation_loss_positive = combined_loss(r.best, m.validation, m.y_validation, 1.0);
    const auto pv = r.best.probabilities(m.validation);
    const auto curve = mldp::loss::operating_point::confusion_curve(pv, m.y_validation);
    const auto at = point_at(curve, 0.5);
    r.validation_error = 1.0 - at.accuracy();
    r.validation_fnr = at.false_negative_rate();
    r.at_floor = mldp::loss::operating_point::max_accuracy_with_recall_floor(curve, o.recall_floor);
    return r;
}

struct training_step {
    design data;
    std::vector<training_run> sweep;  ///< one run per lambda
    /// Indices into sweep of the Pareto-optimal runs on the two validation objectives (cross-entropy
    /// over every row, over the positive rows).
    std::vector<std::uint64_t> front;
    double hypervolume = 0.0;          ///< of the front against `reference`
    std::vector<double> reference;     ///< 1.1 x the worst value of each objective over the sweep
    std::size_t chosen = 0;            ///< the run with the best validation accuracy at the recall floor (ties: larger lambda)
    double threshold = 0.5;
    std::vector<mldp::loss::operating_point::confusion_point> validation_curve;  ///< of the chosen run
    std::vector<double> test_scores;
    mldp::loss::operating_point::confusion_point test_at_threshold{};
    mldp::loss::operating_point::confusion_point test_at_half{};
};

inline training_step train_sweep(const dataset& d, const split_step& s, const options& o, const progress_fn& progress = {}) {
    training_step t;
    t.data = make_design(d, s.split);
    mldp::loss::pareto::pareto_archive archive(2);
    for (std::size_t i = 0; i < o.lambdas.size(); ++i) {
        t.sweep.push_back(train(t.data, o.lambdas[i], o, o.seed));
        const auto& r = t.sweep.back();
        archive.insert(std::vector<double>{r.validation_loss_all, r.validation_loss_positive}, i);
        if (progress) progress({"weight sweep", i + 1, o.lambdas.size()});
    }
    for (const auto& e : archive.members()) t.front.push_back(e.id);
    std::sort(t.front.begin(), t.front.end());
    t.reference = {0.0, 0.0};
    for (const auto& r : t.sweep) {
        t.reference[0] = (std::max)(t.reference[0], 1.1 * r.validation_loss_all);
        t.reference[1] = (std::max)(t.reference[1], 1.1 * r.validation_loss_positive);
    }
    t.hypervolume = archive.hypervolume(t.reference);
    for (std::size_t i = 1; i < t.sweep.size(); ++i) {
        const auto& a = t.sweep[i].at_floor;
        const auto& b = t.sweep[t.chosen].at_floor;
        // Ties go to the larger lambda: at equal accuracy, the model that weighs missed positives more.
        if (a.feasible && (!b.feasible || a.objective >= b.objective)) t.chosen = i;
    }
    const auto& best = t.sweep[t.chosen];
    t.threshold = best.at_floor.threshold;
    t.validation_curve = mldp::loss::operating_point::confusion_curve(best.best.probabilities(t.data.validation), t.data.y_validation);
    t.test_scores = best.best.probabilities(t.data.test);
    const auto test_curve = mldp::loss::operating_point::confusion_curve(t.test_scores, t.data.y_test);
    t.test_at_threshold = point_at(test_curve, t.threshold);
    t.test_at_half = point_at(test_curve, 0.5);
    return t;
}

// ---------------------------------------------------------------------------------------------
// Step 4: sliced metrics

struct slice_step {
    std::string column;
    std::vector<std::string> slice_of_row;  ///< test rows
    mldp::audit::sliced_report report;
};

inline slice_step slice_test(const dataset& d, const split_step& s, const training_step& t, const options& o) {
    slice_step r;
    r.column = o.slice.empty() ? d.features.front() : o.slice;
    const auto& col = d.frame.at(r.column);
    r.slice_of_row.resize(s.split.test.size());
    if (col.kind() != mldp::column_kind::categorical) {
        // Numeric and time columns: tertiles of the training rows (low / mid / high; time in ticks).
        std::vector<double> v(d.frame.rows());
        if (col.kind() == mldp::column_kind::numeric) {
            const auto nv = d.frame.numeric(r.column);
            v.assign(nv.begin(), nv.end());
        } else {
            const auto& tc = d.frame.time(r.column);
            for (std::size_t i = 0; i < v.size(); ++i) v[i] = tc.is_missing(i) ? std::nan("") : static_cast<double>(tc.ticks[i]);
        }
        std::vector<double> x;
        for (auto i : s.split.train) {
            if (std::isfinite(v[i])) x.push_back(v[i]);
        }
        if (x.empty()) throw mldp::data_error(r.column, mldp::data_error::no_row, "the slice column has no value in the training rows");
        const auto q = mldp::quantiles(x.data(), x.size(), {1.0 / 3.0, 2.0 / 3.0});
        const double q1 = q[0], q2 = q[1];
        for (std::size_t k = 0; k < s.split.test.size(); ++k) {
            const double a = v[s.split.test[k]];
            r.slice_of_row[k] = !std::isfinite(a) ? "missing"
                                : a < q1          ? fmt::format("1 low (< {:.6g})", q1)
                                : a < q2          ? fmt::format("2 mid [{:.6g}, {:.6g})", q1, q2)
                                                  : fmt::format("3 high (>= {:.6g})", q2);
        }
    } else {
        // Categories: the 8 most frequent in the test rows by name, the rest as "(other)".
        std::vector<std::pair<std::string, std::size_t>> counts;
        for (std::size_t k = 0; k < s.split.test.size(); ++k) {
            r.slice_of_row[k] = cell_text(col, s.split.test[k]);
            if (r.slice_of_row[k].empty()) r.slice_of_row[k] = "missing";
            auto it = std::find_if(counts.begin(), counts.end(), [&](const auto& c) { return c.first == r.slice_of_row[k]; });
            if (it == counts.end()) counts.emplace_back(r.slice_of_row[k], 1);
            else ++it->second;
        }
        if (counts.size() > 8) {
            std::stable_sort(counts.begin(), counts.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
            counts.resize(8);
            for (auto& label : r.slice_of_row) {
                if (std::none_of(counts.begin(), counts.end(), [&](const auto& c) { return c.first == label; })) label = "(other)";
            }
        }
    }
    mldp::audit::slice_options so;
    so.min_count = 20;
    so.min_class_count = 3;
    r.report = mldp::audit::sliced_metrics(t.data.y_test, t.test_scores, r.slice_of_row, t.threshold, so);
    return r;
}

// ---------------------------------------------------------------------------------------------
// Step 5: drift

struct alarm {
    std::string detector;  ///< e.g. "adwin(mean_texture)"
    std::size_t row;       ///< stream position (0-based)
};

struct drift_step {
    std::string scaled, shifted;
    double scale = 1.0, shift = 0.0;  ///< the shift in the feature's units
    std::size_t rows = 0, change_at = 0, window = 0;
    double alpha = 0.05;                              ///< the monitor's level after the correction
    std::vector<mldp::drift::drift_report> windows;  ///< one per tumbling window
    std::vector<alarm> alarms;
    std::vector<double> scaled_values, shifted_values;  ///< the stream of the two changed features
    std::vector<double> errors;                          ///< per stream row: the model missed (1) or not (0)
    double accuracy_before = 0.0, accuracy_after = 0.0;
};

inline drift_step drift_scenario(const dataset& d, const split_step& s, const training_step& t, const options& o,
                                 const progress_fn& progress = {}) {
    drift_step r;
    r.scaled = d.scaled;  // chosen and checked by prepare()
    r.shifted = d.shifted;
    const std::size_t jh = static_cast<std::size_t>(std::find(d.features.begin(), d.features.end(), r.shifted) - d.features.begin());
    r.scale = o.scale;
    // In the feature's units: shift_sd training standard deviations (1 unit for an unused feature).
    r.shift = o.shift_sd * (std::isfinite(t.data.sd[jh]) ? t.data.sd[jh] : 1.0);
    r.rows = o.stream_rows;
    r.change_at = o.stream_rows / 2;
    r.window = o.window_rows;

    // The stream: held-out (validation and test) rows drawn with replacement; from change_at on, the
    // two features are recalibrated.
    std::vector<std::size_t> held = s.split.validation;
    held.insert(held.end(), s.split.test.begin(), s.split.test.end());
    std::sort(held.begin(), held.end());
    mldp::rng g{mldp::seed_sequence{o.seed}.derive("drift-stream")};
    std::vector<std::size_t> rows(r.rows);
    for (auto& x : rows) x = held[g.bounded(held.size())];
    mldp::frame stream = take_rows(d.frame, rows);
    {
        mldp::frame changed;
        for (const auto& c : stream.all()) {
            if (c.name == r.scaled || c.name == r.shifted) {
                const auto v = stream.numeric(c.name);
                std::vector<double> x(v.begin(), v.end());
                for (std::size_t i = r.change_at; i < x.size(); ++i) x[i] = c.name == r.scaled ? x[i] * r.scale : x[i] + r.shift;
                changed.add(c.name, std::move(x));
            } else {
                std::visit([&](const auto& col) { changed.add(c.name, col); }, c.data);
            }
        }
        stream = std::move(changed);
    }
    r.scaled_values.assign(stream.numeric(r.scaled).begin(), stream.numeric(r.scaled).end());
    r.shifted_values.assign(stream.numeric(r.shifted).begin(), stream.numeric(r.shifted).end());

    // The monitor: the training rows are the reference; tumbling windows over the stream.
    mldp::drift::monitor_options mo;
    mo.window = {mldp::drift::window_kind::tumbling, o.window_rows, 1};
    mo.columns = d.features;
    r.alpha = mo.alpha;
    mldp::drift::drift_monitor monitor(take_rows(d.frame, s.split.train), mo);
    r.windows = monitor.update(stream, progress);

    // Streaming detectors: ADWIN on the rescaled feature, Page-Hinkley (both directions, in units of
    // the running sd, threshold 100: about one false alarm per 10^4 values of N(0, 1)) on the shifted
    // one, ADWIN on the model's errors at the chosen threshold.
    mldp::drift::adwin ad, ad_errors;
    mldp::drift::page_hinkley_options pho;
    pho.mode = mldp::drift::ph_mode::both;
    pho.scale_by_std = true;
    pho.threshold = 100.0;
    mldp::drift::page_hinkley ph(pho);
    const model& m = t.sweep[t.chosen].best;
    std::vector<mldp::numeric_view> cols;
    for (const auto& f : d.features) cols.push_back(stream.numeric(f));
    std::size_t right_before = 0, right_after = 0;
    r.errors.resize(r.rows);
    for (std::size_t i = 0; i < r.rows; ++i) {
        // The detectors take finite values only: a missing reading is skipped, as a serving loop would.
        if (std::isfinite(r.scaled_values[i]) && ad.update(r.scaled_values[i])) r.alarms.push_back({"adwin(" + r.scaled + ")", i});
        if (std::isfinite(r.shifted_values[i]) && ph.update(r.shifted_values[i])) {
            r.alarms.push_back({"page_hinkley(" + r.shifted + ")", i});
        }
        double z = m.b;
        for (std::size_t j = 0; j < cols.size(); ++j) {
            const double a = cols[j][i];
            z += (std::isfinite(a) ? (a - t.data.mean[j]) / t.data.sd[j] : 0.0) * m.w(j);
        }
        const double prob = 1.0 / (1.0 + std::exp(-z));
        const double yi = d.y[rows[i]];
        const bool wrong = (prob >= t.threshold ? 1.0 : 0.0) != yi;
        r.errors[i] = wrong ? 1.0 : 0.0;
        (i < r.change_at ? right_before : right_after) += wrong ? 0 : 1;
        if (ad_errors.update(r.errors[i])) r.alarms.push_back({"adwin(model errors)", i});
    }
    r.accuracy_before = static_cast<double>(right_before) / static_cast<double>(r.change_at);
    r.accuracy_after = static_cast<double>(right_after) / static_cast<double>(r.rows - r.change_at);
    return r;
}

// ---------------------------------------------------------------------------------------------
// Step 6: seed sweep

struct sweep_step {
    mldp::audit::sweep_result accuracy;    ///< test accuracy at each seed's recall-floor threshold
    std::vector<double> recall;            ///< test recall per seed
    std::vector<std::uint64_t> digests;    ///< split digest per seed
};

/// Reruns split, training (at the chosen lambda) and threshold choice with other seeds.
inline sweep_step seed_sweep(const dataset& d, const training_step& t, const options& o, const progress_fn& progress = {}) {
    sweep_step r;
    const double lambda = t.sweep[t.chosen].lambda;
    auto run = [&](std::uint64_t seed) {
        const auto s = make_split(d, o, seed);
        const auto m = make_design(d, s.split);
        const auto tr = train(m, lambda, o, seed);
        const auto scores = tr.best.probabilities(m.test);
        const auto p = point_at(mldp::loss::operating_point::confusion_curve(scores, m.y_test), tr.at_floor.threshold);
        r.recall.push_back(p.recall());
        r.digests.push_back(s.manifest.digest);
        return p.accuracy();
    };
    r.accuracy = mldp::audit::seed_sweep(run, o.sweep_seeds, mldp::seed_sequence{o.seed}.derive("seed-sweep"), {}, progress);
    return r;
}

// ---------------------------------------------------------------------------------------------
// The whole run

struct result {
    std::string source;
    dataset data;
    split_step split;
    quality_step quality;
    training_step training;
    slice_step slices;
    drift_step drift;
    sweep_step sweep;
};

/// Progress per step: (step name, done, total).
inline result run(mldp::frame f, std::string source, const options& o, const progress_fn& progress = {}) {
    result r;
    r.source = std::move(source);
    r.data = prepare(std::move(f), o);
    r.split = make_split(r.data, o, o.seed);
    check(r.split, r.data, o);
    r.quality = validate(r.data, r.split, o, progress);
    r.training = train_sweep(r.data, r.split, o, progress);
    r.slices = slice_test(r.data, r.split, r.training, o);
    r.drift = drift_scenario(r.data, r.split, r.training, o, progress);
    r.sweep = seed_sweep(r.data, r.training, o, progress);
    return r;
}

}  // namespace pipeline

// The acceptance test of the quality layer on a real data set (examples/data/breast_cancer.csv, the
// Wisconsin diagnostic data: 569 rows, 30 features and the diagnosis; see examples/data/README.md),
// with synthetic event and arrival times added. The clean data gives no finding; then each kind of
// defect is injected at known rows and the report must find exactly those rows, with exact counts.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/ranges.h>

#include "mldp/quality/checks.hpp"
#include "mldp/quality/label_checks.hpp"
#include "mldp/quality/leakage.hpp"
#include "mldp/quality/schema.hpp"
#include "mldp/quality/stat_checks.hpp"
#include "mldp/quality/validator.hpp"

namespace q = mldp::quality;

namespace {

const char* const feature_names[30] = {
    "radius_mean",  "texture_mean",  "perimeter_mean",  "area_mean",  "smoothness_mean",  "compactness_mean",
    "concavity_mean",  "concave_points_mean",  "symmetry_mean",  "fractal_dimension_mean",  "radius_se",  "texture_se",
    "perimeter_se", "area_se",       "smoothness_se",   "compactness_se", "concavity_se", "concave_points_se",
    "symmetry_se",  "fractal_dimension_se", "radius_worst", "texture_worst", "perimeter_worst", "area_worst",
    "smoothness_worst", "compactness_worst", "concavity_worst", "concave_points_worst", "symmetry_worst",
    "fractal_dimension_worst"};

struct table {
    std::vector<std::vector<double>> features = std::vector<std::vector<double>>(30);
    std::vector<std::string> diagnosis;
    std::vector<double> id;
    std::vector<std::int64_t> event, arrival;
    std::size_t rows() const { return diagnosis.size(); }
};

table load() {
    std::ifstream in(std::string(MLDP_DATA_DIR) + "/breast_cancer.csv");
    REQUIRE(in.good());
    std::string line;
    std::getline(in, line);  // "569,30,malignant,benign"
    table t;
    while (std::getline(in, line)) {
        std::stringstream ss(line);
        std::string cell;
        for (int c = 0; c < 30; ++c) {
            std::getline(ss, cell, ',');
            t.features[static_cast<std::size_t>(c)].push_back(std::stod(cell));
        }
        std::getline(ss, cell, ',');
        t.diagnosis.push_back(cell == "0" ? "malignant" : "benign");
    }
    const std::size_t n = t.rows();
    for (std::size_t i = 0; i < n; ++i) {
        t.id.push_back(static_cast<double>(100000 + i));
        // Events an hour apart; arrivals 60 to 659 s later (a deterministic spread), under a 900 s SLA.
        t.event.push_back(1600000000 + static_cast<std::int64_t>(i) * 3600);
        t.arrival.push_back(t.event.back() + 60 + static_cast<std::int64_t>((i * 37) % 600));
    }
    return t;
}

mldp::frame to_frame(const table& t, std::size_t from, std::size_t to) {
    mldp::frame f;
    auto part = [&](const auto& v) { return std::vector<typename std::decay_t<decltype(v)>::value_type>(v.begin() + static_cast<std::ptrdiff_t>(from), v.begin() + static_cast<std::ptrdiff_t>(to)); };
    f.add("id", part(t.id));
    for (int c = 0; c < 30; ++c) f.add(feature_names[c], part(t.features[static_cast<std::size_t>(c)]));
    f.add("diagnosis", part(t.diagnosis));
    f.add("event", mldp::time_column{part(t.event), mldp::time_unit::seconds});
    f.add("arrival", mldp::time_column{part(t.arrival), mldp::time_unit::seconds});
    return f;
}

// The validator a user would write: the schema learned from a trusted snapshot, keys, duplicates,
// unit slips in one measurement, the diagnosis vocabulary and the arrival SLA.
q::validator make_validator(const q::schema& s) {
    q::validator v;
    q::expect_schema(v, s);
    v.expect(q::unique("id")).expect(q::no_duplicate_rows());
    v.expect(q::unit_consistency("smoothness_mean"));
    v.expect(q::in_set("diagnosis", {"malignant", "benign"}));
    q::timeliness_options o;
    o.sla = 900;
    v.expect(q::timeliness("event", "arrival", o));
    return v;
}

std::set<std::string> codes(const q::quality_report& r) {
    std::set<std::string> out;
    for (const auto& f : r.findings) out.insert(f.code);
    return out;
}

const q::finding& only(const q::quality_report& r, const std::string& code, const std::string& column = "") {
    const q::finding* hit = nullptr;
    std::size_t n = 0;
    for (const auto& f : r.findings) {
        if (f.code == code && (column.empty() || f.column == column)) {
            hit = &f;
            ++n;
        }
    }
    INFO("code " << code << " column " << column);
    REQUIRE(n == 1);
    return *hit;
}

}  // namespace

TEST_CASE("the clean data set gives no finding") {
    const table t = load();
    REQUIRE(t.rows() == 569);
    const mldp::frame clean = to_frame(t, 0, t.rows());
    const auto s = q::infer_schema(clean);
    const auto r = make_validator(s).validate(clean);
    INFO(fmt::format("{}", r));
    CHECK(r.findings.empty());
    // The test split against the train split: no leakage either.
    const auto leak = q::validator().expect(q::no_leakage(to_frame(t, 0, 400), {"id"})).validate(to_frame(t, 400, t.rows()));
    CHECK(leak.findings.empty());
}

TEST_CASE("every injected defect is found with its exact rows and count") {
    const table clean_table = load();
    const auto s = q::infer_schema(to_frame(clean_table, 0, clean_table.rows()));
    table t = clean_table;
    auto& area = t.features[3];
    auto& texture = t.features[1];
    // duplicates: row 120 becomes a copy of row 11 (id included), row 300 repeats row 299's id.
    for (std::size_t c = 0; c < 30; ++c) t.features[c][120] = t.features[c][11];
    t.diagnosis[120] = t.diagnosis[11];
    t.id[120] = t.id[11];
    t.event[120] = t.event[11];
    t.arrival[120] = t.arrival[11];
    t.id[300] = t.id[299];
    // missing values: texture_mean at rows 7 and 77.
    texture[7] = NAN;
    texture[77] = NAN;
    // out of range: area_mean far beyond the learned range at row 20.
    area[20] = 1e6;
    // unit slips: smoothness_mean entered x100 at rows 33 and 401.
    t.features[4][33] *= 100.0;
    t.features[4][401] *= 100.0;
    // typos in the diagnosis.
    t.diagnosis[40] = "benin";
    t.diagnosis[41] = "Malignant";
    // lags: row 50 arrives before its event, rows 60 and 61 after the SLA.
    t.arrival[50] = t.event[50] - 30;
    t.arrival[60] = t.event[60] + 4000;
    t.arrival[61] = t.event[61] + 901;

    const auto r = make_validator(s).validate(to_frame(t, 0, t.rows()));
    INFO(fmt::format("{}", r));
    CHECK(only(r, "not_null", "texture_mean").rows == std::vector<std::size_t>{7, 77});
    CHECK(only(r, "not_null", "texture_mean").count == 2);
    // area_mean: 1e6 is outside the schema range; 100 x smoothness also leaves its schema range.
    CHECK(only(r, "in_range", "area_mean").rows == std::vector<std::size_t>{20});
    CHECK(only(r, "in_range", "smoothness_mean").rows == std::vector<std::size_t>{33, 401});
    const auto& slip = only(r, "unit_consistency", "smoothness_mean");
    CHECK(slip.rows == std::vector<std::size_t>{33, 401});
    CHECK(slip.count == 2);
    REQUIRE(!slip.values.empty());
    CHECK(slip.values[0].value == "x100");
    std::size_t typo_findings = 0;  // the schema's vocabulary and the explicit in_set both see them
    for (const auto& typos : r.findings) {
        if (typos.code != "in_set") continue;
        ++typo_findings;
        CHECK(typos.column == "diagnosis");
        CHECK(typos.rows == std::vector<std::size_t>{40, 41});
        CHECK(typos.message.find("'Malignant' -> malignant (case or whitespace)") != std::string::npos);
        CHECK(typos.message.find("'benin' -> benign (edit distance 1)") != std::string::npos);
    }
    CHECK(typo_findings == 2);
    CHECK(only(r, "unique", "id").rows == std::vector<std::size_t>{11, 120, 299, 300});
    CHECK(only(r, "no_duplicate_rows").rows == std::vector<std::size_t>{11, 120});
    CHECK(only(r, "timeliness.negative_lag").rows == std::vector<std::size_t>{50});
    CHECK(only(r, "timeliness.late").rows == std::vector<std::size_t>{60, 61});
    // Nothing else: exactly these codes (the schema's not_null / in_range / in_set appear once per
    // defective column, and the typos twice: the schema's vocabulary and the explicit in_set).
    const std::set<std::string> expected{"not_null", "in_range", "in_set", "unit_consistency", "unique", "no_duplicate_rows",
                                         "timeliness.negative_lag", "timeliness.late"};
    CHECK(codes(r) == expected);
    CHECK(r.findings.size() == 10);

    // Leaked rows: test rows 450 and 500 carry the content of train rows 3 and 17 under new ids.
    for (std::size_t c = 0; c < 30; ++c) {
        t.features[c][450] = t.features[c][3];
        t.features[c][500] = t.features[c][17];
    }
    t.diagnosis[450] = t.diagnosis[3];
    t.diagnosis[500] = t.diagnosis[17];
    q::leakage_options lo;
    lo.content_columns.assign(feature_names, feature_names + 30);
    const auto leak = q::validator().expect(q::no_leakage(to_frame(t, 0, 400), {"id"}, lo)).validate(to_frame(t, 400, t.rows()));
    INFO(fmt::format("{}", leak));
    REQUIRE(leak.findings.size() == 1);
    CHECK(leak.findings[0].code == "leakage.content");
    CHECK(leak.findings[0].rows == std::vector<std::size_t>{50, 100});  // test-frame rows 450 - 400 and 500 - 400
}

namespace {

// Out-of-fold probabilities of a nearest-centroid classifier on standardised features (five folds by
// row index modulo 5): P(class) proportional to exp(-d^2 / (2 s)) with s the mean squared distance.
std::vector<std::vector<double>> out_of_fold_probabilities(const table& t) {
    const std::size_t n = t.rows(), d = 30;
    std::vector<double> mean(d, 0.0), sd(d, 0.0);
    for (std::size_t c = 0; c < d; ++c) {
        for (double v : t.features[c]) mean[c] += v / static_cast<double>(n);
        for (double v : t.features[c]) sd[c] += (v - mean[c]) * (v - mean[c]) / static_cast<double>(n - 1);
        sd[c] = std::sqrt(sd[c]);
    }
    auto z = [&](std::size_t c, std::size_t i) { return (t.features[c][i] - mean[c]) / sd[c]; };
    std::vector<std::vector<double>> p(n, std::vector<double>(2));
    for (std::size_t fold = 0; fold < 5; ++fold) {
        std::vector<std::vector<double>> centroid(2, std::vector<double>(d, 0.0));
        double count[2] = {0.0, 0.0};
        for (std::size_t i = 0; i < n; ++i) {
            if (i % 5 == fold) continue;
            const std::size_t k = t.diagnosis[i] == "malignant" ? 0 : 1;
            count[k] += 1.0;
            for (std::size_t c = 0; c < d; ++c) centroid[k][c] += z(c, i);
        }
        for (std::size_t k = 0; k < 2; ++k) {
            for (double& v : centroid[k]) v /= count[k];
        }
        for (std::size_t i = fold; i < n; i += 5) {
            double dist[2] = {0.0, 0.0};
            for (std::size_t k = 0; k < 2; ++k) {
                for (std::size_t c = 0; c < d; ++c) dist[k] += (z(c, i) - centroid[k][c]) * (z(c, i) - centroid[k][c]);
            }
            const double s = 0.5 * (dist[0] + dist[1]) + 1e-12;
            const double a = std::exp(-(dist[0] - std::fmin(dist[0], dist[1])) / (2.0 * s));
            const double b = std::exp(-(dist[1] - std::fmin(dist[0], dist[1])) / (2.0 * s));
            p[i] = {a / (a + b), b / (a + b)};
        }
    }
    return p;
}

std::vector<std::size_t> flagged_rows(const table& t) {
    const auto p = out_of_fold_probabilities(t);
    mldp::frame f;
    std::vector<double> pm, pb;
    for (const auto& row : p) {
        pm.push_back(row[0]);
        pb.push_back(row[1]);
    }
    f.add("diagnosis", t.diagnosis);
    f.add("malignant", pm);
    f.add("benign", pb);
    const auto r = q::validator().expect(q::label_issues("diagnosis", {"malignant", "benign"})).validate(f);
    for (const auto& fd : r.findings) {
        if (fd.code == "label_issues") {
            REQUIRE(fd.rows.size() == fd.count);  // all listed (fewer than the row limit)
            return fd.rows;
        }
    }
    return {};
}

}  // namespace

// Flipped labels: confident learning on out-of-fold probabilities of a simple classifier. Real
// data has cases its features cannot settle, which the clean run already flags; the flips must add
// exactly the flipped rows to those.
TEST_CASE("flipped labels are found by confident learning") {
    const table clean = load();
    const auto before = flagged_rows(clean);
    MESSAGE(before.size() << " rows flagged on the clean data");
    table t = clean;
    // Flip rows the classifier is sure about (a flip there is a clear error): in each of the windows
    // [15, 65), [250, 300) and [444, 494), the row whose own label has the highest probability.
    const auto p = out_of_fold_probabilities(clean);
    std::vector<std::size_t> flips;
    for (std::size_t start : {std::size_t{15}, std::size_t{250}, std::size_t{444}}) {
        std::size_t best = start;
        auto own = [&](std::size_t i) { return p[i][clean.diagnosis[i] == "malignant" ? 0 : 1]; };
        for (std::size_t i = start; i < start + 50; ++i) {
            if (own(i) > own(best)) best = i;
        }
        flips.push_back(best);
    }
    for (std::size_t i : flips) t.diagnosis[i] = t.diagnosis[i] == "malignant" ? "benign" : "malignant";
    const auto after = flagged_rows(t);
    INFO("clean: " << fmt::format("{}", fmt::join(before, ",")) << "  defective: " << fmt::format("{}", fmt::join(after, ",")) << "  flips: "
                   << fmt::format("{}", fmt::join(flips, ",")));
    // Every flip is found.
    for (std::size_t f : flips) CHECK(std::find(after.begin(), after.end(), f) != after.end());
    // Anything else the flips bring in is a case the classifier cannot settle: the flips move the
    // per-class thresholds and the estimated noise rates, and confident learning then prunes a few
    // more of the least certain rows (own-label probability below 0.6 here).
    std::size_t collateral = 0;
    for (std::size_t r : after) {
        if (std::find(before.begin(), before.end(), r) != before.end() || std::find(flips.begin(), flips.end(), r) != flips.end()) continue;
        ++collateral;
        CHECK(p[r][clean.diagnosis[r] == "malignant" ? 0 : 1] < 0.6);
    }
    CHECK(collateral <= 1);
}

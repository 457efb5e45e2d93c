// The acceptance test of the quality layer on a real data set (examples/data/breast_cancer.csv, the
// Wisconsin diagnostic data: 569 rows, 30 features and the diagnosis; see examples/data/README.md),
// with synthetic event and arrival times added. The clean data gives no finding; then each kind of
// defect is injected at known rows and the report must find exactly those rows, with exact counts.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "mldp/quality/checks.hpp"
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

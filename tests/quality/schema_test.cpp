#include "mldp/quality/schema.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "close.hpp"

namespace q = mldp::quality;

namespace {

mldp::time_column ticks(std::vector<std::int64_t> t, mldp::time_unit u) {
    mldp::time_column c;
    c.ticks = std::move(t);
    c.unit = u;
    return c;
}

// x: range 4, y: range 10, c: two categories and a missing value, t: ticks 100..300 (span 200).
mldp::frame small() {
    mldp::frame f;
    f.add("x", std::vector<double>{1, 2, 5, NAN});
    f.add("y", std::vector<double>{0, 10, 10, 4});
    f.add("c", std::vector<std::optional<std::string>>{"b", "a", "b", std::nullopt});
    f.add("t", ticks({100, 300, 200, 250}, mldp::time_unit::milliseconds));
    return f;
}

// The message of the format_error that reading `text` throws ("" when it does not throw one).
std::string read_error(const std::string& text) {
    try {
        q::parse_schema(text);
    } catch (const mldp::format_error& e) {
        return e.what();
    }
    return "";
}

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

}  // namespace

// Hand derivation: x has [1, 5] and a NaN, so nullable with [1 - 0.4, 5 + 0.4]; y [0, 10] widened by
// 0.1 x 10 = 1 (exact in binary); c {a, b} sorted, nullable; t [100, 300] ms widened by floor(0.1 x 200)
// = 20 ticks.
TEST_CASE("infer_schema: kinds, nullability, ranges with margin, vocabularies, time bounds") {
    const q::schema s = q::infer_schema(small());
    REQUIRE(s.columns.size() == 4);
    const q::column_spec& x = s.columns[0];
    CHECK(x.name == "x");
    CHECK(x.kind == mldp::column_kind::numeric);
    CHECK(x.nullable);
    REQUIRE(x.min_value.has_value());
    REQUIRE(x.max_value.has_value());
    CHECK_CLOSE(*x.min_value, 0.6, 1e-15);
    CHECK_CLOSE(*x.max_value, 5.4, 1e-15);
    const q::column_spec* y = s.find("y");
    REQUIRE(y != nullptr);
    CHECK_FALSE(y->nullable);
    CHECK(*y->min_value == -1.0);
    CHECK(*y->max_value == 11.0);
    CHECK(y->allowed.empty());
    const q::column_spec* c = s.find("c");
    REQUIRE(c != nullptr);
    CHECK(c->kind == mldp::column_kind::categorical);
    CHECK(c->nullable);
    CHECK(c->allowed == std::vector<std::string>{"a", "b"});
    CHECK_FALSE(c->min_value.has_value());
    const q::column_spec* t = s.find("t");
    REQUIRE(t != nullptr);
    CHECK(t->kind == mldp::column_kind::time);
    CHECK(t->unit == "ms");
    CHECK_FALSE(t->nullable);
    CHECK(*t->min_time == 80);
    CHECK(*t->max_time == 320);
    CHECK(s.find("nope") == nullptr);

    // No margin: the observed extremes. Vocabulary cap 1: c has 2 values, so no allowed set (TFDV's
    // max_string_domain_size). Without nullable_if_any_missing every column is nullable.
    q::inference_options o;
    o.range_margin = 0.0;
    o.max_vocabulary = 1;
    o.nullable_if_any_missing = false;
    const q::schema bare = q::infer_schema(small(), o);
    CHECK(*bare.columns[0].min_value == 1.0);
    CHECK(*bare.columns[0].max_value == 5.0);
    CHECK(*bare.columns[1].min_value == 0.0);
    CHECK(*bare.columns[1].max_value == 10.0);
    CHECK(bare.columns[2].allowed.empty());
    CHECK(*bare.columns[3].min_time == 100);
    CHECK(*bare.columns[3].max_time == 300);
    for (const auto& spec : bare.columns) CHECK(spec.nullable);
    o.max_vocabulary = 2;
    CHECK(q::infer_schema(small(), o).columns[2].allowed.size() == 2);

    // Infinite values leave their side unbounded; a column with no value has no range.
    mldp::frame g;
    g.add("inf", std::vector<double>{1, INFINITY, 3});
    g.add("empty", std::vector<double>{NAN, NAN, NAN});
    const q::schema u = q::infer_schema(g);
    CHECK(*u.columns[0].min_value == doctest::Approx(0.8));
    CHECK_FALSE(u.columns[0].max_value.has_value());
    CHECK_FALSE(u.columns[1].min_value.has_value());
    CHECK(u.columns[1].nullable);

    o.range_margin = -0.5;
    CHECK_THROWS_AS(q::infer_schema(small(), o), mldp::invalid_argument);
    o.range_margin = NAN;
    CHECK_THROWS_AS(q::infer_schema(small(), o), mldp::invalid_argument);
}

TEST_CASE("schema JSON round trip") {
    q::schema s = q::infer_schema(small());
    s.columns[0].unit = "kg";
    const nlohmann::json j = s;
    CHECK(j.at("format") == "mldp.schema");
    CHECK(j.at("version") == 1);
    CHECK(j.at("columns").at(2).at("allowed") == nlohmann::json::array({"a", "b"}));
    CHECK(j.at("columns").at(2).at("min_value").is_null());
    CHECK(j.at("columns").at(3).at("min_time") == 80);
    const q::schema back = j.get<q::schema>();
    CHECK(nlohmann::json(back) == j);
    REQUIRE(back.columns.size() == 4);
    CHECK(back.columns[0].unit == "kg");
    CHECK(*back.columns[0].max_value == *s.columns[0].max_value);  // shortest round-trip text: bit exact
    CHECK(back.columns[3].unit == "ms");
    CHECK(nlohmann::json(q::parse_schema(j.dump(2))) == j);

    // Hand-written: only name and kind are required; format and version may be left out.
    const q::schema h = q::parse_schema(R"({"columns": [{"name": "age", "kind": "numeric", "nullable": false, "min_value": 0},
                                                      {"name": "when", "kind": "time", "max_time": 1700000000}]})");
    REQUIRE(h.columns.size() == 2);
    CHECK_FALSE(h.columns[0].nullable);
    CHECK(*h.columns[0].min_value == 0.0);
    CHECK_FALSE(h.columns[0].max_value.has_value());
    CHECK(h.columns[1].nullable);
    CHECK(*h.columns[1].max_time == 1700000000);
    CHECK_FALSE(h.columns[1].min_time.has_value());
}

TEST_CASE("corrupt schema JSON is a format_error with a clear message") {
    CHECK(contains(read_error("{\"columns\": [}"), "malformed JSON"));
    CHECK(contains(read_error(R"([1, 2])"), "must be a JSON object"));
    CHECK(contains(read_error(R"({"format": "mldp.schema"})"), "'columns' must be an array"));
    CHECK(contains(read_error(R"({"format": "other", "columns": []})"), "expected \"mldp.schema\""));
    CHECK(contains(read_error(R"({"version": 2, "columns": []})"), "unsupported version 2"));
    CHECK(contains(read_error(R"({"columns": [{"kind": "numeric"}]})"), "non-empty string 'name'"));
    CHECK(contains(read_error(R"({"columns": [{"name": "a", "kind": "numerc"}]})"),
                   "column 'a': unknown kind 'numerc' (accepted: numeric, categorical, time)"));
    CHECK(contains(read_error(R"({"columns": [{"name": "a", "kind": "numeric", "min_value": 5, "max_value": 1}]})"),
                   "column 'a': min_value 5 > max_value 1"));
    CHECK(contains(read_error(R"({"columns": [{"name": "a", "kind": "numeric", "min_value": "5"}]})"), "'min_value' must be a number"));
    CHECK(contains(read_error(R"({"columns": [{"name": "a", "kind": "time", "min_time": 9, "max_time": 3}]})"), "min_time 9 > max_time 3"));
    CHECK(contains(read_error(R"({"columns": [{"name": "a", "kind": "time", "min_time": 1.5}]})"), "integer tick"));
    CHECK(contains(read_error(R"({"columns": [{"name": "a", "kind": "time", "max_time": 18446744073709551615}]})"),
                   "does not fit a signed 64-bit tick"));
    CHECK(contains(read_error(R"({"columns": [{"name": "a", "kind": "time", "unit": "fortnight"}]})"), "unknown time unit 'fortnight'"));
    CHECK(contains(read_error(R"({"columns": [{"name": "a", "kind": "categorical", "min_value": 0}]})"), "bound numeric columns"));
    CHECK(contains(read_error(R"({"columns": [{"name": "a", "kind": "numeric", "allowed": ["x"]}]})"), "'allowed' lists categories"));
    CHECK(contains(read_error(R"({"columns": [{"name": "a", "kind": "categorical", "allowed": ["x", 1]}]})"), "strings only"));
    CHECK(contains(read_error(R"({"columns": [{"name": "a", "kind": "numeric", "nullable": "yes"}]})"), "'nullable' must be true or false"));
    CHECK(contains(read_error(R"({"columns": [{"name": "a", "kind": "numeric"}, {"name": "a", "kind": "time"}]})"), "column 'a' appears twice"));
    // Through nlohmann's get<> too.
    CHECK_THROWS_AS(nlohmann::json::parse(R"({"columns": [{"name": "a", "kind": "float"}]})").get<q::schema>(), mldp::format_error);
}

// Train: x in [1, 5] (margin 0.25 -> [0, 6]), city in {a, b}, t, id. Serving injects: a NaN in x (row
// 1), x outside [0, 6] (rows 2: 9, 3: -0.5; 6 itself is inside), cities 'c' and 'A' (rows 1 and 4), id
// as strings, no t, an extra column z.
TEST_CASE("schema checks flag injected violations with exact rows") {
    mldp::frame train;
    train.add("x", std::vector<double>{1, 2, 3, 4, 5});
    train.add("city", std::vector<std::string>{"a", "b", "a", "b", "a"});
    train.add("t", ticks({10, 20, 30, 40, 50}, mldp::time_unit::seconds));
    train.add("id", std::vector<double>{10, 11, 12, 13, 14});
    q::inference_options o;
    o.range_margin = 0.25;
    const q::schema s = q::infer_schema(train, o);
    CHECK(*s.columns[0].min_value == 0.0);
    CHECK(*s.columns[0].max_value == 6.0);

    q::validator v;
    q::expect_schema(v, s);
    CHECK(v.checks().size() == 9);  // conforms_to + (not_null, in_range | in_set) for each of 4 columns
    CHECK(v.validate(train).findings.empty());

    mldp::frame serving;
    serving.add("x", std::vector<double>{3, NAN, 9, -0.5, 2, 6});
    serving.add("city", std::vector<std::string>{"a", "c", "b", "a", "A", "b"});
    serving.add("id", std::vector<std::string>{"10", "11", "12", "13", "14", "15"});
    serving.add("z", std::vector<double>{0, 0, 0, 0, 0, 0});
    const q::quality_report r = v.validate(serving);
    REQUIRE(r.findings.size() == 6);
    CHECK(r.findings[0].code == "schema.missing_column");
    CHECK(r.findings[0].column == "t");
    CHECK(r.findings[0].severity == q::severity::error);
    CHECK(r.findings[0].count == 6);
    CHECK(r.findings[1].code == "schema.wrong_kind");
    CHECK(r.findings[1].column == "id");
    CHECK(contains(r.findings[1].message, "column 'id' is categorical, the schema says numeric"));
    CHECK(r.findings[2].code == "schema.extra_column");
    CHECK(r.findings[2].column == "z");
    CHECK(r.findings[2].severity == q::severity::warning);
    CHECK(r.findings[3].code == "not_null");
    CHECK(r.findings[3].column == "x");
    CHECK(r.findings[3].rows == std::vector<std::size_t>{1});
    CHECK(r.findings[4].code == "in_range");
    CHECK(r.findings[4].rows == std::vector<std::size_t>{2, 3});
    CHECK(r.findings[4].count == 2);
    CHECK(r.findings[5].code == "in_set");
    CHECK(r.findings[5].column == "city");
    CHECK(r.findings[5].rows == std::vector<std::size_t>{1, 4});
    CHECK(contains(r.findings[5].message, "'A' -> a (case or whitespace)"));
    CHECK_FALSE(r.passed());
    for (const auto& f : r.findings) CHECK(f.code.rfind("config.", 0) == std::string::npos);  // each problem reported once

    // Chunks merged equal the whole (conforms_to counts the rows of every chunk).
    auto part = [&](std::size_t a, std::size_t b) {
        mldp::frame f;
        const auto xs = serving.numeric("x");
        f.add("x", std::vector<double>(xs.begin() + a, xs.begin() + b));
        std::vector<std::string> city, id;
        for (std::size_t i = a; i < b; ++i) {
            city.emplace_back(*serving.categorical("city").value(i));
            id.emplace_back(*serving.categorical("id").value(i));
        }
        f.add("city", city);
        f.add("id", id);
        f.add("z", std::vector<double>(b - a, 0.0));
        return f;
    };
    auto first = v.begin(), second = v.begin();
    first.update(part(0, 2));
    second.update(part(2, 6));
    first.merge(second);
    CHECK(nlohmann::json(first.report()) == nlohmann::json(r));

    // Options set on a schema check reach the wrapped check.
    auto checks = q::schema_checks(s);
    q::validator lenient;
    lenient.expect(checks[2].with_severity(q::severity::warning));  // in_range(x)
    const auto l = lenient.validate(serving);
    REQUIRE(l.findings.size() == 1);
    CHECK(l.findings[0].severity == q::severity::warning);
    CHECK(l.findings[0].rows == std::vector<std::size_t>{2, 3});
}

// Train ticks [100, 300] ms -> bounds [80, 320]. Serving 50 and 400 fall outside (rows 0 and 2); a
// serving column in seconds is a unit mismatch.
TEST_CASE("time bounds and units") {
    mldp::frame train;
    train.add("t", ticks({100, 200, 300}, mldp::time_unit::milliseconds));
    const q::schema s = q::infer_schema(train);
    q::validator v;
    q::expect_schema(v, s);
    mldp::frame serving;
    serving.add("t", ticks({50, 150, 400, mldp::time_column::missing}, mldp::time_unit::milliseconds));
    const auto r = v.validate(serving);
    REQUIRE(r.findings.size() == 2);
    CHECK(r.findings[0].code == "not_null");
    CHECK(r.findings[0].rows == std::vector<std::size_t>{3});
    CHECK(r.findings[1].code == "in_range");
    CHECK(r.findings[1].rows == std::vector<std::size_t>{0, 2});
    mldp::frame seconds;
    seconds.add("t", ticks({100}, mldp::time_unit::seconds));
    const auto u = v.validate(seconds);
    REQUIRE(u.findings.size() == 1);
    CHECK(u.findings[0].code == "schema.wrong_unit");
    CHECK(contains(u.findings[0].message, "counts ticks in s, the schema says ms"));
}

TEST_CASE("an invalid schema cannot become checks") {
    q::schema s;
    s.columns.push_back({"a", mldp::column_kind::numeric, true, 5.0, 1.0, {}, "", std::nullopt, std::nullopt});
    CHECK_THROWS_AS(q::schema_checks(s), mldp::invalid_argument);
    s.columns[0].max_value = 9.0;
    CHECK(q::schema_checks(s).size() == 2);
    s.columns.push_back(s.columns[0]);
    CHECK_THROWS_AS(q::schema_checks(s), mldp::invalid_argument);
    CHECK_THROWS_AS(q::conforms_to(s), mldp::invalid_argument);
    q::schema t;
    t.columns.push_back({"", mldp::column_kind::numeric, true, std::nullopt, std::nullopt, {}, "", std::nullopt, std::nullopt});
    CHECK_THROWS_AS(q::schema_checks(t), mldp::invalid_argument);
    t.columns[0] = {"w", mldp::column_kind::time, true, std::nullopt, std::nullopt, {}, "weeks", std::nullopt, std::nullopt};
    q::validator v;
    CHECK_THROWS_AS(q::expect_schema(v, t), mldp::invalid_argument);
}

// Tests of mldp/io/csv.hpp: RFC 4180 syntax, type inference, options, every error path (with its
// file, line, column and row), and the bundled real data set.
//
// Expected values come from Python 3.11 (run with /usr/bin/python3):
//   days:     datetime.date(y, m, d).toordinal() - 719163
//   seconds:  int(datetime.datetime(..., tzinfo=timezone.utc or timezone(timedelta(...))).timestamp())
//   doubles:  float(text).hex(), written here as C++ hex-float literals (bit-exact)
//   real data: csv.reader(open("examples/data/breast_cancer.csv", newline=""))
#include "mldp/io/csv.hpp"

#include <doctest/doctest.h>

#include <clocale>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#if defined(__GLIBC__)
#include <unistd.h>  // getpid
#endif

namespace {

using mldp::column_kind;
using mldp::time_unit;
using mldp::io::csv_options;

mldp::frame parse(std::string_view text, const csv_options& o = {}) { return mldp::io::parse_csv(text, o, "t.csv"); }

// What parse() threw: the csv_error's fields, or thrown == false.
struct failure {
    bool thrown = false;
    std::string what, file, column;
    std::size_t line = 0, row = 0;
};

failure csv_failure(std::string_view text, const csv_options& o = {}) {
    failure f;
    try {
        parse(text, o);
    } catch (const mldp::io::csv_error& e) {
        f.thrown = true;
        f.what = e.what();
        f.file = e.file();
        f.column = e.column();
        f.line = e.line();
        f.row = e.row();
    }
    return f;
}

// The message of the invalid_argument parse() threw ("" when it threw none).
std::string argument_failure(std::string_view text, const csv_options& o) {
    try {
        parse(text, o);
    } catch (const mldp::invalid_argument& e) {
        return e.what();
    }
    return "";
}

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

std::optional<std::string> cat(const mldp::frame& f, const char* column, std::size_t row) {
    const auto v = f.categorical(column).value(row);
    if (!v) return std::nullopt;
    return std::string(*v);
}

csv_options with_kind(const char* column, column_kind k) {
    csv_options o;
    o.kinds = {{column, k}};
    return o;
}

csv_options with_format(const char* column, const char* format) {
    csv_options o;
    o.time_formats = {{column, format}};
    return o;
}

// A file under the system temp directory, removed at scope exit.
struct temp_file {
    std::filesystem::path path;
    temp_file(const std::string& name, std::string_view bytes)
        : path(std::filesystem::temp_directory_path() / ("mldp_csv_test_" + name)) {
        std::ofstream out(path, std::ios::binary);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    }
    ~temp_file() {
        std::error_code ec;
        std::filesystem::remove(path, ec);
    }
    temp_file(const temp_file&) = delete;
    temp_file& operator=(const temp_file&) = delete;
};

}  // namespace

// ------------------------------------------------------------------------------------------------
// Syntax

TEST_CASE("quoted fields hold delimiters, doubled quotes and line endings; CRLF records") {
    const mldp::frame f = parse(
        "name,note\r\n"
        "\"Smith, J\",\"say \"\"hi\"\"\"\r\n"
        "plain,\"two\r\nlines\"\r\n"
        "\"\"\"\",\"a\nb\"\r\n");
    REQUIRE(f.rows() == 3);
    CHECK(f.names() == std::vector<std::string>{"name", "note"});
    CHECK(cat(f, "name", 0) == "Smith, J");
    CHECK(cat(f, "note", 0) == "say \"hi\"");
    CHECK(cat(f, "name", 1) == "plain");
    CHECK(cat(f, "note", 1) == "two\r\nlines");  // line endings inside quotes are kept as written
    CHECK(cat(f, "name", 2) == "\"");
    CHECK(cat(f, "note", 2) == "a\nb");
}

TEST_CASE("LF, CRLF, lone CR and a missing final line ending give the same frame") {
    for (const char* text : {"a,b\n1,x\n2,y\n", "a,b\r\n1,x\r\n2,y\r\n", "a,b\r1,x\r2,y\r", "a,b\n1,x\n2,y",
                             "a,b\r\n1,x\r\n2,y"}) {
        INFO(text);
        const mldp::frame f = parse(text);
        REQUIRE(f.rows() == 2);  // the final line ending is not an extra row
        CHECK(f.numeric("a")[1] == 2.0);
        CHECK(cat(f, "b", 1) == "y");
    }
}

TEST_CASE("empty lines are skipped; a trailing delimiter is an empty last field") {
    const mldp::frame f = parse("a,b\n\n1,2\n\r\n\n3,4\n\n\n");
    REQUIRE(f.rows() == 2);
    CHECK(f.numeric("b")[1] == 4.0);
    const mldp::frame g = parse("a,b\n1,\n");
    REQUIRE(g.rows() == 1);
    CHECK(std::isnan(g.numeric("b")[0]));
}

TEST_CASE("a UTF-8 byte order mark is skipped") {
    const mldp::frame f = parse("\xEF\xBB\xBFid,v\n1,2\n");
    CHECK(f.names() == std::vector<std::string>{"id", "v"});
    CHECK(f.numeric("id")[0] == 1.0);
    // Only at the start: elsewhere the bytes are data.
    const mldp::frame g = parse("id\n\xEF\xBB\xBFx\n");
    CHECK(cat(g, "id", 0) == "\xEF\xBB\xBFx");
}

TEST_CASE("delimiter ';' (a decimal comma stays text) and '\\t'") {
    csv_options semi;
    semi.delimiter = ';';
    const mldp::frame f = parse("a;b;c\n1,5;2;\"x;y\"\n", semi);
    CHECK(f.kind("a") == column_kind::categorical);
    CHECK(cat(f, "a", 0) == "1,5");
    CHECK(f.numeric("b")[0] == 2.0);
    CHECK(cat(f, "c", 0) == "x;y");

    csv_options tab;
    tab.delimiter = '\t';
    const mldp::frame g = parse("a\tb\tc\n 1 \t\t x y \n", tab);
    CHECK(g.numeric("a")[0] == 1.0);       // spaces trimmed
    CHECK(std::isnan(g.numeric("b")[0]));  // an empty field between two tabs is missing
    CHECK(cat(g, "c", 0) == "x y");        // inner space kept
}

TEST_CASE("trim: spaces and tabs around unquoted fields and around quotes; off keeps them") {
    const mldp::frame f = parse(" a , b \n 1 ,  \" x \"  \n");
    CHECK(f.names() == std::vector<std::string>{"a", "b"});
    CHECK(f.numeric("a")[0] == 1.0);
    CHECK(cat(f, "b", 0) == " x ");  // quoted content is never trimmed

    csv_options o;
    o.trim = false;
    const mldp::frame g = parse("a,b\n 1,x \n", o);
    CHECK(g.kind("a") == column_kind::categorical);  // " 1" is not a number when not trimmed
    CHECK(cat(g, "a", 0) == " 1");
    CHECK(cat(g, "b", 0) == "x ");
    // Without trim a space before a quote makes the field unquoted, so its quote is a bare quote.
    CHECK(csv_failure("a,b\n1, \"x\"\n", o).thrown);
}

TEST_CASE("header = false: every record is data, columns are column_1 .. column_n") {
    csv_options o;
    o.header = false;
    const mldp::frame f = parse("1,x\n2,y\n", o);
    CHECK(f.names() == std::vector<std::string>{"column_1", "column_2"});
    REQUIRE(f.rows() == 2);
    CHECK(f.numeric("column_1")[0] == 1.0);
    CHECK(cat(f, "column_2", 1) == "y");
    // An empty input is an empty frame when there is no header to expect.
    const mldp::frame e = parse("", o);
    CHECK(e.columns() == 0);
    CHECK(e.rows() == 0);
}

TEST_CASE("skip_lines skips a preamble before the header, quotes not interpreted") {
    csv_options o;
    o.skip_lines = 2;
    const mldp::frame f = parse("# exported \"today\n# by hand\r\na,b\n1,2\n", o);
    CHECK(f.names() == std::vector<std::string>{"a", "b"});
    CHECK(f.numeric("b")[0] == 2.0);
    // Line numbers still count the skipped lines.
    const failure e = csv_failure("# preamble\na,b\n1\n", [] {
        csv_options s;
        s.skip_lines = 1;
        return s;
    }());
    CHECK(e.line == 3);
}

// ------------------------------------------------------------------------------------------------
// Type inference

// Bit patterns from Python's float(text).hex().
TEST_CASE("numeric columns: the grammar, inf and nan, missing tokens, correctly rounded values") {
    const mldp::frame f = parse(
        "x\n0.1\n1e23\n9007199254740993\n2.2250738585072011e-308\n+1.5\n.5\n5.\n1e400\n1e-400\n"
        "123456789012345678901234567890\n4.9406564584124654e-324\n1.7976931348623157e308\n"
        "3.14159265358979323846264338327950288\n-0\nInfinity\n-INF\ninf\nNA\n\"\"\nnan\n  -2.5E-3  \n\"7\"\n");
    REQUIRE(f.kind("x") == column_kind::numeric);
    const mldp::numeric_view x = f.numeric("x");
    REQUIRE(x.size() == 22);
    CHECK(x[0] == 0x1.999999999999ap-4);
    CHECK(x[1] == 0x1.52d02c7e14af6p+76);  // the classic case where a naive m * 10^e is off by one ulp
    CHECK(x[2] == 0x1.0000000000000p+53);  // ties to even
    CHECK(x[3] == 0x0.fffffffffffffp-1022);
    CHECK(x[4] == 1.5);
    CHECK(x[5] == 0.5);
    CHECK(x[6] == 5.0);
    CHECK(x[7] == std::numeric_limits<double>::infinity());
    CHECK(x[8] == 0.0);
    CHECK(x[9] == 0x1.8ee90ff6c373ep+96);
    CHECK(x[10] == 0x0.0000000000001p-1022);
    CHECK(x[11] == 0x1.fffffffffffffp+1023);
    CHECK(x[12] == 0x1.921fb54442d18p+1);
    CHECK(x[13] == 0.0);
    CHECK(std::signbit(x[13]));
    CHECK(x[14] == std::numeric_limits<double>::infinity());
    CHECK(x[15] == -std::numeric_limits<double>::infinity());
    CHECK(x[16] == std::numeric_limits<double>::infinity());
    CHECK(std::isnan(x[17]));  // NA
    CHECK(std::isnan(x[18]));  // "" (an empty line would be skipped)
    CHECK(std::isnan(x[19]));  // nan
    CHECK(x[20] == -0.0025);
    CHECK(x[21] == 7.0);  // quoting does not change the type
}

TEST_CASE("every shortest round-trip representation parses back to the same double") {
    // 20000 doubles spread over the whole range (a fixed 64-bit LCG, Knuth's MMIX constants), written
    // with {fmt}'s shortest round-trip format; exercises both the exact fast path and strtod.
    std::string text = "x\n";
    std::vector<double> want;
    std::uint64_t state = 42;
    while (want.size() < 20000) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        double d = 0;
        if (want.size() % 2 == 0) {
            std::uint64_t bits = state;
            std::memcpy(&d, &bits, sizeof d);
            if (!std::isfinite(d)) continue;
        } else {
            d = static_cast<double>(state >> 40) / 1000.0;  // short decimals, like real data
        }
        want.push_back(d);
        text += fmt::format("{}\n", d);
    }
    const mldp::frame f = parse(text);
    const mldp::numeric_view x = f.numeric("x");
    REQUIRE(x.size() == want.size());
    std::size_t mismatches = 0;
    for (std::size_t i = 0; i < want.size(); ++i) mismatches += (x[i] != want[i]) ? 1u : 0u;
    CHECK(mismatches == 0);
}

TEST_CASE("strings the number grammar rejects make the column categorical") {
    for (const char* v : {"0x1p3", "1e", "e5", ".", "+", "1.2.3", "\"1,5\"", "nan(1)", "infinit", "1 2", "--1", "1e+",
                          "\"NA\""}) {
        INFO(v);
        const mldp::frame f = parse(std::string("x\n1\n") + v + "\n");
        CHECK(f.kind("x") == column_kind::categorical);
    }
}

TEST_CASE("categorical columns: codes in order of first appearance, missing = -1, quoted NA is a value") {
    const mldp::frame f = parse("c\nb\n1\nNA\nb\n\"NA\"\n\"\"\nnull\n");
    REQUIRE(f.kind("c") == column_kind::categorical);
    const mldp::categorical_column& c = f.categorical("c");
    CHECK(c.dictionary() == std::vector<std::string>{"b", "1", "NA"});
    CHECK(c.codes() == std::vector<std::int32_t>{0, 1, -1, 0, 2, -1, -1});
    CHECK(c.missing_count() == 3);
}

TEST_CASE("missing_tokens can be replaced; without \"\" an empty field is the empty string") {
    csv_options o;
    o.missing_tokens = {"-", "?"};
    const mldp::frame f = parse("n,c\n1,x\n-,\n?,NA\n", o);
    const mldp::numeric_view n = f.numeric("n");
    CHECK(n[0] == 1.0);
    CHECK(std::isnan(n[1]));
    CHECK(std::isnan(n[2]));
    CHECK(cat(f, "c", 1) == "");
    CHECK(cat(f, "c", 2) == "NA");
}

TEST_CASE("a column of missing values only is numeric; a header-only input gives 0 rows") {
    const mldp::frame f = parse("a,b\nNA,1\n,2\n");
    CHECK(f.kind("a") == column_kind::numeric);
    CHECK(std::isnan(f.numeric("a")[0]));
    CHECK(std::isnan(f.numeric("a")[1]));

    const mldp::frame h = parse("a,b\r\n");
    CHECK(h.names() == std::vector<std::string>{"a", "b"});
    CHECK(h.rows() == 0);
    CHECK(h.kind("a") == column_kind::numeric);
}

// Days: datetime.date(y, m, d).toordinal() - 719163.
TEST_CASE("ISO dates become days since 1970-01-01") {
    const mldp::frame f = parse(
        "d\n1970-01-01\n1969-12-31\n2000-02-29\n2023-06-15\n1600-03-01\n9999-12-31\n0001-01-01\n2024-02-29\n1900-03-01\nNA\n");
    REQUIRE(f.kind("d") == column_kind::time);
    const mldp::time_column& d = f.time("d");
    CHECK(d.unit == time_unit::days);
    CHECK(d.ticks == std::vector<std::int64_t>{0, -1, 11016, 19523, -135080, 2932896, -719162, 19782, -25508,
                                               mldp::time_column::missing});
    CHECK(d.is_missing(9));
}

// Seconds: int(datetime.datetime(2023, 6, 15, 12, 34, 56, tzinfo=...).timestamp()).
TEST_CASE("ISO date-times: UTC offsets, unit from the longest fraction, dates mixed in") {
    SUBCASE("seconds") {
        const mldp::frame f = parse(
            "t\n2023-06-15T12:34:56Z\n2023-06-15 12:34:56+02:00\n2023-06-15t12:34:56-05:30\n2023-06-15T12:34\n"
            "2023-06-15\n2023-06-15T12:34:56\n");
        const mldp::time_column& t = f.time("t");
        CHECK(t.unit == time_unit::seconds);
        CHECK(t.ticks == std::vector<std::int64_t>{1686832496, 1686825296, 1686852296, 1686832440, 1686787200, 1686832496});
    }
    SUBCASE("milliseconds") {
        const mldp::frame f = parse("t\n2021-03-04T05:06:07.123Z\n2021-03-04T05:06:07.1\n2021-03-04\n");
        const mldp::time_column& t = f.time("t");
        CHECK(t.unit == time_unit::milliseconds);
        CHECK(t.ticks == std::vector<std::int64_t>{1614834367123, 1614834367100, 1614816000000});
    }
    SUBCASE("microseconds") {
        const mldp::frame f = parse("t\n2021-03-04T05:06:07.123456Z\n2021-03-04T05:06:07Z\n");
        const mldp::time_column& t = f.time("t");
        CHECK(t.unit == time_unit::microseconds);
        CHECK(t.ticks == std::vector<std::int64_t>{1614834367123456, 1614834367000000});
    }
    SUBCASE("nanoseconds, to the edges of int64") {
        // 2^63 - 1 ns is 2262-04-11T23:47:16.854775807; -(2^63 - 1) ns is 1677-09-21T00:12:43.145224193
        // (Python: divmod(ns, 10**9) added to datetime(1970, 1, 1)).
        const mldp::frame f = parse(
            "t\n2021-03-04T05:06:07.123456789Z\n1969-12-31T23:59:59.999999999Z\n2262-04-11T23:47:16.854775807Z\n"
            "1677-09-21T00:12:43.145224193Z\n");
        const mldp::time_column& t = f.time("t");
        CHECK(t.unit == time_unit::nanoseconds);
        CHECK(t.ticks == std::vector<std::int64_t>{1614834367123456789, -1, (std::numeric_limits<std::int64_t>::max)(),
                                                   -(std::numeric_limits<std::int64_t>::max)()});
    }
}

TEST_CASE("strings that only look like times make the column categorical") {
    for (const char* v : {"2023-6-15", "2023/06/15", "2023-06-15T", "2023-06-15T12", "2023-06-15T12:34:5",
                          "2023-06-15T12:34.5", "2023-06-15T12:34:56+0200", "2023-06-15X", "20230615"}) {
        INFO(v);
        const mldp::frame f = parse(std::string("t\n2023-06-15\n") + v + "\n");
        CHECK(f.kind("t") == column_kind::categorical);
    }
}

// ------------------------------------------------------------------------------------------------
// Options

TEST_CASE("time_formats: %Y%m%d gives days; %H %M %S %f %z give seconds or finer") {
    const mldp::frame f = parse("day,n\n20230615,1\nNA,2\n20240131,3\n", with_format("day", "%Y%m%d"));
    const mldp::time_column& d = f.time("day");
    CHECK(d.unit == time_unit::days);
    CHECK(d.ticks == std::vector<std::int64_t>{19523, mldp::time_column::missing, 19753});

    // int(datetime(2023, 6, 15, 8, 30, tzinfo=timezone(timedelta(hours=1))).timestamp()) = 1686814200,
    // int(datetime(2023, 6, 15, 23, 0, tzinfo=timezone(-timedelta(hours=3, minutes=30))).timestamp()) = 1686882600.
    const mldp::frame g =
        parse("at\n15/06/2023 08:30:00+0100\n15/06/2023 23:00:00-03:30\n", with_format("at", "%d/%m/%Y %H:%M:%S%z"));
    CHECK(g.time("at").unit == time_unit::seconds);
    CHECK(g.time("at").ticks == std::vector<std::int64_t>{1686814200, 1686882600});

    const mldp::frame h = parse("at\n\"2021-03-04 05:06:07,1 %\"\n", with_format("at", "%Y-%m-%d %H:%M:%S,%f %%"));
    CHECK(h.time("at").unit == time_unit::milliseconds);
    CHECK(h.time("at").ticks == std::vector<std::int64_t>{1614834367100});
}

TEST_CASE("kinds: categorical keeps the raw strings, time reads ISO, numeric accepts missing values") {
    csv_options o;
    o.kinds = {{"zip", column_kind::categorical}, {"when", column_kind::time}, {"n", column_kind::numeric}};
    const mldp::frame f = parse("zip,when,n\n01234,2023-06-15,NA\n1e3,,2\n", o);
    CHECK(f.kind("zip") == column_kind::categorical);
    CHECK(cat(f, "zip", 0) == "01234");
    CHECK(cat(f, "zip", 1) == "1e3");
    CHECK(f.time("when").ticks == std::vector<std::int64_t>{19523, mldp::time_column::missing});
    CHECK(std::isnan(f.numeric("n")[0]));
    CHECK(f.numeric("n")[1] == 2.0);
    // A forced time column with no values at all: days (every value, vacuously, is a date).
    const mldp::frame g = parse("t\nNA\n", with_kind("t", column_kind::time));
    CHECK(g.time("t").unit == time_unit::days);
    CHECK(g.time("t").is_missing(0));
}

TEST_CASE("read_csv reads a file; errors name its path") {
    const temp_file file("ok.csv", "a,b\n1,x\n");
    const mldp::frame f = mldp::io::read_csv(file.path.string());
    CHECK(f.numeric("a")[0] == 1.0);

    const temp_file bad("bad.csv", "a,b\n1,x\n2\n");
    try {
        mldp::io::read_csv(bad.path.string());
        FAIL("no csv_error");
    } catch (const mldp::io::csv_error& e) {
        CHECK(e.file() == bad.path.string());
        CHECK(contains(e.what(), bad.path.string() + ":3: "));
    }
}

// ------------------------------------------------------------------------------------------------
// Errors

TEST_CASE("malformed quoting is a csv_error naming the file, line and column") {
    SUBCASE("unterminated quoted field: the line where the quote opened") {
        const failure e = csv_failure("a,b\n1,2\n3,\"open\nstill open\n4,5\n");
        REQUIRE(e.thrown);
        CHECK(e.file == "t.csv");
        CHECK(e.line == 3);
        CHECK(e.column == "b");
        CHECK(e.row == 1);
        CHECK(contains(e.what, "t.csv:3: column 'b': unterminated quoted field"));
        CHECK(contains(e.what, "opened on line 3"));
    }
    SUBCASE("text after a closing quote") {
        const failure e = csv_failure("a,b\n1,\"ab\"c\n");
        REQUIRE(e.thrown);
        CHECK(e.line == 2);
        CHECK(e.column == "b");
        CHECK(e.row == 0);
        CHECK(contains(e.what, "t.csv:2: column 'b': unexpected 'c' after the closing quote"));
    }
    SUBCASE("a bare quote inside an unquoted field") {
        const failure e = csv_failure("a,b\n1,2\nab\"c,3\n");
        REQUIRE(e.thrown);
        CHECK(e.line == 3);
        CHECK(e.column == "a");
        CHECK(e.row == 1);
        CHECK(contains(e.what, "t.csv:3: column 'a': quote character inside the unquoted field 'ab\"c'"));
    }
    SUBCASE("in the header, the field is named by number") {
        const failure e = csv_failure("a,b\"\n1,2\n");
        REQUIRE(e.thrown);
        CHECK(e.line == 1);
        CHECK(e.column == "");
        CHECK(e.row == mldp::data_error::no_row);
        CHECK(contains(e.what, "t.csv:1: field 2: quote character"));
    }
}

TEST_CASE("ragged rows: too few and too many fields, at the physical line where the record starts") {
    const failure few = csv_failure("a,b,c\n1,2,3\n4,5\n");
    REQUIRE(few.thrown);
    CHECK(few.line == 3);
    CHECK(few.row == 1);
    CHECK(contains(few.what, "t.csv:3: expected 3 fields (as in the header), got 2"));

    // The quoted line ending makes record 1 span lines 3-4, so record 2 starts on line 5.
    const failure many = csv_failure("a,b\n1,2\n3,\"x\ny\"\n5,6,7\n");
    REQUIRE(many.thrown);
    CHECK(many.line == 5);
    CHECK(many.row == 2);
    CHECK(contains(many.what, "t.csv:5: expected 2 fields (as in the header), got 3"));

    csv_options o;
    o.header = false;
    const failure nh = csv_failure("1,2\n3\n", o);
    CHECK(contains(nh.what, "t.csv:2: expected 2 fields (as in the first record), got 1"));
}

TEST_CASE("a value that does not fit a forced numeric column") {
    const failure e = csv_failure("id,age\n1,31\n2,45\n3,abc\n", with_kind("age", column_kind::numeric));
    REQUIRE(e.thrown);
    CHECK(e.what == "t.csv:4: column 'age': 'abc' is not a number (column 'age' was forced numeric)");
    CHECK(e.line == 4);
    CHECK(e.column == "age");
    CHECK(e.row == 2);
    // A quoted "NA" is a value, not a missing one; the line is the field's own, inside a multi-line record.
    const failure q = csv_failure("note,n\n\"multi\nline\",\"NA\"\n", with_kind("n", column_kind::numeric));
    REQUIRE(q.thrown);
    CHECK(q.line == 3);
    CHECK(contains(q.what, "t.csv:3: column 'n': 'NA' is not a number"));
}

TEST_CASE("invalid dates and times are csv_errors, inferred or forced") {
    SUBCASE("2023-02-29 in an inferred date column") {
        const failure e = csv_failure("d\n2023-02-28\n2023-02-29\n");
        REQUIRE(e.thrown);
        CHECK(e.line == 3);
        CHECK(e.column == "d");
        CHECK(e.row == 1);
        CHECK(contains(e.what, "t.csv:3: column 'd': '2023-02-29' is not a valid time: day 29 is not in 01..28"));
    }
    SUBCASE("month 13") {
        const failure e = csv_failure("d\n2023-13-01\n");
        REQUIRE(e.thrown);
        CHECK(contains(e.what, "t.csv:2: column 'd': '2023-13-01' is not a valid time: month 13 is not in 01..12"));
    }
    SUBCASE("hour 24, minute 60, second 60, offset hour 24, ten fraction digits") {
        for (const char* v : {"2023-01-01T24:00", "2023-01-01T00:60", "2023-01-01T00:00:60", "2023-01-01T00:00+24:00",
                              "2023-01-01T00:00:00.1234567890"}) {
            INFO(v);
            const failure e = csv_failure(std::string("t\n") + v + "\n");
            CHECK(e.thrown);
            CHECK(contains(e.what, "is not a valid time"));
        }
    }
    SUBCASE("a shape error only falls back to categorical when no value is out of range") {
        // 2023-02-29 has the ISO shape but "soon" does not: the column is categorical, no error.
        const mldp::frame f = parse("d\n2023-02-29\nsoon\n");
        CHECK(f.kind("d") == column_kind::categorical);
    }
    SUBCASE("forced time, not ISO") {
        const failure e = csv_failure("d\n2023-01-01\nyesterday\n", with_kind("d", column_kind::time));
        REQUIRE(e.thrown);
        CHECK(e.line == 3);
        CHECK(contains(e.what, "t.csv:3: column 'd': 'yesterday' is not an ISO-8601 date"));
        CHECK(contains(e.what, "forced time"));
    }
    SUBCASE("time format: mismatch and 2024-02-30") {
        const failure m = csv_failure("day\n20230615\n2023-06-15\n", with_format("day", "%Y%m%d"));
        REQUIRE(m.thrown);
        CHECK(m.line == 3);
        CHECK(contains(m.what, "t.csv:3: column 'day': '2023-06-15' does not match the time format '%Y%m%d'"));
        const failure r = csv_failure("day\n20240230\n", with_format("day", "%Y%m%d"));
        CHECK(contains(r.what, "'20240230' is not a valid time: day 30 is not in 01..29"));
    }
    SUBCASE("nanoseconds beyond int64") {
        const failure e = csv_failure("t\n2262-04-11T23:47:16.854775808Z\n");
        REQUIRE(e.thrown);
        CHECK(contains(e.what, "does not fit in a signed 64-bit count of ns"));
        // -2^63 ns is time_column::missing, so the earliest representable instant is one ns later.
        CHECK(csv_failure("t\n1677-09-21T00:12:43.145224192Z\n").thrown);
    }
}

TEST_CASE("header errors, empty input, NUL bytes and too many fields") {
    const failure dup = csv_failure("id,x,id\n1,2,3\n");
    REQUIRE(dup.thrown);
    CHECK(dup.line == 1);
    CHECK(dup.column == "id");
    CHECK(contains(dup.what, "t.csv:1: column 'id': duplicate column name in the header (fields 1 and 3)"));

    const failure empty_name = csv_failure("a,,c\n1,2,3\n");
    CHECK(contains(empty_name.what, "t.csv:1: header field 2 of 3 is empty"));
    CHECK(csv_failure("a,\"\"\n1,2\n").thrown);

    for (const char* text : {"", "\xEF\xBB\xBF", "\n\n\r\n"}) {
        const failure e = csv_failure(text);
        CHECK(e.thrown);
        CHECK(contains(e.what, "no header row"));
    }

    const failure nul = csv_failure(std::string_view("a,b\n1,x\0y\n", 10));
    REQUIRE(nul.thrown);
    CHECK(nul.line == 2);
    CHECK(nul.column == "b");
    CHECK(contains(nul.what, "NUL byte"));
    CHECK(csv_failure(std::string_view("a\n\"x\0\"\n", 7)).thrown);

    csv_options o;
    o.max_columns = 3;
    CHECK(contains(csv_failure("a,b,c,d\n", o).what, "more than 3 fields"));
    CHECK(parse("a,b,c\n1,2,3\n", o).columns() == 3);
}

TEST_CASE("a missing or unreadable file is an io_error naming the path and the reason") {
    const std::string path = "/nonexistent/mldp/no_such.csv";
    try {
        mldp::io::read_csv(path);
        FAIL("no io_error");
    } catch (const mldp::io::io_error& e) {
        CHECK(e.path() == path);
        CHECK(std::string(e.what()) == "mldp::io::read_csv: cannot open '" + path + "': No such file or directory");
    }
    const std::string dir = std::filesystem::temp_directory_path().string();
    CHECK_THROWS_AS(mldp::io::read_csv(dir), mldp::io::io_error);  // a directory opens but cannot be read
}

TEST_CASE("options naming unknown columns, and contradictory options, are invalid_argument") {
    const std::string unknown = argument_failure("a,b\n1,2\n", with_kind("c", column_kind::numeric));
    CHECK(contains(unknown, "kinds: t.csv has no column named 'c' (columns: 'a', 'b')"));
    CHECK(contains(argument_failure("a\n1\n", with_format("when", "%Y")), "no column named 'when'"));
    csv_options none;
    none.header = false;
    none.kinds = {{"a", column_kind::numeric}};
    CHECK(contains(argument_failure("", none), "(columns: none)"));

    csv_options o;
    o.delimiter = '"';
    CHECK(contains(argument_failure("a\n", o), "must differ"));
    o = csv_options{};
    o.delimiter = '\n';
    CHECK(contains(argument_failure("a\n", o), "delimiter must not be"));
    o = csv_options{};
    o.quote = '\r';
    CHECK(contains(argument_failure("a\n", o), "quote must not be"));
    o = csv_options{};
    o.max_columns = 0;
    CHECK(contains(argument_failure("a\n", o), "max_columns"));

    CHECK(contains(argument_failure("t\n1\n", with_format("t", "%Y-%m-%q")), "unknown directive %q"));
    CHECK(contains(argument_failure("t\n1\n", with_format("t", "%Y-%m-%d%")), "lone '%'"));
    CHECK(contains(argument_failure("t\n1\n", with_format("t", "%Y-%m")), "must contain %Y, %m and %d"));
    CHECK(contains(argument_failure("t\n1\n", with_format("t", "%Y%m%d%Y")), "%Y more than once"));

    o = csv_options{};
    o.kinds = {{"t", column_kind::numeric}};
    o.time_formats = {{"t", "%Y%m%d"}};
    CHECK(contains(argument_failure("t\n1\n", o), "has a time format but is forced numeric"));
    o = csv_options{};
    o.kinds = {{"t", column_kind::numeric}, {"t", column_kind::categorical}};
    CHECK(contains(argument_failure("t\n1\n", o), "forced both numeric and categorical"));
}

// ------------------------------------------------------------------------------------------------
// Real data

#ifdef MLDP_DATA_DIR
// examples/data/breast_cancer.csv (scikit-learn's copy of the Wisconsin diagnostic data): a first line
// "569,30,malignant,benign" that is not a header, then 569 rows of 30 features and the class.
// Pinned values from Python: rows = list(csv.reader(open(path, newline="")))[1:]; rows[r][c].
TEST_CASE("the bundled breast cancer data set") {
    const std::string path = std::string(MLDP_DATA_DIR) + "/breast_cancer.csv";

    // Read as is, its 4-field first line is the header and the first data row is ragged.
    try {
        mldp::io::read_csv(path);
        FAIL("no csv_error");
    } catch (const mldp::io::csv_error& e) {
        CHECK(e.line() == 2);
        CHECK(e.row() == 0);
        CHECK(contains(e.what(), path + ":2: expected 4 fields (as in the header), got 31"));
    }

    csv_options o;
    o.skip_lines = 1;
    o.header = false;
    o.kinds = {{"column_31", column_kind::categorical}};
    const mldp::frame f = mldp::io::read_csv(path, o);
    REQUIRE(f.rows() == 569);
    REQUIRE(f.columns() == 31);
    CHECK(f.names().front() == "column_1");
    CHECK(f.names().back() == "column_31");
    for (std::size_t j = 0; j < 30; ++j) CHECK(f.at(j).kind() == column_kind::numeric);
    CHECK(f.numeric("column_1")[0] == 17.99);
    CHECK(f.numeric("column_30")[0] == 0.1189);
    CHECK(f.numeric("column_1")[568] == 7.76);
    CHECK(f.numeric("column_4")[100] == 582.7);
    CHECK(f.numeric("column_15")[300] == 0.006056);
    // 212 malignant (0) and 357 benign (1), the class column read as its raw strings.
    const mldp::categorical_column& y = f.categorical("column_31");
    CHECK(y.dictionary() == std::vector<std::string>{"0", "1"});
    std::size_t benign = 0;
    for (const std::int32_t c : y.codes()) benign += c == 1 ? 1u : 0u;
    CHECK(benign == 357);
    CHECK(y.missing_count() == 0);
    // Without the forced kind the class is numeric 0/1.
    o.kinds.clear();
    CHECK(mldp::io::read_csv(path, o).kind("column_31") == column_kind::numeric);
}
#endif

#ifdef MLDP_DATA_DIR
// examples/data/co2_mauna_loa.csv (statsmodels' copy): weekly dates as YYYYMMDD, 59 weeks without a
// value. Pinned values from Python: rows = list(csv.reader(...))[1:]; the first and last dates as
// datetime.date(...).toordinal() - 719163 = -4296 (1958-03-29) and 11685 (2001-12-29); values
// 316.1 and 371.5.
TEST_CASE("the bundled Mauna Loa CO2 series: a time column by format") {
    const std::string path = std::string(MLDP_DATA_DIR) + "/co2_mauna_loa.csv";
    // Without a format the dates are plain integers.
    CHECK(mldp::io::read_csv(path).kind("date") == column_kind::numeric);
    csv_options o;
    o.time_formats = {{"date", "%Y%m%d"}};
    const mldp::frame f = mldp::io::read_csv(path, o);
    REQUIRE(f.rows() == 2284);
    const mldp::time_column& t = f.time("date");
    CHECK(t.unit == mldp::time_unit::days);
    CHECK(t.ticks.front() == -4296);
    CHECK(t.ticks.back() == 11685);
    for (std::size_t i = 1; i < t.ticks.size(); ++i) CHECK(t.ticks[i] - t.ticks[i - 1] == 7);  // weekly, none skipped
    const auto co2 = f.numeric("co2");
    CHECK(co2[0] == 316.1);
    CHECK(co2[2283] == 371.5);
    std::size_t missing = 0;
    for (double v : co2) missing += std::isnan(v) ? 1u : 0u;
    CHECK(missing == 59);
}
#endif

#if defined(__GLIBC__)
// strtod reads the decimal point of LC_NUMERIC: a program running under a decimal-comma locale must
// still read "1.5" as 1.5. The locale is compiled into a temporary directory with glibc's localedef
// (Debian's `locales` package, installed by scripts/test) and found through LOCPATH; the numbers
// with more than 19 significant digits, or subnormal, take the strtod path, the others Clinger's.
TEST_CASE("numbers read the same under a decimal-comma LC_NUMERIC locale") {
    const auto dir = std::filesystem::temp_directory_path() / fmt::format("mldp-locale-{}", static_cast<long>(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string cmd = fmt::format("localedef -i de_DE -f UTF-8 '{}/de_DE.UTF-8' >/dev/null 2>&1", dir.string());
    REQUIRE_MESSAGE(std::system(cmd.c_str()) == 0, "localedef could not build de_DE.UTF-8 (Debian package: locales)");
    ::setenv("LOCPATH", dir.c_str(), 1);
    const char* set = std::setlocale(LC_NUMERIC, "de_DE.UTF-8");
    REQUIRE(set != nullptr);
    CHECK(std::string(std::localeconv()->decimal_point) == ",");
    const auto f = parse("x\n1.5\n2.25e3\n0.1000000000000000055511151231257827\n123456789012345678901234.5\n-7.5e-320\n"
                         "3.14159265358979323846264338327950288\n");
    std::setlocale(LC_NUMERIC, "C");
    ::unsetenv("LOCPATH");
    std::filesystem::remove_all(dir);
    const auto x = f.numeric("x");
    REQUIRE(x.size() == 6);
    CHECK(x[0] == 0x1.8p+0);
    CHECK(x[1] == 0x1.194p+11);
    CHECK(x[2] == 0x1.999999999999ap-4);
    CHECK(x[3] == 0x1.a249b1f10a06dp+76);
    CHECK(x[4] == -0x0.0000000003b4cp-1022);
    CHECK(x[5] == 0x1.921fb54442d18p+1);
}
#endif

#include "mldp/quality/validator.hpp"
#include "mldp/quality/checks.hpp"
#include "mldp/quality/stat_checks.hpp"
#include "mldp/core/random.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace q = mldp::quality;

namespace {

// deequ's FixtureSupport.getDfMissing: 12 rows, att1 null in 6 of them, att2 in 3.
mldp::frame deequ_missing() {
    const std::vector<std::optional<std::string>> att1{"a", "b", std::nullopt, "a", "a", std::nullopt,
                                                       std::nullopt, "b", "a", std::nullopt, std::nullopt, std::nullopt};
    const std::vector<std::optional<std::string>> att2{"f", "d", "f", std::nullopt, "f", "d", "d", std::nullopt, "f", std::nullopt, "f", "d"};
    mldp::frame f;
    f.add("item", std::vector<double>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
    f.add("att1", att1);
    f.add("att2", att2);
    return f;
}

const q::finding* first(const q::quality_report& r, const std::string& code) {
    for (const auto& f : r.findings) {
        if (f.code == code) return &f;
    }
    return nullptr;
}

}  // namespace

// deequ's published metrics: Completeness(att1) = 0.5, Completeness(att2) = 0.75 on getDfMissing.
TEST_CASE("not_null reproduces deequ's completeness") {
    q::validator v;
    v.expect(q::not_null("att1")).expect(q::not_null("att2")).expect(q::not_null("item"));
    const auto r = v.validate(deequ_missing());
    REQUIRE(r.findings.size() == 2);
    CHECK(r.findings[0].column == "att1");
    CHECK(1.0 - r.findings[0].fraction == 0.5);
    CHECK(r.findings[0].rows == std::vector<std::size_t>{2, 5, 6, 9, 10, 11});
    CHECK(1.0 - r.findings[1].fraction == 0.75);
    CHECK(r.findings[1].rows == std::vector<std::size_t>{3, 7, 9});
    CHECK_FALSE(r.passed());
    CHECK(r.max_severity() == q::severity::error);
    // mostly: att2 is 75% complete, so it holds at 0.7 and is reported as info.
    q::validator lenient;
    lenient.expect(q::not_null("att2").with_mostly(0.7).with_severity(q::severity::warning));
    const auto l = lenient.validate(deequ_missing());
    REQUIRE(l.findings.size() == 1);
    CHECK(l.findings[0].passed);
    CHECK(l.findings[0].severity == q::severity::info);
    CHECK(l.passed(q::severity::info));
}

TEST_CASE("validate with a progress callback reports each check and gives the same report") {
    q::validator v;
    v.expect(q::not_null("att1")).expect(q::not_null("att2")).expect(q::not_null("item"));
    std::vector<std::size_t> done;
    const auto r = v.validate(deequ_missing(), [&](const mldp::progress_event& e) {
        CHECK(e.task == "validator::validate");
        CHECK(e.total == 3);
        done.push_back(e.done);
    });
    CHECK(done == std::vector<std::size_t>{1, 2, 3});
    CHECK(nlohmann::json(r) == nlohmann::json(v.validate(deequ_missing())));
    // An exception from the callback cancels the validation.
    CHECK_THROWS_AS(v.validate(deequ_missing(), [](const mldp::progress_event&) { throw std::runtime_error("stop"); }),
                    std::runtime_error);
}

// deequ: Uniqueness of [a, a, a, b] = 0.25 (one value of four occurs once); duplicate rows in
// [(a,1),(b,2),(a,1),(c,3)] = 2.
TEST_CASE("unique and no_duplicate_rows reproduce deequ's vectors") {
    mldp::frame f;
    f.add("c", std::vector<std::string>{"a", "a", "a", "b"});
    const auto r = q::validator().expect(q::unique("c")).validate(f);
    REQUIRE(r.findings.size() == 1);
    CHECK(1.0 - r.findings[0].fraction == 0.25);
    CHECK(r.findings[0].rows == std::vector<std::size_t>{0, 1, 2});
    mldp::frame g;
    g.add("s", std::vector<std::string>{"a", "b", "a", "c"});
    g.add("n", std::vector<double>{1, 2, 1, 3});
    const auto d = q::validator().expect(q::no_duplicate_rows()).expect(q::unique(std::vector<std::string>{"s", "n"})).validate(g);
    REQUIRE(d.findings.size() == 2);
    CHECK(d.findings[0].count == 2);
    CHECK(d.findings[0].rows == std::vector<std::size_t>{0, 2});
    CHECK(d.findings[1].count == 2);
    CHECK(d.findings[1].column == "s,n");
}

TEST_CASE("in_range and in_set list offending rows, values and typo suggestions") {
    mldp::frame f;
    f.add("age", std::vector<double>{34, -1, 150, 40, NAN, 150, 27});
    f.add("city", std::vector<std::string>{"Berlin", "Berlln", "berlin ", "Paris", "Rome", "Paris", "Berlln"});
    q::validator v;
    v.expect(q::in_range("age", 0, 120)).expect(q::in_set("city", {"Berlin", "Paris"}));
    const auto r = v.validate(f);
    const auto* age = first(r, "in_range");
    REQUIRE(age != nullptr);
    CHECK(age->count == 3);
    CHECK(age->rows == std::vector<std::size_t>{1, 2, 5});
    REQUIRE(!age->values.empty());
    CHECK(age->values[0].value == "150");
    CHECK(age->values[0].count == 2);
    CHECK(age->fraction == doctest::Approx(3.0 / 7.0));
    CHECK(age->fraction_non_missing == doctest::Approx(3.0 / 6.0));  // the NaN row is ignored (default policy)
    const auto* city = first(r, "in_set");
    REQUIRE(city != nullptr);
    CHECK(city->count == 4);
    CHECK(city->rows == std::vector<std::size_t>{1, 2, 4, 6});
    CHECK(city->message.find("'Berlln' -> Berlin (edit distance 1)") != std::string::npos);
    CHECK(city->message.find("'berlin ' -> Berlin (case or whitespace)") != std::string::npos);
    CHECK(city->message.find("'Rome' ->") == std::string::npos);  // nothing close enough
    // Null policies: fail counts the NaN as offending, pass counts it as passing.
    const auto fail = q::validator().expect(q::in_range("age", 0, 120).with_nulls(q::null_policy::fail)).validate(f);
    CHECK(fail.findings[0].count == 4);
    CHECK(fail.findings[0].rows == std::vector<std::size_t>{1, 2, 4, 5});
    const auto pass = q::validator().expect(q::in_range("age", 0, 120).with_nulls(q::null_policy::pass)).validate(f);
    CHECK(pass.findings[0].count == 3);
}

TEST_CASE("a check that cannot run is a configuration finding, not an exception") {
    mldp::frame f;
    f.add("x", std::vector<double>{1, 2});
    f.add("s", std::vector<std::string>{"a", "b"});
    q::validator v;
    v.expect(q::not_null("nope")).expect(q::in_range("s", 0, 1)).expect(q::in_set("x", {"1"}));
    const auto r = v.validate(f);
    REQUIRE(r.findings.size() == 3);
    CHECK(r.findings[0].code == "config.unknown_column");
    CHECK(r.findings[1].code == "config.wrong_kind");
    CHECK(r.findings[1].message.find("is categorical") != std::string::npos);
    CHECK(r.findings[2].code == "config.wrong_kind");
    CHECK_FALSE(r.passed());
    CHECK_THROWS_AS(q::in_range("x", 2, 1), mldp::invalid_argument);
    CHECK_THROWS_AS(q::in_set("x", {}), mldp::invalid_argument);
    CHECK_THROWS_AS(q::not_null("x").with_mostly(1.5), mldp::invalid_argument);
}

// Chunked validation merged equals whole validation for every exact check: rows, counts, values and
// row indices, compared as JSON.
TEST_CASE("validating chunks and merging equals validating the whole") {
    mldp::rng g{mldp::seed_sequence{7}.derive("quality-chunks")};
    const std::size_t n = 3000;
    std::vector<double> x(n), id(n);
    std::vector<std::string> s(n);
    const std::vector<std::string> cats{"A", "B", "C", "c", "D "};
    for (std::size_t i = 0; i < n; ++i) {
        x[i] = g.uniform01() < 0.05 ? NAN : g.normal() * 50.0;
        s[i] = cats[static_cast<std::size_t>(g.bounded(cats.size()))];
        id[i] = static_cast<double>(g.bounded(2500));
    }
    auto slice = [&](std::size_t a, std::size_t b) {
        mldp::frame f;
        f.add("x", std::vector<double>(x.begin() + static_cast<std::ptrdiff_t>(a), x.begin() + static_cast<std::ptrdiff_t>(b)));
        f.add("s", std::vector<std::string>(s.begin() + static_cast<std::ptrdiff_t>(a), s.begin() + static_cast<std::ptrdiff_t>(b)));
        f.add("id", std::vector<double>(id.begin() + static_cast<std::ptrdiff_t>(a), id.begin() + static_cast<std::ptrdiff_t>(b)));
        return f;
    };
    q::validator v;
    v.expect(q::not_null("x")).expect(q::in_range("x", -100, 100)).expect(q::in_set("s", {"A", "B", "C"}));
    v.expect(q::unique("id")).expect(q::no_duplicate_rows()).expect(q::not_null("missing_column"));
    const nlohmann::json whole = v.validate(slice(0, n));
    // Sequential chunks.
    auto st = v.begin();
    st.update(slice(0, 1000));
    st.update(slice(1000, 1700));
    st.update(slice(1700, n));
    CHECK(nlohmann::json(st.report()) == whole);
    // Independent states merged in order (as parallel workers would).
    auto a = v.begin(), b = v.begin(), c = v.begin();
    a.update(slice(0, 900));
    b.update(slice(900, 2000));
    c.update(slice(2000, n));
    b.merge(c);
    a.merge(b);
    CHECK(nlohmann::json(a.report()) == whole);
    CHECK(a.rows() == n);
    q::validator other;
    CHECK_THROWS_AS(a.merge(other.begin()), mldp::invalid_argument);
    // The report prints.
    const auto text = fmt::format("{}", v.validate(slice(0, n)));
    CHECK(text.find("in_set") != std::string::npos);
}

TEST_CASE("unique: large chunks (dense ids and the partitioned table) agree with a direct count, whole and in chunks") {
    // 30,000 ids drawn from 20,000 values: most rows repeat a key. Integer ids in a compact range take
    // the dense path (indexed by value), others the hashed key table: its partitioned path for chunks
    // of 4096 rows and more, the row-by-row path for smaller ones. A chunk that leaves the dense range,
    // or a merge of dense states over different ranges, converts to the table. Every way must agree
    // with a count by std::map and with the others.
    auto run = [](const std::vector<double>& id) {
        const std::size_t n = id.size();
        std::map<std::string, std::size_t> count;
        auto key = [&](std::size_t i) { return std::isnan(id[i]) ? std::string("nan") : fmt::format("{}", id[i] + 0.0); };  // -0 is 0
        for (std::size_t i = 0; i < n; ++i) ++count[key(i)];
        std::size_t offending = 0;
        std::vector<std::size_t> rows;
        for (std::size_t i = 0; i < n; ++i) {
            if (count[key(i)] >= 2) {
                ++offending;
                if (rows.size() < 20) rows.push_back(i);
            }
        }
        auto slice = [&](std::size_t a, std::size_t b) {
            mldp::frame f;
            f.add("id", std::vector<double>(id.begin() + static_cast<std::ptrdiff_t>(a), id.begin() + static_cast<std::ptrdiff_t>(b)));
            return f;
        };
        q::validator v;
        v.expect(q::unique("id"));
        const auto whole = v.validate(slice(0, n));
        REQUIRE(whole.findings.size() == 1);
        CHECK(whole.findings[0].count == offending);
        CHECK(whole.findings[0].rows == rows);
        CHECK(whole.findings[0].message.find(fmt::format("({} distinct keys)", count.size())) != std::string::npos);
        const nlohmann::json expected = whole;
        auto st = v.begin();
        st.update(slice(0, 5000));
        st.update(slice(5000, 5000));  // an empty chunk changes nothing
        st.update(slice(5000, 5100));
        st.update(slice(5100, 21000));
        st.update(slice(21000, n));
        CHECK(nlohmann::json(st.report()) == expected);
        auto a = v.begin(), b = v.begin(), c = v.begin();
        a.update(slice(0, 12000));
        b.update(slice(12000, 24000));
        c.update(slice(24000, n));
        b.merge(c);
        a.merge(b);
        CHECK(nlohmann::json(a.report()) == expected);
        auto e = v.begin();  // a fresh state merging a dense one
        e.merge(a);
        CHECK(nlohmann::json(e.report()) == expected);
    };
    mldp::rng g{mldp::seed_sequence{11}.derive("quality-unique-large")};
    const std::size_t n = 30000;
    std::vector<double> id(n);
    for (auto& v : id) v = static_cast<double>(g.bounded(20000));
    id[17] = NAN;  // missing keys count as one value, as deequ does
    id[29999] = NAN;
    SUBCASE("integer ids: dense") { run(id); }
    SUBCASE("non-integer ids: hashed") {
        for (auto& v : id) v += 0.5;
        run(id);
    }
    SUBCASE("an id far out of range: hashed whole, converted in chunks") {
        id[25000] = 1e9;
        id[26000] = -0.0;  // equal to 0
        run(id);
    }
    SUBCASE("halves over different ranges: dense, then converted at the merge") {
        for (std::size_t i = 12000; i < n; ++i) id[i] += 7000.0;
        run(id);
    }
    SUBCASE("negative ids and one huge magnitude") {
        for (auto& v : id) v -= 10000.0;
        id[100] = 9007199254740992.0;  // 2^53: an integer, but beyond the dense test's 2^52
        run(id);
    }
}

TEST_CASE("key table: every fill kernel and the row-by-row path give the reference counts and rows") {
    // 50,000 hashes over 30,000 keys (some 0, which the table maps to 1, and 1 itself), added at row
    // offset 1000: distinct keys, offending occurrences, the smallest first rows of repeated keys and
    // the smallest rows repeating an earlier row, against std::map, with each kernel the CPU runs.
    mldp::rng g{mldp::seed_sequence{5}.derive("quality-key-table")};
    const std::size_t n = 50000, offset = 1000, keep = 64;
    std::vector<std::uint64_t> h(n);
    for (auto& x : h) x = g.bounded(30000) * 0x9E3779B97F4A7C15ULL;  // spread over every part
    h[10] = 0;
    h[20] = 1;
    h[30] = 0;
    std::map<std::uint64_t, std::vector<std::uint64_t>> rows_of;
    for (std::size_t i = 0; i < n; ++i) rows_of[h[i] == 0 ? 1 : h[i]].push_back(offset + i);
    std::uint64_t offending = 0;
    std::vector<std::uint64_t> firsts, later;
    for (const auto& [k, r] : rows_of) {
        if (r.size() < 2) continue;
        offending += r.size();
        firsts.push_back(r[0]);
        later.insert(later.end(), r.begin() + 1, r.end());
    }
    std::sort(firsts.begin(), firsts.end());
    std::sort(later.begin(), later.end());
    firsts.resize(keep);
    later.resize(keep);
    auto expect_reference = [&](const q::detail::key_table& t, const q::detail::smallest_rows& l) {
        CHECK(t.size() == rows_of.size());
        CHECK(t.offending() == offending);
        CHECK(t.smallest_repeated() == firsts);
        CHECK(l.sorted() == later);
    };
    const auto kernels = q::detail::key_table::fill_kernels();
    CHECK((kernels.back() == q::detail::key_table::best_fill_kernel()));
    for (auto kernel : kernels) {
        q::detail::key_table t(keep);
        q::detail::smallest_rows l(keep);
        t.add_rows(h.data(), n, offset, l, kernel);
        expect_reference(t, l);
        // Two halves (the second into a fresh table at its offset), merged.
        q::detail::key_table a(keep), b(keep);
        q::detail::smallest_rows la(keep), lb(keep);
        a.add_rows(h.data(), 20000, offset, la, kernel);
        b.add_rows(h.data() + 20000, n - 20000, 0, lb, kernel);
        a.merge(b, offset + 20000, la);
        la.offer_all(lb, offset + 20000);
        expect_reference(a, la);
    }
    // Row by row (chunks under 4096 rows), growing from an empty table.
    q::detail::key_table t(keep);
    q::detail::smallest_rows l(keep);
    for (std::size_t a = 0; a < n; a += 1000) t.add_rows(h.data() + a, 1000, offset + a, l);
    expect_reference(t, l);
}

TEST_CASE("validator threads: the report is the same on 1, 2, 3 and all hardware threads") {
    // 40,000 rows (above the 16,384 at which a chunk is shared out) with defects every check finds.
    mldp::rng g{mldp::seed_sequence{3}.derive("quality-threads")};
    const std::size_t n = 40000;
    std::vector<double> x(n), id(n), w(n);
    std::vector<std::string> site(n);
    const std::vector<std::string> sites{"A", "B", "C", "a "};
    for (std::size_t i = 0; i < n; ++i) {
        x[i] = g.uniform01() < 0.01 ? NAN : g.normal() * (g.uniform01() < 0.005 ? 100.0 : 1.0);
        id[i] = static_cast<double>(g.bounded(60000));
        w[i] = 50.0 + 10.0 * g.normal();
        if (i % 997 == 0) w[i] *= 1000.0;  // unit slips
        site[i] = sites[g.uniform01() < 0.002 ? 3 : g.bounded(3)];
    }
    mldp::frame f;
    f.add("x", x).add("id", id).add("w", w).add("site", site);
    q::validator v;
    v.expect(q::not_null("x"))
        .expect(q::in_range("x", -4, 4))
        .expect(q::in_set("site", {"A", "B", "C"}))
        .expect(q::unique("id"))
        .expect(q::no_duplicate_rows())
        .expect(q::outliers("w"))
        .expect(q::unit_consistency("w"))
        .expect(q::label_coverage("site", {"A", "B", "C", "D"}, 10))
        .expect(q::not_null("missing_column"));
    CHECK(v.threads() == 1);
    const nlohmann::json sequential = v.validate(f);
    CHECK(sequential["findings"].size() >= 8);
    for (std::size_t t : {std::size_t{2}, std::size_t{3}, std::size_t{0}}) {
        v.threads(t);
        CHECK(v.threads() >= 1);
        std::vector<std::size_t> done;
        const nlohmann::json parallel = v.validate(f, [&](const mldp::progress_event& e) {
            CHECK(e.total == 9);
            done.push_back(e.done);
        });
        CHECK(parallel == sequential);
        REQUIRE(!done.empty());
        CHECK(done.back() == 9);
        CHECK(std::is_sorted(done.begin(), done.end()));
        CHECK(std::adjacent_find(done.begin(), done.end()) == done.end());  // strictly increasing
        // Chunked on threads and merged: the same report again.
        auto a = v.begin(), b = v.begin();
        mldp::frame head, tail;
        auto part = [&](const std::vector<double>& c, std::size_t lo, std::size_t hi) {
            return std::vector<double>(c.begin() + static_cast<std::ptrdiff_t>(lo), c.begin() + static_cast<std::ptrdiff_t>(hi));
        };
        auto part_s = [&](std::size_t lo, std::size_t hi) {
            return std::vector<std::string>(site.begin() + static_cast<std::ptrdiff_t>(lo), site.begin() + static_cast<std::ptrdiff_t>(hi));
        };
        head.add("x", part(x, 0, 20000)).add("id", part(id, 0, 20000)).add("w", part(w, 0, 20000)).add("site", part_s(0, 20000));
        tail.add("x", part(x, 20000, n)).add("id", part(id, 20000, n)).add("w", part(w, 20000, n)).add("site", part_s(20000, n));
        a.update(head);
        b.update(tail);
        a.merge(b);
        const nlohmann::json chunked = a.report();
        // outliers and unit_consistency summarise with mergeable sketches: compare the exact checks.
        for (std::size_t k = 0; k < sequential["findings"].size(); ++k) {
            const auto& code = sequential["findings"][k]["code"];
            if (code == "outliers" || code == "unit_consistency") continue;
            bool found = false;
            for (const auto& fc : chunked["findings"]) found = found || fc == sequential["findings"][k];
            CHECK_MESSAGE(found, code);
        }
    }
    // An exception from the progress callback still cancels, after the threads have stopped.
    v.threads(2);
    CHECK_THROWS_AS(v.validate(f, [](const mldp::progress_event&) { throw std::runtime_error("stop"); }), std::runtime_error);
}

TEST_CASE("dense keys: every integer-range scan kernel agrees with a plain loop") {
    // Lengths around the vector widths; integers, missing values, and one spoiler at a time.
    mldp::rng g{mldp::seed_sequence{8}.derive("quality-integer-scan")};
    const std::vector<double> spoilers{0.5, -1e-300, INFINITY, -INFINITY, 4503599627370496.0, -4503599627370496.0, 4503599627370495.0, -0.0};
    using dk = q::detail::dense_keys;
    const auto kernels = dk::scan_kernels();
    CHECK((kernels.back() == dk::best_scan_kernel()));
    std::size_t cases = 0;
    for (std::size_t n : std::vector<std::size_t>{0, 1, 3, 4, 7, 8, 9, 16, 31, 100}) {
        for (std::size_t s = 0; s <= spoilers.size(); ++s) {
            std::vector<double> v(n);
            for (auto& x : v) x = g.uniform01() < 0.2 ? NAN : static_cast<double>(g.bounded(1000)) - 500.0;
            if (s < spoilers.size() && n > 0) v[g.bounded(n)] = spoilers[s];
            double mn = INFINITY, mx = -INFINITY;
            bool integral = true;
            for (double x : v) {
                if (std::isnan(x)) continue;
                integral = integral && std::fabs(x) < 4503599627370496.0 && std::floor(x) == x;
                mn = std::min(mn, x);
                mx = std::max(mx, x);
            }
            for (auto kernel : kernels) {
                const auto r = kernel(v.data(), n);
                CHECK(r.integral == integral);
                CHECK(r.min == mn);  // -0.0 == 0.0: the sign of a zero bound never matters
                CHECK(r.max == mx);
                ++cases;
            }
        }
    }
    CHECK(cases >= 90);
}

TEST_CASE("in_set: dictionaries up to 32 values (code masks) and beyond (row loop) agree with a direct count") {
    // 5,000 rows over 8 or 40 categories with missing values; allowed: the even-numbered ones.
    for (std::size_t categories : {std::size_t{8}, std::size_t{32}, std::size_t{33}, std::size_t{40}}) {
        mldp::rng g{mldp::seed_sequence{categories}.derive("quality-in-set")};
        std::vector<std::optional<std::string>> v(5000);
        std::vector<std::string> allowed;
        for (std::size_t k = 0; k < categories; k += 2) allowed.push_back(fmt::format("c{}", k));
        std::size_t offending = 0, missing = 0;
        std::vector<std::size_t> rows;
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (g.uniform01() < 0.05) {
                ++missing;
                continue;
            }
            const auto k = static_cast<std::size_t>(g.bounded(categories));
            v[i] = fmt::format("c{}", k);
            if (k % 2 == 1) {
                ++offending;
                if (rows.size() < 20) rows.push_back(i);
            }
        }
        mldp::frame f;
        f.add("c", v);
        const auto r = q::validator().expect(q::in_set("c", allowed)).validate(f);
        const auto* found = first(r, "in_set");
        REQUIRE(found != nullptr);
        CHECK(found->count == offending);
        CHECK(found->rows == rows);
        CHECK(found->fraction_non_missing == doctest::Approx(static_cast<double>(offending) / static_cast<double>(v.size() - missing)));
        const auto fail = q::validator().expect(q::in_set("c", allowed).with_nulls(q::null_policy::fail)).validate(f);
        CHECK(fail.findings[0].count == offending + missing);
    }
}

TEST_CASE("unique: a missing cell and the double with the missing marker's bits are different keys") {
    // Missing cells hash a constant under a seed of their own: no value, not even the double whose
    // bits are that constant, hashes like a missing cell. Small chunks (hashed) and large (dense: the
    // value is not an integer, so hashed too) alike.
    double marker = 0.0;
    const std::uint64_t bits = 0x4d495353494e4721ULL;
    std::memcpy(&marker, &bits, sizeof marker);
    for (std::size_t n : {std::size_t{3}, std::size_t{5000}}) {
        std::vector<double> v(n);
        for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<double>(i) + 0.5;
        v[0] = NAN;
        v[1] = marker;
        mldp::frame f;
        f.add("v", v);
        const auto r = q::validator().expect(q::unique("v")).validate(f);
        CHECK(r.findings.empty());
    }
}

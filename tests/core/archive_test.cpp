#include "mldp/core/archive.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace {

std::vector<std::uint8_t> sample_buffer() {
    mldp::archive_writer w("TEST", 3);
    w.put_u8(7);
    w.put_u16(0xBEEF);
    w.put_u32(0xDEADBEEF);
    w.put_u64(0x0123456789ABCDEFULL);
    w.put_i64(-5);
    w.put_f64(-0.0);
    w.put_f64(std::numeric_limits<double>::infinity());
    w.put_string("hello");
    const double xs[] = {1.5, -2.25, 1e300};
    w.put_f64_array(xs, 3);
    const std::uint64_t us[] = {1, 2};
    w.put_u64_array(us, 2);
    return w.finish();
}

}  // namespace

TEST_CASE("archive round trip preserves every value bit for bit") {
    const auto buf = sample_buffer();
    mldp::archive_reader r(buf, "TEST", 1, 3);
    CHECK(r.version() == 3);
    CHECK(r.get_u8("a") == 7);
    CHECK(r.get_u16("b") == 0xBEEF);
    CHECK(r.get_u32("c") == 0xDEADBEEF);
    CHECK(r.get_u64("d") == 0x0123456789ABCDEFULL);
    CHECK(r.get_i64("e") == -5);
    const double z = r.get_f64("f");
    CHECK(z == 0.0);
    CHECK(std::signbit(z));
    CHECK(r.get_f64("g") == std::numeric_limits<double>::infinity());
    CHECK(r.get_string("h") == "hello");
    CHECK(r.get_f64_array("i") == std::vector<double>{1.5, -2.25, 1e300});
    CHECK(r.get_u64_array("j") == std::vector<std::uint64_t>{1, 2});
    CHECK(r.remaining() == 0);
    CHECK_NOTHROW(r.finish());
}

TEST_CASE("the header layout is little-endian and fixed") {
    mldp::archive_writer w("ABCD", 0x0102);
    w.put_u32(0x04030201);
    const auto b = w.finish();
    REQUIRE(b.size() == mldp::archive_header_size + 4);
    CHECK(std::string(b.begin(), b.begin() + 8) == "MLDPABCD");
    CHECK(b[8] == 0x02);
    CHECK(b[9] == 0x01);
    CHECK(b[12] == 4);
    for (int i = 13; i < 20; ++i) CHECK(b[static_cast<std::size_t>(i)] == 0);
    CHECK(b[28] == 0x01);
    CHECK(b[31] == 0x04);
    CHECK_THROWS_AS(mldp::archive_writer("TOOLONG", 1), mldp::invalid_argument);
}

TEST_CASE("every truncation of a buffer is a format_error") {
    const auto buf = sample_buffer();
    for (std::size_t n = 0; n < buf.size(); ++n) {
        CHECK_THROWS_AS(mldp::archive_reader(buf.data(), n, "TEST", 1, 3), mldp::format_error);
    }
    CHECK_THROWS_WITH_AS(mldp::archive_reader(buf.data(), 10, "TEST", 1, 3), doctest::Contains("shorter than the 28-byte header"),
                         mldp::format_error);
    CHECK_THROWS_AS(mldp::archive_reader(nullptr, 0, "TEST", 1, 3), mldp::format_error);
}

TEST_CASE("every single-bit flip of a buffer is a format_error") {
    const auto buf = sample_buffer();
    std::size_t caught = 0;
    for (std::size_t byte = 0; byte < buf.size(); ++byte) {
        for (int bit = 0; bit < 8; ++bit) {
            auto bad = buf;
            bad[byte] = static_cast<std::uint8_t>(bad[byte] ^ (1u << bit));
            try {
                mldp::archive_reader r(bad, "TEST", 3, 3);
                (void)r;
            } catch (const mldp::format_error&) {
                ++caught;
            }
        }
    }
    CHECK(caught == buf.size() * 8);
}

TEST_CASE("header errors say what is wrong") {
    auto buf = sample_buffer();
    CHECK_THROWS_WITH_AS(mldp::archive_reader(buf, "KLL1", 1, 1), "mldp: cannot deserialize 'KLL1': buffer holds type 'TEST', expected 'KLL1'",
                         mldp::format_error);
    CHECK_THROWS_WITH_AS(mldp::archive_reader(buf, "TEST", 4, 5),
                         doctest::Contains("format version 3 is not supported (this build reads 4..5)"), mldp::format_error);
    auto extended = buf;
    extended.push_back(0);
    CHECK_THROWS_WITH_AS(mldp::archive_reader(extended, "TEST", 1, 3), doctest::Contains("declares a payload of"),
                         mldp::format_error);
    auto bad_magic = buf;
    bad_magic[0] = 'X';
    CHECK_THROWS_WITH_AS(mldp::archive_reader(bad_magic, "TEST", 1, 3), doctest::Contains("bad magic"), mldp::format_error);
    auto bad_payload = buf;
    bad_payload.back() ^= 1;
    CHECK_THROWS_WITH_AS(mldp::archive_reader(bad_payload, "TEST", 1, 3), doctest::Contains("checksum mismatch"),
                         mldp::format_error);
}

TEST_CASE("reads past the payload and oversized counts are format_errors, before any allocation") {
    mldp::archive_writer w("TEST", 1);
    w.put_u64(~std::uint64_t{0});  // a count no buffer can satisfy
    const auto buf = w.finish();
    {
        mldp::archive_reader r(buf, "TEST", 1, 1);
        CHECK_THROWS_WITH_AS(r.get_f64_array("centroids"), doctest::Contains("centroids: needs"), mldp::format_error);
    }
    {
        mldp::archive_reader r(buf, "TEST", 1, 1);
        CHECK_THROWS_AS(r.get_string("name"), mldp::format_error);
    }
    {
        mldp::archive_reader r(buf, "TEST", 1, 1);
        r.get_u64("n");
        CHECK_THROWS_WITH_AS(r.get_u8("flag"), doctest::Contains("flag: needs 1 x 1 bytes but only 0 remain"), mldp::format_error);
    }
    {
        mldp::archive_writer w2("TEST", 1);
        const double xs[] = {1, 2, 3};
        w2.put_f64_array(xs, 3);
        const auto b2 = w2.finish();
        mldp::archive_reader r(b2, "TEST", 1, 1);
        CHECK_THROWS_WITH_AS(r.get_f64_array("items", 2), doctest::Contains("count 3 exceeds the limit 2"), mldp::format_error);
    }
    {
        mldp::archive_reader r(buf, "TEST", 1, 1);
        CHECK_THROWS_WITH_AS(r.finish(), doctest::Contains("8 unexpected trailing bytes"), mldp::format_error);
        CHECK_THROWS_WITH_AS(r.require(false, "k must be at least 8"), doctest::Contains("k must be at least 8"),
                             mldp::format_error);
    }
}

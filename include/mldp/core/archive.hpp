// mldp — the binary envelope every serializable state (sketches, detectors, monitors, profiles) uses.
//
// Layout, all integers little-endian:
//   offset  size  field
//        0     4  magic: "MLDP"
//        4     4  type tag: four ASCII bytes naming the serialized type ("KLL1", "ADWN", ...)
//        8     2  format version of that type
//       10     2  reserved, zero
//       12     8  payload size in bytes
//       20     8  XXH3-64 of the payload
//       28     n  payload
// archive_reader checks every header field and the checksum before any payload is parsed, and every
// read checks the bytes that remain, so truncated, corrupt or foreign input becomes a format_error
// naming what was wrong, never a crash or an oversized allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "mldp/core/error.hpp"
#include "mldp/core/hash.hpp"

namespace mldp {

/// Size of the envelope header in bytes.
inline constexpr std::size_t archive_header_size = 28;

/// Builds a serialized buffer: write the payload with the put_* calls, then finish() to obtain the
/// bytes with their header. Values are written little-endian; doubles as their IEEE-754 bits.
class archive_writer {
public:
    /// `type_tag` must be exactly four bytes; `version` is the format version of the serialized type.
    archive_writer(std::string_view type_tag, std::uint16_t version) : version_(version) {
        if (type_tag.size() != 4) {
            throw invalid_argument("mldp::archive_writer: the type tag must be 4 bytes, got '" + std::string(type_tag) + "'");
        }
        std::memcpy(tag_, type_tag.data(), 4);
    }

    void put_u8(std::uint8_t v) { payload_.push_back(v); }
    void put_u16(std::uint16_t v) { put_le(v); }
    void put_u32(std::uint32_t v) { put_le(v); }
    void put_u64(std::uint64_t v) { put_le(v); }
    void put_i64(std::int64_t v) { put_le(static_cast<std::uint64_t>(v)); }
    void put_f64(double v) {
        std::uint64_t bits;
        std::memcpy(&bits, &v, sizeof bits);
        put_le(bits);
    }
    /// A length (u64) followed by the bytes.
    void put_string(std::string_view s) {
        put_u64(s.size());
        payload_.insert(payload_.end(), s.begin(), s.end());
    }
    /// A count (u64) followed by the elements.
    void put_f64_array(const double* data, std::size_t n) {
        put_u64(n);
        for (std::size_t i = 0; i < n; ++i) put_f64(data[i]);
    }
    /// A counted byte string: a nested serialized buffer, say.
    void put_bytes(const std::vector<std::uint8_t>& bytes) {
        put_u64(bytes.size());
        payload_.insert(payload_.end(), bytes.begin(), bytes.end());
    }
    void put_u64_array(const std::uint64_t* data, std::size_t n) {
        put_u64(n);
        for (std::size_t i = 0; i < n; ++i) put_u64(data[i]);
    }

    /// Payload bytes written so far.
    std::size_t payload_size() const noexcept { return payload_.size(); }

    /// The complete buffer: header followed by the payload.
    std::vector<std::uint8_t> finish() const {
        std::vector<std::uint8_t> out(archive_header_size + payload_.size());
        std::memcpy(out.data(), "MLDP", 4);
        std::memcpy(out.data() + 4, tag_, 4);
        store(out.data() + 8, version_);
        store(out.data() + 10, std::uint16_t{0});
        store(out.data() + 12, static_cast<std::uint64_t>(payload_.size()));
        const std::uint64_t checksum =
            hash64(std::string_view(reinterpret_cast<const char*>(payload_.data()), payload_.size()));
        store(out.data() + 20, checksum);
        if (!payload_.empty()) std::memcpy(out.data() + archive_header_size, payload_.data(), payload_.size());
        return out;
    }

private:
    template <class U>
    static void store(std::uint8_t* p, U v) noexcept {
        for (std::size_t i = 0; i < sizeof(U); ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
    }
    template <class U>
    void put_le(U v) {
        for (std::size_t i = 0; i < sizeof(U); ++i) payload_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    }

    char tag_[4];
    std::uint16_t version_;
    std::vector<std::uint8_t> payload_;
};

/// Reads a buffer made by archive_writer. The constructor validates the header and the checksum; the
/// get_* calls read the payload in the order it was written and throw format_error on any overrun.
/// Call finish() at the end to reject trailing bytes.
class archive_reader {
public:
    /// Throws format_error when the buffer is shorter than the header, the magic or type tag differ,
    /// the version is not in [min_version, max_version], the reserved field is not zero, the payload
    /// size disagrees with the buffer, or the checksum does not match.
    archive_reader(const std::uint8_t* data, std::size_t size, std::string_view type_tag, std::uint16_t min_version,
                   std::uint16_t max_version)
        : tag_(type_tag) {
        if (data == nullptr && size != 0) fail("null buffer with a non-zero size");
        if (size < archive_header_size) {
            fail("buffer of " + std::to_string(size) + " bytes is shorter than the " +
                 std::to_string(archive_header_size) + "-byte header (truncated?)");
        }
        if (std::memcmp(data, "MLDP", 4) != 0) fail("bad magic: not an mldp serialized buffer");
        if (type_tag.size() != 4 || std::memcmp(data + 4, type_tag.data(), 4) != 0) {
            fail("buffer holds type '" + printable(data + 4, 4) + "', expected '" + std::string(type_tag) + "'");
        }
        version_ = load<std::uint16_t>(data + 8);
        if (version_ < min_version || version_ > max_version) {
            fail("format version " + std::to_string(version_) + " is not supported (this build reads " +
                 std::to_string(min_version) + ".." + std::to_string(max_version) + ")");
        }
        if (load<std::uint16_t>(data + 10) != 0) fail("reserved header field is not zero (possible corruption)");
        const std::uint64_t payload = load<std::uint64_t>(data + 12);
        if (payload != size - archive_header_size) {
            fail("header declares a payload of " + std::to_string(payload) + " bytes but the buffer holds " +
                 std::to_string(size - archive_header_size) + " (truncated or corrupt)");
        }
        const std::uint64_t checksum = load<std::uint64_t>(data + 20);
        data_ = data + archive_header_size;
        end_ = data_ + payload;
        const std::uint64_t actual =
            hash64(std::string_view(reinterpret_cast<const char*>(data_), static_cast<std::size_t>(payload)));
        if (checksum != actual) fail("checksum mismatch (possible corruption)");
    }
    archive_reader(const std::vector<std::uint8_t>& bytes, std::string_view type_tag, std::uint16_t min_version,
                   std::uint16_t max_version)
        : archive_reader(bytes.data(), bytes.size(), type_tag, min_version, max_version) {}

    /// Format version found in the header.
    std::uint16_t version() const noexcept { return version_; }
    /// Payload bytes not yet read.
    std::size_t remaining() const noexcept { return static_cast<std::size_t>(end_ - data_); }

    std::uint8_t get_u8(const char* what) { return take<std::uint8_t>(what); }
    std::uint16_t get_u16(const char* what) { return take<std::uint16_t>(what); }
    std::uint32_t get_u32(const char* what) { return take<std::uint32_t>(what); }
    std::uint64_t get_u64(const char* what) { return take<std::uint64_t>(what); }
    std::int64_t get_i64(const char* what) { return static_cast<std::int64_t>(take<std::uint64_t>(what)); }
    double get_f64(const char* what) {
        const std::uint64_t bits = take<std::uint64_t>(what);
        double v;
        std::memcpy(&v, &bits, sizeof v);
        return v;
    }
    std::string get_string(const char* what) {
        const std::uint64_t n = get_u64(what);
        need(n, 1, what);
        std::string s(reinterpret_cast<const char*>(data_), static_cast<std::size_t>(n));
        data_ += n;
        return s;
    }
    /// Reads a counted array of doubles; the count is checked against the remaining bytes (and against
    /// `max_count`) before anything is allocated.
    std::vector<double> get_f64_array(const char* what, std::uint64_t max_count = ~std::uint64_t{0}) {
        const std::uint64_t n = get_count(what, 8, max_count);
        std::vector<double> out(static_cast<std::size_t>(n));
        for (auto& v : out) v = get_f64(what);
        return out;
    }
    /// Reads a counted byte string (put_bytes); the count is checked against the remaining bytes first.
    std::vector<std::uint8_t> get_bytes(const char* what) {
        const std::uint64_t n = get_count(what, 1, ~std::uint64_t{0});
        std::vector<std::uint8_t> out(data_, data_ + n);
        data_ += n;
        return out;
    }
    std::vector<std::uint64_t> get_u64_array(const char* what, std::uint64_t max_count = ~std::uint64_t{0}) {
        const std::uint64_t n = get_count(what, 8, max_count);
        std::vector<std::uint64_t> out(static_cast<std::size_t>(n));
        for (auto& v : out) v = get_u64(what);
        return out;
    }

    /// Throws format_error naming `what` unless `ok`; for semantic checks of decoded fields.
    void require(bool ok, const std::string& what) const {
        if (!ok) fail(what);
    }
    /// Throws format_error when payload bytes remain unread.
    void finish() const {
        if (data_ != end_) fail(std::to_string(remaining()) + " unexpected trailing bytes after the payload");
    }

private:
    [[noreturn]] void fail(const std::string& what) const {
        throw format_error("mldp: cannot deserialize " + (tag_.empty() ? std::string("buffer") : "'" + tag_ + "'") + ": " + what);
    }
    static std::string printable(const std::uint8_t* p, std::size_t n) {
        std::string s;
        for (std::size_t i = 0; i < n; ++i) s += (p[i] >= 0x20 && p[i] < 0x7f) ? static_cast<char>(p[i]) : '?';
        return s;
    }
    template <class U>
    static U load(const std::uint8_t* p) noexcept {
        U v = 0;
        for (std::size_t i = 0; i < sizeof(U); ++i) v = static_cast<U>(v | (static_cast<U>(p[i]) << (8 * i)));
        return v;
    }
    void need(std::uint64_t count, std::uint64_t width, const char* what) const {
        if (count > remaining() / width) {
            fail(std::string(what) + ": needs " + std::to_string(count) + " x " + std::to_string(width) +
                 " bytes but only " + std::to_string(remaining()) + " remain (truncated or corrupt)");
        }
    }
    std::uint64_t get_count(const char* what, std::uint64_t width, std::uint64_t max_count) {
        const std::uint64_t n = get_u64(what);
        if (n > max_count) {
            fail(std::string(what) + ": count " + std::to_string(n) + " exceeds the limit " + std::to_string(max_count));
        }
        need(n, width, what);
        return n;
    }
    template <class U>
    U take(const char* what) {
        need(1, sizeof(U), what);
        const U v = load<U>(data_);
        data_ += sizeof(U);
        return v;
    }

    std::string tag_;
    const std::uint8_t* data_ = nullptr;
    const std::uint8_t* end_ = nullptr;
    std::uint16_t version_ = 0;
};

}  // namespace mldp

#include "mldp/sketch/frequent_items.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "mldp/core/random.hpp"

using mldp::sketch::frequent_items;

namespace {

// A Zipf-like stream: item i with weight proportional to 1 / (i + 1), 2000 distinct items.
std::vector<std::int64_t> zipf_stream(std::size_t n, std::uint64_t seed) {
    std::vector<double> cum;
    double total = 0;
    for (int i = 0; i < 2000; ++i) cum.push_back(total += 1.0 / (i + 1));
    mldp::rng g(seed);
    std::vector<std::int64_t> out;
    for (std::size_t k = 0; k < n; ++k) {
        const double u = g.uniform01() * total;
        out.push_back(static_cast<std::int64_t>(std::lower_bound(cum.begin(), cum.end(), u) - cum.begin()));
    }
    return out;
}

}  // namespace

TEST_CASE("frequent_items: exact below capacity, bounded error above it") {
    frequent_items<std::string> small(10);
    for (const char* s : {"a", "b", "a", "c", "a", "b"}) small.update(s);
    CHECK(small.exact());
    CHECK(small.lower_bound("a") == 3);
    CHECK(small.upper_bound("b") == 2);
    CHECK(small.lower_bound("zzz") == 0);
    const auto top = small.items_above();
    REQUIRE(top.size() == 3);
    CHECK(top[0].item == "a");
    CHECK(top[2].item == "c");

    const auto xs = zipf_stream(200000, 3);
    std::map<std::int64_t, std::uint64_t> truth;
    for (auto x : xs) ++truth[x];
    frequent_items<std::int64_t> f(64);
    for (auto x : xs) f.update(x);
    CHECK(f.n() == xs.size());
    CHECK(f.retained() <= 64);
    CHECK(f.max_error() <= xs.size() / 65);
    for (const auto& [item, count] : truth) {
        REQUIRE(f.lower_bound(item) <= count);
        REQUIRE(f.upper_bound(item) >= count);
        if (count > xs.size() / 65) REQUIRE(f.lower_bound(item) > 0);  // heavy hitters are kept
    }
    for (const auto& e : f.items_above(f.max_error())) CHECK(truth[e.item] > f.max_error());  // no false positives
}

TEST_CASE("frequent_items: merged summaries keep the bounds; weights; serialization") {
    const auto xs = zipf_stream(100000, 5);
    std::map<std::int64_t, std::uint64_t> truth;
    frequent_items<std::int64_t> parts[4] = {frequent_items<std::int64_t>(50), frequent_items<std::int64_t>(50),
                                             frequent_items<std::int64_t>(50), frequent_items<std::int64_t>(50)};
    for (std::size_t i = 0; i < xs.size(); ++i) {
        ++truth[xs[i]];
        parts[i % 4].update(xs[i]);
    }
    frequent_items<std::int64_t> m = parts[0];
    for (int p = 1; p < 4; ++p) m.merge(parts[p]);
    CHECK(m.n() == xs.size());
    CHECK(m.retained() <= 50);
    CHECK(m.max_error() <= xs.size() / 51);
    for (const auto& [item, count] : truth) {
        REQUIRE(m.lower_bound(item) <= count);
        REQUIRE(m.upper_bound(item) >= count);
    }
    frequent_items<std::int64_t> w(4);
    w.update(7, 100);
    w.update(8, 3);
    CHECK(w.lower_bound(7) == 100);

    const auto bytes = m.serialize();
    const auto r = frequent_items<std::int64_t>::deserialize(bytes);
    CHECK(r.serialize() == bytes);
    CHECK(r.max_error() == m.max_error());
    for (std::size_t len = 0; len < bytes.size(); len += 7) {
        CHECK_THROWS_AS(frequent_items<std::int64_t>::deserialize(bytes.data(), len), mldp::format_error);
    }
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        auto bad = bytes;
        bad[i] ^= 0x10;
        CHECK_THROWS_AS(frequent_items<std::int64_t>::deserialize(bad), mldp::format_error);
    }
    CHECK_THROWS_AS(frequent_items<std::string>::deserialize(bytes), mldp::format_error);
    mldp::archive_writer wr("FRQ1", 1);  // valid envelope, counters above n
    wr.put_u8(1);
    wr.put_u64(4);
    wr.put_u64(5);
    wr.put_u64(0);
    wr.put_u64(1);
    wr.put_i64(3);
    wr.put_u64(6);
    CHECK_THROWS_AS(frequent_items<std::int64_t>::deserialize(wr.finish()), mldp::format_error);
    CHECK_THROWS_AS(frequent_items<int>(0), mldp::invalid_argument);
}

#include "mldp/sketch/moments.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "../stats/close.hpp"
#include "../stats/recipe.hpp"

using mldp::sketch::moments;

// numpy 1.24 on the recipe sample sum4(n = 5000, seed 11, scale 2, shift 3):
// np.mean, np.var(ddof=1), np.var(ddof=0), min, max.
TEST_CASE("moments agree with numpy") {
    const auto x = oracle::make({"sum4", 5000, 11, 2.0, 3.0});
    moments m;
    for (double v : x) m.update(v);
    CHECK(m.count() == 5000);
    CHECK_CLOSE(m.mean(), 2.9976724391300427, 1e-13);
    CHECK_CLOSE(m.variance(), 1.321180681121965, 1e-12);
    CHECK_CLOSE(m.variance(0), 1.3209164449857407, 1e-12);
    CHECK(m.minimum() == -0.5152598598146216);
    CHECK(m.maximum() == 6.536823572286975);
}

TEST_CASE("moments merge equals one stream, and counts NaN and infinities apart") {
    const auto x = oracle::make({"heavy", 3001, 5, 1.0, 0.0});
    moments all, a, b, c;
    for (std::size_t i = 0; i < x.size(); ++i) {
        all.update(x[i]);
        (i < 1000 ? a : i < 2000 ? b : c).update(x[i]);
    }
    moments ab = a;
    ab.merge(b);
    ab.merge(c);
    moments bc = b;
    bc.merge(c);
    moments a_bc = a;
    a_bc.merge(bc);
    for (const auto* m : {&ab, &a_bc}) {
        CHECK(m->count() == all.count());
        CHECK_CLOSE(m->mean(), all.mean(), 1e-12);
        CHECK_CLOSE(m->variance(), all.variance(), 1e-12);
        CHECK(m->minimum() == all.minimum());
        CHECK(m->maximum() == all.maximum());
    }
    moments empty;
    moments copy = all;
    copy.merge(empty);
    CHECK(copy == all);
    empty.merge(all);
    CHECK(empty == all);

    moments s;
    const double inf = std::numeric_limits<double>::infinity();
    for (double v : {1.0, std::nan(""), 3.0, inf, -inf, inf}) s.update(v);
    CHECK(s.count() == 2);
    CHECK(s.nan_count() == 1);
    CHECK(s.positive_infinity_count() == 2);
    CHECK(s.negative_infinity_count() == 1);
    CHECK(s.total_count() == 6);
    CHECK(s.mean() == 2.0);
    CHECK(std::isnan(moments{}.mean()));
    CHECK(std::isnan(s.variance(2)));
}

TEST_CASE("moments serialization round trip and corrupt bytes") {
    moments m;
    for (double v : oracle::make({"uniform", 100, 3, 1.0, 0.0})) m.update(v);
    m.update(std::nan(""));
    const auto bytes = m.serialize();
    CHECK(moments::deserialize(bytes) == m);
    CHECK(moments::deserialize(moments{}.serialize()) == moments{});
    for (std::size_t len = 0; len < bytes.size(); ++len) {
        CHECK_THROWS_AS(moments::deserialize(bytes.data(), len), mldp::format_error);
    }
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        for (int bit = 0; bit < 8; ++bit) {
            auto bad = bytes;
            bad[i] = static_cast<std::uint8_t>(bad[i] ^ (1u << bit));
            CHECK_THROWS_AS(moments::deserialize(bad), mldp::format_error);
        }
    }
    // Consistent checksum, inconsistent content: negative M2.
    mldp::archive_writer w("MOM1", 1);
    for (int i = 0; i < 4; ++i) w.put_u64(i == 0 ? 3 : 0);
    w.put_f64(1.0);
    w.put_f64(-1.0);
    w.put_f64(0.0);
    w.put_f64(2.0);
    CHECK_THROWS_AS(moments::deserialize(w.finish()), mldp::format_error);
}

// A program a user of mldp would write: it links mldp::mldp and checks a few frozen outputs.
#include <mldp/mldp.hpp>

#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <vector>

int main() {
    int failures = 0;
    auto check = [&](bool ok, const char* what) {
        if (!ok) {
            fmt::print(stderr, "consumer: FAILED {}\n", what);
            ++failures;
        }
    };
    check(mldp::hash64("") == 0x2D06800538D394C2ULL, "XXH3 of the empty string");
    check(static_cast<std::int64_t>(mldp::farm_fingerprint64("1footrue")) == -1541654101129638711LL,
          "BigQuery FARM_FINGERPRINT vector");

    mldp::frame f;
    f.add("x", std::vector<double>{1, 2, 3}).add("c", std::vector<std::string>{"a", "b", "a"});
    check(f.rows() == 3 && f.categorical("c").dictionary().size() == 2, "frame");

    mldp::rng g{mldp::seed_sequence{1}.derive("consumer")};
    check(g.bounded(10) < 10, "rng");
    fmt::print("mldp {} consumer: {}\n", mldp::version_string, failures == 0 ? "ok" : "FAILED");
    return failures == 0 ? 0 : 1;
}

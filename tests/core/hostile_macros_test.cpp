// Every public header must compile where windows.h-style min/max macros are defined and where the user
// included xxhash.h in its ordinary (library) mode first. Standard and third-party headers are
// included before the macros, as they would be in such a program; mldp's own code must cope.
#include <algorithm>
#include <numeric>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <deque>
#include <iterator>
#include <limits>
#include <list>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <valarray>
#include <variant>
#include <vector>

#include <charconv>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <xxhash.h>

#include <xtensor/xadapt.hpp>
#include <xtensor/xcontainer.hpp>
#include <xtensor/xexpression.hpp>
#include <xtensor/xnoalias.hpp>
#include <xtensor/xtensor.hpp>

#include <doctest/doctest.h>

#define min(a, b) HOSTILE_MIN_MACRO
#define max(a, b) HOSTILE_MAX_MACRO

#include "mldp/mldp.hpp"

TEST_CASE("the umbrella header works under hostile macros and after a plain xxhash.h") {
    CHECK(mldp::hash64("") == 0x2D06800538D394C2ULL);
    mldp::rng g{1};
    CHECK(g.bounded(10) < 10);
    CHECK(static_cast<std::int64_t>(mldp::farm_fingerprint64("3true")) == -4880158226897771312LL);
}

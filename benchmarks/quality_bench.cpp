// Quality-layer benchmarks.
//
// BM_validator_ten_checks: the shape of benchmarks/peers/quality_peer.py (10^6 rows x 20 columns: 15
// N(0,1) columns with 1% NaN, an id column with repeats, 4 categorical columns of 5 values with 0.1%
// typos) and the same ten checks: not_null on c0..c2, in_range [-4, 4] on c3..c6, in_set on k0 and
// k1, unique on id. Cells/s counts rows x 20 columns. peak_bytes is the largest heap in use during a
// validation beyond the frame itself (a counting operator new), which shows that the frame is not
// copied. Arguments: the validator's thread count (1: single-threaded; 2: the checks shared out over
// two threads, the same report), and hashed_ids (1: ids that are not integers, see wide_frame).
// BM_no_duplicate_rows: py_peers' `duplicates` shape, 10^6 x 8 doubles with 1% repeated rows.
//
//   build/release/benchmarks/mldp_quality_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "mldp/core/random.hpp"
#include "mldp/quality/checks.hpp"
#include "mldp/quality/validator.hpp"

namespace {
std::atomic<std::int64_t> live{0}, peak{0};
void note(std::int64_t d) {
    const auto now = live.fetch_add(d) + d;
    auto p = peak.load();
    while (now > p && !peak.compare_exchange_weak(p, now)) {
    }
}
}  // namespace

// Every form of new and delete is replaced (malloc / free with a size header), to track the bytes in use.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
static void* counted(std::size_t n) noexcept {
    auto* p = static_cast<std::size_t*>(std::malloc(n + 16));
    if (p == nullptr) return nullptr;
    p[0] = n;
    note(static_cast<std::int64_t>(n));
    return reinterpret_cast<char*>(p) + 16;
}
static void release(void* q) noexcept {
    if (q == nullptr) return;
    auto* p = reinterpret_cast<std::size_t*>(static_cast<char*>(q) - 16);
    note(-static_cast<std::int64_t>(p[0]));
    std::free(p);
}
void* operator new(std::size_t n) {
    if (void* p = counted(n)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
    if (void* p = counted(n)) return p;
    throw std::bad_alloc();
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return counted(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return counted(n); }
void operator delete(void* p) noexcept { release(p); }
void operator delete[](void* p) noexcept { release(p); }
void operator delete(void* p, std::size_t) noexcept { release(p); }
void operator delete[](void* p, std::size_t) noexcept { release(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { release(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { release(p); }

namespace {

// hashed_ids: the id column plus 0.5 (the same repeats, but not integers), so that unique takes the
// hashed key table instead of indexing the integer ids by value.
const mldp::frame& wide_frame(bool hashed_ids = false) {
    static mldp::frame frames[2];
    mldp::frame& f = frames[hashed_ids ? 1 : 0];
    if (f.rows() == 0) {
        const std::size_t n = 1000000;
        mldp::rng g{mldp::seed_sequence{42}.derive("bench-quality")};
        for (int c = 0; c < 15; ++c) {
            std::vector<double> v(n);
            for (auto& x : v) x = g.uniform01() < 0.01 ? NAN : g.normal();
            f.add("c" + std::to_string(c), std::move(v));
        }
        std::vector<double> id(n);
        for (auto& x : id) x = static_cast<double>(g.bounded(1200000)) + (hashed_ids ? 0.5 : 0.0);
        f.add("id", std::move(id));
        const std::vector<std::string> cats{"north", "south", "east", "west", "centre", "nrth"};
        for (int k = 0; k < 4; ++k) {
            std::vector<std::string> v(n);
            for (auto& s : v) s = cats[g.uniform01() < 0.001 ? 5 : g.bounded(5)];
            f.add("k" + std::to_string(k), v);
        }
    }
    return f;
}

void BM_validator_ten_checks(benchmark::State& state) {
    const auto& f = wide_frame(state.range(1) != 0);
    namespace q = mldp::quality;
    q::validator v;
    for (const char* c : {"c0", "c1", "c2"}) v.expect(q::not_null(c));
    for (const char* c : {"c3", "c4", "c5", "c6"}) v.expect(q::in_range(c, -4, 4));
    for (const char* c : {"k0", "k1"}) v.expect(q::in_set(c, {"north", "south", "east", "west", "centre"}));
    v.expect(q::unique("id"));
    v.threads(static_cast<std::size_t>(state.range(0)));
    std::int64_t worst = 0;
    for (auto _ : state) {
        const auto base = live.load();
        peak.store(base);
        auto r = v.validate(f);
        benchmark::DoNotOptimize(r.findings.data());
        worst = (std::max)(worst, peak.load() - base);
    }
    state.counters["peak_bytes"] = static_cast<double>(worst);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(f.rows() * 20));
}
BENCHMARK(BM_validator_ten_checks)
    ->ArgNames({"threads", "hashed_ids"})
    ->Args({1, 0})
    ->Args({2, 0})
    ->Args({1, 1})
    ->Args({2, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

const mldp::frame& dup_frame() {
    static mldp::frame f;
    if (f.rows() == 0) {
        const std::size_t n = 1000000, m = n / 100;
        mldp::rng g{mldp::seed_sequence{42}.derive("bench-duplicates")};
        std::vector<std::vector<double>> cols(8, std::vector<double>(n));
        for (std::size_t i = 0; i < n - m; ++i) {
            for (auto& c : cols) c[i] = g.normal();
        }
        for (std::size_t i = n - m; i < n; ++i) {
            const std::size_t src = g.bounded(n - m);
            for (auto& c : cols) c[i] = c[src];
        }
        for (int c = 0; c < 8; ++c) f.add("c" + std::to_string(c), std::move(cols[static_cast<std::size_t>(c)]));
    }
    return f;
}

void BM_no_duplicate_rows(benchmark::State& state) {
    const auto& f = dup_frame();
    mldp::quality::validator v;
    v.expect(mldp::quality::no_duplicate_rows());
    for (auto _ : state) {
        auto r = v.validate(f);
        benchmark::DoNotOptimize(r.findings.data());
    }
}
BENCHMARK(BM_no_duplicate_rows)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();

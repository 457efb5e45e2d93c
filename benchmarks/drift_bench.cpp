// Drift-layer benchmarks: sketches now (KLL update and merge, moments), detectors and the monitor as
// they land. Inputs are generated once from fixed seeds, outside the timed loops.
//
//   build/release/benchmarks/mldp_drift_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "mldp/mldp.hpp"

namespace {

const std::vector<double>& normals(std::size_t n) {
    static std::vector<double> v;
    if (v.size() != n) {
        mldp::rng g{mldp::seed_sequence{42}.derive("bench-drift-normals")};
        v.resize(n);
        for (auto& x : v) x = g.normal();
    }
    return v;
}

void set_items(benchmark::State& state, std::size_t n) {
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(n));
}

// Amortised cost per item of kll_sketch<double>::update at k = 200 (a fresh sketch per 10^6 values).
void BM_kll_update(benchmark::State& state) {
    const auto& x = normals(1000000);
    for (auto _ : state) {
        mldp::sketch::kll_sketch<double> s(200, 1);
        for (double v : x) s.update(v);
        benchmark::DoNotOptimize(s.retained());
    }
    set_items(state, x.size());
}
BENCHMARK(BM_kll_update)->Unit(benchmark::kMillisecond);

// Merging two k = 200 sketches of 10^6 values each (the merge only; the copy it merges into is made
// outside the timing).
void BM_kll_merge(benchmark::State& state) {
    const auto& x = normals(1000000);
    mldp::sketch::kll_sketch<double> a(200, 1), b(200, 2);
    for (double v : x) {
        a.update(v);
        b.update(-v);
    }
    for (auto _ : state) {
        state.PauseTiming();
        auto c = a;
        state.ResumeTiming();
        c.merge(b);
        benchmark::DoNotOptimize(c.retained());
    }
}
BENCHMARK(BM_kll_merge)->Unit(benchmark::kMicrosecond);

void BM_kll_quantile(benchmark::State& state) {
    const auto& x = normals(1000000);
    mldp::sketch::kll_sketch<double> a(200, 1);
    for (double v : x) a.update(v);
    for (auto _ : state) benchmark::DoNotOptimize(a.quantile(0.9));
}
BENCHMARK(BM_kll_quantile)->Unit(benchmark::kMicrosecond);

void BM_moments_update(benchmark::State& state) {
    const auto& x = normals(1000000);
    for (auto _ : state) {
        mldp::sketch::moments m;
        for (double v : x) m.update(v);
        benchmark::DoNotOptimize(m.mean());
    }
    set_items(state, x.size());
}
BENCHMARK(BM_moments_update)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();

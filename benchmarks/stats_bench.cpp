// Statistics layer benchmarks, at the shapes of ../shared/peers/py_peers.py (two N(0, 1) samples, the
// second shifted by 0.05; reference-quantile binning for PSI and Jensen-Shannon; a 2 x 20 table from
// 20 categories for chi-square). Inputs are generated once from fixed seeds, outside the timed loops.
// std::sort of the same data is measured alongside: it is the floor for the rank-based tests.
//
//   build/release/benchmarks/mldp_stats_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "mldp/mldp.hpp"

namespace {

struct two_samples {
    std::vector<double> x, y;
};

const two_samples& normals(std::size_t n) {
    static std::size_t cached_n = 0;
    static two_samples s;
    if (cached_n != n) {
        mldp::rng g{mldp::seed_sequence{42}.derive("bench-two-normals")};
        s.x.resize(n);
        s.y.resize(n);
        for (auto& v : s.x) v = g.normal();
        for (auto& v : s.y) v = g.normal() + 0.05;
        cached_n = n;
    }
    return s;
}

void set_items(benchmark::State& state, std::size_t n) {
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(n));
}

void BM_ks_2samp(benchmark::State& state) {
    const auto& s = normals(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) benchmark::DoNotOptimize(mldp::stats::ks_2samp(s.x, s.y));
    set_items(state, s.x.size());
}
BENCHMARK(BM_ks_2samp)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMillisecond);

// A 10^5-row batch against a 10^6-row reference sorted once (the drift-monitor pattern).
void BM_ks_2samp_sorted_reference(benchmark::State& state) {
    const auto& s = normals(1000000);
    const mldp::stats::sorted_reference ref(s.x);
    const std::vector<double> batch(s.y.begin(), s.y.begin() + state.range(0));
    for (auto _ : state) benchmark::DoNotOptimize(mldp::stats::ks_2samp(ref, batch));
    set_items(state, batch.size());
}
BENCHMARK(BM_ks_2samp_sorted_reference)->Arg(100000)->Unit(benchmark::kMillisecond);

void BM_anderson_ksamp(benchmark::State& state) {
    const auto& s = normals(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) benchmark::DoNotOptimize(mldp::stats::anderson_ksamp(s.x, s.y));
    set_items(state, s.x.size());
}
BENCHMARK(BM_anderson_ksamp)->Arg(1000000)->Unit(benchmark::kMillisecond);

void BM_cramer_von_mises_2samp(benchmark::State& state) {
    const auto& s = normals(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) benchmark::DoNotOptimize(mldp::stats::cramer_von_mises_2samp(s.x, s.y));
    set_items(state, s.x.size());
}
BENCHMARK(BM_cramer_von_mises_2samp)->Arg(1000000)->Unit(benchmark::kMillisecond);

void BM_wasserstein_distance(benchmark::State& state) {
    const auto& s = normals(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) benchmark::DoNotOptimize(mldp::stats::wasserstein_distance(s.x, s.y));
    set_items(state, s.x.size());
}
BENCHMARK(BM_wasserstein_distance)->Arg(1000000)->Unit(benchmark::kMillisecond);

void BM_energy_distance(benchmark::State& state) {
    const auto& s = normals(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) benchmark::DoNotOptimize(mldp::stats::energy_distance(s.x, s.y));
    set_items(state, s.x.size());
}
BENCHMARK(BM_energy_distance)->Arg(1000000)->Unit(benchmark::kMillisecond);

void BM_psi(benchmark::State& state) {
    const auto& s = normals(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) benchmark::DoNotOptimize(mldp::stats::psi(s.x, s.y).psi);
    set_items(state, s.x.size());
}
BENCHMARK(BM_psi)->Arg(1000000)->Unit(benchmark::kMillisecond);

// The py_peers recipe: 10 reference-quantile bins, counts of both samples, then Jensen-Shannon.
void BM_jensen_shannon_binned(benchmark::State& state) {
    const auto& s = normals(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) {
        const auto binned = mldp::stats::psi(s.x, s.y);  // the same binning; shares are counts / n
        benchmark::DoNotOptimize(mldp::stats::jensen_shannon_distance(binned.reference_share, binned.current_share));
    }
    set_items(state, s.x.size());
}
BENCHMARK(BM_jensen_shannon_binned)->Arg(1000000)->Unit(benchmark::kMillisecond);

void BM_chi2_contingency_2x20(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    std::vector<std::uint32_t> ref(n), cur(n);
    mldp::rng g{mldp::seed_sequence{42}.derive("bench-chi2")};
    for (auto& v : ref) v = static_cast<std::uint32_t>(g.bounded(20));
    for (auto& v : cur) v = static_cast<std::uint32_t>(g.bounded(20));
    for (auto _ : state) {
        xt::xtensor<double, 2> table = xt::zeros<double>({std::size_t{2}, std::size_t{20}});
        for (auto v : ref) table(0, v) += 1.0;
        for (auto v : cur) table(1, v) += 1.0;
        benchmark::DoNotOptimize(mldp::stats::chi2_contingency(table).p_value);
    }
    set_items(state, n);
}
BENCHMARK(BM_chi2_contingency_2x20)->Arg(1000000)->Unit(benchmark::kMillisecond);

// The floor for the rank tests: sorting both samples.
void BM_std_sort_two_samples(benchmark::State& state) {
    const auto& s = normals(static_cast<std::size_t>(state.range(0)));
    std::vector<double> a, b;
    for (auto _ : state) {
        a = s.x;
        b = s.y;
        std::sort(a.begin(), a.end());
        std::sort(b.begin(), b.end());
        benchmark::DoNotOptimize(a.data());
        benchmark::DoNotOptimize(b.data());
    }
    set_items(state, s.x.size());
}
BENCHMARK(BM_std_sort_two_samples)->Arg(1000000)->Unit(benchmark::kMillisecond);

// mldp's radix sort of the same data (what the tests above use).
void BM_sort_doubles_two_samples(benchmark::State& state) {
    const auto& s = normals(static_cast<std::size_t>(state.range(0)));
    std::vector<double> a, b;
    for (auto _ : state) {
        a = s.x;
        b = s.y;
        mldp::sort_doubles(a);
        mldp::sort_doubles(b);
        benchmark::DoNotOptimize(a.data());
        benchmark::DoNotOptimize(b.data());
    }
    set_items(state, s.x.size());
}
BENCHMARK(BM_sort_doubles_two_samples)->Arg(1000000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();

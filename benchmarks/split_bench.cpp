// Splitter benchmarks, at the shapes of ../shared/peers/py_peers.py: 10 imbalanced classes (class k
// with probability (k + 1) / 55) for the stratified cases, ~n/10 uniform groups for group_split,
// 80/20 splits. Hashing the same int64 keys with XXH3 alone is measured alongside hash_split: it is
// the floor. Inputs are generated once from fixed seeds, outside the timed loops.
//
//   build/release/benchmarks/mldp_split_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <cstdint>
#include <map>
#include <vector>

#include "mldp/mldp.hpp"

namespace {

const std::vector<std::int64_t>& imbalanced_labels(std::size_t n) {
    static std::map<std::size_t, std::vector<std::int64_t>> cache;
    auto& v = cache[n];
    if (v.size() != n) {
        mldp::rng g{mldp::seed_sequence{42}.derive("bench-labels")};
        v.resize(n);
        for (auto& x : v) {
            // Class k with probability (k + 1) / 55: invert the cumulative counts 1, 3, 6, ..., 55.
            const auto u = static_cast<std::int64_t>(g.bounded(55));
            std::int64_t k = 0, cum = 1;
            while (u >= cum) cum += ++k + 1;
            x = k;
        }
    }
    return v;
}

const std::vector<std::int64_t>& uniform_ints(std::size_t n, std::uint64_t range, const char* name) {
    static std::map<std::pair<std::size_t, std::string>, std::vector<std::int64_t>> cache;
    auto& v = cache[{n, name}];
    if (v.size() != n) {
        mldp::rng g{mldp::seed_sequence{42}.derive(name)};
        v.resize(n);
        for (auto& x : v) x = static_cast<std::int64_t>(g.bounded(range));
    }
    return v;
}

void set_items(benchmark::State& state, std::size_t n) {
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(n));
}

const mldp::split::fractions eighty_twenty{0.8, 0.0, 0.2};

void BM_random_split(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    for (auto _ : state) benchmark::DoNotOptimize(mldp::split::random_split(n, eighty_twenty, 42));
    set_items(state, n);
}
BENCHMARK(BM_random_split)->Arg(1000000)->Arg(10000000)->Unit(benchmark::kMillisecond);

void BM_stratified_split(benchmark::State& state) {
    const auto& labels = imbalanced_labels(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) benchmark::DoNotOptimize(mldp::split::stratified_split(labels, eighty_twenty, 42));
    set_items(state, labels.size());
}
BENCHMARK(BM_stratified_split)->Arg(1000000)->Arg(10000000)->Unit(benchmark::kMillisecond);

void BM_stratified_split_3way(benchmark::State& state) {
    const auto& labels = imbalanced_labels(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) benchmark::DoNotOptimize(mldp::split::stratified_split(labels, {0.8, 0.1, 0.1}, 42));
    set_items(state, labels.size());
}
BENCHMARK(BM_stratified_split_3way)->Arg(1000000)->Unit(benchmark::kMillisecond);

void BM_hash_split_int64(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const auto& keys = uniform_ints(n, std::uint64_t{1} << 62, "bench-keys");
    for (auto _ : state) benchmark::DoNotOptimize(mldp::split::hash_split(keys, eighty_twenty));
    set_items(state, n);
}
BENCHMARK(BM_hash_split_int64)->Arg(10000000)->Unit(benchmark::kMillisecond);

// The floor for hash_split: XXH3-64 of the same keys (8 little-endian bytes each). hash_split returns
// fresh index vectors, so the floor writes its hashes to a fresh vector too, allocated as mldp
// allocates large outputs (huge-page advice); the reused-buffer variant is shown alongside.
void BM_xxh3_int64_keys(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const auto& keys = uniform_ints(n, std::uint64_t{1} << 62, "bench-keys");
    for (auto _ : state) {
        std::vector<std::uint64_t> out;
        mldp::detail::reserve_large(out, n);
        for (std::size_t i = 0; i < n; ++i) out.push_back(mldp::hash_value(keys[i]));
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    set_items(state, n);
}
BENCHMARK(BM_xxh3_int64_keys)->Arg(10000000)->Unit(benchmark::kMillisecond);

void BM_xxh3_int64_keys_reused_buffer(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const auto& keys = uniform_ints(n, std::uint64_t{1} << 62, "bench-keys");
    std::vector<std::uint64_t> out(n);
    for (auto _ : state) {
        for (std::size_t i = 0; i < n; ++i) out[i] = mldp::hash_value(keys[i]);
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    set_items(state, n);
}
BENCHMARK(BM_xxh3_int64_keys_reused_buffer)->Arg(10000000)->Unit(benchmark::kMillisecond);

void BM_hash_split_farm_fingerprint(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const auto& keys = uniform_ints(n, std::uint64_t{1} << 62, "bench-keys");
    const mldp::split::hash_options o{mldp::split::hash_kind::farm_fingerprint, 10, ""};
    for (auto _ : state) benchmark::DoNotOptimize(mldp::split::hash_split(keys, eighty_twenty, o));
    set_items(state, n);
}
BENCHMARK(BM_hash_split_farm_fingerprint)->Arg(10000000)->Unit(benchmark::kMillisecond);

// GroupShuffleSplit's unit: 20% of the groups to test.
void BM_group_split(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const auto& groups = uniform_ints(n, n / 10, "bench-groups");
    const mldp::split::group_options by_groups{mldp::split::group_unit::groups};
    for (auto _ : state) benchmark::DoNotOptimize(mldp::split::group_split(groups, eighty_twenty, 42, by_groups));
    set_items(state, n);
}
BENCHMARK(BM_group_split)->Arg(1000000)->Arg(10000000)->Unit(benchmark::kMillisecond);

// StratifiedKFold(5, shuffle=True) with every (train, test) pair materialised.
void BM_stratified_k_fold_shuffled(benchmark::State& state) {
    const auto& labels = imbalanced_labels(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) benchmark::DoNotOptimize(mldp::split::stratified_k_fold(labels, 5, 42));
    set_items(state, labels.size());
}
BENCHMARK(BM_stratified_k_fold_shuffled)->Arg(1000000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();

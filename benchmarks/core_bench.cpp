// Core layer benchmarks: hashing against libxxhash and libfarmhash called directly in the same run,
// the generator, and summation. Inputs are generated once, from fixed seeds, outside the timed loops.
//
//   build/release/benchmarks/mldp_core_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#ifdef MLDP_BENCH_PEERS
// Library mode first: XXH3_64bits below is libxxhash.so's exported function. The pointer is taken
// before mldp's header re-includes xxhash.h in header-only mode (which renames the inline copies).
#include <farmhash.h>
#include <xxhash.h>
namespace peer {
XXH64_hash_t (*const libxxhash_xxh3_64)(const void*, size_t) = &XXH3_64bits;
}  // namespace peer
#endif

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstring>
#include <numeric>
#include <string>
#include <string_view>
#include <vector>

#include "mldp/mldp.hpp"

namespace {

constexpr std::size_t batch = 4096;  // keys per iteration: fits in L1/L2, so hashing is measured, not memory

// `count` random records of `width` bytes, laid out back to back.
const std::string& records(std::size_t width) {
    static std::string r8, r64;
    std::string& r = width == 8 ? r8 : r64;
    if (r.empty()) {
        mldp::rng g{mldp::seed_sequence{1}.derive("bench-records")};
        r.resize(batch * width);
        for (std::size_t i = 0; i < r.size(); i += 8) {
            const std::uint64_t v = g.next_u64();
            std::memcpy(&r[i], &v, 8);
        }
    }
    return r;
}

template <class Hash>
void hash_records(benchmark::State& state, Hash hash) {
    const auto width = static_cast<std::size_t>(state.range(0));
    const std::string& r = records(width);
    for (auto _ : state) {
        std::uint64_t acc = 0;
        for (std::size_t i = 0; i < batch; ++i) acc ^= hash(r.data() + i * width, width);
        benchmark::DoNotOptimize(acc);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * batch));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * batch * width));
}

void BM_hash64(benchmark::State& state) {
    hash_records(state, [](const char* p, std::size_t n) { return mldp::hash64(std::string_view(p, n)); });
}
BENCHMARK(BM_hash64)->Arg(8)->Arg(64);

void BM_hash_value_u64(benchmark::State& state) {
    std::vector<std::uint64_t> keys(batch);
    std::iota(keys.begin(), keys.end(), 1000000);
    for (auto _ : state) {
        std::uint64_t acc = 0;
        for (std::uint64_t k : keys) acc ^= mldp::hash_value(k);
        benchmark::DoNotOptimize(acc);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * batch));
}
BENCHMARK(BM_hash_value_u64);

void BM_farm_fingerprint64(benchmark::State& state) {
    hash_records(state, [](const char* p, std::size_t n) { return mldp::farm_fingerprint64(std::string_view(p, n)); });
}
BENCHMARK(BM_farm_fingerprint64)->Arg(8)->Arg(64);

#ifdef MLDP_BENCH_PEERS
void BM_peer_libxxhash_XXH3_64bits(benchmark::State& state) {
    hash_records(state, [](const char* p, std::size_t n) { return static_cast<std::uint64_t>(peer::libxxhash_xxh3_64(p, n)); });
}
BENCHMARK(BM_peer_libxxhash_XXH3_64bits)->Arg(8)->Arg(64);

void BM_peer_libfarmhash_Fingerprint64(benchmark::State& state) {
    hash_records(state, [](const char* p, std::size_t n) { return static_cast<std::uint64_t>(util::Fingerprint64(p, n)); });
}
BENCHMARK(BM_peer_libfarmhash_Fingerprint64)->Arg(8)->Arg(64);
#endif

void BM_rng_next_u64(benchmark::State& state) {
    mldp::rng g{7};
    for (auto _ : state) {
        std::uint64_t acc = 0;
        for (std::size_t i = 0; i < batch; ++i) acc += g.next_u64();
        benchmark::DoNotOptimize(acc);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * batch));
}
BENCHMARK(BM_rng_next_u64);

void BM_rng_bounded(benchmark::State& state) {
    mldp::rng g{7};
    const auto n = static_cast<std::uint64_t>(state.range(0));
    for (auto _ : state) {
        std::uint64_t acc = 0;
        for (std::size_t i = 0; i < batch; ++i) acc += g.bounded(n);
        benchmark::DoNotOptimize(acc);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * batch));
}
BENCHMARK(BM_rng_bounded)->Arg(10)->Arg(1000003);

void BM_rng_uniform01(benchmark::State& state) {
    mldp::rng g{7};
    for (auto _ : state) {
        double acc = 0;
        for (std::size_t i = 0; i < batch; ++i) acc += g.uniform01();
        benchmark::DoNotOptimize(acc);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * batch));
}
BENCHMARK(BM_rng_uniform01);

void BM_rng_normal(benchmark::State& state) {
    mldp::rng g{7};
    for (auto _ : state) {
        double acc = 0;
        for (std::size_t i = 0; i < batch; ++i) acc += g.normal();
        benchmark::DoNotOptimize(acc);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * batch));
}
BENCHMARK(BM_rng_normal);

void BM_shuffle(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    std::vector<std::uint64_t> v(n);
    std::iota(v.begin(), v.end(), 0);
    mldp::rng g{7};
    for (auto _ : state) {
        mldp::shuffle(v.begin(), v.end(), g);
        benchmark::DoNotOptimize(v.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}
BENCHMARK(BM_shuffle)->Arg(1000000)->Unit(benchmark::kMillisecond);

void BM_sample_without_replacement(benchmark::State& state) {
    const auto k = static_cast<std::uint64_t>(state.range(0));
    mldp::rng g{7};
    for (auto _ : state) benchmark::DoNotOptimize(mldp::sample_without_replacement(1000000000, k, g));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(k));
}
BENCHMARK(BM_sample_without_replacement)->Arg(1000)->Arg(100000);

const std::vector<double>& normals(std::size_t n) {
    static std::vector<double> x;
    if (x.size() != n) {
        mldp::rng g{mldp::seed_sequence{1}.derive("bench-normals")};
        x.resize(n);
        for (auto& v : x) v = g.normal();
    }
    return x;
}

void BM_pairwise_sum(benchmark::State& state) {
    const auto& x = normals(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) benchmark::DoNotOptimize(mldp::pairwise_sum(x.data(), x.size()));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * x.size()));
}
BENCHMARK(BM_pairwise_sum)->Arg(1000000);

void BM_compensated_sum(benchmark::State& state) {
    const auto& x = normals(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) benchmark::DoNotOptimize(mldp::compensated_sum(x));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * x.size()));
}
BENCHMARK(BM_compensated_sum)->Arg(1000000);

void BM_naive_sum_reference(benchmark::State& state) {
    const auto& x = normals(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) {
        double s = 0;
        for (double v : x) s += v;
        benchmark::DoNotOptimize(s);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * x.size()));
}
BENCHMARK(BM_naive_sum_reference)->Arg(1000000);

}  // namespace

BENCHMARK_MAIN();

// Loss-layer benchmarks.
//
// BM_weighted_bce: the py_peers `weighted_bce` shape (../shared/peers/py_peers.py): logits Z (n x 3,
// standard normal), binary targets Y (P = 0.3), sample weights U(0.5, 1.5), objective weights
// [0.5, 0.3, 0.2]; value and gradient with respect to the logits, written into a reused buffer.
// BM_stream_bytes moves the same bytes with no arithmetic (read Z, Y and the weights, write the
// gradient): its bytes/s is this machine's memory bandwidth for the pattern, the yardstick for the
// kernel's. Both report allocations per iteration (a counting global operator new). The 10^4-row
// case of BM_weighted_bce stays in cache: the kernel's arithmetic without the memory traffic.
//
// BM_mgda / BM_pcgrad / BM_upgrad: 8 tasks x 10^6 parameters; BM_gram_syrk is the Gram matrix alone
// (BLAS dsyrk) and BM_gemm_same_shape one BLAS dgemm of J by J^T, the yardstick.
//
//   build/release/benchmarks/mldp_loss_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "mldp/loss/aggregation.hpp"
#include "mldp/loss/terms.hpp"

namespace {
std::atomic<std::uint64_t> allocations{0};
}

// Every form of new and delete is replaced, so that all of them pair malloc with free. GCC 12 at
// -O3 still pairs an inlined std::allocator's operator new with this free (a false positive).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
static void* counted_malloc(std::size_t n) noexcept {
    allocations.fetch_add(1, std::memory_order_relaxed);
    return std::malloc(n ? n : 1);
}
void* operator new(std::size_t n) {
    if (void* p = counted_malloc(n)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
    if (void* p = counted_malloc(n)) return p;
    throw std::bad_alloc();
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return counted_malloc(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return counted_malloc(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace {

struct bce_data {
    xt::xtensor<double, 2> z, y, out;  // out: the gradient buffer, allocated and touched once
    std::vector<double> w, alpha{0.5, 0.3, 0.2};
};

bce_data& data(std::size_t n) {
    static bce_data d;
    if (d.z.shape()[0] != n) {
        mldp::rng g{mldp::seed_sequence{42}.derive("bench-loss")};
        d.z = xt::zeros<double>({n, std::size_t{3}});
        d.y = xt::zeros<double>({n, std::size_t{3}});
        d.w.resize(n);
        for (std::size_t k = 0; k < 3 * n; ++k) {
            d.z.data()[k] = g.normal();
            d.y.data()[k] = g.uniform01() < 0.3 ? 1.0 : 0.0;
        }
        for (auto& v : d.w) v = 0.5 + g.uniform01();
        d.out = xt::zeros<double>({n, std::size_t{3}});
    }
    return d;
}

void BM_weighted_bce(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    auto& d = data(n);
    auto& grad = d.out;
    const mldp::loss::loss_weights lw(d.w, d.alpha);
    const std::uint64_t before = allocations.load();
    for (auto _ : state) {
        benchmark::DoNotOptimize(mldp::loss::binary_cross_entropy_with_logits_into(grad, d.z, d.y, lw));
        benchmark::ClobberMemory();
    }
    state.counters["allocs_per_step"] =
        static_cast<double>(allocations.load() - before) / static_cast<double>(state.iterations());
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * 3 * n));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * (3 * n * 24 + n * 8)));
}
BENCHMARK(BM_weighted_bce)->Arg(10000)->Arg(10000000)->Unit(benchmark::kMillisecond)->UseRealTime();

// The same bytes as BM_weighted_bce (read Z, Y, the sample weights; write the gradient), one add each.
void BM_stream_bytes(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    auto& d = data(n);
    auto& out = d.out;
    for (auto _ : state) {
        const double* z = d.z.data();
        const double* y = d.y.data();
        const double* w = d.w.data();
        double* o = out.data();
        for (std::size_t i = 0; i < n; ++i) {
            o[3 * i] = z[3 * i] + y[3 * i] + w[i];
            o[3 * i + 1] = z[3 * i + 1] + y[3 * i + 1] + w[i];
            o[3 * i + 2] = z[3 * i + 2] + y[3 * i + 2] + w[i];
        }
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * (3 * n * 24 + n * 8)));
}
BENCHMARK(BM_stream_bytes)->Arg(10000000)->Unit(benchmark::kMillisecond)->UseRealTime();

const xt::xtensor<double, 2>& jacobian() {
    static xt::xtensor<double, 2> j;
    if (j.size() == 0) {
        mldp::rng g{mldp::seed_sequence{42}.derive("bench-jacobian")};
        j = xt::zeros<double>({std::size_t{8}, std::size_t{1000000}});
        for (std::size_t t = 0; t < 8; ++t) {
            for (std::size_t m = 0; m < 1000000; ++m) j(t, m) = g.normal() + (t % 2 ? 0.3 : -0.2);
        }
    }
    return j;
}

void BM_gram_syrk(benchmark::State& state) {
    const auto& j = jacobian();
    for (auto _ : state) benchmark::DoNotOptimize(mldp::loss::gram_matrix(j));
}
BENCHMARK(BM_gram_syrk)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_gemm_same_shape(benchmark::State& state) {
    const auto& j = jacobian();
    xt::xtensor<double, 2> g = xt::zeros<double>({std::size_t{8}, std::size_t{8}});
    using idx = xt::blas_index_t;
    for (auto _ : state) {
        cxxblas::gemm<idx>(cxxblas::StorageOrder::RowMajor, cxxblas::Transpose::NoTrans, cxxblas::Transpose::Trans, 8, 8, 1000000, 1.0,
                           j.data(), 1000000, j.data(), 1000000, 0.0, g.data(), 8);
        benchmark::DoNotOptimize(g.data());
    }
}
BENCHMARK(BM_gemm_same_shape)->Unit(benchmark::kMillisecond)->UseRealTime();

template <class A>
void run_aggregator(benchmark::State& state, A a) {
    const auto& j = jacobian();
    for (auto _ : state) benchmark::DoNotOptimize(a.aggregate(j));
}
void BM_mgda(benchmark::State& state) { run_aggregator(state, mldp::loss::mgda{}); }
void BM_pcgrad(benchmark::State& state) { run_aggregator(state, mldp::loss::pcgrad{}); }
void BM_upgrad(benchmark::State& state) { run_aggregator(state, mldp::loss::upgrad{}); }
BENCHMARK(BM_mgda)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_pcgrad)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_upgrad)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();

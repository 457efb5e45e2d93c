// Drift-layer benchmarks: sketches (KLL update and merge, moments) and the streaming detectors, each
// detector on 10^6 values at River's defaults (a 0/1 error stream whose error rate rises from 0.2 to
// 0.6 halfway for the binary detectors, the matching 0..7 integer stream for the others). The naive
// reference is River's own building block, a running mean updated per value (river.stats.Mean): a
// detector's ratio to it says how much the detection logic costs on top of reading the stream.
// Inputs are generated once from fixed seeds, outside the timed loops.
//
//   build/release/benchmarks/mldp_drift_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
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

// Merging two k = 200 sketches of 10^6 values each: the merge only. The copies it merges into are
// made 256 at a time with the timer paused (pausing per iteration would cost more than the merge).
void BM_kll_merge(benchmark::State& state) {
    const auto& x = normals(1000000);
    mldp::sketch::kll_sketch<double> a(200, 1), b(200, 2);
    for (double v : x) {
        a.update(v);
        b.update(-v);
    }
    std::vector<mldp::sketch::kll_sketch<double>> copies;
    std::size_t next = 0;
    for (auto _ : state) {
        if (next == copies.size()) {
            state.PauseTiming();
            copies.assign(256, a);
            next = 0;
            state.ResumeTiming();
        }
        auto& c = copies[next++];
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

struct detector_streams {
    std::vector<double> errors, values;
};

const detector_streams& streams() {
    static detector_streams s;
    if (s.errors.empty()) {
        mldp::rng g{mldp::seed_sequence{42}.derive("bench-detectors")};
        const std::size_t n = 1000000;
        s.errors.resize(n);
        s.values.resize(n);
        for (std::size_t i = 0; i < n; ++i) {
            const double p = i < n / 2 ? 0.2 : 0.6;
            s.errors[i] = g.uniform01() < p ? 1.0 : 0.0;
            s.values[i] = static_cast<double>(i < n / 2 ? g.bounded(2) : g.bounded(8));
        }
    }
    return s;
}

template <class D>
void run_detector(benchmark::State& state, const std::vector<double>& xs, D make) {
    std::int64_t detections = 0;
    for (auto _ : state) {
        auto d = make();
        for (double x : xs) detections += d.update(x);
        benchmark::DoNotOptimize(detections);
    }
    set_items(state, xs.size());
    state.counters["detections_per_run"] = static_cast<double>(detections) / static_cast<double>(state.iterations());
}

// The naive reference: river.stats.Mean's update (mean += (x - mean) / n) per value.
void BM_reference_running_mean(benchmark::State& state) {
    const auto& xs = streams().values;
    for (auto _ : state) {
        mldp::drift::detail::running_mean m;
        for (double x : xs) m.update(x);
        benchmark::DoNotOptimize(m.mean);
    }
    set_items(state, xs.size());
}
BENCHMARK(BM_reference_running_mean)->Unit(benchmark::kMillisecond);

void BM_adwin(benchmark::State& state) {
    run_detector(state, streams().values, [] { return mldp::drift::adwin{}; });
}
BENCHMARK(BM_adwin)->Unit(benchmark::kMillisecond);

void BM_page_hinkley(benchmark::State& state) {
    run_detector(state, streams().values, [] { return mldp::drift::page_hinkley{}; });
}
BENCHMARK(BM_page_hinkley)->Unit(benchmark::kMillisecond);

void BM_ddm(benchmark::State& state) {
    run_detector(state, streams().errors, [] { return mldp::drift::ddm{}; });
}
BENCHMARK(BM_ddm)->Unit(benchmark::kMillisecond);

void BM_eddm(benchmark::State& state) {
    run_detector(state, streams().errors, [] { return mldp::drift::eddm{}; });
}
BENCHMARK(BM_eddm)->Unit(benchmark::kMillisecond);

void BM_hddm_a(benchmark::State& state) {
    run_detector(state, streams().errors, [] { return mldp::drift::hddm_a{}; });
}
BENCHMARK(BM_hddm_a)->Unit(benchmark::kMillisecond);

void BM_hddm_w(benchmark::State& state) {
    run_detector(state, streams().errors, [] { return mldp::drift::hddm_w{}; });
}
BENCHMARK(BM_hddm_w)->Unit(benchmark::kMillisecond);

void BM_kswin(benchmark::State& state) {
    run_detector(state, streams().values, [] { return mldp::drift::kswin{}; });
}
BENCHMARK(BM_kswin)->Unit(benchmark::kMillisecond);

void BM_cusum(benchmark::State& state) {
    run_detector(state, streams().values, [] { return mldp::drift::cusum{}; });
}
BENCHMARK(BM_cusum)->Unit(benchmark::kMillisecond);

// A drift report for a 10^5-row batch against a 10^6-row reference, 20 numeric + 5 categorical
// columns (benchmarks/peers/monitor_peer.py times scipy's tests over the same shapes). The reference
// is profiled once outside the timing; timed: profiling the batch and comparing every column.
mldp::frame monitor_frame(std::size_t n, std::uint64_t seed, double shift, bool weighted) {
    mldp::rng g{mldp::seed_sequence{seed}.derive("bench-monitor")};
    mldp::frame f;
    for (int c = 0; c < 20; ++c) {
        std::vector<double> x(n);
        for (auto& v : x) v = g.normal() + shift;
        f.add("num" + std::to_string(c), std::move(x));
    }
    for (int c = 0; c < 5; ++c) {
        std::vector<std::int32_t> codes(n);
        for (auto& v : codes) {
            if (!weighted) {
                v = static_cast<std::int32_t>(g.bounded(20));
            } else {
                // weights 1 + 0.01 k over 20 categories (sum 21.9)
                double u = g.uniform01() * 21.9;
                std::int32_t k = 0;
                while (k < 19 && u >= 1.0 + 0.01 * k) u -= 1.0 + 0.01 * k++;
                v = k;
            }
        }
        std::vector<std::string> dict;
        for (int k = 0; k < 20; ++k) dict.push_back("c" + std::to_string(k));
        f.add("cat" + std::to_string(c), mldp::categorical_column::from_codes(std::move(codes), std::move(dict)));
    }
    return f;
}

void BM_drift_monitor_batch(benchmark::State& state) {
    static const mldp::frame reference = monitor_frame(1000000, 1, 0.0, false);
    static const mldp::frame batch = monitor_frame(100000, 2, 0.05, true);
    mldp::drift::drift_monitor m(reference);
    std::size_t drifted = 0;
    for (auto _ : state) {
        m.reset_window();
        m.update(batch);
        drifted = m.results().drifted;
        benchmark::DoNotOptimize(drifted);
    }
    state.counters["drifted_columns"] = static_cast<double>(drifted);
    state.counters["reference_profile_bytes_per_numeric_column"] =
        static_cast<double>(m.reference("num0").serialize().size());
}
BENCHMARK(BM_drift_monitor_batch)->Unit(benchmark::kMillisecond);

// The serving-loop path: one row of 20 numeric + 5 categorical values per update_row, tumbling
// windows of 10^4 rows (each completed window is compared with the reference inside the loop).
void BM_drift_monitor_update_row(benchmark::State& state) {
    static const mldp::frame reference = monitor_frame(100000, 1, 0.0, false);
    static const mldp::frame batch = monitor_frame(100000, 2, 0.05, true);
    mldp::drift::monitor_options o;
    o.window = {mldp::drift::window_kind::tumbling, 10000, 8};
    mldp::drift::drift_monitor m(reference, o);
    std::vector<std::vector<double>> num(batch.rows(), std::vector<double>(20));
    std::vector<std::vector<std::optional<std::string_view>>> cat(batch.rows(), std::vector<std::optional<std::string_view>>(5));
    for (int c = 0; c < 20; ++c) {
        const auto v = batch.numeric("num" + std::to_string(c));
        for (std::size_t i = 0; i < batch.rows(); ++i) num[i][static_cast<std::size_t>(c)] = v[i];
    }
    for (int c = 0; c < 5; ++c) {
        const auto& col = batch.categorical("cat" + std::to_string(c));
        for (std::size_t i = 0; i < batch.rows(); ++i) cat[i][static_cast<std::size_t>(c)] = col.value(i);
    }
    std::size_t i = 0, reports = 0;
    for (auto _ : state) {
        reports += m.update_row(num[i], cat[i]).has_value();
        i = i + 1 == batch.rows() ? 0 : i + 1;
    }
    state.counters["windows_reported"] = static_cast<double>(reports);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_drift_monitor_update_row);

}  // namespace

BENCHMARK_MAIN();

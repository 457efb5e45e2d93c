#include "mldp/audit/runs.hpp"

#include <doctest/doctest.h>

#include <vector>

#include <fmt/format.h>

#include "close.hpp"

// scipy 1.10.1: integrate.quad(lambda x: x*n*norm.pdf(x)*norm.cdf(x)**(n-1), -40, 40, epsabs=1e-14);
// n = 2 is 1/sqrt(pi) exactly.
TEST_CASE("expected maximum of n standard normals") {
    CHECK_CLOSE(mldp::audit::expected_max_of_normals(2), 0.5641895835477562, 1e-12);
    CHECK_CLOSE(mldp::audit::expected_max_of_normals(3), 0.8462843753216344, 1e-12);
    CHECK_CLOSE(mldp::audit::expected_max_of_normals(5), 1.1629644736405194, 1e-12);
    CHECK_CLOSE(mldp::audit::expected_max_of_normals(10), 1.5387527308351732, 1e-12);
    CHECK_CLOSE(mldp::audit::expected_max_of_normals(30), 2.0427608441715113, 1e-12);
    CHECK_CLOSE(mldp::audit::expected_max_of_normals(100), 2.507593636441686, 1e-12);
    CHECK(mldp::audit::expected_max_of_normals(1) == 0.0);
    CHECK_THROWS_AS(mldp::audit::expected_max_of_normals(0), mldp::invalid_argument);
}

// numpy mean / std(ddof=1) and scipy.stats.t.interval(0.95, n-1, loc=mean, scale=sd/sqrt(n)) on the
// ten accuracies below (scipy's t quantile is good to ~1e-10, hence 1e-9 on the interval).
TEST_CASE("summarize_runs agrees with numpy and scipy's t interval") {
    const std::vector<double> acc{0.812, 0.798, 0.825, 0.807, 0.831, 0.802, 0.819, 0.795, 0.810, 0.823};
    const auto r = mldp::audit::summarize_runs(acc);
    CHECK_CLOSE(r.mean, 0.8122, 1e-14);
    CHECK_CLOSE(r.sd, 0.012081206709412541, 1e-13);
    CHECK_CLOSE(r.ci_low, 0.8035576253481812, 1e-9);
    CHECK_CLOSE(r.ci_high, 0.8208423746518189, 1e-9);
    CHECK(r.best == 0.831);
    CHECK(r.best_run == 4);
    CHECK(r.worst == 0.795);
    CHECK_CLOSE(r.best_minus_mean, 0.831 - 0.8122, 1e-12);
    CHECK_CLOSE(r.expected_best_minus_mean, 0.012081206709412541 * 1.5387527308351732, 1e-11);
    CHECK(fmt::format("{}", r).find("10 runs") != std::string::npos);
    mldp::audit::sweep_options lower;
    lower.goal = mldp::audit::goal::minimize;
    CHECK(mldp::audit::summarize_runs(acc, lower).best == 0.795);
}

TEST_CASE("seed_sweep derives one seed per run and summarises the results") {
    const mldp::seed_sequence root{42};
    std::vector<std::uint64_t> seen;
    auto run = [&](std::uint64_t seed) {
        seen.push_back(seed);
        mldp::rng g{seed};
        return 0.8 + 0.01 * g.normal();
    };
    std::size_t reports = 0;
    const auto r = mldp::audit::seed_sweep(run, 12, root, {}, [&](const mldp::progress_event& e) {
        ++reports;
        CHECK(e.task == "seed_sweep");
        CHECK(e.done == reports);
        CHECK(e.total == 12);
        CHECK(seen.size() == reports);  // called after each run
    });
    CHECK(reports == 12);
    REQUIRE(r.seeds.size() == 12);
    CHECK(r.seeds == seen);
    for (std::size_t i = 0; i < 12; ++i) CHECK(r.seeds[i] == root.derive(static_cast<std::uint64_t>(i)).key());
    const auto again = mldp::audit::summarize_runs(r.values);
    CHECK(again.mean == r.mean);
    CHECK(again.ci_high == r.ci_high);
    CHECK(r.ci_low < 0.8);  // the interval of 12 draws around 0.8 holds it (seeded, so fixed)
    CHECK(r.ci_high > 0.8);
    CHECK(nlohmann::json(r)["seeds"].size() == 12);
    CHECK_THROWS_AS(mldp::audit::seed_sweep(run, 1, root), mldp::invalid_argument);
    CHECK_THROWS_AS(mldp::audit::seed_sweep([](std::uint64_t) { return NAN; }, 3, root), mldp::data_error);
    CHECK_THROWS_AS(mldp::audit::summarize_runs(std::vector<double>{1.0}), mldp::data_error);
}

// scipy 1.10.1: ttest_ind(a, b, equal_var=False); the interval d -+ t.ppf(0.975, df) se with Welch's
// df; Cohen's d over the pooled sd and Hedges' g = d (1 - 3 / (4 (n_a + n_b) - 9)), by numpy.
TEST_CASE("compare_runs agrees with scipy's Welch test") {
    const std::vector<double> a{0.812, 0.798, 0.825, 0.807, 0.831, 0.802, 0.819, 0.795, 0.810, 0.823};
    const std::vector<double> b{0.801, 0.789, 0.812, 0.795, 0.808, 0.792, 0.799, 0.785};
    const auto c = mldp::audit::compare_runs(a, b);
    CHECK_CLOSE(c.statistic, 2.8972302053105334, 1e-12);
    CHECK_CLOSE(c.p_value, 0.010507970767385707, 1e-9);
    CHECK_CLOSE(c.df, 15.986853005037856, 1e-12);
    CHECK_CLOSE(c.ci_low, 0.003909749834279191, 1e-8);
    CHECK_CLOSE(c.ci_high, 0.025240250165720818, 1e-8);
    CHECK_CLOSE(c.cohens_d, 1.3327759845835478, 1e-12);
    CHECK_CLOSE(c.hedges_g, 1.2693104615081408, 1e-12);
    CHECK(c.differ);
    mldp::audit::run_comparison_options strict;
    strict.alpha = 0.01;
    CHECK_FALSE(mldp::audit::compare_runs(a, b, strict).differ);
    CHECK(fmt::format("{}", mldp::audit::compare_runs(a, b, strict)).find("no difference") != std::string::npos);
    CHECK_THROWS_AS(mldp::audit::compare_runs(a, std::vector<double>{0.8}), mldp::data_error);
    strict.alpha = 2.0;
    CHECK_THROWS_AS(mldp::audit::compare_runs(a, b, strict), mldp::invalid_argument);
}

// mldp quickstart: the core layer doing real work.
//
//   1. a frame of customer records with numeric, categorical and time columns;
//   2. repeatable bucketing of keys that matches BigQuery's FARM_FINGERPRINT exactly, and XXH3 buckets;
//   3. named seed streams: the same seed gives the same shuffle on every compiler and standard library;
//   4. reproducible train/validation/test splits: stratified, BigQuery-style hashed, and a report that
//      checks the subsets are alike and that nothing leaks between them;
//   5. accurate summation where the naive loop drifts;
//   6. what bad input looks like: errors that name the column and the row.
#include <mldp/mldp.hpp>

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <numeric>
#include <string>
#include <vector>

namespace {

// BigQuery: ABS(MOD(FARM_FINGERPRINT(key), buckets)). MOD truncates toward zero, as C++'s % does.
std::int64_t bigquery_bucket(std::string_view key, std::int64_t buckets) {
    const auto fp = static_cast<std::int64_t>(mldp::farm_fingerprint64(key));
    return std::llabs(fp % buckets);
}

}  // namespace

int main(int argc, char** argv) {
    std::uint64_t seed = 42;
    std::size_t n = 100000;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string opt = argv[i];
        if (opt == "--seed") seed = std::strtoull(argv[i + 1], nullptr, 10);
        else if (opt == "--rows") n = std::strtoull(argv[i + 1], nullptr, 10);
        else {
            fmt::print(stderr, "usage: quickstart [--seed N] [--rows N]\n");
            return 2;
        }
    }
    if (n == 0) {
        fmt::print(stderr, "quickstart: --rows must be at least 1\n");
        return 2;
    }
    fmt::print("mldp {} quickstart (seed {}, {} rows)\n\n", mldp::version_string, seed, n);

    // 1. A frame built from a seeded generator: every run with the same seed builds the same data.
    const mldp::seed_sequence root{seed};
    mldp::rng gen{root.derive("data")};
    const std::array<std::string, 4> cities{"Oslo", "Lima", "Pune", "Kyiv"};
    std::vector<std::string> ids(n), city(n);
    std::vector<double> age(n);
    std::vector<std::int64_t> signup(n);
    for (std::size_t i = 0; i < n; ++i) {
        ids[i] = "cust-" + std::to_string(i);
        age[i] = std::round(gen.normal(41.0, 12.0));
        city[i] = cities[gen.bounded(cities.size())];
        signup[i] = 1700000000 + static_cast<std::int64_t>(gen.bounded(86400ULL * 365));
    }
    mldp::frame customers;
    customers.add("id", ids).add_view("age", age).add("city", city).add("signup", mldp::time_column{signup, mldp::time_unit::seconds});
    const auto& city_col = customers.categorical("city");
    fmt::print("1. frame: {} rows x {} columns; city dictionary (first-appearance order):", customers.rows(),
               customers.columns());
    for (const auto& c : city_col.dictionary()) fmt::print(" {}", c);
    fmt::print("\n   mean age {:.3f} (pairwise sum, numpy.sum-exact)\n\n", mldp::pairwise_sum(customers.numeric("age")) / static_cast<double>(n));

    // 2. Repeatable bucketing. These three keys are BigQuery's documented FARM_FINGERPRINT examples.
    fmt::print("2. BigQuery-compatible buckets, ABS(MOD(FARM_FINGERPRINT(key), 10)):\n");
    for (const char* key : {"1footrue", "2applefalse", "3true"}) {
        fmt::print("   {:<12} fingerprint {:>20}  bucket {}  -> {}\n", key,
                   static_cast<std::int64_t>(mldp::farm_fingerprint64(key)), bigquery_bucket(key, 10),
                   bigquery_bucket(key, 10) < 8 ? "train" : "holdout");
    }
    std::array<std::size_t, 10> farm_counts{}, xxh_counts{};
    for (const auto& id : ids) {
        ++farm_counts[static_cast<std::size_t>(bigquery_bucket(id, 10))];
        ++xxh_counts[mldp::hash64(id) % 10];
    }
    fmt::print("   {} customer ids per FARM_FINGERPRINT bucket: {}\n", n, fmt::join(farm_counts, " "));
    fmt::print("   {} customer ids per XXH3 bucket:             {}\n\n", n, fmt::join(xxh_counts, " "));

    // 3. Named seed streams. Shuffling uses its own stream, so adding another random step elsewhere
    //    never changes this order.
    std::vector<std::uint64_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    mldp::rng shuffler{root.derive("shuffle")};
    mldp::shuffle(order.begin(), order.end(), shuffler);
    std::string bytes(reinterpret_cast<const char*>(order.data()), order.size() * sizeof(std::uint64_t));
    fmt::print("3. shuffled order starts {} ...; XXH3 digest of the whole order {:016x}\n", fmt::join(order.begin(), order.begin() + 6, " "),
               mldp::hash64(bytes));
    mldp::rng sampler{root.derive("audit-sample")};
    const auto audit = mldp::sample_without_replacement(n, 5, sampler);
    fmt::print("   5 rows drawn for a manual audit: {}\n\n", fmt::join(audit, " "));

    // 4. Splits. Stratified by city (every city within one row of its share in every subset), then the
    //    BigQuery pattern on the customer ids, then a check of the stratified split.
    const auto strat = mldp::split::stratified_split(city_col, {0.8, 0.1, 0.1}, seed);
    fmt::print("4. {}\n", strat.manifest());
    const auto hashed = mldp::split::hash_split(ids, {0.8, 0.1, 0.1}, {mldp::split::hash_kind::farm_fingerprint, 10, ""});
    fmt::print("   hash_split(FARM_FINGERPRINT, 10 buckets): train {}, validation {}, test {}; {} lands in {}\n",
               hashed.train.size(), hashed.validation.size(), hashed.test.size(), ids[0],
               mldp::split::to_string(hashed.subset_of(0)));
    mldp::split::split_check_options check;
    check.label = "city";
    check.key = "id";
    const auto report = mldp::split::check_split(customers, strat, check);
    fmt::print("   {}\n", report);
    for (const auto& leak : report.leaks) {
        if (leak.kind == "content" && leak.rows > 0) {
            fmt::print("   (rows {} share every feature value - age and signup second - across subsets: the content check\n"
                       "    reports exact duplicates of the features, whoever the customers are)\n",
                       fmt::join(leak.example_rows, ", "));
        }
    }
    fmt::print("\n");

    // 5. Summation: 1e7 copies of 0.1. The exact sum of the doubles is 1e6 + 5.55e-11; a naive loop
    //    is off by about 1.6e-4.
    const std::vector<double> tenths(10000000, 0.1);
    double naive = 0.0;
    for (double x : tenths) naive += x;
    fmt::print("5. sum of 1e7 x 0.1:  naive {:.10f}   pairwise {:.10f}   compensated {:.10f}\n\n", naive,
               mldp::pairwise_sum(tenths), mldp::compensated_sum(tenths));

    // 6. Bad input is an exception that says what, where, and what would be accepted.
    fmt::print("6. bad input:\n");
    try {
        customers.add("score", std::vector<double>(n + 1, 0.0));
    } catch (const mldp::invalid_argument& e) {
        fmt::print("   invalid_argument: {}\n", e.what());
    }
    try {
        customers.numeric("city");
    } catch (const mldp::invalid_argument& e) {
        fmt::print("   invalid_argument: {}\n", e.what());
    }
    try {
        mldp::split::random_split(n, {0.8, 0.1, 0.2}, seed);
    } catch (const mldp::invalid_argument& e) {
        fmt::print("   invalid_argument: {}\n", e.what());
    }
    age[1234 % n] = std::nan("");
    try {
        mldp::require_finite(customers.numeric("age").data(), customers.rows(), "age");
    } catch (const mldp::data_error& e) {
        fmt::print("   data_error: {} (column() = '{}', row() = {})\n", e.what(), e.column(), e.row());
    }
    return 0;
}

// Prints the seeded and hashed outputs of every seeded API in mldp, one value per line, doubles as
// their exact IEEE-754 bits. scripts/test builds it with g++/libstdc++ and clang++/libc++ (and with
// -march=native -ffp-contract=fast) and requires the outputs to be byte-identical; ctest compares it
// with tests/golden/seeded_outputs.txt so that any change of a seeded algorithm is deliberate.
//
// Later layers append their seeded APIs (detectors, sweeps) here.
#include <cstdint>
#include <cstdio>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "mldp/mldp.hpp"
#include "mldp/loss/aggregation.hpp"  // (not in the umbrella without MLDP_WITH_BLAS; no BLAS call is made here)

namespace {

void line(const char* name, std::uint64_t v) { std::printf("%s %016llx\n", name, static_cast<unsigned long long>(v)); }

void line(const char* name, double v) {
    std::uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    std::printf("%s %016llx\n", name, static_cast<unsigned long long>(bits));
}

std::string label(const char* base, std::uint64_t i) { return std::string(base) + "[" + std::to_string(i) + "]"; }

}  // namespace

int main() {
    std::printf("# mldp seeded outputs, format 1\n");

    // core/hash
    const char* strings[] = {"", "a", "1footrue", "2applefalse", "3true", "the quick brown fox jumps over the lazy dog",
                             "0123456789012345678901234567890123456789012345678901234567890123456789"};
    for (const char* s : strings) {
        line(("hash64(\"" + std::string(s) + "\")").c_str(), mldp::hash64(s));
        line(("hash64(\"" + std::string(s) + "\",7)").c_str(), mldp::hash64(s, 7));
        line(("farm_fingerprint64(\"" + std::string(s) + "\")").c_str(), mldp::farm_fingerprint64(s));
    }
    line("hash_value(int64 -3)", mldp::hash_value(std::int64_t{-3}));
    line("hash_value(uint32 3)", mldp::hash_value(std::uint32_t{3}));
    line("hash_value(double 0.1)", mldp::hash_value(0.1));
    line("hash_value(double -0.0)", mldp::hash_value(-0.0));
    line("hash_value(double NaN)", mldp::hash_value(std::numeric_limits<double>::quiet_NaN()));

    // core/random: seed derivation
    const mldp::seed_sequence root{42};
    line("seed_sequence(42).derive(\"shuffle\")", root.derive("shuffle").key());
    line("seed_sequence(42).derive(\"a\").derive(3)", root.derive("a").derive(std::uint64_t{3}).key());

    // core/random: generator outputs
    {
        mldp::rng g{root};
        for (std::uint64_t i = 0; i < 16; ++i) line(label("rng(42).next_u64", i).c_str(), g.next_u64());
        for (std::uint64_t i = 0; i < 16; ++i) line(label("rng(42).uniform01", i).c_str(), g.uniform01());
        const std::uint64_t bounds[] = {1, 2, 3, 7, 10, 1000, 1000003, (1ULL << 32) + 1, (1ULL << 63) + 1,
                                        ~std::uint64_t{0}};
        for (std::uint64_t n : bounds) {
            for (int i = 0; i < 4; ++i) {
                line(("rng.bounded(" + std::to_string(n) + ")").c_str(), g.bounded(n));
            }
        }
    }
    {
        // Enough normal draws to exercise both branches of AS 241 many times.
        mldp::rng g{root.derive("normal")};
        for (std::uint64_t i = 0; i < 2000; ++i) line(label("rng.normal", i).c_str(), g.normal());
        const double ps[] = {1e-300, 1e-30, 1e-12, 1e-6, 0.01, 0.02425, 0.3, 0.5, 0.7, 0.975, 1 - 1e-9};
        for (double p : ps) line("normal_quantile", mldp::detail::normal_quantile(p));
        const double xs[] = {5e-324, 1e-300, 0.1, 0.7, 1.5, 2.0, 10.0, 1e300};
        for (double x : xs) line("portable_log", mldp::detail::portable_log(x));
    }
    {
        mldp::rng g{root.derive("shuffle")};
        std::vector<std::uint64_t> v(100);
        std::iota(v.begin(), v.end(), 0);
        mldp::shuffle(v.begin(), v.end(), g);
        for (std::uint64_t i = 0; i < v.size(); ++i) line(label("shuffle(0..99)", i).c_str(), v[i]);
        const auto s = mldp::sample_without_replacement(1000000, 25, g);
        for (std::uint64_t i = 0; i < s.size(); ++i) line(label("sample(1e6,25)", i).c_str(), s[i]);
    }

    // core/numeric
    {
        mldp::rng g{root.derive("sums")};
        std::vector<double> x(100003);
        for (auto& v : x) v = g.normal(0.0, 1e6);
        line("pairwise_sum", mldp::pairwise_sum(x));
        line("compensated_sum", mldp::compensated_sum(x));
    }
    // stats: the seeded permutation p-value of mmd2 (the statistic itself depends on libm's exp and
    // on floating-point contraction, so only the permutation count is part of this check)
    {
        mldp::rng g{root.derive("mmd-data")};
        std::vector<double> a(150), b(150);
        for (auto& v : a) v = g.normal();
        for (auto& v : b) v = g.normal(0.15, 1.0);
        mldp::stats::mmd_options o;
        o.permutations = 99;
        o.seed = 42;
        const auto r = mldp::stats::mmd2(a, b, o);
        std::printf("mmd2.permutation_count %d\n", static_cast<int>(std::lround(r.p_value * 100.0)) - 1);
    }
    // split: every seeded splitter, as the manifest digest of its assignment plus a few indices, and
    // the hash buckets (not seeded, but frozen by the documented encodings)
    {
        auto emit_split = [](const char* name, const mldp::split::split_result& r) {
            line((std::string(name) + ".digest").c_str(), r.manifest().digest);
            line((std::string(name) + ".sizes").c_str(),
                 (static_cast<std::uint64_t>(r.train.size()) << 40) | (static_cast<std::uint64_t>(r.validation.size()) << 20) |
                     static_cast<std::uint64_t>(r.test.size()));
            for (std::uint64_t i = 0; i < 4 && i < r.test.size(); ++i) line(label((std::string(name) + ".test").c_str(), i).c_str(), r.test[i]);
        };
        auto emit_folds = [](const char* name, const std::vector<mldp::split::fold>& folds) {
            std::uint64_t h = 0;
            for (const auto& f : folds) {
                for (auto r : f.test) h = mldp::hash_value(static_cast<std::uint64_t>(r), h);
                h = mldp::hash_value(std::uint64_t{0xF01D}, h);
            }
            line(name, h);
        };
        mldp::rng g{root.derive("split-data")};
        std::vector<std::int64_t> labels(5003), groups(5003), keys(5003);
        std::vector<std::string> skeys;
        for (std::size_t i = 0; i < labels.size(); ++i) {
            labels[i] = static_cast<std::int64_t>(g.bounded(7) * g.bounded(3));
            groups[i] = static_cast<std::int64_t>(g.bounded(400));
            keys[i] = static_cast<std::int64_t>(g.next_u64());
            skeys.push_back("user-" + std::to_string(g.bounded(100000)));
        }
        const mldp::split::fractions f{0.7, 0.2, 0.1};
        emit_split("random_split(5003)", mldp::split::random_split(5003, f, 42));
        emit_split("stratified_split", mldp::split::stratified_split(labels, f, 42));
        emit_split("stratified_split/keyed", mldp::split::stratified_split(labels, keys, f, 42));
        emit_split("group_split/rows", mldp::split::group_split(groups, f, 42));
        emit_split("group_split/groups",
                   mldp::split::group_split(groups, f, 42, {mldp::split::group_unit::groups}));
        emit_split("hash_split/xxh3", mldp::split::hash_split(keys, f));
        emit_split("hash_split/xxh3/salted", mldp::split::hash_split(skeys, f, {mldp::split::hash_kind::xxh3, 1000, "s"}));
        emit_split("hash_split/farm_fingerprint",
                   mldp::split::hash_split(skeys, f, {mldp::split::hash_kind::farm_fingerprint, 10, ""}));
        emit_folds("k_fold(5003,5,42)", mldp::split::k_fold(5003, 5, 42));
        emit_folds("stratified_k_fold(5,42)", mldp::split::stratified_k_fold(labels, 5, 42));
        emit_folds("stratified_group_k_fold(5,42)", mldp::split::stratified_group_k_fold(labels, groups, 5, 42));
        emit_folds("repeated_k_fold(5003,3,2,42)", mldp::split::repeated_k_fold(5003, 3, 2, 42));
        emit_folds("repeated_stratified_k_fold(3,2,42)", mldp::split::repeated_stratified_k_fold(labels, 3, 2, 42));
    }
    // sketch: kll compaction coins (quantiles of a 10^5-value stream, and of a merge)
    {
        mldp::rng g{root.derive("kll-data")};
        mldp::sketch::kll_sketch<double> a(200, 42), b(200, 43);
        for (int i = 0; i < 100000; ++i) (i % 3 ? a : b).update(g.normal());
        for (double q : {0.01, 0.25, 0.5, 0.75, 0.99}) line(("kll(42).quantile(" + std::to_string(q) + ")").c_str(), a.quantile(q));
        a.merge(b);
        line("kll.merged.retained", static_cast<std::uint64_t>(a.retained()));
        for (double q : {0.01, 0.5, 0.99}) line(("kll.merged.quantile(" + std::to_string(q) + ")").c_str(), a.quantile(q));
        const auto bytes = a.serialize();
        line("kll.merged.serialized", mldp::hash64(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size())));
    }
    // drift: KSWIN's seeded draws (detection indices and the last p-value on a shifting stream)
    {
        mldp::rng g{root.derive("kswin-data")};
        mldp::drift::kswin_options o;
        o.seed = 42;
        mldp::drift::kswin k(o);
        std::uint64_t h = 0;
        for (std::uint64_t i = 0; i < 5000; ++i) {
            if (k.update(i < 2500 ? g.normal() : g.normal(0.7, 1.0))) h = mldp::hash_value(i, h);
        }
        line("kswin(seed 42).detections", h);
        line("kswin(seed 42).last_p_value", k.p_value());
    }
    // loss: RLW's seeded weights and PCGrad's seeded task orders (on a fixed Gram matrix)
    {
        mldp::loss::weighting::rlw r(42);
        const std::vector<double> losses{1.0, 2.0, 3.0, 4.0};
        for (int step = 0; step < 3; ++step) {
            const auto w = r.weights(losses);
            for (std::size_t i = 0; i < w.size(); ++i) line(("rlw(42).step" + std::to_string(step) + ".w" + std::to_string(i)).c_str(), w[i]);
        }
        const xt::xtensor<double, 2> gram = {{4.0, -3.0, 1.0, -2.0}, {-3.0, 5.0, -1.0, 0.5}, {1.0, -1.0, 3.0, -2.5}, {-2.0, 0.5, -2.5, 6.0}};
        mldp::loss::pcgrad p(true, 42);
        for (int step = 0; step < 3; ++step) {
            const auto w = p.weights_from_gram(gram);
            for (std::size_t i = 0; i < w.size(); ++i) line(("pcgrad(42).step" + std::to_string(step) + ".w" + std::to_string(i)).c_str(), w(i));
        }
    }
    // loss: the BCE value and gradient bits on seeded logits, through the loss's own driver with each
    // arithmetic class's scalar kernel (every variant of a class gives the same bits), so that the
    // lines do not depend on the CPU; then the API itself, which must equal its class's lines.
    {
        mldp::rng g{root.derive("bce")};
        const std::size_t n = 1001;
        xt::xtensor<double, 2> z = xt::zeros<double>({n, std::size_t{3}}), y = xt::zeros<double>({n, std::size_t{3}});
        std::vector<double> w(n);
        for (std::size_t k = 0; k < 3 * n; ++k) {
            z.data()[k] = g.normal() * (k % 11 == 0 ? 300.0 : 3.0);
            y.data()[k] = k % 7 == 0 ? g.uniform01() : (g.uniform01() < 0.3 ? 1.0 : 0.0);
        }
        for (auto& v : w) v = 0.5 + g.uniform01();
        const std::vector<double> alpha{0.5, 0.3, 0.2};
        const mldp::loss::loss_weights lw(w, alpha);
        namespace ld = mldp::loss::detail;
        auto bits = [](const mldp::loss::loss_value& r) {
            std::uint64_t h = 0;
            for (std::size_t k = 0; k < r.gradient.size(); ++k) h = mldp::hash_value(r.gradient.data()[k], h);
            return std::pair<double, std::uint64_t>{r.value, h};
        };
        const auto api = bits(mldp::loss::binary_cross_entropy_with_logits(z, y, lw));
        bool api_matches = false;
        for (const auto& [name, kernel] : {std::pair<const char*, ld::bce_kernel_fn>{"fma", ld::bce_kernel_scalar},
                                           std::pair<const char*, ld::bce_kernel_fn>{"separate", ld::bce_kernel_scalar_separate}}) {
            const auto r = bits(ld::value_and_gradient(ld::bce_op{kernel}, z, y, lw, mldp::loss::reduction::mean, ld::bce_names));
            line(("bce(seeded 1001x3, " + std::string(name) + ").value").c_str(), r.first);
            line(("bce(seeded 1001x3, " + std::string(name) + ").gradient").c_str(), r.second);
            const bool this_class = ld::best_bce_variant().reference == kernel;
            if (this_class) api_matches = std::memcmp(&api.first, &r.first, sizeof api.first) == 0 && api.second == r.second;
        }
        std::printf("bce(seeded 1001x3) equals its class's lines: %s\n", api_matches ? "yes" : "NO");
    }
    return 0;
}

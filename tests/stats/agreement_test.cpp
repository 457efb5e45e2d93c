#include "mldp/stats/agreement.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <xtensor/xtensor.hpp>

#include "agreement_vectors.hpp"
#include "close.hpp"
#include "recipe.hpp"

namespace {

using mldp::stats::alpha_level;
using mldp::stats::fleiss_method;
using mldp::stats::kappa_weights;

constexpr double nan_v = std::numeric_limits<double>::quiet_NaN();

// A value published rounded to `decimals` places: |x - published| <= half a unit in the last place.
bool rounds_to(double x, double published, int decimals) {
    return std::fabs(x - published) <= 0.5 * std::pow(10.0, -decimals) * (1.0 + 1e-9);
}

// The label pair of tests/oracles/agreement_vectors.py (label_pairs), integer arithmetic only.
void label_pair(const oracle::agreement::kappa_case& c, std::vector<int>& a, std::vector<int>& b) {
    a.assign(c.n, 0);
    b.assign(c.n, 0);
    for (std::uint64_t i = 0; i < c.n; ++i) {
        const auto ca = static_cast<int>(((i * 7919 + c.seed) % 97) % c.k);
        const auto cb = (i * 104729 + c.seed * 31) % 11 < 6 ? ca : static_cast<int>(((i * 7907 + c.seed * 13) % 89) % c.k);
        a[i] = ca * c.step + c.offset;
        b[i] = cb * c.step + c.offset;
    }
}

// Label pairs that reproduce a confusion table (rater a = row index, rater b = column index).
void expand(const std::vector<std::vector<int>>& table, std::vector<int>& a, std::vector<int>& b) {
    a.clear();
    b.clear();
    for (std::size_t i = 0; i < table.size(); ++i)
        for (std::size_t j = 0; j < table[i].size(); ++j)
            for (int t = 0; t < table[i][j]; ++t) {
                a.push_back(static_cast<int>(i));
                b.push_back(static_cast<int>(j));
            }
}

const std::vector<std::vector<double>> table10{{0, 4, 1}, {0, 8, 0}, {0, 1, 5}};

// statsmodels/stats/tests/test_inter_rater.py: table1, the "Fleiss' kappa" Wikipedia example
// (10 subjects, 14 raters, 5 categories).
const std::vector<std::vector<double>> wikipedia{{0, 0, 0, 0, 14}, {0, 2, 6, 4, 2}, {0, 0, 3, 5, 6}, {0, 3, 9, 2, 0},
                                                 {2, 2, 8, 1, 1},  {7, 7, 0, 0, 0}, {3, 2, 6, 3, 0}, {2, 5, 3, 2, 2},
                                                 {6, 5, 2, 1, 0},  {0, 2, 2, 3, 7}};

// statsmodels/stats/tests/test_inter_rater.py: diagnoses (Fleiss 1971; 30 patients x 6 psychiatrists,
// diagnoses 1..5), aggregated to counts per category as statsmodels' aggregate_raters does.
std::vector<std::vector<double>> diagnoses_counts() {
    const std::vector<std::vector<int>> d{
        {4, 4, 4, 4, 4, 4}, {2, 2, 2, 5, 5, 5}, {2, 3, 3, 3, 3, 5}, {5, 5, 5, 5, 5, 5}, {2, 2, 2, 4, 4, 4},
        {1, 1, 3, 3, 3, 3}, {3, 3, 3, 3, 5, 5}, {1, 1, 3, 3, 3, 4}, {1, 1, 4, 4, 4, 4}, {5, 5, 5, 5, 5, 5},
        {1, 4, 4, 4, 4, 4}, {1, 2, 4, 4, 4, 4}, {2, 2, 2, 3, 3, 3}, {1, 4, 4, 4, 4, 4}, {2, 2, 4, 4, 4, 5},
        {3, 3, 3, 3, 3, 5}, {1, 1, 1, 4, 5, 5}, {1, 1, 1, 1, 1, 2}, {2, 2, 4, 4, 4, 4}, {1, 3, 3, 5, 5, 5},
        {5, 5, 5, 5, 5, 5}, {2, 4, 4, 4, 4, 4}, {2, 2, 4, 5, 5, 5}, {1, 1, 4, 4, 4, 4}, {1, 4, 4, 4, 4, 5},
        {2, 2, 2, 2, 2, 4}, {1, 1, 1, 1, 5, 5}, {2, 2, 4, 4, 4, 4}, {1, 3, 3, 3, 3, 3}, {5, 5, 5, 5, 5, 5}};
    std::vector<std::vector<double>> counts(d.size(), std::vector<double>(5, 0.0));
    for (std::size_t i = 0; i < d.size(); ++i)
        for (int v : d[i]) counts[i][static_cast<std::size_t>(v - 1)] += 1.0;
    return counts;
}

// Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers x 12 units,
// also fast-krippendorff's ordinal / ratio test data (pln-fing-udelar/fast-krippendorff,
// tests/test_krippendorff.py).
const std::vector<std::vector<double>> krippendorff_c{{1, 2, 3, 3, 2, 1, 4, 1, 2, nan_v, nan_v, nan_v},
                                                      {1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan_v, 3},
                                                      {nan_v, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan_v},
                                                      {1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan_v}};

// fast-krippendorff's nominal / interval test data (tests/test_krippendorff.py): 3 raters x 15 units.
const std::vector<std::vector<double>> fast_krippendorff{
    {nan_v, nan_v, nan_v, nan_v, nan_v, 3, 4, 1, 2, 1, 1, 3, 3, nan_v, 3},
    {1, nan_v, 2, 1, 3, 3, 4, 3, nan_v, nan_v, nan_v, nan_v, nan_v, nan_v, nan_v},
    {nan_v, nan_v, 2, 1, 3, 4, 4, nan_v, 2, 1, 1, 3, 3, nan_v, 4}};

// Brute-force alpha, written from the `krippendorff` package's definition rather than from mldp's
// closed forms: enumerate every ordered pair of values within each unit into the coincidence matrix
// o (weight 1 / (m_u - 1)), take n_c = row sums, e_ck = (n_c n_k - [c = k] n_c) / (n - 1), the
// package's difference functions d_ck, and alpha = 1 - sum o d / sum e d.
double brute_force_alpha(const std::vector<std::vector<double>>& r, alpha_level level) {
    std::vector<double> domain;
    for (const auto& row : r)
        for (double v : row)
            if (!std::isnan(v)) domain.push_back(v);
    std::sort(domain.begin(), domain.end());
    domain.erase(std::unique(domain.begin(), domain.end()), domain.end());
    const std::size_t v = domain.size();
    auto idx = [&](double x) { return static_cast<std::size_t>(std::lower_bound(domain.begin(), domain.end(), x) - domain.begin()); };
    std::vector<std::vector<double>> o(v, std::vector<double>(v, 0.0));
    for (std::size_t u = 0; u < r[0].size(); ++u) {
        std::vector<double> vals;
        for (const auto& row : r)
            if (!std::isnan(row[u])) vals.push_back(row[u]);
        if (vals.size() < 2) continue;
        for (std::size_t i = 0; i < vals.size(); ++i)
            for (std::size_t j = 0; j < vals.size(); ++j)
                if (i != j) o[idx(vals[i])][idx(vals[j])] += 1.0 / static_cast<double>(vals.size() - 1);
    }
    std::vector<double> nc(v, 0.0);
    double n = 0.0;
    for (std::size_t c = 0; c < v; ++c) {
        for (std::size_t k = 0; k < v; ++k) nc[c] += o[c][k];
        n += nc[c];
    }
    double num = 0.0, den = 0.0;
    for (std::size_t c = 0; c < v; ++c) {
        for (std::size_t k = 0; k < v; ++k) {
            double d = 0.0;
            const double x = domain[c], y = domain[k];
            switch (level) {
                case alpha_level::nominal: d = x != y ? 1.0 : 0.0; break;
                case alpha_level::interval: d = (x - y) * (x - y); break;
                case alpha_level::ratio: d = x + y != 0.0 ? ((x - y) / (x + y)) * ((x - y) / (x + y)) : 0.0; break;
                case alpha_level::ordinal: {
                    double s = 0.0;
                    for (std::size_t g = (std::min)(c, k); g <= (std::max)(c, k); ++g) s += nc[g];
                    s -= (nc[c] + nc[k]) / 2.0;
                    d = s * s;
                    break;
                }
            }
            const double e = (nc[c] * nc[k] - (c == k ? nc[c] : 0.0)) / (n - 1.0);
            num += o[c][k] * d;
            den += e * d;
        }
    }
    return 1.0 - num / den;
}

}  // namespace

// statsmodels' SAS example table [[0,4,1],[0,8,0],[0,1,5]] (stats/tests/test_inter_rater.py): SAS prints
// kappa 0.4842, ASE 0.1380, ASE under H0 0.1484; weighted (linear) 0.4701, 0.1457, 0.1426.
TEST_CASE("cohen_kappa_from_table on statsmodels' SAS example") {
    const auto none = mldp::stats::cohen_kappa_from_table(table10);
    CHECK(rounds_to(none.kappa, 0.4842, 4));
    CHECK(rounds_to(none.std_error, 0.1380, 4));
    CHECK(rounds_to(none.std_error_h0, 0.1484, 4));
    const auto linear = mldp::stats::cohen_kappa_from_table(table10, kappa_weights::linear);
    CHECK(rounds_to(linear.kappa, 0.4701, 4));
    CHECK(rounds_to(linear.std_error, 0.1457, 4));
    CHECK(rounds_to(linear.std_error_h0, 0.1426, 4));
    CHECK(rounds_to(linear.kappa / linear.std_error_h0, 3.2971, 4));  // SAS's Z

    // Hand derivation: 13 of 19 on the diagonal; rows (5, 8, 6), columns (0, 13, 6), p_e = 140 / 361.
    CHECK_CLOSE(none.observed_agreement, 13.0 / 19.0, 1e-15);
    CHECK_CLOSE(none.expected_agreement, 140.0 / 361.0, 1e-15);
    CHECK(none.n == 19);
    CHECK(none.categories == 3);

    // statsmodels 0.13.5 at full precision (tests/stats/agreement_vectors.hpp).
    namespace o = oracle::agreement;
    const std::pair<kappa_weights, o::weighted_kappa> all[] = {
        {kappa_weights::none, o::table10_none}, {kappa_weights::linear, o::table10_linear}, {kappa_weights::quadratic, o::table10_quadratic}};
    const xt::xtensor<int, 2> as_tensor = {{0, 4, 1}, {0, 8, 0}, {0, 1, 5}};
    std::vector<int> a, b;
    expand({{0, 4, 1}, {0, 8, 0}, {0, 1, 5}}, a, b);
    for (const auto& [w, ref] : all) {
        const auto r = mldp::stats::cohen_kappa_from_table(table10, w);
        CHECK_CLOSE(r.kappa, ref.statsmodels, 1e-14);
        CHECK_CLOSE(r.std_error, ref.std_kappa, 1e-12);
        CHECK_CLOSE(r.std_error_h0, ref.std_kappa0, 1e-12);
        const auto t = mldp::stats::cohen_kappa_from_table(as_tensor, w);
        CHECK(t.kappa == r.kappa);
        CHECK(t.std_error == r.std_error);
        // The same items as labels (row 0 has items, so label 0 is in the union): the same kappa.
        const auto l = mldp::stats::cohen_kappa(a, b, w);
        CHECK_CLOSE(l.kappa, ref.statsmodels, 1e-14);
        CHECK_CLOSE(l.std_error_h0, ref.std_kappa0, 1e-12);
        CHECK(l.categories == 3);
    }
}

// Reference values: tests/stats/agreement_vectors.hpp (sklearn 1.2.1 cohen_kappa_score, statsmodels
// 0.13.5 cohens_kappa on sklearn's confusion_matrix), on the integer recipe's label pairs.
TEST_CASE("cohen_kappa agrees with scikit-learn and statsmodels on recipe label pairs") {
    std::vector<int> a, b;
    for (const auto& c : oracle::agreement::kappa_cases) {
        label_pair(c, a, b);
        INFO("seed " << c.seed);
        const std::pair<kappa_weights, oracle::agreement::weighted_kappa> all[] = {
            {kappa_weights::none, c.none}, {kappa_weights::linear, c.linear}, {kappa_weights::quadratic, c.quadratic}};
        for (const auto& [w, ref] : all) {
            const auto r = mldp::stats::cohen_kappa(a, b, w);
            CHECK_CLOSE(r.kappa, ref.sklearn, 1e-12);
            CHECK_CLOSE(r.kappa, ref.statsmodels, 1e-12);
            CHECK_CLOSE(r.std_error, ref.std_kappa, 1e-12);
            CHECK_CLOSE(r.std_error_h0, ref.std_kappa0, 1e-12);
            CHECK(r.n == c.n);
            CHECK(r.categories == c.categories);
        }
        // Other integer containers and integral doubles give the same numbers.
        const std::vector<double> ad(a.begin(), a.end()), bd(b.begin(), b.end());
        xt::xtensor<std::int64_t, 1> at = xt::zeros<std::int64_t>({a.size()}), bt = at;
        for (std::size_t i = 0; i < a.size(); ++i) {
            at(i) = a[i];
            bt(i) = b[i];
        }
        const auto ref = mldp::stats::cohen_kappa(a, b, kappa_weights::quadratic);
        CHECK(mldp::stats::cohen_kappa(ad, bd, kappa_weights::quadratic).kappa == ref.kappa);
        CHECK(mldp::stats::cohen_kappa(at, bt, kappa_weights::quadratic).kappa == ref.kappa);
    }
}

// Reference: tests/stats/agreement_vectors.hpp (strings_*). Categories sort by byte: Cat < bird < cat.
TEST_CASE("cohen_kappa on string labels") {
    const std::vector<std::string> a{"cat", "dog", "cat", "bird", "dog", "dog", "cat", "fish", "bird", "cat", "dog", "Cat"};
    const std::vector<std::string> b{"cat", "dog", "dog", "bird", "dog", "cat", "cat", "bird", "bird", "cat", "fish", "cat"};
    namespace o = oracle::agreement;
    const std::pair<kappa_weights, o::weighted_kappa> all[] = {
        {kappa_weights::none, o::strings_none}, {kappa_weights::linear, o::strings_linear}, {kappa_weights::quadratic, o::strings_quadratic}};
    for (const auto& [w, ref] : all) {
        const auto r = mldp::stats::cohen_kappa(a, b, w);
        CHECK_CLOSE(r.kappa, ref.sklearn, 1e-12);
        CHECK_CLOSE(r.std_error, ref.std_kappa, 1e-12);
        CHECK_CLOSE(r.std_error_h0, ref.std_kappa0, 1e-12);
        CHECK(r.categories == 5);
    }
    const std::vector<std::string_view> av(a.begin(), a.end());
    const std::vector<const char*> bc{"cat", "dog", "dog", "bird", "dog", "cat", "cat", "bird", "bird", "cat", "fish", "cat"};
    CHECK(mldp::stats::cohen_kappa(av, bc).kappa == mldp::stats::cohen_kappa(a, b).kappa);
}

// R irr::kappa2 on raters 2 and 3 of the anxiety data (printed in statsmodels'
// stats/tests/test_inter_rater.py, test_cohens_kappa_irr): category 5 is used by neither rater and
// is left out, as sklearn's label union does.
TEST_CASE("cohen_kappa matches R irr::kappa2 on the anxiety data") {
    const std::vector<int> anxiety{3, 3, 3, 4, 5, 5, 2, 3, 5, 2, 2, 6, 1, 5, 2, 2, 1, 2, 4, 3, 3, 6, 4, 6, 2, 4, 2, 4, 3, 3,
                                   2, 3, 3, 3, 2, 2, 1, 3, 3, 4, 2, 1, 4, 4, 3, 2, 1, 6, 1, 1, 1, 2, 3, 3, 1, 1, 3, 3, 2, 2};
    // reshape(20, 3, order='F'): rater 2 is elements 20..39, rater 3 elements 40..59.
    const std::vector<int> r2(anxiety.begin() + 20, anxiety.begin() + 40), r3(anxiety.begin() + 40, anxiety.end());
    const auto none = mldp::stats::cohen_kappa(r2, r3);
    const auto equal = mldp::stats::cohen_kappa(r2, r3, kappa_weights::linear);
    const auto squared = mldp::stats::cohen_kappa(r2, r3, kappa_weights::quadratic);
    CHECK(none.categories == 5);
    CHECK_CLOSE(none.kappa, -0.006289308, 1e-6);
    CHECK_CLOSE(equal.kappa, 0.1459075, 1e-6);
    CHECK_CLOSE(squared.kappa, 0.2520325, 1e-6);
    CHECK_CLOSE(none.kappa / none.std_error_h0, -0.0604067, 1e-5);
    CHECK_CLOSE(equal.kappa / equal.std_error_h0, 1.282472, 1e-5);
    CHECK_CLOSE(squared.kappa / squared.std_error_h0, 1.437451, 1e-5);
}

TEST_CASE("cohen_kappa edge cases") {
    // One category: p_e = 1, kappa undefined (sklearn returns nan with a warning; statsmodels nan).
    const auto one = mldp::stats::cohen_kappa(std::vector<int>{2, 2, 2}, std::vector<int>{2, 2, 2}, kappa_weights::linear);
    CHECK(std::isnan(one.kappa));
    CHECK(one.categories == 1);
    CHECK(one.observed_agreement == 1.0);
    CHECK(std::isnan(mldp::stats::cohen_kappa_from_table({{5}}).kappa));
    // Perfect agreement on two categories: kappa 1, standard error 0 (not NaN from a -0 variance).
    const auto perfect = mldp::stats::cohen_kappa(std::vector<int>{0, 1, 1, 0}, std::vector<int>{0, 1, 1, 0});
    CHECK(perfect.kappa == 1.0);
    CHECK(perfect.std_error == doctest::Approx(0.0));
    // Complete disagreement with balanced margins: kappa -1 (hand derivation: p_o 0, p_e 1/2).
    CHECK(mldp::stats::cohen_kappa(std::vector<int>{0, 1}, std::vector<int>{1, 0}).kappa == -1.0);
    // A category neither rater used stays in a table's weights (statsmodels) but not in the label
    // union (sklearn): the weighted kappas differ. Reference: tests/stats/agreement_vectors.hpp.
    const std::vector<std::vector<double>> gap{{3, 0, 1, 0}, {0, 0, 0, 0}, {1, 0, 4, 1}, {0, 0, 1, 2}};
    std::vector<int> ga, gb;
    expand({{3, 0, 1, 0}, {0, 0, 0, 0}, {1, 0, 4, 1}, {0, 0, 1, 2}}, ga, gb);
    namespace o = oracle::agreement;
    const std::pair<kappa_weights, o::weighted_kappa> all[] = {
        {kappa_weights::none, o::table_gap_none}, {kappa_weights::linear, o::table_gap_linear}, {kappa_weights::quadratic, o::table_gap_quadratic}};
    for (const auto& [w, ref] : all) {
        const auto table = mldp::stats::cohen_kappa_from_table(gap, w);
        const auto labels = mldp::stats::cohen_kappa(ga, gb, w);
        CHECK_CLOSE(table.kappa, ref.statsmodels, 1e-14);
        CHECK_CLOSE(table.std_error, ref.std_kappa, 1e-12);
        CHECK_CLOSE(table.std_error_h0, ref.std_kappa0, 1e-12);
        CHECK_CLOSE(labels.kappa, ref.sklearn, 1e-14);
        CHECK(table.categories == 4);
        CHECK(labels.categories == 3);
        CHECK((w == kappa_weights::none) == (std::fabs(table.kappa - labels.kappa) < 1e-12));
    }
}

// Reference: the Wikipedia article "Fleiss' kappa" (P = 0.378, P_e = 0.213, kappa = 0.210), R irr
// kappam.fleiss on the diagnoses (0.4302445, z = 17.65183, in statsmodels' test_fleiss_kappa_irr), and
// statsmodels 0.13.5 at full precision (tests/stats/agreement_vectors.hpp).
TEST_CASE("fleiss_kappa on the Wikipedia table and Fleiss (1971) diagnoses") {
    const auto wp = mldp::stats::fleiss_kappa(wikipedia);
    CHECK(rounds_to(wp.kappa, 0.210, 3));
    CHECK(rounds_to(wp.observed_agreement, 0.378, 3));
    CHECK(rounds_to(wp.expected_agreement, 0.213, 3));
    CHECK_CLOSE(wp.kappa, oracle::agreement::wikipedia_fleiss, 1e-14);
    CHECK(wp.subjects == 10);
    CHECK(wp.raters == 14);
    CHECK(wp.categories == 5);
    const auto wp_r = mldp::stats::fleiss_kappa(wikipedia, fleiss_method::randolph);
    CHECK_CLOSE(wp_r.kappa, oracle::agreement::wikipedia_randolph, 1e-14);
    CHECK(std::isnan(wp_r.std_error_h0));

    const auto counts = diagnoses_counts();
    const auto d = mldp::stats::fleiss_kappa(counts);
    CHECK(rounds_to(d.kappa, 0.4302445, 7));
    CHECK_CLOSE(d.kappa, oracle::agreement::diagnoses_fleiss, 1e-14);
    CHECK_CLOSE(d.kappa / d.std_error_h0, 17.65183, 1e-6);
    CHECK_CLOSE(mldp::stats::fleiss_kappa(counts, fleiss_method::randolph).kappa, oracle::agreement::diagnoses_randolph, 1e-14);

    xt::xtensor<double, 2> t = xt::zeros<double>({counts.size(), std::size_t{5}});
    for (std::size_t i = 0; i < counts.size(); ++i)
        for (std::size_t j = 0; j < 5; ++j) t(i, j) = counts[i][j];
    CHECK(mldp::stats::fleiss_kappa(t).kappa == d.kappa);
}

// statsmodels' test_fleis_randolph: values from Randolph's online calculator (6 decimals).
TEST_CASE("fleiss_kappa and Randolph's free-marginal kappa on small tables") {
    CHECK(rounds_to(mldp::stats::fleiss_kappa({{7, 1}, {3, 5}}).kappa, 0.161905, 6));
    CHECK(rounds_to(mldp::stats::fleiss_kappa({{7, 1}, {3, 5}}, fleiss_method::randolph).kappa, 0.214286, 6));
    CHECK(rounds_to(mldp::stats::fleiss_kappa({{6, 1, 0}, {0, 7, 0}}).kappa, 0.708333, 6));
    CHECK(rounds_to(mldp::stats::fleiss_kappa({{6, 1, 0}, {0, 7, 0}}, fleiss_method::randolph).kappa, 0.785714, 6));
    CHECK(mldp::stats::fleiss_kappa({{7, 0}, {0, 7}}).kappa == 1.0);
    CHECK(mldp::stats::fleiss_kappa({{7, 0}, {7, 0}}, fleiss_method::randolph).kappa == 1.0);
    // Every rating in one category: chance agreement 1, kappa undefined (statsmodels: nan).
    CHECK(std::isnan(mldp::stats::fleiss_kappa({{7, 0}, {7, 0}}).kappa));
}

// Published values: fast-krippendorff's tests (pln-fing-udelar/fast-krippendorff,
// tests/test_krippendorff.py): nominal 0.691358, interval 0.810845 on its 3 x 15 data; Krippendorff
// (2011) section C: nominal 0.743, ordinal 0.815, interval 0.849, ratio 0.797 (ordinal and ratio also
// asserted by the package's tests).
TEST_CASE("krippendorff_alpha on the published reliability data") {
    const auto nominal = mldp::stats::krippendorff_alpha(fast_krippendorff, alpha_level::nominal);
    CHECK(rounds_to(nominal.alpha, 0.691358, 6));
    CHECK(rounds_to(mldp::stats::krippendorff_alpha(fast_krippendorff, alpha_level::interval).alpha, 0.810845, 6));
    // Units 2 and 14 have no value, unit 1 only one: 12 pairable units.
    CHECK(nominal.units == 12);

    const auto c_nominal = mldp::stats::krippendorff_alpha(krippendorff_c, alpha_level::nominal);
    CHECK(rounds_to(c_nominal.alpha, 0.743, 3));
    CHECK(rounds_to(mldp::stats::krippendorff_alpha(krippendorff_c, alpha_level::ordinal).alpha, 0.815, 3));
    CHECK(rounds_to(mldp::stats::krippendorff_alpha(krippendorff_c, alpha_level::interval).alpha, 0.849, 3));
    CHECK(rounds_to(mldp::stats::krippendorff_alpha(krippendorff_c, alpha_level::ratio).alpha, 0.797, 3));
    // Krippendorff (2011): n = 40 pairable values in 11 units (unit 12 has one value), 5 values.
    CHECK(c_nominal.pairable_values == 40);
    CHECK(c_nominal.units == 11);
    CHECK(c_nominal.distinct_values == 5);

    // The package's remaining tests: ratio with zeros, perfect agreement, string labels as codes
    // (pos = 0, neg = 1, neu = 2; nominal only compares for equality).
    CHECK(mldp::stats::krippendorff_alpha({{0, 1, 2}, {0, 1, 2}}, alpha_level::ratio).alpha == 1.0);
    const std::vector<std::vector<double>> perfect{{1, 2, 3, 4}, {1, 2, 3, 4}, {1, 2, 3, 4}};
    CHECK(mldp::stats::krippendorff_alpha(perfect, alpha_level::nominal).alpha == 1.0);
    CHECK(mldp::stats::krippendorff_alpha(perfect, alpha_level::interval).alpha == 1.0);
    CHECK(rounds_to(mldp::stats::krippendorff_alpha({{0, 1, 2, nan_v}, {0, 1, 2, 0}, {0, 1, 0, 0}}, alpha_level::nominal).alpha,
                    0.722222, 6));
}

TEST_CASE("krippendorff_alpha equals the brute-force coincidence-matrix definition") {
    // Random raters x units matrices from tests/stats/recipe.hpp's LCG: values 1..6, about 30% missing.
    for (std::uint64_t seed = 1; seed <= 40; ++seed) {
        const std::size_t raters = 2 + seed % 4, units = 3 + (seed * 7) % 13;
        const auto u = oracle::lcg_draws(seed, 2 * raters * units);
        std::vector<std::vector<double>> m(raters, std::vector<double>(units));
        for (std::size_t i = 0; i < raters; ++i)
            for (std::size_t j = 0; j < units; ++j) {
                const std::size_t t = 2 * (i * units + j);
                m[i][j] = u[t] < 0.3 ? nan_v : std::floor(u[t + 1] * 6.0) + 1.0;
            }
        INFO("seed " << seed);
        for (auto level : {alpha_level::nominal, alpha_level::ordinal, alpha_level::interval, alpha_level::ratio}) {
            mldp::stats::alpha_result r;
            try {
                r = mldp::stats::krippendorff_alpha(m, level);
            } catch (const mldp::data_error&) {
                continue;  // no pairable unit in this draw
            }
            const double brute = brute_force_alpha(m, level);
            if (std::isnan(brute)) {
                CHECK(std::isnan(r.alpha));
            } else {
                CHECK_CLOSE(r.alpha, brute, 1e-12);
            }
        }
        // Interval alpha is invariant under an affine change of scale; nominal under relabelling.
        auto scaled = m;
        for (auto& row : scaled)
            for (double& x : row) x = 2.5 * x - 7.0;
        try {
            CHECK_CLOSE(mldp::stats::krippendorff_alpha(scaled, alpha_level::interval).alpha,
                        mldp::stats::krippendorff_alpha(m, alpha_level::interval).alpha, 1e-12);
            CHECK_CLOSE(mldp::stats::krippendorff_alpha(scaled, alpha_level::nominal).alpha,
                        mldp::stats::krippendorff_alpha(m, alpha_level::nominal).alpha, 1e-12);
        } catch (const mldp::data_error&) {
        }
    }
    // xtensor input with NaN.
    xt::xtensor<double, 2> t = xt::zeros<double>({std::size_t{4}, std::size_t{12}});
    for (std::size_t i = 0; i < 4; ++i)
        for (std::size_t j = 0; j < 12; ++j) t(i, j) = krippendorff_c[i][j];
    CHECK(mldp::stats::krippendorff_alpha(t, alpha_level::ordinal).alpha ==
          mldp::stats::krippendorff_alpha(krippendorff_c, alpha_level::ordinal).alpha);
    // All pairable values equal: no expected disagreement, alpha undefined (the package raises).
    CHECK(std::isnan(mldp::stats::krippendorff_alpha({{1, 1}, {1, 1}}, alpha_level::nominal).alpha));
}

TEST_CASE("agreement inputs are validated") {
    using mldp::data_error;
    using mldp::invalid_argument;
    const std::vector<int> a3{1, 2, 3}, a2{1, 2};
    CHECK_THROWS_WITH_AS(mldp::stats::cohen_kappa(a3, a2), doctest::Contains("rater_a has 3 labels and rater_b has 2"),
                         invalid_argument);
    CHECK_THROWS_AS(mldp::stats::cohen_kappa(std::vector<int>{}, std::vector<int>{}), data_error);
    CHECK_THROWS_WITH_AS(mldp::stats::cohen_kappa(std::vector<double>{1, 2, 3}, std::vector<double>{1, 2, nan_v}),
                         doctest::Contains("column 'rater_b', row 2"), data_error);
    CHECK_THROWS_WITH_AS(mldp::stats::cohen_kappa(std::vector<double>{1, 2.5}, std::vector<double>{1, 2}),
                         doctest::Contains("not an integer"), data_error);
    CHECK_THROWS_AS(mldp::stats::cohen_kappa_from_table({{1, 2, 3}, {4, 5, 6}}), invalid_argument);
    CHECK_THROWS_AS(mldp::stats::cohen_kappa_from_table({{1, 2}, {4}}), invalid_argument);
    CHECK_THROWS_WITH_AS(mldp::stats::cohen_kappa_from_table({{1, 2}, {-4, 5}}), doctest::Contains("column 'table', row 1"),
                         data_error);
    CHECK_THROWS_AS(mldp::stats::cohen_kappa_from_table({{0, 0}, {0, 0}}), data_error);
    CHECK_THROWS_AS(mldp::stats::cohen_kappa_from_table(std::vector<std::vector<double>>{}), data_error);
    CHECK_THROWS_AS(mldp::stats::cohen_kappa_from_table(xt::xtensor<double, 1>{1, 2}), invalid_argument);

    CHECK_THROWS_WITH_AS(mldp::stats::fleiss_kappa({{3, 1}, {2, 2}, {1, 2}}), doctest::Contains("column 'counts', row 2"),
                         data_error);
    CHECK_THROWS_WITH_AS(mldp::stats::fleiss_kappa({{3, 1}, {5, -1}}), doctest::Contains("row 1"), data_error);
    CHECK_THROWS_AS(mldp::stats::fleiss_kappa({{1, 0}, {0, 1}}), data_error);  // one rater per subject
    CHECK_THROWS_AS(mldp::stats::fleiss_kappa({{1.5, 0.5}, {1, 1}}), data_error);
    CHECK_THROWS_AS(mldp::stats::fleiss_kappa(std::vector<std::vector<double>>{}), data_error);

    CHECK_THROWS_WITH_AS(mldp::stats::krippendorff_alpha({{1, nan_v}, {nan_v, 2}}, alpha_level::interval),
                         doctest::Contains("no unit has values from two or more raters"), data_error);
    CHECK_THROWS_AS(mldp::stats::krippendorff_alpha({{1, 2}, {1, INFINITY}}, alpha_level::interval), data_error);
    CHECK_THROWS_AS(mldp::stats::krippendorff_alpha({{1, 2}, {1, -2}}, alpha_level::ratio), data_error);
    CHECK_THROWS_AS(mldp::stats::krippendorff_alpha({{1, 2}, {1}}, alpha_level::nominal), invalid_argument);
    CHECK_THROWS_AS(mldp::stats::krippendorff_alpha(std::vector<std::vector<double>>{}, alpha_level::nominal), data_error);
}

TEST_CASE("agreement results print and convert to JSON") {
    const auto k = mldp::stats::cohen_kappa_from_table(table10);
    CHECK(fmt::format("{}", k) == "kappa 0.4842 (observed 0.6842, expected 0.3878, se 0.1380; n=19 categories=3)");
    const nlohmann::json jk = k;
    CHECK(jk["n"] == 19);
    CHECK(jk["kappa"].get<double>() == k.kappa);
    const nlohmann::json jn = mldp::stats::cohen_kappa(std::vector<int>{1, 1}, std::vector<int>{1, 1});
    CHECK(jn["kappa"].is_null());

    const auto f = mldp::stats::fleiss_kappa(wikipedia);
    CHECK(fmt::format("{}", f) == "kappa 0.2099 (observed 0.3780, expected 0.2128; subjects=10 raters=14 categories=5)");
    CHECK(nlohmann::json(f)["raters"] == 14);

    const auto a = mldp::stats::krippendorff_alpha(krippendorff_c, alpha_level::nominal);
    CHECK(fmt::format("{}", a).rfind("alpha 0.7434 (observed disagreement", 0) == 0);
    CHECK(nlohmann::json(a)["pairable_values"] == 40);
}

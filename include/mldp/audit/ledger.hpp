// mldp — hypothesis_ledger: a guard against data dredging. Every test run against a dataset is
// recorded (name, p-value), and the report says which findings survive a family-wise correction
// (Holm by default) and a false-discovery-rate correction (Benjamini-Hochberg by default) over
// everything that was tried, not only over what is being reported. Mergeable and serializable, so
// that a ledger can follow a dataset across notebooks, jobs and machines.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "mldp/core/archive.hpp"
#include "mldp/core/error.hpp"
#include "mldp/stats/multiple_testing.hpp"

namespace mldp::audit {

/// One recorded test with its adjusted p-values and verdicts at the ledger's alpha.
struct ledger_entry {
    std::string name;
    double p_value = 0.0;
    double p_family = 0.0;  ///< adjusted for the family-wise error rate (Holm by default)
    double p_fdr = 0.0;     ///< adjusted for the false discovery rate (Benjamini-Hochberg by default)
    bool significant = false;         ///< p_value <= alpha, uncorrected
    bool significant_family = false;  ///< p_family <= alpha
    bool significant_fdr = false;     ///< p_fdr <= alpha
};

/// What the ledger says about everything recorded so far.
struct ledger_report {
    std::string dataset;
    double alpha = 0.05;
    std::size_t tests = 0;
    std::size_t significant = 0, significant_family = 0, significant_fdr = 0;
    double expected_false_positives = 0.0;  ///< tests * alpha: what chance alone gives uncorrected
    std::vector<ledger_entry> entries;      ///< in recording order
    std::vector<std::string> warnings;
    /// True when some uncorrected finding does not survive the family-wise correction.
    bool dredged() const noexcept { return significant_family < significant; }
};

/// Records hypothesis tests against one dataset. record() is O(1) amortised; report() O(m log m).
class hypothesis_ledger {
public:
    /// `dataset` names what the tests ran on; alpha in (0, 1) (invalid_argument otherwise).
    explicit hypothesis_ledger(std::string dataset = "", double alpha = 0.05,
                               stats::correction family = stats::correction::holm,
                               stats::correction fdr = stats::correction::benjamini_hochberg)
        : dataset_(std::move(dataset)), alpha_(alpha), family_(family), fdr_(fdr) {
        if (!(alpha > 0.0 && alpha < 1.0)) {
            throw invalid_argument(fmt::format("mldp::audit::hypothesis_ledger: alpha must lie in (0, 1), got {}", alpha));
        }
        const auto known = [](stats::correction c) { return static_cast<unsigned>(c) <= static_cast<unsigned>(stats::correction::benjamini_yekutieli); };
        if (!known(family) || !known(fdr)) throw invalid_argument("mldp::audit::hypothesis_ledger: unknown correction method");
    }

    /// Records one test. A repeated name is a new test (re-running a test on the same data is
    /// dredging too). Throws data_error for a p-value outside [0, 1] or NaN.
    void record(std::string name, double p_value) {
        if (!(p_value >= 0.0 && p_value <= 1.0)) {
            throw data_error("p_value", names_.size(), fmt::format("hypothesis_ledger::record: test '{}' has p-value {}, outside [0, 1]", name, p_value));
        }
        names_.push_back(std::move(name));
        p_.push_back(p_value);
    }
    /// Records a test result that has a p_value member (mldp::stats::test_result, ttest_result, ...).
    template <class R, class = decltype(std::declval<const R&>().p_value)>
    void record(std::string name, const R& result) {
        record(std::move(name), static_cast<double>(result.p_value));
    }

    std::size_t size() const noexcept { return p_.size(); }
    const std::string& dataset() const noexcept { return dataset_; }
    double alpha() const noexcept { return alpha_; }

    /// Adjusts every recorded p-value over the whole family (mldp::stats::adjust_p_values, equal to
    /// statsmodels multipletests) and warns when findings do not survive. O(m log m).
    ledger_report report() const {
        ledger_report r;
        r.dataset = dataset_;
        r.alpha = alpha_;
        r.tests = p_.size();
        r.expected_false_positives = static_cast<double>(p_.size()) * alpha_;
        if (p_.empty()) return r;
        const auto fam = stats::adjust_p_values(p_, family_);
        const auto fdr = stats::adjust_p_values(p_, fdr_);
        std::vector<std::string> lost;
        for (std::size_t i = 0; i < p_.size(); ++i) {
            ledger_entry e{names_[i], p_[i], fam[i], fdr[i], p_[i] <= alpha_, fam[i] <= alpha_, fdr[i] <= alpha_};
            r.significant += e.significant;
            r.significant_family += e.significant_family;
            r.significant_fdr += e.significant_fdr;
            if (e.significant && !e.significant_family) lost.push_back(e.name);
            r.entries.push_back(std::move(e));
        }
        if (!lost.empty()) {
            r.warnings.push_back(fmt::format("{} of {} findings significant at {} do not survive the family-wise correction over all {} tests: {}",
                                             lost.size(), r.significant, alpha_, r.tests, fmt::join(lost, ", ")));
        }
        if (r.significant > 0 && static_cast<double>(r.significant) <= r.expected_false_positives) {
            r.warnings.push_back(fmt::format("{} uncorrected findings out of {} tests is no more than the {:.2f} that chance alone gives at {}",
                                             r.significant, r.tests, r.expected_false_positives, alpha_));
        }
        return r;
    }

    /// Appends the other ledger's tests (same dataset name, alpha and corrections; invalid_argument
    /// otherwise).
    void merge(const hypothesis_ledger& other) {
        if (other.dataset_ != dataset_ || other.alpha_ != alpha_ || other.family_ != family_ || other.fdr_ != fdr_) {
            throw invalid_argument(fmt::format("mldp::audit::hypothesis_ledger::merge: ledgers of '{}' (alpha {}) and '{}' (alpha {}) differ "
                                               "in dataset, alpha or corrections",
                                               dataset_, alpha_, other.dataset_, other.alpha_));
        }
        const std::vector<std::string> names = other.names_;  // a copy: other may be *this
        const std::vector<double> p = other.p_;
        names_.insert(names_.end(), names.begin(), names.end());
        p_.insert(p_.end(), p.begin(), p.end());
    }

    /// The ledger as bytes (mldp's checked envelope, type "HLDG" version 1).
    std::vector<std::uint8_t> serialize() const {
        archive_writer w("HLDG", 1);
        w.put_string(dataset_);
        w.put_f64(alpha_);
        w.put_u8(static_cast<std::uint8_t>(family_));
        w.put_u8(static_cast<std::uint8_t>(fdr_));
        w.put_u64(p_.size());
        for (std::size_t i = 0; i < p_.size(); ++i) {
            w.put_string(names_[i]);
            w.put_f64(p_[i]);
        }
        return w.finish();
    }
    /// Restores a ledger; throws format_error for truncated or corrupt bytes.
    static hypothesis_ledger deserialize(const std::vector<std::uint8_t>& bytes) {
        archive_reader r(bytes, "HLDG", 1, 1);
        std::string dataset = r.get_string("dataset");
        const double alpha = r.get_f64("alpha");
        r.require(alpha > 0.0 && alpha < 1.0, "alpha must lie in (0, 1)");
        const auto fam = r.get_u8("family-wise correction"), fdr = r.get_u8("FDR correction");
        r.require(fam <= 3 && fdr <= 3, "unknown correction");
        hypothesis_ledger out(std::move(dataset), alpha, static_cast<stats::correction>(fam), static_cast<stats::correction>(fdr));
        const std::uint64_t n = r.get_u64("test count");
        r.require(n <= r.remaining() / 16, "the test count exceeds the bytes");
        for (std::uint64_t i = 0; i < n; ++i) {
            std::string name = r.get_string("test name");
            const double p = r.get_f64("p-value");
            r.require(p >= 0.0 && p <= 1.0, "a p-value lies outside [0, 1]");
            out.names_.push_back(std::move(name));
            out.p_.push_back(p);
        }
        r.finish();
        return out;
    }

private:
    std::string dataset_;
    double alpha_;
    stats::correction family_, fdr_;
    std::vector<std::string> names_;
    std::vector<double> p_;
};

inline void to_json(nlohmann::json& j, const ledger_entry& e) {
    j = nlohmann::json{{"name", e.name},
                       {"p_value", e.p_value},
                       {"p_family", e.p_family},
                       {"p_fdr", e.p_fdr},
                       {"significant", e.significant},
                       {"significant_family", e.significant_family},
                       {"significant_fdr", e.significant_fdr}};
}

inline void to_json(nlohmann::json& j, const ledger_report& r) {
    j = nlohmann::json{{"dataset", r.dataset},
                       {"alpha", r.alpha},
                       {"tests", r.tests},
                       {"significant", r.significant},
                       {"significant_family", r.significant_family},
                       {"significant_fdr", r.significant_fdr},
                       {"expected_false_positives", r.expected_false_positives},
                       {"dredged", r.dredged()},
                       {"entries", r.entries},
                       {"warnings", r.warnings}};
}

}  // namespace mldp::audit

/// A table: one line per test with its raw and adjusted p-values, then the warnings.
template <>
struct fmt::formatter<mldp::audit::ledger_report> {
    constexpr auto parse(fmt::format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const mldp::audit::ledger_report& r, Ctx& ctx) const {
        auto out = fmt::format_to(ctx.out(), "hypothesis ledger '{}': {} tests at alpha {}; {} significant uncorrected, {} family-wise, {} FDR\n",
                                  r.dataset, r.tests, r.alpha, r.significant, r.significant_family, r.significant_fdr);
        out = fmt::format_to(out, "{:<32} {:>12} {:>12} {:>12}\n", "test", "p", "p (family)", "p (FDR)");
        for (const auto& e : r.entries) {
            out = fmt::format_to(out, "{:<32} {:>12.4g} {:>12.4g} {:>12.4g}{}\n", e.name, e.p_value, e.p_family, e.p_fdr,
                                 e.significant_family ? "  *" : (e.significant ? "  (lost)" : ""));
        }
        for (const auto& w : r.warnings) out = fmt::format_to(out, "warning: {}\n", w);
        return out;
    }
};

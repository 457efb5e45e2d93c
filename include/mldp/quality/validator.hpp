// mldp — the composable validator:
//
//   mldp::quality::validator v;
//   v.expect(not_null("age")).expect(in_range("age", 0, 120)).expect(in_set("site", {"A", "B"}))
//    .expect(no_duplicate_rows());
//   mldp::quality::quality_report r = v.validate(frame);
//
// validate() never throws on bad data or on a check that cannot run (unknown column, wrong kind):
// both become findings. For data that arrives in pieces, begin() gives a validation_state that
// reads chunks (update) and merges with the state of other chunks (merge), so that validating the
// chunks and merging gives the report of the whole, exactly for the exact checks.
#pragma once

#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "mldp/core/error.hpp"
#include "mldp/core/frame.hpp"
#include "mldp/core/progress.hpp"
#include "mldp/quality/check.hpp"
#include "mldp/quality/report.hpp"

namespace mldp::quality {

class validator;

/// The accumulating state of a validator over the chunks it has read.
class validation_state {
public:
    /// Reads the next chunk (its rows follow the rows read so far). O(rows x checks).
    void update(const frame& chunk) { update(chunk, progress_fn{}); }
    /// As update(chunk), reporting progress in checks ("validator::validate") after each check.
    void update(const frame& chunk, const progress_fn& progress) {
        for (std::size_t i = 0; i < states_.size(); ++i) {
            states_[i]->update(chunk, rows_);
            mldp::detail::report_progress(progress, "validator::validate", i + 1, states_.size());
        }
        rows_ += chunk.rows();
    }
    /// Adds the state of the chunks that follow (same validator). Throws invalid_argument otherwise.
    void merge(const validation_state& other) {
        if (other.owner_ != owner_ || other.states_.size() != states_.size()) {
            throw invalid_argument("mldp::quality::validation_state::merge: the states come from different validators");
        }
        for (std::size_t i = 0; i < states_.size(); ++i) states_[i]->merge(*other.states_[i], rows_);
        rows_ += other.rows_;
    }
    /// The report over every row read.
    quality_report report() const {
        quality_report r;
        r.rows = rows_;
        r.checks = states_.size();
        for (const auto& s : states_) {
            auto f = s->finish(rows_);
            r.findings.insert(r.findings.end(), std::make_move_iterator(f.begin()), std::make_move_iterator(f.end()));
        }
        return r;
    }
    std::size_t rows() const noexcept { return rows_; }

    validation_state(const validation_state& o) : owner_(o.owner_), rows_(o.rows_) {
        for (const auto& s : o.states_) states_.push_back(s->clone());
    }
    validation_state& operator=(const validation_state& o) {
        if (this != &o) *this = validation_state(o);
        return *this;
    }
    validation_state(validation_state&&) noexcept = default;
    validation_state& operator=(validation_state&&) noexcept = default;

private:
    friend class validator;
    validation_state() = default;
    const void* owner_ = nullptr;
    std::vector<std::unique_ptr<check_state>> states_;
    std::size_t rows_ = 0;
};

/// A list of checks run together over a frame.
class validator {
public:
    explicit validator(report_limits limits = {}) : limits_(limits) {}

    /// Adds a check; returns *this for chaining.
    validator& expect(check c) {
        checks_.push_back(std::move(c));
        return *this;
    }
    const std::vector<check>& checks() const noexcept { return checks_; }

    /// A fresh state for chunked validation.
    validation_state begin() const {
        validation_state s;
        s.owner_ = this;
        for (const auto& c : checks_) s.states_.push_back(c.start(limits_));
        return s;
    }
    /// Validates a whole frame: begin(), update(f), report().
    quality_report validate(const frame& f) const {
        auto s = begin();
        s.update(f);
        return s.report();
    }
    /// As validate(f), reporting progress in checks ("validator::validate", done of checks().size())
    /// after each check has read the frame. The report is the same as without progress.
    quality_report validate(const frame& f, const progress_fn& progress) const {
        auto s = begin();
        s.update(f, progress);
        return s.report();
    }

private:
    report_limits limits_;
    std::vector<check> checks_;
};

}  // namespace mldp::quality

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

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <memory>
#include <thread>
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
    /// Reads the next chunk (its rows follow the rows read so far). O(rows x checks). After an
    /// exception from update (std::bad_alloc, or one the progress callback throws to cancel), the
    /// state holds part of the chunk: start again from validator::begin().
    void update(const frame& chunk) { update(chunk, progress_fn{}); }
    /// As update(chunk), reporting progress in checks ("validator::validate") after each check. With
    /// several threads (validator::threads), progress is reported on the calling thread, as checks finish.
    void update(const frame& chunk, const progress_fn& progress) {
        const std::size_t n = states_.size();
        const std::size_t threads = (std::min)(threads_, n);
        if (threads <= 1 || chunk.rows() < parallel_rows) {
            for (std::size_t i = 0; i < n; ++i) {
                states_[i]->update(chunk, rows_);
                mldp::detail::report_progress(progress, "validator::validate", i + 1, n);
            }
        } else {
            run_parallel(chunk, progress, threads);
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

    validation_state(const validation_state& o) : owner_(o.owner_), rows_(o.rows_), threads_(o.threads_) {
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

    // Chunks smaller than this run on the calling thread alone (starting threads would cost more).
    static constexpr std::size_t parallel_rows = 16384;

    // Each check reads the chunk on one thread into its own state, so the states, and the report, are
    // those of a sequential run. Checks are taken costliest first (ties in check order) by the
    // threads and the caller, which reports progress as checks finish. An exception from a check
    // (std::bad_alloc) is rethrown here, the first in check order, after every thread has stopped; one
    // from the progress callback stops the remaining checks and is rethrown the same way.
    void run_parallel(const frame& chunk, const progress_fn& progress, std::size_t threads) {
        const std::size_t n = states_.size();
        std::vector<std::size_t> order(n);
        for (std::size_t i = 0; i < n; ++i) order[i] = i;
        std::stable_sort(order.begin(), order.end(),
                         [&](std::size_t a, std::size_t b) { return states_[a]->cost() > states_[b]->cost(); });
        std::vector<std::exception_ptr> errors(n);
        std::atomic<std::size_t> next{0}, done{0};
        const std::size_t offset = rows_;
        // Runs the next check not taken yet; false when none is left.
        auto run_next = [&] {
            const std::size_t k = next.fetch_add(1);
            if (k >= n) return false;
            try {
                states_[order[k]]->update(chunk, offset);
            } catch (...) {
                errors[order[k]] = std::current_exception();
            }
            done.fetch_add(1);
            return true;
        };
        std::exception_ptr cancelled;
        {
            std::vector<std::thread> pool;
            pool.reserve(threads - 1);
            try {
                for (std::size_t t = 1; t < threads; ++t) pool.emplace_back([&] { while (run_next()) {} });
            } catch (...) {
                // No more threads: the caller does the rest.
            }
            std::size_t reported = 0;
            while (run_next()) {
                const std::size_t now = done.load();
                if (cancelled || now <= reported) continue;
                reported = now;
                try {
                    mldp::detail::report_progress(progress, "validator::validate", now, n);
                } catch (...) {
                    cancelled = std::current_exception();
                    next.store(n);
                }
            }
            for (auto& t : pool) t.join();
            if (!cancelled && reported < n) {
                try {
                    mldp::detail::report_progress(progress, "validator::validate", n, n);
                } catch (...) {
                    cancelled = std::current_exception();
                }
            }
        }
        for (const auto& e : errors) {
            if (e) std::rethrow_exception(e);
        }
        if (cancelled) std::rethrow_exception(cancelled);
    }

    const void* owner_ = nullptr;
    std::vector<std::unique_ptr<check_state>> states_;
    std::size_t rows_ = 0;
    std::size_t threads_ = 1;
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

    /// Runs the checks on up to `n` threads, the caller's included (0: one per hardware thread;
    /// default 1). Each check reads a chunk on one thread, into its own state: the report is the same
    /// for every n. Chunks under 16,384 rows are read on the calling thread alone. Returns *this.
    validator& threads(std::size_t n) {
        threads_ = n != 0 ? n : (std::max)(std::size_t{1}, static_cast<std::size_t>(std::thread::hardware_concurrency()));
        return *this;
    }
    std::size_t threads() const noexcept { return threads_; }

    /// A fresh state for chunked validation.
    validation_state begin() const {
        validation_state s;
        s.owner_ = this;
        s.threads_ = threads_;
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
    std::size_t threads_ = 1;
};

}  // namespace mldp::quality

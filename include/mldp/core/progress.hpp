// mldp — progress callbacks: long operations (monitor updates over big frames, seed sweeps,
// validation of big frames) report how far they are, so that a caller can draw a progress bar or
// log, without mldp knowing about terminals.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

namespace mldp {

/// One progress report: `done` of `total` units (rows, runs, checks: the operation says which) of
/// the step named `task` ("drift_monitor::update", "seed_sweep", "validator::validate"). `done` only
/// grows, and the last report of an operation has done == total.
struct progress_event {
    std::string_view task;
    std::size_t done = 0;
    std::size_t total = 0;
};

/// A progress callback. An empty function means "no reporting" and costs one branch per report. The
/// callback runs on the calling thread, between units of work; an exception it throws propagates out
/// of the operation (the way to cancel one).
using progress_fn = std::function<void(const progress_event&)>;

namespace detail {

inline void report_progress(const progress_fn& f, std::string_view task, std::size_t done, std::size_t total) {
    if (f) f(progress_event{task, done, total});
}

}  // namespace detail
}  // namespace mldp

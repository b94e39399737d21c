#pragma once
// Runs a drill: the steady-state hypothesis, the method (with its pauses),
// the hypothesis again, and the rollbacks: on failure or abort, and those
// marked "always" every time. Abort conditions are checked on a watcher
// thread every abortInterval while the method runs; abort() can come at any
// time. The journal records every step as it happens; when the topology may
// be left worse than it was found (a rollback failed, the steady state does
// not hold after the rollbacks), the journal's warnings say so.
//
// A destructive drill (ActivityCatalog: stop, kill, freeze, promote, ...)
// runs only when the caller confirmed it (the CLI's --yes).
//
// Thread contract: start(), abort(), journal() and wait() from any thread.

#include "drills/ActivityExecutor.hpp"
#include "drills/Drill.hpp"
#include "drills/DrillEvent.hpp"
#include "drills/DrillJournal.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pulse {

struct DrillRunOptions {
    bool confirmed = false;  // destructive steps were confirmed
    std::function<void(const DrillEvent&)> listener;  // called on the runner's threads
    // How often a probe with within_seconds is asked again until it holds.
    std::chrono::milliseconds probeRetry{100};
};

class DrillRunner {
public:
    // Throws InvalidParameterError when the drill is destructive and not
    // confirmed: nothing has run then.
    DrillRunner(ActivityExecutor& executor, Drill drill, DrillRunOptions options);
    ~DrillRunner();  // aborts a running drill (its rollbacks run) and joins
    DrillRunner(const DrillRunner&) = delete;
    DrillRunner& operator=(const DrillRunner&) = delete;

    void start();                         // on a worker thread; returns at once
    void abort(std::string reason = "aborted by the operator");
    DrillJournal journal() const;         // a copy, as far as it got
    DrillJournal wait();                  // until finished

    // The steps a dry run lists, in order, without doing any of them.
    static std::vector<std::string> plan(const Drill& drill);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace pulse

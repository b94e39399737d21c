#pragma once
// What carries out a drill's activities. The DrillRunner owns the control
// flow (hypothesis, method, abort conditions, rollbacks, the journal); an
// executor owns the effects: node actions, engine flags, the workload, the
// probes' measurements, and the figures ops need.
//
// Thread contract: execute() is called from the runner's thread and, for
// abort conditions, concurrently from its watcher thread (probes only).
// Anything that waits must return early once `stop` is requested.

#include "drills/Drill.hpp"
#include "drills/DrillJournal.hpp"

#include <nlohmann/json.hpp>

#include <stop_token>

namespace pulse {

class ActivityExecutor {
public:
    virtual ~ActivityExecutor() = default;

    // Before the hypothesis: start the drill's workload (readers, ETL).
    virtual void begin(const Drill& drill) = 0;
    // Runs one activity once. An action returns what it did (may be null);
    // a probe returns its value now. Throws to fail the step; the message
    // says why in words.
    virtual nlohmann::json execute(const DrillActivity& activity, std::stop_token stop) = 0;
    // After the rollbacks: stop the workload, settle the figures.
    virtual void end() = 0;
    virtual DrillFigures figures() const = 0;
};

}  // namespace pulse

#pragma once
// A drill, shaped like a Chaos Toolkit experiment: a steady-state hypothesis
// (probes with tolerances, checked before and after), a method (actions and
// probes, with pauses), rollbacks, abort conditions checked continuously
// while the method runs, and what ops need to know before they run it (the
// blast radius, whether it is destructive). Plus the load it runs under:
// dashboard readers and, where it says so, an ETL load.
//
// Built by DrillParser (from a user's JSON file) or by the built-in drills;
// a Drill value has been validated against the ActivityCatalog.

#include "drills/Tolerance.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pulse {

enum class ActivityKind { Action, Probe };
const char* activityKindName(ActivityKind kind);

struct DrillActivity {
    ActivityKind kind = ActivityKind::Action;
    std::string name;                 // what a person reads in the timeline
    std::string func;                 // an ActivityCatalog entry: "stop_node", "reads_served_by"
    nlohmann::json arguments = nlohmann::json::object();  // validated, defaults filled in
    std::optional<Tolerance> tolerance;                   // probes: what the value must be
    std::chrono::milliseconds pauseBefore{0};
    std::chrono::milliseconds pauseAfter{0};
};

struct DrillRollback {
    DrillActivity activity;
    bool always = false;  // "when": "always" runs after a successful method too
};

struct DrillWorkload {
    int readers = 0;                      // dashboard readers during the drill (0: none)
    std::chrono::milliseconds think{100};
    std::int64_t etlRows = 0;             // an ETL load started with the method (0: none)
    int etlChunk = 1000;
    std::optional<int> etlRate;
};

struct Drill {
    std::string name;         // "replica-outage": what `pulsectl drill run NAME` takes
    std::string title;
    std::string description;
    std::string blastRadius;  // who is affected, in words
    std::vector<std::string> tags;
    DrillWorkload workload;
    std::string hypothesisTitle;
    std::vector<DrillActivity> steadyState;    // probes, each with a tolerance
    std::vector<DrillActivity> method;
    std::vector<DrillRollback> rollbacks;
    // Probes; a value outside the tolerance (or a probe that throws) aborts
    // the drill. An unknown (null) value does not: see DrillRunner.
    std::vector<DrillActivity> abortConditions;
    std::chrono::milliseconds abortInterval{500};
    nlohmann::json source;    // the definition as written, for the journal

    // Any action the catalog marks destructive (stop, kill, promote, ...).
    bool destructive() const;
    std::vector<std::string> destructiveSteps() const;  // their names, for the confirmation prompt
};

}  // namespace pulse

#pragma once
// What a drill run did, step by step, and what it proved: the JSON journal
// (Chaos Toolkit's journal, plus the figures ops need) and the source of the
// Markdown report. Plain values, filled by the runner as steps happen, so a
// journal of an aborted or crashed run still says how far it got.

#include "drills/Drill.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pulse {

enum class DrillStatus { Running, Completed, Failed, Aborted };
const char* drillStatusName(DrillStatus status);

enum class StepStatus { Succeeded, Failed, Skipped };
const char* stepStatusName(StepStatus status);

// One activity as it ran.
struct ActivityRun {
    std::string phase;  // "before", "method", "after", "rollback", "abort-condition"
    std::string name;
    std::string func;
    ActivityKind kind = ActivityKind::Action;
    nlohmann::json arguments = nlohmann::json::object();
    StepStatus status = StepStatus::Succeeded;
    nlohmann::json output;                 // the probe's value, or what the action did
    std::string tolerance;                 // described ("at most 0"); empty for none
    std::optional<bool> toleranceMet;      // probes with a tolerance
    std::chrono::system_clock::time_point start;
    std::chrono::system_clock::time_point end;
    std::string error;                     // why it failed

    double durationSeconds() const;
};

struct SteadyStateCheck {
    bool met = false;
    std::vector<ActivityRun> probes;
};

// What ops ask after a failover test, measured from the first fault.
struct DrillFigures {
    std::optional<double> readsBackAfterSeconds;   // dashboard reads served again
    std::optional<double> writesBackAfterSeconds;  // a write committed again
    std::optional<std::int64_t> dataAtRiskBytes;   // replica lag when the fault hit
    std::uint64_t reads = 0;                       // dashboard queries during the drill
    std::uint64_t failedReads = 0;
    std::uint64_t retriedReads = 0;                // served by the primary because the replica could not (fallback)
    std::uint64_t failedWrites = 0;                // failed write checks, plus the ETL's reconnections
    std::string lastReadError;                     // what a failed read said (e.g. ReplicaUnavailableError: ...)
    std::string lastWriteError;
    std::optional<std::int64_t> etlRowsPlanned;
    std::optional<std::int64_t> etlRowsFound;
};

struct DrillJournal {
    nlohmann::json drill;  // the definition as written
    std::string name;
    std::string title;
    std::string blastRadius;
    std::chrono::system_clock::time_point start;
    std::chrono::system_clock::time_point end;
    DrillStatus status = DrillStatus::Running;
    bool deviated = false;        // the steady state did not hold after the method
    std::string reason;           // why failed or aborted, in words
    std::optional<SteadyStateCheck> before;
    std::optional<SteadyStateCheck> after;
    std::optional<SteadyStateCheck> afterRollbacks;  // after a failure or abort: is it back?
    std::vector<ActivityRun> run;        // the method, in order
    std::vector<ActivityRun> rollbacks;
    DrillFigures figures;
    std::vector<std::string> warnings;   // e.g. the topology was left worse than found

    double durationSeconds() const;
    // One line a person reads first: "PASSED", "FAILED: ...", "ABORTED: ...".
    std::string verdict() const;
};

nlohmann::json toJson(const DrillJournal& journal);
// The report for people: verdict, the figures ops need, a timeline, the
// steady state before and after, rollbacks and warnings.
std::string markdownReport(const DrillJournal& journal);

}  // namespace pulse

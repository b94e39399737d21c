#pragma once
// The plan's success criteria measured on a live topology: an ETL load and
// the dashboard readers run together while the monitor watches, first with
// reads on the replica, then (spec.compareSingleDatabase) with
// USE_READ_REPLICA off on the same data: the first phase's rows are deleted
// and the same seed loads the same rows again, so both phases read the same
// tables at each point of their load. The flag is restored afterwards,
// whatever happens.
//
// Blocking: run it on a worker thread where a UI is involved. The stop token
// (Ctrl+C) ends the running phase early, cancelling its load with a
// consistent checkpoint; the report then covers what ran and says so.

#include "etl/EtlProgress.hpp"
#include "loadtest/LoadTestReport.hpp"
#include "loadtest/LoadTestSpec.hpp"
#include "workload/WorkloadStats.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <stop_token>
#include <string>

namespace pulse {

class Engine;

struct LoadTestProgress {
    std::string phase;   // "with replica", "single database"
    int phaseIndex = 0;  // 1-based
    int phaseCount = 1;
    EtlProgress etl;
    WorkloadStats dashboard;
    std::string message;  // between phases: what is being done
};

class LoadTest {
public:
    using Listener = std::function<void(const LoadTestProgress&)>;

    explicit LoadTest(Engine& engine) : m_engine(engine) {}

    // Throws InvalidParameterError for a bad spec (before anything runs),
    // ConnectionError / SqlError when the primary cannot take the schema.
    // Starts the engine's monitor if it is not running.
    LoadTestReport run(const LoadTestSpec& spec, const Listener& listener = {}, std::stop_token stop = {});

private:
    static constexpr std::chrono::seconds kCatchUpWait{15};

    void awaitNextCycle();  // bounded: a cycle plus 2 s
    void waitForReplicas(const std::string& phase, int index, int count, const Listener& listener,
                         std::stop_token stop);
    // Deletes a phase's rows and vacuums the tables: before the comparison
    // (so it loads the same data) and at the end (unless spec.keepRows).
    void removeRows(std::int64_t job);
    PhaseReport runPhase(const LoadTestSpec& spec, const std::string& name, bool useReadReplica, int index,
                         int count, const Listener& listener, std::stop_token stop);

    Engine& m_engine;
};

}  // namespace pulse

#pragma once
// What a load test measured, phase by phase, and the plan's success criteria
// judged from it. Plain values: the CLI prints them, the console shows them,
// toJson() writes them.

#include "loadtest/LoadTestSpec.hpp"
#include "workload/WorkloadStats.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pulse {

// One pool over a phase, sampled every 100 ms.
struct PoolUsage {
    std::string pool;
    int capacity = 0;            // pool_size + max_overflow
    double peakPercent = 0;      // checked out / capacity
    double meanPercent = 0;
    int peakCheckedOut = 0;
    int peakWaiters = 0;
    std::uint64_t timeouts = 0;  // pool_timeout reached during the phase
};

// One replica's lag over a phase, one sample per monitor cycle.
struct LagUsage {
    std::string replica;
    std::uint64_t samples = 0;
    std::uint64_t unknownSamples = 0;  // down or disconnected: lag unknown, never 0
    double maxSeconds = 0;
    double p95Seconds = 0;
    std::int64_t maxBytes = 0;
    std::int64_t p95Bytes = 0;
};

struct EtlOutcome {
    std::int64_t jobId = 0;
    std::string state;                // completed, cancelled (duration reached), failed
    std::int64_t rows = 0;            // loaded in this phase
    std::chrono::milliseconds elapsed{0};
    double rowsPerSecond = 0;
    int retries = 0;
    std::string error;
};

struct PhaseReport {
    std::string name;                 // "with replica", "single database"
    bool useReadReplica = true;
    std::chrono::milliseconds elapsed{0};
    EtlOutcome etl;
    WorkloadStats dashboard;
    std::vector<PoolUsage> pools;
    std::vector<LagUsage> lag;        // empty without replicas
};

struct Criterion {
    std::string name;                 // "Dashboard loading time < 2 s during ETL"
    std::string measured;             // "p95 0.41 s, max 0.87 s"
    std::string target;               // "p95 and max < 2 s"
    bool pass = false;
    bool informational = false;       // a figure, not a pass/fail criterion
};

struct LoadTestReport {
    LoadTestSpec spec;
    std::string startedAt;            // ISO 8601, UTC
    std::vector<PhaseReport> phases;  // "with replica" first
    std::vector<Criterion> criteria;
    bool stoppedEarly = false;        // interrupted (Ctrl+C): figures cover what ran
    std::string error;                // a step failed: figures cover what ran before it

    bool passed() const;
};

nlohmann::json toJson(const LoadTestReport& report);
nlohmann::json toJson(const WorkloadStats& stats);  // also `pulsectl dashboard --json`
nlohmann::json toJson(const LatencySummary& latency);

}  // namespace pulse

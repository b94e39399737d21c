#pragma once
// One function per pulsectl command; each returns its exit code
// (pulse::exitcode) and throws pulse::Error subclasses for main() to map.

#include "CliContext.hpp"

#include "workload/WorkloadStats.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

namespace pulsectl {

// Long-running views (--watch) and the /metrics endpoint they may serve.
struct WatchOptions {
    bool enabled = false;  // --watch
    int count = 0;         // --count N: stop after N refreshes (0: until Ctrl+C)
    int metricsPort = -1;  // --metrics-port N: serve /metrics on 127.0.0.1 (-1: off)
};

int runStatus(const CliContext& context, const WatchOptions& watch);
int runAlerts(const CliContext& context, const WatchOptions& watch);
int runMetrics(const CliContext& context, const WatchOptions& watch);
int runRoute(const CliContext& context, const std::string& operation, const std::string& routeContext, bool dryRun);
int runConfig(const CliContext& context);
int runSandboxUp(const CliContext& context);
int runSandboxDown(const CliContext& context);
int runSandboxStatus(const CliContext& context);
// pg_wal_replay_pause() / pg_wal_replay_resume() on the sandbox replica.
int runSandboxReplay(const CliContext& context, bool pause);

// pulsectl etl run: a new job, or --resume of an interrupted one.
struct EtlRunOptions {
    std::optional<std::int64_t> rows;       // --rows
    std::optional<int> chunk;               // --chunk (default ETL_CHUNK_SIZE)
    std::optional<int> rate;                // --rate (default ETL_MAX_ROWS_PER_SECOND)
    std::optional<std::uint64_t> seed;      // --seed
    std::optional<std::int64_t> resumeJob;  // --resume JOB
    std::optional<int> connections;         // --connections (default ETL_CONNECTIONS)
};
int runEtlRun(const CliContext& context, const EtlRunOptions& options);
int runEtlStatus(const CliContext& context, std::optional<std::int64_t> jobId);
int runEtlCancel(const CliContext& context, std::int64_t jobId);

// pulsectl dashboard: the dashboard readers alone, for a while.
struct DashboardOptions {
    std::optional<int> readers;                   // --readers (default DASHBOARD_READERS)
    std::chrono::seconds duration{10};            // --duration
    std::optional<int> thinkMs;                   // --think (default DASHBOARD_THINK_MS)
};
int runDashboard(const CliContext& context, const DashboardOptions& options);
// Shared by dashboard and loadtest output.
std::string formatLatency(double seconds);
void printWorkload(std::ostream& out, const pulse::WorkloadStats& stats);

// pulsectl loadtest: ETL + readers, the plan's success criteria.
struct LoadTestOptions {
    std::optional<std::int64_t> rows;   // --rows
    std::optional<int> durationSeconds; // --duration
    std::optional<int> readers;         // --readers
    std::optional<int> chunk;           // --chunk
    std::optional<int> rate;            // --rate
    std::optional<int> thinkMs;         // --think
    bool noCompare = false;             // --no-compare
    bool keep = false;                  // --keep
    std::string jsonFile;               // --json FILE
};
int runLoadTest(const CliContext& context, const LoadTestOptions& options);

// pulsectl drill list | show NAME | run NAME: failover and rollback drills.
struct DrillOptions {
    enum class Verb { List, Show, Run } verb = Verb::List;
    std::string name;         // a built-in drill
    std::string file;         // --file: a drill of one's own
    bool dryRun = false;      // --dry-run: list the steps, do nothing
    bool yes = false;         // --yes: destructive steps are confirmed
    bool keep = false;        // --keep: leave the drill's ETL rows behind
    std::string journalFile;  // --journal (default NAME-<time>.journal.json)
    std::string reportFile;   // --report (default NAME-<time>.report.md)
};
int runDrill(const CliContext& context, const DrillOptions& options);

}  // namespace pulsectl

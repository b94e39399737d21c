#pragma once
// One ETL load, coordinated from the calling thread (EtlRunner runs it on its
// worker) and loaded by EtlJobSpec::connections EtlWorkers in parallel, one
// connection and thread each (see EtlWorker for the per-chunk transaction).
//
// Why several connections: per chunk, the server spends CPU on setting up the
// COPY and on the transaction; on one connection that work runs in one
// backend, one core, however well the round trips are hidden. Parallel
// workers run it in parallel backends. They split the job by TABLE: a table
// is loaded by one worker at a time, in chunk order (EtlLoadState), so each
// table's checkpoint only moves forward and resume stays exact. The largest
// remaining table is taken first, so the last one to finish is short.
//
// The coordinator's own session holds a session-level advisory lock on
// (kJobLockClass, job id) for the whole run: a job is loaded by one process at
// a time, and EtlJobStore::requestCancel knows whether anybody still runs a
// 'running' job. It also reads etl_jobs.cancel_requested every
// kCoordinatorPoll while the workers run (while they commit chunks they read
// it themselves, but not while paused or braking), and records the end:
// status 'completed' once, after the last table's last chunk committed (a
// crash in between leaves a 'running' job with full checkpoints, which resume
// completes), 'cancelled' or 'failed'. Its connection breaking does not stop
// the workers: it reconnects and locks again within the retry window.
//
// etl_jobs.rows_loaded is written at the end of a run; while a load runs the
// checkpoints are the count (EtlJobStore sums them), so the workers never
// write the job row per chunk.

#include "etl/EtlJobSpec.hpp"
#include "etl/EtlLoadState.hpp"
#include "etl/EtlPlan.hpp"
#include "etl/EtlProgress.hpp"
#include "etl/EtlRunner.hpp"
#include "etl/RecordGenerator.hpp"
#include "routing/Session.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace pulse {

class LoadControl;
class PgConnection;
class Router;

class ChunkedLoader {
public:
    using Clock = std::chrono::steady_clock;
    using Publish = std::function<void(const EtlProgress&)>;

    // First key of the advisory lock a loading process holds (second key: the job id).
    static constexpr int kJobLockClass = 7311;

    // `publish` receives a snapshot after every chunk and state change (from
    // any of the load's threads, one at a time, in order).
    ChunkedLoader(Router& router, EtlOptions options, LoadControl& control, Publish publish);
    ~ChunkedLoader();

    // A new job (the spec must be valid): migrates the schema if needed,
    // creates the job and loads it. Returns the final progress.
    EtlProgress runNew(const EtlJobSpec& spec);
    // Continues job `jobId` from its checkpoints with its recorded spec;
    // `rowsPerSecond` replaces the recorded throttle when given; `connections`
    // is this run's (it is not recorded: a resume may use another count).
    EtlProgress runResume(std::int64_t jobId, std::optional<int> rowsPerSecond, int connections);

private:
    // A run of connection failures of the coordinator, against the retry window.
    struct Outage {
        std::optional<Clock::time_point> since;
        int attempt = 0;
    };

    EtlProgress loadWithRetries();
    // Opens the coordinator's session and takes the job lock.
    void openSession(bool afterFailure);
    void closeSession() noexcept;
    void prepare(PgConnection& connection);  // job (resume), status, checkpoints
    void readJob(PgConnection& connection);  // resume: the recorded spec
    EtlProgress supervise();                 // runs the workers; returns the final progress
    void pollJob();                          // cancel_requested, on the coordinator's session
    // Waits before the next attempt; false when the window has passed (then
    // `failure` says why) or the load was stopped meanwhile.
    bool backOff(Outage& outage, const std::string& reason, std::string& failure);
    // Writes the job's final status (with rows_loaded from the checkpoints),
    // reconnecting within the retry window; throws what the last try threw.
    void recordEnd(const std::string& assignments);

    EtlProgress finishFailed(const std::string& error, EtlErrorKind kind);
    void setState(EtlState state, std::string detail = {});

    Router& m_router;
    EtlOptions m_options;
    LoadControl& m_control;
    Publish m_publish;

    EtlJobSpec m_spec;
    std::optional<EtlPlan> m_plan;
    std::optional<RecordGenerator> m_generator;
    std::int64_t m_jobId = 0;
    std::int64_t m_periodEnd = 0;
    bool m_needsJobRead = false;   // resume: read the spec in the first session
    bool m_wasCompleted = false;   // resume of a job already marked completed
    std::optional<int> m_rateOverride;
    int m_connections = 1;

    std::optional<Session> m_session;       // the coordinator's: holds the job lock
    std::optional<EtlLoadState> m_state;    // once the plan and checkpoints are known
    EtlProgress m_progress;                 // until m_state exists
    Clock::time_point m_runStart = Clock::now();
};

}  // namespace pulse

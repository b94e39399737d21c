#pragma once
// What the workers of one ETL load share (ChunkedLoader runs N EtlWorkers,
// one connection each): the committed position per table, which table each
// worker loads, why the load stops (cancel, a cancel request read from
// etl_jobs, a worker's failure), the lag brake, and the progress snapshot
// with its publication.
//
// Exactness rests on one rule kept here: a table is handed to at most one
// worker per run (takeTable), and that worker loads it in chunk order, so
// each table's checkpoint only moves forward and is written by one session.
//
// Thread contract: every method is thread-safe. The publish callback runs
// under this object's lock, so snapshots reach it in order (rows never go
// backwards); it must not call back into this object.

#include "etl/EtlPlan.hpp"
#include "etl/EtlProgress.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace pulse {

class LoadControl;

class EtlLoadState {
public:
    using Clock = std::chrono::steady_clock;
    using Publish = std::function<void(const EtlProgress&)>;
    using Brake = std::function<std::optional<std::string>()>;

    struct TableDone {
        std::int64_t rows = 0;
        int chunks = 0;
    };
    enum class WorkerState { Starting, Running, Paused, Braking, Retrying, Finished };

    EtlLoadState(const EtlPlan& plan, LoadControl& control, Brake brake, Publish publish, EtlProgress initial,
                 Clock::time_point runStart);

    const EtlPlan& plan() const { return m_plan; }

    // ---- committed positions (etl_checkpoints as last read or committed)
    // All tables, read by the coordinator before the workers start.
    void setAllCommitted(const std::vector<TableDone>& done);
    // One table, read back by its worker after a reconnect (the database is
    // the truth: a commit in flight may or may not have happened).
    void setCommitted(size_t table, TableDone done);
    TableDone committed(size_t table) const;
    std::int64_t committedRows() const;
    bool allTablesDone() const;
    // After a chunk's transaction committed; `cancelRequested` as it read etl_jobs.
    void chunkCommitted(size_t table, TableDone after, bool cancelRequested);

    // ---- scheduling: the table with the most rows left that nobody has
    // taken yet (so the last table to finish is a short one); none when all
    // are taken or done.
    std::optional<size_t> takeTable(int worker);
    void releaseTable(int worker);  // the worker's table is done

    // ---- why the load stops
    void setCancelRequested(bool requested);  // etl_jobs.cancel_requested
    bool cancelRequested() const;
    // A worker gave up: the first error is kept; every wait of every worker
    // ends (the LoadControl is stopped too) and each stops after its chunk.
    void fail(const std::string& error, EtlErrorKind kind = EtlErrorKind::Other);
    std::optional<std::string> failure() const;
    EtlErrorKind failureKind() const;
    // Cancelled (here or from another process), or failed: stop after the chunk.
    bool stopping() const;
    // The lag brake, asked by one worker at a time (the callback need not be
    // thread-safe); none without a brake.
    std::optional<std::string> brake();

    // ---- workers and progress
    void startWorkers(int count);  // before any worker runs
    void setWorker(int worker, WorkerState state, std::string detail = {});
    void setWorkerPid(int worker, int pid);
    void countRetry();
    void workerFinished(int worker);
    // Waits until every worker has finished, or `until`; true when they have.
    bool waitWorkersFinished(Clock::time_point until);
    // A job-level state (Starting, Completed, Cancelled, Failed), published at once.
    void setJobState(EtlState state, std::string detail = {}, std::string error = {},
                     EtlErrorKind kind = EtlErrorKind::None);
    EtlProgress snapshot() const;

private:
    struct Worker {
        WorkerState state = WorkerState::Starting;
        std::string detail;
        int table = -1;
        int pid = 0;
    };
    std::int64_t committedRowsLocked() const;
    void refreshLocked();   // aggregate the workers into m_progress
    void publishLocked();

    const EtlPlan& m_plan;
    LoadControl& m_control;
    Brake m_brake;
    Publish m_publish;

    mutable std::mutex m_mutex;
    std::condition_variable m_finished;
    std::mutex m_brakeMutex;
    std::vector<TableDone> m_done;
    std::vector<bool> m_taken;
    std::vector<Worker> m_workers;
    int m_running = 0;  // workers not finished
    bool m_cancelRequested = false;
    std::optional<std::string> m_failure;
    EtlErrorKind m_failureKind = EtlErrorKind::None;
    std::optional<EtlState> m_jobState;  // set: overrides the workers' aggregate

    EtlProgress m_progress;
    Clock::time_point m_runStart;
    std::int64_t m_rowsAtStart = -1;
    std::deque<std::pair<Clock::time_point, std::int64_t>> m_samples;  // (when, rows committed)
};

}  // namespace pulse

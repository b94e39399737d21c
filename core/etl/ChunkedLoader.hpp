#pragma once
// One ETL load, done on the calling thread (EtlRunner runs it on its worker).
//
// Per chunk, one transaction on the primary: COPY of the chunk's rows, the
// table's checkpoint (etl_checkpoints) and the job's rows_loaded (etl_jobs,
// which reads cancel_requested back), committed together. To come close to
// the speed of one single COPY:
//   - each chunk transaction runs with SET LOCAL synchronous_commit = off:
//     a chunk and its checkpoint are committed or lost together, so a crash
//     costs at most a few chunks that a resume loads again (never the
//     session setting: pooled connections are shared);
//   - a window of up to kWindowChunks chunks travels as ONE simple-query
//     script ("BEGIN; SET LOCAL ...; COPY ... FROM STDIN; UPDATE checkpoint;
//     UPDATE job RETURNING cancel_requested; COMMIT; BEGIN; ..."), so the
//     server goes from one chunk's commit to the next chunk's COPY without
//     waiting for the client: one round trip per chunk, not five. The
//     bookkeeping values are known in advance (the plan is deterministic);
//     the controls (cancel, pause, brake) are still checked between every
//     two chunks: the next chunk's COPY, already started but empty, is then
//     aborted and rolled back;
//   - the first rows of the next chunk are generated while the server
//     inserts the last rows of the current one (COPY inserts its buffered
//     rows only when the data ends).
// A throttled load sends one chunk per script: it waits between chunks
// anyway, and must not keep a transaction open while it does.
//
// A job is loaded by one session at a time: the loader holds a session-level
// advisory lock on (kJobLockClass, job id) while it loads, which also tells
// EtlJobStore::requestCancel whether anybody still runs a 'running' job.
//
// When the connection breaks it reconnects with backoff for up to
// EtlOptions::retryWindow, reads the checkpoints back (the database is the
// truth: a commit in flight may or may not have happened) and goes on. Any
// other error (a duplicate key included: ids are deterministic, so one means
// a bug or a concurrent writer) fails the load; resume continues it.

#include "etl/EtlJobSpec.hpp"
#include "etl/EtlPlan.hpp"
#include "etl/EtlProgress.hpp"
#include "etl/EtlRunner.hpp"
#include "etl/RecordGenerator.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace pulse {

class CopyIn;
class LoadControl;
class PgConnection;
class PgResult;
class Router;

class ChunkedLoader {
public:
    using Clock = std::chrono::steady_clock;
    using Publish = std::function<void(const EtlProgress&)>;

    // First key of the advisory lock a loading session holds (second key: the job id).
    static constexpr int kJobLockClass = 7311;

    // `publish` receives a snapshot after every chunk and state change.
    ChunkedLoader(Router& router, EtlOptions options, LoadControl& control, Publish publish);

    // A new job (the spec must be valid): migrates the schema if needed,
    // creates the job and loads it. Returns the final progress.
    EtlProgress runNew(const EtlJobSpec& spec);
    // Continues job `jobId` from its checkpoints with its recorded spec;
    // `rowsPerSecond` replaces the recorded throttle when given.
    EtlProgress runResume(std::int64_t jobId, std::optional<int> rowsPerSecond);

private:
    enum class Outcome { Completed, Cancelled };
    struct TableDone {
        std::int64_t rows = 0;
        int chunks = 0;
    };
    // One chunk of a window: rows [first, first + rows) of a table.
    struct Chunk {
        size_t table = 0;  // index into m_plan->tables()
        std::int64_t first = 0;
        std::int64_t rows = 0;
        TableDone after;            // the table's checkpoint once it commits
        std::int64_t loadedAfter = 0;  // the job's rows_loaded once it commits
        bool last = false;          // completes the job
    };

    static constexpr size_t kWindowChunks = 64;
    EtlProgress loadWithRetries();
    Outcome loadOn(PgConnection& connection);
    void readJob(PgConnection& connection);          // resume: the recorded spec
    void readCheckpoints(PgConnection& connection);  // the committed position
    void lockJob(PgConnection& connection, bool afterFailure);
    static void unlockJob(PgConnection& connection, std::int64_t jobId) noexcept;

    std::vector<Chunk> nextWindow(size_t maxChunks) const;
    std::string script(const std::vector<Chunk>& window) const;
    // Results of one chunk's script part: [COPY, UPDATE checkpoint, UPDATE job, COMMIT, ...].
    void applyCommitted(const std::vector<PgResult>& results, const Chunk& chunk);
    bool mustStop(std::optional<std::string>& brake) const;
    bool pollCancelRequested(PgConnection& connection);
    Outcome markCancelled(PgConnection& connection);
    void abortChunk(PgConnection& connection, CopyIn& copy);
    void prefetchAfter(const Chunk& chunk);
    void streamChunk(CopyIn& copy, const Chunk& chunk, bool& interrupted);

    // Throttle: the time rows [paced, paced + n) may start; no credit piles up
    // while nothing was sent (pause, brake, a slow server).
    Clock::time_point paceAt();
    std::int64_t paceUnit(std::int64_t chunkRows) const;

    EtlProgress finishFailed(const std::string& error);
    void setState(EtlState state, std::string detail = {});
    void publish();
    std::int64_t committedRows() const;

    Router& m_router;
    EtlOptions m_options;
    LoadControl& m_control;
    Publish m_publish;

    EtlJobSpec m_spec;
    std::optional<EtlPlan> m_plan;
    std::optional<RecordGenerator> m_generator;
    std::int64_t m_jobId = 0;
    std::int64_t m_periodEnd = 0;
    bool m_needsJobRead = false;  // resume: read the spec in the first session
    std::optional<int> m_rateOverride;

    std::vector<TableDone> m_done;  // committed, per m_plan->tables()
    bool m_cancelRequested = false; // read back from etl_jobs
    std::int64_t m_rowsAtStart = -1;

    EtlProgress m_progress;
    Clock::time_point m_runStart = Clock::now();
    std::deque<std::pair<Clock::time_point, std::int64_t>> m_samples;  // (when, rows committed)
    std::string m_buffer;
    // The first rows of the next chunk, generated while the server finishes
    // the current one (COPY inserts its last buffered rows only at the end of
    // the data, so otherwise client and server would take turns).
    struct Prefetch {
        int table = -1;  // DemoSchema index; -1: none
        std::int64_t first = 0;
        std::int64_t rows = 0;
        std::string data;
    } m_prefetch;

    Clock::time_point m_paceOrigin;
    std::int64_t m_pacedRows = 0;
};

}  // namespace pulse

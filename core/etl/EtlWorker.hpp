#pragma once
// One connection of an ETL load (ChunkedLoader runs EtlJobSpec::connections
// of them, each on its own thread): it takes a table nobody loads
// (EtlLoadState::takeTable), loads its remaining chunks in order, then takes
// the next, until none is left or the load stops.
//
// Per chunk, one transaction on the primary: COPY of the chunk's rows and the
// table's checkpoint (etl_checkpoints), committed together, plus a read of
// etl_jobs.cancel_requested (a cross-process cancel arrives with the next
// commit, at no extra round trip). To come close to the speed of one single
// COPY:
//   - each chunk transaction runs with SET LOCAL synchronous_commit = off:
//     a chunk and its checkpoint are committed or lost together, so a crash
//     costs at most a few chunks that a resume loads again (never the
//     session setting: pooled connections are shared);
//   - a window of up to kWindowChunks chunks travels as ONE simple-query
//     script ("BEGIN; SET LOCAL ...; COPY ... FROM STDIN; UPDATE checkpoint;
//     SELECT cancel_requested; COMMIT; BEGIN; ..."), so the server goes from
//     one chunk's commit to the next chunk's COPY without waiting for the
//     client. The checkpoint values are known in advance (the plan is
//     deterministic); the controls (cancel, pause, brake, another worker's
//     failure) are still checked between every two chunks: the next chunk's
//     COPY, already started but empty, is then aborted and rolled back;
//   - the first rows of the table's next chunk are generated while the
//     server inserts the last rows of the current one.
// The job row itself is not written per chunk: workers would queue on its
// row lock, and every chunk would leave a dead version of it behind.
// rows_loaded is the sum of the checkpoints (EtlJobStore derives it).
//
// A throttled load sends one chunk per script and draws its pace from the
// job's shared EtlPacer, so the rate is the job's, whatever the connections.
//
// When its connection breaks the worker reconnects with backoff for up to
// the retry window, reads its table's checkpoint back (the database is the
// truth: a commit in flight may or may not have happened) and goes on; the
// other workers are not affected. Beyond the window, or on any other error
// (a duplicate key included: ids are deterministic, so one means a bug or a
// concurrent writer), it fails the load (EtlLoadState::fail) and the other
// workers stop after their current chunk.
//
// Thread contract: one EtlWorker per thread; it shares only the objects of
// its Context, all thread-safe.

#include "etl/EtlLoadState.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pulse {

class CopyIn;
class EtlPacer;
class LoadControl;
class PgConnection;
class PgResult;
class RecordGenerator;
class Router;

class EtlWorker {
public:
    struct Context {
        Router& router;
        LoadControl& control;
        EtlLoadState& state;
        EtlPacer& pacer;
        const RecordGenerator& generator;
        std::int64_t jobId = 0;
        int chunkSize = 1;
        std::chrono::milliseconds retryWindow{0};
    };

    EtlWorker(Context context, int index);
    // Loads until nothing is left or the load stops; reports failures to the
    // state, never throws. Ends with EtlLoadState::workerFinished.
    void run() noexcept;

private:
    using Clock = std::chrono::steady_clock;
    using TableDone = EtlLoadState::TableDone;
    // One chunk of a window: rows [first, first + rows) of the worker's table.
    struct Chunk {
        size_t table = 0;  // index into the plan's tables()
        std::int64_t first = 0;
        std::int64_t rows = 0;
        TableDone after;   // the table's checkpoint once it commits
    };

    static constexpr size_t kWindowChunks = 64;

    void runWithRetries();
    void loadOn(PgConnection& connection);
    void readCheckpoint(PgConnection& connection);  // of the table held across a reconnect
    bool mustStop(std::optional<std::string>& brake);
    void hold(std::optional<std::string> brake);
    std::vector<Chunk> nextWindow(size_t maxChunks) const;
    std::string script(const std::vector<Chunk>& window) const;
    // Results of one chunk's script part: [COPY, UPDATE checkpoint, SELECT job, COMMIT, ...].
    void applyCommitted(const std::vector<PgResult>& results, const Chunk& chunk);
    void abortChunk(PgConnection& connection, CopyIn& copy);
    void prefetchAfter(const Chunk& chunk);
    // false: cancelled while waiting for the throttle (the chunk must be rolled back).
    bool streamChunk(CopyIn& copy, const Chunk& chunk);

    Context m_context;
    const int m_index;
    std::optional<size_t> m_table;  // the table this worker loads
    std::int64_t m_chunks = 0;      // committed by this worker (a new outage restarts the retry window)
    std::string m_buffer;
    // The first rows of the next chunk, generated while the server finishes
    // the current one (COPY inserts its last buffered rows only at the end of
    // the data, so otherwise client and server would take turns).
    struct Prefetch {
        int table = -1;  // plan index; -1: none
        std::int64_t first = 0;
        std::int64_t rows = 0;
        std::string data;
    } m_prefetch;
};

}  // namespace pulse

#include "etl/EtlWorker.hpp"

#include "common/Errors.hpp"
#include "common/Logging.hpp"
#include "etl/EtlPacer.hpp"
#include "etl/LoadControl.hpp"
#include "etl/RecordGenerator.hpp"
#include "pg/CopyIn.hpp"
#include "pg/PgConnection.hpp"
#include "routing/Router.hpp"

#include <algorithm>
#include <cstdio>

namespace pulse {
namespace {

using namespace std::chrono_literals;

constexpr auto kHoldPoll = 100ms;           // how often a held worker asks the brake, cancel and pause again
constexpr auto kBackoffFirst = 100ms;
constexpr auto kBackoffMax = 2s;
constexpr std::int64_t kRowsPerWrite = 512; // rows generated per CopyIn::write
constexpr size_t kPrefetchBytes = 4 << 20;  // at most this much of the next chunk is generated ahead
constexpr size_t kWriteSlice = 64 << 10;    // prefetched rows go out in slices the server can start on

std::string secondsText(std::chrono::milliseconds ms)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.1f s", static_cast<double>(ms.count()) / 1000.0);
    return buffer;
}

}  // namespace

EtlWorker::EtlWorker(Context context, int index) : m_context(context), m_index(index) {}

void EtlWorker::run() noexcept
{
    try {
        runWithRetries();
    } catch (const std::exception& e) {
        m_context.state.fail(e.what(), etlErrorKindOf(e));
    } catch (...) {
        m_context.state.fail("ETL worker failed with an unknown error");
    }
    m_context.state.workerFinished(m_index);
}

void EtlWorker::runWithRetries()
{
    EtlLoadState& state = m_context.state;
    std::optional<Clock::time_point> failingSince;
    std::int64_t chunksAtFailure = -1;
    int attempt = 0;
    for (;;) {
        if (state.stopping())
            return;
        std::string reason;
        try {
            Session session = m_context.router.etlSession();
            PgConnection& connection = session.connection();
            state.setWorkerPid(m_index, connection.backendPid());
            loadOn(connection);
            state.setWorkerPid(m_index, 0);
            return;
        } catch (const QueryTimeoutError& e) {
            reason = e.what();
        } catch (const ConnectionError& e) {
            reason = e.what();
        } catch (const PoolTimeoutError& e) {
            reason = e.what();
        } catch (const std::exception& e) {
            // SQL errors (a duplicate key included) are not transient:
            // retrying would fail the same way, or hide a real bug.
            state.setWorkerPid(m_index, 0);
            state.fail(e.what(), etlErrorKindOf(e));
            return;
        }

        // The connection broke (or none could be had): the session above is
        // gone and its connection discarded. Retry from the checkpoint.
        state.setWorkerPid(m_index, 0);
        if (state.stopping())
            return;  // nothing to go back for: the coordinator records the end
        const auto now = Clock::now();
        if (!failingSince || m_chunks != chunksAtFailure) {
            failingSince = now;  // a new outage: the window starts again
            chunksAtFailure = m_chunks;
            attempt = 0;
        }
        const auto down = std::chrono::duration_cast<std::chrono::milliseconds>(now - *failingSince);
        if (down >= m_context.retryWindow) {
            state.fail("connection lost and not back within the retry window of " +
                       secondsText(m_context.retryWindow) + ": " + reason + "; resume job " +
                       std::to_string(m_context.jobId) + " to continue",
                       EtlErrorKind::Connection);
            return;
        }
        ++attempt;
        state.countRetry();
        logger("etl")->warn("job {} (connection {}): {}; reconnecting (attempt {})", m_context.jobId, m_index + 1,
                            reason, attempt);
        state.setWorker(m_index, EtlLoadState::WorkerState::Retrying,
                        reason + "; reconnecting (attempt " + std::to_string(attempt) + ", " + secondsText(down) +
                            " of " + secondsText(m_context.retryWindow) + ")");
        auto backoff = std::min<Clock::duration>(kBackoffMax, kBackoffFirst * (1 << std::min(attempt - 1, 8)));
        backoff = std::min<Clock::duration>(backoff, m_context.retryWindow - down);
        if (!m_context.control.sleepUntil(Clock::now() + backoff))
            return;  // cancelled (or another worker failed) while the database was away
    }
}

void EtlWorker::readCheckpoint(PgConnection& connection)
{
    const auto& table = m_context.state.plan().tables()[*m_table];
    auto row = connection.exec("SELECT c.chunks_done, c.rows_done, j.cancel_requested FROM etl_checkpoints c"
                               " JOIN etl_jobs j ON j.id = c.job_id WHERE c.job_id = $1 AND c.table_name = $2",
                               {std::to_string(m_context.jobId), table.name});
    if (row.rows() != 1)
        throw InvalidParameterError("ETL job " + std::to_string(m_context.jobId) + " (or its checkpoint of " +
                                    table.name + ") was deleted while it loaded");
    m_context.state.setCommitted(*m_table, TableDone{row.integer(0, 1), static_cast<int>(row.integer(0, 0))});
    m_context.state.setCancelRequested(row.boolean(0, 2));
}

void EtlWorker::loadOn(PgConnection& connection)
{
    EtlLoadState& state = m_context.state;
    if (m_table)
        readCheckpoint(connection);  // after a reconnect: where the table really is
    state.setWorker(m_index, EtlLoadState::WorkerState::Running);
    for (;;) {
        if (!m_table) {
            m_table = state.takeTable(m_index);
            if (!m_table)
                return;  // every table is taken or done
        }
        std::optional<std::string> brake;
        if (mustStop(brake)) {
            if (state.stopping())
                return;
            hold(std::move(brake));
            continue;  // everything is asked again
        }

        const auto window = nextWindow(m_context.pacer.throttled() ? 1 : kWindowChunks);
        if (window.empty()) {
            state.releaseTable(m_index);
            m_table.reset();
            continue;
        }
        // The first unit of the chunk is paced before it starts.
        const auto firstUnit = std::min(m_context.pacer.unit(window.front().rows), window.front().rows);
        if (m_context.pacer.throttled() && !m_context.control.sleepUntil(m_context.pacer.reserve(firstUnit)))
            continue;  // stopped: handled at the top

        CopyIn copy(connection);
        copy.start(script(window));
        for (size_t i = 0; i < window.size(); ++i) {
            const Chunk& chunk = window[i];
            // Between two chunks of the window: the next COPY has started
            // (empty); a control that holds the load rolls it back.
            if (i > 0 && mustStop(brake)) {
                abortChunk(connection, copy);
                break;
            }
            if (!streamChunk(copy, chunk)) {
                abortChunk(connection, copy);  // the chunk is rolled back; the checkpoint stays consistent
                return;
            }
            // The end goes out first; the server's last inserts and our next
            // rows then happen at the same time.
            copy.endData();
            prefetchAfter(chunk);
            const auto results = copy.finishAndContinue();
            applyCommitted(results, chunk);
            if (i + 1 < window.size() && !copy.active())
                throw Error("the load script of job " + std::to_string(m_context.jobId) + " ended before its last COPY");
        }
    }
}

bool EtlWorker::mustStop(std::optional<std::string>& brake)
{
    if (m_context.state.stopping() || m_context.control.paused())
        return true;
    brake = m_context.state.brake();  // asked before each chunk
    return brake.has_value();
}

void EtlWorker::hold(std::optional<std::string> brake)
{
    EtlLoadState& state = m_context.state;
    LoadControl& control = m_context.control;
    // A cancel request from another process is read by the coordinator while
    // nothing commits; state.stopping() sees it.
    if (control.paused()) {
        state.setWorker(m_index, EtlLoadState::WorkerState::Paused);
        while (control.paused() && !state.stopping())
            control.waitUnpaused(Clock::now() + kHoldPoll);
    } else if (brake) {
        state.setWorker(m_index, EtlLoadState::WorkerState::Braking, *brake);
        while (brake && !state.stopping()) {
            if (!control.sleepUntil(Clock::now() + kHoldPoll))
                break;
            brake = state.brake();
            if (brake)
                state.setWorker(m_index, EtlLoadState::WorkerState::Braking, *brake);
        }
    }
    // The throttle gives no credit for the time held.
    m_context.pacer.restart();
    state.setWorker(m_index, EtlLoadState::WorkerState::Running);
}

std::vector<EtlWorker::Chunk> EtlWorker::nextWindow(size_t maxChunks) const
{
    std::vector<Chunk> window;
    const size_t t = *m_table;
    const std::int64_t planned = m_context.state.plan().tables()[t].rows;
    TableDone done = m_context.state.committed(t);
    while (done.rows < planned && window.size() < maxChunks) {
        Chunk chunk;
        chunk.table = t;
        chunk.first = done.rows;
        chunk.rows = std::min<std::int64_t>(m_context.chunkSize, planned - done.rows);
        done = TableDone{done.rows + chunk.rows, done.chunks + 1};
        chunk.after = done;
        window.push_back(chunk);
    }
    return window;
}

std::string EtlWorker::script(const std::vector<Chunk>& window) const
{
    // Only numbers and the program's own table names: safe to inline.
    const std::string job = std::to_string(m_context.jobId);
    std::string sql;
    for (const auto& chunk : window) {
        const auto& table = m_context.state.plan().tables()[chunk.table];
        sql += "BEGIN; SET LOCAL synchronous_commit = off; " + RecordGenerator::copyStatement(table.index) +
               "; UPDATE etl_checkpoints SET chunks_done = " + std::to_string(chunk.after.chunks) +
               ", rows_done = " + std::to_string(chunk.after.rows) + ", updated_at = now() WHERE job_id = " + job +
               " AND table_name = '" + table.name + "'; SELECT cancel_requested FROM etl_jobs WHERE id = " + job +
               "; COMMIT; ";
    }
    return sql;
}

bool EtlWorker::streamChunk(CopyIn& copy, const Chunk& chunk)
{
    const int tableIndex = m_context.state.plan().tables()[chunk.table].index;
    EtlPacer& pacer = m_context.pacer;
    const std::int64_t unit = pacer.unit(chunk.rows);
    std::int64_t sent = 0;
    if (m_prefetch.table == static_cast<int>(chunk.table) && m_prefetch.first == chunk.first &&
        m_prefetch.rows <= chunk.rows) {
        const std::string_view data = m_prefetch.data;
        for (size_t at = 0; at < data.size(); at += kWriteSlice)
            copy.write(data.substr(at, kWriteSlice));
        sent = m_prefetch.rows;
    }
    m_prefetch.table = -1;
    while (sent < chunk.rows) {
        const std::int64_t n = std::min(unit, chunk.rows - sent);
        // The first unit was paced before the chunk started.
        if (sent > 0 && pacer.throttled() && !m_context.control.sleepUntil(pacer.reserve(n)))
            return false;
        for (std::int64_t done = 0; done < n;) {
            const std::int64_t batch = std::min(kRowsPerWrite, n - done);
            m_buffer.clear();
            m_context.generator.appendRows(tableIndex, chunk.first + sent + done, batch, m_buffer);
            copy.write(m_buffer);
            done += batch;
        }
        sent += n;
    }
    return true;
}

void EtlWorker::prefetchAfter(const Chunk& chunk)
{
    m_prefetch.table = -1;
    m_prefetch.data.clear();
    // Throttled loads wait between chunks anyway; nothing to hide there.
    if (m_context.pacer.throttled() || m_context.state.stopping() || m_context.control.paused())
        return;
    const auto& table = m_context.state.plan().tables()[chunk.table];
    const std::int64_t first = chunk.first + chunk.rows;
    if (first >= table.rows)
        return;  // the next table is not known before it is taken
    const std::int64_t count = std::min<std::int64_t>(m_context.chunkSize, table.rows - first);
    std::int64_t rows = 0;
    while (rows < count && m_prefetch.data.size() < kPrefetchBytes) {
        const std::int64_t batch = std::min(kRowsPerWrite, count - rows);
        m_context.generator.appendRows(table.index, first + rows, batch, m_prefetch.data);
        rows += batch;
    }
    // Deterministic rows: if the next chunk turns out different (a pause, a
    // reconnect), this is simply not used.
    m_prefetch = Prefetch{static_cast<int>(chunk.table), first, rows, std::move(m_prefetch.data)};
}

void EtlWorker::abortChunk(PgConnection& connection, CopyIn& copy)
{
    copy.abort("load stopped");
    connection.exec("ROLLBACK");
}

void EtlWorker::applyCommitted(const std::vector<PgResult>& results, const Chunk& chunk)
{
    // [COPY, UPDATE checkpoint, SELECT cancel_requested, COMMIT, BEGIN?, SET?]
    const std::string& name = m_context.state.plan().tables()[chunk.table].name;
    const std::string job = std::to_string(m_context.jobId);
    if (results.size() < 4)
        throw Error("the load script of job " + job + " returned too few results");
    if (results[0].affectedRows() != chunk.rows)
        throw Error("COPY into " + name + " stored " + std::to_string(results[0].affectedRows()) + " rows, expected " +
                    std::to_string(chunk.rows));
    if (results[1].affectedRows() != 1)
        throw Error("the checkpoint of job " + job + " / " + name + " is missing (was the job deleted?)");
    if (results[2].rows() != 1)
        throw InvalidParameterError("ETL job " + job + " was deleted while it loaded");
    ++m_chunks;
    m_context.state.chunkCommitted(chunk.table, chunk.after, results[2].boolean(0, 0));
    if (const auto& metrics = m_context.router.metrics())
        metrics->addEtlRows(chunk.rows);
}

}  // namespace pulse

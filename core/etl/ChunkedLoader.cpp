#include "etl/ChunkedLoader.hpp"

#include "common/Errors.hpp"
#include "common/Logging.hpp"
#include "etl/DemoSchema.hpp"
#include "etl/EtlJobStore.hpp"
#include "etl/LoadControl.hpp"
#include "pg/CopyIn.hpp"
#include "pg/PgConnection.hpp"
#include "routing/Router.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace pulse {
namespace {

using namespace std::chrono_literals;

constexpr auto kRateWindow = 3s;            // progress().rowsPerSecond looks this far back
constexpr auto kBrakePoll = 100ms;          // how often a holding brake is asked again
constexpr auto kCancelPoll = 1s;            // etl_jobs.cancel_requested while paused or braking
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

ChunkedLoader::ChunkedLoader(Router& router, EtlOptions options, LoadControl& control, Publish publish)
    : m_router(router), m_options(std::move(options)), m_control(control), m_publish(std::move(publish))
{
}

// ---- entry points ---------------------------------------------------------

EtlProgress ChunkedLoader::runNew(const EtlJobSpec& spec)
{
    m_runStart = Clock::now();
    m_spec = spec;
    m_progress.totalRows = spec.totalRows;
    m_progress.chunkSize = spec.chunkSize;
    m_progress.rowsPerSecondLimit = spec.rowsPerSecond;
    setState(EtlState::Starting, "creating the job");
    const EtlPlan plan(spec);
    try {
        Session session = m_router.etlSession();
        PgConnection& connection = session.connection();
        DemoSchema::migrate(connection);
        std::string tables = "{";
        for (const auto& table : plan.tables())
            tables += (tables.size() > 1 ? "," : "") + table.name;
        tables += "}";
        connection.exec("BEGIN");
        // period_end comes from the server's clock: every record's timestamps
        // are relative to it, so a resume on another machine regenerates the
        // same rows.
        auto job = connection.exec(
            "INSERT INTO etl_jobs (seed, total_rows, chunk_size, rows_per_second, period_days, period_end, status)"
            " VALUES ($1, $2, $3, $4, $5, date_trunc('second', now()), 'running')"
            " RETURNING id, extract(epoch FROM period_end)::bigint",
            {std::to_string(static_cast<std::int64_t>(spec.seed)), std::to_string(spec.totalRows),
             std::to_string(spec.chunkSize),
             spec.rowsPerSecond ? std::optional<std::string>(std::to_string(*spec.rowsPerSecond)) : std::nullopt,
             std::to_string(spec.periodDays)});
        m_jobId = job.integer(0, 0);
        m_periodEnd = job.integer(0, 1);
        // One checkpoint row per chosen table, written now: they also record
        // which tables the job loads, which resume reads back.
        connection.exec("INSERT INTO etl_checkpoints (job_id, table_name, chunks_done, rows_done)"
                        " SELECT $1, t, 0, 0 FROM unnest($2::text[]) AS t",
                        {std::to_string(m_jobId), tables});
        connection.exec("COMMIT");
    } catch (const std::exception& e) {
        // Nothing to resume: the job row does not exist (or its creation was
        // rolled back with the transaction).
        m_jobId = 0;
        return finishFailed(std::string("could not create the ETL job: ") + e.what());
    }
    m_progress.jobId = m_jobId;
    m_plan.emplace(spec);
    m_generator.emplace(RecordGenerator::Params{spec.seed, m_jobId, m_periodEnd, spec.periodDays}, *m_plan);
    logger("etl")->info("job {}: {} rows in chunks of {}{}", m_jobId, spec.totalRows, spec.chunkSize,
                        spec.rowsPerSecond ? ", at most " + std::to_string(*spec.rowsPerSecond) + " rows/s" : "");
    return loadWithRetries();
}

EtlProgress ChunkedLoader::runResume(std::int64_t jobId, std::optional<int> rowsPerSecond)
{
    m_runStart = Clock::now();
    m_jobId = jobId;
    m_progress.jobId = jobId;
    m_rateOverride = rowsPerSecond;
    m_needsJobRead = true;
    setState(EtlState::Starting, "reading job " + std::to_string(jobId));
    return loadWithRetries();
}

// ---- the retry loop -------------------------------------------------------

EtlProgress ChunkedLoader::loadWithRetries()
{
    std::optional<Clock::time_point> failingSince;
    std::int64_t chunksAtFailure = -1;
    int attempt = 0;
    for (;;) {
        std::string reason;
        try {
            Session session = m_router.etlSession();
            PgConnection& connection = session.connection();
            m_progress.backendPid = connection.backendPid();
            const Outcome outcome = loadOn(connection);
            m_progress.backendPid = 0;
            if (outcome == Outcome::Cancelled) {
                setState(EtlState::Cancelled, "cancelled after " + std::to_string(committedRows()) +
                                                  " rows; the checkpoint is consistent and resume finishes the job");
            } else {
                setState(EtlState::Completed, "loaded " + std::to_string(committedRows()) + " rows");
            }
            return m_progress;
        } catch (const InvalidParameterError& e) {
            return finishFailed(e.what());
        } catch (const QueryTimeoutError& e) {
            reason = e.what();
        } catch (const ConnectionError& e) {
            reason = e.what();
        } catch (const PoolTimeoutError& e) {
            reason = e.what();
        } catch (const std::exception& e) {
            // SQL errors (a duplicate key included) are not transient:
            // retrying would fail the same way, or hide a real bug.
            return finishFailed(e.what());
        }

        // The connection broke (or none could be had): the session above is
        // gone and its connection discarded. Retry from the checkpoint.
        m_progress.backendPid = 0;
        const auto now = Clock::now();
        if (!failingSince || m_progress.chunksLoaded != chunksAtFailure) {
            failingSince = now;  // a new outage: the window starts again
            chunksAtFailure = m_progress.chunksLoaded;
            attempt = 0;
        }
        const auto down = std::chrono::duration_cast<std::chrono::milliseconds>(now - *failingSince);
        if (down >= m_options.retryWindow) {
            return finishFailed("connection lost and not back within the retry window of " +
                                secondsText(m_options.retryWindow) + ": " + reason +
                                (m_jobId ? "; resume job " + std::to_string(m_jobId) + " to continue" : ""));
        }
        ++attempt;
        ++m_progress.retries;
        logger("etl")->warn("job {}: {}; reconnecting (attempt {})", m_jobId, reason, attempt);
        setState(EtlState::Retrying, reason + "; reconnecting (attempt " + std::to_string(attempt) + ", " +
                                         secondsText(down) + " of " + secondsText(m_options.retryWindow) + ")");
        auto backoff = std::min<Clock::duration>(kBackoffMax, kBackoffFirst * (1 << std::min(attempt - 1, 8)));
        backoff = std::min<Clock::duration>(backoff, m_options.retryWindow - down);
        if (!m_control.sleepUntil(Clock::now() + backoff)) {
            // Cancelled while the database was away: record it if it is back.
            try {
                if (m_jobId) {
                    Session session = m_router.etlSession();
                    session.connection().exec("UPDATE etl_jobs SET status = 'cancelled', finished_at = now(),"
                                              " updated_at = now() WHERE id = $1 AND status = 'running'",
                                              {std::to_string(m_jobId)});
                }
                setState(EtlState::Cancelled, "cancelled while reconnecting; resume finishes the job");
            } catch (const std::exception& e) {
                setState(EtlState::Cancelled, std::string("cancelled while reconnecting; the job could not be "
                                                          "marked cancelled (") + e.what() + ")");
            }
            return m_progress;
        }
    }
}

// ---- one session ----------------------------------------------------------

void ChunkedLoader::readJob(PgConnection& connection)
{
    const EtlJobRecord record = EtlJobStore::find(connection, m_jobId);  // InvalidParameterError when unknown
    EtlJobSpec spec;
    spec.seed = record.seed;
    spec.totalRows = record.totalRows;
    spec.chunkSize = record.chunkSize;
    spec.rowsPerSecond = m_rateOverride ? m_rateOverride : record.rowsPerSecond;
    spec.periodDays = record.periodDays;
    for (const auto& checkpoint : record.checkpoints)
        spec.tables.push_back(checkpoint.table);
    if (spec.tables.size() == DemoSchema::dataTables().size())
        spec.tables.clear();
    spec.validate();
    auto epoch = connection.exec("SELECT extract(epoch FROM period_end)::bigint FROM etl_jobs WHERE id = $1",
                                 {std::to_string(m_jobId)});
    m_spec = spec;
    m_periodEnd = epoch.integer(0, 0);
    m_plan.emplace(spec);
    m_generator.emplace(RecordGenerator::Params{spec.seed, m_jobId, m_periodEnd, spec.periodDays}, *m_plan);
    m_progress.totalRows = spec.totalRows;
    m_progress.chunkSize = spec.chunkSize;
    m_progress.rowsPerSecondLimit = spec.rowsPerSecond;
}

void ChunkedLoader::readCheckpoints(PgConnection& connection)
{
    auto job = connection.exec("SELECT cancel_requested FROM etl_jobs WHERE id = $1", {std::to_string(m_jobId)});
    if (job.rows() == 0)
        throw InvalidParameterError("ETL job " + std::to_string(m_jobId) + " was deleted while it loaded");
    m_cancelRequested = job.boolean(0, 0);
    m_done.assign(m_plan->tables().size(), TableDone{});
    auto rows = connection.exec("SELECT table_name, chunks_done, rows_done FROM etl_checkpoints WHERE job_id = $1",
                                {std::to_string(m_jobId)});
    for (int r = 0; r < rows.rows(); ++r) {
        const std::string name = rows.text(r, 0);
        for (size_t t = 0; t < m_plan->tables().size(); ++t)
            if (m_plan->tables()[t].name == name)
                m_done[t] = TableDone{rows.integer(r, 2), static_cast<int>(rows.integer(r, 1))};
    }
    m_progress.rowsLoaded = committedRows();
    m_progress.chunksLoaded = 0;
    for (const auto& d : m_done)
        m_progress.chunksLoaded += d.chunks;
    if (m_rowsAtStart < 0)
        m_rowsAtStart = m_progress.rowsLoaded;
    m_progress.rowsThisRun = m_progress.rowsLoaded - m_rowsAtStart;
    m_samples.clear();
    m_samples.emplace_back(Clock::now(), m_progress.rowsLoaded);
}

void ChunkedLoader::lockJob(PgConnection& connection, bool afterFailure)
{
    auto locked = connection.exec("SELECT pg_try_advisory_lock($1, $2)",
                                  {std::to_string(kJobLockClass), std::to_string(m_jobId)});
    if (locked.boolean(0, 0))
        return;
    const std::string what = "ETL job " + std::to_string(m_jobId) + " is being loaded by another session";
    // Right after a connection loss the old backend may not have exited yet:
    // that is a connection problem that passes, so it is retried.
    if (afterFailure)
        throw ConnectionError("primary", what + " (the previous connection's backend may still be exiting)");
    throw InvalidParameterError(what + "; cancel it first (pulsectl etl cancel)");
}

void ChunkedLoader::unlockJob(PgConnection& connection, std::int64_t jobId) noexcept
{
    try {
        if (connection.isBroken())
            return;  // the server releases the lock with the session
        if (connection.inTransaction())
            connection.exec("ROLLBACK");
        connection.exec("SELECT pg_advisory_unlock($1, $2)", {std::to_string(kJobLockClass), std::to_string(jobId)});
    } catch (...) {
        // Whatever state it is in, a discarded connection holds no lock.
        connection.markBroken();
    }
}

ChunkedLoader::Outcome ChunkedLoader::loadOn(PgConnection& connection)
{
    lockJob(connection, m_progress.retries > 0);
    struct Unlock {
        PgConnection& connection;
        std::int64_t jobId;
        ~Unlock() { unlockJob(connection, jobId); }
    } unlock{connection, m_jobId};

    if (m_needsJobRead) {
        readJob(connection);
        auto record = connection.exec("SELECT status FROM etl_jobs WHERE id = $1", {std::to_string(m_jobId)});
        if (record.text(0, 0) == "completed") {
            readCheckpoints(connection);
            m_needsJobRead = false;
            return Outcome::Completed;
        }
        // Running again: clear what the previous run left (a cancel request
        // would otherwise stop this run after its first chunk).
        connection.exec("UPDATE etl_jobs SET status = 'running', cancel_requested = false, error = NULL,"
                        " finished_at = NULL, rows_per_second = $2, updated_at = now() WHERE id = $1",
                        {std::to_string(m_jobId), m_spec.rowsPerSecond
                                                      ? std::optional<std::string>(std::to_string(*m_spec.rowsPerSecond))
                                                      : std::nullopt});
        m_needsJobRead = false;
    }
    readCheckpoints(connection);
    m_paceOrigin = Clock::now();
    m_pacedRows = 0;
    setState(EtlState::Running);

    for (;;) {
        std::optional<std::string> brake;
        if (mustStop(brake)) {
            if (m_control.cancelled() || m_cancelRequested)
                return markCancelled(connection);
            if (m_control.paused()) {
                setState(EtlState::Paused, "paused after " + std::to_string(committedRows()) + " rows");
                while (m_control.paused() && !m_control.cancelled()) {
                    m_control.waitUnpaused(Clock::now() + kCancelPoll);
                    if (pollCancelRequested(connection))
                        break;
                }
            } else {
                setState(EtlState::Braking, *brake);
                auto nextPoll = Clock::now() + kCancelPoll;
                while (brake && !m_control.cancelled()) {
                    if (!m_control.sleepUntil(Clock::now() + kBrakePoll))
                        break;
                    brake = m_options.brake();
                    if (brake && *brake != m_progress.detail)
                        setState(EtlState::Braking, *brake);
                    if (Clock::now() >= nextPoll) {
                        nextPoll = Clock::now() + kCancelPoll;
                        if (pollCancelRequested(connection))
                            break;
                    }
                }
            }
            m_paceOrigin = Clock::now();
            m_pacedRows = 0;
            setState(EtlState::Running);
            continue;  // everything is asked again
        }

        const auto window = nextWindow(m_spec.rowsPerSecond ? 1 : kWindowChunks);
        if (window.empty()) {
            // Nothing (left) to load: the job is complete as it stands.
            connection.exec("UPDATE etl_jobs SET status = 'completed', finished_at = now(), updated_at = now()"
                            " WHERE id = $1",
                            {std::to_string(m_jobId)});
            return Outcome::Completed;
        }
        if (m_spec.rowsPerSecond && !m_control.sleepUntil(paceAt()))
            continue;  // cancelled: handled at the top

        CopyIn copy(connection);
        copy.start(script(window));
        for (size_t i = 0; i < window.size(); ++i) {
            const Chunk& chunk = window[i];
            m_progress.currentTable = m_plan->tables()[chunk.table].name;
            // Between two chunks of the window: the next COPY has started
            // (empty); a control that holds the load rolls it back.
            if (i > 0 && mustStop(brake)) {
                abortChunk(connection, copy);
                break;
            }
            bool interrupted = false;
            streamChunk(copy, chunk, interrupted);
            if (interrupted) {
                abortChunk(connection, copy);  // the chunk is rolled back; the checkpoint stays consistent
                return markCancelled(connection);
            }
            // The end goes out first; the server's last inserts and our next
            // rows then happen at the same time.
            copy.endData();
            prefetchAfter(chunk);
            const auto results = copy.finishAndContinue();
            applyCommitted(results, chunk);
            if (i + 1 < window.size() && !copy.active())
                throw Error("the load script of job " + std::to_string(m_jobId) + " ended before its last COPY");
            if (chunk.last)
                return Outcome::Completed;
        }
    }
}

bool ChunkedLoader::mustStop(std::optional<std::string>& brake) const
{
    if (m_control.cancelled() || m_cancelRequested || m_control.paused())
        return true;
    brake = m_options.brake ? m_options.brake() : std::nullopt;  // asked before each chunk
    return brake.has_value();
}

std::vector<ChunkedLoader::Chunk> ChunkedLoader::nextWindow(size_t maxChunks) const
{
    std::vector<Chunk> window;
    const auto& tables = m_plan->tables();
    std::int64_t loaded = committedRows();
    for (size_t t = 0; t < tables.size() && window.size() < maxChunks; ++t) {
        TableDone done = m_done[t];
        while (done.rows < tables[t].rows && window.size() < maxChunks) {
            Chunk chunk;
            chunk.table = t;
            chunk.first = done.rows;
            chunk.rows = std::min<std::int64_t>(m_spec.chunkSize, tables[t].rows - done.rows);
            done = TableDone{done.rows + chunk.rows, done.chunks + 1};
            loaded += chunk.rows;
            chunk.after = done;
            chunk.loadedAfter = loaded;
            window.push_back(chunk);
        }
    }
    // The job's last chunk: every table is done once it commits.
    if (!window.empty())
        window.back().last = window.back().loadedAfter == m_plan->totalRows();
    return window;
}

std::string ChunkedLoader::script(const std::vector<Chunk>& window) const
{
    // Only numbers and the program's own table names: safe to inline.
    const std::string job = std::to_string(m_jobId);
    std::string sql;
    for (const auto& chunk : window) {
        const auto& table = m_plan->tables()[chunk.table];
        sql += "BEGIN; SET LOCAL synchronous_commit = off; " + RecordGenerator::copyStatement(table.index) +
               "; UPDATE etl_checkpoints SET chunks_done = " + std::to_string(chunk.after.chunks) +
               ", rows_done = " + std::to_string(chunk.after.rows) + ", updated_at = now() WHERE job_id = " + job +
               " AND table_name = '" + table.name + "'; UPDATE etl_jobs SET rows_loaded = " +
               std::to_string(chunk.loadedAfter) + ", updated_at = now()" +
               (chunk.last ? ", status = 'completed', finished_at = now()" : "") + " WHERE id = " + job +
               " RETURNING cancel_requested; COMMIT; ";
    }
    return sql;
}

void ChunkedLoader::streamChunk(CopyIn& copy, const Chunk& chunk, bool& interrupted)
{
    const int tableIndex = m_plan->tables()[chunk.table].index;
    const std::int64_t unit = paceUnit(chunk.rows);
    std::int64_t sent = 0;
    if (m_prefetch.table == tableIndex && m_prefetch.first == chunk.first && m_prefetch.rows <= chunk.rows) {
        const std::string_view data = m_prefetch.data;
        for (size_t at = 0; at < data.size(); at += kWriteSlice)
            copy.write(data.substr(at, kWriteSlice));
        sent = m_prefetch.rows;
        m_pacedRows += sent;
    }
    m_prefetch.table = -1;
    while (sent < chunk.rows) {
        const std::int64_t n = std::min(unit, chunk.rows - sent);
        // The first unit was paced before the chunk started.
        if (sent > 0 && m_spec.rowsPerSecond && !m_control.sleepUntil(paceAt())) {
            interrupted = true;
            return;
        }
        for (std::int64_t done = 0; done < n;) {
            const std::int64_t batch = std::min(kRowsPerWrite, n - done);
            m_buffer.clear();
            m_generator->appendRows(tableIndex, chunk.first + sent + done, batch, m_buffer);
            copy.write(m_buffer);
            done += batch;
        }
        sent += n;
        m_pacedRows += n;
    }
}

void ChunkedLoader::prefetchAfter(const Chunk& chunk)
{
    m_prefetch.table = -1;
    m_prefetch.data.clear();
    // Throttled loads wait between chunks anyway; nothing to hide there.
    if (m_spec.rowsPerSecond || m_control.cancelled() || m_control.paused())
        return;
    const auto& tables = m_plan->tables();
    size_t t = chunk.table;
    std::int64_t first = chunk.first + chunk.rows;
    while (t < tables.size() && first >= tables[t].rows) {
        ++t;
        first = t < tables.size() ? m_done[t].rows : 0;
    }
    if (t >= tables.size())
        return;
    const std::int64_t count = std::min<std::int64_t>(m_spec.chunkSize, tables[t].rows - first);
    std::int64_t rows = 0;
    while (rows < count && m_prefetch.data.size() < kPrefetchBytes) {
        const std::int64_t batch = std::min(kRowsPerWrite, count - rows);
        m_generator->appendRows(tables[t].index, first + rows, batch, m_prefetch.data);
        rows += batch;
    }
    // Deterministic rows: if the next chunk turns out different (a pause, a
    // reconnect), this is simply not used.
    m_prefetch = Prefetch{tables[t].index, first, rows, std::move(m_prefetch.data)};
}

void ChunkedLoader::abortChunk(PgConnection& connection, CopyIn& copy)
{
    copy.abort("load cancelled");
    connection.exec("ROLLBACK");
}

void ChunkedLoader::applyCommitted(const std::vector<PgResult>& results, const Chunk& chunk)
{
    // [COPY, UPDATE checkpoint, UPDATE job RETURNING, COMMIT, BEGIN?, SET?]
    const std::string& name = m_plan->tables()[chunk.table].name;
    if (results.size() < 4)
        throw Error("the load script of job " + std::to_string(m_jobId) + " returned too few results");
    if (results[0].affectedRows() != chunk.rows)
        throw Error("COPY into " + name + " stored " + std::to_string(results[0].affectedRows()) + " rows, expected " +
                    std::to_string(chunk.rows));
    if (results[1].affectedRows() != 1)
        throw Error("the checkpoint of job " + std::to_string(m_jobId) + " / " + name +
                    " is missing (was the job deleted?)");
    if (results[2].rows() != 1)
        throw InvalidParameterError("ETL job " + std::to_string(m_jobId) + " was deleted while it loaded");
    m_cancelRequested = results[2].boolean(0, 0);
    m_done[chunk.table] = chunk.after;
    m_progress.rowsLoaded = committedRows();
    m_progress.rowsThisRun = m_progress.rowsLoaded - m_rowsAtStart;
    ++m_progress.chunksLoaded;
    const auto now = Clock::now();
    m_samples.emplace_back(now, m_progress.rowsLoaded);
    while (m_samples.size() > 2 && now - m_samples[1].first > kRateWindow)
        m_samples.pop_front();
    publish();
}

bool ChunkedLoader::pollCancelRequested(PgConnection& connection)
{
    auto job = connection.exec("SELECT cancel_requested FROM etl_jobs WHERE id = $1", {std::to_string(m_jobId)});
    m_cancelRequested = job.rows() == 1 && job.boolean(0, 0);
    return m_cancelRequested;
}

ChunkedLoader::Outcome ChunkedLoader::markCancelled(PgConnection& connection)
{
    connection.exec("UPDATE etl_jobs SET status = 'cancelled', finished_at = now(), updated_at = now() WHERE id = $1",
                    {std::to_string(m_jobId)});
    return Outcome::Cancelled;
}

// ---- throttle -------------------------------------------------------------

ChunkedLoader::Clock::time_point ChunkedLoader::paceAt()
{
    const double rate = *m_spec.rowsPerSecond;
    const auto now = Clock::now();
    auto due = m_paceOrigin + std::chrono::duration_cast<Clock::duration>(
                                  std::chrono::duration<double>(static_cast<double>(m_pacedRows) / rate));
    // Behind schedule by more than a unit (a slow server, a wait): start the
    // schedule again from now rather than bursting to catch up.
    const auto unitTime = std::chrono::duration<double>(static_cast<double>(paceUnit(m_spec.chunkSize)) / rate);
    if (now - due > unitTime) {
        m_paceOrigin = now - std::chrono::duration_cast<Clock::duration>(
                                 std::chrono::duration<double>(static_cast<double>(m_pacedRows) / rate));
        due = now;
    }
    return due;
}

std::int64_t ChunkedLoader::paceUnit(std::int64_t chunkRows) const
{
    if (!m_spec.rowsPerSecond)
        return chunkRows;
    // A chunk worth more than a fifth of a second is paced inside, in tenths
    // of a second, so the rate stays smooth over any few seconds.
    const std::int64_t rate = *m_spec.rowsPerSecond;
    if (chunkRows * 5 <= rate)
        return chunkRows;
    return std::max<std::int64_t>(1, rate / 10);
}

// ---- progress -------------------------------------------------------------

std::int64_t ChunkedLoader::committedRows() const
{
    std::int64_t rows = 0;
    for (const auto& d : m_done)
        rows += d.rows;
    return rows;
}

EtlProgress ChunkedLoader::finishFailed(const std::string& error)
{
    logger("etl")->error("job {}: {}", m_jobId, error);
    m_progress.error = error;
    m_progress.backendPid = 0;
    if (m_jobId && m_plan) {
        // Best effort: with the database away the row stays 'running', which
        // resume handles the same way. (No plan yet: the job was never read,
        // maybe because it does not exist.)
        try {
            Session session = m_router.etlSession();
            session.connection().exec("UPDATE etl_jobs SET status = 'failed', error = $2, updated_at = now()"
                                      " WHERE id = $1 AND status = 'running'",
                                      {std::to_string(m_jobId), error});
        } catch (const std::exception& e) {
            logger("etl")->warn("job {}: could not record the failure: {}", m_jobId, e.what());
        }
    }
    setState(EtlState::Failed, error);
    return m_progress;
}

void ChunkedLoader::setState(EtlState state, std::string detail)
{
    m_progress.state = state;
    m_progress.detail = std::move(detail);
    publish();
}

void ChunkedLoader::publish()
{
    const auto now = Clock::now();
    m_progress.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - m_runStart);
    // Committed rows over the last few seconds, up to now (so the rate falls
    // while nothing commits).
    m_progress.rowsPerSecond = 0;
    if (!m_samples.empty()) {
        auto anchor = m_samples.front();
        for (const auto& sample : m_samples)
            if (now - sample.first <= kRateWindow) {
                break;
            } else {
                anchor = sample;
            }
        const double seconds = std::chrono::duration<double>(now - anchor.first).count();
        if (seconds > 0.05)
            m_progress.rowsPerSecond = static_cast<double>(m_progress.rowsLoaded - anchor.second) / seconds;
    }
    m_progress.eta.reset();
    const std::int64_t remaining = m_progress.totalRows - m_progress.rowsLoaded;
    if (m_progress.state == EtlState::Running && m_progress.rowsPerSecond > 0)
        m_progress.eta = std::chrono::seconds(
            static_cast<std::int64_t>(std::ceil(static_cast<double>(remaining) / m_progress.rowsPerSecond)));
    else if (m_progress.state == EtlState::Completed)
        m_progress.eta = std::chrono::seconds(0);
    if (m_publish)
        m_publish(m_progress);
}

}  // namespace pulse

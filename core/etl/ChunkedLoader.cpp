#include "etl/ChunkedLoader.hpp"

#include "common/Errors.hpp"
#include "common/Logging.hpp"
#include "etl/DemoSchema.hpp"
#include "etl/EtlJobStore.hpp"
#include "etl/EtlPacer.hpp"
#include "etl/EtlWorker.hpp"
#include "etl/LoadControl.hpp"
#include "pg/PgConnection.hpp"
#include "routing/Router.hpp"

#include <algorithm>
#include <cstdio>
#include <thread>

namespace pulse {
namespace {

using namespace std::chrono_literals;

// How often the coordinator reads etl_jobs.cancel_requested while the workers
// run (workers that commit read it with every chunk; paused or braking ones
// do not).
constexpr auto kCoordinatorPoll = 500ms;
constexpr auto kBackoffFirst = 100ms;
constexpr auto kBackoffMax = 2s;

std::string secondsText(std::chrono::milliseconds ms)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.1f s", static_cast<double>(ms.count()) / 1000.0);
    return buffer;
}

bool transient(const std::exception& e)
{
    return dynamic_cast<const QueryTimeoutError*>(&e) || dynamic_cast<const ConnectionError*>(&e) ||
           dynamic_cast<const PoolTimeoutError*>(&e);
}

}  // namespace

ChunkedLoader::ChunkedLoader(Router& router, EtlOptions options, LoadControl& control, Publish publish)
    : m_router(router), m_options(std::move(options)), m_control(control), m_publish(std::move(publish))
{
}

ChunkedLoader::~ChunkedLoader()
{
    closeSession();
}

// ---- entry points ---------------------------------------------------------

EtlProgress ChunkedLoader::runNew(const EtlJobSpec& spec)
{
    m_runStart = Clock::now();
    m_spec = spec;
    m_connections = spec.connections;
    m_progress.totalRows = spec.totalRows;
    m_progress.chunkSize = spec.chunkSize;
    m_progress.rowsPerSecondLimit = spec.rowsPerSecond;
    m_progress.connections = spec.connections;
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
        return finishFailed(std::string("could not create the ETL job: ") + e.what(), etlErrorKindOf(e));
    }
    m_progress.jobId = m_jobId;
    m_plan.emplace(spec);
    m_generator.emplace(RecordGenerator::Params{spec.seed, m_jobId, m_periodEnd, spec.periodDays}, *m_plan);
    logger("etl")->info("job {}: {} rows in chunks of {} on {} connection(s){}", m_jobId, spec.totalRows,
                        spec.chunkSize, spec.connections,
                        spec.rowsPerSecond ? ", at most " + std::to_string(*spec.rowsPerSecond) + " rows/s" : "");
    return loadWithRetries();
}

EtlProgress ChunkedLoader::runResume(std::int64_t jobId, std::optional<int> rowsPerSecond, int connections)
{
    m_runStart = Clock::now();
    m_jobId = jobId;
    m_progress.jobId = jobId;
    m_rateOverride = rowsPerSecond;
    m_connections = connections;
    m_progress.connections = connections;
    m_needsJobRead = true;
    setState(EtlState::Starting, "reading job " + std::to_string(jobId));
    return loadWithRetries();
}

// ---- the coordinator ------------------------------------------------------

EtlProgress ChunkedLoader::loadWithRetries()
{
    Outage outage;
    for (;;) {
        std::string reason;
        try {
            openSession(outage.since.has_value());
            prepare(m_session->connection());
            break;
        } catch (const InvalidParameterError& e) {
            closeSession();
            return finishFailed(e.what(), EtlErrorKind::InvalidParameter);
        } catch (const std::exception& e) {
            closeSession();
            // SQL errors are not transient: retrying would fail the same way.
            if (!transient(e))
                return finishFailed(e.what(), etlErrorKindOf(e));
            reason = e.what();
        }
        std::string failure;
        if (!backOff(outage, reason, failure)) {
            if (!failure.empty())
                return finishFailed(failure, EtlErrorKind::Connection);
            // Cancelled while the database was away: record it if it is back.
            try {
                if (m_jobId) {
                    Session session = m_router.etlSession();
                    session.connection().exec("UPDATE etl_jobs SET status = 'cancelled', finished_at = now(),"
                                              " updated_at = now() WHERE id = $1 AND status = 'running'",
                                              {std::to_string(m_jobId)});
                }
            } catch (const std::exception& e) {
                logger("etl")->warn("job {}: could not record the cancel: {}", m_jobId, e.what());
            }
            setState(EtlState::Cancelled, "cancelled while reconnecting; resume finishes the job");
            return m_progress;
        }
    }
    auto result = supervise();
    closeSession();
    return result;
}

bool ChunkedLoader::backOff(Outage& outage, const std::string& reason, std::string& failure)
{
    const auto now = Clock::now();
    if (!outage.since) {
        outage.since = now;
        outage.attempt = 0;
    }
    const auto down = std::chrono::duration_cast<std::chrono::milliseconds>(now - *outage.since);
    if (down >= m_options.retryWindow) {
        failure = "connection lost and not back within the retry window of " + secondsText(m_options.retryWindow) +
                  ": " + reason + (m_jobId ? "; resume job " + std::to_string(m_jobId) + " to continue" : "");
        return false;
    }
    ++outage.attempt;
    const std::string detail = reason + "; reconnecting (attempt " + std::to_string(outage.attempt) + ", " +
                               secondsText(down) + " of " + secondsText(m_options.retryWindow) + ")";
    logger("etl")->warn("job {}: {}", m_jobId, detail);
    if (m_state) {
        m_state->countRetry();  // the workers go on; their state is the load's
    } else {
        ++m_progress.retries;
        setState(EtlState::Retrying, detail);
    }
    auto backoff = std::min<Clock::duration>(kBackoffMax, kBackoffFirst * (1 << std::min(outage.attempt - 1, 8)));
    backoff = std::min<Clock::duration>(backoff, m_options.retryWindow - down);
    return m_control.sleepUntil(Clock::now() + backoff);
}

void ChunkedLoader::openSession(bool afterFailure)
{
    closeSession();
    m_session.emplace(m_router.etlSession());
    PgConnection& connection = m_session->connection();
    auto locked = connection.exec("SELECT pg_try_advisory_lock($1, $2)",
                                  {std::to_string(kJobLockClass), std::to_string(m_jobId)});
    if (locked.boolean(0, 0))
        return;
    closeSession();
    const std::string what = "ETL job " + std::to_string(m_jobId) + " is being loaded by another session";
    // Right after a connection loss the old backend may not have exited yet:
    // that is a connection problem that passes, so it is retried.
    if (afterFailure)
        throw ConnectionError("primary", what + " (the previous connection's backend may still be exiting)");
    throw InvalidParameterError(what + "; cancel it first (pulsectl etl cancel)");
}

void ChunkedLoader::closeSession() noexcept
{
    if (!m_session)
        return;
    PgConnection& connection = m_session->connection();
    try {
        // A broken connection holds no lock: the server released it with the session.
        if (!connection.isBroken()) {
            if (connection.inTransaction())
                connection.exec("ROLLBACK");
            connection.exec("SELECT pg_advisory_unlock($1, $2)",
                            {std::to_string(kJobLockClass), std::to_string(m_jobId)});
        }
    } catch (...) {
        // Whatever state it is in, a discarded connection holds no lock.
        connection.markBroken();
    }
    m_session.reset();
}

void ChunkedLoader::prepare(PgConnection& connection)
{
    if (m_needsJobRead) {
        readJob(connection);
        auto record = connection.exec("SELECT status FROM etl_jobs WHERE id = $1", {std::to_string(m_jobId)});
        m_wasCompleted = record.text(0, 0) == "completed";
        if (!m_wasCompleted) {
            // Running again: clear what the previous run left (a cancel
            // request would otherwise stop this run after its first chunk).
            connection.exec("UPDATE etl_jobs SET status = 'running', cancel_requested = false, error = NULL,"
                            " finished_at = NULL, rows_per_second = $2, updated_at = now() WHERE id = $1",
                            {std::to_string(m_jobId),
                             m_spec.rowsPerSecond ? std::optional<std::string>(std::to_string(*m_spec.rowsPerSecond))
                                                  : std::nullopt});
        }
        m_needsJobRead = false;
    }
    auto job = connection.exec("SELECT cancel_requested FROM etl_jobs WHERE id = $1", {std::to_string(m_jobId)});
    if (job.rows() == 0)
        throw InvalidParameterError("ETL job " + std::to_string(m_jobId) + " was deleted while it loaded");
    std::vector<EtlLoadState::TableDone> done(m_plan->tables().size());
    auto rows = connection.exec("SELECT table_name, chunks_done, rows_done FROM etl_checkpoints WHERE job_id = $1",
                                {std::to_string(m_jobId)});
    for (int r = 0; r < rows.rows(); ++r) {
        const std::string name = rows.text(r, 0);
        for (size_t t = 0; t < m_plan->tables().size(); ++t)
            if (m_plan->tables()[t].name == name)
                done[t] = EtlLoadState::TableDone{rows.integer(r, 2), static_cast<int>(rows.integer(r, 1))};
    }
    m_state.emplace(*m_plan, m_control, m_options.brake, m_publish, m_progress, m_runStart);
    m_state->setAllCommitted(done);
    m_state->setCancelRequested(job.boolean(0, 0));
}

void ChunkedLoader::readJob(PgConnection& connection)
{
    const EtlJobRecord record = EtlJobStore::find(connection, m_jobId);  // InvalidParameterError when unknown
    EtlJobSpec spec;
    spec.seed = record.seed;
    spec.totalRows = record.totalRows;
    spec.chunkSize = record.chunkSize;
    spec.rowsPerSecond = m_rateOverride ? m_rateOverride : record.rowsPerSecond;
    spec.periodDays = record.periodDays;
    spec.connections = m_connections;
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

EtlProgress ChunkedLoader::supervise()
{
    EtlLoadState& state = *m_state;
    if (!state.allTablesDone()) {
        int pending = 0;
        for (size_t t = 0; t < m_plan->tables().size(); ++t)
            if (state.committed(t).rows < m_plan->tables()[t].rows)
                ++pending;
        const int workers = std::max(1, std::min(m_connections, pending));
        state.startWorkers(workers);
        EtlPacer pacer(m_spec.rowsPerSecond.value_or(0), m_spec.chunkSize);
        {
            std::vector<std::jthread> threads;
            for (int i = 0; i < workers; ++i)
                threads.emplace_back([this, &state, &pacer, i] {
                    EtlWorker(EtlWorker::Context{m_router, m_control, state, pacer, *m_generator, m_jobId,
                                                 m_spec.chunkSize, m_options.retryWindow},
                              i)
                        .run();
                });
            Outage outage;
            while (!state.waitWorkersFinished(Clock::now() + kCoordinatorPoll)) {
                if (state.failure())
                    continue;  // the workers are stopping: just wait for them
                try {
                    if (!m_session)
                        openSession(true);
                    pollJob();
                    outage = Outage{};
                } catch (const std::exception& e) {
                    closeSession();
                    if (!transient(e)) {
                        state.fail(e.what(), etlErrorKindOf(e));
                        continue;
                    }
                    std::string failure;
                    if (!backOff(outage, e.what(), failure) && !failure.empty())
                        state.fail(failure, EtlErrorKind::Connection);
                }
            }
        }  // the threads join here
    }

    // The end, recorded once, by the coordinator only.
    const std::string rows = std::to_string(state.committedRows());
    if (const auto failure = state.failure())
        return finishFailed(*failure, state.failureKind());
    if (state.allTablesDone()) {
        if (!m_wasCompleted) {
            try {
                recordEnd("status = 'completed', finished_at = now()");
            } catch (const std::exception& e) {
                return finishFailed("every row is loaded, but the job could not be marked completed: " +
                                        std::string(e.what()) + "; resume job " + std::to_string(m_jobId) +
                                        " to record it",
                                    etlErrorKindOf(e));
            }
        }
        state.setJobState(EtlState::Completed, "loaded " + rows + " rows");
        return state.snapshot();
    }
    if (m_control.cancelled() || state.cancelRequested()) {
        try {
            recordEnd("status = 'cancelled', finished_at = now()");
        } catch (const std::exception& e) {
            // A job left 'running' by nobody is cancelled by `etl cancel`, or resumed.
            logger("etl")->warn("job {}: could not record the cancel: {}", m_jobId, e.what());
        }
        state.setJobState(EtlState::Cancelled,
                          "cancelled after " + rows + " rows; the checkpoints are consistent and resume finishes the job");
        return state.snapshot();
    }
    return finishFailed("the load stopped with rows left to load (resume job " + std::to_string(m_jobId) +
                            " to continue)",
                        EtlErrorKind::Other);
}

void ChunkedLoader::pollJob()
{
    auto job = m_session->connection().exec("SELECT cancel_requested FROM etl_jobs WHERE id = $1",
                                            {std::to_string(m_jobId)});
    if (job.rows() == 0)
        throw InvalidParameterError("ETL job " + std::to_string(m_jobId) + " was deleted while it loaded");
    m_state->setCancelRequested(job.boolean(0, 0));
}

void ChunkedLoader::recordEnd(const std::string& assignments)
{
    // rows_loaded is kept for whoever reads the table directly; while a job
    // runs, EtlJobStore sums the checkpoints instead.
    const std::string sql = "UPDATE etl_jobs SET " + assignments +
                            ", rows_loaded = (SELECT coalesce(sum(rows_done), 0) FROM etl_checkpoints"
                            " WHERE job_id = $1), updated_at = now() WHERE id = $1";
    Outage outage;
    for (;;) {
        std::string reason;
        try {
            if (!m_session)
                openSession(true);
            m_session->connection().exec(sql, {std::to_string(m_jobId)});
            return;
        } catch (const std::exception& e) {
            closeSession();
            if (!transient(e))
                throw;
            reason = e.what();
        }
        std::string failure;
        if (!backOff(outage, reason, failure))
            throw ConnectionError("primary", failure.empty() ? reason : failure);
    }
}

// ---- progress -------------------------------------------------------------

EtlProgress ChunkedLoader::finishFailed(const std::string& error, EtlErrorKind kind)
{
    logger("etl")->error("job {}: {}", m_jobId, error);
    if (m_jobId && m_plan) {
        // Best effort: with the database away the row stays 'running', which
        // resume handles the same way. (No plan yet: the job was never read,
        // maybe because it does not exist or another process loads it.)
        try {
            std::optional<Session> fresh;
            PgConnection* connection = nullptr;
            if (m_session && !m_session->connection().isBroken()) {
                connection = &m_session->connection();
            } else {
                fresh.emplace(m_router.etlSession());
                connection = &fresh->connection();
            }
            if (connection->inTransaction())
                connection->exec("ROLLBACK");
            connection->exec("UPDATE etl_jobs SET status = 'failed', error = $2,"
                             " rows_loaded = (SELECT coalesce(sum(rows_done), 0) FROM etl_checkpoints"
                             " WHERE job_id = $1), updated_at = now() WHERE id = $1 AND status = 'running'",
                             {std::to_string(m_jobId), error});
        } catch (const std::exception& e) {
            logger("etl")->warn("job {}: could not record the failure: {}", m_jobId, e.what());
        }
    }
    if (m_state) {
        m_state->setJobState(EtlState::Failed, error, error, kind);
        return m_state->snapshot();
    }
    m_progress.error = error;
    m_progress.errorKind = kind;
    m_progress.backendPid = 0;
    setState(EtlState::Failed, error);
    return m_progress;
}

void ChunkedLoader::setState(EtlState state, std::string detail)
{
    m_progress.state = state;
    m_progress.detail = std::move(detail);
    m_progress.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - m_runStart);
    m_progress.eta.reset();
    if (m_publish)
        m_publish(m_progress);
}

}  // namespace pulse

#include "etl/EtlController.hpp"

#include "common/Errors.hpp"
#include "common/Logging.hpp"
#include "engine/Engine.hpp"
#include "etl/ChunkedLoader.hpp"
#include "etl/EtlJobSpec.hpp"
#include "etl/EtlJobStore.hpp"
#include "etl/EtlRunner.hpp"
#include "routing/Session.hpp"

#include <QPointer>

#include <algorithm>
#include <exception>
#include <set>

namespace pulse::ui {

using namespace Qt::StringLiterals;

namespace {

bool interruptedStatus(const std::string& status)
{
    return status == "cancelled" || status == "failed";
}

bool maybeDeadStatus(const std::string& status)
{
    return status == "running" || status == "paused";
}

} // namespace

EtlController::EtlController(Engine& engine, QObject* parent)
    : QObject(parent)
    , m_engine(engine)
    , m_runner(std::make_unique<EtlRunner>(engine.router(), engine.etlOptions()))
{
    // Listings one after another: a second would only queue behind a slow primary.
    m_workers.setMaxThreadCount(1);
    m_timer.setInterval(kPollInterval);
    connect(&m_timer, &QTimer::timeout, this, &EtlController::poll);
}

EtlController::~EtlController()
{
    m_timer.stop();
    m_workers.waitForDone();
    m_runner.reset(); // cancels a running load after its chunk and joins
}

bool EtlController::start(qint64 rows, int chunkSize, std::optional<int> rowsPerSecond)
{
    if (m_active) {
        Q_EMIT errorOccurred(
            u"A load is already running (job %1): cancel it or wait for it to finish"_s.arg(m_last.jobId));
        return false;
    }
    try {
        // The core takes 0 rows (an empty job that completes at once); from
        // the panel that can only be a slip, so it is refused in the same words
        // the load test uses.
        if (rows < 1)
            throw InvalidParameterError("rows must be at least 1 (got " + std::to_string(rows) + ")");
        EtlJobSpec spec;
        spec.totalRows = rows;
        spec.chunkSize = chunkSize;
        spec.rowsPerSecond = rowsPerSecond;
        spec.connections = m_engine.settings().etlConnections;
        m_runner->start(std::move(spec));
    } catch (const std::exception& e) {
        Q_EMIT errorOccurred(QString::fromUtf8(e.what()));
        return false;
    }
    began();
    return true;
}

bool EtlController::resume(qint64 jobId, std::optional<int> rowsPerSecond)
{
    if (m_active) {
        Q_EMIT errorOccurred(
            u"A load is already running (job %1): cancel it or wait for it to finish"_s.arg(m_last.jobId));
        return false;
    }
    try {
        m_runner->resume(jobId, rowsPerSecond, m_engine.settings().etlConnections);
    } catch (const std::exception& e) {
        Q_EMIT errorOccurred(QString::fromUtf8(e.what()));
        return false;
    }
    began();
    return true;
}

void EtlController::began()
{
    m_active = true;
    Q_EMIT activeChanged(true);
    poll(); // Starting, at once
    m_timer.start();
}

void EtlController::pause()
{
    m_runner->pause();
    poll();
}

void EtlController::unpause()
{
    m_runner->unpause();
    poll();
}

void EtlController::cancel()
{
    m_runner->cancel();
    poll();
}

void EtlController::poll()
{
    if (!m_active)
        return;
    m_last = m_runner->progress();
    const bool finished = isFinished(m_last.state);

    Q_EMIT progressChanged(m_last);
    if (finished) {
        m_timer.stop();
        m_active = false;
        Q_EMIT activeChanged(false);
        refreshJobs(); // the job may now be interrupted, or no longer
    }
}

void EtlController::refreshJobs()
{
    ++m_listing;
    m_workers.start([this] {
        std::vector<EtlJobRecord> jobs;
        QString error;
        try {
            // The admin profile bounds every statement: a frozen primary cannot hang the worker.
            auto session = m_engine.router().adminSession();
            auto& connection = session.connection();
            for (auto& job : EtlJobStore::list(connection, 50)) {
                if (interruptedStatus(job.status) || maybeDeadStatus(job.status))
                    jobs.push_back(std::move(job));
            }
            if (std::any_of(jobs.begin(), jobs.end(), [](const auto& j) { return maybeDeadStatus(j.status); })) {
                // A loading process holds (kJobLockClass, job id) for the whole run.
                auto held = connection.exec("SELECT objid::bigint FROM pg_locks WHERE locktype = 'advisory'"
                                            " AND classid = $1 AND objsubid = 2 AND granted",
                    {std::to_string(ChunkedLoader::kJobLockClass)});
                std::set<std::int64_t> alive;
                for (int r = 0; r < held.rows(); ++r)
                    alive.insert(held.integer(r, 0));
                std::erase_if(jobs,
                    [&alive](const EtlJobRecord& j) { return maybeDeadStatus(j.status) && alive.contains(j.id); });
            }
        } catch (const std::exception& e) {
            error = u"Could not list the ETL jobs: %1"_s.arg(QString::fromUtf8(e.what()));
            logger("ui")->warn("listing ETL jobs failed: {}", e.what());
        }
        QMetaObject::invokeMethod(
            this,
            [this, jobs = std::move(jobs), error]() mutable {
                --m_listing;
                if (!error.isEmpty()) {
                    Q_EMIT errorOccurred(error);
                    return;
                }
                applyJobs(std::move(jobs));
            },
            Qt::QueuedConnection);
    });
}

void EtlController::applyJobs(std::vector<EtlJobRecord> jobs)
{
    // Between the listing and now this controller may have started one of them.
    if (m_active && m_last.jobId > 0)
        std::erase_if(jobs, [this](const EtlJobRecord& j) { return j.id == m_last.jobId; });
    Q_EMIT jobsListed(jobs);
}

} // namespace pulse::ui

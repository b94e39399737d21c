#include "etl/EtlRunner.hpp"

#include "common/Errors.hpp"
#include "etl/ChunkedLoader.hpp"
#include "etl/LoadControl.hpp"
#include "routing/Router.hpp"

#include <condition_variable>
#include <mutex>
#include <thread>

namespace pulse {

struct EtlRunner::Impl {
    Router& router;
    EtlOptions options;

    mutable std::mutex mutex;
    std::condition_variable changed;
    EtlProgress progress;                   // the published snapshot
    bool active = false;                    // a worker is loading
    std::shared_ptr<LoadControl> control;   // of the current (or last) load
    std::jthread worker;

    Impl(Router& r, EtlOptions o) : router(r), options(std::move(o)) {}

    // Called on the worker: keep the snapshot, then tell the listener
    // (outside the lock, so a listener may call progress()).
    void publish(const EtlProgress& snapshot)
    {
        {
            std::lock_guard lock(mutex);
            progress = snapshot;
        }
        changed.notify_all();
        if (options.listener)
            options.listener(snapshot);
    }

    template <typename Run>
    void launch(EtlProgress initial, Run run)
    {
        std::unique_lock lock(mutex);
        if (active)
            throw Error("an ETL load (job " + std::to_string(progress.jobId) +
                        ") is already running in this runner; wait for it or cancel it first");
        if (worker.joinable()) {
            // The previous load has finished (active is false): reap its thread.
            lock.unlock();
            worker.join();
            lock.lock();
        }
        active = true;
        progress = std::move(initial);
        control = std::make_shared<LoadControl>();
        auto loadControl = control;
        worker = std::jthread([this, loadControl, run = std::move(run)] {
            const std::shared_ptr<QueryMetrics> metrics = router.metrics();
            if (metrics)
                metrics->etlLoadBegan();
            ChunkedLoader loader(router, options, *loadControl, [this](const EtlProgress& p) { publish(p); });
            EtlProgress final;
            try {
                final = run(loader);
            } catch (const std::exception& e) {
                // The loader reports its own failures; this is a last resort.
                final = progress;
                final.state = EtlState::Failed;
                final.error = e.what();
                final.errorKind = etlErrorKindOf(e);
                final.detail = e.what();
                publish(final);
            }
            if (metrics)
                metrics->etlLoadEnded();
            {
                std::lock_guard done(mutex);
                active = false;
            }
            changed.notify_all();
        });
    }
};

EtlRunner::EtlRunner(Router& router, EtlOptions options) : m_impl(std::make_unique<Impl>(router, std::move(options)))
{
}

EtlRunner::~EtlRunner()
{
    cancel();
    if (m_impl->worker.joinable())
        m_impl->worker.join();
}

void EtlRunner::start(EtlJobSpec spec)
{
    spec.validate();  // before anything is written, on the caller's thread
    EtlProgress initial;
    initial.state = EtlState::Starting;
    initial.totalRows = spec.totalRows;
    initial.chunkSize = spec.chunkSize;
    initial.rowsPerSecondLimit = spec.rowsPerSecond;
    initial.connections = spec.connections;
    m_impl->launch(std::move(initial), [spec](ChunkedLoader& loader) { return loader.runNew(spec); });
}

void EtlRunner::resume(std::int64_t jobId, std::optional<int> rowsPerSecond, int connections)
{
    if (jobId < 1)
        throw InvalidParameterError("job id must be 1 or more (got " + std::to_string(jobId) + ")");
    if (rowsPerSecond && *rowsPerSecond < 1)
        throw InvalidParameterError("rate must be at least 1 row per second (got " + std::to_string(*rowsPerSecond) +
                                    "); leave it out to keep the job's own");
    if (connections < 1 || connections > EtlJobSpec::kMaxConnections)
        throw InvalidParameterError("connections must be from 1 to " + std::to_string(EtlJobSpec::kMaxConnections) +
                                    " (got " + std::to_string(connections) + ")");
    EtlProgress initial;
    initial.state = EtlState::Starting;
    initial.jobId = jobId;
    initial.connections = connections;
    m_impl->launch(std::move(initial), [jobId, rowsPerSecond, connections](ChunkedLoader& loader) {
        return loader.runResume(jobId, rowsPerSecond, connections);
    });
}

void EtlRunner::pause()
{
    std::lock_guard lock(m_impl->mutex);
    if (m_impl->control && m_impl->active)
        m_impl->control->pause();
}

void EtlRunner::unpause()
{
    std::lock_guard lock(m_impl->mutex);
    if (m_impl->control)
        m_impl->control->unpause();
}

void EtlRunner::cancel()
{
    std::lock_guard lock(m_impl->mutex);
    if (m_impl->control && m_impl->active)
        m_impl->control->cancel();
}

bool EtlRunner::running() const
{
    std::lock_guard lock(m_impl->mutex);
    return m_impl->active;
}

EtlProgress EtlRunner::progress() const
{
    std::lock_guard lock(m_impl->mutex);
    return m_impl->progress;
}

EtlProgress EtlRunner::wait(std::optional<std::chrono::milliseconds> timeout)
{
    std::unique_lock lock(m_impl->mutex);
    const auto done = [this] { return !m_impl->active; };
    if (timeout)
        m_impl->changed.wait_for(lock, *timeout, done);
    else
        m_impl->changed.wait(lock, done);
    return m_impl->progress;
}

}  // namespace pulse

#pragma once
// The ETL panel's link to the core: one EtlRunner on the engine's router
// (with engine.etlOptions(), so the lag brake and the retry window apply).
//
// Thread contract: an EtlController lives on the UI thread and never blocks
// it. start(), resume(), pause(), unpause() and cancel() return at once (the
// runner validates synchronously and loads on its own thread). While a load
// is active a 250 ms timer copies runner.progress() (a snapshot) and hands it
// out through progressChanged() (the rows/s chart is the monitor's: it
// samples every load on the engine, this one included). The runner's listener
// is not used: it runs on the loader's thread, where nothing of Qt may be
// touched. Listing the jobs reads the database, so refreshJobs() runs on the
// controller's own worker thread and hands a value back through a queued call.
//
// The Engine must outlive the controller. Destroying the controller cancels
// a running load (after its current chunk) and waits for it and for a job
// listing in flight.

#include "etl/EtlJobRecord.hpp"
#include "etl/EtlProgress.hpp"

#include <QObject>
#include <QString>
#include <QThreadPool>
#include <QTimer>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace pulse {
class Engine;
class EtlRunner;
} // namespace pulse

namespace pulse::ui {

class EtlController : public QObject {
    Q_OBJECT

public:
    static constexpr std::chrono::milliseconds kPollInterval {250};

    explicit EtlController(Engine& engine, QObject* parent = nullptr);
    ~EtlController() override;

    Engine& engine() const { return m_engine; }
    // The snapshot most recently handed out (Idle before the first load).
    const EtlProgress& lastProgress() const { return m_last; }
    // A load is under way in this controller (from start() or resume() until
    // its final snapshot has been handed out).
    bool active() const { return m_active; }
    bool listingJobs() const { return m_listing > 0; }

public Q_SLOTS:
    // A new load of `rows` rows in chunks of `chunkSize`, at most
    // `rowsPerSecond` rows/s (none: no throttle), on ETL_CONNECTIONS
    // connections. Returns false, after errorOccurred() with the core's
    // InvalidParameterError message, for a bad spec (rows < 1 too: a load of
    // nothing is refused here) or while a load is active; nothing starts then.
    bool start(qint64 rows, int chunkSize, std::optional<int> rowsPerSecond);
    // Continues interrupted job `jobId` from its checkpoint with its recorded
    // spec (`rowsPerSecond` replaces the recorded throttle when given).
    bool resume(qint64 jobId, std::optional<int> rowsPerSecond = std::nullopt);
    void pause();
    void unpause();
    void cancel();
    // Reads the interrupted jobs on the worker thread; jobsListed() follows.
    void refreshJobs();
    // One timer tick; public so tests can drive it.
    void poll();

Q_SIGNALS:
    void progressChanged(const pulse::EtlProgress& progress);
    void activeChanged(bool active);
    // The interrupted jobs, newest first: cancelled, failed, and running or
    // paused ones that no process loads any more (nobody holds their job
    // lock). Never the job this controller is loading.
    void jobsListed(const std::vector<pulse::EtlJobRecord>& jobs);
    void errorOccurred(const QString& message);

private:
    void began();
    void applyJobs(std::vector<EtlJobRecord> jobs);

    Engine& m_engine;
    std::unique_ptr<EtlRunner> m_runner;
    QTimer m_timer;
    QThreadPool m_workers;
    EtlProgress m_last;
    bool m_active = false;
    int m_listing = 0;
};

} // namespace pulse::ui

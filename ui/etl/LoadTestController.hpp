#pragma once
// Runs the success-criteria load test (pulse::LoadTest) for the console.
//
// Thread contract: a LoadTestController lives on the UI thread and never
// blocks it. run() validates the spec synchronously (no network) and runs
// the test on the controller's own std::jthread; LoadTest's listener (called
// on that thread about once a second) and the final report are handed back
// as values through queued calls, then emitted on the UI thread. stop()
// requests the jthread's stop token: the running phase ends early with a
// consistent ETL checkpoint and the report says it was stopped.
//
// The Engine must outlive the controller. Destroying the controller stops a
// running test and waits for it (its clean-up deletes the rows it loaded).

#include "loadtest/LoadTest.hpp"
#include "loadtest/LoadTestReport.hpp"
#include "loadtest/LoadTestSpec.hpp"

#include <QObject>
#include <QString>

#include <thread>

namespace pulse {
class Engine;
} // namespace pulse

namespace pulse::ui {

class LoadTestController : public QObject {
    Q_OBJECT

public:
    explicit LoadTestController(Engine& engine, QObject* parent = nullptr);
    ~LoadTestController() override;

    Engine& engine() const { return m_engine; }
    // From run() until finished() or failed() has been emitted.
    bool running() const { return m_running; }
    bool stopRequested() const { return m_stopRequested; }

public Q_SLOTS:
    // Returns false, after errorOccurred() with the core's message, for a bad
    // spec or while a test runs; nothing starts then.
    bool run(const pulse::LoadTestSpec& spec);
    void stop();

Q_SIGNALS:
    void runningChanged(bool running);
    void progressed(const pulse::LoadTestProgress& progress);
    void finished(const pulse::LoadTestReport& report);
    // A bad spec (nothing ran) or a test that could not run at all
    // (ConnectionError, SqlError): no report.
    void errorOccurred(const QString& message);

private:
    void setRunning(bool running);

    Engine& m_engine;
    std::jthread m_thread;
    bool m_running = false;
    bool m_stopRequested = false;
};

// "[1/2 with replica] etl 12000 rows, 8500 rows/s | dashboards 40 loads, p95 0.031 s",
// as `pulsectl loadtest` prints it.
QString loadTestProgressLine(const LoadTestProgress& progress);

} // namespace pulse::ui

#include "etl/LoadTestController.hpp"

#include "Formatting.hpp"
#include "common/Logging.hpp"
#include "engine/Engine.hpp"

#include <exception>
#include <optional>

namespace pulse::ui {

using namespace Qt::StringLiterals;

namespace {

QString latencyText(double seconds)
{
    if (seconds < 1.0)
        return u"%1 ms"_s.arg(seconds * 1000.0, 0, 'f', seconds < 0.01 ? 2 : 1);
    return u"%1 s"_s.arg(seconds, 0, 'f', 2);
}

} // namespace

QString loadTestProgressLine(const LoadTestProgress& p)
{
    const QString prefix = u"[%1/%2 %3]"_s.arg(p.phaseIndex).arg(p.phaseCount).arg(toQString(p.phase));
    if (!p.message.empty())
        return prefix + u' ' + toQString(p.message);
    const auto& e = p.etl;
    QString line = u"%1 etl %2 rows, %3 rows/s"_s.arg(prefix).arg(e.rowsLoaded).arg(e.rowsPerSecond, 0, 'f', 0);
    if (!e.detail.empty())
        line += u" ("_s + toQString(e.detail) + u')';
    line += u" | dashboards %1 loads, p95 %2"_s.arg(p.dashboard.pageLoads)
                .arg(latencyText(p.dashboard.pageLoad.p95Seconds));
    if (p.dashboard.failedPageLoads > 0)
        line += u", %1 failed"_s.arg(p.dashboard.failedPageLoads);
    return line;
}

LoadTestController::LoadTestController(Engine& engine, QObject* parent)
    : QObject(parent)
    , m_engine(engine)
{ }

LoadTestController::~LoadTestController()
{
    // Before any other member goes: the thread posts back to `this` (queued
    // calls to a destroyed object are dropped by Qt) and uses the engine.
    if (m_thread.joinable()) {
        m_thread.request_stop();
        m_thread.join();
    }
}

bool LoadTestController::run(const LoadTestSpec& spec)
{
    if (m_running) {
        Q_EMIT errorOccurred(u"A load test is already running: stop it or wait for its report"_s);
        return false;
    }
    try {
        spec.validate();
    } catch (const std::exception& e) {
        Q_EMIT errorOccurred(QString::fromUtf8(e.what()));
        return false;
    }
    if (m_thread.joinable())
        m_thread.join(); // the previous run's thread: it has finished (m_running is false)
    m_stopRequested = false;
    setRunning(true);
    m_thread = std::jthread([this, spec](std::stop_token stop) {
        std::optional<LoadTestReport> report;
        QString error;
        try {
            LoadTest test(m_engine);
            report = test.run(
                spec,
                [this](const LoadTestProgress& progress) {
                    QMetaObject::invokeMethod(
                        this, [this, progress] { Q_EMIT progressed(progress); }, Qt::QueuedConnection);
                },
                stop);
        } catch (const std::exception& e) {
            error = QString::fromUtf8(e.what());
            logger("ui")->warn("load test failed: {}", e.what());
        }
        QMetaObject::invokeMethod(
            this,
            [this, report = std::move(report), error] {
                setRunning(false);
                if (report)
                    Q_EMIT finished(*report);
                else
                    Q_EMIT errorOccurred(u"The load test could not run: %1"_s.arg(error));
            },
            Qt::QueuedConnection);
    });
    return true;
}

void LoadTestController::stop()
{
    if (!m_running || m_stopRequested)
        return;
    m_stopRequested = true;
    m_thread.request_stop();
}

void LoadTestController::setRunning(bool running)
{
    if (running == m_running)
        return;
    m_running = running;
    Q_EMIT runningChanged(running);
}

} // namespace pulse::ui

#include "bridge/EngineBridge.hpp"

#include "Formatting.hpp"
#include "common/Logging.hpp"
#include "routing/Session.hpp"

#include <QElapsedTimer>

#include <exception>

namespace pulse::ui {

void registerMetaTypes()
{
    qRegisterMetaType<pulse::TopologyStatus>();
    qRegisterMetaType<std::vector<pulse::RoutingDecision>>();
}

EngineBridge::EngineBridge(Engine& engine, std::chrono::milliseconds interval, QObject* parent)
    : QObject(parent)
    , m_engine(engine)
    , m_interval(interval)
{
    registerMetaTypes();
    // One test read at a time is plenty; more would only queue up behind a
    // replica that does not answer.
    m_workers.setMaxThreadCount(1);
    m_timer.setInterval(m_interval);
    m_timer.setTimerType(Qt::CoarseTimer);
    connect(&m_timer, &QTimer::timeout, this, &EngineBridge::poll);
    m_timer.start();
    // First tick as soon as the event loop runs, not one interval later.
    QTimer::singleShot(0, this, &EngineBridge::poll);
}

EngineBridge::~EngineBridge()
{
    m_timer.stop();
    m_workers.waitForDone();
}

void EngineBridge::setPaused(bool paused)
{
    if (paused == m_paused)
        return;
    m_paused = paused;
    Q_EMIT pausedChanged(m_paused);
    if (!m_paused)
        poll(); // catch up at once
}

void EngineBridge::setUseReadReplica(bool enabled)
{
    m_engine.flags().setUseReadReplica(enabled, "ui");
    refreshNow(); // the verdict depends on the flags
    poll();
}

void EngineBridge::setReplicaFallbackEnabled(bool enabled)
{
    m_engine.flags().setReplicaFallbackEnabled(enabled, "ui");
    refreshNow();
    poll();
}

void EngineBridge::refreshNow()
{
    m_engine.refreshNow();
    // A probe on a healthy pair takes a few ms: look again shortly rather
    // than a whole interval later.
    QTimer::singleShot(std::chrono::milliseconds(150), this, &EngineBridge::poll);
}

void EngineBridge::runTestRead()
{
    ++m_testReadsRunning;
    m_workers.start([this] {
        bool ok = false;
        QString message;
        QElapsedTimer elapsed;
        elapsed.start();
        try {
            Session session = m_engine.router().readSession();
            session.exec("SELECT 1");
            ok = true;
            message = QStringLiteral("Test read served by the %1 in %2 ms (%3)")
                          .arg(toQString(targetName(session.target())),
                              formatMilliseconds(static_cast<double>(elapsed.nsecsElapsed()) / 1e6),
                              toQString(session.decision().reason));
        } catch (const std::exception& e) {
            // Core messages never carry a password (connection strings are masked).
            message = QStringLiteral("Test read failed: %1").arg(QString::fromUtf8(e.what()));
            logger("ui")->warn("test read failed: {}", e.what());
        }
        QMetaObject::invokeMethod(
            this,
            [this, ok, message] {
                --m_testReadsRunning;
                poll(); // show the decision right away
                Q_EMIT testReadFinished(ok, message);
            },
            Qt::QueuedConnection);
    });
}

void EngineBridge::poll()
{
    // Flags: atomics, cheap, and they follow the engine even while paused so
    // the switches never show a stale state.
    const std::uint64_t version = m_engine.flags().version();
    if (!m_flagsKnown || version != m_flagsVersion) {
        m_flagsKnown = true;
        m_flagsVersion = version;
        const FlagValues flags = m_engine.flags().values();
        Q_EMIT flagsChanged(flags.useReadReplica, flags.replicaFallbackEnabled);
    }

    if (m_paused)
        return;

    if (auto status = m_engine.latestStatus(); status && status != m_lastStatus) {
        m_lastStatus = std::move(status);
        Q_EMIT statusChanged(*m_lastStatus);
    }

    auto decisions = m_engine.router().decisions().since(m_lastSequence);
    if (!decisions.empty()) {
        m_lastSequence = decisions.back().sequence;
        Q_EMIT decisionsAppended(decisions);
    }
}

} // namespace pulse::ui

// AlertEngine: raises at once, clears only after the condition stayed clear
// (below threshold * (1 - hysteresis)) for clearAfter, escalates a lag alert
// in place, and keeps a bounded history. Time comes with the inputs.

#include "alerts/AlertEngine.hpp"

#include <QtTest>

using namespace std::chrono_literals;
using pulse::AlertEngine;
using pulse::AlertEvent;
using pulse::AlertInputs;
using pulse::AlertSeverity;
using pulse::ReplicaState;

namespace {
const std::chrono::system_clock::time_point t0 = std::chrono::system_clock::time_point(1'700'000'000s);

AlertInputs withLag(std::chrono::system_clock::time_point time, std::optional<double> lag,
                    ReplicaState state = ReplicaState::Lagging)
{
    AlertInputs in;
    in.time = time;
    in.replicas.push_back({"replica", state, lag, std::nullopt});
    return in;
}

AlertInputs withPool(std::chrono::system_clock::time_point time, double percent)
{
    AlertInputs in;
    in.time = time;
    in.pools.push_back({"primary", percent, static_cast<int>(percent / 5), 20});
    return in;
}

AlertInputs withQueries(std::chrono::system_clock::time_point time, std::uint64_t queries, std::uint64_t timeouts)
{
    AlertInputs in;
    in.time = time;
    in.queriesTotal = queries;
    in.timeoutsTotal = timeouts;
    return in;
}

QString kind(const AlertEvent& e)
{
    return QString::fromStdString(pulse::alertEventKindName(e.kind));
}

QString str(const std::string& s)
{
    return QString::fromStdString(s);
}

QString severity(AlertSeverity s)
{
    return QString::fromStdString(pulse::severityName(s));
}
}  // namespace

class TestAlertEngine : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void names();
    void nothingBelowThresholds();
    void lagWarningRaised();
    void lagEscalatesAndDeescalatesInPlace();
    void lagCriticalAtOnce();
    void clearsOnlyAfterClearAfterBelowHysteresis();
    void recurrenceCancelsPendingClear();
    void replicaStateAlerts_data();
    void replicaStateAlerts();
    void poolUtilisation();
    void timeoutRateNeedsMinimumQueries();
    void timeoutRateWindowSlides();
    void activeOrderedBySeverityThenAge();
    void removedSubjectClears();
    void historyIsBoundedAndPollable();
};

void TestAlertEngine::names()
{
    QCOMPARE(severity(AlertSeverity::Warning), QStringLiteral("WARNING"));
    QCOMPARE(severity(AlertSeverity::Critical), QStringLiteral("CRITICAL"));
    QCOMPARE(str(pulse::alertEventKindName(AlertEvent::Kind::Raised)), QStringLiteral("raised"));
    QCOMPARE(str(pulse::alertEventKindName(AlertEvent::Kind::Cleared)), QStringLiteral("cleared"));
    QCOMPARE(str(pulse::alertEventKindName(AlertEvent::Kind::Escalated)), QStringLiteral("escalated"));
}

void TestAlertEngine::nothingBelowThresholds()
{
    AlertEngine engine;
    for (int i = 0; i <= 10; ++i) {
        auto in = withLag(t0 + std::chrono::seconds(i), 5.0);  // at the threshold is not above it
        in.pools.push_back({"primary", 90.0, 18, 20});
        in.queriesTotal = 100 * static_cast<std::uint64_t>(i);
        in.timeoutsTotal = 5 * static_cast<std::uint64_t>(i);  // exactly 5 %
        QVERIFY(engine.evaluate(in).empty());
    }
    QVERIFY(engine.active().empty());
    QVERIFY(engine.history().empty());
}

void TestAlertEngine::lagWarningRaised()
{
    AlertEngine engine;
    const auto events = engine.evaluate(withLag(t0, 6.2));
    QCOMPARE(events.size(), size_t(1));
    const auto& e = events.front();
    QCOMPARE(kind(e), QStringLiteral("raised"));
    QCOMPARE(str(e.alert.rule), QStringLiteral("replication_lag"));
    QCOMPARE(str(e.alert.subject), QStringLiteral("replica"));
    QCOMPARE(severity(e.alert.severity), QStringLiteral("WARNING"));
    QCOMPARE(str(e.alert.message), QStringLiteral("replica lag 6.2 s > 5 s (ALERT_LAG_WARNING_SECONDS)"));
    QCOMPARE(e.alert.value, 6.2);
    QCOMPARE(e.alert.threshold, 5.0);
    QVERIFY(e.alert.raisedAt == t0);
    QVERIFY(e.alert.active());
    QCOMPARE(engine.active().size(), size_t(1));
    QVERIFY(engine.evaluate(withLag(t0 + 1s, 7.0)).empty());  // still on: no new event
    QCOMPARE(engine.active().front().value, 7.0);             // worst value kept
}

void TestAlertEngine::lagEscalatesAndDeescalatesInPlace()
{
    AlertEngine engine;
    const auto raised = engine.evaluate(withLag(t0, 6.2)).front().alert;

    const auto events = engine.evaluate(withLag(t0 + 1s, 31.0));
    QCOMPARE(events.size(), size_t(1));
    QCOMPARE(kind(events.front()), QStringLiteral("escalated"));
    QCOMPARE(events.front().alert.id, raised.id);
    QCOMPARE(severity(events.front().alert.severity), QStringLiteral("CRITICAL"));
    QCOMPARE(events.front().alert.threshold, 30.0);
    QCOMPARE(str(events.front().alert.message), QStringLiteral("replica lag 31 s > 30 s (ALERT_LAG_CRITICAL_SECONDS)"));

    // Inside the critical hysteresis band (27..30 s): still critical.
    QVERIFY(engine.evaluate(withLag(t0 + 2s, 28.0)).empty());
    QCOMPARE(severity(engine.active().front().severity), QStringLiteral("CRITICAL"));

    // Back to warning territory: de-escalated in place, no event.
    QVERIFY(engine.evaluate(withLag(t0 + 3s, 20.0)).empty());
    const auto active = engine.active();
    QCOMPARE(active.size(), size_t(1));
    QCOMPARE(active.front().id, raised.id);
    QCOMPARE(severity(active.front().severity), QStringLiteral("WARNING"));
    QCOMPARE(active.front().threshold, 5.0);
    QCOMPARE(active.front().value, 31.0);  // worst value seen
    QCOMPARE(str(active.front().message), QStringLiteral("replica lag 20 s > 5 s (ALERT_LAG_WARNING_SECONDS)"));
    QCOMPARE(engine.history().size(), size_t(2));  // raised, escalated
}

void TestAlertEngine::lagCriticalAtOnce()
{
    AlertEngine engine;
    const auto events = engine.evaluate(withLag(t0, 45.0));
    QCOMPARE(events.size(), size_t(1));
    QCOMPARE(kind(events.front()), QStringLiteral("raised"));
    QCOMPARE(severity(events.front().alert.severity), QStringLiteral("CRITICAL"));
}

void TestAlertEngine::clearsOnlyAfterClearAfterBelowHysteresis()
{
    AlertEngine engine;  // clearAfter 5 s, hysteresis 0.1: clears below 4.5 s
    engine.evaluate(withLag(t0, 6.0));
    // Just under the threshold, for far longer than clearAfter: not clear.
    for (int i = 1; i <= 20; ++i)
        QVERIFY(engine.evaluate(withLag(t0 + std::chrono::seconds(i), 4.6)).empty());
    QCOMPARE(engine.active().size(), size_t(1));

    const auto clearFrom = t0 + 21s;
    QVERIFY(engine.evaluate(withLag(clearFrom, 4.4)).empty());
    QVERIFY(engine.evaluate(withLag(clearFrom + 4999ms, 0.1)).empty());
    QCOMPARE(engine.active().size(), size_t(1));
    const auto events = engine.evaluate(withLag(clearFrom + 5s, 0.1));
    QCOMPARE(events.size(), size_t(1));
    QCOMPARE(kind(events.front()), QStringLiteral("cleared"));
    QVERIFY(events.front().alert.clearedAt == clearFrom + 5s);
    QVERIFY(!events.front().alert.active());
    QCOMPARE(events.front().alert.value, 6.0);
    QVERIFY(engine.active().empty());
}

void TestAlertEngine::recurrenceCancelsPendingClear()
{
    AlertEngine engine;
    const auto id = engine.evaluate(withLag(t0, 6.0)).front().alert.id;
    engine.evaluate(withLag(t0 + 1s, 1.0));                     // clear clock starts
    QVERIFY(engine.evaluate(withLag(t0 + 4s, 7.0)).empty());    // recurrence: no new alert
    engine.evaluate(withLag(t0 + 5s, 1.0));                     // clock restarts
    QVERIFY(engine.evaluate(withLag(t0 + 9s, 1.0)).empty());    // 8 s after the first, 4 s after the restart
    QCOMPARE(engine.active().size(), size_t(1));
    QCOMPARE(engine.active().front().id, id);
    const auto events = engine.evaluate(withLag(t0 + 10s, 1.0));
    QCOMPARE(events.size(), size_t(1));
    QCOMPARE(kind(events.front()), QStringLiteral("cleared"));
    QCOMPARE(events.front().alert.id, id);
}

void TestAlertEngine::replicaStateAlerts_data()
{
    QTest::addColumn<int>("state");
    QTest::addColumn<QString>("rule");
    QTest::addColumn<QString>("expectedSeverity");
    QTest::addRow("down") << int(ReplicaState::Down) << QStringLiteral("replica_down") << QStringLiteral("CRITICAL");
    QTest::addRow("disconnected") << int(ReplicaState::Disconnected) << QStringLiteral("replica_disconnected")
                                  << QStringLiteral("CRITICAL");
    QTest::addRow("paused") << int(ReplicaState::ReplayPaused) << QStringLiteral("replay_paused")
                            << QStringLiteral("WARNING");
}

void TestAlertEngine::replicaStateAlerts()
{
    QFETCH(int, state);
    QFETCH(QString, rule);
    QFETCH(QString, expectedSeverity);
    AlertEngine engine;
    const auto events = engine.evaluate(withLag(t0, std::nullopt, ReplicaState(state)));
    QCOMPARE(events.size(), size_t(1));
    QCOMPARE(kind(events.front()), QStringLiteral("raised"));
    QCOMPARE(str(events.front().alert.rule), rule);
    QCOMPARE(str(events.front().alert.subject), QStringLiteral("replica"));
    QCOMPARE(severity(events.front().alert.severity), expectedSeverity);

    // Healthy again: cleared after clearAfter, not before.
    QVERIFY(engine.evaluate(withLag(t0 + 1s, 0.0, ReplicaState::CaughtUp)).empty());
    QVERIFY(engine.evaluate(withLag(t0 + 5s, 0.0, ReplicaState::CaughtUp)).empty());
    const auto cleared = engine.evaluate(withLag(t0 + 6s, 0.0, ReplicaState::CaughtUp));
    QCOMPARE(cleared.size(), size_t(1));
    QCOMPARE(kind(cleared.front()), QStringLiteral("cleared"));
    QCOMPARE(str(cleared.front().alert.rule), rule);
}

void TestAlertEngine::poolUtilisation()
{
    AlertEngine engine;
    QVERIFY(engine.evaluate(withPool(t0, 90.0)).empty());
    const auto raised = engine.evaluate(withPool(t0 + 1s, 95.0));
    QCOMPARE(raised.size(), size_t(1));
    QCOMPARE(str(raised.front().alert.rule), QStringLiteral("pool_utilisation"));
    QCOMPARE(str(raised.front().alert.subject), QStringLiteral("primary pool"));
    QCOMPARE(severity(raised.front().alert.severity), QStringLiteral("WARNING"));
    QVERIFY2(str(raised.front().alert.message).contains(QStringLiteral("95 % > 90 % (ALERT_POOL_UTILISATION_PERCENT)")),
             raised.front().alert.message.c_str());

    // 85 % is under 90 % but inside the hysteresis band (81 %): stays on.
    for (int i = 2; i <= 20; ++i)
        QVERIFY(engine.evaluate(withPool(t0 + std::chrono::seconds(i), 85.0)).empty());
    QCOMPARE(engine.active().size(), size_t(1));
    QVERIFY(engine.evaluate(withPool(t0 + 21s, 50.0)).empty());
    const auto cleared = engine.evaluate(withPool(t0 + 26s, 50.0));
    QCOMPARE(cleared.size(), size_t(1));
    QCOMPARE(kind(cleared.front()), QStringLiteral("cleared"));
    QCOMPARE(cleared.front().alert.value, 95.0);
}

void TestAlertEngine::timeoutRateNeedsMinimumQueries()
{
    AlertEngine engine;  // 5 % over 60 s, at least 20 queries
    QVERIFY(engine.evaluate(withQueries(t0, 1000, 10)).empty());
    // 50 % timeouts, but only 10 queries in the window: no verdict.
    QVERIFY(engine.evaluate(withQueries(t0 + 1s, 1010, 15)).empty());
    // 30 queries, 5 timeouts since the window's first sample: 16.7 %.
    const auto events = engine.evaluate(withQueries(t0 + 2s, 1030, 15));
    QCOMPARE(events.size(), size_t(1));
    const auto& a = events.front().alert;
    QCOMPARE(str(a.rule), QStringLiteral("query_timeout_rate"));
    QCOMPARE(str(a.subject), QStringLiteral("queries"));
    QVERIFY2(qAbs(a.value - 100.0 * 5 / 30) < 1e-9, std::to_string(a.value).c_str());
    QCOMPARE(a.threshold, 5.0);
    QVERIFY2(str(a.message).contains(QStringLiteral("ALERT_TIMEOUT_RATE_PERCENT")), a.message.c_str());
}

void TestAlertEngine::timeoutRateWindowSlides()
{
    AlertEngine engine;
    engine.evaluate(withQueries(t0, 0, 0));
    QCOMPARE(engine.evaluate(withQueries(t0 + 10s, 100, 50)).size(), size_t(1));  // 50 %
    // Light clean traffic afterwards: the rate stays far above 5 % while the
    // burst is inside the 60 s window, and drops once it has left it.
    std::uint64_t queries = 100;
    std::optional<std::chrono::system_clock::time_point> clearedAt;
    for (int s = 20; s <= 100 && !clearedAt; s += 10) {
        queries += 10;
        for (const auto& e : engine.evaluate(withQueries(t0 + std::chrono::seconds(s), queries, 50)))
            if (e.kind == AlertEvent::Kind::Cleared)
                clearedAt = e.time;
    }
    // At t0+70s the window [t0+10s, t0+70s] holds 60 queries and no new
    // timeout: clear from there on, cleared at the next cycle (10 s >= 5 s).
    QVERIFY(clearedAt.has_value());
    QVERIFY(*clearedAt == t0 + 80s);
}

void TestAlertEngine::activeOrderedBySeverityThenAge()
{
    AlertEngine engine;
    AlertInputs in = withPool(t0, 95.0);
    engine.evaluate(in);
    in.time = t0 + 1s;
    in.replicas.push_back({"r1", ReplicaState::ReplayPaused, std::nullopt, std::nullopt});
    engine.evaluate(in);
    in.time = t0 + 2s;
    in.replicas.push_back({"r2", ReplicaState::Down, std::nullopt, std::nullopt});
    engine.evaluate(in);
    const auto active = engine.active();
    QCOMPARE(active.size(), size_t(3));
    QCOMPARE(str(active[0].rule), QStringLiteral("replica_down"));
    QCOMPARE(str(active[1].rule), QStringLiteral("pool_utilisation"));
    QCOMPARE(str(active[2].rule), QStringLiteral("replay_paused"));
}

void TestAlertEngine::removedSubjectClears()
{
    AlertEngine engine;
    engine.evaluate(withPool(t0, 95.0));
    AlertInputs none;
    none.time = t0 + 1s;
    QVERIFY(engine.evaluate(none).empty());
    none.time = t0 + 6s;
    const auto events = engine.evaluate(none);
    QCOMPARE(events.size(), size_t(1));
    QCOMPARE(kind(events.front()), QStringLiteral("cleared"));
}

void TestAlertEngine::historyIsBoundedAndPollable()
{
    pulse::AlertThresholds t;
    t.historyCapacity = 3;
    t.clearAfter = 0ms;
    AlertEngine engine(t);
    // raised (1), cleared (2), raised (3), escalated (4), cleared (5)
    engine.evaluate(withLag(t0, 6.0));
    engine.evaluate(withLag(t0 + 1s, 1.0));
    engine.evaluate(withLag(t0 + 2s, 6.0));
    engine.evaluate(withLag(t0 + 3s, 40.0));
    engine.evaluate(withLag(t0 + 4s, 1.0));

    const auto history = engine.history();
    QCOMPARE(history.size(), size_t(3));
    QCOMPARE(kind(history[0]), QStringLiteral("raised"));
    QCOMPARE(kind(history[1]), QStringLiteral("escalated"));
    QCOMPARE(kind(history[2]), QStringLiteral("cleared"));
    QCOMPARE(history[0].alert.id, std::uint64_t(2));  // the second alert

    std::uint64_t last = 0;
    QCOMPARE(engine.historySince(0, &last).size(), size_t(3));
    QCOMPARE(last, std::uint64_t(5));
    const auto tail = engine.historySince(3, &last);
    QCOMPARE(tail.size(), size_t(2));
    QCOMPARE(kind(tail[0]), QStringLiteral("escalated"));
    QVERIFY(engine.historySince(5, &last).empty());
    QCOMPARE(last, std::uint64_t(5));

    engine.evaluate(withLag(t0 + 5s, 6.0));  // event 6
    const auto next = engine.historySince(last, &last);
    QCOMPARE(next.size(), size_t(1));
    QCOMPARE(kind(next[0]), QStringLiteral("raised"));
    QCOMPARE(last, std::uint64_t(6));
    QCOMPARE(engine.history().size(), size_t(3));
}

QTEST_GUILESS_MAIN(TestAlertEngine)
#include "tst_alert_engine.moc"

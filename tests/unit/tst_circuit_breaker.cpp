// CircuitBreaker: trips at the threshold, turns half-open at nextProbe, closes
// only on a probe success, backs off by doubling up to the cap. Time is passed
// in explicitly, so nothing here waits.

#include "health/CircuitBreaker.hpp"

#include <QtTest>

using namespace std::chrono_literals;
using pulse::BreakerState;
using pulse::CircuitBreaker;

namespace {
const CircuitBreaker::Clock::time_point t0 = CircuitBreaker::Clock::time_point(1'700'000'000s);

pulse::BreakerConfig config(int threshold = 1, std::chrono::milliseconds openFor = 1000ms,
                            std::chrono::milliseconds maxOpenFor = 3000ms)
{
    pulse::BreakerConfig c;
    c.failureThreshold = threshold;
    c.openFor = openFor;
    c.maxOpenFor = maxOpenFor;
    return c;
}

QString name(BreakerState state)
{
    return QString::fromStdString(pulse::breakerStateName(state));
}
}  // namespace

class TestCircuitBreaker : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void stateNames();
    void tripsAtThreshold_data();
    void tripsAtThreshold();
    void successResetsFailureCount();
    void openTurnsHalfOpenAtNextProbe();
    void probeSuccessClosesHalfOpen();
    void successBeforeNextProbeKeepsItOpen();
    void halfOpenFailureDoublesUpToCap();
    void failureWhileOpenDoesNotExtend();
    void resetCloses();
    void tripReasonHidesPasswords();
};

void TestCircuitBreaker::stateNames()
{
    QCOMPARE(name(BreakerState::Closed), QStringLiteral("closed"));
    QCOMPARE(name(BreakerState::Open), QStringLiteral("open"));
    QCOMPARE(name(BreakerState::HalfOpen), QStringLiteral("half-open"));
}

void TestCircuitBreaker::tripsAtThreshold_data()
{
    QTest::addColumn<int>("threshold");
    QTest::addRow("one") << 1;
    QTest::addRow("three") << 3;
}

void TestCircuitBreaker::tripsAtThreshold()
{
    QFETCH(int, threshold);
    CircuitBreaker breaker("replica", config(threshold));
    for (int i = 1; i < threshold; ++i) {
        QVERIFY(!breaker.recordFailure("query", "timeout", t0));
        QVERIFY(breaker.allows());
        QCOMPARE(breaker.snapshot(t0).consecutiveFailures, i);
    }
    QVERIFY(breaker.recordFailure("probe", "connection refused", t0));
    QVERIFY(!breaker.allows());
    QCOMPARE(name(breaker.state(t0)), name(BreakerState::Open));
    const auto s = breaker.snapshot(t0);
    QCOMPARE(s.node, std::string("replica"));
    QCOMPARE(s.trips, std::uint64_t(1));
    QCOMPARE(s.consecutiveFailures, threshold);
    QCOMPARE(QString::fromStdString(s.tripReason), QStringLiteral("connection refused"));
    QCOMPARE(QString::fromStdString(s.tripSource), QStringLiteral("probe"));
    QVERIFY(s.trippedAt == t0);
    QVERIFY(s.nextProbeAt == t0 + 1000ms);
}

void TestCircuitBreaker::successResetsFailureCount()
{
    CircuitBreaker breaker("replica", config(3));
    QVERIFY(!breaker.recordFailure("query", "timeout", t0));
    QVERIFY(!breaker.recordFailure("query", "timeout", t0));
    breaker.recordSuccess("query", t0);
    QCOMPARE(breaker.snapshot(t0).consecutiveFailures, 0);
    QVERIFY(!breaker.recordFailure("query", "timeout", t0));
    QVERIFY(!breaker.recordFailure("query", "timeout", t0));
    QVERIFY(breaker.allows());  // 2 + 2 failures, never 3 in a row
    QVERIFY(breaker.recordFailure("query", "timeout", t0));
}

void TestCircuitBreaker::openTurnsHalfOpenAtNextProbe()
{
    CircuitBreaker breaker("replica", config());
    breaker.recordFailure("probe", "refused", t0);
    QCOMPARE(name(breaker.state(t0 + 999ms)), name(BreakerState::Open));
    QCOMPARE(name(breaker.snapshot(t0 + 999ms).state), name(BreakerState::Open));
    QCOMPARE(name(breaker.snapshot(t0 + 1000ms).state), name(BreakerState::HalfOpen));
    QCOMPARE(name(breaker.state(t0 + 1000ms)), name(BreakerState::HalfOpen));
    QVERIFY(!breaker.allows());  // half-open: the probe is the trial, not traffic
}

void TestCircuitBreaker::probeSuccessClosesHalfOpen()
{
    CircuitBreaker breaker("replica", config());
    breaker.recordFailure("probe", "refused", t0);
    const auto halfOpen = t0 + 1000ms;
    breaker.recordSuccess("query", halfOpen);  // traffic does not close it
    QCOMPARE(name(breaker.state(halfOpen)), name(BreakerState::HalfOpen));
    QVERIFY(!breaker.allows());
    breaker.recordSuccess("probe", halfOpen);
    QCOMPARE(name(breaker.state(halfOpen)), name(BreakerState::Closed));
    QVERIFY(breaker.allows());
    QCOMPARE(breaker.snapshot(halfOpen).consecutiveFailures, 0);
}

void TestCircuitBreaker::successBeforeNextProbeKeepsItOpen()
{
    CircuitBreaker breaker("replica", config());
    breaker.recordFailure("probe", "refused", t0);
    breaker.recordSuccess("probe", t0 + 500ms);
    QCOMPARE(name(breaker.state(t0 + 500ms)), name(BreakerState::Open));
    QVERIFY(!breaker.allows());
}

void TestCircuitBreaker::halfOpenFailureDoublesUpToCap()
{
    CircuitBreaker breaker("replica", config(1, 1000ms, 3000ms));
    QVERIFY(breaker.recordFailure("probe", "refused", t0));
    auto next = breaker.snapshot(t0).nextProbeAt;
    QVERIFY(next == t0 + 1000ms);

    // Each failed trial doubles the period: 2 s, then 4 s capped to 3 s.
    const std::chrono::milliseconds expected[] = {2000ms, 3000ms, 3000ms};
    for (const auto period : expected) {
        QVERIFY(breaker.recordFailure("checkout", "refused", next));  // failure from any source reopens
        const auto s = breaker.snapshot(next);
        QCOMPARE(name(s.state), name(BreakerState::Open));
        QCOMPARE(std::chrono::duration_cast<std::chrono::milliseconds>(s.nextProbeAt - next).count(),
                 period.count());
        next = s.nextProbeAt;
    }
    QCOMPARE(breaker.snapshot(next).trips, std::uint64_t(4));

    // A successful trial brings the period back to openFor.
    breaker.recordSuccess("probe", next);
    QVERIFY(breaker.allows());
    QVERIFY(breaker.recordFailure("probe", "refused", next));
    QVERIFY(breaker.snapshot(next).nextProbeAt == next + 1000ms);
}

void TestCircuitBreaker::failureWhileOpenDoesNotExtend()
{
    CircuitBreaker breaker("replica", config());
    breaker.recordFailure("probe", "refused", t0);
    QVERIFY(!breaker.recordFailure("query", "refused", t0 + 500ms));
    const auto s = breaker.snapshot(t0 + 500ms);
    QVERIFY(s.nextProbeAt == t0 + 1000ms);
    QCOMPARE(s.trips, std::uint64_t(1));
}

void TestCircuitBreaker::resetCloses()
{
    CircuitBreaker breaker("replica", config(2));
    breaker.recordFailure("probe", "refused", t0);
    breaker.recordFailure("probe", "refused", t0);
    breaker.recordFailure("probe", "refused", t0 + 1000ms);  // half-open trial failed: 2 s now
    QVERIFY(!breaker.allows());
    breaker.reset();
    QVERIFY(breaker.allows());
    QCOMPARE(name(breaker.state(t0 + 1001ms)), name(BreakerState::Closed));
    QCOMPARE(breaker.snapshot(t0 + 1001ms).consecutiveFailures, 0);
    // Counts cleared: one failure no longer trips a threshold of 2, and the
    // next trip starts from openFor again.
    const auto later = t0 + 10s;
    QVERIFY(!breaker.recordFailure("probe", "refused", later));
    QVERIFY(breaker.recordFailure("probe", "refused", later));
    QVERIFY(breaker.snapshot(later).nextProbeAt == later + 1000ms);
}

void TestCircuitBreaker::tripReasonHidesPasswords()
{
    CircuitBreaker breaker("replica", config());
    breaker.recordFailure("probe", "could not connect: host=db password=hunter2 user=app", t0);
    const auto reason = QString::fromStdString(breaker.snapshot(t0).tripReason);
    QVERIFY2(!reason.contains(QStringLiteral("hunter2")), qPrintable(reason));
    QVERIFY2(reason.contains(QStringLiteral("host=db")), qPrintable(reason));
    breaker.reset();
    breaker.recordFailure("probe", "bad uri postgresql://app:s3cret@db:5432/x", t0);
    const auto uri = QString::fromStdString(breaker.snapshot(t0).tripReason);
    QVERIFY2(!uri.contains(QStringLiteral("s3cret")), qPrintable(uri));
    QVERIFY2(uri.contains(QStringLiteral("@db:5432")), qPrintable(uri));
}

QTEST_GUILESS_MAIN(TestCircuitBreaker)
#include "tst_circuit_breaker.moc"

// LagGate: excluded at once above either limit, readmitted only after the lag
// stayed under both for the whole readmit time; unknown lag changes nothing.
// Also the lag formatting its reasons (and the tracker's details) rely on.

#include "health/LagFormat.hpp"
#include "health/LagGate.hpp"

#include <QtTest>

using namespace std::chrono_literals;
using pulse::LagGate;

namespace {
const LagGate::Clock::time_point t0 = LagGate::Clock::time_point(1'000'000s);
constexpr std::int64_t MB = 1 << 20;

pulse::LagLimits limits()
{
    pulse::LagLimits l;
    l.maxSeconds = 2.0;
    l.maxBytes = 16 * MB;
    l.readmitAfter = 5000ms;
    return l;
}

QString reasonOf(const LagGate& gate)
{
    return QString::fromStdString(gate.reason());
}
}  // namespace

class TestLagGate : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void formatting_data();
    void formatting();
    void admittedUnderLimits();
    void excludesOnEachLimit_data();
    void excludesOnEachLimit();
    void disabledLimitIsIgnored();
    void readmitsOnlyAfterFullReadmitTime();
    void spikeRestartsReadmitClock();
    void unknownLagLeavesStateAlone();
    void unknownLagBreaksTheReadmitClock();
    void limitsChangedAtRuntimeApplyAtTheNextObservation();
};

void TestLagGate::formatting_data()
{
    QTest::addColumn<QString>("formatted");
    QTest::addColumn<QString>("expected");
    QTest::addRow("seconds decimal") << QString::fromStdString(pulse::formatLagSeconds(6.2)) << QStringLiteral("6.2 s");
    QTest::addRow("seconds whole") << QString::fromStdString(pulse::formatLagSeconds(2.0)) << QStringLiteral("2 s");
    QTest::addRow("seconds small") << QString::fromStdString(pulse::formatLagSeconds(0.05)) << QStringLiteral("0.05 s");
    QTest::addRow("seconds large") << QString::fromStdString(pulse::formatLagSeconds(3600.4))
                                   << QStringLiteral("3600 s");
    QTest::addRow("bytes") << QString::fromStdString(pulse::formatLagBytes(512)) << QStringLiteral("512 B");
    QTest::addRow("kilobytes") << QString::fromStdString(pulse::formatLagBytes(4608)) << QStringLiteral("4.5 kB");
    QTest::addRow("megabytes") << QString::fromStdString(pulse::formatLagBytes(16 * MB)) << QStringLiteral("16 MB");
    QTest::addRow("megabytes decimal") << QString::fromStdString(pulse::formatLagBytes(3355443))
                                       << QStringLiteral("3.2 MB");
    QTest::addRow("gigabytes") << QString::fromStdString(pulse::formatLagBytes(3 * 1024 * MB))
                               << QStringLiteral("3 GB");
}

void TestLagGate::formatting()
{
    QFETCH(QString, formatted);
    QFETCH(QString, expected);
    QCOMPARE(formatted, expected);
}

void TestLagGate::admittedUnderLimits()
{
    LagGate gate(limits());
    QVERIFY(gate.admitted());
    gate.update(2.0, 16 * MB, t0);  // at the limits is not above them
    QVERIFY(gate.admitted());
    QVERIFY(gate.reason().empty());
}

void TestLagGate::excludesOnEachLimit_data()
{
    QTest::addColumn<double>("seconds");
    QTest::addColumn<qint64>("bytes");
    QTest::addColumn<QString>("reason");
    QTest::addRow("seconds") << 6.2 << qint64(1024) << QStringLiteral("lag 6.2 s > REPLICA_MAX_LAG_SECONDS 2 s");
    QTest::addRow("bytes") << 0.5 << qint64(20 * MB) << QStringLiteral("lag 20 MB > REPLICA_MAX_LAG_BYTES 16 MB");
    QTest::addRow("both") << 3.0 << qint64(17 * MB)
                          << QStringLiteral(
                                 "lag 3 s > REPLICA_MAX_LAG_SECONDS 2 s, lag 17 MB > REPLICA_MAX_LAG_BYTES 16 MB");
}

void TestLagGate::excludesOnEachLimit()
{
    QFETCH(double, seconds);
    QFETCH(qint64, bytes);
    QFETCH(QString, reason);
    LagGate gate(limits());
    gate.update(seconds, std::int64_t(bytes), t0);
    QVERIFY(!gate.admitted());
    QCOMPARE(reasonOf(gate), reason);
}

void TestLagGate::disabledLimitIsIgnored()
{
    auto l = limits();
    l.maxSeconds = 0;
    LagGate gate(l);
    gate.update(500.0, 1024, t0);
    QVERIFY(gate.admitted());
    gate.update(500.0, 17 * MB, t0);  // the byte limit still applies
    QVERIFY(!gate.admitted());
}

void TestLagGate::readmitsOnlyAfterFullReadmitTime()
{
    LagGate gate(limits());
    gate.update(6.0, 0, t0);
    QVERIFY(!gate.admitted());

    const auto under = t0 + 1s;
    gate.update(0.1, 0, under);
    QVERIFY(!gate.admitted());
    QCOMPARE(reasonOf(gate), QStringLiteral("lag back under the limits for 0 s of the 5 s readmit time"));
    gate.update(0.1, 0, under + 1500ms);
    QCOMPARE(reasonOf(gate), QStringLiteral("lag back under the limits for 1.5 s of the 5 s readmit time"));
    gate.update(0.1, 0, under + 4999ms);
    QVERIFY(!gate.admitted());
    gate.update(0.1, 0, under + 5000ms);
    QVERIFY(gate.admitted());
    QVERIFY(gate.reason().empty());
}

void TestLagGate::spikeRestartsReadmitClock()
{
    LagGate gate(limits());
    gate.update(6.0, 0, t0);
    gate.update(0.1, 0, t0 + 1s);        // clock starts
    gate.update(0.1, 20 * MB, t0 + 4s);  // byte spike: excluded again, clock stopped
    QVERIFY(!gate.admitted());
    gate.update(0.1, 0, t0 + 5s);  // clock restarts here
    gate.update(0.1, 0, t0 + 9s);  // 8 s after the first "under", 4 s after the restart
    QVERIFY(!gate.admitted());
    gate.update(0.1, 0, t0 + 10s);
    QVERIFY(gate.admitted());
}

void TestLagGate::unknownLagLeavesStateAlone()
{
    LagGate admitted(limits());
    admitted.update(std::nullopt, std::nullopt, t0);
    QVERIFY(admitted.admitted());

    LagGate excluded(limits());
    excluded.update(6.0, 0, t0);
    const auto before = reasonOf(excluded);
    for (int i = 1; i <= 10; ++i)
        excluded.update(std::nullopt, std::nullopt, t0 + std::chrono::seconds(i));
    QVERIFY(!excluded.admitted());
    QCOMPARE(reasonOf(excluded), before);

    // Half the picture is no proof either: bytes under their limit with the
    // time lag unknown do not start the readmit clock.
    excluded.update(std::nullopt, 0, t0 + 11s);
    excluded.update(std::nullopt, 0, t0 + 30s);
    QVERIFY(!excluded.admitted());
    QCOMPARE(reasonOf(excluded), before);
}

void TestLagGate::unknownLagBreaksTheReadmitClock()
{
    // Under the limits, then down for a while, then under again much later:
    // the readmit time counts from the return, not from before the gap.
    LagGate gate(limits());
    gate.update(6.0, 0, t0);
    gate.update(0.0, 0, t0 + 1s);
    gate.update(std::nullopt, std::nullopt, t0 + 2s);
    gate.update(0.0, 0, t0 + 60s);
    QVERIFY(!gate.admitted());
    gate.update(0.0, 0, t0 + 60s + limits().readmitAfter);
    QVERIFY(gate.admitted());
}

void TestLagGate::limitsChangedAtRuntimeApplyAtTheNextObservation()
{
    LagGate gate(limits());
    gate.update(1.5, 0, t0);
    QVERIFY(gate.admitted());

    // Lowered under the lag the replica has: nothing until the next observation, then excluded.
    auto lower = limits();
    lower.maxSeconds = 1.0;
    gate.setLimits(lower);
    QCOMPARE(gate.limits().maxSeconds, 1.0);
    QCOMPARE(gate.limits().readmitAfter, limits().readmitAfter);
    QVERIFY(gate.admitted());
    gate.update(1.5, 0, t0 + 1s);
    QVERIFY(!gate.admitted());
    QCOMPARE(reasonOf(gate), QStringLiteral("lag 1.5 s > REPLICA_MAX_LAG_SECONDS 1 s"));

    // Raised above it again: under the limits now, so readmitted after the readmit time, not at once.
    auto higher = limits();
    higher.maxSeconds = 10.0;
    gate.setLimits(higher);
    gate.update(1.5, 0, t0 + 2s);
    QVERIFY(!gate.admitted());
    gate.update(1.5, 0, t0 + 2s + limits().readmitAfter);
    QVERIFY(gate.admitted());

    // The byte limit too; 0 turns a limit off.
    auto bytes = higher;
    bytes.maxBytes = 1 * MB;
    gate.setLimits(bytes);
    gate.update(1.5, 2 * MB, t0 + 20s);
    QVERIFY(!gate.admitted());
    bytes.maxBytes = 0;
    gate.setLimits(bytes);
    gate.update(1.5, 2 * MB, t0 + 21s);
    gate.update(1.5, 2 * MB, t0 + 21s + limits().readmitAfter);
    QVERIFY(gate.admitted());
}

QTEST_GUILESS_MAIN(TestLagGate)
#include "tst_lag_gate.moc"

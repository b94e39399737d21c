// ReplicaStateTracker: lag that does not lie. An idle primary is lag 0 however
// old the last replayed transaction; a paused replay shows a lag growing in
// real time; a broken stream is never "caught up". Time is passed in.

#include "health/ReplicaStateTracker.hpp"

#include <QtTest>

using namespace std::chrono_literals;
using pulse::ReplicaObservation;
using pulse::ReplicaState;
using pulse::ReplicaStateTracker;

namespace {
const ReplicaStateTracker::Clock::time_point t0 = ReplicaStateTracker::Clock::time_point(1'000'000s);
constexpr std::uint64_t MB = 1 << 20;

// A healthy streaming replica as the monitor sees it, primary answering.
ReplicaObservation streaming(std::uint64_t primaryLsn, std::uint64_t replayLsn,
                             std::optional<double> secondsSinceLastReplay = std::nullopt)
{
    ReplicaObservation o;
    o.reachable = true;
    o.inRecovery = true;
    o.receiverStatus = "streaming";
    o.receiveLsn = primaryLsn;
    o.replayLsn = replayLsn;
    o.secondsSinceLastReplay = secondsSinceLastReplay;
    o.primaryLsn = primaryLsn;
    o.listedOnPrimary = true;
    return o;
}

QString name(ReplicaState state)
{
    return QString::fromStdString(pulse::replicaStateName(state));
}
}  // namespace

class TestReplicaState : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void namesAndAlarming();
    void idlePrimaryIsCaughtUp();
    void burstAfterIdleIsNotOldLag();
    void lagSecondsFromHistory();
    void replayLagIsAFloor();
    void shortHistoryFallsBack();
    void beyondHistoryFallsBackToReplayTimestamp();
    void pausedReplayLagGrows();
    void stalledAfterStallAfter();
    void disconnectedIsNeverCaughtUp_data();
    void disconnectedIsNeverCaughtUp();
    void disconnectedWithIdlePrimaryIsNotLagZero();
    void disconnectedReportsKnownLag();
    void promotedIsNotCaughtUp();
    void down();
};

void TestReplicaState::namesAndAlarming()
{
    QCOMPARE(name(ReplicaState::CaughtUp), QStringLiteral("caught up"));
    QCOMPARE(name(ReplicaState::Lagging), QStringLiteral("lagging"));
    QCOMPARE(name(ReplicaState::ReplayPaused), QStringLiteral("replay paused"));
    QCOMPARE(name(ReplicaState::ReplayStalled), QStringLiteral("replay stalled"));
    QCOMPARE(name(ReplicaState::Disconnected), QStringLiteral("disconnected"));
    QCOMPARE(name(ReplicaState::Down), QStringLiteral("down"));
    QVERIFY(!pulse::replicaStateIsAlarming(ReplicaState::CaughtUp));
    QVERIFY(!pulse::replicaStateIsAlarming(ReplicaState::Lagging));
    QVERIFY(pulse::replicaStateIsAlarming(ReplicaState::ReplayPaused));
    QVERIFY(pulse::replicaStateIsAlarming(ReplicaState::ReplayStalled));
    QVERIFY(pulse::replicaStateIsAlarming(ReplicaState::Disconnected));
    QVERIFY(pulse::replicaStateIsAlarming(ReplicaState::Down));
}

void TestReplicaState::idlePrimaryIsCaughtUp()
{
    ReplicaStateTracker tracker(3000ms);
    // Two hours of an idle primary: the last replayed transaction gets older
    // and older, and replay never moves (nothing to replay, not a stall).
    for (int minute = 0; minute <= 120; ++minute) {
        const double sinceReplay = 7200.0 + minute * 60.0;
        const auto a = tracker.assess(streaming(5 * MB, 5 * MB, sinceReplay), t0 + std::chrono::minutes(minute));
        QCOMPARE(name(a.state), name(ReplicaState::CaughtUp));
        QVERIFY(a.lagBytes.has_value());
        QCOMPARE(*a.lagBytes, std::int64_t(0));
        QVERIFY(a.lagSeconds.has_value());
        QCOMPARE(*a.lagSeconds, 0.0);
    }
}

void TestReplicaState::burstAfterIdleIsNotOldLag()
{
    ReplicaStateTracker tracker(3000ms);
    tracker.assess(streaming(5 * MB, 5 * MB, 3600.0), t0);
    tracker.assess(streaming(5 * MB, 5 * MB, 7200.0), t0 + 1h);
    // A write after an hour of idling: the replica is a few kB behind, and
    // its last replayed transaction is an hour old. The lag is that write's
    // age, not the idle hour; and replay has been still for an hour but had
    // nothing to do, so it is not stalled.
    const auto a = tracker.assess(streaming(5 * MB + 4096, 5 * MB, 7200.0), t0 + 1h + 250ms);
    QCOMPARE(name(a.state), name(ReplicaState::Lagging));
    QCOMPARE(*a.lagBytes, std::int64_t(4096));
    QVERIFY(a.lagSeconds.has_value());
    QVERIFY2(*a.lagSeconds < 1.0, std::to_string(*a.lagSeconds).c_str());
}

void TestReplicaState::lagSecondsFromHistory()
{
    ReplicaStateTracker tracker(60'000ms);
    tracker.assess(streaming(1000, 1000), t0);
    tracker.assess(streaming(2000, 1000), t0 + 1s);  // primary passes the replica here
    tracker.assess(streaming(3000, 1500), t0 + 2s);
    const auto a = tracker.assess(streaming(4000, 1900), t0 + 4s);
    // 1900 was passed at t0+1s (first sample above it: 2000).
    QCOMPARE(name(a.state), name(ReplicaState::Lagging));
    QCOMPARE(*a.lagBytes, std::int64_t(2100));
    QCOMPARE(*a.lagSeconds, 3.0);
    const auto b = tracker.assess(streaming(4000, 2500), t0 + 5s);
    QCOMPARE(*b.lagSeconds, 3.0);  // 2500 was first passed by the t0+2s sample
}

void TestReplicaState::replayLagIsAFloor()
{
    ReplicaStateTracker tracker(60'000ms);
    tracker.assess(streaming(1000, 1000), t0);
    auto o = streaming(2000, 1000);
    o.replayLagSeconds = 2.8;  // the primary's own measurement says more than our 1 s
    const auto a = tracker.assess(o, t0 + 1s);
    const auto b = tracker.assess(o, t0 + 2s);
    QCOMPARE(*a.lagSeconds, 2.8);
    QCOMPARE(*b.lagSeconds, 2.8);
    o.replayLagSeconds.reset();
    QCOMPARE(*tracker.assess(o, t0 + 3s).lagSeconds, 2.0);
}

void TestReplicaState::shortHistoryFallsBack()
{
    // The tracker has just started and the replica is already behind: the
    // history cannot say since when, the replay timestamp can.
    ReplicaStateTracker tracker(60'000ms);
    const auto a = tracker.assess(streaming(2 * MB, 1 * MB, 42.0), t0);
    QCOMPARE(name(a.state), name(ReplicaState::Lagging));
    QCOMPARE(*a.lagSeconds, 42.0);

    ReplicaStateTracker withReplayLag(60'000ms);
    auto o = streaming(2 * MB, 1 * MB);
    o.replayLagSeconds = 7.5;
    QCOMPARE(*withReplayLag.assess(o, t0).lagSeconds, 7.5);

    // Primary down and nothing else known: bytes from the replica's own
    // receive position, seconds unknown rather than invented.
    ReplicaStateTracker blind(60'000ms);
    auto p = streaming(2 * MB, 1 * MB);
    p.primaryLsn.reset();
    const auto c = blind.assess(p, t0);
    QCOMPARE(*c.lagBytes, std::int64_t(MB));
    QVERIFY(!c.lagSeconds.has_value());
}

void TestReplicaState::beyondHistoryFallsBackToReplayTimestamp()
{
    ReplicaStateTracker tracker(3000ms, 10s);
    auto o = streaming(1000, 1000);
    tracker.assess(o, t0);
    o = streaming(2000, 1000, 1.0);
    o.replayPaused = true;
    tracker.assess(o, t0 + 1s);
    // 100 s later the sample that showed when the primary passed the replica
    // has aged out of the 10 s history: the replay timestamp takes over.
    o.secondsSinceLastReplay = 150.0;
    const auto a = tracker.assess(o, t0 + 101s);
    QCOMPARE(*a.lagSeconds, 150.0);
}

void TestReplicaState::pausedReplayLagGrows()
{
    ReplicaStateTracker tracker(3000ms);
    tracker.assess(streaming(10 * MB, 10 * MB, 0.5), t0);
    double previous = -1;
    std::uint64_t primary = 10 * MB;
    for (int second = 1; second <= 31; second += 10) {
        primary += MB;  // the primary keeps writing, the replica does not replay
        auto o = streaming(primary, 10 * MB, 0.5 + second);
        o.replayPaused = true;
        o.replayLagSeconds = 0.2;  // replay_lag understates a paused replay
        const auto a = tracker.assess(o, t0 + std::chrono::seconds(second));
        QCOMPARE(name(a.state), name(ReplicaState::ReplayPaused));
        QCOMPARE(*a.lagBytes, static_cast<std::int64_t>(primary - 10 * MB));
        QVERIFY(*a.lagBytes > 0);
        QVERIFY2(*a.lagSeconds > previous, std::to_string(*a.lagSeconds).c_str());
        QCOMPARE(*a.lagSeconds, std::max(0.2, second - 1.0));  // passed at t0+1s
        QVERIFY2(QString::fromStdString(a.detail).contains(QStringLiteral("replay paused")), a.detail.c_str());
        previous = *a.lagSeconds;
    }
}

void TestReplicaState::stalledAfterStallAfter()
{
    ReplicaStateTracker tracker(3000ms);
    tracker.assess(streaming(1000, 1000), t0);
    QCOMPARE(name(tracker.assess(streaming(2000, 1500), t0 + 1s).state), name(ReplicaState::Lagging));
    QCOMPARE(name(tracker.assess(streaming(3000, 1500), t0 + 2s).state), name(ReplicaState::Lagging));
    QCOMPARE(name(tracker.assess(streaming(3000, 1500), t0 + 3999ms).state), name(ReplicaState::Lagging));
    const auto stalled = tracker.assess(streaming(3500, 1500), t0 + 4s);  // replay still since t0+1s
    QCOMPARE(name(stalled.state), name(ReplicaState::ReplayStalled));
    QVERIFY2(QString::fromStdString(stalled.detail).contains(QStringLiteral("not moving for 3 s")),
             stalled.detail.c_str());

    // Paused wins over stalled: it says why replay does not move.
    auto paused = streaming(3500, 1500);
    paused.replayPaused = true;
    QCOMPARE(name(tracker.assess(paused, t0 + 5s).state), name(ReplicaState::ReplayPaused));

    // Replay moving again is lagging, no longer stalled.
    QCOMPARE(name(tracker.assess(streaming(3500, 2000), t0 + 6s).state), name(ReplicaState::Lagging));
}

void TestReplicaState::disconnectedIsNeverCaughtUp_data()
{
    QTest::addColumn<QString>("status");
    QTest::addColumn<QString>("detail");
    QTest::addRow("no receiver") << QString() << QStringLiteral("no WAL receiver (status: none)");
    QTest::addRow("starting") << QStringLiteral("starting")
                              << QStringLiteral("WAL receiver not streaming (status: starting)");
}

void TestReplicaState::disconnectedIsNeverCaughtUp()
{
    QFETCH(QString, status);
    QFETCH(QString, detail);
    ReplicaStateTracker tracker(3000ms);
    // Primary unreachable, replica has replayed everything it received
    // before the stream broke: that is not "lag 0".
    auto o = streaming(1000, 1000, 0.1);
    o.receiverStatus = status.toStdString();
    o.primaryLsn.reset();
    o.listedOnPrimary = false;
    for (int i = 0; i < 3; ++i) {
        const auto a = tracker.assess(o, t0 + std::chrono::seconds(i * 10));
        QCOMPARE(name(a.state), name(ReplicaState::Disconnected));
        QVERIFY(!a.lagBytes.has_value());
        QVERIFY(!a.lagSeconds.has_value());
        QCOMPARE(QString::fromStdString(a.detail), detail);
    }
}

void TestReplicaState::disconnectedWithIdlePrimaryIsNotLagZero()
{
    // The primary answers and has written nothing new: zero bytes to replay
    // today, but no receiver to bring tomorrow's. Unknown, not 0.
    ReplicaStateTracker tracker(3000ms);
    auto o = streaming(1000, 1000, 0.1);
    o.receiverStatus.clear();
    o.primaryLsn = 1000;
    const auto a = tracker.assess(o, t0);
    QCOMPARE(name(a.state), name(ReplicaState::Disconnected));
    QVERIFY(!a.lagBytes.has_value());
    QVERIFY(!a.lagSeconds.has_value() || *a.lagSeconds > 0);
}

void TestReplicaState::disconnectedReportsKnownLag()
{
    ReplicaStateTracker tracker(3000ms);
    tracker.assess(streaming(1000, 1000), t0);
    auto o = streaming(3 * MB + 1000, 1000, 20.0);
    o.receiverStatus.clear();
    o.receiveLsn = 1000;
    const auto a = tracker.assess(o, t0 + 5s);
    QCOMPARE(name(a.state), name(ReplicaState::Disconnected));
    QCOMPARE(*a.lagBytes, std::int64_t(3 * MB));
    QCOMPARE(*a.lagSeconds, 0.0);  // the primary passed it in this very cycle
    QCOMPARE(QString::fromStdString(a.detail), QStringLiteral("no WAL receiver (status: none), 3 MB (0 s) behind"));
    const auto b = tracker.assess(o, t0 + 8s);
    QCOMPARE(*b.lagSeconds, 3.0);
}

void TestReplicaState::promotedIsNotCaughtUp()
{
    ReplicaStateTracker tracker(3000ms);
    auto o = streaming(1000, 1000);
    o.inRecovery = false;
    const auto a = tracker.assess(o, t0);
    QCOMPARE(name(a.state), name(ReplicaState::Disconnected));
    QVERIFY(!a.lagSeconds.has_value());
}

void TestReplicaState::down()
{
    ReplicaStateTracker tracker(3000ms);
    ReplicaObservation o;
    o.reachable = false;
    o.primaryLsn = 1000;
    const auto a = tracker.assess(o, t0);
    QCOMPARE(name(a.state), name(ReplicaState::Down));
    QVERIFY(!a.lagBytes.has_value());
    QVERIFY(!a.lagSeconds.has_value());
    QCOMPARE(QString::fromStdString(a.detail), QStringLiteral("not reachable"));
}

QTEST_GUILESS_MAIN(TestReplicaState)
#include "tst_replica_state.moc"

// Failover on a real sandbox topology (no mocks), the drill's sequence:
// the primary crashes during writes, the replica is promoted, the old
// primary is rebuilt as the new primary's streaming replica; later a planned
// switchover restores the original roles. Then what must be refused, and
// the pg_rewind path (the sandbox's full_page_writes = off makes pg_rewind
// refuse, so the failover tests exercise the fresh base backup; the last
// test turns full-page writes and wal_log_hints on to rewind a split brain).
//
// The sandbox is this executable's own (it is promoted: never the shared
// SandboxFixture one). The tests run in the order declared and continue one
// story: each checks the roles it starts from and skips when an earlier
// failure left others.

#include "QtTry.hpp"
#include "SandboxFixture.hpp"
#include "WaitFor.hpp"

#include "common/Errors.hpp"
#include "pg/PgConnection.hpp"
#include "topology/Sandbox.hpp"
#include "topology/SandboxNodeController.hpp"

#include <QtTest>

#include <cstdlib>
#include <memory>
#include <optional>
#include <string>

using namespace std::chrono_literals;
using pulse::NodeAction;
using pulse::PgConnection;
using pulse::Sandbox;
using pulse::SandboxError;
using pulse::SandboxNode;


namespace {

constexpr auto kStreamingWait = 20s;

std::unique_ptr<PgConnection> open(const Sandbox& sandbox, SandboxNode node)
{
    const auto params = SandboxFixture::nodeParams(sandbox, node, "failover-test");
    auto connection = PgConnection::open(params);
    connection->setDeadline(10s);
    return connection;
}

// A fresh connection runs `sql`; std::nullopt on any failure (never throws,
// so it can sit in a waitFor condition).
std::optional<std::string> scalar(const Sandbox& sandbox, SandboxNode node, const std::string& sql)
{
    try {
        return std::string(open(sandbox, node)->exec(sql).get(0, 0).value_or(""));
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

// Rows of one phase as `node` sees them.
std::optional<std::string> rows(const Sandbox& sandbox, SandboxNode node, const std::string& phase)
{
    return scalar(sandbox, node, "SELECT count(*) FROM failover_rows WHERE phase = '" + phase + "'");
}

void write(const Sandbox& sandbox, SandboxNode node, const std::string& phase, int count)
{
    open(sandbox, node)
        ->exec("INSERT INTO failover_rows (phase) SELECT '" + phase + "' FROM generate_series(1, "
            + std::to_string(count) + ")");
}

// The message of the SandboxError `call` throws; empty when it throws none.
template <typename F> std::string sandboxError(F&& call)
{
    try {
        call();
    } catch (const SandboxError& error) {
        return error.what();
    }
    return {};
}

SandboxNode other(SandboxNode node)
{
    return node == SandboxNode::Primary ? SandboxNode::Replica : SandboxNode::Primary;
}

} // namespace

class TestSandboxFailover : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void crashFailover();
    void switchoverBack();
    void refusals();
    void rewindSplitBrain();

private:
    // `standby` is in recovery, streams from the other node (both views),
    // sees every row the other node has, and a new row arrives.
    void verifyStreams(SandboxNode standby, const std::string& probePhase);

    std::unique_ptr<Sandbox> m_sandbox;
};

void TestSandboxFailover::initTestCase()
{
    char dir[] = "/tmp/pulse-failover-XXXXXX";
    QVERIFY(::mkdtemp(dir) != nullptr);
    pulse::SandboxOptions options;
    options.baseDir = dir;
    options.guardOwnerProcess = true;
    PULSE_TRY(m_sandbox = Sandbox::create(options));
    PULSE_TRY(open(*m_sandbox, SandboxNode::Primary)
               ->exec("CREATE TABLE failover_rows (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, phase text)"));
}

void TestSandboxFailover::cleanupTestCase()
{
    if (m_sandbox)
        PULSE_TRY(m_sandbox->teardown());
}

void TestSandboxFailover::verifyStreams(SandboxNode standby, const std::string& probePhase)
{
    Sandbox& sandbox = *m_sandbox;
    const SandboxNode source = other(standby);
    const std::string name(pulse::sandboxNodeName(standby));
    QCOMPARE(scalar(sandbox, standby, "SELECT pg_is_in_recovery()"), std::optional<std::string>("t"));
    QCOMPARE(scalar(sandbox, source, "SELECT pg_is_in_recovery()"), std::optional<std::string>("f"));
    // The source lists the standby by name (StandbyConfig's application_name)...
    QCOMPARE(
        scalar(sandbox, source,
            "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming' AND application_name = '" + name + "'"),
        std::optional<std::string>("1"));
    // ...and the standby's receiver streams from the source's port.
    QCOMPARE(scalar(sandbox, standby, "SELECT status || ' ' || sender_port FROM pg_stat_wal_receiver"),
        std::optional<std::string>("streaming " + std::to_string(sandbox.port(source))));
    QVERIFY(sandbox.waitForStreaming(kStreamingWait));
    QCOMPARE(sandbox.currentPrimary(), std::optional<SandboxNode>(source));

    // Every row of the source, then a new one: replication is live, not a copy.
    const auto total = scalar(sandbox, source, "SELECT count(*) FROM failover_rows");
    QVERIFY(total.has_value());
    QVERIFY(waitFor([&] { return scalar(sandbox, standby, "SELECT count(*) FROM failover_rows") == total; }));
    PULSE_TRY(write(sandbox, source, probePhase, 1));
    QVERIFY(waitFor([&] { return rows(sandbox, standby, probePhase) == "1"; }));
}

void TestSandboxFailover::crashFailover()
{
    Sandbox& sandbox = *m_sandbox;
    pulse::SandboxNodeController controller(sandbox);
    QVERIFY(controller.supports(NodeAction::Promote, "primary"));
    QVERIFY(controller.supports(NodeAction::Rebuild, "primary"));
    QVERIFY(controller.supports(NodeAction::Rebuild, "replica"));

    // Rows the replica has received before the crash survive it (asynchronous
    // replication: only what reached the replica can).
    PULSE_TRY(write(sandbox, SandboxNode::Primary, "before", 100));
    QVERIFY(waitFor([&] { return rows(sandbox, SandboxNode::Replica, "before") == "100"; }));

    PULSE_TRY(controller.perform(NodeAction::Kill, "primary"));
    QVERIFY(!sandbox.isRunning(SandboxNode::Primary));
    QCOMPARE(sandbox.currentPrimary(), std::optional<SandboxNode>()); // the replica is still a standby

    pulse::NodeActionOutcome promoted;
    PULSE_TRY(promoted = controller.perform(NodeAction::Promote, "replica"));
    QCOMPARE(promoted.output, std::string("the replica is a primary now (new timeline)"));
    QCOMPARE(sandbox.currentPrimary(), std::optional<SandboxNode>(SandboxNode::Replica));
    PULSE_TRY(write(sandbox, SandboxNode::Replica, "after_failover", 50));

    pulse::NodeActionOutcome rebuilt;
    PULSE_TRY(rebuilt = controller.perform(NodeAction::Rebuild, "primary"));
    qInfo("rebuild of the killed primary: %s in %lld ms", rebuilt.what.c_str(),
        static_cast<long long>(rebuilt.duration.count()));
    // full_page_writes = off: pg_rewind refuses, a fresh base backup it is.
    const std::string from = "from replica (port " + std::to_string(sandbox.port(SandboxNode::Replica)) + ")";
    QVERIFY2(rebuilt.what.starts_with("fresh base backup " + from + ": pg_rewind refused: "), rebuilt.what.c_str());
    QVERIFY2(rebuilt.what.find("full_page_writes") != std::string::npos, rebuilt.what.c_str());
    QVERIFY2(rebuilt.what.find('\n') == std::string::npos, rebuilt.what.c_str());
    QCOMPARE(rebuilt.output,
        std::string("the primary streams from the replica (port ") + std::to_string(sandbox.port(SandboxNode::Replica))
            + ")");

    verifyStreams(SandboxNode::Primary, "probe_after_failover");
    QCOMPARE(rows(sandbox, SandboxNode::Primary, "before"), std::optional<std::string>("100"));
    QCOMPARE(rows(sandbox, SandboxNode::Primary, "after_failover"), std::optional<std::string>("50"));
    // The slot the rebuild created on the new primary is the one in use.
    QCOMPARE(scalar(sandbox, SandboxNode::Replica,
                 "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pulse_replica' AND active"),
        std::optional<std::string>("1"));
}

void TestSandboxFailover::switchoverBack()
{
    Sandbox& sandbox = *m_sandbox;
    if (sandbox.currentPrimary() != SandboxNode::Replica)
        QSKIP("needs the roles crashFailover leaves (the replica node as the primary)");

    PULSE_TRY(write(sandbox, SandboxNode::Replica, "before_switchover", 20));
    // A clean stop: the standby receives everything up to the shutdown
    // checkpoint before the old primary exits, so nothing is lost.
    PULSE_TRY(sandbox.stop(SandboxNode::Replica, pulse::StopMode::Fast));
    PULSE_TRY(sandbox.promote(SandboxNode::Primary));
    QCOMPARE(sandbox.currentPrimary(), std::optional<SandboxNode>(SandboxNode::Primary));
    QCOMPARE(rows(sandbox, SandboxNode::Primary, "before_switchover"), std::optional<std::string>("20"));
    PULSE_TRY(write(sandbox, SandboxNode::Primary, "after_switchover", 30));

    std::string how;
    PULSE_TRY(how = sandbox.rebuildAsReplica(SandboxNode::Replica));
    qInfo("rebuild of the stopped replica: %s", how.c_str());
    QVERIFY2(how.starts_with("fresh base backup from primary (port "
                 + std::to_string(sandbox.port(SandboxNode::Primary)) + "): pg_rewind refused: "),
        how.c_str());

    verifyStreams(SandboxNode::Replica, "probe_after_switchover");
    for (const char* phase : {"before", "after_failover", "before_switchover", "after_switchover"})
        QVERIFY2(rows(sandbox, SandboxNode::Replica, phase) == rows(sandbox, SandboxNode::Primary, phase), phase);
    QCOMPARE(rows(sandbox, SandboxNode::Replica, "after_switchover"), std::optional<std::string>("30"));
}

void TestSandboxFailover::refusals()
{
    Sandbox& sandbox = *m_sandbox;
    if (sandbox.currentPrimary() != SandboxNode::Primary)
        QSKIP("needs the original roles");
    pulse::SandboxNodeController controller(sandbox);

    // The source is down: refused before the node is touched.
    PULSE_TRY(sandbox.stop(SandboxNode::Replica, pulse::StopMode::Fast));
    std::string refusal = sandboxError([&] { sandbox.rebuildAsReplica(SandboxNode::Primary); });
    QVERIFY2(refusal.find("the replica is not running") != std::string::npos, refusal.c_str());
    QVERIFY2(refusal.find("Fix: start the replica") != std::string::npos, refusal.c_str());
    QCOMPARE(scalar(sandbox, SandboxNode::Primary, "SELECT pg_is_in_recovery()"), std::optional<std::string>("f"));
    refusal = sandboxError([&] { sandbox.promote(SandboxNode::Replica); });
    QVERIFY2(refusal.find("not running") != std::string::npos, refusal.c_str());

    // The source is a standby, not a primary: refused as well.
    PULSE_TRY(sandbox.start(SandboxNode::Replica));
    refusal = sandboxError([&] { sandbox.rebuildAsReplica(SandboxNode::Primary); });
    QVERIFY2(refusal.find("the replica is in recovery") != std::string::npos, refusal.c_str());
    QVERIFY2(refusal.find("promote the replica first") != std::string::npos, refusal.c_str());
    QCOMPARE(scalar(sandbox, SandboxNode::Primary, "SELECT pg_is_in_recovery()"), std::optional<std::string>("f"));

    // Only a node in recovery can be promoted.
    refusal = sandboxError([&] { sandbox.promote(SandboxNode::Primary); });
    QVERIFY2(refusal.find("not in recovery") != std::string::npos, refusal.c_str());
    try {
        controller.perform(NodeAction::Promote, "primary");
        QFAIL("promoting the primary succeeded");
    } catch (const pulse::NodeActionError& refused) {
        QCOMPARE(refused.node(), std::string("primary"));
        QVERIFY2(refused.fix().find("cannot be promoted again") != std::string::npos, refused.what());
    }
    QCOMPARE(sandbox.currentPrimary(), std::optional<SandboxNode>(SandboxNode::Primary));
    QVERIFY(sandbox.waitForStreaming(kStreamingWait));
}

void TestSandboxFailover::rewindSplitBrain()
{
    Sandbox& sandbox = *m_sandbox;
    if (sandbox.currentPrimary() != SandboxNode::Primary)
        QSKIP("needs the original roles");

    // What pg_rewind needs, on both nodes (a standby takes the primary's
    // wal_log_hints into its control file; a promoted one writes its own).
    for (const SandboxNode node : {SandboxNode::Primary, SandboxNode::Replica}) {
        PULSE_TRY(open(sandbox, node)->exec("ALTER SYSTEM SET full_page_writes = on"));
        PULSE_TRY(open(sandbox, node)->exec("ALTER SYSTEM SET wal_log_hints = on"));
        PULSE_TRY(sandbox.restart(node));
    }
    QCOMPARE(scalar(sandbox, SandboxNode::Replica, "SHOW wal_log_hints"), std::optional<std::string>("on"));
    QVERIFY(sandbox.waitForStreaming(kStreamingWait));

    // A split brain: the replica is promoted while the primary still runs,
    // and each takes writes the other never sees.
    PULSE_TRY(write(sandbox, SandboxNode::Primary, "before_split", 10));
    QVERIFY(waitFor([&] { return rows(sandbox, SandboxNode::Replica, "before_split") == "10"; }));
    PULSE_TRY(sandbox.promote(SandboxNode::Replica));
    QCOMPARE(sandbox.currentPrimary(), std::optional<SandboxNode>()); // two primaries: neither is "the" one
    PULSE_TRY(write(sandbox, SandboxNode::Primary, "diverged", 5));
    PULSE_TRY(write(sandbox, SandboxNode::Replica, "kept", 7));

    std::string how;
    PULSE_TRY(how = sandbox.rebuildAsReplica(SandboxNode::Primary));
    qInfo("rebuild of the split brain's primary: %s", how.c_str());
    QCOMPARE(how, "pg_rewind from replica (port " + std::to_string(sandbox.port(SandboxNode::Replica)) + ")");
    verifyStreams(SandboxNode::Primary, "probe_after_rewind");
    QCOMPARE(rows(sandbox, SandboxNode::Primary, "kept"), std::optional<std::string>("7"));
    QCOMPARE(rows(sandbox, SandboxNode::Primary, "before_split"), std::optional<std::string>("10"));
    QCOMPARE(rows(sandbox, SandboxNode::Primary, "diverged"), std::optional<std::string>("0")); // rewound away

    // Back to the original roles: a cleanly stopped old primary has nothing
    // to rewind, and the slot it kept must not stay on it as a standby.
    PULSE_TRY(sandbox.stop(SandboxNode::Replica, pulse::StopMode::Fast));
    PULSE_TRY(sandbox.promote(SandboxNode::Primary));
    PULSE_TRY(how = sandbox.rebuildAsReplica(SandboxNode::Replica));
    qInfo("rebuild of the stopped replica: %s", how.c_str());
    QCOMPARE(how, "pg_rewind from primary (port " + std::to_string(sandbox.port(SandboxNode::Primary)) + ")");
    verifyStreams(SandboxNode::Replica, "probe_after_switchback");
    QCOMPARE(scalar(sandbox, SandboxNode::Replica, "SELECT count(*) FROM pg_replication_slots"),
        std::optional<std::string>("0"));
    QCOMPARE(rows(sandbox, SandboxNode::Replica, "kept"), std::optional<std::string>("7"));
}

QTEST_GUILESS_MAIN(TestSandboxFailover)
#include "tst_sandbox_failover.moc"

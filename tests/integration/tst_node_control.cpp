// Node control against the real sandbox topology (no mocks): the sandbox
// controller stops, starts, kills and freezes the replica, the SQL
// controller pauses and resumes replay and terminates the application's
// sessions, and promotion runs on a private second sandbox (the shared
// replica must never be promoted: SandboxFixture's rule).

#include "QtTry.hpp"
#include "SandboxFixture.hpp"
#include "WaitFor.hpp"

#include "common/Errors.hpp"
#include "config/Settings.hpp"
#include "pg/PgConnection.hpp"
#include "topology/CompositeNodeController.hpp"
#include "topology/Postmaster.hpp"
#include "topology/Sandbox.hpp"
#include "topology/SandboxNodeController.hpp"
#include "topology/SqlNodeController.hpp"

#include <QtTest>

#include <cstdlib>

using namespace std::chrono_literals;
using pulse::NodeAction;
using pulse::NodeActionError;
using pulse::PgConnection;
using pulse::Sandbox;
using pulse::SandboxNode;


namespace {

constexpr auto kStreamingWait = 20s;

// How the application connects: TCP with the password; TLS off (the sandbox
// has none), application_name set exactly (not the fallback, so a
// developer's PGAPPNAME cannot change what terminate_backends matches).
pulse::ConnectionParams paramsFor(const Sandbox& sandbox, SandboxNode node, const std::string& applicationName)
{
    return SandboxFixture::nodeParams(sandbox, node, applicationName);
}

std::unique_ptr<PgConnection> open(const Sandbox& sandbox, SandboxNode node, const std::string& applicationName)
{
    auto connection = PgConnection::open(paramsFor(sandbox, node, applicationName));
    connection->setDeadline(5s);
    return connection;
}

// A fresh connection runs `sql`; std::nullopt on any failure (never throws,
// so it can sit in a waitFor condition).
std::optional<std::string> scalar(const Sandbox& sandbox, SandboxNode node, const std::string& sql)
{
    try {
        auto connection = open(sandbox, node, "nodectl-test");
        return std::string(connection->exec(sql).get(0, 0).value_or(""));
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

std::unique_ptr<pulse::SqlNodeController> sqlController(const Sandbox& sandbox)
{
    return std::make_unique<pulse::SqlNodeController>(
        std::vector<pulse::ConnectionParams> {paramsFor(sandbox, SandboxNode::Primary, "pulse/primary/nodectl"),
            paramsFor(sandbox, SandboxNode::Replica, "pulse/replica/nodectl")},
        3s);
}

// A row written on the primary shows up on the replica: it streams and replays.
bool replicates(const Sandbox& sandbox, int value)
{
    const std::string insert = "INSERT INTO nodectl_probe VALUES (" + std::to_string(value) + ") RETURNING 1";
    if (scalar(sandbox, SandboxNode::Primary, insert) != "1")
        return false;
    return waitFor([&] {
        return scalar(sandbox, SandboxNode::Replica,
                   "SELECT count(*) FROM nodectl_probe WHERE i = " + std::to_string(value))
            == "1";
    });
}

} // namespace

class TestNodeControl : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void stopAndStartReplica();
    void killedReplicaRecovers();
    void killFrozenReplica();
    void freezeAndThawReplica();
    void stopFrozenReplica();
    void pauseAndResumeReplayThroughSql();
    void terminateBackends();
    void sandboxControllerRefusesWhatItCannotDo();
    void compositeOnTheSandbox();
    void promoteOnPrivateSandbox();
};

void TestNodeControl::initTestCase()
{
    PULSE_TRY(open(SandboxFixture::instance(), SandboxNode::Primary, "nodectl-test")
               ->exec("CREATE TABLE IF NOT EXISTS nodectl_probe (i int)"));
}

void TestNodeControl::cleanupTestCase()
{
    SandboxFixture::teardown();
}

void TestNodeControl::init()
{
    PULSE_TRY(SandboxFixture::ensureBothRunning());
}

void TestNodeControl::stopAndStartReplica()
{
    Sandbox& sandbox = SandboxFixture::instance();
    pulse::SandboxNodeController controller(sandbox);

    pulse::NodeActionOutcome stopped;
    PULSE_TRY(stopped = controller.perform(NodeAction::Stop, "replica"));
    QVERIFY(!sandbox.isRunning(SandboxNode::Replica));
    QVERIFY(!scalar(sandbox, SandboxNode::Replica, "SELECT 1"));
    QVERIFY2(stopped.what.starts_with("pg_ctl stop -m fast"), stopped.what.c_str());
    QCOMPARE(stopped.node, std::string("replica"));

    PULSE_TRY(controller.perform(NodeAction::Start, "replica"));
    QCOMPARE(scalar(sandbox, SandboxNode::Replica, "SELECT pg_is_in_recovery()"), std::optional<std::string>("t"));
    QVERIFY(sandbox.waitForStreaming(kStreamingWait));
    // Starting a running node is a no-op (a rollback after a method that
    // already brought it back), not pg_ctl's lock-file failure.
    pulse::NodeActionOutcome again;
    PULSE_TRY(again = controller.perform(NodeAction::Start, "replica"));
    QCOMPARE(again.output, std::string("already running"));
    QVERIFY(sandbox.isRunning(SandboxNode::Replica));

    PULSE_TRY(controller.perform(NodeAction::StopImmediate, "replica"));
    QVERIFY(!sandbox.isRunning(SandboxNode::Replica));
    PULSE_TRY(controller.perform(NodeAction::Restart, "replica")); // a stopped node: restart starts it
    QVERIFY(sandbox.waitForStreaming(kStreamingWait));
    QVERIFY(replicates(sandbox, 1));
}

void TestNodeControl::killedReplicaRecovers()
{
    Sandbox& sandbox = SandboxFixture::instance();
    pulse::SandboxNodeController controller(sandbox);
    const auto dataDir = sandbox.dataDir(SandboxNode::Replica);
    const auto postmaster = pulse::postmasterPid(dataDir);
    QVERIFY(postmaster.has_value());
    const std::vector<pid_t> children = pulse::childProcesses(*postmaster);
    QVERIFY(children.size() >= 3); // startup, walreceiver, checkpointer, ...

    pulse::NodeActionOutcome killed;
    PULSE_TRY(killed = controller.perform(NodeAction::Kill, "replica"));
    // The postmaster and every child are gone, not only the pid file.
    QVERIFY(!pulse::processAlive(*postmaster));
    for (const pid_t child : children)
        QVERIFY2(!pulse::processAlive(child), std::to_string(child).c_str());
    QVERIFY(!sandbox.isRunning(SandboxNode::Replica));
    QVERIFY(!scalar(sandbox, SandboxNode::Replica, "SELECT 1"));
    QVERIFY2(killed.output.find("children were gone") != std::string::npos, killed.output.c_str());

    // PostgreSQL recovers from the crash and streams again.
    PULSE_TRY(controller.perform(NodeAction::Start, "replica"));
    QVERIFY(sandbox.waitForStreaming(kStreamingWait));
    QVERIFY(replicates(sandbox, 2));

    // Killing a node that is down says so, with the fix.
    PULSE_TRY(controller.perform(NodeAction::Stop, "replica"));
    const NodeActionError error = [&] {
        try {
            controller.perform(NodeAction::Kill, "replica");
        } catch (const NodeActionError& e) {
            return e;
        }
        return NodeActionError("-", "-", "not thrown", {});
    }();
    QCOMPARE(error.node(), std::string("replica"));
    QVERIFY2(std::string(error.what()).find("no running server") != std::string::npos, error.what());
    QCOMPARE(error.fix(), std::string("start the node first (pulsectl sandbox up)"));
}

void TestNodeControl::killFrozenReplica()
{
    Sandbox& sandbox = SandboxFixture::instance();
    pulse::SandboxNodeController controller(sandbox);
    PULSE_TRY(controller.perform(NodeAction::Freeze, "replica"));
    // Frozen children would never notice the postmaster's death: kill wakes them.
    PULSE_TRY(controller.perform(NodeAction::Kill, "replica"));
    QVERIFY(!sandbox.isRunning(SandboxNode::Replica));
    PULSE_TRY(controller.perform(NodeAction::Start, "replica"));
    QVERIFY(sandbox.waitForStreaming(kStreamingWait));
}

void TestNodeControl::freezeAndThawReplica()
{
    Sandbox& sandbox = SandboxFixture::instance();
    pulse::SandboxNodeController controller(sandbox);

    pulse::NodeActionOutcome frozen;
    PULSE_TRY(frozen = controller.perform(NodeAction::Freeze, "replica"));
    QVERIFY2(frozen.output.find("processes stopped") != std::string::npos, frozen.output.c_str());

    // Not refused (the kernel still accepts TCP), just no answer: a connection
    // attempt with a short deadline fails at its deadline.
    const auto started = std::chrono::steady_clock::now();
    QVERIFY_THROWS_EXCEPTION(pulse::ConnectionError, open(sandbox, SandboxNode::Replica, "nodectl-test"));
    QVERIFY(std::chrono::steady_clock::now() - started >= 1500ms);

    PULSE_TRY(controller.perform(NodeAction::Thaw, "replica"));
    QVERIFY(waitFor([&] { return scalar(sandbox, SandboxNode::Replica, "SELECT 1") == "1"; }));
    QVERIFY(sandbox.waitForStreaming(kStreamingWait));
}

void TestNodeControl::stopFrozenReplica()
{
    Sandbox& sandbox = SandboxFixture::instance();
    {
        pulse::SandboxNodeController controller(sandbox);
        PULSE_TRY(controller.perform(NodeAction::Freeze, "replica"));
        // A frozen postmaster never sees pg_ctl's signal: stop thaws it first.
        const auto started = std::chrono::steady_clock::now();
        PULSE_TRY(controller.perform(NodeAction::Stop, "replica"));
        QVERIFY(std::chrono::steady_clock::now() - started < 20s);
        QVERIFY(!sandbox.isRunning(SandboxNode::Replica));
        PULSE_TRY(controller.perform(NodeAction::Start, "replica"));
        PULSE_TRY(controller.perform(NodeAction::Freeze, "replica"));
    }
    // Destroyed while the replica was frozen: it thawed it.
    QVERIFY(waitFor([&] { return scalar(sandbox, SandboxNode::Replica, "SELECT 1") == "1"; }));
}

void TestNodeControl::pauseAndResumeReplayThroughSql()
{
    Sandbox& sandbox = SandboxFixture::instance();
    const auto controller = sqlController(sandbox);
    QVERIFY(controller->supports(NodeAction::PauseReplay, "replica"));
    QVERIFY(!controller->supports(NodeAction::Stop, "replica"));

    pulse::NodeActionOutcome paused;
    PULSE_TRY(paused = controller->perform(NodeAction::PauseReplay, "replica"));
    QCOMPARE(paused.what, std::string("SELECT pg_catalog.pg_wal_replay_pause()"));
    QCOMPARE(paused.output, std::string("replay paused"));
    QCOMPARE(
        scalar(sandbox, SandboxNode::Replica, "SELECT pg_is_wal_replay_paused()"), std::optional<std::string>("t"));
    // A write on the primary is received but not applied while paused.
    QCOMPARE(scalar(sandbox, SandboxNode::Primary, "INSERT INTO nodectl_probe VALUES (3) RETURNING 1"),
        std::optional<std::string>("1"));

    PULSE_TRY(controller->perform(NodeAction::ResumeReplay, "replica"));
    QCOMPARE(
        scalar(sandbox, SandboxNode::Replica, "SELECT pg_is_wal_replay_paused()"), std::optional<std::string>("f"));
    QVERIFY(waitFor([&] {
        return scalar(sandbox, SandboxNode::Replica, "SELECT count(*) FROM nodectl_probe WHERE i = 3") == "1";
    }));

    // The primary has no replay: the server's answer, with a fix.
    try {
        controller->perform(NodeAction::PauseReplay, "primary");
        QFAIL("pausing replay on the primary succeeded");
    } catch (const NodeActionError& error) {
        QVERIFY2(std::string(error.what()).find("SQLSTATE 55000") != std::string::npos, error.what());
        QVERIFY2(error.fix().find("only on a replica in recovery") != std::string::npos, error.fix().c_str());
    }
}

void TestNodeControl::terminateBackends()
{
    Sandbox& sandbox = SandboxFixture::instance();
    std::unique_ptr<PgConnection> victim1, victim2, bystander;
    PULSE_TRY(victim1 = open(sandbox, SandboxNode::Primary, "pulse/primary"));
    PULSE_TRY(victim2 = open(sandbox, SandboxNode::Primary, "pulse/primary/monitor"));
    PULSE_TRY(bystander = open(sandbox, SandboxNode::Primary, "another-app"));

    const auto controller = sqlController(sandbox);
    pulse::NodeActionOutcome outcome;
    // Its own session is also named pulse/...: had it terminated itself, the
    // statement would have failed instead of counting.
    PULSE_TRY(outcome = controller->perform(NodeAction::TerminateBackends, "primary"));
    QVERIFY(outcome.affected.has_value());
    QVERIFY2(*outcome.affected >= 2, outcome.output.c_str());

    QVERIFY(waitFor([&] { return !victim1->checkAlive() && !victim2->checkAlive(); }));
    QVERIFY_THROWS_EXCEPTION(pulse::ConnectionError, victim1->exec("SELECT 1"));
    QCOMPARE(std::string(bystander->exec("SELECT 1").get(0, 0).value_or("")), std::string("1"));
    // A backend leaves pg_stat_activity as it exits, a moment after its FATAL reached the client.
    QVERIFY(waitFor([&] {
        return scalar(sandbox, SandboxNode::Primary,
                   "SELECT count(*) FROM pg_stat_activity WHERE left(application_name, 6) = 'pulse/'")
            == "0";
    }));
}

void TestNodeControl::sandboxControllerRefusesWhatItCannotDo()
{
    Sandbox& sandbox = SandboxFixture::instance();
    pulse::SandboxNodeController controller(sandbox);
    QVERIFY(!controller.supports(NodeAction::TerminateBackends, "primary"));
    QVERIFY(!controller.supports(NodeAction::PauseReplay, "primary"));
    // Either node can be promoted or rebuilt (roles swap in a failover);
    // whether it is in recovery is the server's answer at perform().
    QVERIFY(controller.supports(NodeAction::Promote, "primary"));
    QVERIFY(controller.supports(NodeAction::Rebuild, "replica"));
    QVERIFY(!controller.supports(NodeAction::Stop, "replica2"));
    QVERIFY(controller.supports(NodeAction::Kill, "primary"));
    QVERIFY_THROWS_EXCEPTION(NodeActionError, controller.perform(NodeAction::PauseReplay, "primary"));
    QVERIFY_THROWS_EXCEPTION(NodeActionError, controller.perform(NodeAction::Stop, "replica2"));
    // The primary is no standby: refused, and nothing was done to it.
    QVERIFY_THROWS_EXCEPTION(NodeActionError, controller.perform(NodeAction::Promote, "primary"));
    // Rebuilding the primary needs the replica as a primary to copy from:
    // refused before the primary is stopped.
    QVERIFY_THROWS_EXCEPTION(NodeActionError, controller.perform(NodeAction::Rebuild, "primary"));
    QVERIFY(sandbox.isRunning(SandboxNode::Primary));
    QCOMPARE(scalar(sandbox, SandboxNode::Primary, "SELECT pg_is_in_recovery()"), std::optional<std::string>("f"));
}

void TestNodeControl::compositeOnTheSandbox()
{
    Sandbox& sandbox = SandboxFixture::instance();
    pulse::Settings settings;
    const auto composite = pulse::CompositeNodeController::forTopology(&sandbox, settings,
        {paramsFor(sandbox, SandboxNode::Primary, "pulse/primary/nodectl"),
            paramsFor(sandbox, SandboxNode::Replica, "pulse/replica/nodectl")});
    QVERIFY(composite->choose(NodeAction::Kill, "replica")->describe().starts_with("sandbox processes"));
    QVERIFY(composite->choose(NodeAction::PauseReplay, "replica")->describe().starts_with("sandbox processes"));
    QVERIFY(composite->choose(NodeAction::TerminateBackends, "primary")->describe().starts_with("SQL functions"));
    pulse::NodeActionOutcome outcome;
    PULSE_TRY(outcome = composite->perform(NodeAction::TerminateBackends, "replica"));
    QVERIFY(outcome.affected.has_value());
}

void TestNodeControl::promoteOnPrivateSandbox()
{
    // Never the shared replica: a sandbox of this test's own (about 1-2 s).
    char dir[] = "/tmp/pulse-nodectl-XXXXXX";
    QVERIFY(::mkdtemp(dir) != nullptr);
    pulse::SandboxOptions options;
    options.baseDir = dir;
    options.guardOwnerProcess = true;
    std::unique_ptr<Sandbox> own;
    PULSE_TRY(own = Sandbox::create(options));

    const auto controller = sqlController(*own);
    pulse::NodeActionOutcome promoted;
    PULSE_TRY(promoted = controller->perform(NodeAction::Promote, "replica"));
    QCOMPARE(promoted.what, std::string("SELECT pg_catalog.pg_promote(true, 30)"));
    QVERIFY(!own->isInRecovery(SandboxNode::Replica));

    // A second promotion: the server's refusal, and the sandbox's, each with a fix.
    try {
        controller->perform(NodeAction::Promote, "replica");
        QFAIL("a second promotion succeeded");
    } catch (const NodeActionError& error) {
        QVERIFY2(error.fix().find("already is a primary") != std::string::npos, error.what());
    }
    pulse::SandboxNodeController sandboxController(*own);
    try {
        sandboxController.perform(NodeAction::Promote, "replica");
        QFAIL("a second pg_ctl promote succeeded");
    } catch (const NodeActionError& error) {
        QVERIFY2(error.fix().find("cannot be promoted again") != std::string::npos, error.what());
    }
    PULSE_TRY(own->teardown());
}

QTEST_GUILESS_MAIN(TestNodeControl)
#include "tst_node_control.moc"

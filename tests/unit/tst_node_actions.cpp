// Unit tests of node control without a database: action names and which are
// destructive, node names, the safety policy's decisions (every refusal
// message), the shell controller with harmless commands, the composite's
// choice, and masking of passwords in operator-written commands.

#include "common/Errors.hpp"
#include "common/MaskedCommand.hpp"
#include "config/Settings.hpp"
#include "topology/CompositeNodeController.hpp"
#include "topology/NodeAction.hpp"
#include "topology/NodeActionPolicy.hpp"
#include "topology/NodeName.hpp"
#include "topology/ShellNodeController.hpp"

#include <QtTest>

#include <chrono>
#include <set>
#include <string>

using namespace pulse;
using namespace std::chrono_literals;

Q_DECLARE_METATYPE(pulse::NodeAction)

namespace {

QByteArray qb(const std::string& s)
{
    return QByteArray::fromStdString(s);
}

ShellNodeController shell(std::map<DrillCommandKey, std::string> commands, std::chrono::milliseconds timeout = 10s)
{
    return ShellNodeController(std::move(commands), timeout);
}

// Runs `perform` and returns the NodeActionError it throws (fails the test otherwise).
template <typename F> NodeActionError expectNodeActionError(F&& perform)
{
    try {
        perform();
    } catch (const NodeActionError& error) {
        return error;
    }
    return NodeActionError("none", "none", "no NodeActionError thrown", {});
}

// A controller that supports a fixed set of (action, node) and records calls.
class FakeController final : public NodeController {
public:
    FakeController(std::string name, std::set<std::pair<NodeAction, std::string>> supported)
        : m_name(std::move(name))
        , m_supported(std::move(supported))
    { }
    std::string describe() const override { return m_name; }
    bool supports(NodeAction action, const std::string& node) const override
    {
        return m_supported.contains({action, node});
    }
    NodeActionOutcome perform(NodeAction action, const std::string& node) override
    {
        NodeActionOutcome outcome;
        outcome.action = action;
        outcome.node = node;
        outcome.controller = m_name;
        return outcome;
    }

private:
    std::string m_name;
    std::set<std::pair<NodeAction, std::string>> m_supported;
};

} // namespace

class TestNodeActions : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void actionNames();
    void destructive_data();
    void destructive();
    void nodeNames();
    void policy_data();
    void policy();
    void policyFromSettings();
    void shellSuccess();
    void shellFailure();
    void shellTimeout();
    void shellStderr();
    void shellOutputBounded();
    void shellUnconfigured();
    void shellMasksPasswords();
    void compositeChooses();
    void maskCommandSecrets_data();
    void maskCommandSecrets();
};

void TestNodeActions::actionNames()
{
    const std::vector<std::string> expected {"stop", "stop_immediate", "start", "restart", "kill", "freeze", "thaw",
        "promote", "pause_replay", "resume_replay", "terminate_backends", "rebuild"};
    QCOMPARE(kAllNodeActions.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        QCOMPARE(qb(std::string(nodeActionName(kAllNodeActions[i]))), qb(expected[i]));
        QCOMPARE(parseNodeAction(expected[i]), std::optional<NodeAction>(kAllNodeActions[i]));
    }
    QVERIFY(!parseNodeAction("STOP")); // names are lower case
    QVERIFY(!parseNodeAction("reboot"));
    QVERIFY(!parseNodeAction(""));
}

void TestNodeActions::destructive_data()
{
    QTest::addColumn<NodeAction>("action");
    QTest::addColumn<bool>("destructive");
    QTest::addRow("stop") << NodeAction::Stop << true;
    QTest::addRow("stop_immediate") << NodeAction::StopImmediate << true;
    QTest::addRow("restart") << NodeAction::Restart << true;
    QTest::addRow("kill") << NodeAction::Kill << true;
    QTest::addRow("freeze") << NodeAction::Freeze << true;
    QTest::addRow("promote") << NodeAction::Promote << true;
    QTest::addRow("rebuild") << NodeAction::Rebuild << true;
    QTest::addRow("start") << NodeAction::Start << false;
    QTest::addRow("thaw") << NodeAction::Thaw << false;
    QTest::addRow("pause_replay") << NodeAction::PauseReplay << false;
    QTest::addRow("resume_replay") << NodeAction::ResumeReplay << false;
    QTest::addRow("terminate_backends") << NodeAction::TerminateBackends << false;
}

void TestNodeActions::destructive()
{
    QFETCH(NodeAction, action);
    QFETCH(bool, destructive);
    QCOMPARE(isDestructive(action), destructive);
}

void TestNodeActions::nodeNames()
{
    for (const char* name : {"primary", "replica", "replica2", "replica10"})
        QVERIFY2(isNodeName(name), name);
    for (const char* name :
        {"", "Primary", "replica1", "replica0", "replica02", "replica_2", "replicas", "standby", "replica99999"})
        QVERIFY2(!isNodeName(name), name);
}

void TestNodeActions::policy_data()
{
    QTest::addColumn<bool>("sandbox");
    QTest::addColumn<bool>("allowDestructive");
    QTest::addColumn<bool>("commandConfigured"); // DRILL_COMMAND_<action>_REPLICA
    QTest::addColumn<bool>("confirmed");
    QTest::addColumn<NodeAction>("action");
    QTest::addColumn<QByteArray>("error"); // empty: allowed

    const QByteArray killFixAll("confirm with --yes; set DRILL_ALLOW_DESTRUCTIVE=true; set DRILL_COMMAND_KILL_REPLICA "
                                "to the command that does it in your environment");

    // Non-destructive actions: allowed anywhere, confirmed or not...
    for (const NodeAction action : {NodeAction::Start, NodeAction::Thaw, NodeAction::ResumeReplay}) {
        const std::string name(nodeActionName(action));
        QTest::addRow("%s on a real topology, nothing set", name.c_str())
            << false << false << false << false << action << QByteArray();
        QTest::addRow("%s on the sandbox, unconfirmed", name.c_str())
            << true << false << false << false << action << QByteArray();
    }
    // ...except those a real application feels: confirmed off the sandbox.
    for (const NodeAction action : {NodeAction::PauseReplay, NodeAction::TerminateBackends}) {
        const std::string name(nodeActionName(action));
        QTest::addRow("%s on a real topology, unconfirmed", name.c_str())
            << false << false << false << false << action
            << QByteArray((name + " on the replica: refused: " + name +
                           " affects the application on a topology that is not the sandbox (missing: --yes)\n"
                           "Fix: confirm with --yes")
                              .c_str());
        QTest::addRow("%s on a real topology, confirmed", name.c_str())
            << false << false << false << true << action << QByteArray();
        QTest::addRow("%s on the sandbox, unconfirmed", name.c_str())
            << true << false << false << false << action << QByteArray();
    }
    // The sandbox: confirmation only.
    QTest::addRow("sandbox kill confirmed") << true << false << false << true << NodeAction::Kill << QByteArray();
    QTest::addRow("sandbox kill unconfirmed")
        << true << false << false << false << NodeAction::Kill
        << QByteArray("kill on the replica: refused: kill is destructive and was not confirmed (missing: --yes)\n"
                      "Fix: confirm with --yes");
    QTest::addRow("sandbox promote unconfirmed")
        << true << true << true << false << NodeAction::Promote
        << QByteArray("promote on the replica: refused: promote is destructive and was not confirmed (missing: "
                      "--yes)\nFix: confirm with --yes");
    // A real topology: confirmation, DRILL_ALLOW_DESTRUCTIVE and the command.
    QTest::addRow("real, everything") << false << true << true << true << NodeAction::Kill << QByteArray();
    QTest::addRow("real, nothing")
        << false << false << false << false << NodeAction::Kill
        << QByteArray("kill on the replica: refused: kill is destructive and the topology is not the sandbox "
                      "(missing: --yes, DRILL_ALLOW_DESTRUCTIVE=true, DRILL_COMMAND_KILL_REPLICA)\nFix: "
               + killFixAll);
    QTest::addRow("real, unconfirmed")
        << false << true << true << false << NodeAction::Stop
        << QByteArray("stop on the replica: refused: stop is destructive and the topology is not the sandbox "
                      "(missing: --yes)\nFix: confirm with --yes");
    QTest::addRow("real, not allowed")
        << false << false << true << true << NodeAction::Freeze
        << QByteArray("freeze on the replica: refused: freeze is destructive and the topology is not the sandbox "
                      "(missing: DRILL_ALLOW_DESTRUCTIVE=true)\nFix: set DRILL_ALLOW_DESTRUCTIVE=true");
    QTest::addRow("real, no command")
        << false << true << false << true << NodeAction::StopImmediate
        << QByteArray("stop_immediate on the replica: refused: stop_immediate is destructive and the topology is not "
                      "the sandbox (missing: DRILL_COMMAND_STOP_IMMEDIATE_REPLICA)\nFix: set "
                      "DRILL_COMMAND_STOP_IMMEDIATE_REPLICA to the command that does it in your environment");
    QTest::addRow("real promote: SQL alone is not enough")
        << false << true << false << true << NodeAction::Promote
        << QByteArray("promote on the replica: refused: promote is destructive and the topology is not the sandbox "
                      "(missing: DRILL_COMMAND_PROMOTE_REPLICA)\nFix: set DRILL_COMMAND_PROMOTE_REPLICA to the "
                      "command that does it in your environment");
    QTest::addRow("sandbox rebuild unconfirmed")
        << true << true << true << false << NodeAction::Rebuild
        << QByteArray("rebuild on the replica: refused: rebuild is destructive and was not confirmed (missing: "
                      "--yes)\nFix: confirm with --yes");
    QTest::addRow("real rebuild, no command")
        << false << true << false << true << NodeAction::Rebuild
        << QByteArray("rebuild on the replica: refused: rebuild is destructive and the topology is not the sandbox "
                      "(missing: DRILL_COMMAND_REBUILD_REPLICA)\nFix: set DRILL_COMMAND_REBUILD_REPLICA to the "
                      "command that does it in your environment");
    QTest::addRow("real restart, allowed, no command, unconfirmed")
        << false << true << false << false << NodeAction::Restart
        << QByteArray("restart on the replica: refused: restart is destructive and the topology is not the sandbox "
                      "(missing: --yes, DRILL_COMMAND_RESTART_REPLICA)\nFix: confirm with --yes; set "
                      "DRILL_COMMAND_RESTART_REPLICA to the command that does it in your environment");
}

void TestNodeActions::policy()
{
    QFETCH(bool, sandbox);
    QFETCH(bool, allowDestructive);
    QFETCH(bool, commandConfigured);
    QFETCH(bool, confirmed);
    QFETCH(NodeAction, action);
    QFETCH(QByteArray, error);

    std::set<DrillCommandKey> configured;
    if (commandConfigured)
        configured.insert(DrillCommandKey {action, "replica"});
    // A command for another node or action never counts.
    configured.insert(DrillCommandKey {action, "primary"});
    configured.insert(DrillCommandKey {NodeAction::Start, "replica"});
    const NodeActionPolicy policy(sandbox, allowDestructive, configured);

    const NodeActionDecision decision = policy.decide(action, "replica", confirmed);
    QCOMPARE(decision.allowed, error.isEmpty());
    if (error.isEmpty()) {
        QVERIFY(decision.missing.empty());
        QVERIFY(decision.reason.empty());
        policy.enforce(action, "replica", confirmed); // does not throw
        return;
    }
    QVERIFY(!decision.missing.empty());
    const NodeActionError thrown = expectNodeActionError([&] { policy.enforce(action, "replica", confirmed); });
    QCOMPARE(qb(thrown.what()), error);
    QCOMPARE(qb(thrown.node()), QByteArray("replica"));
    QCOMPARE(qb(thrown.action()), qb(std::string(nodeActionName(action))));
    QCOMPARE(qb(thrown.reason()), qb(decision.reason));
    QCOMPARE(qb(thrown.fix()), qb(decision.fix));
}

void TestNodeActions::policyFromSettings()
{
    Settings settings;
    settings.drillAllowDestructive = true;
    settings.drillCommands[DrillCommandKey {NodeAction::Stop, "replica"}] = "docker compose stop postgres-replica";
    settings.drillCommands[DrillCommandKey {NodeAction::Kill, "replica"}] = ""; // empty: no command
    const auto policy = NodeActionPolicy::fromSettings(settings, false);
    QVERIFY(policy.decide(NodeAction::Stop, "replica", true).allowed);
    const auto kill = policy.decide(NodeAction::Kill, "replica", true);
    QVERIFY(!kill.allowed);
    QCOMPARE(kill.missing, std::vector<std::string> {"DRILL_COMMAND_KILL_REPLICA"});
    QVERIFY(!policy.decide(NodeAction::Stop, "replica2", true).allowed);
    QVERIFY(NodeActionPolicy::fromSettings(settings, true).decide(NodeAction::Kill, "replica2", true).allowed);
}

void TestNodeActions::shellSuccess()
{
    auto controller = shell({{{NodeAction::Stop, "replica"}, "true"},
        {{NodeAction::Start, "replica"}, "echo \"$PULSE_DRILL_ACTION $PULSE_DRILL_NODE\""}});
    QVERIFY(controller.supports(NodeAction::Stop, "replica"));
    QVERIFY(!controller.supports(NodeAction::Stop, "primary"));
    QVERIFY(!controller.supports(NodeAction::Kill, "replica"));

    const auto stopped = controller.perform(NodeAction::Stop, "replica");
    QCOMPARE(qb(stopped.what), QByteArray("true"));
    QCOMPARE(stopped.action, NodeAction::Stop);
    QCOMPARE(qb(stopped.node), QByteArray("replica"));
    QCOMPARE(qb(stopped.output), QByteArray());
    QVERIFY(stopped.duration < 5s);

    const auto started = controller.perform(NodeAction::Start, "replica");
    QCOMPARE(qb(started.output), QByteArray("start replica"));
    QCOMPARE(qb(started.controller), QByteArray("shell commands (2 configured)"));

    // Every action works by its name, rebuild included.
    auto rebuilder = shell({{{NodeAction::Rebuild, "primary"}, "echo \"$PULSE_DRILL_ACTION $PULSE_DRILL_NODE\""}});
    QVERIFY(rebuilder.supports(NodeAction::Rebuild, "primary"));
    QCOMPARE(qb(rebuilder.perform(NodeAction::Rebuild, "primary").output), QByteArray("rebuild primary"));
}

void TestNodeActions::shellFailure()
{
    auto controller = shell({{{NodeAction::Kill, "primary"}, "false"}});
    const NodeActionError error = expectNodeActionError([&] { controller.perform(NodeAction::Kill, "primary"); });
    QCOMPARE(qb(error.what()),
        QByteArray("kill on the primary: false exited with code 1\n"
                   "Fix: run the command by hand to see why, then fix "
                   "DRILL_COMMAND_KILL_PRIMARY"));
    QCOMPARE(qb(error.node()), QByteArray("primary"));
    QCOMPARE(qb(error.action()), QByteArray("kill"));
}

void TestNodeActions::shellTimeout()
{
    auto controller = shell({{{NodeAction::Freeze, "replica"}, "sleep 5"}}, 1s);
    const auto started = std::chrono::steady_clock::now();
    const NodeActionError error = expectNodeActionError([&] { controller.perform(NodeAction::Freeze, "replica"); });
    const auto elapsed = std::chrono::steady_clock::now() - started;
    QVERIFY2(elapsed >= 1s && elapsed < 4s, std::to_string(elapsed.count()).c_str());
    QCOMPARE(qb(error.what()),
        QByteArray("freeze on the replica: sleep 5 did not finish within 1000 ms and was killed\n"
                   "Fix: raise DRILL_COMMAND_TIMEOUT_SECONDS if it needs longer, or make "
                   "DRILL_COMMAND_FREEZE_REPLICA return sooner"));
}

void TestNodeActions::shellStderr()
{
    auto controller = shell({{{NodeAction::Stop, "replica"}, "echo first line >&2; echo why it failed >&2; exit 3"},
        {{NodeAction::Start, "replica"}, "echo warning >&2; echo started"}});
    const NodeActionError error = expectNodeActionError([&] { controller.perform(NodeAction::Stop, "replica"); });
    QCOMPARE(qb(error.reason()),
        QByteArray("echo first line >&2; echo why it failed >&2; exit 3 exited with code 3; stderr: first line\n"
                   "why it failed"));
    // stderr of a successful command is kept in the outcome, after stdout.
    QCOMPARE(qb(controller.perform(NodeAction::Start, "replica").output), QByteArray("started\nstderr: warning"));
}

void TestNodeActions::shellOutputBounded()
{
    // 1 MB on stdout, a long stderr ending in the reason: only the tails are kept.
    auto controller = shell({{{NodeAction::Stop, "replica"},
        "head -c 1048576 /dev/zero | tr '\\0' x; "
        "i=0; while [ $i -lt 2000 ]; do echo noise $i >&2; i=$((i+1)); done; "
        "echo the real reason >&2; exit 1"}});
    const NodeActionError error = expectNodeActionError([&] { controller.perform(NodeAction::Stop, "replica"); });
    const std::string reason = error.reason();
    QVERIFY2(reason.size() < ShellNodeController::kErrorTailChars + 300, std::to_string(reason.size()).c_str());
    QVERIFY2(reason.ends_with("the real reason"), reason.c_str());
    QVERIFY(reason.find("; stderr: ...") != std::string::npos);
}

void TestNodeActions::shellUnconfigured()
{
    auto controller = shell({{{NodeAction::Stop, "replica"}, ""}}); // empty: not configured
    QVERIFY(!controller.supports(NodeAction::Stop, "replica"));
    const NodeActionError error = expectNodeActionError([&] { controller.perform(NodeAction::Stop, "replica"); });
    QCOMPARE(qb(error.what()),
        QByteArray("stop on the replica: no shell command is configured for it\n"
                   "Fix: set DRILL_COMMAND_STOP_REPLICA to the command that does it (run "
                   "with /bin/sh -c)"));
}

void TestNodeActions::shellMasksPasswords()
{
    auto controller = shell({{{NodeAction::Stop, "replica"}, "PGPASSWORD=s3cret true"},
        {{NodeAction::Kill, "replica"}, "echo password=s3cret >&2; exit 2"}});
    const auto outcome = controller.perform(NodeAction::Stop, "replica");
    QCOMPARE(qb(outcome.what), QByteArray("PGPASSWORD=******** true"));
    const NodeActionError error = expectNodeActionError([&] { controller.perform(NodeAction::Kill, "replica"); });
    QVERIFY2(!QByteArray(error.what()).contains("s3cret"), error.what());
}

void TestNodeActions::compositeChooses()
{
    std::vector<std::unique_ptr<NodeController>> chain;
    chain.push_back(std::make_unique<FakeController>(
        "sandbox", std::set<std::pair<NodeAction, std::string>> {{NodeAction::Stop, "replica"}}));
    chain.push_back(nullptr); // an absent controller is skipped
    chain.push_back(std::make_unique<FakeController>("shell",
        std::set<std::pair<NodeAction, std::string>> {{NodeAction::Stop, "replica"}, {NodeAction::Stop, "primary"}}));
    chain.push_back(std::make_unique<FakeController>(
        "sql", std::set<std::pair<NodeAction, std::string>> {{NodeAction::TerminateBackends, "primary"}}));
    CompositeNodeController composite(std::move(chain));

    QCOMPARE(qb(composite.describe()), QByteArray("sandbox, then shell, then sql"));
    QCOMPARE(qb(composite.perform(NodeAction::Stop, "replica").controller), QByteArray("sandbox"));
    QCOMPARE(qb(composite.perform(NodeAction::Stop, "primary").controller), QByteArray("shell"));
    QCOMPARE(qb(composite.perform(NodeAction::TerminateBackends, "primary").controller), QByteArray("sql"));
    QVERIFY(composite.choose(NodeAction::Kill, "replica") == nullptr);
    QVERIFY(!composite.supports(NodeAction::Kill, "replica"));
    const NodeActionError error = expectNodeActionError([&] { composite.perform(NodeAction::Kill, "replica"); });
    QCOMPARE(qb(error.what()),
        QByteArray("kill on the replica: nothing here can do it (tried: sandbox, then shell, "
                   "then sql)\nFix: set DRILL_COMMAND_KILL_REPLICA to the command that does "
                   "it"));
    // No SQL can rebuild a node: the fix says what the command must do.
    const NodeActionError rebuild = expectNodeActionError([&] { composite.perform(NodeAction::Rebuild, "primary"); });
    QCOMPARE(qb(rebuild.fix()),
        QByteArray("set DRILL_COMMAND_REBUILD_PRIMARY to the command that does it (make the node a streaming replica "
                   "of the current primary: pg_rewind or a fresh pg_basebackup from it, standby.signal and "
                   "primary_conninfo, then start it)"));

    // The usual chain without a sandbox: shell commands, then SQL.
    Settings settings;
    settings.drillCommands[DrillCommandKey {NodeAction::PauseReplay, "replica"}] = "true";
    ConnectionParams replica;
    replica.node("replica").host("db.invalid");
    const auto standard = CompositeNodeController::forTopology(nullptr, settings, {replica});
    QCOMPARE(qb(standard->describe()), QByteArray("shell commands (1 configured), then SQL functions on replica"));
    QCOMPARE(qb(standard->choose(NodeAction::PauseReplay, "replica")->describe()),
        QByteArray("shell commands (1 configured)"));
    QCOMPARE(
        qb(standard->choose(NodeAction::ResumeReplay, "replica")->describe()), QByteArray("SQL functions on replica"));
    QVERIFY(standard->choose(NodeAction::Stop, "replica") == nullptr);
    QVERIFY(standard->choose(NodeAction::Rebuild, "replica") == nullptr); // SQL cannot rebuild
    QVERIFY(standard->choose(NodeAction::ResumeReplay, "primary") == nullptr);
}

void TestNodeActions::maskCommandSecrets_data()
{
    QTest::addColumn<QByteArray>("command");
    QTest::addColumn<QByteArray>("shown");
    QTest::addRow("plain") << QByteArray("docker compose stop postgres-replica")
                           << QByteArray("docker compose stop postgres-replica");
    QTest::addRow("env assignment") << QByteArray("PGPASSWORD=abc psql -c 'select 1'")
                                    << QByteArray("PGPASSWORD=******** psql -c 'select 1'");
    QTest::addRow("lower case option") << QByteArray("tool --password=abc;next")
                                       << QByteArray("tool --password=********;next");
    QTest::addRow("quoted with blanks") << QByteArray("X_PASSWORD=\"a b c\" run")
                                        << QByteArray("X_PASSWORD=******** run");
    QTest::addRow("at the end") << QByteArray("run password=abc") << QByteArray("run password=********");
    QTest::addRow("empty value") << QByteArray("run PASSWORD= x") << QByteArray("run PASSWORD= x");
    QTest::addRow("twice") << QByteArray("a password=1 b PASSWORD=2")
                           << QByteArray("a password=******** b PASSWORD=********");
    QTest::addRow("url") << QByteArray("psql postgres://me:pa@ss@db/x -c 1")
                         << QByteArray("psql postgres://me:********@db/x -c 1");
    QTest::addRow("url without password")
        << QByteArray("psql postgres://me@db/x") << QByteArray("psql postgres://me@db/x");
    QTest::addRow("url without user") << QByteArray("curl http://db:8080/x") << QByteArray("curl http://db:8080/x");
}

void TestNodeActions::maskCommandSecrets()
{
    QFETCH(QByteArray, command);
    QFETCH(QByteArray, shown);
    QCOMPARE(qb(pulse::maskCommandSecrets(command.toStdString())), shown);
}

QTEST_GUILESS_MAIN(TestNodeActions)
#include "tst_node_actions.moc"

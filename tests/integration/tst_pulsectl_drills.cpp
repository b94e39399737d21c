// pulsectl drill list | show | run as a user runs them: on the sandbox
// (found through --sandbox-dir, nothing else configured), with the journal
// and report files, the exit codes for passed, failed and aborted, the
// refusals and the errors for malformed drill files.

#include "PulsectlProcess.hpp"
#include "SandboxFixture.hpp"
#include "WaitFor.hpp"

#include "topology/Sandbox.hpp"

#include <QtTest>

#include <QFile>
#include <QJsonDocument>
#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>

#include <csignal>

using namespace std::chrono_literals;
using namespace Qt::StringLiterals;

namespace {

const QString kPulsectl = QStringLiteral(PULSECTL_PATH);

// The sandbox as the whole configuration: no POSTGRES_* in the environment
// (they would make it "someone else's" topology), --sandbox-dir names it.
// Timers shortened as in tst_drills.
EnvOverrides onSandbox()
{
    EnvOverrides env;
    for (const char* key : {"POSTGRES_HOST", "POSTGRES_PORT", "POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DATABASE",
                            "POSTGRES_REPLICA_HOST", "POSTGRES_REPLICA_PORT"})
        env.emplace_back(QString::fromLatin1(key), QString());
    env.emplace_back(u"BREAKER_OPEN_SECONDS"_s, u"1"_s);
    env.emplace_back(u"REPLICA_READMIT_SECONDS"_s, u"1"_s);
    env.emplace_back(u"ALERT_CLEAR_SECONDS"_s, u"1"_s);
    return env;
}

QStringList sandboxArgs(const QStringList& rest)
{
    return QStringList{u"--sandbox-dir"_s, QString::fromStdString(SandboxFixture::instance().baseDir().string())} + rest;
}

QJsonObject readJson(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

QByteArray both(const PulsectlRun& r)
{
    return "exit " + QByteArray::number(r.exitCode) + "\n" + r.out + "\n" + r.err;
}

}  // namespace

class TestPulsectlDrills : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        try {
            SandboxFixture::instance();
        } catch (const std::exception& e) {
            QFAIL(e.what());
        }
    }

    void init()
    {
        try {
            SandboxFixture::ensureBothRunning();
        } catch (const std::exception& e) {
            QFAIL(e.what());
        }
    }

    void cleanupTestCase() { SandboxFixture::teardown(); }

    void listAndShow()
    {
        const auto list = runPulsectl(kPulsectl, {u"drill"_s, u"list"_s});
        QCOMPARE(list.exitCode, 0);
        for (const char* name : {"replica-outage", "replica-outage-no-fallback", "replica-frozen", "replica-lag",
                                 "rollback-single-database", "failover-promotion", "planned-switchover",
                                 "pool-exhaustion", "primary-restart-etl"})
            QVERIFY2(list.out.contains(name), name);
        const auto show = runPulsectl(kPulsectl, {u"drill"_s, u"show"_s, u"failover-promotion"_s});
        QCOMPARE(show.exitCode, 0);
        QVERIFY(show.out.contains("Destructive steps"));
        QVERIFY(show.out.contains("kill the primary"));
        // --json prints a definition that runs as a file of one's own.
        const auto json = runPulsectl(kPulsectl, {u"drill"_s, u"show"_s, u"replica-outage"_s, u"--json"_s});
        QCOMPARE(json.exitCode, 0);
        QCOMPARE(QJsonDocument::fromJson(json.out).object().value(u"name"_s).toString(), u"replica-outage"_s);
        const auto unknown = runPulsectl(kPulsectl, {u"drill"_s, u"show"_s, u"replica-outag"_s});
        QCOMPARE(unknown.exitCode, 2);
        QVERIFY2(unknown.err.contains("did you mean 'replica-outage'"), unknown.err);
    }

    void dryRunDoesNothing()
    {
        const auto r = runPulsectl(kPulsectl, sandboxArgs({u"drill"_s, u"run"_s, u"failover-promotion"_s, u"--dry-run"_s}), 60'000,
                                   onSandbox());
        QVERIFY2(r.exitCode == 0, both(r));
        QVERIFY(r.out.contains("nothing is done"));
        QVERIFY(r.out.contains("kill_node"));
        QVERIFY(r.out.contains("--yes"));  // a real run without --yes would be refused
        QVERIFY(SandboxFixture::instance().isRunning(pulse::SandboxNode::Primary));
    }

    void runWritesJournalAndReport()
    {
        QTemporaryDir dir;
        const QString journal = dir.filePath(u"outage.json"_s);
        const QString report = dir.filePath(u"outage.md"_s);
        const auto r = runPulsectl(
            kPulsectl,
            sandboxArgs({u"drill"_s, u"run"_s, u"replica-outage"_s, u"--yes"_s, u"--journal"_s, journal, u"--report"_s, report}), 180'000,
            onSandbox());
        QVERIFY2(r.exitCode == 0, both(r));
        QVERIFY(r.out.contains("PASSED"));
        const auto j = readJson(journal);
        QCOMPARE(j.value(u"status"_s).toString(), u"completed"_s);
        QCOMPARE(j.value(u"figures"_s).toObject().value(u"failed_reads"_s).toInt(-1), 0);
        QVERIFY(j.value(u"figures"_s).toObject().value(u"reads_back_after_seconds"_s).isDouble());
        QFile md(report);
        QVERIFY(md.open(QIODevice::ReadOnly));
        const QByteArray text = md.readAll();
        QVERIFY(text.contains("PASSED"));
        QVERIFY(text.contains("Reads worked again after"));
        QVERIFY(!text.contains(QByteArray::fromStdString(SandboxFixture::instance().password())));
        QVERIFY(!r.out.contains(QByteArray::fromStdString(SandboxFixture::instance().password())));
    }

    void destructiveNeedsYes()
    {
        QTemporaryDir dir;
        const auto r = runPulsectl(kPulsectl,
                                   sandboxArgs({u"drill"_s, u"run"_s, u"replica-outage"_s, u"--journal"_s, dir.filePath(u"j.json"_s),
                                                u"--report"_s, dir.filePath(u"r.md"_s)}),
                                   60'000, onSandbox());
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("--yes"), r.err);
        QVERIFY(!QFile::exists(dir.filePath(u"j.json"_s)));
        QVERIFY(SandboxFixture::instance().isRunning(pulse::SandboxNode::Replica));
    }

    // The same servers configured as a real topology (POSTGRES_* given):
    // without DRILL_ALLOW_DESTRUCTIVE and commands, refused before anything runs.
    void refusedOffTheSandbox()
    {
        QTemporaryDir dir;
        const auto r = runPulsectl(kPulsectl,
                                   {u"drill"_s, u"run"_s, u"failover-promotion"_s, u"--yes"_s, u"--journal"_s,
                                    dir.filePath(u"j.json"_s), u"--report"_s, dir.filePath(u"r.md"_s)},
                                   60'000);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("DRILL_ALLOW_DESTRUCTIVE"), r.err);
        QVERIFY2(r.err.contains("DRILL_COMMAND_KILL_PRIMARY"), r.err);
        QVERIFY(r.err.contains("Nothing was done"));
        QVERIFY(!QFile::exists(dir.filePath(u"j.json"_s)));
        QVERIFY(SandboxFixture::instance().isRunning(pulse::SandboxNode::Primary));
    }

    void malformedFileGetsEveryProblem()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"bad.json"_s);
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(R"({"version": 1, "name": "Bad Name", "title": "t",
          "steady-state-hypothesis": {"title": "x", "probes": []},
          "method": [{"type": "action", "name": "stop", "provider": {"func": "stop_nod", "arguments": {"node": "replica"}}},
                     {"type": "action", "name": "kill", "provider": {"func": "kill_node", "arguments": {"node": "replika"}}}]})");
        file.close();
        const auto r = runPulsectl(kPulsectl, sandboxArgs({u"drill"_s, u"run"_s, u"--file"_s, path, u"--dry-run"_s}), 60'000, onSandbox());
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("did you mean 'stop_node'"), r.err);
        QVERIFY2(r.err.contains("replika"), r.err);
        QVERIFY2(r.err.contains("lower-case"), r.err);
        const auto missing = runPulsectl(kPulsectl, {u"drill"_s, u"run"_s, u"--file"_s, dir.filePath(u"none.json"_s)});
        QCOMPARE(missing.exitCode, 2);
        QVERIFY2(missing.err.contains("No such file"), missing.err);
        const auto directory = runPulsectl(kPulsectl, {u"drill"_s, u"run"_s, u"--file"_s, dir.path()});
        QCOMPARE(directory.exitCode, 2);
        QVERIFY2(directory.err.contains("is a directory"), directory.err);
    }

    // A drill that does not pass exits 9; Ctrl+C aborts with 10 after the
    // rollbacks ran, and the topology works.
    void exitCodesForFailedAndAborted()
    {
        QTemporaryDir dir;
        // Fallback off, expecting no failed reads: cannot hold.
        QJsonObject drill = QJsonDocument::fromJson(runPulsectl(kPulsectl, {u"drill"_s, u"show"_s, u"replica-outage"_s, u"--json"_s}).out).object();
        drill[u"name"_s] = u"impossible"_s;
        QJsonArray method = drill[u"method"_s].toArray();
        const QJsonObject arguments{{u"flag"_s, u"REPLICA_FALLBACK_ENABLED"_s}, {u"value"_s, false}};
        const QJsonObject provider{{u"type"_s, u"pulse"_s}, {u"func"_s, u"set_flag"_s}, {u"arguments"_s, arguments}};
        method.prepend(QJsonObject{{u"type"_s, u"action"_s}, {u"name"_s, u"fallback off"_s}, {u"provider"_s, provider}});
        drill[u"method"_s] = method;
        const QString path = dir.filePath(u"impossible.json"_s);
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QJsonDocument(drill).toJson());
        file.close();
        const auto failed = runPulsectl(kPulsectl,
                                        sandboxArgs({u"drill"_s, u"run"_s, u"--file"_s, path, u"--yes"_s, u"--journal"_s,
                                                     dir.filePath(u"f.json"_s), u"--report"_s, dir.filePath(u"f.md"_s)}),
                                        180'000, onSandbox());
        QVERIFY2(failed.exitCode == 9, both(failed));
        QCOMPARE(readJson(dir.filePath(u"f.json"_s)).value(u"status"_s).toString(), u"failed"_s);

        SandboxFixture::ensureBothRunning();
        auto process = startPulsectl(kPulsectl,
                                     sandboxArgs({u"drill"_s, u"run"_s, u"replica-outage"_s, u"--yes"_s, u"--journal"_s,
                                                  dir.filePath(u"a.json"_s), u"--report"_s, dir.filePath(u"a.md"_s)}),
                                     onSandbox());
        QVERIFY(process->waitForStarted());
        // Interrupt once the replica is down (the fault is in place).
        QVERIFY(waitFor([] { return !SandboxFixture::instance().isRunning(pulse::SandboxNode::Replica); }, 60s));
        ::kill(static_cast<pid_t>(process->processId()), SIGINT);
        QVERIFY(process->waitForFinished(120'000));
        const QByteArray out = process->readAllStandardOutput();
        QVERIFY2(process->exitCode() == 10, QByteArray(out + process->readAllStandardError()).constData());
        QCOMPARE(readJson(dir.filePath(u"a.json"_s)).value(u"status"_s).toString(), u"aborted"_s);
        QVERIFY(SandboxFixture::instance().isRunning(pulse::SandboxNode::Replica));
        QVERIFY(SandboxFixture::instance().waitForStreaming(20s));
    }
};

QTEST_GUILESS_MAIN(TestPulsectlDrills)
#include "tst_pulsectl_drills.moc"

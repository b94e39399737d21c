// docs/examples/embed (pulse_embed_example) run as a user runs it, against
// this executable's sandbox: settings through the environment, in an empty
// working directory (no ./.env). Checks what docs/embedding.md says it
// prints: the write on the primary, the dashboard read on the replica, the
// read-your-writes row visible, the pools idle at the end, exit code 0; and
// what changes with USE_READ_REPLICA off, with the replica stopped, and with
// an invalid configuration.

#include "SandboxFixture.hpp"

#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <utility>
#include <vector>

namespace {

struct Run {
    int exitCode = -1;
    QString out;
    QString err;
};

Run runExample(const std::vector<std::pair<QString, QString>>& extra = {})
{
    QTemporaryDir workDir;  // no ./.env: the environment is the whole configuration
    QProcess process;
    process.setWorkingDirectory(workDir.path());
    auto environment = QProcessEnvironment::systemEnvironment();
    for (const auto& [key, value] : SandboxFixture::settingsValues())
        environment.insert(QString::fromStdString(key), QString::fromStdString(value));
    for (const auto& [key, value] : extra)
        environment.insert(key, value);
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral(PULSE_EMBED_EXAMPLE_PATH), QStringList {});
    Run run;
    if (!process.waitForFinished(60'000)) {
        process.kill();
        process.waitForFinished();
        return run;
    }
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = QString::fromUtf8(process.readAllStandardOutput());
    run.err = QString::fromUtf8(process.readAllStandardError());
    return run;
}

QString password()
{
    for (const auto& [key, value] : SandboxFixture::settingsValues())
        if (key == "POSTGRES_PASSWORD")
            return QString::fromStdString(value);
    return {};
}

QString context(const Run& run)
{
    return QStringLiteral("exit %1\nstdout:\n%2\nstderr:\n%3").arg(run.exitCode).arg(run.out, run.err);
}

}  // namespace

class TestEmbedExample : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { SandboxFixture::instance(); }
    void init() { SandboxFixture::ensureBothRunning(); }
    void cleanupTestCase() { SandboxFixture::teardown(); }
    void writeOnPrimaryReadOnReplica();
    void useReadReplicaOff();
    void replicaStoppedFallsBack();
    void invalidConfiguration();
};

void TestEmbedExample::writeOnPrimaryReadOnReplica()
{
    const Run run = runExample();
    QVERIFY2(run.exitCode == 0, qPrintable(context(run)));
    QVERIFY2(run.out.startsWith(QStringLiteral("topology: healthy: ")), qPrintable(context(run)));
    QVERIFY2(run.out.contains(QStringLiteral("write: INSERT -> primary (routed: write operation: always runs on the "
                                             "primary); pg_is_in_recovery() = false\n")),
             qPrintable(context(run)));
    QVERIFY2(run.out.contains(QStringLiteral("dashboard read: dashboard_metrics -> replica (routed: read operation: "
                                             "tolerates replication delay); pg_is_in_recovery() = true\n")),
             qPrintable(context(run)));
    // On the replica once it replayed the token, or on the primary: visible either way.
    QVERIFY2(run.out.contains(QRegularExpression(QStringLiteral("\ntoken [0-9A-F]+/[0-9A-F]+: row [0-9]+ visible\n"))),
             qPrintable(context(run)));
    QVERIFY2(run.out.contains(QStringLiteral("pool primary: Pool size: 20 ")), qPrintable(context(run)));
    QVERIFY2(run.out.contains(QStringLiteral("pool replica: Pool size: 15 ")), qPrintable(context(run)));
    // Every session was closed before the pools were printed.
    QCOMPARE(run.out.count(QStringLiteral("Current Checked out connections: 0\n")), 2);
    QVERIFY(!run.out.contains(password()) && !run.err.contains(password()));
}

void TestEmbedExample::useReadReplicaOff()
{
    const Run run = runExample({{QStringLiteral("USE_READ_REPLICA"), QStringLiteral("false")}});
    QVERIFY2(run.exitCode == 0, qPrintable(context(run)));
    QVERIFY2(run.out.contains(QStringLiteral("dashboard read: dashboard_metrics -> primary (routed: read operation: "
                                             "tolerates replication delay; USE_READ_REPLICA is off); "
                                             "pg_is_in_recovery() = false\n")),
             qPrintable(context(run)));
}

void TestEmbedExample::replicaStoppedFallsBack()
{
    SandboxFixture::instance().stop(pulse::SandboxNode::Replica);
    const Run run = runExample();
    QVERIFY2(run.exitCode == 0, qPrintable(context(run)));
    QVERIFY2(run.out.startsWith(QStringLiteral("topology: ")) && !run.out.startsWith(QStringLiteral("topology: healthy")),
             qPrintable(context(run)));
    // The reason quotes libpq's message, which may span lines.
    const QRegularExpression fellBack(
        QStringLiteral("\ndashboard read: dashboard_metrics -> primary \\(fell back: replica unavailable .*?\\); "
                       "pg_is_in_recovery\\(\\) = false\n"),
        QRegularExpression::DotMatchesEverythingOption);
    QVERIFY2(run.out.contains(fellBack), qPrintable(context(run)));
    QVERIFY2(run.out.contains(QRegularExpression(QStringLiteral("\ntoken [0-9A-F]+/[0-9A-F]+: row [0-9]+ visible\n"))),
             qPrintable(context(run)));

    const Run refused = runExample({{QStringLiteral("REPLICA_FALLBACK_ENABLED"), QStringLiteral("false")}});
    QVERIFY2(refused.exitCode == 6, qPrintable(context(refused)));
    QVERIFY2(refused.err.contains(QStringLiteral("REPLICA_FALLBACK_ENABLED is off")), qPrintable(context(refused)));
    QVERIFY(!refused.err.contains(password()));
}

void TestEmbedExample::invalidConfiguration()
{
    const Run run = runExample({{QStringLiteral("DB_POOL_SIZE"), QStringLiteral("abc")}});
    QVERIFY2(run.exitCode == 3, qPrintable(context(run)));
    QVERIFY2(run.err.contains(QStringLiteral("environment: DB_POOL_SIZE=abc: expected an integer from 1 to 1000")),
             qPrintable(context(run)));
    QVERIFY(run.out.isEmpty());
}

QTEST_GUILESS_MAIN(TestEmbedExample)
#include "tst_embed_example.moc"

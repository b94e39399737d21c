// pulsectl as a user runs it, against the sandbox (configured through the
// environment, the way a shell would): status with roles and lag, the
// refreshing --watch view, alerts, the Prometheus text, and the argument
// errors of the new options.

#include "PulsectlProcess.hpp"
#include "SandboxFixture.hpp"

#include "pg/PgConnection.hpp"

#include <QtTest>

#include <nlohmann/json.hpp>

using namespace Qt::StringLiterals;

namespace {

PulsectlRun pulsectl(const QStringList& arguments, int timeoutMs = 60'000)
{
    return runPulsectl(QStringLiteral(PULSECTL_PATH), arguments, timeoutMs);
}

std::string password()
{
    for (const auto& [key, value] : SandboxFixture::settingsValues())
        if (key == "POSTGRES_PASSWORD")
            return value;
    return {};
}

}  // namespace

class TestPulsectl : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { SandboxFixture::instance(); }
    void cleanupTestCase() { SandboxFixture::teardown(); }
    void statusJsonShowsRolesAndReplication();
    void watchRefreshesWithVerdictFirst();
    void alertsAndMetrics();
    void badArguments_data();
    void badArguments();
    void routeSeesTheReplicasLag();
};

void TestPulsectl::statusJsonShowsRolesAndReplication()
{
    const auto run = pulsectl({QStringLiteral("status"), QStringLiteral("--json")});
    QCOMPARE(run.exitCode, 0);
    const auto j = nlohmann::json::parse(run.out.toStdString());
    QCOMPARE(j["nodes"][0]["role"].get<std::string>(), std::string("primary"));
    QCOMPARE(j["nodes"][1]["role"].get<std::string>(), std::string("replica"));
    QCOMPARE(j["nodes"][1]["replication"]["state"].get<std::string>(), std::string("caught up"));
    QCOMPARE(j["nodes"][1]["breaker"]["state"].get<std::string>(), std::string("closed"));
    QVERIFY(j["alerts"].is_array());
    QVERIFY(!run.out.contains(QByteArray::fromStdString(password())));
}

void TestPulsectl::watchRefreshesWithVerdictFirst()
{
    const auto text = pulsectl({QStringLiteral("status"), QStringLiteral("--watch"), QStringLiteral("--count"),
                                QStringLiteral("3")});
    QCOMPARE(text.exitCode, 0);
    QVERIFY2(text.out.startsWith("HEALTHY: "), text.out.left(200).constData());
    QCOMPARE(text.out.count("\nupdated "), 3);
    QVERIFY(text.out.contains("LAG (time / bytes)"));
    QVERIFY(text.out.contains("alerts: none active"));

    const auto lines = pulsectl({QStringLiteral("status"), QStringLiteral("--watch"), QStringLiteral("--count"),
                                 QStringLiteral("2"), QStringLiteral("--json")});
    QCOMPARE(lines.exitCode, 0);
    const auto objects = lines.out.trimmed().split('\n');
    QCOMPARE(objects.size(), 2);
    for (const auto& line : objects)
        QCOMPARE(nlohmann::json::parse(line.toStdString())["health"].get<std::string>(), std::string("healthy"));
}

void TestPulsectl::alertsAndMetrics()
{
    const auto alerts = pulsectl({QStringLiteral("alerts")});
    QCOMPARE(alerts.exitCode, 0);
    QVERIFY(alerts.out.contains("no active alerts"));

    const auto metrics = pulsectl({QStringLiteral("metrics")});
    QCOMPARE(metrics.exitCode, 0);
    QVERIFY(metrics.out.contains("# TYPE pg_replication_lag_bytes gauge"));
    QVERIFY(metrics.out.contains("pg_replication_lag_seconds{node=\"replica\"} 0"));
    QVERIFY(metrics.out.contains("pulse_pool_connections_max{pool=\"primary\"} 50"));
    QVERIFY(!metrics.out.contains(QByteArray::fromStdString(password())));
}

void TestPulsectl::badArguments_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QByteArray>("message");
    QTest::addRow("metrics port without watch") << QStringList{u"status"_s, u"--metrics-port"_s, u"9187"_s}
                                                << QByteArray("needs --watch");
    QTest::addRow("count zero") << QStringList{u"status"_s, u"--watch"_s, u"--count"_s, u"0"_s} << QByteArray("--count");
    QTest::addRow("port out of range") << QStringList{u"metrics"_s, u"--metrics-port"_s, u"70000"_s}
                                       << QByteArray("--metrics-port");
}

void TestPulsectl::badArguments()
{
    QFETCH(QStringList, arguments);
    QFETCH(QByteArray, message);
    const auto run = pulsectl(arguments);
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(message), run.err.constData());
}

// route runs a monitor cycle before it routes: a replica known to be behind
// is routed around, as it is in a service whose monitor runs.
void TestPulsectl::routeSeesTheReplicasLag()
{
    const auto routeJson = [](const EnvOverrides& env) {
        return runPulsectl(QStringLiteral(PULSECTL_PATH),
            {QStringLiteral("route"), QStringLiteral("dashboard_metrics"), QStringLiteral("--json")}, 60'000, env);
    };
    auto run = routeJson({});
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(nlohmann::json::parse(run.out.toStdString())["verified"]["pg_is_in_recovery"].get<bool>(), true);

    auto& sandbox = SandboxFixture::instance();
    sandbox.pauseReplay();
    try {
        auto primary = pulse::PgConnection::open(
            SandboxFixture::nodeParams(sandbox, pulse::SandboxNode::Primary, "tst_pulsectl"));
        primary->exec("CREATE TABLE IF NOT EXISTS route_lag_probe (n int)");
        primary->exec("INSERT INTO route_lag_probe SELECT generate_series(1, 1000)");
    } catch (const std::exception& e) {
        sandbox.resumeReplay();
        QFAIL(e.what());
    }
    // 1 byte of lag allowed: the replica, replay paused behind that insert, is too far behind.
    run = routeJson({{u"REPLICA_MAX_LAG_BYTES"_s, u"1"_s}});
    sandbox.resumeReplay();
    try {
        pulse::PgConnection::open(SandboxFixture::nodeParams(sandbox, pulse::SandboxNode::Primary, "tst_pulsectl"))
            ->exec("DROP TABLE route_lag_probe");
    } catch (const std::exception& e) {
        QFAIL(e.what());
    }
    QCOMPARE(run.exitCode, 0);
    const auto j = nlohmann::json::parse(run.out.toStdString());
    QVERIFY2(!j["verified"]["pg_is_in_recovery"].get<bool>(), run.out.constData());
    QVERIFY2(j["reason"].get<std::string>().find("lag") != std::string::npos, run.out.constData());
}

QTEST_GUILESS_MAIN(TestPulsectl)
#include "tst_pulsectl.moc"

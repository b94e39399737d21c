// pulsectl's load commands as a user runs them, against the sandbox: etl run,
// status and cancel (also from another process, Ctrl+C, and a killed
// process resumed), dashboard, loadtest with its JSON report, and every bad
// parameter refused before anything is written.

#include "PulsectlProcess.hpp"
#include "SandboxFixture.hpp"
#include "WaitFor.hpp"

#include "config/SettingsLoader.hpp"
#include "engine/Engine.hpp"
#include "etl/EtlJobStore.hpp"

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <numeric>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

PulsectlRun pulsectl(const QStringList& arguments, int timeoutMs = 120'000)
{
    return runPulsectl(QStringLiteral(PULSECTL_PATH), arguments, timeoutMs);
}

std::unique_ptr<QProcess> startLoad(const QStringList& arguments)
{
    return startPulsectl(QStringLiteral(PULSECTL_PATH), arguments);
}

std::int64_t sum(const std::map<std::string, std::int64_t>& counts)
{
    return std::accumulate(counts.begin(), counts.end(), std::int64_t{0},
                           [](std::int64_t total, const auto& kv) { return total + kv.second; });
}

}  // namespace

class TestPulsectlLoads : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void etlRunStatusAndCounts();
    void killedProcessResumesExactly();
    void cancelFromAnotherProcess();
    void interruptCancelsAfterTheChunk();
    void dashboardReadsFromTheReplica();
    void loadtestWritesItsReport();
    void badParameters_data();
    void badParameters();

private:
    std::int64_t jobCount();
    pulse::EtlJobRecord job(std::int64_t id);
    std::map<std::string, std::int64_t> rowsOf(std::int64_t id);
    // The id of the newest job once it has at least `rows` rows loaded; 0
    // when no new job got that far within 20 s.
    std::int64_t waitForRunningJob(std::int64_t previousCount, std::int64_t rows);

    std::unique_ptr<pulse::Engine> m_engine;  // for looking at the database directly
};

void TestPulsectlLoads::initTestCase()
{
    try {
        SandboxFixture::instance();
        pulse::LoadOptions options;
        options.useDefaultEnvFile = false;
        options.sandbox =
            pulse::SettingsLayer{{pulse::SourceKind::Sandbox, "sandbox (test)"}, SandboxFixture::settingsValues()};
        m_engine = std::make_unique<pulse::Engine>(pulse::SettingsLoader::load(options));
    } catch (const std::exception& e) {
        QFAIL(e.what());
    }
}

void TestPulsectlLoads::cleanupTestCase()
{
    m_engine.reset();
    SandboxFixture::teardown();
}

std::int64_t TestPulsectlLoads::jobCount()
{
    auto lease = m_engine->primaryPool()->acquire();
    return static_cast<std::int64_t>(pulse::EtlJobStore::list(lease.connection(), 100000).size());
}

pulse::EtlJobRecord TestPulsectlLoads::job(std::int64_t id)
{
    auto lease = m_engine->primaryPool()->acquire();
    return pulse::EtlJobStore::find(lease.connection(), id);
}

std::map<std::string, std::int64_t> TestPulsectlLoads::rowsOf(std::int64_t id)
{
    auto lease = m_engine->primaryPool()->acquire();
    return pulse::EtlJobStore::countRows(lease.connection(), id);
}

std::int64_t TestPulsectlLoads::waitForRunningJob(std::int64_t previousCount, std::int64_t rows)
{
    std::int64_t id = 0;
    const bool reached = waitFor(
        [&] {
            auto lease = m_engine->primaryPool()->acquire();
            const auto jobs = pulse::EtlJobStore::list(lease.connection(), 100000);
            if (static_cast<std::int64_t>(jobs.size()) <= previousCount)
                return false;
            id = jobs.front().id;  // newest first
            return jobs.front().rowsLoaded >= rows;
        },
        20s);
    return reached ? id : 0;
}

void TestPulsectlLoads::etlRunStatusAndCounts()
{
    const auto run = pulsectl({u"etl"_s, u"run"_s, u"--rows"_s, u"3000"_s, u"--chunk"_s, u"250"_s, u"--json"_s});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    const auto result = nlohmann::json::parse(run.out.toStdString());
    QCOMPARE(result["state"].get<std::string>(), std::string("completed"));
    QCOMPARE(result["rows_loaded"].get<std::int64_t>(), 3000);
    const auto id = result["job_id"].get<std::int64_t>();
    QCOMPARE(sum(rowsOf(id)), 3000);

    const auto status = pulsectl({u"etl"_s, u"status"_s, u"--json"_s});
    QCOMPARE(status.exitCode, 0);
    const auto jobs = nlohmann::json::parse(status.out.toStdString())["jobs"];
    QCOMPARE(jobs[0]["id"].get<std::int64_t>(), id);
    QCOMPARE(jobs[0]["status"].get<std::string>(), std::string("completed"));

    const auto detail = pulsectl({u"etl"_s, u"status"_s, QString::number(id)});
    QCOMPARE(detail.exitCode, 0);
    QVERIFY2(detail.out.contains("completed") && detail.out.contains("pull_requests"), detail.out.constData());
}

void TestPulsectlLoads::killedProcessResumesExactly()
{
    const auto before = jobCount();
    auto load = startLoad({u"etl"_s, u"run"_s, u"--rows"_s, u"4000"_s, u"--chunk"_s, u"100"_s, u"--rate"_s, u"2000"_s});
    const auto id = waitForRunningJob(before, 300);
    QVERIFY(id > 0);
    load->kill();  // SIGKILL: no chance to clean up, whatever chunk was in flight
    QVERIFY(load->waitForFinished(10'000));

    const auto loadedAtKill = job(id).rowsLoaded;
    QVERIFY(loadedAtKill < 4000);
    QCOMPARE(sum(rowsOf(id)), loadedAtKill);  // the checkpoint and the tables agree

    const auto resumed = pulsectl({u"etl"_s, u"run"_s, u"--resume"_s, QString::number(id), u"--json"_s});
    QVERIFY2(resumed.exitCode == 0, resumed.err.constData());
    QCOMPARE(nlohmann::json::parse(resumed.out.toStdString())["state"].get<std::string>(), std::string("completed"));
    const auto counts = rowsOf(id);
    QCOMPARE(sum(counts), 4000);
    for (const auto& checkpoint : job(id).checkpoints)
        QCOMPARE(counts.at(checkpoint.table), checkpoint.rowsPlanned);
}

void TestPulsectlLoads::cancelFromAnotherProcess()
{
    const auto before = jobCount();
    auto load = startLoad({u"etl"_s, u"run"_s, u"--rows"_s, u"20000"_s, u"--chunk"_s, u"100"_s, u"--rate"_s, u"1000"_s});
    const auto id = waitForRunningJob(before, 200);
    QVERIFY(id > 0);
    const auto cancel = pulsectl({u"etl"_s, u"cancel"_s, QString::number(id)});
    QVERIFY2(cancel.exitCode == 0, cancel.err.constData());
    QVERIFY(load->waitForFinished(15'000));
    QCOMPARE(load->exitCode(), 9);  // ran, and stopped short: not passed
    const auto err = load->readAllStandardError();
    QVERIFY2(err.contains("cancelled") && err.contains("--resume"), err.constData());

    const auto cancelled = job(id);
    QCOMPARE(cancelled.status, std::string("cancelled"));
    QVERIFY(cancelled.rowsLoaded < 20000);
    QCOMPARE(sum(rowsOf(id)), cancelled.rowsLoaded);

    const auto resumed = pulsectl({u"etl"_s, u"run"_s, u"--resume"_s, QString::number(id), u"--json"_s});
    QVERIFY2(resumed.exitCode == 0, resumed.err.constData());
    QCOMPARE(sum(rowsOf(id)), 20000);
}

void TestPulsectlLoads::interruptCancelsAfterTheChunk()
{
    const auto before = jobCount();
    auto load = startLoad({u"etl"_s, u"run"_s, u"--rows"_s, u"20000"_s, u"--chunk"_s, u"100"_s, u"--rate"_s, u"1000"_s});
    const auto id = waitForRunningJob(before, 200);
    QVERIFY(id > 0);
    load->terminate();  // SIGTERM, handled like Ctrl+C
    QVERIFY(load->waitForFinished(15'000));
    QCOMPARE(load->exitStatus(), QProcess::NormalExit);
    QCOMPARE(load->exitCode(), 9);  // ran, and stopped short: not passed
    QVERIFY(load->readAllStandardError().contains("cancelled"));
    const auto cancelled = job(id);
    QCOMPARE(cancelled.status, std::string("cancelled"));
    QCOMPARE(sum(rowsOf(id)), cancelled.rowsLoaded);
}

void TestPulsectlLoads::dashboardReadsFromTheReplica()
{
    const auto run = pulsectl({u"dashboard"_s, u"--readers"_s, u"2"_s, u"--duration"_s, u"2"_s, u"--think"_s, u"50"_s,
                               u"--json"_s});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    const auto stats = nlohmann::json::parse(run.out.toStdString());
    QVERIFY(stats["page_loads"].get<std::int64_t>() > 0);
    QCOMPARE(stats["failed_page_loads"].get<std::int64_t>(), 0);
    QVERIFY(!stats["queries"].empty());
    for (const auto& query : stats["queries"]) {
        QCOMPARE(query["by_node"].size(), std::size_t(1));
        QVERIFY2(query["by_node"].contains("replica"), query.dump().c_str());
    }
}

void TestPulsectlLoads::loadtestWritesItsReport()
{
    QTemporaryDir dir;
    const auto file = dir.filePath(u"report.json"_s);
    // Throttled to about half a second per phase: several monitor cycles.
    const auto run = pulsectl({u"loadtest"_s, u"--rows"_s, u"6000"_s, u"--chunk"_s, u"500"_s, u"--rate"_s, u"12000"_s,
                               u"--readers"_s, u"2"_s, u"--think"_s, u"50"_s, u"--json"_s, file},
                              300'000);
    QVERIFY2(run.exitCode == 0 || run.exitCode == 9, run.err.constData());  // 9: a criterion not met
    QVERIFY2(run.out.contains("Success criteria") && run.out.contains("Dashboard loading time"), run.out.constData());

    QFile json(file);
    QVERIFY(json.open(QIODevice::ReadOnly));
    const auto report = nlohmann::json::parse(json.readAll().toStdString());
    QCOMPARE(report["passed"].get<bool>(), run.exitCode == 0);
    QCOMPARE(report["phases"].size(), std::size_t(2));
    const auto& withReplica = report["phases"][0];
    const auto& single = report["phases"][1];
    QVERIFY(withReplica["use_read_replica"].get<bool>());
    QVERIFY(!single["use_read_replica"].get<bool>());
    QCOMPARE(withReplica["etl"]["rows"].get<std::int64_t>(), 6000);
    QCOMPARE(single["etl"]["rows"].get<std::int64_t>(), 6000);
    QCOMPARE(withReplica["etl"]["state"].get<std::string>(), std::string("completed"));
    // Where the dashboards read: the replica (the lag gate may send some reads
    // to the primary while the load pushes the lag past its limit), then, with
    // the flag off, the primary only.
    QVERIFY(withReplica["dashboard"]["by_node"].contains("replica"));
    QVERIFY(single["dashboard"]["by_node"].contains("primary"));
    QVERIFY(!single["dashboard"]["by_node"].contains("replica"));
    QCOMPARE(withReplica["replication_lag"].size(), std::size_t(1));
    QVERIFY(withReplica["replication_lag"][0]["samples"].get<int>() > 0);
    QVERIFY(!withReplica["pools"].empty());
    QCOMPARE(report["criteria"].size(), std::size_t(5));
    // The first phase's rows were deleted before the comparison reloaded
    // them, and the comparison's after the test (no --keep).
    QCOMPARE(sum(rowsOf(withReplica["etl"]["job_id"].get<std::int64_t>())), 0);
    QCOMPARE(sum(rowsOf(single["etl"]["job_id"].get<std::int64_t>())), 0);
    QVERIFY(report["error"].get<std::string>().empty());
}

void TestPulsectlLoads::badParameters_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QByteArray>("message");
    QTest::addRow("chunk 0") << QStringList{u"etl"_s, u"run"_s, u"--chunk"_s, u"0"_s} << QByteArray("chunk size");
    QTest::addRow("negative rows") << QStringList{u"etl"_s, u"run"_s, u"--rows"_s, u"-5"_s} << QByteArray("rows must");
    QTest::addRow("rate 0") << QStringList{u"etl"_s, u"run"_s, u"--rate"_s, u"0"_s} << QByteArray("rate must be at least 1");
    QTest::addRow("connections 9") << QStringList{u"etl"_s, u"run"_s, u"--connections"_s, u"9"_s}
                                   << QByteArray("connections must be from 1 to 8");
    QTest::addRow("resume unknown job") << QStringList{u"etl"_s, u"run"_s, u"--resume"_s, u"999999"_s}
                                        << QByteArray("no ETL job 999999");
    QTest::addRow("dashboard readers 0") << QStringList{u"dashboard"_s, u"--readers"_s, u"0"_s}
                                         << QByteArray("readers must be from 1 to 256 (--readers or DASHBOARD_READERS");
    QTest::addRow("dashboard think -1") << QStringList{u"dashboard"_s, u"--think"_s, u"-1"_s}
                                        << QByteArray("think time must be");
    QTest::addRow("resume with rows") << QStringList{u"etl"_s, u"run"_s, u"--resume"_s, u"1"_s, u"--rows"_s, u"5"_s}
                                      << QByteArray("--resume continues");
    QTest::addRow("unknown job") << QStringList{u"etl"_s, u"status"_s, u"999999"_s} << QByteArray("999999");
    QTest::addRow("cancel unknown job") << QStringList{u"etl"_s, u"cancel"_s, u"999999"_s} << QByteArray("999999");
    QTest::addRow("no readers") << QStringList{u"loadtest"_s, u"--readers"_s, u"0"_s} << QByteArray("readers");
    QTest::addRow("loadtest chunk 0") << QStringList{u"loadtest"_s, u"--chunk"_s, u"0"_s} << QByteArray("chunk size");
    QTest::addRow("report dir missing") << QStringList{u"loadtest"_s, u"--json"_s, u"/nonexistent/dir/r.json"_s}
                                        << QByteArray("does not exist");
    QTest::addRow("dashboard duration 0") << QStringList{u"dashboard"_s, u"--duration"_s, u"0"_s}
                                          << QByteArray("--duration");
}

void TestPulsectlLoads::badParameters()
{
    QFETCH(QStringList, arguments);
    QFETCH(QByteArray, message);
    const auto before = jobCount();
    const auto run = pulsectl(arguments);
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(message), run.err.constData());
    QCOMPARE(jobCount(), before);  // nothing written
}

QTEST_GUILESS_MAIN(TestPulsectlLoads)
#include "tst_pulsectl_loads.moc"

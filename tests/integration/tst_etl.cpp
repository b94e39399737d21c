// The chunked ETL loader against a real primary + replica: exact row counts
// per table after loads interrupted every way the plan names (backend killed
// mid-chunk, primary restarted, retry window 0 then resume, cancel, a cancel
// request from another connection), throttle and lag brake, and parameters
// refused before anything is written. Loads run with the default two
// connections unless a case says otherwise; the cases that matter most for
// parallel loading (every backend killed, cancel then resume, the throttle,
// a primary restart, a duplicate key in one table) assert that both
// connections were loading.

#include "SandboxFixture.hpp"
#include "WaitFor.hpp"

#include "common/Errors.hpp"
#include "config/SettingsLoader.hpp"
#include "engine/Engine.hpp"
#include "etl/DemoSchema.hpp"
#include "etl/EtlJobStore.hpp"
#include "etl/EtlPlan.hpp"
#include "etl/EtlRunner.hpp"
#include "topology/Sandbox.hpp"

#include <QtTest>

#include <algorithm>
#include <atomic>
#include <mutex>

using namespace std::chrono_literals;
using pulse::EtlState;

namespace {

std::unique_ptr<pulse::Engine> makeEngine()
{
    pulse::LoadOptions options;
    options.useDefaultEnvFile = false;
    options.sandbox =
        pulse::SettingsLayer{{pulse::SourceKind::Sandbox, "sandbox (test)"}, SandboxFixture::settingsValues()};
    options.commandLine = {{"DB_POOL_SIZE", "4"}, {"DB_MAX_OVERFLOW", "4"}, {"DB_POOL_TIMEOUT", "5"},
                           {"DB_CONNECT_TIMEOUT", "2"}};
    return std::make_unique<pulse::Engine>(pulse::SettingsLoader::load(options));
}

pulse::EtlJobSpec spec(std::int64_t rows, int chunk, std::optional<int> rate = std::nullopt, int connections = 2)
{
    pulse::EtlJobSpec s;
    s.totalRows = rows;
    s.chunkSize = chunk;
    s.rowsPerSecond = rate;
    s.seed = 1234;
    s.connections = connections;
    return s;
}

// Both connections hold a table and a backend.
bool bothLoading(const pulse::EtlProgress& p)
{
    return p.backendPids.size() == 2 && p.currentTable.find(", ") != std::string::npos;
}

pulse::EtlOptions options(std::chrono::milliseconds retryWindow = 20s)
{
    pulse::EtlOptions o;
    o.retryWindow = retryWindow;
    return o;
}

QString describe(const pulse::EtlProgress& p)
{
    return QStringLiteral("state %1, job %2, %3/%4 rows, %5 chunks, retries %6, detail: %7, error: %8")
        .arg(QString::fromLatin1(pulse::etlStateName(p.state)))
        .arg(p.jobId)
        .arg(p.rowsLoaded)
        .arg(p.totalRows)
        .arg(p.chunksLoaded)
        .arg(p.retries)
        .arg(QString::fromStdString(p.detail), QString::fromStdString(p.error)) +
           QStringLiteral(", tables: %1, backends: %2")
               .arg(QString::fromStdString(p.currentTable))
               .arg(p.backendPids.size());
}

bool killBackend(pulse::Engine& engine, int pid)
{
    auto admin = engine.router().adminSession();
    return admin.exec("SELECT pg_terminate_backend($1)", {std::to_string(pid)}).boolean(0, 0);
}

}  // namespace

class TestEtl : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void badParametersWriteNothing_data();
    void badParametersWriteNothing();
    void unknownResumeJobFails();
    void schemaMigrateTwiceIsNoOp();
    void loadsExactCounts_data();
    void loadsExactCounts();
    void everyLoadIsChartedByTheMonitor();
    void subsetOfTables();
    void backendKilledMidChunkResumesAutomatically();
    void everyBackendKilledResumesExactly();
    void primaryRestartResumes();
    void retryWindowZeroFailsThenResumeFinishes();
    void cancelLeavesConsistentCheckpoint();
    void cancelWithTwoConnectionsThenResumeWithThree();
    void requestCancelFromAnotherConnection();
    void pauseHoldsBetweenChunks();
    void throttleHoldsRate_data();
    void throttleHoldsRate();
    void throttlePacesInsideLargeChunks();
    void lagBrakeHoldsAndReleases();
    void duplicateKeyFailsTheLoad();

private:
    // Exact: every planned row present once, checkpoints and job row agree.
    void verifyComplete(std::int64_t jobId);
    // Whatever was loaded: checkpoints == rows present, per table.
    void verifyConsistent(std::int64_t jobId);
    std::int64_t dataRowsTotal();

    std::unique_ptr<pulse::Engine> m_engine;
};

void TestEtl::initTestCase()
{
    try {
        SandboxFixture::instance();
    } catch (const std::exception& e) {
        QFAIL(e.what());
    }
}

void TestEtl::cleanupTestCase()
{
    m_engine.reset();
    SandboxFixture::teardown();
}

void TestEtl::init()
{
    try {
        SandboxFixture::ensureBothRunning();
    } catch (const std::exception& e) {
        QFAIL(e.what());
    }
    m_engine = makeEngine();
}

std::int64_t TestEtl::dataRowsTotal()
{
    auto admin = m_engine->router().adminSession();
    if (admin.exec("SELECT to_regclass('public.etl_jobs') IS NULL").boolean(0, 0))
        return 0;
    std::string sql = "SELECT 0";
    for (const auto& t : pulse::DemoSchema::dataTables())
        sql += " + (SELECT count(*) FROM " + t + ")";
    return admin.exec(sql).integer(0, 0);
}

void TestEtl::verifyComplete(std::int64_t jobId)
{
    auto admin = m_engine->router().adminSession();
    const auto job = pulse::EtlJobStore::find(admin.connection(), jobId);
    QCOMPARE(job.status, std::string("completed"));
    QCOMPARE(job.rowsLoaded, job.totalRows);
    QVERIFY(!job.finishedAt.empty());
    const auto counts = pulse::EtlJobStore::countRows(admin.connection(), jobId);
    std::int64_t total = 0;
    for (const auto& checkpoint : job.checkpoints) {
        QCOMPARE(counts.at(checkpoint.table), checkpoint.rowsPlanned);
        QCOMPARE(checkpoint.rowsDone, checkpoint.rowsPlanned);
        QCOMPARE(static_cast<std::int64_t>(checkpoint.chunksDone),
                 (checkpoint.rowsPlanned + job.chunkSize - 1) / job.chunkSize);
        total += counts.at(checkpoint.table);
    }
    QCOMPARE(total, job.totalRows);
    // Ids are the primary key, so a duplicate could not even be stored; make
    // sure the ids are exactly 0..n-1 of the job's range (none skipped).
    for (const auto& checkpoint : job.checkpoints) {
        auto range = admin.exec("SELECT coalesce(max(id), -1) - $1 FROM " + checkpoint.table +
                                    " WHERE id BETWEEN $1 AND $2",
                                {std::to_string(pulse::DemoSchema::firstId(jobId)),
                                 std::to_string(pulse::DemoSchema::lastId(jobId))});
        QCOMPARE(range.integer(0, 0), checkpoint.rowsPlanned - 1);
    }
}

void TestEtl::verifyConsistent(std::int64_t jobId)
{
    auto admin = m_engine->router().adminSession();
    const auto job = pulse::EtlJobStore::find(admin.connection(), jobId);
    const auto counts = pulse::EtlJobStore::countRows(admin.connection(), jobId);
    std::int64_t total = 0;
    for (const auto& checkpoint : job.checkpoints) {
        QCOMPARE(counts.at(checkpoint.table), checkpoint.rowsDone);
        // Whole chunks, in order: the checkpoint is a chunk boundary.
        QCOMPARE(checkpoint.rowsDone,
                 std::min<std::int64_t>(std::int64_t(checkpoint.chunksDone) * job.chunkSize, checkpoint.rowsPlanned));
        total += checkpoint.rowsDone;
    }
    QCOMPARE(job.rowsLoaded, total);
}

void TestEtl::badParametersWriteNothing_data()
{
    QTest::addColumn<qint64>("rows");
    QTest::addColumn<int>("chunk");
    QTest::addColumn<int>("rate");  // -1: none
    QTest::addColumn<QString>("table");
    QTest::addColumn<int>("connections");
    QTest::addColumn<QString>("message");
    QTest::addRow("chunk 0") << qint64(1000) << 0 << -1 << QString() << 2 << "chunk size";
    QTest::addRow("negative rows") << qint64(-1) << 100 << -1 << QString() << 2 << "rows must be 0 or more";
    QTest::addRow("unknown table") << qint64(1000) << 100 << -1 << "pulls" << 2 << "unknown table 'pulls'";
    QTest::addRow("rate 0") << qint64(1000) << 100 << 0 << QString() << 2 << "rate must be at least 1";
    QTest::addRow("connections 0") << qint64(1000) << 100 << -1 << QString() << 0
                                   << "connections must be from 1 to 8 (got 0)";
    QTest::addRow("connections 9") << qint64(1000) << 100 << -1 << QString() << 9
                                   << "connections must be from 1 to 8 (got 9)";
}

void TestEtl::badParametersWriteNothing()
{
    QFETCH(qint64, rows);
    QFETCH(int, chunk);
    QFETCH(int, rate);
    QFETCH(QString, table);
    QFETCH(int, connections);
    QFETCH(QString, message);
    auto jobsBefore = [this] {
        auto admin = m_engine->router().adminSession();
        if (admin.exec("SELECT to_regclass('public.etl_jobs') IS NULL").boolean(0, 0))
            return std::int64_t(-1);  // not even the schema
        return static_cast<std::int64_t>(admin.exec("SELECT count(*) FROM etl_jobs").integer(0, 0));
    };
    const auto jobs = jobsBefore();
    const auto data = dataRowsTotal();
    pulse::EtlRunner runner(m_engine->router(), options());
    auto s = spec(rows, chunk, rate >= 0 ? std::optional<int>(rate) : std::nullopt, connections);
    if (!table.isEmpty())
        s.tables = {"commits", table.toStdString()};
    try {
        runner.start(s);
        QFAIL("start() accepted a bad spec");
    } catch (const pulse::InvalidParameterError& e) {
        QVERIFY2(QString::fromUtf8(e.what()).contains(message), e.what());
    }
    QVERIFY(!runner.running());
    QCOMPARE(runner.progress().state, EtlState::Idle);
    QCOMPARE(jobsBefore(), jobs);
    QCOMPARE(dataRowsTotal(), data);
    // resume() checks its own arguments the same way.
    QVERIFY_THROWS_EXCEPTION(pulse::InvalidParameterError, runner.resume(1, 0));
    QVERIFY_THROWS_EXCEPTION(pulse::InvalidParameterError, runner.resume(0));
    QVERIFY_THROWS_EXCEPTION(pulse::InvalidParameterError, runner.resume(1, std::nullopt, 0));
    QVERIFY_THROWS_EXCEPTION(pulse::InvalidParameterError, runner.resume(1, std::nullopt, 9));
    QCOMPARE(jobsBefore(), jobs);
}

void TestEtl::unknownResumeJobFails()
{
    const auto data = dataRowsTotal();
    pulse::EtlRunner runner(m_engine->router(), options());
    runner.resume(987654);
    const auto p = runner.wait(10s);
    QCOMPARE(p.state, EtlState::Failed);
    QVERIFY2(QString::fromStdString(p.error).contains(QStringLiteral("no ETL job 987654")), qPrintable(describe(p)));
    QCOMPARE(dataRowsTotal(), data);
    auto admin = m_engine->router().adminSession();
    if (!admin.exec("SELECT to_regclass('public.etl_jobs') IS NULL").boolean(0, 0))
        QCOMPARE(admin.exec("SELECT count(*) FROM etl_jobs WHERE id = 987654").integer(0, 0), 0LL);
    QVERIFY_THROWS_EXCEPTION(pulse::InvalidParameterError, pulse::EtlJobStore::find(admin.connection(), 987654));
}

void TestEtl::schemaMigrateTwiceIsNoOp()
{
    auto admin = m_engine->router().adminSession();
    pulse::DemoSchema::migrate(admin.connection());
    QCOMPARE(pulse::DemoSchema::currentVersion(admin.connection()), pulse::DemoSchema::latestVersion());
    QCOMPARE(pulse::DemoSchema::migrate(admin.connection()), 0);
    QCOMPARE(pulse::DemoSchema::migrate(admin.connection()), 0);
    QCOMPARE(admin.exec("SELECT count(*) FROM pulse_schema_migrations").integer(0, 0),
             static_cast<long long>(pulse::DemoSchema::migrations().size()));
}

void TestEtl::loadsExactCounts_data()
{
    QTest::addColumn<int>("connections");
    QTest::addRow("1 connection") << 1;
    QTest::addRow("2 connections") << 2;
    QTest::addRow("8 connections (more than tables)") << 8;
}

void TestEtl::everyLoadIsChartedByTheMonitor()
{
    // A load started by anyone on the engine (here: neither the console's
    // panel nor the load test) shows in etl_rows_per_second, ending with a 0.
    m_engine->startMonitor();
    pulse::EtlRunner runner(m_engine->router(), options());
    runner.start(spec(30'000, 500, 10'000)); // about 3 s: a few one-second samples
    const auto p = runner.wait(30s);
    QVERIFY2(p.state == EtlState::Completed, qPrintable(describe(p)));
    const auto points = [this] { return m_engine->series().since("etl_rows_per_second"); };
    QTRY_VERIFY_WITH_TIMEOUT(!points().empty() && points().back().value == 0.0, 5000);
    const auto seen = points();
    const auto fastest = std::max_element(seen.begin(), seen.end(),
        [](const auto& a, const auto& b) { return a.value < b.value; });
    // Throttled to 10k rows/s: the rate is real and of that order.
    QVERIFY2(fastest->value > 2000 && fastest->value < 20'000, qPrintable(QString::number(fastest->value)));
    m_engine->stopMonitor();
}

void TestEtl::loadsExactCounts()
{
    QFETCH(int, connections);
    std::vector<pulse::EtlProgress> seen;
    std::mutex seenMutex;
    auto o = options();
    o.listener = [&](const pulse::EtlProgress& p) {
        std::lock_guard lock(seenMutex);
        seen.push_back(p);
    };
    pulse::EtlRunner runner(m_engine->router(), o);
    runner.start(spec(10'000, 300, std::nullopt, connections));
    const auto p = runner.wait(30s);
    QVERIFY2(p.state == EtlState::Completed, qPrintable(describe(p)));
    QCOMPARE(p.rowsLoaded, 10'000);
    QCOMPARE(p.rowsThisRun, 10'000);
    QCOMPARE(p.chunksLoaded, pulse::EtlPlan(spec(10'000, 300)).totalChunks());
    QCOMPARE(p.connections, connections);
    QVERIFY(p.backendPids.empty() && p.currentTable.empty());
    verifyComplete(p.jobId);
    // The engine-wide counters the monitor charts (a fresh engine per test).
    QCOMPARE(m_engine->queryMetrics().etlRows(), std::int64_t(10'000));
    QTRY_COMPARE(m_engine->queryMetrics().etlLoadsRunning(), 0);
    {
        std::lock_guard lock(seenMutex);
        QVERIFY(seen.size() > static_cast<size_t>(p.chunksLoaded));  // every chunk and state change
        QCOMPARE(seen.front().state, EtlState::Starting);
        QCOMPARE(seen.back().state, EtlState::Completed);
        size_t mostBackends = 0;
        for (size_t i = 1; i < seen.size(); ++i) {
            QVERIFY(seen[i].rowsLoaded >= seen[i - 1].rowsLoaded);
            QVERIFY(seen[i].backendPids.size() <= static_cast<size_t>(connections));
            mostBackends = std::max(mostBackends, seen[i].backendPids.size());
        }
        QVERIFY2(mostBackends >= std::min<size_t>(2, static_cast<size_t>(connections)), "the connections load in parallel");
        // Exactly one completion.
        QCOMPARE(std::count_if(seen.begin(), seen.end(),
                               [](const pulse::EtlProgress& s) { return s.state == EtlState::Completed; }),
                 std::ptrdiff_t(1));
    }
    // What the dashboards join on holds: references point at rows of the job.
    auto admin = m_engine->router().adminSession();
    const std::string lo = std::to_string(pulse::DemoSchema::firstId(p.jobId));
    const std::string hi = std::to_string(pulse::DemoSchema::lastId(p.jobId));
    QCOMPARE(admin.exec("SELECT count(*) FROM reviews r LEFT JOIN pull_requests p ON p.id = r.pull_request_id"
                        " WHERE r.id BETWEEN $1 AND $2 AND p.id IS NULL", {lo, hi}).integer(0, 0), 0LL);
    QCOMPARE(admin.exec("SELECT count(*) FROM incidents i LEFT JOIN deployments d ON d.id = i.deployment_id"
                        " WHERE i.id BETWEEN $1 AND $2 AND i.deployment_id IS NOT NULL AND"
                        " (d.id IS NULL OR d.status <> 'failure' OR i.opened_at < d.deployed_at)", {lo, hi}).integer(0, 0), 0LL);
    QCOMPARE(admin.exec("SELECT count(*) FROM pull_requests WHERE id BETWEEN $1 AND $2 AND merged_at < created_at",
                        {lo, hi}).integer(0, 0), 0LL);
    // The job is listed, newest first; deleteJob removes it and its rows.
    const auto jobs = pulse::EtlJobStore::list(admin.connection(), 5);
    QVERIFY(!jobs.empty());
    QCOMPARE(jobs.front().id, p.jobId);
    pulse::EtlJobStore::deleteJob(admin.connection(), p.jobId);
    for (const auto& [table, count] : pulse::EtlJobStore::countRows(admin.connection(), p.jobId))
        QCOMPARE(count, 0);
    QVERIFY_THROWS_EXCEPTION(pulse::InvalidParameterError, pulse::EtlJobStore::find(admin.connection(), p.jobId));
}

void TestEtl::subsetOfTables()
{
    pulse::EtlRunner runner(m_engine->router(), options());
    auto s = spec(2'001, 250);
    s.tables = {"issues", "deployments"};
    runner.start(s);
    const auto p = runner.wait(30s);
    QVERIFY2(p.state == EtlState::Completed, qPrintable(describe(p)));
    verifyComplete(p.jobId);
    auto admin = m_engine->router().adminSession();
    const auto counts = pulse::EtlJobStore::countRows(admin.connection(), p.jobId);
    QCOMPARE(counts.at("commits"), 0);
    QCOMPARE(counts.at("issues") + counts.at("deployments"), 2'001);
    // Resume of a completed job reads its subset back and has nothing to do.
    pulse::EtlRunner again(m_engine->router(), options());
    again.resume(p.jobId);
    const auto q = again.wait(10s);
    QVERIFY2(q.state == EtlState::Completed, qPrintable(describe(q)));
    QCOMPARE(q.rowsThisRun, 0);
    QCOMPARE(q.rowsLoaded, 2'001);
}

void TestEtl::backendKilledMidChunkResumesAutomatically()
{
    pulse::EtlRunner runner(m_engine->router(), options());
    // Chunks of a second at the throttle: paced inside, so the COPY is open
    // nearly all the time and the kill lands mid-chunk.
    runner.start(spec(6'000, 2'000, 4'000));
    QVERIFY2(waitFor([&] { return runner.progress().chunksLoaded >= 1 && runner.progress().backendPid != 0; }, 15s),
             qPrintable(describe(runner.progress())));
    const int pid = runner.progress().backendPid;
    QVERIFY(waitFor([&] { return runner.progress().rowsLoaded < 6'000; }, 1s));
    QVERIFY(killBackend(*m_engine, pid));
    const auto p = runner.wait(30s);
    QVERIFY2(p.state == EtlState::Completed, qPrintable(describe(p)));
    QVERIFY2(p.retries >= 1, qPrintable(describe(p)));
    QVERIFY(p.backendPid != pid);
    verifyComplete(p.jobId);
}

void TestEtl::everyBackendKilledResumesExactly()
{
    pulse::EtlRunner runner(m_engine->router(), options());
    // Throttled chunks of a second or so per worker, paced inside: both
    // COPYs are open nearly all the time, so both kills land mid-chunk.
    runner.start(spec(12'000, 1'000, 4'000, 2));
    QVERIFY2(waitFor([&] { return runner.progress().chunksLoaded >= 2 && bothLoading(runner.progress()); }, 15s),
             qPrintable(describe(runner.progress())));
    const auto before = runner.progress();
    QVERIFY(before.rowsLoaded < 12'000);
    for (int pid : before.backendPids)
        QVERIFY(killBackend(*m_engine, pid));
    // Each worker reconnects on its own and reads its table's checkpoint back.
    QVERIFY2(waitFor([&] {
                 const auto p = runner.progress();
                 return p.retries >= 2 || pulse::isFinished(p.state);
             }, 15s),
             qPrintable(describe(runner.progress())));
    const auto p = runner.wait(30s);
    QVERIFY2(p.state == EtlState::Completed, qPrintable(describe(p)));
    QVERIFY2(p.retries >= 2, qPrintable(describe(p)));
    QCOMPARE(p.rowsLoaded, 12'000);
    QCOMPARE(p.chunksLoaded, pulse::EtlPlan(spec(12'000, 1'000)).totalChunks());
    verifyComplete(p.jobId);
}

void TestEtl::primaryRestartResumes()
{
    std::atomic<bool> sawRetrying{false};
    auto o = options(30s);
    o.listener = [&](const pulse::EtlProgress& p) {
        if (p.state == EtlState::Retrying && !p.detail.empty())
            sawRetrying = true;
    };
    pulse::EtlRunner runner(m_engine->router(), o);
    runner.start(spec(8'000, 200, 4'000, 2));
    QVERIFY2(waitFor([&] { return runner.progress().rowsLoaded >= 1'000 && bothLoading(runner.progress()); }, 15s),
             qPrintable(describe(runner.progress())));
    auto& sandbox = SandboxFixture::instance();
    sandbox.stop(pulse::SandboxNode::Primary);
    QVERIFY2(waitFor([&] { return sawRetrying.load(); }, 10s), qPrintable(describe(runner.progress())));
    QVERIFY(runner.running());
    sandbox.start(pulse::SandboxNode::Primary);
    const auto p = runner.wait(40s);
    QVERIFY2(p.state == EtlState::Completed, qPrintable(describe(p)));
    QVERIFY2(p.retries >= 2, qPrintable(describe(p)));  // both workers (and the coordinator) came back
    verifyComplete(p.jobId);
}

void TestEtl::retryWindowZeroFailsThenResumeFinishes()
{
    std::int64_t jobId = 0;
    {
        pulse::EtlRunner runner(m_engine->router(), options(0ms));
        runner.start(spec(6'000, 250, 4'000));
        QVERIFY2(waitFor([&] { return runner.progress().rowsLoaded >= 500 && runner.progress().backendPid != 0; }, 15s),
                 qPrintable(describe(runner.progress())));
        QVERIFY(killBackend(*m_engine, runner.progress().backendPid));
        const auto p = runner.wait(15s);
        QVERIFY2(p.state == EtlState::Failed, qPrintable(describe(p)));
        QVERIFY2(QString::fromStdString(p.error).contains(QStringLiteral("resume job")), qPrintable(describe(p)));
        QVERIFY(p.rowsLoaded < 6'000);
        jobId = p.jobId;
    }
    {
        auto admin = m_engine->router().adminSession();
        const auto job = pulse::EtlJobStore::find(admin.connection(), jobId);
        QCOMPARE(job.status, std::string("failed"));
        QVERIFY(!job.error.empty());
    }
    verifyConsistent(jobId);
    pulse::EtlRunner fresh(m_engine->router(), options());
    fresh.resume(jobId);  // its own spec: 4000 rows/s recorded
    const auto p = fresh.wait(30s);
    QVERIFY2(p.state == EtlState::Completed, qPrintable(describe(p)));
    QCOMPARE(p.rowsPerSecondLimit, std::optional<int>(4'000));
    QVERIFY(p.rowsThisRun > 0 && p.rowsThisRun < 6'000);
    verifyComplete(jobId);
}

void TestEtl::cancelLeavesConsistentCheckpoint()
{
    pulse::EtlRunner runner(m_engine->router(), options());
    runner.start(spec(20'000, 300, 5'000));
    QVERIFY(waitFor([&] { return runner.progress().rowsLoaded >= 1'500; }, 15s));
    const auto t0 = std::chrono::steady_clock::now();
    runner.cancel();
    const auto p = runner.wait(10s);
    QVERIFY2(p.state == EtlState::Cancelled, qPrintable(describe(p)));
    QVERIFY2(std::chrono::steady_clock::now() - t0 < 2s, "cancel interrupts the throttle wait");
    QVERIFY(p.rowsLoaded < 20'000);
    {
        auto admin = m_engine->router().adminSession();
        QCOMPARE(pulse::EtlJobStore::find(admin.connection(), p.jobId).status, std::string("cancelled"));
        // Not running: a cancel request for it is refused.
        QVERIFY_THROWS_EXCEPTION(pulse::InvalidParameterError,
                                 pulse::EtlJobStore::requestCancel(admin.connection(), p.jobId));
    }
    verifyConsistent(p.jobId);
    pulse::EtlRunner again(m_engine->router(), options());
    again.resume(p.jobId, 1'000'000);  // a faster throttle for the rest
    const auto q = again.wait(30s);
    QVERIFY2(q.state == EtlState::Completed, qPrintable(describe(q)));
    QCOMPARE(q.rowsThisRun, 20'000 - p.rowsLoaded);
    verifyComplete(p.jobId);
}

void TestEtl::cancelWithTwoConnectionsThenResumeWithThree()
{
    std::atomic<int> cancelledStates{0};
    auto o = options();
    o.listener = [&](const pulse::EtlProgress& p) {
        if (p.state == EtlState::Cancelled)
            ++cancelledStates;
    };
    pulse::EtlRunner runner(m_engine->router(), o);
    runner.start(spec(30'000, 250, 8'000, 2));
    QVERIFY2(waitFor([&] { return runner.progress().rowsLoaded >= 2'000 && bothLoading(runner.progress()); }, 15s),
             qPrintable(describe(runner.progress())));
    runner.cancel();
    const auto p = runner.wait(10s);
    QVERIFY2(p.state == EtlState::Cancelled, qPrintable(describe(p)));
    QCOMPARE(cancelledStates.load(), 1);
    QVERIFY(p.rowsLoaded < 30'000);
    {
        auto admin = m_engine->router().adminSession();
        const auto job = pulse::EtlJobStore::find(admin.connection(), p.jobId);
        QCOMPARE(job.status, std::string("cancelled"));
        QCOMPARE(job.rowsLoaded, p.rowsLoaded);
        // The stored column agrees with the checkpoints once the run ended.
        QCOMPARE(admin.exec("SELECT rows_loaded FROM etl_jobs WHERE id = $1", {std::to_string(p.jobId)}).integer(0, 0),
                 p.rowsLoaded);
        // Nobody holds the job any more: both workers and the coordinator let go.
        QVERIFY(!admin.exec("SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = $1"
                            " AND objsubid = 2)",
                            {std::to_string(p.jobId)})
                     .boolean(0, 0));
    }
    verifyConsistent(p.jobId);
    pulse::EtlRunner again(m_engine->router(), options());
    again.resume(p.jobId, 1'000'000, 3);  // another connection count than the first run
    const auto q = again.wait(30s);
    QVERIFY2(q.state == EtlState::Completed, qPrintable(describe(q)));
    QCOMPARE(q.connections, 3);
    QCOMPARE(q.rowsThisRun, 30'000 - p.rowsLoaded);
    verifyComplete(p.jobId);
}

void TestEtl::requestCancelFromAnotherConnection()
{
    pulse::EtlRunner runner(m_engine->router(), options());
    runner.start(spec(20'000, 200, 5'000));
    QVERIFY(waitFor([&] { return runner.progress().rowsLoaded >= 600; }, 15s));
    {
        auto other = m_engine->router().adminSession();
        pulse::EtlJobStore::requestCancel(other.connection(), runner.progress().jobId);
        QVERIFY(pulse::EtlJobStore::find(other.connection(), runner.progress().jobId).cancelRequested);
    }
    const auto p = runner.wait(10s);
    QVERIFY2(p.state == EtlState::Cancelled, qPrintable(describe(p)));
    QVERIFY(p.rowsLoaded < 20'000);
    verifyConsistent(p.jobId);
    // Nobody runs it any more: a job stuck as 'failed' is cancelled at once.
    auto admin = m_engine->router().adminSession();
    admin.exec("UPDATE etl_jobs SET status = 'failed', cancel_requested = false WHERE id = $1",
               {std::to_string(p.jobId)});
    pulse::EtlJobStore::requestCancel(admin.connection(), p.jobId);
    QCOMPARE(pulse::EtlJobStore::find(admin.connection(), p.jobId).status, std::string("cancelled"));
}

void TestEtl::pauseHoldsBetweenChunks()
{
    pulse::EtlRunner runner(m_engine->router(), options());
    runner.start(spec(5'000, 100, 5'000));
    QVERIFY(waitFor([&] { return runner.progress().rowsLoaded >= 300; }, 15s));
    runner.pause();
    QVERIFY2(waitFor([&] { return runner.progress().state == EtlState::Paused; }, 5s),
             qPrintable(describe(runner.progress())));
    const auto held = runner.progress().rowsLoaded;
    verifyConsistent(runner.progress().jobId);  // the chunk before the pause is committed
    QVERIFY(!waitFor([&] { return runner.progress().rowsLoaded != held; }, 300ms));
    runner.unpause();
    const auto p = runner.wait(20s);
    QVERIFY2(p.state == EtlState::Completed, qPrintable(describe(p)));
    verifyComplete(p.jobId);
}

void TestEtl::throttleHoldsRate_data()
{
    QTest::addColumn<int>("connections");
    QTest::addRow("1 connection") << 1;
    QTest::addRow("2 connections (the job's rate, shared)") << 2;
}

void TestEtl::throttleHoldsRate()
{
    QFETCH(int, connections);
    constexpr int kRate = 3'000;
    pulse::EtlRunner runner(m_engine->router(), options());
    runner.start(spec(100'000, 100, kRate, connections));
    QVERIFY(waitFor([&] {
        const auto p = runner.progress();
        return p.rowsLoaded >= 1'000 && (connections == 1 || bothLoading(p));
    }, 15s));
    const auto t0 = std::chrono::steady_clock::now();
    const auto rows0 = runner.progress().rowsLoaded;
    QVERIFY(!waitFor([&] { return !runner.running(); }, 3s));  // bounded observation window
    const auto rows1 = runner.progress().rowsLoaded;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double rate = static_cast<double>(rows1 - rows0) / seconds;
    QVERIFY2(std::abs(rate - kRate) <= 0.1 * kRate, qPrintable(QStringLiteral("%1 rows/s").arg(rate)));
    const auto p = runner.progress();
    QVERIFY2(std::abs(p.rowsPerSecond - kRate) <= 0.15 * kRate, qPrintable(describe(p)));
    QVERIFY(p.eta && p.eta->count() > 20);
    runner.cancel();
    QCOMPARE(runner.wait(10s).state, EtlState::Cancelled);
}

void TestEtl::throttlePacesInsideLargeChunks()
{
    // One chunk of 2.5 s worth: without pacing inside it would go in a burst.
    pulse::EtlRunner runner(m_engine->router(), options());
    const auto t0 = std::chrono::steady_clock::now();
    runner.start(spec(5'000, 5'000, 2'000));
    const auto p = runner.wait(20s);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    QVERIFY2(p.state == EtlState::Completed, qPrintable(describe(p)));
    // Tenths of a second are paced: the last starts at 2.4 s.
    QVERIFY2(seconds > 2.2 && seconds < 3.5, qPrintable(QString::number(seconds)));
    verifyComplete(p.jobId);
}

void TestEtl::lagBrakeHoldsAndReleases()
{
    std::atomic<bool> lagging{true};
    std::atomic<int> asked{0};
    auto o = options();
    o.brake = [&]() -> std::optional<std::string> {
        ++asked;
        if (lagging)
            return std::string("replica lag 3.2 s > 1.0 s");
        return std::nullopt;
    };
    pulse::EtlRunner runner(m_engine->router(), o);
    runner.start(spec(3'000, 500));
    QVERIFY2(waitFor([&] { return runner.progress().state == EtlState::Braking; }, 10s),
             qPrintable(describe(runner.progress())));
    QCOMPARE(runner.progress().detail, std::string("replica lag 3.2 s > 1.0 s"));
    const int before = asked;
    // Held, and asked again about every 100 ms.
    QVERIFY(!waitFor([&] { return runner.progress().rowsLoaded > 0; }, 500ms));
    QVERIFY2(asked - before >= 3, qPrintable(QString::number(asked - before)));
    lagging = false;
    const auto p = runner.wait(20s);
    QVERIFY2(p.state == EtlState::Completed, qPrintable(describe(p)));
    verifyComplete(p.jobId);
}

void TestEtl::duplicateKeyFailsTheLoad()
{
    // Ids are deterministic, so a duplicate means something else wrote into
    // the job's range: it must fail the load, never be skipped.
    // Two tables on two connections: the one that hits the duplicate fails
    // the job, the other stops after its chunk.
    pulse::EtlRunner runner(m_engine->router(), options());
    auto s = spec(4'000, 100, 2'000, 2);
    s.tables = {"issues", "deployments"};
    runner.start(s);
    QVERIFY(waitFor([&] { return runner.progress().rowsLoaded >= 400 && bothLoading(runner.progress()); }, 15s));
    runner.pause();
    QVERIFY(waitFor([&] { return runner.progress().state == EtlState::Paused; }, 5s));
    const auto p0 = runner.progress();
    {
        auto admin = m_engine->router().adminSession();
        std::int64_t issuesDone = -1;
        for (const auto& checkpoint : pulse::EtlJobStore::find(admin.connection(), p0.jobId).checkpoints)
            if (checkpoint.table == "issues")
                issuesDone = checkpoint.rowsDone;
        QVERIFY(issuesDone >= 0);
        admin.exec("INSERT INTO issues (id, key, project, type, status, priority, created_at)"
                   " VALUES ($1, 'X-1', 'X', 'bug', 'open', 'low', now())",
                   {std::to_string(pulse::DemoSchema::rowId(p0.jobId, issuesDone + 150))});
    }
    runner.unpause();
    const auto p = runner.wait(15s);
    QVERIFY2(p.state == EtlState::Failed, qPrintable(describe(p)));
    QVERIFY2(QString::fromStdString(p.error).contains(QStringLiteral("23505")), qPrintable(describe(p)));
    QCOMPARE(p.retries, 0);
    // The chunk with the duplicate was rolled back whole; the other table
    // holds exactly what its checkpoint says.
    auto admin = m_engine->router().adminSession();
    const auto job = pulse::EtlJobStore::find(admin.connection(), p.jobId);
    const auto counts = pulse::EtlJobStore::countRows(admin.connection(), p.jobId);
    std::int64_t total = 0;
    for (const auto& checkpoint : job.checkpoints) {
        QCOMPARE(counts.at(checkpoint.table), checkpoint.rowsDone + (checkpoint.table == "issues" ? 1 : 0));
        total += checkpoint.rowsDone;
    }
    QCOMPARE(total, p.rowsLoaded);
    QCOMPARE(job.rowsLoaded, p.rowsLoaded);
    QVERIFY(p.rowsLoaded < 4'000);
    QCOMPARE(job.status, std::string("failed"));
}

QTEST_GUILESS_MAIN(TestEtl)
#include "tst_etl.moc"

// The dashboard page and its readers against a real primary + streaming
// replica: the demo schema filled with plausible GitHub/Jira-like rows by
// plain SQL on the primary, then
//   - every panel's query returns sensible figures, cross-checked with a
//     plainer query in the same transaction, and reads through the schema's
//     indexes without JIT;
//   - readers run on the replica only while a writer keeps inserting on the
//     primary;
//   - USE_READ_REPLICA switched off at runtime moves new page loads to the
//     primary;
//   - stop() is prompt during a long think time; bad options are refused;
//   - a panel whose table is dropped is counted as failing, the readers go
//     on, and recover when it returns.
//
// PULSE_WORKLOAD_SCALE (default 0.1, about 100 000 rows) scales the data:
// PULSE_WORKLOAD_SCALE=1 gives about 1 000 000 rows, for timing the page on
// the plan's data size. The figures are printed with qInfo.

#include "SandboxFixture.hpp"
#include "WaitFor.hpp"

#include "common/Errors.hpp"
#include "config/SettingsLoader.hpp"
#include "engine/Engine.hpp"
#include "etl/DemoSchema.hpp"
#include "workload/DashboardQueries.hpp"
#include "workload/DashboardReaders.hpp"

#include <QtTest>

#include <atomic>
#include <cmath>
#include <numeric>
#include <set>
#include <thread>

using namespace std::chrono_literals;
using pulse::DashboardQueries;
using pulse::DashboardReaders;
using pulse::ReaderOptions;
using pulse::WorkloadStats;

namespace {

using Overrides = std::vector<std::pair<std::string, std::string>>;

std::unique_ptr<pulse::Engine> makeEngine(Overrides overrides = {})
{
    pulse::LoadOptions options;
    options.useDefaultEnvFile = false;
    options.sandbox
        = pulse::SettingsLayer {{pulse::SourceKind::Sandbox, "sandbox (test)"}, SandboxFixture::settingsValues()};
    options.commandLine = {{"DB_POOL_SIZE", "4"}, {"DB_MAX_OVERFLOW", "4"}, {"DB_REPLICA_POOL_SIZE", "4"},
        {"DB_REPLICA_MAX_OVERFLOW", "4"}, {"DB_REPLICA_POOL_TIMEOUT", "5"}, {"DB_CONNECT_TIMEOUT", "2"}};
    for (auto& kv : overrides)
        options.commandLine.push_back(std::move(kv));
    return std::make_unique<pulse::Engine>(pulse::SettingsLoader::load(options));
}

double dataScale()
{
    const QByteArray value = qgetenv("PULSE_WORKLOAD_SCALE");
    bool ok = false;
    const double scale = value.toDouble(&ok);
    return ok && scale > 0 ? scale : 0.1;
}

// Row counts per table at scale 1 (about 1 000 000 rows in total).
struct TableRows {
    const char* placeholder;
    long long atScaleOne;
};
constexpr TableRows kRows[] = {{"{pull_requests}", 150'000}, {"{commits}", 400'000}, {"{reviews}", 250'000},
    {"{deployments}", 80'000}, {"{incidents}", 10'000}, {"{issues}", 110'000}};

// A year of history (so the dashboards' windows are the minority of each
// table, as on a platform that has been running a while), timestamps
// relative to now(). The distributions are what the checks below rely on:
// 60% of deployments go to production, 12% fail, the first commit is 1-72 h
// before the deployment; incidents resolve within 48 h; pull requests
// merge within 5 days.
constexpr const char* kFill = R"SQL(
SELECT setseed(0.42);
INSERT INTO repositories
SELECT g, 'repo-' || g, 'team-' || g % 8, now() - interval '400 days' FROM generate_series(1, 50) g;
INSERT INTO pull_requests
SELECT g, 1 + g % 50, g, 'PR ' || g, 'dev-' || g % 200,
       CASE WHEN r >= 0.95 OR done_at > now() THEN 'open' WHEN r < 0.85 THEN 'merged' ELSE 'closed' END,
       created_at,
       CASE WHEN r < 0.85 AND done_at <= now() THEN done_at END,
       CASE WHEN r < 0.95 AND done_at <= now() THEN done_at END,
       (random() * 500)::int, (random() * 200)::int
FROM (SELECT g, random() AS r, created_at, created_at + random() * interval '5 days' AS done_at
      FROM (SELECT g, now() - random() * interval '365 days' AS created_at
            FROM generate_series(1, {pull_requests}) g) a) b;
INSERT INTO commits
SELECT g, md5(g::text), 1 + g % 50, 1 + g % {pull_requests}, 'dev-' || g % 200, 'commit ' || g,
       now() - random() * interval '365 days'
FROM generate_series(1, {commits}) g;
INSERT INTO reviews
SELECT g, 1 + g % {pull_requests}, 'dev-' || (g * 7) % 200,
       (ARRAY['approved', 'changes_requested', 'commented'])[1 + g % 3], now() - random() * interval '365 days'
FROM generate_series(1, {reviews}) g;
INSERT INTO deployments
SELECT g, 1 + g % 50, CASE WHEN random() < 0.6 THEN 'production' ELSE 'staging' END,
       CASE WHEN random() < 0.12 THEN 'failure' ELSE 'success' END, md5(g::text),
       d - (1 + random() * 71) * interval '1 hour', d
FROM (SELECT g, now() - random() * interval '365 days' AS d FROM generate_series(1, {deployments}) g) x;
INSERT INTO incidents
SELECT g, 1 + g % 50, NULL, (ARRAY['sev1', 'sev2', 'sev3'])[1 + g % 3], o, CASE WHEN o + r <= now() THEN o + r END
FROM (SELECT g, now() - random() * interval '365 days' AS o, random() * interval '48 hours' AS r
      FROM generate_series(1, {incidents}) g) x;
INSERT INTO issues
SELECT g, 'PROJ-' || g, 'PROJ' || g % 5, (ARRAY['bug', 'story', 'task', 'epic'])[1 + g % 4],
       CASE WHEN res <= now() THEN 'done' WHEN g % 2 = 0 THEN 'in_progress' ELSE 'open' END,
       (ARRAY['highest', 'high', 'medium', 'low'])[1 + (g / 7) % 4], c, CASE WHEN res <= now() THEN res END
FROM (SELECT g, c, c + random() * interval '30 days' AS res
      FROM (SELECT g, now() - random() * interval '365 days' AS c FROM generate_series(1, {issues}) g) a) b;
)SQL";

std::string fillScript(double scale, long long* totalRows)
{
    std::string sql = kFill;
    *totalRows = 50;
    for (const auto& table : kRows) {
        const long long rows = std::max(1LL, std::llround(static_cast<double>(table.atScaleOne) * scale));
        *totalRows += rows;
        const std::string placeholder = table.placeholder;
        for (auto at = sql.find(placeholder); at != std::string::npos; at = sql.find(placeholder, at))
            sql.replace(at, placeholder.size(), std::to_string(rows));
    }
    return sql;
}

// The primary's WAL position now; the replica has everything written so far
// once it has replayed it.
std::string primaryWalPosition(pulse::Router& router)
{
    auto session = router.writeSession("INSERT");
    return session.exec("SELECT pg_current_wal_insert_lsn()::text").text(0, 0);
}

bool replicaReplayed(pulse::Router& router, const std::string& lsn)
{
    try {
        auto session = router.readSession();
        if (session.decision().node != "replica")
            return false;
        return session.exec("SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn", {lsn}).boolean(0, 0);
    } catch (const pulse::Error&) {
        return false;
    }
}

std::uint64_t runsOn(const WorkloadStats& stats, const std::string& node)
{
    std::uint64_t runs = 0;
    for (const auto& q : stats.queries) {
        const auto it = q.byNode.find(node);
        runs += it == q.byNode.end() ? 0 : it->second;
    }
    return runs;
}

const pulse::QueryStats* queryStats(const WorkloadStats& stats, const std::string& name)
{
    for (const auto& q : stats.queries)
        if (q.name == name)
            return &q;
    return nullptr;
}

std::string describe(const WorkloadStats& stats)
{
    std::string text
        = "page loads " + std::to_string(stats.pageLoads) + " (failed " + std::to_string(stats.failedPageLoads) + ")";
    for (const auto& q : stats.queries) {
        text += "; " + q.name + " errors " + std::to_string(q.errors);
        for (const auto& [node, runs] : q.byNode)
            text += " " + node + "=" + std::to_string(runs);
    }
    for (const auto& e : stats.recentErrors)
        text += "\n  " + e;
    return text;
}

double number(const pulse::PgResult& r, int row, int column)
{
    return std::stod(r.text(row, column));
}

// The checks for each panel: its result and the session it ran in (inside a
// transaction, so a reference query sees the same now()).
void checkPanel(const std::string& name, const pulse::PgResult& r, pulse::Session& session)
{
    if (name == "deployment_frequency") {
        QCOMPARE(r.rows(), 30);
        long long total = 0;
        for (int i = 0; i < r.rows(); ++i) {
            QVERIFY(r.integer(i, 1) >= 0);
            total += r.integer(i, 1);
            if (i > 0) {
                const QDate before = QDate::fromString(QString::fromStdString(r.text(i - 1, 0)), Qt::ISODate);
                const QDate day = QDate::fromString(QString::fromStdString(r.text(i, 0)), Qt::ISODate);
                QCOMPARE(before.daysTo(day), 1);
            }
        }
        // A plainer way to say "successful production deployments on the
        // last 30 calendar days".
        const auto reference
            = session.exec("SELECT count(*), current_date::text FROM deployments "
                           "WHERE environment = 'production' AND status = 'success' "
                           "AND deployed_at::date > current_date - 30 AND deployed_at::date <= current_date");
        QCOMPARE(total, reference.integer(0, 0));
        QVERIFY(total > 0);
        QCOMPARE(r.text(29, 0), reference.text(0, 1)); // today, in the server's TimeZone
    } else if (name == "lead_time_for_changes") {
        QCOMPARE(r.rows(), 1);
        QVERIFY(r.integer(0, 0) > 0);
        const double median = number(r, 0, 1), p90 = number(r, 0, 2);
        QVERIFY2(
            median >= 1 && median <= p90 && p90 <= 72, (std::to_string(median) + " " + std::to_string(p90)).c_str());
    } else if (name == "change_failure_rate") {
        QCOMPARE(r.rows(), 1);
        const long long deployments = r.integer(0, 0), failures = r.integer(0, 1);
        const double rate = number(r, 0, 2);
        QVERIFY(deployments > 0);
        QVERIFY(failures >= 0 && failures <= deployments);
        QVERIFY(rate >= 0 && rate <= 1);
        QVERIFY(std::abs(rate - double(failures) / double(deployments)) < 1e-9);
        QVERIFY2(rate > 0.03 && rate < 0.25, std::to_string(rate).c_str()); // generated at 12%
    } else if (name == "time_to_restore") {
        QCOMPARE(r.rows(), 1);
        QVERIFY(r.integer(0, 0) > 0);
        QVERIFY(r.integer(0, 1) >= 0);
        const double median = number(r, 0, 2), mean = number(r, 0, 3);
        QVERIFY2(median > 0 && median <= 48 && mean > 0 && mean <= 48,
            (std::to_string(median) + " " + std::to_string(mean)).c_str());
    } else if (name == "pull_request_throughput") {
        QCOMPARE(r.rows(), 12);
        long long merged = 0;
        for (int i = 0; i < r.rows(); ++i) {
            QVERIFY(r.integer(i, 1) >= 0);
            merged += r.integer(i, 1);
            if (r.integer(i, 1) > 0) {
                const double hours = number(r, i, 2);
                QVERIFY2(hours >= 0 && hours <= 5 * 24, std::to_string(hours).c_str());
            } else {
                QVERIFY(r.isNull(i, 2));
            }
            if (i > 0) {
                const QDate before = QDate::fromString(QString::fromStdString(r.text(i - 1, 0)), Qt::ISODate);
                const QDate week = QDate::fromString(QString::fromStdString(r.text(i, 0)), Qt::ISODate);
                QCOMPARE(before.daysTo(week), 7);
                QCOMPARE(week.dayOfWeek(), 1); // ISO weeks start on Monday
            }
        }
        QVERIFY(merged > 0);
    } else if (name == "open_issue_trend") {
        QCOMPARE(r.rows(), 12);
        for (int i = 0; i < r.rows(); ++i) {
            QVERIFY(r.integer(i, 1) >= 0 && r.integer(i, 2) >= 0 && r.integer(i, 3) >= 0);
            if (i > 0)
                QCOMPARE(r.integer(i, 3), r.integer(i - 1, 3) + r.integer(i, 1) - r.integer(i, 2));
        }
        // The last week ends now: its open count is what is open now,
        // counted the slow way (every issue's life span).
        const auto reference = session.exec(
            "SELECT count(*) FROM issues WHERE created_at < now() AND (resolved_at IS NULL OR resolved_at >= now())");
        QCOMPARE(r.integer(11, 3), reference.integer(0, 0));
        QVERIFY(r.integer(11, 3) > 0);
    } else {
        QFAIL(("no check written for panel " + name).c_str());
    }
}

} // namespace

class TestWorkload : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void panelsReturnPlausibleFigures_data();
    void panelsReturnPlausibleFigures();
    void panelsReadThroughIndexes_data();
    void panelsReadThroughIndexes();
    void readersStayOnReplicaWhileWriting();
    void flagOffMovesNewPageLoadsToPrimary();
    void stopIsPromptDuringLongThink();
    void badOptionsRefused_data();
    void badOptionsRefused();
    void failingPanelCountedReadersGoOn();

private:
    long long m_rows = 0;
};

void TestWorkload::initTestCase()
{
    try {
        SandboxFixture::instance();
        auto engine = makeEngine();
        auto& router = engine->router();
        const double scale = dataScale();
        const auto started = std::chrono::steady_clock::now();
        {
            auto etl = router.etlSession();
            QCOMPARE(pulse::DemoSchema::migrate(etl.connection()), 1);
            etl.connection().execScript(fillScript(scale, &m_rows));
            // What autovacuum would do after a load, now rather than at its
            // own pace: statistics for the planner, and the visibility map
            // that lets the issue trend count through index-only scans.
            for (const auto& table : pulse::DemoSchema::dataTables())
                etl.exec("VACUUM ANALYZE " + table);
        }
        const std::string lsn = primaryWalPosition(router);
        QVERIFY2(waitFor([&] { return replicaReplayed(router, lsn); }, 60s), "the replica did not replay the fill");
        qInfo("demo data: %lld rows (scale %.2f), filled and replayed in %.1f s", m_rows, scale,
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    } catch (const std::exception& e) {
        QFAIL(e.what());
    }
}

void TestWorkload::cleanupTestCase()
{
    SandboxFixture::teardown();
}

void TestWorkload::init()
{
    SandboxFixture::ensureBothRunning();
}

void TestWorkload::panelsReturnPlausibleFigures_data()
{
    QTest::addColumn<QString>("name");
    for (const auto& q : DashboardQueries::all())
        QTest::addRow("%s", q.name.c_str()) << QString::fromStdString(q.name);
}

void TestWorkload::panelsReturnPlausibleFigures()
{
    QFETCH(QString, name);
    const pulse::DashboardQuery* query = DashboardQueries::find(name.toStdString());
    QVERIFY(query);
    QVERIFY(query->operation == "dashboard_metrics" || query->operation == "analytics_reports");
    auto engine = makeEngine();
    auto session = engine->router().session(query->operation, query->context);
    QCOMPARE(session.decision().node, std::string("replica"));
    session.begin();
    const auto started = std::chrono::steady_clock::now();
    const auto result = session.exec(query->sql);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    checkPanel(query->name, result, session);
    if (QTest::currentTestFailed())
        return;
    session.commit();
    qInfo("%s: %.1f ms on the replica, %lld rows of demo data", query->name.c_str(), ms, m_rows);
}

void TestWorkload::panelsReadThroughIndexes_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("index");
    QTest::addRow("deployment_frequency") << "deployment_frequency"
                                          << "deployments_env_time";
    QTest::addRow("lead_time_for_changes") << "lead_time_for_changes"
                                           << "deployments_env_time";
    QTest::addRow("change_failure_rate") << "change_failure_rate"
                                         << "deployments_env_time";
    QTest::addRow("time_to_restore") << "time_to_restore"
                                     << "incidents_opened";
    QTest::addRow("pull_request_throughput") << "pull_request_throughput"
                                             << "pull_requests_merged";
    QTest::addRow("open_issue_trend") << "open_issue_trend"
                                      << "issues_created";
}

void TestWorkload::panelsReadThroughIndexes()
{
    QFETCH(QString, name);
    QFETCH(QString, index);
    const pulse::DashboardQuery* query = DashboardQueries::find(name.toStdString());
    QVERIFY(query);
    auto engine = makeEngine();
    auto session = engine->router().session(query->operation, query->context);
    const auto plan = session.exec("EXPLAIN " + query->sql);
    std::string text;
    for (int i = 0; i < plan.rows(); ++i)
        text += plan.text(i, 0) + "\n";
    QVERIFY2(text.find(index.toStdString()) != std::string::npos, text.c_str());
    // A plan costly enough for JIT means a misestimate somewhere (it was the
    // timestamp generate_series once): ~200 ms of compiling per query.
    QVERIFY2(text.find("JIT") == std::string::npos, text.c_str());
}

void TestWorkload::readersStayOnReplicaWhileWriting()
{
    auto engine = makeEngine();
    auto& router = engine->router();

    // ETL-like writes on the primary the whole time: batches of recent
    // production deployments, which the readers' windows include.
    std::atomic<bool> stopWriter {false};
    std::atomic<long long> written {0};
    std::string writerError;
    std::thread writer([&] {
        try {
            long long next = 1'000'000'000'000LL;
            while (!stopWriter) {
                auto session = router.writeSession("INSERT");
                session.exec("INSERT INTO deployments SELECT g, 1, 'production', 'success', md5(g::text), "
                             "now() - interval '3 hours', now() FROM generate_series($1::bigint, $1::bigint + 499) g",
                    {std::to_string(next)});
                next += 500;
                written += 500;
            }
        } catch (const std::exception& e) {
            writerError = e.what();
        }
    });

    // A failed QVERIFY returns early: the writer must still be stopped and
    // joined then (a joinable std::thread's destructor ends the process).
    struct JoinWriter {
        std::atomic<bool>& stop;
        std::thread& thread;
        ~JoinWriter()
        {
            stop = true;
            if (thread.joinable())
                thread.join();
        }
    } joinWriter {stopWriter, writer};

    DashboardReaders readers(router, ReaderOptions {.readers = 3, .think = 20ms});
    readers.start();
    QVERIFY(readers.running());
    const bool enough = waitFor([&] { return readers.snapshot().pageLoads >= 12 && written.load() >= 2000; }, 30s);
    readers.stop();
    stopWriter = true;
    writer.join();
    QVERIFY(!readers.running());

    const WorkloadStats stats = readers.snapshot();
    QVERIFY2(enough, describe(stats).c_str());
    QVERIFY2(writerError.empty(), writerError.c_str());
    QCOMPARE(stats.readers, 3);
    QCOMPARE(stats.failedPageLoads, std::uint64_t(0));
    QCOMPARE(stats.pageLoad.count, stats.pageLoads);
    QCOMPARE(stats.queries.size(), DashboardQueries::all().size());
    for (std::size_t i = 0; i < stats.queries.size(); ++i) {
        const auto& q = stats.queries[i];
        QCOMPARE(q.name, DashboardQueries::all()[i].name);
        QVERIFY2(q.errors == 0, describe(stats).c_str());
        QCOMPARE(q.byNode.size(), std::size_t(1));
        QVERIFY2(q.byNode.count("replica") == 1, describe(stats).c_str());
        // Every page load ran every panel (a page cut short by stop() is not counted).
        QVERIFY(q.latency.count >= stats.pageLoads);
        QCOMPARE(q.byNode.at("replica"), q.latency.count);
        qInfo("%s under writes: p50 %.1f ms, p95 %.1f ms, max %.1f ms over %llu runs", q.name.c_str(),
            q.latency.p50Seconds * 1e3, q.latency.p95Seconds * 1e3, q.latency.maxSeconds * 1e3,
            static_cast<unsigned long long>(q.latency.count));
    }
    QCOMPARE(stats.byNode.size(), std::size_t(1));
    QVERIFY(stats.byNode.count("replica") == 1);
    const auto& page = stats.pageLoad;
    QVERIFY(page.p50Seconds > 0);
    QVERIFY(
        page.p50Seconds <= page.p95Seconds && page.p95Seconds <= page.p99Seconds && page.p99Seconds <= page.maxSeconds);
    QVERIFY(page.meanSeconds > 0 && page.meanSeconds <= page.maxSeconds);
    QVERIFY(stats.elapsed > 0ms);
    qInfo("page load under writes (%lld rows written): p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms over %llu "
          "loads by 3 readers",
        written.load(), page.p50Seconds * 1e3, page.p95Seconds * 1e3, page.p99Seconds * 1e3, page.maxSeconds * 1e3,
        static_cast<unsigned long long>(page.count));
    // The plan's success criterion: dashboards under 2 s while loads run.
    QVERIFY2(page.maxSeconds < 2.0, std::to_string(page.maxSeconds).c_str());
}

void TestWorkload::flagOffMovesNewPageLoadsToPrimary()
{
    auto engine = makeEngine();
    const int readerCount = 2;
    DashboardReaders readers(engine->router(), ReaderOptions {.readers = readerCount, .think = 10ms});
    readers.start();
    QVERIFY(waitFor([&] { return readers.snapshot().pageLoads >= 2; }));

    engine->flags().setUseReadReplica(false, "test");
    const WorkloadStats atFlip = readers.snapshot();
    // Each reader holds at most one session, opened before the flip, that
    // may still finish on the replica; every later session is on the primary.
    const bool moved = waitFor([&] {
        const auto s = readers.snapshot();
        if (s.pageLoads < atFlip.pageLoads + 2 * std::uint64_t(readerCount))
            return false;
        for (const auto& q : s.queries)
            if (!q.byNode.count("primary"))
                return false;
        return true;
    });
    readers.stop();
    const WorkloadStats stats = readers.snapshot();
    QVERIFY2(moved, describe(stats).c_str());
    QCOMPARE(stats.failedPageLoads, std::uint64_t(0));
    QVERIFY2(runsOn(stats, "replica") <= runsOn(atFlip, "replica") + readerCount, describe(stats).c_str());
    QVERIFY(runsOn(atFlip, "replica") > 0);
    QVERIFY(stats.byNode.count("primary") == 1 && stats.byNode.count("replica") == 1);

    // A run started with the flag off never touches the replica.
    DashboardReaders later(engine->router(), ReaderOptions {.readers = 1, .think = 0ms});
    later.start();
    QVERIFY(waitFor([&] { return later.snapshot().pageLoads >= 2; }));
    later.stop();
    const WorkloadStats afterwards = later.snapshot();
    QCOMPARE(runsOn(afterwards, "replica"), std::uint64_t(0));
    QVERIFY(runsOn(afterwards, "primary") >= 2 * DashboardQueries::all().size());
    QCOMPARE(afterwards.byNode.size(), std::size_t(1));
}

void TestWorkload::stopIsPromptDuringLongThink()
{
    auto engine = makeEngine();
    DashboardReaders readers(engine->router(), ReaderOptions {.readers = 3, .think = 60s});
    readers.start();
    // Every reader has loaded its page and is thinking for a minute.
    QVERIFY(waitFor([&] { return readers.snapshot().pageLoads >= 3; }));
    const auto started = std::chrono::steady_clock::now();
    readers.stop();
    const auto took = std::chrono::steady_clock::now() - started;
    QVERIFY2(took < 1s, std::to_string(std::chrono::duration<double>(took).count()).c_str());
    QVERIFY(!readers.running());
    const auto stats = readers.snapshot();
    QCOMPARE(stats.pageLoads, std::uint64_t(3));
    QVERIFY(stats.elapsed < 10s);
    // Stopped: the elapsed time no longer grows, and stop() again is a no-op.
    readers.stop();
    QCOMPARE(readers.snapshot().elapsed, stats.elapsed);
}

void TestWorkload::badOptionsRefused_data()
{
    QTest::addColumn<int>("readerCount");
    QTest::addColumn<int>("thinkMs");
    QTest::addRow("no readers") << 0 << 200;
    QTest::addRow("negative readers") << -3 << 200;
    QTest::addRow("negative think time") << 2 << -1;
}

void TestWorkload::badOptionsRefused()
{
    QFETCH(int, readerCount);
    QFETCH(int, thinkMs);
    auto engine = makeEngine();
    DashboardReaders readers(
        engine->router(), ReaderOptions {.readers = readerCount, .think = std::chrono::milliseconds(thinkMs)});
    QVERIFY_THROWS_EXCEPTION(pulse::InvalidParameterError, readers.start());
    QVERIFY(!readers.running());
    QCOMPARE(readers.snapshot().pageLoads, std::uint64_t(0));
    readers.stop(); // harmless when never started

    // Starting twice is refused too, without disturbing the running readers.
    DashboardReaders good(engine->router(), ReaderOptions {.readers = 1, .think = 50ms});
    good.start();
    QVERIFY_THROWS_EXCEPTION(pulse::Error, good.start());
    QVERIFY(good.running());
    good.stop();
}

void TestWorkload::failingPanelCountedReadersGoOn()
{
    auto engine = makeEngine();
    auto& router = engine->router();
    {
        auto primary = router.writeSession("INSERT");
        primary.exec("CREATE TABLE workload_probe (id int)");
    }
    QVERIFY(waitFor([&] { return replicaReplayed(router, primaryWalPosition(router)); }));

    ReaderOptions options {.readers = 2, .think = 10ms};
    options.queries = DashboardQueries::all();
    options.queries.push_back({"probe", "A panel whose table goes away", "dashboard_metrics", "dashboard",
        "SELECT count(*) FROM workload_probe"});
    DashboardReaders readers(router, options);
    readers.start();
    QVERIFY(waitFor([&] { return readers.snapshot().pageLoads >= 2; }));

    router.writeSession("DELETE").exec("DROP TABLE workload_probe");
    QVERIFY(waitFor([&] { return queryStats(readers.snapshot(), "probe")->errors >= 3; }));
    // The readers go on: the other panels keep succeeding while pages fail.
    const auto failing = readers.snapshot();
    const auto runsBefore = queryStats(failing, "deployment_frequency")->latency.count;
    QVERIFY(waitFor([&] {
        const auto s = readers.snapshot();
        return queryStats(s, "deployment_frequency")->latency.count >= runsBefore + 4
            && s.failedPageLoads >= failing.failedPageLoads + 2;
    }));

    // The table comes back: so do complete page loads.
    router.writeSession("INSERT").exec("CREATE TABLE workload_probe (id int)");
    const auto loadsBefore = readers.snapshot().pageLoads;
    QVERIFY(waitFor([&] { return readers.snapshot().pageLoads >= loadsBefore + 2; }));
    readers.stop();

    const auto stats = readers.snapshot();
    const auto* probe = queryStats(stats, "probe");
    QVERIFY(probe->errors >= 3);
    QVERIFY(!probe->recentErrors.empty() && probe->recentErrors.size() <= 3);
    QVERIFY2(
        probe->recentErrors.back().find("workload_probe") != std::string::npos, probe->recentErrors.back().c_str());
    QVERIFY(stats.failedPageLoads >= 2);
    QVERIFY(!stats.recentErrors.empty() && stats.recentErrors.size() <= 10);
    QVERIFY2(stats.recentErrors.back().rfind("probe: ", 0) == 0, stats.recentErrors.back().c_str());
    for (const auto& q : stats.queries)
        if (q.name != "probe")
            QVERIFY2(q.errors == 0, describe(stats).c_str());
    router.writeSession("DELETE").exec("DROP TABLE workload_probe");
}

QTEST_GUILESS_MAIN(TestWorkload)
#include "tst_workload.moc"

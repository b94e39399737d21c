// The plan's success criteria as the load test judges them, from measured
// phases (pure logic, no database), the JSON report, and the spec's checks.

#include "common/Errors.hpp"
#include "loadtest/LoadTestCriteria.hpp"
#include "loadtest/LoadTestReport.hpp"
#include "loadtest/LoadTestSpec.hpp"

#include <QtTest>

using namespace pulse;

namespace {

// A phase that meets every criterion; tests spoil one figure at a time.
PhaseReport goodPhase()
{
    PhaseReport p;
    p.name = "with replica";
    p.etl = {.jobId = 7, .state = "completed", .rows = 10000, .elapsed = std::chrono::milliseconds(2000),
             .rowsPerSecond = 5000, .retries = 0, .error = {}};
    p.dashboard.readers = 2;
    p.dashboard.pageLoads = 40;
    p.dashboard.pageLoad = {.count = 40, .p50Seconds = 0.05, .p95Seconds = 0.2, .p99Seconds = 0.3,
                            .maxSeconds = 0.4, .meanSeconds = 0.08};
    p.pools = {{.pool = "primary", .capacity = 50, .peakPercent = 4, .meanPercent = 2, .peakCheckedOut = 2,
                .peakWaiters = 0, .timeouts = 0},
               {.pool = "replica", .capacity = 35, .peakPercent = 5.7, .meanPercent = 3, .peakCheckedOut = 2,
                .peakWaiters = 0, .timeouts = 0}};
    p.lag = {{.replica = "replica", .samples = 20, .unknownSamples = 0, .maxSeconds = 0.3, .p95Seconds = 0.1,
              .maxBytes = 900'000, .p95Bytes = 300'000}};
    return p;
}

const Criterion& named(const std::vector<Criterion>& criteria, const char* prefix)
{
    for (const auto& c : criteria)
        if (c.name.starts_with(prefix))
            return c;
    throw std::runtime_error(std::string("no criterion ") + prefix);
}

}  // namespace

class TestLoadTestCriteria : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void allPassOnAGoodPhase();
    void dashboardFailsOnSlowMaxOrFailedLoads();
    void poolFailsAtEightyPercentOrOnTimeouts();
    void lagFailsWhenHighOrUnknown();
    void failedEtlFailsTheTest();
    void comparisonShowsWhatTheReplicaBuys();
    void reportJson();
    void specValidation_data();
    void specValidation();
};

void TestLoadTestCriteria::allPassOnAGoodPhase()
{
    LoadTestReport report;
    report.phases = {goodPhase()};
    report.criteria = LoadTestCriteria::evaluate(report.phases);
    QCOMPARE(report.criteria.size(), std::size_t(4));
    for (const auto& c : report.criteria)
        QVERIFY2(c.pass, (c.name + ": " + c.measured).c_str());
    QVERIFY(report.passed());
    QVERIFY(named(report.criteria, "Dashboard").measured.find("p95 0.200 s, max 0.400 s") != std::string::npos);
    QVERIFY(named(report.criteria, "Replication lag").measured.find("879 kB") != std::string::npos);

    report.stoppedEarly = true;  // interrupted: the figures are partial
    QVERIFY(!report.passed());
}

void TestLoadTestCriteria::dashboardFailsOnSlowMaxOrFailedLoads()
{
    auto slow = goodPhase();
    slow.dashboard.pageLoad.maxSeconds = 2.0;  // "under 2 s": 2.0 is not under
    QVERIFY(!named(LoadTestCriteria::evaluate({slow}), "Dashboard").pass);

    auto failed = goodPhase();
    failed.dashboard.failedPageLoads = 1;
    const auto c = named(LoadTestCriteria::evaluate({failed}), "Dashboard");
    QVERIFY(!c.pass);
    QVERIFY(c.measured.find("1 failed") != std::string::npos);

    auto none = goodPhase();
    none.dashboard.pageLoad = {};
    none.dashboard.pageLoads = 0;
    QVERIFY(!named(LoadTestCriteria::evaluate({none}), "Dashboard").pass);
}

void TestLoadTestCriteria::poolFailsAtEightyPercentOrOnTimeouts()
{
    auto full = goodPhase();
    full.pools[1].peakPercent = 80.0;
    QVERIFY(!named(LoadTestCriteria::evaluate({full}), "Connection pool").pass);

    auto timedOut = goodPhase();
    timedOut.pools[0].timeouts = 3;
    const auto c = named(LoadTestCriteria::evaluate({timedOut}), "Connection pool");
    QVERIFY(!c.pass);
    QVERIFY(c.measured.find("3 timeouts") != std::string::npos);
}

void TestLoadTestCriteria::lagFailsWhenHighOrUnknown()
{
    auto high = goodPhase();
    high.lag[0].maxSeconds = 1.2;
    QVERIFY(!named(LoadTestCriteria::evaluate({high}), "Replication lag").pass);

    auto unknown = goodPhase();
    unknown.lag[0].unknownSamples = 2;  // a down replica has no lag, not a lag of 0
    const auto c = named(LoadTestCriteria::evaluate({unknown}), "Replication lag");
    QVERIFY(!c.pass);
    QVERIFY(c.measured.find("unknown in 2 of 20") != std::string::npos);

    auto noCycle = goodPhase();
    noCycle.lag[0] = {.replica = "replica"};  // configured, but no monitor cycle seen
    const auto missing = named(LoadTestCriteria::evaluate({noCycle}), "Replication lag");
    QVERIFY(!missing.pass);
    QVERIFY(missing.measured.find("no monitor cycle") != std::string::npos);

    auto none = goodPhase();
    none.lag.clear();  // no replica configured: nothing to judge
    const auto single = named(LoadTestCriteria::evaluate({none}), "Replication lag");
    QVERIFY(single.pass && single.informational);
}

void TestLoadTestCriteria::failedEtlFailsTheTest()
{
    auto failed = goodPhase();
    failed.etl.state = "failed";
    failed.etl.error = "primary: connection lost";
    const auto c = named(LoadTestCriteria::evaluate({failed}), "ETL throughput");
    QVERIFY(c.informational);
    QVERIFY(!c.pass);
    QVERIFY(c.measured.find("connection lost") != std::string::npos);
}

void TestLoadTestCriteria::comparisonShowsWhatTheReplicaBuys()
{
    auto single = goodPhase();
    single.name = "single database";
    single.useReadReplica = false;
    single.dashboard.pageLoad.p95Seconds = 0.8;
    const auto criteria = LoadTestCriteria::evaluate({goodPhase(), single});
    QCOMPARE(criteria.size(), std::size_t(5));
    const auto c = named(criteria, "What the replica buys");
    QVERIFY(c.informational && c.pass);
    QVERIFY2(c.measured.find("with replica 0.200 s, single database 0.800 s (4.00x)") != std::string::npos,
             c.measured.c_str());

    single.dashboard.pageLoad = {};
    const auto empty = named(LoadTestCriteria::evaluate({goodPhase(), single}), "What the replica buys");
    QVERIFY2(empty.measured.find("single database no page load completed") != std::string::npos &&
                 empty.measured.find("x)") == std::string::npos,
             empty.measured.c_str());
}

void TestLoadTestCriteria::reportJson()
{
    LoadTestReport report;
    report.spec.rows = 5000;
    report.startedAt = "2026-12-01T03:00:00Z";
    report.phases = {goodPhase()};
    report.criteria = LoadTestCriteria::evaluate(report.phases);
    const auto j = toJson(report);
    QCOMPARE(j["spec"]["rows"].get<std::int64_t>(), 5000);
    QVERIFY(j["spec"]["duration_seconds"].is_null());
    QCOMPARE(j["passed"].get<bool>(), true);
    QCOMPARE(j["phases"][0]["pools"][1]["pool"].get<std::string>(), std::string("replica"));
    QCOMPARE(j["phases"][0]["replication_lag"][0]["max_bytes"].get<std::int64_t>(), 900'000);
    QCOMPARE(j["phases"][0]["dashboard"]["page_load"]["p95_seconds"].get<double>(), 0.2);
    QCOMPARE(j["criteria"].size(), std::size_t(4));
}

void TestLoadTestCriteria::specValidation_data()
{
    QTest::addColumn<int>("field");
    QTest::addColumn<int>("value");
    QTest::addColumn<QString>("message");
    QTest::addRow("rows 0") << 0 << 0 << "rows must be at least 1";
    QTest::addRow("duration 0") << 1 << 0 << "duration must be from 1";
    QTest::addRow("readers 0") << 2 << 0 << "readers must be from 1 to 256";
    QTest::addRow("chunk 0") << 3 << 0 << "chunk size must be";
    QTest::addRow("rate 0") << 4 << 0 << "rate must be at least 1";
}

void TestLoadTestCriteria::specValidation()
{
    QFETCH(int, field);
    QFETCH(int, value);
    QFETCH(QString, message);
    LoadTestSpec spec;
    spec.validate();  // the defaults are valid
    switch (field) {
    case 0: spec.rows = value; break;
    case 1: spec.duration = std::chrono::seconds(value); break;
    case 2: spec.readers = value; break;
    case 3: spec.chunkSize = value; break;
    case 4: spec.rowsPerSecond = value; break;
    }
    try {
        spec.validate();
        QFAIL("accepted");
    } catch (const InvalidParameterError& e) {
        QVERIFY2(QString::fromStdString(e.what()).contains(message), e.what());
    }
}

QTEST_GUILESS_MAIN(TestLoadTestCriteria)
#include "tst_loadtest_criteria.moc"

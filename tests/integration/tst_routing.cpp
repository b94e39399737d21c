// Routing against a real primary + replica: where each operation runs is
// checked with pg_is_in_recovery() on the connection that ran it; runtime
// flags; the replica stopped mid-run with fallback on (zero failed reads) and
// off (the documented error); session profiles.

#include "SandboxFixture.hpp"
#include "FrozenNode.hpp"
#include "WaitFor.hpp"

#include "common/Errors.hpp"
#include "config/SettingsLoader.hpp"
#include "engine/Engine.hpp"
#include "topology/Sandbox.hpp"

#include <QtTest>

#include <atomic>
#include <cmath>
#include <thread>

using namespace std::chrono_literals;
using pulse::Target;

namespace {

std::unique_ptr<pulse::Engine> makeEngine(std::vector<std::pair<std::string, std::string>> overrides = {})
{
    pulse::LoadOptions options;
    options.useDefaultEnvFile = false;
    options.sandbox = pulse::SettingsLayer{{pulse::SourceKind::Sandbox, "sandbox (test)"}, SandboxFixture::settingsValues()};
    options.commandLine = {{"DB_POOL_SIZE", "4"},          {"DB_MAX_OVERFLOW", "4"},
                           {"DB_REPLICA_POOL_SIZE", "4"},  {"DB_REPLICA_MAX_OVERFLOW", "4"},
                           {"DB_REPLICA_POOL_TIMEOUT", "2"}, {"DB_CONNECT_TIMEOUT", "2"}};
    for (auto& kv : overrides)
        options.commandLine.push_back(std::move(kv));
    return std::make_unique<pulse::Engine>(pulse::SettingsLoader::load(options));
}

bool ranOnReplica(pulse::Session& session)
{
    return session.exec("SELECT pg_is_in_recovery()").boolean(0, 0);
}

}  // namespace

class TestRouting : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void operationsRunWhereRouted_data();
    void operationsRunWhereRouted();
    void writesReachThePrimaryAndReplicate();
    void flagsApplyToNextSessionOnly();
    void writesNeverOnReplicaWhateverTheFlags();
    void profilesSetTimeoutAndName_data();
    void profilesSetTimeoutAndName();
    void statementTimeoutFromProfile();
    void replicaStoppedMidRunFallbackOn();
    void replicaDownFallbackOff();
    void replicaBreaksMidSessionFallbackOff();
    void replicaNotAnsweringFallsBackWithinBounds();
    void statusSeesBothRoles();
    void lagLimitsAndReadYourWritesWaitChangeAtRuntime();
};

void TestRouting::initTestCase()
{
    SandboxFixture::instance();
}

void TestRouting::cleanupTestCase()
{
    SandboxFixture::teardown();
}

void TestRouting::init()
{
    SandboxFixture::ensureBothRunning();
}

void TestRouting::operationsRunWhereRouted_data()
{
    QTest::addColumn<QString>("operation");
    QTest::addColumn<QString>("context");
    QTest::addColumn<bool>("onReplica");
    for (const char* op : {"dashboard_metrics", "analytics_reports", "data_visualization", "export_operations"})
        QTest::addRow("%s", op) << QString::fromLatin1(op) << QString() << true;
    for (const char* ctx : {"dashboard", "analytics", "reports"})
        QTest::addRow("context %s", ctx) << "pr_counts" << QString::fromLatin1(ctx) << true;
    for (const char* op : {"INSERT", "UPDATE", "DELETE", "MERGE", "UPSERT", "user_authentication", "job_control",
                           "admin_configuration", "client_management", "integration_setup", "unknown_thing"})
        QTest::addRow("%s", op) << QString::fromLatin1(op) << QString() << false;
}

void TestRouting::operationsRunWhereRouted()
{
    QFETCH(QString, operation);
    QFETCH(QString, context);
    QFETCH(bool, onReplica);
    auto engine = makeEngine();
    auto session = engine->router().session(operation.toStdString(), context.toStdString());
    QCOMPARE(session.target(), onReplica ? Target::Replica : Target::Primary);
    QCOMPARE(ranOnReplica(session), onReplica);
    const auto log = engine->router().decisions().snapshot();
    QCOMPARE(log.size(), size_t(1));
    QCOMPARE(log.back().operation, operation.toStdString());
    QVERIFY(!log.back().reason.empty());
}

void TestRouting::writesReachThePrimaryAndReplicate()
{
    auto engine = makeEngine();
    auto& router = engine->router();
    {
        auto write = router.writeSession("INSERT");
        QVERIFY(!ranOnReplica(write));
        write.exec("CREATE TABLE IF NOT EXISTS routed_rows (id int PRIMARY KEY, note text)");
        write.begin();
        write.exec("INSERT INTO routed_rows VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET note = EXCLUDED.note",
                   {"7", "written on the primary"});
        write.commit();
    }
    // Replication is asynchronous: the read sees the row once replayed.
    QVERIFY(waitFor([&] {
        auto read = router.readSession();
        if (!ranOnReplica(read))
            return false;
        try {
            auto r = read.exec("SELECT note FROM routed_rows WHERE id = $1", {"7"});
            return r.rows() == 1 && r.text(0, 0) == "written on the primary";
        } catch (const pulse::SqlError&) {
            return false;  // table not replayed yet
        }
    }));
}

void TestRouting::flagsApplyToNextSessionOnly()
{
    auto engine = makeEngine();
    auto& router = engine->router();
    auto before = router.readSession();
    QCOMPARE(before.target(), Target::Replica);

    router.flags().setUseReadReplica(false, "test");
    QVERIFY(ranOnReplica(before));  // an open session keeps its connection
    auto after = router.readSession();
    QCOMPARE(after.target(), Target::Primary);
    QVERIFY(!ranOnReplica(after));
    QVERIFY(after.decision().reason.find("USE_READ_REPLICA is off") != std::string::npos);

    router.flags().setUseReadReplica(true, "test");
    auto again = router.readSession();
    QVERIFY(ranOnReplica(again));
    QCOMPARE(router.flags().version(), std::uint64_t(2));
}

void TestRouting::writesNeverOnReplicaWhateverTheFlags()
{
    auto engine = makeEngine();
    auto& router = engine->router();
    for (bool use : {true, false})
        for (bool fallback : {true, false}) {
            router.flags().setUseReadReplica(use, "test");
            router.flags().setReplicaFallbackEnabled(fallback, "test");
            for (const char* op : {"INSERT", "UPDATE", "DELETE", "MERGE", "UPSERT"}) {
                auto s = router.session(op, "dashboard");
                QVERIFY2(!ranOnReplica(s), op);
            }
        }
}

void TestRouting::profilesSetTimeoutAndName_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("timeout");
    QTest::addColumn<QString>("appName");
    QTest::addRow("etl") << int(pulse::ProfileKind::Etl) << "30min" << "pulse/primary/etl";
    QTest::addRow("admin") << int(pulse::ProfileKind::Admin) << "5s" << "pulse/primary/admin";
    QTest::addRow("user") << int(pulse::ProfileKind::User) << "10s" << "pulse/primary/user";
    QTest::addRow("analytics") << int(pulse::ProfileKind::Analytics) << "1min" << "pulse/replica/analytics";
}

void TestRouting::profilesSetTimeoutAndName()
{
    QFETCH(int, kind);
    QFETCH(QString, timeout);
    QFETCH(QString, appName);
    auto engine = makeEngine();
    auto& router = engine->router();
    auto session = [&]() {
        switch (static_cast<pulse::ProfileKind>(kind)) {
        case pulse::ProfileKind::Etl: return router.etlSession();
        case pulse::ProfileKind::Admin: return router.adminSession();
        case pulse::ProfileKind::User: return router.userSession();
        default: return router.analyticsSession();
        }
    }();
    auto r = session.exec("SELECT current_setting('statement_timeout'), current_setting('application_name')");
    QCOMPARE(QString::fromStdString(r.text(0, 0)), timeout);
    QCOMPARE(QString::fromStdString(r.text(0, 1)), appName);
}

void TestRouting::statementTimeoutFromProfile()
{
    auto engine = makeEngine({{"DB_ADMIN_STATEMENT_TIMEOUT_MS", "200"}});
    auto session = engine->router().adminSession();
    try {
        session.exec("SELECT pg_sleep(3)");
        QFAIL("statement_timeout must cancel the query");
    } catch (const pulse::SqlError& e) {
        QVERIFY(e.isCancel());
    }
    QCOMPARE(session.exec("SELECT 1").integer(0, 0), 1LL);
}

void TestRouting::replicaStoppedMidRunFallbackOn()
{
    auto engine = makeEngine();
    auto& router = engine->router();
    std::atomic<bool> stop{false};
    std::atomic<int> failures{0}, onReplica{0}, onPrimary{0};
    std::string firstFailure;
    std::mutex failureMutex;
    std::vector<std::thread> readers;
    for (int i = 0; i < 4; ++i)
        readers.emplace_back([&] {
            while (!stop) {
                try {
                    auto s = router.readSession("dashboard_metrics", "dashboard");
                    // A read that takes a little while, so some are in flight
                    // when the replica goes down.
                    auto r = s.exec("SELECT pg_is_in_recovery(), count(*) FROM generate_series(1, 20000)");
                    (r.boolean(0, 0) ? onReplica : onPrimary)++;
                } catch (const std::exception& e) {
                    std::lock_guard lock(failureMutex);
                    if (failures++ == 0)
                        firstFailure = e.what();
                }
            }
        });
    QVERIFY(waitFor([&] { return onReplica.load() >= 20; }));
    SandboxFixture::instance().stop(pulse::SandboxNode::Replica, pulse::StopMode::Fast);
    const int primaryBefore = onPrimary.load();
    QVERIFY(waitFor([&] { return onPrimary.load() >= primaryBefore + 50; }));
    stop = true;
    for (auto& t : readers)
        t.join();
    QVERIFY2(failures.load() == 0, firstFailure.c_str());

    bool sawFallback = false;
    for (const auto& d : router.decisions().snapshot())
        sawFallback = sawFallback || d.outcome == pulse::RoutingDecision::Outcome::FellBack;
    QVERIFY(sawFallback);

    // Back on the replica once it returns.
    SandboxFixture::instance().start(pulse::SandboxNode::Replica);
    QVERIFY(waitFor([&] {
        try {
            auto s = router.readSession();
            return s.target() == Target::Replica && ranOnReplica(s);
        } catch (const std::exception&) {
            return false;
        }
    }));
}

void TestRouting::replicaDownFallbackOff()
{
    auto engine = makeEngine({{"REPLICA_FALLBACK_ENABLED", "false"}});
    auto& router = engine->router();
    SandboxFixture::instance().stop(pulse::SandboxNode::Replica, pulse::StopMode::Fast);
    try {
        auto s = router.readSession();
        QFAIL("with fallback off a read must not go to the primary");
    } catch (const pulse::ReplicaUnavailableError& e) {
        QVERIFY2(std::string(e.what()).find("REPLICA_FALLBACK_ENABLED is off") != std::string::npos, e.what());
    }
    const auto last = router.decisions().snapshot().back();
    QCOMPARE(last.outcome, pulse::RoutingDecision::Outcome::Refused);
    QCOMPARE(last.targetLabel(), std::string("error"));
    // Writes are unaffected.
    auto w = router.writeSession();
    QVERIFY(!ranOnReplica(w));
    // Turning fallback on at runtime takes effect for the next session.
    router.flags().setReplicaFallbackEnabled(true, "test");
    auto r = router.readSession();
    QCOMPARE(r.target(), Target::Primary);
    QCOMPARE(r.decision().outcome, pulse::RoutingDecision::Outcome::FellBack);
}

void TestRouting::replicaBreaksMidSessionFallbackOff()
{
    auto engine = makeEngine({{"REPLICA_FALLBACK_ENABLED", "false"}});
    auto session = engine->router().readSession();
    QVERIFY(ranOnReplica(session));
    SandboxFixture::instance().stop(pulse::SandboxNode::Replica, pulse::StopMode::Fast);
    QVERIFY_THROWS_EXCEPTION(pulse::ReplicaUnavailableError, session.exec("SELECT 1"));
    // The session is still safe to use: it reports the broken connection.
    QVERIFY_THROWS_EXCEPTION(pulse::ConnectionError, session.exec("SELECT 1"));
}

void TestRouting::replicaNotAnsweringFallsBackWithinBounds()
{
    // Reads: statement_timeout 1 s, so the client deadline is 1.5 s; a
    // connect to a frozen server gives up after DB_CONNECT_TIMEOUT (2 s).
    auto engine = makeEngine({{"DB_USER_STATEMENT_TIMEOUT_MS", "1000"}, {"DB_QUERY_DEADLINE_GRACE_MS", "500"}});
    auto& router = engine->router();
    {
        auto warm = router.readSession();
        QVERIFY(ranOnReplica(warm));  // leaves one idle replica connection in the pool
    }
    FrozenNode frozen(SandboxFixture::instance().dataDir(pulse::SandboxNode::Replica));
    QVERIFY(frozen.processCount() > 1);

    // An idle pooled connection to the frozen replica: the query hits the
    // client deadline, and the read is retried on the primary.
    auto start = std::chrono::steady_clock::now();
    {
        auto s = router.readSession();
        QCOMPARE(s.target(), Target::Replica);
        QVERIFY(!ranOnReplica(s));
        QCOMPARE(s.decision().outcome, pulse::RoutingDecision::Outcome::FellBack);
    }
    auto took = std::chrono::steady_clock::now() - start;
    QVERIFY2(took < 4s, "bounded by the client deadline (1.5 s)");

    // A new connection to the frozen replica: bounded by the connect timeout.
    start = std::chrono::steady_clock::now();
    {
        auto s = router.readSession();
        QCOMPARE(s.target(), Target::Primary);
        QVERIFY(!ranOnReplica(s));
        QVERIFY2(s.decision().reason.find("replica unavailable") != std::string::npos, s.decision().reason.c_str());
    }
    took = std::chrono::steady_clock::now() - start;
    QVERIFY2(took < 5s, "bounded by DB_CONNECT_TIMEOUT (2 s)");
}

void TestRouting::statusSeesBothRoles()
{
    auto engine = makeEngine();
    const auto status = engine->status();
    QVERIFY(status.node("primary")->reachable);
    QCOMPARE(status.node("primary")->role, std::string("primary"));
    QCOMPARE(status.node("replica")->role, std::string("replica"));
    QCOMPARE(status.node("replica")->walReceiverStatus, std::string("streaming"));
    QCOMPARE(status.health, pulse::Health::Healthy);
    QVERIFY(status.verdict.find(SandboxFixture::instance().password()) == std::string::npos);

    SandboxFixture::instance().stop(pulse::SandboxNode::Replica, pulse::StopMode::Immediate);
    const auto degraded = engine->status();
    QCOMPARE(degraded.health, pulse::Health::Degraded);
    QVERIFY(!degraded.node("replica")->reachable);
    QVERIFY2(degraded.verdict.find("fall back") != std::string::npos, degraded.verdict.c_str());
}

void TestRouting::lagLimitsAndReadYourWritesWaitChangeAtRuntime()
{
    auto engine = makeEngine({{"REPLICA_MAX_LAG_SECONDS", "3"}, {"READ_YOUR_WRITES_WAIT_MS", "100"}});
    QCOMPARE(engine->lagLimits().maxSeconds, 3.0);
    QCOMPARE(engine->readYourWritesWait(), 100ms);
    const auto readmit = engine->lagLimits().readmitAfter;

    engine->setLagLimits(0.5, 1 << 20);
    QCOMPARE(engine->lagLimits().maxSeconds, 0.5);
    QCOMPARE(engine->lagLimits().maxBytes, std::int64_t(1 << 20));
    QCOMPARE(engine->lagLimits().readmitAfter, readmit);
    const pulse::NodeHealth* replica = engine->healthBoard().find("replica");
    QVERIFY(replica);
    QCOMPARE(replica->lagGate.limits().maxSeconds, 0.5);
    QCOMPARE(replica->lagGate.limits().maxBytes, std::int64_t(1 << 20));

    engine->setReadYourWritesWait(250ms);
    QCOMPARE(engine->router().readYourWritesWait(), 250ms);

    // Outside the catalogue's ranges: refused, naming the setting, and nothing changes.
    const auto refused = [](auto&& call, const char* key) {
        try {
            call();
        } catch (const pulse::InvalidParameterError& e) {
            return std::string(e.what()).find(key) != std::string::npos;
        }
        return false;
    };
    QVERIFY(refused([&] { engine->setLagLimits(-1, 0); }, "REPLICA_MAX_LAG_SECONDS"));
    QVERIFY(refused([&] { engine->setLagLimits(std::nan(""), 0); }, "REPLICA_MAX_LAG_SECONDS"));
    QVERIFY(refused([&] { engine->setLagLimits(86'401, 0); }, "REPLICA_MAX_LAG_SECONDS"));
    QVERIFY(refused([&] { engine->setLagLimits(1, -1); }, "REPLICA_MAX_LAG_BYTES"));
    QVERIFY(refused([&] { engine->setReadYourWritesWait(-1ms); }, "READ_YOUR_WRITES_WAIT_MS"));
    QVERIFY(refused([&] { engine->setReadYourWritesWait(60'001ms); }, "READ_YOUR_WRITES_WAIT_MS"));
    QCOMPARE(engine->lagLimits().maxSeconds, 0.5);
    QCOMPARE(replica->lagGate.limits().maxBytes, std::int64_t(1 << 20));
    QCOMPARE(engine->readYourWritesWait(), 250ms);
}

QTEST_GUILESS_MAIN(TestRouting)
#include "tst_routing.moc"

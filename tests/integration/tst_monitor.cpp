// The health monitor, breakers, lag-aware routing, read-your-writes and alerts
// against a real primary + streaming replica: replay paused under writes,
// an idle primary, the replica stopped and frozen, a pool held full, and
// several replicas.

#include "FrozenNode.hpp"
#include "SandboxFixture.hpp"
#include "WaitFor.hpp"

#include "common/Errors.hpp"
#include "config/SettingsLoader.hpp"
#include "engine/Engine.hpp"
#include "engine/PrometheusExport.hpp"
#include "metrics/MetricsServer.hpp"
#include "topology/Sandbox.hpp"

#include <QtTest>

#include <atomic>
#include <thread>

using namespace std::chrono_literals;
using pulse::ReplicaState;
using pulse::Target;

namespace {

using Overrides = std::vector<std::pair<std::string, std::string>>;

// A fast monitor and low thresholds, so each scenario plays out in seconds.
std::unique_ptr<pulse::Engine> makeEngine(Overrides overrides = {})
{
    pulse::LoadOptions options;
    options.useDefaultEnvFile = false;
    options.sandbox =
        pulse::SettingsLayer{{pulse::SourceKind::Sandbox, "sandbox (test)"}, SandboxFixture::settingsValues()};
    options.commandLine = {{"DB_POOL_SIZE", "4"},
                           {"DB_MAX_OVERFLOW", "4"},
                           {"DB_REPLICA_POOL_SIZE", "4"},
                           {"DB_REPLICA_MAX_OVERFLOW", "0"},
                           {"DB_REPLICA_POOL_TIMEOUT", "1"},
                           {"DB_CONNECT_TIMEOUT", "2"},
                           {"MONITOR_INTERVAL_MS", "100"},
                           {"MONITOR_PROBE_TIMEOUT_MS", "90"},
                           {"BREAKER_OPEN_SECONDS", "0.5"},
                           {"REPLICA_MAX_LAG_SECONDS", "1"},
                           {"REPLICA_MAX_LAG_BYTES", "0"},
                           {"REPLICA_READMIT_SECONDS", "1"},
                           {"ALERT_LAG_WARNING_SECONDS", "1"},
                           {"ALERT_LAG_CRITICAL_SECONDS", "60"},
                           {"ALERT_CLEAR_SECONDS", "0.3"}};
    for (auto& kv : overrides)
        options.commandLine.push_back(std::move(kv));
    return std::make_unique<pulse::Engine>(pulse::SettingsLoader::load(options));
}

bool ranOnReplica(pulse::Session& session)
{
    return session.exec("SELECT pg_is_in_recovery()").boolean(0, 0);
}

// A copy: the snapshot it comes from may be the last reference to it.
std::optional<pulse::NodeStatus> replicaOf(const std::shared_ptr<const pulse::TopologyStatus>& status,
                                           const std::string& name = "replica")
{
    const pulse::NodeStatus* node = status ? status->node(name) : nullptr;
    return node ? std::optional<pulse::NodeStatus>(*node) : std::nullopt;
}

bool hasAlert(pulse::Engine& engine, const std::string& rule, pulse::AlertSeverity severity)
{
    for (const auto& a : engine.alerts().active())
        if (a.rule == rule && a.severity == severity)
            return true;
    return false;
}

bool hasAnyAlert(pulse::Engine& engine, const std::string& rule)
{
    for (const auto& a : engine.alerts().active())
        if (a.rule == rule)
            return true;
    return false;
}

// Waits for `cycles` more monitor cycles: a condition, not a sleep.
bool waitCycles(pulse::Engine& engine, std::uint64_t cycles, std::chrono::milliseconds bound = 10s)
{
    const auto start = engine.monitor().stats().cycles;
    return waitFor([&] { return engine.monitor().stats().cycles >= start + cycles; }, bound);
}

// Writes on the primary until stopped: WAL for the replica to fall behind on.
class Writer {
public:
    explicit Writer(pulse::Router& router) : m_thread([this, &router] {
        while (!m_stop) {
            try {
                auto s = router.writeSession("INSERT");
                s.exec("INSERT INTO monitor_test(payload) SELECT repeat('x', 200) FROM generate_series(1, 50)");
                ++m_writes;
            } catch (const std::exception&) {
                ++m_errors;
            }
        }
    })
    {
    }
    ~Writer()
    {
        m_stop = true;
        m_thread.join();
    }
    int writes() const { return m_writes; }

private:
    std::atomic<bool> m_stop{false};
    std::atomic<int> m_writes{0}, m_errors{0};
    std::thread m_thread;
};

}  // namespace

class TestMonitor : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void cleanup();
    void statusReportsRolesLsnAndReplication();
    void pausedReplayRaisesLagAndMovesReads();
    void idlePrimaryIsNoLag();
    void stoppedReplicaOpensBreakerAndFallsBack();
    void frozenReplicaNeverStallsTheMonitor();
    void readYourWritesWithReplayPaused();
    void poolHeldFullRaisesUtilisationAlert();
    void readsSpreadOverSeveralReplicas();
    void metricsExposition();
};

void TestMonitor::initTestCase()
{
    SandboxFixture::instance();
    auto engine = makeEngine();
    auto s = engine->router().writeSession("admin_configuration");
    s.exec("CREATE TABLE IF NOT EXISTS monitor_test (id bigserial PRIMARY KEY, payload text)");
}

void TestMonitor::cleanupTestCase()
{
    SandboxFixture::teardown();
}

void TestMonitor::init()
{
    SandboxFixture::ensureBothRunning();
}

void TestMonitor::cleanup()
{
    // A failed test must not leave replay paused for the next one.
    try {
        SandboxFixture::instance().resumeReplay();
    } catch (const std::exception&) {
    }
}

void TestMonitor::statusReportsRolesLsnAndReplication()
{
    auto engine = makeEngine();
    const auto status = engine->status();
    const auto* primary = status.node("primary");
    const auto* replica = status.node("replica");
    QVERIFY(primary && replica);
    QCOMPARE(primary->role, std::string("primary"));
    QCOMPARE(replica->role, std::string("replica"));
    QVERIFY(primary->lsn.has_value() && *primary->lsn > 0);
    QVERIFY(primary->timeline >= 1);
    QCOMPARE(primary->replicationRows.size(), std::size_t(1));
    QCOMPARE(primary->replicationRows[0].state, std::string("streaming"));
    QVERIFY(replica->replication.has_value());
    QCOMPARE(replica->walReceiverStatus, std::string("streaming"));
    QVERIFY(replica->breaker.state == pulse::BreakerState::Closed);
}

void TestMonitor::pausedReplayRaisesLagAndMovesReads()
{
    auto engine = makeEngine();
    auto& router = engine->router();
    engine->startMonitor();
    {
        auto before = router.readSession();
        QCOMPARE(before.target(), Target::Replica);
    }
    SandboxFixture::instance().pauseReplay();
    std::optional<Writer> writer(std::in_place, router);

    // Bytes and seconds both rise; the state says paused, not just "lagging".
    QVERIFY(waitFor([&] {
        const auto r = replicaOf(engine->latestStatus());
        return r && r->replication && r->replication->state == ReplicaState::ReplayPaused &&
               r->replication->lagBytes.value_or(0) > 0 && r->replication->lagSeconds.value_or(0) > 1.2;
    }));
    const auto paused = replicaOf(engine->latestStatus());
    const double firstLag = *paused->replication->lagSeconds;
    QVERIFY(waitFor([&] {
        const auto r = replicaOf(engine->latestStatus());
        return r && r->replication->lagSeconds.value_or(0) > firstLag + 0.3;
    }));
    QVERIFY(hasAlert(*engine, "replication_lag", pulse::AlertSeverity::Warning));
    QVERIFY(hasAlert(*engine, "replay_paused", pulse::AlertSeverity::Warning));

    // Lag-aware routing: reads go to the primary and the log says why.
    {
        auto s = router.readSession();
        QCOMPARE(s.target(), Target::Primary);
        QVERIFY(!ranOnReplica(s));
        QVERIFY2(s.decision().reason.find("lag") != std::string::npos, s.decision().reason.c_str());
    }

    writer.reset();
    SandboxFixture::instance().resumeReplay();
    // Caught up: alerts clear, and reads return only after the readmit time.
    QVERIFY(waitFor([&] {
        const auto r = replicaOf(engine->latestStatus());
        return r && r->replication->state == ReplicaState::CaughtUp;
    }));
    const auto caughtUp = std::chrono::steady_clock::now();
    {
        auto s = router.readSession();
        QCOMPARE(s.target(), Target::Primary);  // still within REPLICA_READMIT_SECONDS
    }
    QVERIFY(waitFor([&] { return !hasAnyAlert(*engine, "replication_lag") && !hasAnyAlert(*engine, "replay_paused"); }));
    QVERIFY(waitFor([&] {
        auto s = router.readSession();
        return s.target() == Target::Replica && ranOnReplica(s);
    }));
    QVERIFY(std::chrono::steady_clock::now() - caughtUp >= 800ms);  // readmit 1 s, less one monitor cycle

    bool sawCleared = false;
    for (const auto& e : engine->alerts().history())
        sawCleared = sawCleared || (e.kind == pulse::AlertEvent::Kind::Cleared && e.alert.rule == "replication_lag");
    QVERIFY(sawCleared);
}

void TestMonitor::idlePrimaryIsNoLag()
{
    auto engine = makeEngine();
    {
        auto s = engine->router().writeSession("INSERT");
        s.exec("INSERT INTO monitor_test(payload) VALUES ('before idle')");
    }
    engine->startMonitor();
    // Longer than the 1 s lag threshold with nothing written: the last
    // replayed commit gets old, but the replica is not behind.
    QVERIFY(waitFor([&] {
        const auto r = replicaOf(engine->latestStatus());
        return r && r->secondsSinceLastReplay.value_or(0) > 2.0;
    }));
    const auto r = replicaOf(engine->latestStatus());
    QCOMPARE(r->replication->state, ReplicaState::CaughtUp);
    QCOMPARE(r->replication->lagSeconds.value_or(-1), 0.0);
    QCOMPARE(r->replication->lagBytes.value_or(-1), std::int64_t(0));
    QVERIFY(engine->alerts().active().empty());
    QVERIFY(engine->alerts().history().empty());
    auto s = engine->router().readSession();
    QCOMPARE(s.target(), Target::Replica);
}

void TestMonitor::stoppedReplicaOpensBreakerAndFallsBack()
{
    auto engine = makeEngine();
    engine->startMonitor();
    QVERIFY(waitCycles(*engine, 2));
    SandboxFixture::instance().stop(pulse::SandboxNode::Replica, pulse::StopMode::Fast);
    const auto stopped = std::chrono::steady_clock::now();
    QVERIFY(waitFor([&] {
        const auto r = replicaOf(engine->latestStatus());
        return r && r->replication && r->replication->state == ReplicaState::Down;
    }));
    const auto r = replicaOf(engine->latestStatus());
    QVERIFY(!r->replication->lagSeconds.has_value());  // unknown, never 0
    QVERIFY(r->breaker.state != pulse::BreakerState::Closed);
    QVERIFY(!r->breaker.tripReason.empty());
    QVERIFY(waitFor([&] { return hasAlert(*engine, "replica_down", pulse::AlertSeverity::Critical); }));
    QVERIFY(std::chrono::steady_clock::now() - stopped < 5s);
    {
        auto s = engine->router().readSession();
        QCOMPARE(s.target(), Target::Primary);
        QVERIFY2(s.decision().reason.find("breaker") != std::string::npos, s.decision().reason.c_str());
    }
    QVERIFY(engine->latestStatus()->verdict.find("replica down") != std::string::npos);

    SandboxFixture::instance().start(pulse::SandboxNode::Replica);
    QVERIFY(waitFor([&] {
        auto s = engine->router().readSession();
        return s.target() == Target::Replica && ranOnReplica(s);
    }, 20s));
    QVERIFY(waitFor([&] { return !hasAnyAlert(*engine, "replica_down"); }));
}

void TestMonitor::frozenReplicaNeverStallsTheMonitor()
{
    auto engine = makeEngine();
    engine->startMonitor();
    QVERIFY(waitCycles(*engine, 2));
    std::optional<FrozenNode> frozen(std::in_place, SandboxFixture::instance().dataDir(pulse::SandboxNode::Replica));
    QVERIFY(frozen->processCount() > 1);
    const auto froze = std::chrono::steady_clock::now();
    QVERIFY(waitFor([&] {
        const auto r = replicaOf(engine->latestStatus());
        return r && !r->reachable && r->breaker.state != pulse::BreakerState::Closed;
    }));
    const auto detected = std::chrono::steady_clock::now() - froze;
    QVERIFY2(detected < 2s, "a frozen replica is seen within a few monitor cycles");
    QVERIFY(waitFor([&] { return hasAlert(*engine, "replica_down", pulse::AlertSeverity::Critical); }));

    // Cycles keep their pace, and the primary is still probed.
    QVERIFY(waitCycles(*engine, 5, 3s));
    QVERIFY(engine->monitor().stats().lastCycleMs < 400);
    QVERIFY(engine->latestStatus()->node("primary")->reachable);

    // Reads go straight to the primary: the open breaker spares them the frozen node.
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 5; ++i) {
        auto s = engine->router().readSession();
        QCOMPARE(s.target(), Target::Primary);
        QVERIFY(!ranOnReplica(s));
    }
    QVERIFY(std::chrono::steady_clock::now() - start < 1s);
    frozen.reset();
    QVERIFY(waitFor([&] {
        const auto r = replicaOf(engine->latestStatus());
        return r && r->reachable && r->breaker.state == pulse::BreakerState::Closed;
    }, 20s));
}

void TestMonitor::readYourWritesWithReplayPaused()
{
    auto engine = makeEngine({{"READ_YOUR_WRITES_WAIT_MS", "50"}});
    auto& router = engine->router();

    // Replica keeping up: the token's read stays on the replica and sees the write.
    pulse::ConsistencyToken token;
    {
        auto w = router.writeSession("INSERT");
        w.exec("INSERT INTO monitor_test(payload) VALUES ('ryw-1')");
        token = w.consistencyToken();
    }
    QVERIFY(token.lsn > 0);
    {
        auto r = router.readSession(token);
        QCOMPARE(r.target(), Target::Replica);
        QCOMPARE(r.exec("SELECT count(*) FROM monitor_test WHERE payload = 'ryw-1'").text(0, 0), std::string("1"));
    }

    // Replay paused: the just-committed write is not on the replica, so the
    // token's read runs on the primary and sees it; a read without a token
    // still goes to the replica (its lag is under the limit).
    SandboxFixture::instance().pauseReplay();
    {
        auto w = router.writeSession("INSERT");
        w.exec("INSERT INTO monitor_test(payload) VALUES ('ryw-2')");
        token = w.consistencyToken();
    }
    {
        auto r = router.readSession(token);
        QCOMPARE(r.target(), Target::Primary);
        QVERIFY2(r.decision().reason.find("read-your-writes") != std::string::npos, r.decision().reason.c_str());
        QCOMPARE(r.exec("SELECT count(*) FROM monitor_test WHERE payload = 'ryw-2'").text(0, 0), std::string("1"));
    }
    {
        auto plain = router.readSession();
        QCOMPARE(plain.target(), Target::Replica);
        QCOMPARE(plain.exec("SELECT count(*) FROM monitor_test WHERE payload = 'ryw-2'").text(0, 0),
                 std::string("0"));
    }
    QVERIFY(pulse::ConsistencyToken::parse(token.text())->lsn == token.lsn);
    QVERIFY(!pulse::ConsistencyToken::parse("not-an-lsn"));
}

void TestMonitor::poolHeldFullRaisesUtilisationAlert()
{
    auto engine = makeEngine({{"DB_REPLICA_POOL_SIZE", "2"}, {"ALERT_POOL_UTILISATION_PERCENT", "90"}});
    engine->startMonitor();
    {
        auto a = engine->router().readSession();
        auto b = engine->router().readSession();
        QCOMPARE(a.target(), Target::Replica);
        QCOMPARE(b.target(), Target::Replica);
        QVERIFY(waitFor([&] { return hasAlert(*engine, "pool_utilisation", pulse::AlertSeverity::Warning); }));
        bool namesPool = false;
        for (const auto& alert : engine->alerts().active())
            namesPool = namesPool || (alert.rule == "pool_utilisation" && alert.subject.find("replica") == 0);
        QVERIFY(namesPool);
    }
    QVERIFY(waitFor([&] { return !hasAnyAlert(*engine, "pool_utilisation"); }));
}

void TestMonitor::readsSpreadOverSeveralReplicas()
{
    auto& sandbox = SandboxFixture::instance();
    const std::string port = std::to_string(sandbox.port(pulse::SandboxNode::Replica));
    // The same server twice under two names, plus a replica that does not exist.
    auto engine = makeEngine({{"POSTGRES_REPLICA_HOSTS", "127.0.0.1:" + port + ",localhost:" + port + ",127.0.0.1:1"}});
    QCOMPARE(engine->router().replicas().size(), std::size_t(3));
    engine->startMonitor();
    QVERIFY(waitFor([&] {
        const auto dead = replicaOf(engine->latestStatus(), "replica3");
        return dead && dead->breaker.state != pulse::BreakerState::Closed;
    }));
    // Fewest leases first: holding one replica's session sends the next to the other.
    auto first = engine->router().readSession();
    auto second = engine->router().readSession();
    QCOMPARE(first.target(), Target::Replica);
    QCOMPARE(second.target(), Target::Replica);
    QVERIFY(first.decision().node != second.decision().node);
    QVERIFY(first.decision().node != "replica3" && second.decision().node != "replica3");
    QVERIFY(ranOnReplica(first) && ranOnReplica(second));
    const auto status = engine->latestStatus();
    QCOMPARE(status->replicas().size(), std::size_t(3));
    QVERIFY(status->verdict.find("replica3 down") != std::string::npos);
}

void TestMonitor::metricsExposition()
{
    auto engine = makeEngine();
    {
        auto s = engine->router().readSession();
        s.exec("SELECT 1");
    }
    const auto status = engine->status();
    const std::string text = pulse::toPrometheusText(pulse::collectMetrics(*engine, status));
    for (const char* needle :
         {"pg_replication_lag_seconds{node=\"replica\"} 0", "pg_replication_lag_bytes{node=\"replica\"} 0",
          "pulse_pool_connections_active{pool=\"primary\"}", "pulse_pool_connections_acquire_seconds_bucket",
          "pulse_query_duration_seconds_count{target=\"replica\",operation=\"dashboard_metrics\"} 1",
          "pulse_breaker_state{node=\"replica\"} 0", "pulse_alerts_active{severity=\"critical\"} 0"})
        QVERIFY2(text.find(needle) != std::string::npos, needle);
    for (const auto& [key, value] : SandboxFixture::settingsValues())
        if (key == "POSTGRES_PASSWORD")
            QVERIFY(!value.empty() && text.find(value) == std::string::npos);
}

QTEST_GUILESS_MAIN(TestMonitor)
#include "tst_monitor.moc"

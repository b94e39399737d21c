// Engine::repoint against a real primary + replica, without promoting
// anything: the two roles' endpoints are swapped (the "primary" role on the
// physical replica, the "replica" role on the primary) while a reader thread
// keeps opening read sessions, then swapped back. Where each session ran is
// checked with inet_server_port() on the connection that ran it; closed
// connections with pool stats and pg_stat_activity on each server. Also the
// pool on its own: leases out at a retarget close when returned.

#include "SandboxFixture.hpp"
#include "WaitFor.hpp"

#include "common/Errors.hpp"
#include "config/SettingsLoader.hpp"
#include "engine/Engine.hpp"
#include "pool/ConnectionPool.hpp"
#include "topology/Sandbox.hpp"

#include <QtTest>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

using namespace std::chrono_literals;
using pulse::NodeEndpoint;
using pulse::SandboxNode;
using pulse::Target;

namespace {

int portOf(SandboxNode node)
{
    return SandboxFixture::instance().port(node);
}

NodeEndpoint endpointOf(SandboxNode node)
{
    return {SandboxFixture::instance().host(), portOf(node)};
}

std::unique_ptr<pulse::Engine> makeEngine(std::vector<std::pair<std::string, std::string>> overrides = {})
{
    std::vector<std::pair<std::string, std::string>> values{
        {"DB_POOL_SIZE", "4"},           {"DB_MAX_OVERFLOW", "4"},    {"DB_REPLICA_POOL_SIZE", "4"},
        {"DB_REPLICA_MAX_OVERFLOW", "4"}, {"DB_REPLICA_POOL_TIMEOUT", "2"}, {"DB_CONNECT_TIMEOUT", "2"}};
    for (auto& kv : overrides)
        values.push_back(std::move(kv));
    return std::make_unique<pulse::Engine>(SandboxFixture::settings(std::move(values)));
}

pulse::ConnectionParams paramsFor(SandboxNode node, const std::string& applicationName)
{
    return SandboxFixture::nodeParams(SandboxFixture::instance(), node, applicationName);
}

// A connection for looking at one server from outside the engine.
std::unique_ptr<pulse::PgConnection> observer(SandboxNode node)
{
    auto connection = pulse::PgConnection::open(paramsFor(node, "pulse-test/observer"));
    connection->setDeadline(10s);
    return connection;
}

// Application connections of one role on a server: the pools' connections
// are named "pulse/<role>" until a session sets "pulse/<role>/<profile>";
// the monitor's own probe connection is left out.
long long roleConnections(pulse::PgConnection& server, const std::string& role)
{
    return server
        .exec("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE $1 || '%' "
              "AND application_name NOT LIKE '%/monitor'",
              {"pulse/" + role})
        .integer(0, 0);
}

int serverPort(pulse::Session& session)
{
    return static_cast<int>(session.exec("SELECT inet_server_port()").integer(0, 0));
}

int serverPort(pulse::PgConnection& connection)
{
    return static_cast<int>(connection.exec("SELECT inet_server_port()").integer(0, 0));
}

// Where each role's sessions must run in one phase of the test.
struct Mapping {
    int primaryRole = 0;
    int replicaRole = 0;
};

// Opens read sessions in a loop and checks each against the mapping of the
// phase it ran in. A read that saw the phase change between opening and
// answering straddled a repoint and proves nothing either way: not judged.
class Reader {
public:
    explicit Reader(pulse::Router& router) : m_router(router) {}
    ~Reader() { stop(); }

    void start(int phase, Mapping mapping)
    {
        enter(phase, mapping);
        m_thread = std::thread([this] { loop(); });
    }
    // Call before a repoint: reads in flight during it are not judged.
    void transition() { m_phase.store(kTransition); }
    void enter(int phase, Mapping mapping)
    {
        {
            std::lock_guard lock(m_mutex);
            m_mappings[phase] = mapping;
        }
        m_phase.store(phase);
    }
    void stop()
    {
        m_stop = true;
        if (m_thread.joinable())
            m_thread.join();
    }
    int judged(int phase, Target role) const
    {
        std::lock_guard lock(m_mutex);
        return (role == Target::Primary ? m_onPrimaryRole : m_onReplicaRole)[static_cast<size_t>(phase)];
    }
    std::vector<std::string> problems() const
    {
        std::lock_guard lock(m_mutex);
        return m_problems;
    }

private:
    static constexpr int kTransition = -1;

    void loop()
    {
        while (!m_stop) {
            const int phase = m_phase.load();
            try {
                auto session = m_router.readSession("dashboard_metrics", "dashboard");
                const int port = serverPort(session);
                const Target role = session.target();
                if (phase == kTransition || m_phase.load() != phase)
                    continue;
                std::lock_guard lock(m_mutex);
                const Mapping& expected = m_mappings[phase];
                const int want = role == Target::Primary ? expected.primaryRole : expected.replicaRole;
                (role == Target::Primary ? m_onPrimaryRole : m_onReplicaRole)[static_cast<size_t>(phase)]++;
                if (port != want && m_problems.size() < 10)
                    m_problems.push_back("phase " + std::to_string(phase) + ": a read on the " +
                                         std::string(pulse::targetName(role)) + " role ran on port " +
                                         std::to_string(port) + ", not " + std::to_string(want));
            } catch (const std::exception& e) {
                std::lock_guard lock(m_mutex);
                if (m_problems.size() < 10)
                    m_problems.push_back("phase " + std::to_string(phase) + ": read failed: " + e.what());
            }
        }
    }

    pulse::Router& m_router;
    std::atomic<bool> m_stop{false};
    std::atomic<int> m_phase{0};
    mutable std::mutex m_mutex;
    Mapping m_mappings[3];
    int m_onPrimaryRole[3] = {};
    int m_onReplicaRole[3] = {};
    std::vector<std::string> m_problems;
    std::thread m_thread;
};

QByteArray joined(const std::vector<std::string>& lines)
{
    std::string out;
    for (const auto& line : lines)
        out += line + "\n";
    return QByteArray::fromStdString(out);
}

}  // namespace

class TestEngineRepoint : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void poolRetargetClosesLeasesOnReturn();
    void swapEndpointsWhileReading();
    void swapWithMonitorRunning();
    void repointResetsVerdicts();
    void invalidEndpointChangesNothing();
};

void TestEngineRepoint::initTestCase()
{
    try {
        SandboxFixture::instance();
    } catch (const std::exception& e) {
        QFAIL(e.what());
    }
}

void TestEngineRepoint::cleanupTestCase()
{
    SandboxFixture::teardown();
}

void TestEngineRepoint::init()
{
    try {
        SandboxFixture::ensureBothRunning();
    } catch (const std::exception& e) {
        QFAIL(e.what());
    }
}

void TestEngineRepoint::poolRetargetClosesLeasesOnReturn()
{
    const std::string appName = "pulse-test/retarget";
    pulse::PoolConfig config;
    config.name = "primary";
    config.params = paramsFor(SandboxNode::Primary, appName);
    config.size = 3;
    config.maxOverflow = 2;
    config.timeout = 2000ms;
    auto pool = pulse::ConnectionPool::create(config);
    auto primaryServer = observer(SandboxNode::Primary);

    QCOMPARE(pool->prefill(3), 3);
    auto a = pool->acquire();
    auto b = pool->acquire();
    QCOMPARE(serverPort(*a), portOf(SandboxNode::Primary));
    const std::set<int> oldPids{a->backendPid(), b->backendPid()};
    auto before = pool->stats();
    QCOMPARE(before.idle, 1);
    QCOMPARE(before.checkedOut, 2);

    pool->retarget(paramsFor(SandboxNode::Replica, appName));
    QCOMPARE(pool->params().portNumber(), portOf(SandboxNode::Replica));
    QCOMPARE(pool->config().params.portNumber(), portOf(SandboxNode::Replica));
    QCOMPARE(pool->config().size, 3);
    auto after = pool->stats();
    QCOMPARE(after.idle, 0);  // the idle one is closed at once
    QCOMPARE(after.open, 2);
    QCOMPARE(after.discarded, before.discarded + 1);

    // Leases out at the retarget keep working where they are until returned.
    QCOMPARE(serverPort(*a), portOf(SandboxNode::Primary));
    // A new checkout goes to the new server.
    auto c = pool->acquire();
    QCOMPARE(serverPort(*c), portOf(SandboxNode::Replica));

    a.release();
    b.release();
    after = pool->stats();
    QCOMPARE(after.discarded, before.discarded + 3);  // closed on return, never idle
    QCOMPARE(after.idle, 0);
    QCOMPARE(after.open, 1);
    const int newPid = c->backendPid();
    c.release();
    QCOMPARE(pool->stats().idle, 1);  // a connection of the new generation is kept

    // Only new-server connections come back out.
    for (int i = 0; i < 3; ++i) {
        auto lease = pool->acquire();
        QCOMPARE(serverPort(*lease), portOf(SandboxNode::Replica));
        QVERIFY(!oldPids.contains(lease->backendPid()));
        QCOMPARE(lease->backendPid(), newPid);
    }
    // And the old server saw every one of them go.
    QVERIFY(waitFor([&] {
        return primaryServer
                   ->exec("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", {appName})
                   .integer(0, 0) == 0;
    }));
}

void TestEngineRepoint::swapEndpointsWhileReading()
{
    const int primaryPort = portOf(SandboxNode::Primary);
    const int replicaPort = portOf(SandboxNode::Replica);
    auto engine = makeEngine();
    auto& router = engine->router();
    auto primaryServer = observer(SandboxNode::Primary);
    auto replicaServer = observer(SandboxNode::Replica);

    // Two idle connections in the primary pool, to be closed by the repoint.
    {
        auto write = router.writeSession();
        auto admin = router.adminSession();
        QCOMPARE(serverPort(write), primaryPort);
        QCOMPARE(serverPort(admin), primaryPort);
        write.exec("CREATE TABLE IF NOT EXISTS repoint_rows (id int PRIMARY KEY)");
    }
    const auto primaryBefore = engine->primaryPool()->stats();
    QCOMPARE(primaryBefore.idle, 2);
    QVERIFY(waitFor([&] { return roleConnections(*primaryServer, "primary") == 2; }));

    Reader reader(router);
    reader.start(0, {primaryPort, replicaPort});
    QVERIFY(waitFor([&] { return reader.judged(0, Target::Replica) >= 20; }));

    // Swap: the "primary" role on the physical replica and back.
    reader.transition();
    engine->repoint(endpointOf(SandboxNode::Replica), endpointOf(SandboxNode::Primary));
    reader.enter(1, {replicaPort, primaryPort});
    QCOMPARE(engine->repoints(), std::uint64_t(1));
    QCOMPARE(engine->endpoint(Target::Primary), endpointOf(SandboxNode::Replica));
    QCOMPARE(engine->endpoint(Target::Replica), endpointOf(SandboxNode::Primary));
    const auto current = engine->currentParams(Target::Primary, "check");
    QCOMPARE(current.portNumber(), replicaPort);
    QCOMPARE(current.nodeName(), std::string("primary"));
    QVERIFY(current.masked().find(SandboxFixture::instance().password()) == std::string::npos);
    QCOMPARE(engine->currentParams(Target::Replica).portNumber(), primaryPort);
    QCOMPARE(engine->primaryPool()->params().portNumber(), replicaPort);
    QCOMPARE(engine->replicaPool()->params().portNumber(), primaryPort);
    QCOMPARE(engine->settings().primaryPort, primaryPort);  // the configuration itself stays

    // The idle primary-role connections were closed at once.
    const auto primaryAfter = engine->primaryPool()->stats();
    QCOMPARE(primaryAfter.idle, 0);
    QCOMPARE(primaryAfter.discarded, primaryBefore.discarded + 2);
    QVERIFY(waitFor([&] { return roleConnections(*primaryServer, "primary") == 0; }));

    // Writes and admin sessions now reach the replica, which refuses writes.
    {
        auto admin = router.adminSession();
        QCOMPARE(admin.target(), Target::Primary);
        QCOMPARE(serverPort(admin), replicaPort);
        auto write = router.writeSession("INSERT");
        QCOMPARE(serverPort(write), replicaPort);
        try {
            write.exec("INSERT INTO repoint_rows VALUES (1) ON CONFLICT DO NOTHING");
            QFAIL("a write on the physical replica must fail");
        } catch (const pulse::SqlError& e) {
            QCOMPARE(e.sqlstate(), std::string("25006"));  // read_only_sql_transaction
        }
        QVERIFY(roleConnections(*replicaServer, "primary") >= 2);
    }
    // Reads follow the replica role to the primary's port; the connection the
    // reader held at the repoint was closed on return, none is left behind.
    QVERIFY(waitFor([&] { return reader.judged(1, Target::Replica) >= 20; }));
    QVERIFY(waitFor([&] { return roleConnections(*replicaServer, "replica") == 0; }));
    QVERIFY(roleConnections(*primaryServer, "replica") >= 1);

    // The monitor's next cycle sees the "primary" role in recovery: it is the
    // physical replica now, and the "replica" role is not a standby.
    const auto status = engine->status();
    QVERIFY(status.node("primary")->reachable);
    QVERIFY(status.node("primary")->inRecovery);
    QCOMPARE(status.node("primary")->role, std::string("replica"));
    QCOMPARE(status.node("primary")->endpoint, SandboxFixture::instance().host() + ':' + std::to_string(replicaPort));
    QVERIFY(!status.node("replica")->inRecovery);
    QCOMPARE(status.node("replica")->endpoint, SandboxFixture::instance().host() + ':' + std::to_string(primaryPort));
    QCOMPARE(status.node("replica")->breaker.state, pulse::BreakerState::Open);  // not a standby: no reads

    // Back again: the replica role's breaker opened by that status is reset,
    // so reads return to the replica at once, and writes work again.
    reader.transition();
    engine->repoint(endpointOf(SandboxNode::Primary), endpointOf(SandboxNode::Replica));
    reader.enter(2, {primaryPort, replicaPort});
    QCOMPARE(engine->repoints(), std::uint64_t(2));
    QCOMPARE(engine->endpoint(Target::Primary), endpointOf(SandboxNode::Primary));
    {
        auto read = router.readSession();
        QCOMPARE(read.target(), Target::Replica);
        QCOMPARE(serverPort(read), replicaPort);
        auto write = router.writeSession("INSERT");
        QCOMPARE(serverPort(write), primaryPort);
        write.exec("INSERT INTO repoint_rows VALUES (1) ON CONFLICT DO NOTHING");
    }
    QVERIFY(waitFor([&] { return reader.judged(2, Target::Replica) >= 20; }));
    reader.stop();
    QVERIFY2(reader.problems().empty(), joined(reader.problems()).constData());
    QVERIFY(waitFor([&] { return roleConnections(*replicaServer, "primary") == 0; }));
    const auto back = engine->status();
    QVERIFY(!back.node("primary")->inRecovery);
    QCOMPARE(back.node("replica")->role, std::string("replica"));
}

void TestEngineRepoint::swapWithMonitorRunning()
{
    const int primaryPort = portOf(SandboxNode::Primary);
    const int replicaPort = portOf(SandboxNode::Replica);
    auto engine = makeEngine({{"MONITOR_INTERVAL_MS", "400"}});
    auto& router = engine->router();
    engine->startMonitor();
    QVERIFY(waitFor([&] { return engine->latestStatus() != nullptr; }));

    Reader reader(router);
    reader.start(0, {primaryPort, replicaPort});
    QVERIFY(waitFor([&] { return reader.judged(0, Target::Replica) >= 20; }));

    reader.transition();
    engine->repoint(endpointOf(SandboxNode::Replica), endpointOf(SandboxNode::Primary));
    reader.enter(1, {replicaPort, primaryPort});
    // A cycle under way at the repoint finished before it, so every cycle
    // numbered after this one probed the new endpoints.
    const auto seen = engine->monitor().stats().cycles;
    std::shared_ptr<const pulse::TopologyStatus> status;
    QVERIFY(waitFor([&] {
        status = engine->latestStatus();
        return status && status->cycle > seen;
    }));
    QVERIFY(status->node("primary")->inRecovery);
    QCOMPARE(status->node("primary")->role, std::string("replica"));
    QVERIFY(!status->node("replica")->inRecovery);
    // With the replica role on a server that is no standby, reads fall back
    // to the primary role, which is the replica's port now: either way no
    // read lands where the old endpoints were, and none fails.
    QVERIFY(waitFor([&] { return reader.judged(1, Target::Primary) >= 20; }));

    reader.transition();
    engine->repoint(endpointOf(SandboxNode::Primary), endpointOf(SandboxNode::Replica));
    reader.enter(2, {primaryPort, replicaPort});
    QVERIFY(waitFor([&] { return reader.judged(2, Target::Replica) >= 20; }));
    reader.stop();
    QVERIFY2(reader.problems().empty(), joined(reader.problems()).constData());
    const auto healed = engine->monitor().stats().cycles;
    QVERIFY(waitFor([&] {
        status = engine->latestStatus();
        return status && status->cycle > healed && !status->node("primary")->inRecovery &&
               status->node("replica")->walReceiverStatus == "streaming" &&
               status->node("replica")->breaker.state == pulse::BreakerState::Closed;
    }));
    QCOMPARE(engine->repoints(), std::uint64_t(2));
}

void TestEngineRepoint::repointResetsVerdicts()
{
    auto engine = makeEngine();
    auto& board = engine->healthBoard();
    pulse::NodeHealth* primary = board.find("primary");
    pulse::NodeHealth* replica = board.find("replica");
    QVERIFY(primary && replica);
    primary->breaker.recordFailure("query", "test: old server");
    replica->breaker.recordFailure("query", "test: old server");
    replica->lagGate.update(100.0, 1LL << 40);
    replica->replayLsn.store(123456);
    replica->lagBytes.store(1LL << 40);
    QVERIFY(!primary->breaker.allows());
    QVERIFY(!replica->breaker.allows());
    QVERIFY(!replica->lagGate.admitted());
    QCOMPARE(engine->router().readSession().target(), Target::Primary);  // no replica candidate

    engine->repoint(endpointOf(SandboxNode::Replica), endpointOf(SandboxNode::Primary));
    QVERIFY(primary->breaker.allows());
    QVERIFY(replica->breaker.allows());
    QVERIFY(replica->lagGate.admitted());
    QVERIFY(replica->lagGate.reason().empty());
    QCOMPARE(replica->replayLsn.load(), std::uint64_t(0));  // read-your-writes must not trust the old server
    QCOMPARE(replica->lagBytes.load(), std::int64_t(-1));
    auto read = engine->router().readSession();
    QCOMPARE(read.target(), Target::Replica);
    QCOMPARE(serverPort(read), portOf(SandboxNode::Primary));

    // A role whose endpoint stays put keeps its verdict and its connections.
    primary->breaker.recordFailure("query", "test: same server");
    const auto discarded = engine->primaryPool()->stats().discarded;
    engine->repoint(endpointOf(SandboxNode::Replica), endpointOf(SandboxNode::Replica));
    QVERIFY(!primary->breaker.allows());
    QCOMPARE(engine->primaryPool()->stats().discarded, discarded);
    QCOMPARE(engine->repoints(), std::uint64_t(2));
}

void TestEngineRepoint::invalidEndpointChangesNothing()
{
    auto engine = makeEngine();
    const auto before = engine->endpoint(Target::Primary);
    QVERIFY_THROWS_EXCEPTION(pulse::Error, engine->repoint({"", 5432}, endpointOf(SandboxNode::Replica)));
    QVERIFY_THROWS_EXCEPTION(pulse::Error, engine->repoint(endpointOf(SandboxNode::Replica), {"127.0.0.1", 0}));
    QCOMPARE(engine->endpoint(Target::Primary), before);
    QCOMPARE(engine->repoints(), std::uint64_t(0));
    QCOMPARE(engine->primaryPool()->params().portNumber(), before.port);
}

QTEST_GUILESS_MAIN(TestEngineRepoint)
#include "tst_engine_repoint.moc"

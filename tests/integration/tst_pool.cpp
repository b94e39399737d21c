// ConnectionPool against a real sandbox primary: QueuePool semantics (size
// kept, overflow closed on return, timeout, recycle), broken connections never
// handed out again, transactions rolled back on return, cancellation and the
// client-side deadline.

#include "SandboxFixture.hpp"
#include "WaitFor.hpp"

#include "common/Errors.hpp"
#include "pool/ConnectionPool.hpp"
#include "topology/Sandbox.hpp"

#include <QtTest>

#include <atomic>
#include <future>
#include <set>
#include <thread>

using namespace std::chrono_literals;
using pulse::ConnectionPool;
using pulse::PoolConfig;

namespace {

pulse::ConnectionParams primaryParams()
{
    auto& sandbox = SandboxFixture::instance();
    pulse::ConnectionParams params;
    params.node("primary")
        .host(sandbox.host())
        .port(sandbox.port(pulse::SandboxNode::Primary))
        .user(sandbox.user())
        .password(sandbox.password())
        .database(sandbox.database())
        .connectTimeout(2s)
        .applicationName("pulse-test/pool");
    return params;
}

std::shared_ptr<ConnectionPool> makePool(int size, int overflow, std::chrono::milliseconds timeout = 2000ms,
                                         std::chrono::seconds recycle = 3600s)
{
    PoolConfig config;
    config.name = "primary";
    config.params = primaryParams();
    config.size = size;
    config.maxOverflow = overflow;
    config.timeout = timeout;
    config.recycle = recycle;
    config.sizingHint = "DB_POOL_SIZE / DB_MAX_OVERFLOW";
    return ConnectionPool::create(config);
}

// A separate connection for looking at the server from outside the pool.
std::unique_ptr<pulse::PgConnection> admin()
{
    auto params = primaryParams();
    params.applicationName("pulse-test/admin");
    auto connection = pulse::PgConnection::open(params);
    connection->setDeadline(10s);
    return connection;
}

}  // namespace

class TestPool : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void sizeIsKept();
    void threadGetsBackItsOwnConnection();
    void overflowClosedOnReturn();
    void timeoutNamesPoolAndUsage();
    void waiterServedWhenLeaseReturns();
    void recycleReplacesOldConnection();
    void terminatedBackendNotHandedOutAgain();
    void serverRestartDiscardsAllIdle();
    void openTransactionRolledBackOnReturn();
    void failedTransactionRecoveredOnReturn();
    void concurrentCheckouts();
    void connectFailureIsClearAndMasked();
    void parameterisedQueryAndSqlState();
    void cancelRunningQuery();
    void clientDeadlineAbandonsConnection();
};

void TestPool::initTestCase()
{
    SandboxFixture::instance();
}

void TestPool::cleanupTestCase()
{
    SandboxFixture::teardown();
}

void TestPool::init()
{
    SandboxFixture::ensureBothRunning();
}

void TestPool::sizeIsKept()
{
    auto pool = makePool(2, 0);
    std::set<int> pids;
    {
        auto a = pool->acquire();
        auto b = pool->acquire();
        pids = {a->backendPid(), b->backendPid()};
        QCOMPARE(pool->stats().checkedOut, 2);
        QCOMPARE(pool->stats().open, 2);
    }
    auto s = pool->stats();
    QCOMPARE(s.idle, 2);
    QCOMPARE(s.checkedOut, 0);
    QCOMPARE(s.created, std::uint64_t(2));
    // Reused, not reopened.
    for (int i = 0; i < 10; ++i) {
        auto lease = pool->acquire();
        QVERIFY(pids.contains(lease->backendPid()));
    }
    QCOMPARE(pool->stats().created, std::uint64_t(2));
}

void TestPool::threadGetsBackItsOwnConnection()
{
    auto pool = makePool(2, 0);
    auto mine = pool->acquire();
    auto theirs = pool->acquire();
    const int minePid = mine->backendPid();
    const int theirsPid = theirs->backendPid();
    mine = pulse::PoolLease();  // returned by this thread
    // Returned by another thread, so it is on top of the idle stack: plain
    // LIFO would hand it to this thread next.
    std::async(std::launch::async, [lease = std::move(theirs)]() mutable { lease = pulse::PoolLease(); }).get();
    QCOMPARE(pool->stats().idle, 2);
    QCOMPARE(pool->acquire()->backendPid(), minePid);
    QCOMPARE(pool->stats().created, std::uint64_t(2));
    QVERIFY(minePid != theirsPid);
}

void TestPool::overflowClosedOnReturn()
{
    auto pool = makePool(2, 2);
    {
        std::vector<pulse::PoolLease> leases;
        for (int i = 0; i < 4; ++i)
            leases.push_back(pool->acquire());
        const auto s = pool->stats();
        QCOMPARE(s.open, 4);
        QCOMPARE(s.overflowInUse, 2);
        QCOMPARE(s.utilisationPercent, 100.0);
    }
    const auto s = pool->stats();
    QCOMPARE(s.open, 2);
    QCOMPARE(s.idle, 2);
    QCOMPARE(s.overflowInUse, 0);
    QCOMPARE(s.overflowClosed, std::uint64_t(2));
    QVERIFY2(QString::fromStdString(s.statusLine()).contains(QStringLiteral("Connections in pool: 2")), s.statusLine().c_str());
}

void TestPool::timeoutNamesPoolAndUsage()
{
    auto pool = makePool(1, 1, 300ms);
    auto a = pool->acquire();
    auto b = pool->acquire();
    const auto start = std::chrono::steady_clock::now();
    try {
        auto c = pool->acquire();
        QFAIL("a third checkout must time out");
    } catch (const pulse::PoolTimeoutError& e) {
        const auto waited = std::chrono::steady_clock::now() - start;
        QVERIFY(waited >= 300ms);
        QVERIFY2(waited < 2000ms, "the wait is bounded by pool_timeout");
        const QString message = QString::fromUtf8(e.what());
        QVERIFY2(message.contains(QStringLiteral("pool 'primary'")), e.what());
        QVERIFY2(message.contains(QStringLiteral("all 2 connections are checked out")), e.what());
        QVERIFY2(message.contains(QStringLiteral("pool_timeout 0.30 s")), e.what());
        QVERIFY2(message.contains(QStringLiteral("DB_POOL_SIZE")), e.what());
        QCOMPARE(e.pool(), std::string("primary"));
    }
    QCOMPARE(pool->stats().timeouts, std::uint64_t(1));
}

void TestPool::waiterServedWhenLeaseReturns()
{
    auto pool = makePool(1, 0, 10'000ms);
    auto held = std::make_unique<pulse::PoolLease>(pool->acquire());
    const int pid = (*held)->backendPid();
    auto waiter = std::async(std::launch::async, [&] { return pool->acquire()->backendPid(); });
    QVERIFY(waitFor([&] { return pool->stats().waiters == 1; }));
    held.reset();
    QCOMPARE(waiter.wait_for(5s), std::future_status::ready);
    QCOMPARE(waiter.get(), pid);
}

void TestPool::recycleReplacesOldConnection()
{
    auto pool = makePool(1, 0, 2000ms, 1s);
    int firstPid = 0;
    {
        auto lease = pool->acquire();
        firstPid = lease->backendPid();
    }
    {
        auto lease = pool->acquire();  // still young: the same connection
        QCOMPARE(lease->backendPid(), firstPid);
    }
    // pool_recycle is about age: let the connection grow older than 1 s.
    std::this_thread::sleep_for(1100ms);
    auto lease = pool->acquire();
    QVERIFY(lease->backendPid() != firstPid);
    QCOMPARE(lease->exec("SELECT 1").integer(0, 0), 1LL);
    QCOMPARE(pool->stats().recycled, std::uint64_t(1));
}

void TestPool::terminatedBackendNotHandedOutAgain()
{
    auto pool = makePool(1, 0);
    int pid = 0;
    {
        auto lease = pool->acquire();
        pid = lease->backendPid();
    }
    auto watcher = admin();
    QVERIFY(watcher->exec("SELECT pg_terminate_backend($1)", {std::to_string(pid)}).boolean(0, 0));
    QVERIFY(waitFor([&] {
        return watcher->exec("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", {std::to_string(pid)})
                   .integer(0, 0) == 0;
    }));
    // No query has touched the dead connection yet; checkout must notice.
    auto lease = pool->acquire();
    QVERIFY(lease->backendPid() != pid);
    QCOMPARE(lease->exec("SELECT 1").integer(0, 0), 1LL);
    QCOMPARE(pool->stats().discarded, std::uint64_t(1));
}

void TestPool::serverRestartDiscardsAllIdle()
{
    auto pool = makePool(3, 0);
    QCOMPARE(pool->prefill(3), 3);
    SandboxFixture::instance().restart(pulse::SandboxNode::Primary);
    std::vector<pulse::PoolLease> leases;
    for (int i = 0; i < 3; ++i) {
        leases.push_back(pool->acquire());
        QCOMPARE(leases.back()->exec("SELECT 1").integer(0, 0), 1LL);
    }
    QCOMPARE(pool->stats().discarded, std::uint64_t(3));
}

void TestPool::openTransactionRolledBackOnReturn()
{
    auto pool = makePool(1, 0);
    {
        auto lease = pool->acquire();
        lease->exec("CREATE TABLE IF NOT EXISTS pool_tx (id int)");
        lease->exec("TRUNCATE pool_tx");
        lease->exec("BEGIN");
        lease->exec("INSERT INTO pool_tx VALUES (1)");
        QVERIFY(lease->inTransaction());
    }  // returned mid-transaction
    auto lease = pool->acquire();
    QCOMPARE(lease->transactionStatus(), PQTRANS_IDLE);
    QCOMPARE(lease->exec("SELECT count(*) FROM pool_tx").integer(0, 0), 0LL);
    QCOMPARE(pool->stats().discarded, std::uint64_t(0));
}

void TestPool::failedTransactionRecoveredOnReturn()
{
    auto pool = makePool(1, 0);
    int pid = 0;
    {
        auto lease = pool->acquire();
        pid = lease->backendPid();
        lease->exec("BEGIN");
        QVERIFY_THROWS_EXCEPTION(pulse::SqlError, lease->exec("SELECT 1/0"));
        QCOMPARE(lease->transactionStatus(), PQTRANS_INERROR);
    }
    auto lease = pool->acquire();
    QCOMPARE(lease->backendPid(), pid);
    QCOMPARE(lease->exec("SELECT 2").integer(0, 0), 2LL);
}

void TestPool::concurrentCheckouts()
{
    auto pool = makePool(4, 0, 10'000ms);
    std::atomic<int> errors{0};
    std::atomic<int> maxSeen{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 100; ++i) {
                try {
                    auto lease = pool->acquire();
                    lease->exec("SELECT 1");
                    const int open = pool->stats().open;
                    int seen = maxSeen.load();
                    while (open > seen && !maxSeen.compare_exchange_weak(seen, open)) {
                    }
                } catch (const std::exception&) {
                    ++errors;
                }
            }
        });
    for (auto& t : threads)
        t.join();
    QCOMPARE(errors.load(), 0);
    QVERIFY(maxSeen.load() <= 4);
    const auto s = pool->stats();
    QCOMPARE(s.checkouts, std::uint64_t(800));
    QCOMPARE(s.checkedOut, 0);
    QVERIFY(s.acquireWait.count == 800);
}

void TestPool::connectFailureIsClearAndMasked()
{
    PoolConfig config;
    config.name = "replica";
    config.params = primaryParams();
    config.params.node("replica").port(1);  // nothing listens there
    config.size = 1;
    config.maxOverflow = 0;
    auto pool = ConnectionPool::create(config);
    try {
        pool->acquire();
        QFAIL("connect to a closed port must fail");
    } catch (const pulse::ConnectionError& e) {
        const std::string message = e.what();
        QVERIFY2(message.find("cannot connect to replica") != std::string::npos, e.what());
        QVERIFY2(message.find("password=********") != std::string::npos, e.what());
        QVERIFY2(message.find(SandboxFixture::instance().password()) == std::string::npos, "password leaked");
    }
    const auto s = pool->stats();
    QCOMPARE(s.connectionErrors, std::uint64_t(1));
    QCOMPARE(s.open, 0);
    QCOMPARE(s.checkedOut, 0);
}

void TestPool::parameterisedQueryAndSqlState()
{
    auto pool = makePool(1, 0);
    auto lease = pool->acquire();
    // A parameter is data, never SQL.
    const auto r = lease->exec("SELECT $1::text, $2::int + 1, $3::text IS NULL", {"'; DROP TABLE x; --", "41", std::nullopt});
    QCOMPARE(r.text(0, 0), std::string("'; DROP TABLE x; --"));
    QCOMPARE(r.integer(0, 1), 42LL);
    QVERIFY(r.boolean(0, 2));
    try {
        lease->exec("SELECT * FROM no_such_table");
        QFAIL("must throw");
    } catch (const pulse::SqlError& e) {
        QCOMPARE(e.sqlstate(), std::string("42P01"));
    }
    QCOMPARE(lease->exec("SELECT 1").integer(0, 0), 1LL);
}

void TestPool::cancelRunningQuery()
{
    auto pool = makePool(1, 0);
    auto lease = pool->acquire();
    const int pid = lease->backendPid();
    pulse::PgConnection& connection = lease.connection();
    auto running = std::async(std::launch::async, [&] {
        try {
            connection.exec("SELECT pg_sleep(30)");
            return std::string("finished");
        } catch (const pulse::SqlError& e) {
            return e.sqlstate();
        }
    });
    auto watcher = admin();
    QVERIFY(waitFor([&] {
        return watcher->exec("SELECT count(*) FROM pg_stat_activity WHERE pid = $1 AND state = 'active'",
                             {std::to_string(pid)}).integer(0, 0) == 1;
    }));
    QVERIFY(connection.cancel());
    QCOMPARE(running.wait_for(5s), std::future_status::ready);
    QCOMPARE(running.get(), std::string("57014"));
    QCOMPARE(connection.exec("SELECT 1").integer(0, 0), 1LL);
}

void TestPool::clientDeadlineAbandonsConnection()
{
    auto pool = makePool(1, 0);
    {
        auto lease = pool->acquire();
        lease->setDeadline(300ms);
        const auto start = std::chrono::steady_clock::now();
        QVERIFY_THROWS_EXCEPTION(pulse::QueryTimeoutError, lease->exec("SELECT pg_sleep(5)"));
        QVERIFY(std::chrono::steady_clock::now() - start < 2s);
        QVERIFY(lease->isBroken());
    }
    QCOMPARE(pool->stats().discarded, std::uint64_t(1));
    QCOMPARE(pool->acquire()->exec("SELECT 1").integer(0, 0), 1LL);
}

QTEST_GUILESS_MAIN(TestPool)
#include "tst_pool.moc"

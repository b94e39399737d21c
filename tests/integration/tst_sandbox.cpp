// Integration test of the sandbox topology: real servers, no mocks.
// The shared fixture topology serves every test; the guardian test builds a
// sandbox in a child process, and the last test promotes the shared replica
// and tears the sandbox down.

#include "QtTry.hpp"
#include "SandboxFixture.hpp"
#include "common/Errors.hpp"
#include "topology/Postmaster.hpp"
#include "topology/Sandbox.hpp"

#include <QtTest>

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <libpq-fe.h>
#include <memory>
#include <optional>
#include <poll.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

using pulse::postmasterPid;
using pulse::processAlive;
using pulse::Sandbox;
using pulse::SandboxNode;
using pulse::StopMode;
namespace fs = std::filesystem;

Q_DECLARE_METATYPE(pulse::SandboxNode)
Q_DECLARE_METATYPE(pulse::StopMode)

namespace {

using PgConn = std::unique_ptr<PGconn, decltype(&PQfinish)>;
using PgResult = std::unique_ptr<PGresult, decltype(&PQclear)>;

constexpr int kReplicationWaitMs = 10'000;

// The way an application connects: TCP with the SCRAM password.
PgConn connectTo(const Sandbox& sandbox, SandboxNode node)
{
    const std::string port = std::to_string(sandbox.port(node));
    const std::string host = sandbox.host(), user = sandbox.user(), password = sandbox.password(),
                      database = sandbox.database();
    const char* keys[] = {"host", "port", "user", "password", "dbname", "connect_timeout", "sslmode", nullptr};
    const char* values[]
        = {host.c_str(), port.c_str(), user.c_str(), password.c_str(), database.c_str(), "2", "disable", nullptr};
    return PgConn(PQconnectdbParams(keys, values, 0), &PQfinish);
}

// First value of the first row; nullopt on any failure (never throws, so it
// can sit inside QTRY_* conditions).
std::optional<std::string> scalar(const Sandbox& sandbox, SandboxNode node, const std::string& sql)
{
    PgConn conn = connectTo(sandbox, node);
    if (PQstatus(conn.get()) != CONNECTION_OK)
        return std::nullopt;
    PgResult result(PQexec(conn.get(), sql.c_str()), &PQclear);
    const auto status = PQresultStatus(result.get());
    if (status == PGRES_COMMAND_OK)
        return std::string();
    if (status != PGRES_TUPLES_OK || PQntuples(result.get()) < 1)
        return std::nullopt;
    return std::string(PQgetvalue(result.get(), 0, 0));
}

bool canConnect(const Sandbox& sandbox, SandboxNode node)
{
    return PQstatus(connectTo(sandbox, node).get()) == CONNECTION_OK;
}

// Any live process whose command line mentions `needle` (a postmaster runs
// as "postgres -D <dataDir>").
bool anyProcessMentions(const std::string& needle)
{
    for (const auto& entry : fs::directory_iterator("/proc")) {
        const std::string name = entry.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos || std::stoi(name) == ::getpid())
            continue;
        std::ifstream in(entry.path() / "cmdline", std::ios::binary);
        std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (cmdline.find(needle) != std::string::npos && processAlive(std::stoi(name)))
            return true;
    }
    return false;
}

fs::path makeTempDir()
{
    char dir[] = "/tmp/pulse-tst-sandbox-XXXXXX";
    if (::mkdtemp(dir) == nullptr)
        return {};
    return dir;
}

// Lsn comparison on the server: pg_lsn is not a number we can compare as text.
bool lsnAtLeast(const Sandbox& sandbox, SandboxNode node, const std::string& expression, const std::string& lsn)
{
    return scalar(sandbox, node, "SELECT (" + expression + ") >= '" + lsn + "'::pg_lsn").value_or("f") == "t";
}

} // namespace


class TestSandbox : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanupTestCase();

    void nodesHaveTheirRoles();
    void settingsPointAtTheSandbox();
    void rowReachesTheReplica();
    void stopAndStart_data();
    void stopAndStart();
    void pausedReplayHoldsRowsBack();
    void openReadsTheSameSandbox();
    void createRefusesAnExistingSandbox();
    void openWithoutSandboxExplains();
    void guardianCleansUpAfterSigkill();
    void promoteThenTeardown(); // last: it consumes the shared sandbox

private:
    Sandbox* m_sandbox = nullptr;
    QElapsedTimer m_clock;
};

void TestSandbox::initTestCase()
{
    m_clock.start();
    PULSE_TRY(m_sandbox = &SandboxFixture::instance());
    qInfo("sandbox up in %lld ms: %s", static_cast<long long>(m_clock.elapsed()), m_sandbox->describe().c_str());
}

void TestSandbox::init()
{
    PULSE_TRY(SandboxFixture::ensureBothRunning());
}

void TestSandbox::cleanupTestCase()
{
    // promoteThenTeardown() already removed it, unless a failure skipped that.
    SandboxFixture::teardown();
    m_sandbox = nullptr;
    qInfo("whole test: %lld ms", static_cast<long long>(m_clock.elapsed()));
}

void TestSandbox::nodesHaveTheirRoles()
{
    QCOMPARE(scalar(*m_sandbox, SandboxNode::Primary, "SELECT pg_is_in_recovery()"), std::optional<std::string>("f"));
    QCOMPARE(scalar(*m_sandbox, SandboxNode::Replica, "SELECT pg_is_in_recovery()"), std::optional<std::string>("t"));
    QVERIFY(m_sandbox->isRunning(SandboxNode::Primary));
    QVERIFY(m_sandbox->isRunning(SandboxNode::Replica));
    // The replica streams through the slot pg_basebackup -C created.
    QCOMPARE(scalar(*m_sandbox, SandboxNode::Primary,
                 "SELECT active::text FROM pg_replication_slots WHERE slot_name = 'pulse_replica'"),
        std::optional<std::string>("true"));
    // Sockets stay private to the sandbox.
    QCOMPARE(scalar(*m_sandbox, SandboxNode::Primary, "SHOW unix_socket_directories"),
        std::optional<std::string>(m_sandbox->socketDir().string()));
}

void TestSandbox::settingsPointAtTheSandbox()
{
    std::vector<std::pair<std::string, std::string>> values;
    PULSE_TRY(values = SandboxFixture::settingsValues());
    auto value = [&values](const std::string& key) {
        for (const auto& [k, v] : values)
            if (k == key)
                return v;
        return std::string("<missing>");
    };
    QCOMPARE(value("POSTGRES_HOST"), std::string("127.0.0.1"));
    QCOMPARE(value("POSTGRES_PORT"), std::to_string(m_sandbox->port(SandboxNode::Primary)));
    QCOMPARE(value("POSTGRES_USER"), std::string("pulse_user"));
    QCOMPARE(value("POSTGRES_PASSWORD"), m_sandbox->password());
    QCOMPARE(value("POSTGRES_DATABASE"), std::string("pulse_db"));
    QCOMPARE(value("POSTGRES_REPLICA_HOST"), std::string("127.0.0.1"));
    QCOMPARE(value("POSTGRES_REPLICA_PORT"), std::to_string(m_sandbox->port(SandboxNode::Replica)));
    QVERIFY(m_sandbox->password().size() >= 24);
    QVERIFY(m_sandbox->describe().find(m_sandbox->password()) == std::string::npos);
    QVERIFY(m_sandbox->port(SandboxNode::Primary) != m_sandbox->port(SandboxNode::Replica));
}

void TestSandbox::rowReachesTheReplica()
{
    QVERIFY(scalar(
        *m_sandbox, SandboxNode::Primary, "CREATE TABLE IF NOT EXISTS sandbox_probe (id int PRIMARY KEY, note text)"));
    QVERIFY(scalar(*m_sandbox, SandboxNode::Primary, "INSERT INTO sandbox_probe VALUES (1, 'streamed')"));
    QTRY_VERIFY_WITH_TIMEOUT(scalar(*m_sandbox, SandboxNode::Replica, "SELECT note FROM sandbox_probe WHERE id = 1")
            == std::optional<std::string>("streamed"),
        kReplicationWaitMs);
}

void TestSandbox::stopAndStart_data()
{
    QTest::addColumn<SandboxNode>("node");
    QTest::addColumn<StopMode>("mode");
    QTest::addRow("primary fast") << SandboxNode::Primary << StopMode::Fast;
    QTest::addRow("primary immediate") << SandboxNode::Primary << StopMode::Immediate;
    QTest::addRow("replica fast") << SandboxNode::Replica << StopMode::Fast;
    QTest::addRow("replica immediate") << SandboxNode::Replica << StopMode::Immediate;
    QTest::addRow("replica smart") << SandboxNode::Replica << StopMode::Smart;
}

void TestSandbox::stopAndStart()
{
    QFETCH(SandboxNode, node);
    QFETCH(StopMode, mode);

    PULSE_TRY(m_sandbox->stop(node, mode));
    QVERIFY(!m_sandbox->isRunning(node));
    QVERIFY(!canConnect(*m_sandbox, node));
    PULSE_TRY(m_sandbox->stop(node, mode)); // stopping a stopped node is harmless

    PULSE_TRY(m_sandbox->start(node));
    QVERIFY(m_sandbox->isRunning(node));
    QVERIFY(canConnect(*m_sandbox, node)); // start() returns once it accepts connections
    QVERIFY(m_sandbox->waitForStreaming(std::chrono::seconds(20)));
    QCOMPARE(scalar(*m_sandbox, SandboxNode::Replica, "SELECT pg_is_in_recovery()"), std::optional<std::string>("t"));
}

void TestSandbox::pausedReplayHoldsRowsBack()
{
    QVERIFY(scalar(*m_sandbox, SandboxNode::Primary, "CREATE TABLE IF NOT EXISTS paused_probe (id int PRIMARY KEY)"));
    PULSE_TRY(m_sandbox->pauseReplay());
    QCOMPARE(
        scalar(*m_sandbox, SandboxNode::Replica, "SELECT pg_is_wal_replay_paused()"), std::optional<std::string>("t"));

    QVERIFY(scalar(*m_sandbox, SandboxNode::Primary, "INSERT INTO paused_probe VALUES (7)"));
    const auto lsn = scalar(*m_sandbox, SandboxNode::Primary, "SELECT pg_current_wal_lsn()");
    QVERIFY(lsn && !lsn->empty());
    // No fixed sleep: wait until the replica has *received* the insert; it
    // must still not have *replayed* it.
    QTRY_VERIFY_WITH_TIMEOUT(
        lsnAtLeast(*m_sandbox, SandboxNode::Replica, "pg_last_wal_receive_lsn()", *lsn), kReplicationWaitMs);
    QCOMPARE(scalar(*m_sandbox, SandboxNode::Replica, "SELECT count(*) FROM paused_probe WHERE id = 7"),
        std::optional<std::string>("0"));
    QVERIFY(!lsnAtLeast(*m_sandbox, SandboxNode::Replica, "pg_last_wal_replay_lsn()", *lsn));

    PULSE_TRY(m_sandbox->resumeReplay());
    QTRY_COMPARE_WITH_TIMEOUT(
        scalar(*m_sandbox, SandboxNode::Replica, "SELECT count(*) FROM paused_probe WHERE id = 7"),
        std::optional<std::string>("1"), kReplicationWaitMs);
    QCOMPARE(
        scalar(*m_sandbox, SandboxNode::Replica, "SELECT pg_is_wal_replay_paused()"), std::optional<std::string>("f"));
}

void TestSandbox::openReadsTheSameSandbox()
{
    QVERIFY(Sandbox::exists(m_sandbox->baseDir()));
    {
        std::unique_ptr<Sandbox> other;
        PULSE_TRY(other = Sandbox::open(m_sandbox->baseDir()));
        QCOMPARE(other->port(SandboxNode::Primary), m_sandbox->port(SandboxNode::Primary));
        QCOMPARE(other->port(SandboxNode::Replica), m_sandbox->port(SandboxNode::Replica));
        QCOMPARE(other->user(), m_sandbox->user());
        QCOMPARE(other->password(), m_sandbox->password());
        QCOMPARE(other->database(), m_sandbox->database());
        QCOMPARE(other->dataDir(SandboxNode::Replica), m_sandbox->dataDir(SandboxNode::Replica));
        QVERIFY(other->isRunning(SandboxNode::Primary));
    }
    // Destroying an opened (unguarded) handle leaves the sandbox running.
    QVERIFY(m_sandbox->isRunning(SandboxNode::Primary));
    QVERIFY(m_sandbox->isRunning(SandboxNode::Replica));

    // The state file holds passwords: private to its owner.
    const auto perms = fs::status(m_sandbox->baseDir() / "sandbox.json").permissions();
    QCOMPARE(perms & (fs::perms::group_all | fs::perms::others_all), fs::perms::none);
    QCOMPARE(fs::status(m_sandbox->baseDir()).permissions() & fs::perms::mask, fs::perms::owner_all);
}

void TestSandbox::createRefusesAnExistingSandbox()
{
    pulse::SandboxOptions options;
    options.baseDir = m_sandbox->baseDir();
    QVERIFY_THROWS_EXCEPTION(pulse::SandboxError, Sandbox::create(options));
    QVERIFY(m_sandbox->isRunning(SandboxNode::Primary)); // and leaves it alone
}

void TestSandbox::openWithoutSandboxExplains()
{
    const fs::path empty = makeTempDir();
    QVERIFY(!empty.empty());
    QVERIFY(!Sandbox::exists(empty));
    try {
        Sandbox::open(empty);
        QFAIL("open() of an empty directory did not throw");
    } catch (const pulse::SandboxError& error) {
        QVERIFY2(std::string(error.what()).find("sandbox up") != std::string::npos, error.what());
    }
    fs::remove_all(empty);
}

void TestSandbox::guardianCleansUpAfterSigkill()
{
    const fs::path dir = makeTempDir();
    QVERIFY(!dir.empty());
    int ready[2];
    QVERIFY(::pipe2(ready, O_CLOEXEC) == 0);

    // The child owns a guarded sandbox and is then killed without any chance
    // to clean up. Our process is single-threaded here, so fork() is safe;
    // the child leaves only through _exit() (no atexit fixture teardown).
    const pid_t child = ::fork();
    QVERIFY(child >= 0);
    if (child == 0) {
        ::close(ready[0]);
        try {
            pulse::SandboxOptions options;
            options.baseDir = dir;
            options.guardOwnerProcess = true;
            auto sandbox = Sandbox::create(options);
            const char ok = 'R';
            if (::write(ready[1], &ok, 1) != 1)
                ::_exit(2);
            for (;;)
                ::pause();
        } catch (...) {
            ::_exit(1);
        }
    }
    ::close(ready[1]);
    pollfd pfd {ready[0], POLLIN, 0};
    char byte = 0;
    const bool childReady = ::poll(&pfd, 1, 30'000) == 1 && ::read(ready[0], &byte, 1) == 1 && byte == 'R';
    ::close(ready[0]);
    if (!childReady) {
        ::kill(child, SIGKILL);
        ::waitpid(child, nullptr, 0);
        QFAIL("the child could not create its guarded sandbox");
    }

    const auto primaryPid = postmasterPid(dir / "primary");
    const auto replicaPid = postmasterPid(dir / "replica");
    QVERIFY(primaryPid && processAlive(*primaryPid));
    QVERIFY(replicaPid && processAlive(*replicaPid));

    QVERIFY(::kill(child, SIGKILL) == 0);
    int status = 0;
    QCOMPARE(::waitpid(child, &status, 0), child);
    QVERIFY(WIFSIGNALED(status));

    QTRY_VERIFY_WITH_TIMEOUT(!processAlive(*primaryPid) && !processAlive(*replicaPid) && !fs::exists(dir), 20'000);
    // The directory is gone while the guardian's `rm -rf` and shell may still be exiting.
    QTRY_VERIFY_WITH_TIMEOUT(!anyProcessMentions(dir.string()), 5'000);
}

// Promotion is irreversible, so it runs on the shared sandbox as the last
// test, followed by the teardown check (a third sandbox would cost 2-7 s).
void TestSandbox::promoteThenTeardown()
{
    QCOMPARE(scalar(*m_sandbox, SandboxNode::Replica, "SELECT pg_is_in_recovery()"), std::optional<std::string>("t"));
    PULSE_TRY(m_sandbox->promoteReplica());
    QCOMPARE(scalar(*m_sandbox, SandboxNode::Replica, "SELECT pg_is_in_recovery()"), std::optional<std::string>("f"));
    bool inRecovery = true;
    PULSE_TRY(inRecovery = m_sandbox->isInRecovery(SandboxNode::Replica));
    QVERIFY(!inRecovery);
    QVERIFY(scalar(*m_sandbox, SandboxNode::Replica, "CREATE TABLE written_on_promoted (id int)")); // writable now
    QVERIFY(m_sandbox->isRunning(SandboxNode::Primary)); // the old primary keeps running on its own

    const fs::path base = m_sandbox->baseDir();
    const auto primaryPid = postmasterPid(m_sandbox->dataDir(SandboxNode::Primary));
    const auto replicaPid = postmasterPid(m_sandbox->dataDir(SandboxNode::Replica));
    QVERIFY(primaryPid && processAlive(*primaryPid));
    QVERIFY(replicaPid && processAlive(*replicaPid));

    PULSE_TRY(m_sandbox->teardown());
    QVERIFY(!fs::exists(base));
    QVERIFY(!processAlive(*primaryPid));
    QVERIFY(!processAlive(*replicaPid));
    PULSE_TRY(m_sandbox->teardown()); // idempotent
    QVERIFY(!m_sandbox->isRunning(SandboxNode::Primary));
    // Neither a server nor the (disarmed) guardian is left behind.
    QTRY_VERIFY_WITH_TIMEOUT(!anyProcessMentions(base.string()), 5'000);
    SandboxFixture::teardown(); // idempotent as well
    m_sandbox = nullptr;
}

QTEST_GUILESS_MAIN(TestSandbox)
#include "tst_sandbox.moc"

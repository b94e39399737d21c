#include "topology/SandboxBuilder.hpp"

#include "common/Errors.hpp"
#include "topology/ConfQuoting.hpp"
#include "topology/PgBinaries.hpp"
#include "topology/PortAllocator.hpp"
#include "topology/PrivateFiles.hpp"
#include "topology/SandboxClient.hpp"
#include "topology/SandboxStateFile.hpp"
#include "topology/ServerLog.hpp"
#include "topology/ServerTools.hpp"
#include "topology/StandbyConfig.hpp"
#include "common/Trimmed.hpp"

#include <algorithm>
#include <cstring>
#include <fmt/format.h>
#include <fstream>
#include <libpq-fe.h>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace pulse {

using detail::SandboxState;

namespace {

using PqString = std::unique_ptr<char, decltype(&PQfreemem)>;

std::string randomToken(std::size_t length = 32)
{
    static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    std::ifstream urandom("/dev/urandom", std::ios::binary);
    if (!urandom)
        throw SandboxError("cannot read /dev/urandom to generate the sandbox secrets");
    std::string password;
    while (password.size() < length) {
        const int byte = urandom.get();
        if (byte == EOF)
            throw SandboxError("cannot read /dev/urandom to generate the sandbox secrets");
        // Rejection sampling keeps every character equally likely.
        if (byte < static_cast<int>(256 / kAlphabet.size() * kAlphabet.size()))
            password += kAlphabet[static_cast<std::size_t>(byte) % kAlphabet.size()];
    }
    return password;
}

// user and database become identifiers and file content: keep them plain.
void validateName(const std::string& value, const char* what)
{
    const bool plain = !value.empty() && value.size() <= 63 && std::all_of(value.begin(), value.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    });
    if (!plain)
        throw SandboxError(
            std::string("invalid sandbox ") + what + " '" + value + "': use 1-63 letters, digits or underscores");
}

} // namespace

void SandboxBuilder::checkOptions(const SandboxOptions& options)
{
    validateName(options.user, "user");
    validateName(options.database, "database");
    if (options.user == SandboxState::kReplicationUser)
        throw SandboxError(std::string("invalid sandbox user '") + SandboxState::kReplicationUser
            + "': that name is reserved for replication");
}

void SandboxBuilder::checkBaseDir(const fs::path& baseDir)
{
    if (baseDir == baseDir.root_path())
        throw SandboxError("refusing to create a sandbox in " + baseDir.string());
    if (Sandbox::exists(baseDir))
        throw SandboxError("a sandbox already exists in " + baseDir.string()
            + ": use it (pulsectl sandbox status), or remove it first (pulsectl sandbox down)");

    std::error_code ec;
    const auto status = fs::symlink_status(baseDir, ec);
    if (!fs::exists(status))
        return;
    // A predictable path under /tmp: never adopt someone else's directory or a symlink.
    struct stat info { };
    if (!fs::is_directory(status) || ::lstat(baseDir.c_str(), &info) != 0)
        throw SandboxError(baseDir.string() + " exists and is not a directory: remove it or set PULSE_SANDBOX_DIR");
    if (info.st_uid != ::geteuid())
        throw SandboxError(fmt::format("{} exists and belongs to uid {}, not to you: remove it or set "
                                       "PULSE_SANDBOX_DIR",
            baseDir.string(), info.st_uid));
    if (!fs::is_empty(baseDir, ec))
        throw SandboxError(baseDir.string()
            + " exists and is not empty (a failed or foreign sandbox?): remove it, "
              "or set PULSE_SANDBOX_DIR to another directory");
}

std::unique_ptr<SandboxState> SandboxBuilder::claimBaseDir(const fs::path& baseDir, const SandboxOptions& options)
{
    auto state = std::make_unique<SandboxState>();
    state->baseDir = baseDir;
    state->user = options.user;
    state->database = options.database;
    state->account = ServerAccount::forCurrentUser();
    state->binDir = PgBinaries::find();
    std::error_code ec;
    fs::create_directories(baseDir.parent_path(), ec);
    if (state->account)
        state->account->checkTraversable(baseDir);
    PrivateFiles::makeDir(baseDir, state->account); // no-op create for an empty existing directory
    return state;
}

SandboxBuilder::SandboxBuilder(SandboxState& state)
    : m_state(state)
{ }

void SandboxBuilder::prepare()
{
    const SandboxLayout layout = m_state.layout();
    PrivateFiles::makeDir(layout.socketDir(), m_state.account);
    PrivateFiles::makeDir(layout.logDir(), m_state.account);

    PortAllocator ports(SandboxState::kHost);
    m_state.ports[SandboxNode::Primary] = ports.next();
    m_state.ports[SandboxNode::Replica] = ports.next();
    m_state.password = randomToken();
    m_state.replicationPassword = randomToken();

    const ProcessResult version = ServerTools(m_state).run("pg_ctl", {"--version"}, {}, 10s);
    // "pg_ctl (PostgreSQL) 15.8 (Debian 15.8-0+deb12u1)" -> "15.8"
    const std::string text = trimmed(version.out);
    constexpr std::string_view kMarker = "(PostgreSQL) ";
    const auto pos = text.find(kMarker);
    m_state.serverVersion = pos == std::string::npos ? text : text.substr(pos + kMarker.size());
    m_state.serverVersion = m_state.serverVersion.substr(0, m_state.serverVersion.find(' '));

    m_state.instanceId = randomToken(20);
    SandboxStateFile::write(m_state);
}

SandboxGuard::Target SandboxBuilder::guardTarget() const
{
    const SandboxLayout layout = m_state.layout();
    SandboxGuard::Target target;
    target.pgCtl = ServerTools(m_state).path("pg_ctl");
    target.dataDirs = {layout.dataDir(SandboxNode::Replica), layout.dataDir(SandboxNode::Primary)};
    target.baseDir = m_state.baseDir;
    if (m_state.account) {
        target.runuser = m_state.account->runuser();
        target.serverUser = m_state.account->name();
    }
    target.stateToken = m_state.instanceId;
    return target;
}

void SandboxBuilder::initPrimary()
{
    const SandboxLayout layout = m_state.layout();
    const fs::path primaryDir = layout.dataDir(SandboxNode::Primary);
    const ServerTools tools(m_state);

    const fs::path pwfile = layout.initdbPwfile();
    PrivateFiles::write(pwfile, m_state.password + "\n", m_state.account);
    const ProcessResult initdb = tools.run("initdb",
        {"-D", primaryDir.string(), "--auth=scram-sha-256", "-U", m_state.user, "--pwfile=" + pwfile.string(), "-E",
            "UTF8",
            // The host's LANG may name a locale that is not generated; C fits UTF8.
            "--locale=C", "--no-sync"});
    std::error_code ec;
    fs::remove(pwfile, ec);
    if (!initdb.ok())
        throw SandboxError("initdb failed for the sandbox primary in " + primaryDir.string() + ":\n"
            + initdb.combinedOutput() + "\nFix the cause above, then retry; `" + tools.path("initdb").string()
            + " --help` lists the options used.");

    PrivateFiles::append(primaryDir / "postgresql.conf",
        fmt::format(R"(
# ---- Pulse sandbox: a private, throw-away topology on 127.0.0.1 ----
listen_addresses = '127.0.0.1'
port = {}
# Private socket directory: /var/run/postgresql may not exist, and parallel
# sandboxes must not see each other's sockets.
unix_socket_directories = {}
wal_level = replica
max_wal_senders = 10
max_replication_slots = 10
hot_standby = on
wal_keep_size = '256MB'
# The sandbox is thrown away, never recovered from an OS crash: without
# fsync and full-page writes, checkpoints, CREATE DATABASE and the base
# backup stop waiting for the disk. NEVER copy these two lines to a real server.
# It also makes pg_rewind refuse (it needs full_page_writes, and wal_log_hints
# or checksums): a failover rebuild takes a fresh base backup instead, about
# 1 s on a fresh sandbox and 1.5 s at 350 MB against 0.2-0.5 s for pg_rewind,
# while full-page writes and wal_log_hints would cost the ETL load about 8% of
# its rows/s and multiply the WAL of random updates by 4-5 (measured here).
fsync = off
full_page_writes = off
max_connections = 200
logging_collector = off
# Both nodes use this file (a base backup or pg_rewind copies it; StandbyConfig
# appends what differs): after the primary restarts, a standby retries
# streaming every 200 ms rather than every 5 s.
wal_retrieve_retry_interval = '200ms'
)",
            m_state.ports[SandboxNode::Primary], confQuote(layout.socketDir().string())));
    PrivateFiles::overwrite(
        primaryDir / "pg_hba.conf", R"(# Pulse sandbox. The socket directory is private to the sandbox (mode 700),
# so local connections are trusted; TCP needs the SCRAM password.
# TYPE  DATABASE     USER        ADDRESS         METHOD
local   all          all                         trust
host    all          all         127.0.0.1/32    scram-sha-256
host    replication  replicator  127.0.0.1/32    scram-sha-256
)");
}

void SandboxBuilder::createRoles()
{
    const std::unique_ptr<PgConnection> connection = SandboxClient(m_state).connect(SandboxNode::Primary, "postgres");
    PGconn* conn = connection->raw();
    // Hashed here, so the clear-text password never reaches the server
    // (nor its log, whatever log_statement says).
    const PqString verifier(PQencryptPasswordConn(conn, m_state.replicationPassword.c_str(),
                                SandboxState::kReplicationUser, "scram-sha-256"),
        &PQfreemem);
    if (!verifier)
        throw SandboxError("cannot hash the replication password: " + trimmed(PQerrorMessage(conn)));
    // Utility statements take no $n parameters: the values are quoted by libpq.
    const PqString literal(PQescapeLiteral(conn, verifier.get(), std::strlen(verifier.get())), &PQfreemem);
    const PqString dbIdent(PQescapeIdentifier(conn, m_state.database.c_str(), m_state.database.size()), &PQfreemem);
    if (!literal || !dbIdent)
        throw SandboxError("cannot quote SQL: " + trimmed(PQerrorMessage(conn)));
    try {
        connection->exec(std::string("CREATE ROLE ") + SandboxState::kReplicationUser
            + " WITH REPLICATION LOGIN PASSWORD " + literal.get());
        if (m_state.database != "postgres")
            connection->exec(std::string("CREATE DATABASE ") + dbIdent.get());
    } catch (const Error& error) {
        throw SandboxError(std::string("setting up the sandbox primary failed: ") + error.what()
            + ServerLog(m_state.layout().logFile(SandboxNode::Primary)).section());
    }
}

void SandboxBuilder::cloneReplica()
{
    const SandboxLayout layout = m_state.layout();
    const ServerLog primaryLog(layout.logFile(SandboxNode::Primary));
    // The password travels in a passfile, never on a command line; the
    // standby's primary_conninfo names the passfile, so the walreceiver reads
    // it on every reconnect and the file stays for the sandbox's life. It
    // names both ports: after a failover the primary streams from the replica.
    const StandbyConfig standby(m_state);
    standby.writePassfile();
    const std::uintmax_t primaryLogOffset = primaryLog.size();
    const ProcessResult backup = ServerTools(m_state).run("pg_basebackup",
        {"-h", SandboxState::kHost, "-p", std::to_string(m_state.ports[SandboxNode::Primary]), "-U",
            SandboxState::kReplicationUser, "-D", layout.dataDir(SandboxNode::Replica).string(), "-X", "stream", "-C",
            "-S", SandboxState::kSlotName, "--checkpoint=fast", "--no-sync", "-w"},
        {{"PGPASSFILE", layout.passfile().string()}});
    if (!backup.ok())
        throw SandboxError("pg_basebackup of the sandbox primary failed"
            + std::string(backup.timedOut ? " (timed out)" : "") + ":\n" + backup.combinedOutput()
            + primaryLog.section(primaryLogOffset) + "\nFix the cause above, then retry.");
    // Not -R: the standby configuration (its own port, primary_conninfo, the
    // slot) is written the one way a failover rebuild writes it too.
    standby.write(SandboxNode::Replica, SandboxNode::Primary);
}

} // namespace pulse

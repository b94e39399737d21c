#include "topology/Sandbox.hpp"

#include "common/Errors.hpp"
#include "common/Logging.hpp"
#include "topology/PortAllocator.hpp"
#include "topology/ProcessRunner.hpp"
#include "topology/SandboxGuard.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <grp.h>
#include <libpq-fe.h>
#include <nlohmann/json.hpp>
#include <optional>
#include <poll.h>
#include <pwd.h>
#include <spdlog/spdlog.h>
#include <sstream>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace pulse {

// The system account the servers run as when we are root.
struct ServerAccount {
    std::string name;
    uid_t uid = 0;
    gid_t gid = 0;
    fs::path runuser;
};

namespace detail {
struct SandboxState {
    fs::path baseDir;
    std::string user;
    std::string database;
    std::string password;
    std::string replicationPassword;
    std::array<int, 2> ports {}; // indexed by SandboxNode
    fs::path binDir;
    std::string serverVersion;
    std::string instanceId; // tells this sandbox from a later one in the same directory
    std::optional<ServerAccount> account; // runtime only: set when running as root
};
} // namespace detail

namespace {

using detail::SandboxState;
using PgConn = std::unique_ptr<PGconn, decltype(&PQfinish)>;
using PgResult = std::unique_ptr<PGresult, decltype(&PQclear)>;

constexpr int kStateVersion = 1;
constexpr const char* kHost = "127.0.0.1";
constexpr const char* kReplicationUser = "replicator";
constexpr const char* kSlotName = "pulse_replica";
constexpr auto kStartTimeout = 30s; // pg_ctl -t
constexpr auto kStreamingTimeout = 20s; // create(): replica must stream by then
constexpr auto kQueryTimeout = 10s; // one sandbox SQL statement

// libpq reads these from the environment; a developer's PGHOST or PGSSLMODE
// must not redirect or break the sandbox's own tools.
const std::vector<std::string> kLibpqEnvironment {"PGHOST", "PGHOSTADDR", "PGPORT", "PGUSER", "PGPASSWORD",
    "PGPASSFILE", "PGDATABASE", "PGSERVICE", "PGSERVICEFILE", "PGOPTIONS", "PGAPPNAME", "PGSSLMODE", "PGREQUIRESSL",
    "PGSSLCERT", "PGSSLKEY", "PGSSLROOTCERT", "PGSSLCRL", "PGGSSENCMODE", "PGCHANNELBINDING", "PGTARGETSESSIONATTRS",
    "PGCONNECT_TIMEOUT", "PGCLIENTENCODING", "PGDATA", "PGTZ", "PGDATESTYLE"};

// ---- paths -------------------------------------------------------------

fs::path stateFilePath(const fs::path& base)
{
    return base / "sandbox.json";
}
fs::path socketDirOf(const fs::path& base)
{
    return base / "sock";
}
fs::path logDirOf(const fs::path& base)
{
    return base / "log";
}
fs::path dataDirOf(const fs::path& base, SandboxNode node)
{
    return base / std::string(sandboxNodeName(node));
}
fs::path logFileOf(const fs::path& base, SandboxNode node)
{
    return logDirOf(base) / (std::string(sandboxNodeName(node)) + ".log");
}
fs::path passfileOf(const fs::path& base)
{
    return base / "replicator.pgpass";
}

fs::path normalizedAbsolute(const fs::path& path)
{
    fs::path result = fs::absolute(path).lexically_normal();
    if (result.has_parent_path() && !result.has_filename()) // "/tmp/x/" -> "/tmp/x"
        result = result.parent_path();
    return result;
}

// ---- small helpers -----------------------------------------------------

std::string trim(std::string_view text)
{
    const auto begin = text.find_first_not_of(" \t\r\n");
    if (begin == std::string_view::npos)
        return {};
    const auto end = text.find_last_not_of(" \t\r\n");
    return std::string(text.substr(begin, end - begin + 1));
}

std::string errnoText(int error)
{
    return std::strerror(error);
}

// The last `lines` lines of a file from byte `offset` on; empty when unreadable.
std::string fileTail(const fs::path& path, std::size_t lines = 20, std::uintmax_t offset = 0)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return {};
    in.seekg(static_cast<std::streamoff>(offset));
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::size_t pos = text.size();
    while (pos > 0 && (text[pos - 1] == '\n' || text[pos - 1] == '\r'))
        --pos;
    std::size_t found = 0;
    while (pos > 0) {
        if (text[pos - 1] == '\n' && ++found == lines)
            break;
        --pos;
    }
    return trim(std::string_view(text).substr(pos));
}

std::uintmax_t fileSize(const fs::path& path)
{
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    return ec ? 0 : size;
}

std::string logSection(const fs::path& log, std::uintmax_t offset = 0)
{
    const std::string tail = fileTail(log, 20, offset);
    if (tail.empty())
        return {};
    return "\n--- last lines of " + log.string() + " ---\n" + tail;
}

// A fix for the failures people actually hit, read from the server's words.
std::string hintFor(const std::string& text, const fs::path& base)
{
    if (text.find("Address already in use") != std::string::npos)
        return "its port is taken by another program: stop that program, or rebuild the sandbox on new ports "
               "(pulsectl sandbox down && pulsectl sandbox up)";
    if (text.find("lock file") != std::string::npos && text.find("already exists") != std::string::npos)
        return "another server is using this data directory: stop it, or remove the sandbox with "
               "pulsectl sandbox down";
    if (text.find("Permission denied") != std::string::npos)
        return "the server user cannot use " + base.string()
            + ": control the sandbox as the user who created it, or set PULSE_SANDBOX_DIR to a fresh directory";
    if (text.find("shared memory") != std::string::npos || text.find("No space left") != std::string::npos)
        return "the machine is out of shared memory or disk space: free some and retry";
    return "see the server log above; `pulsectl sandbox down && pulsectl sandbox up` rebuilds the sandbox";
}

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

// Writes a file only its owner may read, without ever exposing the content
// under wider permissions; hands it to `owner` when given.
void writePrivateFile(const fs::path& path, const std::string& content, const std::optional<ServerAccount>& owner)
{
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        throw SandboxError("cannot write " + path.string() + ": " + errnoText(errno));
    bool ok = ::fchmod(fd, 0600) == 0;
    if (ok && owner)
        ok = ::fchown(fd, owner->uid, owner->gid) == 0;
    std::size_t done = 0;
    while (ok && done < content.size()) {
        const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        ok = n > 0;
        if (ok)
            done += static_cast<std::size_t>(n);
    }
    const int error = errno;
    ok = (::close(fd) == 0) && ok;
    if (!ok)
        throw SandboxError("cannot write " + path.string() + ": " + errnoText(error));
}

void appendToFile(const fs::path& path, const std::string& text)
{
    std::ofstream out(path, std::ios::app);
    out << text;
    out.flush();
    if (!out)
        throw SandboxError("cannot append to " + path.string() + ": " + errnoText(errno));
}

void overwriteFile(const fs::path& path, const std::string& text)
{
    std::ofstream out(path, std::ios::trunc); // keeps the owner (postgres) of an existing file
    out << text;
    out.flush();
    if (!out)
        throw SandboxError("cannot write " + path.string() + ": " + errnoText(errno));
}

void changeOwner(const fs::path& path, const ServerAccount& account)
{
    if (::lchown(path.c_str(), account.uid, account.gid) != 0)
        throw SandboxError("cannot hand " + path.string() + " to the " + account.name + " user: " + errnoText(errno));
}

void makePrivateDir(const fs::path& path, const std::optional<ServerAccount>& owner)
{
    std::error_code ec;
    fs::create_directory(path, ec);
    if (ec)
        throw SandboxError("cannot create " + path.string() + ": " + ec.message());
    fs::permissions(path, fs::perms::owner_all, fs::perm_options::replace, ec);
    if (ec)
        throw SandboxError("cannot restrict " + path.string() + " to mode 700: " + ec.message());
    if (owner)
        changeOwner(path, *owner);
}

std::string confQuote(const std::string& value)
{
    std::string quoted = "'";
    for (char c : value) {
        if (c == '\'')
            quoted += '\'';
        quoted += c;
    }
    return quoted + "'";
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

// ---- environment discovery --------------------------------------------

bool hasServerBinaries(const fs::path& dir)
{
    std::error_code ec;
    for (const char* tool : {"initdb", "pg_ctl", "pg_basebackup", "postgres"}) {
        if (!fs::is_regular_file(dir / tool, ec))
            return false;
    }
    return true;
}

fs::path findBinDir()
{
    if (const char* env = std::getenv("PULSE_PG_BINDIR"); env && *env) {
        if (hasServerBinaries(env))
            return env;
        throw SandboxError(std::string("PULSE_PG_BINDIR=") + env
            + " does not hold the PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup, "
              "postgres): point it at their directory or unset it");
    }
    try {
        ProcessCommand command;
        command.argv = {"pg_config", "--bindir"};
        command.timeout = 10s;
        const ProcessResult result = ProcessRunner::run(command);
        fs::path dir = trim(result.out);
        if (result.ok() && !dir.empty() && hasServerBinaries(dir))
            return dir;
    } catch (const SandboxError&) {
        // No pg_config on PATH: fall back to Debian's layout below.
    }
    // Debian/Ubuntu install each major version side by side: take the newest.
    fs::path best;
    int bestVersion = -1;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
        const std::string name = entry.path().filename().string();
        char* end = nullptr;
        const long version = std::strtol(name.c_str(), &end, 10);
        if (end == name.c_str() || *end != '\0' || !hasServerBinaries(entry.path() / "bin"))
            continue;
        if (version > bestVersion) {
            bestVersion = static_cast<int>(version);
            best = entry.path() / "bin";
        }
    }
    if (!best.empty())
        return best;
    throw SandboxError("PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup, postgres) not found: "
                       "install postgresql (Debian/Ubuntu: apt-get install postgresql), or set PULSE_PG_BINDIR "
                       "to the directory that holds them");
}

fs::path findRunuser()
{
    std::error_code ec;
    for (const char* candidate : {"/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser", "/bin/runuser"}) {
        if (fs::is_regular_file(candidate, ec))
            return candidate;
    }
    throw SandboxError("running as root, but runuser (util-linux) was not found: install util-linux, "
                       "or run as a normal user");
}

// PostgreSQL refuses to run as root: as root, the servers run as `postgres`.
std::optional<ServerAccount> serverAccount()
{
    if (::geteuid() != 0)
        return std::nullopt;
    passwd entry {};
    passwd* found = nullptr;
    std::vector<char> buffer(16384);
    if (::getpwnam_r("postgres", &entry, buffer.data(), buffer.size(), &found) != 0 || found == nullptr)
        throw SandboxError("running as root, and PostgreSQL refuses to run as root, but there is no 'postgres' "
                           "system user to run the servers as: install the postgresql package (it creates "
                           "the user), or run as a normal user");
    return ServerAccount {entry.pw_name, entry.pw_uid, entry.pw_gid, findRunuser()};
}

// The server user must be able to enter every parent of the base directory.
void checkTraversable(const fs::path& base, const ServerAccount& account)
{
    int count = 64;
    std::vector<gid_t> groups(static_cast<std::size_t>(count));
    if (::getgrouplist(account.name.c_str(), account.gid, groups.data(), &count) < 0) {
        groups.resize(static_cast<std::size_t>(count));
        ::getgrouplist(account.name.c_str(), account.gid, groups.data(), &count);
    }
    groups.resize(static_cast<std::size_t>(std::max(count, 0)));

    for (fs::path dir = base.parent_path();; dir = dir.parent_path()) {
        struct stat info { };
        if (::stat(dir.c_str(), &info) != 0)
            throw SandboxError("cannot inspect " + dir.string() + ": " + errnoText(errno));
        bool enter = false;
        if (info.st_uid == account.uid)
            enter = info.st_mode & S_IXUSR;
        else if (std::find(groups.begin(), groups.end(), info.st_gid) != groups.end())
            enter = info.st_mode & S_IXGRP;
        else
            enter = info.st_mode & S_IXOTH;
        if (!enter)
            throw SandboxError(fmt::format(
                "cannot create the sandbox in {}: running as root, the servers run as the '{}' user "
                "(PostgreSQL refuses root), and '{}' cannot enter {} (mode {:o}). Set PULSE_SANDBOX_DIR to a "
                "directory under /tmp, or another place that user can reach",
                base.string(), account.name, account.name, dir.string(), info.st_mode & 07777));
        if (dir == dir.root_path() || !dir.has_relative_path())
            break;
    }
}

// ---- running server tools ------------------------------------------------

fs::path tool(const SandboxState& state, const char* name)
{
    return state.binDir / name;
}

ProcessResult runServerTool(const SandboxState& state, std::vector<std::string> args,
    std::vector<std::pair<std::string, std::string>> env = {}, std::chrono::milliseconds timeout = 120s)
{
    ProcessCommand command;
    if (state.account)
        command.argv = {state.account->runuser.string(), "-u", state.account->name, "--"};
    command.argv.insert(command.argv.end(), args.begin(), args.end());
    command.extraEnv = std::move(env);
    // Untranslated messages: they are matched below and read by whoever gets the error.
    command.extraEnv.emplace_back("LC_ALL", "C");
    command.unsetEnv = kLibpqEnvironment;
    // runuser keeps the working directory, which the server user must be
    // able to read (from /root pg_ctl fails with "could not change directory").
    std::error_code ec;
    command.cwd = fs::is_directory(state.baseDir, ec) ? state.baseDir : fs::path("/");
    command.timeout = timeout;
    logger("sandbox")->debug("$ {}", ProcessRunner::describe(command.argv));
    return ProcessRunner::run(command);
}

std::optional<pid_t> postmasterPid(const fs::path& dataDir)
{
    std::ifstream in(dataDir / "postmaster.pid");
    long pid = 0;
    if (!(in >> pid) || pid <= 0)
        return std::nullopt;
    return static_cast<pid_t>(pid);
}

// Alive and not a zombie (init may be slow to reap, or not reap at all in a container).
bool processAlive(pid_t pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(in, line))
        return false;
    const auto close = line.rfind(')');
    if (close == std::string::npos || close + 2 >= line.size())
        return false;
    const char status = line[close + 2];
    return status != 'Z' && status != 'X';
}

// ---- libpq -----------------------------------------------------------------

PgConn connectNode(const SandboxState& state, SandboxNode node, const std::string& dbname)
{
    const std::string port = std::to_string(state.ports[node]);
    const char* keys[] = {"host", "port", "user", "password", "dbname", "connect_timeout", "sslmode", "gssencmode",
        "application_name", nullptr};
    const char* values[] = {kHost, port.c_str(), state.user.c_str(), state.password.c_str(), dbname.c_str(), "2",
        "disable", "disable", "pulse-sandbox", nullptr};
    return PgConn(PQconnectdbParams(keys, values, 0), &PQfinish);
}

PgConn connectOrThrow(const SandboxState& state, SandboxNode node, const std::string& dbname)
{
    PgConn conn = connectNode(state, node, dbname);
    if (PQstatus(conn.get()) != CONNECTION_OK) {
        throw SandboxError(fmt::format("cannot connect to the sandbox {} at {}:{}: {}. Is it running? "
                                       "(pulsectl sandbox status; start it with pulsectl sandbox up)",
            sandboxNodeName(node), kHost, state.ports[node], trim(PQerrorMessage(conn.get()))));
    }
    return conn;
}

// Runs one statement with a deadline: a frozen server (SIGSTOP) answers
// nothing, and a blocking PQexec would wait forever.
PgResult execWithin(PGconn* conn, const std::string& sql, std::chrono::milliseconds timeout)
{
    if (!PQsendQuery(conn, sql.c_str()))
        throw SandboxError("cannot send a query: " + trim(PQerrorMessage(conn)));
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        if (!PQconsumeInput(conn))
            throw SandboxError("connection lost: " + trim(PQerrorMessage(conn)));
        if (!PQisBusy(conn))
            break;
        const auto left
            = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            throw SandboxError(fmt::format("the server did not answer within {} ms", timeout.count()));
        pollfd pfd {PQsocket(conn), POLLIN, 0};
        ::poll(&pfd, 1, static_cast<int>(left.count()));
    }
    PgResult result(PQgetResult(conn), &PQclear);
    // Drain: a single statement yields one result, then NULL.
    while (PGresult* extra = PQgetResult(conn))
        PQclear(extra);
    const auto status = PQresultStatus(result.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
        throw SandboxError(trim(PQresultErrorMessage(result.get())));
    return result;
}

// First column of the first row, as text.
std::string queryValue(PGconn* conn, const std::string& sql)
{
    PgResult result = execWithin(conn, sql, kQueryTimeout);
    if (PQntuples(result.get()) < 1 || PQnfields(result.get()) < 1)
        return {};
    return PQgetvalue(result.get(), 0, 0);
}

// ---- state file --------------------------------------------------------------

void writeStateFile(const SandboxState& state)
{
    nlohmann::json json = {
        {"version", kStateVersion},
        {"host", kHost},
        {"user", state.user},
        {"database", state.database},
        {"password", state.password},
        {"replicationUser", kReplicationUser},
        {"replicationPassword", state.replicationPassword},
        {"replicationSlot", kSlotName},
        {"ports", {{"primary", state.ports[SandboxNode::Primary]}, {"replica", state.ports[SandboxNode::Replica]}}},
        {"dirs",
            {{"base", state.baseDir.string()}, {"socket", socketDirOf(state.baseDir).string()},
                {"primary", dataDirOf(state.baseDir, SandboxNode::Primary).string()},
                {"replica", dataDirOf(state.baseDir, SandboxNode::Replica).string()},
                {"primaryLog", logFileOf(state.baseDir, SandboxNode::Primary).string()},
                {"replicaLog", logFileOf(state.baseDir, SandboxNode::Replica).string()}}},
        {"binDir", state.binDir.string()},
        {"serverVersion", state.serverVersion},
        {"serverUser", state.account ? state.account->name : std::string()},
        {"instanceId", state.instanceId},
    };
    // Written aside and renamed: a reader never sees half a file. The file
    // holds passwords, so it is the invoking user's alone (mode 600).
    const fs::path target = stateFilePath(state.baseDir);
    const fs::path temporary = target.string() + ".tmp";
    writePrivateFile(temporary, json.dump(2) + "\n", std::nullopt);
    std::error_code ec;
    fs::rename(temporary, target, ec);
    if (ec)
        throw SandboxError("cannot write " + target.string() + ": " + ec.message());
}

std::unique_ptr<SandboxState> readStateFile(const fs::path& base)
{
    const fs::path path = stateFilePath(base);
    std::ifstream in(path);
    if (!in) {
        const int error = errno;
        std::error_code ec;
        if (!fs::exists(path, ec))
            throw SandboxError("no sandbox in " + base.string() + " (" + path.filename().string()
                + " is missing): create one with `pulsectl sandbox up`");
        throw SandboxError("cannot read " + path.string() + ": " + errnoText(error)
            + " (control the sandbox as the user who created it)");
    }
    auto state = std::make_unique<SandboxState>();
    try {
        const nlohmann::json json = nlohmann::json::parse(in);
        const int version = json.at("version").get<int>();
        if (version != kStateVersion)
            throw SandboxError(fmt::format("{} has format version {}, this build reads version {}: remove the "
                                           "sandbox with the matching build, or delete {}",
                path.string(), version, kStateVersion, base.string()));
        state->baseDir = base;
        state->user = json.at("user").get<std::string>();
        state->database = json.at("database").get<std::string>();
        state->password = json.at("password").get<std::string>();
        state->replicationPassword = json.at("replicationPassword").get<std::string>();
        state->ports[SandboxNode::Primary] = json.at("ports").at("primary").get<int>();
        state->ports[SandboxNode::Replica] = json.at("ports").at("replica").get<int>();
        state->binDir = json.value("binDir", std::string());
        state->serverVersion = json.value("serverVersion", std::string());
        state->instanceId = json.value("instanceId", std::string());
    } catch (const nlohmann::json::exception& error) {
        throw SandboxError("the sandbox state file " + path.string() + " is damaged (" + error.what()
            + "): stop any servers under " + base.string() + " and delete that directory");
    }
    return state;
}

} // namespace

// ======================================================================

fs::path Sandbox::defaultBaseDir()
{
    if (const char* dir = std::getenv("PULSE_SANDBOX_DIR"); dir && *dir)
        return normalizedAbsolute(dir);
    const char* tmp = std::getenv("TMPDIR");
    const fs::path root = (tmp && *tmp) ? fs::path(tmp) : fs::path("/tmp");
    return normalizedAbsolute(root / ("pulse-sandbox-" + std::to_string(::getuid())));
}

bool Sandbox::exists(const fs::path& baseDir)
{
    std::error_code ec;
    return fs::exists(stateFilePath(baseDir), ec);
}

Sandbox::Sandbox(std::unique_ptr<detail::SandboxState> state)
    : m_state(std::move(state))
    , m_log(logger("sandbox"))
{ }

Sandbox::~Sandbox()
{
    if (!m_guard || m_tornDown)
        return;
    try {
        teardown();
    } catch (const std::exception& error) {
        m_log->warn("sandbox teardown incomplete: {}", error.what());
    } catch (...) {
        m_log->warn("sandbox teardown incomplete");
    }
}

std::unique_ptr<Sandbox> Sandbox::open(const fs::path& baseDir)
{
    const fs::path base = normalizedAbsolute(baseDir);
    auto state = readStateFile(base);
    state->account = serverAccount();
    if (state->binDir.empty() || !hasServerBinaries(state->binDir))
        state->binDir = findBinDir();
    return std::unique_ptr<Sandbox>(new Sandbox(std::move(state)));
}

std::unique_ptr<Sandbox> Sandbox::create(const SandboxOptions& options)
{
    validateName(options.user, "user");
    validateName(options.database, "database");
    if (options.user == kReplicationUser)
        throw SandboxError(
            std::string("invalid sandbox user '") + kReplicationUser + "': that name is reserved for replication");

    const fs::path base = normalizedAbsolute(options.baseDir.empty() ? defaultBaseDir() : options.baseDir);
    if (base == base.root_path())
        throw SandboxError("refusing to create a sandbox in " + base.string());
    if (exists(base))
        throw SandboxError("a sandbox already exists in " + base.string()
            + ": use it (pulsectl sandbox status), or remove it first (pulsectl sandbox down)");

    std::error_code ec;
    const auto status = fs::symlink_status(base, ec);
    if (fs::exists(status)) {
        // A predictable path under /tmp: never adopt someone else's directory or a symlink.
        struct stat info { };
        if (!fs::is_directory(status) || ::lstat(base.c_str(), &info) != 0)
            throw SandboxError(base.string() + " exists and is not a directory: remove it or set PULSE_SANDBOX_DIR");
        if (info.st_uid != ::geteuid())
            throw SandboxError(fmt::format("{} exists and belongs to uid {}, not to you: remove it or set "
                                           "PULSE_SANDBOX_DIR",
                base.string(), info.st_uid));
        if (!fs::is_empty(base, ec))
            throw SandboxError(base.string()
                + " exists and is not empty (a failed or foreign sandbox?): remove it, "
                  "or set PULSE_SANDBOX_DIR to another directory");
    }

    auto state = std::make_unique<SandboxState>();
    state->baseDir = base;
    state->user = options.user;
    state->database = options.database;
    state->account = serverAccount();
    state->binDir = findBinDir();
    fs::create_directories(base.parent_path(), ec);
    if (state->account)
        checkTraversable(base, *state->account);
    makePrivateDir(base, state->account); // no-op create for an empty existing directory

    std::unique_ptr<Sandbox> sandbox(new Sandbox(std::move(state)));
    try {
        sandbox->build(options);
    } catch (...) {
        // A failed create leaves nothing running and nothing behind.
        sandbox->m_log->debug("create failed, cleaning up {}", base.string());
        try {
            sandbox->teardown();
        } catch (const std::exception& error) {
            sandbox->m_log->warn("cleanup after a failed create is incomplete: {}", error.what());
        }
        throw;
    }
    return sandbox;
}

void Sandbox::build(const SandboxOptions& options)
{
    const auto started = std::chrono::steady_clock::now();
    SandboxState& state = *m_state;
    const fs::path& base = state.baseDir;
    const fs::path primaryDir = dataDirOf(base, SandboxNode::Primary);
    const fs::path replicaDir = dataDirOf(base, SandboxNode::Replica);

    makePrivateDir(socketDirOf(base), state.account);
    makePrivateDir(logDirOf(base), state.account);

    PortAllocator ports(kHost);
    state.ports[SandboxNode::Primary] = ports.next();
    state.ports[SandboxNode::Replica] = ports.next();
    state.password = randomToken();
    state.replicationPassword = randomToken();
    {
        const ProcessResult version = runServerTool(state, {tool(state, "pg_ctl").string(), "--version"}, {}, 10s);
        // "pg_ctl (PostgreSQL) 15.8 (Debian 15.8-0+deb12u1)" -> "15.8"
        const std::string text = trim(version.out);
        constexpr std::string_view kMarker = "(PostgreSQL) ";
        const auto pos = text.find(kMarker);
        state.serverVersion = pos == std::string::npos ? text : text.substr(pos + kMarker.size());
        state.serverVersion = state.serverVersion.substr(0, state.serverVersion.find(' '));
    }
    state.instanceId = randomToken(20);
    writeStateFile(state);

    if (options.guardOwnerProcess) {
        // Armed before the first server starts: a process killed in the
        // middle of create() must not leak servers either.
        SandboxGuard::Target target;
        target.pgCtl = tool(state, "pg_ctl");
        target.dataDirs = {replicaDir, primaryDir};
        target.baseDir = base;
        if (state.account) {
            target.runuser = state.account->runuser;
            target.serverUser = state.account->name;
        }
        target.stateToken = state.instanceId;
        m_guard = std::make_unique<SandboxGuard>(target);
    }

    // --- primary: initdb ---
    const fs::path pwfile = base / "initdb.pwfile";
    writePrivateFile(pwfile, state.password + "\n", state.account);
    ProcessResult initdb = runServerTool(state,
        {tool(state, "initdb").string(), "-D", primaryDir.string(), "--auth=scram-sha-256", "-U", state.user,
            "--pwfile=" + pwfile.string(), "-E", "UTF8",
            // The host's LANG may name a locale that is not generated; C fits UTF8.
            "--locale=C", "--no-sync"});
    std::error_code ec;
    fs::remove(pwfile, ec);
    if (!initdb.ok())
        throw SandboxError("initdb failed for the sandbox primary in " + primaryDir.string() + ":\n"
            + initdb.combinedOutput() + "\nFix the cause above, then retry; `" + tool(state, "initdb").string()
            + " --help` lists the options used.");

    appendToFile(primaryDir / "postgresql.conf",
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
fsync = off
full_page_writes = off
max_connections = 200
logging_collector = off
# The replica copies this file: after the primary restarts, retry streaming
# every 200 ms rather than every 5 s.
wal_retrieve_retry_interval = '200ms'
)",
            state.ports[SandboxNode::Primary], confQuote(socketDirOf(base).string())));
    overwriteFile(
        primaryDir / "pg_hba.conf", R"(# Pulse sandbox. The socket directory is private to the sandbox (mode 700),
# so local connections are trusted; TCP needs the SCRAM password.
# TYPE  DATABASE     USER        ADDRESS         METHOD
local   all          all                         trust
host    all          all         127.0.0.1/32    scram-sha-256
host    replication  replicator  127.0.0.1/32    scram-sha-256
)");
    startNode(SandboxNode::Primary, true);

    // --- roles and database ---
    {
        PgConn conn = connectOrThrow(state, SandboxNode::Primary, "postgres");
        // Hashed here, so the clear-text password never reaches the server
        // (nor its log, whatever log_statement says).
        std::unique_ptr<char, decltype(&PQfreemem)> verifier(
            PQencryptPasswordConn(conn.get(), state.replicationPassword.c_str(), kReplicationUser, "scram-sha-256"),
            &PQfreemem);
        if (!verifier)
            throw SandboxError("cannot hash the replication password: " + trim(PQerrorMessage(conn.get())));
        std::unique_ptr<char, decltype(&PQfreemem)> literal(
            PQescapeLiteral(conn.get(), verifier.get(), std::strlen(verifier.get())), &PQfreemem);
        std::unique_ptr<char, decltype(&PQfreemem)> dbIdent(
            PQescapeIdentifier(conn.get(), state.database.c_str(), state.database.size()), &PQfreemem);
        if (!literal || !dbIdent)
            throw SandboxError("cannot quote SQL: " + trim(PQerrorMessage(conn.get())));
        try {
            execWithin(conn.get(),
                std::string("CREATE ROLE ") + kReplicationUser + " WITH REPLICATION LOGIN PASSWORD " + literal.get(),
                kQueryTimeout);
            if (state.database != "postgres")
                execWithin(conn.get(), std::string("CREATE DATABASE ") + dbIdent.get(), kQueryTimeout);
        } catch (const SandboxError& error) {
            throw SandboxError(std::string("setting up the sandbox primary failed: ") + error.what()
                + logSection(logFileOf(base, SandboxNode::Primary)));
        }
    }

    // --- replica: base backup ---
    // The password travels in a passfile, never on a command line; -R makes
    // primary_conninfo name the passfile, so the walreceiver reads it on every
    // reconnect and the file stays for the sandbox's life.
    const fs::path passfile = passfileOf(base);
    writePrivateFile(passfile,
        fmt::format(
            "{}:{}:*:{}:{}\n", kHost, state.ports[SandboxNode::Primary], kReplicationUser, state.replicationPassword),
        state.account);
    const std::uintmax_t primaryLogOffset = fileSize(logFileOf(base, SandboxNode::Primary));
    ProcessResult backup = runServerTool(state,
        {tool(state, "pg_basebackup").string(), "-h", kHost, "-p", std::to_string(state.ports[SandboxNode::Primary]),
            "-U", kReplicationUser, "-D", replicaDir.string(), "-R", "-X", "stream", "-C", "-S", kSlotName,
            "--checkpoint=fast", "--no-sync", "-w"},
        {{"PGPASSFILE", passfile.string()}});
    if (!backup.ok())
        throw SandboxError("pg_basebackup of the sandbox primary failed"
            + std::string(backup.timedOut ? " (timed out)" : "") + ":\n" + backup.combinedOutput()
            + logSection(logFileOf(base, SandboxNode::Primary), primaryLogOffset)
            + "\nFix the cause above, then retry.");
    appendToFile(replicaDir / "postgresql.conf",
        fmt::format("\n# ---- Pulse sandbox replica: its own port (pg_basebackup copied the primary's; "
                    "the last setting wins) ----\nport = {}\n",
            state.ports[SandboxNode::Replica]));
    startNode(SandboxNode::Replica, true);

    if (!waitForStreaming(kStreamingTimeout))
        throw SandboxError(fmt::format("the sandbox replica did not start streaming within {} s{}{}\nCheck both "
                                       "logs above; `pulsectl sandbox down && pulsectl sandbox up` rebuilds it.",
            std::chrono::duration_cast<std::chrono::seconds>(kStreamingTimeout).count(),
            logSection(logFileOf(base, SandboxNode::Replica)), logSection(logFileOf(base, SandboxNode::Primary))));
    const auto elapsed
        = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    m_log->info("{} ready in {} ms", describe(), elapsed.count());
}

void Sandbox::startNode(SandboxNode node, bool mayChangePort)
{
    SandboxState& state = *m_state;
    const fs::path dir = dataDirOf(state.baseDir, node);
    const fs::path log = logFileOf(state.baseDir, node);
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        throw SandboxError(fmt::format("cannot start the sandbox {}: {} does not exist (the sandbox was removed?). "
                                       "Rebuild it: pulsectl sandbox down && pulsectl sandbox up",
            sandboxNodeName(node), dir.string()));
    // Ports are picked free but only bound here: another program may take one
    // in between. During create() that is retried on a new port.
    constexpr int kAttempts = 5;
    for (int attempt = 1;; ++attempt) {
        const std::uintmax_t offset = fileSize(log);
        const ProcessResult result = runServerTool(state,
            {tool(state, "pg_ctl").string(), "-D", dir.string(), "-l", log.string(), "-w", "-t",
                std::to_string(std::chrono::duration_cast<std::chrono::seconds>(kStartTimeout).count()), "start"},
            {}, kStartTimeout + 30s);
        if (result.ok())
            break;
        const std::string newLog = fileTail(log, 200, offset);
        if (mayChangePort && attempt < kAttempts && newLog.find("Address already in use") != std::string::npos) {
            PortAllocator allocator(kHost);
            int port = allocator.next();
            while (port == state.ports[0] || port == state.ports[1])
                port = allocator.next();
            m_log->info("port {} of the sandbox {} was taken meanwhile; retrying on {}", state.ports[node],
                sandboxNodeName(node), port);
            state.ports[node] = port;
            appendToFile(dir / "postgresql.conf",
                fmt::format("# the port picked first was taken by another program\nport = {}\n", port));
            writeStateFile(state);
            continue;
        }
        throw SandboxError(fmt::format("could not start the sandbox {} (port {}, data directory {}): {}{}\nFix: {}",
            sandboxNodeName(node), state.ports[node], dir.string(),
            result.timedOut ? std::string("pg_ctl timed out") : result.combinedOutput(), logSection(log, offset),
            hintFor(newLog + result.combinedOutput(), state.baseDir)));
    }

    // pg_ctl -w already waited for the "ready" mark; make sure TCP answers too.
    const std::string port = std::to_string(state.ports[node]);
    const char* keys[] = {"host", "port", "dbname", "connect_timeout", nullptr};
    const char* values[] = {kHost, port.c_str(), "postgres", "2", nullptr};
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    while (PQpingParams(keys, values, 0) != PQPING_OK) {
        if (std::chrono::steady_clock::now() > deadline)
            throw SandboxError(fmt::format("the sandbox {} started but does not accept connections on {}:{}{}\nFix: {}",
                sandboxNodeName(node), kHost, port, logSection(log), hintFor(fileTail(log, 200), state.baseDir)));
        std::this_thread::sleep_for(20ms);
    }
    m_log->debug("sandbox {} accepts connections on {}:{}", sandboxNodeName(node), kHost, port);
}

std::string Sandbox::host() const
{
    return kHost;
}
int Sandbox::port(SandboxNode node) const
{
    return m_state->ports[node];
}
std::string Sandbox::user() const
{
    return m_state->user;
}
std::string Sandbox::password() const
{
    return m_state->password;
}
std::string Sandbox::database() const
{
    return m_state->database;
}
fs::path Sandbox::baseDir() const
{
    return m_state->baseDir;
}
fs::path Sandbox::socketDir() const
{
    return socketDirOf(m_state->baseDir);
}
fs::path Sandbox::dataDir(SandboxNode node) const
{
    return dataDirOf(m_state->baseDir, node);
}
fs::path Sandbox::logFile(SandboxNode node) const
{
    return logFileOf(m_state->baseDir, node);
}

bool Sandbox::isRunning(SandboxNode node) const
{
    const fs::path dir = dataDir(node);
    std::error_code ec;
    // No pid file: certainly down, and no process to start for the answer.
    if (!fs::exists(dir / "postmaster.pid", ec))
        return false;
    return runServerTool(*m_state, {tool(*m_state, "pg_ctl").string(), "status", "-D", dir.string()}, {}, 15s).ok();
}

void Sandbox::stop(SandboxNode node, StopMode mode)
{
    if (!isRunning(node)) {
        m_log->debug("sandbox {} is not running; nothing to stop", sandboxNodeName(node));
        return;
    }
    const fs::path log = logFile(node);
    const std::uintmax_t offset = fileSize(log);
    const ProcessResult result = runServerTool(*m_state,
        {tool(*m_state, "pg_ctl").string(), "stop", "-D", dataDir(node).string(), "-m", std::string(stopModeName(mode)),
            "-w", "-t", "60"},
        {}, 90s);
    if (result.ok() || !isRunning(node)) {
        m_log->info("sandbox {} stopped ({})", sandboxNodeName(node), stopModeName(mode));
        return;
    }
    throw SandboxError(fmt::format("could not stop the sandbox {} ({} mode): {}{}\nFix: {}", sandboxNodeName(node),
        stopModeName(mode), result.combinedOutput(), logSection(log, offset),
        mode == StopMode::Smart ? "smart mode waits for every client to disconnect: "
                                  "close them or use fast mode"
                                : "retry with immediate mode"));
}

void Sandbox::start(SandboxNode node)
{
    startNode(node, false);
    m_log->info("sandbox {} started on {}:{}", sandboxNodeName(node), kHost, port(node));
}

void Sandbox::restart(SandboxNode node)
{
    stop(node, StopMode::Fast);
    start(node);
}

void Sandbox::promoteReplica()
{
    if (!isRunning(SandboxNode::Replica))
        throw SandboxError("cannot promote the sandbox replica: it is not running (start it first)");
    const fs::path log = logFile(SandboxNode::Replica);
    const std::uintmax_t offset = fileSize(log);
    const ProcessResult result = runServerTool(*m_state,
        {tool(*m_state, "pg_ctl").string(), "promote", "-D", dataDir(SandboxNode::Replica).string(), "-w", "-t", "60"},
        {}, 90s);
    if (!result.ok())
        throw SandboxError("could not promote the sandbox replica: " + result.combinedOutput() + logSection(log, offset)
            + "\nFix: a replica that was already promoted cannot be promoted again; rebuild the "
              "sandbox (pulsectl sandbox down && pulsectl sandbox up)");
    m_log->info("sandbox replica promoted: it is a primary now");
}

void Sandbox::pauseReplay()
{
    PgConn conn = connectOrThrow(*m_state, SandboxNode::Replica, m_state->database);
    try {
        execWithin(conn.get(), "SELECT pg_catalog.pg_wal_replay_pause()", kQueryTimeout);
        // The call only requests the pause; replay stops at the next record
        // boundary. Wait for it, so a caller's next write really is held back.
        const auto deadline = std::chrono::steady_clock::now() + 5s;
        while (queryValue(conn.get(), "SELECT pg_catalog.pg_get_wal_replay_pause_state()") != "paused") {
            if (std::chrono::steady_clock::now() > deadline) {
                m_log->warn("replay pause requested but not yet confirmed after 5 s");
                break;
            }
            std::this_thread::sleep_for(10ms);
        }
    } catch (const SandboxError& error) {
        throw SandboxError(std::string("cannot pause replay on the sandbox replica: ") + error.what()
            + " (only a replica in recovery can pause; was it promoted?)");
    }
}

void Sandbox::resumeReplay()
{
    PgConn conn = connectOrThrow(*m_state, SandboxNode::Replica, m_state->database);
    try {
        execWithin(conn.get(), "SELECT pg_catalog.pg_wal_replay_resume()", kQueryTimeout);
    } catch (const SandboxError& error) {
        throw SandboxError(std::string("cannot resume replay on the sandbox replica: ") + error.what()
            + " (only a replica in recovery can resume; was it promoted?)");
    }
}

bool Sandbox::isInRecovery(SandboxNode node) const
{
    PgConn conn = connectOrThrow(*m_state, node, m_state->database);
    try {
        return queryValue(conn.get(), "SELECT pg_catalog.pg_is_in_recovery()") == "t";
    } catch (const SandboxError& error) {
        throw SandboxError(fmt::format("cannot query the sandbox {}: {}", sandboxNodeName(node), error.what()));
    }
}

bool Sandbox::waitForStreaming(std::chrono::milliseconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    PgConn conn(nullptr, &PQfinish);
    while (true) {
        if (!conn || PQstatus(conn.get()) != CONNECTION_OK)
            conn = connectNode(*m_state, SandboxNode::Primary, "postgres");
        if (PQstatus(conn.get()) == CONNECTION_OK) {
            try {
                if (queryValue(conn.get(),
                        "SELECT count(*) FROM pg_catalog.pg_stat_replication "
                        "WHERE state = 'streaming'")
                    != "0")
                    return true;
            } catch (const SandboxError&) {
                conn.reset(); // server went away mid-poll: reconnect next round
            }
        }
        if (std::chrono::steady_clock::now() >= deadline)
            return false;
        std::this_thread::sleep_for(50ms);
    }
}

void Sandbox::teardown()
{
    if (m_tornDown)
        return;
    const fs::path base = m_state->baseDir;
    std::vector<std::string> problems;
    for (const SandboxNode node : {SandboxNode::Replica, SandboxNode::Primary}) {
        const fs::path dir = dataDir(node);
        std::error_code ec;
        if (!fs::exists(dir / "postmaster.pid", ec))
            continue;
        const std::optional<pid_t> pid = postmasterPid(dir);
        try {
            runServerTool(*m_state,
                {tool(*m_state, "pg_ctl").string(), "stop", "-D", dir.string(), "-m", "immediate", "-w", "-t", "30"},
                {}, 45s);
        } catch (const std::exception& error) {
            m_log->warn("pg_ctl stop of the sandbox {} failed: {}", sandboxNodeName(node), error.what());
        }
        // pg_ctl only reports the pid file; make sure the postmaster is gone
        // before its directory is removed under it.
        if (pid && processAlive(*pid)) {
            ::kill(*pid, SIGQUIT); // the postmaster's own "immediate shutdown" signal
            const auto deadline = std::chrono::steady_clock::now() + 5s;
            while (processAlive(*pid) && std::chrono::steady_clock::now() < deadline)
                std::this_thread::sleep_for(20ms);
            if (processAlive(*pid))
                ::kill(*pid, SIGKILL);
            if (processAlive(*pid))
                problems.push_back(
                    fmt::format("the sandbox {} (pid {}) is still running", sandboxNodeName(node), *pid));
        }
    }

    std::error_code ec;
    fs::remove_all(base, ec);
    if (ec)
        problems.push_back("cannot remove " + base.string() + ": " + ec.message());
    // After our own cleanup: if we die in the middle of it, the guardian finishes it.
    if (m_guard)
        m_guard->disarm();
    m_tornDown = true;
    if (!problems.empty()) {
        std::string message = "sandbox teardown incomplete:";
        for (const auto& problem : problems)
            message += "\n  " + problem;
        throw SandboxError(message + "\nFix: stop the process by hand (kill <pid>) and remove " + base.string());
    }
    m_log->info("sandbox in {} removed", base.string());
}

std::vector<std::pair<std::string, std::string>> Sandbox::settingsValues() const
{
    return {
        {"POSTGRES_HOST", kHost},
        {"POSTGRES_PORT", std::to_string(port(SandboxNode::Primary))},
        {"POSTGRES_USER", m_state->user},
        {"POSTGRES_PASSWORD", m_state->password},
        {"POSTGRES_DATABASE", m_state->database},
        {"POSTGRES_REPLICA_HOST", kHost},
        {"POSTGRES_REPLICA_PORT", std::to_string(port(SandboxNode::Replica))},
    };
}

std::string Sandbox::describe() const
{
    return fmt::format("sandbox in {}: primary {}:{}, replica {}:{}, user {}, database {}{}{}",
        m_state->baseDir.string(), kHost, port(SandboxNode::Primary), kHost, port(SandboxNode::Replica), m_state->user,
        m_state->database, m_state->serverVersion.empty() ? "" : ", PostgreSQL ", m_state->serverVersion);
}

} // namespace pulse

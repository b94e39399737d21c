#pragma once
// A private PostgreSQL topology on 127.0.0.1: a primary and a streaming
// replica (physical replication slot "pulse_replica"), created from scratch
// with initdb + pg_basebackup under one base directory:
//
//   <baseDir>/sandbox.json        state: ports, user, database, passwords (mode 600)
//   <baseDir>/sock/               unix sockets of both nodes (never /var/run/postgresql)
//   <baseDir>/primary/, replica/  data directories
//   <baseDir>/log/<node>.log      server logs
//   <baseDir>/replicator.pgpass   the standby's passfile (primary_conninfo points at it)
//
// Used by `pulsectl sandbox up|down|status`, `pulse-console --sandbox` and
// every integration test executable.
//
// Clients connect over TCP to 127.0.0.1 as user() with password() (SCRAM);
// the private unix socket in socketDir() is trusted. Server binaries come
// from $PULSE_PG_BINDIR, else `pg_config --bindir`, else the newest
// /usr/lib/postgresql/*/bin.
//
// Root: PostgreSQL refuses to run as root, so when geteuid() == 0 every server
// binary runs as the `postgres` system user (runuser) and the base directory
// tree belongs to postgres; the state file stays the caller's. A create()
// takes about 1-3 s; start() returns once the node accepts connections.
//
// Failover: SandboxNode names a physical node (data directory, port, log),
// not a role. promote() turns either standby into a primary and
// rebuildAsReplica() makes either node a streaming standby of the other, so
// the roles can swap and swap back; currentPrimary() says who is the primary
// now. settingsValues() and describe() keep the physical names.
//
// Not thread-safe: use one Sandbox object from one thread at a time. Two
// objects (or processes) may control the same sandbox one after the other.

#include "topology/SandboxNode.hpp"
#include "topology/StopMode.hpp"

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace spdlog {
class logger;
}

namespace pulse {

class SandboxGuard;
namespace detail {
struct SandboxState; // defined in SandboxState.hpp
}

struct SandboxOptions {
    std::filesystem::path baseDir; // empty -> Sandbox::defaultBaseDir()
    std::string user = "pulse_user"; // superuser created by initdb (the app connects as it)
    std::string database = "pulse_db"; // created on the primary
    bool guardOwnerProcess = false; // tear down automatically when this process dies (tests)
};

class Sandbox {
public:
    // $PULSE_SANDBOX_DIR, else ${TMPDIR:-/tmp}/pulse-sandbox-<uid>.
    static std::filesystem::path defaultBaseDir();
    // True when baseDir holds a sandbox state file.
    static bool exists(const std::filesystem::path& baseDir);
    // Builds and starts a new topology and waits until the replica streams.
    // Throws SandboxError if baseDir already holds a sandbox (or other files),
    // or when any step fails; a failed create leaves nothing running or behind.
    static std::unique_ptr<Sandbox> create(const SandboxOptions& options);
    // Attaches to an existing sandbox (running or not). Throws SandboxError.
    static std::unique_ptr<Sandbox> open(const std::filesystem::path& baseDir);

    // Does NOT tear down (a CLI `sandbox up` must outlive the process),
    // unless the sandbox was created with guardOwnerProcess.
    ~Sandbox();
    Sandbox(const Sandbox&) = delete;
    Sandbox& operator=(const Sandbox&) = delete;

    std::string host() const; // "127.0.0.1"
    int port(SandboxNode node) const;
    std::string user() const;
    std::string password() const;
    std::string database() const;
    std::filesystem::path baseDir() const;
    std::filesystem::path socketDir() const;
    std::filesystem::path dataDir(SandboxNode node) const;
    std::filesystem::path logFile(SandboxNode node) const;

    bool isRunning(SandboxNode node) const; // pg_ctl status
    // pg_ctl stop -w; a node that is not running is left alone. Smart waits
    // (up to 60 s) for every client session to end.
    void stop(SandboxNode node, StopMode mode = StopMode::Fast);
    // Starts the node and waits until it accepts connections; no-op wait when
    // it already runs. After stopping the primary the replica reconnects on
    // its own within about 200 ms of the primary being back.
    void start(SandboxNode node);
    void restart(SandboxNode node); // stop(Fast) + start
    // pg_ctl promote -w on `node`, which must run and be in recovery (else
    // SandboxError saying so): afterwards it is a primary of its own (a new
    // timeline), without a replication slot, and nothing streams until the
    // other node is rebuilt as its replica. Bounded (60 s).
    void promote(SandboxNode node);
    void promoteReplica() { promote(SandboxNode::Replica); } // the callers from before failover support
    // Makes `node` a streaming replica of the other node, which must run and
    // not be in recovery (else SandboxError naming it). Stops `node` (fast,
    // then immediate; a frozen node must be thawed first), makes sure the
    // slot "pulse_replica" exists on the other node, then pg_rewind, or a
    // fresh pg_basebackup where pg_rewind refuses (it always does with the
    // sandbox's own full_page_writes = off), writes the standby
    // configuration, starts `node` and waits until it streams. Returns how,
    // one line: "pg_rewind from replica (port N)" or "fresh base backup from
    // replica (port N): pg_rewind refused: <why>". What `node` had and the
    // other node has not is lost. About 1 s on a fresh sandbox, growing with
    // the data (1.5 s at 350 MB); every wait is bounded. Throws SandboxError
    // quoting the logs.
    std::string rebuildAsReplica(SandboxNode node);
    // SQL pg_wal_replay_pause()/resume() on the replica; pauseReplay() returns
    // once replay is actually paused (bounded wait).
    void pauseReplay();
    void resumeReplay();
    // Polls pg_stat_replication on whichever node answers and is not in
    // recovery (the physical primary, or the replica after a failover) until
    // a walsender is in state 'streaming'; false when the timeout passes
    // first. A frozen node may stretch one round by the 2 s connect timeout.
    bool waitForStreaming(std::chrono::milliseconds timeout);
    // SELECT pg_is_in_recovery() on the node. Throws SandboxError when the
    // node cannot be queried.
    bool isInRecovery(SandboxNode node) const;
    // The node that runs and is not in recovery. std::nullopt when there is
    // none (both down or standbys, or the primary does not answer: frozen),
    // and when both are (a split brain: after a promotion the old primary
    // was started again instead of rebuilt): then neither is "the" primary.
    // Never throws; takes up to about 2 s per node that does not answer.
    std::optional<SandboxNode> currentPrimary() const;
    // Immediate stop of both nodes, then removes baseDir. Idempotent. Throws
    // SandboxError only when something could not be removed or stopped; the
    // destructor and the guardian paths never throw.
    void teardown();

    // Settings values that point an engine at this sandbox: POSTGRES_HOST,
    // POSTGRES_PORT, POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DATABASE,
    // POSTGRES_REPLICA_HOST, POSTGRES_REPLICA_PORT.
    std::vector<std::pair<std::string, std::string>> settingsValues() const;
    // One line for logs; never includes the password.
    std::string describe() const;

private:
    explicit Sandbox(std::unique_ptr<detail::SandboxState> state);
    void build(const SandboxOptions& options); // the steps of create() after the base directory exists

    std::unique_ptr<detail::SandboxState> m_state;
    std::unique_ptr<SandboxGuard> m_guard; // set only with guardOwnerProcess
    std::shared_ptr<spdlog::logger> m_log;
    bool m_tornDown = false;
};

} // namespace pulse

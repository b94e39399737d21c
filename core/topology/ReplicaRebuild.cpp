#include "topology/ReplicaRebuild.hpp"

#include "common/Errors.hpp"
#include "common/Logging.hpp"
#include "common/Trimmed.hpp"
#include "topology/ConfQuoting.hpp"
#include "topology/NodeControl.hpp"
#include "topology/Postmaster.hpp"
#include "topology/PrivateFiles.hpp"
#include "topology/ProcessRunner.hpp"
#include "topology/SandboxClient.hpp"
#include "topology/ServerLog.hpp"
#include "topology/ServerTools.hpp"
#include "topology/StandbyConfig.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <string_view>
#include <thread>

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace pulse {

using detail::SandboxState;

namespace {

constexpr auto kRewindTimeout = 120s; // pg_rewind, its single-user crash recovery of the target included
constexpr auto kEmptyTimeout = 60s; // removing a data directory's contents
// A node usually streams within a second of its start. A rewound node that
// does not is given up sooner: the fresh base backup still follows.
constexpr auto kRewoundStreamingTimeout = 20s;
constexpr auto kStreamingTimeout = 30s;

SandboxNode otherNode(SandboxNode node)
{
    return node == SandboxNode::Primary ? SandboxNode::Replica : SandboxNode::Primary;
}

std::string firstLine(std::string_view text)
{
    return trimmed(text.substr(0, text.find('\n')));
}

// pg_rewind's own reason, one line: its last "error:" or "fatal:" line
// without the prefix, else its last line.
std::string rewindRefusal(const ProcessResult& result)
{
    if (result.timedOut)
        return fmt::format("pg_rewind did not finish within {} s", kRewindTimeout.count());
    const std::string text = result.combinedOutput();
    std::string reason;
    std::string last;
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t end = std::min(text.find('\n', start), text.size());
        const std::string line = trimmed(std::string_view(text).substr(start, end - start));
        start = end + 1;
        if (line.empty())
            continue;
        last = line;
        for (const std::string_view prefix : {"error: ", "fatal: "}) {
            if (const auto at = line.find(prefix); at != std::string::npos)
                reason = line.substr(at + prefix.size());
        }
    }
    if (!reason.empty())
        return reason;
    return last.empty() ? fmt::format("pg_rewind exited with code {}", result.exitCode) : last;
}

} // namespace

ReplicaRebuild::ReplicaRebuild(SandboxState& state, SandboxNode node)
    : m_state(state)
    , m_node(node)
    , m_source(otherNode(node))
    , m_log(logger("sandbox"))
{ }

std::string ReplicaRebuild::run()
{
    const auto started = std::chrono::steady_clock::now();
    checkSource();
    stopNode();
    prepareSource();

    const std::string from = fmt::format("{} (port {})", sandboxNodeName(m_source), m_state.ports[m_source]);
    std::string how;
    std::optional<std::string> why = rewind();
    if (!why) {
        try {
            startAsStandby(kRewoundStreamingTimeout);
            how = "pg_rewind from " + from;
        } catch (const SandboxError& error) {
            m_log->warn("the rewound sandbox {} did not come up streaming; a fresh base backup follows: {}",
                sandboxNodeName(m_node), error.what());
            why = "the rewound node did not stream: " + firstLine(error.what());
            stopNode();
        }
    } else {
        why = "pg_rewind refused: " + *why;
    }
    if (how.empty()) {
        m_log->info(
            "sandbox {}: fresh base backup from the {} ({})", sandboxNodeName(m_node), sandboxNodeName(m_source), *why);
        freshBaseBackup();
        startAsStandby(kStreamingTimeout);
        how = fmt::format("fresh base backup from {}: {}", from, *why);
    }
    dropStaleSlot();
    const auto elapsed
        = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    m_log->info("sandbox {} rebuilt as a replica in {} ms: {}", sandboxNodeName(m_node), elapsed.count(), how);
    return how;
}

void ReplicaRebuild::checkSource() const
{
    const std::string_view node = sandboxNodeName(m_node);
    const std::string_view source = sandboxNodeName(m_source);
    if (!NodeControl(m_state).isRunning(m_source))
        throw SandboxError(fmt::format("cannot rebuild the sandbox {0} as a replica of the {1}: the {1} is not "
                                       "running\nFix: start the {1} (node action start) and, if it is a replica, "
                                       "promote it; then rebuild the {0}",
            node, source));
    bool inRecovery = false;
    try {
        const auto connection = SandboxClient(m_state).connect(m_source, "postgres");
        inRecovery = SandboxClient::queryValue(*connection, "SELECT pg_catalog.pg_is_in_recovery()") == "t";
    } catch (const Error& error) {
        throw SandboxError(fmt::format("cannot rebuild the sandbox {0} as a replica of the {1}: the {1} does not "
                                       "answer: {2}\nFix: the {1} must run and answer (thaw it if it is frozen)",
            node, source, error.what()));
    }
    // Its data would be copied from a standby that may lag, and nothing
    // would be left to take writes: only a primary is a source.
    if (inRecovery)
        throw SandboxError(fmt::format("cannot rebuild the sandbox {0} as a replica of the {1}: the {1} is in "
                                       "recovery (a standby), not a primary\nFix: promote the {1} first (node "
                                       "action promote), then rebuild the {0}",
            node, source));
}

void ReplicaRebuild::stopNode() const
{
    NodeControl nodes(m_state);
    try {
        nodes.stop(m_node, StopMode::Fast);
    } catch (const SandboxError& error) {
        m_log->warn(
            "fast stop of the sandbox {} failed, stopping it immediately: {}", sandboxNodeName(m_node), error.what());
        nodes.stop(m_node, StopMode::Immediate);
    }
}

void ReplicaRebuild::prepareSource() const
{
    // Sandboxes created before failover support name only the first
    // primary's port; either node may be the upstream now.
    StandbyConfig(m_state).writePassfile();
    const ServerLog log(m_state.layout().logFile(m_source));
    const std::uintmax_t offset = log.size();
    try {
        const auto connection = SandboxClient(m_state).connect(m_source, "postgres");
        connection->exec("CHECKPOINT");
        connection->exec(fmt::format("SELECT pg_catalog.pg_create_physical_replication_slot('{0}', true) WHERE NOT "
                                     "EXISTS (SELECT FROM pg_catalog.pg_replication_slots WHERE slot_name = '{0}')",
            SandboxState::kSlotName));
    } catch (const Error& error) {
        throw SandboxError(fmt::format("cannot prepare the sandbox {} as the source of a rebuild (CHECKPOINT, "
                                       "replication slot {}): {}{}\nFix: see the server log above",
            sandboxNodeName(m_source), SandboxState::kSlotName, error.what(), log.section(offset)));
    }
}

std::optional<std::string> ReplicaRebuild::rewind() const
{
    const SandboxLayout layout = m_state.layout();
    // The private socket is trusted: the superuser needs no password there.
    const std::string source = fmt::format("host={} port={} user={} dbname=postgres connect_timeout=5",
        conninfoQuote(layout.socketDir().string()), m_state.ports[m_source], m_state.user);
    ProcessResult result;
    try {
        result = ServerTools(m_state).run("pg_rewind",
            {"--target-pgdata=" + layout.dataDir(m_node).string(), "--source-server=" + source, "--no-sync"}, {},
            kRewindTimeout);
    } catch (const SandboxError& error) {
        return firstLine(error.what());
    }
    if (!result.ok())
        return rewindRefusal(result);
    m_log->debug("pg_rewind of the sandbox {}: {}", sandboxNodeName(m_node), result.combinedOutput());
    return std::nullopt;
}

void ReplicaRebuild::freshBaseBackup() const
{
    emptyDataDir();
    const SandboxLayout layout = m_state.layout();
    const ServerLog sourceLog(layout.logFile(m_source));
    const std::uintmax_t offset = sourceLog.size();
    const ProcessResult backup = ServerTools(m_state).run("pg_basebackup",
        {"-h", SandboxState::kHost, "-p", std::to_string(m_state.ports[m_source]), "-U", SandboxState::kReplicationUser,
            "-D", layout.dataDir(m_node).string(), "-X", "stream", "-S", SandboxState::kSlotName, "--checkpoint=fast",
            "--no-sync", "-w"},
        {{"PGPASSFILE", layout.passfile().string()}});
    if (!backup.ok())
        throw SandboxError(fmt::format("pg_basebackup of the sandbox {} into the {} failed{}:\n{}{}\nFix: the cause "
                                       "above; the {} has no usable data directory until a rebuild succeeds (retry "
                                       "it, or pulsectl sandbox down && pulsectl sandbox up)",
            sandboxNodeName(m_source), sandboxNodeName(m_node), backup.timedOut ? " (timed out)" : "",
            backup.combinedOutput(), sourceLog.section(offset), sandboxNodeName(m_node)));
}

void ReplicaRebuild::emptyDataDir() const
{
    const fs::path dir = m_state.layout().dataDir(m_node);
    std::error_code ec;
    const auto status = fs::symlink_status(dir, ec);
    if (!fs::exists(status)) {
        PrivateFiles::makeDir(dir, m_state.account);
        return;
    }
    if (!fs::is_directory(status))
        throw SandboxError(fmt::format("refusing to empty {}: it is not a directory (a symbolic link?)\nFix: "
                                       "rebuild the whole sandbox (pulsectl sandbox down && pulsectl sandbox up)",
            dir.string()));
    // Never under a live server: stopNode() made sure, but a server started
    // since by someone else would lose its files while running.
    if (const auto pid = postmasterPid(dir); pid && processAlive(*pid))
        throw SandboxError(fmt::format("refusing to empty {}: a server (pid {}) still runs there\nFix: stop it "
                                       "first (node action stop)",
            dir.string(), *pid));

    // As the server account when we are root: whatever the directory holds
    // (a symlink planted by that account), root's rights never apply.
    ProcessCommand command;
    if (m_state.account)
        command.argv = m_state.account->commandPrefix();
    command.argv.insert(command.argv.end(), {"find", dir.string(), "-mindepth", "1", "-delete"});
    command.extraEnv = {{"LC_ALL", "C"}};
    command.cwd = m_state.baseDir;
    command.timeout = kEmptyTimeout;
    const ProcessResult result = ProcessRunner::run(command);
    if (!result.ok() || !fs::is_empty(dir, ec))
        throw SandboxError(fmt::format("cannot empty {} for a fresh base backup: {}\nFix: remove its contents by "
                                       "hand{}, or rebuild the whole sandbox (pulsectl sandbox down && pulsectl "
                                       "sandbox up)",
            dir.string(), result.timedOut ? std::string("find timed out") : result.combinedOutput(),
            m_state.account ? " as the " + m_state.account->name() + " user" : std::string()));
}

void ReplicaRebuild::startAsStandby(std::chrono::milliseconds streamingTimeout) const
{
    StandbyConfig(m_state).write(m_node, m_source);
    const SandboxLayout layout = m_state.layout();
    const ServerLog nodeLog(layout.logFile(m_node));
    const ServerLog sourceLog(layout.logFile(m_source));
    const std::uintmax_t nodeOffset = nodeLog.size();
    const std::uintmax_t sourceOffset = sourceLog.size();
    NodeControl(m_state).start(m_node, false);

    // StandbyConfig names the node as application_name: its own row, not
    // any walsender's.
    const std::string query = fmt::format("SELECT count(*) FROM pg_catalog.pg_stat_replication "
                                          "WHERE application_name = '{}' AND state = 'streaming'",
        sandboxNodeName(m_node));
    const SandboxClient client(m_state);
    const auto deadline = std::chrono::steady_clock::now() + streamingTimeout;
    std::unique_ptr<PgConnection> connection;
    std::string lastError;
    while (true) {
        try {
            if (!connection || connection->isBroken())
                connection = client.connect(m_source, "postgres");
            if (SandboxClient::queryValue(*connection, query) != "0")
                return;
        } catch (const Error& error) {
            lastError = error.what();
            connection.reset();
        }
        if (std::chrono::steady_clock::now() >= deadline)
            break;
        std::this_thread::sleep_for(50ms);
    }
    throw SandboxError(fmt::format("the sandbox {0} started as a standby but does not stream from the {1} within "
                                   "{2} s{3}{4}{5}\nFix: see both logs; a node whose history left the {1}'s "
                                   "timeline needs a fresh base backup (rebuild it again)",
        sandboxNodeName(m_node), sandboxNodeName(m_source),
        std::chrono::duration_cast<std::chrono::seconds>(streamingTimeout).count(),
        lastError.empty() ? std::string() : " (last error: " + firstLine(lastError) + ")", nodeLog.section(nodeOffset),
        sourceLog.section(sourceOffset)));
}

void ReplicaRebuild::dropStaleSlot() const
{
    // pg_rewind and pg_basebackup leave the slots out of what they copy, but
    // a node pg_rewind found nothing to rewind in (a cleanly stopped former
    // primary) keeps its own: on a standby it would hold WAL back forever.
    try {
        const auto connection = SandboxClient(m_state).connect(m_node, "postgres");
        const PgResult dropped = connection->exec(
            fmt::format("SELECT pg_catalog.pg_drop_replication_slot(slot_name) FROM pg_catalog.pg_replication_slots "
                        "WHERE slot_name = '{}' AND NOT active",
                SandboxState::kSlotName));
        if (dropped.rows() > 0)
            m_log->info("sandbox {}: dropped the replication slot {} it kept from its time as a primary",
                sandboxNodeName(m_node), SandboxState::kSlotName);
    } catch (const Error& error) {
        m_log->warn("sandbox {}: could not drop a stale replication slot {}: {}", sandboxNodeName(m_node),
            SandboxState::kSlotName, error.what());
    }
}

} // namespace pulse

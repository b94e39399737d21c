#include "topology/Sandbox.hpp"

#include "common/Errors.hpp"
#include "common/Logging.hpp"
#include "topology/NodeControl.hpp"
#include "topology/PgBinaries.hpp"
#include "topology/ReplicaRebuild.hpp"
#include "topology/SandboxBuilder.hpp"
#include "topology/SandboxClient.hpp"
#include "topology/SandboxGuard.hpp"
#include "topology/SandboxLayout.hpp"
#include "topology/SandboxState.hpp"
#include "topology/SandboxStateFile.hpp"
#include "topology/ServerLog.hpp"

#include <algorithm>
#include <array>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace pulse {

using detail::SandboxState;

namespace {

constexpr auto kStreamingTimeout = 20s; // create(): replica must stream by then

} // namespace

fs::path Sandbox::defaultBaseDir()
{
    if (const char* dir = std::getenv("PULSE_SANDBOX_DIR"); dir && *dir)
        return SandboxLayout::normalized(dir);
    const char* tmp = std::getenv("TMPDIR");
    const fs::path root = (tmp && *tmp) ? fs::path(tmp) : fs::path("/tmp");
    return SandboxLayout::normalized(root / ("pulse-sandbox-" + std::to_string(::getuid())));
}

bool Sandbox::exists(const fs::path& baseDir)
{
    std::error_code ec;
    return fs::exists(SandboxLayout(baseDir).stateFile(), ec);
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
    auto state = SandboxStateFile::read(SandboxLayout::normalized(baseDir));
    state->account = ServerAccount::forCurrentUser();
    // The binaries recorded at creation may have gone with a PostgreSQL upgrade.
    if (state->binDir.empty() || !PgBinaries::isComplete(state->binDir))
        state->binDir = PgBinaries::find();
    return std::unique_ptr<Sandbox>(new Sandbox(std::move(state)));
}

std::unique_ptr<Sandbox> Sandbox::create(const SandboxOptions& options)
{
    SandboxBuilder::checkOptions(options);
    const fs::path base = SandboxLayout::normalized(options.baseDir.empty() ? defaultBaseDir() : options.baseDir);
    SandboxBuilder::checkBaseDir(base);

    std::unique_ptr<Sandbox> sandbox(new Sandbox(SandboxBuilder::claimBaseDir(base, options)));
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
    SandboxBuilder builder(*m_state);
    NodeControl nodes(*m_state);

    builder.prepare();
    // Armed before the first server starts: a process killed in the middle
    // of create() must not leak servers either.
    if (options.guardOwnerProcess)
        m_guard = std::make_unique<SandboxGuard>(builder.guardTarget());

    builder.initPrimary();
    nodes.start(SandboxNode::Primary, true);
    builder.createRoles();
    builder.cloneReplica();
    nodes.start(SandboxNode::Replica, true);

    if (!waitForStreaming(kStreamingTimeout))
        throw SandboxError(fmt::format("the sandbox replica did not start streaming within {} s{}{}\nCheck both "
                                       "logs above; `pulsectl sandbox down && pulsectl sandbox up` rebuilds it.",
            std::chrono::duration_cast<std::chrono::seconds>(kStreamingTimeout).count(),
            ServerLog(logFile(SandboxNode::Replica)).section(), ServerLog(logFile(SandboxNode::Primary)).section()));
    const auto elapsed
        = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    m_log->info("{} ready in {} ms", describe(), elapsed.count());
}

std::string Sandbox::host() const
{
    return SandboxState::kHost;
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
    return m_state->layout().socketDir();
}
fs::path Sandbox::dataDir(SandboxNode node) const
{
    return m_state->layout().dataDir(node);
}
fs::path Sandbox::logFile(SandboxNode node) const
{
    return m_state->layout().logFile(node);
}

bool Sandbox::isRunning(SandboxNode node) const
{
    return NodeControl(*m_state).isRunning(node);
}

void Sandbox::stop(SandboxNode node, StopMode mode)
{
    NodeControl(*m_state).stop(node, mode);
}

void Sandbox::start(SandboxNode node)
{
    NodeControl(*m_state).start(node, false);
    m_log->info("sandbox {} started on {}:{}", sandboxNodeName(node), SandboxState::kHost, port(node));
}

void Sandbox::restart(SandboxNode node)
{
    stop(node, StopMode::Fast);
    start(node);
}

void Sandbox::promote(SandboxNode node)
{
    // pg_ctl would refuse too, but in words about the control file.
    if (isRunning(node) && !isInRecovery(node))
        throw SandboxError(fmt::format("cannot promote the sandbox {}: it is not in recovery, it already is a "
                                       "primary\nFix: only a standby can be promoted; to make this node a standby "
                                       "again, rebuild it as a replica of the other node (node action rebuild)",
            sandboxNodeName(node)));
    NodeControl(*m_state).promote(node);
}

std::string Sandbox::rebuildAsReplica(SandboxNode node)
{
    return ReplicaRebuild(*m_state, node).run();
}

void Sandbox::pauseReplay()
{
    const auto connection = SandboxClient(*m_state).connect(SandboxNode::Replica, m_state->database);
    try {
        connection->exec("SELECT pg_catalog.pg_wal_replay_pause()");
        // The call only requests the pause; replay stops at the next record
        // boundary. Wait for it, so a caller's next write really is held back.
        const auto deadline = std::chrono::steady_clock::now() + 5s;
        while (
            SandboxClient::queryValue(*connection, "SELECT pg_catalog.pg_get_wal_replay_pause_state()") != "paused") {
            if (std::chrono::steady_clock::now() > deadline) {
                m_log->warn("replay pause requested but not yet confirmed after 5 s");
                break;
            }
            std::this_thread::sleep_for(10ms);
        }
    } catch (const Error& error) {
        throw SandboxError(std::string("cannot pause replay on the sandbox replica: ") + error.what()
            + " (only a replica in recovery can pause; was it promoted?)");
    }
}

void Sandbox::resumeReplay()
{
    const auto connection = SandboxClient(*m_state).connect(SandboxNode::Replica, m_state->database);
    try {
        connection->exec("SELECT pg_catalog.pg_wal_replay_resume()");
    } catch (const Error& error) {
        throw SandboxError(std::string("cannot resume replay on the sandbox replica: ") + error.what()
            + " (only a replica in recovery can resume; was it promoted?)");
    }
}

bool Sandbox::isInRecovery(SandboxNode node) const
{
    const auto connection = SandboxClient(*m_state).connect(node, m_state->database);
    try {
        return SandboxClient::queryValue(*connection, "SELECT pg_catalog.pg_is_in_recovery()") == "t";
    } catch (const Error& error) {
        throw SandboxError(fmt::format("cannot query the sandbox {}: {}", sandboxNodeName(node), error.what()));
    }
}

std::optional<SandboxNode> Sandbox::currentPrimary() const
{
    std::optional<SandboxNode> primary;
    for (const SandboxNode node : {SandboxNode::Primary, SandboxNode::Replica}) {
        bool isPrimary = false;
        try {
            isPrimary = isRunning(node) && !isInRecovery(node);
        } catch (const std::exception&) {
            isPrimary = false; // does not answer (frozen, starting): not a primary one can use
        }
        if (!isPrimary)
            continue;
        if (primary)
            return std::nullopt; // both: a split brain
        primary = node;
    }
    return primary;
}

bool Sandbox::waitForStreaming(std::chrono::milliseconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    const SandboxClient client(*m_state);
    // One query answers both questions: is this node the primary, and does
    // something stream from it.
    constexpr std::string_view kQuery = "SELECT pg_catalog.pg_is_in_recovery(), (SELECT count(*) FROM "
                                        "pg_catalog.pg_stat_replication WHERE state = 'streaming')";
    std::array<std::unique_ptr<PgConnection>, 2> connections; // indexed by SandboxNode
    // The node asked first; it follows the primary once one is found, so
    // a round usually costs one query and a down or frozen standby none.
    SandboxNode first = SandboxNode::Primary;
    while (true) {
        const SandboxNode second = first == SandboxNode::Primary ? SandboxNode::Replica : SandboxNode::Primary;
        for (const SandboxNode node : {first, second}) {
            auto& connection = connections[node];
            try {
                if (!connection || connection->isBroken())
                    connection = client.connect(node, "postgres");
                // A node frozen since the last round must not hold the
                // caller far beyond its timeout.
                const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now());
                connection->setDeadline(std::clamp<std::chrono::milliseconds>(left, 200ms, 10s));
                const PgResult result = connection->exec(kQuery);
                if (result.get(0, 0).value_or("t") == "t")
                    continue; // a standby: ask the other node
                first = node;
                if (result.get(0, 1).value_or("0") != "0")
                    return true;
                break; // the primary, with nothing streaming yet
            } catch (const Error&) {
                connection.reset(); // down, not up yet, or went away mid-poll: reconnect next round
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
    NodeControl nodes(*m_state);
    for (const SandboxNode node : {SandboxNode::Replica, SandboxNode::Primary}) {
        if (auto problem = nodes.forceStop(node))
            problems.push_back(std::move(*problem));
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
        {"POSTGRES_HOST", SandboxState::kHost},
        {"POSTGRES_PORT", std::to_string(port(SandboxNode::Primary))},
        {"POSTGRES_USER", m_state->user},
        {"POSTGRES_PASSWORD", m_state->password},
        {"POSTGRES_DATABASE", m_state->database},
        {"POSTGRES_REPLICA_HOST", SandboxState::kHost},
        {"POSTGRES_REPLICA_PORT", std::to_string(port(SandboxNode::Replica))},
    };
}

std::string Sandbox::describe() const
{
    return fmt::format("sandbox in {}: primary {}:{}, replica {}:{}, user {}, database {}{}{}",
        m_state->baseDir.string(), SandboxState::kHost, port(SandboxNode::Primary), SandboxState::kHost,
        port(SandboxNode::Replica), m_state->user, m_state->database,
        m_state->serverVersion.empty() ? "" : ", PostgreSQL ", m_state->serverVersion);
}

} // namespace pulse

#include "topology/SqlNodeController.hpp"

#include "common/Errors.hpp"
#include "common/Logging.hpp"
#include "pg/PgConnection.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <thread>

namespace pulse {
namespace {

using namespace std::chrono_literals;

constexpr auto kPauseConfirmTimeout = 5s; // pause_replay: until replay really stopped

constexpr std::string_view kPause = "SELECT pg_catalog.pg_wal_replay_pause()";
constexpr std::string_view kResume = "SELECT pg_catalog.pg_wal_replay_resume()";
// pg_get_wal_replay_pause_state() is PostgreSQL 14+; before, "paused" is all
// there is to know.
constexpr std::string_view kPauseState = "SELECT pg_catalog.pg_get_wal_replay_pause_state()";
constexpr std::string_view kPausedOld = "SELECT CASE WHEN pg_catalog.pg_is_wal_replay_paused() THEN 'paused' END";
// Counted in SQL, one round trip: the function's result says whether the
// signal was sent (false when the session ended meanwhile).
constexpr std::string_view kTerminate
    = "SELECT count(*) FROM (SELECT pg_catalog.pg_terminate_backend(pid) AS done "
      "FROM pg_catalog.pg_stat_activity "
      "WHERE pg_catalog.left(application_name, 6) = 'pulse/' AND pid <> pg_catalog.pg_backend_pid()) AS t "
      "WHERE done";

std::string fixForSql(NodeAction action, const SqlError& error)
{
    if (error.sqlstate() == "42501")
        return "connect as a superuser, or GRANT EXECUTE on the function and pg_signal_backend to the role "
               "(POSTGRES_USER)";
    if (error.sqlstate() == "55000")
        return action == NodeAction::Promote
            ? "only a replica in recovery can be promoted; this node already is a primary"
            : "replay exists only on a replica in recovery; was this node promoted, or is it the primary?";
    return "check the server log of the node";
}

} // namespace

SqlNodeController::SqlNodeController(std::vector<ConnectionParams> nodes, std::chrono::milliseconds statementDeadline)
    : m_nodes(std::move(nodes))
    , m_deadline(statementDeadline)
    , m_log(logger("nodectl"))
{ }

std::string SqlNodeController::describe() const
{
    std::string names;
    for (const auto& params : m_nodes)
        names += (names.empty() ? "" : ", ") + params.nodeName();
    return "SQL functions on " + (names.empty() ? std::string("no node") : names);
}

const ConnectionParams* SqlNodeController::find(const std::string& node) const
{
    for (const auto& params : m_nodes) {
        if (params.nodeName() == node)
            return &params;
    }
    return nullptr;
}

bool SqlNodeController::supports(NodeAction action, const std::string& node) const
{
    switch (action) {
    case NodeAction::PauseReplay:
    case NodeAction::ResumeReplay:
    case NodeAction::Promote:
    case NodeAction::TerminateBackends:
        return find(node) != nullptr;
    default:
        return false;
    }
}

std::unique_ptr<PgConnection> SqlNodeController::connect(const ConnectionParams& params, NodeAction action) const
{
    try {
        auto connection = PgConnection::open(params);
        connection->setDeadline(m_deadline);
        return connection;
    } catch (const Error& error) {
        throw NodeActionError(params.nodeName(), std::string(nodeActionName(action)),
            fmt::format("cannot connect ({}): {}", params.masked(), error.what()),
            "the node must be running and reachable with the configured POSTGRES_* settings");
    }
}

NodeActionOutcome SqlNodeController::perform(NodeAction action, const std::string& node)
{
    const std::string actionName(nodeActionName(action));
    const ConnectionParams* params = find(node);
    if (!supports(action, node))
        throw NodeActionError(node, actionName,
            params == nullptr ? "no connection parameters for this node" : "this is not an SQL action",
            params == nullptr ? "node names are primary, replica, replica2, ... as the engine names them"
                              : "SQL does pause_replay, resume_replay, promote and terminate_backends; configure "
                                "a DRILL_COMMAND_* shell command for the others");

    const auto started = std::chrono::steady_clock::now();
    NodeActionOutcome outcome;
    outcome.action = action;
    outcome.node = node;
    outcome.controller = describe();
    const auto connection = connect(*params, action);
    try {
        switch (action) {
        case NodeAction::PauseReplay: {
            outcome.what = std::string(kPause);
            connection->exec(kPause);
            // The call only requests the pause; replay stops at the next
            // record boundary. Wait for it, so the caller's next write really
            // is held back on this node.
            const std::string_view state = connection->serverVersion() >= 140000 ? kPauseState : kPausedOld;
            const auto deadline = std::chrono::steady_clock::now() + kPauseConfirmTimeout;
            std::string answer;
            while ((answer = connection->exec(state).get(0, 0).value_or("")) != "paused"
                && std::chrono::steady_clock::now() < deadline)
                std::this_thread::sleep_for(10ms);
            // A drill that measures lag on a replica still replaying would
            // prove nothing: an unconfirmed pause fails the action.
            if (answer != "paused")
                throw NodeActionError(node, std::string(nodeActionName(action)),
                    fmt::format("replay not paused {} s after pg_wal_replay_pause() (state: {})",
                        kPauseConfirmTimeout.count(), answer.empty() ? "unknown" : answer),
                    "check the replica's log: replay may be waiting on a recovery conflict");
            outcome.output = "replay paused";
            break;
        }
        case NodeAction::ResumeReplay:
            outcome.what = std::string(kResume);
            connection->exec(kResume);
            outcome.output = "replay resumed";
            break;
        case NodeAction::Promote: {
            outcome.what = fmt::format("SELECT pg_catalog.pg_promote(true, {})", kPromoteWaitSeconds);
            // Waits on the server for up to kPromoteWaitSeconds: the deadline
            // must cover that wait.
            connection->setDeadline(
                std::max(m_deadline, std::chrono::milliseconds(std::chrono::seconds(kPromoteWaitSeconds)) + 5s));
            const bool promoted = connection->exec(outcome.what).boolean(0, 0);
            if (!promoted)
                throw NodeActionError(node, actionName,
                    fmt::format("the promotion did not finish within {} s", kPromoteWaitSeconds),
                    "check the server log of the node; SELECT pg_is_in_recovery() tells whether it finished later");
            outcome.output = "promoted: the node is a primary now (new timeline)";
            break;
        }
        case NodeAction::TerminateBackends: {
            outcome.what = std::string(kTerminate);
            const long long count = connection->exec(kTerminate).integer(0, 0);
            outcome.affected = count;
            outcome.output = fmt::format("{} pulse/ session{} terminated", count, count == 1 ? "" : "s");
            break;
        }
        default:
            break;
        }
    } catch (const SqlError& error) {
        throw NodeActionError(node, actionName,
            fmt::format("{} failed: {} (SQLSTATE {})", outcome.what, error.what(), error.sqlstate()),
            fixForSql(action, error));
    } catch (const NodeActionError&) {
        throw;
    } catch (const Error& error) {
        throw NodeActionError(node, actionName, fmt::format("{} failed: {}", outcome.what, error.what()),
            "the node stopped answering: check that it is running and not frozen");
    }
    outcome.duration
        = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    m_log->info("{}: {} done in {} ms ({})", node, actionName, outcome.duration.count(), outcome.output);
    return outcome;
}

} // namespace pulse

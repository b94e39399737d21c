#include "drills/EngineActivityExecutor.hpp"

#include "common/Errors.hpp"
#include "common/Logging.hpp"
#include "common/StopSleep.hpp"
#include "drills/PoolExhaustion.hpp"
#include "drills/ServiceWatch.hpp"
#include "engine/Engine.hpp"
#include "etl/DemoSchema.hpp"
#include "etl/EtlJobStore.hpp"
#include "pg/PgConnection.hpp"
#include "topology/NodeController.hpp"
#include "workload/DashboardReaders.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

namespace pulse {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

// A direct connection to one server for a probe: never a pool (an exhausted
// pool must not blind the drill), bounded by libpq's shortest connect
// timeout and a short statement deadline, so a frozen server costs a probe
// about two seconds, not a hang.
constexpr std::chrono::seconds kProbeConnectTimeout{2};
constexpr std::chrono::milliseconds kProbeDeadline{2000};
constexpr std::chrono::seconds kCatchUpTimeout{30};
constexpr std::chrono::seconds kEtlStopTimeout{60};

std::string endpointText(const NodeEndpoint& e)
{
    return e.host + ":" + std::to_string(e.port);
}

// Sleeps up to `duration`, returning early (false) when stop is requested.
bool pause(std::chrono::milliseconds duration, std::stop_token stop)
{
    return sleepUnlessStopped(duration, stop);
}

// Catalog actions that are one node action each (stop_node: by its mode).
const std::map<std::string, NodeAction> kNodeActions{
    {"start_node", NodeAction::Start},         {"restart_node", NodeAction::Restart},
    {"kill_node", NodeAction::Kill},           {"freeze_node", NodeAction::Freeze},
    {"thaw_node", NodeAction::Thaw},           {"promote_node", NodeAction::Promote},
    {"rebuild_node", NodeAction::Rebuild},     {"pause_replay", NodeAction::PauseReplay},
    {"resume_replay", NodeAction::ResumeReplay}, {"terminate_backends", NodeAction::TerminateBackends}};

bool needsDemoSchema(const Drill& drill)
{
    if (drill.workload.readers > 0 || drill.workload.etlRows > 0)
        return true;
    auto uses = [](const DrillActivity& a) {
        return a.func == "start_etl" || a.func == "wait_for_etl" || a.func == "etl_rows_exact";
    };
    return std::any_of(drill.method.begin(), drill.method.end(), uses) ||
           std::any_of(drill.steadyState.begin(), drill.steadyState.end(), uses);
}

bool isFault(NodeAction action)
{
    return action != NodeAction::Start && action != NodeAction::Thaw && action != NodeAction::ResumeReplay &&
           action != NodeAction::Rebuild;
}

}  // namespace

struct EngineActivityExecutor::Impl {
    Impl(Engine& e, NodeController& n, NodeActionPolicy p, DrillExecutorOptions o)
        : engine(e), nodes(n), policy(std::move(p)), options(std::move(o))
    {
        const Settings& s = engine.settings();
        nodeParams["primary"] = Engine::connectionParams(s, Target::Primary, "drill").connectTimeout(kProbeConnectTimeout);
        for (const auto& r : s.replicas())
            nodeParams[r.name] = Engine::connectionParams(s, r, "drill").connectTimeout(kProbeConnectTimeout);
    }

    Engine& engine;
    NodeController& nodes;
    const NodeActionPolicy policy;
    const DrillExecutorOptions options;
    std::map<std::string, ConnectionParams> nodeParams;  // physical servers, as configured
    std::shared_ptr<spdlog::logger> log = logger("drill");

    std::unique_ptr<DashboardReaders> readers;
    std::shared_ptr<EtlRunner> etl;  // set once, under `mutex` (probes read it from the watcher thread)
    std::unique_ptr<ServiceWatch> readWatch;
    std::unique_ptr<ServiceWatch> writeWatch;

    mutable std::mutex mutex;  // guards what follows
    std::chrono::system_clock::time_point startedAt;  // begin(): alert_raised counts from here
    std::optional<Clock::time_point> fault;
    std::optional<std::int64_t> dataAtRisk;
    bool lagMeasured = false;
    std::int64_t job = 0;
    std::optional<std::int64_t> planned;
    std::optional<std::int64_t> found;
    std::uint64_t fellBack = 0;
    std::uint64_t decisionsMissed = 0;  // the log outran the tally (its count is then a lower bound)
    std::map<std::string, std::uint64_t> timeoutBaseline;
    std::optional<WorkloadStats> finalReads;
    bool ended = false;
    std::uint64_t refused = 0;  // replica-eligible reads refused (fallback off)

    std::jthread tally;  // counts the decision log as it grows; last member: joined before `mutex` goes

    // --- helpers ------------------------------------------------------------

    const ConnectionParams& params(const std::string& node) const
    {
        const auto it = nodeParams.find(node);
        if (it == nodeParams.end())
            throw InvalidParameterError("no node '" + node + "' in this topology");
        return it->second;
    }

    NodeEndpoint endpointOf(const std::string& node) const
    {
        const auto& p = params(node);
        return {p.hostName(), p.portNumber()};
    }

    // The role the engine gives this server now ("primary", "replica", or
    // "" when the engine does not point at it).
    std::string roleOf(const std::string& node) const
    {
        const NodeEndpoint e = endpointOf(node);
        if (engine.endpoint(Target::Primary) == e)
            return "primary";
        const auto replicas = engine.settings().replicas();
        if (!replicas.empty() && engine.endpoint(Target::Replica) == e)
            return replicas.front().name;
        for (size_t i = 1; i < replicas.size(); ++i)
            if (replicas[i].name == node)
                return node;
        return {};
    }

    // The server behind a role now.
    std::string serverOf(const std::string& role) const
    {
        for (const auto& [node, p] : nodeParams)
            if (roleOf(node) == role)
                return node;
        return role;
    }

    std::unique_ptr<PgConnection> connect(const std::string& node) const
    {
        auto connection = PgConnection::open(params(node));
        connection->setDeadline(kProbeDeadline);
        return connection;
    }

    // The other server of a primary + one replica topology.
    std::string otherNode(const std::string& node) const
    {
        if (nodeParams.size() != 2)
            throw InvalidParameterError("repointing and switchover need a topology of one primary and one replica; "
                                        "this one has " + std::to_string(nodeParams.size()) + " nodes");
        for (const auto& [name, p] : nodeParams)
            if (name != node)
                return name;
        return node;
    }

    // Right before the drill's first fault: the replica's lag then is the
    // data at risk (WAL a promotion would lose).
    void beforeFault()
    {
        {
            std::lock_guard lock(mutex);
            if (fault || lagMeasured)
                return;
        }
        std::optional<std::int64_t> lag;
        try {
            // A fresh cycle (bounded by MONITOR_PROBE_TIMEOUT_MS): the lag
            // right before the fault, not up to an interval old.
            const TopologyStatus status = engine.status();
            for (const NodeStatus* replica : status.replicas())
                if (replica->replication && replica->replication->lagBytes)
                    lag = std::max(lag.value_or(0), *replica->replication->lagBytes);
        } catch (const std::exception& e) {
            log->warn("could not read the replica's lag before the fault: {}", e.what());
        }
        std::lock_guard lock(mutex);
        if (!lagMeasured) {
            lagMeasured = true;
            dataAtRisk = lag;
        }
    }

    // Once the first fault is in place (the node is down, the flag is off):
    // what "reads / writes worked again after" count from. Marked after the
    // action, so reads that still succeed while a stop is under way do not
    // pass for reads that survived it.
    void faultInPlace()
    {
        std::lock_guard lock(mutex);
        if (!fault)
            fault = Clock::now();
    }

    json nodeAction(NodeAction action, const std::string& node)
    {
        params(node);  // a clear error for an unknown node
        policy.enforce(action, node, options.confirmed);
        if (isFault(action))
            beforeFault();
        const NodeActionOutcome outcome = nodes.perform(action, node);
        if (isFault(action))
            faultInPlace();
        engine.refreshNow();
        json out{{"node", node},
                 {"action", std::string(nodeActionName(action))},
                 {"did", outcome.what},
                 {"by", outcome.controller},
                 {"seconds", static_cast<double>(outcome.duration.count()) / 1000.0}};
        if (!outcome.output.empty())
            out["output"] = outcome.output;
        if (outcome.affected)
            out["sessions_terminated"] = *outcome.affected;
        return out;
    }

    std::shared_ptr<ConnectionPool> pool(const std::string& name) const
    {
        auto p = name == "primary" ? engine.primaryPool() : engine.replicaPool();
        if (!p)
            throw InvalidParameterError("this topology has no " + name + " pool");
        return p;
    }

    std::uint64_t readerQueries(const WorkloadStats& stats, bool errorsOnly) const
    {
        std::uint64_t n = 0;
        for (const auto& q : stats.queries)
            n += q.errors + (errorsOnly ? 0 : q.latency.count);
        return n;
    }

    WorkloadStats readerStats() const
    {
        {
            std::lock_guard lock(mutex);
            if (finalReads)
                return *finalReads;
        }
        return readers ? readers->snapshot() : WorkloadStats{};
    }

    std::uint64_t failedReads() const
    {
        return readerQueries(readerStats(), true) + (readWatch ? readWatch->failures() : 0);
    }

    std::shared_ptr<EtlRunner> loader() const
    {
        std::lock_guard lock(mutex);
        return etl;
    }

    std::uint64_t failedWrites() const
    {
        const auto load = loader();
        const int retries = load ? load->progress().retries : 0;
        return (writeWatch ? writeWatch->failures() : 0) + static_cast<std::uint64_t>(retries);
    }

    // Waits until `server` has replayed everything `primary` has written so
    // far; false when it did not within the timeout (or a stop came).
    bool awaitReplay(const std::string& primary, const std::string& server, std::chrono::milliseconds timeout,
                     std::stop_token stop)
    {
        const std::string lsn = connect(primary)->exec("SELECT pg_current_wal_lsn()::text").text(0, 0);
        const auto deadline = Clock::now() + timeout;
        while (!stop.stop_requested()) {
            try {
                if (connect(server)->exec("SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn", {lsn}).boolean(0, 0))
                    return true;
            } catch (const Error&) {
                // Not reachable yet: keep asking until the deadline.
            }
            if (Clock::now() >= deadline || !pause(std::chrono::milliseconds(50), stop))
                return false;
        }
        return false;
    }

    // --- the workload ---------------------------------------------------------

    json startEtl(std::int64_t rows, int chunk, std::optional<int> rate, std::stop_token stop)
    {
        if (loader())
            throw InvalidParameterError(fmt::format(
                "this drill started its ETL load already (job {}); a drill runs one load (the workload's etl, or "
                "one start_etl)", job));
        EtlJobSpec spec;
        spec.totalRows = rows;
        spec.chunkSize = chunk;
        spec.rowsPerSecond = rate;
        spec.connections = engine.settings().etlConnections;
        spec.validate();
        const auto load = std::make_shared<EtlRunner>(engine.router(), engine.etlOptions());
        load->start(spec);
        {
            std::lock_guard lock(mutex);
            etl = load;
        }
        // The job id exists once its row is written: etl_rows_exact needs it.
        const auto deadline = Clock::now() + std::chrono::seconds(30);
        EtlProgress progress = load->progress();
        while (progress.jobId == 0 && !isFinished(progress.state) && Clock::now() < deadline &&
               pause(std::chrono::milliseconds(20), stop))
            progress = load->progress();
        if (progress.jobId == 0)
            throw Error("the ETL load did not start: " +
                        (progress.error.empty() ? std::string("no job after 30 s") : progress.error));
        {
            std::lock_guard lock(mutex);
            job = progress.jobId;
            planned = rows;
        }
        json out{{"job", progress.jobId}, {"rows", rows}, {"chunk", chunk}, {"connections", spec.connections}};
        out["rate"] = rate ? json(*rate) : json(nullptr);
        return out;
    }

    json waitForEtl(double timeoutSeconds, std::stop_token stop)
    {
        const auto load = loader();
        if (!load)
            throw Error("no ETL load was started in this drill (start_etl, or the workload's etl)");
        const auto deadline = Clock::now() + std::chrono::milliseconds(static_cast<long>(timeoutSeconds * 1000));
        EtlProgress progress = load->progress();
        while (!isFinished(progress.state)) {
            if (stop.stop_requested())
                throw Error("stopped while waiting for the ETL load");
            if (Clock::now() >= deadline)
                throw Error(fmt::format("the ETL load did not finish within {:g} s ({} of {} rows, {}{})",
                                        timeoutSeconds, progress.rowsLoaded, progress.totalRows,
                                        etlStateName(progress.state),
                                        progress.detail.empty() ? "" : ": " + progress.detail));
            progress = load->wait(std::chrono::milliseconds(200));
        }
        if (progress.state != EtlState::Completed)
            throw Error(fmt::format("the ETL load ended {} after {} of {} rows{}", etlStateName(progress.state),
                                    progress.rowsLoaded, progress.totalRows,
                                    progress.error.empty() ? "" : ": " + progress.error));
        return {{"job", progress.jobId},
                {"rows_loaded", progress.rowsLoaded},
                {"reconnections", progress.retries},
                {"seconds", static_cast<double>(progress.elapsed.count()) / 1000.0}};
    }

    // Counts the job's rows on the primary (through the engine: after a
    // failover that is the promoted server) against the plan.
    bool countEtlRows()
    {
        std::int64_t id = 0;
        {
            std::lock_guard lock(mutex);
            id = job;
        }
        if (id == 0)
            throw Error("no ETL load was started in this drill");
        auto session = engine.router().adminSession();
        const EtlJobRecord record = EtlJobStore::find(session.connection(), id);
        std::int64_t rows = 0;
        for (const auto& [table, count] : EtlJobStore::countRows(session.connection(), id))
            rows += count;
        std::lock_guard lock(mutex);
        planned = record.totalRows;
        found = rows;
        return rows == record.totalRows && record.status == "completed";
    }

    // --- composite actions ------------------------------------------------------

    json switchover(const std::string& to, std::stop_token stop)
    {
        const std::string from = serverOf("primary");
        if (from == to)
            throw InvalidParameterError("'" + to + "' is the primary already; switchover needs the replica");
        // Refuse before touching anything: all three steps must be allowed.
        for (const auto& [action, node] :
             {std::pair{NodeAction::Stop, from}, std::pair{NodeAction::Promote, to}, std::pair{NodeAction::Rebuild, from}})
            policy.enforce(action, node, options.confirmed);
        json steps = json::array();
        const auto started = Clock::now();
        const auto load = loader();
        const bool paused = load && load->running();
        if (paused) {
            // Drain: the load stops after its current chunk commits. A load
            // that does not stop is no drain: nothing is switched then.
            load->pause();
            const auto deadline = Clock::now() + kCatchUpTimeout;
            while (load->progress().state != EtlState::Paused && !isFinished(load->progress().state) &&
                   Clock::now() < deadline && pause(std::chrono::milliseconds(20), stop)) {
            }
            const EtlState state = load->progress().state;
            if (state != EtlState::Paused && !isFinished(state)) {
                load->unpause();
                throw Error(fmt::format("the ETL load did not pause within {} s ({}): not switching over (nothing "
                                        "was stopped)", kCatchUpTimeout.count(), etlStateName(state)));
            }
            steps.push_back("ETL paused after its current chunk");
        }
        faultInPlace();  // writes are held from here
        try {
            if (!awaitReplay(from, to, kCatchUpTimeout, stop))
                throw Error(to + " did not replay the primary's WAL within " + std::to_string(kCatchUpTimeout.count()) +
                            " s: not switching over (nothing was stopped)");
            steps.push_back(to + " replayed everything " + from + " wrote");
            beforeFault();  // the data at risk is what is not replayed when the primary stops
            steps.push_back(nodes.perform(NodeAction::Stop, from).what);
            steps.push_back(nodes.perform(NodeAction::Promote, to).what);
            engine.repoint(endpointOf(to), endpointOf(from));
            steps.push_back("engine repointed: primary -> " + to + " (" + endpointText(endpointOf(to)) + ")");
        } catch (...) {
            if (paused)
                load->unpause();
            throw;
        }
        if (paused)
            load->unpause();
        // Writes are back once one commits on the new primary.
        std::optional<double> writesPaused;
        const auto deadline = Clock::now() + kCatchUpTimeout;
        while (!writesPaused && Clock::now() < deadline && !stop.stop_requested()) {
            try {
                engine.router().writeSession("UPDATE").exec("SELECT txid_current()");
                writesPaused = std::chrono::duration<double>(Clock::now() - started).count();
            } catch (const Error&) {
                pause(std::chrono::milliseconds(20), stop);
            }
        }
        if (!writesPaused)
            throw Error("no write committed on " + to + " within " + std::to_string(kCatchUpTimeout.count()) +
                        " s of the switchover");
        const NodeActionOutcome rebuilt = nodes.perform(NodeAction::Rebuild, from);
        steps.push_back(rebuilt.what);
        engine.refreshNow();
        return {{"from", from}, {"to", to}, {"writes_paused_seconds", *writesPaused}, {"steps", steps}};
    }

    std::optional<bool> inRecovery(const std::string& node) const
    {
        try {
            return connect(node)->exec("SELECT pg_is_in_recovery()").boolean(0, 0);
        } catch (const Error&) {
            return std::nullopt;
        }
    }

    bool streaming(const std::string& node) const
    {
        try {
            const PgResult r = connect(node)->exec("SELECT status FROM pg_stat_wal_receiver");
            return r.rows() > 0 && r.text(0, 0) == "streaming";
        } catch (const Error&) {
            return false;
        }
    }

    // A replica just started reconnects after wal_retrieve_retry_interval
    // (5 s by default): give it that chance before deciding it needs a rebuild.
    bool streamsWithin(const std::string& node, std::chrono::milliseconds timeout, std::stop_token stop) const
    {
        const auto deadline = Clock::now() + timeout;
        while (!streaming(node)) {
            if (Clock::now() >= deadline || !pause(std::chrono::milliseconds(200), stop))
                return false;
        }
        return true;
    }

    // Whatever a failed drill left (a node down, both nodes primaries after
    // a promotion, the roles swapped, a replica that does not stream), back
    // to the configured roles without losing the newest writes: the server
    // the engine writes to keeps its data, the other is rebuilt from it.
    json restoreRoles(std::stop_token stop)
    {
        const std::string home = "primary";
        const std::string other = otherNode(home);
        json steps = json::array();
        for (const std::string& node : {home, other})
            if (!inRecovery(node))
                steps.push_back(nodeAction(NodeAction::Start, node).at("did"));
        const auto homeRecovering = inRecovery(home);
        const auto otherRecovering = inRecovery(other);
        if (!homeRecovering || !otherRecovering)
            throw Error("cannot restore the roles: " + std::string(!homeRecovering ? home : other) +
                        " does not answer after a start");
        bool homeIsPrimary = !*homeRecovering;
        if (!*homeRecovering && !*otherRecovering) {
            // Two primaries: the newest writes are where the engine points.
            const std::string newest = serverOf("primary") == other ? other : home;
            const std::string stale = newest == home ? other : home;
            steps.push_back(nodeAction(NodeAction::Rebuild, stale).at("did"));
            homeIsPrimary = newest == home;
        }
        if (!homeIsPrimary) {
            if (engine.endpoint(Target::Primary) != endpointOf(other))
                engine.repoint(endpointOf(other), endpointOf(home));
            if (!streamsWithin(home, kCatchUpTimeout, stop))
                steps.push_back(nodeAction(NodeAction::Rebuild, home).at("did"));
            steps.push_back(switchover(home, stop));
        } else if (!streamsWithin(other, kCatchUpTimeout, stop)) {
            steps.push_back(nodeAction(NodeAction::Rebuild, other).at("did"));
        }
        if (engine.endpoint(Target::Primary) != endpointOf(home) || engine.endpoint(Target::Replica) != endpointOf(other)) {
            engine.repoint(endpointOf(home), endpointOf(other));
            steps.push_back("engine repointed as configured");
        }
        if (steps.empty())
            steps.push_back("nothing to do: the configured roles hold");
        engine.refreshNow();
        return {{"steps", steps}};
    }

    json repointPrimary(const std::string& node)
    {
        const std::string other = otherNode(node);
        const NodeEndpoint primary = endpointOf(node);
        const NodeEndpoint replica = endpointOf(other);
        engine.repoint(primary, replica);
        engine.refreshNow();
        return {{"primary", node + " (" + endpointText(primary) + ")"},
                {"replica", other + " (" + endpointText(replica) + ")"}};
    }

    json setFlag(const std::string& flag, bool value)
    {
        beforeFault();
        FeatureFlags& flags = engine.flags();
        const FlagValues before = flags.values();
        bool was = false;
        if (flag == "USE_READ_REPLICA") {
            was = before.useReadReplica;
            flags.setUseReadReplica(value, options.who);
        } else {
            was = before.replicaFallbackEnabled;
            flags.setReplicaFallbackEnabled(value, options.who);
        }
        faultInPlace();
        return {{"flag", flag}, {"from", was}, {"to", value}};
    }

    json restoreFlags()
    {
        const Settings& s = engine.settings();
        engine.flags().setUseReadReplica(s.useReadReplica, options.who);
        engine.flags().setReplicaFallbackEnabled(s.replicaFallbackEnabled, options.who);
        return {{"USE_READ_REPLICA", s.useReadReplica}, {"REPLICA_FALLBACK_ENABLED", s.replicaFallbackEnabled}};
    }

    json exhaust(const std::string& name, int sessions, double holdSeconds, std::stop_token stop)
    {
        beforeFault();
        faultInPlace();  // the pool fills as soon as the requests go out
        const auto target = pool(name);
        const PoolExhaustionResult r =
            exhaustPool(*target, sessions, std::chrono::milliseconds(static_cast<long>(holdSeconds * 1000)), stop);
        engine.refreshNow();
        json out{{"pool", name},
                 {"capacity", target->config().size + target->config().maxOverflow},
                 {"asked", r.asked},
                 {"granted", r.granted},
                 {"timed_out", r.timedOut},
                 {"held_seconds", r.heldSeconds}};
        if (!r.timeoutMessage.empty())
            out["pool_message"] = r.timeoutMessage;
        if (r.failed > 0)
            out["failed"] = json{{"count", r.failed}, {"message", r.failureMessage}};
        return out;
    }

    // --- probes -----------------------------------------------------------------

    json probe(const std::string& func, const json& args)
    {
        if (func == "node_reachable") {
            try {
                connect(args.at("node"))->exec("SELECT 1");
                return true;
            } catch (const Error&) {
                return false;
            }
        }
        if (func == "node_in_recovery") {
            try {
                return connect(args.at("node"))->exec("SELECT pg_is_in_recovery()").boolean(0, 0);
            } catch (const Error&) {
                return nullptr;  // unknown: it does not answer
            }
        }
        if (func == "replica_streaming") {
            try {
                const PgResult r = connect(args.at("node"))->exec("SELECT status FROM pg_stat_wal_receiver");
                return r.rows() > 0 && r.text(0, 0) == "streaming";
            } catch (const Error&) {
                return false;
            }
        }
        if (func == "replication_lag_seconds" || func == "replication_lag_bytes") {
            const std::string role = roleOf(args.at("node"));
            const auto status = engine.latestStatus();
            if (!status || role.empty() || role == "primary")
                return nullptr;
            for (const NodeStatus* replica : status->replicas()) {
                if (replica->name != role || !replica->replication)
                    continue;
                const auto& r = *replica->replication;
                if (func == "replication_lag_seconds")
                    return r.lagSeconds ? json(*r.lagSeconds) : json(nullptr);
                return r.lagBytes ? json(*r.lagBytes) : json(nullptr);
            }
            return nullptr;
        }
        if (func == "reads_served_by") {
            // A dashboard read routed now, run to the end (a frozen replica
            // shows as the primary after the retry, as the readers see it).
            // A refusal (fallback off) throws: the step fails with the
            // documented error in its message.
            Session session = engine.router().readSession("dashboard_metrics", "drill");
            session.exec("SELECT 1");
            return serverOf(session.decision().node);
        }
        if (func == "writes_work") {
            try {
                engine.router().writeSession("UPDATE").exec("SELECT txid_current()");
                return true;
            } catch (const Error&) {
                return false;
            }
        }
        if (func == "failed_reads")
            return failedReads();
        if (func == "slowest_read_seconds") {
            const WorkloadStats stats = readerStats();
            std::optional<double> slowest;
            for (const auto& [node, latency] : stats.byNode)
                if (latency.count > 0)
                    slowest = std::max(slowest.value_or(0.0), latency.maxSeconds);
            return slowest ? json(*slowest) : json(nullptr);
        }
        if (func == "reads_refused") {
            std::lock_guard lock(mutex);
            return refused;
        }
        if (func == "failed_writes")
            return failedWrites();
        if (func == "alert_active") {
            const std::string rule = args.at("rule");
            const std::string subject = args.value("subject", std::string());
            for (const Alert& alert : engine.alerts().active())
                if (alert.rule == rule && (subject.empty() || alert.subject == subject ||
                                           alert.subject.rfind(subject + " ", 0) == 0))
                    return true;
            return false;
        }
        if (func == "alert_raised") {
            const std::string rule = args.at("rule");
            const std::string subject = args.value("subject", std::string());
            std::lock_guard lock(mutex);
            for (const AlertEvent& event : engine.alerts().history())
                if (event.kind == AlertEvent::Kind::Raised && event.time >= startedAt && event.alert.rule == rule &&
                    (subject.empty() || event.alert.subject == subject ||
                     event.alert.subject.rfind(subject + " ", 0) == 0))
                    return true;
            return false;
        }
        if (func == "pool_timeouts") {
            const std::string name = args.at("pool");
            const std::uint64_t now = pool(name)->stats().timeouts;
            std::lock_guard lock(mutex);
            return now - std::min(now, timeoutBaseline[name]);
        }
        if (func == "pool_checked_out")
            return pool(args.at("pool"))->stats().checkedOut;
        if (func == "breaker_state") {
            const std::string role = roleOf(args.at("node"));
            const NodeHealth* health = engine.healthBoard().find(role);
            if (!health)
                return nullptr;
            return breakerStateName(health->breaker.snapshot().state);
        }
        if (func == "etl_rows_exact")
            return countEtlRows();
        throw Error("no probe '" + func + "' in this version of Pulse");
    }

    json action(const std::string& func, const json& args, std::stop_token stop)
    {
        if (func == "stop_node")
            return nodeAction(args.value("mode", "fast") == "immediate" ? NodeAction::StopImmediate : NodeAction::Stop,
                              args.at("node"));
        if (const auto it = kNodeActions.find(func); it != kNodeActions.end())
            return nodeAction(it->second, args.at("node"));
        if (func == "switchover")
            return switchover(args.at("node"), stop);
        if (func == "set_flag")
            return setFlag(args.at("flag"), args.at("value"));
        if (func == "restore_flags")
            return restoreFlags();
        if (func == "repoint_primary")
            return repointPrimary(args.at("node"));
        if (func == "start_etl") {
            std::optional<int> rate;
            if (args.contains("rate"))
                rate = args.at("rate").get<int>();
            return startEtl(args.at("rows").get<std::int64_t>(), args.value("chunk", 1000), rate, stop);
        }
        if (func == "wait_for_etl")
            return waitForEtl(args.value("timeout_seconds", 300.0), stop);
        if (func == "exhaust_pool") {
            const auto target = pool(args.at("pool"));
            const int sessions = args.contains("sessions")
                                     ? args.at("sessions").get<int>()
                                     : target->config().size + target->config().maxOverflow +
                                           args.value("over_capacity", 10);
            return exhaust(args.at("pool"), sessions, args.value("hold_seconds", 5.0), stop);
        }
        if (func == "restore_roles")
            return restoreRoles(stop);
        if (func == "wait") {
            const double seconds = args.at("seconds");
            const bool whole = pause(std::chrono::milliseconds(static_cast<long>(seconds * 1000)), stop);
            return {{"waited_seconds", seconds}, {"cut_short", !whole}};
        }
        throw Error("no action '" + func + "' in this version of Pulse");
    }

    // --- begin / end --------------------------------------------------------------

    void begin(const Drill& drill)
    {
        {
            std::lock_guard lock(mutex);
            startedAt = std::chrono::system_clock::now();
        }
        engine.startMonitor();
        if (needsDemoSchema(drill)) {
            // The readers and the ETL need the demo schema (created once, by
            // versioned migrations), on the replica too. A drill without
            // either changes no schema.
            {
                auto session = engine.router().adminSession();
                DemoSchema::migrate(session.connection());
            }
            const std::string primary = serverOf("primary");
            for (const auto& [node, p] : nodeParams)
                if (node != primary && !awaitReplay(primary, node, std::chrono::seconds(10), {}))
                    log->warn("{} has not replayed the demo schema yet; its first dashboard reads may fail", node);
        }
        {
            std::lock_guard lock(mutex);
            for (const auto& stats : engine.poolStats())
                timeoutBaseline[stats.name] = stats.timeouts;
        }
        Router& router = engine.router();
        readWatch = std::make_unique<ServiceWatch>(
            "read", [&router] { router.readSession("dashboard_metrics", "drill-watch").exec("SELECT 1"); },
            options.watchInterval);
        writeWatch = std::make_unique<ServiceWatch>(
            "write", [&router] { router.writeSession("UPDATE").exec("SELECT txid_current()"); },
            options.watchInterval);
        readWatch->start();
        writeWatch->start();
        tally = std::jthread([this](std::stop_token stop) { countFallbacks(stop); });
        if (drill.workload.readers > 0) {
            ReaderOptions ro{.readers = drill.workload.readers, .think = drill.workload.think};
            ro.validate();
            readers = std::make_unique<DashboardReaders>(router, ro);
            readers->start();
        }
        if (drill.workload.etlRows > 0)
            startEtl(drill.workload.etlRows, drill.workload.etlChunk, drill.workload.etlRate, {});
    }

    // Reads the primary served because the replica could not: FellBack
    // decisions, counted as they are logged (the log keeps the last
    // DecisionLog::capacity(); a poll every 200 ms stays far inside it).
    void countFallbacks(std::stop_token stop)
    {
        DecisionLog& decisions = engine.router().decisions();
        std::uint64_t seen = decisions.total();
        for (bool last = false; !last;) {
            last = !pause(std::chrono::milliseconds(200), stop);  // after the stop: one final count
            const auto fresh = decisions.since(seen);
            std::uint64_t fell = 0, refusals = 0, missed = 0;
            if (!fresh.empty() && fresh.front().sequence > seen + 1)
                missed = fresh.front().sequence - seen - 1;
            for (const auto& d : fresh) {
                seen = std::max(seen, d.sequence);
                // The readers' and the read watch's reads, as counted in
                // `reads`; not the probes' own (context "drill").
                if (d.context == "drill")
                    continue;
                if (d.outcome == RoutingDecision::Outcome::FellBack)
                    ++fell;
                else if (d.outcome == RoutingDecision::Outcome::Refused)
                    ++refusals;
            }
            if (missed > 0)
                log->warn("the decision log dropped {} decisions before the drill counted them: the fallback "
                          "count is a lower bound", missed);
            std::lock_guard lock(mutex);
            fellBack += fell;
            refused += refusals;
            decisionsMissed += missed;
        }
    }

    void end()
    {
        if (readers) {
            readers->stop();
            std::lock_guard lock(mutex);
            finalReads = readers->snapshot();
        }
        if (readWatch)
            readWatch->stop();
        if (writeWatch)
            writeWatch->stop();
        if (tally.joinable()) {  // last: every read above is in the log now
            tally.request_stop();
            tally.join();
        }
        if (const auto load = loader(); load && load->running()) {
            load->cancel();
            load->wait(kEtlStopTimeout);
        }
        std::int64_t id = 0;
        {
            std::lock_guard lock(mutex);
            id = job;
            ended = true;
        }
        if (id == 0)
            return;
        try {
            countEtlRows();
            if (!options.keepRows) {
                auto session = engine.router().etlSession();
                EtlJobStore::deleteJob(session.connection(), id);
            }
        } catch (const std::exception& e) {
            log->warn("after the drill, ETL job {}'s rows could not be {}: {}", id,
                      options.keepRows ? "counted" : "counted and deleted", e.what());
        }
    }

    DrillFigures figures() const
    {
        DrillFigures f;
        const WorkloadStats stats = readerStats();
        f.reads = readerQueries(stats, false) + (readWatch ? readWatch->attempts() : 0);
        f.failedReads = failedReads();
        f.failedWrites = failedWrites();
        if (!stats.recentErrors.empty())
            f.lastReadError = stats.recentErrors.back();
        else if (readWatch && readWatch->failures() > 0)
            f.lastReadError = readWatch->lastError();
        if (writeWatch && writeWatch->failures() > 0)
            f.lastWriteError = writeWatch->lastError();
        std::lock_guard lock(mutex);
        f.retriedReads = fellBack;
        f.dataAtRiskBytes = dataAtRisk;
        if (fault) {
            if (readWatch)
                f.readsBackAfterSeconds = readWatch->backAfter(*fault);
            if (writeWatch)
                f.writesBackAfterSeconds = writeWatch->backAfter(*fault);
        }
        f.etlRowsPlanned = planned;
        f.etlRowsFound = found;
        return f;
    }
};

EngineActivityExecutor::EngineActivityExecutor(Engine& engine, NodeController& nodes, NodeActionPolicy policy,
                                               DrillExecutorOptions options)
    : m(std::make_unique<Impl>(engine, nodes, std::move(policy), std::move(options)))
{
}

EngineActivityExecutor::~EngineActivityExecutor()
{
    try {
        if (!m->ended)
            m->end();
    } catch (const std::exception& e) {
        m->log->warn("stopping the drill's workload: {}", e.what());
    }
}

void EngineActivityExecutor::begin(const Drill& drill)
{
    m->begin(drill);
}

nlohmann::json EngineActivityExecutor::execute(const DrillActivity& activity, std::stop_token stop)
{
    if (activity.kind == ActivityKind::Probe)
        return m->probe(activity.func, activity.arguments);
    return m->action(activity.func, activity.arguments, stop);
}

void EngineActivityExecutor::end()
{
    m->end();
}

DrillFigures EngineActivityExecutor::figures() const
{
    return m->figures();
}

std::int64_t EngineActivityExecutor::etlJob() const
{
    std::lock_guard lock(m->mutex);
    return m->job;
}

std::vector<std::pair<NodeAction, std::string>> EngineActivityExecutor::nodeActions(
    const Drill& drill, const std::vector<std::string>& nodes)
{
    std::vector<std::pair<NodeAction, std::string>> out;
    auto add = [&out](NodeAction action, const std::string& node) {
        if (std::find(out.begin(), out.end(), std::pair{action, node}) == out.end())
            out.emplace_back(action, node);
    };
    auto visit = [&](const DrillActivity& a) {
        if (a.kind != ActivityKind::Action)
            return;
        const std::string node = a.arguments.value("node", std::string());
        if (a.func == "stop_node")
            add(a.arguments.value("mode", "fast") == "immediate" ? NodeAction::StopImmediate : NodeAction::Stop, node);
        else if (const auto it = kNodeActions.find(a.func); it != kNodeActions.end())
            add(it->second, node);
        else if (a.func == "switchover" || a.func == "restore_roles")
            for (const auto& n : nodes)
                for (const NodeAction action : {NodeAction::Start, NodeAction::Stop, NodeAction::Promote, NodeAction::Rebuild})
                    if (a.func == "restore_roles" || action != NodeAction::Start)
                        add(action, n);
    };
    for (const auto& a : drill.method)
        visit(a);
    for (const auto& r : drill.rollbacks)
        visit(r.activity);
    return out;
}

std::vector<std::string> EngineActivityExecutor::nodeNames(const Settings& settings)
{
    std::vector<std::string> names{"primary"};
    for (const auto& r : settings.replicas())
        names.push_back(r.name);
    return names;
}

}  // namespace pulse

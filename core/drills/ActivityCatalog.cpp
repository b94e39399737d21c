#include "drills/ActivityCatalog.hpp"

#include "common/EditDistance.hpp"

namespace pulse {
namespace {

ArgumentSpec node(std::string meaning, nlohmann::json fallback = nullptr)
{
    ArgumentSpec a;
    a.name = "node";
    a.type = ArgumentType::Node;
    a.required = fallback.is_null();
    a.defaultValue = std::move(fallback);
    a.meaning = std::move(meaning);
    return a;
}

ArgumentSpec choice(std::string name, std::vector<std::string> choices, nlohmann::json fallback, std::string meaning)
{
    ArgumentSpec a;
    a.name = std::move(name);
    a.type = ArgumentType::Choice;
    a.required = fallback.is_null();
    a.choices = std::move(choices);
    a.defaultValue = std::move(fallback);
    a.meaning = std::move(meaning);
    return a;
}

ArgumentSpec integer(std::string name, double minimum, double maximum, nlohmann::json fallback, std::string meaning,
                     bool required = false)
{
    ArgumentSpec a;
    a.name = std::move(name);
    a.type = ArgumentType::Integer;
    a.required = required;
    a.minimum = minimum;
    a.maximum = maximum;
    a.defaultValue = std::move(fallback);
    a.meaning = std::move(meaning);
    return a;
}

ArgumentSpec number(std::string name, double minimum, double maximum, nlohmann::json fallback, std::string meaning,
                    bool required = false)
{
    ArgumentSpec a = integer(std::move(name), minimum, maximum, std::move(fallback), std::move(meaning), required);
    a.type = ArgumentType::Number;
    return a;
}

ArgumentSpec boolean(std::string name, std::string meaning)
{
    ArgumentSpec a;
    a.name = std::move(name);
    a.type = ArgumentType::Boolean;
    a.required = true;
    a.meaning = std::move(meaning);
    return a;
}

ArgumentSpec text(std::string name, bool required, std::string meaning)
{
    ArgumentSpec a;
    a.name = std::move(name);
    a.type = ArgumentType::Text;
    a.required = required;
    a.meaning = std::move(meaning);
    return a;
}

ActivitySpec action(std::string func, bool destructive, std::string meaning, std::vector<ArgumentSpec> arguments)
{
    return {std::move(func), ActivityKind::Action, destructive, std::move(meaning), {}, std::move(arguments)};
}

ActivitySpec probe(std::string func, std::string meaning, std::string returns, std::vector<ArgumentSpec> arguments)
{
    return {std::move(func), ActivityKind::Probe, false, std::move(meaning), std::move(returns), std::move(arguments)};
}

// How long a probe may wait for its condition (reads back on the replica,
// an alert raised): a probe that waits measures how long it took.
ArgumentSpec within(double fallback)
{
    return number("within_seconds", 0, 3600, fallback,
                  "wait up to this long for the value to satisfy the tolerance; the time it took is recorded");
}

const std::vector<ActivitySpec>& table()
{
    static const std::vector<ActivitySpec> specs{
        // --- actions on servers -------------------------------------------
        action("stop_node", true, "stop a node (pg_ctl stop, or the configured command)",
               {node("the node to stop"),
                choice("mode", {"fast", "immediate"}, "fast", "fast: clean shutdown; immediate: like a crash")}),
        action("start_node", false, "start a stopped node and wait until it answers", {node("the node to start")}),
        action("restart_node", true, "stop (fast) and start a node", {node("the node to restart")}),
        action("kill_node", true, "SIGKILL the postmaster: the node dies without a shutdown checkpoint",
               {node("the node to kill")}),
        action("freeze_node", true, "SIGSTOP every process of the node: it accepts TCP but answers nothing",
               {node("the node to freeze")}),
        action("thaw_node", false, "SIGCONT a frozen node", {node("the node to thaw")}),
        action("promote_node", true, "promote a replica to primary (pg_promote)", {node("the replica to promote")}),
        action("rebuild_node", true,
               "rebuild a node as a streaming replica of the current primary (pg_rewind, else a fresh base backup)",
               {node("the node to rebuild")}),
        action("pause_replay", false, "pg_wal_replay_pause() on a replica: its lag grows with every write",
               {node("the replica", "replica")}),
        action("resume_replay", false, "pg_wal_replay_resume() on a replica", {node("the replica", "replica")}),
        action("terminate_backends", false,
               "pg_terminate_backend() on the node's Pulse connections (they reconnect); not the caller's own",
               {node("the node")}),
        action("switchover", true,
               "planned switchover: pause the ETL's writes, stop the primary cleanly once the node is in sync, "
               "promote the node, repoint the engine, resume writes, rebuild the old primary as its replica; "
               "measures how long writes were paused",
               {node("the replica that becomes the primary")}),
        action("restore_roles", true,
               "bring the topology back to its configured roles whatever a drill left: start stopped nodes, "
               "rebuild a node that is neither primary nor streaming from the one holding the newest writes, "
               "switch over back to the configured primary, repoint the engine as configured",
               {}),
        // --- actions on the engine ----------------------------------------
        action("set_flag", false, "set a routing flag on the embedded router (applies to the next session)",
               {choice("flag", {"USE_READ_REPLICA", "REPLICA_FALLBACK_ENABLED"}, nullptr, "the flag"),
                boolean("value", "on or off")}),
        action("restore_flags", false, "put both routing flags back to their configured values", {}),
        action("repoint_primary", false,
               "point the engine's primary at another node (after a promotion) and the replica role at the old one",
               {node("the node that is primary now")}),
        action("start_etl", false, "start a chunked ETL load (its job id is remembered for etl_rows_exact)",
               {integer("rows", 1, 4e9, nullptr, "rows over all demo tables", true),
                integer("chunk", 1, 1e6, 1000, "rows per transaction"),
                integer("rate", 1, 1e8, nullptr, "rows per second (left out: no throttle)")}),
        action("wait_for_etl", false, "wait until the drill's ETL load finishes",
               {number("timeout_seconds", 1, 86400, 300, "give up after this long")}),
        action("exhaust_pool", false,
               "hold more sessions than a pool's pool_size + max_overflow for a while, then let them go",
               {choice("pool", {"primary", "replica"}, nullptr, "the pool"),
                integer("sessions", 1, 10000, nullptr, "sessions to ask for at once (left out: over_capacity decides)"),
                integer("over_capacity", 1, 10000, 10,
                        "without 'sessions': ask for pool_size + max_overflow + this many, whatever the pool's size"),
                number("hold_seconds", 0, 3600, 5, "how long the granted sessions are held")}),
        action("wait", false, "do nothing for a while (load keeps running)",
               {number("seconds", 0, 3600, nullptr, "how long", true)}),
        // --- probes ---------------------------------------------------------
        probe("node_reachable", "whether the node answers a query", "true or false", {node("the node"), within(0)}),
        probe("node_in_recovery", "pg_is_in_recovery() on the node", "true (a replica) or false (a primary)",
              {node("the node"), within(0)}),
        probe("replica_streaming", "whether the replica's WAL receiver streams from the primary", "true or false",
              {node("the replica", "replica"), within(0)}),
        probe("replication_lag_seconds", "the replica's replay lag", "seconds (null when unknown)",
              {node("the replica", "replica"), within(0)}),
        probe("replication_lag_bytes", "WAL the replica has not replayed", "bytes (null when unknown)",
              {node("the replica", "replica"), within(0)}),
        probe("reads_served_by", "the node that serves the dashboard readers' reads now", "a node name",
              {within(10)}),
        probe("writes_work", "whether a write on the primary commits", "true or false", {within(10)}),
        probe("failed_reads", "dashboard reads that failed since the drill started", "a count", {}),
        probe("reads_refused",
              "dashboard reads the router refused since the drill started (ReplicaUnavailableError: no replica "
              "could serve and REPLICA_FALLBACK_ENABLED is off)",
              "a count", {}),
        probe("slowest_read_seconds",
              "the slowest dashboard query that succeeded since the drill started (a retry on the primary included)",
              "seconds (null before the first)", {}),
        probe("failed_writes", "writes that failed since the drill started (the ETL load's included)", "a count", {}),
        probe("alert_active", "whether an alert of this rule is active", "true or false",
              {text("rule", true, "replication_lag, replica_down, replica_disconnected, replay_paused, "
                                  "pool_utilisation, query_timeout_rate"),
               text("subject", false, "the node or pool it is about"), within(0)}),
        probe("alert_raised", "whether an alert of this rule was raised since the drill started (active or not)",
              "true or false",
              {text("rule", true, "as for alert_active"), text("subject", false, "the node or pool it is about"),
               within(0)}),
        probe("pool_timeouts", "pool_timeout reached on a pool since the drill started", "a count",
              {choice("pool", {"primary", "replica"}, nullptr, "the pool")}),
        probe("pool_checked_out", "connections of a pool leased out now", "a count",
              {choice("pool", {"primary", "replica"}, nullptr, "the pool"), within(0)}),
        probe("breaker_state", "a node's circuit breaker", "closed, open or half-open", {node("the node"), within(0)}),
        probe("etl_rows_exact", "whether the drill's ETL job has exactly the planned rows, none missing or doubled",
              "true or false", {}),
    };
    return specs;
}

}  // namespace

const char* activityKindName(ActivityKind kind)
{
    return kind == ActivityKind::Action ? "action" : "probe";
}

const std::vector<ActivitySpec>& ActivityCatalog::all()
{
    return table();
}

const ActivitySpec* ActivityCatalog::find(std::string_view func)
{
    for (const auto& spec : table())
        if (spec.func == func)
            return &spec;
    return nullptr;
}

std::string ActivityCatalog::suggest(std::string_view func)
{
    std::vector<std::string_view> names;
    for (const auto& spec : table())
        names.push_back(spec.func);
    return std::string(closestName(func, names));
}

}  // namespace pulse

#include "engine/JsonExport.hpp"

#include "monitor/NodeObservation.hpp"

#include "config/SettingCatalog.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace pulse {

std::string isoTime(std::chrono::system_clock::time_point time)
{
    const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count() % 1000;
    return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z", fmt::gmtime(std::chrono::system_clock::to_time_t(time)), millis);
}

nlohmann::json toJson(const PoolStats& s)
{
    return {
        {"name", s.name},
        {"pool_size", s.size},
        {"max_overflow", s.maxOverflow},
        {"open", s.open},
        {"idle", s.idle},
        {"checked_out", s.checkedOut},
        {"overflow_in_use", s.overflowInUse},
        {"waiters", s.waiters},
        {"utilisation_percent", s.utilisationPercent},
        {"checkouts_total", s.checkouts},
        {"timeouts_total", s.timeouts},
        {"connection_errors_total", s.connectionErrors},
        {"created_total", s.created},
        {"recycled_total", s.recycled},
        {"discarded_total", s.discarded},
        {"overflow_closed_total", s.overflowClosed},
        {"acquire_seconds",
         {{"count", s.acquireWait.count},
          {"p50", s.acquireWait.quantile(0.50)},
          {"p95", s.acquireWait.quantile(0.95)},
          {"p99", s.acquireWait.quantile(0.99)},
          {"max", s.acquireWait.maxSeconds}}},
    };
}

nlohmann::json toJson(const NodeStatus& n)
{
    nlohmann::json j = {
        {"name", n.name},
        {"configured", n.configured},
        {"endpoint", n.endpoint},
        {"reachable", n.reachable},
        {"role", n.role},
    };
    if (n.reachable) {
        j["in_recovery"] = n.inRecovery;
        j["server_version"] = n.serverVersion;
        j["round_trip_ms"] = n.roundTripMs;
        j["wal_receiver_status"] = n.walReceiverStatus.empty() ? nlohmann::json() : nlohmann::json(n.walReceiverStatus);
        j["timeline"] = n.timeline ? nlohmann::json(n.timeline) : nlohmann::json();
        j["lsn"] = n.lsn ? nlohmann::json(formatLsn(*n.lsn)) : nlohmann::json();
    }
    if (n.replication) {
        const auto& a = *n.replication;
        j["replication"] = {
            {"state", replicaStateName(a.state)},
            {"lag_bytes", a.lagBytes ? nlohmann::json(*a.lagBytes) : nlohmann::json()},
            {"lag_seconds", a.lagSeconds ? nlohmann::json(*a.lagSeconds) : nlohmann::json()},
            {"detail", a.detail},
            {"receive_lsn", n.receiveLsn ? nlohmann::json(formatLsn(*n.receiveLsn)) : nlohmann::json()},
            {"replay_paused", n.replayPaused},
            {"reads_admitted", n.lagAdmitted},
        };
        if (!n.lagReason.empty())
            j["replication"]["excluded_because"] = n.lagReason;
    }
    if (!n.replicationRows.empty()) {
        auto rows = nlohmann::json::array();
        const auto lsn = [](const std::optional<std::uint64_t>& v) { return v ? nlohmann::json(formatLsn(*v)) : nlohmann::json(); };
        const auto secs = [](const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(); };
        for (const auto& r : n.replicationRows)
            rows.push_back({{"application_name", r.applicationName}, {"client_addr", r.clientAddress},
                            {"state", r.state}, {"sync_state", r.syncState}, {"sent_lsn", lsn(r.sentLsn)},
                            {"write_lsn", lsn(r.writeLsn)}, {"flush_lsn", lsn(r.flushLsn)},
                            {"replay_lsn", lsn(r.replayLsn)}, {"write_lag_seconds", secs(r.writeLagSeconds)},
                            {"flush_lag_seconds", secs(r.flushLagSeconds)},
                            {"replay_lag_seconds", secs(r.replayLagSeconds)}});
        j["pg_stat_replication"] = rows;
    }
    if (n.configured)
        j["breaker"] = toJson(n.breaker);
    if (!n.error.empty())
        j["error"] = n.error;
    return j;
}

nlohmann::json toJson(const BreakerSnapshot& b)
{
    nlohmann::json j = {{"state", breakerStateName(b.state)}, {"consecutive_failures", b.consecutiveFailures},
                        {"trips", b.trips}};
    if (!b.tripReason.empty()) {
        j["trip_reason"] = b.tripReason;
        j["trip_source"] = b.tripSource;
        j["tripped_at"] = isoTime(b.trippedAt);
    }
    if (b.state == BreakerState::Open)
        j["next_probe_at"] = isoTime(b.nextProbeAt);
    return j;
}

nlohmann::json toJson(const Alert& a)
{
    nlohmann::json j = {{"id", a.id},         {"rule", a.rule},           {"subject", a.subject},
                        {"severity", severityName(a.severity)}, {"message", a.message}, {"value", a.value},
                        {"threshold", a.threshold}, {"raised_at", isoTime(a.raisedAt)}, {"active", a.active()}};
    if (!a.active())
        j["cleared_at"] = isoTime(a.clearedAt);
    return j;
}

nlohmann::json toJson(const AlertEvent& e)
{
    return {{"event", alertEventKindName(e.kind)}, {"time", isoTime(e.time)}, {"alert", toJson(e.alert)}};
}

nlohmann::json toJson(const TopologyStatus& status)
{
    nlohmann::json nodes = nlohmann::json::array();
    for (const auto& node : status.nodes) {
        auto j = toJson(node);
        if (const auto* pool = status.pool(node.name))
            j["pool"] = toJson(*pool);
        nodes.push_back(std::move(j));
    }
    nlohmann::json alerts = nlohmann::json::array();
    for (const auto& alert : status.alerts)
        alerts.push_back(toJson(alert));
    return {
        {"time", isoTime(status.time)},
        {"health", healthName(status.health)},
        {"verdict", status.verdict},
        {"flags",
         {{"USE_READ_REPLICA", status.flags.useReadReplica},
          {"REPLICA_FALLBACK_ENABLED", status.flags.replicaFallbackEnabled}}},
        {"nodes", nodes},
        {"alerts", alerts},
        {"monitor_cycle", status.cycle},
    };
}

nlohmann::json toJson(const RoutingDecision& d)
{
    const char* outcome = d.outcome == RoutingDecision::Outcome::Routed     ? "routed"
                          : d.outcome == RoutingDecision::Outcome::FellBack ? "fell_back"
                                                                            : "refused";
    return {
        {"sequence", d.sequence}, {"time", isoTime(d.time)}, {"operation", d.operation},
        {"context", d.context},   {"profile", d.profile},    {"target", d.targetLabel()},
        {"outcome", outcome},     {"reason", d.reason},      {"node", d.node},
    };
}

nlohmann::json settingsToJson(const Settings& settings)
{
    nlohmann::json out = nlohmann::json::array();
    for (const auto& s : settings.shown())
        out.push_back({
            {"key", s.key},
            {"value", s.value},
            {"source", s.source},
            {"secret", s.secret},
            {"group", s.group},
            {"meaning", s.meaning},
        });
    return out;
}

}  // namespace pulse

#include "engine/PrometheusExport.hpp"

#include "metrics/MetricsServer.hpp"

namespace pulse {
namespace {

using Labels = std::vector<prometheus::ClientMetric::Label>;

void addNodeFamilies(std::vector<prometheus::MetricFamily>& out, const TopologyStatus& status)
{
    auto up = gaugeFamily("pulse_node_up", "1 when the node answered the last health probe");
    auto recovery = gaugeFamily("pulse_node_in_recovery", "1 for a standby (pg_is_in_recovery())");
    auto rtt = gaugeFamily("pulse_node_probe_round_trip_seconds", "round trip of the last health probe");
    auto lagSeconds = gaugeFamily("pg_replication_lag_seconds", "age of the oldest WAL not yet replayed");
    auto lagBytes = gaugeFamily("pg_replication_lag_bytes", "WAL not yet replayed on the replica");
    auto state = gaugeFamily("pulse_replica_state", "1 for the replica's current state");
    auto admitted = gaugeFamily("pulse_replica_reads_admitted", "1 while lag-aware routing sends reads to it");
    auto breaker = gaugeFamily("pulse_breaker_state", "circuit breaker: 0 closed, 1 half-open, 2 open");
    auto trips = counterFamily("pulse_breaker_trips_total", "times the node's circuit breaker opened");
    for (const auto& n : status.nodes) {
        if (!n.configured)
            continue;
        const Labels node{{"node", n.name}};
        addGauge(up, n.reachable ? 1 : 0, node);
        if (n.reachable) {
            addGauge(recovery, n.inRecovery ? 1 : 0, node);
            addGauge(rtt, n.roundTripMs / 1000.0, node);
        }
        addGauge(breaker, n.breaker.state == BreakerState::Closed ? 0 : n.breaker.state == BreakerState::HalfOpen ? 1 : 2,
                 node);
        addCounter(trips, static_cast<double>(n.breaker.trips), node);
        if (n.replication) {
            // Unknown lag is left out rather than exported as 0 ("caught up").
            if (n.replication->lagSeconds)
                addGauge(lagSeconds, *n.replication->lagSeconds, node);
            if (n.replication->lagBytes)
                addGauge(lagBytes, static_cast<double>(*n.replication->lagBytes), node);
            addGauge(state, 1, {{"node", n.name}, {"state", replicaStateName(n.replication->state)}});
            addGauge(admitted, n.lagAdmitted ? 1 : 0, node);
        }
    }
    for (auto* f : {&up, &recovery, &rtt, &lagSeconds, &lagBytes, &state, &admitted, &breaker, &trips})
        out.push_back(std::move(*f));
}

void addPoolFamilies(std::vector<prometheus::MetricFamily>& out, const std::vector<PoolStats>& pools)
{
    auto active = gaugeFamily("pulse_pool_connections_active", "connections checked out");
    auto idle = gaugeFamily("pulse_pool_connections_idle", "open connections waiting in the pool");
    auto pending = gaugeFamily("pulse_pool_connections_pending", "callers waiting for a connection");
    auto max = gaugeFamily("pulse_pool_connections_max", "pool_size + max_overflow");
    auto overflow = gaugeFamily("pulse_pool_connections_overflow", "open connections beyond pool_size");
    auto timeouts = counterFamily("pulse_pool_connections_timeout_total", "checkouts that hit pool_timeout");
    auto created = counterFamily("pulse_pool_connections_created_total", "connections opened");
    auto errors = counterFamily("pulse_pool_connection_errors_total", "failed connects");
    auto checkouts = counterFamily("pulse_pool_checkouts_total", "successful checkouts");
    auto acquire = histogramFamily("pulse_pool_connections_acquire_seconds", "time to obtain a connection");
    for (const auto& p : pools) {
        const Labels pool{{"pool", p.name}};
        addGauge(active, p.checkedOut, pool);
        addGauge(idle, p.idle, pool);
        addGauge(pending, p.waiters, pool);
        addGauge(max, p.capacity(), pool);
        addGauge(overflow, p.overflowInUse, pool);
        addCounter(timeouts, static_cast<double>(p.timeouts), pool);
        addCounter(created, static_cast<double>(p.created), pool);
        addCounter(errors, static_cast<double>(p.connectionErrors), pool);
        addCounter(checkouts, static_cast<double>(p.checkouts), pool);
        addHistogram(acquire, p.acquireWait, pool);
    }
    for (auto* f : {&active, &idle, &pending, &max, &overflow, &timeouts, &created, &errors, &checkouts, &acquire})
        out.push_back(std::move(*f));
}

void addQueryFamilies(std::vector<prometheus::MetricFamily>& out, const QueryMetrics& metrics)
{
    auto duration = histogramFamily("pulse_query_duration_seconds", "statement duration per target and operation");
    auto errors = counterFamily("pulse_query_errors_total", "failed statements (timeouts included)");
    auto timeouts = counterFamily("pulse_query_timeouts_total", "statement_timeout or client deadline reached");
    for (const auto& cell : metrics.snapshot()) {
        const Labels labels{{"target", cell.target}, {"operation", cell.operation}};
        addHistogram(duration, cell.duration, labels);
        addCounter(errors, static_cast<double>(cell.errors), labels);
        addCounter(timeouts, static_cast<double>(cell.timeouts), labels);
    }
    for (auto* f : {&duration, &errors, &timeouts})
        out.push_back(std::move(*f));
}

}  // namespace

std::vector<prometheus::MetricFamily> collectMetrics(Engine& engine, const TopologyStatus& status)
{
    std::vector<prometheus::MetricFamily> out;
    addNodeFamilies(out, status);
    addPoolFamilies(out, engine.poolStats());
    addQueryFamilies(out, engine.queryMetrics());

    auto alerts = gaugeFamily("pulse_alerts_active", "active alerts by severity");
    int warnings = 0, criticals = 0;
    for (const auto& a : status.alerts)
        (a.severity == AlertSeverity::Critical ? criticals : warnings)++;
    addGauge(alerts, warnings, {{"severity", "warning"}});
    addGauge(alerts, criticals, {{"severity", "critical"}});
    out.push_back(std::move(alerts));

    auto flags = gaugeFamily("pulse_routing_flag", "runtime routing flags (1 on)");
    const auto values = engine.flags().values();
    addGauge(flags, values.useReadReplica ? 1 : 0, {{"flag", "USE_READ_REPLICA"}});
    addGauge(flags, values.replicaFallbackEnabled ? 1 : 0, {{"flag", "REPLICA_FALLBACK_ENABLED"}});
    out.push_back(std::move(flags));

    auto decisions = counterFamily("pulse_routing_decisions_total", "sessions routed");
    addCounter(decisions, static_cast<double>(engine.router().decisions().total()));
    out.push_back(std::move(decisions));

    const auto monitor = engine.monitor().stats();
    auto cycles = counterFamily("pulse_monitor_cycles_total", "health monitor cycles");
    addCounter(cycles, static_cast<double>(monitor.cycles));
    out.push_back(std::move(cycles));
    auto cycle = gaugeFamily("pulse_monitor_cycle_seconds", "wall time of the last monitor cycle");
    addGauge(cycle, monitor.lastCycleMs / 1000.0);
    out.push_back(std::move(cycle));
    auto memory = gaugeFamily("pulse_chart_series_memory_bytes", "memory held by the chart series");
    addGauge(memory, static_cast<double>(engine.series().memoryBytes()));
    out.push_back(std::move(memory));
    return out;
}

std::vector<prometheus::MetricFamily> collectMetrics(Engine& engine)
{
    const auto latest = engine.latestStatus();
    return collectMetrics(engine, latest ? *latest : TopologyStatus{});
}

}  // namespace pulse

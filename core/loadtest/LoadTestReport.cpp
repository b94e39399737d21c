#include "loadtest/LoadTestReport.hpp"

#include <algorithm>

namespace pulse {

bool LoadTestReport::passed() const
{
    return !criteria.empty() && !stoppedEarly && error.empty() &&
           std::all_of(criteria.begin(), criteria.end(), [](const Criterion& c) { return c.pass; });
}

nlohmann::json toJson(const LatencySummary& latency)
{
    return {{"count", latency.count},          {"p50_seconds", latency.p50Seconds},
            {"p95_seconds", latency.p95Seconds}, {"p99_seconds", latency.p99Seconds},
            {"max_seconds", latency.maxSeconds}, {"mean_seconds", latency.meanSeconds}};
}

nlohmann::json toJson(const WorkloadStats& stats)
{
    auto queries = nlohmann::json::array();
    for (const auto& q : stats.queries)
        queries.push_back({{"name", q.name}, {"errors", q.errors}, {"latency", toJson(q.latency)}, {"by_node", q.byNode}});
    auto byNode = nlohmann::json::object();
    for (const auto& [node, latency] : stats.byNode)
        byNode[node] = toJson(latency);
    return {{"readers", stats.readers},
            {"elapsed_ms", stats.elapsed.count()},
            {"page_loads", stats.pageLoads},
            {"failed_page_loads", stats.failedPageLoads},
            {"page_load", toJson(stats.pageLoad)},
            {"queries", queries},
            {"by_node", byNode},
            {"recent_errors", stats.recentErrors}};
}

namespace {

nlohmann::json toJson(const PhaseReport& phase)
{
    auto pools = nlohmann::json::array();
    for (const auto& p : phase.pools)
        pools.push_back({{"pool", p.pool},
                         {"capacity", p.capacity},
                         {"peak_percent", p.peakPercent},
                         {"mean_percent", p.meanPercent},
                         {"peak_checked_out", p.peakCheckedOut},
                         {"peak_waiters", p.peakWaiters},
                         {"timeouts", p.timeouts}});
    auto lag = nlohmann::json::array();
    for (const auto& l : phase.lag)
        lag.push_back({{"replica", l.replica},
                       {"samples", l.samples},
                       {"unknown_samples", l.unknownSamples},
                       {"max_seconds", l.maxSeconds},
                       {"p95_seconds", l.p95Seconds},
                       {"max_bytes", l.maxBytes},
                       {"p95_bytes", l.p95Bytes}});
    const auto& etl = phase.etl;
    return {{"name", phase.name},
            {"use_read_replica", phase.useReadReplica},
            {"elapsed_ms", phase.elapsed.count()},
            {"etl",
             {{"job_id", etl.jobId},
              {"state", etl.state},
              {"rows", etl.rows},
              {"elapsed_ms", etl.elapsed.count()},
              {"rows_per_second", etl.rowsPerSecond},
              {"retries", etl.retries},
              {"error", etl.error}}},
            {"dashboard", toJson(phase.dashboard)},
            {"pools", pools},
            {"replication_lag", lag}};
}

}  // namespace

nlohmann::json toJson(const LoadTestReport& report)
{
    const auto& spec = report.spec;
    nlohmann::json specJson{{"rows", spec.rows ? nlohmann::json(*spec.rows) : nlohmann::json(nullptr)},
                            {"duration_seconds",
                             spec.duration ? nlohmann::json(spec.duration->count()) : nlohmann::json(nullptr)},
                            {"chunk_size", spec.chunkSize},
                            {"rows_per_second",
                             spec.rowsPerSecond ? nlohmann::json(*spec.rowsPerSecond) : nlohmann::json(nullptr)},
                            {"readers", spec.readers},
                            {"think_ms", spec.think.count()},
                            {"seed", spec.seed},
                            {"compare_single_database", spec.compareSingleDatabase},
                            {"keep_rows", spec.keepRows}};
    auto phases = nlohmann::json::array();
    for (const auto& p : report.phases)
        phases.push_back(toJson(p));
    auto criteria = nlohmann::json::array();
    for (const auto& c : report.criteria)
        criteria.push_back({{"name", c.name},
                            {"measured", c.measured},
                            {"target", c.target},
                            {"pass", c.pass},
                            {"informational", c.informational}});
    return {{"started_at", report.startedAt}, {"spec", specJson},         {"phases", phases},
            {"criteria", criteria},           {"passed", report.passed()}, {"stopped_early", report.stoppedEarly},
            {"error", report.error}};
}

}  // namespace pulse

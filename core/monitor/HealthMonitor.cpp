#include "monitor/HealthMonitor.hpp"

#include "common/Errors.hpp"
#include "common/Logging.hpp"
#include "common/ThreadCpu.hpp"
#include "pg/DeadlineWatchdog.hpp"
#include "routing/OperationClassifier.hpp"

#include <string_view>


namespace pulse {
namespace {


std::string endpointOf(const ConnectionParams& params)
{
    return params.hostName() + ':' + std::to_string(params.portNumber());
}

NodeStatus baseStatus(const NodeObservation& o, const ConnectionParams& params)
{
    NodeStatus s;
    s.name = params.nodeName();
    s.endpoint = endpointOf(params);
    s.reachable = o.reachable;
    s.error = o.error;
    s.roundTripMs = o.roundTripMs;
    s.inRecovery = o.inRecovery;
    s.role = !o.reachable ? "unknown" : (o.inRecovery ? "replica" : "primary");
    s.serverVersion = o.serverVersion;
    s.walReceiverStatus = o.receiverStatus;
    s.timeline = o.timeline;
    s.receiveLsn = o.receiveLsn;
    s.replayPaused = o.replayPaused;
    s.secondsSinceLastReplay = o.secondsSinceLastReplay;
    s.lsn = o.inRecovery ? o.replayLsn : o.currentLsn;
    return s;
}

// Everything libpq would be given, password and timeouts included: any
// difference may mean another server or another login.
bool sameParams(const ConnectionParams& a, const ConnectionParams& b)
{
    return a.toArrays().owned == b.toArrays().owned;
}

// The difference of two cumulative histograms: what happened in between.
LatencyHistogram::Snapshot minus(const LatencyHistogram::Snapshot& now, const LatencyHistogram::Snapshot& before)
{
    LatencyHistogram::Snapshot d = now;
    if (before.buckets.size() != now.buckets.size())
        return d;
    d.count = now.count - before.count;
    d.sumSeconds = now.sumSeconds - before.sumSeconds;
    for (size_t i = 0; i < d.buckets.size(); ++i)
        d.buckets[i] = now.buckets[i] - before.buckets[i];
    return d;
}

}  // namespace

HealthMonitor::HealthMonitor(MonitorConfig config, std::vector<ConnectionParams> nodes, Wiring wiring)
    : m_config(config), m_nodes(std::move(nodes)), m_wiring(std::move(wiring))
{
    for (const auto& params : m_nodes)
        m_workers.push_back(std::make_unique<ProbeWorker>(params));
    for (size_t i = 1; i < m_nodes.size(); ++i)
        m_trackers.emplace_back(m_config.stallAfter);
}

HealthMonitor::~HealthMonitor()
{
    stop();
}

void HealthMonitor::start()
{
    if (m_thread.joinable())
        return;
    m_wiring.board->setMonitored(true);
    m_thread = std::jthread([this](std::stop_token stop) { loop(stop); });
}

void HealthMonitor::stop()
{
    if (!m_thread.joinable())
        return;
    m_thread.request_stop();
    m_wake.notify_all();
    m_thread.join();
    m_wiring.board->setMonitored(false);
}

void HealthMonitor::refreshNow()
{
    {
        std::lock_guard lock(m_mutex);
        m_refresh = true;
    }
    m_wake.notify_all();
}

std::shared_ptr<const TopologyStatus> HealthMonitor::latest() const
{
    std::lock_guard lock(m_mutex);
    return m_latest;
}

void HealthMonitor::setListener(std::function<void(const std::shared_ptr<const TopologyStatus>&)> listener)
{
    std::lock_guard lock(m_mutex);
    m_listener = std::move(listener);
}

MonitorStats HealthMonitor::stats() const
{
    std::lock_guard lock(m_mutex);
    return m_stats;
}

void HealthMonitor::retarget(std::vector<ConnectionParams> nodes)
{
    // Under the cycle lock: a cycle under way finishes with the old endpoints
    // and its verdicts land before the resets below, never after them.
    std::lock_guard cycleLock(m_cycleMutex);
    if (nodes.size() != m_nodes.size())
        throw Error("monitor retarget: " + std::to_string(nodes.size()) + " node(s) given, " +
                    std::to_string(m_nodes.size()) + " monitored");
    for (size_t i = 0; i < nodes.size(); ++i)
        if (nodes[i].nodeName() != m_nodes[i].nodeName())
            throw Error("monitor retarget: node " + std::to_string(i) + " is " + m_nodes[i].nodeName() + ", not " +
                        nodes[i].nodeName());

    std::vector<bool> moved(nodes.size());
    for (size_t i = 0; i < nodes.size(); ++i)
        moved[i] = !sameParams(nodes[i], m_nodes[i]);

    // A replica's tracker holds its own replay history and the primary's LSN
    // history: either server changing makes that history someone else's.
    // (Rebuilt rather than assigned: a tracker's settings are const.)
    std::vector<ReplicaStateTracker> trackers;
    trackers.reserve(m_trackers.size());
    for (size_t i = 1; i < nodes.size(); ++i) {
        if (moved[0] || moved[i])
            trackers.emplace_back(m_config.stallAfter);
        else
            trackers.push_back(std::move(m_trackers[i - 1]));
    }
    m_trackers = std::move(trackers);

    for (size_t i = 0; i < nodes.size(); ++i) {
        if (!moved[i])
            continue;
        logger("monitor")->info("{}: probes move from {} to {}", nodes[i].nodeName(), endpointOf(m_nodes[i]),
                                endpointOf(nodes[i]));
        m_workers[i]->retarget(nodes[i]);
        // Whatever the board says about this node was said about another server.
        m_wiring.board->reset(nodes[i].nodeName());
        m_nodes[i] = std::move(nodes[i]);
    }
}

void HealthMonitor::loop(std::stop_token stop)
{
    while (!stop.stop_requested()) {
        const auto next = std::chrono::steady_clock::now() + m_config.interval;
        {
            // Cleared before probing: a request made during the cycle asks
            // for a snapshot that starts after it, so it must survive.
            std::lock_guard lock(m_mutex);
            m_refresh = false;
        }
        try {
            runCycle();
        } catch (const std::exception& e) {
            logger("monitor")->error("monitor cycle failed: {}", e.what());
        }
        std::unique_lock lock(m_mutex);
        m_wake.wait_until(lock, stop, next, [this] { return m_refresh; });
    }
}

NodeStatus HealthMonitor::primaryStatus(const NodeObservation& o, const ConnectionParams& params)
{
    NodeStatus s = baseStatus(o, params);
    s.replicationRows = o.replication;
    return s;
}

NodeStatus HealthMonitor::replicaStatus(size_t index, const NodeObservation& o, const NodeObservation& primary,
                                        const ConnectionParams& params, bool onlyReplica)
{
    NodeStatus s = baseStatus(o, params);
    ReplicaObservation r;
    r.reachable = o.reachable;
    r.inRecovery = o.inRecovery;
    r.receiverStatus = o.receiverStatus;
    r.receiveLsn = o.receiveLsn;
    r.replayLsn = o.replayLsn;
    r.replayPaused = o.replayPaused;
    r.secondsSinceLastReplay = o.secondsSinceLastReplay;
    if (primary.reachable && !primary.inRecovery) {
        r.primaryLsn = primary.currentLsn;
        // Which pg_stat_replication row is this replica's: its cluster_name
        // or node name as application_name, else the only row of the only replica.
        const ReplicationRow* row = nullptr;
        for (const auto& candidate : primary.replication)
            if ((!o.clusterName.empty() && candidate.applicationName == o.clusterName) ||
                candidate.applicationName == s.name)
                row = &candidate;
        if (!row && onlyReplica && primary.replication.size() == 1)
            row = &primary.replication.front();
        if (row) {
            r.listedOnPrimary = true;
            r.replayLagSeconds = row->replayLagSeconds;
        }
    }
    const auto assessment = m_trackers[index].assess(r);
    s.replication = assessment;

    if (NodeHealth* health = m_wiring.board->find(s.name)) {
        // Lag first: a replica back after an outage must not be seen "closed"
        // with its pre-outage lag verdict for even a moment.
        health->lagGate.update(assessment.lagSeconds, assessment.lagBytes);
        if (o.replayLsn)
            health->replayLsn.store(*o.replayLsn, std::memory_order_release);
        health->lagBytes.store(assessment.lagBytes.value_or(-1), std::memory_order_relaxed);
        if (o.reachable && !o.inRecovery)
            // Promoted: it answers, but it no longer follows the primary, so
            // its data drifts without bound. Keep reads away.
            health->breaker.recordFailure("probe", "not in recovery (promoted?): no longer follows the primary");
        else if (o.reachable)
            health->breaker.recordSuccess("probe");
        else
            health->breaker.recordFailure("probe", o.error);
        if (o.timedOut && !health->breaker.allows()) {
            // Frozen, not refused: reads stuck on it would wait for their own
            // deadlines (tens of seconds); abandon them so they are retried
            // on the primary now.
            if (const int n = DeadlineWatchdog::instance().abandonNode(s.name); n > 0)
                logger("monitor")->warn("{} not answering: abandoned {} query(ies) in flight on it", s.name, n);
        }
        s.breaker = health->breaker.snapshot();
        s.lagAdmitted = health->lagGate.admitted();
        s.lagReason = health->lagGate.reason();
    }
    return s;
}

std::shared_ptr<const TopologyStatus> HealthMonitor::runCycle()
{
    std::unique_lock cycleLock(m_cycleMutex);
    const auto start = std::chrono::steady_clock::now();
    const double cpuStart = threadCpuMs();
    const auto deadline = start + m_config.probeTimeout;

    std::vector<std::future<ProbeOutcome>> pending;
    for (auto& worker : m_workers)
        pending.push_back(worker->submit(deadline));
    std::vector<NodeObservation> observations(m_workers.size());
    double workerCpuMs = 0;
    for (size_t i = 0; i < pending.size(); ++i) {
        // Each probe ends by its deadline; the margin covers scheduling only.
        if (pending[i].wait_until(deadline + std::chrono::milliseconds(250)) == std::future_status::ready) {
            auto outcome = pending[i].get();
            observations[i] = std::move(outcome.observation);
            workerCpuMs += outcome.cpuMs;
        } else {
            observations[i].error = m_nodes[i].nodeName() + ": probe did not finish within the monitor's deadline";
        }
    }

    auto status = std::make_shared<TopologyStatus>();
    status->time = std::chrono::system_clock::now();
    status->nodes.push_back(primaryStatus(observations[0], m_nodes[0]));
    if (NodeHealth* health = m_wiring.board->find(m_nodes[0].nodeName())) {
        if (observations[0].reachable)
            health->breaker.recordSuccess("probe");
        else
            health->breaker.recordFailure("probe", observations[0].error);
        status->nodes.back().breaker = health->breaker.snapshot();
    }
    for (size_t i = 1; i < m_nodes.size(); ++i)
        status->nodes.push_back(
            replicaStatus(i - 1, observations[i], observations[0], m_nodes[i], m_nodes.size() == 2));
    if (m_nodes.size() == 1) {
        NodeStatus none;
        none.name = "replica";
        none.configured = false;
        none.role = "none";
        status->nodes.push_back(none);
    }
    if (m_wiring.pools)
        status->pools = m_wiring.pools();
    if (m_wiring.flags)
        status->flags = m_wiring.flags();

    if (m_wiring.alerts) {
        AlertInputs inputs;
        inputs.time = status->time;
        for (const NodeStatus* r : status->replicas())
            if (r->replication)
                inputs.replicas.push_back({r->name, r->replication->state, r->replication->lagSeconds,
                                           r->replication->lagBytes});
        for (const auto& p : status->pools)
            inputs.pools.push_back({p.name, p.utilisationPercent, p.checkedOut, p.size + p.maxOverflow});
        if (m_wiring.metrics) {
            const auto total = m_wiring.metrics->total();
            inputs.queriesTotal = total.duration.count;
            inputs.timeoutsTotal = total.timeouts;
        }
        m_wiring.alerts->evaluate(inputs);
        status->alerts = m_wiring.alerts->active();
    }
    status->judge();
    if (m_wiring.series)
        sampleSeries(*status);

    const double cycleMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    const double cpuMs = threadCpuMs() - cpuStart + workerCpuMs;
    std::function<void(const std::shared_ptr<const TopologyStatus>&)> listener;
    {
        std::lock_guard lock(m_mutex);
        status->cycle = ++m_stats.cycles;
        status->cycleMs = cycleMs;
        m_stats.lastCycleMs = cycleMs;
        m_stats.lastCycleCpuMs = cpuMs;
        m_stats.totalCpuMs += cpuMs;
        m_latest = status;
        listener = m_listener;
    }
    cycleLock.unlock();  // a listener may itself ask for a cycle
    if (listener)
        listener(status);
    return status;
}

void HealthMonitor::sampleSeries(const TopologyStatus& status)
{
    const auto nowMs =
        std::chrono::duration_cast<std::chrono::milliseconds>(status.time.time_since_epoch()).count();
    const std::int64_t second = nowMs / 1000;
    if (second == m_lastSampleSecond)
        return;  // one point per second per series
    auto& series = *m_wiring.series;
    for (const NodeStatus* r : status.replicas()) {
        if (!r->replication)
            continue;
        // Unknown lag is a gap, never a 0 that would read as "caught up".
        if (r->replication->lagSeconds)
            series.append("lag_seconds/" + r->name, nowMs, *r->replication->lagSeconds);
        if (r->replication->lagBytes)
            series.append("lag_bytes/" + r->name, nowMs, static_cast<double>(*r->replication->lagBytes));
    }
    for (const auto& p : status.pools) {
        series.append("pool_in_use/" + p.name, nowMs, p.checkedOut);
        series.append("pool_overflow/" + p.name, nowMs, p.overflowInUse);
        series.append("pool_waiters/" + p.name, nowMs, p.waiters);
        series.append("pool_capacity/" + p.name, nowMs, p.size + p.maxOverflow);
    }
    if (m_wiring.metrics) {
        const auto now = std::chrono::steady_clock::now();
        const double elapsed = std::chrono::duration<double>(now - m_lastSampleTime).count();
        const bool haveBefore = m_lastSampleTime != std::chrono::steady_clock::time_point{} && elapsed > 0;
        // Latency quantiles of what ran since the previous sample; no point
        // when nothing ran (an empty histogram's 0 would read as "fast").
        const auto appendLatency = [&](const std::string& suffix, const LatencyHistogram::Snapshot& window) {
            if (window.count == 0)
                return;
            series.append("latency_p50/" + suffix, nowMs, window.quantile(0.50));
            series.append("latency_p95/" + suffix, nowMs, window.quantile(0.95));
            series.append("latency_p99/" + suffix, nowMs, window.quantile(0.99));
        };
        for (const auto& node : status.nodes) {
            if (!node.configured)
                continue;
            const auto total = m_wiring.metrics->total(node.name);
            auto& before = m_lastTotals[node.name];
            if (haveBefore) {
                const auto window = minus(total.duration, before);
                series.append("qps/" + node.name, nowMs, static_cast<double>(window.count) / elapsed);
                appendLatency(node.name, window);
            }
            before = total.duration;
        }
        // Reads and writes over every node: latency_p50|p95|p99/read and
        // /write. Reads are the replica-eligible operations. A cell on a
        // replica only ever holds those; a cell on the primary is judged by
        // its operation alone (cells do not keep the session's context), so a
        // read known as such only by its context ("dashboard") that ran on
        // the primary counts as a write here.
        // Keyed apart from node names in m_lastTotals ("/" never starts one).
        for (const bool reads : {true, false}) {
            const auto total = m_wiring.metrics->totalWhere([reads](std::string_view target, std::string_view op) {
                const bool read = target != "primary" || OperationClassifier::classify(op, {}).replicaEligible;
                return read == reads;
            });
            const std::string kind = reads ? "read" : "write";
            auto& before = m_lastTotals["/" + kind];
            if (haveBefore)
                appendLatency(kind, minus(total.duration, before));
            before = total.duration;
        }
        // ETL throughput of every load on the engine, whoever started it,
        // over the last kEtlRateWindow: rows arrive a chunk at a time, and a
        // slow load (a throttle under a chunk per second) would otherwise
        // read 1000, 0, 0, 1000. Points while a load runs (falling to 0 while
        // it is paused or braking), plus one 0 when it ends, so the chart
        // shows loads, not a flat 0 for hours (its line breaks between loads).
        const std::int64_t etlRows = m_wiring.metrics->etlRows();
        m_etlRowsSeen.emplace_back(now, etlRows);
        while (m_etlRowsSeen.size() > 2 && now - m_etlRowsSeen[1].first >= kEtlRateWindow)
            m_etlRowsSeen.pop_front();
        if (haveBefore) {
            const auto& [since, rowsThen] = m_etlRowsSeen.front();
            const double seconds = std::chrono::duration<double>(now - since).count();
            const bool loading = etlRows > m_lastEtlRows || m_wiring.metrics->etlLoadsRunning() > 0;
            if (loading && seconds > 0)
                series.append("etl_rows_per_second", nowMs, static_cast<double>(etlRows - rowsThen) / seconds);
            else if (!loading && m_etlWasLoading)
                series.append("etl_rows_per_second", nowMs, 0.0);
            if (!loading)
                m_etlRowsSeen.erase(m_etlRowsSeen.begin(), m_etlRowsSeen.end() - 1); // the next load starts afresh
            m_etlWasLoading = loading;
        }
        m_lastEtlRows = etlRows;
        m_lastSampleTime = now;
    }
    m_lastSampleSecond = second;
}

}  // namespace pulse

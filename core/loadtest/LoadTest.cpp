#include "loadtest/LoadTest.hpp"

#include "common/Logging.hpp"
#include "engine/Engine.hpp"
#include "engine/JsonExport.hpp"
#include "etl/DemoSchema.hpp"
#include "etl/EtlJobStore.hpp"
#include "etl/EtlRunner.hpp"
#include "loadtest/LoadTestCriteria.hpp"
#include "loadtest/PhaseSampler.hpp"
#include "workload/DashboardReaders.hpp"

#include <thread>

namespace pulse {
namespace {

using Clock = std::chrono::steady_clock;

// Puts USE_READ_REPLICA back as it was when the test started, on every way out.
class FlagRestorer {
public:
    explicit FlagRestorer(FeatureFlags& flags) : m_flags(flags), m_initial(flags.useReadReplica()) {}
    ~FlagRestorer()
    {
        if (m_flags.useReadReplica() != m_initial)
            m_flags.setUseReadReplica(m_initial, "loadtest");
    }
    FlagRestorer(const FlagRestorer&) = delete;
    FlagRestorer& operator=(const FlagRestorer&) = delete;

private:
    FeatureFlags& m_flags;
    const bool m_initial;
};

EtlOutcome outcomeOf(const EtlProgress& progress, bool durationReached)
{
    EtlOutcome etl;
    etl.jobId = progress.jobId;
    etl.state = etlStateName(progress.state);
    if (progress.state == EtlState::Cancelled && durationReached)
        etl.state = "stopped at the duration";
    etl.rows = progress.rowsThisRun;
    etl.elapsed = progress.elapsed;
    etl.rowsPerSecond = progress.averageRowsPerSecond();
    etl.retries = progress.retries;
    etl.error = progress.error;
    return etl;
}

}  // namespace

LoadTestReport LoadTest::run(const LoadTestSpec& spec, const Listener& listener, std::stop_token stop)
{
    spec.validate();
    LoadTestReport report;
    report.spec = spec;
    report.startedAt = isoTime(std::chrono::system_clock::now());

    {
        // Through a profile, so the statement timeout and client deadline are set.
        auto session = m_engine.router().adminSession();
        DemoSchema::migrate(session.connection());
    }
    m_engine.startMonitor();
    FlagRestorer restore(m_engine.flags());

    const bool replicas = m_engine.settings().replicaConfigured();
    const int count = spec.compareSingleDatabase && replicas ? 2 : 1;
    // A step that fails after the first phase must not throw away what was
    // measured: the error goes into the report, which then does not pass.
    try {
        waitForReplicas("with replica", 1, count, listener, stop);
        if (!stop.stop_requested())
            report.phases.push_back(runPhase(spec, replicas ? "with replica" : "single database", replicas, 1, count,
                                             listener, stop));
        if (count == 2 && !stop.stop_requested()) {
            if (listener)
                listener({.phase = "single database", .phaseIndex = 2, .phaseCount = count, .etl = {},
                          .dashboard = {},
                          .message = "deleting the first phase's rows, so the comparison loads the same data"});
            removeRows(report.phases.front().etl.jobId);
            waitForReplicas("single database", 2, count, listener, stop);
            if (!stop.stop_requested())
                report.phases.push_back(runPhase(spec, "single database", false, 2, count, listener, stop));
        }
        // Leave the database as the test found it, so runs stay comparable
        // (each would otherwise add its rows, and the dashboards slow down).
        if (!spec.keepRows && !report.phases.empty()) {
            const auto& last = report.phases.back();
            if (listener)
                listener({.phase = last.name, .phaseIndex = count, .phaseCount = count, .etl = {}, .dashboard = {},
                          .message = "deleting the load's rows (--keep keeps them)"});
            removeRows(last.etl.jobId);
        }
    } catch (const std::exception& e) {
        report.error = e.what();
        logger("loadtest")->error("{}", report.error);
    }
    report.stoppedEarly = stop.stop_requested();
    report.criteria = LoadTestCriteria::evaluate(report.phases);
    return report;
}

void LoadTest::removeRows(std::int64_t job)
{
    if (job <= 0)
        return;
    // The etl profile: deleting a million rows and vacuuming takes longer
    // than an admin statement may.
    auto session = m_engine.router().etlSession();
    EtlJobStore::deleteJob(session.connection(), job);
    // Dead rows would make the next phase's reads slower than the first's
    // for reasons that have nothing to do with the replica.
    for (const auto& table : DemoSchema::dataTables())
        session.connection().exec("VACUUM ANALYZE " + table);
}

void LoadTest::awaitNextCycle()
{
    const auto before = m_engine.latestStatus();
    const std::uint64_t cycle = before ? before->cycle : 0;
    m_engine.refreshNow();
    const auto deadline = Clock::now() + m_engine.settings().monitorInterval + std::chrono::seconds(2);
    while (Clock::now() < deadline) {
        if (const auto status = m_engine.latestStatus(); status && status->cycle > cycle)
            return;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

void LoadTest::waitForReplicas(const std::string& phase, int index, int count, const Listener& listener,
                               std::stop_token stop)
{
    // Each phase starts from a replica that has replayed everything before it
    // (the schema just created, the rows just deleted): otherwise the first
    // page loads would fail on missing tables or measure catching up.
    std::uint64_t target = 0;
    {
        auto session = m_engine.router().adminSession();
        target = std::stoull(session.connection().exec("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn").text(0, 0));
    }
    const auto deadline = Clock::now() + kCatchUpWait;
    for (const auto& replica : m_engine.settings().replicas()) {
        const NodeHealth* health = m_engine.healthBoard().find(replica.name);
        if (!health)
            continue;
        while (health->replayLsn.load(std::memory_order_acquire) < target) {
            if (stop.stop_requested())
                return;
            if (const auto status = m_engine.latestStatus(); status && status->cycle > 0) {
                const NodeStatus* node = status->node(replica.name);
                if (node && !node->reachable)
                    break;  // a down replica is measured as down, not waited for
            }
            if (Clock::now() >= deadline) {
                if (listener)
                    listener({.phase = phase, .phaseIndex = index, .phaseCount = count, .etl = {}, .dashboard = {},
                              .message = replica.name + " has not caught up with the primary within " +
                                         std::to_string(kCatchUpWait.count()) + " s; measuring it as it is"});
                return;
            }
            m_engine.refreshNow();
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
}

PhaseReport LoadTest::runPhase(const LoadTestSpec& spec, const std::string& name, bool useReadReplica, int index,
                               int count, const Listener& listener, std::stop_token stop)
{
    m_engine.flags().setUseReadReplica(useReadReplica, "loadtest");
    logger("loadtest")->info("phase {} of {}: {} (USE_READ_REPLICA {})", index, count, name,
                             useReadReplica ? "on" : "off");

    EtlJobSpec job;
    job.totalRows = spec.effectiveRows();
    job.chunkSize = spec.chunkSize;
    job.rowsPerSecond = spec.rowsPerSecond;
    job.seed = spec.seed;
    job.connections = spec.connections;

    PhaseSampler sampler(m_engine);
    DashboardReaders readers(m_engine.router(), {.readers = spec.readers, .think = spec.think});
    EtlRunner runner(m_engine.router(), m_engine.etlOptions());

    const auto start = Clock::now();
    sampler.start();
    readers.start();
    runner.start(job);

    bool durationReached = false;
    auto lastReport = Clock::time_point{};
    for (;;) {
        const auto progress = runner.wait(std::chrono::milliseconds(100));
        if (isFinished(progress.state))
            break;
        if (stop.stop_requested()) {
            runner.cancel();
        } else if (spec.duration && Clock::now() - start >= *spec.duration) {
            durationReached = true;
            runner.cancel();
        }
        if (listener && Clock::now() - lastReport >= std::chrono::seconds(1)) {
            lastReport = Clock::now();
            listener({.phase = name, .phaseIndex = index, .phaseCount = count, .etl = progress,
                      .dashboard = readers.snapshot(), .message = {}});
        }
    }
    // The readers measure "during ETL": they stop with the load. One more
    // monitor cycle follows, so even a load shorter than a cycle has its lag
    // measured (the lag it caused shows after its commits).
    readers.stop();
    awaitNextCycle();
    sampler.stop();

    PhaseReport phase;
    phase.name = name;
    phase.useReadReplica = useReadReplica;
    phase.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    const auto final = runner.progress();
    phase.etl = outcomeOf(final, durationReached);
    phase.dashboard = readers.snapshot();
    phase.pools = sampler.pools();
    phase.lag = sampler.lag();
    if (listener)
        listener({.phase = name, .phaseIndex = index, .phaseCount = count, .etl = final,
                  .dashboard = phase.dashboard, .message = "phase finished"});
    return phase;
}

}  // namespace pulse

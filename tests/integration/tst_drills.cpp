// Every built-in drill, run for real on the sandbox through the same runner
// and executor `pulsectl drill run` uses; each journal's verdict and figures
// are checked against what the test observes on its own: row counts on the
// primary, pg_is_in_recovery() on each node, the router's decision log, the
// pools' counters and the alert history.

#include "SandboxFixture.hpp"
#include "WaitFor.hpp"

#include "drills/BuiltinDrills.hpp"
#include "drills/DrillParser.hpp"
#include "drills/DrillRunner.hpp"
#include "drills/EngineActivityExecutor.hpp"
#include "engine/Engine.hpp"
#include "etl/EtlJobStore.hpp"
#include "pg/PgConnection.hpp"
#include "topology/CompositeNodeController.hpp"
#include "topology/NodeActionPolicy.hpp"
#include "topology/Sandbox.hpp"

#include <QtTest>

#include <algorithm>
#include <atomic>
#include <functional>
#include <mutex>
#include <thread>

using namespace std::chrono_literals;
using nlohmann::json;

namespace {

// Faster than the defaults where a drill waits on a timer (breaker, readmit,
// alert clearing, pool and statement timeouts), so the suite stays short;
// the drills' own bounds are written for the defaults and hold here too.
pulse::Settings drillSettings()
{
    return SandboxFixture::settings({{"MONITOR_INTERVAL_MS", "200"},        {"MONITOR_PROBE_TIMEOUT_MS", "180"},
                                     {"BREAKER_OPEN_SECONDS", "1"},         {"REPLICA_READMIT_SECONDS", "1"},
                                     {"ALERT_CLEAR_SECONDS", "1"},          {"ALERT_LAG_WARNING_SECONDS", "3"},
                                     {"DB_REPLICA_POOL_SIZE", "3"},         {"DB_REPLICA_MAX_OVERFLOW", "2"},
                                     {"DB_REPLICA_POOL_TIMEOUT", "2"},      {"DB_USER_STATEMENT_TIMEOUT_MS", "3000"},
                                     {"DB_QUERY_DEADLINE_GRACE_MS", "1000"}, {"DB_CONNECT_TIMEOUT", "2"}});
}

std::unique_ptr<pulse::PgConnection> connect(pulse::SandboxNode node)
{
    return pulse::PgConnection::open(SandboxFixture::nodeParams(SandboxFixture::instance(), node, "tst_drills"));
}

bool inRecovery(pulse::SandboxNode node)
{
    return connect(node)->exec("SELECT pg_is_in_recovery()").boolean(0, 0);
}

// A drill run with everything the test needs to look at afterwards.
struct Outcome {
    pulse::DrillJournal journal;
    std::int64_t job = 0;
    std::vector<pulse::RoutingDecision> decisions;  // the router's log over the run
    std::vector<pulse::AlertEvent> alerts;
    pulse::PoolStats replicaPool;
    pulse::FlagValues flags;
};

class DrillHarness {
public:
    DrillHarness() : engine(drillSettings())
    {
        sqlNodes = {pulse::Engine::connectionParams(engine.settings(), pulse::Target::Primary, "drill")};
        for (const auto& r : engine.settings().replicas())
            sqlNodes.push_back(pulse::Engine::connectionParams(engine.settings(), r, "drill"));
        controller = pulse::CompositeNodeController::forTopology(&SandboxFixture::instance(), engine.settings(), sqlNodes);
    }

    Outcome run(const pulse::Drill& drill, const std::function<void(const pulse::DrillEvent&, pulse::DrillRunner&)>& on = {})
    {
        pulse::DrillExecutorOptions options;
        options.confirmed = true;
        options.keepRows = true;  // the test counts the rows itself
        options.who = "tst_drills";
        pulse::EngineActivityExecutor executor(engine, *controller,
                                               pulse::NodeActionPolicy::fromSettings(engine.settings(), true), options);
        pulse::DrillRunOptions runOptions;
        runOptions.confirmed = true;
        pulse::DrillRunner* self = nullptr;
        runOptions.listener = [&](const pulse::DrillEvent& e) {
            if (on && self)
                on(e, *self);
        };
        // The log keeps the last thousand decisions; a drill makes more, so
        // the test collects them as they come, on its own.
        Outcome out;
        std::mutex collected;
        std::jthread collector([&](std::stop_token stop) {
            std::uint64_t seen = engine.router().decisions().total();
            for (;;) {
                const bool last = stop.stop_requested();
                auto fresh = engine.router().decisions().since(seen);
                if (!fresh.empty())
                    seen = fresh.back().sequence;
                {
                    std::lock_guard lock(collected);
                    out.decisions.insert(out.decisions.end(), fresh.begin(), fresh.end());
                }
                if (last)
                    return;
                std::this_thread::sleep_for(50ms);  // a poll interval, not a synchronisation
            }
        });
        pulse::DrillRunner runner(executor, drill, runOptions);
        self = &runner;
        runner.start();
        out.journal = runner.wait();
        collector.request_stop();
        collector.join();
        out.job = executor.etlJob();
        out.alerts = engine.alerts().history();
        out.replicaPool = engine.replicaPool()->stats();
        out.flags = engine.flags().values();
        return out;
    }

    pulse::Engine engine;
    std::vector<pulse::ConnectionParams> sqlNodes;
    std::unique_ptr<pulse::CompositeNodeController> controller;
};

const std::vector<std::string> kNodes{"primary", "replica"};

QByteArray describe(const pulse::DrillJournal& j)
{
    return QByteArray::fromStdString(j.verdict() + "\n" + pulse::markdownReport(j));
}

// The job's rows counted on the primary, then removed (the next drill starts
// from the same data).
std::int64_t countAndRemove(std::int64_t job, std::int64_t* planned)
{
    auto primary = connect(pulse::SandboxNode::Primary);
    std::int64_t rows = 0;
    for (const auto& [table, count] : pulse::EtlJobStore::countRows(*primary, job))
        rows += count;
    *planned = pulse::EtlJobStore::find(*primary, job).totalRows;
    pulse::EtlJobStore::deleteJob(*primary, job);
    return rows;
}

size_t count(const std::vector<pulse::RoutingDecision>& decisions, const std::function<bool(const pulse::RoutingDecision&)>& p)
{
    return static_cast<size_t>(std::count_if(decisions.begin(), decisions.end(), p));
}

const pulse::ActivityRun* step(const pulse::DrillJournal& j, const std::string& func)
{
    for (const auto& r : j.run)
        if (r.func == func)
            return &r;
    return nullptr;
}

}  // namespace

class TestDrills : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        try {
            SandboxFixture::instance();
        } catch (const std::exception& e) {
            QFAIL(e.what());
        }
    }

    void init()
    {
        try {
            SandboxFixture::ensureBothRunning();
            QVERIFY(!inRecovery(pulse::SandboxNode::Primary));
            QVERIFY(inRecovery(pulse::SandboxNode::Replica));
        } catch (const std::exception& e) {
            QFAIL(e.what());
        }
    }

    void cleanupTestCase() { SandboxFixture::teardown(); }

    void replicaOutageFallsBackWithoutFailures()
    {
        DrillHarness h;
        const Outcome o = h.run(pulse::BuiltinDrills::load("replica-outage", kNodes));
        QVERIFY2(o.journal.status == pulse::DrillStatus::Completed, describe(o.journal));
        const auto& f = o.journal.figures;
        QCOMPARE(f.failedReads, std::uint64_t{0});
        QVERIFY(f.reads > 0);
        QVERIFY(f.readsBackAfterSeconds.has_value());
        QVERIFY2(*f.readsBackAfterSeconds < 10, describe(o.journal));
        // The decision log saw reads on the primary during the outage and on
        // the replica before and after it; the fallbacks it counted are the
        // journal's figure.
        const auto fellBack = count(o.decisions, [](const auto& d) {
            return d.outcome == pulse::RoutingDecision::Outcome::FellBack && d.context != "drill";
        });
        QVERIFY(fellBack >= 1);
        QVERIFY(f.retriedReads >= 1);
        // The executor counts the same log (its own checks' reads included).
        QVERIFY2(f.retriedReads + 5 >= fellBack && fellBack + 5 >= f.retriedReads,
                 QByteArray(QByteArray::number(qulonglong(f.retriedReads)) + " vs " +
                            QByteArray::number(qulonglong(fellBack))).constData());
        QVERIFY(count(o.decisions, [](const auto& d) { return d.context == "dashboard" && d.node == "replica"; }) > 0);
        QCOMPARE(count(o.decisions, [](const auto& d) { return d.outcome == pulse::RoutingDecision::Outcome::Refused; }),
                 size_t{0});
        QVERIFY(inRecovery(pulse::SandboxNode::Replica));
        QVERIFY(SandboxFixture::instance().waitForStreaming(20s));
    }

    void replicaOutageWithoutFallbackFailsReadsAsDocumented()
    {
        DrillHarness h;
        const Outcome o = h.run(pulse::BuiltinDrills::load("replica-outage-no-fallback", kNodes));
        QVERIFY2(o.journal.status == pulse::DrillStatus::Completed, describe(o.journal));
        const auto& f = o.journal.figures;
        QVERIFY(f.failedReads >= 1);
        QVERIFY2(f.lastReadError.find("REPLICA_FALLBACK_ENABLED") != std::string::npos, f.lastReadError.c_str());
        const auto refused = count(o.decisions, [](const auto& d) {
            return d.outcome == pulse::RoutingDecision::Outcome::Refused && d.context != "drill";
        });
        QVERIFY(refused >= 1);
        const auto* refusals = step(o.journal, "reads_refused");
        QVERIFY(refusals && refusals->output.is_number());
        QVERIFY(refusals->output.get<std::uint64_t>() >= 1 && refusals->output.get<std::uint64_t>() <= refused);
        QVERIFY(pulse::markdownReport(o.journal).find("REPLICA_FALLBACK_ENABLED") != std::string::npos);
        // Restored as configured.
        QVERIFY(o.flags.useReadReplica && o.flags.replicaFallbackEnabled);
    }

    // The same outage expecting zero failed reads with fallback off cannot
    // hold: the drill must say FAILED, and its rollbacks still put things back.
    void impossibleHypothesisFails()
    {
        json source = json::parse(pulse::BuiltinDrills::find("replica-outage")->json);
        source["name"] = "outage-no-fallback-expecting-no-failures";
        source["method"].insert(source["method"].begin(),
                                json{{"type", "action"},
                                     {"name", "turn fallback off"},
                                     {"provider",
                                      {{"type", "pulse"},
                                       {"func", "set_flag"},
                                       {"arguments", {{"flag", "REPLICA_FALLBACK_ENABLED"}, {"value", false}}}}}});
        source["rollbacks"].push_back(json{{"type", "action"},
                                           {"name", "restore the flags"},
                                           {"provider", {{"type", "pulse"}, {"func", "restore_flags"}}},
                                           {"when", "always"}});
        DrillHarness h;
        const Outcome o = h.run(pulse::DrillParser::parse(source, "test", kNodes));
        QVERIFY2(o.journal.status == pulse::DrillStatus::Failed, describe(o.journal));
        QVERIFY(o.journal.figures.failedReads >= 1);
        QVERIFY(o.journal.verdict().rfind("FAILED", 0) == 0);
        QVERIFY(o.flags.replicaFallbackEnabled);
        QVERIFY(o.journal.afterRollbacks && o.journal.afterRollbacks->met);
        QVERIFY(SandboxFixture::instance().isRunning(pulse::SandboxNode::Replica));
    }

    void frozenReplicaNeverHangsPastTheDeadline()
    {
        DrillHarness h;
        const Outcome o = h.run(pulse::BuiltinDrills::load("replica-frozen", kNodes));
        QVERIFY2(o.journal.status == pulse::DrillStatus::Completed, describe(o.journal));
        QCOMPARE(o.journal.figures.failedReads, std::uint64_t{0});
        // Statement timeout 3 s + grace 1 s: a read caught on the frozen
        // replica gives up and retries on the primary within about that.
        const auto* slowest = [&]() -> const pulse::ActivityRun* {
            for (const auto& r : o.journal.run)
                if (r.func == "slowest_read_seconds")
                    return &r;
            return nullptr;
        }();
        QVERIFY(slowest && slowest->output.is_number());
        QVERIFY2(slowest->output.get<double>() < 4.0 + 2.0, slowest->output.dump().c_str());
        QVERIFY(o.journal.figures.retriedReads >= 1);
        QVERIFY(inRecovery(pulse::SandboxNode::Replica));
    }

    void replicaLagMovesReadsAndRaisesTheAlert()
    {
        DrillHarness h;
        const Outcome o = h.run(pulse::BuiltinDrills::load("replica-lag", kNodes));
        QVERIFY2(o.journal.status == pulse::DrillStatus::Completed, describe(o.journal));
        std::int64_t planned = 0;
        const std::int64_t rows = countAndRemove(o.job, &planned);
        QCOMPARE(rows, planned);
        QCOMPARE(o.journal.figures.etlRowsFound, std::optional<std::int64_t>(rows));
        const auto raised = std::find_if(o.alerts.begin(), o.alerts.end(), [](const auto& e) {
            return e.alert.rule == "replication_lag" && e.kind == pulse::AlertEvent::Kind::Raised;
        });
        QVERIFY(raised != o.alerts.end());
        QVERIFY(std::any_of(o.alerts.begin(), o.alerts.end(), [](const auto& e) {
            return e.alert.rule == "replication_lag" && e.kind == pulse::AlertEvent::Kind::Cleared;
        }));
        // Lag-aware routing: reads on the primary without any failure, then back.
        QVERIFY(count(o.decisions, [](const auto& d) { return d.context == "dashboard" && d.node == "primary"; }) > 0);
        QCOMPARE(o.journal.figures.failedReads, std::uint64_t{0});
    }

    void rollbackToSingleDatabase()
    {
        DrillHarness h;
        const Outcome o = h.run(pulse::BuiltinDrills::load("rollback-single-database", kNodes));
        QVERIFY2(o.journal.status == pulse::DrillStatus::Completed, describe(o.journal));
        // While the flag was off, the router sent dashboard reads to the
        // primary as routed decisions (not fallbacks), and none failed.
        const auto off = step(o.journal, "set_flag");
        const auto on = step(o.journal, "restore_flags");
        QVERIFY(off && on);
        // A session that read the flags just before the change is logged a
        // moment later: the window starts once those have opened.
        const auto from = off->end + 200ms;
        const auto during = count(o.decisions, [&](const auto& d) {
            return d.context == "dashboard" && d.time > from && d.time < on->start;
        });
        const auto onPrimary = count(o.decisions, [&](const auto& d) {
            return d.context == "dashboard" && d.time > from && d.time < on->start && d.node == "primary" &&
                   d.outcome == pulse::RoutingDecision::Outcome::Routed;
        });
        QVERIFY(during > 0);
        QCOMPARE(onPrimary, during);
        QCOMPARE(o.journal.figures.failedReads, std::uint64_t{0});
        QVERIFY(o.flags.useReadReplica);
        std::int64_t planned = 0;
        QCOMPARE(countAndRemove(o.job, &planned), planned);
    }

    void failoverPromotionResumesTheLoadExactly()
    {
        DrillHarness h;
        const Outcome o = h.run(pulse::BuiltinDrills::load("failover-promotion", kNodes));
        QVERIFY2(o.journal.status == pulse::DrillStatus::Completed, describe(o.journal));
        // Roles as configured again, streaming, and every row exactly once.
        QVERIFY(!inRecovery(pulse::SandboxNode::Primary));
        QVERIFY(inRecovery(pulse::SandboxNode::Replica));
        QVERIFY(SandboxFixture::instance().waitForStreaming(20s));
        std::int64_t planned = 0;
        const std::int64_t rows = countAndRemove(o.job, &planned);
        QCOMPARE(rows, planned);
        QCOMPARE(o.journal.figures.etlRowsFound, std::optional<std::int64_t>(rows));
        QVERIFY(o.journal.figures.writesBackAfterSeconds.has_value());
        QVERIFY(o.journal.figures.failedWrites >= 1);  // the kill cost writes: counted, not hidden
        QCOMPARE(h.engine.endpoint(pulse::Target::Primary).port,
                 SandboxFixture::instance().port(pulse::SandboxNode::Primary));
    }

    void plannedSwitchoverAndBack()
    {
        DrillHarness h;
        const Outcome o = h.run(pulse::BuiltinDrills::load("planned-switchover", kNodes));
        QVERIFY2(o.journal.status == pulse::DrillStatus::Completed, describe(o.journal));
        QVERIFY(!inRecovery(pulse::SandboxNode::Primary));
        QVERIFY(inRecovery(pulse::SandboxNode::Replica));
        const auto* first = step(o.journal, "switchover");
        QVERIFY(first);
        const double paused = first->output.at("writes_paused_seconds").get<double>();
        QVERIFY2(paused > 0 && paused < 30, first->output.dump().c_str());
        std::int64_t planned = 0;
        QCOMPARE(countAndRemove(o.job, &planned), planned);
    }

    void poolExhaustionTimesOutAndRecovers()
    {
        DrillHarness h;
        const Outcome o = h.run(pulse::BuiltinDrills::load("pool-exhaustion", kNodes));
        QVERIFY2(o.journal.status == pulse::DrillStatus::Completed, describe(o.journal));
        const auto* exhaust = step(o.journal, "exhaust_pool");
        QVERIFY(exhaust);
        QCOMPARE(exhaust->output.at("capacity").get<int>(), 5);
        QVERIFY(exhaust->output.at("timed_out").get<int>() >= 10);
        QVERIFY2(exhaust->output.at("pool_message").get<std::string>().find("replica") != std::string::npos,
                 exhaust->output.dump().c_str());
        QVERIFY(o.replicaPool.timeouts >= 10);
        QVERIFY(o.replicaPool.checkedOut <= 4);
        QVERIFY(std::any_of(o.alerts.begin(), o.alerts.end(), [](const auto& e) {
            return e.alert.rule == "pool_utilisation" && e.kind == pulse::AlertEvent::Kind::Raised;
        }));
    }

    void primaryRestartDuringEtl()
    {
        DrillHarness h;
        const Outcome o = h.run(pulse::BuiltinDrills::load("primary-restart-etl", kNodes));
        QVERIFY2(o.journal.status == pulse::DrillStatus::Completed, describe(o.journal));
        std::int64_t planned = 0;
        const std::int64_t rows = countAndRemove(o.job, &planned);
        QCOMPARE(rows, planned);
        QCOMPARE(o.journal.figures.etlRowsPlanned, std::optional<std::int64_t>(planned));
        QVERIFY(o.journal.figures.failedWrites >= 1);
    }

    // An abort in the middle: the rollbacks run and the topology works again.
    void abortRunsRollbacks()
    {
        DrillHarness h;
        std::atomic<bool> aborted{false};
        const Outcome o = h.run(pulse::BuiltinDrills::load("replica-outage", kNodes),
                                [&aborted](const pulse::DrillEvent& e, pulse::DrillRunner& runner) {
                                    if (e.kind == pulse::DrillEvent::Kind::StepFinished && e.step.func == "stop_node" &&
                                        !aborted.exchange(true))
                                        runner.abort("test abort after the replica stopped");
                                });
        QVERIFY(aborted);
        QVERIFY2(o.journal.status == pulse::DrillStatus::Aborted, describe(o.journal));
        QVERIFY(!o.journal.rollbacks.empty());
        QVERIFY(o.journal.rollbacks.front().status == pulse::StepStatus::Succeeded);
        QVERIFY(SandboxFixture::instance().isRunning(pulse::SandboxNode::Replica));
        QVERIFY(SandboxFixture::instance().waitForStreaming(20s));
        QVERIFY(inRecovery(pulse::SandboxNode::Replica));
    }

    // Off the sandbox, without DRILL_ALLOW_DESTRUCTIVE and a command, a
    // destructive step is refused and nothing is stopped.
    void destructiveRefusedOffTheSandbox()
    {
        DrillHarness h;
        pulse::DrillExecutorOptions options;
        options.confirmed = true;
        pulse::EngineActivityExecutor executor(h.engine, *h.controller,
                                               pulse::NodeActionPolicy::fromSettings(h.engine.settings(), false), options);
        pulse::DrillRunOptions runOptions;
        runOptions.confirmed = true;
        pulse::DrillRunner runner(executor, pulse::BuiltinDrills::load("replica-outage", kNodes), runOptions);
        runner.start();
        const auto journal = runner.wait();
        QVERIFY2(journal.status == pulse::DrillStatus::Failed, describe(journal));
        const auto* stop = step(journal, "stop_node");
        QVERIFY(stop && stop->status == pulse::StepStatus::Failed);
        QVERIFY2(stop->error.find("DRILL_ALLOW_DESTRUCTIVE") != std::string::npos, stop->error.c_str());
        QVERIFY(SandboxFixture::instance().isRunning(pulse::SandboxNode::Replica));
    }
};

QTEST_GUILESS_MAIN(TestDrills)
#include "tst_drills.moc"

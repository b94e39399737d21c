// The drill runner's control flow with a scripted executor (no database: the
// executor's effects are tested against the sandbox elsewhere): hypothesis,
// method, rollbacks on failure and abort, abort conditions, loud warnings
// when the topology may be left worse, and the confirmation of destructive
// drills.

#include "common/Errors.hpp"
#include "drills/DrillParser.hpp"
#include "drills/DrillRunner.hpp"

#include <QtTest>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>

using namespace pulse;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

// Each func answers from a script; calls are recorded in order.
class ScriptedExecutor : public ActivityExecutor {
public:
    using Script = std::function<json(const DrillActivity&, std::stop_token)>;
    std::map<std::string, Script> scripts;

    void begin(const Drill&) override { began = true; }
    void end() override { ended = true; }
    DrillFigures figures() const override
    {
        DrillFigures f;
        f.reads = 42;
        return f;
    }
    json execute(const DrillActivity& a, std::stop_token stop) override
    {
        {
            std::lock_guard lock(mutex);
            calls.push_back(a.name);
        }
        const auto it = scripts.find(a.func);
        return it == scripts.end() ? json(nullptr) : it->second(a, stop);
    }
    std::vector<std::string> callsSoFar() const
    {
        std::lock_guard lock(mutex);
        return calls;
    }
    int count(const std::string& name) const
    {
        const auto c = callsSoFar();
        return static_cast<int>(std::count(c.begin(), c.end(), name));
    }

    std::atomic<bool> began{false};
    std::atomic<bool> ended{false};

private:
    mutable std::mutex mutex;
    std::vector<std::string> calls;
};

json drillJson()
{
    return json::parse(R"({
      "version": 1, "name": "scripted", "title": "Scripted drill",
      "steady-state-hypothesis": {"title": "all good", "probes": [
        {"type": "probe", "name": "replica streams", "provider": {"func": "replica_streaming"}, "tolerance": true}]},
      "method": [
        {"type": "action", "name": "pause replay", "provider": {"func": "pause_replay"}},
        {"type": "probe", "name": "reads on the primary",
         "provider": {"func": "reads_served_by", "arguments": {"within_seconds": 0.3}}, "tolerance": "primary"}
      ],
      "rollbacks": [
        {"type": "action", "name": "resume replay", "provider": {"func": "resume_replay"}},
        {"type": "action", "name": "flags back", "provider": {"func": "restore_flags"}, "when": "always"}
      ]
    })");
}

Drill parse(const json& j)
{
    return DrillParser::parse(j, "test", {"primary", "replica"});
}

// A "wait" action that lasts until the runner stops it (or 30 s).
json waitUntilStopped(const DrillActivity&, std::stop_token stop)
{
    std::mutex m;
    std::condition_variable_any cv;
    std::unique_lock lock(m);
    cv.wait_for(lock, stop, 30s, [] { return false; });
    return json(nullptr);
}

std::vector<std::string> phasesOf(const std::vector<ActivityRun>& runs)
{
    std::vector<std::string> out;
    for (const auto& r : runs)
        out.push_back(r.name + "=" + stepStatusName(r.status));
    return out;
}

}  // namespace

class TestDrillRunner : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void passes();
    void steadyStateBeforeFailsNothingRuns();
    void probeWaitsWithinItsTime();
    void methodProbeFailsRollbacksRun();
    void abortRunsRollbacks();
    void abortConditionAborts();
    void unknownAbortValueDoesNotAbort();
    void listenerMayAbort();
    void waitingProbeRetriesAfterAnError();
    void loudWhenLeftWorse();
    void failedAlwaysRollbackFailsThePassedDrill();
    void abortWithoutRollbacksChecksTheTopology();
    void abortDuringTheAfterCheckIsNoDeviation();
    void destructiveNeedsConfirmation();
    void planListsEverything();
};

void TestDrillRunner::passes()
{
    ScriptedExecutor ex;
    ex.scripts["replica_streaming"] = [](auto&, auto) { return json(true); };
    ex.scripts["reads_served_by"] = [](auto&, auto) { return json("primary"); };
    std::vector<DrillEvent::Kind> events;
    std::mutex m;
    DrillRunner runner(ex, parse(drillJson()),
                       {.confirmed = false, .listener = [&](const DrillEvent& e) {
                            std::lock_guard lock(m);
                            events.push_back(e.kind);
                        }});
    runner.start();
    const auto j = runner.wait();
    QCOMPARE(j.status, DrillStatus::Completed);
    QCOMPARE(j.verdict(), std::string("PASSED"));
    QVERIFY(j.before->met && j.after->met && !j.deviated);
    QCOMPARE(phasesOf(j.run), (std::vector<std::string>{"pause replay=succeeded", "reads on the primary=succeeded"}));
    // Only the "always" rollback runs after a success.
    QCOMPARE(phasesOf(j.rollbacks), std::vector<std::string>{"flags back=succeeded"});
    QVERIFY(ex.began && ex.ended);
    QCOMPARE(j.figures.reads, std::uint64_t(42));
    std::lock_guard lock(m);
    QCOMPARE(events.front(), DrillEvent::Kind::Started);
    QCOMPARE(events.back(), DrillEvent::Kind::Finished);
}

void TestDrillRunner::steadyStateBeforeFailsNothingRuns()
{
    ScriptedExecutor ex;
    ex.scripts["replica_streaming"] = [](auto&, auto) { return json(false); };
    DrillRunner runner(ex, parse(drillJson()), {});
    runner.start();
    const auto j = runner.wait();
    QCOMPARE(j.status, DrillStatus::Failed);
    QVERIFY2(j.reason.find("the steady state did not hold before the method (replica streams: got false, "
                           "expected true)") != std::string::npos,
             j.reason.c_str());
    QVERIFY(j.run.empty());
    QVERIFY(j.rollbacks.empty());  // nothing was changed, nothing to put back
    QCOMPARE(ex.count("pause replay"), 0);
}

void TestDrillRunner::probeWaitsWithinItsTime()
{
    ScriptedExecutor ex;
    ex.scripts["replica_streaming"] = [](auto&, auto) { return json(true); };
    std::atomic<int> asked{0};
    ex.scripts["reads_served_by"] = [&asked](auto&, auto) { return json(++asked >= 3 ? "primary" : "replica"); };
    DrillRunner runner(ex, parse(drillJson()), {.confirmed = false, .listener = {}, .probeRetry = 10ms});
    runner.start();
    const auto j = runner.wait();
    QCOMPARE(j.status, DrillStatus::Completed);
    QCOMPARE(asked.load(), 3);
    QCOMPARE(j.run[1].output.get<std::string>(), std::string("primary"));
}

void TestDrillRunner::methodProbeFailsRollbacksRun()
{
    ScriptedExecutor ex;
    ex.scripts["replica_streaming"] = [](auto&, auto) { return json(true); };
    ex.scripts["reads_served_by"] = [](auto&, auto) { return json("replica"); };
    DrillRunner runner(ex, parse(drillJson()), {.confirmed = false, .listener = {}, .probeRetry = 20ms});
    runner.start();
    const auto j = runner.wait();
    QCOMPARE(j.status, DrillStatus::Failed);
    QCOMPARE(j.verdict(), std::string("FAILED: reads on the primary: got \"replica\", expected \"primary\" within 0.3 s"));
    QVERIFY(j.run[1].durationSeconds() >= 0.3);  // it kept asking for its whole time
    QVERIFY(ex.count("reads on the primary") > 3);
    QCOMPARE(phasesOf(j.rollbacks), (std::vector<std::string>{"resume replay=succeeded", "flags back=succeeded"}));
    QVERIFY(!j.after);  // the method failed: no "after" hypothesis
}

void TestDrillRunner::abortRunsRollbacks()
{
    auto d = drillJson();
    d["method"][0]["provider"] = {{"func", "wait"}, {"arguments", {{"seconds", 600}}}};
    ScriptedExecutor ex;
    ex.scripts["replica_streaming"] = [](auto&, auto) { return json(true); };
    std::mutex m;
    std::condition_variable_any cv;
    std::atomic<bool> waiting{false};
    ex.scripts["wait"] = [&](auto&, std::stop_token stop) -> json {
        waiting = true;
        std::unique_lock lock(m);
        cv.wait(lock, stop, [] { return false; });  // until the abort
        throw Error("stopped");
    };
    std::atomic<bool> rollbackSawStop{true};
    ex.scripts["resume_replay"] = [&](auto&, std::stop_token stop) {
        rollbackSawStop = stop.stop_requested();
        return json("resumed");
    };
    DrillRunner runner(ex, parse(d), {});
    runner.start();
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!waiting && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(1ms);
    QVERIFY(waiting);
    runner.abort("operator pressed abort");
    const auto j = runner.wait();
    QCOMPARE(j.status, DrillStatus::Aborted);
    QCOMPARE(j.verdict(), std::string("ABORTED: operator pressed abort"));
    QCOMPARE(ex.count("reads on the primary"), 0);
    QCOMPARE(phasesOf(j.rollbacks), (std::vector<std::string>{"resume replay=succeeded", "flags back=succeeded"}));
    QVERIFY(!rollbackSawStop);  // rollbacks run to the end, whatever the abort
}

void TestDrillRunner::abortConditionAborts()
{
    auto d = drillJson();
    d["method"][0]["provider"] = {{"func", "wait"}, {"arguments", {{"seconds", 600}}}};
    d["abort-conditions"] = json::parse(R"({"interval-ms": 50, "probes": [
        {"type": "probe", "name": "few failed reads", "provider": {"func": "failed_reads"}, "tolerance": [0, 10]}]})");
    ScriptedExecutor ex;
    ex.scripts["replica_streaming"] = [](auto&, auto) { return json(true); };
    std::atomic<int> failed{0};
    ex.scripts["failed_reads"] = [&failed](auto&, auto) { return json(failed += 4); };
    ex.scripts["wait"] = waitUntilStopped;
    DrillRunner runner(ex, parse(d), {});
    runner.start();
    const auto j = runner.wait();
    QCOMPARE(j.status, DrillStatus::Aborted);
    QVERIFY2(j.reason == "abort condition: few failed reads: got 12, limit between 0 and 10", j.reason.c_str());
    QCOMPARE(j.rollbacks.size(), std::size_t(2));
}

void TestDrillRunner::unknownAbortValueDoesNotAbort()
{
    auto d = drillJson();
    d["abort-conditions"] = json::parse(R"({"interval-ms": 50, "probes": [
        {"type": "probe", "name": "lag small", "provider": {"func": "replication_lag_seconds"}, "tolerance": {"max": 5}}]})");
    ScriptedExecutor ex;
    ex.scripts["replica_streaming"] = [](auto&, auto) { return json(true); };
    std::atomic<int> lagAsked{0};
    // The replica is down: its lag is unknown, which is not over the limit.
    ex.scripts["replication_lag_seconds"] = [&lagAsked](auto&, auto) {
        ++lagAsked;
        return json(nullptr);
    };
    ex.scripts["reads_served_by"] = [&lagAsked](auto&, auto) {
        return json(lagAsked.load() >= 3 ? "primary" : "replica");  // holds once the watcher asked a few times
    };
    DrillRunner runner(ex, parse(d), {.confirmed = false, .listener = {}, .probeRetry = 10ms});
    runner.start();
    const auto j = runner.wait();
    QVERIFY2(j.status == DrillStatus::Completed, j.reason.c_str());
    QVERIFY(lagAsked.load() >= 3);
}

void TestDrillRunner::listenerMayAbort()
{
    // A listener that aborts from inside its own call (a console's "abort
    // when this step ends") gets its Aborting event after the current one.
    auto d = drillJson();
    d["method"][1] = {{"type", "action"}, {"name", "wait"},
                      {"provider", {{"func", "wait"}, {"arguments", {{"seconds", 600}}}}}};
    ScriptedExecutor ex;
    ex.scripts["replica_streaming"] = [](auto&, auto) { return json(true); };
    ex.scripts["wait"] = waitUntilStopped;
    DrillRunner* self = nullptr;
    std::vector<std::string> events;
    DrillRunOptions options;
    options.listener = [&](const DrillEvent& e) {
        events.push_back(e.kind == DrillEvent::Kind::Aborting ? "aborting" : e.step.name);
        if (e.kind == DrillEvent::Kind::StepFinished && e.step.name == "pause replay")
            self->abort("listener");
    };
    DrillRunner runner(ex, parse(d), options);
    self = &runner;
    runner.start();
    const auto j = runner.wait();
    QCOMPARE(j.status, DrillStatus::Aborted);
    const auto at = std::find(events.begin(), events.end(), "aborting");
    QVERIFY(at != events.end());
    QCOMPARE(*(at - 1), std::string("pause replay"));  // delivered after the event that caused it
}

void TestDrillRunner::waitingProbeRetriesAfterAnError()
{
    ScriptedExecutor ex;
    ex.scripts["replica_streaming"] = [](auto&, auto) { return json(true); };
    std::atomic<int> asked{0};
    // Refused twice (still coming back), then it answers.
    ex.scripts["reads_served_by"] = [&asked](auto&, auto) {
        if (++asked < 3)
            throw Error("replica unavailable and REPLICA_FALLBACK_ENABLED is off");
        return json("primary");
    };
    DrillRunner runner(ex, parse(drillJson()), {.confirmed = false, .listener = {}, .probeRetry = 10ms});
    runner.start();
    const auto j = runner.wait();
    QCOMPARE(j.status, DrillStatus::Completed);
    QCOMPARE(asked.load(), 3);

    // Out of time, the last error is what the step says.
    ScriptedExecutor never;
    never.scripts["replica_streaming"] = [](auto&, auto) { return json(true); };
    never.scripts["reads_served_by"] = [](auto&, auto) -> json { throw Error("still refused"); };
    DrillRunner failing(never, parse(drillJson()), {.confirmed = false, .listener = {}, .probeRetry = 10ms});
    failing.start();
    const auto f = failing.wait();
    QCOMPARE(f.status, DrillStatus::Failed);
    QCOMPARE(f.run[1].error, std::string("still refused"));
    QVERIFY(never.count("reads on the primary") > 2);
}

void TestDrillRunner::loudWhenLeftWorse()
{
    ScriptedExecutor ex;
    std::atomic<bool> broken{false};
    // Holds before; the method breaks it; the rollback fails to repair it.
    ex.scripts["replica_streaming"] = [&broken](auto&, auto) { return json(!broken); };
    ex.scripts["pause_replay"] = [&broken](auto&, auto) {
        broken = true;
        return json(nullptr);
    };
    ex.scripts["reads_served_by"] = [](auto&, auto) { return json("primary"); };
    ex.scripts["resume_replay"] = [](auto&, auto) -> json { throw Error("replica: connection refused"); };
    DrillRunner runner(ex, parse(drillJson()), {});
    runner.start();
    const auto j = runner.wait();
    QCOMPARE(j.status, DrillStatus::Failed);
    QVERIFY(j.deviated);
    QCOMPARE(j.warnings.size(), std::size_t(2));
    QCOMPARE(j.warnings[0], std::string("rollback 'resume replay' failed (replica: connection refused): the topology "
                                        "may be left worse than it was found"));
    QVERIFY(j.warnings[1].starts_with("after the rollbacks the steady state does not hold"));
    QVERIFY(markdownReport(j).find("## Warnings") != std::string::npos);
}

void TestDrillRunner::failedAlwaysRollbackFailsThePassedDrill()
{
    ScriptedExecutor ex;
    ex.scripts["replica_streaming"] = [](auto&, auto) { return json(true); };
    ex.scripts["reads_served_by"] = [](auto&, auto) { return json("primary"); };
    ex.scripts["restore_flags"] = [](auto&, auto) -> json { throw Error("engine gone"); };
    DrillRunner runner(ex, parse(drillJson()), {});
    runner.start();
    const auto j = runner.wait();
    // The method and the hypothesis held, but a rollback did not: not a pass.
    QCOMPARE(j.status, DrillStatus::Failed);
    QCOMPARE(j.verdict(), std::string("FAILED: rollback 'flags back' failed (engine gone): the topology may be left "
                                      "worse than it was found"));
}

void TestDrillRunner::abortWithoutRollbacksChecksTheTopology()
{
    auto d = drillJson();
    d.erase("rollbacks");
    d["method"][0]["provider"] = {{"func", "wait"}, {"arguments", {{"seconds", 600}}}};
    ScriptedExecutor ex;
    std::atomic<bool> waiting{false};
    std::atomic<bool> broken{false};
    ex.scripts["replica_streaming"] = [&broken](auto&, auto) { return json(!broken); };
    ex.scripts["wait"] = [&](auto&, std::stop_token stop) -> json {
        broken = true;  // the fault is in place when the abort comes
        waiting = true;
        std::mutex m;
        std::condition_variable_any cv;
        std::unique_lock lock(m);
        cv.wait(lock, stop, [] { return false; });
        return nullptr;
    };
    DrillRunner runner(ex, parse(d), {});
    runner.start();
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!waiting && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(1ms);
    runner.abort();
    const auto j = runner.wait();
    QCOMPARE(j.status, DrillStatus::Aborted);
    QVERIFY(j.rollbacks.empty());
    QVERIFY(j.afterRollbacks && !j.afterRollbacks->met);
    QCOMPARE(j.warnings.size(), std::size_t(1));
    QVERIFY(j.warnings[0].find("the topology is worse than it was found") != std::string::npos);
    QVERIFY(toJson(j)["steady_states"]["after_rollbacks"]["steady_state_met"] == false);
}

void TestDrillRunner::abortDuringTheAfterCheckIsNoDeviation()
{
    auto d = drillJson();
    d["steady-state-hypothesis"]["probes"][0]["provider"]["arguments"] = {{"within_seconds", 1}};
    ScriptedExecutor ex;
    std::atomic<int> asked{0};
    // Holds before; in the "after" check it never does, until the abort.
    ex.scripts["replica_streaming"] = [&asked](auto&, auto) { return json(++asked == 1); };
    ex.scripts["reads_served_by"] = [](auto&, auto) { return json("primary"); };
    DrillRunner runner(ex, parse(d), {.confirmed = false, .listener = {}, .probeRetry = 10ms});
    runner.start();
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (asked < 3 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(1ms);
    runner.abort("operator");
    const auto j = runner.wait();
    QCOMPARE(j.status, DrillStatus::Aborted);
    QVERIFY(!j.deviated);  // nothing was observed not to hold: the check was cut short
    QVERIFY(!j.after);
}

void TestDrillRunner::destructiveNeedsConfirmation()
{
    auto d = drillJson();
    d["method"][0] = json::parse(R"({"type": "action", "name": "stop the replica",
        "provider": {"func": "stop_node", "arguments": {"node": "replica"}}})");
    ScriptedExecutor ex;
    try {
        DrillRunner runner(ex, parse(d), {});
        QFAIL("accepted without confirmation");
    } catch (const InvalidParameterError& e) {
        QCOMPARE(std::string(e.what()), std::string("drill scripted stops, kills, freezes or promotes servers (stop the "
                                                    "replica); confirm with --yes, or look first with --dry-run"));
    }
    QVERIFY(ex.callsSoFar().empty());
    DrillRunner confirmed(ex, parse(d), {.confirmed = true, .listener = {}});  // accepted
}

void TestDrillRunner::planListsEverything()
{
    const auto steps = DrillRunner::plan(parse(drillJson()));
    QCOMPARE(steps.size(), std::size_t(6));
    QCOMPARE(steps[0], std::string("steady state: probe 'replica streams' (replica_streaming "
                                   "{\"node\":\"replica\",\"within_seconds\":0.0}) expecting true"));
    QCOMPARE(steps[1], std::string("method: action 'pause replay' (pause_replay {\"node\":\"replica\"})"));
    QCOMPARE(steps[4], std::string("rollback (on failure or abort): action 'resume replay' (resume_replay "
                                   "{\"node\":\"replica\"})"));
    QCOMPARE(steps[5], std::string("rollback (always): action 'flags back' (restore_flags)"));
}

QTEST_GUILESS_MAIN(TestDrillRunner)
#include "tst_drill_runner.moc"

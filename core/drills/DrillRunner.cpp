#include "drills/DrillRunner.hpp"

#include "common/Errors.hpp"
#include "common/Logging.hpp"
#include "common/StopSleep.hpp"

#include <fmt/format.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace pulse {
namespace {

using Clock = std::chrono::system_clock;

std::string valueText(const nlohmann::json& value)
{
    return value.is_null() ? "unknown" : value.dump();
}

// Sleeps up to `d`; false when stop was requested first.
bool pause(std::chrono::milliseconds d, std::stop_token stop)
{
    return sleepUnlessStopped(d, stop);
}

}  // namespace

struct DrillRunner::Impl {
    Impl(ActivityExecutor& e, Drill d, DrillRunOptions o) : executor(e), drill(std::move(d)), options(std::move(o)) {}

    ActivityExecutor& executor;
    const Drill drill;
    const DrillRunOptions options;

    mutable std::mutex mutex;  // guards journal, abortReason, finished
    std::condition_variable finishedChanged;
    DrillJournal journal;
    std::string abortReason;
    bool finished = false;
    std::stop_source aborted;  // abort(): ends waits of the method and the hypothesis
    std::jthread worker;
    mutable std::mutex emitting;  // one event at a time, whichever thread reports it
    // The thread delivering an event now: a listener that reacts by calling
    // abort() reports Aborting from inside its own call; that event waits in
    // `pending` until the current one returns instead of deadlocking.
    mutable std::atomic<std::thread::id> delivering{};
    mutable std::deque<DrillEvent> pending;  // touched only by `delivering`

    // A listener that throws must not take the drill (and its rollbacks) down.
    void emit(const DrillEvent& event) const
    {
        if (!options.listener)
            return;
        if (delivering.load() == std::this_thread::get_id()) {
            pending.push_back(event);
            return;
        }
        std::lock_guard lock(emitting);
        delivering.store(std::this_thread::get_id());
        deliver(event);
        while (!pending.empty()) {
            const DrillEvent next = std::move(pending.front());
            pending.pop_front();
            deliver(next);
        }
        delivering.store(std::thread::id{});
    }

    void deliver(const DrillEvent& event) const
    {
        try {
            options.listener(event);
        } catch (const std::exception& e) {
            logger("drill")->warn("{}: the event listener failed: {}", drill.name, e.what());
        }
    }

    // One activity, with its pauses and, for a probe with within_seconds,
    // asked again until it holds or the time is up.
    ActivityRun runOne(const DrillActivity& a, const std::string& phase, std::stop_token stop)
    {
        ActivityRun run;
        run.phase = phase;
        run.name = a.name;
        run.func = a.func;
        run.kind = a.kind;
        run.arguments = a.arguments;
        if (a.tolerance)
            run.tolerance = a.tolerance->describe();
        run.start = Clock::now();
        emit({DrillEvent::Kind::StepStarted, run, {}, DrillStatus::Running});
        if (!pause(a.pauseBefore, stop)) {
            run.status = StepStatus::Skipped;
            run.error = "not run: the drill was aborted";
            run.end = Clock::now();
            emit({DrillEvent::Kind::StepFinished, run, {}, DrillStatus::Running});
            return run;
        }
        const double within = a.arguments.value("within_seconds", 0.0);
        try {
            const auto deadline = std::chrono::steady_clock::now() +
                                  std::chrono::milliseconds(static_cast<long>(within * 1000));
            for (;;) {
                try {
                    run.output = executor.execute(a, stop);
                } catch (const std::exception&) {
                    // A probe that may wait can fail on the way (the node is
                    // still starting, reads still refused): ask again until
                    // its time is up; the last error is what the step says.
                    if (a.kind != ActivityKind::Probe || within <= 0 ||
                        std::chrono::steady_clock::now() >= deadline || !pause(options.probeRetry, stop))
                        throw;
                    continue;
                }
                if (!a.tolerance)
                    break;
                run.toleranceMet = a.tolerance->accepts(run.output);
                if (*run.toleranceMet || std::chrono::steady_clock::now() >= deadline || !pause(options.probeRetry, stop))
                    break;
            }
            if (run.toleranceMet == false && stop.stop_requested()) {
                // Cut short by the abort: nothing was observed to be wrong.
                run.status = StepStatus::Skipped;
                run.toleranceMet.reset();
                run.error = "not finished: the drill was aborted";
            } else if (run.toleranceMet == false) {
                run.status = StepStatus::Failed;
                run.error = "got " + valueText(run.output) + ", expected " + run.tolerance +
                            (within > 0 ? fmt::format(" within {:g} s", within) : "");
            }
        } catch (const std::exception& e) {
            run.status = stop.stop_requested() ? StepStatus::Skipped : StepStatus::Failed;
            run.error = stop.stop_requested() ? std::string("not finished: the drill was aborted (") + e.what() + ")"
                                              : e.what();
        }
        run.end = Clock::now();
        // The pause after belongs to the drill's pacing, not to the step: an
        // abort ends it early and the step stays what it was.
        if (run.status == StepStatus::Succeeded)
            pause(a.pauseAfter, stop);
        emit({DrillEvent::Kind::StepFinished, run, {}, DrillStatus::Running});
        return run;
    }

    SteadyStateCheck checkSteadyState(const std::string& phase, std::stop_token stop)
    {
        SteadyStateCheck check{true, {}};
        for (const auto& probe : drill.steadyState) {
            auto run = runOne(probe, phase, stop);
            check.met = check.met && run.status == StepStatus::Succeeded;
            check.probes.push_back(std::move(run));
        }
        return check;
    }

    std::string firstFailure(const std::vector<ActivityRun>& runs) const
    {
        for (const auto& r : runs)
            if (r.status == StepStatus::Failed)
                return r.name + ": " + r.error;
        return {};
    }

    // Abort conditions, on their own thread while the method runs.
    void watch(std::stop_token stop)
    {
        // Checked at once, then every interval: a short method is watched too.
        for (bool first = true; first || pause(drill.abortInterval, stop); first = false) {
            for (const auto& probe : drill.abortConditions) {
                nlohmann::json value;
                std::string failure;
                try {
                    value = executor.execute(probe, stop);
                    // Unknown is not over a limit: the fault under test often
                    // makes a value unknown (the lag of a stopped replica),
                    // and aborting on it would abort every such drill.
                    if (!value.is_null() && !probe.tolerance->accepts(value))
                        failure = probe.name + ": got " + valueText(value) + ", limit " + probe.tolerance->describe();
                } catch (const std::exception& e) {
                    if (stop.stop_requested())
                        return;
                    failure = probe.name + ": " + e.what();
                }
                if (!failure.empty()) {
                    requestAbort("abort condition: " + failure);
                    return;
                }
            }
        }
    }

    void requestAbort(std::string reason)
    {
        std::string first;
        {
            std::lock_guard lock(mutex);
            if (!abortReason.empty())
                return;  // the first reason stands; one Aborting event
            abortReason = std::move(reason);
            first = abortReason;
        }
        aborted.request_stop();
        emit({DrillEvent::Kind::Aborting, {}, first, DrillStatus::Aborted});
    }

    template <typename F>
    void update(F&& change)
    {
        std::lock_guard lock(mutex);
        change(journal);
    }

    void run()
    {
        const std::stop_token stop = aborted.get_token();
        update([&](DrillJournal& j) {
            j.drill = drill.source;
            j.name = drill.name;
            j.title = drill.title;
            j.blastRadius = drill.blastRadius;
            j.start = Clock::now();
            j.status = DrillStatus::Running;
        });
        emit({DrillEvent::Kind::Started, {}, drill.title, DrillStatus::Running});
        DrillStatus status = DrillStatus::Completed;
        std::string reason;
        bool methodStarted = false;

        try {
            executor.begin(drill);
            auto before = checkSteadyState("before", stop);
            update([&](DrillJournal& j) { j.before = before; });
            if (!before.met) {
                // Nothing was changed yet: no rollback, the drill proves nothing.
                status = DrillStatus::Failed;
                reason = "the steady state did not hold before the method (" + firstFailure(before.probes) + ")";
            } else {
                methodStarted = true;
                std::jthread watcher;
                if (!drill.abortConditions.empty())
                    watcher = std::jthread([this](std::stop_token s) { watch(s); });
                for (const auto& activity : drill.method) {
                    if (stop.stop_requested())
                        break;
                    auto step = runOne(activity, "method", stop);
                    const bool failed = step.status == StepStatus::Failed;
                    update([&](DrillJournal& j) { j.run.push_back(step); });
                    if (failed && !stop.stop_requested()) {
                        status = DrillStatus::Failed;
                        reason = step.name + ": " + step.error;
                        break;
                    }
                }
                if (!stop.stop_requested() && status == DrillStatus::Completed) {
                    // The watcher keeps watching while the hypothesis is checked again.
                    auto after = checkSteadyState("after", stop);
                    if (!stop.stop_requested()) {  // an abort cut it short: nothing was observed
                        update([&](DrillJournal& j) {
                            j.after = after;
                            j.deviated = !after.met;
                        });
                        if (!after.met) {
                            status = DrillStatus::Failed;
                            reason = "the steady state did not hold after the method (" +
                                     firstFailure(after.probes) + ")";
                        }
                    }
                }
                watcher = {};  // stop and join the abort-condition watcher
            }
        } catch (const std::exception& e) {
            status = DrillStatus::Failed;
            reason = std::string("the drill could not run: ") + e.what();
        }
        if (stop.stop_requested()) {
            status = DrillStatus::Aborted;
            std::lock_guard lock(mutex);
            reason = abortReason;
        }

        // Rollbacks run with their own (never requested) stop token: an abort
        // must not cut short the steps that put things back. Nothing here may
        // throw out of the worker thread: each step is guarded.
        const std::stop_token never;
        std::vector<std::string> warnings;
        bool leftWorse = false;
        for (const auto& rollback : drill.rollbacks) {
            // Nothing to put back when the method never started.
            const bool wanted = methodStarted && (rollback.always || status != DrillStatus::Completed);
            if (!wanted)
                continue;
            ActivityRun step;
            try {
                step = runOne(rollback.activity, "rollback", never);
            } catch (const std::exception& e) {
                step.phase = "rollback";
                step.name = rollback.activity.name;
                step.func = rollback.activity.func;
                step.status = StepStatus::Failed;
                step.error = e.what();
            }
            if (step.status == StepStatus::Failed) {
                leftWorse = true;
                warnings.push_back("rollback '" + step.name + "' failed (" + step.error +
                                   "): the topology may be left worse than it was found");
            }
            update([&](DrillJournal& j) { j.rollbacks.push_back(step); });
        }
        if (methodStarted && status != DrillStatus::Completed && !drill.steadyState.empty()) {
            // After a failure or an abort, whether or not rollbacks ran: is
            // the topology back where it was? Said loudly when it is not.
            try {
                auto again = checkSteadyState("after rollbacks", never);
                update([&](DrillJournal& j) { j.afterRollbacks = again; });
                if (!again.met) {
                    leftWorse = true;
                    warnings.push_back("after the rollbacks the steady state does not hold (" +
                                       firstFailure(again.probes) + "): the topology is worse than it was found");
                }
            } catch (const std::exception& e) {
                leftWorse = true;
                warnings.push_back(std::string("the steady state could not be checked after the rollbacks: ") +
                                   e.what());
            }
        }
        if (leftWorse && status == DrillStatus::Completed) {
            // A drill that leaves the topology worse has not passed, however
            // well its method went.
            status = DrillStatus::Failed;
            reason = warnings.front();
        }
        try {
            executor.end();
        } catch (const std::exception& e) {
            warnings.push_back(std::string("stopping the drill's workload failed: ") + e.what());
        }
        for (const auto& w : warnings)
            logger("drill")->warn("{}: {}", drill.name, w);

        DrillFigures figures;
        try {
            figures = executor.figures();
        } catch (const std::exception& e) {
            warnings.push_back(std::string("the drill's figures could not be collected: ") + e.what());
        }
        DrillJournal finalJournal;
        {
            std::lock_guard lock(mutex);
            journal.status = status;
            journal.reason = reason;
            journal.warnings.insert(journal.warnings.end(), warnings.begin(), warnings.end());
            journal.figures = figures;
            journal.end = Clock::now();
            finalJournal = journal;
        }
        // The last event before wait() returns: a caller that waited has seen every event.
        emit({DrillEvent::Kind::Finished, {}, finalJournal.verdict(), status});
        {
            std::lock_guard lock(mutex);
            finished = true;
        }
        finishedChanged.notify_all();
    }
};

DrillRunner::DrillRunner(ActivityExecutor& executor, Drill drill, DrillRunOptions options)
{
    if (drill.destructive() && !options.confirmed) {
        std::string steps;
        for (const auto& s : drill.destructiveSteps())
            steps += (steps.empty() ? "" : ", ") + s;
        throw InvalidParameterError("drill " + drill.name + " stops, kills, freezes or promotes servers (" + steps +
                                    "); confirm with --yes, or look first with --dry-run");
    }
    m_impl = std::make_unique<Impl>(executor, std::move(drill), std::move(options));
}

DrillRunner::~DrillRunner()
{
    if (m_impl->worker.joinable()) {
        bool done = false;
        {
            std::lock_guard lock(m_impl->mutex);
            done = m_impl->finished;
        }
        if (!done)
            m_impl->requestAbort("the runner was destroyed while the drill ran");
        m_impl->worker.join();
    }
}

void DrillRunner::start()
{
    if (m_impl->worker.joinable())
        throw Error("drill " + m_impl->drill.name + " was already started");
    m_impl->worker = std::jthread([impl = m_impl.get()] { impl->run(); });
}

void DrillRunner::abort(std::string reason)
{
    {
        std::lock_guard lock(m_impl->mutex);
        if (m_impl->finished)
            return;
    }
    m_impl->requestAbort(std::move(reason));
}

DrillJournal DrillRunner::journal() const
{
    std::lock_guard lock(m_impl->mutex);
    return m_impl->journal;
}

DrillJournal DrillRunner::wait()
{
    std::unique_lock lock(m_impl->mutex);
    m_impl->finishedChanged.wait(lock, [this] { return m_impl->finished; });
    return m_impl->journal;
}

std::vector<std::string> DrillRunner::plan(const Drill& drill)
{
    std::vector<std::string> steps;
    const auto line = [](const char* phase, const DrillActivity& a) {
        std::string text = std::string(phase) + ": " + activityKindName(a.kind) + " '" + a.name + "' (" + a.func;
        if (!a.arguments.empty())
            text += " " + a.arguments.dump();
        text += ")";
        if (a.tolerance)
            text += " expecting " + a.tolerance->describe();
        if (a.pauseBefore.count() > 0)
            text += fmt::format(", after a pause of {:g} s", a.pauseBefore.count() / 1000.0);
        if (a.pauseAfter.count() > 0)
            text += fmt::format(", then a pause of {:g} s", a.pauseAfter.count() / 1000.0);
        return text;
    };
    for (const auto& p : drill.steadyState)
        steps.push_back(line("steady state", p));
    for (const auto& a : drill.method)
        steps.push_back(line("method", a));
    for (const auto& p : drill.steadyState)
        steps.push_back(line("steady state again", p));
    for (const auto& r : drill.rollbacks)
        steps.push_back(line(r.always ? "rollback (always)" : "rollback (on failure or abort)", r.activity));
    for (const auto& p : drill.abortConditions)
        steps.push_back(line("abort condition (checked throughout)", p));
    return steps;
}

}  // namespace pulse

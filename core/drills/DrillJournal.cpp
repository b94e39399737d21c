#include "drills/DrillJournal.hpp"

#include "engine/JsonExport.hpp"

namespace pulse {
namespace {

double seconds(std::chrono::system_clock::duration d)
{
    return std::chrono::duration<double>(d).count();
}

template <typename T>
nlohmann::json optional(const std::optional<T>& value)
{
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json toJson(const ActivityRun& a)
{
    return {{"phase", a.phase},
            {"activity", {{"type", activityKindName(a.kind)}, {"name", a.name}, {"func", a.func}, {"arguments", a.arguments}}},
            {"status", stepStatusName(a.status)},
            {"output", a.output},
            {"tolerance", a.tolerance.empty() ? nlohmann::json(nullptr) : nlohmann::json(a.tolerance)},
            {"tolerance_met", optional(a.toleranceMet)},
            {"start", isoTime(a.start)},
            {"end", isoTime(a.end)},
            {"duration", a.durationSeconds()},
            {"exception", a.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(a.error)}};
}

nlohmann::json toJson(const std::optional<SteadyStateCheck>& check)
{
    if (!check)
        return nullptr;
    auto probes = nlohmann::json::array();
    for (const auto& p : check->probes)
        probes.push_back(toJson(p));
    return {{"steady_state_met", check->met}, {"probes", probes}};
}

}  // namespace

const char* drillStatusName(DrillStatus status)
{
    switch (status) {
    case DrillStatus::Running: return "running";
    case DrillStatus::Completed: return "completed";
    case DrillStatus::Failed: return "failed";
    case DrillStatus::Aborted: return "aborted";
    }
    return "unknown";
}

const char* stepStatusName(StepStatus status)
{
    switch (status) {
    case StepStatus::Succeeded: return "succeeded";
    case StepStatus::Failed: return "failed";
    case StepStatus::Skipped: return "skipped";
    }
    return "unknown";
}

double ActivityRun::durationSeconds() const
{
    return seconds(end - start);
}

double DrillJournal::durationSeconds() const
{
    return seconds(end - start);
}

std::string DrillJournal::verdict() const
{
    switch (status) {
    case DrillStatus::Running:
        return "RUNNING";
    case DrillStatus::Completed:
        // Completed means every step ran, every tolerance held and nothing
        // was left worse (that fails the drill). Warnings here are minor.
        return warnings.empty() ? "PASSED" : "PASSED, with warnings: " + warnings.front();
    case DrillStatus::Failed:
        return "FAILED: " + reason;
    case DrillStatus::Aborted:
        return "ABORTED: " + reason;
    }
    return "UNKNOWN";
}

nlohmann::json toJson(const DrillJournal& j)
{
    auto run = nlohmann::json::array();
    for (const auto& a : j.run)
        run.push_back(toJson(a));
    auto rollbacks = nlohmann::json::array();
    for (const auto& a : j.rollbacks)
        rollbacks.push_back(toJson(a));
    const auto& f = j.figures;
    return {{"drill", j.drill},
            {"name", j.name},
            {"start", isoTime(j.start)},
            {"end", isoTime(j.end)},
            {"duration", j.durationSeconds()},
            {"status", drillStatusName(j.status)},
            {"deviated", j.deviated},
            {"verdict", j.verdict()},
            {"reason", j.reason},
            {"steady_states",
             {{"before", toJson(j.before)}, {"after", toJson(j.after)}, {"after_rollbacks", toJson(j.afterRollbacks)}}},
            {"run", run},
            {"rollbacks", rollbacks},
            {"figures",
             {{"reads_back_after_seconds", optional(f.readsBackAfterSeconds)},
              {"writes_back_after_seconds", optional(f.writesBackAfterSeconds)},
              {"data_at_risk_bytes", optional(f.dataAtRiskBytes)},
              {"reads", f.reads},
              {"failed_reads", f.failedReads},
              {"retried_reads", f.retriedReads},
              {"failed_writes", f.failedWrites},
              {"last_read_error", f.lastReadError.empty() ? nlohmann::json(nullptr) : nlohmann::json(f.lastReadError)},
              {"last_write_error", f.lastWriteError.empty() ? nlohmann::json(nullptr) : nlohmann::json(f.lastWriteError)},
              {"etl_rows_planned", optional(f.etlRowsPlanned)},
              {"etl_rows_found", optional(f.etlRowsFound)}}},
            {"warnings", j.warnings}};
}

}  // namespace pulse

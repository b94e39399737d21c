// markdownReport(): the drill report for people (declared in DrillJournal.hpp).

#include "drills/DrillJournal.hpp"

#include "engine/JsonExport.hpp"
#include "health/LagFormat.hpp"

#include <fmt/format.h>

namespace pulse {
namespace {

// A Markdown table cell: no pipe or line break may end the cell early.
std::string cell(std::string text)
{
    for (auto& c : text)
        if (c == '\n' || c == '\r')
            c = ' ';
    std::string out;
    for (char c : text) {
        if (c == '|')
            out += "\\|";
        else
            out += c;
    }
    return out;
}

std::string outputText(const ActivityRun& a)
{
    if (!a.error.empty())
        return a.error;
    if (a.output.is_null())
        return a.kind == ActivityKind::Probe ? "unknown" : "";
    const std::string text = a.output.is_string() ? a.output.get<std::string>() : a.output.dump();
    return text.size() > 160 ? text.substr(0, 157) + "..." : text;
}

std::string outcome(const ActivityRun& a)
{
    if (a.status == StepStatus::Skipped)
        return "skipped";
    if (a.toleranceMet)
        return *a.toleranceMet ? "ok (" + a.tolerance + ")" : "**not " + a.tolerance + "**";
    return a.status == StepStatus::Succeeded ? "ok" : "**failed**";
}

void timelineRows(std::string& md, const std::vector<ActivityRun>& runs,
                  std::chrono::system_clock::time_point origin)
{
    for (const auto& a : runs)
        md += fmt::format("| +{:.1f} s | {} | {} | {} | {:.2f} s | {} |\n",
                          std::chrono::duration<double>(a.start - origin).count(), a.phase, cell(a.name),
                          cell(outcome(a)), a.durationSeconds(), cell(outputText(a)));
}

std::string figure(const std::optional<double>& seconds, const char* otherwise)
{
    return seconds ? fmt::format("{:.2f} s", *seconds) : otherwise;
}

}  // namespace

std::string markdownReport(const DrillJournal& j)
{
    std::string md;
    md += "# Drill: " + j.title + "\n\n";
    md += "**" + j.verdict() + "**\n\n";
    md += fmt::format("`{}` · {} · started {} · {:.1f} s{}\n\n", j.name, drillStatusName(j.status), isoTime(j.start),
                      j.durationSeconds(), j.deviated ? " · the steady state did not hold afterwards" : "");
    if (!j.blastRadius.empty())
        md += "Blast radius: " + j.blastRadius + "\n\n";

    const auto& f = j.figures;
    md += "## What ops need to know\n\n| | |\n|---|---|\n";
    md += "| Reads worked again after | " + figure(f.readsBackAfterSeconds, "not measured") + " |\n";
    md += "| Writes worked again after | " + figure(f.writesBackAfterSeconds, "not measured") + " |\n";
    md += "| Data at risk when the fault hit | " +
          (f.dataAtRiskBytes ? formatLagBytes(*f.dataAtRiskBytes) + " of WAL not yet on the replica"
                             : std::string("not measured")) +
          " |\n";
    md += fmt::format("| Dashboard reads | {} ({} failed, {} served by the primary on fallback) |\n", f.reads, f.failedReads,
                      f.retriedReads);
    if (!f.lastReadError.empty())
        md += "| Last failed read said | " + cell(f.lastReadError) + " |\n";
    md += fmt::format("| Failed writes | {} |\n", f.failedWrites);
    if (!f.lastWriteError.empty())
        md += "| Last failed write said | " + cell(f.lastWriteError) + " |\n";
    if (f.etlRowsPlanned)
        md += fmt::format("| ETL rows | {} of {} planned{} |\n", f.etlRowsFound.value_or(0), *f.etlRowsPlanned,
                          f.etlRowsFound == f.etlRowsPlanned ? ", exact" : ": **not exact**");
    md += "\n";

    if (!j.warnings.empty()) {
        md += "## Warnings\n\n";
        for (const auto& w : j.warnings)
            md += "- **" + w + "**\n";
        md += "\n";
    }

    md += "## Timeline\n\n| time | phase | step | outcome | took | output |\n|---|---|---|---|---|---|\n";
    if (j.before)
        timelineRows(md, j.before->probes, j.start);
    timelineRows(md, j.run, j.start);
    if (j.after)
        timelineRows(md, j.after->probes, j.start);
    timelineRows(md, j.rollbacks, j.start);
    if (j.afterRollbacks)
        timelineRows(md, j.afterRollbacks->probes, j.start);
    md += "\n";

    const auto steady = [&md](const char* when, const std::optional<SteadyStateCheck>& check) {
        md += std::string("- ") + when + ": " +
              (!check ? "not checked" : check->met ? "held" : "**did not hold**") + "\n";
    };
    md += "## Steady state\n\n";
    steady("before", j.before);
    steady("after", j.after);
    if (j.afterRollbacks)
        steady("after the rollbacks", j.afterRollbacks);
    md += "\n## Rollbacks\n\n";
    if (j.rollbacks.empty())
        md += "None ran.\n";
    for (const auto& r : j.rollbacks)
        md += "- " + r.name + ": " + outcome(r) + (r.error.empty() ? "" : " (" + r.error + ")") + "\n";
    return md;
}

}  // namespace pulse

#include "Commands.hpp"
#include "Interrupt.hpp"
#include "TextTable.hpp"

#include "common/ExitCodes.hpp"
#include "engine/Engine.hpp"
#include "engine/JsonExport.hpp"

#include <fmt/format.h>

#include <iostream>

namespace pulsectl {
namespace {

void printEvent(const pulse::AlertEvent& e)
{
    std::cout << pulse::isoTime(e.time) << "  " << fmt::format("{:<9}", pulse::alertEventKindName(e.kind)) << " "
              << fmt::format("{:<8}", pulse::severityName(e.alert.severity)) << " " << e.alert.message << std::endl;
}

}  // namespace

// Alerts are evaluated by this process's monitor: node and lag rules see the
// whole topology; pool and timeout-rate rules see the pools of the process
// that runs them (the console, or a service embedding the core).
int runAlerts(const CliContext& context, const WatchOptions& watch)
{
    const auto resolved = context.resolve();
    pulse::Engine engine(resolved.settings);
    auto& alerts = engine.alerts();

    if (!watch.enabled) {
        engine.status();  // one monitor cycle evaluates every rule
        const auto active = alerts.active();
        if (context.json) {
            auto list = nlohmann::json::array();
            for (const auto& a : active)
                list.push_back(pulse::toJson(a));
            std::cout << nlohmann::json{{"active", list}}.dump(2) << '\n';
        } else if (active.empty()) {
            std::cout << "no active alerts\n";
        } else {
            TextTable table({"SEVERITY", "RULE", "SUBJECT", "SINCE", "MESSAGE"});
            for (const auto& a : active)
                table.addRow({pulse::severityName(a.severity), a.rule, a.subject, pulse::isoTime(a.raisedAt),
                              a.message});
            table.print(std::cout);
        }
        // Like a health check: non-zero while something is wrong.
        return active.empty() ? pulse::exitcode::ok : pulse::exitcode::failure;
    }

    installInterruptHandler();
    engine.startMonitor();
    std::cerr << "watching alerts every " << resolved.settings.monitorInterval.count()
              << " ms (raised and cleared events; Ctrl+C to stop)\n";
    std::uint64_t seen = 0;
    const auto printNewEvents = [&] {
        std::uint64_t last = seen;
        for (const auto& e : alerts.historySince(seen, &last)) {
            if (context.json)
                std::cout << pulse::toJson(e).dump() << std::endl;
            else
                printEvent(e);
        }
        seen = last;
    };
    int cycles = 0;
    std::uint64_t lastCycle = 0;
    while (!interrupted() && (watch.count <= 0 || cycles < watch.count)) {
        printNewEvents();
        if (const auto status = engine.latestStatus(); status && status->cycle != lastCycle) {
            lastCycle = status->cycle;
            ++cycles;
        }
        sleepUnlessInterrupted(std::chrono::milliseconds(50));
    }
    engine.stopMonitor();
    printNewEvents();  // events of the last cycle, raised after the loop's last look
    return pulse::exitcode::ok;
}

}  // namespace pulsectl

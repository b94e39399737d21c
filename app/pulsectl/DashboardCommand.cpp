// pulsectl dashboard: N dashboard readers for a while, then what they measured
// per query and per node. Where the reads went is the router's business:
// replica, or primary on fallback or with USE_READ_REPLICA off.

#include "Commands.hpp"
#include "Interrupt.hpp"
#include "TextTable.hpp"

#include "common/Errors.hpp"
#include "common/ExitCodes.hpp"
#include "engine/Engine.hpp"
#include "loadtest/LoadTestReport.hpp"
#include "workload/DashboardReaders.hpp"

#include <fmt/format.h>

#include <iostream>

namespace pulsectl {

std::string formatLatency(double seconds)
{
    if (seconds < 1.0)
        return fmt::format("{:.1f} ms", seconds * 1000.0);
    return fmt::format("{:.2f} s", seconds);
}

void printWorkload(std::ostream& out, const pulse::WorkloadStats& stats)
{
    out << fmt::format("{} readers, {:.1f} s: {} page loads ({} failed); page load p50 {}, p95 {}, max {}\n",
                       stats.readers, static_cast<double>(stats.elapsed.count()) / 1000.0, stats.pageLoads,
                       stats.failedPageLoads, formatLatency(stats.pageLoad.p50Seconds),
                       formatLatency(stats.pageLoad.p95Seconds), formatLatency(stats.pageLoad.maxSeconds));
    TextTable table({"QUERY", "RUNS", "ERRORS", "P50", "P95", "MAX", "SERVED BY"});
    for (const auto& q : stats.queries) {
        std::string nodes;
        for (const auto& [node, runs] : q.byNode)
            nodes += (nodes.empty() ? "" : ", ") + node + " " + std::to_string(runs);
        table.addRow({q.name, std::to_string(q.latency.count), std::to_string(q.errors),
                      formatLatency(q.latency.p50Seconds), formatLatency(q.latency.p95Seconds),
                      formatLatency(q.latency.maxSeconds), nodes.empty() ? "-" : nodes});
    }
    table.print(out);
    for (const auto& e : stats.recentErrors)
        out << "error: " << e << '\n';
}

int runDashboard(const CliContext& context, const DashboardOptions& options)
{
    if (options.duration.count() < 1)
        throw pulse::InvalidParameterError("--duration must be at least 1 second");
    const auto resolved = context.resolve();
    pulse::ReaderOptions readerOptions{.readers = options.readers.value_or(resolved.settings.dashboardReaders),
                                       .think = options.thinkMs ? std::chrono::milliseconds(*options.thinkMs)
                                                                : resolved.settings.dashboardThink};
    readerOptions.validate();  // before anything connects
    pulse::Engine engine(resolved.settings);
    // A first cycle before the readers start: a replica already behind or
    // down is routed around from the first page load. Then the monitor keeps
    // breakers and lag gates current, as in an application.
    engine.status();
    engine.startMonitor();
    installInterruptHandler();
    pulse::DashboardReaders readers(engine.router(), readerOptions);
    readers.start();
    const auto end = std::chrono::steady_clock::now() + options.duration;
    while (!interrupted() && std::chrono::steady_clock::now() < end) {
        sleepUnlessInterrupted(std::min<std::chrono::milliseconds>(
            // Rounded up: a remainder under 1 ms must not become a 0 ms sleep (a spin).
            std::chrono::milliseconds(1000),
            std::chrono::ceil<std::chrono::milliseconds>(end - std::chrono::steady_clock::now())));
        if (!context.json) {
            const auto s = readers.snapshot();
            std::cout << fmt::format("{:>5.1f} s  {} page loads, {} failed, p95 {}", 
                                     static_cast<double>(s.elapsed.count()) / 1000.0, s.pageLoads, s.failedPageLoads,
                                     formatLatency(s.pageLoad.p95Seconds))
                      << std::endl;
        }
    }
    readers.stop();
    engine.stopMonitor();
    const auto stats = readers.snapshot();
    if (context.json)
        std::cout << pulse::toJson(stats).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    else
        printWorkload(std::cout, stats);
    return stats.failedPageLoads == 0 && stats.pageLoads > 0 ? pulse::exitcode::ok : pulse::exitcode::notPassed;
}

}  // namespace pulsectl

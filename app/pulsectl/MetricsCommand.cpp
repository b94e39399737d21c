#include "Commands.hpp"
#include "Interrupt.hpp"

#include "common/ExitCodes.hpp"
#include "engine/Engine.hpp"
#include "engine/PrometheusExport.hpp"
#include "metrics/MetricsServer.hpp"

#include <iostream>

namespace pulsectl {

int runMetrics(const CliContext& context, const WatchOptions& watch)
{
    const auto resolved = context.resolve();
    pulse::Engine engine(resolved.settings);
    if (watch.metricsPort < 0) {
        const auto status = engine.status();
        std::cout << pulse::toPrometheusText(pulse::collectMetrics(engine, status));
        return pulse::exitcode::ok;
    }
    installInterruptHandler();
    pulse::MetricsServer server(watch.metricsPort, [&engine] { return pulse::collectMetrics(engine); });
    engine.startMonitor();
    std::cout << "serving " << server.url() << " (127.0.0.1 only; Ctrl+C to stop)" << std::endl;
    std::uint64_t lastCycle = 0;
    int cycles = 0;
    while (!interrupted() && (watch.count <= 0 || cycles < watch.count)) {
        if (const auto status = engine.latestStatus(); status && status->cycle != lastCycle) {
            lastCycle = status->cycle;
            ++cycles;
        }
        sleepUnlessInterrupted(std::chrono::milliseconds(50));
    }
    engine.stopMonitor();
    return pulse::exitcode::ok;
}

}  // namespace pulsectl

// pulsectl loadtest: the plan's success criteria, measured: an ETL load and
// the dashboard readers together, with and without the replica.

#include "Commands.hpp"
#include "Interrupt.hpp"
#include "OutputFile.hpp"
#include "TextTable.hpp"

#include "common/Errors.hpp"
#include "common/ExitCodes.hpp"
#include "common/FileWrites.hpp"
#include "engine/Engine.hpp"
#include "loadtest/LoadTest.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <thread>

namespace pulsectl {
namespace {

std::string progressLine(const pulse::LoadTestProgress& p)
{
    if (!p.message.empty())
        return fmt::format("[{}/{} {}] {}", p.phaseIndex, p.phaseCount, p.phase, p.message);
    const auto& e = p.etl;
    return fmt::format("[{}/{} {}] etl {} rows, {:.0f} rows/s{} | dashboards {} loads, p95 {}{}", p.phaseIndex,
                       p.phaseCount, p.phase, e.rowsLoaded, e.rowsPerSecond,
                       e.detail.empty() ? "" : " (" + e.detail + ")", p.dashboard.pageLoads,
                       formatLatency(p.dashboard.pageLoad.p95Seconds),
                       p.dashboard.failedPageLoads ? fmt::format(", {} failed", p.dashboard.failedPageLoads) : "");
}

}  // namespace

int runLoadTest(const CliContext& context, const LoadTestOptions& options)
{
    const auto resolved = context.resolve();
    const auto& settings = resolved.settings;
    pulse::LoadTestSpec spec;
    spec.rows = options.rows;
    if (options.durationSeconds)
        spec.duration = std::chrono::seconds(*options.durationSeconds);
    spec.readers = options.readers.value_or(settings.dashboardReaders);
    spec.chunkSize = options.chunk.value_or(settings.etlChunkSize);
    spec.connections = settings.etlConnections;
    spec.rowsPerSecond = options.rate ? options.rate : settings.etlRowsPerSecondLimit();
    spec.think = options.thinkMs ? std::chrono::milliseconds(*options.thinkMs) : settings.dashboardThink;
    spec.compareSingleDatabase = !options.noCompare;
    spec.keepRows = options.keep;
    spec.validate();
    if (!options.jsonFile.empty())
        checkWritable(options.jsonFile, "--json");

    pulse::Engine engine(settings);
    installInterruptHandler();
    // Ctrl+C arrives as a flag; the load test takes a stop token.
    std::stop_source stopSource;
    std::jthread watcher([&stopSource](std::stop_token stop) {
        while (!stop.stop_requested() && !interrupted())
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (interrupted())
            stopSource.request_stop();
    });
    pulse::LoadTest test(engine);
    const auto report = test.run(
        spec, [](const pulse::LoadTestProgress& p) { std::cerr << progressLine(p) << std::endl; },
        stopSource.get_token());
    watcher.request_stop();
    engine.stopMonitor();

    for (const auto& phase : report.phases) {
        std::cout << "\n" << phase.name << (phase.useReadReplica ? " (USE_READ_REPLICA on)" : " (USE_READ_REPLICA off)")
                  << ": ETL job " << phase.etl.jobId << ", " << phase.etl.rows << " rows, " << phase.etl.state << '\n';
        printWorkload(std::cout, phase.dashboard);
    }
    std::cout << "\nSuccess criteria (" << (report.phases.empty() ? "" : report.phases.front().name) << ")\n";
    TextTable table({"CRITERION", "MEASURED", "TARGET", "RESULT"});
    for (const auto& c : report.criteria)
        table.addRow({c.name, c.measured, c.target, c.informational ? (c.pass ? "info" : "FAIL") : (c.pass ? "PASS" : "FAIL")});
    table.print(std::cout);
    if (report.stoppedEarly)
        std::cout << "interrupted: the figures cover what ran; the test does not pass\n";
    if (!report.error.empty())
        std::cout << "stopped by an error: " << report.error << "\nthe figures cover what ran before it; the test does not pass\n";
    if (!options.jsonFile.empty()) {
        // Server messages in the report may not be UTF-8: replace, never lose the report.
        pulse::writeFileAtomically(
            options.jsonFile, pulse::toJson(report).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
        std::cerr << "report written to " << options.jsonFile << '\n';
    }
    std::cout << (report.passed() ? "PASSED" : "NOT PASSED") << '\n';
    return report.passed() ? pulse::exitcode::ok : pulse::exitcode::notPassed;
}

}  // namespace pulsectl

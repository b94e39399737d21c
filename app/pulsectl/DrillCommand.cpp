// pulsectl drill list | show | run: failover and rollback drills with
// verified outcomes, a JSON journal and a Markdown report.

#include "Commands.hpp"
#include "Interrupt.hpp"
#include "OutputFile.hpp"
#include "TextTable.hpp"

#include "common/Errors.hpp"
#include "common/ExitCodes.hpp"
#include "common/FileWrites.hpp"
#include "drills/ActivityCatalog.hpp"
#include "drills/BuiltinDrills.hpp"
#include "drills/DrillParser.hpp"
#include "drills/DrillRunner.hpp"
#include "drills/EngineActivityExecutor.hpp"
#include "engine/Engine.hpp"
#include "topology/CompositeNodeController.hpp"
#include "topology/NodeActionPolicy.hpp"
#include "topology/Sandbox.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>

namespace pulsectl {
namespace {

using nlohmann::json;

std::string readDrillFile(const std::string& path)
{
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throw pulse::InvalidParameterError("--file " + path + " is a directory; give the path of a drill JSON file");
    errno = 0;
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw pulse::InvalidParameterError("--file " + path + ": cannot be read (" +
                                           (errno != 0 ? std::strerror(errno) : "unknown error") +
                                           "); give the path of a drill JSON file");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// The drill to act on: a built-in by name, or a user's file. Both are
// validated against the topology's node names.
pulse::Drill loadDrill(const DrillOptions& options, const std::vector<std::string>& nodes)
{
    if (!options.file.empty() && !options.name.empty())
        throw pulse::InvalidParameterError("give a built-in drill's NAME or --file FILE, not both");
    if (!options.file.empty())
        return pulse::DrillParser::parse(readDrillFile(options.file), options.file, nodes);
    if (options.name.empty())
        throw pulse::InvalidParameterError("which drill? give a NAME (`pulsectl drill list`) or --file FILE");
    return pulse::BuiltinDrills::load(options.name, nodes);
}

std::string workloadText(const pulse::DrillWorkload& w)
{
    std::string text = w.readers > 0 ? fmt::format("{} readers", w.readers) : "no readers";
    if (w.etlRows > 0)
        text += fmt::format(", ETL {} rows{}", w.etlRows, w.etlRate ? fmt::format(" at {}/s", *w.etlRate) : "");
    return text;
}

double secondsSince(std::chrono::system_clock::time_point start, std::chrono::system_clock::time_point t)
{
    return std::chrono::duration<double>(t - start).count();
}

std::string outputText(const json& output)
{
    if (output.is_null())
        return {};
    std::string text = output.is_string() ? output.get<std::string>()
                                          : output.dump(-1, ' ', false, json::error_handler_t::replace);
    if (text.size() > 160)
        text = text.substr(0, 157) + "...";
    return text;
}

// One line per step as it finishes: what a person follows in a terminal.
void printEvent(const pulse::DrillEvent& e, std::chrono::system_clock::time_point start)
{
    using Kind = pulse::DrillEvent::Kind;
    switch (e.kind) {
    case Kind::Started:
        std::cout << "drill: " << e.message << std::endl;
        break;
    case Kind::StepStarted:
        break;
    case Kind::StepFinished: {
        const auto& s = e.step;
        const char* mark = s.status == pulse::StepStatus::Succeeded ? "ok  "
                           : s.status == pulse::StepStatus::Failed  ? "FAIL"
                                                                    : "skip";
        std::cout << fmt::format("[{:6.1f}s] {} {:<15} {} ({:.1f} s)", secondsSince(start, s.end), mark, s.phase, s.name,
                                 s.durationSeconds());
        if (s.status == pulse::StepStatus::Failed || s.status == pulse::StepStatus::Skipped)
            std::cout << ": " << s.error;
        else if (const std::string out = outputText(s.output); !out.empty())
            std::cout << " -> " << out;
        std::cout << std::endl;
        break;
    }
    case Kind::Aborting:
        std::cout << "ABORTING: " << e.message << " (rollbacks run next)" << std::endl;
        break;
    case Kind::Finished:
        break;
    }
}

std::string defaultPath(const pulse::Drill& drill, const char* suffix)
{
    return fmt::format("{}-{:%Y%m%d-%H%M%S}{}", drill.name, fmt::localtime(std::time(nullptr)), suffix);
}

// Refuses up front, naming every missing confirmation or setting, rather
// than failing halfway through a drill with a node already stopped.
void checkPolicy(const pulse::Drill& drill, const pulse::NodeActionPolicy& policy, bool confirmed,
                 const std::vector<std::string>& nodes)
{
    std::vector<std::string> refusals;
    for (const auto& [action, node] : pulse::EngineActivityExecutor::nodeActions(drill, nodes)) {
        const auto decision = policy.decide(action, node, confirmed);
        if (!decision.allowed)
            refusals.push_back(fmt::format("{} on {}: {} {}", pulse::nodeActionName(action), node, decision.reason,
                                           decision.fix));
    }
    if (refusals.empty())
        return;
    std::string message = "drill '" + drill.name + "' cannot run here:";
    for (const auto& r : refusals)
        message += "\n  - " + r;
    message += "\nNothing was done. `pulsectl drill run " + drill.name + " --dry-run` lists its steps.";
    throw pulse::InvalidParameterError(message);
}

int list(const CliContext& context)
{
    const std::vector<std::string> nodes{"primary", "replica"};
    if (context.json) {
        json out = json::array();
        for (const auto& t : pulse::BuiltinDrills::texts()) {
            const auto drill = pulse::BuiltinDrills::load(t.name, nodes);
            out.push_back({{"name", drill.name},
                           {"title", drill.title},
                           {"destructive", drill.destructive()},
                           {"blast_radius", drill.blastRadius},
                           {"tags", drill.tags}});
        }
        std::cout << out.dump(2) << '\n';
        return pulse::exitcode::ok;
    }
    TextTable table({"NAME", "TITLE", "NEEDS --yes", "WORKLOAD"});
    for (const auto& t : pulse::BuiltinDrills::texts()) {
        const auto drill = pulse::BuiltinDrills::load(t.name, nodes);
        table.addRow({drill.name, drill.title, drill.destructive() ? "yes" : "no", workloadText(drill.workload)});
    }
    table.print(std::cout);
    std::cout << "\n`pulsectl drill show NAME` describes one; `pulsectl drill run NAME --dry-run` lists its steps.\n";
    return pulse::exitcode::ok;
}

int show(const CliContext& context, const DrillOptions& options)
{
    const auto drill = loadDrill(options, {"primary", "replica"});
    if (context.json) {
        // The definition as written: a starting point for a drill of one's own.
        std::cout << drill.source.dump(2) << '\n';
        return pulse::exitcode::ok;
    }
    std::cout << drill.title << " (" << drill.name << ")\n\n" << drill.description << "\n\n";
    std::cout << "Blast radius: " << drill.blastRadius << '\n';
    std::cout << "Workload: " << workloadText(drill.workload) << '\n';
    if (drill.destructive()) {
        std::cout << "Destructive steps (run only with --yes):\n";
        for (const auto& step : drill.destructiveSteps())
            std::cout << "  - " << step << '\n';
    }
    std::cout << "\nSteps:\n";
    int n = 0;
    for (const auto& step : pulse::DrillRunner::plan(drill))
        std::cout << fmt::format("{:3}. ", ++n) << step << '\n';
    std::cout << "\nThe definition as JSON: pulsectl drill show " << drill.name << " --json\n";
    return pulse::exitcode::ok;
}

int run(const CliContext& context, const DrillOptions& options)
{
    const auto resolved = context.resolve();
    const auto& settings = resolved.settings;
    const auto nodes = pulse::EngineActivityExecutor::nodeNames(settings);
    const auto drill = loadDrill(options, nodes);
    // The sandbox's processes are only ours to stop when the settings point
    // at them: a --set POSTGRES_PORT on top of the sandbox layer makes the
    // topology someone else's.
    std::unique_ptr<pulse::Sandbox> sandboxHandle;
    if (resolved.sandboxDir) {
        sandboxHandle = pulse::Sandbox::open(*resolved.sandboxDir);
        const auto replicas = settings.replicas();
        const bool same = settings.primaryHost == sandboxHandle->host() &&
                          settings.primaryPort == sandboxHandle->port(pulse::SandboxNode::Primary) &&
                          replicas.size() == 1 && replicas.front().host == sandboxHandle->host() &&
                          replicas.front().port == sandboxHandle->port(pulse::SandboxNode::Replica);
        if (!same) {
            std::cerr << "note: the settings point away from the sandbox in " << resolved.sandboxDir->string()
                      << "; the topology is treated as a real one\n";
            sandboxHandle.reset();
        }
    }
    const bool sandbox = sandboxHandle != nullptr;
    const auto policy = pulse::NodeActionPolicy::fromSettings(settings, sandbox);

    if (options.dryRun) {
        std::cout << "Dry run of '" << drill.name << "' on " << resolved.origin << ": nothing is done.\n\n";
        int n = 0;
        for (const auto& step : pulse::DrillRunner::plan(drill))
            std::cout << fmt::format("{:3}. ", ++n) << step << '\n';
        std::vector<std::string> refusals;
        for (const auto& [action, node] : pulse::EngineActivityExecutor::nodeActions(drill, nodes)) {
            const auto decision = policy.decide(action, node, options.yes);
            if (!decision.allowed)
                refusals.push_back(fmt::format("{} on {}: {}", pulse::nodeActionName(action), node, decision.reason));
        }
        if (!refusals.empty()) {
            std::cout << "\nA real run would be refused:\n";
            for (const auto& r : refusals)
                std::cout << "  - " << r << '\n';
        }
        return pulse::exitcode::ok;
    }

    checkPolicy(drill, policy, options.yes, nodes);
    const std::string journalFile = options.journalFile.empty() ? defaultPath(drill, ".journal.json") : options.journalFile;
    const std::string reportFile = options.reportFile.empty() ? defaultPath(drill, ".report.md") : options.reportFile;
    if (std::filesystem::weakly_canonical(journalFile) == std::filesystem::weakly_canonical(reportFile))
        throw pulse::InvalidParameterError("--journal and --report name the same file (" + journalFile +
                                           "); give each its own");
    checkWritable(journalFile, "--journal");
    checkWritable(reportFile, "--report");

    std::vector<pulse::ConnectionParams> sqlNodes{pulse::Engine::connectionParams(settings, pulse::Target::Primary, "drill")};
    for (const auto& r : settings.replicas())
        sqlNodes.push_back(pulse::Engine::connectionParams(settings, r, "drill"));
    const auto controller = pulse::CompositeNodeController::forTopology(sandboxHandle.get(), settings, sqlNodes);

    pulse::Engine engine(settings);
    pulse::DrillExecutorOptions executorOptions;
    executorOptions.confirmed = options.yes;
    executorOptions.keepRows = options.keep;
    executorOptions.who = "pulsectl drill " + drill.name;
    pulse::EngineActivityExecutor executor(engine, *controller, policy, executorOptions);
    const auto start = std::chrono::system_clock::now();
    std::mutex printing;
    pulse::DrillRunOptions runOptions;
    runOptions.confirmed = options.yes;
    runOptions.listener = [&](const pulse::DrillEvent& e) {
        std::lock_guard lock(printing);
        printEvent(e, start);
    };
    std::cout << "Running '" << drill.name << "' on " << resolved.origin << " (" << controller->describe() << ")"
              << std::endl;
    pulse::DrillRunner runner(executor, drill, runOptions);
    installInterruptHandler();
    runner.start();
    // Ctrl+C aborts: the rollbacks still run, then the journal is written.
    std::jthread watcher([&runner](std::stop_token stop) {
        while (!stop.stop_requested() && !interrupted())
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (interrupted())
            runner.abort("interrupted (Ctrl+C)");
    });
    const pulse::DrillJournal journal = runner.wait();
    watcher.request_stop();
    engine.stopMonitor();

    pulse::writeFileAtomically(journalFile,
                               pulse::toJson(journal).dump(2, ' ', false, json::error_handler_t::replace) + "\n");
    pulse::writeFileAtomically(reportFile, pulse::markdownReport(journal));

    const auto& f = journal.figures;
    std::cout << '\n' << journal.verdict() << '\n';
    for (const auto& w : journal.warnings)
        std::cout << "WARNING: " << w << '\n';
    auto seconds = [](const std::optional<double>& s) { return s ? fmt::format("{:.2f} s", *s) : std::string("-"); };
    std::cout << fmt::format("reads back after {}, writes back after {}, data at risk {}, reads {} ({} failed, {} "
                             "served by the primary on fallback), failed writes {}\n",
                             seconds(f.readsBackAfterSeconds), seconds(f.writesBackAfterSeconds),
                             f.dataAtRiskBytes ? fmt::format("{} bytes", *f.dataAtRiskBytes) : std::string("-"),
                             f.reads, f.failedReads, f.retriedReads, f.failedWrites);
    if (!f.lastReadError.empty())
        std::cout << "last failed read: " << f.lastReadError << '\n';
    std::cout << "journal: " << journalFile << "\nreport:  " << reportFile << '\n';
    switch (journal.status) {
    case pulse::DrillStatus::Completed:
        return pulse::exitcode::ok;
    case pulse::DrillStatus::Aborted:
        return pulse::exitcode::aborted;
    default:
        return pulse::exitcode::notPassed;
    }
}

}  // namespace

int runDrill(const CliContext& context, const DrillOptions& options)
{
    switch (options.verb) {
    case DrillOptions::Verb::List:
        return list(context);
    case DrillOptions::Verb::Show:
        return show(context, options);
    case DrillOptions::Verb::Run:
        return run(context, options);
    }
    return pulse::exitcode::usage;
}

}  // namespace pulsectl

#include "Commands.hpp"
#include "TextTable.hpp"

#include "common/Errors.hpp"
#include "common/ExitCodes.hpp"
#include "topology/Sandbox.hpp"

#include <nlohmann/json.hpp>

#include <iostream>

namespace pulsectl {
namespace {

// What the node is now: the names are physical, and after a failover the
// "replica" node is the primary. "unknown" when it runs but does not answer
// (frozen).
std::string roleOf(const pulse::Sandbox& sandbox, pulse::SandboxNode node)
{
    if (!sandbox.isRunning(node))
        return "down";
    try {
        return sandbox.isInRecovery(node) ? "replica" : "primary";
    } catch (const pulse::Error&) {
        return "unknown";
    }
}

nlohmann::json describeJson(const pulse::Sandbox& sandbox)
{
    nlohmann::json nodes = nlohmann::json::array();
    for (auto node : {pulse::SandboxNode::Primary, pulse::SandboxNode::Replica}) {
        nodes.push_back({{"name", std::string(pulse::sandboxNodeName(node))},
                         {"host", sandbox.host()},
                         {"port", sandbox.port(node)},
                         {"running", sandbox.isRunning(node)},
                         {"role", roleOf(sandbox, node)},
                         {"data_dir", sandbox.dataDir(node).string()},
                         {"log_file", sandbox.logFile(node).string()}});
    }
    return {{"base_dir", sandbox.baseDir().string()},
            {"user", sandbox.user()},
            {"database", sandbox.database()},
            {"nodes", nodes}};
}

void printNodes(const pulse::Sandbox& sandbox)
{
    TextTable table({"NODE", "STATE", "ROLE", "ENDPOINT", "DATA", "LOG"});
    for (auto node : {pulse::SandboxNode::Primary, pulse::SandboxNode::Replica})
        table.addRow({std::string(pulse::sandboxNodeName(node)), sandbox.isRunning(node) ? "running" : "STOPPED",
                      roleOf(sandbox, node), sandbox.host() + ':' + std::to_string(sandbox.port(node)),
                      sandbox.dataDir(node).string(), sandbox.logFile(node).string()});
    table.print(std::cout);
}

}  // namespace

int runSandboxUp(const CliContext& context)
{
    const auto dir = context.sandboxPath();
    std::unique_ptr<pulse::Sandbox> sandbox;
    bool created = false;
    if (pulse::Sandbox::exists(dir)) {
        sandbox = pulse::Sandbox::open(dir);
        for (auto node : {pulse::SandboxNode::Primary, pulse::SandboxNode::Replica})
            if (!sandbox->isRunning(node))
                sandbox->start(node);
    } else {
        if (!context.json)
            std::cerr << "creating a primary + streaming replica in " << dir.string() << " ...\n";
        pulse::SandboxOptions options;
        options.baseDir = dir;
        sandbox = pulse::Sandbox::create(options);
        created = true;
    }
    if (context.json) {
        auto j = describeJson(*sandbox);
        j["created"] = created;
        std::cout << j.dump(2) << '\n';
        return pulse::exitcode::ok;
    }
    std::cout << (created ? "sandbox up: " : "sandbox already there, running: ") << sandbox->describe() << "\n\n";
    printNodes(*sandbox);
    std::cout << "\nWhile it is up and no other configuration is given (no --env-file, ./.env, POSTGRES_* or --set),\n"
                 "pulsectl and pulse-console use it. Try: pulsectl status\n"
                 "Remove it with: pulsectl sandbox down\n";
    return pulse::exitcode::ok;
}

int runSandboxDown(const CliContext& context)
{
    const auto dir = context.sandboxPath();
    if (!pulse::Sandbox::exists(dir)) {
        std::cout << "no sandbox in " << dir.string() << ": nothing to do\n";
        return pulse::exitcode::ok;
    }
    auto sandbox = pulse::Sandbox::open(dir);
    sandbox->teardown();
    std::cout << "sandbox in " << dir.string() << " stopped and removed\n";
    return pulse::exitcode::ok;
}

int runSandboxStatus(const CliContext& context)
{
    const auto dir = context.sandboxPath();
    if (!pulse::Sandbox::exists(dir)) {
        if (context.json)
            std::cout << nlohmann::json{{"base_dir", dir.string()}, {"exists", false}}.dump(2) << '\n';
        else
            std::cout << "no sandbox in " << dir.string() << "; create one with: pulsectl sandbox up\n";
        return pulse::exitcode::sandbox;
    }
    auto sandbox = pulse::Sandbox::open(dir);
    const bool running =
        sandbox->isRunning(pulse::SandboxNode::Primary) && sandbox->isRunning(pulse::SandboxNode::Replica);
    if (context.json) {
        auto j = describeJson(*sandbox);
        j["exists"] = true;
        std::cout << j.dump(2) << '\n';
    } else {
        std::cout << sandbox->describe() << "\n\n";
        printNodes(*sandbox);
    }
    return running ? pulse::exitcode::ok : pulse::exitcode::unreachable;
}

int runSandboxReplay(const CliContext& context, bool pause)
{
    const auto dir = context.sandboxPath();
    if (!pulse::Sandbox::exists(dir)) {
        std::cerr << "pulsectl: no sandbox in " << dir.string() << "; create one with: pulsectl sandbox up\n";
        return pulse::exitcode::sandbox;
    }
    auto sandbox = pulse::Sandbox::open(dir);
    if (pause)
        sandbox->pauseReplay();
    else
        sandbox->resumeReplay();
    std::cout << "WAL replay on the sandbox replica " << (pause ? "paused" : "resumed")
              << (pause ? "; resume with: pulsectl sandbox resume-replay" : "") << "\n";
    return pulse::exitcode::ok;
}

}  // namespace pulsectl

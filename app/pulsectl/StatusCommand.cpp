#include "Commands.hpp"
#include "TextTable.hpp"

#include "common/ExitCodes.hpp"
#include "engine/Engine.hpp"
#include "engine/JsonExport.hpp"

#include <fmt/format.h>

#include <iostream>

namespace pulsectl {
namespace {

std::string upper(std::string text)
{
    for (auto& c : text)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return text;
}

std::string flagLine(const pulse::Settings& settings, const char* key, bool value)
{
    const auto it = settings.resolved.find(key);
    const std::string source = it != settings.resolved.end() ? it->second.source.describe() : "default";
    return fmt::format("{}={} ({})", key, value ? "true" : "false", source);
}

}  // namespace

int runStatus(const CliContext& context)
{
    const auto resolved = context.resolve();
    pulse::Engine engine(resolved.settings);
    const auto status = engine.status();

    bool allReachable = true;
    for (const auto& node : status.nodes)
        allReachable = allReachable && (!node.configured || node.reachable);

    if (context.json) {
        auto j = pulse::toJson(status);
        j["configuration"] = resolved.origin;
        std::cout << j.dump(2) << '\n';
        return allReachable ? pulse::exitcode::ok : pulse::exitcode::unreachable;
    }

    std::cout << upper(pulse::healthName(status.health)) << ": " << status.detail << "\n";
    std::cout << "configuration: " << resolved.origin << "\n\n";
    TextTable table({"NODE", "ROLE", "STATE", "ENDPOINT", "VERSION", "RTT", "WAL RECEIVER", "POOL (in use/open/capacity)"});
    for (const auto& node : status.nodes) {
        if (!node.configured) {
            table.addRow({node.name, "-", "not configured"});
            continue;
        }
        std::string pool = "-";
        if (const auto* p = status.pool(node.name))
            pool = fmt::format("{}/{}/{}  waiters {}  timeouts {}", p->checkedOut, p->open, p->capacity(), p->waiters,
                               p->timeouts);
        table.addRow({node.name, node.role, node.reachable ? "up" : "UNREACHABLE", node.endpoint,
                      node.reachable ? node.serverVersion : "-",
                      node.reachable ? fmt::format("{:.2f} ms", node.roundTripMs) : "-",
                      node.walReceiverStatus.empty() ? "-" : node.walReceiverStatus, pool});
    }
    table.print(std::cout);
    for (const auto& node : status.nodes)
        if (!node.error.empty())
            std::cout << "\n" << node.name << ": " << node.error << "\n";
    std::cout << "\nflags: " << flagLine(resolved.settings, "USE_READ_REPLICA", status.flags.useReadReplica) << "  "
              << flagLine(resolved.settings, "REPLICA_FALLBACK_ENABLED", status.flags.replicaFallbackEnabled) << "\n";
    return allReachable ? pulse::exitcode::ok : pulse::exitcode::unreachable;
}

}  // namespace pulsectl

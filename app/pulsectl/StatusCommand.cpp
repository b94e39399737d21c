#include "Commands.hpp"
#include "Interrupt.hpp"
#include "TextTable.hpp"

#include "common/ExitCodes.hpp"
#include "engine/Engine.hpp"
#include "engine/JsonExport.hpp"
#include "engine/PrometheusExport.hpp"
#include "health/LagFormat.hpp"
#include "metrics/MetricsServer.hpp"
#include "monitor/NodeObservation.hpp"

#include <fmt/format.h>

#include <unistd.h>

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

std::string lagText(const pulse::NodeStatus& node)
{
    if (!node.replication)
        return "-";
    const auto& a = *node.replication;
    // Unknown is "?", never 0: a disconnected replica is not caught up.
    const std::string seconds = a.lagSeconds ? pulse::formatLagSeconds(*a.lagSeconds) : "? s";
    const std::string bytes = a.lagBytes ? pulse::formatLagBytes(*a.lagBytes) : "? B";
    return seconds + " / " + bytes;
}

std::string stateText(const pulse::NodeStatus& node)
{
    if (!node.reachable)
        return "DOWN";
    if (node.replication)
        return pulse::replicaStateName(node.replication->state) + (node.lagAdmitted ? "" : " (reads moved)");
    return node.inRecovery ? "in recovery" : "up";
}

void printStatus(const pulse::TopologyStatus& status, const pulse::ResolvedConfiguration& resolved, std::ostream& out,
                 const std::string& updated = {})
{
    out << upper(pulse::healthName(status.health)) << ": " << status.detail << "\n";
    if (!updated.empty())
        out << updated << "\n";
    out << "configuration: " << resolved.origin << "\n\n";
    TextTable table({"NODE", "ROLE", "STATE", "ENDPOINT", "TL", "LSN", "LAG (time / bytes)", "RTT", "BREAKER",
                     "VERSION"});
    for (const auto& node : status.nodes) {
        if (!node.configured) {
            table.addRow({node.name, "-", "not configured"});
            continue;
        }
        table.addRow({node.name, node.role, stateText(node), node.endpoint,
                      node.timeline ? std::to_string(node.timeline) : "-",
                      node.lsn ? pulse::formatLsn(*node.lsn) : "-", lagText(node),
                      node.reachable ? fmt::format("{:.2f} ms", node.roundTripMs) : "-",
                      pulse::breakerStateName(node.breaker.state), node.reachable ? node.serverVersion : "-"});
    }
    table.print(out);
    for (const auto& node : status.nodes) {
        if (!node.error.empty())
            out << node.name << ": " << node.error << "\n";
        if (!node.lagReason.empty())
            out << node.name << ": " << node.lagReason << "\n";
        if (node.breaker.state != pulse::BreakerState::Closed && !node.breaker.tripReason.empty())
            out << node.name << ": breaker " << pulse::breakerStateName(node.breaker.state) << " ("
                << node.breaker.tripSource << ": " << node.breaker.tripReason << ")\n";
    }

    out << "\n";
    TextTable pools({"POOL", "IN USE", "IDLE", "OVERFLOW", "WAITERS", "CAPACITY", "UTILISATION", "TIMEOUTS"});
    for (const auto& p : status.pools)
        pools.addRow({p.name, std::to_string(p.checkedOut), std::to_string(p.idle), std::to_string(p.overflowInUse),
                      std::to_string(p.waiters), std::to_string(p.capacity()),
                      fmt::format("{:.0f}%", p.utilisationPercent), std::to_string(p.timeouts)});
    pools.print(out);

    out << "\nflags: " << flagLine(resolved.settings, "USE_READ_REPLICA", status.flags.useReadReplica) << "  "
        << flagLine(resolved.settings, "REPLICA_FALLBACK_ENABLED", status.flags.replicaFallbackEnabled) << "\n";
    if (status.alerts.empty()) {
        out << "alerts: none active\n";
    } else {
        out << "alerts:\n";
        for (const auto& a : status.alerts)
            out << "  " << pulse::severityName(a.severity) << "  " << a.message << "  (since "
                << pulse::isoTime(a.raisedAt) << ")\n";
    }
}

bool allReachable(const pulse::TopologyStatus& status)
{
    for (const auto& node : status.nodes)
        if (node.configured && !node.reachable)
            return false;
    return true;
}

}  // namespace

int runStatus(const CliContext& context, const WatchOptions& watch)
{
    const auto resolved = context.resolve();
    pulse::Engine engine(resolved.settings);

    if (!watch.enabled) {
        const auto status = engine.status();
        if (context.json) {
            auto j = pulse::toJson(status);
            j["configuration"] = resolved.origin;
            std::cout << j.dump(2) << '\n';
        } else {
            printStatus(status, resolved, std::cout);
        }
        return allReachable(status) ? pulse::exitcode::ok : pulse::exitcode::unreachable;
    }

    // --watch: the monitor runs at MONITOR_INTERVAL_MS; the view redraws after each cycle.
    installInterruptHandler();
    std::unique_ptr<pulse::MetricsServer> server;
    if (watch.metricsPort >= 0) {
        server = std::make_unique<pulse::MetricsServer>(watch.metricsPort, [&engine] {
            return pulse::collectMetrics(engine);
        });
        std::cerr << "serving metrics on " << server->url() << "\n";
    }
    const bool tty = ::isatty(STDOUT_FILENO) == 1;
    engine.startMonitor();
    std::uint64_t shown = 0;
    int frames = 0;
    while (!interrupted() && (watch.count <= 0 || frames < watch.count)) {
        const auto status = engine.latestStatus();
        if (status && status->cycle != shown) {
            shown = status->cycle;
            ++frames;
            if (context.json) {
                std::cout << pulse::toJson(*status).dump() << std::endl;  // one JSON object per line
            } else {
                if (tty)
                    std::cout << "\033[H\033[2J";  // home + clear: a refreshing view
                else if (frames > 1)
                    std::cout << "\n";
                // The verdict stays the first line; when it was measured comes next.
                printStatus(*status, resolved, std::cout,
                            "updated " + pulse::isoTime(status->time) + " (every " +
                                std::to_string(resolved.settings.monitorInterval.count()) +
                                " ms; Ctrl+C to stop)");
                std::cout.flush();
            }
        }
        sleepUnlessInterrupted(std::chrono::milliseconds(20));
    }
    engine.stopMonitor();
    return pulse::exitcode::ok;
}

}  // namespace pulsectl

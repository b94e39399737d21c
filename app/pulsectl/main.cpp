// pulsectl: the command-line face of Pulse Console. Thin by design: parse the
// arguments, resolve the configuration, run one command against an Engine,
// and turn errors into messages and documented exit codes.

#include "CliContext.hpp"
#include "Commands.hpp"

#include "common/Errors.hpp"
#include "common/ExitCodes.hpp"
#include "common/Logging.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

namespace {

constexpr const char* kFooter = R"(Configuration precedence: --set > environment > .env (or --env-file) > sandbox > default.
With no configuration given at all and a sandbox up (pulsectl sandbox up), commands use the sandbox.

Exit codes:
  0  success
  1  unexpected error
  2  bad command-line arguments
  3  invalid configuration (every problem is listed)
  4  a node is unreachable / a connection failed
  5  pool_timeout reached waiting for a connection
  6  replica read refused: replica unavailable and REPLICA_FALLBACK_ENABLED is off
  7  the server reported an SQL error
  8  the sandbox could not be created, found or controlled)";

int fail(int code, const std::string& message)
{
    std::cerr << "pulsectl: " << message << '\n';
    return code;
}

}  // namespace

int main(int argc, char** argv)
{
    CLI::App app{"pulsectl: status, routing and sandbox control for a PostgreSQL primary + read replicas", "pulsectl"};
    app.footer(kFooter);
    app.require_subcommand(1);

    pulsectl::CliContext context;
    bool verbose = false;
    app.add_option("--env-file", context.envFile, "read settings from this .env file instead of ./.env")
        ->check(CLI::ExistingFile);
    app.add_option("--set", context.sets, "override a setting: --set DB_POOL_SIZE=30 (repeatable)");
    app.add_option("--sandbox-dir", context.sandboxDir, "sandbox base directory (default $PULSE_SANDBOX_DIR or /tmp/pulse-sandbox-<uid>)");
    app.add_flag("-v,--verbose", verbose, "log what the engine does to stderr");

    pulsectl::WatchOptions watch;
    const auto addWatch = [&watch](CLI::App* command, const char* what) {
        command->add_flag("--watch", watch.enabled, what);
        command->add_option("--count", watch.count, "with --watch: stop after N monitor cycles")
            ->check(CLI::PositiveNumber);
    };
    const auto addMetricsPort = [&watch](CLI::App* command) {
        command->add_option("--metrics-port", watch.metricsPort, "serve Prometheus /metrics on 127.0.0.1:N")
            ->check(CLI::Range(0, 65535));
    };

    auto* status = app.add_subcommand("status", "verdict, nodes (role, state, LSN, lag, breaker), pools, flags, alerts");
    status->add_flag("--json", context.json, "machine-readable output (with --watch: one object per line)");
    addWatch(status, "refresh after every monitor cycle (MONITOR_INTERVAL_MS) until Ctrl+C");
    addMetricsPort(status);

    auto* alerts = app.add_subcommand("alerts", "active alerts (exit 1 while any is active); --watch streams events");
    alerts->add_flag("--json", context.json, "machine-readable output");
    addWatch(alerts, "print raised and cleared events as they happen until Ctrl+C");

    auto* metrics = app.add_subcommand("metrics", "Prometheus text exposition of lag, pools, queries, breakers, alerts");
    addMetricsPort(metrics);
    metrics->add_option("--count", watch.count, "with --metrics-port: stop after N monitor cycles")
        ->check(CLI::PositiveNumber);

    std::string operation, routeContext;
    bool dryRun = false;
    auto* route = app.add_subcommand("route", "where a session for OPERATION goes and why (opened for real unless --dry-run)");
    route->add_option("operation", operation, "operation, e.g. dashboard_metrics, INSERT, user_authentication")->required();
    route->add_option("--context", routeContext, "context, e.g. dashboard, analytics, reports");
    route->add_flag("--dry-run", dryRun, "apply the rules only; connect to nothing");
    route->add_flag("--json", context.json, "machine-readable output");

    auto* config = app.add_subcommand("config", "every setting with its effective value and where it came from");
    config->add_flag("--json", context.json, "machine-readable output");

    auto* sandbox = app.add_subcommand("sandbox", "a private primary + streaming replica on 127.0.0.1 for development");
    sandbox->require_subcommand(1);
    auto* up = sandbox->add_subcommand("up", "create the sandbox (or start its stopped nodes)");
    up->add_flag("--json", context.json, "machine-readable output");
    auto* down = sandbox->add_subcommand("down", "stop the sandbox and remove its directory");
    auto* sandboxStatus = sandbox->add_subcommand("status", "whether the sandbox exists and its nodes run");
    sandboxStatus->add_flag("--json", context.json, "machine-readable output");
    auto* pauseReplay = sandbox->add_subcommand("pause-replay", "pause WAL replay on the sandbox replica (lag builds up)");
    auto* resumeReplay = sandbox->add_subcommand("resume-replay", "resume WAL replay on the sandbox replica");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? pulse::exitcode::ok : pulse::exitcode::usage;
    }

    pulse::setupLogging({.logFile = {}, .toStderr = true, .defaultLevel = verbose ? "info" : "warn"});
    try {
        if (watch.metricsPort >= 0 && status->parsed() && !watch.enabled)
            throw CLI::ValidationError("--metrics-port", "needs --watch (a one-shot status exits at once)");
        if (status->parsed())
            return pulsectl::runStatus(context, watch);
        if (alerts->parsed())
            return pulsectl::runAlerts(context, watch);
        if (metrics->parsed()) {
            watch.enabled = watch.metricsPort >= 0;
            return pulsectl::runMetrics(context, watch);
        }
        if (route->parsed())
            return pulsectl::runRoute(context, operation, routeContext, dryRun);
        if (config->parsed())
            return pulsectl::runConfig(context);
        if (up->parsed())
            return pulsectl::runSandboxUp(context);
        if (down->parsed())
            return pulsectl::runSandboxDown(context);
        if (sandboxStatus->parsed())
            return pulsectl::runSandboxStatus(context);
        if (pauseReplay->parsed())
            return pulsectl::runSandboxReplay(context, true);
        if (resumeReplay->parsed())
            return pulsectl::runSandboxReplay(context, false);
    } catch (const CLI::ValidationError& e) {
        return fail(pulse::exitcode::usage, e.what());
    } catch (const pulse::ConfigError& e) {
        return fail(pulse::exitcode::config, e.what());
    } catch (const pulse::SandboxError& e) {
        return fail(pulse::exitcode::sandbox, e.what());
    } catch (const pulse::PoolTimeoutError& e) {
        return fail(pulse::exitcode::poolTimeout, e.what());
    } catch (const pulse::ReplicaUnavailableError& e) {
        return fail(pulse::exitcode::replicaUnavailable, e.what());
    } catch (const pulse::ConnectionError& e) {
        return fail(pulse::exitcode::unreachable, e.what());
    } catch (const pulse::SqlError& e) {
        return fail(pulse::exitcode::sql, e.what());
    } catch (const std::exception& e) {
        return fail(pulse::exitcode::failure, e.what());
    }
    return pulse::exitcode::usage;
}

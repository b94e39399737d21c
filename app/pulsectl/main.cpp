// pulsectl: the command-line face of Pulse Console. Thin by design: parse the
// arguments, resolve the configuration, run one command against an Engine,
// and turn errors into messages and documented exit codes.

#include "CliContext.hpp"
#include "Commands.hpp"

#include "common/Errors.hpp"
#include "common/ExitCodes.hpp"
#include "common/Logging.hpp"

#include <CLI/CLI.hpp>

#include <chrono>
#include <iostream>
#include <optional>

namespace {

constexpr const char* kFooter = R"(Configuration precedence: --set > environment > .env (or --env-file) > sandbox > default.
With no configuration given at all and a sandbox up (pulsectl sandbox up), commands use the sandbox.

Exit codes:
  0  success
  1  unexpected error
  2  bad command-line arguments or job parameters (nothing was written)
  3  invalid configuration (every problem is listed)
  4  a node is unreachable / a connection failed
  5  pool_timeout reached waiting for a connection
  6  replica read refused: replica unavailable and REPLICA_FALLBACK_ENABLED is off
  7  the server reported an SQL error
  8  the sandbox could not be created, found or controlled
  9  ran, but did not pass: a load test criterion not met, an ETL job cancelled,
     a dashboard page load failed, a drill failed
 10  a drill was aborted (Ctrl+C or an abort condition); its rollbacks ran)";

int fail(int code, const std::string& message)
{
    std::cerr << "pulsectl: " << message << '\n';
    return code;
}

}  // namespace

int main(int argc, char** argv)
{
    CLI::App app{"pulsectl: status, routing, ETL loads, load tests and sandbox control for a PostgreSQL primary + read replicas", "pulsectl"};
    app.footer(kFooter);
    app.require_subcommand(1);
    app.set_version_flag("--version", "pulsectl " PULSE_VERSION);

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

    auto* etl = app.add_subcommand("etl", "chunked ETL test loads into the demo schema (on the primary)");
    etl->require_subcommand(1);
    pulsectl::EtlRunOptions etlOptions;
    auto* etlRun = etl->add_subcommand("run", "load N rows in chunks, one transaction per chunk with its checkpoint; "
                                              "Ctrl+C cancels after the current chunk");
    etlRun->add_option("--rows", etlOptions.rows, "rows over all demo tables (default 100000)");
    etlRun->add_option("--chunk", etlOptions.chunk, "rows per transaction (default ETL_CHUNK_SIZE)");
    etlRun->add_option("--rate", etlOptions.rate, "throttle in rows per second (default ETL_MAX_ROWS_PER_SECOND)");
    etlRun->add_option("--seed", etlOptions.seed, "generator seed: the same seed loads the same records");
    etlRun->add_option("--resume", etlOptions.resumeJob, "continue job JOB from its checkpoint");
    etlRun->add_option("--connections", etlOptions.connections,
                       "connections loading in parallel, one table each at a time (1..8, default ETL_CONNECTIONS)");
    etlRun->add_flag("--json", context.json, "machine-readable result (no progress lines)");
    std::optional<std::int64_t> etlJob;
    auto* etlStatus = etl->add_subcommand("status", "recent jobs, or one job with its checkpoints per table");
    etlStatus->add_option("job", etlJob, "job id");
    etlStatus->add_flag("--json", context.json, "machine-readable output");
    std::int64_t cancelJob = 0;
    auto* etlCancel = etl->add_subcommand("cancel", "stop job JOB after its current chunk (from any process)");
    etlCancel->add_option("job", cancelJob, "job id")->required();

    pulsectl::DashboardOptions dashboardOptions;
    int dashboardSeconds = 10;
    auto* dashboard = app.add_subcommand("dashboard", "run N dashboard readers (DORA queries) for a while; "
                                                      "latency per query and per node");
    dashboard->add_option("--readers", dashboardOptions.readers, "concurrent readers (default DASHBOARD_READERS)");
    dashboard->add_option("--duration", dashboardSeconds, "seconds to run (default 10)");
    dashboard->add_option("--think", dashboardOptions.thinkMs, "ms between page loads (default DASHBOARD_THINK_MS)");
    dashboard->add_flag("--json", context.json, "machine-readable output");

    pulsectl::LoadTestOptions loadOptions;
    auto* loadtest = app.add_subcommand("loadtest", "ETL load + dashboard readers: the plan's success criteria, "
                                                    "with the replica and in single-database mode");
    loadtest->add_option("--rows", loadOptions.rows, "ETL rows per phase (default 1000000)");
    loadtest->add_option("--duration", loadOptions.durationSeconds, "longest phase in seconds");
    loadtest->add_option("--readers", loadOptions.readers, "dashboard readers (default DASHBOARD_READERS)");
    loadtest->add_option("--chunk", loadOptions.chunk, "ETL rows per transaction (default ETL_CHUNK_SIZE)");
    loadtest->add_option("--rate", loadOptions.rate, "ETL throttle in rows per second");
    loadtest->add_option("--think", loadOptions.thinkMs, "ms between page loads (default DASHBOARD_THINK_MS)");
    loadtest->add_flag("--no-compare", loadOptions.noCompare, "skip the single-database comparison phase");
    loadtest->add_flag("--keep", loadOptions.keep, "keep the last phase's rows (default: deleted afterwards)");
    loadtest->add_option("--json", loadOptions.jsonFile, "also write the report as JSON to FILE");

    pulsectl::DrillOptions drillOptions;
    auto* drill = app.add_subcommand("drill", "failover and rollback drills with verified outcomes, a JSON journal "
                                              "and a Markdown report");
    drill->require_subcommand(1);
    auto* drillList = drill->add_subcommand("list", "the built-in drills");
    drillList->add_flag("--json", context.json, "machine-readable output");
    auto* drillShow = drill->add_subcommand("show", "what a drill does, step by step");
    drillShow->add_option("name", drillOptions.name, "a built-in drill (pulsectl drill list)");
    drillShow->add_option("--file", drillOptions.file, "a drill JSON file of your own");
    drillShow->add_flag("--json", context.json, "print the definition as JSON (a starting point for your own)");
    auto* drillRun = drill->add_subcommand(
        "run", "run a drill: hypothesis, method, rollbacks; Ctrl+C aborts (the rollbacks still run). "
               "Exit 0: passed, 9: failed, 10: aborted");
    drillRun->add_option("name", drillOptions.name, "a built-in drill (pulsectl drill list)");
    drillRun->add_option("--file", drillOptions.file, "a drill JSON file of your own (same shape as drill show --json)");
    drillRun->add_flag("--dry-run", drillOptions.dryRun, "list the steps and what would be refused; do nothing");
    drillRun->add_flag("--yes", drillOptions.yes, "confirm the destructive steps (stop, kill, freeze, promote, rebuild)");
    drillRun->add_flag("--keep", drillOptions.keep, "keep the drill's ETL rows (default: deleted afterwards)");
    drillRun->add_option("--journal", drillOptions.journalFile, "the JSON journal (default NAME-<time>.journal.json)");
    drillRun->add_option("--report", drillOptions.reportFile, "the Markdown report (default NAME-<time>.report.md)");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? pulse::exitcode::ok : pulse::exitcode::usage;
    }

    pulse::setupLogging(
        {.logFile = {}, .toStderr = true, .defaultLevel = verbose ? "info" : "warn", .extraSinksLevel = {}});
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
        if (etlRun->parsed())
            return pulsectl::runEtlRun(context, etlOptions);
        if (etlStatus->parsed())
            return pulsectl::runEtlStatus(context, etlJob);
        if (etlCancel->parsed())
            return pulsectl::runEtlCancel(context, cancelJob);
        if (dashboard->parsed()) {
            dashboardOptions.duration = std::chrono::seconds(dashboardSeconds);
            return pulsectl::runDashboard(context, dashboardOptions);
        }
        if (loadtest->parsed())
            return pulsectl::runLoadTest(context, loadOptions);
        if (drill->parsed()) {
            drillOptions.verb = drillRun->parsed()    ? pulsectl::DrillOptions::Verb::Run
                                : drillShow->parsed() ? pulsectl::DrillOptions::Verb::Show
                                                      : pulsectl::DrillOptions::Verb::List;
            return pulsectl::runDrill(context, drillOptions);
        }
    } catch (const CLI::ValidationError& e) {
        return fail(pulse::exitcode::usage, e.what());
    } catch (const pulse::InvalidParameterError& e) {
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

// pulsectl etl run|status|cancel: chunked ETL loads into the demo schema.

#include "Commands.hpp"
#include "Interrupt.hpp"
#include "TextTable.hpp"

#include "common/Errors.hpp"
#include "common/ExitCodes.hpp"
#include "engine/Engine.hpp"
#include "etl/DemoSchema.hpp"
#include "etl/EtlJobStore.hpp"
#include "etl/EtlRunner.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <iostream>

namespace pulsectl {
namespace {

std::string etaText(const pulse::EtlProgress& p)
{
    if (!p.eta)
        return "-";
    const auto s = p.eta->count();
    return s >= 60 ? fmt::format("{}m{:02}s", s / 60, s % 60) : fmt::format("{}s", s);
}

std::string progressLine(const pulse::EtlProgress& p)
{
    std::string line = fmt::format("job {}  {:<10} {}/{} rows ({:.0f}%)  {} chunks  {:.0f} rows/s  ETA {}", p.jobId,
                                   pulse::etlStateName(p.state), p.rowsLoaded, p.totalRows, 100.0 * p.fraction(),
                                   p.chunksLoaded, p.rowsPerSecond, etaText(p));
    if (!p.currentTable.empty() && p.state == pulse::EtlState::Running)
        line += (p.currentTable.find(',') == std::string::npos ? "  table " : "  tables ") + p.currentTable;
    if (!p.detail.empty())
        line += "  (" + p.detail + ")";
    return line;
}

nlohmann::json toJson(const pulse::EtlProgress& p)
{
    return {{"job_id", p.jobId},
            {"state", pulse::etlStateName(p.state)},
            {"total_rows", p.totalRows},
            {"rows_loaded", p.rowsLoaded},
            {"rows_this_run", p.rowsThisRun},
            {"chunks_loaded", p.chunksLoaded},
            {"chunk_size", p.chunkSize},
            {"rows_per_second", p.rowsPerSecond},
            {"elapsed_ms", p.elapsed.count()},
            {"retries", p.retries},
            {"connections", p.connections},
            {"detail", p.detail},
            {"error", p.error}};
}

nlohmann::json toJson(const pulse::EtlJobRecord& job)
{
    auto checkpoints = nlohmann::json::array();
    for (const auto& c : job.checkpoints)
        checkpoints.push_back({{"table", c.table},
                               {"chunks_done", c.chunksDone},
                               {"rows_done", c.rowsDone},
                               {"rows_planned", c.rowsPlanned}});
    return {{"id", job.id},
            {"status", job.status},
            {"cancel_requested", job.cancelRequested},
            {"seed", job.seed},
            {"total_rows", job.totalRows},
            {"rows_loaded", job.rowsLoaded},
            {"chunk_size", job.chunkSize},
            {"rows_per_second", job.rowsPerSecond ? nlohmann::json(*job.rowsPerSecond) : nlohmann::json(nullptr)},
            {"period_days", job.periodDays},
            {"period_end", job.periodEnd},
            {"error", job.error},
            {"created_at", job.createdAt},
            {"updated_at", job.updatedAt},
            {"finished_at", job.finishedAt},
            {"checkpoints", checkpoints}};
}

}  // namespace

int runEtlRun(const CliContext& context, const EtlRunOptions& options)
{
    // Refused before anything connects or is written.
    if (options.resumeJob && (options.rows || options.chunk || options.seed))
        throw pulse::InvalidParameterError(
            "--resume continues a job with its recorded rows, chunk size and seed; give only --rate with it");
    pulse::EtlJobSpec spec;
    const auto resolved = context.resolve();
    const auto& settings = resolved.settings;
    if (options.rows)
        spec.totalRows = *options.rows;
    spec.chunkSize = options.chunk.value_or(settings.etlChunkSize);
    spec.rowsPerSecond = options.rate ? options.rate : settings.etlRowsPerSecondLimit();
    if (options.seed)
        spec.seed = *options.seed;
    spec.connections = options.connections.value_or(settings.etlConnections);
    // A resumed job keeps its recorded rows, chunk and seed; what is given
    // here (rate, connections) is checked the same way either way.
    spec.validate();

    pulse::Engine engine(settings);
    if (settings.etlLagBrakeSeconds > 0)
        engine.startMonitor();  // the lag brake reads the monitor's status
    installInterruptHandler();
    pulse::EtlRunner runner(engine.router(), engine.etlOptions());
    if (options.resumeJob)
        runner.resume(*options.resumeJob, options.rate, spec.connections);
    else
        runner.start(spec);

    bool cancelling = false;
    auto lastLine = std::chrono::steady_clock::now();
    pulse::EtlProgress progress;
    for (;;) {
        progress = runner.wait(std::chrono::milliseconds(100));
        if (pulse::isFinished(progress.state))
            break;
        if (interrupted() && !cancelling) {
            cancelling = true;
            std::cerr << "cancelling after the current chunk (its checkpoint stays consistent)\n";
            runner.cancel();
        }
        if (!context.json && std::chrono::steady_clock::now() - lastLine >= std::chrono::seconds(1)) {
            lastLine = std::chrono::steady_clock::now();
            std::cout << progressLine(progress) << std::endl;
        }
    }

    if (context.json) {
        std::cout << toJson(progress).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    } else {
        std::cout << progressLine(progress) << '\n';
        std::cout << fmt::format("{} rows in {:.1f} s ({:.0f} rows/s){}\n", progress.rowsThisRun,
                                 static_cast<double>(progress.elapsed.count()) / 1000.0,
                                 progress.averageRowsPerSecond(),
                                 progress.retries > 0 ? fmt::format(", {} reconnections", progress.retries) : "");
    }
    switch (progress.state) {
    case pulse::EtlState::Completed:
        return pulse::exitcode::ok;
    case pulse::EtlState::Cancelled:
        std::cerr << "job " << progress.jobId << " cancelled; continue it with: pulsectl etl run --resume "
                  << progress.jobId << '\n';
        return pulse::exitcode::notPassed;
    default:
        break;
    }
    std::cerr << "pulsectl: " << (progress.jobId > 0 ? "job " + std::to_string(progress.jobId) + " failed: " : "")
              << progress.error << '\n';
    switch (progress.errorKind) {
    case pulse::EtlErrorKind::InvalidParameter:
        return pulse::exitcode::usage;  // e.g. no such job: there is nothing to resume
    case pulse::EtlErrorKind::Connection:
        std::cerr << "continue it from its checkpoint once the primary answers: pulsectl etl run --resume "
                  << progress.jobId << '\n';
        return pulse::exitcode::unreachable;
    case pulse::EtlErrorKind::Sql:
        return pulse::exitcode::sql;
    default:
        if (progress.jobId > 0)
            std::cerr << "continue it from its checkpoint with: pulsectl etl run --resume " << progress.jobId << '\n';
        return pulse::exitcode::failure;
    }
}

int runEtlStatus(const CliContext& context, std::optional<std::int64_t> jobId)
{
    const auto resolved = context.resolve();
    pulse::Engine engine(resolved.settings);
    // The admin profile bounds every statement (a frozen primary must not hang this).
    auto session = engine.router().adminSession();
    if (jobId) {
        const auto job = pulse::EtlJobStore::find(session.connection(), *jobId);
        if (context.json) {
            std::cout << toJson(job).dump(2) << '\n';
            return pulse::exitcode::ok;
        }
        std::cout << fmt::format("job {}: {}{}, {}/{} rows, chunk {}, {}, seed {}\n", job.id, job.status,
                                 job.cancelRequested && job.status == "running" ? " (cancel requested)" : "",
                                 job.rowsLoaded, job.totalRows, job.chunkSize,
                                 job.rowsPerSecond ? fmt::format("{} rows/s max", *job.rowsPerSecond) : "no throttle",
                                 job.seed);
        std::cout << "created " << job.createdAt << ", updated " << job.updatedAt
                  << (job.finishedAt.empty() ? "" : ", finished " + job.finishedAt) << '\n';
        if (!job.error.empty())
            std::cout << "error: " << job.error << '\n';
        TextTable table({"TABLE", "CHUNKS", "ROWS", "PLANNED"});
        for (const auto& c : job.checkpoints)
            table.addRow({c.table, std::to_string(c.chunksDone), std::to_string(c.rowsDone),
                          std::to_string(c.rowsPlanned)});
        table.print(std::cout);
        return pulse::exitcode::ok;
    }
    const auto jobs = pulse::EtlJobStore::list(session.connection());
    if (context.json) {
        auto list = nlohmann::json::array();
        for (const auto& job : jobs)
            list.push_back(toJson(job));
        std::cout << nlohmann::json{{"jobs", list}}.dump(2) << '\n';
        return pulse::exitcode::ok;
    }
    if (jobs.empty()) {
        std::cout << "no ETL jobs yet (start one with: pulsectl etl run --rows 100000)\n";
        return pulse::exitcode::ok;
    }
    TextTable table({"JOB", "STATUS", "ROWS", "OF", "CHUNK", "THROTTLE", "UPDATED", "ERROR"});
    for (const auto& job : jobs)
        table.addRow({std::to_string(job.id), job.status + (job.cancelRequested && job.status == "running" ? "*" : ""),
                      std::to_string(job.rowsLoaded), std::to_string(job.totalRows), std::to_string(job.chunkSize),
                      job.rowsPerSecond ? std::to_string(*job.rowsPerSecond) + "/s" : "-", job.updatedAt, job.error});
    table.print(std::cout);
    return pulse::exitcode::ok;
}

int runEtlCancel(const CliContext& context, std::int64_t jobId)
{
    const auto resolved = context.resolve();
    pulse::Engine engine(resolved.settings);
    // The admin profile bounds every statement (a frozen primary must not hang this).
    auto session = engine.router().adminSession();
    pulse::EtlJobStore::requestCancel(session.connection(), jobId);
    const auto job = pulse::EtlJobStore::find(session.connection(), jobId);
    if (job.status == "cancelled")
        std::cout << "job " << jobId << " cancelled at " << job.rowsLoaded << " of " << job.totalRows
                  << " rows; continue it with: pulsectl etl run --resume " << jobId << '\n';
    else
        std::cout << "cancel requested: job " << jobId << " stops after its current chunk\n";
    return pulse::exitcode::ok;
}

}  // namespace pulsectl

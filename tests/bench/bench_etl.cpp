// ETL load speed on a private sandbox: rows/s of the chunked loader
// (EtlRunner, one transaction per chunk with its checkpoint) at chunk sizes
// 100, 1000, 5000 and 20000, with 1 connection and with the default
// EtlJobSpec::connections, side by side with one single COPY of the same
// rows (one connection, one transaction, one COPY per table, no checkpoints)
// measured in the same run, and the replica lag seen on the primary during
// each run.
//
// Target: chunk 1000 with the default connection count reaches at least 90%
// of the single COPY's rows/s.
// Baseline: the plain loop at chunk 1000 (BEGIN, COPY, checkpoint, job
// update, COMMIT as separate round trips, synchronous_commit on), which is
// what the loader would cost without its tricks.
//
// Every run starts equal: the tables are truncated, a CHECKPOINT is taken
// and the replica has caught up. Modes are interleaved, round after round,
// and the median of the rounds is reported.
//
// Usage: bench_etl [--rows N] [--rounds R] [--only M]
//   (default 1000000 rows, 3 rounds; --only M runs mode M alone, for profiling)

#include "BenchSandbox.hpp"

#include "common/Errors.hpp"
#include "common/Logging.hpp"
#include "engine/Engine.hpp"
#include "etl/DemoSchema.hpp"
#include "etl/EtlPlan.hpp"
#include "etl/EtlRunner.hpp"
#include "etl/RecordGenerator.hpp"
#include "pg/CopyIn.hpp"
#include "pg/PgConnection.hpp"
#include "topology/Sandbox.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <iostream>
#include <map>
#include <thread>

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

struct Mode {
    std::string name;
    int chunk = 0;  // 0: single COPY
    bool plain = false;
    int connections = 1;
};

struct Sample {
    double rowsPerSecond = 0;
    std::int64_t maxLagBytes = 0;
    double maxLagSeconds = 0;
};

// Polls pg_stat_replication on the primary every 50 ms on its own
// connection while a run goes on; keeps the maxima.
class LagSampler {
public:
    explicit LagSampler(const pulse::ConnectionParams& params)
        : m_connection(pulse::PgConnection::open(params)), m_thread([this] { run(); })
    {
    }
    ~LagSampler()
    {
        m_stop = true;
        m_thread.join();
    }
    Sample result() const
    {
        Sample s;
        s.maxLagBytes = m_bytes;
        s.maxLagSeconds = m_seconds;
        return s;
    }

private:
    void run()
    {
        while (!m_stop) {
            auto r = m_connection->exec(
                "SELECT coalesce(max(pg_current_wal_lsn() - replay_lsn), 0)::bigint,"
                " coalesce(extract(epoch FROM max(replay_lag)), 0)::float8 FROM pg_stat_replication");
            m_bytes = std::max<std::int64_t>(m_bytes, r.integer(0, 0));
            m_seconds = std::max(m_seconds.load(), std::stod(r.text(0, 1)));
            std::this_thread::sleep_for(50ms);  // a sampling period, not a synchronisation
        }
    }
    std::unique_ptr<pulse::PgConnection> m_connection;
    std::atomic<bool> m_stop{false};
    std::atomic<std::int64_t> m_bytes{0};
    std::atomic<double> m_seconds{0};
    std::thread m_thread;
};

void resetTables(pulse::PgConnection& connection)
{
    std::string tables;
    for (const auto& t : pulse::DemoSchema::dataTables())
        tables += t + ", ";
    connection.execScript("TRUNCATE " + tables + "etl_checkpoints, etl_jobs; CHECKPOINT");
    // Start with the replica caught up, so one run's lag does not leak into the next.
    for (int i = 0; i < 600; ++i) {
        auto r = connection.exec("SELECT coalesce(max(pg_current_wal_lsn() - replay_lsn), 0) FROM pg_stat_replication");
        if (r.integer(0, 0) == 0)
            return;
        std::this_thread::sleep_for(50ms);
    }
}

// The baseline: every row in one transaction, one COPY per table.
void singleCopy(pulse::PgConnection& connection, std::int64_t rows)
{
    pulse::EtlJobSpec spec;
    spec.totalRows = rows;
    const pulse::EtlPlan plan(spec);
    const pulse::RecordGenerator generator({spec.seed, 1, 1714571107, spec.periodDays}, plan);
    connection.exec("BEGIN");
    std::string buffer;
    for (const auto& table : plan.tables()) {
        pulse::CopyIn copy(connection);
        copy.start(pulse::RecordGenerator::copyStatement(table.index));
        for (std::int64_t first = 0; first < table.rows; first += 512) {
            buffer.clear();
            generator.appendRows(table.index, first, std::min<std::int64_t>(512, table.rows - first), buffer);
            copy.write(buffer);
        }
        copy.finish();
    }
    connection.exec("COMMIT");
}

// What a straightforward loader does: each statement its own round trip, and
// each commit waits for its WAL flush.
void plainLoop(pulse::PgConnection& connection, std::int64_t rows, int chunk)
{
    pulse::EtlJobSpec spec;
    spec.totalRows = rows;
    spec.chunkSize = chunk;
    const pulse::EtlPlan plan(spec);
    auto job = connection.exec("INSERT INTO etl_jobs (seed, total_rows, chunk_size, period_days, period_end, status)"
                               " VALUES (42, $1, $2, 90, now(), 'running') RETURNING id",
                               {std::to_string(rows), std::to_string(chunk)});
    const std::string jobId = job.text(0, 0);
    const pulse::RecordGenerator generator({spec.seed, std::stoll(jobId), 1714571107, spec.periodDays}, plan);
    std::int64_t loaded = 0;
    std::string buffer;
    for (const auto& table : plan.tables()) {
        connection.exec("INSERT INTO etl_checkpoints (job_id, table_name, chunks_done, rows_done) VALUES ($1, $2, 0, 0)",
                        {jobId, table.name});
        int chunks = 0;
        for (std::int64_t first = 0; first < table.rows; first += chunk) {
            const std::int64_t count = std::min<std::int64_t>(chunk, table.rows - first);
            connection.exec("BEGIN");
            pulse::CopyIn copy(connection);
            copy.start(pulse::RecordGenerator::copyStatement(table.index));
            for (std::int64_t i = 0; i < count; i += 512) {
                buffer.clear();
                generator.appendRows(table.index, first + i, std::min<std::int64_t>(512, count - i), buffer);
                copy.write(buffer);
            }
            copy.finish();
            loaded += count;
            connection.exec("UPDATE etl_checkpoints SET chunks_done = $3, rows_done = $4, updated_at = now()"
                            " WHERE job_id = $1 AND table_name = $2",
                            {jobId, table.name, std::to_string(++chunks), std::to_string(first + count)});
            connection.exec("UPDATE etl_jobs SET rows_loaded = $2, updated_at = now() WHERE id = $1 RETURNING cancel_requested",
                            {jobId, std::to_string(loaded)});
            connection.exec("COMMIT");
        }
    }
}

Sample runOnce(pulse::Engine& engine, pulse::PgConnection& control, const Mode& mode, std::int64_t rows)
{
    resetTables(control);
    const auto params = pulse::Engine::connectionParams(engine.settings(), pulse::Target::Primary, "bench");
    auto connection = pulse::PgConnection::open(params);
    LagSampler lag(params);
    const auto t0 = Clock::now();
    if (mode.chunk == 0) {
        singleCopy(*connection, rows);
    } else if (mode.plain) {
        plainLoop(*connection, rows, mode.chunk);
    } else {
        pulse::EtlRunner runner(engine.router());
        pulse::EtlJobSpec spec;
        spec.totalRows = rows;
        spec.chunkSize = mode.chunk;
        spec.connections = mode.connections;
        runner.start(spec);
        const auto p = runner.wait();
        if (p.state != pulse::EtlState::Completed)
            throw pulse::Error("load did not complete: " + p.error);
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    Sample s = lag.result();
    s.rowsPerSecond = static_cast<double>(rows) / seconds;
    return s;
}

template <typename T>
T median(std::vector<T> values)
{
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv)
{
    std::int64_t rows = 1'000'000;
    int rounds = 3;
    int only = -1;  // --only M: just mode M (profiling)
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--rows") == 0 && i + 1 < argc)
            rows = std::stoll(argv[++i]);
        else if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc)
            only = std::atoi(argv[++i]);
        else if (std::strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
            rounds = std::max(1, std::atoi(argv[++i]));
        else {
            std::cerr << "usage: bench_etl [--rows N] [--rounds R] [--only M]\n";
            return 2;
        }
    }
    try {
        pulse::setupLogging({.logFile = {}, .toStderr = true, .defaultLevel = "warn", .extraSinksLevel = {}});
        auto sandbox = startBenchSandbox();
        pulse::Engine engine(benchSettings(*sandbox, {{"DB_POOL_SIZE", "2"}}));
        auto control = pulse::PgConnection::open(
            pulse::Engine::connectionParams(engine.settings(), pulse::Target::Primary, "bench-control"));
        pulse::DemoSchema::migrate(*control);

        const int parallel = pulse::EtlJobSpec{}.connections;  // the default
        const std::vector<Mode> modes{{"single COPY", 0, false, 1},        {"chunked", 100, false, parallel},
                                      {"chunked", 1000, false, 1},         {"chunked", 1000, false, parallel},
                                      {"chunked", 5000, false, parallel},  {"chunked", 20000, false, parallel},
                                      {"plain loop", 1000, true, 1}};
        std::map<size_t, std::vector<Sample>> samples;
        for (int round = 0; round < rounds; ++round) {
            for (size_t m = 0; m < modes.size(); ++m) {
                if (only >= 0 && static_cast<int>(m) != only)
                    continue;
                const auto s = runOnce(engine, *control, modes[m], rows);
                samples[m].push_back(s);
                std::cerr << fmt::format("round {}/{}: {:<11} chunk {:>5} conn {}: {:>9.0f} rows/s\n", round + 1,
                                         rounds, modes[m].name, modes[m].chunk ? std::to_string(modes[m].chunk) : "-",
                                         modes[m].connections, s.rowsPerSecond);
            }
        }

        if (only >= 0)
            return 0;
        auto rateOf = [&](size_t m) {
            std::vector<double> r;
            for (const auto& s : samples[m])
                r.push_back(s.rowsPerSecond);
            return median(r);
        };
        const double baseline = rateOf(0);
        std::cout << fmt::format("\nETL load of {} rows, median of {} interleaved rounds (PostgreSQL {} sandbox, "
                                 "primary + streaming replica)\n\n",
                                 rows, rounds, control->serverVersion() / 10000);
        std::cout << fmt::format("{:<12} {:>6} {:>5} {:>12} {:>14} {:>16} {:>14}   {}\n", "mode", "chunk", "conn",
                                 "rows/s", "vs single COPY", "max lag (bytes)", "max lag (s)", "target");
        for (size_t m = 0; m < modes.size(); ++m) {
            std::int64_t lagBytes = 0;
            double lagSeconds = 0;
            for (const auto& s : samples[m]) {
                lagBytes = std::max(lagBytes, s.maxLagBytes);
                lagSeconds = std::max(lagSeconds, s.maxLagSeconds);
            }
            const double rate = rateOf(m);
            const double ratio = rate / baseline;
            std::string target;
            if (!modes[m].plain && modes[m].chunk == 1000 && modes[m].connections == parallel)
                target = fmt::format(">= 90%: {}", ratio >= 0.90 ? "PASS" : "FAIL");
            else if (!modes[m].plain && modes[m].chunk == 1000)
                target = "(1 connection, for comparison)";
            else if (modes[m].plain)
                target = "(baseline: the plain loop)";
            std::cout << fmt::format("{:<12} {:>6} {:>5} {:>12.0f} {:>13.0f}% {:>16} {:>14.3f}   {}\n", modes[m].name,
                                     modes[m].chunk ? std::to_string(modes[m].chunk) : "-", modes[m].connections,
                                     rate, 100 * ratio, lagBytes, lagSeconds, target);
        }
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "bench_etl: " << e.what() << '\n';
        return 1;
    }
}

#pragma once
// A snapshot of one ETL load, copied out of the runner under a short lock:
// safe to keep and to hand to the UI thread.

#include <chrono>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <vector>

namespace pulse {

enum class EtlState {
    Idle,       // nothing started yet
    Starting,   // creating or reading the job, migrating the schema
    Running,
    Paused,     // pause() asked for it; the current chunk finished first
    Braking,    // the lag brake holds the next chunk while replica lag is high
    Retrying,   // the connection broke; reconnecting, then resuming from the checkpoint
    Completed,
    Cancelled,  // cancel() or `pulsectl etl cancel`; the checkpoint is consistent, resume finishes it
    Failed,     // gave up (error names why); resume continues from the checkpoint
};

const char* etlStateName(EtlState state);
bool isFinished(EtlState state);  // Completed, Cancelled or Failed

// What kind of error failed a load, so a CLI can answer with the documented
// exit code (bad parameter, unreachable node, SQL error) and the right hint.
enum class EtlErrorKind {
    None,
    InvalidParameter,  // e.g. no such job: nothing to resume
    Connection,        // the primary was not back within the retry window
    Sql,               // the server refused (a duplicate key, a constraint)
    Other,
};
EtlErrorKind etlErrorKindOf(const std::exception& error);

struct EtlProgress {
    EtlState state = EtlState::Idle;
    std::int64_t jobId = 0;          // 0 until the job row exists
    std::int64_t totalRows = 0;      // planned, over all tables
    std::int64_t rowsLoaded = 0;     // committed (checkpointed) rows, resumed ones included
    std::int64_t rowsThisRun = 0;    // committed by this process since start()/resume()
    std::int64_t chunksLoaded = 0;   // committed chunks, resumed ones included
    int chunkSize = 0;
    std::optional<int> rowsPerSecondLimit;
    std::string currentTable;        // the tables being loaded, one per connection ("commits, reviews")
    double rowsPerSecond = 0;        // over the last few seconds
    std::optional<std::chrono::seconds> eta;  // none while unknown (no rate yet, paused)
    std::chrono::milliseconds elapsed{0};     // since this run started, pauses included
    int retries = 0;                 // reconnections after a broken connection
    std::string detail;              // why braking / retrying / failed, in words
    std::string error;               // last error when Failed
    EtlErrorKind errorKind = EtlErrorKind::None;
    int backendPid = 0;              // server pid of a loading connection (0: none yet)
    std::vector<int> backendPids;    // server pids of every loading connection
    int connections = 0;             // connections loading in parallel (EtlJobSpec::connections)

    // rowsThisRun over elapsed: the run's average (rowsPerSecond is recent).
    double averageRowsPerSecond() const
    {
        return elapsed.count() > 0 ? static_cast<double>(rowsThisRun) * 1000.0 / static_cast<double>(elapsed.count())
                                   : 0.0;
    }

    double fraction() const
    {
        return totalRows > 0 ? static_cast<double>(rowsLoaded) / static_cast<double>(totalRows) : 1.0;
    }
};

}  // namespace pulse

#pragma once
// What `pulsectl loadtest` (and the console's load test) runs: an ETL load
// and the dashboard readers together, first with reads on the replica, then
// (compareSingleDatabase) the same load on the same data with
// USE_READ_REPLICA off, so the report shows what the replica buys.
//
// A phase ends when its ETL load completes (rows) or when `duration` passes,
// whichever comes first; with a duration and no rows, the load runs for the
// duration.

#include <chrono>
#include <cstdint>
#include <optional>

namespace pulse {

struct LoadTestSpec {
    std::optional<std::int64_t> rows;              // ETL rows per phase
    std::optional<std::chrono::seconds> duration;  // longest phase
    int chunkSize = 1000;                          // ETL_CHUNK_SIZE
    std::optional<int> rowsPerSecond;              // ETL throttle; none = full speed
    int connections = 2;                           // ETL_CONNECTIONS: the load's parallel connections
    int readers = 4;                               // DASHBOARD_READERS
    std::chrono::milliseconds think{200};          // DASHBOARD_THINK_MS
    std::uint64_t seed = 42;
    bool compareSingleDatabase = true;
    bool keepRows = false;  // keep the last phase's rows (default: the database is left as found)

    // Neither rows nor duration: this many rows.
    // Several seconds of loading per phase on a small machine: long enough
    // for many page loads and monitor cycles.
    static constexpr std::int64_t kDefaultRows = 1'000'000;
    std::int64_t effectiveRows() const;

    void validate() const;  // throws InvalidParameterError
};

}  // namespace pulse

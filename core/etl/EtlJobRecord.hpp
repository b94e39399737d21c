#pragma once
// One row of etl_jobs with its checkpoints, as `pulsectl etl status` and the
// console show it (read from the database, so it also covers loads run by
// another process).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pulse {

struct EtlCheckpoint {
    std::string table;
    int chunksDone = 0;
    std::int64_t rowsDone = 0;
    std::int64_t rowsPlanned = 0;
};

struct EtlJobRecord {
    std::int64_t id = 0;
    std::uint64_t seed = 0;
    std::int64_t totalRows = 0;
    int chunkSize = 0;
    std::optional<int> rowsPerSecond;
    int periodDays = 0;
    std::string periodEnd;     // ISO 8601, as the server printed it
    std::string status;        // running, paused, completed, cancelled, failed
    bool cancelRequested = false;
    std::int64_t rowsLoaded = 0;
    std::string error;
    std::string createdAt;
    std::string updatedAt;
    std::string finishedAt;    // empty while not finished
    std::vector<EtlCheckpoint> checkpoints;  // in load order
};

}  // namespace pulse

#pragma once
// What a new ETL load should do. validate() refuses anything that cannot work
// (InvalidParameterError naming the parameter and what it accepts) before a
// single row is written.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pulse {

struct EtlJobSpec {
    std::int64_t totalRows = 100'000;  // over all tables of the demo schema
    int chunkSize = 1000;              // rows per transaction (ETL_CHUNK_SIZE)
    std::optional<int> rowsPerSecond;  // throttle; none = as fast as the primary takes it
    std::uint64_t seed = 42;           // same seed, same records
    int periodDays = 90;               // timestamps spread over the last N days
    // Only these tables (empty: all of DemoSchema::dataTables()).
    std::vector<std::string> tables;
    // Connections loading in parallel, one table each at a time (ETL_CONNECTIONS).
    // Not recorded with the job: a resume may use another count.
    int connections = 2;

    static constexpr int kMaxConnections = 8;

    void validate() const;  // throws InvalidParameterError
};

}  // namespace pulse

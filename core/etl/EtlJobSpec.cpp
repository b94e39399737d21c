#include "etl/EtlJobSpec.hpp"

#include "common/Errors.hpp"
#include "etl/DemoSchema.hpp"

namespace pulse {

void EtlJobSpec::validate() const
{
    // Ids are (job << 32) | row index: a table holds at most 2^32 rows per job.
    constexpr std::int64_t kMaxRows = 4'000'000'000LL;
    constexpr int kMaxChunk = 1'000'000;
    if (totalRows < 0)
        throw InvalidParameterError("rows must be 0 or more (got " + std::to_string(totalRows) + ")");
    if (totalRows > kMaxRows)
        throw InvalidParameterError("rows must be at most " + std::to_string(kMaxRows) + " (got " +
                                    std::to_string(totalRows) + ")");
    if (chunkSize < 1 || chunkSize > kMaxChunk)
        throw InvalidParameterError("chunk size must be from 1 to " + std::to_string(kMaxChunk) +
                                    " rows (got " + std::to_string(chunkSize) + ")");
    if (rowsPerSecond && *rowsPerSecond < 1)
        throw InvalidParameterError("rate must be at least 1 row per second (got " +
                                    std::to_string(*rowsPerSecond) + "); leave it out for no throttle");
    if (connections < 1 || connections > kMaxConnections)
        throw InvalidParameterError("connections must be from 1 to " + std::to_string(kMaxConnections) + " (got " +
                                    std::to_string(connections) + ")");
    if (periodDays < 1 || periodDays > 3650)
        throw InvalidParameterError("period must be from 1 to 3650 days (got " + std::to_string(periodDays) + ")");
    for (const auto& table : tables)
        if (!DemoSchema::isDataTable(table)) {
            std::string known;
            for (const auto& t : DemoSchema::dataTables())
                known += (known.empty() ? "" : ", ") + t;
            throw InvalidParameterError("unknown table '" + table + "'; the demo schema has " + known);
        }
}

}  // namespace pulse

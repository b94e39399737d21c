#include "loadtest/LoadTestSpec.hpp"

#include "common/Errors.hpp"
#include "etl/EtlJobSpec.hpp"
#include "workload/DashboardReaders.hpp"

#include <string>

namespace pulse {
namespace {

// A duration-bound phase plans more rows than it can load in the time and is
// stopped when the time is up (the ETL load is cancelled with a consistent
// checkpoint). 2^31 fits the id scheme many times over.
constexpr std::int64_t kUnboundedRows = 2'000'000'000;

}  // namespace

std::int64_t LoadTestSpec::effectiveRows() const
{
    if (rows)
        return *rows;
    return duration ? kUnboundedRows : kDefaultRows;
}

void LoadTestSpec::validate() const
{
    if (rows && *rows < 1)
        throw InvalidParameterError("rows must be at least 1 (got " + std::to_string(*rows) + ")");
    if (duration && (duration->count() < 1 || duration->count() > 24 * 3600))
        throw InvalidParameterError("duration must be from 1 to 86400 seconds (got " +
                                    std::to_string(duration->count()) + ")");
    ReaderOptions{.readers = readers, .think = think}.validate();
    EtlJobSpec etl;  // the ETL side says what it accepts, in its own words
    etl.totalRows = effectiveRows();
    etl.chunkSize = chunkSize;
    etl.rowsPerSecond = rowsPerSecond;
    etl.seed = seed;
    etl.connections = connections;
    etl.validate();
}

}  // namespace pulse

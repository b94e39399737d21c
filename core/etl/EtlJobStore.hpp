#pragma once
// etl_jobs and etl_checkpoints read and written outside a running load:
// `pulsectl etl status|cancel`, the console's ETL panel, verification in the
// tests and the load test. All calls run on the given primary connection.

#include "etl/EtlJobRecord.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace pulse {

class PgConnection;

class EtlJobStore {
public:
    // Throws InvalidParameterError when there is no job `id`.
    static EtlJobRecord find(PgConnection& connection, std::int64_t id);
    // Newest first; empty when the demo schema does not exist yet.
    static std::vector<EtlJobRecord> list(PgConnection& connection, int limit = 20);
    // Asks the process that runs job `id` to stop after its current chunk
    // (it reads the flag back with each checkpoint). A job that is not running
    // is marked cancelled at once. Throws InvalidParameterError for an
    // unknown or already finished job.
    static void requestCancel(PgConnection& connection, std::int64_t id);
    // Rows of job `id` actually present, per data table (counted by id range).
    static std::map<std::string, std::int64_t> countRows(PgConnection& connection, std::int64_t id);
    // Deletes job `id`'s rows from every data table, and the job itself.
    static void deleteJob(PgConnection& connection, std::int64_t id);
};

}  // namespace pulse

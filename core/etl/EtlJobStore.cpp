#include "etl/EtlJobStore.hpp"

#include "common/Errors.hpp"
#include "etl/ChunkedLoader.hpp"
#include "etl/DemoSchema.hpp"
#include "etl/EtlPlan.hpp"
#include "pg/PgConnection.hpp"

#include <algorithm>

namespace pulse {
namespace {

// rows_loaded and updated_at come from the checkpoints: the loader's workers
// write only those per chunk (the job row would be a lock they all queue on),
// so the sum is the exact count at any moment, also of a job whose process
// died. etl_jobs.rows_loaded itself is written at the end of each run.
constexpr const char* kJobColumns =
    "id, seed, total_rows, chunk_size, rows_per_second, period_days, period_end::text, status, cancel_requested,"
    " (SELECT coalesce(sum(c.rows_done), 0) FROM etl_checkpoints c WHERE c.job_id = etl_jobs.id)::bigint,"
    " coalesce(error, ''), created_at::text,"
    " greatest(updated_at, (SELECT max(c.updated_at) FROM etl_checkpoints c WHERE c.job_id = etl_jobs.id))::text,"
    " coalesce(finished_at::text, '')";

bool schemaExists(PgConnection& connection)
{
    return connection.exec("SELECT to_regclass('public.etl_jobs') IS NOT NULL").boolean(0, 0);
}

EtlJobRecord recordFrom(const PgResult& rows, int r)
{
    EtlJobRecord job;
    job.id = rows.integer(r, 0);
    job.seed = static_cast<std::uint64_t>(rows.integer(r, 1));  // stored as the same 64 bits, signed
    job.totalRows = rows.integer(r, 2);
    job.chunkSize = static_cast<int>(rows.integer(r, 3));
    if (!rows.isNull(r, 4))
        job.rowsPerSecond = static_cast<int>(rows.integer(r, 4));
    job.periodDays = static_cast<int>(rows.integer(r, 5));
    job.periodEnd = rows.text(r, 6);
    job.status = rows.text(r, 7);
    job.cancelRequested = rows.boolean(r, 8);
    job.rowsLoaded = rows.integer(r, 9);
    job.error = rows.text(r, 10);
    job.createdAt = rows.text(r, 11);
    job.updatedAt = rows.text(r, 12);
    job.finishedAt = rows.text(r, 13);
    return job;
}

// Checkpoints of `jobs` in load order, with what the plan expects per table.
void attachCheckpoints(PgConnection& connection, std::vector<EtlJobRecord>& jobs)
{
    if (jobs.empty())
        return;
    std::string ids = "{";
    for (const auto& job : jobs)
        ids += (ids.size() > 1 ? "," : "") + std::to_string(job.id);
    ids += "}";
    auto rows = connection.exec("SELECT job_id, table_name, chunks_done, rows_done FROM etl_checkpoints"
                                " WHERE job_id = ANY($1::bigint[])",
                                {ids});
    for (auto& job : jobs) {
        for (int r = 0; r < rows.rows(); ++r) {
            if (rows.integer(r, 0) != job.id)
                continue;
            job.checkpoints.push_back(EtlCheckpoint{rows.text(r, 1), static_cast<int>(rows.integer(r, 2)),
                                                    rows.integer(r, 3), 0});
        }
        const auto& order = DemoSchema::dataTables();
        auto position = [&order](const std::string& name) { return std::find(order.begin(), order.end(), name) - order.begin(); };
        std::sort(job.checkpoints.begin(), job.checkpoints.end(),
                  [&position](const EtlCheckpoint& a, const EtlCheckpoint& b) { return position(a.table) < position(b.table); });
        EtlJobSpec spec;
        spec.totalRows = job.totalRows;
        spec.chunkSize = job.chunkSize;
        if (job.checkpoints.size() != order.size())
            for (const auto& checkpoint : job.checkpoints)
                spec.tables.push_back(checkpoint.table);
        const EtlPlan plan(spec);
        for (auto& checkpoint : job.checkpoints)
            if (const auto* table = plan.find(checkpoint.table))
                checkpoint.rowsPlanned = table->rows;
    }
}

}  // namespace

EtlJobRecord EtlJobStore::find(PgConnection& connection, std::int64_t id)
{
    if (!schemaExists(connection))
        throw InvalidParameterError("there is no ETL job " + std::to_string(id) +
                                    " (no job was ever run: the demo schema does not exist yet)");
    auto rows = connection.exec(std::string("SELECT ") + kJobColumns + " FROM etl_jobs WHERE id = $1",
                                {std::to_string(id)});
    if (rows.rows() == 0)
        throw InvalidParameterError("there is no ETL job " + std::to_string(id) +
                                    " (`pulsectl etl status` lists the jobs)");
    std::vector<EtlJobRecord> jobs{recordFrom(rows, 0)};
    attachCheckpoints(connection, jobs);
    return std::move(jobs.front());
}

std::vector<EtlJobRecord> EtlJobStore::list(PgConnection& connection, int limit)
{
    if (!schemaExists(connection))
        return {};
    auto rows = connection.exec(std::string("SELECT ") + kJobColumns + " FROM etl_jobs ORDER BY id DESC LIMIT $1",
                                {std::to_string(std::max(0, limit))});
    std::vector<EtlJobRecord> jobs;
    for (int r = 0; r < rows.rows(); ++r)
        jobs.push_back(recordFrom(rows, r));
    attachCheckpoints(connection, jobs);
    return jobs;
}

void EtlJobStore::requestCancel(PgConnection& connection, std::int64_t id)
{
    const EtlJobRecord job = find(connection, id);
    if (job.status == "completed" || job.status == "cancelled")
        throw InvalidParameterError("ETL job " + std::to_string(id) + " is already " + job.status);
    // A 'running' job whose loader still holds the job lock reads the flag
    // after its chunk; one nobody holds (its process died) is cancelled now.
    auto held = connection.exec("SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'"
                                " AND classid = $1 AND objid = $2 AND objsubid = 2 AND granted)",
                                {std::to_string(ChunkedLoader::kJobLockClass), std::to_string(id)});
    if (held.boolean(0, 0)) {
        connection.exec("UPDATE etl_jobs SET cancel_requested = true, updated_at = now() WHERE id = $1",
                        {std::to_string(id)});
    } else {
        connection.exec("UPDATE etl_jobs SET cancel_requested = true, status = 'cancelled', finished_at = now(),"
                        " updated_at = now() WHERE id = $1 AND status NOT IN ('completed', 'cancelled')",
                        {std::to_string(id)});
    }
}

std::map<std::string, std::int64_t> EtlJobStore::countRows(PgConnection& connection, std::int64_t id)
{
    std::map<std::string, std::int64_t> counts;
    for (const auto& table : DemoSchema::dataTables())
        counts[table] = 0;
    if (!schemaExists(connection))
        return counts;
    std::string sql = "SELECT ";
    for (const auto& table : DemoSchema::dataTables())
        sql += (sql.size() > 7 ? ", " : "") + std::string("(SELECT count(*) FROM ") + table +
               " WHERE id BETWEEN $1 AND $2)";
    auto row = connection.exec(sql, {std::to_string(DemoSchema::firstId(id)), std::to_string(DemoSchema::lastId(id))});
    int column = 0;
    for (const auto& table : DemoSchema::dataTables())
        counts[table] = row.integer(0, column++);
    return counts;
}

void EtlJobStore::deleteJob(PgConnection& connection, std::int64_t id)
{
    if (!schemaExists(connection))
        throw InvalidParameterError("there is no ETL job " + std::to_string(id) + " (the demo schema does not exist)");
    std::string script = "BEGIN; ";
    for (const auto& table : DemoSchema::dataTables())
        script += "DELETE FROM " + table + " WHERE id BETWEEN " + std::to_string(DemoSchema::firstId(id)) + " AND " +
                  std::to_string(DemoSchema::lastId(id)) + "; ";
    // The checkpoints go with the job (ON DELETE CASCADE).
    script += "DELETE FROM etl_jobs WHERE id = " + std::to_string(id) + "; COMMIT";
    try {
        connection.execScript(script);
    } catch (...) {
        if (!connection.isBroken() && connection.inTransaction()) {
            try {
                connection.exec("ROLLBACK");
            } catch (...) {
                // the original error is the one to report
            }
        }
        throw;
    }
}

}  // namespace pulse

#pragma once
// The demo schema of the platform the console drills: GitHub-like
// repositories, pull requests, commits, reviews, deployments and incidents,
// Jira-like issues, and the ETL bookkeeping (etl_jobs, etl_checkpoints).
//
// Created on the primary by versioned migrations recorded in
// pulse_schema_migrations. migrate() takes a transaction-scoped advisory lock,
// so concurrent callers serialise and re-running is a no-op.
//
// Row ids of a job's records are (job id << 32) | row index, so the rows of a
// job are one primary-key range per table: a duplicate is a key violation,
// and a job's rows can be counted or deleted by range.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pulse {

class PgConnection;

class DemoSchema {
public:
    struct Migration {
        int version;
        std::string_view name;
        std::string_view sql;
    };

    // The data tables an ETL job loads, in load order (parents first).
    static const std::vector<std::string>& dataTables();
    static bool isDataTable(std::string_view name);

    static const std::vector<Migration>& migrations();
    static int latestVersion();

    // Applies the missing migrations in one transaction. Returns how many
    // were applied (0 when the schema was already current).
    static int migrate(PgConnection& primary);
    // The highest applied version; 0 when the schema was never created.
    static int currentVersion(PgConnection& connection);

    // First and last id of a job's rows (inclusive).
    static std::int64_t firstId(std::int64_t jobId) { return jobId << 32; }
    static std::int64_t lastId(std::int64_t jobId) { return (jobId << 32) | 0xffffffffLL; }
    static std::int64_t rowId(std::int64_t jobId, std::int64_t index) { return (jobId << 32) | index; }
};

}  // namespace pulse

#include "etl/DemoSchema.hpp"

#include "pg/PgConnection.hpp"

#include <algorithm>

namespace pulse {
namespace {

// Fixed key for pg_advisory_xact_lock: "pulse" schema migrations.
constexpr const char* kMigrationLock = "SELECT pg_advisory_xact_lock(7311045120)";

constexpr std::string_view kDemoSchemaV1 = R"SQL(
CREATE TABLE repositories (
    id          bigint PRIMARY KEY,
    name        text NOT NULL,
    team        text NOT NULL,
    created_at  timestamptz NOT NULL
);
CREATE TABLE pull_requests (
    id             bigint PRIMARY KEY,
    repository_id  bigint NOT NULL,
    number         integer NOT NULL,
    title          text NOT NULL,
    author         text NOT NULL,
    state          text NOT NULL CHECK (state IN ('open', 'merged', 'closed')),
    created_at     timestamptz NOT NULL,
    merged_at      timestamptz,
    closed_at      timestamptz,
    additions      integer NOT NULL,
    deletions      integer NOT NULL
);
CREATE TABLE commits (
    id               bigint PRIMARY KEY,
    sha              text NOT NULL,
    repository_id    bigint NOT NULL,
    pull_request_id  bigint,
    author           text NOT NULL,
    message          text NOT NULL,
    committed_at     timestamptz NOT NULL
);
CREATE TABLE reviews (
    id               bigint PRIMARY KEY,
    pull_request_id  bigint NOT NULL,
    reviewer         text NOT NULL,
    state            text NOT NULL CHECK (state IN ('approved', 'changes_requested', 'commented')),
    submitted_at     timestamptz NOT NULL
);
CREATE TABLE deployments (
    id               bigint PRIMARY KEY,
    repository_id    bigint NOT NULL,
    environment      text NOT NULL CHECK (environment IN ('production', 'staging')),
    status           text NOT NULL CHECK (status IN ('success', 'failure')),
    commit_sha       text NOT NULL,
    first_commit_at  timestamptz NOT NULL,
    deployed_at      timestamptz NOT NULL
);
CREATE TABLE incidents (
    id             bigint PRIMARY KEY,
    repository_id  bigint NOT NULL,
    deployment_id  bigint,
    severity       text NOT NULL CHECK (severity IN ('sev1', 'sev2', 'sev3')),
    opened_at      timestamptz NOT NULL,
    resolved_at    timestamptz
);
CREATE TABLE issues (
    id           bigint PRIMARY KEY,
    key          text NOT NULL,
    project      text NOT NULL,
    type         text NOT NULL CHECK (type IN ('bug', 'story', 'task', 'epic')),
    status       text NOT NULL CHECK (status IN ('open', 'in_progress', 'done')),
    priority     text NOT NULL CHECK (priority IN ('highest', 'high', 'medium', 'low')),
    created_at   timestamptz NOT NULL,
    resolved_at  timestamptz
);

-- What the dashboard queries filter and join on.
CREATE INDEX deployments_env_time ON deployments (environment, deployed_at);
CREATE INDEX pull_requests_merged ON pull_requests (merged_at) WHERE merged_at IS NOT NULL;
CREATE INDEX pull_requests_created ON pull_requests (created_at);
CREATE INDEX incidents_opened ON incidents (opened_at);
CREATE INDEX issues_created ON issues (created_at);
CREATE INDEX issues_resolved ON issues (resolved_at) WHERE resolved_at IS NOT NULL;
CREATE INDEX reviews_pull_request ON reviews (pull_request_id);

-- One row per load; status is running, paused, completed, cancelled or failed.
CREATE TABLE etl_jobs (
    id                bigserial PRIMARY KEY,
    seed              bigint NOT NULL,
    total_rows        bigint NOT NULL CHECK (total_rows >= 0),
    chunk_size        integer NOT NULL CHECK (chunk_size > 0),
    rows_per_second   integer CHECK (rows_per_second > 0),
    period_days       integer NOT NULL CHECK (period_days > 0),
    period_end        timestamptz NOT NULL,
    status            text NOT NULL,
    cancel_requested  boolean NOT NULL DEFAULT false,
    rows_loaded       bigint NOT NULL DEFAULT 0,
    error             text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    finished_at       timestamptz
);
-- Written in the same transaction as the chunk it records.
CREATE TABLE etl_checkpoints (
    job_id       bigint NOT NULL REFERENCES etl_jobs (id) ON DELETE CASCADE,
    table_name   text NOT NULL,
    chunks_done  integer NOT NULL,
    rows_done    bigint NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (job_id, table_name)
);
)SQL";

}  // namespace

const std::vector<std::string>& DemoSchema::dataTables()
{
    static const std::vector<std::string> tables{"repositories", "pull_requests", "commits",  "reviews",
                                                 "deployments",  "incidents",     "issues"};
    return tables;
}

bool DemoSchema::isDataTable(std::string_view name)
{
    const auto& tables = dataTables();
    return std::find(tables.begin(), tables.end(), name) != tables.end();
}

const std::vector<DemoSchema::Migration>& DemoSchema::migrations()
{
    static const std::vector<Migration> list{
        {1, "demo schema: GitHub/Jira-like tables, ETL jobs and checkpoints", kDemoSchemaV1},
    };
    return list;
}

int DemoSchema::latestVersion()
{
    return migrations().back().version;
}

int DemoSchema::currentVersion(PgConnection& connection)
{
    auto exists = connection.exec("SELECT to_regclass('public.pulse_schema_migrations') IS NOT NULL");
    if (exists.text(0, 0) != "t")
        return 0;
    auto version = connection.exec("SELECT coalesce(max(version), 0) FROM pulse_schema_migrations");
    return std::stoi(version.text(0, 0));
}

int DemoSchema::migrate(PgConnection& primary)
{
    primary.exec("BEGIN");
    try {
        primary.exec(kMigrationLock);  // concurrent migrators wait here, then see the work done
        primary.exec("CREATE TABLE IF NOT EXISTS pulse_schema_migrations ("
                     " version integer PRIMARY KEY, name text NOT NULL,"
                     " applied_at timestamptz NOT NULL DEFAULT now())");
        const int current = currentVersion(primary);
        int applied = 0;
        for (const auto& migration : migrations()) {
            if (migration.version <= current)
                continue;
            primary.execScript(migration.sql);
            primary.exec("INSERT INTO pulse_schema_migrations (version, name) VALUES ($1, $2)",
                         {std::to_string(migration.version), std::string(migration.name)});
            ++applied;
        }
        primary.exec("COMMIT");
        return applied;
    } catch (...) {
        if (!primary.isBroken()) {
            try {
                primary.exec("ROLLBACK");
            } catch (...) {
                // the original error is the one to report
            }
        }
        throw;
    }
}

}  // namespace pulse

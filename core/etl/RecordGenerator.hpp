#pragma once
// Deterministic GitHub/Jira-like records for the demo schema, written as COPY
// text rows (see CopyText).
//
// Random access: record i of table t is a pure function of (seed, job id,
// t, i, period end, period days) and of the plan's reference counts (which
// follow from totalRows): every record draws from its own splitmix64 stream
// keyed by those, so a chunk regenerated on resume is byte for byte the chunk
// that was lost, and chunk k can be generated without chunks 0..k-1.
//
// What the dashboards compute from these columns, and how the data is shaped
// for it (all timestamps inside [periodEnd - periodDays, periodEnd), except
// repositories, created before or early in the period):
//   - pull requests: ~70% merged, ~10% closed, ~20% open; merged_at/closed_at
//     hours to days after created_at (a PR that would merge after the period
//     end is still open);
//   - commits: mostly on a pull request, shortly before it was opened;
//     some messages carry a body over several lines;
//   - reviews: between their PR's creation and its merge;
//   - deployments: ~55% production, ~45% staging, ~85% success; first_commit_at
//     hours to days before deployed_at (lead time);
//   - incidents: mostly opened minutes after a failed production deployment
//     (deployment_id set), ~90% resolved minutes to hours later;
//   - issues: PLAT-123-style keys, open / in_progress / done with resolved_at
//     for done ones, weighted to working hours and weekdays.
// References (repository_id, pull_request_id, deployment_id) are ids of the
// same job (DemoSchema::rowId) within EtlPlan::referenceRows().
//
// Thread contract: const after construction; use from any number of threads.

#include "etl/EtlPlan.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pulse {

class RecordGenerator {
public:
    struct Params {
        std::uint64_t seed = 42;
        std::int64_t jobId = 1;
        std::int64_t periodEnd = 0;  // seconds since the Unix epoch (UTC)
        int periodDays = 90;
    };

    RecordGenerator(const Params& params, const EtlPlan& plan);

    // "id, name, ..." of the COPY statement for table `table`
    // (DemoSchema::dataTables() index), in the order rows are written.
    static std::string_view columns(int table);
    // COPY ... FROM STDIN statement of table `table`.
    static std::string copyStatement(int table);

    // Appends record `index` of table `table` as one COPY text row.
    void appendRow(int table, std::int64_t index, std::string& out) const;
    // Appends records [first, first + count).
    void appendRows(int table, std::int64_t first, std::int64_t count, std::string& out) const;

    std::int64_t periodStart() const { return m_periodStart; }
    std::int64_t periodEnd() const { return m_params.periodEnd; }
    const Params& params() const { return m_params; }

    // "2024-05-01 13:45:07+00": seconds since the epoch as a UTC timestamptz
    // literal (no locale, no time zone database).
    static void appendTimestamp(std::string& out, std::int64_t epochSeconds);

private:
    Params m_params;
    std::int64_t m_periodStart;
    std::uint64_t m_key;  // seed and job mixed once
    std::vector<std::int64_t> m_referenceRows;
};

}  // namespace pulse

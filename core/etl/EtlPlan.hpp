#pragma once
// How a job's rows split over the data tables and into chunks.
//
// Shares of totalRows: repositories 1% (at least 1 when there are rows),
// pull_requests 15%, commits 35%, reviews 20%, deployments 10%, incidents 3%,
// issues 16%; each share is rounded down and the remainder goes to commits,
// so the counts add up to totalRows exactly. With EtlJobSpec::tables, the
// shares of the chosen tables are scaled to fill totalRows (the remainder goes
// to commits when chosen, else to the chosen table with the largest share).
//
// A chunk never spans two tables: table t is loaded as chunks of chunkSize
// rows, indexes [k * chunkSize, ...), and its checkpoint is one
// (chunks_done, rows_done) pair. Pure computation, no database.

#include "etl/EtlJobSpec.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace pulse {

class EtlPlan {
public:
    struct Table {
        int index = 0;            // position in DemoSchema::dataTables()
        std::string name;
        std::int64_t rows = 0;    // planned
        std::int64_t chunks = 0;  // ceil(rows / chunkSize)
    };

    explicit EtlPlan(const EtlJobSpec& spec);

    // The chosen tables in load order (DemoSchema::dataTables() order); a
    // chosen table may plan 0 rows.
    const std::vector<Table>& tables() const { return m_tables; }
    const Table* find(const std::string& name) const;
    std::int64_t totalRows() const { return m_totalRows; }
    std::int64_t totalChunks() const;
    int chunkSize() const { return m_chunkSize; }

    // Rows of table `index` (DemoSchema order) in the plan over ALL tables for
    // the same totalRows: what references (repository_id, pull_request_id,
    // deployment_id) draw from, so a record does not depend on which tables
    // a job chose. At least 1.
    std::int64_t referenceRows(int index) const { return m_referenceRows.at(static_cast<size_t>(index)); }

    // Relative share of each data table, DemoSchema order (per mille).
    static const std::vector<int>& sharesPerMille();

private:
    std::int64_t m_totalRows = 0;
    int m_chunkSize = 1;
    std::vector<Table> m_tables;
    std::vector<std::int64_t> m_referenceRows;
};

}  // namespace pulse

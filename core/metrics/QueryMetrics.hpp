#pragma once
// Query metrics per target ("primary", "replica", ...) and per operation
// ("dashboard_metrics", ...): duration histograms (p50/p95/p99), counts,
// errors and timeouts. The router resolves a cell once per session (cell());
// every statement then costs record(): a few relaxed atomic increments, no
// lock, no allocation (target: <= 200 ns median, also with 8 threads).
//
// Cells live as long as the QueryMetrics object (never removed), so a
// session may keep a plain pointer.
#include "metrics/LatencyHistogram.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pulse {

enum class QueryOutcome { Ok, Error, Timeout };  // Timeout: statement_timeout (57014) or client deadline

struct QueryCell {
    std::string target;
    std::string operation;
    LatencyHistogram duration;
    std::atomic<std::uint64_t> errors{0};    // every failure, timeouts included
    std::atomic<std::uint64_t> timeouts{0};
};

struct QueryCellSnapshot {
    std::string target;
    std::string operation;
    LatencyHistogram::Snapshot duration;  // count = queries
    std::uint64_t errors = 0;
    std::uint64_t timeouts = 0;
};

class QueryMetrics {
public:
    // Creates the cell on first use; later calls take a shared lock only.
    QueryCell& cell(std::string_view target, std::string_view operation);
    static void record(QueryCell& cell, std::chrono::nanoseconds duration, QueryOutcome outcome) noexcept;

    std::vector<QueryCellSnapshot> snapshot() const;  // sorted by target, operation
    // Sums over operations (and over targets when target is empty).
    QueryCellSnapshot total(std::string_view target = {}) const;
    // Sums over the cells `include(target, operation)` accepts (e.g. reads
    // across every node), without copying each cell's histogram first.
    QueryCellSnapshot totalWhere(const std::function<bool(std::string_view target, std::string_view operation)>&
                                     include) const;

    // Rows every ETL load on this engine committed, whoever started it (the
    // console's panel, the load test, a drill): the monitor turns it into
    // etl_rows_per_second. Bumped once per committed chunk.
    void addEtlRows(std::int64_t rows) noexcept { m_etlRows.fetch_add(rows, std::memory_order_relaxed); }
    std::int64_t etlRows() const noexcept { return m_etlRows.load(std::memory_order_relaxed); }
    // ETL loads running now (paused and braking ones included): their rate
    // is charted as 0 rather than left out.
    void etlLoadBegan() noexcept { m_etlLoads.fetch_add(1, std::memory_order_relaxed); }
    void etlLoadEnded() noexcept { m_etlLoads.fetch_sub(1, std::memory_order_relaxed); }
    int etlLoadsRunning() const noexcept { return m_etlLoads.load(std::memory_order_relaxed); }

private:
    // Transparent: cell() looks up with string_views, so the hot path never
    // builds a pair of std::string (std::less<> cannot compare pairs of
    // different element types).
    struct KeyLess {
        using is_transparent = void;
        using View = std::pair<std::string_view, std::string_view>;
        static View view(const std::pair<std::string, std::string>& key) noexcept { return {key.first, key.second}; }
        static View view(const View& key) noexcept { return key; }
        template <class A, class B>
        bool operator()(const A& a, const B& b) const noexcept
        {
            return view(a) < view(b);
        }
    };

    mutable std::shared_mutex m_mutex;
    std::map<std::pair<std::string, std::string>, std::unique_ptr<QueryCell>, KeyLess> m_cells;
    std::atomic<std::int64_t> m_etlRows{0};
    std::atomic<int> m_etlLoads{0};
};

}  // namespace pulse

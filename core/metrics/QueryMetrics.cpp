#include "metrics/QueryMetrics.hpp"

#include <algorithm>
#include <mutex>

namespace pulse {

namespace {

QueryCellSnapshot snapshotOf(const QueryCell& cell)
{
    QueryCellSnapshot s;
    s.target = cell.target;
    s.operation = cell.operation;
    s.duration = cell.duration.snapshot();
    s.errors = cell.errors.load(std::memory_order_relaxed);
    s.timeouts = cell.timeouts.load(std::memory_order_relaxed);
    return s;
}

// Bucket-wise sum: the buckets of every cell share the same bounds, so the
// sum is the histogram of all their queries and its quantiles stay valid
// (averaging per-cell p95s would not be).
void accumulate(QueryCellSnapshot& total, const QueryCell& cell)
{
    const auto s = cell.duration.snapshot();
    for (size_t i = 0; i < s.buckets.size(); ++i)
        total.duration.buckets[i] += s.buckets[i];
    total.duration.count += s.count;
    total.duration.sumSeconds += s.sumSeconds;
    total.duration.maxSeconds = std::max(total.duration.maxSeconds, s.maxSeconds);
    total.errors += cell.errors.load(std::memory_order_relaxed);
    total.timeouts += cell.timeouts.load(std::memory_order_relaxed);
}

}  // namespace

QueryCell& QueryMetrics::cell(std::string_view target, std::string_view operation)
{
    const KeyLess::View key{target, operation};
    {
        std::shared_lock lock(m_mutex);
        if (const auto it = m_cells.find(key); it != m_cells.end())
            return *it->second;
    }
    std::unique_lock lock(m_mutex);
    // Another thread may have created it between the two locks; try_emplace
    // keeps the first one so every session shares the same cell.
    auto [it, inserted] = m_cells.try_emplace(std::pair<std::string, std::string>(target, operation));
    if (inserted) {
        it->second = std::make_unique<QueryCell>();
        it->second->target = target;
        it->second->operation = operation;
    }
    return *it->second;
}

void QueryMetrics::record(QueryCell& cell, std::chrono::nanoseconds duration, QueryOutcome outcome) noexcept
{
    cell.duration.record(duration);
    // Outcome counters are touched only on failure, so the common Ok path
    // costs the histogram's increments alone.
    if (outcome != QueryOutcome::Ok) {
        cell.errors.fetch_add(1, std::memory_order_relaxed);
        if (outcome == QueryOutcome::Timeout)
            cell.timeouts.fetch_add(1, std::memory_order_relaxed);
    }
}

std::vector<QueryCellSnapshot> QueryMetrics::snapshot() const
{
    std::shared_lock lock(m_mutex);
    std::vector<QueryCellSnapshot> result;
    result.reserve(m_cells.size());
    // The map is ordered by (target, operation), which is the promised order.
    for (const auto& [key, cell] : m_cells)
        result.push_back(snapshotOf(*cell));
    return result;
}

QueryCellSnapshot QueryMetrics::total(std::string_view target) const
{
    QueryCellSnapshot total;
    total.target = target;
    total.duration.buckets.assign(LatencyHistogram::kBuckets, 0);
    std::shared_lock lock(m_mutex);
    if (target.empty()) {
        for (const auto& [key, cell] : m_cells)
            accumulate(total, *cell);
        return total;
    }
    // One target's cells are contiguous in the (target, operation) order.
    for (auto it = m_cells.lower_bound(KeyLess::View{target, {}}); it != m_cells.end() && it->first.first == target;
         ++it)
        accumulate(total, *it->second);
    return total;
}

QueryCellSnapshot QueryMetrics::totalWhere(
    const std::function<bool(std::string_view target, std::string_view operation)>& include) const
{
    QueryCellSnapshot total;
    total.duration.buckets.assign(LatencyHistogram::kBuckets, 0);
    std::shared_lock lock(m_mutex);
    for (const auto& [key, cell] : m_cells)
        if (include(key.first, key.second))
            accumulate(total, *cell);
    return total;
}

}  // namespace pulse

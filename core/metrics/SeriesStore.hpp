#pragma once
// Named time series for the console's charts ("lag_seconds/replica",
// "pool_in_use/primary", "qps/replica", "latency_p95/read", ...), all with the
// same capacity (METRICS_HISTORY_SECONDS points, one per second). Series are
// created on first append and never removed, so the memory held is bounded
// by (number of series x capacity) and reported by memoryBytes().
// Thread-safe.
#include "metrics/TimeSeries.hpp"

#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

namespace pulse {

class SeriesStore {
public:
    explicit SeriesStore(size_t capacity = 3600);
    void append(const std::string& name, std::int64_t timeMs, double value);
    std::vector<SeriesPoint> since(const std::string& name, std::int64_t afterMs = 0) const;  // empty if unknown
    std::vector<std::string> names() const;
    size_t memoryBytes() const;
    size_t capacity() const { return m_capacity; }
private:
    const size_t m_capacity;
    mutable std::shared_mutex m_mutex;
    std::map<std::string, std::unique_ptr<TimeSeries>, std::less<>> m_series;
};

}  // namespace pulse

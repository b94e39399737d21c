#pragma once
// A fixed-size series for charts: one value per second for an hour by
// default (capacity points), oldest overwritten. Memory is allocated once at
// construction and never grows; memoryBytes() reports it.
// Thread-safe (a mutex: appends come once per second per series).
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

namespace pulse {

struct SeriesPoint {
    std::int64_t timeMs = 0;  // since the Unix epoch
    double value = 0;
};

class TimeSeries {
public:
    explicit TimeSeries(size_t capacity = 3600);
    // Appends a point; a point with the same second as the last one replaces it.
    void append(std::int64_t timeMs, double value);
    // Points with timeMs > afterMs, oldest first (afterMs = 0: all).
    std::vector<SeriesPoint> since(std::int64_t afterMs = 0) const;
    std::optional<SeriesPoint> last() const;
    size_t size() const;
    size_t capacity() const { return m_capacity; }
    size_t memoryBytes() const;  // the ring's storage, allocated up front
private:
    const size_t m_capacity;
    mutable std::mutex m_mutex;
    std::vector<SeriesPoint> m_ring;
    size_t m_start = 0, m_size = 0;
};

}  // namespace pulse

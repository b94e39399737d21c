#include "metrics/SeriesStore.hpp"

#include <mutex>

namespace pulse {

SeriesStore::SeriesStore(size_t capacity)
    : m_capacity(capacity)
{
}

void SeriesStore::append(const std::string& name, std::int64_t timeMs, double value)
{
    TimeSeries* series = nullptr;
    {
        std::shared_lock lock(m_mutex);
        if (const auto it = m_series.find(name); it != m_series.end())
            series = it->second.get();
    }
    if (!series) {
        std::unique_lock lock(m_mutex);
        auto& slot = m_series[name];
        if (!slot)
            slot = std::make_unique<TimeSeries>(m_capacity);
        series = slot.get();
    }
    // Series are never removed, so the pointer outlives the store's lock and
    // appends to different series never wait on one another.
    series->append(timeMs, value);
}

std::vector<SeriesPoint> SeriesStore::since(const std::string& name, std::int64_t afterMs) const
{
    const TimeSeries* series = nullptr;
    {
        std::shared_lock lock(m_mutex);
        const auto it = m_series.find(name);
        if (it == m_series.end())
            return {};
        series = it->second.get();
    }
    return series->since(afterMs);
}

std::vector<std::string> SeriesStore::names() const
{
    std::shared_lock lock(m_mutex);
    std::vector<std::string> result;
    result.reserve(m_series.size());
    for (const auto& entry : m_series)
        result.push_back(entry.first);
    return result;
}

size_t SeriesStore::memoryBytes() const
{
    // The rings dominate (16 bytes a point); the per-series bookkeeping (the
    // TimeSeries object, the map entry and the name) is added so the figure
    // is what the process really holds, to within allocator rounding.
    std::shared_lock lock(m_mutex);
    size_t total = 0;
    for (const auto& entry : m_series)
        total += entry.second->memoryBytes() + sizeof(TimeSeries) + sizeof(entry) + entry.first.size();
    return total;
}

}  // namespace pulse

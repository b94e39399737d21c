#include "metrics/TimeSeries.hpp"

#include <algorithm>

namespace pulse {

namespace {

// Floor division, so that the second of a (theoretical) pre-1970 time is
// still the one it falls in.
std::int64_t secondOf(std::int64_t timeMs)
{
    return timeMs >= 0 ? timeMs / 1000 : -((-timeMs + 999) / 1000);
}

}  // namespace

// A capacity of 0 would make every append a modulo by zero; a series always
// holds at least its latest point.
TimeSeries::TimeSeries(size_t capacity)
    : m_capacity(std::max<size_t>(1, capacity))
    , m_ring(m_capacity)
{
}

void TimeSeries::append(std::int64_t timeMs, double value)
{
    std::lock_guard lock(m_mutex);
    if (m_size > 0) {
        auto& newest = m_ring[(m_start + m_size - 1) % m_capacity];
        const auto newestSecond = secondOf(newest.timeMs);
        const auto second = secondOf(timeMs);
        // Two samples within one second (a poll that ran late, then on time)
        // would put two points in one chart pixel column: keep the latest.
        if (second == newestSecond) {
            newest = {timeMs, value};
            return;
        }
        // The wall clock stepped back (NTP). Points stay in time order so
        // since() can binary-search and charts never draw backwards; like
        // Prometheus, an out-of-order sample is dropped.
        if (second < newestSecond)
            return;
    }
    if (m_size < m_capacity) {
        m_ring[(m_start + m_size) % m_capacity] = {timeMs, value};
        ++m_size;
    } else {
        m_ring[m_start] = {timeMs, value};
        m_start = (m_start + 1) % m_capacity;
    }
}

std::vector<SeriesPoint> TimeSeries::since(std::int64_t afterMs) const
{
    std::lock_guard lock(m_mutex);
    const auto at = [this](size_t i) -> const SeriesPoint& { return m_ring[(m_start + i) % m_capacity]; };
    // Times increase strictly, so the first point after afterMs is found by
    // bisection: a UI polling for new points copies only those.
    size_t lo = 0, hi = m_size;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (at(mid).timeMs <= afterMs)
            lo = mid + 1;
        else
            hi = mid;
    }
    std::vector<SeriesPoint> result;
    result.reserve(m_size - lo);
    for (size_t i = lo; i < m_size; ++i)
        result.push_back(at(i));
    return result;
}

std::optional<SeriesPoint> TimeSeries::last() const
{
    std::lock_guard lock(m_mutex);
    if (m_size == 0)
        return std::nullopt;
    return m_ring[(m_start + m_size - 1) % m_capacity];
}

size_t TimeSeries::size() const
{
    std::lock_guard lock(m_mutex);
    return m_size;
}

size_t TimeSeries::memoryBytes() const
{
    // The ring never reallocates, so no lock is needed.
    return m_ring.capacity() * sizeof(SeriesPoint);
}

}  // namespace pulse

#include "charts/ChartFeed.hpp"

#include "metrics/SeriesStore.hpp"

#include <algorithm>

namespace pulse::ui {

ChartFeed::ChartFeed(const SeriesStore& store, std::chrono::milliseconds window)
    : m_store(store)
    , m_window(std::max(window, std::chrono::milliseconds(1000)))
{ }

void ChartFeed::setWindow(std::chrono::milliseconds window)
{
    window = std::max(window, std::chrono::milliseconds(1000));
    if (window == m_window)
        return;
    const bool grows = window > m_window;
    m_window = window;
    for (auto& [name, buffer] : m_series) {
        if (grows) {
            // The older points were trimmed away; the store still has them
            // (it keeps METRICS_HISTORY_SECONDS), so read the window afresh.
            buffer.points.clear();
            buffer.lastMs = 0;
            ++buffer.version;
        } else if (m_nowMs > 0 && trim(buffer, m_nowMs - m_window.count())) {
            ++buffer.version;
        }
    }
}

bool ChartFeed::trim(Buffer& buffer, std::int64_t cutoffMs)
{
    const double cutoff = static_cast<double>(cutoffMs);
    const auto firstKept = std::upper_bound(
        buffer.points.cbegin(), buffer.points.cend(), cutoff, [](double x, const QPointF& p) { return x < p.x(); });
    const auto drop = firstKept - buffer.points.cbegin();
    if (drop == 0)
        return false;
    // QList drops leading elements by moving its begin, without shifting the rest.
    buffer.points.remove(0, drop);
    return true;
}

bool ChartFeed::pull(std::int64_t nowMs)
{
    m_nowMs = nowMs;
    const std::int64_t cutoffMs = nowMs - m_window.count();
    bool changed = false;
    for (const std::string& name : m_store.names()) {
        Buffer& buffer = m_series[name];
        bool touched = trim(buffer, cutoffMs);
        // Only what is new and inside the window is copied out of the store.
        const auto fresh = m_store.since(name, std::max(buffer.lastMs, cutoffMs));
        const auto end
            = std::find_if(fresh.begin(), fresh.end(), [nowMs](const SeriesPoint& p) { return p.timeMs > nowMs; });
        if (end != fresh.begin()) {
            for (auto it = fresh.begin(); it != end; ++it)
                buffer.points.append(QPointF(static_cast<double>(it->timeMs), it->value));
            buffer.lastMs = std::prev(end)->timeMs;
            m_newestMs = std::max(m_newestMs, buffer.lastMs);
            touched = true;
        }
        if (touched) {
            ++buffer.version;
            changed = true;
        }
    }
    return changed;
}

std::vector<std::string> ChartFeed::names() const
{
    std::vector<std::string> result;
    result.reserve(m_series.size());
    for (const auto& entry : m_series)
        result.push_back(entry.first);
    return result;
}

const QList<QPointF>& ChartFeed::points(const std::string& name) const
{
    static const QList<QPointF> kNone;
    const auto it = m_series.find(name);
    return it == m_series.end() ? kNone : it->second.points;
}

std::uint64_t ChartFeed::version(const std::string& name) const
{
    const auto it = m_series.find(name);
    return it == m_series.end() ? 0 : it->second.version;
}

qsizetype ChartFeed::totalPoints() const
{
    qsizetype total = 0;
    for (const auto& entry : m_series)
        total += entry.second.points.size();
    return total;
}

} // namespace pulse::ui

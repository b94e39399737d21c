#pragma once
// The charts' copy of the engine's series: pulls only the points it has not
// seen yet (SeriesStore::since, a binary search and a short copy under the
// series' lock, never the network) and keeps each series trimmed to the
// visible time window, so what it holds is bounded by window x series and
// never grows with uptime.
//
// Pure logic (no widgets): charts read points() after a pull. Points are
// kept as QPointF (x: ms since the epoch, y: the raw value) so a chart can
// hand a whole series to QXYSeries::replace() without converting it.
//
// Thread contract: one thread (the UI thread) uses a ChartFeed; the store
// may be appended to from any thread meanwhile.

#include <QList>
#include <QPointF>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace pulse {
class SeriesStore;
} // namespace pulse

namespace pulse::ui {

class ChartFeed {
public:
    static constexpr std::chrono::milliseconds kDefaultWindow {std::chrono::minutes(5)};

    // The store must outlive the feed.
    explicit ChartFeed(const SeriesStore& store, std::chrono::milliseconds window = kDefaultWindow);

    // The visible window is (now - window, now]. A shorter window trims at
    // once (against the last pull's now); a longer one drops what is held
    // and reads the whole new window from the store at the next pull.
    void setWindow(std::chrono::milliseconds window);
    std::chrono::milliseconds window() const { return m_window; }

    // Reads, for every series of the store, the points newer than the ones
    // held and not after nowMs (a later point waits for a later pull), then
    // drops the points at or before nowMs - window. Returns whether any
    // series changed.
    bool pull(std::int64_t nowMs);
    // The nowMs of the last pull (0 before the first).
    std::int64_t lastPullMs() const { return m_nowMs; }
    // The newest point held across every series (0: none yet).
    std::int64_t newestPointMs() const { return m_newestMs; }

    // Every series seen in the store so far, in name order.
    std::vector<std::string> names() const;
    // Oldest first; empty for a series not seen.
    const QList<QPointF>& points(const std::string& name) const;
    int pointCount(const std::string& name) const { return static_cast<int>(points(name).size()); }
    // Bumped each time a series' points change, so a chart replaces only the
    // series that did (0: never had points).
    std::uint64_t version(const std::string& name) const;
    // Every point held, over all series (what the window bounds).
    qsizetype totalPoints() const;

private:
    struct Buffer {
        QList<QPointF> points;
        std::int64_t lastMs = 0; // newest point read from the store, even if since trimmed
        std::uint64_t version = 0;
    };
    // Drops a buffer's points at or before cutoffMs; true if any went.
    static bool trim(Buffer& buffer, std::int64_t cutoffMs);

    const SeriesStore& m_store;
    std::chrono::milliseconds m_window;
    std::int64_t m_nowMs = 0;
    std::int64_t m_newestMs = 0;
    std::map<std::string, Buffer, std::less<>> m_series;
};

} // namespace pulse::ui

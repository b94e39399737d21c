#pragma once
// The live charts: replication lag (seconds and bytes), pool usage per node
// (checked out, overflow, waiters against capacity), query latency p50/p95/
// p99 for reads and writes, queries per second by target, and ETL rows/s
// once a load reports them. Above them: the time window (1, 5, 15 or 60
// minutes), Pause, and when the newest point arrived.
//
// Thread contract: UI thread only. A timer (kPullInterval) copies the new
// points out of the engine's SeriesStore (a short lock per series, never the
// network) into a ChartFeed trimmed to the window; repaints are coalesced
// by a single-shot timer (kRepaintDelay), so the charts redraw at most about
// ten times a second however often refresh() runs, and each changed line is
// replaced in one call. While the panel is hidden (another tab) it keeps
// pulling, which is cheap and keeps the feed bounded, but redraws only when
// shown again. Memory is bounded by window x series.
//
// The Engine (or store) must outlive the panel; the panel never starts or
// stops the engine's monitor, which is what appends the points.

#include "charts/ChartFeed.hpp"

#include <QList>
#include <QString>
#include <QTimer>
#include <QWidget>

#include <chrono>
#include <cstdint>
#include <functional>

class QComboBox;
class QLabel;
class QToolButton;

namespace pulse {
class Engine;
class SeriesStore;
} // namespace pulse

namespace pulse::ui {

class LiveChart;

class ChartsPanel : public QWidget {
    Q_OBJECT

public:
    static constexpr std::chrono::milliseconds kPullInterval {500};
    static constexpr std::chrono::milliseconds kRepaintDelay {100};
    static constexpr std::chrono::minutes kDefaultWindow {5};
    // Milliseconds since the Unix epoch.
    using Clock = std::function<std::int64_t()>;

    explicit ChartsPanel(Engine& engine, QWidget* parent = nullptr);
    // Charts of any store (a replay, a test); it must outlive the panel.
    explicit ChartsPanel(const SeriesStore& store, QWidget* parent = nullptr);
    ~ChartsPanel() override;

    bool isPaused() const { return m_paused; }
    std::chrono::minutes window() const { return m_window; }
    // Where "now" comes from: the wall clock unless set (tests, replays).
    void setClock(Clock clock);

    // While paused nothing is pulled or redrawn (hover still works);
    // unpausing pulls at once, catching up on every point appended meanwhile
    // that is still inside the window.
    void setPaused(bool paused);
    // 1, 5, 15 or 60 minutes from the selector; any other length works too.
    // Trims at once; a longer window re-reads the older points from the
    // store (also while paused, up to the time it was paused).
    void setWindow(std::chrono::minutes window);

    // Points drawn for a series ("lag_seconds/replica"), as of the last
    // repaint; -1 when no chart draws it (yet).
    int pointCount(const QString& seriesName) const;
    QList<LiveChart*> charts() const { return m_charts; }
    const ChartFeed& feed() const { return m_feed; }
    int repaintCount() const { return m_repaintCount; }
    QString lastUpdatedText() const;

public Q_SLOTS:
    // Pulls the new points now (what the timer calls) and schedules a
    // coalesced repaint (when shown). Does nothing while paused.
    void refresh();
    // Applies what was pulled to the charts now (what the repaint timer calls).
    void repaintNow();

Q_SIGNALS:
    void pausedChanged(bool paused);
    void windowChanged(int minutes);
    void repainted();

protected:
    void showEvent(QShowEvent* event) override;

private:
    void buildCharts();
    void scheduleRepaint();
    void updateLastUpdated();

    ChartFeed m_feed;
    Clock m_clock;
    std::chrono::minutes m_window {kDefaultWindow};
    bool m_paused = false;
    bool m_repaintWhenShown = false;
    int m_repaintCount = 0;
    QTimer m_pullTimer;
    QTimer m_repaintTimer;
    QList<LiveChart*> m_charts;
    QComboBox* m_windowBox = nullptr;
    QToolButton* m_pauseButton = nullptr;
    QLabel* m_lastUpdated = nullptr;
};

} // namespace pulse::ui

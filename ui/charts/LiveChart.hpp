#pragma once
// One live time chart: a QChartView with a time axis over the visible
// window, a value axis on the left (and optionally one on the right), a
// legend naming every line, and the values under the mouse in a label that
// follows the pointer.
//
// Lines come from a ChartFeed by rules ("every lag_seconds/<replica>"):
// a line appears the first time its series does, and each update replaces
// the points of the lines whose series changed, one replace() per line, so
// Qt Charts rebuilds each changed line once instead of once per point. What
// is handed over is reduced to about two points per pixel column
// (LineDecimator); the hover label and pointCount() use every point.
// Colours are never the only signal: the legend names every line. Lines are
// solid (QPainter strokes a dashed polyline of thousands of points about 30
// times slower); only a reference line (a capacity), flat and so reduced to
// a few points, is dashed, in the colour of its subject's first line.
// Where a series has no samples for a while (a node down) its line breaks
// instead of ramping across the hole: each piece after the first is a
// continuation series without a legend entry.
// The chart follows the widget's palette: Qt Charts' dark theme on a dark
// window (its light one otherwise), the line colours kept.
//
// UI thread only; nothing here touches the engine.

#include <QChartView>
#include <QColor>
#include <QList>
#include <QPointF>
#include <QString>
#include <QStringList>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

class QDateTimeAxis;
class QLabel;
class QLineSeries;
class QValueAxis;

namespace pulse::ui {

class ChartFeed;

// How a series' raw values read: the unit the store holds them in, and the
// one shown on the axis, in the hover label and the legend.
enum class ChartUnit {
    Count, // "12"
    Seconds, // "0.42 s"
    LatencySeconds, // stored in seconds, shown in milliseconds: "12.3 ms"
    Bytes, // the axis picks B, KiB, MiB or GiB from the largest value shown
    PerSecond, // "125.0/s"
};

// Which series of the feed a chart draws, and how.
struct ChartLineRule {
    // "lag_seconds/" (ends with '/'): one line per series under it;
    // otherwise the exact series name ("etl_rows_per_second").
    std::string series;
    // Legend text; %1 is the series' subject, the part after the last '/'
    // ("replica", "primary", "read").
    QString label;
    ChartUnit unit = ChartUnit::Count;
    bool rightAxis = false;
    // Anything but solid: a reference line, drawn in the colour of the first
    // line of the same subject; solid while it has more than a few dozen
    // points after reduction (i.e. is not flat).
    Qt::PenStyle style = Qt::SolidLine;
};

class LiveChart : public QChartView {
    Q_OBJECT

public:
    // Samples come once a second: further apart than this, two points have
    // a hole between them and the line breaks there.
    static constexpr double kDefaultGapMs = 2500;

    LiveChart(const QString& title, std::vector<ChartLineRule> rules, QWidget* parent = nullptr);
    ~LiveChart() override;

    // The hole size, for series sampled less often (a slower monitor).
    void setGapMs(double gapMs);

    // Value axis titles ("seconds", "bytes"); a Bytes axis appends its unit.
    void setAxisTitles(const QString& left, const QString& right = {});
    // Shown over the chart while no line has a point in the window.
    void setEmptyText(const QString& text);

    // Adds a line for each matching series seen for the first time, replaces
    // the points of the lines whose series changed, and shows the window
    // (nowMs - window, nowMs] on the time axis.
    void updateFrom(const ChartFeed& feed, std::int64_t nowMs, std::chrono::milliseconds window);

    bool matches(const std::string& seriesName) const;
    // Points of a series inside the window; -1 when the chart has no line for it.
    int pointCount(const std::string& seriesName) const;
    // Points handed to Qt Charts for it, after reduction (-1: no line).
    int drawnPointCount(const std::string& seriesName) const;
    // Pieces it is drawn as (1 without gaps; 0 without points; -1: no line).
    int pieceCount(const std::string& seriesName) const;
    bool isDarkTheme() const { return m_dark; }
    int lineCount() const { return static_cast<int>(m_lines.size()); }
    // The legend's text, in legend order.
    QStringList legendLabels() const;
    // What the hover label says for a time: the local time, then each line
    // with a point within a sample period of it ("replica lag: 0.42 s").
    // Empty when no line has one.
    QString valuesAt(std::int64_t timeMs) const;
    bool isShowingEmptyText() const;

protected:
    void mouseMoveEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    struct Line {
        const ChartLineRule* rule = nullptr;
        QLineSeries* series = nullptr; // owned by the chart; the first piece and the legend entry
        std::vector<QLineSeries*> continuations; // later pieces, reused; empty ones draw nothing
        QColor color;
        Qt::PenStyle style = Qt::SolidLine; // as drawn now (a reference line turns solid once not flat)
        int pieces = 0;
        QList<QPointF> raw; // the feed's points (implicitly shared, not copied)
        std::uint64_t version = 0; // the feed's version last shown
        double scale = 1; // display = raw * scale
        double drawnScale = 0; // the scale of the points last handed over
        int columns = 0; // pixel columns it was reduced for
        int drawn = 0;
        double rawMax = 0;
        double rawMin = 0;
    };

    const ChartLineRule* ruleFor(const std::string& seriesName) const;
    Line& addLine(const std::string& seriesName, const ChartLineRule& rule);
    QColor colorFor(const std::string& seriesName, const ChartLineRule& rule);
    QPen penFor(const Line& line, Qt::PenStyle style) const;
    void setPen(Line& line, const QPen& pen);
    QLineSeries* addContinuation(Line& line);
    void applyTheme();
    void fitTicks();
    void updateValueAxis(QValueAxis* axis, bool right, const QString& title);
    void placeEmptyLabel();

    std::vector<ChartLineRule> m_rules;
    std::map<std::string, Line, std::less<>> m_lines;
    std::vector<std::string> m_lineOrder; // as added: the legend's order
    std::map<QString, QColor> m_subjectColors; // a subject's first line's colour
    size_t m_colorsUsed = 0;
    QDateTimeAxis* m_timeAxis;
    QValueAxis* m_leftAxis;
    QValueAxis* m_rightAxis = nullptr; // created with the first right-axis line
    QString m_leftTitle;
    QString m_rightTitle;
    double m_bytesDivisor[2] = {1, 1}; // per axis (left, right), for Bytes
    QLabel* m_hoverLabel;
    QLabel* m_emptyLabel;
    bool m_dark = false;
    double m_gapMs = kDefaultGapMs;
};

} // namespace pulse::ui

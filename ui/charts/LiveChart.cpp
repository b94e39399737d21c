#include "charts/LiveChart.hpp"

#include "Formatting.hpp"
#include "charts/ChartFeed.hpp"
#include "charts/LineDecimator.hpp"

#include <QChart>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QGraphicsLayout>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QMouseEvent>
#include <QPen>
#include <QValueAxis>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <set>

namespace pulse::ui {
namespace {

// Samples come once a second: a point further than this from the pointer is
// another moment, not the one under it.
constexpr double kHoverToleranceMs = 1500;

// Okabe-Ito first (told apart with the common colour-vision deficiencies;
// yellow left out: unreadable on white), then three of Paul Tol's muted set.
const std::array<QColor, 10> kPalette {
    QColor(0x00, 0x72, 0xB2),
    QColor(0xE6, 0x9F, 0x00),
    QColor(0x00, 0x9E, 0x73),
    QColor(0xCC, 0x79, 0xA7),
    QColor(0xD5, 0x5E, 0x00),
    QColor(0x56, 0xB4, 0xE9),
    QColor(0x00, 0x00, 0x00),
    QColor(0x88, 0x22, 0x55),
    QColor(0x44, 0xAA, 0x99),
    QColor(0x99, 0x99, 0x33),
};

// Pieces of one line at most (each is a QLineSeries); beyond, the narrowest gaps are bridged.
constexpr size_t kMaxPieces = 16;

// A reference line with more points than this after reduction is drawn solid.
constexpr qsizetype kMaxDashedPoints = 64;

// Pixel columns to reduce for before the chart has been laid out.
constexpr int kDefaultColumns = 800;

// A "nice" upper bound at or above value: 1, 2, 2.5 or 5 times a power of ten.
double niceCeil(double value)
{
    if (value <= 0)
        return 1;
    const double magnitude = std::pow(10.0, std::floor(std::log10(value)));
    for (const double step : {1.0, 2.0, 2.5, 5.0, 10.0})
        if (step * magnitude >= value * (1 - 1e-9))
            return step * magnitude;
    return 10 * magnitude;
}

struct ByteUnit {
    double divisor;
    QString name;
};

ByteUnit byteUnitFor(double bytes)
{
    static const std::array<ByteUnit, 4> units {ByteUnit {1.0, QStringLiteral("B")},
        ByteUnit {1024.0, QStringLiteral("KiB")}, ByteUnit {1024.0 * 1024.0, QStringLiteral("MiB")},
        ByteUnit {1024.0 * 1024.0 * 1024.0, QStringLiteral("GiB")}};
    ByteUnit best = units.front();
    for (const auto& unit : units)
        if (std::abs(bytes) >= unit.divisor)
            best = unit;
    return best;
}

QString subjectOf(const std::string& seriesName)
{
    const auto slash = seriesName.rfind('/');
    return toQString(
        slash == std::string::npos ? std::string_view(seriesName) : std::string_view(seriesName).substr(slash + 1));
}

// A raw value as the hover label says it.
QString formatValue(double raw, ChartUnit unit)
{
    switch (unit) {
    case ChartUnit::Count:
        return raw == std::floor(raw) ? QString::number(raw, 'f', 0) : QString::number(raw, 'f', 1);
    case ChartUnit::Seconds:
        return QString::number(raw, 'f', raw < 10 ? 2 : 1) + QStringLiteral(" s");
    case ChartUnit::LatencySeconds:
        return formatMilliseconds(raw * 1000.0) + QStringLiteral(" ms");
    case ChartUnit::Bytes: {
        const ByteUnit u = byteUnitFor(raw);
        return QString::number(raw / u.divisor, 'f', u.divisor == 1.0 ? 0 : 1) + QLatin1Char(' ') + u.name;
    }
    case ChartUnit::PerSecond:
        return QString::number(raw, 'f', raw < 100 ? 1 : 0) + QStringLiteral("/s");
    }
    return QString::number(raw);
}

// Decimals for an axis' labels, from its upper bound.
QString labelFormat(double upper)
{
    if (upper >= 10)
        return QStringLiteral("%.0f");
    if (upper >= 1)
        return QStringLiteral("%.1f");
    if (upper >= 0.1)
        return QStringLiteral("%.2f");
    return QStringLiteral("%.3f");
}

} // namespace

LiveChart::LiveChart(const QString& title, std::vector<ChartLineRule> rules, QWidget* parent)
    : QChartView(parent)
    , m_rules(std::move(rules))
    , m_timeAxis(new QDateTimeAxis)
    , m_leftAxis(new QValueAxis)
    , m_hoverLabel(new QLabel(this))
    , m_emptyLabel(new QLabel(this))
{
    auto* c = new QChart;
    c->setTitle(title);
    c->setAnimationOptions(QChart::NoAnimation); // a line that slides every second must not also ease
    c->legend()->setAlignment(Qt::AlignBottom);
    c->legend()->setVisible(true);
    c->setMargins(QMargins(4, 4, 4, 4));
    c->layout()->setContentsMargins(0, 0, 0, 0);
    c->setBackgroundRoundness(0);
    m_timeAxis->setTickCount(6);
    m_timeAxis->setFormat(QStringLiteral("HH:mm:ss"));
    m_leftAxis->setRange(0, 1);
    m_leftAxis->setLabelFormat(labelFormat(1));
    c->addAxis(m_timeAxis, Qt::AlignBottom);
    c->addAxis(m_leftAxis, Qt::AlignLeft);
    setChart(c); // the view owns the chart, the chart its axes and series
    applyTheme();
    // The plot area is known only once the chart has laid itself out.
    connect(c, &QChart::plotAreaChanged, this, [this] { fitTicks(); });
    setRenderHint(QPainter::Antialiasing);
    setMouseTracking(true);
    setMinimumSize(220, 150); // six of them must fit a 1366 x 768 screen beside the docks

    m_hoverLabel->setObjectName(QStringLiteral("hoverValues"));
    m_hoverLabel->setTextFormat(Qt::PlainText);
    m_hoverLabel->setFrameShape(QFrame::StyledPanel);
    m_hoverLabel->setAutoFillBackground(true);
    m_hoverLabel->setBackgroundRole(QPalette::ToolTipBase);
    m_hoverLabel->setForegroundRole(QPalette::ToolTipText);
    m_hoverLabel->setMargin(4);
    m_hoverLabel->setAttribute(Qt::WA_TransparentForMouseEvents);
    m_hoverLabel->hide();

    m_emptyLabel->setObjectName(QStringLiteral("emptyText"));
    m_emptyLabel->setAlignment(Qt::AlignCenter);
    m_emptyLabel->setWordWrap(true);
    m_emptyLabel->setAttribute(Qt::WA_TransparentForMouseEvents);
    m_emptyLabel->setForegroundRole(QPalette::PlaceholderText);
    m_emptyLabel->setText(QStringLiteral("No data in this window yet"));
}

LiveChart::~LiveChart() = default;

void LiveChart::setAxisTitles(const QString& left, const QString& right)
{
    m_leftTitle = left;
    m_rightTitle = right;
    m_leftAxis->setTitleText(left);
    if (m_rightAxis)
        m_rightAxis->setTitleText(right);
}

void LiveChart::setEmptyText(const QString& text)
{
    m_emptyLabel->setText(text);
}

const ChartLineRule* LiveChart::ruleFor(const std::string& seriesName) const
{
    for (const auto& rule : m_rules) {
        const bool prefix = !rule.series.empty() && rule.series.back() == '/';
        if (prefix ? (seriesName.size() > rule.series.size() && seriesName.starts_with(rule.series))
                   : seriesName == rule.series)
            return &rule;
    }
    return nullptr;
}

bool LiveChart::matches(const std::string& seriesName) const
{
    return ruleFor(seriesName) != nullptr;
}

QColor LiveChart::colorFor(const std::string& seriesName, const ChartLineRule& rule)
{
    const QString subject = subjectOf(seriesName);
    if (rule.style != Qt::SolidLine)
        if (const auto it = m_subjectColors.find(subject); it != m_subjectColors.end())
            return it->second;
    const QColor color = kPalette[m_colorsUsed++ % kPalette.size()];
    m_subjectColors.emplace(subject, color); // the subject's first line only
    return color;
}

LiveChart::Line& LiveChart::addLine(const std::string& seriesName, const ChartLineRule& rule)
{
    const QString subject = subjectOf(seriesName);
    auto* series = new QLineSeries;
    series->setName(rule.label.contains(QLatin1String("%1")) ? rule.label.arg(subject) : rule.label);
    Line& line = m_lines[seriesName];
    line.rule = &rule;
    line.series = series;
    line.color = colorFor(seriesName, rule);
    line.style = rule.style;
    series->setPen(penFor(line, rule.style));
    chart()->addSeries(series);
    series->attachAxis(m_timeAxis);
    if (rule.rightAxis) {
        if (!m_rightAxis) {
            m_rightAxis = new QValueAxis;
            m_rightAxis->setRange(0, 1);
            m_rightAxis->setTitleText(m_rightTitle);
            chart()->addAxis(m_rightAxis, Qt::AlignRight);
        }
        series->attachAxis(m_rightAxis);
    } else {
        series->attachAxis(m_leftAxis);
    }
    m_lineOrder.push_back(seriesName);
    return line;
}

QPen LiveChart::penFor(const Line& line, Qt::PenStyle style) const
{
    // Black is one of the palette's colours; on a dark chart it is drawn white.
    QColor color = line.color;
    if (m_dark && color.lightnessF() < 0.15)
        color = QColor(0xEE, 0xEE, 0xEE);
    QPen pen(color);
    pen.setWidthF(1.5);
    pen.setStyle(style);
    return pen;
}

void LiveChart::setPen(Line& line, const QPen& pen)
{
    line.series->setPen(pen);
    for (QLineSeries* piece : line.continuations)
        piece->setPen(pen);
}

QLineSeries* LiveChart::addContinuation(Line& line)
{
    auto* piece = new QLineSeries;
    piece->setName(line.series->name());
    piece->setPen(line.series->pen());
    chart()->addSeries(piece);
    for (QAbstractAxis* axis : line.series->attachedAxes())
        piece->attachAxis(axis);
    // One legend entry per line: the first piece's.
    for (QLegendMarker* marker : chart()->legend()->markers(piece))
        marker->setVisible(false);
    line.continuations.push_back(piece);
    return piece;
}

void LiveChart::applyTheme()
{
    const bool dark = palette().color(QPalette::Window).lightnessF() < 0.5;
    if (dark == m_dark && chart()->theme() == (dark ? QChart::ChartThemeDark : QChart::ChartThemeLight))
        return;
    m_dark = dark;
    // setTheme() restyles the background, axes and legend, and gives every
    // series a colour of its own theme: the lines get theirs back.
    chart()->setTheme(dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    chart()->setBackgroundRoundness(0);
    for (auto& entry : m_lines)
        setPen(entry.second, penFor(entry.second, entry.second.style));
}

void LiveChart::setGapMs(double gapMs)
{
    m_gapMs = gapMs;
    for (auto& entry : m_lines)
        entry.second.version = 0; // cut again at the next update
}

void LiveChart::updateFrom(const ChartFeed& feed, std::int64_t nowMs, std::chrono::milliseconds window)
{
    // New lines in rule order, then by name: the legend reads the same way
    // whatever order the series first turned up in.
    std::vector<std::pair<size_t, std::string>> added;
    for (const std::string& name : feed.names())
        if (!m_lines.contains(name))
            if (const ChartLineRule* rule = ruleFor(name))
                added.emplace_back(static_cast<size_t>(rule - m_rules.data()), name);
    std::sort(added.begin(), added.end());
    for (const auto& [index, name] : added)
        addLine(name, m_rules[index]);

    // Extents of the changed lines, in raw units: a Bytes axis picks its unit
    // from them before any line is scaled.
    for (auto& [name, line] : m_lines) {
        if (feed.version(name) == line.version)
            continue;
        line.raw = feed.points(name); // shared with the feed, not copied
        line.rawMin = 0;
        line.rawMax = 0;
        for (const QPointF& p : line.raw) {
            line.rawMin = std::min(line.rawMin, p.y());
            line.rawMax = std::max(line.rawMax, p.y());
        }
    }
    for (const bool right : {false, true}) {
        double largest = 0;
        for (const auto& entry : m_lines)
            if (entry.second.rule->rightAxis == right && entry.second.rule->unit == ChartUnit::Bytes)
                largest = std::max(largest, entry.second.rawMax);
        m_bytesDivisor[right ? 1 : 0] = byteUnitFor(largest).divisor;
    }

    // The time axis first, the value axes from the new extents, and only
    // then the points: every axis change makes Qt Charts recompute each
    // line's geometry, so a value axis is touched only when its range moves.
    m_timeAxis->setFormat(window > std::chrono::minutes(5) ? QStringLiteral("HH:mm") : QStringLiteral("HH:mm:ss"));
    m_timeAxis->setRange(QDateTime::fromMSecsSinceEpoch(nowMs - window.count()), QDateTime::fromMSecsSinceEpoch(nowMs));
    const auto scaleOf = [this](const Line& line) {
        if (line.rule->unit == ChartUnit::LatencySeconds)
            return 1000.0;
        if (line.rule->unit == ChartUnit::Bytes)
            return 1.0 / m_bytesDivisor[line.rule->rightAxis ? 1 : 0];
        return 1.0;
    };
    for (auto& entry : m_lines)
        entry.second.scale = scaleOf(entry.second);
    updateValueAxis(m_leftAxis, false, m_leftTitle);
    if (m_rightAxis)
        updateValueAxis(m_rightAxis, true, m_rightTitle);

    const double plotWidth = chart()->plotArea().width();
    const int columns = plotWidth >= 50 ? static_cast<int>(plotWidth) : kDefaultColumns;
    bool anyPoints = false;
    for (auto& [name, line] : m_lines) {
        const std::uint64_t version = feed.version(name);
        if (version != line.version || line.scale != line.drawnScale || columns != line.columns) {
            const std::vector<QList<QPointF>> pieces = LineDecimator::reduceSegments(line.raw,
                static_cast<double>(nowMs - window.count()), static_cast<double>(nowMs), columns, line.scale, m_gapMs,
                kMaxPieces);
            qsizetype shown = 0;
            for (const auto& piece : pieces)
                shown += piece.size();
            // A dashed line costs QPainter dearly per segment: once a
            // reference line stops being flat, draw it solid.
            if (line.rule->style != Qt::SolidLine) {
                const Qt::PenStyle style = shown <= kMaxDashedPoints ? line.rule->style : Qt::SolidLine;
                if (line.style != style) {
                    line.style = style;
                    setPen(line, penFor(line, style));
                }
            }
            while (line.continuations.size() + 1 < pieces.size())
                addContinuation(line);
            // One call per piece: Qt Charts rebuilds each once. Pieces no
            // longer needed are emptied, not removed (a gap comes and goes
            // as the window slides).
            // A piece of one point draws no line: it shows as a dot instead.
            const auto show = [](QLineSeries* series, const QList<QPointF>& points) {
                series->replace(points);
                if (series->pointsVisible() != (points.size() == 1))
                    series->setPointsVisible(points.size() == 1);
            };
            show(line.series, pieces.empty() ? QList<QPointF>() : pieces.front());
            for (size_t i = 0; i < line.continuations.size(); ++i)
                if (i + 1 < pieces.size())
                    show(line.continuations[i], pieces[i + 1]);
                else if (line.continuations[i]->count() > 0)
                    line.continuations[i]->clear();
            line.pieces = static_cast<int>(pieces.size());
            line.drawn = static_cast<int>(shown);
            line.version = version;
            line.drawnScale = line.scale;
            line.columns = columns;
        }
        anyPoints = anyPoints || !line.raw.isEmpty();
    }

    m_emptyLabel->setVisible(!anyPoints);
    if (!anyPoints)
        placeEmptyLabel();
}

void LiveChart::updateValueAxis(QValueAxis* axis, bool right, const QString& title)
{
    double low = 0;
    double high = 0;
    bool bytes = false;
    for (const auto& entry : m_lines) {
        const Line& line = entry.second;
        if (line.rule->rightAxis != right)
            continue;
        bytes = bytes || line.rule->unit == ChartUnit::Bytes;
        low = std::min(low, line.rawMin * line.scale);
        high = std::max(high, line.rawMax * line.scale);
    }
    // Head room above the highest point, so a flat line at capacity stays
    // visible below the frame.
    const double upper = niceCeil(high > 0 ? high * 1.05 : 1.0);
    const double lower = low < 0 ? -niceCeil(-low * 1.05) : 0.0;
    if (axis->min() != lower || axis->max() != upper) {
        axis->setRange(lower, upper);
        axis->setLabelFormat(labelFormat(upper));
    }
    if (bytes) {
        const QString text
            = title + QStringLiteral(" (") + byteUnitFor(m_bytesDivisor[right ? 1 : 0]).name + QLatin1Char(')');
        if (axis->titleText() != text)
            axis->setTitleText(text);
    }
}

int LiveChart::pointCount(const std::string& seriesName) const
{
    const auto it = m_lines.find(seriesName);
    return it == m_lines.end() ? -1 : static_cast<int>(it->second.raw.size());
}

int LiveChart::drawnPointCount(const std::string& seriesName) const
{
    const auto it = m_lines.find(seriesName);
    return it == m_lines.end() ? -1 : it->second.drawn;
}

int LiveChart::pieceCount(const std::string& seriesName) const
{
    const auto it = m_lines.find(seriesName);
    return it == m_lines.end() ? -1 : it->second.pieces;
}

QStringList LiveChart::legendLabels() const
{
    // A continuation's marker is hidden, but so is every marker while the
    // chart is: tell them apart by their series.
    std::set<const QAbstractSeries*> firstPieces;
    for (const auto& entry : m_lines)
        firstPieces.insert(entry.second.series);
    QStringList labels;
    for (QLegendMarker* marker : chart()->legend()->markers())
        if (firstPieces.contains(marker->series()))
            labels << marker->label();
    return labels;
}

QString LiveChart::valuesAt(std::int64_t timeMs) const
{
    QStringList rows;
    const double t = static_cast<double>(timeMs);
    for (const std::string& name : m_lineOrder) {
        const Line& line = m_lines.find(name)->second;
        const auto& points = line.raw;
        if (points.isEmpty())
            continue;
        // The nearer of the points either side of t.
        const auto after
            = std::lower_bound(points.cbegin(), points.cend(), t, [](const QPointF& p, double x) { return p.x() < x; });
        const QPointF* nearest = after != points.cend() ? &*after : nullptr;
        if (after != points.cbegin()) {
            const QPointF* before = &*std::prev(after);
            if (!nearest || t - before->x() < nearest->x() - t)
                nearest = before;
        }
        if (std::abs(nearest->x() - t) > kHoverToleranceMs)
            continue;
        rows << line.series->name() + QStringLiteral(": ") + formatValue(nearest->y(), line.rule->unit);
    }
    if (rows.isEmpty())
        return {};
    const auto time = std::chrono::system_clock::time_point(std::chrono::milliseconds(timeMs));
    rows.prepend(formatClock(std::chrono::time_point_cast<std::chrono::system_clock::duration>(time)));
    return rows.join(QLatin1Char('\n'));
}

bool LiveChart::isShowingEmptyText() const
{
    return !m_emptyLabel->isHidden();
}

void LiveChart::mouseMoveEvent(QMouseEvent* event)
{
    QChartView::mouseMoveEvent(event);
    const QPointF inChart = chart()->mapFromScene(mapToScene(event->position().toPoint()));
    if (m_lines.empty() || !chart()->plotArea().contains(inChart)) {
        m_hoverLabel->hide();
        return;
    }
    const QPointF value = chart()->mapToValue(inChart, m_lines.begin()->second.series);
    const QString text = valuesAt(static_cast<std::int64_t>(std::llround(value.x())));
    if (text.isEmpty()) {
        m_hoverLabel->hide();
        return;
    }
    m_hoverLabel->setText(text);
    m_hoverLabel->adjustSize();
    // Beside the pointer, flipped to its left near the right edge.
    QPoint at = event->position().toPoint() + QPoint(14, 14);
    if (at.x() + m_hoverLabel->width() > width())
        at.setX(event->position().toPoint().x() - 14 - m_hoverLabel->width());
    at.setY(std::min(at.y(), height() - m_hoverLabel->height()));
    m_hoverLabel->move(std::max(0, at.x()), std::max(0, at.y()));
    m_hoverLabel->show();
    m_hoverLabel->raise();
}

void LiveChart::leaveEvent(QEvent* event)
{
    m_hoverLabel->hide();
    QChartView::leaveEvent(event);
}

void LiveChart::resizeEvent(QResizeEvent* event)
{
    QChartView::resizeEvent(event);
    placeEmptyLabel();
}

void LiveChart::fitTicks()
{
    // Qt Charts elides value labels ("...") that have less than a line of
    // height each: a short chart gets fewer ticks instead.
    const double height = chart()->plotArea().height();
    const int ticks = height >= 150 ? 6 : height >= 90 ? 5 : height >= 40 ? 3 : 2;
    for (QValueAxis* axis : {m_leftAxis, m_rightAxis})
        if (axis && axis->tickCount() != ticks)
            axis->setTickCount(ticks);
}

void LiveChart::changeEvent(QEvent* event)
{
    QChartView::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        applyTheme();
}

void LiveChart::placeEmptyLabel()
{
    m_emptyLabel->setGeometry(rect().adjusted(24, 24, -24, -24));
}

} // namespace pulse::ui

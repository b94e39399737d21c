#include "charts/ChartsPanel.hpp"

#include "charts/LiveChart.hpp"
#include "engine/Engine.hpp"
#include "metrics/SeriesStore.hpp"

#include <QComboBox>
#include <QDateTime>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QToolButton>
#include <QVBoxLayout>

#include <array>

namespace pulse::ui {
namespace {

constexpr std::array<int, 4> kWindowChoices {1, 5, 15, 60};

// The newest point is this old before "last updated" also says how long ago.
constexpr std::int64_t kStaleAfterMs = 3000;

QString clockText(std::int64_t timeMs)
{
    return QDateTime::fromMSecsSinceEpoch(timeMs).toString(QStringLiteral("HH:mm:ss"));
}

} // namespace

ChartsPanel::ChartsPanel(Engine& engine, QWidget* parent)
    : ChartsPanel(engine.series(), parent)
{
    // The monitor samples once per cycle (at most once a second): a hole is
    // more than two and a half cycles without a point.
    const double gapMs = std::max<double>(
        LiveChart::kDefaultGapMs, 2.5 * static_cast<double>(engine.settings().monitorInterval.count()));
    for (LiveChart* chart : m_charts)
        chart->setGapMs(gapMs);
}

ChartsPanel::ChartsPanel(const SeriesStore& store, QWidget* parent)
    : QWidget(parent)
    , m_feed(store, kDefaultWindow)
    , m_clock([] { return QDateTime::currentMSecsSinceEpoch(); })
{
    setObjectName(QStringLiteral("chartsPanel"));

    m_windowBox = new QComboBox(this);
    m_windowBox->setObjectName(QStringLiteral("chartWindow"));
    for (const int minutes : kWindowChoices)
        m_windowBox->addItem(QStringLiteral("Last %1 min").arg(minutes), minutes);
    m_windowBox->setCurrentIndex(m_windowBox->findData(static_cast<int>(m_window.count())));
    m_windowBox->setToolTip(QStringLiteral("How much history the charts show"));
    connect(m_windowBox, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (index >= 0)
            setWindow(std::chrono::minutes(m_windowBox->itemData(index).toInt()));
    });

    m_pauseButton = new QToolButton(this);
    m_pauseButton->setObjectName(QStringLiteral("chartPause"));
    m_pauseButton->setCheckable(true);
    m_pauseButton->setText(QStringLiteral("Pause"));
    m_pauseButton->setToolTip(QStringLiteral("Hold the charts still; resuming catches up"));
    connect(m_pauseButton, &QToolButton::toggled, this, &ChartsPanel::setPaused);

    m_lastUpdated = new QLabel(this);
    m_lastUpdated->setObjectName(QStringLiteral("chartLastUpdated"));

    auto* bar = new QHBoxLayout;
    bar->addWidget(new QLabel(QStringLiteral("Window:"), this));
    bar->addWidget(m_windowBox);
    bar->addWidget(m_pauseButton);
    bar->addStretch(1);
    bar->addWidget(m_lastUpdated);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    buildCharts();
    auto* grid = new QGridLayout;
    grid->setSpacing(6);
    // Two rows, three across, so the charts fit a 900-pixel-high window with
    // the cluster strip above them and the docks below; the pools chart (four
    // lines per pool, legend on the right) takes two columns.
    grid->addWidget(m_charts[0], 0, 0);
    grid->addWidget(m_charts[1], 0, 1, 1, 2);
    for (int i = 2; i < m_charts.size(); ++i)
        grid->addWidget(m_charts[i], 1, i - 2);
    layout->addLayout(grid, 1);

    m_repaintTimer.setSingleShot(true);
    m_repaintTimer.setInterval(kRepaintDelay);
    connect(&m_repaintTimer, &QTimer::timeout, this, &ChartsPanel::repaintNow);
    m_pullTimer.setInterval(kPullInterval);
    connect(&m_pullTimer, &QTimer::timeout, this, &ChartsPanel::refresh);
    m_pullTimer.start();
    updateLastUpdated();
}

ChartsPanel::~ChartsPanel() = default;

void ChartsPanel::buildCharts()
{
    auto* lag = new LiveChart(QStringLiteral("Replication lag"),
        {
            {"lag_seconds/", QStringLiteral("%1 lag (s)"), ChartUnit::Seconds, false, Qt::SolidLine},
            {"lag_bytes/", QStringLiteral("%1 lag (bytes)"), ChartUnit::Bytes, true, Qt::SolidLine},
        },
        this);
    lag->setObjectName(QStringLiteral("lagChart"));
    lag->setAxisTitles(QStringLiteral("seconds"), QStringLiteral("bytes"));
    lag->setEmptyText(QStringLiteral("No replication lag measured yet (no replica, or the monitor is not running)"));

    auto* pools = new LiveChart(QStringLiteral("Connection pools"),
        {
            {"pool_in_use/", QStringLiteral("%1 in use"), ChartUnit::Count, false, Qt::SolidLine},
            {"pool_overflow/", QStringLiteral("%1 overflow"), ChartUnit::Count, false, Qt::SolidLine},
            {"pool_waiters/", QStringLiteral("%1 waiting"), ChartUnit::Count, false, Qt::SolidLine},
            {"pool_capacity/", QStringLiteral("%1 capacity"), ChartUnit::Count, false, Qt::DashDotLine},
        },
        this);
    pools->setObjectName(QStringLiteral("poolChart"));
    // Four lines per pool: a legend under the plot would cut their names short.
    pools->chart()->legend()->setAlignment(Qt::AlignRight);
    pools->setAxisTitles(QStringLiteral("connections"));

    std::vector<ChartLineRule> latencyRules;
    for (const char* kind : {"read", "write"})
        for (const char* quantile : {"p50", "p95", "p99"})
            latencyRules.push_back({std::string("latency_") + quantile + '/' + kind,
                QLatin1String(kind) + QLatin1Char(' ') + QLatin1String(quantile), ChartUnit::LatencySeconds, false,
                Qt::SolidLine});
    auto* latency = new LiveChart(QStringLiteral("Query latency"), std::move(latencyRules), this);
    latency->setObjectName(QStringLiteral("latencyChart"));
    latency->setAxisTitles(QStringLiteral("milliseconds"));
    latency->setEmptyText(QStringLiteral("No queries in this window"));

    auto* qps = new LiveChart(QStringLiteral("Queries per second"),
        {{"qps/", QStringLiteral("%1"), ChartUnit::PerSecond, false, Qt::SolidLine}}, this);
    qps->setObjectName(QStringLiteral("throughputChart"));
    qps->setAxisTitles(QStringLiteral("queries/s"));

    auto* etl = new LiveChart(QStringLiteral("ETL rows per second"),
        {{"etl_rows_per_second", QStringLiteral("rows/s"), ChartUnit::PerSecond, false, Qt::SolidLine}}, this);
    etl->setObjectName(QStringLiteral("etlChart"));
    etl->setAxisTitles(QStringLiteral("rows/s"));
    etl->setEmptyText(QStringLiteral("No ETL load has reported progress in this window"));

    m_charts = {lag, pools, latency, qps, etl};
}

void ChartsPanel::setClock(Clock clock)
{
    m_clock = std::move(clock);
}

void ChartsPanel::setPaused(bool paused)
{
    if (paused == m_paused)
        return;
    m_paused = paused;
    {
        const QSignalBlocker blocker(m_pauseButton);
        m_pauseButton->setChecked(paused);
    }
    m_pauseButton->setText(paused ? QStringLiteral("Resume") : QStringLiteral("Pause"));
    if (paused) {
        m_pullTimer.stop();
        m_repaintTimer.stop();
    } else {
        m_pullTimer.start();
        refresh();
    }
    updateLastUpdated();
    Q_EMIT pausedChanged(paused);
}

void ChartsPanel::setWindow(std::chrono::minutes window)
{
    window = std::max(window, std::chrono::minutes(1));
    if (window == m_window)
        return;
    m_window = window;
    {
        const QSignalBlocker blocker(m_windowBox);
        int index = m_windowBox->findData(static_cast<int>(window.count()));
        if (index < 0) {
            m_windowBox->addItem(QStringLiteral("Last %1 min").arg(window.count()), static_cast<int>(window.count()));
            index = m_windowBox->count() - 1;
        }
        m_windowBox->setCurrentIndex(index);
    }
    m_feed.setWindow(window);
    // Paused, the charts stay at the moment they were paused: a longer
    // window reaches further back from there, never forward.
    const std::int64_t now = m_paused && m_feed.lastPullMs() > 0 ? m_feed.lastPullMs() : m_clock();
    m_feed.pull(now);
    if (m_paused)
        repaintNow();
    else
        scheduleRepaint();
    Q_EMIT windowChanged(static_cast<int>(window.count()));
}

void ChartsPanel::refresh()
{
    if (m_paused)
        return;
    m_feed.pull(m_clock());
    // Even without new points the time axis moves on, so always repaint.
    scheduleRepaint();
}

void ChartsPanel::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (m_repaintWhenShown)
        scheduleRepaint();
}

void ChartsPanel::scheduleRepaint()
{
    if (!isVisible()) {
        // Hidden: Qt Charts would still recompute every line's geometry.
        m_repaintWhenShown = true;
        return;
    }
    // Started only when idle: however many pulls come in between, one
    // repaint per kRepaintDelay at most.
    if (!m_repaintTimer.isActive())
        m_repaintTimer.start();
}

void ChartsPanel::repaintNow()
{
    m_repaintTimer.stop();
    m_repaintWhenShown = false;
    const std::int64_t now = m_feed.lastPullMs() > 0 ? m_feed.lastPullMs() : m_clock();
    for (LiveChart* chart : m_charts)
        chart->updateFrom(m_feed, now, m_window);
    ++m_repaintCount;
    updateLastUpdated();
    Q_EMIT repainted();
}

void ChartsPanel::updateLastUpdated()
{
    m_lastUpdated->setText(lastUpdatedText());
}

QString ChartsPanel::lastUpdatedText() const
{
    const std::int64_t newest = m_feed.newestPointMs();
    QString text;
    if (newest == 0) {
        text = QStringLiteral("No data yet");
    } else {
        text = QStringLiteral("Last updated ") + clockText(newest);
        const std::int64_t age = m_feed.lastPullMs() - newest;
        if (!m_paused && age > kStaleAfterMs)
            text += QStringLiteral(" (%1 s ago)").arg(age / 1000);
    }
    return m_paused ? QStringLiteral("Paused \u00b7 ") + text : text;
}

int ChartsPanel::pointCount(const QString& seriesName) const
{
    const std::string name = seriesName.toStdString();
    for (const LiveChart* chart : m_charts)
        if (const int count = chart->pointCount(name); count >= 0)
            return count;
    return -1;
}

} // namespace pulse::ui

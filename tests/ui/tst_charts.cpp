// The live charts, without a database: the feed pulls new points
// incrementally and keeps them trimmed to the window; the panel's charts
// receive them, re-trim when the window changes, hold still while paused and
// catch up after, coalesce repaints, and handle an hour of every series.
// Timings are reported (qInfo), never asserted: only counts are.

#include "charts/ChartFeed.hpp"
#include "charts/ChartsPanel.hpp"
#include "charts/LineDecimator.hpp"
#include "charts/LiveChart.hpp"
#include "config/Settings.hpp"
#include "engine/Engine.hpp"
#include "metrics/SeriesStore.hpp"

#include <QChart>
#include <QComboBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QLineSeries>
#include <QSignalSpy>
#include <QToolButton>
#include <QtTest>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using namespace Qt::StringLiterals;
using pulse::SeriesStore;
using pulse::ui::ChartFeed;
using pulse::ui::ChartsPanel;
using pulse::ui::LineDecimator;
using pulse::ui::LiveChart;

namespace {

constexpr std::int64_t kT0 = 1'700'000'000'000; // a realistic epoch time, in ms

std::int64_t second(int n)
{
    return kT0 + n * std::int64_t(1000);
}

// Appends one point per second for seconds [from, to) to a series.
void fill(SeriesStore& store, const std::string& name, int from, int to, double value = 1.0)
{
    for (int s = from; s < to; ++s)
        store.append(name, second(s), value + s % 7);
}

// Every series the monitor samples, for two nodes, plus the ETL panel's.
std::vector<std::string> allSeriesNames()
{
    std::vector<std::string> names {"lag_seconds/replica", "lag_bytes/replica", "etl_rows_per_second"};
    for (const char* pool : {"primary", "replica"})
        for (const char* what : {"pool_in_use/", "pool_overflow/", "pool_waiters/", "pool_capacity/"})
            names.push_back(std::string(what) + pool);
    for (const char* node : {"primary", "replica"})
        names.push_back(std::string("qps/") + node);
    for (const char* subject : {"primary", "replica", "read", "write"})
        for (const char* q : {"latency_p50/", "latency_p95/", "latency_p99/"})
            names.push_back(std::string(q) + subject);
    return names;
}

// A TCP port nothing listens on: bound, read back and released at once.
int unusedPort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address {};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof(address);
    int port = 1;
    if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0
        && ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0)
        port = ntohs(address.sin_port);
    if (fd >= 0)
        ::close(fd);
    return port;
}

// An Engine of default settings pointed at ports nothing listens on: its
// construction connects to nothing, and a monitor cycle fails fast.
std::unique_ptr<pulse::Engine> offlineEngine()
{
    pulse::Settings settings;
    settings.primaryHost = "127.0.0.1";
    settings.replicaHost = "127.0.0.1";
    settings.primaryPort = unusedPort();
    settings.replicaPort = unusedPort();
    settings.connectTimeout = 2s;
    return std::make_unique<pulse::Engine>(settings);
}

// A panel whose clock the test sets.
struct ClockedPanel {
    explicit ClockedPanel(pulse::Engine& engine)
        : panel(engine)
    {
        panel.setClock([this] { return now; });
    }
    std::int64_t now = second(0);
    ChartsPanel panel;
};

// Shown (offscreen): a hidden panel pulls but defers its repaints.
bool shown(ChartsPanel& panel)
{
    panel.resize(1200, 900);
    panel.show();
    return QTest::qWaitForWindowExposed(&panel);
}

LiveChart* chartNamed(const ChartsPanel& panel, const QString& objectName)
{
    for (LiveChart* chart : panel.charts())
        if (chart->objectName() == objectName)
            return chart;
    return nullptr;
}

} // namespace

class TestCharts : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // ChartFeed: pure logic over a SeriesStore.
    void feedPullsOnlyNewPoints();
    void feedTrimsToWindow_data();
    void feedTrimsToWindow();
    void feedWindowChangeRetrims();
    void feedLeavesLaterPointsForLaterPulls();
    void feedStaysBoundedForHours();
    void decimatorKeepsThePicture_data();
    void decimatorKeepsThePicture();
    void decimatorCutsAtGaps();

    // LiveChart
    void hoverSaysValuesWithUnits_data();
    void hoverSaysValuesWithUnits();
    void hoverLabelFollowsTheMouse();
    void lineBreaksWhereSamplesStop();
    void darkPaletteGivesADarkChart();

    // ChartsPanel on an offline Engine.
    void chartsReceivePoints();
    void etlChartAppearsWithItsSeries();
    void windowSwitchRetrims();
    void pauseHoldsStillAndResumeCatchesUp();
    void repaintsAreCoalesced();
    void hiddenPanelRepaintsWhenShown();
    void hourOfEverySeries();
    void monitorSamplesReadAndWriteLatency();
};

void TestCharts::feedPullsOnlyNewPoints()
{
    SeriesStore store(3600);
    fill(store, "qps/primary", 0, 10);
    ChartFeed feed(store, 5min);
    QVERIFY(feed.pull(second(9)));
    QCOMPARE(feed.pointCount("qps/primary"), 10);
    const auto version = feed.version("qps/primary");

    // Nothing new, nothing trimmed: no change, the same version.
    QVERIFY(!feed.pull(second(9)));
    QCOMPARE(feed.version("qps/primary"), version);

    fill(store, "qps/primary", 10, 15);
    fill(store, "qps/replica", 0, 15);
    QVERIFY(feed.pull(second(14)));
    QCOMPARE(feed.pointCount("qps/primary"), 15);
    QCOMPARE(feed.pointCount("qps/replica"), 15);
    QVERIFY(feed.version("qps/primary") > version);
    QCOMPARE(feed.names(), (std::vector<std::string> {"qps/primary", "qps/replica"}));
    QCOMPARE(feed.newestPointMs(), second(14));
    // Points in order, each once.
    const auto& points = feed.points("qps/primary");
    for (qsizetype i = 0; i < points.size(); ++i)
        QCOMPARE(points[i].x(), double(second(int(i))));
}

void TestCharts::feedTrimsToWindow_data()
{
    QTest::addColumn<int>("windowMinutes");
    QTest::addColumn<int>("secondsOfData");
    QTest::addColumn<int>("expected");
    QTest::addRow("1 min of 5 min") << 1 << 300 << 60;
    QTest::addRow("5 min of 5 min") << 5 << 300 << 300;
    QTest::addRow("5 min of 1 h") << 5 << 3600 << 300;
    QTest::addRow("15 min of 1 h") << 15 << 3600 << 900;
    QTest::addRow("60 min of 1 h") << 60 << 3600 << 3600;
    QTest::addRow("60 min of 10 min") << 60 << 600 << 600;
}

void TestCharts::feedTrimsToWindow()
{
    QFETCH(int, windowMinutes);
    QFETCH(int, secondsOfData);
    QFETCH(int, expected);
    SeriesStore store(3600);
    fill(store, "lag_seconds/replica", 0, secondsOfData);
    ChartFeed feed(store, std::chrono::minutes(windowMinutes));
    feed.pull(second(secondsOfData - 1));
    QCOMPARE(feed.pointCount("lag_seconds/replica"), expected);
    // The oldest point kept is inside (now - window, now].
    const auto& points = feed.points("lag_seconds/replica");
    QVERIFY(points.front().x() > double(second(secondsOfData - 1) - windowMinutes * 60'000));
    QCOMPARE(points.back().x(), double(second(secondsOfData - 1)));
}

void TestCharts::feedWindowChangeRetrims()
{
    SeriesStore store(3600);
    fill(store, "pool_in_use/primary", 0, 3600);
    ChartFeed feed(store, 60min);
    feed.pull(second(3599));
    QCOMPARE(feed.pointCount("pool_in_use/primary"), 3600);

    // Shorter: trimmed at once, before any pull.
    feed.setWindow(1min);
    QCOMPARE(feed.pointCount("pool_in_use/primary"), 60);
    feed.setWindow(5min); // longer: read again from the store at the next pull
    feed.pull(second(3599));
    QCOMPARE(feed.pointCount("pool_in_use/primary"), 300);
    QCOMPARE(feed.points("pool_in_use/primary").front().x(), double(second(3300)));

    // Time moves on: the window slides.
    fill(store, "pool_in_use/primary", 3600, 3630);
    feed.pull(second(3629));
    QCOMPARE(feed.pointCount("pool_in_use/primary"), 300);
    QCOMPARE(feed.points("pool_in_use/primary").front().x(), double(second(3330)));
}

void TestCharts::feedLeavesLaterPointsForLaterPulls()
{
    SeriesStore store(3600);
    fill(store, "qps/primary", 0, 20);
    ChartFeed feed(store, 5min);
    feed.pull(second(9)); // e.g. paused at second 9
    QCOMPARE(feed.pointCount("qps/primary"), 10);
    QCOMPARE(feed.newestPointMs(), second(9));
    feed.pull(second(19));
    QCOMPARE(feed.pointCount("qps/primary"), 20);
}

void TestCharts::feedStaysBoundedForHours()
{
    // Two hours of a monitor appending once a second and the UI pulling
    // after each append: the store keeps its hour, the feed its window.
    SeriesStore store(3600);
    ChartFeed feed(store, 5min);
    qsizetype largest = 0;
    for (int s = 0; s < 7200; ++s) {
        for (const char* name : {"qps/primary", "lag_seconds/replica"})
            store.append(name, second(s), s);
        feed.pull(second(s));
        largest = std::max(largest, feed.totalPoints());
    }
    QCOMPARE(largest, qsizetype(2 * 300));
    QCOMPARE(feed.pointCount("qps/primary"), 300);
    QCOMPARE(feed.points("qps/primary").back().y(), 7199.0);
}

void TestCharts::decimatorKeepsThePicture_data()
{
    QTest::addColumn<QList<double>>("values");
    QTest::addColumn<int>("columns");
    QTest::addColumn<int>("maxPoints");
    QList<double> noisy, flat, spike, stepped;
    for (int s = 0; s < 3600; ++s) {
        noisy << double((s * 7919) % 101);
        flat << 50.0;
        spike << (s == 1234 ? 900.0 : 1.0);
        stepped << (s < 1800 ? 2.0 : 3.0);
    }
    QTest::addRow("short line: as is") << QList<double> {1, 2, 3, 2, 1} << 600 << 5;
    QTest::addRow("noisy hour: two per column") << noisy << 600 << 1200;
    QTest::addRow("flat hour: two points") << flat << 600 << 2;
    QTest::addRow("one-second spike kept") << spike << 300 << 600;
    QTest::addRow("a step: four points") << stepped << 600 << 4;
}

void TestCharts::decimatorKeepsThePicture()
{
    QFETCH(QList<double>, values);
    QFETCH(int, columns);
    QFETCH(int, maxPoints);
    QList<QPointF> points;
    for (qsizetype i = 0; i < values.size(); ++i)
        points << QPointF(double(second(int(i))), values[i]);
    const double from = double(second(0));
    const double to = double(second(int(values.size()) - 1));
    const QList<QPointF> reduced = LineDecimator::reduce(points, from, to, columns, 2.0);
    QVERIFY2(reduced.size() <= maxPoints, qPrintable(QString::number(reduced.size())));
    // Same extremes and ends (scaled), still in time order.
    const auto [lowest, highest] = std::minmax_element(values.cbegin(), values.cend());
    double low = reduced.front().y(), high = low;
    for (qsizetype i = 0; i < reduced.size(); ++i) {
        low = std::min(low, reduced[i].y());
        high = std::max(high, reduced[i].y());
        if (i > 0)
            QVERIFY(reduced[i - 1].x() < reduced[i].x());
    }
    QCOMPARE(low, *lowest * 2.0);
    QCOMPARE(high, *highest * 2.0);
    QCOMPARE(reduced.front().x(), from);
    if (values.size() < 2 * columns || values.first() == values.last())
        QCOMPARE(reduced.back().x(), to);
}

void TestCharts::decimatorCutsAtGaps()
{
    // 0..9 s, a hole, 20..29 s, a shorter hole, 33..39 s.
    QList<QPointF> points;
    for (int s = 0; s < 40; ++s)
        if (s < 10 || (s >= 20 && s < 30) || s >= 33)
            points.append(QPointF(s * 1000.0, s % 3));
    const auto pieces = LineDecimator::reduceSegments(points, 0, 39'000, 800, 1.0, 2500, 16);
    QCOMPARE(pieces.size(), size_t(3));
    QCOMPARE(pieces[0].front().x(), 0.0);
    QCOMPARE(pieces[0].back().x(), 9000.0);
    QCOMPARE(pieces[1].front().x(), 20'000.0);
    QCOMPARE(pieces[1].back().x(), 29'000.0);
    QCOMPARE(pieces[2].front().x(), 33'000.0);
    // Two pieces at most: only the widest hole cuts.
    const auto two = LineDecimator::reduceSegments(points, 0, 39'000, 800, 1.0, 2500, 2);
    QCOMPARE(two.size(), size_t(2));
    QCOMPARE(two[0].back().x(), 9000.0);
    QCOMPARE(two[1].front().x(), 20'000.0);
    QCOMPARE(two[1].back().x(), 39'000.0);
    // No points, no pieces; no hole, one.
    QVERIFY(LineDecimator::reduceSegments({}, 0, 1, 10, 1.0, 2500, 16).empty());
    QCOMPARE(LineDecimator::reduceSegments(points.mid(0, 10), 0, 9000, 800, 1.0, 2500, 16).size(), size_t(1));
}

void TestCharts::lineBreaksWhereSamplesStop()
{
    // The replica was down from 100 s to 160 s: no lag samples then. The
    // line must stop and start again, not ramp across the minute.
    auto engine = offlineEngine();
    ClockedPanel clocked(*engine);
    fill(engine->series(), "lag_seconds/replica", 0, 100);
    fill(engine->series(), "lag_seconds/replica", 160, 299);
    clocked.now = second(299);
    clocked.panel.refresh();
    clocked.panel.repaintNow();
    LiveChart* lag = chartNamed(clocked.panel, u"lagChart"_s);
    QVERIFY(lag);
    QCOMPARE(lag->pieceCount("lag_seconds/replica"), 2);
    // One legend entry all the same, and nothing to say inside the hole.
    QCOMPARE(lag->legendLabels().count(u"replica lag (s)"_s), 1);
    QVERIFY(lag->valuesAt(second(130)).isEmpty());
    QVERIFY(!lag->valuesAt(second(170)).isEmpty());

    // Once the hole has slid out of the window, one piece again.
    fill(engine->series(), "lag_seconds/replica", 299, 480);
    clocked.now = second(479);
    clocked.panel.refresh();
    clocked.panel.repaintNow();
    QCOMPARE(lag->pieceCount("lag_seconds/replica"), 1);
    QCOMPARE(lag->legendLabels().count(u"replica lag (s)"_s), 1);
}

void TestCharts::darkPaletteGivesADarkChart()
{
    auto engine = offlineEngine();
    ClockedPanel clocked(*engine);
    fill(engine->series(), "qps/primary", 0, 30);
    clocked.now = second(29);
    clocked.panel.refresh();
    clocked.panel.repaintNow();
    LiveChart* qps = nullptr;
    for (LiveChart* chart : clocked.panel.charts())
        if (chart->matches("qps/primary"))
            qps = chart;
    QVERIFY(qps);
    QVERIFY(!qps->isDarkTheme());
    const auto lineColour = [qps] {
        for (QAbstractSeries* series : qps->chart()->series())
            if (series->name() == u"primary"_s)
                return static_cast<QLineSeries*>(series)->pen().color();
        return QColor();
    };
    const QColor before = lineColour();
    QVERIFY(before.isValid());

    clocked.panel.setPalette(QPalette(QColor(0x30, 0x30, 0x30))); // window colour from the button's
    QVERIFY(qps->isDarkTheme());
    QCOMPARE(qps->chart()->theme(), QChart::ChartThemeDark);
    QVERIFY(qps->chart()->backgroundBrush().color().lightnessF() < 0.5);
    QCOMPARE(lineColour(), before); // the theme does not repaint the lines in its own colours

    clocked.panel.setPalette(QPalette(QColor(0xF0, 0xF0, 0xF0)));
    QVERIFY(!qps->isDarkTheme());
    QCOMPARE(qps->chart()->theme(), QChart::ChartThemeLight);
}

void TestCharts::hoverSaysValuesWithUnits_data()
{
    QTest::addColumn<QString>("series");
    QTest::addColumn<double>("value");
    QTest::addColumn<QString>("expected");
    QTest::addRow("lag seconds") << u"lag_seconds/replica"_s << 0.42 << u"replica lag (s): 0.42 s"_s;
    QTest::addRow("lag bytes in MiB") << u"lag_bytes/replica"_s << 3.5 * 1024 * 1024
                                      << u"replica lag (bytes): 3.5 MiB"_s;
    QTest::addRow("lag bytes small") << u"lag_bytes/replica"_s << 512.0 << u"replica lag (bytes): 512 B"_s;
    QTest::addRow("pool count") << u"pool_in_use/primary"_s << 12.0 << u"primary in use: 12"_s;
    QTest::addRow("latency in ms") << u"latency_p95/read"_s << 0.0125 << u"read p95: 12.5 ms"_s;
    QTest::addRow("queries per second") << u"qps/replica"_s << 42.0 << u"replica: 42.0/s"_s;
    QTest::addRow("etl rows") << u"etl_rows_per_second"_s << 1250.0 << u"rows/s: 1250/s"_s;
}

void TestCharts::hoverSaysValuesWithUnits()
{
    QFETCH(QString, series);
    QFETCH(double, value);
    QFETCH(QString, expected);
    auto engine = offlineEngine();
    ClockedPanel clocked(*engine);
    engine->series().append(series.toStdString(), second(0), value);
    clocked.panel.refresh();
    clocked.panel.repaintNow();
    QCOMPARE(clocked.panel.pointCount(series), 1);

    LiveChart* chart = nullptr;
    for (LiveChart* candidate : clocked.panel.charts())
        if (candidate->matches(series.toStdString()))
            chart = candidate;
    QVERIFY(chart);
    QVERIFY(chart->legendLabels().contains(expected.section(u": "_s, 0, 0)));
    // At the point, and half a second off it: the same value; far off: nothing.
    QVERIFY2(chart->valuesAt(second(0)).split(u'\n').contains(expected), qPrintable(chart->valuesAt(second(0))));
    QVERIFY(chart->valuesAt(second(0) - 500).split(u'\n').contains(expected));
    QVERIFY(chart->valuesAt(second(-10)).isEmpty());
}

void TestCharts::hoverLabelFollowsTheMouse()
{
    auto engine = offlineEngine();
    ClockedPanel clocked(*engine);
    clocked.now = second(299);
    fill(engine->series(), "lag_seconds/replica", 0, 300);
    clocked.panel.resize(1200, 900);
    clocked.panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&clocked.panel));
    clocked.panel.refresh();
    clocked.panel.repaintNow();

    LiveChart* lag = chartNamed(clocked.panel, u"lagChart"_s);
    QVERIFY(lag);
    auto* label = lag->findChild<QLabel*>(u"hoverValues"_s);
    QVERIFY(label);
    QVERIFY(!label->isVisible());
    const QPointF centre = lag->chart()->plotArea().center();
    const QPoint at = lag->mapFromScene(lag->chart()->mapToScene(centre));
    QTest::mouseMove(lag->viewport(), at);
    QTRY_VERIFY(label->isVisible());
    QVERIFY2(label->text().contains(u"replica lag (s): "_s), qPrintable(label->text()));
}

void TestCharts::chartsReceivePoints()
{
    auto engine = offlineEngine();
    ClockedPanel clocked(*engine);
    clocked.now = second(59);
    const std::vector<std::string> names = allSeriesNames();
    for (const auto& name : names)
        fill(engine->series(), name, 0, 60);
    QVERIFY(shown(clocked.panel));

    QSignalSpy repainted(&clocked.panel, &ChartsPanel::repainted);
    clocked.panel.refresh();
    QVERIFY(repainted.wait(2000)); // the coalescing timer, not a direct repaint

    int charted = 0;
    for (const auto& name : names) {
        const int count = clocked.panel.pointCount(QString::fromStdString(name));
        // Per-node latency stays out of the latency chart (reads and writes are there).
        if (name.starts_with("latency_") && !name.ends_with("/read") && !name.ends_with("/write")) {
            QCOMPARE(count, -1);
            continue;
        }
        QCOMPARE(count, 60);
        ++charted;
    }
    QCOMPARE(charted, 19);

    LiveChart* pools = chartNamed(clocked.panel, u"poolChart"_s);
    QVERIFY(pools);
    QCOMPARE(pools->lineCount(), 8);
    QVERIFY(pools->legendLabels().contains(u"replica capacity"_s));
    LiveChart* latency = chartNamed(clocked.panel, u"latencyChart"_s);
    QVERIFY(latency);
    QCOMPARE(latency->legendLabels(),
        (QStringList {u"read p50"_s, u"read p95"_s, u"read p99"_s, u"write p50"_s, u"write p95"_s, u"write p99"_s}));
    for (LiveChart* chart : clocked.panel.charts())
        QVERIFY2(!chart->isShowingEmptyText(), qPrintable(chart->objectName()));
    QCOMPARE(clocked.panel.lastUpdatedText(),
        u"Last updated "_s + QDateTime::fromMSecsSinceEpoch(second(59)).toString(u"HH:mm:ss"_s));
}

void TestCharts::etlChartAppearsWithItsSeries()
{
    auto engine = offlineEngine();
    ClockedPanel clocked(*engine);
    clocked.now = second(30);
    fill(engine->series(), "qps/primary", 0, 31);
    clocked.panel.refresh();
    clocked.panel.repaintNow();
    LiveChart* etl = chartNamed(clocked.panel, u"etlChart"_s);
    QVERIFY(etl);
    QCOMPARE(etl->lineCount(), 0);
    QVERIFY(etl->isShowingEmptyText());
    QCOMPARE(clocked.panel.pointCount(u"etl_rows_per_second"_s), -1);

    // The ETL panel starts appending one point per progress second.
    fill(engine->series(), "etl_rows_per_second", 21, 31, 800);
    clocked.panel.refresh();
    clocked.panel.repaintNow();
    QCOMPARE(etl->lineCount(), 1);
    QVERIFY(!etl->isShowingEmptyText());
    QCOMPARE(clocked.panel.pointCount(u"etl_rows_per_second"_s), 10);
}

void TestCharts::windowSwitchRetrims()
{
    auto engine = offlineEngine();
    ClockedPanel clocked(*engine);
    clocked.now = second(3599);
    fill(engine->series(), "lag_seconds/replica", 0, 3600);
    fill(engine->series(), "qps/primary", 0, 3600);
    QVERIFY(shown(clocked.panel));
    clocked.panel.refresh();
    clocked.panel.repaintNow();
    QCOMPARE(clocked.panel.window(), 5min);
    QCOMPARE(clocked.panel.pointCount(u"lag_seconds/replica"_s), 300);

    auto* box = clocked.panel.findChild<QComboBox*>(u"chartWindow"_s);
    QVERIFY(box);
    QCOMPARE(box->count(), 4);
    // From the selector, as a person would.
    box->setCurrentIndex(box->findData(60));
    QCOMPARE(clocked.panel.window(), 60min);
    QTRY_COMPARE(clocked.panel.pointCount(u"lag_seconds/replica"_s), 3600);
    QCOMPARE(clocked.panel.pointCount(u"qps/primary"_s), 3600);

    // From the API: the selector follows.
    QSignalSpy repainted(&clocked.panel, &ChartsPanel::repainted);
    clocked.panel.setWindow(1min);
    QCOMPARE(box->currentData().toInt(), 1);
    QCOMPARE(clocked.panel.feed().pointCount("lag_seconds/replica"), 60); // trimmed at once
    QVERIFY(repainted.wait(2000));
    QCOMPARE(clocked.panel.pointCount(u"lag_seconds/replica"_s), 60);
    clocked.panel.setWindow(15min);
    clocked.panel.repaintNow();
    QCOMPARE(clocked.panel.pointCount(u"qps/primary"_s), 900);
}

void TestCharts::pauseHoldsStillAndResumeCatchesUp()
{
    auto engine = offlineEngine();
    ClockedPanel clocked(*engine);
    clocked.now = second(299);
    fill(engine->series(), "pool_in_use/primary", 0, 300);
    QVERIFY(shown(clocked.panel));
    clocked.panel.setWindow(1min);
    clocked.panel.refresh();
    clocked.panel.repaintNow();
    QCOMPARE(clocked.panel.pointCount(u"pool_in_use/primary"_s), 60);

    auto* pause = clocked.panel.findChild<QToolButton*>(u"chartPause"_s);
    QVERIFY(pause);
    pause->click();
    QVERIFY(clocked.panel.isPaused());
    QVERIFY(clocked.panel.lastUpdatedText().startsWith(u"Paused"_s));
    const int repaints = clocked.panel.repaintCount();
    const QList<QPointF> before = clocked.panel.feed().points("pool_in_use/primary");

    // 30 more seconds arrive while paused: nothing moves.
    fill(engine->series(), "pool_in_use/primary", 300, 330);
    clocked.now = second(329);
    clocked.panel.refresh();
    QTest::qWait(int(2 * ChartsPanel::kPullInterval.count()));
    QCOMPARE(clocked.panel.repaintCount(), repaints);
    QCOMPARE(clocked.panel.feed().points("pool_in_use/primary"), before);
    QCOMPARE(clocked.panel.pointCount(u"pool_in_use/primary"_s), 60);
    // A longer window while paused reaches back from the pause, not forward.
    clocked.panel.setWindow(5min);
    QCOMPARE(clocked.panel.pointCount(u"pool_in_use/primary"_s), 300);
    QCOMPARE(clocked.panel.feed().newestPointMs(), second(299));
    clocked.panel.setWindow(1min);

    // Resume: caught up, and the window slid by those 30 seconds.
    QSignalSpy repainted(&clocked.panel, &ChartsPanel::repainted);
    pause->click();
    QVERIFY(!clocked.panel.isPaused());
    QVERIFY(repainted.wait(2000));
    QCOMPARE(clocked.panel.pointCount(u"pool_in_use/primary"_s), 60);
    QCOMPARE(clocked.panel.feed().points("pool_in_use/primary").back().x(), double(second(329)));
    QCOMPARE(clocked.panel.feed().points("pool_in_use/primary").front().x(), double(second(270)));
    QVERIFY(!clocked.panel.lastUpdatedText().startsWith(u"Paused"_s));
}

void TestCharts::repaintsAreCoalesced()
{
    auto engine = offlineEngine();
    ClockedPanel clocked(*engine);
    QVERIFY(shown(clocked.panel));
    QTest::qWait(int(ChartsPanel::kPullInterval.count() + 2 * ChartsPanel::kRepaintDelay.count()));
    clocked.panel.setPaused(true); // the pull timer stays out of the count
    clocked.panel.setPaused(false);
    QSignalSpy settled(&clocked.panel, &ChartsPanel::repainted);
    QVERIFY(settled.wait(2000)); // the repaint resuming scheduled
    const int before = clocked.panel.repaintCount();
    QSignalSpy repainted(&clocked.panel, &ChartsPanel::repainted);
    // Fifty pulls, each with a new point, with no event loop in between.
    for (int s = 0; s < 50; ++s) {
        engine->series().append("qps/primary", second(s), s);
        clocked.now = second(s);
        clocked.panel.refresh();
    }
    QCOMPARE(clocked.panel.repaintCount(), before); // none yet: the repaint waits for its timer
    QVERIFY(repainted.wait(2000));
    QCOMPARE(clocked.panel.repaintCount(), before + 1);
    QCOMPARE(clocked.panel.pointCount(u"qps/primary"_s), 50);
}

void TestCharts::hiddenPanelRepaintsWhenShown()
{
    auto engine = offlineEngine();
    ClockedPanel clocked(*engine);
    clocked.now = second(9);
    fill(engine->series(), "qps/primary", 0, 10);
    clocked.panel.refresh();
    QTest::qWait(int(3 * ChartsPanel::kRepaintDelay.count()));
    QCOMPARE(clocked.panel.repaintCount(), 0);
    QCOMPARE(clocked.panel.feed().pointCount("qps/primary"), 10); // pulled all the same
    QCOMPARE(clocked.panel.pointCount(u"qps/primary"_s), -1);

    QSignalSpy repainted(&clocked.panel, &ChartsPanel::repainted);
    QVERIFY(shown(clocked.panel));
    QTRY_VERIFY(repainted.count() > 0);
    QCOMPARE(clocked.panel.pointCount(u"qps/primary"_s), 10);
}

void TestCharts::hourOfEverySeries()
{
    auto engine = offlineEngine();
    const std::vector<std::string> names = allSeriesNames();
    QElapsedTimer timer;
    timer.start();
    // Every value changes every second (the worst case for reduction),
    // except capacities, which are configuration.
    const auto valueAt
        = [](const std::string& name, int s) { return name.starts_with("pool_capacity/") ? 50.0 : 10.0 + s % 7; };
    for (const auto& name : names)
        for (int s = 0; s < 3600; ++s)
            engine->series().append(name, second(s), valueAt(name, s));
    const double fillMs = double(timer.nsecsElapsed()) / 1e6;

    ClockedPanel clocked(*engine);
    clocked.now = second(3599);
    clocked.panel.resize(1400, 1000);
    clocked.panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&clocked.panel));
    clocked.panel.setPaused(true); // only the measured calls below touch the charts

    // Cold: the whole hour of every series, read by a feed of its own, then
    // by the panel (a longer window re-reads it; paused, it applies at once).
    ChartFeed coldFeed(engine->series(), 60min);
    timer.restart();
    coldFeed.pull(clocked.now);
    const double coldPullMs = double(timer.nsecsElapsed()) / 1e6;
    QCOMPARE(coldFeed.totalPoints(), qsizetype(names.size() * 3600));
    timer.restart();
    clocked.panel.setWindow(60min);
    const double coldPullApplyMs = double(timer.nsecsElapsed()) / 1e6;
    timer.restart();
    const QPixmap first = clocked.panel.grab(); // paints every chart now
    const double coldPaintMs = double(timer.nsecsElapsed()) / 1e6;
    QVERIFY(!first.isNull());

    for (const auto& name : names) {
        const int count = clocked.panel.pointCount(QString::fromStdString(name));
        QVERIFY2(count == 3600 || count == -1, name.c_str());
    }
    QCOMPARE(clocked.panel.feed().totalPoints(), qsizetype(names.size() * 3600));
    // What Qt Charts gets: about two points per pixel column, a flat line two.
    LiveChart* lag = chartNamed(clocked.panel, u"lagChart"_s);
    LiveChart* pools = chartNamed(clocked.panel, u"poolChart"_s);
    QVERIFY(lag && pools);
    const int columns = int(lag->chart()->plotArea().width());
    const int drawn = lag->drawnPointCount("lag_seconds/replica");
    QVERIFY2(drawn > 0 && drawn <= 2 * columns + 2, qPrintable(u"%1 drawn for %2 columns"_s.arg(drawn).arg(columns)));
    QCOMPARE(pools->drawnPointCount("pool_capacity/primary"), 2);

    // Steady state: each second one new point per series, the oldest goes.
    constexpr int kSteps = 20;
    double pullMs = 0, applyMs = 0, paintMs = 0;
    for (int step = 0; step < kSteps; ++step) {
        const int s = 3600 + step;
        for (const auto& name : names)
            engine->series().append(name, second(s), valueAt(name, s));
        clocked.now = second(s);
        timer.restart();
        clocked.panel.setPaused(false); // resuming pulls at once
        clocked.panel.setPaused(true);
        pullMs += double(timer.nsecsElapsed()) / 1e6;
        timer.restart();
        clocked.panel.repaintNow();
        applyMs += double(timer.nsecsElapsed()) / 1e6;
        timer.restart();
        const QPixmap frame = clocked.panel.grab();
        paintMs += double(timer.nsecsElapsed()) / 1e6;
        QVERIFY(!frame.isNull());
    }
    QCOMPARE(clocked.panel.pointCount(u"lag_seconds/replica"_s), 3600);
    QCOMPARE(clocked.panel.feed().totalPoints(), qsizetype(names.size() * 3600)); // bounded: never grows
    QCOMPARE(clocked.panel.feed().points("qps/replica").back().x(), double(second(3600 + kSteps - 1)));

    qInfo("hour of data: %zu series x 3600 points (store fill %.1f ms); a line of %d points drawn as %d for %d columns",
        names.size(), fillMs, lag->pointCount("lag_seconds/replica"), drawn, columns);
    qInfo("  cold:   pull %.2f ms (feed alone), pull + apply to charts %.2f ms, paint %.1f ms", coldPullMs,
        coldPullApplyMs, coldPaintMs);
    qInfo("  steady: pull %.2f ms, apply to charts %.2f ms, paint %.1f ms (mean of %d one-second steps)",
        pullMs / kSteps, applyMs / kSteps, paintMs / kSteps, kSteps);
}

void TestCharts::monitorSamplesReadAndWriteLatency()
{
    // One monitor cycle on an offline engine (the probes are refused at
    // once) samples the series; queries recorded into the router's cells in
    // between become latency for reads and for writes.
    auto engine = offlineEngine();
    engine->status(); // the baseline for rates
    auto& metrics = engine->queryMetrics();
    for (int i = 0; i < 20; ++i) {
        pulse::QueryMetrics::record(metrics.cell("replica", "dashboard_metrics"), 40ms, pulse::QueryOutcome::Ok);
        // A read that fell back to the primary is still a read.
        pulse::QueryMetrics::record(metrics.cell("primary", "analytics_reports"), 40ms, pulse::QueryOutcome::Ok);
        pulse::QueryMetrics::record(metrics.cell("primary", "UPDATE"), 2ms, pulse::QueryOutcome::Ok);
    }
    // One point per second: the next cycle must fall in a later second.
    const auto firstSecond = QDateTime::currentMSecsSinceEpoch() / 1000;
    while (QDateTime::currentMSecsSinceEpoch() / 1000 == firstSecond)
        std::this_thread::sleep_for(20ms);
    engine->status();

    auto& series = engine->series();
    const auto read = series.since("latency_p50/read");
    const auto write = series.since("latency_p50/write");
    QCOMPARE(read.size(), size_t(1));
    QCOMPARE(write.size(), size_t(1));
    QVERIFY2(read.front().value > 0.030 && read.front().value < 0.060, qPrintable(QString::number(read.front().value)));
    QVERIFY2(
        write.front().value > 0.001 && write.front().value < 0.003, qPrintable(QString::number(write.front().value)));
    QCOMPARE(series.since("latency_p99/write").size(), size_t(1));
    // The per-node names stay.
    QCOMPARE(series.since("latency_p50/primary").size(), size_t(1));
    QCOMPARE(series.since("latency_p50/replica").size(), size_t(1));
    QCOMPARE(series.since("qps/primary").size(), size_t(1));
    QVERIFY(!series.since("pool_capacity/primary").empty());

    // And the panel draws them on the wall clock.
    ChartsPanel panel(*engine);
    panel.refresh();
    panel.repaintNow();
    QCOMPARE(panel.pointCount(u"latency_p50/read"_s), 1);
    QCOMPARE(panel.pointCount(u"latency_p99/write"_s), 1);
    QVERIFY(panel.pointCount(u"pool_capacity/primary"_s) >= 1);
}

QTEST_MAIN(TestCharts)
#include "tst_charts.moc"

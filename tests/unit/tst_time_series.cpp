// TimeSeries and SeriesStore: bounded rings (the oldest point goes), one
// point per second, incremental reads with since(), and memory that is fixed
// once the series exist.

#include "metrics/SeriesStore.hpp"
#include "metrics/TimeSeries.hpp"

#include <QtTest>

#include <algorithm>

using pulse::SeriesPoint;
using pulse::SeriesStore;
using pulse::TimeSeries;

namespace {

constexpr std::int64_t kT0 = 1'700'000'000'000;  // a realistic epoch time, in ms

std::int64_t second(int n)
{
    return kT0 + n * std::int64_t(1000);
}

}  // namespace

class TestTimeSeries : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void emptySeries();
    void capacityBound_data();
    void capacityBound();
    void sameSecondReplaces();
    void outOfOrderIsDropped();
    void since_data();
    void since();
    void memoryConstantAfterFilling();
    void storeCreatesOnFirstAppend();
    void storeMemory();
};

void TestTimeSeries::emptySeries()
{
    TimeSeries series(10);
    QCOMPARE(series.size(), size_t(0));
    QCOMPARE(series.capacity(), size_t(10));
    QVERIFY(!series.last());
    QVERIFY(series.since().empty());
}

void TestTimeSeries::capacityBound_data()
{
    QTest::addColumn<int>("capacity");
    QTest::addColumn<int>("appended");
    QTest::addRow("below capacity") << 10 << 7;
    QTest::addRow("exactly full") << 10 << 10;
    QTest::addRow("one over") << 10 << 11;
    QTest::addRow("wrapped several times") << 10 << 37;
    QTest::addRow("single point") << 1 << 5;
}

void TestTimeSeries::capacityBound()
{
    QFETCH(int, capacity);
    QFETCH(int, appended);
    TimeSeries series(static_cast<size_t>(capacity));
    for (int i = 0; i < appended; ++i)
        series.append(second(i), i);

    const auto kept = std::min(capacity, appended);
    QCOMPARE(series.size(), size_t(kept));
    const auto points = series.since();
    QCOMPARE(points.size(), size_t(kept));
    // The oldest points were overwritten; the rest come oldest first.
    for (int i = 0; i < kept; ++i) {
        const int expected = appended - kept + i;
        QCOMPARE(points[size_t(i)].timeMs, second(expected));
        QCOMPARE(points[size_t(i)].value, double(expected));
    }
    QCOMPARE(series.last()->value, double(appended - 1));
}

void TestTimeSeries::sameSecondReplaces()
{
    TimeSeries series(5);
    series.append(second(0), 1.0);
    series.append(second(1), 2.0);
    series.append(second(1) + 999, 3.0);  // same second, later: replaces
    QCOMPARE(series.size(), size_t(2));
    QCOMPARE(series.last()->value, 3.0);
    QCOMPARE(series.last()->timeMs, second(1) + 999);
    series.append(second(2), 4.0);  // next second: a new point
    QCOMPARE(series.size(), size_t(3));
    const auto points = series.since();
    QCOMPARE(points[1].value, 3.0);
    QCOMPARE(points[2].value, 4.0);
}

void TestTimeSeries::outOfOrderIsDropped()
{
    TimeSeries series(5);
    series.append(second(5), 1.0);
    series.append(second(3), 2.0);  // the clock stepped back
    QCOMPARE(series.size(), size_t(1));
    QCOMPARE(series.last()->value, 1.0);
}

void TestTimeSeries::since_data()
{
    QTest::addColumn<qint64>("afterMs");
    QTest::addColumn<int>("firstSecond");  // first returned point; -1: none
    QTest::addRow("zero: all") << qint64(0) << 10;  // seconds 10..19 kept
    QTest::addRow("before the oldest") << qint64(second(3)) << 10;
    QTest::addRow("exactly a point: excluded") << qint64(second(14)) << 15;
    QTest::addRow("between points") << qint64(second(14) + 500) << 15;
    QTest::addRow("the newest: nothing new") << qint64(second(19)) << -1;
    QTest::addRow("after the newest") << qint64(second(40)) << -1;
}

void TestTimeSeries::since()
{
    QFETCH(qint64, afterMs);
    QFETCH(int, firstSecond);
    TimeSeries series(10);
    for (int i = 0; i < 20; ++i)  // wraps: the ring's start is mid-buffer
        series.append(second(i), i);
    const auto points = series.since(afterMs);
    if (firstSecond < 0) {
        QVERIFY(points.empty());
        return;
    }
    QCOMPARE(points.size(), size_t(20 - firstSecond));
    for (size_t i = 0; i < points.size(); ++i)
        QCOMPARE(points[i].timeMs, second(firstSecond + int(i)));
}

void TestTimeSeries::memoryConstantAfterFilling()
{
    TimeSeries series(3600);
    const auto initial = series.memoryBytes();
    QCOMPARE(initial, size_t(3600) * sizeof(SeriesPoint));
    for (int i = 0; i < 3600; ++i)
        series.append(second(i), i);
    QCOMPARE(series.memoryBytes(), initial);
    for (int i = 3600; i < 3 * 3600; ++i)
        series.append(second(i), i);
    QCOMPARE(series.memoryBytes(), initial);
    QCOMPARE(series.size(), size_t(3600));
}

void TestTimeSeries::storeCreatesOnFirstAppend()
{
    SeriesStore store(60);
    QCOMPARE(store.capacity(), size_t(60));
    QVERIFY(store.names().empty());
    QVERIFY(store.since("lag_seconds/replica").empty());
    store.append("qps/replica", second(0), 10);
    store.append("lag_seconds/replica", second(0), 0.5);
    store.append("lag_seconds/replica", second(1), 0.7);
    QCOMPARE(store.names(), (std::vector<std::string>{"lag_seconds/replica", "qps/replica"}));
    const auto lag = store.since("lag_seconds/replica");
    QCOMPARE(lag.size(), size_t(2));
    QCOMPARE(lag[1].value, 0.7);
    QCOMPARE(store.since("lag_seconds/replica", second(0)).size(), size_t(1));
    QVERIFY(store.since("unknown").empty());
    QCOMPARE(store.names().size(), size_t(2));  // reading does not create
}

void TestTimeSeries::storeMemory()
{
    SeriesStore store(3600);
    QCOMPARE(store.memoryBytes(), size_t(0));
    const std::vector<std::string> names{"lag_seconds/replica", "pool_in_use/primary", "latency_p95/read"};
    for (const auto& name : names)
        store.append(name, second(0), 1);
    const auto created = store.memoryBytes();
    // At least the rings, and little more than them.
    const auto rings = names.size() * 3600 * sizeof(SeriesPoint);
    QVERIFY(created >= rings);
    QVERIFY2(created < rings + names.size() * 1024, std::to_string(created).c_str());
    for (int i = 1; i < 2 * 3600; ++i)
        for (const auto& name : names)
            store.append(name, second(i), i);
    QCOMPARE(store.memoryBytes(), created);
    store.append("qps/replica", second(0), 1);
    QVERIFY(store.memoryBytes() > created);
}

QTEST_GUILESS_MAIN(TestTimeSeries)
#include "tst_time_series.moc"

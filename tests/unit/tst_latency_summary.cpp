// LatencySamples: exact nearest-rank quantiles (checked against a full sort),
// the empty and tiny cases, and the bounded memory: past its capacity a
// series keeps count, mean and max exact and its quantiles representative.

#include "common/Errors.hpp"
#include "workload/LatencySamples.hpp"

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

using pulse::LatencySamples;

namespace {

// The definition, written the slow and obvious way.
double nearestRank(std::vector<double> values, double q)
{
    std::sort(values.begin(), values.end());
    const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(values.size()) - 1e-9));
    return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

} // namespace

class TestLatencySummary : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void emptyIsZero();
    void smallSets_data();
    void smallSets();
    void oneToHundred();
    void matchesFullSort_data();
    void matchesFullSort();
    void pastCapacityKeepsTotalsExact();
    void clearStartsOver();
    void zeroCapacityRefused();
};

void TestLatencySummary::emptyIsZero()
{
    const LatencySamples samples;
    const auto s = samples.summary();
    QCOMPARE(s.count, std::uint64_t(0));
    QCOMPARE(s.p50Seconds, 0.0);
    QCOMPARE(s.p99Seconds, 0.0);
    QCOMPARE(s.maxSeconds, 0.0);
    QCOMPARE(s.meanSeconds, 0.0);
    QVERIFY(samples.exact());
}

void TestLatencySummary::smallSets_data()
{
    QTest::addColumn<std::vector<double>>("values");
    QTest::addColumn<double>("p50");
    QTest::addColumn<double>("p95");
    QTest::addColumn<double>("p99");
    QTest::addColumn<double>("max");
    QTest::addRow("one") << std::vector<double> {0.25} << 0.25 << 0.25 << 0.25 << 0.25;
    // Nearest rank: the median of two is the lower one, never an average.
    QTest::addRow("two") << std::vector<double> {2.0, 1.0} << 1.0 << 2.0 << 2.0 << 2.0;
    QTest::addRow("three unordered") << std::vector<double> {3.0, 1.0, 2.0} << 2.0 << 3.0 << 3.0 << 3.0;
    QTest::addRow("ties") << std::vector<double> {5.0, 5.0, 5.0, 1.0} << 5.0 << 5.0 << 5.0 << 5.0;
    // One slow load in twenty: p95 still the fast value, p99 the slow one.
    std::vector<double> twenty(19, 0.1);
    twenty.push_back(1.9);
    QTest::addRow("one outlier in twenty") << twenty << 0.1 << 0.1 << 1.9 << 1.9;
}

void TestLatencySummary::smallSets()
{
    QFETCH(std::vector<double>, values);
    QFETCH(double, p50);
    QFETCH(double, p95);
    QFETCH(double, p99);
    QFETCH(double, max);
    const auto s = LatencySamples::summarize(values);
    QCOMPARE(s.count, std::uint64_t(values.size()));
    QCOMPARE(s.p50Seconds, p50);
    QCOMPARE(s.p95Seconds, p95);
    QCOMPARE(s.p99Seconds, p99);
    QCOMPARE(s.maxSeconds, max);
}

void TestLatencySummary::oneToHundred()
{
    std::vector<double> values;
    for (int i = 100; i >= 1; --i)
        values.push_back(i);
    std::shuffle(values.begin(), values.end(), std::mt19937(7));
    LatencySamples samples(1000);
    for (double v : values)
        samples.add(v);
    const auto s = samples.summary();
    QCOMPARE(s.count, std::uint64_t(100));
    QCOMPARE(s.p50Seconds, 50.0);
    QCOMPARE(s.p95Seconds, 95.0);
    QCOMPARE(s.p99Seconds, 99.0);
    QCOMPARE(s.maxSeconds, 100.0);
    QCOMPARE(s.meanSeconds, 50.5);
    QVERIFY(samples.exact());
}

void TestLatencySummary::matchesFullSort_data()
{
    QTest::addColumn<int>("size");
    QTest::addColumn<unsigned>("seed");
    for (int size : {1, 2, 7, 99, 100, 101, 1000, 12345})
        QTest::addRow("%d values", size) << size << unsigned(size * 31 + 1);
}

void TestLatencySummary::matchesFullSort()
{
    QFETCH(int, size);
    QFETCH(unsigned, seed);
    std::mt19937 random(seed);
    // Latency-like: mostly fast, a long tail, and many exact ties.
    std::lognormal_distribution<double> latency(-3.0, 1.0);
    std::vector<double> values;
    values.reserve(std::size_t(size));
    for (int i = 0; i < size; ++i)
        values.push_back(std::round(latency(random) * 1e4) / 1e4);
    const auto s = LatencySamples::summarize(values);
    QCOMPARE(s.p50Seconds, nearestRank(values, 0.50));
    QCOMPARE(s.p95Seconds, nearestRank(values, 0.95));
    QCOMPARE(s.p99Seconds, nearestRank(values, 0.99));
    QCOMPARE(s.maxSeconds, *std::max_element(values.begin(), values.end()));
    QVERIFY(s.p50Seconds <= s.p95Seconds && s.p95Seconds <= s.p99Seconds && s.p99Seconds <= s.maxSeconds);
}

void TestLatencySummary::pastCapacityKeepsTotalsExact()
{
    // 100 000 values 0.00001 .. 1.0 in a shuffled order, into 2 000 slots.
    const int n = 100'000;
    std::vector<double> values;
    for (int i = 1; i <= n; ++i)
        values.push_back(i / double(n));
    std::shuffle(values.begin(), values.end(), std::mt19937(11));
    LatencySamples samples(2000);
    for (double v : values)
        samples.add(v);

    QCOMPARE(samples.stored().size(), std::size_t(2000)); // the memory bound
    QVERIFY(!samples.exact());
    const auto s = samples.summary();
    QCOMPARE(s.count, std::uint64_t(n));
    QCOMPARE(s.maxSeconds, 1.0);
    QVERIFY(std::abs(s.meanSeconds - (n + 1) / (2.0 * n)) < 1e-9);
    // A uniform reservoir of 2000: the standard error of the median is about
    // 0.011, of p95 about 0.005; the bounds are over four of them.
    QVERIFY2(std::abs(s.p50Seconds - 0.50) < 0.05, std::to_string(s.p50Seconds).c_str());
    QVERIFY2(std::abs(s.p95Seconds - 0.95) < 0.02, std::to_string(s.p95Seconds).c_str());
    QVERIFY2(std::abs(s.p99Seconds - 0.99) < 0.01, std::to_string(s.p99Seconds).c_str());
}

void TestLatencySummary::clearStartsOver()
{
    LatencySamples samples(4);
    for (int i = 0; i < 10; ++i)
        samples.add(3.0);
    samples.clear();
    samples.add(0.5);
    const auto s = samples.summary();
    QCOMPARE(s.count, std::uint64_t(1));
    QCOMPARE(s.maxSeconds, 0.5);
    QCOMPARE(s.p99Seconds, 0.5);
    QVERIFY(samples.exact());
}

void TestLatencySummary::zeroCapacityRefused()
{
    QVERIFY_THROWS_EXCEPTION(pulse::InvalidParameterError, LatencySamples(0));
}

QTEST_GUILESS_MAIN(TestLatencySummary)
#include "tst_latency_summary.moc"

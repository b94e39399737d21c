// LatencyHistogram: bucket bounds and quantiles stay within the promised
// relative error, and concurrent recording loses nothing.

#include "metrics/LatencyHistogram.hpp"

#include <QtTest>

#include <thread>
#include <vector>

using namespace std::chrono_literals;

class TestLatencyHistogram : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void emptyIsZero();
    void quantilesWithinBucketError();
    void concurrentRecording();
    void cumulativeCounts();
};

void TestLatencyHistogram::emptyIsZero()
{
    pulse::LatencyHistogram h;
    const auto s = h.snapshot();
    QCOMPARE(s.count, std::uint64_t(0));
    QCOMPARE(s.quantile(0.5), 0.0);
}

void TestLatencyHistogram::quantilesWithinBucketError()
{
    pulse::LatencyHistogram h;
    for (int i = 1; i <= 1000; ++i)
        h.record(std::chrono::microseconds(i));  // 1 us .. 1 ms, uniform
    const auto s = h.snapshot();
    QCOMPARE(s.count, std::uint64_t(1000));
    const double p50 = s.quantile(0.50), p99 = s.quantile(0.99);
    QVERIFY2(p50 >= 500e-6 && p50 <= 500e-6 * 1.25, std::to_string(p50).c_str());
    QVERIFY2(p99 >= 990e-6 && p99 <= 990e-6 * 1.25, std::to_string(p99).c_str());
    QCOMPARE(s.maxSeconds, 1e-3);
    QVERIFY(qAbs(s.meanSeconds() - 500.5e-6) < 1e-9);
}

void TestLatencyHistogram::concurrentRecording()
{
    pulse::LatencyHistogram h;
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t)
        threads.emplace_back([&h] {
            for (int i = 0; i < 10000; ++i)
                h.record(std::chrono::nanoseconds(100 + i));
        });
    for (auto& t : threads)
        t.join();
    QCOMPARE(h.snapshot().count, std::uint64_t(80000));
}

void TestLatencyHistogram::cumulativeCounts()
{
    pulse::LatencyHistogram h;
    h.record(1ms);
    h.record(10ms);
    h.record(100ms);
    const auto s = h.snapshot();
    QCOMPARE(s.countAtOrBelow(0.0005), std::uint64_t(0));
    QCOMPARE(s.countAtOrBelow(0.02), std::uint64_t(2));
    QCOMPARE(s.countAtOrBelow(1.0), std::uint64_t(3));
}

QTEST_GUILESS_MAIN(TestLatencyHistogram)
#include "tst_latency_histogram.moc"

// QueryMetrics: cells are created once and never move (sessions keep
// pointers), outcomes are counted apart, totals are bucket-wise sums, and
// concurrent recording loses nothing.

#include "metrics/QueryMetrics.hpp"

#include <QtTest>

#include <latch>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using pulse::QueryMetrics;
using pulse::QueryOutcome;

class TestQueryMetrics : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void cellsAreStable();
    void outcomes_data();
    void outcomes();
    void snapshotIsSorted();
    void totals();
    void totalOfUnknownTargetIsEmpty();
    void concurrentRecording();
};

void TestQueryMetrics::cellsAreStable()
{
    QueryMetrics metrics;
    auto& first = metrics.cell("primary", "job_control");
    QCOMPARE(first.target, std::string("primary"));
    QCOMPARE(first.operation, std::string("job_control"));
    QCOMPARE(&metrics.cell("primary", "job_control"), &first);
    QVERIFY(&metrics.cell("primary", "dashboard_metrics") != &first);
    QVERIFY(&metrics.cell("replica", "job_control") != &first);
    // Enough new cells to rebalance the map many times over: the first cell
    // must not move, since sessions hold plain pointers to it.
    for (int i = 0; i < 500; ++i)
        metrics.cell("replica", "op" + std::to_string(i));
    QCOMPARE(&metrics.cell("primary", "job_control"), &first);
    // A key built from pieces of a longer string (string_view lookup).
    const std::string buffer = "primary/job_control";
    QCOMPARE(&metrics.cell(std::string_view(buffer).substr(0, 7), std::string_view(buffer).substr(8)), &first);
}

void TestQueryMetrics::outcomes_data()
{
    QTest::addColumn<int>("ok");
    QTest::addColumn<int>("errors");
    QTest::addColumn<int>("timeouts");
    QTest::addRow("none") << 0 << 0 << 0;
    QTest::addRow("only ok") << 5 << 0 << 0;
    QTest::addRow("errors") << 3 << 2 << 0;
    QTest::addRow("timeouts count as errors") << 1 << 0 << 4;
    QTest::addRow("mixed") << 7 << 2 << 3;
}

void TestQueryMetrics::outcomes()
{
    QFETCH(int, ok);
    QFETCH(int, errors);
    QFETCH(int, timeouts);
    QueryMetrics metrics;
    auto& cell = metrics.cell("primary", "user_authentication");
    for (int i = 0; i < ok; ++i)
        QueryMetrics::record(cell, 2ms, QueryOutcome::Ok);
    for (int i = 0; i < errors; ++i)
        QueryMetrics::record(cell, 3ms, QueryOutcome::Error);
    for (int i = 0; i < timeouts; ++i)
        QueryMetrics::record(cell, 5s, QueryOutcome::Timeout);

    const auto snapshot = metrics.snapshot();
    QCOMPARE(snapshot.size(), size_t(1));
    const auto& s = snapshot.front();
    QCOMPARE(s.target, std::string("primary"));
    QCOMPARE(s.operation, std::string("user_authentication"));
    QCOMPARE(s.duration.count, std::uint64_t(ok + errors + timeouts));
    QCOMPARE(s.errors, std::uint64_t(errors + timeouts));
    QCOMPARE(s.timeouts, std::uint64_t(timeouts));
    const double expectedSum = ok * 0.002 + errors * 0.003 + timeouts * 5.0;
    QVERIFY(qAbs(s.duration.sumSeconds - expectedSum) < 1e-9);
}

void TestQueryMetrics::snapshotIsSorted()
{
    QueryMetrics metrics;
    metrics.cell("replica", "b");
    metrics.cell("primary", "z");
    metrics.cell("replica", "a");
    metrics.cell("primary", "a");
    const auto snapshot = metrics.snapshot();
    QCOMPARE(snapshot.size(), size_t(4));
    const std::vector<std::pair<std::string, std::string>> expected{
        {"primary", "a"}, {"primary", "z"}, {"replica", "a"}, {"replica", "b"}};
    for (size_t i = 0; i < expected.size(); ++i) {
        QCOMPARE(snapshot[i].target, expected[i].first);
        QCOMPARE(snapshot[i].operation, expected[i].second);
    }
}

void TestQueryMetrics::totals()
{
    QueryMetrics metrics;
    auto& writes = metrics.cell("primary", "job_control");
    auto& auth = metrics.cell("primary", "user_authentication");
    auto& reads = metrics.cell("replica", "dashboard_metrics");
    // A target whose name extends another's must not be summed with it.
    auto& other = metrics.cell("primary2", "job_control");
    for (int i = 0; i < 10; ++i)
        QueryMetrics::record(writes, 1ms, QueryOutcome::Ok);
    for (int i = 0; i < 5; ++i)
        QueryMetrics::record(auth, 100ms, i == 0 ? QueryOutcome::Timeout : QueryOutcome::Ok);
    for (int i = 0; i < 20; ++i)
        QueryMetrics::record(reads, 10ms, i < 2 ? QueryOutcome::Error : QueryOutcome::Ok);
    QueryMetrics::record(other, 1s, QueryOutcome::Ok);

    const auto primary = metrics.total("primary");
    QCOMPARE(primary.target, std::string("primary"));
    QCOMPARE(primary.duration.count, std::uint64_t(15));
    QCOMPARE(primary.errors, std::uint64_t(1));
    QCOMPARE(primary.timeouts, std::uint64_t(1));
    QVERIFY(qAbs(primary.duration.sumSeconds - (10 * 0.001 + 5 * 0.1)) < 1e-9);
    QCOMPARE(primary.duration.maxSeconds, 0.1);
    // Bucket-wise: 10 of 15 queries took 1 ms, so the median is in the 1 ms
    // bucket and p90 in the 100 ms one.
    QVERIFY(primary.duration.quantile(0.5) <= 0.00125);
    QVERIFY(primary.duration.quantile(0.9) >= 0.09);

    const auto replica = metrics.total("replica");
    QCOMPARE(replica.duration.count, std::uint64_t(20));
    QCOMPARE(replica.errors, std::uint64_t(2));
    QCOMPARE(replica.timeouts, std::uint64_t(0));

    const auto all = metrics.total();
    QCOMPARE(all.target, std::string());
    QCOMPARE(all.duration.count, std::uint64_t(36));
    QCOMPARE(all.errors, std::uint64_t(3));
    QCOMPARE(all.timeouts, std::uint64_t(1));
    QCOMPARE(all.duration.maxSeconds, 1.0);
    std::uint64_t bucketSum = 0;
    for (auto c : all.duration.buckets)
        bucketSum += c;
    QCOMPARE(bucketSum, std::uint64_t(36));
}

void TestQueryMetrics::totalOfUnknownTargetIsEmpty()
{
    QueryMetrics metrics;
    QueryMetrics::record(metrics.cell("primary", "x"), 1ms, QueryOutcome::Ok);
    const auto none = metrics.total("replica");
    QCOMPARE(none.duration.count, std::uint64_t(0));
    QCOMPARE(none.duration.buckets.size(), size_t(pulse::LatencyHistogram::kBuckets));
    QCOMPARE(none.duration.quantile(0.99), 0.0);
}

void TestQueryMetrics::concurrentRecording()
{
    constexpr int kThreads = 8;
    constexpr int kPerThread = 20000;
    QueryMetrics metrics;
    std::latch start(kThreads);
    std::vector<std::thread> threads;
    threads.reserve(kThreads);
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&metrics, &start, t] {
            start.arrive_and_wait();
            // Every thread resolves the shared cells itself, racing on their
            // creation as sessions do, then records into them.
            auto& shared = metrics.cell("replica", "dashboard_metrics");
            auto& own = metrics.cell("primary", "op" + std::to_string(t));
            for (int i = 0; i < kPerThread; ++i) {
                const auto outcome = i % 10 == 0 ? QueryOutcome::Error
                    : i % 25 == 0                ? QueryOutcome::Timeout
                                                 : QueryOutcome::Ok;
                QueryMetrics::record(shared, std::chrono::microseconds(100 + i % 1000), outcome);
                QueryMetrics::record(own, std::chrono::microseconds(50), QueryOutcome::Ok);
            }
        });
    for (auto& thread : threads)
        thread.join();

    // Per thread: i % 10 == 0 -> 2000 errors; i % 25 == 0 but not % 10 ->
    // 800 - 400 (multiples of 50) = 400 timeouts.
    const auto shared = metrics.total("replica");
    QCOMPARE(shared.duration.count, std::uint64_t(kThreads * kPerThread));
    QCOMPARE(shared.errors, std::uint64_t(kThreads * (2000 + 400)));
    QCOMPARE(shared.timeouts, std::uint64_t(kThreads * 400));
    const auto primary = metrics.total("primary");
    QCOMPARE(primary.duration.count, std::uint64_t(kThreads * kPerThread));
    QCOMPARE(metrics.snapshot().size(), size_t(kThreads + 1));
    QCOMPARE(metrics.total().duration.count, std::uint64_t(2 * kThreads * kPerThread));
}

QTEST_GUILESS_MAIN(TestQueryMetrics)
#include "tst_query_metrics.moc"

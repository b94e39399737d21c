// Metrics overhead, measured side by side with the baselines in one run:
//
//  1. QueryMetrics::record (what every statement pays) against
//     prometheus-cpp's Histogram::Observe with the same 16 buckets (what a
//     user would otherwise pick), and a relaxed atomic fetch_add (the floor),
//     each with 1 and 8 threads all hitting the same cell/histogram (the
//     worst case: every session of one operation). Target: record <= 200 ns
//     median per call. QueryMetrics::cell's hot lookup (once per session) is
//     measured too.
//  2. The memory held by a full hour of the console's chart series
//     (SeriesStore(3600), ~40 series, every point written): memoryBytes()
//     against the resident-set increase read from /proc/self/statm.
//
// Run:   ./dev.sh bench                       (builds, then runs every bench)
//   or   cmake -S . -B build -G Ninja -DPULSE_BUILD_BENCH=ON && ninja -C build bench_metrics
//        ./build/tests/bench/bench_metrics [--benchmark_filter=REGEX] [--benchmark_min_time=SECONDS]
// Build in Release or RelWithDebInfo (the default); a Debug or sanitizer
// build measures the instrumentation.
//
// Reading the numbers: with N threads Google Benchmark divides wall time by
// the iterations of all threads, so "real" is the inverse of throughput; "CPU"
// is the CPU time of one call, contention stalls included, which is what a
// statement pays. On a machine with fewer cores than threads, threads are
// time-sliced and only the CPU column means "per call".

#include "metrics/QueryMetrics.hpp"
#include "metrics/SeriesStore.hpp"

#include <benchmark/benchmark.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

namespace {

using Nanos = std::chrono::nanoseconds;

// Query durations from a log-normal around 2 ms (0.2 ms .. 50 ms mostly), so
// records spread over buckets as real ones do; the same for every contender.
const std::vector<Nanos>& durations()
{
    static const std::vector<Nanos> values = [] {
        std::mt19937_64 random(42);
        std::lognormal_distribution<double> distribution(std::log(2e6), 1.0);
        std::vector<Nanos> v(4096);
        for (auto& d : v)
            d = Nanos(static_cast<std::int64_t>(distribution(random)));
        return v;
    }();
    return values;
}

constexpr size_t kMask = 4096 - 1;

void atomic_fetch_add_relaxed(benchmark::State& state)
{
    static std::atomic<std::uint64_t> counter{0};
    for (auto _ : state)
        benchmark::DoNotOptimize(counter.fetch_add(1, std::memory_order_relaxed));
}

void QueryMetrics_record(benchmark::State& state)
{
    static pulse::QueryMetrics metrics;
    auto& cell = metrics.cell("replica", "dashboard_metrics");
    const auto& values = durations();
    size_t i = static_cast<size_t>(state.thread_index()) * 512;
    for (auto _ : state)
        pulse::QueryMetrics::record(cell, values[i++ & kMask], pulse::QueryOutcome::Ok);
    benchmark::DoNotOptimize(cell.duration.snapshot().count);
}

void prometheus_Histogram_Observe(benchmark::State& state)
{
    static auto registry = std::make_shared<prometheus::Registry>();
    static auto& histogram = prometheus::BuildHistogram()
                                 .Name("query_duration_seconds")
                                 .Help("Query duration")
                                 .Register(*registry)
                                 .Add({{"target", "replica"}, {"operation", "dashboard_metrics"}},
                                      prometheus::Histogram::BucketBoundaries{0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                                              0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
                                                                              10, 30, 60});
    const auto& values = durations();
    size_t i = static_cast<size_t>(state.thread_index()) * 512;
    for (auto _ : state)
        histogram.Observe(std::chrono::duration<double>(values[i++ & kMask]).count());
}

void QueryMetrics_cell_lookup(benchmark::State& state)
{
    static pulse::QueryMetrics metrics;
    // A realistic map: 2 targets x 9 operations.
    static const bool filled = [] {
        for (const char* target : {"primary", "replica"})
            for (const char* operation :
                 {"user_authentication", "job_control", "admin_configuration", "client_management",
                  "integration_setup", "dashboard_metrics", "analytics_reports", "data_visualization",
                  "export_operations"})
                metrics.cell(target, operation);
        return true;
    }();
    benchmark::DoNotOptimize(filled);
    for (auto _ : state)
        benchmark::DoNotOptimize(&metrics.cell("replica", "dashboard_metrics"));
}

void configure(benchmark::internal::Benchmark* b)
{
    b->Threads(1)->Threads(8)->UseRealTime()->MinTime(0.2)->Repetitions(10)->ReportAggregatesOnly(true);
}

BENCHMARK(atomic_fetch_add_relaxed)->Apply(configure);
BENCHMARK(QueryMetrics_record)->Apply(configure);
BENCHMARK(prometheus_Histogram_Observe)->Apply(configure);
BENCHMARK(QueryMetrics_cell_lookup)->Apply(configure);

// Keeps the medians for the side-by-side summary printed after the runs.
class MedianReporter : public benchmark::ConsoleReporter {
public:
    // A reporter passed in replaces the default one, colour detection
    // included: colour only on a terminal, so a log file stays readable.
    MedianReporter()
        : ConsoleReporter(::isatty(STDOUT_FILENO) ? OO_ColorTabular : OO_Tabular)
    {
    }

    struct Median {
        double cpuNs = 0;
        double realNs = 0;
    };
    void ReportRuns(const std::vector<Run>& runs) override
    {
        for (const auto& run : runs)
            if (run.run_type == Run::RT_Aggregate && run.aggregate_name == "median")
                m_medians[{run.run_name.function_name, run.threads}] = {run.GetAdjustedCPUTime(),
                                                                         run.GetAdjustedRealTime()};
        ConsoleReporter::ReportRuns(runs);
    }
    const std::map<std::pair<std::string, int>, Median>& medians() const { return m_medians; }

private:
    std::map<std::pair<std::string, int>, Median> m_medians;
};

size_t residentBytes()
{
    std::ifstream statm("/proc/self/statm");
    size_t size = 0, resident = 0;
    statm >> size >> resident;
    return resident * static_cast<size_t>(::sysconf(_SC_PAGESIZE));
}

// The console's chart series for a primary, two replicas and an ETL job.
std::vector<std::string> consoleSeries()
{
    std::vector<std::string> names;
    const std::vector<std::string> replicas{"replica1", "replica2"};
    const std::vector<std::string> nodes{"primary", "replica1", "replica2"};
    for (const auto& r : replicas)
        for (const char* metric : {"lag_seconds", "lag_bytes"})
            names.push_back(std::string(metric) + "/" + r);
    for (const auto& pool : nodes)
        for (const char* metric : {"pool_in_use", "pool_idle", "pool_overflow", "pool_waiters", "pool_timeouts"})
            names.push_back(std::string(metric) + "/" + pool);
    for (const char* kind : {"read", "write"})
        for (const char* q : {"latency_p50", "latency_p95", "latency_p99"})
            names.push_back(std::string(q) + "/" + kind);
    for (const auto& node : nodes)
        for (const char* metric : {"qps", "errors_per_second", "connections", "cache_hit_ratio"})
            names.push_back(std::string(metric) + "/" + node);
    for (const char* metric : {"etl_rows_per_second", "etl_batch_seconds", "fallbacks_per_second"})
        names.emplace_back(metric);
    return names;
}

struct MemoryFigures {
    size_t series = 0;
    size_t points = 0;
    size_t memoryBytes = 0;
    size_t residentIncrease = 0;
};

// Measured before the benchmarks run, so the store's pages come fresh from
// the kernel rather than from memory the benchmarks freed.
MemoryFigures measureHourOfSeries()
{
    const auto names = consoleSeries();
    const auto before = residentBytes();
    auto store = std::make_unique<pulse::SeriesStore>(3600);
    const std::int64_t t0 = 1'700'000'000'000;
    for (std::int64_t s = 0; s < 3600; ++s)
        for (size_t n = 0; n < names.size(); ++n)
            store->append(names[n], t0 + s * 1000, static_cast<double>(s + static_cast<std::int64_t>(n)));
    MemoryFigures figures;
    figures.residentIncrease = residentBytes() - before;
    figures.series = store->names().size();
    figures.points = figures.series * store->since(names.front()).size();
    figures.memoryBytes = store->memoryBytes();
    return figures;
}

void printSummary(const MedianReporter& reporter, const MemoryFigures& memory)
{
    const auto& medians = reporter.medians();
    std::printf("\nSummary (medians of 10 repetitions; ns per call)\n");
    std::printf("%-34s %8s %12s %16s %12s\n", "", "threads", "CPU ns/call", "real ns (tput)", "Mcalls/s");
    for (const char* name :
         {"atomic_fetch_add_relaxed", "QueryMetrics_record", "prometheus_Histogram_Observe", "QueryMetrics_cell_lookup"})
        for (const int threads : {1, 8}) {
            const auto it = medians.find({name, threads});
            if (it == medians.end())
                continue;
            const auto& m = it->second;
            std::printf("%-34s %8d %12.1f %16.1f %12.1f\n", name, threads, m.cpuNs, m.realNs,
                        m.realNs > 0 ? 1e3 / m.realNs : 0.0);
        }
    for (const int threads : {1, 8}) {
        const auto record = medians.find({"QueryMetrics_record", threads});
        const auto observe = medians.find({"prometheus_Histogram_Observe", threads});
        if (record == medians.end())
            continue;
        std::printf("QueryMetrics::record, %d thread%s: %.1f ns/call (target <= 200 ns): %s", threads,
                    threads > 1 ? "s" : "", record->second.cpuNs, record->second.cpuNs <= 200 ? "met" : "MISSED");
        if (observe != medians.end() && record->second.cpuNs > 0)
            std::printf("; Histogram::Observe costs %.1fx", observe->second.cpuNs / record->second.cpuNs);
        std::printf("\n");
    }

    std::printf("\nOne hour of chart series: SeriesStore(3600), %zu series, %zu points\n", memory.series,
                memory.points);
    std::printf("  %-36s %12zu bytes (%.2f MiB)\n", "memoryBytes()", memory.memoryBytes,
                static_cast<double>(memory.memoryBytes) / (1 << 20));
    std::printf("  %-36s %12zu bytes (%.2f MiB)\n", "resident-set increase (statm)", memory.residentIncrease,
                static_cast<double>(memory.residentIncrease) / (1 << 20));
    std::printf("  %-36s %12zu bytes\n", "per series (memoryBytes / series)",
                memory.series ? memory.memoryBytes / memory.series : 0);
}

}  // namespace

int main(int argc, char** argv)
{
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    const auto memory = measureHourOfSeries();
    MedianReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    printSummary(reporter, memory);
    return 0;
}

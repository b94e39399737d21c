// Health monitor costs and reaction times on a private sandbox, at the
// default MONITOR_INTERVAL_MS (500) and MONITOR_PROBE_TIMEOUT_MS (400):
//
//  1. CPU per monitor cycle (monitor thread + probe workers), against the
//     cycle's own interval: the share of one core the monitor costs.
//  2. Time from the replica being stopped, and from it being frozen
//     (SIGSTOP: accepts TCP, answers nothing), to replica-eligible reads
//     running on the primary, with a reader looping all along.
//     Target: at most 1 s for both. Baseline: libpq's own connect_timeout,
//     whose effective minimum (2 s) is what a blocking client would wait
//     for a frozen node on every new connection.
//
// Usage: bench_monitor [--trials N]   (default 3 trials per fault)

#include "BenchSandbox.hpp"
#include "FrozenNode.hpp"

#include "common/Logging.hpp"
#include "config/SettingsLoader.hpp"
#include "engine/Engine.hpp"
#include "topology/Sandbox.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <iostream>
#include <optional>
#include <thread>

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

template <typename Predicate>
bool waitFor(Predicate predicate, std::chrono::milliseconds timeout)
{
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
        if (predicate())
            return true;
        std::this_thread::sleep_for(5ms);
    }
    return predicate();
}

// Reads in a loop and remembers when the first read ran on the primary
// after `arm()`.
class Reader {
public:
    explicit Reader(pulse::Router& router) : m_thread([this, &router] {
        while (!m_stop) {
            try {
                auto s = router.readSession();
                const bool onReplica = s.exec("SELECT pg_is_in_recovery()").boolean(0, 0);
                if (!onReplica && m_armed && !m_primarySince)
                    m_primarySince = Clock::now();
                m_lastOnReplica = onReplica;
            } catch (const std::exception&) {
                ++m_failures;
            }
        }
    })
    {
    }
    ~Reader()
    {
        m_stop = true;
        m_thread.join();
    }
    void arm()
    {
        m_primarySince.reset();
        m_armed = true;
    }
    std::optional<Clock::time_point> primarySince() const { return m_primarySince; }
    bool lastOnReplica() const { return m_lastOnReplica; }
    int failures() const { return m_failures; }

private:
    std::atomic<bool> m_stop{false}, m_armed{false}, m_lastOnReplica{false};
    std::atomic<int> m_failures{0};
    std::optional<Clock::time_point> m_primarySince;  // written by the reader, read after it is seen set
    std::thread m_thread;
};

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv)
{
    int trials = 3;
    for (int i = 1; i + 1 < argc; i += 2)
        if (std::strcmp(argv[i], "--trials") == 0)
            trials = std::max(1, std::atoi(argv[i + 1]));
    pulse::setupLogging({.logFile = {}, .toStderr = true, .defaultLevel = "error", .extraSinksLevel = {}});

    auto sandbox = startBenchSandbox();
    pulse::Engine engine(benchSettings(*sandbox, {{"DB_REPLICA_POOL_TIMEOUT", "1"}}));
    const auto interval = engine.settings().monitorInterval;

    // 1. CPU per cycle on a healthy topology.
    engine.startMonitor();
    waitFor([&] { return engine.monitor().stats().cycles >= 2; }, 10s);
    const auto before = engine.monitor().stats();
    waitFor([&] { return engine.monitor().stats().cycles >= before.cycles + 20; }, 30s);
    const auto after = engine.monitor().stats();
    const double cycles = static_cast<double>(after.cycles - before.cycles);
    const double cpuPerCycle = (after.totalCpuMs - before.totalCpuMs) / cycles;

    std::cout << "\nHealth monitor (MONITOR_INTERVAL_MS " << interval.count() << ", MONITOR_PROBE_TIMEOUT_MS "
              << engine.settings().monitorProbeTimeout.count() << ", 2 nodes)\n";
    std::cout << fmt::format("{:<44} {:>12} {:>14} {:>12}\n", "figure", "measured", "baseline", "ratio");
    std::cout << fmt::format("{:<44} {:>9.3f} ms {:>11.0f} ms {:>11.2f}%\n", "CPU per cycle (monitor + probe threads)",
                             cpuPerCycle, static_cast<double>(interval.count()),
                             100.0 * cpuPerCycle / static_cast<double>(interval.count()));
    std::cout << fmt::format("{:<44} {:>9.3f} ms {:>14} {:>12}\n", "wall time of the last cycle", after.lastCycleMs,
                             "-", "-");
    std::cout << fmt::format("{:<44} {:>9.1f} MB {:>14} {:>12}\n", "chart series held (one hour, all series)",
                             static_cast<double>(engine.series().memoryBytes()) / (1024.0 * 1024.0), "-", "-");

    // 2. Reaction to a stopped and a frozen replica.
    std::vector<double> stoppedMs, frozenMs;
    int failedReads = 0;
    for (int trial = 0; trial < trials; ++trial) {
        for (const bool freeze : {false, true}) {
            Reader reader(engine.router());
            if (!waitFor([&] { return reader.lastOnReplica(); }, 30s)) {
                std::cerr << "reads never returned to the replica; stopping\n";
                return 1;
            }
            reader.arm();
            const auto faultAt = Clock::now();
            std::optional<FrozenNode> frozen;
            if (freeze)
                frozen.emplace(sandbox->dataDir(pulse::SandboxNode::Replica));
            else
                sandbox->stop(pulse::SandboxNode::Replica, pulse::StopMode::Immediate);
            waitFor([&] { return reader.primarySince().has_value(); }, 30s);
            const auto since = reader.primarySince();
            const double ms = since ? std::chrono::duration<double, std::milli>(*since - faultAt).count() : -1;
            (freeze ? frozenMs : stoppedMs).push_back(ms);
            failedReads += reader.failures();
            frozen.reset();
            if (!freeze)
                sandbox->start(pulse::SandboxNode::Replica);
            // Next trial from a healthy state: breaker closed, reads back on the replica.
            waitFor([&] { return reader.lastOnReplica(); }, 30s);
        }
    }
    const auto row = [&](const char* name, const std::vector<double>& v) {
        const double med = median(v), worst = *std::max_element(v.begin(), v.end());
        std::cout << fmt::format("{:<44} {:>9.0f} ms {:>11.0f} ms {:>12}\n", name, med, 2000.0,
                                 worst <= 1000 ? "<= 1 s: PASS" : "<= 1 s: FAIL");
        std::cout << fmt::format("{:<44} {:>9.0f} ms\n", "  worst of the trials", worst);
    };
    std::cout << "\nReplica fault -> replica-eligible reads on the primary (" << trials
              << " trials each; baseline: libpq connect_timeout minimum)\n";
    std::cout << fmt::format("{:<44} {:>12} {:>14} {:>12}\n", "fault", "median", "baseline", "target");
    row("replica stopped (immediate shutdown)", stoppedMs);
    row("replica frozen (SIGSTOP)", frozenMs);
    std::cout << "failed reads during all trials (fallback on): " << failedReads << "\n";
    engine.stopMonitor();
    sandbox->teardown();
    return 0;
}

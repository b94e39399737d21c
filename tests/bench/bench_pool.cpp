// Pool and router overhead, measured side by side with their baselines in
// one run on a private sandbox (the machine is noisy: read the ratios).
//
//  1. Pool checkout + return, warm, uncontended and 8 threads on pool_size 4
//     (target: median <= 2 us uncontended).
//  2. SELECT 1 through router + pool vs a raw libpq connection, 1 and 8
//     client threads (target: overhead <= 5% at the median), and through
//     PgBouncer in transaction mode when it is installed.
//
// Usage: bench_pool [--seconds S] [--rounds R]   (default 0.5 s x 10 rounds per contender)

#include "BenchSandbox.hpp"
#include "PgBouncerPeer.hpp"

#include "common/Logging.hpp"
#include "config/SettingsLoader.hpp"
#include "engine/Engine.hpp"
#include "topology/Sandbox.hpp"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <optional>
#include <cstring>
#include <iostream>
#include <thread>

#include <time.h>
#include <vector>

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

struct Figures {
    double medianUs = 0;
    double p99Us = 0;
    double qps = 0;
    std::vector<double> samplesUs;  // every call's latency, for pooling rounds
    double elapsedSeconds = 0;
    double clientCpuSeconds = 0;  // CPU the client threads spent (user + system)
};

double threadCpuSeconds()
{
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double percentile(std::vector<double>& values, double q)
{
    if (values.empty())
        return 0;
    const auto k = static_cast<size_t>(q * static_cast<double>(values.size() - 1));
    std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
    return values[k];
}

// Runs `threads` workers for `duration`; each calls op() in a loop and the
// per-call latency is recorded. Returns the samples; pooled() summarises.
template <typename MakeWorker>
Figures measure(int threads, std::chrono::milliseconds duration, MakeWorker makeWorker)
{
    std::vector<std::vector<double>> samples(static_cast<size_t>(threads));
    std::vector<double> cpu(static_cast<size_t>(threads));
    std::atomic<bool> stop{false};
    std::barrier ready(threads + 1);
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t)
        workers.emplace_back([&, t] {
            auto op = makeWorker();  // connects before the clock starts
            auto& mine = samples[static_cast<size_t>(t)];
            mine.reserve(200'000);
            ready.arrive_and_wait();
            const double cpuStart = threadCpuSeconds();
            while (!stop.load(std::memory_order_relaxed)) {
                const auto start = Clock::now();
                op();
                mine.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
            }
            cpu[static_cast<size_t>(t)] = threadCpuSeconds() - cpuStart;
        });
    ready.arrive_and_wait();
    const auto start = Clock::now();
    std::this_thread::sleep_for(duration);
    stop = true;
    for (auto& w : workers)
        w.join();
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    std::vector<double> all;
    for (auto& s : samples)
        all.insert(all.end(), s.begin(), s.end());
    Figures f;
    f.samplesUs = std::move(all);
    f.elapsedSeconds = elapsed;
    for (double c : cpu)
        f.clientCpuSeconds += c;
    return f;
}

// Checkout + return cycles timed in batches (a clock read per cycle would
// cost as much as the cycle itself).
Figures measureCheckout(pulse::ConnectionPool& pool, int threads, int batches, int batchSize)
{
    std::vector<std::vector<double>> samples(static_cast<size_t>(threads));
    std::vector<std::thread> workers;
    std::barrier ready(threads);
    const auto wallStart = Clock::now();
    for (int t = 0; t < threads; ++t)
        workers.emplace_back([&, t] {
            ready.arrive_and_wait();
            for (int b = 0; b < batches; ++b) {
                const auto start = Clock::now();
                for (int i = 0; i < batchSize; ++i) {
                    auto lease = pool.acquire();
                }
                samples[static_cast<size_t>(t)].push_back(
                    std::chrono::duration<double, std::nano>(Clock::now() - start).count() / batchSize);
            }
        });
    for (auto& w : workers)
        w.join();
    const double elapsed = std::chrono::duration<double>(Clock::now() - wallStart).count();
    std::vector<double> all;
    for (auto& s : samples)
        all.insert(all.end(), s.begin(), s.end());
    Figures f;
    f.medianUs = percentile(all, 0.50) / 1000.0;
    f.p99Us = percentile(all, 0.99) / 1000.0;
    f.qps = static_cast<double>(threads) * batches * batchSize / elapsed;
    return f;
}

// A plain libpq client: the baseline. Every contender runs with the router
// profile's statement_timeout, because it arms a timer in the server on every
// statement: that cost belongs to the feature, not to the pool. A direct
// client sets it on its session; PgBouncer sets it on each server connection
// (a session SET through a transaction-mode bouncer would land on whichever
// server connection happened to run it).
struct RawClient {
    RawClient(const pulse::ConnectionParams& params, std::optional<std::chrono::milliseconds> statementTimeout)
    {
        const auto arrays = params.toArrays();
        conn = PQconnectdbParams(arrays.keywords.data(), arrays.values.data(), 0);
        if (PQstatus(conn) != CONNECTION_OK)
            throw std::runtime_error(std::string("raw connect failed: ") + PQerrorMessage(conn));
        if (statementTimeout) {
            const std::string set = "SET statement_timeout = " + std::to_string(statementTimeout->count());
            PQclear(PQexec(conn, set.c_str()));
        }
    }
    ~RawClient() { PQfinish(conn); }
    RawClient(const RawClient&) = delete;
    RawClient& operator=(const RawClient&) = delete;
    void selectOne()
    {
        PGresult* r = PQexecParams(conn, "SELECT 1", 0, nullptr, nullptr, nullptr, nullptr, 0);
        if (PQresultStatus(r) != PGRES_TUPLES_OK)
            throw std::runtime_error(PQerrorMessage(conn));
        PQclear(r);
    }
    PGconn* conn;
};

// All rounds of one contender pooled: the median of every call it made.
Figures pooled(const std::vector<Figures>& rounds)
{
    Figures f;
    for (const auto& r : rounds) {
        f.samplesUs.insert(f.samplesUs.end(), r.samplesUs.begin(), r.samplesUs.end());
        f.elapsedSeconds += r.elapsedSeconds;
        f.clientCpuSeconds += r.clientCpuSeconds;
    }
    f.qps = static_cast<double>(f.samplesUs.size()) / f.elapsedSeconds;
    f.medianUs = percentile(f.samplesUs, 0.50);
    f.p99Us = percentile(f.samplesUs, 0.99);
    return f;
}

}  // namespace

int main(int argc, char** argv)
{
    // Many short interleaved rounds: CPU frequency and scheduling drift over
    // seconds on a shared 2-core machine, and alternating the contenders
    // spreads that drift evenly over all of them.
    double seconds = 0.5;
    int rounds = 10;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::strcmp(argv[i], "--seconds") == 0)
            seconds = std::atof(argv[i + 1]);
        else if (std::strcmp(argv[i], "--rounds") == 0)
            rounds = std::atoi(argv[i + 1]);
    }
    pulse::setupLogging({.logFile = {}, .toStderr = true, .defaultLevel = "warn", .extraSinksLevel = {}});
    const auto duration = std::chrono::milliseconds(static_cast<long>(seconds * 1000));

    auto sandbox = startBenchSandbox();
    pulse::Engine engine(benchSettings(*sandbox, {{"DB_POOL_SIZE", "8"}, {"DB_MAX_OVERFLOW", "0"}}));
    const auto primaryParams = pulse::Engine::connectionParams(engine.settings(), pulse::Target::Primary, "bench");

    // 1. Checkout + return on a warm pool.
    pulse::PoolConfig checkoutConfig;
    checkoutConfig.name = "bench";
    checkoutConfig.params = primaryParams;
    checkoutConfig.size = 4;
    checkoutConfig.maxOverflow = 0;
    checkoutConfig.timeout = 10s;
    auto pool = pulse::ConnectionPool::create(checkoutConfig);
    pool->prefill(4);
    measureCheckout(*pool, 1, 200, 1000);  // warm-up
    const auto uncontended = measureCheckout(*pool, 1, 2000, 1000);
    const auto contended = measureCheckout(*pool, 8, 250, 1000);

    std::cout << "\nPool checkout + return (warm pool, pool_size 4, ns per cycle)\n";
    std::cout << fmt::format("{:<34} {:>12} {:>12} {:>16} {:>14}\n", "case", "median ns", "p99 ns", "cycles/s",
                             "target");
    std::cout << fmt::format("{:<34} {:>12.0f} {:>12.0f} {:>16.0f} {:>14}\n", "uncontended, 1 thread",
                             uncontended.medianUs * 1000, uncontended.p99Us * 1000, uncontended.qps,
                             uncontended.medianUs <= 2.0 ? "<= 2000: PASS" : "<= 2000: FAIL");
    std::cout << fmt::format("{:<34} {:>12.0f} {:>12.0f} {:>16.0f} {:>14}\n", "8 threads on pool_size 4",
                             contended.medianUs * 1000, contended.p99Us * 1000, contended.qps, "-");

    // 2. SELECT 1: raw libpq vs router + pool vs PgBouncer (transaction mode).
    engine.primaryPool()->prefill(8);
    std::string why;
    auto& router = engine.router();
    const auto profileTimeout = router.profile(pulse::ProfileKind::Write).statementTimeout;
    auto bouncer = PgBouncerPeer::start(*sandbox, 8, profileTimeout, why);
    auto bouncerParams = primaryParams;
    if (bouncer)
        bouncerParams.port(bouncer->port()).password("");

    std::cout << "\nSELECT 1 on the sandbox primary (" << rounds << " interleaved rounds of " << seconds
              << " s each; medians over all rounds)\n";
    std::cout << fmt::format("{:<8} {:>14} {:>14} {:>10} {:>14} {:>10} {:>14} {:>12} {:>12}\n", "clients",
                             "raw med us", "pool med us", "overhead", "raw qps", "pool qps", "pgbouncer qps",
                             "pool/bouncer", "target");
    std::vector<std::string> cpuLines;
    for (int clients : {1, 8}) {
        std::vector<Figures> raw, routed, bounced;
        for (int r = 0; r < rounds; ++r) {
            raw.push_back(measure(clients, duration, [&] {
                auto client = std::make_shared<RawClient>(primaryParams, profileTimeout);
                return [client] { client->selectOne(); };
            }));
            routed.push_back(measure(clients, duration, [&] {
                return [&router] {
                    auto session = router.session("user_authentication");
                    session.exec("SELECT 1");
                };
            }));
            if (bouncer)
                bounced.push_back(measure(clients, duration, [&] {
                    auto client = std::make_shared<RawClient>(bouncerParams, std::nullopt);
                    return [client] { client->selectOne(); };
                }));
        }
        const auto rawF = pooled(raw), routedF = pooled(routed);
        const double overhead = 100.0 * (routedF.medianUs - rawF.medianUs) / rawF.medianUs;
        std::string bouncerQps = "n/a", ratio = "n/a";
        if (bouncer) {
            const auto b = pooled(bounced);
            bouncerQps = fmt::format("{:.0f}", b.qps);
            ratio = fmt::format("{:.2f}x", routedF.qps / b.qps);
        }
        std::cout << fmt::format("{:<8} {:>14.1f} {:>14.1f} {:>9.1f}% {:>14.0f} {:>10.0f} {:>14} {:>12} {:>12}\n",
                                 clients, rawF.medianUs, routedF.medianUs, overhead, rawF.qps, routedF.qps, bouncerQps,
                                 ratio, overhead <= 5.0 ? "<= 5%: PASS" : "<= 5%: FAIL");
        const auto cpuPerCallUs = [](const Figures& f) {
            return f.clientCpuSeconds * 1e6 / static_cast<double>(f.samplesUs.size());
        };
        cpuLines.push_back(fmt::format("{:<8} {:>14.2f} {:>14.2f} {:>12.2f}\n", clients, cpuPerCallUs(rawF),
                                       cpuPerCallUs(routedF), cpuPerCallUs(routedF) - cpuPerCallUs(rawF)));
    }
    // CPU time is far less noisy than latency on a shared machine, and it is
    // what the router + pool add: the server's share is the same for both.
    std::cout << "\nClient CPU per SELECT 1 (user + system, us; the client threads only)\n";
    std::cout << fmt::format("{:<8} {:>14} {:>14} {:>12}\n", "clients", "raw", "router+pool", "added");
    for (const auto& line : cpuLines)
        std::cout << line;
    if (!bouncer)
        std::cout << "PgBouncer column skipped: " << why << "\n";
    const auto stats = engine.primaryPool()->stats();
    std::cout << fmt::format("\nrouter pool after the run: {} connections opened for {} checkouts "
                             "(the hot path never connected once warm)\n",
                             stats.created, stats.checkouts);
    sandbox->teardown();
    return 0;
}

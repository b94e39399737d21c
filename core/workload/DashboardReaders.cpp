#include "workload/DashboardReaders.hpp"

#include "common/Errors.hpp"
#include "common/Logging.hpp"
#include "common/StopSleep.hpp"
#include "routing/Router.hpp"
#include "workload/DashboardQueries.hpp"
#include "workload/LatencySamples.hpp"

#include <atomic>
#include <deque>
#include <map>
#include <mutex>
#include <stop_token>
#include <thread>

namespace pulse {
namespace {

// The limits of DASHBOARD_READERS and DASHBOARD_THINK_MS (core/config/SettingCatalog.cpp).
constexpr int kMaxReaders = 256;
constexpr long kMaxThinkMs = 60'000;

}  // namespace
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kRecentErrors = 10; // for the whole workload
constexpr std::size_t kRecentQueryErrors = 3; // per query

double seconds(Clock::duration d)
{
    return std::chrono::duration<double>(d).count();
}

void remember(std::deque<std::string>& list, std::string message, std::size_t capacity)
{
    list.push_back(std::move(message));
    while (list.size() > capacity)
        list.pop_front();
}

} // namespace

struct DashboardReaders::Impl {
    struct QueryRecord {
        std::uint64_t errors = 0;
        LatencySamples latency;
        std::map<std::string, std::uint64_t> byNode;
        std::deque<std::string> recentErrors;
    };

    // Everything the readers record, copied out whole by snapshot().
    struct Measurements {
        std::uint64_t pageLoads = 0;
        std::uint64_t failedPageLoads = 0;
        LatencySamples pageLoad;
        std::vector<QueryRecord> queries;
        std::map<std::string, LatencySamples> byNode;
        std::deque<std::string> recentErrors;
        Clock::time_point startedAt {};
        std::optional<Clock::time_point> stoppedAt;
    };

    Impl(Router& r, ReaderOptions o)
        : router(r)
        , options(std::move(o))
    {
        if (options.queries.empty())
            options.queries = DashboardQueries::all();
    }

    void runReader(const std::stop_token& stop);
    // Runs one panel; false when it failed.
    bool runQuery(std::size_t index);

    Router& router;
    ReaderOptions options; // immutable while the readers run

    mutable std::mutex mutex; // guards `data`; held only to record or copy
    Measurements data;

    std::atomic<bool> running {false};
    std::vector<std::jthread> threads;
};

bool DashboardReaders::Impl::runQuery(std::size_t index)
{
    const DashboardQuery& query = options.queries[index];
    const auto start = Clock::now();
    try {
        std::string node;
        double took = 0;
        {
            Session session = router.session(query.operation, query.context);
            session.exec(query.sql);
            took = seconds(Clock::now() - start);
            // Read after exec(): a replica that broke mid-query moves the
            // session to the primary, and the decision says so.
            node = session.decision().node;
        } // the lease goes back to its pool before the lock is taken
        std::lock_guard lock(mutex);
        QueryRecord& record = data.queries[index];
        record.latency.add(took);
        ++record.byNode[node];
        data.byNode[node].add(took);
        return true;
    } catch (const std::exception& error) {
        std::string message = query.name + ": " + error.what();
        logger("workload")->debug("{}", message);
        std::lock_guard lock(mutex);
        QueryRecord& record = data.queries[index];
        ++record.errors;
        remember(record.recentErrors, message, kRecentQueryErrors);
        remember(data.recentErrors, std::move(message), kRecentErrors);
        return false;
    }
}

void DashboardReaders::Impl::runReader(const std::stop_token& stop)
{
    while (!stop.stop_requested()) {
        const auto pageStart = Clock::now();
        bool failed = false;
        bool complete = true;
        for (std::size_t i = 0; i < options.queries.size(); ++i) {
            if (stop.stop_requested()) {
                complete = false;
                break;
            }
            if (!runQuery(i))
                failed = true;
        }
        if (!complete)
            return; // a page cut short by stop() is neither a load nor a failure
        const double took = seconds(Clock::now() - pageStart);
        {
            std::lock_guard lock(mutex);
            if (failed) {
                ++data.failedPageLoads;
            } else {
                ++data.pageLoads;
                data.pageLoad.add(took);
            }
        }
        // The think pause; stop() (through the stop_token) ends it at once.
        sleepUnlessStopped(options.think, stop);
    }
}

DashboardReaders::DashboardReaders(Router& router, ReaderOptions options)
    : m_impl(std::make_unique<Impl>(router, std::move(options)))
{ }

DashboardReaders::~DashboardReaders()
{
    stop();
}

void ReaderOptions::validate() const
{
    if (readers < 1 || readers > kMaxReaders)
        throw InvalidParameterError("readers must be from 1 to " + std::to_string(kMaxReaders) +
                                    " (--readers or DASHBOARD_READERS; got " + std::to_string(readers) + ")");
    if (think.count() < 0 || think.count() > kMaxThinkMs)
        throw InvalidParameterError("think time must be from 0 to " + std::to_string(kMaxThinkMs) +
                                    " ms (--think or DASHBOARD_THINK_MS; got " + std::to_string(think.count()) + ")");
}

void DashboardReaders::start()
{
    const ReaderOptions& options = m_impl->options;
    options.validate();
    if (m_impl->running.load())
        throw Error("dashboard readers: already running; stop() them first");
    {
        std::lock_guard lock(m_impl->mutex);
        m_impl->data = Impl::Measurements {};
        m_impl->data.queries.resize(options.queries.size());
        m_impl->data.startedAt = Clock::now();
    }
    m_impl->running = true;
    m_impl->threads.reserve(static_cast<std::size_t>(options.readers));
    for (int i = 0; i < options.readers; ++i)
        m_impl->threads.emplace_back([impl = m_impl.get()](const std::stop_token& stop) { impl->runReader(stop); });
}

void DashboardReaders::stop()
{
    if (!m_impl->running.load())
        return;
    // Ask every reader first, then join: they wind down in parallel.
    for (auto& thread : m_impl->threads)
        thread.request_stop();
    for (auto& thread : m_impl->threads)
        thread.join();
    m_impl->threads.clear();
    {
        std::lock_guard lock(m_impl->mutex);
        m_impl->data.stoppedAt = Clock::now();
    }
    m_impl->running = false;
}

bool DashboardReaders::running() const
{
    return m_impl->running.load();
}

WorkloadStats DashboardReaders::snapshot() const
{
    Impl::Measurements copy;
    {
        std::lock_guard lock(m_impl->mutex);
        copy = m_impl->data;
    }
    // The quantiles are computed here, on the copy, so readers never wait
    // for a snapshot's selection work.
    WorkloadStats stats;
    stats.readers = m_impl->options.readers;
    if (copy.startedAt != Clock::time_point {}) {
        const auto end = copy.stoppedAt.value_or(Clock::now());
        stats.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(end - copy.startedAt);
    }
    stats.pageLoads = copy.pageLoads;
    stats.failedPageLoads = copy.failedPageLoads;
    stats.pageLoad = copy.pageLoad.summary();
    const auto& queries = m_impl->options.queries;
    stats.queries.reserve(queries.size());
    for (std::size_t i = 0; i < queries.size(); ++i) {
        QueryStats q;
        q.name = queries[i].name;
        if (i < copy.queries.size()) {
            const Impl::QueryRecord& record = copy.queries[i];
            q.errors = record.errors;
            q.latency = record.latency.summary();
            q.byNode = record.byNode;
            q.recentErrors.assign(record.recentErrors.begin(), record.recentErrors.end());
        }
        stats.queries.push_back(std::move(q));
    }
    for (const auto& [node, samples] : copy.byNode)
        stats.byNode[node] = samples.summary();
    stats.recentErrors.assign(copy.recentErrors.begin(), copy.recentErrors.end());
    return stats;
}

} // namespace pulse

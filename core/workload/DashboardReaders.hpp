#pragma once
// N concurrent dashboard readers. Each reader loads the dashboard page (every
// DashboardQueries::all() query, in order, each in its own routed session) in
// a loop, pausing `think` between page loads, and records:
//   - the page load time (all panels; the plan's "dashboard loading time"),
//     exactly, one sample per page load;
//   - each query's latency, per query and per node that served it.
// A failed query is counted (with its error) and makes its page load failed;
// the reader goes on with the page's other panels, as a browser would render
// them, and with the next page load.
//
// Each query's latency runs from asking the router for a session to the last
// row received: what a page waits for, the pool lease included.
//
// Samples are kept per series (page loads, each query, each node) in a
// LatencySamples, bounded at 2^20 samples (8 MiB) each; past that the
// quantiles are estimated from a uniform reservoir (see LatencySamples.hpp).
//
// Thread contract: start()/stop() from one thread; snapshot() from any, also
// while the readers run (it copies under a short lock and computes the
// quantiles outside it).

#include "workload/DashboardQuery.hpp"
#include "workload/WorkloadStats.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <vector>

namespace pulse {

class Router;

struct ReaderOptions {
    int readers = 4;                          // DASHBOARD_READERS
    std::chrono::milliseconds think{200};     // DASHBOARD_THINK_MS
    // The page to load; empty: DashboardQueries::all(). Lets a caller add its
    // own panels (and a test a panel that fails on purpose). The braces keep
    // designated initializers that omit it free of -Wmissing-field-initializers.
    std::vector<DashboardQuery> queries{};

    // The one check of readers and think time, for every caller (the CLI
    // before it connects, the load test, start()); the limits are those of
    // DASHBOARD_READERS and DASHBOARD_THINK_MS. Throws InvalidParameterError.
    void validate() const;
};

class DashboardReaders {
public:
    DashboardReaders(Router& router, ReaderOptions options);
    ~DashboardReaders();  // stop()
    DashboardReaders(const DashboardReaders&) = delete;
    DashboardReaders& operator=(const DashboardReaders&) = delete;

    // Starts a new run (the measurements of a previous run are cleared).
    // Throws InvalidParameterError for readers < 1 or a negative think time,
    // pulse::Error when already running; returns at once.
    void start();
    // Asks every reader to stop after its current query and joins them; a
    // thinking reader wakes at once. A page load cut short is not counted.
    // Idempotent.
    void stop();
    bool running() const;
    WorkloadStats snapshot() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace pulse

#pragma once
// N concurrent dashboard readers. Each reader loads the dashboard page (every
// DashboardQueries::all() query, in order, each in its own routed session) in
// a loop, pausing `think` between page loads, and records:
//   - the page load time (all panels; the plan's "dashboard loading time"),
//     exactly, one sample per page load;
//   - each query's latency, per query and per node that served it.
// A failed query is counted (with its error) and makes its page load failed;
// the reader goes on.
//
// Thread contract: start()/stop() from one thread; snapshot() from any.

#include "workload/WorkloadStats.hpp"

#include <chrono>
#include <memory>
#include <optional>

namespace pulse {

class Router;

struct ReaderOptions {
    int readers = 4;                          // DASHBOARD_READERS
    std::chrono::milliseconds think{200};     // DASHBOARD_THINK_MS
};

class DashboardReaders {
public:
    DashboardReaders(Router& router, ReaderOptions options);
    ~DashboardReaders();  // stop()
    DashboardReaders(const DashboardReaders&) = delete;
    DashboardReaders& operator=(const DashboardReaders&) = delete;

    void start();  // throws InvalidParameterError for readers < 1; returns at once
    // Asks every reader to stop after its current query and joins them.
    void stop();
    bool running() const;
    WorkloadStats snapshot() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace pulse

#pragma once
// What the dashboard readers measured, as a value (copied out under a lock).

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace pulse {

struct LatencySummary {
    std::uint64_t count = 0;
    double p50Seconds = 0;
    double p95Seconds = 0;
    double p99Seconds = 0;
    double maxSeconds = 0;
    double meanSeconds = 0;
};

struct QueryStats {
    std::string name;
    std::uint64_t errors = 0;
    LatencySummary latency;                      // successful runs only
    std::map<std::string, std::uint64_t> byNode; // "replica", "primary", ... -> runs
    std::vector<std::string> recentErrors;       // this query's last few, newest last
};

struct WorkloadStats {
    int readers = 0;
    std::chrono::milliseconds elapsed{0};
    std::uint64_t pageLoads = 0;        // completed without error
    std::uint64_t failedPageLoads = 0;
    LatencySummary pageLoad;            // exact quantiles of the successful page loads
    std::vector<QueryStats> queries;    // in DashboardQueries::all() order
    std::map<std::string, LatencySummary> byNode;  // every query's latency per node that served it
    std::vector<std::string> recentErrors;         // the last few, newest last
};

}  // namespace pulse

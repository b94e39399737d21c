#pragma once
// The platform's dashboard page, DORA-style, over the demo schema
// (etl/DemoSchema.cpp). The readers load it panel by panel, in this order.
//
// Every window is relative to now() and every query reads through the
// indexes the schema creates (deployments_env_time, incidents_opened,
// pull_requests_merged, issues_created, issues_resolved). Two habits keep
// them cheap as the tables grow:
//   - the day/week axis comes from an integer generate_series, whose row
//     count the planner knows; a timestamp series is estimated at 1000 rows,
//     which inflates the join estimates until JIT compilation (~200 ms of
//     compile for a 20 ms query) kicks in;
//   - aggregates are computed before the join with the axis, so the join
//     sees at most one row per day or week.
//
// Durations are in hours (double precision); rates are fractions in [0, 1],
// NULL when there is nothing to divide by.

#include "workload/DashboardQuery.hpp"

#include <string_view>
#include <vector>

namespace pulse {

class DashboardQueries {
public:
    // The whole page, in display order. Built once; thread-safe to read.
    static const std::vector<DashboardQuery>& all();
    // One panel by its name; nullptr when there is none.
    static const DashboardQuery* find(std::string_view name);
};

} // namespace pulse

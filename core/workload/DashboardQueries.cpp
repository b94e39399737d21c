#include "workload/DashboardQueries.hpp"

#include <algorithm>

namespace pulse {
namespace {

// One row per day of the last 30 (today included), zero on days without a
// deployment. Days are calendar days in the session's TimeZone.
constexpr const char* kDeploymentFrequency = R"SQL(
WITH days AS (
    SELECT date_trunc('day', now()) - n * interval '1 day' AS day FROM generate_series(0, 29) AS n
), per_day AS (
    SELECT date_trunc('day', deployed_at) AS day, count(*) AS deployments
    FROM deployments
    WHERE environment = 'production' AND status = 'success'
      AND deployed_at >= date_trunc('day', now()) - interval '29 days'
      AND deployed_at < date_trunc('day', now()) + interval '1 day'
    GROUP BY 1
)
SELECT days.day::date AS day, coalesce(per_day.deployments, 0) AS deployments
FROM days LEFT JOIN per_day USING (day)
ORDER BY days.day
)SQL";

// Commit-to-production time of the changes that reached production.
constexpr const char* kLeadTime = R"SQL(
SELECT count(*) AS deployments,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM deployed_at - first_commit_at)::float8) / 3600
           AS median_hours,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM deployed_at - first_commit_at)::float8) / 3600
           AS p90_hours
FROM deployments
WHERE environment = 'production' AND status = 'success' AND deployed_at >= now() - interval '30 days'
)SQL";

constexpr const char* kChangeFailureRate = R"SQL(
SELECT count(*) AS deployments,
       count(*) FILTER (WHERE status = 'failure') AS failures,
       (count(*) FILTER (WHERE status = 'failure'))::float8 / nullif(count(*), 0) AS failure_rate
FROM deployments
WHERE environment = 'production' AND deployed_at >= now() - interval '30 days'
)SQL";

// Unresolved incidents are counted beside the figures, so a low median
// cannot hide incidents that are still open.
constexpr const char* kTimeToRestore = R"SQL(
SELECT count(resolved_at) AS resolved,
       count(*) - count(resolved_at) AS unresolved,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM resolved_at - opened_at)::float8) / 3600
           AS median_hours,
       avg(extract(epoch FROM resolved_at - opened_at)::float8) / 3600 AS mean_hours
FROM incidents
WHERE opened_at >= now() - interval '30 days'
)SQL";

// Weeks start on Monday (date_trunc('week')); the current week is partial.
// `merged_at IS NOT NULL` spells out the predicate of the partial index.
constexpr const char* kPullRequestThroughput = R"SQL(
WITH weeks AS (
    SELECT date_trunc('week', now()) - n * interval '1 week' AS week FROM generate_series(0, 11) AS n
), per_week AS (
    SELECT date_trunc('week', merged_at) AS week, count(*) AS merged,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM merged_at - created_at)::float8) / 3600
               AS median_hours_to_merge
    FROM pull_requests
    WHERE merged_at IS NOT NULL
      AND merged_at >= date_trunc('week', now()) - interval '11 weeks'
      AND merged_at < now()
    GROUP BY 1
)
SELECT weeks.week::date AS week_start, coalesce(per_week.merged, 0) AS merged, per_week.median_hours_to_merge
FROM weeks LEFT JOIN per_week USING (week)
ORDER BY weeks.week
)SQL";

// Open at a week's end = open before the window + a running sum of
// (created - resolved) per week; the current week ends now(). "Open before
// the window" is (created before it) - (resolved before it): two counts that
// an index answers (index-only once vacuumed), instead of testing every
// issue's life span against every week. It assumes resolved_at >= created_at,
// which the generator and the trackers guarantee.
constexpr const char* kOpenIssueTrend = R"SQL(
WITH weeks AS (
    SELECT date_trunc('week', now()) - n * interval '1 week' AS week FROM generate_series(0, 11) AS n
), created AS (
    SELECT date_trunc('week', created_at) AS week, count(*) AS n
    FROM issues
    WHERE created_at >= date_trunc('week', now()) - interval '11 weeks' AND created_at < now()
    GROUP BY 1
), resolved AS (
    SELECT date_trunc('week', resolved_at) AS week, count(*) AS n
    FROM issues
    WHERE resolved_at >= date_trunc('week', now()) - interval '11 weeks' AND resolved_at < now()
    GROUP BY 1
), open_before AS (
    SELECT (SELECT count(*) FROM issues
            WHERE created_at < date_trunc('week', now()) - interval '11 weeks')
         - (SELECT count(*) FROM issues
            WHERE resolved_at IS NOT NULL AND resolved_at < date_trunc('week', now()) - interval '11 weeks') AS n
)
SELECT weeks.week::date AS week_start,
       coalesce(created.n, 0) AS created,
       coalesce(resolved.n, 0) AS resolved,
       open_before.n + sum(coalesce(created.n, 0) - coalesce(resolved.n, 0)) OVER (ORDER BY weeks.week)
           AS open_at_week_end
FROM weeks
CROSS JOIN open_before
LEFT JOIN created USING (week)
LEFT JOIN resolved USING (week)
ORDER BY weeks.week
)SQL";

} // namespace

const std::vector<DashboardQuery>& DashboardQueries::all()
{
    // The four DORA panels are the dashboard proper; the weekly trends are
    // report-style reads and are routed as such (both kinds go to a replica).
    static const std::vector<DashboardQuery> page {
        {"deployment_frequency", "Deployment frequency (per day, 30 days)", "dashboard_metrics", "dashboard",
            kDeploymentFrequency},
        {"lead_time_for_changes", "Lead time for changes (median and p90, 30 days)", "dashboard_metrics", "dashboard",
            kLeadTime},
        {"change_failure_rate", "Change failure rate (30 days)", "dashboard_metrics", "dashboard", kChangeFailureRate},
        {"time_to_restore", "Time to restore service (30 days)", "dashboard_metrics", "dashboard", kTimeToRestore},
        {"pull_request_throughput", "Merged pull requests per week and median time to merge (12 weeks)",
            "analytics_reports", "analytics", kPullRequestThroughput},
        {"open_issue_trend", "Issues created, resolved and open per week (12 weeks)", "analytics_reports", "reports",
            kOpenIssueTrend},
    };
    return page;
}

const DashboardQuery* DashboardQueries::find(std::string_view name)
{
    const auto& page = all();
    const auto it = std::find_if(page.begin(), page.end(), [&](const DashboardQuery& q) { return q.name == name; });
    return it == page.end() ? nullptr : &*it;
}

} // namespace pulse

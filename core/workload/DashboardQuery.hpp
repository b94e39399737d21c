#pragma once
// One panel of the platform's dashboard: the SQL it runs over the demo schema
// and the operation it is routed as (dashboard_metrics or analytics_reports),
// so it goes wherever the router sends dashboards: a replica, or the primary
// on fallback or with USE_READ_REPLICA off.

#include <string>

namespace pulse {

struct DashboardQuery {
    std::string name;       // stable key: "deployment_frequency"
    std::string title;      // for people: "Deployment frequency (per day, 30 days)"
    std::string operation;  // "dashboard_metrics" or "analytics_reports"
    std::string context;    // "dashboard", "analytics", "reports"
    std::string sql;        // no parameters; windows relative to now()
};

}  // namespace pulse

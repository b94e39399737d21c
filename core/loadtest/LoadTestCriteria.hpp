#pragma once
// The plan's success criteria, judged from measured phases:
//   - dashboard loading time < 2 s during ETL (p95 and max, no failed loads),
//   - connection pool utilisation < 80% (peak, every pool),
//   - replication lag < 1 s under normal load (max; bytes alongside),
//   - ETL rows/s and total time (a figure; the load must not fail),
//   - dashboard latency with and without the replica (a figure).

#include "loadtest/LoadTestReport.hpp"

#include <vector>

namespace pulse {

class LoadTestCriteria {
public:
    static constexpr double kDashboardSeconds = 2.0;
    static constexpr double kPoolPercent = 80.0;
    static constexpr double kLagSeconds = 1.0;

    // phases[0] is the phase with the replica; phases[1], when present, the
    // single-database comparison.
    static std::vector<Criterion> evaluate(const std::vector<PhaseReport>& phases);
};

}  // namespace pulse

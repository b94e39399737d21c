#include "loadtest/LoadTestCriteria.hpp"

#include "health/LagFormat.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace pulse {
namespace {

// Three decimals: a lag of 0.9987 s must not read "1.00 s" next to "< 1 s: PASS".
std::string seconds(double value)
{
    return fmt::format("{:.3f} s", value);
}

Criterion dashboardCriterion(const PhaseReport& phase)
{
    const auto& page = phase.dashboard.pageLoad;
    Criterion c;
    c.name = "Dashboard loading time < 2 s during ETL";
    c.target = "p95 and max < 2 s, no failed page load";
    if (page.count == 0) {
        c.measured = "no page load completed";
        if (phase.dashboard.failedPageLoads > 0)
            c.measured += fmt::format(" ({} failed)", phase.dashboard.failedPageLoads);
        return c;
    }
    c.measured = fmt::format("p95 {}, max {} over {} page loads", seconds(page.p95Seconds), seconds(page.maxSeconds),
                             page.count);
    if (phase.dashboard.failedPageLoads > 0)
        c.measured += fmt::format(", {} failed", phase.dashboard.failedPageLoads);
    c.pass = page.p95Seconds < LoadTestCriteria::kDashboardSeconds &&
             page.maxSeconds < LoadTestCriteria::kDashboardSeconds && phase.dashboard.failedPageLoads == 0;
    return c;
}

Criterion poolCriterion(const PhaseReport& phase)
{
    Criterion c;
    c.name = "Connection pool utilisation < 80%";
    c.target = "peak < 80% of pool_size + max_overflow, every pool";
    c.pass = !phase.pools.empty();
    for (const auto& pool : phase.pools) {
        c.measured += fmt::format("{}{} peak {:.0f}% ({} of {}), mean {:.0f}%", c.measured.empty() ? "" : "; ",
                                  pool.pool, pool.peakPercent, pool.peakCheckedOut, pool.capacity, pool.meanPercent);
        if (pool.timeouts > 0)
            c.measured += fmt::format(", {} timeouts", pool.timeouts);
        c.pass = c.pass && pool.peakPercent < LoadTestCriteria::kPoolPercent && pool.timeouts == 0;
    }
    if (phase.pools.empty())
        c.measured = "no pool sampled";
    return c;
}

Criterion lagCriterion(const PhaseReport& phase)
{
    Criterion c;
    c.name = "Replication lag < 1 s under load";
    c.target = "max < 1 s on every replica, lag always known";
    if (phase.lag.empty()) {
        // Single-database topology: nothing replicates, so nothing can lag.
        c.measured = "no replica configured";
        c.informational = true;
        c.pass = true;
        return c;
    }
    c.pass = true;
    for (const auto& lag : phase.lag) {
        if (!c.measured.empty())
            c.measured += "; ";
        if (lag.samples == 0) {
            c.measured += lag.replica + ": no monitor cycle completed during the phase";
            c.pass = false;
            continue;
        }
        if (lag.samples == lag.unknownSamples) {
            c.measured += lag.replica + " lag unknown (down or disconnected)";
            c.pass = false;
            continue;
        }
        c.measured += fmt::format("{} max {} ({}), p95 {} ({})", lag.replica, seconds(lag.maxSeconds),
                                  formatLagBytes(lag.maxBytes), seconds(lag.p95Seconds), formatLagBytes(lag.p95Bytes));
        if (lag.unknownSamples > 0)
            c.measured += fmt::format(", unknown in {} of {} samples", lag.unknownSamples, lag.samples);
        c.pass = c.pass && lag.maxSeconds < LoadTestCriteria::kLagSeconds && lag.unknownSamples == 0;
    }
    return c;
}

Criterion etlCriterion(const PhaseReport& phase)
{
    Criterion c;
    c.name = "ETL throughput";
    c.target = "a figure; the load must not fail";
    c.informational = true;
    const auto& etl = phase.etl;
    c.measured = fmt::format("{} rows in {} ({:.0f} rows/s), {}", etl.rows,
                             seconds(static_cast<double>(etl.elapsed.count()) / 1000.0), etl.rowsPerSecond, etl.state);
    if (etl.retries > 0)
        c.measured += fmt::format(", {} reconnections", etl.retries);
    if (!etl.error.empty())
        c.measured += ": " + etl.error;
    c.pass = etl.state != "failed";
    return c;
}

Criterion comparisonCriterion(const PhaseReport& replica, const PhaseReport& single)
{
    Criterion c;
    c.name = "What the replica buys (dashboard p95, same load and data)";
    c.target = "a figure";
    c.informational = true;
    c.pass = true;
    // A phase without a completed page load has no latency to compare (its
    // p95 reads 0, which is not "fast").
    const auto p95 = [](const PhaseReport& p) {
        return p.dashboard.pageLoad.count > 0 ? seconds(p.dashboard.pageLoad.p95Seconds)
                                              : std::string("no page load completed");
    };
    c.measured = fmt::format("with replica {}, single database {}", p95(replica), p95(single));
    const double with = replica.dashboard.pageLoad.p95Seconds;
    const double without = single.dashboard.pageLoad.p95Seconds;
    if (replica.dashboard.pageLoad.count > 0 && single.dashboard.pageLoad.count > 0 && with > 0)
        c.measured += fmt::format(" ({:.2f}x)", without / with);
    c.measured += fmt::format("; ETL {:.0f} vs {:.0f} rows/s", replica.etl.rowsPerSecond, single.etl.rowsPerSecond);
    return c;
}

}  // namespace

std::vector<Criterion> LoadTestCriteria::evaluate(const std::vector<PhaseReport>& phases)
{
    std::vector<Criterion> out;
    if (phases.empty())
        return out;
    const auto& main = phases.front();
    out.push_back(dashboardCriterion(main));
    out.push_back(poolCriterion(main));
    out.push_back(lagCriterion(main));
    out.push_back(etlCriterion(main));
    if (phases.size() > 1)
        out.push_back(comparisonCriterion(main, phases[1]));
    return out;
}

}  // namespace pulse

#pragma once
// The engine's state as Prometheus metric families, for `pulsectl metrics`
// and the /metrics endpoint. Base units (seconds, bytes), `_total` on
// counters, pool gauges named like HikariCP's, lag like
// pg_replication_lag_seconds (REFERENCE.md). Built from the latest monitor
// snapshot and in-memory counters: never touches the network.
#include "engine/Engine.hpp"

#include <prometheus/metric_family.h>

#include <vector>

namespace pulse {

std::vector<prometheus::MetricFamily> collectMetrics(Engine& engine, const TopologyStatus& status);
// From engine.latestStatus() (empty node families before the first cycle).
std::vector<prometheus::MetricFamily> collectMetrics(Engine& engine);

}  // namespace pulse

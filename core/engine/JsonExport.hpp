#pragma once
// JSON forms of the engine's snapshots, for `pulsectl ... --json`, reports
// and journals. Field names are snake_case and stable: scripts rely on them.
// Secrets are masked (settings go through Settings::displayValue).

#include "config/Settings.hpp"
#include "engine/TopologyStatus.hpp"
#include "routing/RoutingDecision.hpp"

#include <nlohmann/json.hpp>

namespace pulse {

nlohmann::json toJson(const PoolStats& stats);
nlohmann::json toJson(const NodeStatus& node);
nlohmann::json toJson(const TopologyStatus& status);
nlohmann::json toJson(const RoutingDecision& decision);
nlohmann::json toJson(const Alert& alert);
nlohmann::json toJson(const AlertEvent& event);
nlohmann::json toJson(const BreakerSnapshot& breaker);
// Every catalogue key: value (masked), source, group, meaning.
nlohmann::json settingsToJson(const Settings& settings);

std::string isoTime(std::chrono::system_clock::time_point time);

}  // namespace pulse

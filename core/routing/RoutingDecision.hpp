#pragma once

#include "routing/Target.hpp"

#include <chrono>
#include <cstdint>
#include <string>

namespace pulse {

// One routing decision as recorded in the DecisionLog.
struct RoutingDecision {
    enum class Outcome { Routed, FellBack, Refused };

    std::uint64_t sequence = 0;  // assigned by the log; increases by one per decision
    std::chrono::system_clock::time_point time;
    std::string operation;
    std::string context;
    std::string profile;
    Target target = Target::Primary;  // meaningless when Refused
    std::string node;                 // the node that served: "primary", "replica", "replica2"; empty when Refused
    Outcome outcome = Outcome::Routed;
    std::string reason;

    std::string targetLabel() const { return outcome == Outcome::Refused ? "error" : std::string(targetName(target)); }
};

}  // namespace pulse

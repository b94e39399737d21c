#pragma once
// What a NodeController did for one action: enough for a drill journal to
// say exactly what happened (the command line or the SQL, how long it took,
// what it printed) without asking the controller again.

#include "topology/NodeAction.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace pulse {

struct NodeActionOutcome {
    NodeAction action = NodeAction::Stop;
    std::string node; // "primary", "replica", "replica2", ...
    std::string controller; // describe() of the controller that acted
    // What was done, as a person would repeat it: "pg_ctl stop -m fast -D ...",
    // "SELECT pg_catalog.pg_promote(true, 30)", or the configured shell
    // command (passwords masked).
    std::string what;
    std::chrono::milliseconds duration {0};
    std::string output; // captured output or the server's answer, bounded, passwords masked
    std::optional<long long> affected; // terminate_backends: sessions terminated
};

} // namespace pulse

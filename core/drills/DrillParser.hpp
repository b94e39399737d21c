#pragma once
// Reads a drill from JSON (a user's file, or a built-in definition written in
// the same shape) and validates all of it against the ActivityCatalog and
// the topology's node names before anything runs. Every problem is reported
// at once, each with its place in the file (DrillFileError).
//
// The shape (Chaos Toolkit's, with Pulse's providers):
//   { "version": 1, "name": "replica-outage", "title": "...", "description": "...",
//     "blast-radius": "...", "tags": [...],
//     "workload": { "readers": 4, "think-ms": 100, "etl": { "rows": 100000, "chunk": 1000, "rate": 20000 } },
//     "steady-state-hypothesis": { "title": "...", "probes": [ PROBE, ... ] },
//     "method": [ ACTIVITY, ... ],
//     "rollbacks": [ ACTIVITY + "when": "on-failure" | "always", ... ],
//     "abort-conditions": { "interval-ms": 500, "probes": [ PROBE, ... ] } }
//   ACTIVITY: { "type": "action" | "probe", "name": "...",
//               "provider": { "type": "pulse", "func": "stop_node", "arguments": { "node": "replica" } },
//               "tolerance": ..., "pauses": { "before": 0, "after": 2 } }

#include "drills/Drill.hpp"

#include <string>
#include <vector>

namespace pulse {

class DrillParser {
public:
    // `source` names the text in messages ("my-drill.json", "built-in replica-outage");
    // `nodes` are the topology's node names ("primary", "replica", ...).
    // Throws DrillFileError.
    static Drill parse(const std::string& text, const std::string& source, const std::vector<std::string>& nodes);
    static Drill parse(const nlohmann::json& json, const std::string& source, const std::vector<std::string>& nodes);
};

}  // namespace pulse

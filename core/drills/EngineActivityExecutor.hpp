#pragma once
// The ActivityExecutor behind `pulsectl drill run` (and the console's drills
// panel): every ActivityCatalog entry carried out for real, on a live Engine
// and the topology's servers.
//
//  - node actions go through the topology's NodeController chain, each
//    checked first against the NodeActionPolicy (--yes, and off the sandbox
//    DRILL_ALLOW_DESTRUCTIVE plus a configured command);
//  - the workload: the drill's dashboard readers and ETL load on the
//    engine's router, exactly as an application runs them;
//  - two watches (ServiceWatch) try a replica-eligible read and a write
//    every 100 ms, so "reads / writes worked again after N s" is measured,
//    not guessed;
//  - the figures: counted from the readers, the watches, the router's
//    decision log (reads the primary served because the replica could not)
//    and the ETL's own checkpoints.
//
// Node names are physical servers ("primary", "replica": the sandbox's data
// directories, or the configured endpoints); after a failover the engine's
// roles point elsewhere (repoint_primary, switchover), and probes that
// report a server ("reads_served_by") name the server, not the role.
//
// Thread contract: as ActivityExecutor (the runner's thread, plus probes
// from its watcher thread). Engine, controller and policy outlive it.

#include "drills/ActivityExecutor.hpp"
#include "topology/NodeActionPolicy.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace pulse {

class Engine;
class NodeController;
struct Settings;

struct DrillExecutorOptions {
    bool confirmed = false;  // destructive actions were confirmed (--yes)
    bool keepRows = false;   // leave the drill's ETL rows behind (by default they are deleted at the end)
    std::string who = "drill";  // flag changes are logged as made by it
    std::chrono::milliseconds watchInterval{100};
};

class EngineActivityExecutor final : public ActivityExecutor {
public:
    EngineActivityExecutor(Engine& engine, NodeController& nodes, NodeActionPolicy policy,
                           DrillExecutorOptions options = {});
    ~EngineActivityExecutor() override;
    EngineActivityExecutor(const EngineActivityExecutor&) = delete;
    EngineActivityExecutor& operator=(const EngineActivityExecutor&) = delete;

    void begin(const Drill& drill) override;
    nlohmann::json execute(const DrillActivity& activity, std::stop_token stop) override;
    void end() override;
    DrillFigures figures() const override;

    // The drill's ETL job (0: none started): tests count its rows themselves.
    std::int64_t etlJob() const;
    // The node names a drill may use on this topology: "primary", then each replica.
    static std::vector<std::string> nodeNames(const Settings& settings);
    // Every node action the drill may perform (method and rollbacks), with
    // its node, so a caller can ask the NodeActionPolicy about all of them
    // before anything runs. A switchover or restore_roles counts as the
    // stops, promotions and rebuilds it may do, on every node it may touch.
    static std::vector<std::pair<NodeAction, std::string>> nodeActions(const Drill& drill,
                                                                       const std::vector<std::string>& nodes);

private:
    struct Impl;
    std::unique_ptr<Impl> m;
};

}  // namespace pulse

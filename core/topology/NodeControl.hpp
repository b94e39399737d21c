#pragma once
// pg_ctl for the nodes of one sandbox: status, start, stop, promote, and the
// forced stop of teardown. pg_ctl's own messages rarely say why; every error
// here quotes the lines the server logged during the failed step and names a
// fix.

#include "topology/SandboxNode.hpp"
#include "topology/SandboxState.hpp"
#include "topology/StopMode.hpp"

#include <memory>
#include <optional>
#include <string>

namespace spdlog {
class logger;
}

namespace pulse {

class NodeControl {
public:
    // Keeps a reference: `state` must outlive this object. start() may
    // change a port in it (and in the state file).
    explicit NodeControl(detail::SandboxState& state);

    // pg_ctl status; no process is started when there is no pid file.
    bool isRunning(SandboxNode node) const;
    // pg_ctl start -w, then waits until the node answers on TCP. With
    // mayChangePort (during create()), a port another program took since it
    // was picked is replaced by a new one. Throws SandboxError.
    void start(SandboxNode node, bool mayChangePort);
    // pg_ctl stop -w in `mode`; a node that is not running is left alone.
    // Throws SandboxError when the node still runs afterwards.
    void stop(SandboxNode node, StopMode mode);
    // pg_ctl promote -w on `node` (pg_ctl itself refuses a node that is not
    // in recovery). Throws SandboxError.
    void promote(SandboxNode node);
    // Immediate stop that does not trust pg_ctl alone: the postmaster is
    // signalled until it is gone, so its directory can be removed. A failing
    // pg_ctl is logged, not thrown; returns what is still running, if anything.
    std::optional<std::string> forceStop(SandboxNode node);

private:
    detail::SandboxState& m_state;
    std::shared_ptr<spdlog::logger> m_log;
};

} // namespace pulse

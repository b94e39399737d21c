#pragma once
// Probes one node on its own dedicated connection, never an application pool
// connection: an exhausted pool must not blind the console. The connection is
// kept between probes and reopened after a failure. Each probe is bounded by
// the connect timeout and a query deadline, so a frozen node costs at most
// that long and never hangs the caller.
//
// Thread contract: probe() serialises on an internal mutex.

#include "engine/NodeStatus.hpp"
#include "pg/ConnectionParams.hpp"
#include "pg/PgConnection.hpp"

#include <memory>
#include <mutex>

namespace pulse {

class NodeProber {
public:
    NodeProber(std::string name, ConnectionParams params, std::chrono::milliseconds queryDeadline);
    NodeStatus probe();

private:
    const std::string m_name;
    const ConnectionParams m_params;
    const std::chrono::milliseconds m_deadline;
    std::mutex m_mutex;
    std::unique_ptr<PgConnection> m_connection;
};

}  // namespace pulse

#pragma once
// Where one role's connections go: the server behind "primary" or "replica".
// The role names stay fixed (health board, decision log, metrics); after a
// failover Engine::repoint() changes only the endpoints behind them.

#include <string>

namespace pulse {

struct NodeEndpoint {
    std::string host;
    int port = 0;
    bool operator==(const NodeEndpoint&) const = default;
};

}  // namespace pulse

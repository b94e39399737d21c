#include "health/ReplicaState.hpp"

namespace pulse {

std::string replicaStateName(ReplicaState state)
{
    switch (state) {
    case ReplicaState::CaughtUp:
        return "caught up";
    case ReplicaState::Lagging:
        return "lagging";
    case ReplicaState::ReplayPaused:
        return "replay paused";
    case ReplicaState::ReplayStalled:
        return "replay stalled";
    case ReplicaState::Disconnected:
        return "disconnected";
    case ReplicaState::Down:
        return "down";
    }
    return "unknown";
}

bool replicaStateIsAlarming(ReplicaState state)
{
    switch (state) {
    case ReplicaState::CaughtUp:
    case ReplicaState::Lagging:
        // Lag has its own thresholds (gate, alerts); being behind is normal.
        return false;
    case ReplicaState::ReplayPaused:
    case ReplicaState::ReplayStalled:
    case ReplicaState::Disconnected:
    case ReplicaState::Down:
        return true;
    }
    return true;
}

}  // namespace pulse

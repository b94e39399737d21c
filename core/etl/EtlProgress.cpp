#include "etl/EtlProgress.hpp"

namespace pulse {

const char* etlStateName(EtlState state)
{
    switch (state) {
    case EtlState::Idle: return "idle";
    case EtlState::Starting: return "starting";
    case EtlState::Running: return "running";
    case EtlState::Paused: return "paused";
    case EtlState::Braking: return "braking";
    case EtlState::Retrying: return "retrying";
    case EtlState::Completed: return "completed";
    case EtlState::Cancelled: return "cancelled";
    case EtlState::Failed: return "failed";
    }
    return "unknown";
}

bool isFinished(EtlState state)
{
    return state == EtlState::Completed || state == EtlState::Cancelled || state == EtlState::Failed;
}

}  // namespace pulse

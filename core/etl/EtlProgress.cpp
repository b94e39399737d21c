#include "etl/EtlProgress.hpp"

#include "common/Errors.hpp"

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

EtlErrorKind etlErrorKindOf(const std::exception& error)
{
    if (dynamic_cast<const InvalidParameterError*>(&error))
        return EtlErrorKind::InvalidParameter;
    if (dynamic_cast<const ConnectionError*>(&error) || dynamic_cast<const PoolTimeoutError*>(&error))
        return EtlErrorKind::Connection;
    if (dynamic_cast<const SqlError*>(&error))
        return EtlErrorKind::Sql;
    return EtlErrorKind::Other;
}

bool isFinished(EtlState state)
{
    return state == EtlState::Completed || state == EtlState::Cancelled || state == EtlState::Failed;
}

}  // namespace pulse

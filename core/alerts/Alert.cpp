#include "alerts/Alert.hpp"

namespace pulse {

std::string severityName(AlertSeverity severity)
{
    switch (severity) {
    case AlertSeverity::Warning:
        return "WARNING";
    case AlertSeverity::Critical:
        return "CRITICAL";
    }
    return "UNKNOWN";
}

std::string alertEventKindName(AlertEvent::Kind kind)
{
    switch (kind) {
    case AlertEvent::Kind::Raised:
        return "raised";
    case AlertEvent::Kind::Cleared:
        return "cleared";
    case AlertEvent::Kind::Escalated:
        return "escalated";
    }
    return "unknown";
}

}  // namespace pulse

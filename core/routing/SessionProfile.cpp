#include "routing/SessionProfile.hpp"

#include "config/Settings.hpp"

namespace pulse {

std::string profileName(ProfileKind kind)
{
    switch (kind) {
    case ProfileKind::Read: return "read";
    case ProfileKind::Write: return "write";
    case ProfileKind::Etl: return "etl";
    case ProfileKind::Admin: return "admin";
    case ProfileKind::User: return "user";
    case ProfileKind::Analytics: return "analytics";
    }
    return "write";
}

SessionProfile SessionProfile::make(ProfileKind kind, std::chrono::milliseconds statementTimeout)
{
    SessionProfile p;
    p.kind = kind;
    p.name = profileName(kind);
    p.statementTimeout = statementTimeout;
    p.stateKey = p.name + '/' + std::to_string(statementTimeout.count());
    switch (kind) {
    case ProfileKind::Read: p.operation = "dashboard_metrics"; p.context = "dashboard"; break;
    case ProfileKind::Write: p.operation = "UPDATE"; break;
    case ProfileKind::Etl: p.operation = "INSERT"; p.context = "etl"; break;
    case ProfileKind::Admin: p.operation = "admin_configuration"; p.context = "admin"; break;
    case ProfileKind::User: p.operation = "user_authentication"; p.context = "user"; break;
    case ProfileKind::Analytics: p.operation = "analytics_reports"; p.context = "analytics"; break;
    }
    return p;
}

SessionProfile SessionProfile::make(ProfileKind kind, const Settings& settings)
{
    switch (kind) {
    case ProfileKind::Etl: return make(kind, settings.etlStatementTimeout);
    case ProfileKind::Admin: return make(kind, settings.adminStatementTimeout);
    case ProfileKind::Analytics: return make(kind, settings.analyticsStatementTimeout);
    case ProfileKind::Read:
    case ProfileKind::Write:
    case ProfileKind::User: return make(kind, settings.userStatementTimeout);
    }
    return make(kind, settings.userStatementTimeout);
}

}  // namespace pulse

#include "common/Errors.hpp"

namespace pulse {
namespace {
std::string joinIssues(const std::vector<ConfigIssue>& issues)
{
    std::string text = issues.size() == 1 ? "invalid configuration: 1 problem"
                                          : "invalid configuration: " + std::to_string(issues.size()) + " problems";
    for (const auto& issue : issues)
        text += "\n  " + issue.message;
    return text;
}
}  // namespace

ConfigError::ConfigError(std::vector<ConfigIssue> issues)
    : Error(joinIssues(issues)), m_issues(std::move(issues))
{
}

namespace {
std::string nodeActionMessage(const std::string& node, const std::string& action, const std::string& reason,
                              const std::string& fix)
{
    std::string text = action + " on the " + node + ": " + reason;
    if (!fix.empty())
        text += "\nFix: " + fix;
    return text;
}
}  // namespace

NodeActionError::NodeActionError(std::string node, std::string action, std::string reason, std::string fix)
    : Error(nodeActionMessage(node, action, reason, fix))
    , m_node(std::move(node))
    , m_action(std::move(action))
    , m_reason(std::move(reason))
    , m_fix(std::move(fix))
{
}

}  // namespace pulse

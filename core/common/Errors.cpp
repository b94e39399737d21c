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

}  // namespace pulse

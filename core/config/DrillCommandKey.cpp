#include "config/DrillCommandKey.hpp"

#include "topology/NodeName.hpp"

#include <algorithm>
#include <cctype>

namespace pulse {
namespace {

std::string upper(std::string_view text)
{
    std::string out(text);
    std::transform(
        out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return out;
}

std::string lower(std::string_view text)
{
    std::string out(text);
    std::transform(
        out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

bool isUpperKeyPart(std::string_view text)
{
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    });
}

std::string actionList()
{
    std::string list;
    for (const NodeAction action : kAllNodeActions) {
        if (!list.empty())
            list += ", ";
        list += upper(nodeActionName(action));
    }
    return list;
}

} // namespace

std::string DrillCommandKey::key() const
{
    return std::string(kPrefix) + upper(nodeActionName(action)) + "_" + upper(node);
}

std::optional<DrillCommandKey> DrillCommandKey::parse(std::string_view key, std::string& problem)
{
    constexpr std::string_view kForm = "expected DRILL_COMMAND_<ACTION>_<NODE> in upper case, e.g. "
                                       "DRILL_COMMAND_STOP_REPLICA";
    if (!hasPrefix(key)) {
        problem = std::string(kForm);
        return std::nullopt;
    }
    const std::string_view rest = key.substr(kPrefix.size());
    const auto split = rest.rfind('_');
    if (!isUpperKeyPart(rest) || split == std::string_view::npos || split == 0 || split + 1 == rest.size()) {
        problem = std::string(kForm);
        return std::nullopt;
    }
    const std::string_view actionPart = rest.substr(0, split);
    const std::string_view nodePart = rest.substr(split + 1);

    const std::optional<NodeAction> action = parseNodeAction(lower(actionPart));
    const std::string node = lower(nodePart);
    std::string problems;
    if (!action)
        problems = "unknown action " + std::string(actionPart) + " (expected one of " + actionList() + ")";
    if (!isNodeName(node)) {
        if (!problems.empty())
            problems += " and ";
        problems += "unknown node " + std::string(nodePart)
            + " (expected PRIMARY, REPLICA, or REPLICA2, "
              "REPLICA3, ... for the further replicas of POSTGRES_REPLICA_HOSTS)";
    }
    if (!problems.empty()) {
        problem = problems;
        return std::nullopt;
    }
    return DrillCommandKey {*action, node};
}

} // namespace pulse

#include "routing/OperationClassifier.hpp"

#include <algorithm>

namespace pulse {
namespace {

// Case-insensitive match without building a lowered copy: classification is
// on every session's path.
// Operation names are ASCII; std::tolower would consult the locale per char.
constexpr char asciiLower(char c)
{
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b)
{
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return asciiLower(x) == asciiLower(y); });
}

bool contains(const std::vector<std::string>& list, std::string_view value)
{
    return std::any_of(list.begin(), list.end(), [&](const std::string& item) { return iequals(item, value); });
}

}  // namespace

const std::vector<std::string>& OperationClassifier::writeOperations()
{
    static const std::vector<std::string> ops{"insert", "update", "delete", "merge", "upsert"};
    return ops;
}

const std::vector<std::string>& OperationClassifier::primaryOperations()
{
    static const std::vector<std::string> ops{"user_authentication", "job_control", "admin_configuration",
                                              "client_management", "integration_setup"};
    return ops;
}

const std::vector<std::string>& OperationClassifier::replicaOperations()
{
    static const std::vector<std::string> ops{"dashboard_metrics", "analytics_reports", "data_visualization",
                                              "export_operations"};
    return ops;
}

const std::vector<std::string>& OperationClassifier::replicaContexts()
{
    static const std::vector<std::string> contexts{"dashboard", "analytics", "reports"};
    return contexts;
}

OperationClass OperationClassifier::classify(std::string_view operation, std::string_view context)
{
    // Order matters: a write or real-time operation stays on the primary
    // even when it is issued from a dashboard context. The decision log
    // records the operation and context beside this reason.
    if (contains(writeOperations(), operation))
        return {false, "write operation: always runs on the primary"};
    if (contains(primaryOperations(), operation))
        return {false, "real-time operation: needs immediate consistency"};
    if (contains(replicaOperations(), operation))
        return {true, "read operation: tolerates replication delay"};
    if (contains(replicaContexts(), context))
        return {true, "read in a dashboard, analytics or reports context: tolerates replication delay"};
    if (operation.empty())
        return {false, "no operation given: primary for safety"};
    return {false, "unknown operation: primary for safety"};
}

}  // namespace pulse

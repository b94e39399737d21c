#include "routing/OperationClassifier.hpp"

#include <algorithm>
#include <cctype>

namespace pulse {
namespace {

std::string lower(std::string_view text)
{
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

bool contains(const std::vector<std::string>& list, const std::string& value)
{
    return std::find(list.begin(), list.end(), value) != list.end();
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
    const std::string op = lower(operation);
    const std::string ctx = lower(context);
    // Order matters: a write or real-time operation stays on the primary
    // even when it is issued from a dashboard context.
    if (contains(writeOperations(), op))
        return {false, "write operation " + std::string(operation) + " always runs on the primary"};
    if (contains(primaryOperations(), op))
        return {false, "real-time operation " + op + " needs immediate consistency"};
    if (contains(replicaOperations(), op))
        return {true, "read operation " + op + " tolerates replication delay"};
    if (contains(replicaContexts(), ctx))
        return {true, "read in context " + ctx + " tolerates replication delay"};
    if (op.empty())
        return {false, "no operation given: primary for safety"};
    return {false, "unknown operation " + std::string(operation) + ": primary for safety"};
}

}  // namespace pulse

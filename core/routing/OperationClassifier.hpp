#pragma once
// The plan's operation-based routing rules (not table-based: the whole
// database is replicated, so any replica-eligible read may join any table).
//
//   writes: INSERT UPDATE DELETE MERGE UPSERT                      -> primary
//   real-time: user_authentication job_control admin_configuration
//              client_management integration_setup                 -> primary
//   dashboard_metrics analytics_reports data_visualization
//   export_operations                                              -> replica
//   any other operation in context dashboard / analytics / reports -> replica
//   anything else                                                  -> primary (for safety)

#include <string>
#include <string_view>
#include <vector>

namespace pulse {

struct OperationClass {
    bool replicaEligible = false;
    std::string_view reason;  // why, in words, for the decision log (static text)
};

class OperationClassifier {
public:
    static OperationClass classify(std::string_view operation, std::string_view context);

    static const std::vector<std::string>& writeOperations();
    static const std::vector<std::string>& primaryOperations();
    static const std::vector<std::string>& replicaOperations();
    static const std::vector<std::string>& replicaContexts();
};

}  // namespace pulse

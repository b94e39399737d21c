#pragma once
// Every action and probe a drill may use, with its arguments: the contract
// between drill files (validated against it) and the runner (which
// implements each entry). One table, so a drill file, `pulsectl drill show`
// and the runner can never disagree on a name or an argument.

#include "drills/Drill.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pulse {

enum class ArgumentType {
    Node,     // a node name of the topology: "primary", "replica", ...
    Choice,   // one of `choices`
    Boolean,
    Integer,  // within [minimum, maximum]
    Number,   // within [minimum, maximum]
    Text,
};

struct ArgumentSpec {
    std::string name;
    ArgumentType type = ArgumentType::Text;
    bool required = false;
    nlohmann::json defaultValue;  // null: none (an optional argument left out stays out)
    std::vector<std::string> choices;
    double minimum = 0;
    double maximum = 0;
    std::string meaning;
};

struct ActivitySpec {
    std::string func;
    ActivityKind kind = ActivityKind::Action;
    bool destructive = false;  // stops, kills, freezes or promotes a server: needs --yes
    std::string meaning;       // for `pulsectl drill show` and error messages
    std::string returns;       // probes: what the value is
    std::vector<ArgumentSpec> arguments;
};

class ActivityCatalog {
public:
    static const std::vector<ActivitySpec>& all();
    static const ActivitySpec* find(std::string_view func);
    // The closest known name, for "did you mean" (empty when nothing is close).
    static std::string suggest(std::string_view func);
};

}  // namespace pulse

#pragma once
// The drills Pulse ships: JSON files under resources/drills/, in the same
// shape a user writes (so `pulsectl drill show NAME` prints a file a user
// can copy and edit), compiled into the binary at build time: the product
// needs no data files at run time.

#include "drills/Drill.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace pulse {

struct BuiltinDrillText {
    std::string_view name;  // the file's name without .json: "replica-outage"
    std::string_view json;  // the file's text
};

namespace detail {
// Generated at build time from resources/drills/*.json (core/drills/CMakeLists.txt).
const std::vector<BuiltinDrillText>& builtinDrillTexts();
}  // namespace detail

class BuiltinDrills {
public:
    // In the order to read (and run) them.
    static const std::vector<BuiltinDrillText>& texts();
    static std::vector<std::string> names();
    // nullptr when there is no built-in drill of that name.
    static const BuiltinDrillText* find(std::string_view name);
    // Parsed and validated for a topology with these nodes. Throws
    // InvalidParameterError (with a did-you-mean) for an unknown name.
    static Drill load(std::string_view name, const std::vector<std::string>& nodes);
};

}  // namespace pulse

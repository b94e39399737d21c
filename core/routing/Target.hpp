#pragma once

#include <string_view>

namespace pulse {

// Where a session runs.
enum class Target { Primary, Replica };

constexpr std::string_view targetName(Target target)
{
    return target == Target::Primary ? "primary" : "replica";
}

}  // namespace pulse

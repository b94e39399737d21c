#pragma once
// Where an effective setting value came from. Precedence, lowest first:
// default < sandbox < .env file < process environment < command line.

#include <string>

namespace pulse {

enum class SourceKind { Default, Sandbox, File, Environment, CommandLine };

struct SettingSource {
    SourceKind kind = SourceKind::Default;
    // "default", "/path/.env:12", "environment", "--set", "sandbox /tmp/pulse-sandbox-0"
    std::string location = "default";

    std::string describe() const { return location; }
};

}  // namespace pulse

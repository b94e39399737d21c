#pragma once
// Runs the PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup) of one
// sandbox the way they must run: as the server account when we are root,
// with untranslated messages (they are matched and quoted in errors),
// without the caller's libpq environment (a developer's PGHOST or PGSSLMODE
// must not redirect or break them), from a directory the server user can read.

#include "topology/ProcessRunner.hpp"
#include "topology/SandboxState.hpp"

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pulse {

class ServerTools {
public:
    using Environment = std::vector<std::pair<std::string, std::string>>;

    // Keeps a reference: `state` must outlive this object.
    explicit ServerTools(const detail::SandboxState& state);

    // <binDir>/<tool>
    std::filesystem::path path(std::string_view tool) const;
    // Runs <binDir>/<tool> with `args`; throws SandboxError only when it
    // cannot be started (a failure is in the result).
    ProcessResult run(std::string_view tool, const std::vector<std::string>& args, Environment env = {},
        std::chrono::milliseconds timeout = std::chrono::seconds(120)) const;

private:
    const detail::SandboxState& m_state;
};

} // namespace pulse

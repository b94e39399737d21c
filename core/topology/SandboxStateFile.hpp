#pragma once
// sandbox.json: what another process (pulsectl, the console, a later test)
// needs to control a sandbox it did not create, and what people read to
// connect by hand. It holds the passwords, so it is written with mode 600 and
// stays the invoking user's even when the servers run as postgres.

#include "topology/SandboxState.hpp"

#include <filesystem>
#include <memory>

namespace pulse {

class SandboxStateFile {
public:
    static constexpr int kVersion = 1; // bumped when a reader of the old format would misread the new one

    // Writes the state beside the file and renames it over: a reader never
    // sees half a file. Throws SandboxError.
    static void write(const detail::SandboxState& state);
    // Reads <baseDir>/sandbox.json. Throws SandboxError: no sandbox there
    // (with how to create one), unreadable (with whose it is), another
    // format version or damaged (with what to remove).
    static std::unique_ptr<detail::SandboxState> read(const std::filesystem::path& baseDir);
};

} // namespace pulse

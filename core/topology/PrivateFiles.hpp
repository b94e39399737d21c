#pragma once
// Writing the files of a sandbox without ever exposing a secret or taking a
// file away from the server account. The state file, the initdb password file
// and the replica's passfile hold passwords: they are created with mode 600
// (never wider, not even for a moment); the data directories' configuration
// files belong to the server user and keep their owner and mode when edited.

#include "topology/ServerAccount.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace pulse {

class PrivateFiles {
public:
    // Creates or truncates `path` with mode 600 (refusing a symlink) and
    // hands it to `owner` when given. Throws SandboxError.
    static void write(
        const std::filesystem::path& path, const std::string& content, const std::optional<ServerAccount>& owner);
    // Creates `path` (or accepts an existing directory) with mode 700 and
    // hands it to `owner` when given. Throws SandboxError.
    static void makeDir(const std::filesystem::path& path, const std::optional<ServerAccount>& owner);
    // Appends to an existing file, keeping its owner and mode. Throws SandboxError.
    static void append(const std::filesystem::path& path, const std::string& text);
    // Replaces the content of a file, keeping the owner and mode of an
    // existing one. Throws SandboxError.
    static void overwrite(const std::filesystem::path& path, const std::string& text);
};

} // namespace pulse

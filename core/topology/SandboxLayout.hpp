#pragma once
// Where each file of a sandbox lives under its base directory (the tree is
// drawn in Sandbox.hpp). One place for the names, so the state file, the
// servers' configuration and teardown always agree.

#include "topology/SandboxNode.hpp"

#include <filesystem>

namespace pulse {

class SandboxLayout {
public:
    explicit SandboxLayout(std::filesystem::path baseDir);

    // Absolute and lexically normal, without a trailing slash ("/tmp/x/" ->
    // "/tmp/x"): the one spelling of a base directory, so two spellings of
    // the same directory compare equal and parent_path() is its parent.
    static std::filesystem::path normalized(const std::filesystem::path& path);

    const std::filesystem::path& baseDir() const { return m_baseDir; }
    std::filesystem::path stateFile() const; // sandbox.json
    std::filesystem::path socketDir() const; // sock/
    std::filesystem::path logDir() const; // log/
    std::filesystem::path dataDir(SandboxNode node) const; // primary/, replica/
    std::filesystem::path logFile(SandboxNode node) const; // log/<node>.log
    std::filesystem::path passfile() const; // replicator.pgpass, named by primary_conninfo
    std::filesystem::path initdbPwfile() const; // exists only while initdb runs

private:
    std::filesystem::path m_baseDir;
};

} // namespace pulse

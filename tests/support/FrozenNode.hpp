#pragma once
// Freezes a PostgreSQL server for a test (pulse::freezeServer: SIGSTOP to the
// postmaster and every process it started; the same code the drills'
// SandboxNodeController uses). A frozen server accepts TCP but answers
// nothing: the "node not answering" case. The destructor sends SIGCONT, so a
// failing test never leaves the shared sandbox frozen.

#include <filesystem>
#include <sys/types.h>
#include <vector>

class FrozenNode {
public:
    // Throws pulse::SandboxError when no server runs in dataDir.
    explicit FrozenNode(const std::filesystem::path& dataDir);
    ~FrozenNode();
    FrozenNode(const FrozenNode&) = delete;
    FrozenNode& operator=(const FrozenNode&) = delete;

    size_t processCount() const { return m_pids.size(); }

private:
    std::vector<pid_t> m_pids;
};

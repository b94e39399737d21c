#pragma once
// Freezes a PostgreSQL server for a test: SIGSTOP to the postmaster and every
// process it started (backends call setsid(), so a process-group signal would
// miss them). A frozen server accepts TCP (the kernel completes handshakes)
// but answers nothing: the "node not answering" case, unlike a stopped node,
// which refuses at once. The destructor sends SIGCONT, so a failing test never
// leaves the shared sandbox frozen.

#include <filesystem>
#include <sys/types.h>
#include <vector>

class FrozenNode {
public:
    explicit FrozenNode(const std::filesystem::path& dataDir);
    ~FrozenNode();
    FrozenNode(const FrozenNode&) = delete;
    FrozenNode& operator=(const FrozenNode&) = delete;

    size_t processCount() const { return m_pids.size(); }

private:
    std::vector<pid_t> m_pids;
};

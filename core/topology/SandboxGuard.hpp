#pragma once
// Tears a sandbox down when the process that owns it dies, however it dies
// (an exception, abort(), SIGKILL, a ctest timeout).
//
// The guardian is a /bin/sh started with posix_spawn (no fork of a possibly
// multi-threaded owner). Its stdin is one end of a socket pair whose other end
// only the owner holds, with O_CLOEXEC so that no server or tool the owner
// starts inherits it. When the owner dies the kernel closes that end, the
// guardian's `read` returns EOF, and it stops every node with
// `pg_ctl stop -m immediate` (through runuser when the servers run as
// another user) and removes the base directory.
//
// The guardian runs in its own session and is detached from the owner (the
// spawned shell backgrounds it and exits), so neither a SIGINT/SIGTERM sent
// to the owner's process group nor ctest killing the owner's process tree
// reaches it; it ignores HUP/INT/TERM/QUIT for the same reason.
//
// The owner that cleans up itself calls disarm() afterwards: the guardian is
// told to exit without touching anything (so it can never remove a sandbox
// created later in the same directory).

#include <filesystem>
#include <string>
#include <vector>

namespace pulse {

class SandboxGuard {
public:
    struct Target {
        std::filesystem::path pgCtl; // absolute path of pg_ctl
        std::vector<std::filesystem::path> dataDirs; // stopped in this order
        std::filesystem::path baseDir; // removed last
        std::filesystem::path runuser; // empty: run pg_ctl directly
        std::string serverUser; // with runuser: the user the servers run as
        // When set, the guardian acts only while <baseDir>/sandbox.json still
        // contains this text: another process may have torn the sandbox down
        // and created a new one in the same directory meanwhile.
        std::string stateToken;
    };

    // Starts the guardian; throws SandboxError when it cannot.
    explicit SandboxGuard(const Target& target);
    ~SandboxGuard(); // disarms

    SandboxGuard(const SandboxGuard&) = delete;
    SandboxGuard& operator=(const SandboxGuard&) = delete;

    // The owner tore the sandbox down itself: let the guardian exit idle.
    void disarm() noexcept;
    bool armed() const noexcept { return m_ownerFd >= 0; }

private:
    int m_ownerFd = -1; // our end of the socket pair; its closing is the signal
};

} // namespace pulse

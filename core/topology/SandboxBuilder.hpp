#pragma once
// The steps of Sandbox::create(), each a method, so that create() reads as
// the sequence it is: check, claim the directory, prepare, initdb, start the
// primary, roles, base backup, start the replica. Starting nodes is
// NodeControl's; waiting for streaming is Sandbox's.
//
// Every step throws SandboxError saying what failed and how to fix it,
// quoting tool output and the server log. Steps do not clean up after
// themselves: Sandbox::create() tears the whole sandbox down on failure.

#include "topology/Sandbox.hpp"
#include "topology/SandboxGuard.hpp"
#include "topology/SandboxState.hpp"

#include <filesystem>
#include <memory>

namespace pulse {

class SandboxBuilder {
public:
    // Before anything touches the disk: user and database are plain
    // identifiers, and the user is not the replication role.
    static void checkOptions(const SandboxOptions& options);
    // `baseDir` (normalised) is not the root, holds no sandbox, and is absent
    // or an empty directory of ours: a predictable path under /tmp must never
    // adopt someone else's directory or a symlink.
    static void checkBaseDir(const std::filesystem::path& baseDir);
    // Finds the server account and binaries, then creates `baseDir` (mode
    // 700, the server account's) and returns the new sandbox's first state.
    static std::unique_ptr<detail::SandboxState> claimBaseDir(
        const std::filesystem::path& baseDir, const SandboxOptions& options);

    // Keeps a reference: `state` must outlive this object.
    explicit SandboxBuilder(detail::SandboxState& state);

    // Socket and log directories, ports, secrets and the server version;
    // then the state file, so that open() and teardown find the sandbox.
    void prepare();
    // What the guardian of this sandbox stops and removes.
    SandboxGuard::Target guardTarget() const;
    // initdb of the primary, then its postgresql.conf and pg_hba.conf.
    void initPrimary();
    // On the running primary: the replication role and the database.
    void createRoles();
    // pg_basebackup of the running primary into the replica's data
    // directory (through a new slot), then its standby configuration on a
    // port of its own (StandbyConfig).
    void cloneReplica();

private:
    detail::SandboxState& m_state;
};

} // namespace pulse

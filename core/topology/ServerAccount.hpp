#pragma once
// The system account the sandbox servers run as when we are root.
//
// PostgreSQL refuses to run as root, so as root every server binary runs as
// the `postgres` system user through runuser (util-linux), and the files the
// servers use must belong to that user and be reachable by it. As a normal
// user there is no such account: the servers run as ourselves.

#include <filesystem>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace pulse {

class ServerAccount {
public:
    // std::nullopt unless geteuid() == 0. As root: the `postgres` user and
    // runuser; throws SandboxError (saying what to install) when either is missing.
    static std::optional<ServerAccount> forCurrentUser();

    const std::string& name() const { return m_name; }
    uid_t uid() const { return m_uid; }
    gid_t gid() const { return m_gid; }
    const std::filesystem::path& runuser() const { return m_runuser; }

    // {runuser, "-u", name, "--"}: goes in front of a server binary's argv.
    std::vector<std::string> commandPrefix() const;
    // Hands `path` (not a symlink's target) to the account; throws SandboxError.
    void takeOwnership(const std::filesystem::path& path) const;
    // The account must be able to enter every parent of `baseDir` (a base
    // directory under /root is not). Throws SandboxError naming the
    // directory that blocks it and what to do instead.
    void checkTraversable(const std::filesystem::path& baseDir) const;

private:
    ServerAccount(std::string name, uid_t uid, gid_t gid, std::filesystem::path runuser);

    std::string m_name;
    uid_t m_uid = 0;
    gid_t m_gid = 0;
    std::filesystem::path m_runuser;
};

} // namespace pulse

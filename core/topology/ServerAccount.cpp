#include "topology/ServerAccount.hpp"

#include "common/Errors.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace pulse {
namespace {

fs::path findRunuser()
{
    std::error_code ec;
    for (const char* candidate : {"/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser", "/bin/runuser"}) {
        if (fs::is_regular_file(candidate, ec))
            return candidate;
    }
    throw SandboxError("running as root, but runuser (util-linux) was not found: install util-linux, "
                       "or run as a normal user");
}

} // namespace

ServerAccount::ServerAccount(std::string name, uid_t uid, gid_t gid, fs::path runuser)
    : m_name(std::move(name))
    , m_uid(uid)
    , m_gid(gid)
    , m_runuser(std::move(runuser))
{ }

std::optional<ServerAccount> ServerAccount::forCurrentUser()
{
    if (::geteuid() != 0)
        return std::nullopt;
    passwd entry {};
    passwd* found = nullptr;
    std::vector<char> buffer(16384);
    if (::getpwnam_r("postgres", &entry, buffer.data(), buffer.size(), &found) != 0 || found == nullptr)
        throw SandboxError("running as root, and PostgreSQL refuses to run as root, but there is no 'postgres' "
                           "system user to run the servers as: install the postgresql package (it creates "
                           "the user), or run as a normal user");
    return ServerAccount(entry.pw_name, entry.pw_uid, entry.pw_gid, findRunuser());
}

std::vector<std::string> ServerAccount::commandPrefix() const
{
    return {m_runuser.string(), "-u", m_name, "--"};
}

void ServerAccount::takeOwnership(const fs::path& path) const
{
    if (::lchown(path.c_str(), m_uid, m_gid) != 0)
        throw SandboxError("cannot hand " + path.string() + " to the " + m_name + " user: " + std::strerror(errno));
}

void ServerAccount::checkTraversable(const fs::path& baseDir) const
{
    int count = 64;
    std::vector<gid_t> groups(static_cast<std::size_t>(count));
    if (::getgrouplist(m_name.c_str(), m_gid, groups.data(), &count) < 0) {
        groups.resize(static_cast<std::size_t>(count));
        ::getgrouplist(m_name.c_str(), m_gid, groups.data(), &count);
    }
    groups.resize(static_cast<std::size_t>(std::max(count, 0)));

    for (fs::path dir = baseDir.parent_path();; dir = dir.parent_path()) {
        struct stat info { };
        if (::stat(dir.c_str(), &info) != 0)
            throw SandboxError("cannot inspect " + dir.string() + ": " + std::strerror(errno));
        bool enter = false;
        if (info.st_uid == m_uid)
            enter = info.st_mode & S_IXUSR;
        else if (std::find(groups.begin(), groups.end(), info.st_gid) != groups.end())
            enter = info.st_mode & S_IXGRP;
        else
            enter = info.st_mode & S_IXOTH;
        if (!enter)
            throw SandboxError(fmt::format(
                "cannot create the sandbox in {}: running as root, the servers run as the '{}' user "
                "(PostgreSQL refuses root), and '{}' cannot enter {} (mode {:o}). Set PULSE_SANDBOX_DIR to a "
                "directory under /tmp, or another place that user can reach",
                baseDir.string(), m_name, m_name, dir.string(), info.st_mode & 07777));
        if (dir == dir.root_path() || !dir.has_relative_path())
            break;
    }
}

} // namespace pulse

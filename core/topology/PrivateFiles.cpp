#include "topology/PrivateFiles.hpp"

#include "common/Errors.hpp"
#include "common/FileWrites.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace pulse {

void PrivateFiles::write(const fs::path& path, const std::string& content, const std::optional<ServerAccount>& owner)
{
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        throw SandboxError("cannot write " + path.string() + ": " + std::strerror(errno));
    // An existing file keeps its mode through O_CREAT: narrow it before the content goes in.
    bool ok = ::fchmod(fd, 0600) == 0;
    if (ok && owner)
        ok = ::fchown(fd, owner->uid(), owner->gid()) == 0;
    int error = ok ? writeAll(fd, content) : errno;
    if (::close(fd) != 0 && error == 0)
        error = errno;
    if (error != 0)
        throw SandboxError("cannot write " + path.string() + ": " + std::strerror(error));
}

void PrivateFiles::makeDir(const fs::path& path, const std::optional<ServerAccount>& owner)
{
    std::error_code ec;
    fs::create_directory(path, ec);
    if (ec)
        throw SandboxError("cannot create " + path.string() + ": " + ec.message());
    fs::permissions(path, fs::perms::owner_all, fs::perm_options::replace, ec);
    if (ec)
        throw SandboxError("cannot restrict " + path.string() + " to mode 700: " + ec.message());
    if (owner)
        owner->takeOwnership(path);
}

void PrivateFiles::append(const fs::path& path, const std::string& text)
{
    std::ofstream out(path, std::ios::app);
    out << text;
    out.flush();
    if (!out)
        throw SandboxError("cannot append to " + path.string() + ": " + std::strerror(errno));
}

void PrivateFiles::overwrite(const fs::path& path, const std::string& text)
{
    std::ofstream out(path, std::ios::trunc); // keeps the owner (postgres) of an existing file
    out << text;
    out.flush();
    if (!out)
        throw SandboxError("cannot write " + path.string() + ": " + std::strerror(errno));
}

} // namespace pulse

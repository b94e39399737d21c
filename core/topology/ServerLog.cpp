#include "topology/ServerLog.hpp"

#include "common/Trimmed.hpp"

#include <fstream>
#include <iterator>
#include <string_view>

namespace fs = std::filesystem;

namespace pulse {

ServerLog::ServerLog(fs::path path)
    : m_path(std::move(path))
{ }

std::uintmax_t ServerLog::size() const
{
    std::error_code ec;
    const auto size = fs::file_size(m_path, ec);
    return ec ? 0 : size;
}

std::string ServerLog::tail(std::size_t lines, std::uintmax_t from) const
{
    std::ifstream in(m_path, std::ios::binary);
    if (!in)
        return {};
    in.seekg(static_cast<std::streamoff>(from));
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::size_t pos = text.size();
    while (pos > 0 && (text[pos - 1] == '\n' || text[pos - 1] == '\r'))
        --pos;
    std::size_t found = 0;
    while (pos > 0) {
        if (text[pos - 1] == '\n' && ++found == lines)
            break;
        --pos;
    }
    return trimmed(std::string_view(text).substr(pos));
}

std::string ServerLog::section(std::uintmax_t from) const
{
    const std::string lines = tail(20, from);
    if (lines.empty())
        return {};
    return "\n--- last lines of " + m_path.string() + " ---\n" + lines;
}

std::string ServerLog::hintFor(const std::string& text, const fs::path& baseDir)
{
    if (text.find("Address already in use") != std::string::npos)
        return "its port is taken by another program: stop that program, or rebuild the sandbox on new ports "
               "(pulsectl sandbox down && pulsectl sandbox up)";
    if (text.find("lock file") != std::string::npos && text.find("already exists") != std::string::npos)
        return "another server is using this data directory: stop it, or remove the sandbox with "
               "pulsectl sandbox down";
    if (text.find("Permission denied") != std::string::npos)
        return "the server user cannot use " + baseDir.string()
            + ": control the sandbox as the user who created it, or set PULSE_SANDBOX_DIR to a fresh directory";
    if (text.find("shared memory") != std::string::npos || text.find("No space left") != std::string::npos)
        return "the machine is out of shared memory or disk space: free some and retry";
    return "see the server log above; `pulsectl sandbox down && pulsectl sandbox up` rebuilds the sandbox";
}

} // namespace pulse

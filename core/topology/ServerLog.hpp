#pragma once
// The log file of one sandbox node: where PostgreSQL explains a failed start,
// stop, promotion or base backup. Error messages quote its newest lines (only
// those written since the failed step began, when the caller noted the size)
// and derive the fix from the server's own words.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace pulse {

class ServerLog {
public:
    explicit ServerLog(std::filesystem::path path);

    // Current size, 0 when missing: the offset of the lines written from now on.
    std::uintmax_t size() const;
    // The last `lines` lines from byte `from` on, trimmed; empty when unreadable.
    std::string tail(std::size_t lines = 20, std::uintmax_t from = 0) const;
    // "\n--- last lines of <log> ---\n<tail>" to append to an error message;
    // empty when there is nothing to show.
    std::string section(std::uintmax_t from = 0) const;

    // A fix for the failures people actually hit, read from the server's
    // words (`text`: log lines and tool output); a generic rebuild hint otherwise.
    static std::string hintFor(const std::string& text, const std::filesystem::path& baseDir);

private:
    std::filesystem::path m_path;
};

} // namespace pulse

#pragma once
// Output of tools and tails of logs arrive with stray blanks and newlines;
// quoted in an error message or compared, they must not. One definition for
// the topology module (ProcessRunner, PgBinaries, ServerLog, SandboxBuilder).

#include <string>
#include <string_view>

namespace pulse {

// `text` without leading and trailing spaces, tabs, CRs and LFs.
inline std::string trimmed(std::string_view text)
{
    const auto begin = text.find_first_not_of(" \t\r\n");
    if (begin == std::string_view::npos)
        return {};
    const auto end = text.find_last_not_of(" \t\r\n");
    return std::string(text.substr(begin, end - begin + 1));
}

} // namespace pulse

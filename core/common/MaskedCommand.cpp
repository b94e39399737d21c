#include "common/MaskedCommand.hpp"

#include <algorithm>
#include <cctype>

namespace pulse {
namespace {

constexpr std::string_view kMask = "********";

bool equalsIgnoringCase(std::string_view text, std::size_t at, std::string_view word)
{
    if (at + word.size() > text.size())
        return false;
    for (std::size_t i = 0; i < word.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(text[at + i])) != word[i])
            return false;
    }
    return true;
}

// End of the value that starts at `begin` (exclusive).
std::size_t valueEnd(std::string_view text, std::size_t begin)
{
    if (begin < text.size() && (text[begin] == '\'' || text[begin] == '"')) {
        const auto close = text.find(text[begin], begin + 1);
        return close == std::string_view::npos ? text.size() : close + 1;
    }
    const auto end = text.find_first_of(" \t\r\n;&|", begin);
    return end == std::string_view::npos ? text.size() : end;
}

std::string maskAssignments(std::string_view text)
{
    constexpr std::string_view kKey = "password=";
    std::string out;
    std::size_t copied = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (!equalsIgnoringCase(text, i, kKey))
            continue;
        const std::size_t begin = i + kKey.size();
        const std::size_t end = valueEnd(text, begin);
        out.append(text.substr(copied, begin - copied));
        if (end > begin)
            out.append(kMask);
        copied = end;
        i = end - 1; // end >= begin > i: the scan goes on after the value
    }
    out.append(text.substr(copied));
    return out;
}

std::string maskUrlPasswords(std::string_view text)
{
    std::string out;
    std::size_t copied = 0;
    for (auto scheme = text.find("://"); scheme != std::string_view::npos; scheme = text.find("://", scheme + 3)) {
        const std::size_t authority = scheme + 3;
        const std::size_t end = valueEnd(text, authority);
        const auto at = text.substr(authority, end - authority).rfind('@');
        if (at == std::string_view::npos)
            continue;
        const auto colon = text.substr(authority, at).find(':');
        if (colon == std::string_view::npos)
            continue;
        const std::size_t begin = authority + colon + 1;
        out.append(text.substr(copied, begin - copied));
        out.append(kMask);
        copied = authority + at;
    }
    out.append(text.substr(copied));
    return out;
}

} // namespace

std::string maskCommandSecrets(std::string_view command)
{
    return maskUrlPasswords(maskAssignments(command));
}

} // namespace pulse

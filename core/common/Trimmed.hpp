#pragma once
// Text from outside (tool output, log tails, libpq messages, .env values)
// arrives with stray blanks and newlines; quoted in an error message, parsed
// or compared, it must not. One definition for the whole core.

#include <string>
#include <string_view>

namespace pulse {

// `text` without leading and trailing spaces, tabs, CRs and LFs; a view into
// `text`, for parsers that must not allocate.
inline std::string_view trimmedView(std::string_view text)
{
    const auto begin = text.find_first_not_of(" \t\r\n");
    if (begin == std::string_view::npos)
        return {};
    const auto end = text.find_last_not_of(" \t\r\n");
    return text.substr(begin, end - begin + 1);
}

inline std::string trimmed(std::string_view text)
{
    return std::string(trimmedView(text));
}

// libpq's C strings (NULL is taken as empty).
inline std::string trimmed(const char* text)
{
    return trimmed(std::string_view(text ? text : ""));
}

} // namespace pulse

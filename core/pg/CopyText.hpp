#pragma once
// PostgreSQL's COPY text format, as COPY ... FROM STDIN reads it: columns
// separated by a tab, rows ended by a newline, NULL written as \N. Inside a
// value the four characters that would break that framing (backslash, tab,
// newline, carriage return) are written as backslash escapes; everything else
// goes through unchanged (the server decodes it in the client encoding).

#include <string>
#include <string_view>

namespace pulse {

class CopyText {
public:
    static constexpr std::string_view kNull = "\\N";

    // Appends `value` escaped for one column.
    static void appendEscaped(std::string& out, std::string_view value);
    static std::string escaped(std::string_view value)
    {
        std::string out;
        appendEscaped(out, value);
        return out;
    }
};

}  // namespace pulse

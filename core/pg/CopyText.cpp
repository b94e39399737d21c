#include "pg/CopyText.hpp"

namespace pulse {

void CopyText::appendEscaped(std::string& out, std::string_view value)
{
    // Most values need no escape: copy runs of plain bytes in one append.
    size_t plain = 0;
    for (size_t i = 0; i < value.size(); ++i) {
        const char c = value[i];
        const char* escape = nullptr;
        switch (c) {
        case '\\': escape = "\\\\"; break;
        case '\t': escape = "\\t"; break;
        case '\n': escape = "\\n"; break;
        case '\r': escape = "\\r"; break;
        default: continue;
        }
        out.append(value.substr(plain, i - plain));
        out.append(escape);
        plain = i + 1;
    }
    out.append(value.substr(plain));
}

}  // namespace pulse

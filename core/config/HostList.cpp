#include "config/HostList.hpp"

#include "common/Trimmed.hpp"

#include <algorithm>
#include <charconv>

namespace pulse {

std::optional<std::vector<HostListEntry>> parseHostList(std::string_view text)
{
    std::vector<HostListEntry> entries;
    text = trimmedView(text);
    if (text.empty())
        return entries;
    for (;;) {
        const auto comma = text.find(',');
        std::string_view item = trimmedView(text.substr(0, comma));
        HostListEntry entry;
        std::string_view portText;
        if (item.starts_with('[')) {  // [v6]:port
            const auto close = item.find(']');
            if (close == std::string_view::npos)
                return std::nullopt;
            entry.host = std::string(item.substr(1, close - 1));
            const auto rest = item.substr(close + 1);
            if (!rest.empty()) {
                if (!rest.starts_with(':'))
                    return std::nullopt;
                portText = rest.substr(1);
                if (portText.empty())
                    return std::nullopt;
            }
        } else {
            const auto colon = item.rfind(':');
            entry.host = std::string(item.substr(0, colon));
            if (colon != std::string_view::npos) {
                portText = item.substr(colon + 1);
                if (portText.empty())
                    return std::nullopt;
            }
        }
        const bool badHost = entry.host.empty() || std::any_of(entry.host.begin(), entry.host.end(), [](unsigned char c) {
                                 return c <= 0x20 || c == 0x7f || c == ',';
                             });
        if (badHost)
            return std::nullopt;
        if (!portText.empty()) {
            int port = 0;
            const auto [end, ec] = std::from_chars(portText.data(), portText.data() + portText.size(), port);
            if (ec != std::errc() || end != portText.data() + portText.size() || port < 1 || port > 65535)
                return std::nullopt;
            entry.port = port;
        }
        entries.push_back(std::move(entry));
        if (comma == std::string_view::npos)
            break;
        text.remove_prefix(comma + 1);
    }
    return entries;
}

}  // namespace pulse

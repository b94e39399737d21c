#pragma once
// POSTGRES_REPLICA_HOSTS: "host[:port],host[:port]". An IPv6 address is
// written in brackets ("[::1]:5433"). Entries without a port take
// POSTGRES_REPLICA_PORT.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pulse {

struct HostListEntry {
    std::string host;
    std::optional<int> port;
};

// std::nullopt when any entry is malformed (empty host, whitespace, a port
// outside 1..65535). An empty or blank text is an empty list.
std::optional<std::vector<HostListEntry>> parseHostList(std::string_view text);

}  // namespace pulse

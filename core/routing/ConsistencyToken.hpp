#pragma once
// Read-your-writes: the primary's WAL position after a write committed. A
// read carrying it runs on a replica only once that replica has replayed up
// to it (Rails only offers a fixed time window after a write; an LSN is
// exact). Text form "0/3000060", as PostgreSQL prints a pg_lsn, so a web
// application can carry it in a cookie or a header.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pulse {

struct ConsistencyToken {
    std::uint64_t lsn = 0;
    std::string text() const;
    static std::optional<ConsistencyToken> parse(std::string_view text);
};

}  // namespace pulse

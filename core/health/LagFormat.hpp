#pragma once
// Readable numbers for lag texts. The lag gate, the replica tracker and the
// alert engine share them so the decision log, the UI and alert messages
// spell one lag the same way ("6.2 s", "3.2 MB").
#include <cstdint>
#include <string>

namespace pulse {

// Few significant digits, no trailing zeros: 6.2, 2, 0.05, 123.
std::string formatQuantity(double value);
// "6.2 s", "2 s".
std::string formatLagSeconds(double seconds);
// "512 B", "4.5 kB", "3.2 MB", "1.1 GB" (1024-based, as PostgreSQL's pg_size_pretty).
std::string formatLagBytes(std::int64_t bytes);

}  // namespace pulse

#pragma once
// Report and journal files named on the command line (--json, --journal,
// --report): checked before a long run starts (a bad path must not cost a
// five-minute load or a failover drill), then written whole or not at all
// (pulse::writeFileAtomically).

#include <filesystem>
#include <string>

namespace pulsectl {

// Throws InvalidParameterError naming `option` when `file` cannot be written:
// its directory is missing or not writable, or it is a directory.
void checkWritable(const std::filesystem::path& file, const std::string& option);

}  // namespace pulsectl

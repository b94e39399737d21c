#pragma once
// Writing files so that readers never see half of one: reports and journals
// that a run of minutes produced must arrive whole or not at all.

#include <filesystem>
#include <string_view>

namespace pulse {

// write(2) until all of `data` is out (retrying EINTR and short writes).
// Returns 0, or the errno of the failing write.
int writeAll(int fd, std::string_view data);

// A unique temporary file next to `path` (one file system, so rename() is
// atomic, and two writers cannot clobber each other's), flushed to disk and
// renamed over `path`; removed on every failure. Throws pulse::Error naming
// the file and the cause.
void writeFileAtomically(const std::filesystem::path& path, std::string_view content);

}  // namespace pulse

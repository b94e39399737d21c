#include "OutputFile.hpp"

#include "common/Errors.hpp"

#include <unistd.h>

namespace pulsectl {

void checkWritable(const std::filesystem::path& file, const std::string& option)
{
    const auto dir = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
    const std::string what = option + " " + file.string();
    if (!std::filesystem::is_directory(dir))
        throw pulse::InvalidParameterError(what + ": directory " + dir.string() + " does not exist");
    if (::access(dir.c_str(), W_OK) != 0)
        throw pulse::InvalidParameterError(what + ": directory " + dir.string() + " is not writable");
    if (std::filesystem::is_directory(file))
        throw pulse::InvalidParameterError(what + " is a directory; give a file name");
}

}  // namespace pulsectl

#pragma once
// A drill file (or built-in definition) that cannot run: every problem found,
// each with where it is ("method[2].provider.arguments.node") and what would
// be accepted, so one round of fixes is enough.

#include "common/Errors.hpp"

#include <string>
#include <vector>

namespace pulse {

class DrillFileError : public InvalidParameterError {
public:
    DrillFileError(std::string source, std::vector<std::string> problems);
    const std::string& source() const noexcept { return m_source; }
    const std::vector<std::string>& problems() const noexcept { return m_problems; }

private:
    std::string m_source;
    std::vector<std::string> m_problems;
};

}  // namespace pulse

#include "drills/DrillFileError.hpp"

namespace pulse {
namespace {

std::string describe(const std::string& source, const std::vector<std::string>& problems)
{
    std::string text = source + ": " + std::to_string(problems.size()) +
                       (problems.size() == 1 ? " problem" : " problems");
    for (const auto& p : problems)
        text += "\n  " + p;
    return text;
}

}  // namespace

DrillFileError::DrillFileError(std::string source, std::vector<std::string> problems)
    : InvalidParameterError(describe(source, problems)), m_source(std::move(source)), m_problems(std::move(problems))
{
}

}  // namespace pulse

#include "topology/SandboxLayout.hpp"

#include <string>

namespace fs = std::filesystem;

namespace pulse {

SandboxLayout::SandboxLayout(fs::path baseDir)
    : m_baseDir(std::move(baseDir))
{ }

fs::path SandboxLayout::normalized(const fs::path& path)
{
    fs::path result = fs::absolute(path).lexically_normal();
    if (result.has_parent_path() && !result.has_filename()) // "/tmp/x/" -> "/tmp/x"
        result = result.parent_path();
    return result;
}

fs::path SandboxLayout::stateFile() const
{
    return m_baseDir / "sandbox.json";
}

fs::path SandboxLayout::socketDir() const
{
    return m_baseDir / "sock";
}

fs::path SandboxLayout::logDir() const
{
    return m_baseDir / "log";
}

fs::path SandboxLayout::dataDir(SandboxNode node) const
{
    return m_baseDir / std::string(sandboxNodeName(node));
}

fs::path SandboxLayout::logFile(SandboxNode node) const
{
    return logDir() / (std::string(sandboxNodeName(node)) + ".log");
}

fs::path SandboxLayout::passfile() const
{
    return m_baseDir / "replicator.pgpass";
}

fs::path SandboxLayout::initdbPwfile() const
{
    return m_baseDir / "initdb.pwfile";
}

} // namespace pulse

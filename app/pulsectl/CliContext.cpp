#include "CliContext.hpp"

#include "config/SettingsLoader.hpp"
#include "topology/Sandbox.hpp"

namespace pulsectl {

pulse::ConfigurationRequest CliContext::request() const
{
    pulse::ConfigurationRequest r;
    if (!envFile.empty())
        r.envFile = envFile;
    r.commandLine = pulse::ConfigurationResolver::parseAssignments(sets);
    r.environment = pulse::SettingsLoader::currentEnvironment();
    if (!sandboxDir.empty())
        r.sandboxDir = sandboxDir;
    return r;
}

pulse::ResolvedConfiguration CliContext::resolve() const
{
    return pulse::ConfigurationResolver::resolve(request());
}

std::filesystem::path CliContext::sandboxPath() const
{
    return sandboxDir.empty() ? pulse::Sandbox::defaultBaseDir() : std::filesystem::path(sandboxDir);
}

}  // namespace pulsectl

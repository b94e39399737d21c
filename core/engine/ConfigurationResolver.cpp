#include "engine/ConfigurationResolver.hpp"

#include "common/Errors.hpp"
#include "config/SettingsLoader.hpp"
#include "topology/Sandbox.hpp"

namespace pulse {

bool ConfigurationResolver::nothingGiven(const ConfigurationRequest& request)
{
    if (request.envFile || !request.commandLine.empty() || std::filesystem::exists(".env"))
        return false;
    for (const auto& [key, value] : request.environment)
        if (key.starts_with("POSTGRES_"))
            return false;
    return true;
}

std::vector<std::pair<std::string, std::string>> ConfigurationResolver::parseAssignments(
    const std::vector<std::string>& args)
{
    std::vector<std::pair<std::string, std::string>> out;
    std::vector<ConfigIssue> issues;
    for (size_t i = 0; i < args.size(); ++i) {
        const auto& arg = args[i];
        const auto eq = arg.find('=');
        if (eq == std::string::npos || eq == 0) {
            // The argument is not echoed: it may be a password given as
            // `--set POSTGRES_PASSWORD secret`.
            ConfigIssue issue;
            issue.expected = "KEY=VALUE";
            issue.location = "--set";
            issue.message = "--set argument " + std::to_string(i + 1) +
                            " has no '=': expected KEY=VALUE, e.g. --set DB_POOL_SIZE=20";
            issues.push_back(issue);
            continue;
        }
        out.emplace_back(arg.substr(0, eq), arg.substr(eq + 1));
    }
    if (!issues.empty())
        throw ConfigError(std::move(issues));
    return out;
}

ResolvedConfiguration ConfigurationResolver::resolve(const ConfigurationRequest& request)
{
    LoadOptions options;
    options.envFile = request.envFile;
    options.environment = request.environment;
    options.commandLine = request.commandLine;

    ResolvedConfiguration resolved;
    const auto sandboxDir = request.sandboxDir.value_or(Sandbox::defaultBaseDir());
    const bool useSandbox = request.forceSandbox ||
                            (request.allowImplicitSandbox && nothingGiven(request) && Sandbox::exists(sandboxDir));
    if (useSandbox) {
        if (!Sandbox::exists(sandboxDir))
            throw SandboxError("no sandbox in " + sandboxDir.string() + ": create one with `pulsectl sandbox up`" +
                               (request.sandboxDir ? " --sandbox-dir " + sandboxDir.string() : std::string()));
        auto sandbox = Sandbox::open(sandboxDir);
        SettingsLayer layer;
        layer.source = SettingSource{SourceKind::Sandbox, "sandbox " + sandboxDir.string()};
        layer.values = sandbox->settingsValues();
        options.sandbox = std::move(layer);
        // With --sandbox, a ./.env written for another database must not
        // silently redirect the connection; an explicit --env-file still applies.
        options.useDefaultEnvFile = false;
        resolved.sandboxDir = sandboxDir;
    }
    resolved.settings = SettingsLoader::load(options);

    if (useSandbox)
        resolved.origin = "sandbox " + sandboxDir.string();
    else if (request.envFile)
        resolved.origin = request.envFile->string();
    else if (std::filesystem::exists(".env"))
        resolved.origin = ".env";
    else
        resolved.origin = "environment and defaults";
    return resolved;
}

}  // namespace pulse

#pragma once
// One function per pulsectl command; each returns its exit code
// (pulse::exitcode) and throws pulse::Error subclasses for main() to map.

#include "CliContext.hpp"

#include <string>

namespace pulsectl {

int runStatus(const CliContext& context);
int runRoute(const CliContext& context, const std::string& operation, const std::string& routeContext, bool dryRun);
int runConfig(const CliContext& context);
int runSandboxUp(const CliContext& context);
int runSandboxDown(const CliContext& context);
int runSandboxStatus(const CliContext& context);

}  // namespace pulsectl

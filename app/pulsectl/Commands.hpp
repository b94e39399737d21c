#pragma once
// One function per pulsectl command; each returns its exit code
// (pulse::exitcode) and throws pulse::Error subclasses for main() to map.

#include "CliContext.hpp"

#include <string>

namespace pulsectl {

// Long-running views (--watch) and the /metrics endpoint they may serve.
struct WatchOptions {
    bool enabled = false;  // --watch
    int count = 0;         // --count N: stop after N refreshes (0: until Ctrl+C)
    int metricsPort = -1;  // --metrics-port N: serve /metrics on 127.0.0.1 (-1: off)
};

int runStatus(const CliContext& context, const WatchOptions& watch);
int runAlerts(const CliContext& context, const WatchOptions& watch);
int runMetrics(const CliContext& context, const WatchOptions& watch);
int runRoute(const CliContext& context, const std::string& operation, const std::string& routeContext, bool dryRun);
int runConfig(const CliContext& context);
int runSandboxUp(const CliContext& context);
int runSandboxDown(const CliContext& context);
int runSandboxStatus(const CliContext& context);
// pg_wal_replay_pause() / pg_wal_replay_resume() on the sandbox replica.
int runSandboxReplay(const CliContext& context, bool pause);

}  // namespace pulsectl

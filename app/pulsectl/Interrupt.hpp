#pragma once
// Ctrl+C for the long-running commands (status --watch, alerts --watch,
// metrics --metrics-port): the first SIGINT/SIGTERM asks the loop to end so
// the engine shuts down cleanly; waits are interruptible. A second one ends
// the process at once.
#include <chrono>

namespace pulsectl {

void installInterruptHandler();
bool interrupted();
// Sleeps up to `duration`; returns early (false) when interrupted.
bool sleepUnlessInterrupted(std::chrono::milliseconds duration);

}  // namespace pulsectl

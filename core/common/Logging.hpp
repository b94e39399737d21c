#pragma once
// Logging set-up shared by pulsectl and pulse-console: a "pulse" logger with
// time, level, logger name and thread; levels from SPDLOG_LEVEL (spdlog's own
// convention, e.g. SPDLOG_LEVEL=debug or SPDLOG_LEVEL=pool=trace).

#include <memory>
#include <spdlog/logger.h>
#include <string>

namespace pulse {

struct LoggingOptions {
    std::string logFile;           // rotating file sink when not empty
    bool toStderr = true;          // CLI: stderr so stdout stays machine-readable
    std::string defaultLevel = "warn";  // what stderr and the log file get
    // What the extra sinks (addLogSink: the console's log panel) get; empty:
    // defaultLevel. The loggers emit down to the lower of the two; stderr and
    // the file keep defaultLevel. SPDLOG_LEVEL, when set, rules every sink.
    std::string extraSinksLevel;
};

void setupLogging(const LoggingOptions& options);

// The logger for one core module ("pool", "router", ...); created on first use
// with the sinks chosen by setupLogging (or stderr when it was never called).
std::shared_ptr<spdlog::logger> logger(const std::string& name);

// Extra sinks (the console's log panel): every pulse logger, created before
// or after the call, also writes to `sink`; setupLogging() keeps it. Safe
// while other threads log (the extra sinks sit behind one distributing sink
// that every pulse logger holds from its creation).
void addLogSink(spdlog::sink_ptr sink);
void removeLogSink(const spdlog::sink_ptr& sink);
// The extra sinks now want `level` and above (the log panel's filter): the
// loggers emit down to it, stderr and the log file still get only what
// setupLogging() gave them.
void setExtraSinksLevel(spdlog::level::level_enum level);

}  // namespace pulse

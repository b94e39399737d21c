#include "common/Logging.hpp"

#include <mutex>
#include <spdlog/cfg/env.h>
#include <spdlog/sinks/dist_sink.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <vector>

namespace pulse {
namespace {
std::mutex g_mutex;
std::vector<spdlog::sink_ptr> g_sinks;
bool g_configured = false;
constexpr const char* kPattern = "%Y-%m-%d %H:%M:%S.%e %^%-5l%$ [%n] [t%t] %v";

// Holds the sinks added by addLogSink(); its own mutex makes adding one safe
// while loggers write through it.
const std::shared_ptr<spdlog::sinks::dist_sink_mt>& extraSinks()
{
    static const auto sinks = std::make_shared<spdlog::sinks::dist_sink_mt>();
    return sinks;
}

// What every pulse logger writes to; with g_mutex held.
std::vector<spdlog::sink_ptr> loggerSinksLocked()
{
    std::vector<spdlog::sink_ptr> sinks = g_sinks;
    sinks.push_back(extraSinks());
    return sinks;
}

void ensureSinksLocked()
{
    if (!g_sinks.empty())
        return;
    // Used without setupLogging() (tests, embedders): still honour SPDLOG_LEVEL.
    spdlog::cfg::load_env_levels();
    auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    sink->set_pattern(kPattern);
    g_sinks.push_back(sink);
}
}  // namespace

void setupLogging(const LoggingOptions& options)
{
    std::lock_guard lock(g_mutex);
    g_sinks.clear();
    if (options.toStderr) {
        auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
        sink->set_pattern(kPattern);
        g_sinks.push_back(sink);
    }
    if (!options.logFile.empty()) {
        auto sink = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(options.logFile, 5 * 1024 * 1024, 3);
        sink->set_pattern(kPattern);
        g_sinks.push_back(sink);
    }
    if (g_sinks.empty())
        g_sinks.push_back(std::make_shared<spdlog::sinks::null_sink_mt>());
    spdlog::set_level(spdlog::level::from_str(options.defaultLevel));
    // Re-point loggers created before set-up at the new sinks.
    const auto sinks = loggerSinksLocked();
    spdlog::apply_all([&sinks](const std::shared_ptr<spdlog::logger>& l) { l->sinks() = sinks; });
    g_configured = true;
    spdlog::cfg::load_env_levels();
}

std::shared_ptr<spdlog::logger> logger(const std::string& name)
{
    if (auto existing = spdlog::get(name))
        return existing;
    std::lock_guard lock(g_mutex);
    if (auto existing = spdlog::get(name))
        return existing;
    ensureSinksLocked();
    const auto sinks = loggerSinksLocked();
    auto created = std::make_shared<spdlog::logger>(name, sinks.begin(), sinks.end());
    spdlog::initialize_logger(created);
    return created;
}

void addLogSink(spdlog::sink_ptr sink)
{
    if (sink)
        extraSinks()->add_sink(std::move(sink));
}

void removeLogSink(const spdlog::sink_ptr& sink)
{
    if (sink)
        extraSinks()->remove_sink(sink);
}

}  // namespace pulse

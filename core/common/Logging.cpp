#include "common/Logging.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <sstream>
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
// The level stderr and the file get, and the one the extra sinks asked for
// (off: they asked for nothing, the loggers keep their configured levels).
spdlog::level::level_enum g_baseLevel = spdlog::level::warn;
spdlog::level::level_enum g_extraLevel = spdlog::level::off;

// SPDLOG_LEVEL as spdlog reads it (any case): "warn", "info,pool=trace" or
// "pool=trace": a global level, levels per logger, or both.
struct EnvLevels {
    bool set = false;
    std::optional<spdlog::level::level_enum> global;
    bool namesLoggers = false;
};

EnvLevels envLevels()
{
    EnvLevels levels;
    const char* env = std::getenv("SPDLOG_LEVEL");
    if (env == nullptr || *env == '\0')
        return levels;
    levels.set = true;
    std::string text(env);
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
    std::stringstream items(text);
    for (std::string item; std::getline(items, item, ',');) {
        item.erase(std::remove_if(item.begin(), item.end(), [](unsigned char c) { return std::isspace(c); }),
            item.end());
        if (item.find('=') != std::string::npos)
            levels.namesLoggers = true;
        else if (!item.empty())
            levels.global = spdlog::level::from_str(item);
    }
    return levels;
}

// Whether the panel may lower the loggers' levels. Not when SPDLOG_LEVEL
// names loggers: stderr then takes all they emit (pool=trace must reach it),
// so the panel shows what SPDLOG_LEVEL asks for.
bool panelMayLower(const EnvLevels& env)
{
    return !env.namesLoggers;
}

// With g_mutex held: a logger emits what the most demanding sink wants.
void lowerForPanelLocked(spdlog::logger& l)
{
    if (panelMayLower(envLevels()))
        l.set_level(std::min(l.level(), g_extraLevel));
}

// With g_mutex held: every logger's level from the configuration, then lowered for the panel.
void applyLoggerLevelsLocked()
{
    if (envLevels().set)
        spdlog::cfg::load_env_levels(); // SPDLOG_LEVEL rules, per logger too
    else
        spdlog::set_level(g_baseLevel);
    spdlog::apply_all([](const std::shared_ptr<spdlog::logger>& l) { lowerForPanelLocked(*l); });
}

// With g_mutex held: stderr and the file get what they got before the panel
// asked for more: defaultLevel, SPDLOG_LEVEL's global level, or everything the
// loggers emit when it names loggers.
void applyBaseSinkLevelsLocked()
{
    const EnvLevels env = envLevels();
    spdlog::level::level_enum level = g_baseLevel;
    if (env.namesLoggers)
        level = spdlog::level::trace;
    else if (env.global)
        level = *env.global;
    for (const auto& sink : g_sinks)
        sink->set_level(level);
}
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
    applyBaseSinkLevelsLocked();
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
    g_baseLevel = spdlog::level::from_str(options.defaultLevel);
    g_extraLevel = options.extraSinksLevel.empty() ? spdlog::level::off : spdlog::level::from_str(options.extraSinksLevel);
    // stderr and the file keep their level whatever the panel asks the loggers for.
    applyBaseSinkLevelsLocked();
    // Re-point loggers created before set-up at the new sinks.
    const auto sinks = loggerSinksLocked();
    spdlog::apply_all([&sinks](const std::shared_ptr<spdlog::logger>& l) { l->sinks() = sinks; });
    g_configured = true;
    applyLoggerLevelsLocked();
}

void setExtraSinksLevel(spdlog::level::level_enum level)
{
    std::lock_guard lock(g_mutex);
    g_extraLevel = level;
    applyLoggerLevelsLocked();
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
    spdlog::initialize_logger(created); // the registry's level, SPDLOG_LEVEL's for it
    lowerForPanelLocked(*created); // and what the panel asked for, if more
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

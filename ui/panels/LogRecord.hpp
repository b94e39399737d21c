#pragma once
// One spdlog record as the log panel keeps it: plain values, safe to move
// from the logging thread to the UI thread.

#include <spdlog/common.h>

#include <chrono>
#include <cstddef>
#include <string>

namespace pulse::ui {

struct LogRecord {
    std::chrono::system_clock::time_point time;
    spdlog::level::level_enum level = spdlog::level::info;
    std::string logger; // "router", "alerts", ...
    std::string message; // the payload alone
    std::string formatted; // the whole line, as the stderr sink writes it
    std::size_t thread = 0;
};

} // namespace pulse::ui

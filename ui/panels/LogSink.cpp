#include "panels/LogSink.hpp"

#include "common/Logging.hpp"

#include <spdlog/pattern_formatter.h>

#include <algorithm>

namespace pulse::ui {

LogSink::LogSink(std::size_t capacity)
    : m_capacity(std::max<std::size_t>(1, capacity))
{
    // The same line as core/common/Logging.cpp writes, without colour codes.
    set_formatter_(std::make_unique<spdlog::pattern_formatter>("%Y-%m-%d %H:%M:%S.%e %-5l [%n] [t%t] %v"));
}

std::shared_ptr<LogSink> LogSink::install(std::size_t capacity)
{
    auto sink = std::make_shared<LogSink>(capacity);
    pulse::addLogSink(sink);
    return sink;
}

void LogSink::uninstall(const std::shared_ptr<LogSink>& sink)
{
    pulse::removeLogSink(sink);
}

void LogSink::sink_it_(const spdlog::details::log_msg& msg)
{
    // Called with mutex_ held (base_sink::log).
    spdlog::memory_buf_t line;
    formatter_->format(msg, line);
    std::size_t length = line.size();
    while (length > 0 && (line.data()[length - 1] == '\n' || line.data()[length - 1] == '\r'))
        --length;

    LogRecord record;
    record.time = msg.time;
    record.level = msg.level;
    record.logger.assign(msg.logger_name.data(), msg.logger_name.size());
    record.message.assign(msg.payload.data(), msg.payload.size());
    record.formatted.assign(line.data(), length);
    record.thread = msg.thread_id;

    if (m_ring.size() >= m_capacity) {
        m_ring.pop_front();
        ++m_dropped;
    }
    m_ring.push_back(std::move(record));
}

std::vector<LogRecord> LogSink::drain()
{
    std::deque<LogRecord> taken;
    {
        std::lock_guard lock(mutex_);
        taken.swap(m_ring);
    }
    return {std::make_move_iterator(taken.begin()), std::make_move_iterator(taken.end())};
}

std::uint64_t LogSink::dropped()
{
    std::lock_guard lock(mutex_);
    return m_dropped;
}

} // namespace pulse::ui

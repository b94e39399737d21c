#pragma once
// The log panel's spdlog sink: keeps the newest records in a bounded ring.
//
// Thread contract: spdlog calls the sink from any thread that logs (the
// monitor, workers, the UI); each record is copied into the ring under the
// sink's mutex and nothing else happens there (no Qt, no signal). The UI
// thread takes the records out with drain() on a timer. When the UI falls
// behind, the oldest records leave the ring and dropped() counts them.
// Messages arrive already masked by the core: the sink adds nothing.

#include "panels/LogRecord.hpp"

#include <spdlog/details/log_msg.h>
#include <spdlog/sinks/base_sink.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

namespace pulse::ui {

class LogSink final : public spdlog::sinks::base_sink<std::mutex> {
public:
    static constexpr std::size_t kDefaultCapacity = 5000;

    explicit LogSink(std::size_t capacity = kDefaultCapacity);

    // A new sink added to every pulse logger, existing and future ones
    // (pulse::addLogSink).
    static std::shared_ptr<LogSink> install(std::size_t capacity = kDefaultCapacity);
    // Takes the sink out of the loggers again; records logged afterwards are not kept.
    static void uninstall(const std::shared_ptr<LogSink>& sink);

    // The buffered records, oldest first; the ring is empty afterwards.
    std::vector<LogRecord> drain();
    // Records pushed out of a full ring before anyone drained them.
    std::uint64_t dropped();
    std::size_t capacity() const { return m_capacity; }

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override;
    void flush_() override { }

private:
    const std::size_t m_capacity;
    std::deque<LogRecord> m_ring; // guarded by base_sink::mutex_
    std::uint64_t m_dropped = 0; // likewise
};

} // namespace pulse::ui

#pragma once
// How responsive the UI thread is: a short precise timer on the UI thread
// records how late each tick fires. A tick that fires 40 ms late means the
// thread was busy (or blocked) for 40 ms: exactly what a person feels as a
// frozen window. Also the UI thread's CPU time over the same span.
//
// Shown in the About / diagnostics dialog, read by tests and by the stall
// benchmark (tests/bench/bench_ui_stall). UI thread only.

#include "workload/LatencySamples.hpp"

#include <QObject>
#include <QTimer>

#include <chrono>
#include <cstdint>

namespace pulse::ui {

struct StallSummary {
    std::uint64_t ticks = 0;
    double p50Ms = 0;      // lateness of a tick
    double p99Ms = 0;
    double maxMs = 0;
    std::uint64_t over50Ms = 0;   // ticks later than 50 ms
    std::uint64_t over300Ms = 0;  // ticks later than 300 ms
    double seconds = 0;           // span measured
    double uiCpuPercent = 0;      // UI thread CPU over the span, % of one core
};

class StallProbe : public QObject {
    Q_OBJECT

public:
    explicit StallProbe(std::chrono::milliseconds tick = std::chrono::milliseconds(10), QObject* parent = nullptr);

    void start();  // also clears what was measured
    void stop();
    bool running() const { return m_timer.isActive(); }
    StallSummary summary() const;

private:
    void onTick();

    using Clock = std::chrono::steady_clock;
    const std::chrono::milliseconds m_tick;
    QTimer m_timer;
    LatencySamples m_lateness;  // seconds
    std::uint64_t m_over50 = 0;
    std::uint64_t m_over300 = 0;
    Clock::time_point m_started{};
    Clock::time_point m_last{};
    Clock::time_point m_stopped{};
    std::chrono::nanoseconds m_cpuStart{0};
    std::chrono::nanoseconds m_cpuStop{0};
};

// CPU time the calling thread has used (CLOCK_THREAD_CPUTIME_ID).
std::chrono::nanoseconds threadCpuTime();

}  // namespace pulse::ui

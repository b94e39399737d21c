#include "main/StallProbe.hpp"

#include <ctime>

namespace pulse::ui {

std::chrono::nanoseconds threadCpuTime()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

StallProbe::StallProbe(std::chrono::milliseconds tick, QObject* parent)
    : QObject(parent), m_tick(tick), m_lateness(1 << 16)
{
    // Precise: a coarse timer may fire up to 5% late by design, which would
    // read as stalls that never happened.
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(m_tick);
    connect(&m_timer, &QTimer::timeout, this, &StallProbe::onTick);
}

void StallProbe::start()
{
    m_lateness.clear();
    m_over50 = m_over300 = 0;
    m_started = m_last = Clock::now();
    m_stopped = {};
    m_cpuStart = threadCpuTime();
    m_timer.start();
}

void StallProbe::stop()
{
    if (!m_timer.isActive())
        return;
    m_timer.stop();
    m_stopped = Clock::now();
    m_cpuStop = threadCpuTime();
}

void StallProbe::onTick()
{
    const auto now = Clock::now();
    const auto late = now - m_last - m_tick;
    m_last = now;
    const double seconds = std::max(0.0, std::chrono::duration<double>(late).count());
    m_lateness.add(seconds);
    if (seconds > 0.050)
        ++m_over50;
    if (seconds > 0.300)
        ++m_over300;
}

StallSummary StallProbe::summary() const
{
    StallSummary s;
    const LatencySummary l = m_lateness.summary();
    s.ticks = l.count;
    s.p50Ms = l.p50Seconds * 1000;
    s.p99Ms = l.p99Seconds * 1000;
    s.maxMs = l.maxSeconds * 1000;
    s.over50Ms = m_over50;
    s.over300Ms = m_over300;
    const bool active = m_timer.isActive();
    const auto end = active ? Clock::now() : m_stopped;
    const auto cpuEnd = active ? threadCpuTime() : m_cpuStop;
    s.seconds = m_started == Clock::time_point{} ? 0 : std::chrono::duration<double>(end - m_started).count();
    if (s.seconds > 0)
        s.uiCpuPercent = 100.0 * std::chrono::duration<double>(cpuEnd - m_cpuStart).count() / s.seconds;
    return s;
}

}  // namespace pulse::ui

#include "etl/EtlPacer.hpp"

#include <algorithm>

namespace pulse {

EtlPacer::EtlPacer(std::int64_t rowsPerSecond, std::int64_t chunkSize)
    : m_rate(std::max<std::int64_t>(0, rowsPerSecond)), m_chunkSize(std::max<std::int64_t>(1, chunkSize))
{
}

EtlPacer::Clock::time_point EtlPacer::reserve(std::int64_t rows)
{
    const auto now = Clock::now();
    if (m_rate <= 0)
        return now;
    const double rate = static_cast<double>(m_rate);
    auto offset = [rate](std::int64_t n) {
        return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(static_cast<double>(n) / rate));
    };
    std::lock_guard lock(m_mutex);
    auto due = m_origin + offset(m_paced);
    if (now - due > offset(unit(m_chunkSize))) {
        m_origin = now - offset(m_paced);
        due = now;
    }
    m_paced += rows;
    return due;
}

void EtlPacer::restart()
{
    std::lock_guard lock(m_mutex);
    m_origin = Clock::now();
    m_paced = 0;
}

std::int64_t EtlPacer::unit(std::int64_t chunkRows) const
{
    if (m_rate <= 0 || chunkRows * 5 <= m_rate)
        return chunkRows;
    return std::max<std::int64_t>(1, m_rate / 10);
}

}  // namespace pulse

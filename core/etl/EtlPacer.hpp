#pragma once
// The throttle of one ETL load (EtlJobSpec::rowsPerSecond), shared by all of
// its workers: the rate is the JOB's, so the workers draw from one schedule.
// Each unit of rows reserves its start time on that schedule; no credit piles
// up while nothing was sent (a pause, the brake, a slow server): a schedule
// that fell behind by more than a unit starts again from now instead of
// bursting to catch up.
//
// Thread contract: every method is thread-safe.

#include <chrono>
#include <cstdint>
#include <mutex>

namespace pulse {

class EtlPacer {
public:
    using Clock = std::chrono::steady_clock;

    // `rowsPerSecond` 0: no throttle (reserve() returns now).
    EtlPacer(std::int64_t rowsPerSecond, std::int64_t chunkSize);

    bool throttled() const { return m_rate > 0; }
    // The time the next `rows` rows may start; they count as sent from then.
    Clock::time_point reserve(std::int64_t rows);
    // After a hold: the schedule starts again from now.
    void restart();
    // Rows a chunk of `chunkRows` is paced in: the whole chunk, or tenths of
    // a second when the chunk is worth more than a fifth of one, so the rate
    // stays smooth over any few seconds.
    std::int64_t unit(std::int64_t chunkRows) const;

private:
    const std::int64_t m_rate;
    const std::int64_t m_chunkSize;
    std::mutex m_mutex;
    Clock::time_point m_origin = Clock::now();
    std::int64_t m_paced = 0;  // rows reserved since m_origin
};

}  // namespace pulse

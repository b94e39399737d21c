#pragma once
// A lock-free latency histogram: log-linear buckets (4 per power of two, so a
// quantile is within ~19% of the true value) from 1 ns to ~18 minutes.
// record() is a few relaxed atomic increments, safe from any thread; a
// snapshot() is a consistent-enough copy for display and export.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <vector>

namespace pulse {

class LatencyHistogram {
public:
    static constexpr int kSubBuckets = 4;
    static constexpr int kExponents = 40;
    static constexpr int kBuckets = kExponents * kSubBuckets;

    struct Snapshot {
        std::uint64_t count = 0;
        double sumSeconds = 0;
        double maxSeconds = 0;
        std::vector<std::uint64_t> buckets;  // kBuckets counts

        // Upper bound (seconds) of the bucket holding quantile q in [0, 1];
        // 0 when empty.
        double quantile(double q) const;
        double meanSeconds() const { return count ? sumSeconds / static_cast<double>(count) : 0.0; }
        // Cumulative count of observations <= bound (seconds), for Prometheus.
        std::uint64_t countAtOrBelow(double boundSeconds) const;
    };

    void record(std::chrono::nanoseconds value);
    Snapshot snapshot() const;
    void reset();

    static int bucketFor(std::uint64_t nanos);
    static double bucketUpperSeconds(int bucket);

private:
    std::array<std::atomic<std::uint64_t>, kBuckets> m_buckets{};
    std::atomic<std::uint64_t> m_count{0};
    std::atomic<std::uint64_t> m_sumNanos{0};
    std::atomic<std::uint64_t> m_maxNanos{0};
};

}  // namespace pulse

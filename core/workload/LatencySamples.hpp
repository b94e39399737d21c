#pragma once
// The latencies of one series (page loads, one query, one node), kept as
// samples so that its quantiles are exact rather than bucketed as in
// LatencyHistogram: the plan's "dashboard loading time < 2 s" is judged on
// these figures, and a bucket ~19% wide could put 1.7 s and 2.0 s together.
//
// Memory is bounded: at most `capacity` samples are stored (8 bytes each;
// the default, 2^20, is 8 MiB, about 24 hours of page loads of 4 readers at
// 3 loads a second each). Past the cap the series keeps a uniform random
// sample of every value seen (reservoir sampling, Vitter's Algorithm R), so
// the quantiles stay representative of the whole run but become estimates;
// count, mean and max stay exact whatever the count.
//
// Not thread-safe: the owner guards it (DashboardReaders holds one lock).

#include "workload/WorkloadStats.hpp"

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

namespace pulse {

class LatencySamples {
public:
    static constexpr std::size_t kDefaultCapacity = std::size_t(1) << 20;

    LatencySamples()
        : LatencySamples(kDefaultCapacity)
    { }
    // Throws InvalidParameterError for a capacity of 0.
    explicit LatencySamples(std::size_t capacity);

    void add(double seconds);
    void clear();

    std::uint64_t count() const { return m_count; }
    std::size_t capacity() const { return m_capacity; }
    // True while every value added is stored, so the quantiles are exact.
    bool exact() const { return m_count <= m_capacity; }
    const std::vector<double>& stored() const { return m_samples; }

    // Quantiles from the stored samples; count, mean and max of everything
    // added. Sorts a copy: O(n), call it outside the owner's lock on a copy
    // when the series is large.
    LatencySummary summary() const;

    // Exact nearest-rank quantiles (the smallest value with at least q of the
    // samples at or below it), mean and max of `samples`; all zero when empty.
    static LatencySummary summarize(std::vector<double> samples);

private:
    std::size_t m_capacity;
    std::vector<double> m_samples;
    std::uint64_t m_count = 0;
    double m_sum = 0;
    double m_max = 0;
    // Fixed seed: two runs that see the same values keep the same reservoir.
    std::mt19937_64 m_random {0x5eed};
};

} // namespace pulse

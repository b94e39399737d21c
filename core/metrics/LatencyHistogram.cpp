#include "metrics/LatencyHistogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace pulse {

int LatencyHistogram::bucketFor(std::uint64_t nanos)
{
    if (nanos < 2)
        return 0;
    const int exponent = std::bit_width(nanos) - 1;  // floor(log2)
    // The two bits below the leading one pick the sub-bucket.
    const int sub = exponent >= 2 ? static_cast<int>((nanos >> (exponent - 2)) & 0x3)
                                  : static_cast<int>((nanos << (2 - exponent)) & 0x3);
    return std::min(kBuckets - 1, exponent * kSubBuckets + sub);
}

double LatencyHistogram::bucketUpperSeconds(int bucket)
{
    const int exponent = bucket / kSubBuckets;
    const int sub = bucket % kSubBuckets;
    const double lower = std::ldexp(1.0, exponent);
    return lower * (1.0 + (sub + 1) / static_cast<double>(kSubBuckets)) * 1e-9;
}

void LatencyHistogram::record(std::chrono::nanoseconds value)
{
    const auto nanos = static_cast<std::uint64_t>(std::max<std::int64_t>(0, value.count()));
    m_buckets[static_cast<size_t>(bucketFor(nanos))].fetch_add(1, std::memory_order_relaxed);
    m_count.fetch_add(1, std::memory_order_relaxed);
    m_sumNanos.fetch_add(nanos, std::memory_order_relaxed);
    auto previous = m_maxNanos.load(std::memory_order_relaxed);
    while (previous < nanos && !m_maxNanos.compare_exchange_weak(previous, nanos, std::memory_order_relaxed)) {
    }
}

LatencyHistogram::Snapshot LatencyHistogram::snapshot() const
{
    Snapshot s;
    s.buckets.resize(kBuckets);
    for (int i = 0; i < kBuckets; ++i)
        s.buckets[static_cast<size_t>(i)] = m_buckets[static_cast<size_t>(i)].load(std::memory_order_relaxed);
    s.count = m_count.load(std::memory_order_relaxed);
    s.sumSeconds = static_cast<double>(m_sumNanos.load(std::memory_order_relaxed)) * 1e-9;
    s.maxSeconds = static_cast<double>(m_maxNanos.load(std::memory_order_relaxed)) * 1e-9;
    return s;
}

void LatencyHistogram::reset()
{
    for (auto& bucket : m_buckets)
        bucket.store(0, std::memory_order_relaxed);
    m_count = 0;
    m_sumNanos = 0;
    m_maxNanos = 0;
}

double LatencyHistogram::Snapshot::quantile(double q) const
{
    std::uint64_t total = 0;
    for (auto c : buckets)
        total += c;
    if (total == 0)
        return 0.0;
    const auto rank = static_cast<std::uint64_t>(std::ceil(std::clamp(q, 0.0, 1.0) * static_cast<double>(total)));
    std::uint64_t seen = 0;
    for (int i = 0; i < kBuckets; ++i) {
        seen += buckets[static_cast<size_t>(i)];
        if (seen >= std::max<std::uint64_t>(rank, 1))
            return std::min(bucketUpperSeconds(i), maxSeconds > 0 ? maxSeconds : bucketUpperSeconds(i));
    }
    return maxSeconds;
}

std::uint64_t LatencyHistogram::Snapshot::countAtOrBelow(double boundSeconds) const
{
    std::uint64_t total = 0;
    for (int i = 0; i < kBuckets; ++i)
        if (bucketUpperSeconds(i) <= boundSeconds)
            total += buckets[static_cast<size_t>(i)];
    return total;
}

}  // namespace pulse

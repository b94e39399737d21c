#include "workload/LatencySamples.hpp"

#include "common/Errors.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace pulse {
namespace {

// Zero-based index of the nearest-rank q-quantile of n sorted values.
std::size_t rankIndex(double q, std::size_t n)
{
    // The epsilon keeps q * n from rounding up past an exact rank: in binary
    // floating point 0.07 * 100 is 7.000000000000001, whose ceiling is 8.
    const double rank = std::ceil(q * static_cast<double>(n) - 1e-9);
    return static_cast<std::size_t>(std::clamp(rank, 1.0, static_cast<double>(n))) - 1;
}

} // namespace

LatencySamples::LatencySamples(std::size_t capacity)
    : m_capacity(capacity)
{
    if (capacity == 0)
        throw InvalidParameterError("LatencySamples: the capacity must be at least 1 sample");
}

void LatencySamples::add(double seconds)
{
    ++m_count;
    m_sum += seconds;
    m_max = std::max(m_max, seconds);
    if (m_samples.size() < m_capacity) {
        m_samples.push_back(seconds);
        return;
    }
    // Algorithm R: the n-th value replaces a stored one with probability
    // capacity / n, which keeps every value seen equally likely to be stored.
    std::uniform_int_distribution<std::uint64_t> pick(0, m_count - 1);
    const std::uint64_t slot = pick(m_random);
    if (slot < m_capacity)
        m_samples[static_cast<std::size_t>(slot)] = seconds;
}

void LatencySamples::clear()
{
    m_samples.clear();
    m_count = 0;
    m_sum = 0;
    m_max = 0;
}

LatencySummary LatencySamples::summary() const
{
    LatencySummary s = summarize(m_samples);
    s.count = m_count;
    s.meanSeconds = m_count ? m_sum / static_cast<double>(m_count) : 0.0;
    s.maxSeconds = m_max;
    return s;
}

LatencySummary LatencySamples::summarize(std::vector<double> samples)
{
    LatencySummary s;
    const std::size_t n = samples.size();
    if (n == 0)
        return s;
    s.count = n;
    s.meanSeconds = std::accumulate(samples.begin(), samples.end(), 0.0) / static_cast<double>(n);
    // Selection instead of a full sort: after nth_element everything past the
    // chosen position is >= it, so each higher quantile is selected in the
    // remaining tail only.
    const auto begin = samples.begin();
    std::size_t from = 0;
    double* const targets[] = {&s.p50Seconds, &s.p95Seconds, &s.p99Seconds};
    const double quantiles[] = {0.50, 0.95, 0.99};
    for (int i = 0; i < 3; ++i) {
        const std::size_t at = rankIndex(quantiles[i], n);
        std::nth_element(
            begin + static_cast<std::ptrdiff_t>(from), begin + static_cast<std::ptrdiff_t>(at), samples.end());
        *targets[i] = samples[at];
        from = at;
    }
    s.maxSeconds = *std::max_element(begin + static_cast<std::ptrdiff_t>(from), samples.end());
    return s;
}

} // namespace pulse

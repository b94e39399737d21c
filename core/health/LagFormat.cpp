#include "health/LagFormat.hpp"

#include <cmath>
#include <fmt/format.h>

namespace pulse {

std::string formatQuantity(double value)
{
    if (!std::isfinite(value))
        return fmt::format("{}", value);
    // Lag numbers are read at a glance: one decimal is plenty above 1, two
    // below (a replica 0.05 s behind is not "0 s" behind), none above 100.
    const double magnitude = std::fabs(value);
    const int decimals = magnitude >= 100 ? 0 : magnitude >= 1 ? 1 : 2;
    std::string text = fmt::format("{:.{}f}", value, decimals);
    if (text.find('.') != std::string::npos) {
        while (text.back() == '0')
            text.pop_back();
        if (text.back() == '.')
            text.pop_back();
    }
    if (text == "-0")
        text = "0";
    return text;
}

std::string formatLagSeconds(double seconds)
{
    return formatQuantity(seconds) + " s";
}

std::string formatLagBytes(std::int64_t bytes)
{
    constexpr double kKiB = 1024.0;
    const double value = static_cast<double>(bytes);
    const double magnitude = std::fabs(value);
    if (magnitude < kKiB)
        return fmt::format("{} B", bytes);
    if (magnitude < kKiB * kKiB)
        return formatQuantity(value / kKiB) + " kB";
    if (magnitude < kKiB * kKiB * kKiB)
        return formatQuantity(value / (kKiB * kKiB)) + " MB";
    return formatQuantity(value / (kKiB * kKiB * kKiB)) + " GB";
}

}  // namespace pulse

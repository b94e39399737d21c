#pragma once
// Levenshtein distance, for "did you mean ...?" on a mistyped setting, drill
// step or argument name.

#include <algorithm>
#include <cstddef>
#include <string_view>
#include <vector>

namespace pulse {

inline std::size_t editDistance(std::string_view a, std::string_view b)
{
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

// The candidate closest to `wanted`, if it is close enough to be a typo
// (at most a third of the longer name, and at least one edit allowed).
template <typename Names>
std::string_view closestName(std::string_view wanted, const Names& candidates)
{
    std::string_view best;
    std::size_t bestDistance = static_cast<std::size_t>(-1);
    for (const auto& candidate : candidates) {
        const std::string_view name(candidate);
        const auto distance = editDistance(wanted, name);
        if (distance < bestDistance) {
            bestDistance = distance;
            best = name;
        }
    }
    const std::size_t allowed = std::max<std::size_t>(1, std::max(wanted.size(), best.size()) / 3);
    return bestDistance <= allowed ? best : std::string_view{};
}

}  // namespace pulse

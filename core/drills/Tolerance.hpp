#pragma once
// What a probe's value must be for the hypothesis to hold, as in Chaos
// Toolkit experiments: an exact value (true, 0, "primary") or a numeric
// range ([0, 5], {"max": 0}, {"min": 1}). A null value (unknown, e.g. the lag
// of a replica that is down) never satisfies a range.

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace pulse {

class Tolerance {
public:
    // A form it does not know adds a problem (naming `path`) and gives none.
    static std::optional<Tolerance> parse(const nlohmann::json& value, const std::string& path,
                                          std::vector<std::string>& problems);
    static Tolerance exactly(nlohmann::json value);
    static Tolerance between(std::optional<double> min, std::optional<double> max);

    bool accepts(const nlohmann::json& value) const;
    std::string describe() const;  // "true", "\"primary\"", "between 0 and 5", "at most 0", "at least 1"
    nlohmann::json toJson() const;  // the form it was written in

private:
    std::optional<nlohmann::json> m_exact;
    std::optional<double> m_min;
    std::optional<double> m_max;
};

}  // namespace pulse

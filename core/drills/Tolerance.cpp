#include "drills/Tolerance.hpp"

#include <fmt/format.h>

namespace pulse {
namespace {

std::string number(double value)
{
    return fmt::format("{:g}", value);
}

std::optional<double> bound(const nlohmann::json& object, const char* key, const std::string& path,
                            std::vector<std::string>& problems)
{
    if (!object.contains(key))
        return std::nullopt;
    const auto& v = object.at(key);
    if (!v.is_number()) {
        problems.push_back(path + "." + key + ": must be a number, got " + v.dump());
        return std::nullopt;
    }
    return v.get<double>();
}

}  // namespace

Tolerance Tolerance::exactly(nlohmann::json value)
{
    Tolerance t;
    t.m_exact = std::move(value);
    return t;
}

Tolerance Tolerance::between(std::optional<double> min, std::optional<double> max)
{
    Tolerance t;
    t.m_min = min;
    t.m_max = max;
    return t;
}

std::optional<Tolerance> Tolerance::parse(const nlohmann::json& value, const std::string& path,
                                          std::vector<std::string>& problems)
{
    if (value.is_boolean() || value.is_number() || value.is_string())
        return exactly(value);
    if (value.is_array()) {
        if (value.size() == 2 && value[0].is_number() && value[1].is_number() &&
            value[0].get<double>() <= value[1].get<double>())
            return between(value[0].get<double>(), value[1].get<double>());
        problems.push_back(path + ": a range is [min, max] with min <= max, got " + value.dump());
        return std::nullopt;
    }
    if (value.is_object()) {
        const auto before = problems.size();
        for (const auto& [key, _] : value.items())
            if (key != "min" && key != "max")
                problems.push_back(path + ": unknown key '" + key + "' (a range has 'min' and/or 'max')");
        const auto min = bound(value, "min", path, problems);
        const auto max = bound(value, "max", path, problems);
        if (!value.contains("min") && !value.contains("max"))
            problems.push_back(path + ": a range needs 'min', 'max' or both");
        if (min && max && *min > *max)
            problems.push_back(path + ": min " + number(*min) + " is above max " + number(*max));
        if (problems.size() != before)
            return std::nullopt;
        return between(min, max);
    }
    problems.push_back(path + ": must be a value (true, 0, \"primary\"), a range [min, max], or "
                              "{\"min\": x, \"max\": y}; got " + value.dump());
    return std::nullopt;
}

bool Tolerance::accepts(const nlohmann::json& value) const
{
    if (m_exact) {
        // 1 and 1.0 are the same figure; JSON's integer/float split is not a difference.
        if (m_exact->is_number() && value.is_number())
            return m_exact->get<double>() == value.get<double>();
        return *m_exact == value;
    }
    if (!value.is_number())
        return false;  // null (unknown) or a non-number never lies in a range
    const double v = value.get<double>();
    return (!m_min || v >= *m_min) && (!m_max || v <= *m_max);
}

std::string Tolerance::describe() const
{
    if (m_exact)
        return m_exact->dump();
    if (m_min && m_max)
        return "between " + number(*m_min) + " and " + number(*m_max);
    if (m_max)
        return "at most " + number(*m_max);
    return "at least " + number(*m_min);
}

nlohmann::json Tolerance::toJson() const
{
    if (m_exact)
        return *m_exact;
    nlohmann::json range = nlohmann::json::object();
    if (m_min)
        range["min"] = *m_min;
    if (m_max)
        range["max"] = *m_max;
    return range;
}

}  // namespace pulse

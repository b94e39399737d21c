#include "drills/BuiltinDrills.hpp"

#include "common/EditDistance.hpp"
#include "common/Errors.hpp"
#include "drills/DrillParser.hpp"

namespace pulse {

const std::vector<BuiltinDrillText>& BuiltinDrills::texts()
{
    return detail::builtinDrillTexts();
}

std::vector<std::string> BuiltinDrills::names()
{
    std::vector<std::string> out;
    for (const auto& t : texts())
        out.emplace_back(t.name);
    return out;
}

const BuiltinDrillText* BuiltinDrills::find(std::string_view name)
{
    for (const auto& t : texts())
        if (t.name == name)
            return &t;
    return nullptr;
}

Drill BuiltinDrills::load(std::string_view name, const std::vector<std::string>& nodes)
{
    const BuiltinDrillText* text = find(name);
    if (!text) {
        std::vector<std::string_view> known;
        for (const auto& t : texts())
            known.push_back(t.name);
        const std::string_view close = closestName(name, known);
        throw InvalidParameterError("no built-in drill '" + std::string(name) + "'" +
                                    (close.empty() ? "" : "; did you mean '" + std::string(close) + "'?") +
                                    " `pulsectl drill list` shows them all; a drill of your own runs with --file");
    }
    return DrillParser::parse(std::string(text->json), "built-in " + std::string(name), nodes);
}

}  // namespace pulse

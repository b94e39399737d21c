#include "drills/Drill.hpp"

#include "drills/ActivityCatalog.hpp"

namespace pulse {

std::vector<std::string> Drill::destructiveSteps() const
{
    std::vector<std::string> steps;
    const auto check = [&steps](const DrillActivity& a) {
        if (const auto* spec = ActivityCatalog::find(a.func); spec && spec->destructive)
            steps.push_back(a.name);
    };
    for (const auto& a : method)
        check(a);
    for (const auto& r : rollbacks)
        check(r.activity);
    return steps;
}

bool Drill::destructive() const
{
    return !destructiveSteps().empty();
}

}  // namespace pulse

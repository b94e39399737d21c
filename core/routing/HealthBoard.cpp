#include "routing/HealthBoard.hpp"

namespace pulse {

HealthBoard::HealthBoard(const std::vector<std::string>& nodes, BreakerConfig breaker, LagLimits limits)
{
    for (const auto& name : nodes)
        m_nodes.push_back(std::make_unique<NodeHealth>(name, breaker, limits));
}

NodeHealth* HealthBoard::find(std::string_view name)
{
    for (auto& node : m_nodes)
        if (node->name == name)
            return node.get();
    return nullptr;
}

const NodeHealth* HealthBoard::find(std::string_view name) const
{
    return const_cast<HealthBoard*>(this)->find(name);
}

std::vector<const NodeHealth*> HealthBoard::all() const
{
    std::vector<const NodeHealth*> out;
    for (const auto& node : m_nodes)
        out.push_back(node.get());
    return out;
}

}  // namespace pulse

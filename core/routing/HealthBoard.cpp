#include "routing/HealthBoard.hpp"

namespace pulse {

HealthBoard::HealthBoard(const std::vector<std::string>& nodes, BreakerConfig breaker, LagLimits limits)
    : m_lagLimits(limits)
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

bool HealthBoard::reset(std::string_view name)
{
    NodeHealth* node = find(name);
    if (!node)
        return false;
    // Position first: a read-your-writes check must never trust the old
    // server's replay position for the new one, even for a moment.
    node->replayLsn.store(0, std::memory_order_release);
    node->lagBytes.store(-1, std::memory_order_relaxed);
    node->lagGate.reset();
    node->breaker.reset();
    return true;
}

void HealthBoard::setLagLimits(LagLimits limits)
{
    std::lock_guard lock(m_limitsMutex);
    m_lagLimits = limits;
    for (auto& node : m_nodes)
        node->lagGate.setLimits(limits);
}

LagLimits HealthBoard::lagLimits() const
{
    std::lock_guard lock(m_limitsMutex);
    return m_lagLimits;
}

std::vector<const NodeHealth*> HealthBoard::all() const
{
    std::vector<const NodeHealth*> out;
    for (const auto& node : m_nodes)
        out.push_back(node.get());
    return out;
}

}  // namespace pulse

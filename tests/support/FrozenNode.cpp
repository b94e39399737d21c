#include "FrozenNode.hpp"

#include "topology/Postmaster.hpp"

FrozenNode::FrozenNode(const std::filesystem::path& dataDir)
    : m_pids(pulse::freezeServer(dataDir))
{ }

FrozenNode::~FrozenNode()
{
    pulse::continueProcesses(m_pids);
}

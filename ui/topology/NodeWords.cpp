#include "topology/NodeWords.hpp"

#include "health/LagFormat.hpp"

namespace pulse::ui {

Light nodeStateLight(const NodeStatus& node)
{
    if (!node.configured)
        return Light::Grey;
    return node.reachable ? Light::Green : Light::Red;
}

QString nodeStateText(const NodeStatus& node)
{
    if (!node.configured)
        return QStringLiteral("not configured");
    return node.reachable ? QStringLiteral("up") : QStringLiteral("unreachable");
}

bool isReplicaNode(const NodeStatus& node)
{
    return node.isReplica();
}

QString nodeLagText(const NodeStatus& node)
{
    if (!node.replication)
        return QStringLiteral("\u2014");
    const auto& a = *node.replication;
    // The same spelling as the CLI, the decision log and alert messages.
    QString text = (a.lagSeconds ? toQString(formatLagSeconds(*a.lagSeconds)) : QStringLiteral("? s")) +
                   QStringLiteral(" / ") + (a.lagBytes ? toQString(formatLagBytes(*a.lagBytes)) : QStringLiteral("? B"));
    if (a.state != ReplicaState::CaughtUp && a.state != ReplicaState::Lagging)
        text += QStringLiteral(" · ") + toQString(replicaStateName(a.state));
    if (!node.lagAdmitted)
        text += QStringLiteral(" · reads on primary");
    return text;
}

Light nodeLagLight(const NodeStatus& node)
{
    if (!node.replication)
        return Light::Grey;
    switch (node.replication->state) {
    case ReplicaState::Down:
    case ReplicaState::Disconnected:
        return Light::Red;
    case ReplicaState::ReplayPaused:
    case ReplicaState::ReplayStalled:
        return Light::Amber;
    default:
        return node.lagAdmitted ? Light::Green : Light::Amber;
    }
}

bool walReceiverTroubled(const NodeStatus& node)
{
    return isReplicaNode(node) && node.configured && node.reachable && node.walReceiverStatus != "streaming";
}

bool roleUnexpected(const NodeStatus& node)
{
    return node.configured && node.reachable && node.role != (node.isReplica() ? "replica" : "primary");
}

}  // namespace pulse::ui

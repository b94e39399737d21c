#pragma once
// How one node's state reads, the same in the node table and the node cards:
// the words, and the traffic light that goes with them.

#include "Formatting.hpp"

#include "engine/NodeStatus.hpp"

#include <QString>

namespace pulse::ui {

QString nodeStateText(const NodeStatus& node);  // "up", "unreachable", "not configured"
Light nodeStateLight(const NodeStatus& node);
bool isReplicaNode(const NodeStatus& node);
// "1.3 s / 21.4 MB"; unknown parts are "?", never 0 (a disconnected replica is
// not caught up), and the replica's state is named when it is not plain
// streaming. An em dash for a node without replication.
QString nodeLagText(const NodeStatus& node);
Light nodeLagLight(const NodeStatus& node);
// A replica that is reachable but does not stream is not following the primary.
bool walReceiverTroubled(const NodeStatus& node);
// The node answers, but not in the role its name promises (promoted replica,
// primary in recovery).
bool roleUnexpected(const NodeStatus& node);

}  // namespace pulse::ui

#include "topology/NodeTableModel.hpp"

#include "topology/NodeWords.hpp"

#include "Formatting.hpp"

#include "health/LagFormat.hpp"

#include <QBrush>

namespace pulse::ui {
namespace {

const QString kNone = QStringLiteral("\u2014"); // an em dash: "nothing to show", not an empty cell

} // namespace

NodeTableModel::NodeTableModel(QObject* parent)
    : QAbstractTableModel(parent)
{
    for (const Light light : {Light::Green, Light::Amber, Light::Red, Light::Grey})
        m_dots[static_cast<size_t>(light)] = lightDot(light);
}

int NodeTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int NodeTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

int NodeTableModel::rowOf(const QString& nodeName) const
{
    for (size_t i = 0; i < m_rows.size(); ++i)
        if (toQString(m_rows[i].node.name) == nodeName)
            return static_cast<int>(i);
    return -1;
}

void NodeTableModel::resetData(const TopologyStatus& status)
{
    std::vector<Row> rows;
    rows.reserve(status.nodes.size());
    for (const NodeStatus& node : status.nodes) {
        Row row {node, std::nullopt};
        if (const PoolStats* pool = status.pool(node.name))
            row.pool = *pool;
        rows.push_back(std::move(row));
    }

    bool sameShape = rows.size() == m_rows.size();
    for (size_t i = 0; sameShape && i < rows.size(); ++i)
        sameShape = rows[i].node.name == m_rows[i].node.name;

    if (sameShape) {
        m_rows = std::move(rows);
        if (!m_rows.empty())
            Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
        return;
    }
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
}

QVariant NodeTableModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row& row = m_rows[static_cast<size_t>(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        return display(row, index.column());
    case Qt::ToolTipRole:
        return toolTip(row, index.column());
    case Qt::DecorationRole:
        return decoration(row, index.column());
    case Qt::ForegroundRole:
        return foreground(row, index.column());
    case Qt::TextAlignmentRole:
        if (index.column() == RoundTripColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    default:
        return {};
    }
}

QVariant NodeTableModel::display(const Row& row, int column) const
{
    const NodeStatus& node = row.node;
    const bool up = node.configured && node.reachable;
    switch (column) {
    case NodeColumn:
        return toQString(node.name);
    case RoleColumn:
        if (!node.configured)
            return kNone;
        return up ? toQString(node.role) : QStringLiteral("unknown");
    case StateColumn:
        return nodeStateText(node);
    case EndpointColumn:
        return node.endpoint.empty() ? kNone : toQString(node.endpoint);
    case VersionColumn:
        return up ? shortServerVersion(node.serverVersion) : kNone;
    case WalReceiverColumn:
        if (!up || !isReplicaNode(node))
            return kNone;
        return node.walReceiverStatus.empty() ? QStringLiteral("none") : toQString(node.walReceiverStatus);
    case LagColumn:
        return nodeLagText(node);
    case RoundTripColumn:
        return up ? formatMilliseconds(node.roundTripMs) : kNone;
    case PoolColumn:
        return row.pool ? formatPool(*row.pool) : kNone;
    case ErrorColumn:
        return conciseError(toQString(node.error));
    default:
        return {};
    }
}

QVariant NodeTableModel::toolTip(const Row& row, int column) const
{
    const NodeStatus& node = row.node;
    switch (column) {
    case RoleColumn:
        if (roleUnexpected(node))
            return node.inRecovery ? QStringLiteral("In recovery (read-only): pg_is_in_recovery() is true")
                                   : QStringLiteral("Not in recovery: this node accepts writes on its own");
        return {};
    case StateColumn:
        if (!node.configured)
            return QStringLiteral("No replica configured (POSTGRES_REPLICA_HOST is empty): every query goes to "
                                  "the primary");
        return node.reachable ? QStringLiteral("The probe connected and answered")
                              : QStringLiteral("The probe could not connect: %1").arg(toQString(node.error));
    case VersionColumn:
        return node.serverVersion.empty() ? QVariant() : QVariant(toQString(node.serverVersion));
    case WalReceiverColumn:
        if (walReceiverTroubled(node))
            return QStringLiteral("pg_stat_wal_receiver shows no streaming receiver: the replica is not "
                                  "receiving WAL from the primary");
        return isReplicaNode(node) ? QStringLiteral("pg_stat_wal_receiver.status on the replica") : QVariant();
    case LagColumn:
        if (!node.replication)
            return {};
        return toQString(node.replication->detail + (node.lagReason.empty() ? "" : "\n" + node.lagReason));
    case RoundTripColumn:
        return QStringLiteral("Round trip of the monitor's probe query, in milliseconds");
    case PoolColumn:
        if (!row.pool)
            return {};
        return QStringLiteral("Checked out / capacity (pool_size %1 + max_overflow %2)\n%3\n"
                              "checkouts %4, pool timeouts %5, connection errors %6")
            .arg(row.pool->size)
            .arg(row.pool->maxOverflow)
            .arg(toQString(row.pool->statusLine()))
            .arg(row.pool->checkouts)
            .arg(row.pool->timeouts)
            .arg(row.pool->connectionErrors);
    case ErrorColumn:
        return node.error.empty() ? QVariant() : QVariant(toQString(node.error));
    default:
        return {};
    }
}

QVariant NodeTableModel::decoration(const Row& row, int column) const
{
    const NodeStatus& node = row.node;
    switch (column) {
    case StateColumn:
        return m_dots[static_cast<size_t>(nodeStateLight(node))];
    case WalReceiverColumn:
        if (!isReplicaNode(node) || !node.configured || !node.reachable)
            return {};
        return m_dots[static_cast<size_t>(walReceiverTroubled(node) ? Light::Amber : Light::Green)];
    case LagColumn:
        return node.replication ? QVariant(m_dots[static_cast<size_t>(nodeLagLight(node))]) : QVariant();
    default:
        return {};
    }
}

QVariant NodeTableModel::foreground(const Row& row, int column) const
{
    const NodeStatus& node = row.node;
    switch (column) {
    case RoleColumn:
        if (roleUnexpected(node))
            return QBrush(lightColor(Light::Amber));
        if (!node.configured || !node.reachable)
            return QBrush(lightColor(Light::Grey));
        return {};
    case WalReceiverColumn:
        return walReceiverTroubled(node) ? QVariant(QBrush(lightColor(Light::Amber))) : QVariant();
    case PoolColumn:
        if (row.pool && (row.pool->waiters > 0 || row.pool->utilisationPercent >= 90))
            return QBrush(lightColor(Light::Amber));
        return {};
    case ErrorColumn:
        return QBrush(lightColor(Light::Red));
    default:
        return {};
    }
}

QVariant NodeTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case NodeColumn:
            return QStringLiteral("Node");
        case RoleColumn:
            return QStringLiteral("Role");
        case StateColumn:
            return QStringLiteral("State");
        case EndpointColumn:
            return QStringLiteral("Endpoint");
        case VersionColumn:
            return QStringLiteral("Server version");
        case WalReceiverColumn:
            return QStringLiteral("WAL receiver");
        case LagColumn:
            return QStringLiteral("Replication lag");
        case RoundTripColumn:
            return QStringLiteral("Round trip (ms)");
        case PoolColumn:
            return QStringLiteral("Pool in use / max");
        case ErrorColumn:
            return QStringLiteral("Error");
        default:
            return {};
        }
    }
    if (role == Qt::TextAlignmentRole && section == RoundTripColumn)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case RoleColumn:
            return QStringLiteral("What the server says it is (pg_is_in_recovery)");
        case PoolColumn:
            return QStringLiteral("Connections checked out / pool capacity (utilisation), callers waiting");
        case LagColumn:
            return QStringLiteral("WAL not yet replayed: age in seconds / size in bytes (0 only when nothing is "
                                  "left to replay; ? when unknown)");
        default:
            return {};
        }
    }
    return {};
}

} // namespace pulse::ui

#include "panels/PoolTableModel.hpp"

#include "Formatting.hpp"

#include <QBrush>

#include <cmath>

namespace pulse::ui {

PoolTableModel::PoolTableModel(QObject* parent)
    : QAbstractTableModel(parent)
{ }

int PoolTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int PoolTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

int PoolTableModel::rowOf(const QString& poolName) const
{
    for (size_t i = 0; i < m_rows.size(); ++i)
        if (toQString(m_rows[i].name) == poolName)
            return static_cast<int>(i);
    return -1;
}

void PoolTableModel::resetData(const TopologyStatus& status)
{
    resetPools(status.pools);
}

void PoolTableModel::resetPools(const std::vector<PoolStats>& pools)
{
    bool sameShape = pools.size() == m_rows.size();
    for (size_t i = 0; sameShape && i < pools.size(); ++i)
        sameShape = pools[i].name == m_rows[i].name;

    if (sameShape) {
        m_rows = pools;
        if (!m_rows.empty())
            Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
        return;
    }
    beginResetModel();
    m_rows = pools;
    endResetModel();
}

QVariant PoolTableModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const PoolStats& pool = m_rows[static_cast<size_t>(index.row())];
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        return display(pool, column);
    case UtilisationRole:
        return column == UtilisationColumn ? QVariant(pool.utilisationPercent) : QVariant();
    case Qt::ToolTipRole:
        return toolTip(pool, column);
    case Qt::TextAlignmentRole:
        if (column != PoolColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::ForegroundRole:
        if ((column == WaitersColumn && pool.waiters > 0) || (column == TimeoutsColumn && pool.timeouts > 0))
            return QBrush(lightColor(Light::Amber));
        return {};
    default:
        return {};
    }
}

QVariant PoolTableModel::display(const PoolStats& pool, int column) const
{
    switch (column) {
    case PoolColumn:
        return toQString(pool.name);
    case SizeColumn:
        return pool.size;
    case MaxOverflowColumn:
        return pool.maxOverflow;
    case OpenColumn:
        return pool.open;
    case IdleColumn:
        return pool.idle;
    case InUseColumn:
        return pool.checkedOut;
    case OverflowColumn:
        return pool.overflowInUse;
    case WaitersColumn:
        return pool.waiters;
    case TimeoutsColumn:
        return static_cast<qulonglong>(pool.timeouts);
    case RecycledColumn:
        return static_cast<qulonglong>(pool.recycled);
    case UtilisationColumn:
        return QStringLiteral("%1%").arg(std::lround(pool.utilisationPercent));
    default:
        return {};
    }
}

QVariant PoolTableModel::toolTip(const PoolStats& pool, int column) const
{
    switch (column) {
    case PoolColumn:
        return toQString(pool.statusLine());
    case OverflowColumn:
        return QStringLiteral("Open connections beyond pool_size (at most max_overflow %1); "
                              "%2 overflow connections closed on return so far")
            .arg(pool.maxOverflow)
            .arg(pool.overflowClosed);
    case TimeoutsColumn:
        return QStringLiteral("Callers that waited pool_timeout and got no connection");
    case RecycledColumn:
        return QStringLiteral("Connections replaced at checkout for age (pool_recycle); "
                              "%1 discarded as broken")
            .arg(pool.discarded);
    case UtilisationColumn:
        return QStringLiteral("%1 checked out of %2 (pool_size %3 + max_overflow %4)\n"
                              "checkouts %5, connection errors %6")
            .arg(pool.checkedOut)
            .arg(pool.capacity())
            .arg(pool.size)
            .arg(pool.maxOverflow)
            .arg(pool.checkouts)
            .arg(pool.connectionErrors);
    default:
        return {};
    }
}

QVariant PoolTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case PoolColumn:
            return QStringLiteral("Pool");
        case SizeColumn:
            return QStringLiteral("Size");
        case MaxOverflowColumn:
            return QStringLiteral("Max overflow");
        case OpenColumn:
            return QStringLiteral("Open");
        case IdleColumn:
            return QStringLiteral("Idle");
        case InUseColumn:
            return QStringLiteral("In use");
        case OverflowColumn:
            return QStringLiteral("Overflow");
        case WaitersColumn:
            return QStringLiteral("Waiters");
        case TimeoutsColumn:
            return QStringLiteral("Timeouts");
        case RecycledColumn:
            return QStringLiteral("Recycled");
        case UtilisationColumn:
            return QStringLiteral("Utilisation");
        default:
            return {};
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case SizeColumn:
            return QStringLiteral("pool_size: connections kept open");
        case MaxOverflowColumn:
            return QStringLiteral("max_overflow: extra connections allowed under load");
        case InUseColumn:
            return QStringLiteral("Connections checked out by callers now");
        case OverflowColumn:
            return QStringLiteral("Open connections beyond pool_size now");
        case WaitersColumn:
            return QStringLiteral("Callers blocked waiting for a connection now");
        case TimeoutsColumn:
            return QStringLiteral("pool_timeout reached, since start");
        case RecycledColumn:
            return QStringLiteral("Replaced for age (pool_recycle), since start");
        case UtilisationColumn:
            return QStringLiteral("In use / (pool_size + max_overflow)");
        default:
            return {};
        }
    }
    return {};
}

} // namespace pulse::ui

#pragma once
// One row per connection pool (primary first, then the replicas): size,
// connections open, idle and in use, overflow, waiters, timeouts, recycles
// and utilisation. Reset from value snapshots (TopologyStatus::pools) on the
// UI thread; a snapshot with the same pools updates the cells in place, so
// selection and scroll position survive the refresh.
//
// Counts are numbers (DisplayRole int), so a sorting proxy sorts them as
// numbers; UtilisationColumn shows "6%" and gives the percentage as a double
// under UtilisationRole for UtilisationDelegate.

#include "engine/TopologyStatus.hpp"
#include "pool/PoolStats.hpp"

#include <QAbstractTableModel>

#include <vector>

namespace pulse::ui {

class PoolTableModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column {
        PoolColumn,
        SizeColumn,
        MaxOverflowColumn,
        OpenColumn,
        IdleColumn,
        InUseColumn,
        OverflowColumn,
        WaitersColumn,
        TimeoutsColumn,
        RecycledColumn,
        UtilisationColumn,
        ColumnCount
    };
    enum Role { UtilisationRole = Qt::UserRole + 1 };

    explicit PoolTableModel(QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Row of the pool with this name ("primary", "replica"), or -1.
    int rowOf(const QString& poolName) const;
    const PoolStats& poolAt(int row) const { return m_rows[static_cast<size_t>(row)]; }

public Q_SLOTS:
    void resetData(const pulse::TopologyStatus& status);
    void resetPools(const std::vector<pulse::PoolStats>& pools);

private:
    QVariant display(const PoolStats& pool, int column) const;
    QVariant toolTip(const PoolStats& pool, int column) const;

    std::vector<PoolStats> m_rows;
};

} // namespace pulse::ui

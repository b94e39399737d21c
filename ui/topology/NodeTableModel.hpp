#pragma once
// One row per node of a TopologyStatus (primary first, then the replica):
// what the probe saw plus the node's pool. Reset from value snapshots on the
// UI thread; a snapshot with the same nodes updates the cells in place, so
// selection and scroll position survive the refresh.

#include "engine/TopologyStatus.hpp"

#include <QAbstractTableModel>
#include <QIcon>

#include <array>
#include <optional>
#include <vector>

namespace pulse::ui {

class NodeTableModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column {
        NodeColumn,
        RoleColumn,
        StateColumn,
        EndpointColumn,
        VersionColumn,
        WalReceiverColumn,
        LagColumn,
        RoundTripColumn,
        PoolColumn,
        ErrorColumn,
        ColumnCount
    };

    explicit NodeTableModel(QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Row of the node with this name ("primary", "replica"), or -1.
    int rowOf(const QString& nodeName) const;

public Q_SLOTS:
    void resetData(const pulse::TopologyStatus& status);

private:
    struct Row {
        NodeStatus node;
        std::optional<PoolStats> pool;
    };

    QVariant display(const Row& row, int column) const;
    QVariant toolTip(const Row& row, int column) const;
    QVariant decoration(const Row& row, int column) const;
    QVariant foreground(const Row& row, int column) const;

    std::vector<Row> m_rows;
    std::array<QIcon, 4> m_dots; // by Light
};

} // namespace pulse::ui

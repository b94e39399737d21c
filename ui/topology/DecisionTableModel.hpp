#pragma once
// The newest routing decisions, newest first, bounded: once `capacity` rows
// are shown, the oldest leave at the bottom as new ones arrive at the top.
// Fed incrementally from the bridge (DecisionLog::since), on the UI thread.

#include "routing/RoutingDecision.hpp"

#include <QAbstractTableModel>
#include <QIcon>

#include <array>
#include <deque>
#include <vector>

namespace pulse::ui {

class DecisionTableModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column {
        TimeColumn,
        OperationColumn,
        ContextColumn,
        ProfileColumn,
        TargetColumn,
        OutcomeColumn,
        ReasonColumn,
        ColumnCount
    };
    static constexpr int kDefaultCapacity = 500;

    explicit DecisionTableModel(int capacity = kDefaultCapacity, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    int capacity() const { return m_capacity; }
    // Row 0 is the newest decision.
    const RoutingDecision& decisionAt(int row) const { return m_rows[static_cast<size_t>(row)]; }

public Q_SLOTS:
    // `decisions` oldest first, as DecisionLog returns them.
    void appendDecisions(const std::vector<pulse::RoutingDecision>& decisions);
    void resetData(const std::vector<pulse::RoutingDecision>& decisions);
    void clear();

private:
    const int m_capacity;
    std::deque<RoutingDecision> m_rows; // newest first
    std::array<QIcon, 4> m_dots; // by Light
};

} // namespace pulse::ui

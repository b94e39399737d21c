#pragma once
// The routing inspector: the recent decision log (time, operation, context,
// target, reason) with a filter, and counters per target and reason since
// the console started. Fed by EngineBridge::decisionsAppended.

#include "routing/RoutingDecision.hpp"

#include <QWidget>

#include <vector>

class QLabel;
class QLineEdit;
class QSortFilterProxyModel;

namespace pulse::ui {

class DecisionCountsModel;
class DecisionTableModel;
class PlaceholderTableView;

class RoutingInspector : public QWidget {
    Q_OBJECT

public:
    explicit RoutingInspector(QWidget* parent = nullptr);

    void appendDecisions(const std::vector<pulse::RoutingDecision>& decisions);
    DecisionTableModel& decisions() const { return *m_decisions; }
    DecisionCountsModel& counts() const { return *m_counts; }
    void setFilter(const QString& text);
    int visibleRows() const;  // after the filter

private:
    void updateTotals();

    DecisionTableModel* m_decisions;
    DecisionCountsModel* m_counts;
    QSortFilterProxyModel* m_filtered;
    QLineEdit* m_filter;
    QLabel* m_totals;
    PlaceholderTableView* m_table;
};

}  // namespace pulse::ui

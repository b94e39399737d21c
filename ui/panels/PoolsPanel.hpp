#pragma once
// The pools panel: one row per connection pool with its counters and a
// utilisation bar, from the snapshots the EngineBridge hands out (UI thread
// only, nothing here touches a pool).

#include <QWidget>

class QLabel;
class QTableView;

namespace pulse {
struct TopologyStatus;
}

namespace pulse::ui {

class EngineBridge;
class PoolTableModel;

class PoolsPanel : public QWidget {
    Q_OBJECT

public:
    explicit PoolsPanel(EngineBridge& bridge, QWidget* parent = nullptr);

    PoolTableModel* model() const { return m_model; }

private:
    void applyStatus(const TopologyStatus& status);

    PoolTableModel* m_model;
    QTableView* m_view = nullptr;
    QLabel* m_summary = nullptr;
};

} // namespace pulse::ui

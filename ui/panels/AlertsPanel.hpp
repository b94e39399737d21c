#pragma once
// The alerts panel: active alerts first, then the past ones, with severity
// (word, colour and icon), raise and clear times, and the values that raised
// them.
//
// Fed on the UI thread: the active alerts come with each snapshot from the
// EngineBridge; the past ones from AlertEngine::historySince(), a short
// locked copy of a bounded history (no network), read on the same tick.

#include <QWidget>

#include <cstdint>
#include <vector>

class QLabel;
class QTableView;

namespace pulse {
struct Alert;
struct TopologyStatus;
} // namespace pulse

namespace pulse::ui {

class AlertTableModel;
class EngineBridge;

class AlertsPanel : public QWidget {
    Q_OBJECT

public:
    explicit AlertsPanel(EngineBridge& bridge, QWidget* parent = nullptr);

    AlertTableModel* model() const { return m_model; }

private:
    void applyStatus(const TopologyStatus& status);
    void applyActive(const std::vector<Alert>& active);

    EngineBridge& m_bridge;
    AlertTableModel* m_model;
    QTableView* m_view = nullptr;
    QLabel* m_summary = nullptr;
    std::uint64_t m_historySequence = 0;
};

} // namespace pulse::ui

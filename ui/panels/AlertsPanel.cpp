#include "panels/AlertsPanel.hpp"

#include "Formatting.hpp"
#include "bridge/EngineBridge.hpp"
#include "panels/AlertTableModel.hpp"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace pulse::ui {

AlertsPanel::AlertsPanel(EngineBridge& bridge, QWidget* parent)
    : QWidget(parent)
    , m_bridge(bridge)
    , m_model(new AlertTableModel(AlertTableModel::kDefaultCapacity, this))
{
    setObjectName(QStringLiteral("alertsPanel"));

    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("alertsSummaryLabel"));
    m_summary->setTextFormat(Qt::PlainText);

    auto* clearPast = new QPushButton(QStringLiteral("Clear past"), this);
    clearPast->setObjectName(QStringLiteral("alertsClearPastButton"));
    clearPast->setToolTip(QStringLiteral("Remove the cleared alerts from this list (the engine keeps its history)"));
    connect(clearPast, &QPushButton::clicked, m_model, &AlertTableModel::clearPast);

    auto* bar = new QHBoxLayout;
    bar->addWidget(m_summary, 1);
    bar->addWidget(clearPast);

    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("alertTable"));
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_view, 1);

    connect(&bridge, &EngineBridge::statusChanged, this, &AlertsPanel::applyStatus);
    // What happened before the panel existed: the whole kept history.
    if (const auto& status = bridge.lastStatus())
        applyStatus(*status);
    else
        applyActive(bridge.engine().alerts().active());
}

void AlertsPanel::applyStatus(const TopologyStatus& status)
{
    applyActive(status.alerts);
}

void AlertsPanel::applyActive(const std::vector<Alert>& active)
{
    // A locked copy of the events since the last look (bounded history, no I/O).
    auto events = m_bridge.engine().alerts().historySince(m_historySequence, &m_historySequence);
    m_model->update(active, events);

    int critical = 0;
    int warning = 0;
    for (int row = 0; row < m_model->activeCount(); ++row)
        (m_model->alertAt(row).severity == AlertSeverity::Critical ? critical : warning) += 1;
    if (critical + warning == 0) {
        m_summary->setText(QStringLiteral("No active alerts"));
        m_summary->setStyleSheet({});
        return;
    }
    m_summary->setText(
        QStringLiteral("%1 active: %2 critical, %3 warning").arg(critical + warning).arg(critical).arg(warning));
    m_summary->setStyleSheet(QStringLiteral("color: %1; font-weight: bold;")
                                 .arg(lightColor(critical > 0 ? Light::Red : Light::Amber).name()));
}

} // namespace pulse::ui

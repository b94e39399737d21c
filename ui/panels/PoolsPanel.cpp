#include "panels/PoolsPanel.hpp"

#include "Formatting.hpp"
#include "bridge/EngineBridge.hpp"
#include "panels/PoolTableModel.hpp"
#include "panels/UtilisationDelegate.hpp"

#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>

namespace pulse::ui {

PoolsPanel::PoolsPanel(EngineBridge& bridge, QWidget* parent)
    : QWidget(parent)
    , m_model(new PoolTableModel(this))
{
    setObjectName(QStringLiteral("poolsPanel"));

    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("poolsSummaryLabel"));
    m_summary->setText(QStringLiteral("Waiting for the first snapshot\u2026"));

    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("poolTable"));
    m_view->setModel(m_model);
    m_view->setItemDelegateForColumn(PoolTableModel::UtilisationColumn,
        new UtilisationDelegate(bridge.engine().settings().alertPoolUtilisationPercent, m_view));
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_summary);
    layout->addWidget(m_view, 1);

    connect(&bridge, &EngineBridge::statusChanged, this, &PoolsPanel::applyStatus);
    if (const auto& status = bridge.lastStatus())
        applyStatus(*status);
}

void PoolsPanel::applyStatus(const TopologyStatus& status)
{
    m_model->resetData(status);
    int waiting = 0;
    for (const PoolStats& pool : status.pools)
        waiting += pool.waiters;
    QString text = QStringLiteral("%1 pools, as of %2").arg(status.pools.size()).arg(formatClock(status.time));
    if (waiting > 0)
        text += QStringLiteral(" \u2014 %1 callers waiting for a connection").arg(waiting);
    m_summary->setText(text);
}

} // namespace pulse::ui

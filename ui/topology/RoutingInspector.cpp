#include "topology/RoutingInspector.hpp"

#include "main/PlaceholderTableView.hpp"
#include "topology/DecisionCountsModel.hpp"
#include "topology/DecisionTableModel.hpp"

#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace pulse::ui {

RoutingInspector::RoutingInspector(QWidget* parent)
    : QWidget(parent), m_decisions(new DecisionTableModel(DecisionTableModel::kDefaultCapacity, this)),
      m_counts(new DecisionCountsModel(this)), m_filtered(new QSortFilterProxyModel(this)),
      m_filter(new QLineEdit(this)), m_totals(new QLabel(this)), m_table(new PlaceholderTableView(this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    m_filter->setObjectName(QStringLiteral("decisionFilter"));
    m_filter->setPlaceholderText(QStringLiteral("Filter decisions (operation, context, target, reason)"));
    m_filter->setClearButtonEnabled(true);
    layout->addWidget(m_filter);

    m_filtered->setSourceModel(m_decisions);
    m_filtered->setFilterKeyColumn(-1);
    m_filtered->setFilterCaseSensitivity(Qt::CaseInsensitive);
    connect(m_filter, &QLineEdit::textChanged, m_filtered, &QSortFilterProxyModel::setFilterFixedString);

    auto* split = new QSplitter(Qt::Horizontal, this);
    m_table->setObjectName(QStringLiteral("decisionTable"));
    m_table->setModel(m_filtered);
    m_table->setPlaceholderText(
        QStringLiteral("No routing decisions yet.\nEvery session this console opens (test reads, workloads, "
                       "drills) appears here with its target and the reason."));
    m_table->verticalHeader()->hide();
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setAlternatingRowColors(true);
    // Fixed widths from the font (ResizeToContents would measure every row
    // of a 1000-row table on each insert); the reason takes the rest.
    QHeaderView* header = m_table->horizontalHeader();
    const QFontMetrics metrics = m_table->fontMetrics();
    const auto width = [&metrics](const QString& sample) { return metrics.horizontalAdvance(sample) + 28; };
    header->resizeSection(DecisionTableModel::TimeColumn, width(QStringLiteral("00:00:00.000")));
    header->resizeSection(DecisionTableModel::OperationColumn, width(QStringLiteral("admin_configuration")));
    header->resizeSection(DecisionTableModel::ContextColumn, width(QStringLiteral("dashboard")));
    header->resizeSection(DecisionTableModel::ProfileColumn, width(QStringLiteral("analytics")));
    header->resizeSection(DecisionTableModel::TargetColumn, width(QStringLiteral("primary")));
    header->resizeSection(DecisionTableModel::OutcomeColumn, width(QStringLiteral("fell back")) + 20);
    header->setStretchLastSection(true);
    split->addWidget(m_table);

    auto* counts = new QTableView(this);
    counts->setObjectName(QStringLiteral("decisionCountsTable"));
    counts->setModel(m_counts);
    counts->verticalHeader()->hide();
    counts->horizontalHeader()->setStretchLastSection(false);
    counts->horizontalHeader()->setSectionResizeMode(DecisionCountsModel::ReasonColumn, QHeaderView::Stretch);
    split->addWidget(counts);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    layout->addWidget(split, 1);

    m_totals->setObjectName(QStringLiteral("decisionTotals"));
    layout->addWidget(m_totals);
    updateTotals();
}

void RoutingInspector::appendDecisions(const std::vector<pulse::RoutingDecision>& decisions)
{
    m_decisions->appendDecisions(decisions);
    m_counts->addDecisions(decisions);
    updateTotals();
}

void RoutingInspector::setFilter(const QString& text)
{
    m_filter->setText(text);
}

int RoutingInspector::visibleRows() const
{
    return m_filtered->rowCount();
}

void RoutingInspector::updateTotals()
{
    m_totals->setText(QStringLiteral("Since the console started: %1 sessions · %2 on the replica · %3 on the primary · "
                                     "%4 refused")
                          .arg(m_counts->total())
                          .arg(m_counts->count(QStringLiteral("replica")))
                          .arg(m_counts->count(QStringLiteral("primary")))
                          .arg(m_counts->count(QStringLiteral("error"))));
}

}  // namespace pulse::ui

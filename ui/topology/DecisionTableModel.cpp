#include "topology/DecisionTableModel.hpp"

#include "Formatting.hpp"

#include <QBrush>
#include <QDateTime>

#include <algorithm>

namespace pulse::ui {

DecisionTableModel::DecisionTableModel(int capacity, QObject* parent)
    : QAbstractTableModel(parent)
    , m_capacity(std::max(1, capacity))
{
    for (const Light light : {Light::Green, Light::Amber, Light::Red, Light::Grey})
        m_dots[static_cast<size_t>(light)] = lightDot(light);
}

int DecisionTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int DecisionTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

void DecisionTableModel::appendDecisions(const std::vector<RoutingDecision>& decisions)
{
    if (decisions.empty())
        return;
    // More than fit: only the newest `capacity` matter.
    const size_t incoming = std::min(decisions.size(), static_cast<size_t>(m_capacity));
    const auto first = decisions.end() - static_cast<std::ptrdiff_t>(incoming);

    // Make room first, so the model never holds more than `capacity` rows.
    const size_t overflow = m_rows.size() + incoming > static_cast<size_t>(m_capacity)
        ? m_rows.size() + incoming - static_cast<size_t>(m_capacity)
        : 0;
    if (overflow > 0) {
        const int last = rowCount() - 1;
        beginRemoveRows({}, last - static_cast<int>(overflow) + 1, last);
        m_rows.erase(m_rows.end() - static_cast<std::ptrdiff_t>(overflow), m_rows.end());
        endRemoveRows();
    }

    beginInsertRows({}, 0, static_cast<int>(incoming) - 1);
    for (auto it = first; it != decisions.end(); ++it)
        m_rows.push_front(*it); // oldest in first, so the newest ends on top
    endInsertRows();
}

void DecisionTableModel::resetData(const std::vector<RoutingDecision>& decisions)
{
    beginResetModel();
    m_rows.clear();
    const size_t keep = std::min(decisions.size(), static_cast<size_t>(m_capacity));
    for (auto it = decisions.end() - static_cast<std::ptrdiff_t>(keep); it != decisions.end(); ++it)
        m_rows.push_front(*it);
    endResetModel();
}

void DecisionTableModel::clear()
{
    resetData({});
}

QVariant DecisionTableModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const RoutingDecision& d = m_rows[static_cast<size_t>(index.row())];
    const int column = index.column();

    if (role == Qt::DisplayRole) {
        switch (column) {
        case TimeColumn:
            return formatClock(d.time, true);
        case OperationColumn:
            return toQString(d.operation);
        case ContextColumn:
            return toQString(d.context);
        case ProfileColumn:
            return toQString(d.profile);
        case TargetColumn:
            return toQString(d.targetLabel());
        case OutcomeColumn:
            return outcomeWord(d.outcome);
        case ReasonColumn:
            return conciseError(toQString(d.reason));
        default:
            return {};
        }
    }
    if (role == Qt::DecorationRole && column == OutcomeColumn)
        return m_dots[static_cast<size_t>(outcomeLight(d.outcome))];
    if (role == Qt::ForegroundRole && column == TargetColumn && d.outcome == RoutingDecision::Outcome::Refused)
        return QBrush(lightColor(Light::Red));
    if (role == Qt::ToolTipRole) {
        switch (column) {
        case TimeColumn: {
            const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d.time.time_since_epoch()).count();
            return QStringLiteral("%1, decision #%2")
                .arg(QDateTime::fromMSecsSinceEpoch(ms).toString(Qt::ISODateWithMs))
                .arg(d.sequence);
        }
        case ReasonColumn:
            return toQString(d.reason);
        default:
            return {};
        }
    }
    return {};
}

QVariant DecisionTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TimeColumn:
        return QStringLiteral("Time");
    case OperationColumn:
        return QStringLiteral("Operation");
    case ContextColumn:
        return QStringLiteral("Context");
    case ProfileColumn:
        return QStringLiteral("Profile");
    case TargetColumn:
        return QStringLiteral("Target");
    case OutcomeColumn:
        return QStringLiteral("Outcome");
    case ReasonColumn:
        return QStringLiteral("Reason");
    default:
        return {};
    }
}

} // namespace pulse::ui

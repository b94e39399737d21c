#include "topology/DecisionCountsModel.hpp"

#include "Formatting.hpp"

#include <algorithm>

namespace pulse::ui {
namespace {

const QString kOther = QStringLiteral("(other causes)");

}  // namespace

DecisionCountsModel::DecisionCountsModel(QObject* parent) : QAbstractTableModel(parent) {}

QString DecisionCountsModel::foldNumbers(const QString& reason)
{
    QString out;
    out.reserve(reason.size());
    for (const QChar c : reason) {
        if (c.isDigit()) {
            if (out.isEmpty() || out.back() != u'#')
                out += u'#';
        } else {
            out += c;
        }
    }
    return out;
}

int DecisionCountsModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int DecisionCountsModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant DecisionCountsModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row& row = m_rows[static_cast<size_t>(index.row())];
    if (role == Qt::TextAlignmentRole && index.column() == CountColumn)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case TargetColumn:
        return row.target;
    case OutcomeColumn:
        return row.outcome;
    case ReasonColumn:
        return row.reason;
    case CountColumn:
        return QVariant::fromValue<qulonglong>(row.count);
    default:
        return {};
    }
}

QVariant DecisionCountsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TargetColumn:
        return QStringLiteral("Target");
    case OutcomeColumn:
        return QStringLiteral("Outcome");
    case ReasonColumn:
        return QStringLiteral("Reason");
    case CountColumn:
        return QStringLiteral("Sessions");
    default:
        return {};
    }
}

void DecisionCountsModel::addDecisions(const std::vector<pulse::RoutingDecision>& decisions)
{
    if (decisions.empty())
        return;
    beginResetModel();
    for (const auto& d : decisions) {
        const QString target = toQString(d.targetLabel());
        const QString outcome = outcomeWord(d.outcome);
        const QString reason = foldNumbers(toQString(d.reason));
        auto it = std::find_if(m_rows.begin(), m_rows.end(), [&](const Row& r) {
            return r.target == target && r.outcome == outcome && r.reason == reason;
        });
        if (it == m_rows.end()) {
            // Past kMaxRows causes, a new one is counted in an "(other
            // causes)" row of its own target and outcome: the totals per
            // target stay right and no existing cause is renamed.
            const QString row = static_cast<int>(m_rows.size()) >= kMaxRows ? kOther : reason;
            it = std::find_if(m_rows.begin(), m_rows.end(), [&](const Row& r) {
                return r.target == target && r.outcome == outcome && r.reason == row;
            });
            if (it == m_rows.end()) {
                m_rows.push_back({target, outcome, row, 0});
                it = m_rows.end() - 1;
            }
        }
        ++it->count;
        ++m_total;
    }
    std::stable_sort(m_rows.begin(), m_rows.end(), [](const Row& a, const Row& b) { return a.count > b.count; });
    endResetModel();
}

void DecisionCountsModel::clear()
{
    beginResetModel();
    m_rows.clear();
    m_total = 0;
    endResetModel();
}

std::uint64_t DecisionCountsModel::count(const QString& target) const
{
    std::uint64_t n = 0;
    for (const Row& r : m_rows)
        if (r.target == target)
            n += r.count;
    return n;
}

}  // namespace pulse::ui

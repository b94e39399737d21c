#include "drills/DrillHistoryModel.hpp"

#include "Formatting.hpp"

#include <QBrush>

namespace pulse::ui {

using namespace Qt::StringLiterals;

namespace {

Light lightOf(const QString& status)
{
    if (status == u"completed")
        return Light::Green;
    if (status == u"failed")
        return Light::Red;
    if (status == u"aborted")
        return Light::Amber;
    return Light::Grey;
}

QString durationText(double seconds)
{
    if (seconds < 60)
        return QString::number(seconds, 'f', 1) + u" s"_s;
    const int whole = static_cast<int>(seconds);
    return QString::number(whole / 60) + u" min "_s + QString::number(whole % 60) + u" s"_s;
}

} // namespace

DrillHistoryModel::DrillHistoryModel(QObject* parent)
    : QAbstractTableModel(parent)
{
    for (const Light light : {Light::Green, Light::Amber, Light::Red, Light::Grey})
        m_dots[static_cast<size_t>(light)] = lightDot(light);
}

int DrillHistoryModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_entries.size());
}

int DrillHistoryModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

int DrillHistoryModel::rowOf(const QString& journalPath) const
{
    for (size_t i = 0; i < m_entries.size(); ++i) {
        if (m_entries[i].journalPath == journalPath)
            return static_cast<int>(i);
    }
    return -1;
}

void DrillHistoryModel::resetData(const std::vector<DrillHistoryEntry>& entries)
{
    beginResetModel();
    m_entries = entries;
    endResetModel();
}

QVariant DrillHistoryModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const DrillHistoryEntry& e = m_entries[static_cast<size_t>(index.row())];
    const int column = index.column();

    if (role == Qt::DisplayRole) {
        switch (column) {
        case TimeColumn:
            return e.start.toLocalTime().toString(u"yyyy-MM-dd HH:mm:ss"_s);
        case DrillColumn:
            return e.name;
        case VerdictColumn:
            return e.verdict;
        case DurationColumn:
            return durationText(e.durationSeconds);
        default:
            return {};
        }
    }
    if (role == Qt::DecorationRole && column == VerdictColumn)
        return m_dots[static_cast<size_t>(lightOf(e.status))];
    if (role == Qt::ForegroundRole && column == VerdictColumn)
        return QBrush(lightColor(lightOf(e.status)));
    if (role == Qt::ToolTipRole) {
        switch (column) {
        case DrillColumn:
            return e.title.isEmpty() ? e.name : e.title;
        case VerdictColumn:
            return e.verdict;
        default:
            return e.reportPath.isEmpty() ? e.journalPath : e.reportPath;
        }
    }
    if (role == Qt::TextAlignmentRole && column == DurationColumn)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant DrillHistoryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TimeColumn:
        return u"Time"_s;
    case DrillColumn:
        return u"Drill"_s;
    case VerdictColumn:
        return u"Verdict"_s;
    case DurationColumn:
        return u"Duration"_s;
    default:
        return {};
    }
}

} // namespace pulse::ui

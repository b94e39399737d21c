#include "etl/CriteriaTableModel.hpp"

#include "Formatting.hpp"

#include <QBrush>
#include <QFont>

namespace pulse::ui {

using namespace Qt::StringLiterals;

CriteriaTableModel::CriteriaTableModel(QObject* parent)
    : QAbstractTableModel(parent)
    , m_passDot(lightDot(Light::Green))
    , m_failDot(lightDot(Light::Red))
    , m_infoDot(lightDot(Light::Grey))
{ }

int CriteriaTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int CriteriaTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString CriteriaTableModel::resultText(const Criterion& c)
{
    if (c.informational)
        return c.pass ? u"info"_s : u"FAIL"_s;
    return c.pass ? u"PASS"_s : u"FAIL"_s;
}

void CriteriaTableModel::resetData(const std::vector<Criterion>& criteria)
{
    beginResetModel();
    m_rows = criteria;
    endResetModel();
}

void CriteriaTableModel::clear()
{
    resetData({});
}

QVariant CriteriaTableModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Criterion& c = m_rows[static_cast<size_t>(index.row())];
    const bool failed = !c.pass;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case CriterionColumn:
            return toQString(c.name);
        case MeasuredColumn:
            return toQString(c.measured);
        case TargetColumn:
            return toQString(c.target);
        case ResultColumn:
            return resultText(c);
        default:
            return {};
        }
    case Qt::ToolTipRole:
        if (index.column() == MeasuredColumn || index.column() == CriterionColumn)
            return toQString(index.column() == MeasuredColumn ? c.measured : c.name);
        return {};
    case Qt::DecorationRole:
        if (index.column() == ResultColumn)
            return failed ? m_failDot : (c.informational ? m_infoDot : m_passDot);
        return {};
    case Qt::ForegroundRole:
        if (index.column() == ResultColumn && failed)
            return QBrush(lightColor(Light::Red));
        return {};
    case Qt::FontRole:
        if (index.column() == ResultColumn && !c.informational) {
            QFont font;
            font.setBold(true);
            return font;
        }
        return {};
    default:
        return {};
    }
}

QVariant CriteriaTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case CriterionColumn:
        return u"CRITERION"_s;
    case MeasuredColumn:
        return u"MEASURED"_s;
    case TargetColumn:
        return u"TARGET"_s;
    case ResultColumn:
        return u"RESULT"_s;
    default:
        return {};
    }
}

} // namespace pulse::ui

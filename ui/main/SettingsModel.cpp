#include "main/SettingsModel.hpp"

#include "Formatting.hpp"

namespace pulse::ui {

SettingsModel::SettingsModel(const Settings& settings, QObject* parent)
    : QAbstractTableModel(parent), m_rows(settings.shown())
{
}

int SettingsModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int SettingsModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant SettingsModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Settings::Shown& row = m_rows[static_cast<size_t>(index.row())];
    if (role == Qt::ToolTipRole)
        return toQString(row.meaning);
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case GroupColumn:
        return toQString(row.group);
    case KeyColumn:
        return toQString(row.key);
    case ValueColumn:
        return toQString(row.value);  // masked by Settings::shown()
    case SourceColumn:
        return toQString(row.source);
    default:
        return {};
    }
}

QVariant SettingsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case GroupColumn:
        return QStringLiteral("Group");
    case KeyColumn:
        return QStringLiteral("Setting");
    case ValueColumn:
        return QStringLiteral("Value");
    case SourceColumn:
        return QStringLiteral("Source");
    default:
        return {};
    }
}

}  // namespace pulse::ui

#include "panels/AuditLogModel.hpp"

#include "panels/AuditLog.hpp"

namespace pulse::ui {

AuditLogModel::AuditLogModel(const AuditLog& log, QObject* parent)
    : QAbstractTableModel(parent)
{
    for (const AuditEntry& entry : log.entries())
        m_rows.push_front(entry);
    connect(&log, &AuditLog::recorded, this, &AuditLogModel::prepend);
}

QString AuditLogModel::onOff(bool value)
{
    return value ? QStringLiteral("on") : QStringLiteral("off");
}

QString AuditLogModel::valueText(const QVariant& value)
{
    if (value.typeId() == QMetaType::Bool)
        return onOff(value.toBool());
    return value.toString(); // 0.5, 3, 16777216
}

int AuditLogModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int AuditLogModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

void AuditLogModel::prepend(const AuditEntry& entry)
{
    beginInsertRows({}, 0, 0);
    m_rows.push_front(entry);
    endInsertRows();
    if (m_rows.size() > AuditLog::kMaxEntries) {  // as bounded as the log it shows
        const int last = static_cast<int>(m_rows.size()) - 1;
        beginRemoveRows({}, last, last);
        m_rows.pop_back();
        endRemoveRows();
    }
}

QVariant AuditLogModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const AuditEntry& e = m_rows[static_cast<size_t>(index.row())];
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case WhenColumn:
            return e.when.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
        case WhoColumn:
            return e.who;
        case FlagColumn:
            return e.flag;
        case FromColumn:
            return valueText(e.from);
        case ToColumn:
            return valueText(e.to);
        case SourceBeforeColumn:
            return e.sourceBefore;
        case ChangeColumn:
            return e.change;
        default:
            return {};
        }
    }
    if (role == Qt::ToolTipRole && index.column() == WhenColumn)
        return e.when.toString(Qt::ISODateWithMs);
    return {};
}

QVariant AuditLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case WhenColumn:
        return QStringLiteral("When");
    case WhoColumn:
        return QStringLiteral("Who");
    case FlagColumn:
        return QStringLiteral("Flag");
    case FromColumn:
        return QStringLiteral("From");
    case ToColumn:
        return QStringLiteral("To");
    case SourceBeforeColumn:
        return QStringLiteral("Source before");
    case ChangeColumn:
        return QStringLiteral("Change");
    default:
        return {};
    }
}

} // namespace pulse::ui

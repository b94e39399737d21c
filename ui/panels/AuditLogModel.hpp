#pragma once
// The audit log's entries for a table, newest first: when, who, flag or setting, from,
// to, the source of the old value and how it changed. Follows an AuditLog
// (UI thread).

#include "panels/AuditEntry.hpp"

#include <QAbstractTableModel>

#include <deque>

namespace pulse::ui {

class AuditLog;

class AuditLogModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column {
        WhenColumn,
        WhoColumn,
        FlagColumn,
        FromColumn,
        ToColumn,
        SourceBeforeColumn,
        ChangeColumn,
        ColumnCount
    };

    // Shows the entries `log` already holds, then each new one.
    explicit AuditLogModel(const AuditLog& log, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Row 0 is the newest entry.
    const AuditEntry& entryAt(int row) const { return m_rows[static_cast<size_t>(row)]; }

    // "on" / "off".
    static QString onOff(bool value);
    // An audit value as shown: "on" / "off" for a switch, the number for a limit.
    static QString valueText(const QVariant& value);

private Q_SLOTS:
    void prepend(const pulse::ui::AuditEntry& entry);

private:
    std::deque<AuditEntry> m_rows; // newest first
};

} // namespace pulse::ui

#pragma once
// The log records the panel shows, oldest first, bounded: once `capacity`
// rows are held, the oldest leave at the top as new ones arrive at the
// bottom. Fed on the UI thread from LogSink::drain().
//
// LevelRole gives the spdlog level as a number (trace 0 ... critical 5) on
// every column, for a QSortFilterProxyModel level filter.

#include "panels/LogRecord.hpp"

#include <QAbstractTableModel>
#include <QIcon>

#include <array>
#include <deque>
#include <vector>

namespace pulse::ui {

class LogTableModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column { TimeColumn, LevelColumn, LoggerColumn, ThreadColumn, MessageColumn, ColumnCount };
    enum Role { LevelRole = Qt::UserRole + 1 };
    static constexpr int kDefaultCapacity = 5000;

    explicit LogTableModel(int capacity = kDefaultCapacity, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    int capacity() const { return m_capacity; }
    const LogRecord& recordAt(int row) const { return m_rows[static_cast<size_t>(row)]; }

    // "trace", "debug", "info", "warning", "error", "critical".
    static QString levelWord(spdlog::level::level_enum level);

public Q_SLOTS:
    // `records` oldest first, as LogSink::drain() returns them.
    void appendRecords(std::vector<pulse::ui::LogRecord> records);
    void clear();

private:
    const int m_capacity;
    std::deque<LogRecord> m_rows; // oldest first
    std::array<QIcon, 3> m_dots; // info and below, warning, error and above
};

} // namespace pulse::ui

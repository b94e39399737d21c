#pragma once
// The history of drill runs, newest first: time, drill, verdict, duration.
// Reset on the UI thread from DrillController::history().

#include "drills/DrillHistory.hpp"

#include <QAbstractTableModel>
#include <QIcon>

#include <array>
#include <vector>

namespace pulse::ui {

class DrillHistoryModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column { TimeColumn, DrillColumn, VerdictColumn, DurationColumn, ColumnCount };

    explicit DrillHistoryModel(QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    const DrillHistoryEntry& entry(int row) const { return m_entries.at(static_cast<size_t>(row)); }
    // The row of a journal file; -1 when it is not listed.
    int rowOf(const QString& journalPath) const;

public Q_SLOTS:
    void resetData(const std::vector<pulse::ui::DrillHistoryEntry>& entries);

private:
    std::vector<DrillHistoryEntry> m_entries;
    std::array<QIcon, 4> m_dots;
};

} // namespace pulse::ui

#pragma once
// The interrupted ETL jobs the panel offers to resume, newest first, reset
// from the value list EtlController::jobsListed() hands out (UI thread only).

#include "etl/EtlJobRecord.hpp"

#include <QAbstractTableModel>
#include <QIcon>

#include <vector>

namespace pulse::ui {

class EtlJobTableModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column {
        JobColumn,
        StatusColumn,
        RowsColumn,
        ChunkColumn,
        ThrottleColumn,
        UpdatedColumn,
        ErrorColumn,
        ColumnCount
    };

    explicit EtlJobTableModel(QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    const EtlJobRecord& jobAt(int row) const { return m_jobs[static_cast<size_t>(row)]; }
    // -1 when job `id` is not listed.
    int rowOf(std::int64_t id) const;

    // "cancelled", "failed", or for a running/paused job nobody loads:
    // "interrupted (was running)".
    static QString statusText(const EtlJobRecord& job);

public Q_SLOTS:
    void resetData(const std::vector<pulse::EtlJobRecord>& jobs);
    void clear();

private:
    std::vector<EtlJobRecord> m_jobs;
    QIcon m_failedDot;
    QIcon m_interruptedDot;
};

} // namespace pulse::ui

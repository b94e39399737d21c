#pragma once
// The load test's success criteria as `pulsectl loadtest` prints them:
// CRITERION, MEASURED, TARGET, RESULT ("PASS", "FAIL", or "info" for a
// figure that is not judged). Reset from a report's value list, UI thread only.

#include "loadtest/LoadTestReport.hpp"

#include <QAbstractTableModel>
#include <QIcon>

#include <vector>

namespace pulse::ui {

class CriteriaTableModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column { CriterionColumn, MeasuredColumn, TargetColumn, ResultColumn, ColumnCount };

    explicit CriteriaTableModel(QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    const Criterion& criterionAt(int row) const { return m_rows[static_cast<size_t>(row)]; }
    // "PASS", "FAIL" or "info", as pulsectl prints the RESULT column.
    static QString resultText(const Criterion& criterion);

public Q_SLOTS:
    void resetData(const std::vector<pulse::Criterion>& criteria);
    void clear();

private:
    std::vector<Criterion> m_rows;
    QIcon m_passDot;
    QIcon m_failDot;
    QIcon m_infoDot;
};

} // namespace pulse::ui

#pragma once
// How many sessions went where and why, since the console started: one row
// per (target, outcome, reason), most frequent first. Reasons carry numbers
// ("replica lags 3.2 s > 2 s"); digits are folded to '#' so one cause is one
// row, not one row per measured value. Bounded: past kMaxRows causes, new
// ones are counted in an "(other causes)" row per target and outcome (so at
// most kMaxRows plus one such row for each of those).

#include "routing/RoutingDecision.hpp"

#include <QAbstractTableModel>

#include <cstdint>
#include <vector>

namespace pulse::ui {

class DecisionCountsModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column { TargetColumn, OutcomeColumn, ReasonColumn, CountColumn, ColumnCount };
    static constexpr int kMaxRows = 200;

    explicit DecisionCountsModel(QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void addDecisions(const std::vector<pulse::RoutingDecision>& decisions);
    void clear();
    std::uint64_t total() const { return m_total; }
    std::uint64_t count(const QString& target) const;  // sessions sent to `target` ("primary", "replica", "error")

    // "replica lags 3.2 s > 2 s" -> "replica lags #.# s > # s".
    static QString foldNumbers(const QString& reason);

private:
    struct Row {
        QString target;
        QString outcome;
        QString reason;
        std::uint64_t count = 0;
    };
    std::vector<Row> m_rows;  // most frequent first
    std::uint64_t m_total = 0;
};

}  // namespace pulse::ui

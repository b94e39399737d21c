#pragma once
// Active and past alerts, one row per alert: the active ones first (most
// severe first, as the engine orders them), then the cleared ones, most
// recently cleared first, bounded to `capacity` past rows.
//
// Fed on the UI thread from value copies: the active alerts of a
// TopologyStatus and the events of AlertEngine::historySince(). An alert the
// history already shows cleared is past even when an older snapshot still
// lists it as active.

#include "alerts/Alert.hpp"

#include <QAbstractTableModel>
#include <QIcon>

#include <cstdint>
#include <map>
#include <vector>

namespace pulse::ui {

class AlertTableModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column {
        StateColumn,
        SeverityColumn,
        RuleColumn,
        SubjectColumn,
        RaisedColumn,
        ClearedColumn,
        ValueColumn,
        ThresholdColumn,
        MessageColumn,
        ColumnCount
    };
    enum Role { SeverityRole = Qt::UserRole + 1, ActiveRole, AlertIdRole };
    static constexpr int kDefaultCapacity = 500;

    explicit AlertTableModel(int capacity = kDefaultCapacity, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    const Alert& alertAt(int row) const { return m_rows[static_cast<size_t>(row)]; }
    int activeCount() const { return m_activeCount; }
    // First row of an alert with this rule (and subject, when given), or -1.
    int rowOf(const QString& rule, const QString& subject = {}) const;

public Q_SLOTS:
    // `active`: the alerts active now (TopologyStatus::alerts); `events`: new
    // history events, oldest first (only the cleared ones add past rows).
    void update(const std::vector<pulse::Alert>& active, const std::vector<pulse::AlertEvent>& events);
    void clearPast();

private:
    void rebuild();

    const int m_capacity;
    std::vector<Alert> m_active; // as last given
    std::map<std::uint64_t, Alert> m_past; // cleared alerts by id
    std::vector<Alert> m_rows; // what the view sees
    int m_activeCount = 0;
    QIcon m_warningIcon;
    QIcon m_criticalIcon;
    QIcon m_clearedIcon;
};

} // namespace pulse::ui

#pragma once
// Every setting with its value (secrets masked by the core, never here) and
// where it came from: the connection dialog's table.

#include "config/Settings.hpp"

#include <QAbstractTableModel>

#include <vector>

namespace pulse::ui {

class SettingsModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column { GroupColumn, KeyColumn, ValueColumn, SourceColumn, ColumnCount };

    explicit SettingsModel(const Settings& settings, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<Settings::Shown> m_rows;
};

}  // namespace pulse::ui

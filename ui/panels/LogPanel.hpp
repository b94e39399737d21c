#pragma once
// The log panel: what the pulse loggers write, newest at the bottom, with a
// minimum-level filter.
//
// A timer on the UI thread drains the LogSink (which spdlog feeds from any
// thread) into a bounded LogTableModel; a QSortFilterProxyModel on the
// level hides the rows below the chosen level, and the loggers are asked to
// emit down to it (pulse::setExtraSinksLevel; stderr and the log file keep
// their level). Nothing here blocks.

#include <spdlog/common.h>

#include <QWidget>

#include <chrono>
#include <memory>

class QCheckBox;
class QComboBox;
class QLabel;
class QSortFilterProxyModel;
class QTableView;
class QTimer;

namespace pulse::ui {

class LogSink;
class LogTableModel;

class LogPanel : public QWidget {
    Q_OBJECT

public:
    static constexpr std::chrono::milliseconds kDrainInterval {200};

    explicit LogPanel(std::shared_ptr<LogSink> sink, QWidget* parent = nullptr);
    ~LogPanel() override;

    LogTableModel* model() const { return m_model; }
    QSortFilterProxyModel* filterModel() const { return m_filter; }
    spdlog::level::level_enum minimumLevel() const { return m_minimumLevel; }

public Q_SLOTS:
    // Rows below `level` are hidden (not removed: lowering it shows them again).
    void setMinimumLevel(spdlog::level::level_enum level);
    // Moves what the sink buffered into the model now (the timer does it every kDrainInterval).
    void drainNow();
    void clear();

private:
    std::shared_ptr<LogSink> m_sink;
    LogTableModel* m_model;
    QSortFilterProxyModel* m_filter;
    QTableView* m_view = nullptr;
    QComboBox* m_levelCombo = nullptr;
    QCheckBox* m_follow = nullptr;
    QLabel* m_dropped = nullptr;
    QTimer* m_timer = nullptr;
    spdlog::level::level_enum m_minimumLevel = spdlog::level::trace;
};

} // namespace pulse::ui

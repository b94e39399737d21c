#pragma once
// The ETL panel: a new load (rows, chunk size, throttle) with Start, Pause,
// Resume and Cancel; its progress ("N of M rows · X rows/s · ETA") and state
// (braking, retrying, failed with why); and the interrupted jobs, each of
// which can be resumed from its checkpoint.
//
// Everything it shows comes from its EtlController (value snapshots, UI
// thread only); nothing here waits on the network. The Engine must outlive
// the panel.

#include "etl/EtlProgress.hpp"

#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace pulse {
class Engine;
} // namespace pulse

namespace pulse::ui {

class EtlController;
class EtlJobTableModel;
class PlaceholderTableView;

class EtlPanel : public QWidget {
    Q_OBJECT

public:
    explicit EtlPanel(Engine& engine, QWidget* parent = nullptr);
    ~EtlPanel() override;

    EtlController& controller() const { return *m_controller; }
    EtlJobTableModel& jobModel() const { return *m_jobModel; }

    // Read-only: every action that changes something (start, pause, resume,
    // cancel, resume a job) is disabled; progress and the job list still show.
    void setReadOnly(bool readOnly);
    bool isReadOnly() const { return m_readOnly; }

    // What the panel shows now (for tests and the status bar).
    QString progressText() const;
    QString stateText() const;
    QString errorText() const;

private:
    QWidget* buildLoadSection();
    QWidget* buildJobsSection();
    void startClicked();
    void resumeJobClicked();
    void showProgress(const EtlProgress& progress);
    void showError(const QString& message);
    void updateActions();

    EtlController* m_controller;
    EtlJobTableModel* m_jobModel;
    bool m_readOnly = false;

    QSpinBox* m_rows = nullptr;
    QSpinBox* m_chunk = nullptr;
    QSpinBox* m_rate = nullptr;
    QPushButton* m_start = nullptr;
    QPushButton* m_pause = nullptr;
    QPushButton* m_unpause = nullptr;
    QPushButton* m_cancel = nullptr;
    QProgressBar* m_bar = nullptr;
    QLabel* m_state = nullptr;
    QLabel* m_error = nullptr;
    PlaceholderTableView* m_jobs = nullptr;
    QPushButton* m_refreshJobs = nullptr;
    QPushButton* m_resumeJob = nullptr;
};

} // namespace pulse::ui

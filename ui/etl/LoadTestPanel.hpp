#pragma once
// The load-test panel: rows, dashboard readers and the longest phase; Run
// and Stop; one progress line a second while it runs; at the end the plan's
// success criteria (CRITERION, MEASURED, TARGET, RESULT, as `pulsectl
// loadtest` prints them) and the PASSED / NOT PASSED verdict.
//
// Everything comes from its LoadTestController (values, UI thread only);
// nothing here waits on the network. The Engine must outlive the panel.

#include "loadtest/LoadTest.hpp"
#include "loadtest/LoadTestReport.hpp"

#include <QWidget>

#include <functional>
#include <optional>

class QCheckBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;

namespace pulse {
class Engine;
} // namespace pulse

namespace pulse::ui {

class CriteriaTableModel;
class LoadTestController;
class PlaceholderTableView;

class LoadTestPanel : public QWidget {
    Q_OBJECT

public:
    explicit LoadTestPanel(Engine& engine, QWidget* parent = nullptr);
    ~LoadTestPanel() override;

    LoadTestController& controller() const { return *m_controller; }
    CriteriaTableModel& criteriaModel() const { return *m_criteria; }
    // The last report shown (none before the first finished run).
    const std::optional<LoadTestReport>& lastReport() const { return m_report; }

    // Asks a person before a run that turns USE_READ_REPLICA off (the
    // comparison phase); true: go ahead. Empty: a QMessageBox.
    void setConfirmer(std::function<bool(const QString& question)> confirm);

    // Read-only: Run and Stop are disabled (a load test writes rows and
    // flips USE_READ_REPLICA); a report already shown stays.
    void setReadOnly(bool readOnly);
    bool isReadOnly() const { return m_readOnly; }

    // The spec the inputs describe now (chunk size, throttle, connections and
    // think time from the engine's settings).
    LoadTestSpec spec() const;
    // "PASSED", "NOT PASSED ..." or empty before a report.
    QString verdictText() const;
    QString errorText() const;

private:
    void runClicked();
    void appendLine(const QString& line);
    void showProgress(const LoadTestProgress& progress);
    void showReport(const LoadTestReport& report);
    void showError(const QString& message);
    void updateActions();

    std::function<bool(const QString&)> m_confirm;
    LoadTestController* m_controller;
    CriteriaTableModel* m_criteria;
    std::optional<LoadTestReport> m_report;
    bool m_readOnly = false;

    QSpinBox* m_rows = nullptr;
    QSpinBox* m_readers = nullptr;
    QSpinBox* m_duration = nullptr;
    QCheckBox* m_compare = nullptr;
    QPushButton* m_run = nullptr;
    QPushButton* m_stop = nullptr;
    QLabel* m_status = nullptr;
    QLabel* m_error = nullptr;
    QPlainTextEdit* m_log = nullptr;
    PlaceholderTableView* m_table = nullptr;
    QLabel* m_verdict = nullptr;
};

} // namespace pulse::ui

#pragma once
// The drills panel: the built-in drills (and drill files an operator opens)
// with what each does and who it affects; a dry run that lists the steps; a
// run that asks for confirmation when the drill stops, kills, freezes or
// promotes servers; the live step log, Abort, the verdict; the report and
// the journal of the run; the history of runs.
//
// UI thread only; nothing here waits on the network: the drill runs in its
// DrillController's runner threads, and their events arrive as queued
// signals. The Engine must outlive the panel. Closing the panel while a
// drill runs aborts it and waits for its rollbacks.

#include "drills/Drill.hpp"
#include "drills/DrillJournal.hpp"

#include <QString>
#include <QStringList>
#include <QUrl>
#include <QWidget>

#include <filesystem>
#include <functional>
#include <optional>
#include <vector>

class QLabel;
class QListWidget;
class QPushButton;
class QTableView;

namespace pulse {
class Engine;
} // namespace pulse

namespace pulse::ui {

class DrillController;
class DrillHistoryModel;
class DrillStepModel;
enum class Light;

struct DrillsPanelOptions {
    // The sandbox the console runs on; std::nullopt on a real topology.
    std::optional<std::filesystem::path> sandboxDir;
    // Where journals and reports go; empty: DrillController::defaultHistoryDir().
    QString historyDir;
};

class DrillsPanel : public QWidget {
    Q_OBJECT

public:
    // Asked before a run that needs confirmation, with the destructive steps
    // (then any other action the policy wants confirmed); true: run it.
    using Confirmer = std::function<bool(const QStringList& steps)>;
    using UrlOpener = std::function<bool(const QUrl& url)>;

    DrillsPanel(Engine& engine, DrillsPanelOptions options, QWidget* parent = nullptr);
    ~DrillsPanel() override;

    DrillController& controller() const { return *m_controller; }
    DrillStepModel* stepModel() const { return m_stepModel; }
    DrillHistoryModel* historyModel() const { return m_historyModel; }

    // Default: a warning dialog listing the steps.
    void setConfirmer(Confirmer confirmer);
    // Default: QDesktopServices::openUrl.
    void setUrlOpener(UrlOpener opener);

    // Read-only: Run and Abort are disabled; a dry run still works.
    void setReadOnly(bool readOnly);
    bool isReadOnly() const { return m_readOnly; }

    // The drills listed, by name, in order (built-ins first).
    QStringList drillNames() const;
    // Selects a listed drill by name; false when there is none.
    bool selectDrill(const QString& name);
    // The selected drill; nullptr when none (or it does not load here).
    const Drill* currentDrill() const;

    // "PASSED", "FAILED: ...", "ABORTED: ...", "RUNNING: ...", or the idle text.
    QString verdictText() const;
    Light verdictLight() const { return m_verdictLight; }
    // The last message (a refusal, a drill file's problems); empty when none.
    QString messageText() const;
    // The journal and report of the selected history run (after a run: that run).
    QString selectedJournalPath() const;
    QString selectedReportPath() const;

public Q_SLOTS:
    void dryRun();
    // Asks for confirmation when needed, then starts the selected drill.
    void runSelected();
    void abortRun();
    // Parses and validates a drill file; when it cannot run, every problem
    // is shown and false returned (nothing runs). Else it is listed and selected.
    bool openDrillFile(const QString& path);
    // Opens the selected run's Markdown report; false when there is none.
    bool openReport();
    // Copies the selected run's journal to `target` (replacing it).
    bool exportJournal(const QString& target);
    void refreshHistory();

Q_SIGNALS:
    // The verdict line changed (a run started, is aborting, finished).
    void verdictChanged(const QString& text);

private:
    struct Entry {
        QString label;
        QString source; // "built-in", or the file's path
        std::optional<Drill> drill;
        QString error; // why it does not load here
    };

    void buildUi();
    void addEntry(Entry entry);
    void showDescription();
    void updateButtons();
    void showMessage(const QString& text, bool error);
    void setVerdict(const QString& text, Light light);
    void selectHistoryRow(int row);
    void chooseDrillFile();
    void chooseExportTarget();

    void onRunStarted(const QString& name);
    void onAbortRequested(const QString& reason);
    void onRunFinished(const DrillJournal& journal);

    DrillController* m_controller;
    DrillStepModel* m_stepModel;
    DrillHistoryModel* m_historyModel;
    std::vector<Entry> m_entries;
    Confirmer m_confirmer;
    UrlOpener m_urlOpener;
    bool m_readOnly = false;
    Light m_verdictLight;
    QString m_verdictText;

    QListWidget* m_drillList = nullptr;
    QPushButton* m_openFile = nullptr;
    QLabel* m_description = nullptr;
    QPushButton* m_dryRun = nullptr;
    QPushButton* m_run = nullptr;
    QPushButton* m_abort = nullptr;
    QPushButton* m_openReport = nullptr;
    QPushButton* m_exportJournal = nullptr;
    QLabel* m_verdict = nullptr;
    QLabel* m_message = nullptr;
    QTableView* m_stepTable = nullptr;
    QTableView* m_historyTable = nullptr;
    QLabel* m_reportPath = nullptr;
};

} // namespace pulse::ui

#pragma once
// Runs one drill at a time for the console, the way `pulsectl drill run`
// does: the topology's node controller chain (the sandbox's processes when
// the console runs on the sandbox), the NodeActionPolicy from the settings,
// an EngineActivityExecutor on the console's Engine and a DrillRunner. When
// a run finishes its journal and report are written (atomically) to the
// history directory as <name>-<yyyyMMdd-HHmmss>.journal.json and
// .report.md; the history is those journal files, read from disk.
//
// Thread contract: a DrillController lives on the UI thread; every slot and
// accessor returns at once. The runner calls its listener on its own
// threads; the listener only copies the event and posts it to this object,
// so every signal below is emitted on the UI thread with value copies, and
// the runner never waits for the UI (nor an abort() for the listener). Disk
// work runs on the controller's own threads: a finished run's two files
// (written, fsynced, then runFinished), and reading the history (every
// journal file, at start and on reloadHistory()). Nothing here calls
// DrillRunner::wait(). The Engine must outlive the controller.
//
// Destroying the controller while a drill runs aborts it and waits for its
// rollbacks (the topology must not be left half-broken): only at shutdown.

#include "drills/Drill.hpp"
#include "drills/DrillEvent.hpp"
#include "drills/DrillPolicyCheck.hpp"
#include "drills/DrillHistory.hpp"
#include "drills/DrillJournal.hpp"
#include "topology/NodeActionPolicy.hpp"

#include <QMetaType>
#include <QObject>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace pulse {
class Engine;
class Sandbox;
} // namespace pulse

namespace pulse::ui {

struct DrillControllerOptions {
    // The sandbox the console runs on (pulse-console --sandbox); std::nullopt
    // on a real topology. Used only when the settings point at it.
    std::optional<std::filesystem::path> sandboxDir;
    // Where journals and reports go; empty: defaultHistoryDir().
    QString historyDir;
};

class DrillController : public QObject {
    Q_OBJECT

public:
    explicit DrillController(Engine& engine, DrillControllerOptions options = {}, QObject* parent = nullptr);
    // Aborts a running drill and waits for its rollbacks.
    ~DrillController() override;

    // QStandardPaths::AppDataLocation + "/drills".
    static QString defaultHistoryDir();

    QString historyDir() const { return m_historyDir; }
    // True when node actions go to the sandbox's processes.
    bool sandboxTopology() const { return m_sandbox != nullptr; }
    // One line: "the sandbox in /tmp/..." or "a real topology (...)".
    QString topologyDescription() const { return m_topologyDescription; }
    // The node names drills may use here ("primary", then each replica).
    const std::vector<std::string>& nodeNames() const { return m_nodes; }

    // What the policy would refuse, asked up front (no I/O).
    DrillPolicyCheck check(const Drill& drill) const;

    bool isRunning() const { return m_run != nullptr; }
    // The drill running now, or the last one started (empty before any).
    QString currentName() const { return m_currentName; }
    // The last finished run's journal and files (empty before any).
    const std::optional<DrillJournal>& lastJournal() const { return m_lastJournal; }
    QString lastJournalPath() const { return m_lastJournalPath; }
    QString lastReportPath() const { return m_lastReportPath; }

    // The runs in historyDir(), newest first, as last read (empty until the
    // first read finishes: historyChanged()); a finished run is added at once.
    const std::vector<DrillHistoryEntry>& history() const { return m_history; }
    // Reads the journal files again, on a worker thread; historyChanged() follows.
    void reloadHistory();

public Q_SLOTS:
    // Starts `drill` on a worker thread and returns at once. `confirmed`: the
    // operator confirmed its destructive steps. Refused (runRefused, nothing
    // runs) while another drill runs, when the policy refuses a node action,
    // or when a destructive drill is not confirmed. True when it started.
    bool run(const pulse::Drill& drill, bool confirmed);
    // Asks the running drill to stop; its rollbacks still run and
    // runFinished follows. No-op when nothing runs.
    void abort();

Q_SIGNALS:
    void runStarted(const QString& name);
    // A step began (no end yet), and one ended.
    void stepStarted(const pulse::ActivityRun& step);
    void stepFinished(const pulse::ActivityRun& step);
    // The drill is aborting (by abort() or an abort condition).
    void abortRequested(const QString& reason);
    // The final journal; its files are written (lastJournalPath(),
    // lastReportPath()) unless errorOccurred said otherwise just before.
    void runFinished(const pulse::DrillJournal& journal);
    // run() refused: nothing ran. The message names every reason.
    void runRefused(const QString& message);
    // Something went wrong outside the drill (writing its files).
    void errorOccurred(const QString& message);
    // history() changed: it was read, or a run finished.
    void historyChanged();

private:
    struct Run;

    void handleEvent(std::uint64_t runId, const DrillEvent& event);
    void handleFinished(std::uint64_t runId, const DrillJournal& journal);
    void handleWritten(std::uint64_t runId, const DrillJournal& journal, const QString& writeError,
        const std::optional<DrillHistoryEntry>& entry);
    void handleHistory(std::vector<DrillHistoryEntry> entries);
    QString uniqueBasePath(const std::string& name) const;

    Engine& m_engine;
    const QString m_historyDir;
    std::vector<std::string> m_nodes;
    std::unique_ptr<Sandbox> m_sandbox; // used by one run at a time, on its threads
    QString m_topologyDescription;
    std::optional<NodeActionPolicy> m_policy;

    std::unique_ptr<Run> m_run; // the running drill
    std::unique_ptr<Run> m_retired; // the last finished one: its thread ends just after its last event
    std::uint64_t m_nextRunId = 1;
    QString m_currentName;
    std::optional<DrillJournal> m_lastJournal;
    QString m_lastJournalPath;
    QString m_lastReportPath;
    std::vector<DrillHistoryEntry> m_history;
    std::jthread m_historyReader; // one read at a time
    bool m_historyReading = false;
    bool m_historyAgain = false; // reloadHistory() while a read ran
};

// Registers the value types carried by the controller's signals (idempotent).
void registerDrillMetaTypes();

} // namespace pulse::ui

Q_DECLARE_METATYPE(pulse::ActivityRun)
Q_DECLARE_METATYPE(pulse::DrillJournal)

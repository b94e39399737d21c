#include "drills/DrillController.hpp"

#include "Formatting.hpp"
#include "common/FileWrites.hpp"
#include "drills/DrillRunner.hpp"
#include "drills/EngineActivityExecutor.hpp"
#include "engine/Engine.hpp"
#include "topology/CompositeNodeController.hpp"
#include "topology/Sandbox.hpp"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

#include <algorithm>
#include <exception>

namespace pulse::ui {

using namespace Qt::StringLiterals;

void registerDrillMetaTypes()
{
    qRegisterMetaType<pulse::ActivityRun>();
    qRegisterMetaType<pulse::DrillJournal>();
}

// One drill run and everything it needs. Members are destroyed in reverse
// order: the runner first (it aborts a running drill and joins its threads,
// whose listener still sets finalJournal), then the writer (joined), then the
// executor, then the node controller.
struct DrillController::Run {
    std::uint64_t id = 0;
    std::string name;
    // Where the writer thread (or the destructor, at shutdown) writes.
    std::filesystem::path journalFile;
    std::filesystem::path reportFile;
    // Set once before start(); valid until the runner's destructor returns
    // (the listener may run inside it, when a running drill is destroyed).
    DrillRunner* runnerForListener = nullptr;
    std::unique_ptr<CompositeNodeController> nodes;
    std::unique_ptr<EngineActivityExecutor> executor;
    // Set by the listener on Finished (before it posts), read on the UI
    // thread, or at shutdown once the runner's threads are joined.
    std::optional<DrillJournal> finalJournal;
    bool filesAttempted = false; // by the writer thread; read after it is joined
    std::jthread writer; // writes the journal and report once the drill finished
    std::unique_ptr<DrillRunner> runner; // last: destroyed first
};

namespace {

// Runs listed in the history; older journals stay on disk.
constexpr size_t kHistoryLimit = 500;

QString describeAction(NodeAction action, const std::string& node)
{
    return toQString(nodeActionName(action)) + u" on "_s + toQString(node);
}

// Writes the journal and the report; empty, or what went wrong.
QString writeFiles(
    const DrillJournal& journal, const std::filesystem::path& journalFile, const std::filesystem::path& reportFile)
{
    QString errors;
    try {
        writeFileAtomically(
            journalFile, toJson(journal).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
    } catch (const std::exception& e) {
        errors += QString::fromUtf8(e.what());
    }
    try {
        writeFileAtomically(reportFile, markdownReport(journal));
    } catch (const std::exception& e) {
        errors += (errors.isEmpty() ? QString() : u"; "_s) + QString::fromUtf8(e.what());
    }
    return errors;
}

} // namespace

DrillController::DrillController(Engine& engine, DrillControllerOptions options, QObject* parent)
    : QObject(parent)
    , m_engine(engine)
    , m_historyDir(options.historyDir.isEmpty() ? defaultHistoryDir() : options.historyDir)
    , m_nodes(EngineActivityExecutor::nodeNames(engine.settings()))
{
    registerDrillMetaTypes();
    const Settings& settings = engine.settings();
    // The sandbox's processes are only ours to stop when the settings point
    // at them (as in pulsectl): otherwise the topology is someone else's.
    if (options.sandboxDir) {
        const QString dir = QString::fromStdString(options.sandboxDir->string());
        try {
            auto sandbox = Sandbox::open(*options.sandboxDir);
            const auto replicas = settings.replicas();
            const bool same = settings.primaryHost == sandbox->host()
                && settings.primaryPort == sandbox->port(SandboxNode::Primary) && replicas.size() == 1
                && replicas.front().host == sandbox->host()
                && replicas.front().port == sandbox->port(SandboxNode::Replica);
            if (same) {
                m_sandbox = std::move(sandbox);
                m_topologyDescription = u"the sandbox in "_s + dir;
            } else {
                m_topologyDescription
                    = u"a real topology (the settings point away from the sandbox in "_s + dir + u")"_s;
            }
        } catch (const std::exception& e) {
            m_topologyDescription = u"a real topology (the sandbox in "_s + dir + u" cannot be opened: "_s
                + QString::fromUtf8(e.what()) + u")"_s;
        }
    } else {
        m_topologyDescription = u"a real topology"_s;
    }
    m_policy.emplace(NodeActionPolicy::fromSettings(settings, m_sandbox != nullptr));
    reloadHistory();
}

DrillController::~DrillController()
{
    // The threads post to this object: all of them end before it goes.
    if (m_historyReader.joinable())
        m_historyReader.join();
    if (m_run) {
        // Aborts and joins: the rollbacks run first. Whatever finished then
        // (or just before, with its files not written yet: the posts to this
        // object are dropped now) is written here, so no run loses its journal.
        m_run->runner.reset();
        if (m_run->writer.joinable())
            m_run->writer.join();
        if (m_run->finalJournal && !m_run->filesAttempted)
            writeFiles(*m_run->finalJournal, m_run->journalFile, m_run->reportFile);
    }
    m_run.reset();
    m_retired.reset();
}

QString DrillController::defaultHistoryDir()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + u"/drills"_s;
}

DrillPolicyCheck DrillController::check(const Drill& drill) const
{
    DrillPolicyCheck result;
    for (const auto& step : drill.destructiveSteps())
        result.destructiveSteps << toQString(step);
    for (const auto& [action, node] : EngineActivityExecutor::nodeActions(drill, m_nodes)) {
        if (m_policy->decide(action, node, false).allowed)
            continue;
        const NodeActionDecision confirmed = m_policy->decide(action, node, true);
        if (confirmed.allowed) {
            // A destructive action is asked about as its step, by name.
            if (!isDestructive(action) || result.destructiveSteps.isEmpty())
                result.needConfirmation << describeAction(action, node);
            continue;
        }
        QString text = describeAction(action, node) + u": "_s + toQString(confirmed.reason);
        if (!confirmed.fix.empty())
            text += u" "_s + toQString(confirmed.fix);
        result.refused << text;
    }
    return result;
}

void DrillController::reloadHistory()
{
    if (m_historyReading) {
        m_historyAgain = true;
        return;
    }
    if (m_historyReader.joinable())
        m_historyReader.join(); // the previous read: it has posted its result already
    m_historyReading = true;
    m_historyReader = std::jthread([this, dir = m_historyDir] {
        std::vector<DrillHistoryEntry> entries = readDrillHistory(dir);
        QMetaObject::invokeMethod(
            this, [this, entries = std::move(entries)]() mutable { handleHistory(std::move(entries)); },
            Qt::QueuedConnection);
    });
}

void DrillController::handleHistory(std::vector<DrillHistoryEntry> entries)
{
    m_historyReading = false;
    if (m_historyAgain) {
        m_historyAgain = false;
        reloadHistory();
        return;
    }
    // A run that finished while the files were read is in `entries` already
    // (its file was written before its entry was added here) or added below.
    for (const auto& known : m_history)
        if (std::none_of(entries.begin(), entries.end(),
                [&known](const DrillHistoryEntry& e) { return e.journalPath == known.journalPath; })
            && QFileInfo::exists(known.journalPath))
            entries.push_back(known);
    std::stable_sort(entries.begin(), entries.end(), [](const DrillHistoryEntry& a, const DrillHistoryEntry& b) {
        return a.start != b.start ? a.start > b.start : a.journalPath > b.journalPath;
    });
    if (entries.size() > kHistoryLimit)
        entries.resize(kHistoryLimit);
    m_history = std::move(entries);
    Q_EMIT historyChanged();
}

QString DrillController::uniqueBasePath(const std::string& name) const
{
    const QString stem
        = QDir(m_historyDir)
              .filePath(toQString(name) + u"-"_s + QDateTime::currentDateTime().toString(u"yyyyMMdd-HHmmss"_s));
    QString base = stem;
    for (int n = 2; QFileInfo::exists(base + kJournalSuffix) || QFileInfo::exists(base + kReportSuffix); ++n)
        base = stem + u"-"_s + QString::number(n);
    return base;
}

bool DrillController::run(const Drill& drill, bool confirmed)
{
    const QString name = toQString(drill.name);
    auto refuse = [this, &name](const QString& why) {
        Q_EMIT runRefused(u"Drill '"_s + name + u"' was not run: "_s + why);
        return false;
    };
    if (m_run)
        return refuse(u"'"_s + m_currentName + u"' is still running."_s);

    const DrillPolicyCheck policy = check(drill);
    if (!policy.canRun())
        return refuse(u"it cannot run on "_s + m_topologyDescription + u":\n  - "_s + policy.refused.join(u"\n  - "_s));
    if (policy.needsConfirmation() && !confirmed)
        return refuse(u"these steps need a confirmation:\n  - "_s + policy.confirmationItems().join(u"\n  - "_s));

    if (!QDir().mkpath(m_historyDir))
        return refuse(u"the directory for its journal and report, "_s + m_historyDir + u", cannot be created."_s);
    const QString base = uniqueBasePath(drill.name);

    // The previous run's thread has long passed its last event by now.
    m_retired.reset();

    auto run = std::make_unique<Run>();
    run->id = m_nextRunId++;
    run->name = drill.name;
    run->journalFile = std::filesystem::path(QString(base + kJournalSuffix).toStdString());
    run->reportFile = std::filesystem::path(QString(base + kReportSuffix).toStdString());
    try {
        const Settings& settings = m_engine.settings();
        std::vector<ConnectionParams> sqlNodes {Engine::connectionParams(settings, Target::Primary, "drill")};
        for (const auto& r : settings.replicas())
            sqlNodes.push_back(Engine::connectionParams(settings, r, "drill"));
        run->nodes = CompositeNodeController::forTopology(m_sandbox.get(), settings, sqlNodes);

        DrillExecutorOptions executorOptions;
        executorOptions.confirmed = confirmed;
        executorOptions.who = "pulse-console drill " + drill.name;
        run->executor = std::make_unique<EngineActivityExecutor>(m_engine, *run->nodes, *m_policy, executorOptions);

        DrillRunOptions runOptions;
        runOptions.confirmed = confirmed;
        // Runner threads: copy, post, return. Run is heap-allocated and
        // outlives its runner's threads (the runner is destroyed first).
        Run* self = run.get();
        runOptions.listener = [this, self](const DrillEvent& event) {
            const std::uint64_t id = self->id;
            if (event.kind == DrillEvent::Kind::Finished) {
                // Not written here: this runs under the runner's event lock,
                // which an abort() from the UI thread would wait for.
                const DrillJournal journal = self->runnerForListener->journal();
                self->finalJournal = journal;
                QMetaObject::invokeMethod(
                    this, [this, id, journal] { handleFinished(id, journal); }, Qt::QueuedConnection);
                return;
            }
            QMetaObject::invokeMethod(
                this, [this, id, event] { handleEvent(id, event); }, Qt::QueuedConnection);
        };
        run->runner = std::make_unique<DrillRunner>(*run->executor, drill, std::move(runOptions));
        run->runnerForListener = run->runner.get();
    } catch (const std::exception& e) {
        return refuse(QString::fromUtf8(e.what()));
    }

    m_currentName = name;
    m_run = std::move(run);
    m_run->runner->start();
    Q_EMIT runStarted(name);
    return true;
}

void DrillController::abort()
{
    if (m_run)
        m_run->runner->abort("aborted by the operator");
}

void DrillController::handleEvent(std::uint64_t runId, const DrillEvent& event)
{
    if (!m_run || m_run->id != runId)
        return;
    switch (event.kind) {
    case DrillEvent::Kind::StepStarted:
        Q_EMIT stepStarted(event.step);
        break;
    case DrillEvent::Kind::StepFinished:
        Q_EMIT stepFinished(event.step);
        break;
    case DrillEvent::Kind::Aborting:
        Q_EMIT abortRequested(toQString(event.message));
        break;
    case DrillEvent::Kind::Started:
    case DrillEvent::Kind::Finished:
        break;
    }
}

void DrillController::handleFinished(std::uint64_t runId, const DrillJournal& journal)
{
    if (!m_run || m_run->id != runId)
        return;
    // Still running (isRunning()) until its files are on disk: a journal
    // fsync must not hold the UI thread.
    Run* run = m_run.get();
    m_run->writer = std::jthread(
        [this, run, runId, journal, journalFile = m_run->journalFile, reportFile = m_run->reportFile] {
            const QString writeError = writeFiles(journal, journalFile, reportFile);
            run->filesAttempted = true;
            std::optional<DrillHistoryEntry> entry;
            if (writeError.isEmpty())
                entry = readDrillHistoryEntry(QString::fromStdString(journalFile.string()));
            QMetaObject::invokeMethod(
                this, [this, runId, journal, writeError, entry] { handleWritten(runId, journal, writeError, entry); },
                Qt::QueuedConnection);
        });
}

void DrillController::handleWritten(std::uint64_t runId, const DrillJournal& journal, const QString& writeError,
    const std::optional<DrillHistoryEntry>& entry)
{
    if (!m_run || m_run->id != runId)
        return;
    m_lastJournal = journal;
    m_lastJournalPath = QString::fromStdString(m_run->journalFile.string());
    m_lastReportPath = QString::fromStdString(m_run->reportFile.string());
    // Not destroyed here: its writer thread returns just now.
    m_retired = std::move(m_run);
    // A reload may have listed the new file already.
    if (entry
        && std::none_of(m_history.begin(), m_history.end(),
            [&entry](const DrillHistoryEntry& e) { return e.journalPath == entry->journalPath; })) {
        m_history.insert(m_history.begin(), *entry);
        if (m_history.size() > kHistoryLimit)
            m_history.resize(kHistoryLimit);
    }
    if (!writeError.isEmpty()) {
        m_lastJournalPath.clear();
        m_lastReportPath.clear();
        Q_EMIT errorOccurred(u"The drill's journal and report could not be written: "_s + writeError);
    }
    Q_EMIT runFinished(journal);
    Q_EMIT historyChanged();
}

} // namespace pulse::ui

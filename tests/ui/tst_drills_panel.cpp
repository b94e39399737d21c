// The drills panel against a real primary + replica (the executable's
// sandbox), with short timers: a run from the panel shows its steps as they
// happen and its verdict, writes its journal and report and lists them in the
// history; a destructive drill asks first (and refusing runs nothing); Abort
// puts the topology back; a dry run and a broken drill file change nothing.
// No fixed sleeps: every wait is a bounded QTRY_* or QSignalSpy::wait.

#include "SandboxFixture.hpp"

#include "Formatting.hpp"
#include "drills/BuiltinDrills.hpp"
#include "drills/DrillController.hpp"
#include "drills/DrillFileError.hpp"
#include "drills/DrillHistoryModel.hpp"
#include "drills/DrillParser.hpp"
#include "drills/DrillRunner.hpp"
#include "drills/DrillStepModel.hpp"
#include "drills/DrillsPanel.hpp"
#include "engine/Engine.hpp"
#include "pg/PgConnection.hpp"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using namespace std::chrono_literals;
using namespace Qt::StringLiterals;
using pulse::ui::DrillController;
using pulse::ui::DrillHistoryModel;
using pulse::ui::DrillsPanel;
using pulse::ui::DrillStepModel;

namespace {

constexpr int kRunTimeoutMs = 120'000;

// As tst_drills: faster timers where a drill waits on one.
pulse::Settings drillSettings()
{
    return SandboxFixture::settings({{"MONITOR_INTERVAL_MS", "200"}, {"MONITOR_PROBE_TIMEOUT_MS", "180"},
        {"BREAKER_OPEN_SECONDS", "1"}, {"REPLICA_READMIT_SECONDS", "1"}, {"ALERT_CLEAR_SECONDS", "1"},
        {"ALERT_LAG_WARNING_SECONDS", "3"}, {"DB_REPLICA_POOL_SIZE", "3"}, {"DB_REPLICA_MAX_OVERFLOW", "2"},
        {"DB_REPLICA_POOL_TIMEOUT", "2"}, {"DB_USER_STATEMENT_TIMEOUT_MS", "3000"},
        {"DB_QUERY_DEADLINE_GRACE_MS", "1000"}, {"DB_CONNECT_TIMEOUT", "2"}});
}

bool inRecovery(pulse::SandboxNode node)
{
    auto c
        = pulse::PgConnection::open(SandboxFixture::nodeParams(SandboxFixture::instance(), node, "tst_drills_panel"));
    return c->exec("SELECT pg_is_in_recovery()").boolean(0, 0);
}

QJsonObject readJson(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

QString cell(const QAbstractItemModel* model, int row, int column)
{
    return model->index(row, column).data(Qt::DisplayRole).toString();
}

QByteArray logText(const QAbstractItemModel* model)
{
    QByteArray text;
    for (int r = 0; r < model->rowCount(); ++r) {
        for (int c = 0; c < model->columnCount(); ++c)
            text += cell(model, r, c).toUtf8() + (c + 1 < model->columnCount() ? " | " : "\n");
    }
    return text;
}

pulse::ActivityRun activity(const std::string& phase, const std::string& name)
{
    pulse::ActivityRun run;
    run.phase = phase;
    run.name = name;
    run.func = "wait";
    run.start = std::chrono::system_clock::now();
    run.end = run.start + 1500ms;
    run.output = nlohmann::json {{"waited", 1.5}};
    return run;
}

} // namespace

class TestDrillsPanel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanupTestCase();

    // Models on synthetic values.
    void stepModelCompletesRunningRows();
    void historyModelPassesTester();

    // The panel on the sandbox.
    void listsBuiltinDrillsWithDescriptions();
    void dryRunListsStepsAndChangesNothing();
    void malformedDrillFileShowsEveryProblem();
    void readOnlyDisablesRunAndAbort();
    void rollbackSingleDatabasePassesLive();
    void destructiveDrillRefusedRunsNothing();
    void destructiveDrillConfirmedRuns();
    void abortAfterStopRestoresTheReplica();
    void historyListsRunsNewestFirstAfterRestart();
    void openReportAndExportJournal();
    void closingWhileRunningAbortsAndKeepsTheJournal();

private:
    QPushButton* button(const char* name) const;
    pulse::ui::DrillsPanelOptions options() const;

    std::unique_ptr<QTemporaryDir> m_historyDir;
    std::unique_ptr<pulse::Engine> m_engine;
    std::unique_ptr<DrillsPanel> m_panel;
    std::unique_ptr<QAbstractItemModelTester> m_stepTester;
    std::unique_ptr<QAbstractItemModelTester> m_historyTester;
    int m_confirmations = 0;
    QStringList m_confirmedSteps;
    bool m_confirmAnswer = false;
    QStringList m_journals; // written by the runs, oldest first
};

QPushButton* TestDrillsPanel::button(const char* name) const
{
    return m_panel->findChild<QPushButton*>(QString::fromLatin1(name));
}

pulse::ui::DrillsPanelOptions TestDrillsPanel::options() const
{
    pulse::ui::DrillsPanelOptions o;
    o.sandboxDir = SandboxFixture::instance().baseDir();
    o.historyDir = m_historyDir->path();
    return o;
}

void TestDrillsPanel::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    m_historyDir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_historyDir->isValid());
    try {
        SandboxFixture::instance();
        m_engine = std::make_unique<pulse::Engine>(drillSettings());
    } catch (const std::exception& e) {
        QFAIL(e.what());
    }
    m_engine->startMonitor();

    m_panel = std::make_unique<DrillsPanel>(*m_engine, options());
    m_panel->setConfirmer([this](const QStringList& steps) {
        ++m_confirmations;
        m_confirmedSteps = steps;
        return m_confirmAnswer;
    });
    m_panel->setUrlOpener([](const QUrl&) { return true; });
    // Attached before any data arrives, so every reset, change and insert is checked.
    m_stepTester = std::make_unique<QAbstractItemModelTester>(
        m_panel->stepModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_historyTester = std::make_unique<QAbstractItemModelTester>(
        m_panel->historyModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(m_panel->controller().sandboxTopology());
    QCOMPARE(m_panel->controller().historyDir(), m_historyDir->path());

    m_panel->resize(1100, 800);
    m_panel->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_panel.get()));
}

void TestDrillsPanel::init()
{
    try {
        SandboxFixture::ensureBothRunning();
        QVERIFY(inRecovery(pulse::SandboxNode::Replica));
    } catch (const std::exception& e) {
        QFAIL(e.what());
    }
    m_confirmations = 0;
    m_confirmedSteps.clear();
    m_confirmAnswer = false;
    if (m_panel)
        m_panel->setReadOnly(false);
}

void TestDrillsPanel::cleanupTestCase()
{
    m_historyTester.reset();
    m_stepTester.reset();
    m_panel.reset(); // the controller (and any run) before the engine it drives
    if (m_engine)
        m_engine->stopMonitor();
    m_engine.reset();
    SandboxFixture::teardown();
}

void TestDrillsPanel::stepModelCompletesRunningRows()
{
    DrillStepModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.showPlan({"steady state: probe 'a' (x)", "method: action 'b' (wait)"}, {u"stop on replica: refused"_s});
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(cell(&model, 0, DrillStepModel::PhaseColumn), u"steady state"_s);
    QCOMPARE(cell(&model, 1, DrillStepModel::StepColumn), u"action 'b' (wait)"_s);
    QCOMPARE(cell(&model, 2, DrillStepModel::OutcomeColumn), u"would be refused"_s);

    model.clear();
    QCOMPARE(model.rowCount(), 0);
    pulse::ActivityRun a = activity("method", "keep reading");
    model.stepStarted(a);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.state(0), DrillStepModel::State::Running);
    QCOMPARE(cell(&model, 0, DrillStepModel::OutcomeColumn), u"running"_s);
    model.stepFinished(a);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.state(0), DrillStepModel::State::Succeeded);
    QCOMPARE(cell(&model, 0, DrillStepModel::OutcomeColumn), u"ok"_s);
    QCOMPARE(cell(&model, 0, DrillStepModel::TookColumn), u"1.5 s"_s);
    QVERIFY(cell(&model, 0, DrillStepModel::OutputColumn).contains(u"waited"_s));

    pulse::ActivityRun failed = activity("method", "reads move");
    failed.status = pulse::StepStatus::Failed;
    failed.error = "expected primary, got replica";
    model.stepFinished(failed); // never started: appended
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.state(1), DrillStepModel::State::Failed);
    QCOMPARE(cell(&model, 1, DrillStepModel::OutputColumn), u"expected primary, got replica"_s);
    model.addNote(u"abort"_s, u"aborted by the operator"_s, u"aborting"_s);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.finishedSteps(), 2);
}

void TestDrillsPanel::historyModelPassesTester()
{
    DrillHistoryModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    pulse::ui::DrillHistoryEntry a;
    a.journalPath = u"/x/a.journal.json"_s;
    a.name = u"replica-outage"_s;
    a.start = QDateTime::currentDateTimeUtc();
    a.durationSeconds = 75;
    a.status = u"completed"_s;
    a.verdict = u"PASSED"_s;
    pulse::ui::DrillHistoryEntry b = a;
    b.journalPath = u"/x/b.journal.json"_s;
    b.status = u"aborted"_s;
    b.verdict = u"ABORTED: aborted by the operator"_s;
    model.resetData({a, b});
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(cell(&model, 0, DrillHistoryModel::DurationColumn), u"1 min 15 s"_s);
    QCOMPARE(cell(&model, 1, DrillHistoryModel::VerdictColumn), u"ABORTED: aborted by the operator"_s);
    QCOMPARE(model.rowOf(u"/x/b.journal.json"_s), 1);
    QCOMPARE(model.rowOf(u"/x/c.journal.json"_s), -1);
    model.resetData({});
    QCOMPARE(model.rowCount(), 0);
}

void TestDrillsPanel::listsBuiltinDrillsWithDescriptions()
{
    QStringList builtins;
    for (const auto& name : pulse::BuiltinDrills::names())
        builtins << QString::fromStdString(name);
    QCOMPARE(m_panel->drillNames().mid(0, builtins.size()), builtins);

    QVERIFY(m_panel->selectDrill(u"replica-outage"_s));
    auto* description = m_panel->findChild<QLabel*>(u"drillDescription"_s);
    QVERIFY(description);
    const pulse::Drill* drill = m_panel->currentDrill();
    QVERIFY(drill);
    const QString text = description->text();
    QVERIFY2(text.contains(QString::fromStdString(drill->title).toHtmlEscaped()), qPrintable(text));
    QVERIFY(text.contains(u"Blast radius"_s));
    QVERIFY(text.contains(u"Workload:</b> 4 dashboard readers"_s));
    QVERIFY(text.contains(u"stop the replica"_s)); // its destructive step

    QVERIFY(!m_panel->selectDrill(u"no-such-drill"_s));
}

void TestDrillsPanel::dryRunListsStepsAndChangesNothing()
{
    QVERIFY(m_panel->selectDrill(u"replica-outage"_s));
    const auto plan = pulse::DrillRunner::plan(*m_panel->currentDrill());
    QSignalSpy started(&m_panel->controller(), &DrillController::runStarted);
    const int historyRows = m_panel->historyModel()->rowCount();

    QVERIFY(button("dryRunButton")->isEnabled());
    QTest::mouseClick(button("dryRunButton"), Qt::LeftButton);

    const auto* log = m_panel->stepModel();
    QCOMPARE(log->rowCount(), static_cast<int>(plan.size())); // the sandbox refuses nothing
    for (int r = 0; r < log->rowCount(); ++r) {
        QCOMPARE(cell(log, r, DrillStepModel::OutcomeColumn), u"planned"_s);
        const QString line = QString::fromStdString(plan[static_cast<size_t>(r)]);
        QCOMPARE(cell(log, r, DrillStepModel::PhaseColumn) + u": "_s + cell(log, r, DrillStepModel::StepColumn), line);
    }
    QVERIFY(m_panel->messageText().contains(u"nothing was done"_s));
    QVERIFY(m_panel->messageText().contains(u"stop the replica"_s));
    QCOMPARE(m_confirmations, 0);
    QCOMPARE(started.count(), 0);
    QVERIFY(!m_panel->controller().isRunning());
    QVERIFY(SandboxFixture::instance().isRunning(pulse::SandboxNode::Replica));
    QCOMPARE(m_panel->historyModel()->rowCount(), historyRows);
    QVERIFY(QDir(m_historyDir->path()).entryList(QDir::Files).isEmpty());
}

void TestDrillsPanel::malformedDrillFileShowsEveryProblem()
{
    QTemporaryDir dir;
    const QString file = dir.filePath(u"broken-drill.json"_s);
    {
        QFile out(file);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(R"({
  "version": 1,
  "name": "broken",
  "title": "Broken",
  "description": "three mistakes",
  "steady-state-hypothesis": { "title": "t", "probes": [
    { "type": "probe", "name": "no tolerance", "provider": { "type": "pulse", "func": "writes_work" } } ] },
  "method": [
    { "type": "action", "name": "typo", "provider": { "type": "pulse", "func": "stop_nod", "arguments": { "node": "replica" } } },
    { "type": "action", "name": "bad node", "provider": { "type": "pulse", "func": "stop_node", "arguments": { "node": "replcia" } } }
  ]
})");
    }
    // What the parser finds, to compare with what the panel shows.
    std::vector<std::string> problems;
    try {
        QFile in(file);
        QVERIFY(in.open(QIODevice::ReadOnly));
        pulse::DrillParser::parse(in.readAll().toStdString(), file.toStdString(), m_panel->controller().nodeNames());
        QFAIL("the broken drill parsed");
    } catch (const pulse::DrillFileError& e) {
        problems = e.problems();
    }
    QVERIFY2(problems.size() >= 3, QByteArray::number(qulonglong(problems.size())).constData());

    const QStringList before = m_panel->drillNames();
    QSignalSpy started(&m_panel->controller(), &DrillController::runStarted);
    QVERIFY(!m_panel->openDrillFile(file));
    const QString message = m_panel->messageText();
    QVERIFY(message.contains(QString::number(problems.size()) + u" problems"_s));
    for (const auto& p : problems)
        QVERIFY2(message.contains(QString::fromStdString(p)), p.c_str());
    QCOMPARE(m_panel->drillNames(), before);
    QCOMPARE(started.count(), 0);
    QVERIFY(!m_panel->controller().isRunning());

    // A good file is listed and selected.
    const QString good = dir.filePath(u"my-outage.json"_s);
    {
        QFile out(good);
        QVERIFY(out.open(QIODevice::WriteOnly));
        auto json = nlohmann::json::parse(pulse::BuiltinDrills::find("rollback-single-database")->json);
        json["name"] = "my-rollback";
        out.write(QByteArray::fromStdString(json.dump(2)));
    }
    QVERIFY(m_panel->openDrillFile(good));
    QVERIFY(m_panel->drillNames().contains(u"my-rollback"_s));
    QVERIFY(m_panel->currentDrill() && m_panel->currentDrill()->name == "my-rollback");
    QVERIFY(m_panel->messageText().isEmpty());
}

void TestDrillsPanel::readOnlyDisablesRunAndAbort()
{
    QVERIFY(m_panel->selectDrill(u"rollback-single-database"_s));
    QVERIFY(button("runButton")->isEnabled());
    m_panel->setReadOnly(true);
    QVERIFY(!button("runButton")->isEnabled());
    QVERIFY(!button("abortButton")->isEnabled());
    QVERIFY(button("dryRunButton")->isEnabled());
    // Even called directly, a read-only panel runs nothing.
    QSignalSpy started(&m_panel->controller(), &DrillController::runStarted);
    m_panel->runSelected();
    QCOMPARE(started.count(), 0);
    m_panel->setReadOnly(false);
    QVERIFY(button("runButton")->isEnabled());
    QVERIFY(!button("abortButton")->isEnabled()); // nothing runs
}

void TestDrillsPanel::rollbackSingleDatabasePassesLive()
{
    QVERIFY(m_panel->selectDrill(u"rollback-single-database"_s));
    QVERIFY(!m_panel->currentDrill()->destructive());
    DrillController& controller = m_panel->controller();
    QSignalSpy started(&controller, &DrillController::runStarted);
    QSignalSpy steps(&controller, &DrillController::stepFinished);
    QSignalSpy finished(&controller, &DrillController::runFinished);

    QTest::mouseClick(button("runButton"), Qt::LeftButton);
    QCOMPARE(m_confirmations, 0); // nothing destructive: no question
    QCOMPARE(started.count(), 1);
    QVERIFY(controller.isRunning());
    QVERIFY(!button("runButton")->isEnabled());
    QVERIFY(button("abortButton")->isEnabled());
    QVERIFY(m_panel->verdictText().startsWith(u"RUNNING"_s));

    // Live: the first finished step is in the log while the drill still runs.
    QVERIFY(steps.wait(60'000));
    QCOMPARE(finished.count(), 0);
    QVERIFY(m_panel->stepModel()->finishedSteps() >= 1);
    QVERIFY(controller.isRunning());

    QVERIFY(finished.count() == 1 || finished.wait(kRunTimeoutMs));
    const auto journal = finished.at(0).at(0).value<pulse::DrillJournal>();
    QVERIFY2(journal.status == pulse::DrillStatus::Completed, logText(m_panel->stepModel()).constData());
    QCOMPARE(m_panel->verdictText(), u"PASSED"_s);
    QCOMPARE(m_panel->verdictLight(), pulse::ui::Light::Green);
    QVERIFY(!controller.isRunning());
    QVERIFY(button("runButton")->isEnabled());
    QVERIFY(!button("abortButton")->isEnabled());
    // Every step of the journal is in the log, completed.
    QCOMPARE(m_panel->stepModel()->finishedSteps(), steps.count());
    QVERIFY(steps.count() >= static_cast<int>(journal.run.size()));
    for (int r = 0; r < m_panel->stepModel()->rowCount(); ++r)
        QCOMPARE(m_panel->stepModel()->state(r), DrillStepModel::State::Succeeded);

    // The journal and the report, read back from disk.
    const QString journalPath = controller.lastJournalPath();
    QVERIFY(journalPath.startsWith(m_historyDir->path()));
    QVERIFY(journalPath.endsWith(u".journal.json"_s));
    const QJsonObject json = readJson(journalPath);
    QCOMPARE(json.value(u"status"_s).toString(), u"completed"_s);
    QCOMPARE(json.value(u"name"_s).toString(), u"rollback-single-database"_s);
    QCOMPARE(json.value(u"verdict"_s).toString(), u"PASSED"_s);
    QFile report(controller.lastReportPath());
    QVERIFY(report.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(report.readAll()), QString::fromStdString(pulse::markdownReport(journal)));
    m_journals << journalPath;

    // Listed first in the history, selected, with its report path shown.
    QCOMPARE(m_panel->historyModel()->rowOf(journalPath), 0);
    QCOMPARE(m_panel->selectedJournalPath(), journalPath);
    QCOMPARE(m_panel->selectedReportPath(), controller.lastReportPath());
    QVERIFY(m_panel->findChild<QLabel*>(u"drillReportPath"_s)->text().contains(controller.lastReportPath()));
    // The drill restored the flags.
    QVERIFY(m_engine->flags().values().useReadReplica);
}

void TestDrillsPanel::destructiveDrillRefusedRunsNothing()
{
    QVERIFY(m_panel->selectDrill(u"replica-outage"_s));
    const pulse::Drill* drill = m_panel->currentDrill();
    QVERIFY(drill && drill->destructive());
    QStringList expected;
    for (const auto& s : drill->destructiveSteps())
        expected << QString::fromStdString(s);
    QSignalSpy started(&m_panel->controller(), &DrillController::runStarted);
    const int historyRows = m_panel->historyModel()->rowCount();

    m_confirmAnswer = false;
    QTest::mouseClick(button("runButton"), Qt::LeftButton);
    QCOMPARE(m_confirmations, 1);
    QCOMPARE(m_confirmedSteps, expected);
    QVERIFY(m_confirmedSteps.contains(u"stop the replica"_s));
    QCOMPARE(started.count(), 0);
    QVERIFY(!m_panel->controller().isRunning());
    QVERIFY(m_panel->messageText().contains(u"not confirmed"_s));
    QVERIFY(SandboxFixture::instance().isRunning(pulse::SandboxNode::Replica));
    QCOMPARE(m_panel->historyModel()->rowCount(), historyRows);

    // The controller refuses an unconfirmed destructive run on its own too.
    QSignalSpy refused(&m_panel->controller(), &DrillController::runRefused);
    QVERIFY(!m_panel->controller().run(*drill, false));
    QCOMPARE(refused.count(), 1);
    QVERIFY(refused.at(0).at(0).toString().contains(u"stop the replica"_s));
    QCOMPARE(started.count(), 0);
}

void TestDrillsPanel::destructiveDrillConfirmedRuns()
{
    QVERIFY(m_panel->selectDrill(u"replica-outage"_s));
    DrillController& controller = m_panel->controller();
    QSignalSpy started(&controller, &DrillController::runStarted);
    QSignalSpy finished(&controller, &DrillController::runFinished);
    bool sawReplicaStopped = false;
    connect(&controller, &DrillController::stepFinished, this, [&sawReplicaStopped](const pulse::ActivityRun& s) {
        if (s.func == "stop_node")
            sawReplicaStopped = !SandboxFixture::instance().isRunning(pulse::SandboxNode::Replica);
    });

    m_confirmAnswer = true;
    QTest::mouseClick(button("runButton"), Qt::LeftButton);
    QCOMPARE(m_confirmations, 1);
    QCOMPARE(started.count(), 1);
    QVERIFY(finished.wait(kRunTimeoutMs));
    disconnect(&controller, &DrillController::stepFinished, this, nullptr);
    const auto journal = finished.at(0).at(0).value<pulse::DrillJournal>();
    QVERIFY2(journal.status == pulse::DrillStatus::Completed,
        QByteArray(QByteArray::fromStdString(journal.verdict() + "\n") + logText(m_panel->stepModel())).constData());
    QVERIFY(sawReplicaStopped); // it really stopped the replica
    QCOMPARE(m_panel->verdictText(), u"PASSED"_s);
    QCOMPARE(readJson(controller.lastJournalPath()).value(u"status"_s).toString(), u"completed"_s);
    m_journals << controller.lastJournalPath();
    QVERIFY(SandboxFixture::instance().isRunning(pulse::SandboxNode::Replica));
}

void TestDrillsPanel::abortAfterStopRestoresTheReplica()
{
    QVERIFY(m_panel->selectDrill(u"replica-outage"_s));
    DrillController& controller = m_panel->controller();
    QSignalSpy finished(&controller, &DrillController::runFinished);
    QSignalSpy aborting(&controller, &DrillController::abortRequested);
    bool clicked = false;
    // The operator presses Abort once the replica is down.
    connect(&controller, &DrillController::stepFinished, this, [this, &clicked](const pulse::ActivityRun& s) {
        if (s.func == "stop_node" && !clicked) {
            clicked = true;
            QVERIFY(button("abortButton")->isEnabled());
            QTest::mouseClick(button("abortButton"), Qt::LeftButton);
        }
    });

    m_confirmAnswer = true;
    QTest::mouseClick(button("runButton"), Qt::LeftButton);
    QCOMPARE(m_confirmations, 1);
    QVERIFY(finished.wait(kRunTimeoutMs));
    disconnect(&controller, &DrillController::stepFinished, this, nullptr);
    QVERIFY(clicked);
    QCOMPARE(aborting.count(), 1);
    QCOMPARE(aborting.at(0).at(0).toString(), u"aborted by the operator"_s);

    const auto journal = finished.at(0).at(0).value<pulse::DrillJournal>();
    QVERIFY2(journal.status == pulse::DrillStatus::Aborted, journal.verdict().c_str());
    QVERIFY(m_panel->verdictText().startsWith(u"ABORTED: aborted by the operator"_s));
    QCOMPARE(m_panel->verdictLight(), pulse::ui::Light::Amber);
    // The log shows the abort and the rollback that started the replica.
    const QByteArray log = logText(m_panel->stepModel());
    QVERIFY2(log.contains("aborting"), log.constData());
    QVERIFY2(log.contains("rollback | make sure the replica runs | ok"), log.constData());
    QCOMPARE(readJson(controller.lastJournalPath()).value(u"status"_s).toString(), u"aborted"_s);
    m_journals << controller.lastJournalPath();

    // The replica runs again and streams.
    QVERIFY(SandboxFixture::instance().isRunning(pulse::SandboxNode::Replica));
    QVERIFY(SandboxFixture::instance().waitForStreaming(20s));
    QVERIFY(inRecovery(pulse::SandboxNode::Replica));
}

void TestDrillsPanel::historyListsRunsNewestFirstAfterRestart()
{
    QCOMPARE(m_journals.size(), 3);
    const auto* model = m_panel->historyModel();
    QCOMPARE(model->rowCount(), 3);
    for (int r = 0; r < 3; ++r) // newest first
        QCOMPARE(model->entry(r).journalPath, m_journals.at(2 - r));
    QCOMPARE(cell(model, 0, DrillHistoryModel::DrillColumn), u"replica-outage"_s);
    QVERIFY(cell(model, 0, DrillHistoryModel::VerdictColumn).startsWith(u"ABORTED"_s));
    QCOMPARE(cell(model, 1, DrillHistoryModel::VerdictColumn), u"PASSED"_s);
    QCOMPARE(cell(model, 2, DrillHistoryModel::DrillColumn), u"rollback-single-database"_s);
    for (int r = 0; r + 1 < 3; ++r)
        QVERIFY(model->entry(r).start >= model->entry(r + 1).start);

    // Selecting a run shows its report.
    auto* table = m_panel->findChild<QTableView*>(u"drillHistoryTable"_s);
    QVERIFY(table);
    table->selectRow(2);
    QCOMPARE(m_panel->selectedJournalPath(), m_journals.at(0));
    QVERIFY(m_panel->selectedReportPath().endsWith(u".report.md"_s));
    QVERIFY(m_panel->findChild<QLabel*>(u"drillReportPath"_s)->text().contains(m_panel->selectedReportPath()));

    // A panel started afresh on the same directory lists the same runs.
    DrillsPanel again(*m_engine, options());
    QAbstractItemModelTester tester(again.historyModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QTRY_COMPARE(again.historyModel()->rowCount(), 3); // read off the UI thread
    for (int r = 0; r < 3; ++r) {
        QCOMPARE(again.historyModel()->entry(r).journalPath, model->entry(r).journalPath);
        QCOMPARE(cell(again.historyModel(), r, DrillHistoryModel::VerdictColumn),
            cell(model, r, DrillHistoryModel::VerdictColumn));
    }
}

void TestDrillsPanel::openReportAndExportJournal()
{
    auto* table = m_panel->findChild<QTableView*>(u"drillHistoryTable"_s);
    table->selectRow(0);
    QUrl opened;
    m_panel->setUrlOpener([&opened](const QUrl& url) {
        opened = url;
        return true;
    });
    QVERIFY(button("openReportButton")->isEnabled());
    QTest::mouseClick(button("openReportButton"), Qt::LeftButton);
    QCOMPARE(opened, QUrl::fromLocalFile(m_panel->selectedReportPath()));
    QVERIFY(opened.toLocalFile().endsWith(u".report.md"_s));

    QTemporaryDir dir;
    const QString target = dir.filePath(u"exported.json"_s);
    QVERIFY(m_panel->exportJournal(target));
    QFile a(target);
    QFile b(m_panel->selectedJournalPath());
    QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
    QCOMPARE(a.readAll(), b.readAll());
    QVERIFY(m_panel->exportJournal(target)); // replaces it
    m_panel->setUrlOpener([](const QUrl&) { return true; });
}

// Closing the console mid-drill: the drill is aborted, its rollbacks run
// and its journal is still written.
void TestDrillsPanel::closingWhileRunningAbortsAndKeepsTheJournal()
{
    QTemporaryDir dir;
    pulse::ui::DrillsPanelOptions o = options();
    o.historyDir = dir.path();
    {
        DrillsPanel panel(*m_engine, o);
        panel.setConfirmer([](const QStringList&) { return true; });
        QVERIFY(panel.selectDrill(u"replica-outage"_s));
        QSignalSpy steps(&panel.controller(), &DrillController::stepFinished);
        panel.runSelected();
        QVERIFY(panel.controller().isRunning());
        QVERIFY(steps.wait(60'000));
    }
    const auto history = pulse::ui::readDrillHistory(dir.path());
    QCOMPARE(history.size(), size_t {1});
    QCOMPARE(history.front().status, u"aborted"_s);
    QVERIFY(!history.front().reportPath.isEmpty());
    QVERIFY(SandboxFixture::instance().isRunning(pulse::SandboxNode::Replica));
}

QTEST_MAIN(TestDrillsPanel)
#include "tst_drills_panel.moc"

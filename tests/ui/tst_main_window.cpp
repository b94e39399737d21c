// The main window against a real primary + replica (the executable's
// sandbox): engine state reaches the widgets, widget actions reach the engine.
// No fixed sleeps: every wait is a bounded QTRY_* on an observable condition.

#include "SandboxFixture.hpp"

#include "Formatting.hpp"
#include "bridge/EngineBridge.hpp"
#include "charts/ChartsPanel.hpp"
#include "config/SettingsLoader.hpp"
#include "engine/Engine.hpp"
#include "etl/EtlController.hpp"
#include "etl/EtlPanel.hpp"
#include "main/MainWindow.hpp"
#include "main/VerdictBanner.hpp"
#include "topology/ClusterStrip.hpp"
#include "topology/NodeCard.hpp"
#include "topology/RoutingInspector.hpp"
#include "topology/DecisionTableModel.hpp"
#include "topology/NodeTableModel.hpp"

#include <QAbstractItemModelTester>
#include <QDialog>
#include <QPushButton>
#include <QAction>
#include <QCheckBox>
#include <QLabel>
#include <QStandardPaths>
#include <QStyleOptionButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using namespace std::chrono_literals;
using pulse::ui::DecisionTableModel;
using pulse::ui::NodeTableModel;

namespace {

constexpr int kTopologyTimeoutMs = 30'000;

QString cell(const QAbstractItemModel* model, int row, int column)
{
    return model->index(row, column).data(Qt::DisplayRole).toString();
}

pulse::RoutingDecision decision(std::uint64_t sequence)
{
    pulse::RoutingDecision d;
    d.sequence = sequence;
    d.time = std::chrono::system_clock::now();
    d.operation = "dashboard_metrics";
    d.context = "dashboard";
    d.profile = "read";
    d.target = pulse::Target::Replica;
    d.reason = "replica-eligible read";
    return d;
}

// A click where a person clicks: on the check box's indicator.
void clickCheckBox(QCheckBox* box)
{
    QStyleOptionButton option;
    option.initFrom(box);
    const QRect indicator = box->style()->subElementRect(QStyle::SE_CheckBoxIndicator, &option, box);
    QTest::mouseClick(box, Qt::LeftButton, {}, indicator.center());
}

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanupTestCase();

    // Pure model checks (synthetic snapshots).
    void nodeModelShowsSnapshot_data();
    void nodeModelShowsSnapshot();
    void decisionModelIsBoundedNewestFirst();
    void conciseErrorKeepsTheReason_data();
    void conciseErrorKeepsTheReason();

    // Against the sandbox.
    void showsHealthyTopology();
    void neverShowsThePassword();
    void uncheckingUseReadReplicaTurnsTheEngineFlagOff();
    void engineFlagChangeShowsInTheCheckbox();
    void routedReadAppearsInTheDecisionTable();
    void pauseHoldsTheTablesStill();
    void stoppedReplicaShowsDegraded();
    void readOnlyDisablesEveryAction();
    void closingStopsRunningWorkFirst();
    void connectElsewhereRestartsWithArguments();
    void layoutAndChartWindowSurviveARestart();

private:
    bool topologyHealthy() const;
    // A window on the test engine: fast refresh, nothing saved, files in m_dataDir.
    pulse::ui::MainWindowOptions windowOptions(bool readOnly = false) const;

    std::unique_ptr<pulse::Engine> m_engine;
    std::unique_ptr<pulse::ui::MainWindow> m_window;
    std::unique_ptr<QAbstractItemModelTester> m_nodeTester;
    std::unique_ptr<QAbstractItemModelTester> m_decisionTester;
    QTableView* m_nodeTable = nullptr;
    QTableView* m_decisionTable = nullptr;
    pulse::ui::VerdictBanner* m_banner = nullptr;
    QCheckBox* m_useReadReplica = nullptr;
    QCheckBox* m_fallback = nullptr;
    std::string m_password;
    QTemporaryDir m_dataDir;
};

void TestMainWindow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    pulse::Settings settings;
    try {
        pulse::LoadOptions options;
        options.useDefaultEnvFile = false; // hermetic: no ./.env, no process environment
        options.sandbox = pulse::SettingsLayer {
            {pulse::SourceKind::Sandbox, "sandbox (test fixture)"}, SandboxFixture::settingsValues()};
        options.commandLine = {{"MONITOR_INTERVAL_MS", "100"}, {"MONITOR_PROBE_TIMEOUT_MS", "90"}};
        settings = pulse::SettingsLoader::load(options);
    } catch (const std::exception& e) {
        QFAIL(e.what());
    }
    m_password = settings.password;
    m_engine = std::make_unique<pulse::Engine>(settings);
    m_engine->startMonitor();

    pulse::ui::MainWindowOptions options = windowOptions();
    options.confirm = [](const QString&) { return true; };  // a person who answers yes
    m_window = std::make_unique<pulse::ui::MainWindow>(*m_engine, options);

    m_nodeTable = m_window->findChild<QTableView*>(QStringLiteral("nodeTable"));
    m_decisionTable = m_window->findChild<QTableView*>(QStringLiteral("decisionTable"));
    m_banner = m_window->findChild<pulse::ui::VerdictBanner*>(QStringLiteral("verdictBanner"));
    m_useReadReplica = m_window->findChild<QCheckBox*>(QStringLiteral("useReadReplicaSwitch"));
    m_fallback = m_window->findChild<QCheckBox*>(QStringLiteral("replicaFallbackSwitch"));
    QVERIFY(m_nodeTable && m_decisionTable && m_banner && m_useReadReplica && m_fallback);
    QVERIFY(qobject_cast<NodeTableModel*>(m_nodeTable->model()));
    // The table shows the routing inspector's log through its filter.
    QCOMPARE(qobject_cast<QSortFilterProxyModel*>(m_decisionTable->model())->sourceModel(),
             &m_window->inspector().decisions());

    // Attached before any data arrives, so every reset, change and insert is checked.
    m_nodeTester = std::make_unique<QAbstractItemModelTester>(
        m_nodeTable->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_decisionTester = std::make_unique<QAbstractItemModelTester>(
        m_decisionTable->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);

    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    QCOMPARE(m_window->windowTitle(), QStringLiteral("Pulse Console"));
}

pulse::ui::MainWindowOptions TestMainWindow::windowOptions(bool readOnly) const
{
    pulse::ui::MainWindowOptions options;
    options.refreshInterval = 100ms;
    options.persistGeometry = false;
    options.readOnly = readOnly;
    options.dataDirectory = m_dataDir.path();
    return options;
}

void TestMainWindow::init()
{
    try {
        SandboxFixture::ensureBothRunning();
    } catch (const std::exception& e) {
        QFAIL(e.what());
    }
    if (m_engine) {
        m_engine->flags().setUseReadReplica(true, "test");
        m_engine->flags().setReplicaFallbackEnabled(true, "test");
    }
}

void TestMainWindow::cleanupTestCase()
{
    m_decisionTester.reset();
    m_nodeTester.reset();
    m_window.reset(); // the bridge goes before the engine it reads
    m_engine.reset();
    SandboxFixture::teardown();
}

bool TestMainWindow::topologyHealthy() const
{
    const auto* model = qobject_cast<const NodeTableModel*>(m_nodeTable->model());
    const int primary = model->rowOf(QStringLiteral("primary"));
    const int replica = model->rowOf(QStringLiteral("replica"));
    return primary >= 0 && replica >= 0 && cell(model, primary, NodeTableModel::RoleColumn) == u"primary"
        && cell(model, replica, NodeTableModel::RoleColumn) == u"replica"
        && m_banner->health() == pulse::Health::Healthy;
}

void TestMainWindow::nodeModelShowsSnapshot_data()
{
    QTest::addColumn<bool>("replicaConfigured");
    QTest::addColumn<bool>("replicaReachable");
    QTest::addColumn<QString>("walReceiver");
    QTest::addColumn<int>("waiters");
    QTest::addColumn<QString>("replicaState");
    QTest::addColumn<QString>("replicaRole");
    QTest::addColumn<QString>("replicaWal");
    QTest::addColumn<QString>("primaryPool");
    QTest::addColumn<QString>("health");

    QTest::addRow("streaming") << true << true << "streaming" << 0 << "up"
                               << "replica"
                               << "streaming"
                               << "3/50 (6%)"
                               << "Healthy";
    QTest::addRow("not streaming") << true << true << "" << 0 << "up"
                                   << "replica"
                                   << "none"
                                   << "3/50 (6%)"
                                   << "Degraded";
    QTest::addRow("unreachable") << true << false << "" << 2 << "unreachable"
                                 << "unknown"
                                 << "\u2014"
                                 << "3/50 (6%), 2 waiting"
                                 << "Degraded";
    QTest::addRow("no replica") << false << false << "" << 0 << "not configured"
                                << "\u2014"
                                << "\u2014"
                                << "3/50 (6%)"
                                << "Healthy";
}

void TestMainWindow::nodeModelShowsSnapshot()
{
    QFETCH(bool, replicaConfigured);
    QFETCH(bool, replicaReachable);
    QFETCH(QString, walReceiver);
    QFETCH(int, waiters);
    QFETCH(QString, replicaState);
    QFETCH(QString, replicaRole);
    QFETCH(QString, replicaWal);
    QFETCH(QString, primaryPool);
    QFETCH(QString, health);

    pulse::TopologyStatus status;
    status.time = std::chrono::system_clock::now();
    pulse::NodeStatus primary;
    primary.name = "primary";
    primary.endpoint = "127.0.0.1:5432";
    primary.reachable = true;
    primary.role = "primary";
    primary.serverVersion = "15.20 (Debian 15.20-0+deb12u1)";
    primary.roundTripMs = 0.4;
    pulse::NodeStatus replica;
    replica.name = "replica";
    replica.endpoint = "127.0.0.1:5433";
    replica.configured = replicaConfigured;
    replica.reachable = replicaReachable;
    replica.inRecovery = replicaReachable;
    replica.role = replicaReachable ? "replica" : (replicaConfigured ? "unknown" : "none");
    replica.walReceiverStatus = walReceiver.toStdString();
    replica.error = replicaConfigured && !replicaReachable ? "connection refused" : "";
    status.nodes = {primary, replica};
    pulse::PoolStats pool;
    pool.name = "primary";
    pool.size = 20;
    pool.maxOverflow = 30;
    pool.checkedOut = 3;
    pool.utilisationPercent = 6;
    pool.waiters = waiters;
    status.pools = {pool};
    status.judge();

    NodeTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.resetData(status);
    model.resetData(status); // same shape: updated in place
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(cell(&model, 0, NodeTableModel::StateColumn), QStringLiteral("up"));
    QCOMPARE(cell(&model, 0, NodeTableModel::VersionColumn), QStringLiteral("15.20"));
    QCOMPARE(cell(&model, 0, NodeTableModel::PoolColumn), primaryPool);
    QCOMPARE(cell(&model, 1, NodeTableModel::StateColumn), replicaState);
    QCOMPARE(cell(&model, 1, NodeTableModel::RoleColumn), replicaRole);
    QCOMPARE(cell(&model, 1, NodeTableModel::WalReceiverColumn), replicaWal);
    // The state's colour always comes with its word.
    QVERIFY(model.index(1, NodeTableModel::StateColumn).data(Qt::DecorationRole).isValid());
    QCOMPARE(pulse::ui::VerdictBanner().health().has_value(), false);
    pulse::ui::VerdictBanner banner;
    banner.showStatus(status);
    QVERIFY2(banner.text().startsWith(health), qPrintable(banner.text()));
}

void TestMainWindow::decisionModelIsBoundedNewestFirst()
{
    DecisionTableModel model(3);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.appendDecisions({decision(1), decision(2), decision(3), decision(4), decision(5)});
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.decisionAt(0).sequence, 5u);
    QCOMPARE(model.decisionAt(2).sequence, 3u);
    model.appendDecisions({decision(6), decision(7)});
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.decisionAt(0).sequence, 7u);
    QCOMPARE(model.decisionAt(2).sequence, 5u);
    QCOMPARE(cell(&model, 0, DecisionTableModel::TargetColumn), QStringLiteral("replica"));
    QCOMPARE(cell(&model, 0, DecisionTableModel::OutcomeColumn), QStringLiteral("routed"));
    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

void TestMainWindow::conciseErrorKeepsTheReason_data()
{
    QTest::addColumn<QString>("error");
    QTest::addColumn<QString>("shown");
    QTest::addRow("tcp refused")
        << "cannot connect to replica (host=127.0.0.1 port=5433 user=pulse_user dbname=pulse_db password=********): "
           "connection to server at \"127.0.0.1\", port 5433 failed: Connection refused\n\tIs the server running?"
        << "cannot connect to replica: Connection refused Is the server running?";
    QTest::addRow("socket") << "cannot connect to primary (host=/tmp/s port=5432): connection to server on socket "
                               "\"/tmp/s/.s.PGSQL.5432\" failed: No such file or directory"
                            << "cannot connect to primary: No such file or directory";
    QTest::addRow("timeout") << "primary did not answer within 3000 ms"
                             << "primary did not answer within 3000 ms";
}

void TestMainWindow::conciseErrorKeepsTheReason()
{
    QFETCH(QString, error);
    QFETCH(QString, shown);
    QCOMPARE(pulse::ui::conciseError(error), shown);
}

void TestMainWindow::showsHealthyTopology()
{
    QTRY_VERIFY_WITH_TIMEOUT(topologyHealthy(), kTopologyTimeoutMs);
    QVERIFY2(m_banner->text().startsWith(u"Healthy"), qPrintable(m_banner->text()));
    QVERIFY(m_window->hasShownStatus());

    const auto* model = qobject_cast<const NodeTableModel*>(m_nodeTable->model());
    const int primary = model->rowOf(QStringLiteral("primary"));
    const int replica = model->rowOf(QStringLiteral("replica"));
    QCOMPARE(cell(model, primary, NodeTableModel::StateColumn), QStringLiteral("up"));
    QCOMPARE(cell(model, replica, NodeTableModel::StateColumn), QStringLiteral("up"));
    QCOMPARE(cell(model, replica, NodeTableModel::WalReceiverColumn), QStringLiteral("streaming"));
    QVERIFY(cell(model, primary, NodeTableModel::PoolColumn).contains(u'/'));

    const auto* updated = m_window->findChild<QLabel*>(QStringLiteral("lastUpdatedLabel"));
    QVERIFY(updated);
    QVERIFY2(updated->text().startsWith(u"Last updated "), qPrintable(updated->text()));
}

void TestMainWindow::neverShowsThePassword()
{
    QTRY_VERIFY_WITH_TIMEOUT(topologyHealthy(), kTopologyTimeoutMs);
    QVERIFY2(!m_password.empty(), "the sandbox is expected to use a password");
    const QString password = QString::fromStdString(m_password);
    const QAbstractItemModel* models[] = {m_nodeTable->model(), m_decisionTable->model()};
    for (const QAbstractItemModel* model : models)
        for (int row = 0; row < model->rowCount(); ++row)
            for (int column = 0; column < model->columnCount(); ++column)
                for (const int role : {int(Qt::DisplayRole), int(Qt::ToolTipRole)})
                    QVERIFY(!model->index(row, column).data(role).toString().contains(password));
    for (const QLabel* label : m_window->findChildren<QLabel*>())
        QVERIFY2(!label->text().contains(password), qPrintable(label->objectName()));
    QVERIFY(!m_window->windowTitle().contains(password));
}

void TestMainWindow::uncheckingUseReadReplicaTurnsTheEngineFlagOff()
{
    QTRY_VERIFY(m_useReadReplica->isChecked());
    QVERIFY(m_engine->flags().useReadReplica());

    clickCheckBox(m_useReadReplica);
    QCOMPARE(m_engine->flags().useReadReplica(), false); // at once, no round trip
    QVERIFY(!m_useReadReplica->isChecked());
    // The verdict follows with the next snapshot.
    QTRY_VERIFY_WITH_TIMEOUT(m_banner->text().contains(u"USE_READ_REPLICA off"), kTopologyTimeoutMs);

    clickCheckBox(m_useReadReplica);
    QCOMPARE(m_engine->flags().useReadReplica(), true);
}

void TestMainWindow::engineFlagChangeShowsInTheCheckbox()
{
    QTRY_VERIFY(m_fallback->isChecked());
    m_engine->flags().setReplicaFallbackEnabled(false, "test");
    QTRY_VERIFY(!m_fallback->isChecked());
    m_engine->flags().setUseReadReplica(false, "test");
    QTRY_VERIFY(!m_useReadReplica->isChecked());
    m_engine->flags().setReplicaFallbackEnabled(true, "test");
    m_engine->flags().setUseReadReplica(true, "test");
    QTRY_VERIFY(m_fallback->isChecked() && m_useReadReplica->isChecked());
}

void TestMainWindow::routedReadAppearsInTheDecisionTable()
{
    QTRY_VERIFY_WITH_TIMEOUT(topologyHealthy(), kTopologyTimeoutMs);
    std::uint64_t sequence = 0;
    try {
        auto session = m_engine->router().readSession();
        session.exec("SELECT 1");
        QVERIFY(session.target() == pulse::Target::Replica);
        sequence = session.decision().sequence;
    } catch (const std::exception& e) {
        QFAIL(e.what());
    }

    const auto* model = &m_window->inspector().decisions();
    QTRY_VERIFY(model->rowCount() > 0 && model->decisionAt(0).sequence == sequence);
    QCOMPARE(cell(model, 0, DecisionTableModel::OperationColumn), QStringLiteral("dashboard_metrics"));
    QCOMPARE(cell(model, 0, DecisionTableModel::ContextColumn), QStringLiteral("dashboard"));
    QCOMPARE(cell(model, 0, DecisionTableModel::TargetColumn), QStringLiteral("replica"));
    QCOMPARE(cell(model, 0, DecisionTableModel::OutcomeColumn), QStringLiteral("routed"));
    QVERIFY(!cell(model, 0, DecisionTableModel::ReasonColumn).isEmpty());
}

void TestMainWindow::pauseHoldsTheTablesStill()
{
    auto* pause = m_window->findChild<QAction*>(QStringLiteral("pauseAction"));
    QVERIFY(pause);
    const auto* model = m_decisionTable->model();
    pulse::ui::EngineBridge& bridge = m_window->bridge();
    bridge.poll(); // nothing pending from earlier tests
    const int before = model->rowCount();

    pause->trigger();
    QVERIFY(bridge.isPaused());
    try {
        auto session = m_engine->router().readSession();
        session.exec("SELECT 1");
    } catch (const std::exception& e) {
        QFAIL(e.what());
    }
    bridge.poll(); // a tick while paused applies nothing
    QCOMPARE(model->rowCount(), before);

    pause->trigger(); // resume: catches up at once
    QVERIFY(!bridge.isPaused());
    QCOMPARE(model->rowCount(), std::min(before + 1, DecisionTableModel::kDefaultCapacity));
}

void TestMainWindow::stoppedReplicaShowsDegraded()
{
    QTRY_VERIFY_WITH_TIMEOUT(topologyHealthy(), kTopologyTimeoutMs);
    try {
        SandboxFixture::instance().stop(pulse::SandboxNode::Replica, pulse::StopMode::Fast);
    } catch (const std::exception& e) {
        QFAIL(e.what());
    }

    // The badge and the replica's card say so within two monitor intervals
    // (plus one bridge tick and scheduling slack): a refused connection is
    // noticed by the next probe, not after a timeout.
    const int within = 2 * int(m_engine->settings().monitorInterval.count()) + 100 + 300;
    QTRY_VERIFY_WITH_TIMEOUT(m_banner->health() == pulse::Health::Degraded, within);
    QVERIFY2(m_banner->text().startsWith(u"Degraded"), qPrintable(m_banner->text()));
    const pulse::ui::NodeCard* card = m_window->clusterStrip().card(QStringLiteral("replica"));
    QVERIFY(card);
    QTRY_VERIFY_WITH_TIMEOUT(card->summary().contains(u"unreachable"), within);
    const auto* nodes = qobject_cast<const NodeTableModel*>(m_nodeTable->model());
    const int replica = nodes->rowOf(QStringLiteral("replica"));
    QTRY_COMPARE(cell(nodes, replica, NodeTableModel::StateColumn), QStringLiteral("unreachable"));
    QVERIFY(!cell(nodes, replica, NodeTableModel::ErrorColumn).isEmpty());

    // A replica read now falls back to the primary, and the table says so.
    std::uint64_t sequence = 0;
    try {
        auto session = m_engine->router().readSession();
        session.exec("SELECT 1");
        QVERIFY(session.target() == pulse::Target::Primary);
        sequence = session.decision().sequence;
    } catch (const std::exception& e) {
        QFAIL(e.what());
    }
    const auto* decisions = &m_window->inspector().decisions();
    QTRY_VERIFY(decisions->rowCount() > 0 && decisions->decisionAt(0).sequence == sequence);
    QCOMPARE(cell(decisions, 0, DecisionTableModel::OutcomeColumn), QStringLiteral("fell back"));
    QCOMPARE(cell(decisions, 0, DecisionTableModel::TargetColumn), QStringLiteral("primary"));

    try {
        SandboxFixture::instance().start(pulse::SandboxNode::Replica);
        SandboxFixture::ensureBothRunning();
    } catch (const std::exception& e) {
        QFAIL(e.what());
    }
    QTRY_VERIFY_WITH_TIMEOUT(topologyHealthy(), kTopologyTimeoutMs);
}

void TestMainWindow::readOnlyDisablesEveryAction()
{
    pulse::ui::MainWindowOptions options = windowOptions(true);
    pulse::ui::MainWindow observer(*m_engine, options);
    QVERIFY(observer.windowTitle().contains(u"read-only"));
    QVERIFY(observer.findChild<QLabel*>(QStringLiteral("readOnlyLabel")));
    for (const char* name : {"testReadButton", "useReadReplicaSwitch", "replicaFallbackSwitch", "etlStartButton",
                             "loadTestRunButton", "runButton"}) {
        auto* widget = observer.findChild<QWidget*>(QString::fromLatin1(name));
        QVERIFY2(widget, name);
        QVERIFY2(!widget->isEnabled(), name);
    }
    // Watching still works: the same snapshots reach it.
    QTRY_VERIFY_WITH_TIMEOUT(observer.hasShownStatus(), kTopologyTimeoutMs);
    // Views can be brought to the front by name (pulse-console --view).
    for (const QString& view : observer.viewNames())
        QVERIFY2(observer.showView(view), qPrintable(view));
    QVERIFY(!observer.showView(QStringLiteral("nosuchview")));
}

void TestMainWindow::closingStopsRunningWorkFirst()
{
    pulse::ui::MainWindowOptions options = windowOptions();
    QStringList asked;
    options.confirm = [&asked](const QString& question) {
        asked << question;
        return true;
    };
    pulse::ui::MainWindow window(*m_engine, options);
    window.show();
    // A slow load: it would still run long after the window closed.
    window.etl().controller().start(2'000'000, 500, 2000);
    QTRY_VERIFY_WITH_TIMEOUT(window.etl().controller().active(), kTopologyTimeoutMs);
    QVERIFY(!window.close());  // not yet: the load is asked to stop first
    QCOMPARE(asked.size(), 1);
    QVERIFY2(asked.front().contains(u"ETL load"), qPrintable(asked.front()));
    QTRY_VERIFY_WITH_TIMEOUT(!window.isVisible(), kTopologyTimeoutMs);  // closed once it stopped
    QVERIFY(!window.etl().controller().active());
}

void TestMainWindow::connectElsewhereRestartsWithArguments()
{
    pulse::ui::MainWindowOptions options = windowOptions(true);
    QStringList restartedWith;
    options.reconnect = [&restartedWith](const QStringList& arguments) { restartedWith = arguments; };
    pulse::ui::MainWindow window(*m_engine, options);
    window.show();
    window.showSettingsDialog();
    auto* dialog = window.findChild<QDialog*>(QStringLiteral("settingsDialog"));
    QVERIFY(dialog);
    // Every setting, the password masked.
    auto* table = dialog->findChild<QTableView*>(QStringLiteral("settingsTable"));
    QVERIFY(table && table->model()->rowCount() > 40);
    for (int row = 0; row < table->model()->rowCount(); ++row)
        for (int column = 0; column < table->model()->columnCount(); ++column)
            QVERIFY(!table->model()->index(row, column).data().toString().contains(QString::fromStdString(m_password)));
    auto* sandbox = dialog->findChild<QPushButton*>(QStringLiteral("connectSandboxButton"));
    QVERIFY(sandbox);
    sandbox->click();
    QTRY_VERIFY(!window.isVisible());
    QCOMPARE(restartedWith, (QStringList{QStringLiteral("--sandbox"), QStringLiteral("--read-only")}));
}

void TestMainWindow::layoutAndChartWindowSurviveARestart()
{
    // QSettings under QStandardPaths' test location (initTestCase), not the user's.
    pulse::ui::MainWindowOptions options = windowOptions(true);
    options.persistGeometry = true;
    {
        pulse::ui::MainWindow window(*m_engine, options);
        window.show();
        auto* charts = window.findChild<pulse::ui::ChartsPanel*>();
        QVERIFY(charts);
        charts->setWindow(15min);
        window.resize(1300, 850);
        window.close();
    }
    pulse::ui::MainWindow again(*m_engine, options);
    // Fits a 1366 x 768 laptop screen (docks scroll rather than grow the window).
    QVERIFY2(again.minimumSizeHint().width() <= 1366 && again.minimumSizeHint().height() <= 700,
        qPrintable(QStringLiteral("%1 x %2").arg(again.minimumSizeHint().width()).arg(again.minimumSizeHint().height())));
    auto* charts = again.findChild<pulse::ui::ChartsPanel*>();
    QVERIFY(charts);
    QCOMPARE(charts->window(), 15min);
    QCOMPARE(again.size(), QSize(1300, 850));
    charts->setWindow(pulse::ui::ChartsPanel::kDefaultWindow); // leave the default for the next run
    again.close();
}

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"

// The flags, pools, alerts and log panels against a real primary + replica
// (the executable's sandbox): a switch changes the engine's router flags
// after the injected confirmation, engine state reaches the panels, and
// every table model passes QAbstractItemModelTester. No fixed sleeps: every
// wait is a bounded QTRY_* on an observable condition.

#include "SandboxFixture.hpp"

#include "bridge/EngineBridge.hpp"
#include "common/Logging.hpp"
#include "config/SettingsLoader.hpp"
#include "engine/Engine.hpp"
#include "panels/AlertTableModel.hpp"
#include "panels/AlertsPanel.hpp"
#include "panels/AuditLog.hpp"
#include "panels/AuditLogModel.hpp"
#include "panels/FlagsPanel.hpp"
#include "panels/LogPanel.hpp"
#include "panels/LogSink.hpp"
#include "panels/LogTableModel.hpp"
#include "panels/PoolTableModel.hpp"
#include "panels/PoolsPanel.hpp"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QStyleOptionButton>
#include <QTemporaryDir>
#include <QtTest>

#include <spdlog/logger.h>

#include <memory>
#include <thread>

using namespace std::chrono_literals;
using namespace Qt::StringLiterals;
using pulse::ui::AlertTableModel;
using pulse::ui::AuditLogModel;
using pulse::ui::FlagsPanel;
using pulse::ui::LogTableModel;
using pulse::ui::PoolTableModel;
using Flag = pulse::ui::FlagsPanel::Flag;

namespace {

constexpr int kTopologyTimeoutMs = 30'000;

QString cell(const QAbstractItemModel* model, int row, int column)
{
    return model->index(row, column).data(Qt::DisplayRole).toString();
}

// A click where a person clicks: on the check box's indicator.
void clickCheckBox(QCheckBox* box)
{
    QStyleOptionButton option;
    option.initFrom(box);
    const QRect indicator = box->style()->subElementRect(QStyle::SE_CheckBoxIndicator, &option, box);
    QTest::mouseClick(box, Qt::LeftButton, {}, indicator.center());
}

bool proxyShows(const QAbstractItemModel* model, const QString& text)
{
    for (int row = 0; row < model->rowCount(); ++row)
        if (cell(model, row, LogTableModel::MessageColumn).contains(text))
            return true;
    return false;
}

pulse::Alert alert(std::uint64_t id, pulse::AlertSeverity severity, const char* rule, double value, double threshold)
{
    pulse::Alert a;
    a.id = id;
    a.rule = rule;
    a.subject = "replica";
    a.severity = severity;
    a.message = "test alert";
    a.value = value;
    a.threshold = threshold;
    a.raisedAt = std::chrono::system_clock::now() - 10s;
    return a;
}

std::unique_ptr<QAbstractItemModelTester> testerFor(QAbstractItemModel* model)
{
    return std::make_unique<QAbstractItemModelTester>(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
}

} // namespace

class TestPanels : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanupTestCase();

    // Pure model checks (synthetic values).
    void poolModelShowsPools();
    void alertModelShowsActiveThenPast();
    void logModelIsBounded();
    void logSinkRingIsBounded();
    void auditEntryIsOneJsonObject();

    // Against the sandbox.
    void switchAsksAndAppliesOnlyWhenConfirmed_data();
    void switchAsksAndAppliesOnlyWhenConfirmed();
    void turningFallbackOnAsksToo();
    void engineChangeShowsInWidgetAndAuditLog();
    void heldSwitchesRefuseClicksAndRecordTheHolder();
    void auditFileHasOneJsonLinePerChange();
    void revertRestoresTheConfiguredValues();
    void readOnlyDisablesTheSwitches();
    void lagLimitsAreEditableWithTheirSource();
    void editingMaxLagSecondsAppliesToTheRouterAndIsAudited();
    void editingReadYourWritesWaitAppliesToTheRouter();
    void limitChangedOutsideShowsUpAndRevertRestoresIt();
    void readOnlyDisablesTheLimitEditors();
    void poolsShowConfiguredSizesAndInUse();
    void alertsShowPausedReplay();
    void logPanelShowsRecordsFromAnyThreadAndFiltersByLevel();

private:
    QCheckBox* switchFor(Flag flag) const { return flag == Flag::UseReadReplica ? m_useSwitch : m_fallbackSwitch; }
    // Sets the engine's flags directly and lets the panel catch up.
    void resetEngineFlags();

    std::unique_ptr<pulse::Engine> m_engine;
    std::unique_ptr<pulse::ui::EngineBridge> m_bridge;
    std::shared_ptr<pulse::ui::LogSink> m_sink;
    std::shared_ptr<spdlog::logger> m_earlyLogger;
    QTemporaryDir m_auditDir;
    pulse::Settings m_settings;

    std::unique_ptr<FlagsPanel> m_flags;
    std::unique_ptr<pulse::ui::PoolsPanel> m_pools;
    std::unique_ptr<pulse::ui::AlertsPanel> m_alerts;
    std::unique_ptr<pulse::ui::LogPanel> m_logs;
    std::vector<std::unique_ptr<QAbstractItemModelTester>> m_testers;

    QCheckBox* m_useSwitch = nullptr;
    QCheckBox* m_fallbackSwitch = nullptr;
    QPushButton* m_revert = nullptr;

    QStringList m_questions;
    bool m_answer = true;
};

void TestPanels::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_auditDir.isValid());
    // Created before the panel's sink exists: it must still reach the panel.
    m_earlyLogger = pulse::logger("panels.early");
    m_sink = pulse::ui::LogSink::install();

    try {
        pulse::LoadOptions options;
        options.useDefaultEnvFile = false; // hermetic: no ./.env, no process environment
        options.sandbox = pulse::SettingsLayer {
            {pulse::SourceKind::Sandbox, "sandbox (test fixture)"}, SandboxFixture::settingsValues()};
        options.commandLine = {{"MONITOR_INTERVAL_MS", "100"}, {"MONITOR_PROBE_TIMEOUT_MS", "90"},
            {"ALERT_CLEAR_SECONDS", "0.5"}, {"REPLICA_FALLBACK_ENABLED", "true"}, {"REPLICA_MAX_LAG_SECONDS", "3"}};
        m_settings = pulse::SettingsLoader::load(options);
    } catch (const std::exception& e) {
        QFAIL(e.what());
    }
    m_engine = std::make_unique<pulse::Engine>(m_settings);
    m_engine->startMonitor();
    m_bridge = std::make_unique<pulse::ui::EngineBridge>(*m_engine, 100ms);

    pulse::ui::FlagsPanelOptions options;
    options.auditDirectory = m_auditDir.path();
    options.user = u"tester"_s;
    options.confirm = [this](const QString& question) {
        m_questions << question;
        return m_answer;
    };
    m_flags = std::make_unique<FlagsPanel>(*m_bridge, options);
    m_pools = std::make_unique<pulse::ui::PoolsPanel>(*m_bridge);
    m_alerts = std::make_unique<pulse::ui::AlertsPanel>(*m_bridge);
    m_logs = std::make_unique<pulse::ui::LogPanel>(m_sink);

    // Attached before any data arrives, so every reset, change and insert is checked.
    m_testers.push_back(testerFor(m_flags->auditModel()));
    m_testers.push_back(testerFor(m_pools->model()));
    m_testers.push_back(testerFor(m_alerts->model()));
    m_testers.push_back(testerFor(m_logs->model()));
    m_testers.push_back(testerFor(m_logs->filterModel()));

    m_useSwitch = m_flags->findChild<QCheckBox*>(u"useReadReplicaSwitch"_s);
    m_fallbackSwitch = m_flags->findChild<QCheckBox*>(u"replicaFallbackSwitch"_s);
    m_revert = m_flags->findChild<QPushButton*>(u"revertFlagsButton"_s);
    QVERIFY(m_useSwitch && m_fallbackSwitch && m_revert);

    for (QWidget* panel :
        std::initializer_list<QWidget*> {m_flags.get(), m_pools.get(), m_alerts.get(), m_logs.get()}) {
        panel->resize(900, 500);
        panel->show();
        QVERIFY(QTest::qWaitForWindowExposed(panel));
    }
    QCOMPARE(m_flags->auditLog().filePath(), QDir(m_auditDir.path()).filePath(u"audit.log"_s));
}

void TestPanels::init()
{
    try {
        SandboxFixture::ensureBothRunning();
    } catch (const std::exception& e) {
        QFAIL(e.what());
    }
    resetEngineFlags();
    m_questions.clear();
    m_answer = true;
    m_flags->setReadOnly(false);
}

void TestPanels::resetEngineFlags()
{
    if (!m_engine)
        return;
    m_engine->flags().setUseReadReplica(true, "test");
    m_engine->flags().setReplicaFallbackEnabled(true, "test");
    m_bridge->poll();
    QVERIFY(m_flags->value(Flag::UseReadReplica) && m_flags->value(Flag::ReplicaFallbackEnabled));
}

void TestPanels::cleanupTestCase()
{
    m_testers.clear();
    m_logs.reset();
    m_alerts.reset();
    m_pools.reset();
    m_flags.reset();
    m_bridge.reset(); // the bridge goes before the engine it reads
    m_engine.reset();
    pulse::ui::LogSink::uninstall(m_sink);
    SandboxFixture::teardown();
}

void TestPanels::poolModelShowsPools()
{
    pulse::PoolStats primary;
    primary.name = "primary";
    primary.size = 20;
    primary.maxOverflow = 30;
    primary.open = 25;
    primary.idle = 2;
    primary.checkedOut = 23;
    primary.overflowInUse = 5;
    primary.waiters = 1;
    primary.timeouts = 4;
    primary.recycled = 7;
    primary.utilisationPercent = 46;
    pulse::PoolStats replica;
    replica.name = "replica";
    replica.size = 15;
    replica.maxOverflow = 20;

    PoolTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.resetPools({primary, replica});
    model.resetPools({primary, replica}); // same shape: updated in place
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.rowOf(u"replica"_s), 1);
    QCOMPARE(cell(&model, 0, PoolTableModel::SizeColumn), u"20"_s);
    QCOMPARE(cell(&model, 0, PoolTableModel::MaxOverflowColumn), u"30"_s);
    QCOMPARE(cell(&model, 0, PoolTableModel::IdleColumn), u"2"_s);
    QCOMPARE(cell(&model, 0, PoolTableModel::InUseColumn), u"23"_s);
    QCOMPARE(cell(&model, 0, PoolTableModel::OverflowColumn), u"5"_s);
    QCOMPARE(cell(&model, 0, PoolTableModel::WaitersColumn), u"1"_s);
    QCOMPARE(cell(&model, 0, PoolTableModel::TimeoutsColumn), u"4"_s);
    QCOMPARE(cell(&model, 0, PoolTableModel::RecycledColumn), u"7"_s);
    QCOMPARE(cell(&model, 0, PoolTableModel::UtilisationColumn), u"46%"_s);
    QCOMPARE(model.index(0, PoolTableModel::UtilisationColumn).data(PoolTableModel::UtilisationRole).toDouble(), 46.0);
    QVERIFY(!model.index(0, PoolTableModel::SizeColumn).data(PoolTableModel::UtilisationRole).isValid());
    model.resetPools({replica}); // another shape: a reset
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(cell(&model, 0, PoolTableModel::PoolColumn), u"replica"_s);
}

void TestPanels::alertModelShowsActiveThenPast()
{
    AlertTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const pulse::Alert lag = alert(1, pulse::AlertSeverity::Critical, "replication_lag", 31.5, 30);
    pulse::Alert paused = alert(2, pulse::AlertSeverity::Warning, "replay_paused", 0, 0);
    paused.clearedAt = std::chrono::system_clock::now();
    model.update({lag},
        {{pulse::AlertEvent::Kind::Raised, paused, paused.raisedAt},
            {pulse::AlertEvent::Kind::Cleared, paused, paused.clearedAt}});
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.activeCount(), 1);
    QCOMPARE(cell(&model, 0, AlertTableModel::StateColumn), u"active"_s);
    QCOMPARE(cell(&model, 0, AlertTableModel::SeverityColumn), u"CRITICAL"_s);
    QCOMPARE(cell(&model, 0, AlertTableModel::ValueColumn), u"31.5"_s);
    QCOMPARE(cell(&model, 0, AlertTableModel::ThresholdColumn), u"30"_s);
    // Severity is a word, a colour and an icon.
    QVERIFY(model.index(0, AlertTableModel::SeverityColumn).data(Qt::DecorationRole).isValid());
    QVERIFY(model.index(0, AlertTableModel::SeverityColumn).data(Qt::ForegroundRole).isValid());
    QCOMPARE(cell(&model, 1, AlertTableModel::StateColumn), u"cleared"_s);
    QCOMPARE(cell(&model, 1, AlertTableModel::RuleColumn), u"replay_paused"_s);
    QCOMPARE(cell(&model, 1, AlertTableModel::ValueColumn), u"\u2014"_s); // a state rule has no value

    // The history says #1 cleared while an older snapshot still lists it.
    pulse::Alert cleared = lag;
    cleared.clearedAt = std::chrono::system_clock::now() + 1s;
    model.update({lag}, {{pulse::AlertEvent::Kind::Cleared, cleared, cleared.clearedAt}});
    QCOMPARE(model.activeCount(), 0);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.alertAt(0).id, 1u); // most recently cleared first
    model.clearPast();
    QCOMPARE(model.rowCount(), 0);
}

void TestPanels::logModelIsBounded()
{
    LogTableModel model(3);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    std::vector<pulse::ui::LogRecord> records;
    for (int i = 1; i <= 5; ++i) {
        pulse::ui::LogRecord r;
        r.time = std::chrono::system_clock::now();
        r.level = spdlog::level::warn;
        r.logger = "test";
        r.message = "record " + std::to_string(i);
        records.push_back(r);
    }
    model.appendRecords({records.begin(), records.begin() + 2});
    QCOMPARE(model.rowCount(), 2);
    model.appendRecords({records.begin() + 2, records.end()});
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(cell(&model, 0, LogTableModel::MessageColumn), u"record 3"_s);
    QCOMPARE(cell(&model, 2, LogTableModel::MessageColumn), u"record 5"_s);
    QCOMPARE(cell(&model, 2, LogTableModel::LevelColumn), u"warning"_s);
    QCOMPARE(
        model.index(2, LogTableModel::MessageColumn).data(LogTableModel::LevelRole).toInt(), int(spdlog::level::warn));
    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

void TestPanels::logSinkRingIsBounded()
{
    auto sink = std::make_shared<pulse::ui::LogSink>(2);
    spdlog::logger logger("ring", sink);
    logger.set_level(spdlog::level::trace);
    logger.info("one");
    logger.warn("two {}", 2);
    logger.error("three");
    const auto records = sink->drain();
    QCOMPARE(records.size(), size_t(2));
    QCOMPARE(records[0].message, std::string("two 2"));
    QCOMPARE(records[1].level, spdlog::level::err);
    QVERIFY(QString::fromStdString(records[1].formatted).contains(u"[ring]"));
    QCOMPARE(sink->dropped(), std::uint64_t(1));
    QVERIFY(sink->drain().empty());
}

void TestPanels::auditEntryIsOneJsonObject()
{
    pulse::ui::AuditEntry entry;
    entry.when = QDateTime::currentDateTime();
    entry.who = u"alice"_s;
    entry.flag = u"USE_READ_REPLICA"_s;
    entry.from = true;
    entry.to = false;
    entry.sourceBefore = u"environment"_s;
    entry.change = FlagsPanel::kChangedHere;
    const QJsonObject json = entry.toJson();
    QCOMPARE(json.value(u"who"_s).toString(), u"alice"_s);
    QCOMPARE(json.value(u"flag"_s).toString(), u"USE_READ_REPLICA"_s);
    QCOMPARE(json.value(u"from"_s).toBool(), true);
    QCOMPARE(json.value(u"to"_s).toBool(), false);
    QCOMPARE(json.value(u"source_before"_s).toString(), u"environment"_s);
    const QDateTime when = QDateTime::fromString(json.value(u"when"_s).toString(), Qt::ISODateWithMs);
    QVERIFY(when.isValid());
    QCOMPARE(when.toMSecsSinceEpoch(), entry.when.toMSecsSinceEpoch());
}

void TestPanels::switchAsksAndAppliesOnlyWhenConfirmed_data()
{
    QTest::addColumn<int>("flag");
    QTest::addColumn<bool>("answer");
    QTest::addColumn<QString>("consequence");
    QTest::addColumn<QString>("configuredSource");

    QTest::addRow("USE_READ_REPLICA off, refused")
        << int(Flag::UseReadReplica) << false << u"Every read will go to the primary"_s << u"default"_s;
    QTest::addRow("USE_READ_REPLICA off, confirmed")
        << int(Flag::UseReadReplica) << true << u"Every read will go to the primary"_s << u"default"_s;
    QTest::addRow("REPLICA_FALLBACK_ENABLED off, refused")
        << int(Flag::ReplicaFallbackEnabled) << false << u"reads will fail"_s << u"command line (--set)"_s;
    QTest::addRow("REPLICA_FALLBACK_ENABLED off, confirmed")
        << int(Flag::ReplicaFallbackEnabled) << true << u"reads will fail"_s << u"command line (--set)"_s;
}

void TestPanels::switchAsksAndAppliesOnlyWhenConfirmed()
{
    QFETCH(int, flag);
    QFETCH(bool, answer);
    QFETCH(QString, consequence);
    QFETCH(QString, configuredSource);
    const Flag which = Flag(flag);
    QCheckBox* box = switchFor(which);
    auto* sourceLabel = m_flags->findChild<QLabel*>(
        which == Flag::UseReadReplica ? u"useReadReplicaSource"_s : u"replicaFallbackSource"_s);
    QVERIFY(sourceLabel);
    QVERIFY(box->isChecked());
    QCOMPARE(m_flags->source(which), configuredSource);
    QCOMPARE(sourceLabel->text(), u"source: "_s + configuredSource);
    const size_t entriesBefore = m_flags->auditLog().entries().size();
    const int rowsBefore = m_flags->auditModel()->rowCount();

    m_answer = answer;
    clickCheckBox(box);
    QCOMPARE(m_questions.size(), 1);
    QVERIFY2(m_questions.first().contains(FlagsPanel::flagKey(which)), qPrintable(m_questions.first()));
    QVERIFY2(m_questions.first().contains(consequence), qPrintable(m_questions.first()));

    const pulse::FlagValues engine = m_engine->flags().values();
    const bool engineValue = which == Flag::UseReadReplica ? engine.useReadReplica : engine.replicaFallbackEnabled;
    if (!answer) {
        // A refusal changes nothing: not the engine, not the switch, not the log.
        QCOMPARE(engineValue, true);
        QVERIFY(box->isChecked());
        QCOMPARE(m_flags->auditLog().entries().size(), entriesBefore);
        QCOMPARE(sourceLabel->text(), u"source: "_s + configuredSource);
        return;
    }
    QCOMPARE(engineValue, false); // at once, no round trip
    QVERIFY(!box->isChecked());
    QCOMPARE(sourceLabel->text(), u"source: changed here"_s);
    QCOMPARE(m_flags->auditLog().entries().size(), entriesBefore + 1);
    QCOMPARE(m_flags->auditModel()->rowCount(), rowsBefore + 1);
    const pulse::ui::AuditEntry& entry = m_flags->auditModel()->entryAt(0);
    QCOMPARE(entry.who, u"tester"_s);
    QCOMPARE(entry.flag, FlagsPanel::flagKey(which));
    QCOMPARE(entry.from.toBool(), true);
    QCOMPARE(entry.to.toBool(), false);
    QCOMPARE(entry.sourceBefore, configuredSource);
    QCOMPARE(entry.change, FlagsPanel::kChangedHere);
    QCOMPARE(cell(m_flags->auditModel(), 0, AuditLogModel::ToColumn), u"off"_s);
    // The bridge's next ticks report the value set here: not a change from outside.
    m_bridge->poll();
    QTest::qWait(250);
    QCOMPARE(m_flags->auditLog().entries().size(), entriesBefore + 1);
}

void TestPanels::turningFallbackOnAsksToo()
{
    m_answer = true;
    clickCheckBox(m_fallbackSwitch);
    QCOMPARE(m_engine->flags().replicaFallbackEnabled(), false);
    m_questions.clear();
    clickCheckBox(m_fallbackSwitch);
    QCOMPARE(m_questions.size(), 1);
    QVERIFY2(m_questions.first().contains(u"go to the primary"_s), qPrintable(m_questions.first()));
    QCOMPARE(m_engine->flags().replicaFallbackEnabled(), true);
    QVERIFY(m_fallbackSwitch->isChecked());

    // Turning USE_READ_REPLICA back on moves load off the primary: no question.
    clickCheckBox(m_useSwitch);
    QCOMPARE(m_engine->flags().useReadReplica(), false);
    m_questions.clear();
    clickCheckBox(m_useSwitch);
    QVERIFY(m_questions.isEmpty());
    QCOMPARE(m_engine->flags().useReadReplica(), true);
}

void TestPanels::engineChangeShowsInWidgetAndAuditLog()
{
    const size_t before = m_flags->auditLog().entries().size();
    m_engine->flags().setReplicaFallbackEnabled(false, "pulsectl"); // elsewhere, not through the panel
    QTRY_VERIFY(!m_fallbackSwitch->isChecked());
    QCOMPARE(m_flags->source(Flag::ReplicaFallbackEnabled), FlagsPanel::kChangedOutside);
    auto* sourceLabel = m_flags->findChild<QLabel*>(u"replicaFallbackSource"_s);
    QCOMPARE(sourceLabel->text(), u"source: changed outside the console (by pulsectl)"_s);
    QCOMPARE(m_flags->auditLog().entries().size(), before + 1);
    const pulse::ui::AuditEntry& entry = m_flags->auditLog().entries().back();
    QCOMPARE(entry.who, u"pulsectl"_s); // the engine says who
    QCOMPARE(entry.flag, u"REPLICA_FALLBACK_ENABLED"_s);
    QCOMPARE(entry.from.toBool(), true);
    QCOMPARE(entry.to.toBool(), false);
    QCOMPARE(entry.change, FlagsPanel::kChangedOutside);
    QCOMPARE(cell(m_flags->auditModel(), 0, AuditLogModel::ChangeColumn), u"changed outside the console"_s);
    QVERIFY(m_questions.isEmpty()); // nobody asked: it already happened

    m_engine->flags().setUseReadReplica(false, "drill");
    QTRY_VERIFY(!m_useSwitch->isChecked());
    QCOMPARE(m_flags->auditLog().entries().size(), before + 2);
    QCOMPARE(m_flags->auditLog().entries().back().who, u"drill"_s);
}

void TestPanels::heldSwitchesRefuseClicksAndRecordTheHolder()
{
    QVERIFY(m_useSwitch->isEnabled());
    const QString ownTip = m_useSwitch->toolTip();
    QVERIFY(!ownTip.isEmpty());
    m_flags->holdSwitches(u"The load test is running"_s);
    QVERIFY(!m_useSwitch->isEnabled());
    QVERIFY(!m_fallbackSwitch->isEnabled());
    QCOMPARE(m_useSwitch->toolTip(), u"The load test is running"_s);
    const bool before = m_engine->flags().useReadReplica();
    QVERIFY(!m_flags->requestFlag(Flag::UseReadReplica, !before));
    QCOMPARE(m_engine->flags().useReadReplica(), before);
    QVERIFY(!m_flags->revertToConfiguration());

    // What the holder switches is still followed and named.
    m_engine->flags().setUseReadReplica(!before, "loadtest");
    QTRY_COMPARE(m_useSwitch->isChecked(), !before);
    QCOMPARE(m_flags->auditLog().entries().back().who, u"loadtest"_s);
    m_engine->flags().setUseReadReplica(before, "loadtest");
    QTRY_COMPARE(m_useSwitch->isChecked(), before);

    m_flags->holdSwitches(QString());
    QVERIFY(m_useSwitch->isEnabled());
    QVERIFY(m_fallbackSwitch->isEnabled());
    QCOMPARE(m_useSwitch->toolTip(), ownTip);
}

void TestPanels::auditFileHasOneJsonLinePerChange()
{
    m_answer = true;
    clickCheckBox(m_useSwitch); // one more change, so the file is not empty
    QCOMPARE(m_engine->flags().useReadReplica(), false);

    QFile file(m_flags->auditLog().filePath());
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.errorString()));
    const QList<QByteArray> lines = file.readAll().split('\n');
    QVERIFY(lines.last().isEmpty()); // every line ends with a newline
    const auto& entries = m_flags->auditLog().entries();
    QCOMPARE(size_t(lines.size() - 1), entries.size());
    for (int i = 0; i + 1 < lines.size(); ++i) {
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(lines[i], &error);
        QVERIFY2(document.isObject(), qPrintable(error.errorString()));
        const QJsonObject json = document.object();
        const auto& entry = entries[size_t(i)];
        QCOMPARE(json.value(u"flag"_s).toString(), entry.flag);
        QCOMPARE(json.value(u"who"_s).toString(), entry.who);
        QCOMPARE(json.value(u"from"_s), QJsonValue::fromVariant(entry.from));
        QCOMPARE(json.value(u"to"_s), QJsonValue::fromVariant(entry.to));
        QCOMPARE(json.value(u"source_before"_s).toString(), entry.sourceBefore);
        QCOMPARE(json.value(u"change"_s).toString(), entry.change);
        QVERIFY(QDateTime::fromString(json.value(u"when"_s).toString(), Qt::ISODateWithMs).isValid());
    }
    const QJsonObject last = QJsonDocument::fromJson(lines[lines.size() - 2]).object();
    QCOMPARE(last.value(u"flag"_s).toString(), u"USE_READ_REPLICA"_s);
    QCOMPARE(last.value(u"to"_s).toBool(), false);
    QCOMPARE(last.value(u"who"_s).toString(), u"tester"_s);
}

void TestPanels::revertRestoresTheConfiguredValues()
{
    m_answer = true;
    QVERIFY(m_flags->requestFlag(Flag::UseReadReplica, false));
    QVERIFY(m_flags->requestFlag(Flag::ReplicaFallbackEnabled, false));
    QVERIFY(!m_engine->flags().useReadReplica() && !m_engine->flags().replicaFallbackEnabled());
    QVERIFY(m_revert->isEnabled());
    const size_t before = m_flags->auditLog().entries().size();

    // Turning fallback back on sends failed reads to the primary: asked once, refused, nothing changes.
    m_questions.clear();
    m_answer = false;
    QTest::mouseClick(m_revert, Qt::LeftButton);
    QCOMPARE(m_questions.size(), 1);
    QVERIFY2(m_questions.first().contains(u"REPLICA_FALLBACK_ENABLED on"_s), qPrintable(m_questions.first()));
    QVERIFY(!m_engine->flags().useReadReplica() && !m_engine->flags().replicaFallbackEnabled());
    QCOMPARE(m_flags->auditLog().entries().size(), before);

    m_questions.clear();
    m_answer = true;
    QTest::mouseClick(m_revert, Qt::LeftButton);
    QCOMPARE(m_questions.size(), 1);
    QCOMPARE(m_engine->flags().useReadReplica(), m_settings.useReadReplica);
    QCOMPARE(m_engine->flags().replicaFallbackEnabled(), m_settings.replicaFallbackEnabled);
    QVERIFY(m_useSwitch->isChecked() && m_fallbackSwitch->isChecked());
    QCOMPARE(m_flags->source(Flag::UseReadReplica), u"default"_s);
    QCOMPARE(m_flags->source(Flag::ReplicaFallbackEnabled), u"command line (--set)"_s);
    QCOMPARE(m_flags->auditLog().entries().size(), before + 2);
    for (size_t i = before; i < before + 2; ++i) {
        QCOMPARE(m_flags->auditLog().entries()[i].change, FlagsPanel::kReverted);
        QCOMPARE(m_flags->auditLog().entries()[i].to.toBool(), true);
        QCOMPARE(m_flags->auditLog().entries()[i].sourceBefore, FlagsPanel::kChangedHere);
    }
    QVERIFY(!m_revert->isEnabled()); // nothing left to revert
}

void TestPanels::readOnlyDisablesTheSwitches()
{
    QVERIFY(m_useSwitch->isEnabled() && m_fallbackSwitch->isEnabled());
    m_flags->setReadOnly(true);
    QVERIFY(m_flags->isReadOnly());
    QVERIFY(!m_useSwitch->isEnabled());
    QVERIFY(!m_fallbackSwitch->isEnabled());
    QVERIFY(!m_revert->isEnabled());
    const size_t before = m_flags->auditLog().entries().size();
    clickCheckBox(m_useSwitch);
    QVERIFY(!m_flags->requestFlag(Flag::UseReadReplica, false));
    QCOMPARE(m_engine->flags().useReadReplica(), true);
    QVERIFY(m_questions.isEmpty());
    // Still following the engine while read-only.
    m_engine->flags().setUseReadReplica(false, "test");
    QTRY_VERIFY(!m_useSwitch->isChecked());
    QCOMPARE(m_flags->auditLog().entries().size(), before + 1);
    m_flags->setReadOnly(false);
    QVERIFY(m_useSwitch->isEnabled());
}

void TestPanels::lagLimitsAreEditableWithTheirSource()
{
    m_flags->revertToConfiguration(); // sources back to the configured ones
    const auto* seconds = m_flags->findChild<QDoubleSpinBox*>(u"limit_REPLICA_MAX_LAG_SECONDS"_s);
    const auto* bytes = m_flags->findChild<QDoubleSpinBox*>(u"limit_REPLICA_MAX_LAG_BYTES"_s);
    const auto* wait = m_flags->findChild<QDoubleSpinBox*>(u"limit_READ_YOUR_WRITES_WAIT_MS"_s);
    QVERIFY(seconds && bytes && wait);
    QCOMPARE(seconds->value(), 3.0);
    QCOMPARE(bytes->value(), 16777216.0);
    QCOMPARE(wait->value(), 100.0);
    QCOMPARE(seconds->maximum(), 86'400.0);
    QCOMPARE(wait->maximum(), 60'000.0);
    for (const QDoubleSpinBox* editor : {seconds, bytes, wait}) {
        QVERIFY(editor->isEnabled());
        QVERIFY2(editor->toolTip().contains(u"only changes where reads go"), qPrintable(editor->toolTip()));
    }
    const auto sourceOf = [this](const QString& key) {
        const auto* label = m_flags->findChild<QLabel*>(u"limitSource_"_s + key);
        return label ? label->text() : QString();
    };
    QCOMPARE(sourceOf(u"REPLICA_MAX_LAG_SECONDS"_s), u"source: command line (--set)"_s);
    QCOMPARE(sourceOf(u"REPLICA_MAX_LAG_BYTES"_s), u"source: default"_s);
    QCOMPARE(sourceOf(u"READ_YOUR_WRITES_WAIT_MS"_s), u"source: default"_s);
}

void TestPanels::editingMaxLagSecondsAppliesToTheRouterAndIsAudited()
{
    m_flags->revertToConfiguration();
    auto* editor = m_flags->findChild<QDoubleSpinBox*>(u"limit_REPLICA_MAX_LAG_SECONDS"_s);
    QVERIFY(editor);
    const size_t before = m_flags->auditLog().entries().size();

    // As a person edits: select, type, Enter (editingFinished).
    editor->setFocus();
    editor->selectAll();
    QTest::keyClicks(editor, editor->textFromValue(1.5));
    QTest::keyClick(editor, Qt::Key_Return);

    QCOMPARE(m_engine->lagLimits().maxSeconds, 1.5); // at once, no confirmation
    QCOMPARE(m_engine->lagLimits().maxBytes, m_settings.replicaMaxLagBytes);
    const pulse::NodeHealth* replica = m_engine->healthBoard().find("replica");
    QVERIFY(replica);
    QCOMPARE(replica->lagGate.limits().maxSeconds, 1.5);
    QVERIFY(m_questions.isEmpty());
    QCOMPARE(m_flags->limitValue(FlagsPanel::Limit::MaxLagSeconds), 1.5);
    QCOMPARE(m_flags->limitSource(FlagsPanel::Limit::MaxLagSeconds), FlagsPanel::kChangedHere);
    QCOMPARE(m_flags->findChild<QLabel*>(u"limitSource_REPLICA_MAX_LAG_SECONDS"_s)->text(), u"source: changed here"_s);

    QCOMPARE(m_flags->auditLog().entries().size(), before + 1);
    const pulse::ui::AuditEntry& entry = m_flags->auditLog().entries().back();
    QCOMPARE(entry.flag, u"REPLICA_MAX_LAG_SECONDS"_s);
    QCOMPARE(entry.who, u"tester"_s);
    QCOMPARE(entry.from.toDouble(), 3.0);
    QCOMPARE(entry.to.toDouble(), 1.5);
    QCOMPARE(entry.sourceBefore, u"command line (--set)"_s);
    QCOMPARE(entry.change, FlagsPanel::kChangedHere);
    const QJsonObject json = entry.toJson();
    QVERIFY(json.value(u"from"_s).isDouble() && json.value(u"to"_s).isDouble());
    QCOMPARE(json.value(u"to"_s).toDouble(), 1.5);
    QCOMPARE(cell(m_flags->auditModel(), 0, AuditLogModel::FromColumn), u"3"_s);
    QCOMPARE(cell(m_flags->auditModel(), 0, AuditLogModel::ToColumn), u"1.5"_s);

    // Leaving the field again without a change records nothing; the ticks see no outside change.
    Q_EMIT editor->editingFinished();
    m_bridge->poll();
    QTest::qWait(250);
    QCOMPARE(m_flags->auditLog().entries().size(), before + 1);

    // The byte limit through the same path; the time limit is kept.
    QVERIFY(m_flags->requestLimit(FlagsPanel::Limit::MaxLagBytes, 8 << 20));
    QCOMPARE(m_engine->lagLimits().maxBytes, std::int64_t(8 << 20));
    QCOMPARE(replica->lagGate.limits().maxBytes, std::int64_t(8 << 20));
    QCOMPARE(m_engine->lagLimits().maxSeconds, 1.5);
    QCOMPARE(m_flags->auditLog().entries().back().to.toLongLong(), qlonglong(8 << 20));

    // Revert puts both back, with their configured sources.
    QVERIFY(m_revert->isEnabled());
    QTest::mouseClick(m_revert, Qt::LeftButton);
    QVERIFY(m_questions.isEmpty()); // the switches were as configured: nothing to ask
    QCOMPARE(m_engine->lagLimits().maxSeconds, 3.0);
    QCOMPARE(m_engine->lagLimits().maxBytes, m_settings.replicaMaxLagBytes);
    QCOMPARE(replica->lagGate.limits().maxSeconds, 3.0);
    QCOMPARE(editor->value(), 3.0);
    QCOMPARE(m_flags->limitSource(FlagsPanel::Limit::MaxLagSeconds), u"command line (--set)"_s);
    QCOMPARE(m_flags->limitSource(FlagsPanel::Limit::MaxLagBytes), u"default"_s);
    QCOMPARE(m_flags->auditLog().entries().size(), before + 4);
    QCOMPARE(m_flags->auditLog().entries().back().change, FlagsPanel::kReverted);
    QVERIFY(!m_revert->isEnabled());
}

void TestPanels::editingReadYourWritesWaitAppliesToTheRouter()
{
    m_flags->revertToConfiguration();
    auto* editor = m_flags->findChild<QDoubleSpinBox*>(u"limit_READ_YOUR_WRITES_WAIT_MS"_s);
    QVERIFY(editor);
    const size_t before = m_flags->auditLog().entries().size();
    editor->setFocus();
    editor->selectAll();
    QTest::keyClicks(editor, editor->textFromValue(250));
    QTest::keyClick(editor, Qt::Key_Return);
    QCOMPARE(m_engine->router().readYourWritesWait(), 250ms);
    QCOMPARE(m_flags->limitSource(FlagsPanel::Limit::ReadYourWritesWait), FlagsPanel::kChangedHere);
    QCOMPARE(m_flags->auditLog().entries().size(), before + 1);
    const pulse::ui::AuditEntry& entry = m_flags->auditLog().entries().back();
    QCOMPARE(entry.flag, u"READ_YOUR_WRITES_WAIT_MS"_s);
    QCOMPARE(entry.from.toLongLong(), qlonglong(100));
    QCOMPARE(entry.to.toLongLong(), qlonglong(250));

    QVERIFY(m_flags->revertToConfiguration());
    QCOMPARE(m_engine->router().readYourWritesWait(), 100ms);
    QCOMPARE(m_flags->limitSource(FlagsPanel::Limit::ReadYourWritesWait), u"default"_s);
}

void TestPanels::limitChangedOutsideShowsUpAndRevertRestoresIt()
{
    m_flags->revertToConfiguration();
    const size_t before = m_flags->auditLog().entries().size();
    m_engine->setLagLimits(7.25, m_settings.replicaMaxLagBytes); // elsewhere, not through the panel
    QTRY_COMPARE(m_flags->limitValue(FlagsPanel::Limit::MaxLagSeconds), 7.25);
    QCOMPARE(m_flags->limitSource(FlagsPanel::Limit::MaxLagSeconds), FlagsPanel::kChangedOutside);
    QCOMPARE(m_flags->findChild<QDoubleSpinBox*>(u"limit_REPLICA_MAX_LAG_SECONDS"_s)->value(), 7.25);
    QCOMPARE(m_flags->auditLog().entries().size(), before + 1);
    const pulse::ui::AuditEntry& entry = m_flags->auditLog().entries().back();
    QCOMPARE(entry.flag, u"REPLICA_MAX_LAG_SECONDS"_s);
    QCOMPARE(entry.who, u"unknown"_s);
    QCOMPARE(entry.from.toDouble(), 3.0);
    QCOMPARE(entry.to.toDouble(), 7.25);
    QCOMPARE(entry.change, FlagsPanel::kChangedOutside);
    QVERIFY(m_questions.isEmpty());

    QVERIFY(m_flags->revertToConfiguration());
    QCOMPARE(m_engine->lagLimits().maxSeconds, 3.0);
    QCOMPARE(m_flags->limitSource(FlagsPanel::Limit::MaxLagSeconds), u"command line (--set)"_s);
}

void TestPanels::readOnlyDisablesTheLimitEditors()
{
    m_flags->revertToConfiguration();
    m_flags->setReadOnly(true);
    const auto editors = m_flags->findChildren<QDoubleSpinBox*>();
    QCOMPARE(editors.size(), qsizetype(3));
    for (const QDoubleSpinBox* editor : editors)
        QVERIFY2(!editor->isEnabled(), qPrintable(editor->objectName()));
    const size_t before = m_flags->auditLog().entries().size();
    QVERIFY(!m_flags->requestLimit(FlagsPanel::Limit::MaxLagSeconds, 1));
    QCOMPARE(m_engine->lagLimits().maxSeconds, 3.0);
    QCOMPARE(m_flags->auditLog().entries().size(), before);
    // Still following the engine while read-only.
    m_engine->setReadYourWritesWait(300ms);
    QTRY_COMPARE(m_flags->limitValue(FlagsPanel::Limit::ReadYourWritesWait), 300.0);
    QVERIFY(!m_flags->revertToConfiguration());
    QCOMPARE(m_engine->readYourWritesWait(), 300ms);
    m_flags->setReadOnly(false);
    for (const QDoubleSpinBox* editor : editors)
        QVERIFY(editor->isEnabled());
    QVERIFY(m_flags->revertToConfiguration());
    QCOMPARE(m_engine->readYourWritesWait(), 100ms);
}

void TestPanels::poolsShowConfiguredSizesAndInUse()
{
    const PoolTableModel* model = m_pools->model();
    QTRY_VERIFY_WITH_TIMEOUT(model->rowOf(u"primary"_s) >= 0 && model->rowOf(u"replica"_s) >= 0, kTopologyTimeoutMs);
    const int primary = model->rowOf(u"primary"_s);
    const int replica = model->rowOf(u"replica"_s);
    QCOMPARE(cell(model, primary, PoolTableModel::SizeColumn), QString::number(m_settings.primaryPool.size));
    QCOMPARE(
        cell(model, primary, PoolTableModel::MaxOverflowColumn), QString::number(m_settings.primaryPool.maxOverflow));
    QCOMPARE(cell(model, replica, PoolTableModel::SizeColumn), QString::number(m_settings.replicaPool.size));
    QCOMPARE(
        cell(model, replica, PoolTableModel::MaxOverflowColumn), QString::number(m_settings.replicaPool.maxOverflow));

    std::vector<pulse::PoolLease> leases;
    try {
        leases.push_back(m_engine->primaryPool()->acquire(5s));
        leases.push_back(m_engine->primaryPool()->acquire(5s));
    } catch (const std::exception& e) {
        QFAIL(e.what());
    }
    QTRY_VERIFY_WITH_TIMEOUT(cell(model, model->rowOf(u"primary"_s), PoolTableModel::InUseColumn).toInt() >= 2, 10'000);
    const int row = model->rowOf(u"primary"_s);
    QVERIFY(cell(model, row, PoolTableModel::UtilisationColumn).endsWith(u'%'));
    QVERIFY(model->index(row, PoolTableModel::UtilisationColumn).data(PoolTableModel::UtilisationRole).toDouble() > 0);
    leases.clear();
    QTRY_COMPARE_WITH_TIMEOUT(cell(model, model->rowOf(u"primary"_s), PoolTableModel::InUseColumn), u"0"_s, 10'000);
    QVERIFY(cell(model, model->rowOf(u"primary"_s), PoolTableModel::IdleColumn).toInt() >= 2);
}

void TestPanels::alertsShowPausedReplay()
{
    const AlertTableModel* model = m_alerts->model();
    const auto activeRow = [model] {
        const int row = model->rowOf(u"replay_paused"_s, u"replica"_s);
        return row >= 0 && row < model->activeCount() ? row : -1;
    };
    try {
        SandboxFixture::instance().pauseReplay();
    } catch (const std::exception& e) {
        QFAIL(e.what());
    }
    QTRY_VERIFY_WITH_TIMEOUT(activeRow() >= 0, kTopologyTimeoutMs);
    const int row = activeRow();
    QCOMPARE(cell(model, row, AlertTableModel::StateColumn), u"active"_s);
    QCOMPARE(cell(model, row, AlertTableModel::SeverityColumn), u"WARNING"_s);
    QVERIFY(cell(model, row, AlertTableModel::MessageColumn).contains(u"WAL replay paused"));
    QVERIFY(model->index(row, AlertTableModel::SeverityColumn).data(Qt::DecorationRole).isValid());
    const auto* summary = m_alerts->findChild<QLabel*>(u"alertsSummaryLabel"_s);
    QVERIFY2(summary->text().contains(u"active"), qPrintable(summary->text()));
    const qulonglong id = model->index(row, 0).data(AlertTableModel::AlertIdRole).toULongLong();

    try {
        SandboxFixture::instance().resumeReplay();
    } catch (const std::exception& e) {
        QFAIL(e.what());
    }
    // Cleared after ALERT_CLEAR_SECONDS: it moves to the past rows, with its clear time.
    const auto pastRow = [model, id] {
        for (int r = model->activeCount(); r < model->rowCount(); ++r)
            if (model->index(r, 0).data(AlertTableModel::AlertIdRole).toULongLong() == id)
                return r;
        return -1;
    };
    QTRY_VERIFY_WITH_TIMEOUT(pastRow() >= 0, kTopologyTimeoutMs);
    QCOMPARE(cell(model, pastRow(), AlertTableModel::StateColumn), u"cleared"_s);
    QVERIFY(cell(model, pastRow(), AlertTableModel::ClearedColumn) != u"\u2014"_s);
}

void TestPanels::logPanelShowsRecordsFromAnyThreadAndFiltersByLevel()
{
    const QString marker = u"panel-marker-%1"_s.arg(QDateTime::currentMSecsSinceEpoch());
    const std::string text = marker.toStdString();
    std::thread worker([text] { pulse::logger("panels.thread")->warn("from a worker: {}", text); });
    worker.join();
    m_earlyLogger->warn("from an early logger: {}", text);

    const QAbstractItemModel* shown = m_logs->filterModel();
    QTRY_VERIFY(proxyShows(shown, u"from a worker: "_s + marker)); // the panel's timer drains the sink
    QTRY_VERIFY(proxyShows(shown, u"from an early logger: "_s + marker));
    const LogTableModel* model = m_logs->model();
    int row = -1;
    for (int r = 0; r < model->rowCount(); ++r)
        if (cell(model, r, LogTableModel::MessageColumn) == u"from a worker: "_s + marker)
            row = r;
    QVERIFY(row >= 0);
    QCOMPARE(cell(model, row, LogTableModel::LevelColumn), u"warning"_s);
    QCOMPARE(cell(model, row, LogTableModel::LoggerColumn), u"panels.thread"_s);
    QVERIFY(
        model->index(row, LogTableModel::MessageColumn).data(Qt::ToolTipRole).toString().contains(u"[panels.thread]"));

    auto* combo = m_logs->findChild<QComboBox*>(u"logLevelCombo"_s);
    QVERIFY(combo);
    combo->setCurrentIndex(combo->findData(int(spdlog::level::err)));
    QCOMPARE(m_logs->minimumLevel(), spdlog::level::err);
    QVERIFY(!proxyShows(shown, marker)); // hidden, not removed
    QVERIFY(proxyShows(model, marker));
    combo->setCurrentIndex(combo->findData(int(spdlog::level::warn)));
    QVERIFY(proxyShows(shown, marker));

    // Below what the loggers emit (SPDLOG_LEVEL=warn here): choosing debug
    // makes them emit it, for the panel only.
    combo->setCurrentIndex(combo->findData(int(spdlog::level::debug)));
    QVERIFY(pulse::logger("panels.thread")->should_log(spdlog::level::debug));
    pulse::logger("panels.thread")->debug("a debug record: {}", text);
    QTRY_VERIFY(proxyShows(shown, u"a debug record: "_s + marker));
    combo->setCurrentIndex(combo->findData(int(spdlog::level::info)));
    QVERIFY(!pulse::logger("panels.thread")->should_log(spdlog::level::debug));
    QVERIFY(pulse::logger("panels.thread")->should_log(spdlog::level::info));
}

QTEST_MAIN(TestPanels)
#include "tst_panels.moc"

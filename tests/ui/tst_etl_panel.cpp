// The ETL panel and the load-test panel against a real primary + replica (the
// executable's sandbox): clicks start, pause, resume and cancel real loads;
// progress, the rows/s series and the interrupted jobs reach the widgets; a
// resumed job ends with exactly its rows; a short load test fills the
// criteria table. No fixed sleeps: every wait is a bounded QTRY_* or
// QSignalSpy::wait on an observable condition.

#include "SandboxFixture.hpp"

#include "engine/Engine.hpp"
#include "etl/CriteriaTableModel.hpp"
#include "etl/EtlController.hpp"
#include "etl/EtlJobStore.hpp"
#include "etl/EtlJobTableModel.hpp"
#include "etl/EtlPanel.hpp"
#include "etl/EtlText.hpp"
#include "etl/LoadTestController.hpp"
#include "etl/LoadTestPanel.hpp"
#include "pg/PgConnection.hpp"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QtTest>

#include <memory>

using namespace std::chrono_literals;
using namespace Qt::StringLiterals;
using pulse::EtlState;
using pulse::ui::CriteriaTableModel;
using pulse::ui::EtlController;
using pulse::ui::EtlJobTableModel;

namespace {

constexpr int kLoadTimeoutMs = 60'000;

std::unique_ptr<pulse::PgConnection> directPrimary()
{
    return pulse::PgConnection::open(
        SandboxFixture::nodeParams(SandboxFixture::instance(), pulse::SandboxNode::Primary, "tst_etl_panel"));
}

// Rows of job `id` actually present, over all data tables, counted on a
// connection of its own (not the engine's pools).
std::int64_t rowsPresent(std::int64_t id)
{
    auto connection = directPrimary();
    std::int64_t total = 0;
    for (const auto& [table, count] : pulse::EtlJobStore::countRows(*connection, id))
        total += count;
    return total;
}

std::int64_t jobCount()
{
    auto connection = directPrimary();
    if (connection->exec("SELECT to_regclass('public.etl_jobs') IS NULL").boolean(0, 0))
        return 0;
    return connection->exec("SELECT count(*) FROM etl_jobs").integer(0, 0);
}

std::int64_t nowMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

QString describe(const pulse::EtlProgress& p)
{
    return u"%1: %2/%3 rows, detail '%4', error '%5'"_s.arg(pulse::ui::etlStateWord(p.state))
        .arg(p.rowsLoaded)
        .arg(p.totalRows)
        .arg(QString::fromStdString(p.detail), QString::fromStdString(p.error));
}

pulse::Criterion criterion(const char* name, bool pass, bool informational = false)
{
    return pulse::Criterion {name, "p95 0.41 s", "< 2 s", pass, informational};
}

} // namespace

class TestEtlPanel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanupTestCase();

    // Pure (no database).
    void progressText_data();
    void progressText();
    void criteriaModelShowsCriteria();
    void jobModelShowsJobs();

    // Against the sandbox.
    void badInputShowsErrorAndStartsNothing_data();
    void badInputShowsErrorAndStartsNothing();
    void startShowsProgressAndFeedsTheSeries();
    void cancelledJobIsListedAndResumesExactly();
    void readOnlyDisablesEveryAction();
    void loadTestRefusesBadInput();
    void loadTestAsksBeforeTurningTheReplicaOff();
    void loadTestFillsTheCriteriaTable();
    void loadTestStopEndsEarly();

private:
    template <typename T> T* child(QWidget* parent, const QString& name)
    {
        auto* found = parent->findChild<T*>(name);
        if (!found)
            qWarning("no child %s", qPrintable(name));
        return found;
    }
    void setUpLoad(int rows, int chunk, int rate);

    std::unique_ptr<pulse::Engine> m_engine;
    std::unique_ptr<pulse::ui::EtlPanel> m_etl;
    std::unique_ptr<pulse::ui::LoadTestPanel> m_loadTest;
    std::unique_ptr<QAbstractItemModelTester> m_jobTester;
    std::unique_ptr<QAbstractItemModelTester> m_criteriaTester;
    QStringList m_questions;
    bool m_answer = true;
};

void TestEtlPanel::initTestCase()
{
    try {
        m_engine = std::make_unique<pulse::Engine>(SandboxFixture::settings({{"MONITOR_INTERVAL_MS", "500"},
            {"DB_POOL_SIZE", "6"}, {"DB_MAX_OVERFLOW", "6"}, {"ETL_CONNECTIONS", "2"}, {"DASHBOARD_THINK_MS", "100"}}));
    } catch (const std::exception& e) {
        QFAIL(e.what());
    }
    m_engine->startMonitor();
    m_etl = std::make_unique<pulse::ui::EtlPanel>(*m_engine);
    m_loadTest = std::make_unique<pulse::ui::LoadTestPanel>(*m_engine);
    m_loadTest->setConfirmer([this](const QString& question) {
        m_questions << question;
        return m_answer;
    });
    // Attached before any data arrives, so every reset is checked.
    m_jobTester = std::make_unique<QAbstractItemModelTester>(
        &m_etl->jobModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_criteriaTester = std::make_unique<QAbstractItemModelTester>(
        &m_loadTest->criteriaModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_etl->show();
    m_loadTest->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_etl.get()));
    QVERIFY(QTest::qWaitForWindowExposed(m_loadTest.get()));
}

void TestEtlPanel::init()
{
    try {
        SandboxFixture::ensureBothRunning();
    } catch (const std::exception& e) {
        QFAIL(e.what());
    }
    if (m_etl) {
        m_etl->setReadOnly(false);
        m_loadTest->setReadOnly(false);
        QTRY_VERIFY_WITH_TIMEOUT(!m_etl->controller().active(), kLoadTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(!m_loadTest->controller().running(), kLoadTimeoutMs);
    }
}

void TestEtlPanel::cleanupTestCase()
{
    m_criteriaTester.reset();
    m_jobTester.reset();
    m_loadTest.reset(); // the panels go before the engine they use
    m_etl.reset();
    if (m_engine)
        m_engine->stopMonitor();
    m_engine.reset();
    SandboxFixture::teardown();
}

void TestEtlPanel::setUpLoad(int rows, int chunk, int rate)
{
    auto* rowsBox = child<QSpinBox>(m_etl.get(), u"etlRowsSpin"_s);
    auto* chunkBox = child<QSpinBox>(m_etl.get(), u"etlChunkSpin"_s);
    auto* rateBox = child<QSpinBox>(m_etl.get(), u"etlRateSpin"_s);
    QVERIFY(rowsBox && chunkBox && rateBox);
    rowsBox->setValue(rows);
    chunkBox->setValue(chunk);
    rateBox->setValue(rate);
}

void TestEtlPanel::progressText_data()
{
    QTest::addColumn<int>("state");
    QTest::addColumn<qint64>("loaded");
    QTest::addColumn<qint64>("total");
    QTest::addColumn<double>("rate");
    QTest::addColumn<int>("eta"); // -1: unknown
    QTest::addColumn<QString>("expected");
    QTest::addRow("running") << int(EtlState::Running) << qint64(1200) << qint64(9000) << 850.4 << 9
                             << u"1200 of 9000 rows \u00b7 850 rows/s \u00b7 ETA 9 s"_s;
    QTest::addRow("minutes") << int(EtlState::Running) << qint64(0) << qint64(900) << 0.0 << 185
                             << u"0 of 900 rows \u00b7 0 rows/s \u00b7 ETA 3 min 05 s"_s;
    QTest::addRow("hours") << int(EtlState::Braking) << qint64(1) << qint64(2) << 1.0 << 3720
                           << u"1 of 2 rows \u00b7 1 rows/s \u00b7 ETA 1 h 02 min"_s;
    QTest::addRow("paused") << int(EtlState::Paused) << qint64(5) << qint64(10) << 0.0 << -1
                            << u"5 of 10 rows \u00b7 0 rows/s \u00b7 ETA unknown"_s;
    QTest::addRow("completed") << int(EtlState::Completed) << qint64(10) << qint64(10) << 3.0 << 0
                               << u"10 of 10 rows \u00b7 3 rows/s"_s;
}

void TestEtlPanel::progressText()
{
    QFETCH(int, state);
    QFETCH(qint64, loaded);
    QFETCH(qint64, total);
    QFETCH(double, rate);
    QFETCH(int, eta);
    QFETCH(QString, expected);
    QLocale::setDefault(QLocale::c()); // no group separators, whatever the machine's locale
    pulse::EtlProgress p;
    p.state = static_cast<EtlState>(state);
    p.rowsLoaded = loaded;
    p.totalRows = total;
    p.rowsPerSecond = rate;
    if (eta >= 0)
        p.eta = std::chrono::seconds(eta);
    QCOMPARE(pulse::ui::etlProgressText(p), expected);

    p.state = EtlState::Failed;
    p.error = "primary did not come back within 60 s";
    QVERIFY(pulse::ui::etlStateText(p).startsWith(u"Failed"));
    QVERIFY(pulse::ui::etlStateText(p).contains(u"primary did not come back"));
    QLocale::setDefault(QLocale::system());
}

void TestEtlPanel::criteriaModelShowsCriteria()
{
    CriteriaTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.columnCount(), 4);
    const QStringList headers {u"CRITERION"_s, u"MEASURED"_s, u"TARGET"_s, u"RESULT"_s};
    for (int c = 0; c < 4; ++c)
        QCOMPARE(model.headerData(c, Qt::Horizontal).toString(), headers[c]);
    model.resetData({criterion("Dashboard loading time < 2 s during ETL", true),
        criterion("Connection pool utilisation < 80%", false), criterion("ETL rows/s", true, true),
        criterion("ETL without failure", false, true)});
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(model.index(0, CriteriaTableModel::ResultColumn).data().toString(), u"PASS"_s);
    QCOMPARE(model.index(1, CriteriaTableModel::ResultColumn).data().toString(), u"FAIL"_s);
    QCOMPARE(model.index(2, CriteriaTableModel::ResultColumn).data().toString(), u"info"_s);
    QCOMPARE(model.index(3, CriteriaTableModel::ResultColumn).data().toString(), u"FAIL"_s);
    QCOMPARE(model.index(0, CriteriaTableModel::CriterionColumn).data().toString(),
        u"Dashboard loading time < 2 s during ETL"_s);
    QCOMPARE(model.index(0, CriteriaTableModel::MeasuredColumn).data().toString(), u"p95 0.41 s"_s);
    QCOMPARE(model.index(0, CriteriaTableModel::TargetColumn).data().toString(), u"< 2 s"_s);
    // The result's colour always comes with its word.
    QVERIFY(model.index(1, CriteriaTableModel::ResultColumn).data(Qt::DecorationRole).isValid());
    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

void TestEtlPanel::jobModelShowsJobs()
{
    EtlJobTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    pulse::EtlJobRecord cancelled;
    cancelled.id = 12;
    cancelled.status = "cancelled";
    cancelled.totalRows = 1000;
    cancelled.rowsLoaded = 250;
    cancelled.chunkSize = 50;
    cancelled.rowsPerSecond = 100;
    pulse::EtlJobRecord dead = cancelled;
    dead.id = 11;
    dead.status = "running";
    dead.rowsPerSecond.reset();
    pulse::EtlJobRecord failed = cancelled;
    failed.id = 10;
    failed.status = "failed";
    failed.error = "primary did not come back within 60 s";
    model.resetData({cancelled, dead, failed});
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.rowOf(11), 1);
    QCOMPARE(model.rowOf(99), -1);
    QCOMPARE(model.index(0, EtlJobTableModel::JobColumn).data().toString(), u"12"_s);
    QCOMPARE(model.index(0, EtlJobTableModel::StatusColumn).data().toString(), u"cancelled"_s);
    QVERIFY(model.index(0, EtlJobTableModel::RowsColumn).data().toString().contains(u"(25%)"));
    QVERIFY(model.index(0, EtlJobTableModel::ThrottleColumn).data().toString().contains(u"rows/s"));
    QCOMPARE(model.index(1, EtlJobTableModel::StatusColumn).data().toString(), u"interrupted (was running)"_s);
    QCOMPARE(model.index(1, EtlJobTableModel::ThrottleColumn).data().toString(), u"none"_s);
    QCOMPARE(
        model.index(2, EtlJobTableModel::ErrorColumn).data().toString(), u"primary did not come back within 60 s"_s);
    model.resetData({failed});
    QCOMPARE(model.rowCount(), 1);
    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

void TestEtlPanel::badInputShowsErrorAndStartsNothing_data()
{
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("chunk");
    QTest::addColumn<QString>("message");
    QTest::addRow("rows 0") << 0 << 100 << u"rows must be at least 1 (got 0)"_s;
    QTest::addRow("chunk 0") << 1000 << 0 << u"chunk size must be from 1 to"_s;
    QTest::addRow("chunk too large") << 1000 << 2'000'000 << u"chunk size must be from 1 to 1000000 rows"_s;
}

void TestEtlPanel::badInputShowsErrorAndStartsNothing()
{
    QFETCH(int, rows);
    QFETCH(int, chunk);
    QFETCH(QString, message);
    std::int64_t before = 0;
    try {
        before = jobCount();
    } catch (const std::exception& e) {
        QFAIL(e.what());
    }
    setUpLoad(rows, chunk, 0);
    QSignalSpy errors(&m_etl->controller(), &EtlController::errorOccurred);
    auto* start = child<QPushButton>(m_etl.get(), u"etlStartButton"_s);
    QVERIFY(start && start->isEnabled());
    QTest::mouseClick(start, Qt::LeftButton);
    QCOMPARE(errors.count(), 1); // synchronous: validated before anything runs
    QVERIFY2(m_etl->errorText().contains(message), qPrintable(m_etl->errorText()));
    QVERIFY(!m_etl->controller().active());
    QVERIFY(start->isEnabled());
    QVERIFY(!child<QPushButton>(m_etl.get(), u"etlCancelButton"_s)->isEnabled());
    QCOMPARE(jobCount(), before);
}

void TestEtlPanel::startShowsProgressAndFeedsTheSeries()
{
    constexpr int kRows = 12'000;
    const std::int64_t startedMs = nowMs();
    // About 4 s at 3000 rows/s: several one-second series points.
    setUpLoad(kRows, 300, 3000);
    auto& controller = m_etl->controller();
    auto* start = child<QPushButton>(m_etl.get(), u"etlStartButton"_s);
    auto* pause = child<QPushButton>(m_etl.get(), u"etlPauseButton"_s);
    auto* cancel = child<QPushButton>(m_etl.get(), u"etlCancelButton"_s);
    auto* bar = child<QProgressBar>(m_etl.get(), u"etlProgressBar"_s);
    auto* state = child<QLabel>(m_etl.get(), u"etlStateLabel"_s);
    QVERIFY(start && pause && cancel && bar && state);
    QSignalSpy progress(&controller, &EtlController::progressChanged);

    QTest::mouseClick(start, Qt::LeftButton);
    QVERIFY2(m_etl->errorText().isEmpty(), qPrintable(m_etl->errorText()));
    QVERIFY(controller.active());
    QVERIFY(!start->isEnabled());
    QVERIFY(cancel->isEnabled());

    QTRY_VERIFY2_WITH_TIMEOUT(controller.lastProgress().state == EtlState::Running
            && controller.lastProgress().rowsLoaded > 0 && controller.lastProgress().rowsLoaded < kRows,
        qPrintable(describe(controller.lastProgress())), kLoadTimeoutMs);
    QVERIFY(progress.count() > 0);
    QVERIFY(pause->isEnabled());
    QVERIFY(bar->value() > 0 && bar->value() < bar->maximum());
    QVERIFY2(bar->text().contains(u"of"_s) && bar->text().contains(u"rows/s"_s) && bar->text().contains(u"ETA"_s),
        qPrintable(bar->text()));
    QVERIFY2(
        state->text().startsWith(u"Running job %1"_s.arg(controller.lastProgress().jobId)), qPrintable(state->text()));

    const std::string series = "etl_rows_per_second"; // sampled by the monitor
    QTRY_VERIFY_WITH_TIMEOUT(m_engine->series().since(series, startedMs - 1).size() >= 2, kLoadTimeoutMs);
    QTRY_VERIFY2_WITH_TIMEOUT(controller.lastProgress().state == EtlState::Completed,
        qPrintable(describe(controller.lastProgress())), kLoadTimeoutMs);
    QTRY_VERIFY(!controller.active());
    const auto done = controller.lastProgress();
    QCOMPARE(done.rowsLoaded, std::int64_t(kRows));
    QCOMPARE(bar->value(), bar->maximum());
    QVERIFY2(state->text().startsWith(u"Completed"_s), qPrintable(state->text()));
    QVERIFY(start->isEnabled());
    QVERIFY(!pause->isEnabled() && !cancel->isEnabled());

    // One point a second, ms since the epoch like the monitor's series, at
    // least one of them a real rate; a 0 at the next sample once it ended.
    QTRY_VERIFY(m_engine->series().since(series, startedMs - 1).back().value == 0.0);
    const auto points = m_engine->series().since(series, startedMs - 1);
    QVERIFY(points.size() >= 2);
    bool sawRate = false;
    for (size_t i = 0; i < points.size(); ++i) {
        QVERIFY(points[i].timeMs >= startedMs && points[i].timeMs <= nowMs());
        if (i > 0)
            QVERIFY(points[i].timeMs > points[i - 1].timeMs);
        sawRate = sawRate || points[i].value > 0;
    }
    QVERIFY(sawRate);

    try {
        QCOMPARE(rowsPresent(done.jobId), std::int64_t(kRows));
    } catch (const std::exception& e) {
        QFAIL(e.what());
    }
}

void TestEtlPanel::cancelledJobIsListedAndResumesExactly()
{
    constexpr int kRows = 15'000;
    setUpLoad(kRows, 250, 2500);
    auto& controller = m_etl->controller();
    auto* start = child<QPushButton>(m_etl.get(), u"etlStartButton"_s);
    auto* pause = child<QPushButton>(m_etl.get(), u"etlPauseButton"_s);
    auto* unpause = child<QPushButton>(m_etl.get(), u"etlResumeButton"_s);
    auto* cancel = child<QPushButton>(m_etl.get(), u"etlCancelButton"_s);
    auto* jobs = child<QTableView>(m_etl.get(), u"etlJobsTable"_s);
    auto* resumeJob = child<QPushButton>(m_etl.get(), u"etlResumeJobButton"_s);
    QVERIFY(start && pause && unpause && cancel && jobs && resumeJob);

    QTest::mouseClick(start, Qt::LeftButton);
    QTRY_VERIFY2_WITH_TIMEOUT(
        controller.lastProgress().state == EtlState::Running && controller.lastProgress().rowsLoaded >= 1000,
        qPrintable(describe(controller.lastProgress())), kLoadTimeoutMs);
    const std::int64_t jobId = controller.lastProgress().jobId;
    QVERIFY(jobId > 0);

    // Pause holds between chunks; Resume continues.
    QVERIFY(!unpause->isEnabled());
    QTest::mouseClick(pause, Qt::LeftButton);
    QTRY_VERIFY2_WITH_TIMEOUT(controller.lastProgress().state == EtlState::Paused,
        qPrintable(describe(controller.lastProgress())), kLoadTimeoutMs);
    QVERIFY(unpause->isEnabled());
    QVERIFY(!pause->isEnabled());
    QVERIFY(m_etl->stateText().startsWith(u"Paused"_s));
    QTest::mouseClick(unpause, Qt::LeftButton);
    QTRY_VERIFY2_WITH_TIMEOUT(controller.lastProgress().state == EtlState::Running,
        qPrintable(describe(controller.lastProgress())), kLoadTimeoutMs);

    QTest::mouseClick(cancel, Qt::LeftButton);
    QTRY_VERIFY2_WITH_TIMEOUT(controller.lastProgress().state == EtlState::Cancelled,
        qPrintable(describe(controller.lastProgress())), kLoadTimeoutMs);
    QTRY_VERIFY(!controller.active());
    const std::int64_t cancelledAt = controller.lastProgress().rowsLoaded;
    QVERIFY2(cancelledAt > 0 && cancelledAt < kRows, qPrintable(describe(controller.lastProgress())));
    QVERIFY2(m_etl->stateText().startsWith(u"Cancelled job %1"_s.arg(jobId)), qPrintable(m_etl->stateText()));
    QVERIFY(start->isEnabled());

    // The finished load refreshes the list by itself: the job shows up as interrupted.
    const auto& model = m_etl->jobModel();
    QTRY_VERIFY_WITH_TIMEOUT(model.rowOf(jobId) >= 0, kLoadTimeoutMs);
    const int row = model.rowOf(jobId);
    QCOMPARE(model.index(row, EtlJobTableModel::StatusColumn).data().toString(), u"cancelled"_s);
    try {
        QCOMPARE(rowsPresent(jobId), cancelledAt); // the checkpoint and the data agree
    } catch (const std::exception& e) {
        QFAIL(e.what());
    }

    QVERIFY(!resumeJob->isEnabled()); // nothing selected yet
    jobs->selectRow(row);
    QVERIFY(resumeJob->isEnabled());
    QTest::mouseClick(resumeJob, Qt::LeftButton);
    QVERIFY2(m_etl->errorText().isEmpty(), qPrintable(m_etl->errorText()));
    QVERIFY(controller.active());
    QTRY_VERIFY2_WITH_TIMEOUT(controller.lastProgress().state == EtlState::Completed,
        qPrintable(describe(controller.lastProgress())), kLoadTimeoutMs);
    QCOMPARE(controller.lastProgress().jobId, jobId);
    QCOMPARE(controller.lastProgress().rowsLoaded, std::int64_t(kRows));
    // Completed: no longer interrupted.
    QTRY_VERIFY_WITH_TIMEOUT(!controller.listingJobs() && model.rowOf(jobId) < 0, kLoadTimeoutMs);
    try {
        QCOMPARE(rowsPresent(jobId), std::int64_t(kRows)); // none lost, none twice
    } catch (const std::exception& e) {
        QFAIL(e.what());
    }
}

void TestEtlPanel::readOnlyDisablesEveryAction()
{
    const QStringList etlActions {
        u"etlStartButton"_s, u"etlPauseButton"_s, u"etlResumeButton"_s, u"etlCancelButton"_s, u"etlResumeJobButton"_s};
    const QStringList etlInputs {u"etlRowsSpin"_s, u"etlChunkSpin"_s, u"etlRateSpin"_s};
    const QStringList loadTestWidgets {u"loadTestRunButton"_s, u"loadTestStopButton"_s, u"loadTestRowsSpin"_s,
        u"loadTestReadersSpin"_s, u"loadTestDurationSpin"_s};

    m_etl->setReadOnly(true);
    m_loadTest->setReadOnly(true);
    QVERIFY(m_etl->isReadOnly());
    for (const QString& name : etlActions + etlInputs) {
        auto* widget = child<QWidget>(m_etl.get(), name);
        QVERIFY(widget);
        QVERIFY2(!widget->isEnabled(), qPrintable(name));
    }
    for (const QString& name : loadTestWidgets) {
        auto* widget = child<QWidget>(m_loadTest.get(), name);
        QVERIFY(widget);
        QVERIFY2(!widget->isEnabled(), qPrintable(name));
    }
    // Reading still works.
    QVERIFY(child<QWidget>(m_etl.get(), u"etlRefreshJobsButton"_s)->isEnabled());

    m_etl->setReadOnly(false);
    m_loadTest->setReadOnly(false);
    QVERIFY(child<QWidget>(m_etl.get(), u"etlStartButton"_s)->isEnabled());
    QVERIFY(child<QWidget>(m_etl.get(), u"etlRowsSpin"_s)->isEnabled());
    QVERIFY(child<QWidget>(m_loadTest.get(), u"loadTestRunButton"_s)->isEnabled());
    QVERIFY(!child<QWidget>(m_loadTest.get(), u"loadTestStopButton"_s)->isEnabled()); // nothing runs
}

void TestEtlPanel::loadTestRefusesBadInput()
{
    child<QSpinBox>(m_loadTest.get(), u"loadTestRowsSpin"_s)->setValue(1000);
    child<QSpinBox>(m_loadTest.get(), u"loadTestReadersSpin"_s)->setValue(0);
    QSignalSpy running(&m_loadTest->controller(), &pulse::ui::LoadTestController::runningChanged);
    QTest::mouseClick(child<QPushButton>(m_loadTest.get(), u"loadTestRunButton"_s), Qt::LeftButton);
    QVERIFY2(m_loadTest->errorText().contains(u"readers"_s), qPrintable(m_loadTest->errorText()));
    QVERIFY(!m_loadTest->controller().running());
    QCOMPARE(running.count(), 0);
}

void TestEtlPanel::loadTestAsksBeforeTurningTheReplicaOff()
{
    // With the single-database comparison the second phase moves every read
    // to the primary: a refusal must start nothing.
    child<QSpinBox>(m_loadTest.get(), u"loadTestRowsSpin"_s)->setValue(1000);
    child<QSpinBox>(m_loadTest.get(), u"loadTestReadersSpin"_s)->setValue(1);
    child<QCheckBox>(m_loadTest.get(), u"loadTestCompareCheck"_s)->setChecked(true);
    m_questions.clear();
    m_answer = false;
    QSignalSpy running(&m_loadTest->controller(), &pulse::ui::LoadTestController::runningChanged);
    QTest::mouseClick(child<QPushButton>(m_loadTest.get(), u"loadTestRunButton"_s), Qt::LeftButton);
    m_answer = true;
    QCOMPARE(m_questions.size(), 1);
    QVERIFY2(m_questions.front().contains(u"off for its second"_s), qPrintable(m_questions.front()));
    QVERIFY(!m_loadTest->controller().running());
    QCOMPARE(running.count(), 0);
    QVERIFY(m_engine->flags().useReadReplica());

    // Yes: both phases run, the second without the replica, and the flag is set back.
    m_questions.clear();
    QSignalSpy finished(&m_loadTest->controller(), &pulse::ui::LoadTestController::finished);
    QTest::mouseClick(child<QPushButton>(m_loadTest.get(), u"loadTestRunButton"_s), Qt::LeftButton);
    QCOMPARE(m_questions.size(), 1);
    QVERIFY(m_loadTest->controller().running());
    QVERIFY(finished.wait(90'000));
    QVERIFY(m_loadTest->lastReport().has_value());
    const auto& phases = m_loadTest->lastReport()->phases;
    QCOMPARE(phases.size(), size_t(2));
    QVERIFY(phases[0].useReadReplica);
    QVERIFY(!phases[1].useReadReplica);
    QVERIFY(m_engine->flags().useReadReplica());
    QCOMPARE(QString::fromStdString(m_engine->flags().useReadReplicaChangedBy()), u"loadtest"_s);

    // Without the comparison nothing goes to the primary: no question.
    child<QSpinBox>(m_loadTest.get(), u"loadTestReadersSpin"_s)->setValue(0); // then refused by validation: nothing runs
    child<QCheckBox>(m_loadTest.get(), u"loadTestCompareCheck"_s)->setChecked(false);
    m_questions.clear();
    QTest::mouseClick(child<QPushButton>(m_loadTest.get(), u"loadTestRunButton"_s), Qt::LeftButton);
    QVERIFY(m_questions.isEmpty());
}

void TestEtlPanel::loadTestFillsTheCriteriaTable()
{
    child<QSpinBox>(m_loadTest.get(), u"loadTestRowsSpin"_s)->setValue(20'000);
    child<QSpinBox>(m_loadTest.get(), u"loadTestReadersSpin"_s)->setValue(2);
    child<QSpinBox>(m_loadTest.get(), u"loadTestDurationSpin"_s)->setValue(0);
    child<QCheckBox>(m_loadTest.get(), u"loadTestCompareCheck"_s)->setChecked(false);
    auto* run = child<QPushButton>(m_loadTest.get(), u"loadTestRunButton"_s);
    auto* stop = child<QPushButton>(m_loadTest.get(), u"loadTestStopButton"_s);
    auto* table = child<QTableView>(m_loadTest.get(), u"loadTestCriteriaTable"_s);
    auto* log = child<QPlainTextEdit>(m_loadTest.get(), u"loadTestLog"_s);
    QVERIFY(run && stop && table && log);
    QVERIFY(table->model() == &m_loadTest->criteriaModel());

    const auto& controller = m_loadTest->controller();
    QSignalSpy progressed(&controller, &pulse::ui::LoadTestController::progressed);
    QSignalSpy finished(&controller, &pulse::ui::LoadTestController::finished);
    QSignalSpy errors(&controller, &pulse::ui::LoadTestController::errorOccurred);
    QTest::mouseClick(run, Qt::LeftButton);
    QVERIFY2(m_loadTest->errorText().isEmpty(), qPrintable(m_loadTest->errorText()));
    QVERIFY(controller.running());
    QVERIFY(!run->isEnabled());
    QVERIFY(stop->isEnabled());

    QVERIFY(finished.wait(90'000));
    QCOMPARE(errors.count(), 0);
    QVERIFY(progressed.count() > 0);
    QVERIFY(!controller.running());
    QVERIFY(run->isEnabled());
    QVERIFY(!stop->isEnabled());

    QVERIFY(m_loadTest->lastReport().has_value());
    const auto& report = *m_loadTest->lastReport();
    QVERIFY2(report.error.empty(), report.error.c_str());
    QVERIFY(!report.stoppedEarly);
    QCOMPARE(report.phases.size(), size_t(1)); // no single-database comparison
    QCOMPARE(report.phases.front().etl.rows, std::int64_t(20'000));

    const auto& model = m_loadTest->criteriaModel();
    QVERIFY(model.rowCount() > 0);
    QCOMPARE(size_t(model.rowCount()), report.criteria.size());
    for (int row = 0; row < model.rowCount(); ++row) {
        QVERIFY(!model.index(row, CriteriaTableModel::CriterionColumn).data().toString().isEmpty());
        const QString result = model.index(row, CriteriaTableModel::ResultColumn).data().toString();
        QVERIFY2(result == u"PASS"_s || result == u"FAIL"_s || result == u"info"_s, qPrintable(result));
    }
    const QString verdict = m_loadTest->verdictText();
    QVERIFY2(verdict == (report.passed() ? u"PASSED"_s : u"NOT PASSED"_s), qPrintable(verdict));
    QVERIFY(log->toPlainText().contains(u"[1/1 with replica]"_s));
    QVERIFY(log->toPlainText().contains(verdict));
}

void TestEtlPanel::loadTestStopEndsEarly()
{
    // Far more than can load before Stop: the phase has to end early.
    child<QSpinBox>(m_loadTest.get(), u"loadTestRowsSpin"_s)->setValue(5'000'000);
    child<QSpinBox>(m_loadTest.get(), u"loadTestReadersSpin"_s)->setValue(1);
    child<QCheckBox>(m_loadTest.get(), u"loadTestCompareCheck"_s)->setChecked(false);
    const auto& controller = m_loadTest->controller();
    QSignalSpy progressed(&controller, &pulse::ui::LoadTestController::progressed);
    QSignalSpy finished(&controller, &pulse::ui::LoadTestController::finished);
    QTest::mouseClick(child<QPushButton>(m_loadTest.get(), u"loadTestRunButton"_s), Qt::LeftButton);
    QVERIFY(controller.running());
    QTRY_VERIFY_WITH_TIMEOUT(!progressed.isEmpty(), 30'000);
    auto* stop = child<QPushButton>(m_loadTest.get(), u"loadTestStopButton"_s);
    QTest::mouseClick(stop, Qt::LeftButton);
    QVERIFY(controller.stopRequested());
    QVERIFY(!stop->isEnabled());
    QVERIFY(finished.wait(60'000));
    QVERIFY(m_loadTest->lastReport().has_value());
    QVERIFY(m_loadTest->lastReport()->stoppedEarly);
    QVERIFY(m_loadTest->lastReport()->phases.front().etl.rows < 5'000'000);
    QVERIFY2(m_loadTest->verdictText().startsWith(u"NOT PASSED"_s), qPrintable(m_loadTest->verdictText()));
    QVERIFY(m_loadTest->verdictText().contains(u"stopped early"_s));
}

QTEST_MAIN(TestEtlPanel)
#include "tst_etl_panel.moc"

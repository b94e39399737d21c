#include "etl/LoadTestPanel.hpp"

#include "Formatting.hpp"
#include "engine/Engine.hpp"
#include "etl/CriteriaTableModel.hpp"
#include "etl/LoadTestController.hpp"
#include "main/PlaceholderTableView.hpp"

#include <QCheckBox>
#include <QDateTime>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <climits>

namespace pulse::ui {

using namespace Qt::StringLiterals;

namespace {

constexpr int kDefaultRows = 100'000;
constexpr int kLogLines = 1000;

QSpinBox* spinBox(const QString& name, int maximum, int value, QWidget* parent)
{
    auto* box = new QSpinBox(parent);
    box->setObjectName(name);
    box->setRange(0, maximum);
    box->setValue(value);
    box->setGroupSeparatorShown(true);
    return box;
}

} // namespace

LoadTestPanel::LoadTestPanel(Engine& engine, QWidget* parent)
    : QWidget(parent)
    , m_controller(new LoadTestController(engine, this))
    , m_criteria(new CriteriaTableModel(this))
{
    setObjectName(u"loadTestPanel"_s);
    const Settings& settings = engine.settings();

    auto* inputs = new QGroupBox(u"Load test: an ETL load and the dashboard readers together"_s, this);
    m_rows = spinBox(u"loadTestRowsSpin"_s, INT_MAX, kDefaultRows, inputs);
    m_rows->setSuffix(u" rows"_s);
    m_rows->setSingleStep(10'000);
    m_rows->setSpecialValueText(u"default"_s);
    m_rows->setToolTip(
        u"ETL rows per phase; a phase ends when its load completes or the duration passes. "
        u"0: %1 rows, or a load for the whole duration when one is set"_s.arg(LoadTestSpec::kDefaultRows));
    m_readers = spinBox(u"loadTestReadersSpin"_s, 1000, settings.dashboardReaders, inputs);
    m_readers->setToolTip(u"Dashboard readers (DASHBOARD_READERS)"_s);
    m_duration = spinBox(u"loadTestDurationSpin"_s, 24 * 3600, 0, inputs);
    m_duration->setSuffix(u" s"_s);
    m_duration->setSpecialValueText(u"no limit"_s);
    m_duration->setToolTip(u"Longest phase, in seconds"_s);
    m_compare = new QCheckBox(u"Compare with a single database (USE_READ_REPLICA off, same data)"_s, inputs);
    m_compare->setObjectName(u"loadTestCompareCheck"_s);
    m_compare->setChecked(true);

    auto* form = new QFormLayout;
    form->addRow(u"&Rows:"_s, m_rows);
    form->addRow(u"R&eaders:"_s, m_readers);
    form->addRow(u"&Duration:"_s, m_duration);
    form->addRow(QString(), m_compare);

    m_run = new QPushButton(u"&Run"_s, inputs);
    m_run->setObjectName(u"loadTestRunButton"_s);
    m_stop = new QPushButton(u"S&top"_s, inputs);
    m_stop->setObjectName(u"loadTestStopButton"_s);
    m_stop->setToolTip(u"End the running phase early (its load is cancelled at a consistent checkpoint); "
                       u"the report covers what ran"_s);
    m_status = new QLabel(u"Not run yet"_s, inputs);
    m_status->setObjectName(u"loadTestStatusLabel"_s);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_run);
    buttons->addWidget(m_stop);
    buttons->addWidget(m_status, 1);

    m_error = new QLabel(inputs);
    m_error->setObjectName(u"loadTestErrorLabel"_s);
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QPalette palette = m_error->palette();
    palette.setColor(QPalette::WindowText, lightColor(Light::Red));
    m_error->setPalette(palette);
    m_error->hide();

    auto* inputsLayout = new QVBoxLayout(inputs);
    inputsLayout->addLayout(form);
    inputsLayout->addLayout(buttons);
    inputsLayout->addWidget(m_error);

    m_log = new QPlainTextEdit(this);
    m_log->setObjectName(u"loadTestLog"_s);
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(kLogLines);
    m_log->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_log->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_log->setPlaceholderText(u"Progress lines appear here while the test runs"_s);

    auto* results = new QGroupBox(u"Success criteria"_s, this);
    m_table = new PlaceholderTableView(results);
    m_table->setObjectName(u"loadTestCriteriaTable"_s);
    m_table->setModel(m_criteria);
    m_table->setPlaceholderText(u"Run the load test to measure the plan's success criteria"_s);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setWordWrap(false);
    m_table->setShowGrid(false);
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_verdict = new QLabel(results);
    m_verdict->setObjectName(u"loadTestVerdictLabel"_s);
    m_verdict->setWordWrap(true);
    QFont bold = m_verdict->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.2);
    m_verdict->setFont(bold);
    auto* resultsLayout = new QVBoxLayout(results);
    resultsLayout->addWidget(m_table, 1);
    resultsLayout->addWidget(m_verdict);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(inputs);
    layout->addWidget(m_log, 1);
    layout->addWidget(results, 1);

    connect(m_run, &QPushButton::clicked, this, &LoadTestPanel::runClicked);
    connect(m_stop, &QPushButton::clicked, this, [this] {
        m_controller->stop();
        m_status->setText(u"Stopping: the running phase ends early, then the rows are cleaned up"_s);
        updateActions();
    });
    connect(m_controller, &LoadTestController::runningChanged, this, &LoadTestPanel::updateActions);
    connect(m_controller, &LoadTestController::progressed, this, &LoadTestPanel::showProgress);
    connect(m_controller, &LoadTestController::finished, this, &LoadTestPanel::showReport);
    connect(m_controller, &LoadTestController::errorOccurred, this, &LoadTestPanel::showError);
    updateActions();
}

LoadTestPanel::~LoadTestPanel() = default;

LoadTestSpec LoadTestPanel::spec() const
{
    const Settings& settings = m_controller->engine().settings();
    LoadTestSpec spec;
    if (m_rows->value() > 0)
        spec.rows = m_rows->value();
    if (m_duration->value() > 0)
        spec.duration = std::chrono::seconds(m_duration->value());
    spec.readers = m_readers->value();
    spec.chunkSize = settings.etlChunkSize;
    spec.rowsPerSecond = settings.etlRowsPerSecondLimit();
    spec.connections = settings.etlConnections;
    spec.think = settings.dashboardThink;
    spec.compareSingleDatabase = m_compare->isChecked();
    return spec;
}

void LoadTestPanel::setConfirmer(std::function<bool(const QString& question)> confirm)
{
    m_confirm = std::move(confirm);
}

void LoadTestPanel::setReadOnly(bool readOnly)
{
    m_readOnly = readOnly;
    updateActions();
}

QString LoadTestPanel::verdictText() const
{
    return m_verdict->text();
}

QString LoadTestPanel::errorText() const
{
    return m_error->isHidden() ? QString() : m_error->text();
}

void LoadTestPanel::runClicked()
{
    if (m_readOnly)
        return;
    for (QSpinBox* box : {m_rows, m_readers, m_duration})
        box->interpretText();
    const LoadTestSpec wanted = spec();
    Engine& engine = m_controller->engine();
    // Without a replica there is no comparison phase (LoadTest runs one phase).
    if (wanted.compareSingleDatabase && engine.settings().replicaConfigured()) {
        // The comparison phase moves this engine's reads to the primary: the
        // same consequence the routing switch asks about.
        const bool now = engine.flags().useReadReplica();
        const QString question
            = u"Run the load test?\n\nIt sets USE_READ_REPLICA on for its first phase%1 and off for its second: "
              u"then every read of this console, the dashboard readers included, goes to the primary until the "
              u"phase ends. USE_READ_REPLICA is set back to %2 at the end, and the routing switches are locked "
              u"until then."_s.arg(now ? QString() : u" (it is off now)"_s, now ? u"on"_s : u"off"_s);
        const bool go = m_confirm ? m_confirm(question)
                                  : QMessageBox::question(this, u"Run the load test"_s, question,
                                        QMessageBox::Yes | QMessageBox::No, QMessageBox::No)
                == QMessageBox::Yes;
        if (!go)
            return;
    }
    if (!m_controller->run(wanted))
        return;
    m_error->hide();
    m_log->clear();
    m_criteria->clear();
    m_verdict->clear();
    m_report.reset();
    m_status->setText(u"Running\u2026"_s);
    appendLine(u"load test started"_s);
}

void LoadTestPanel::appendLine(const QString& line)
{
    m_log->appendPlainText(QDateTime::currentDateTime().toString(u"HH:mm:ss"_s) + u"  "_s + line);
}

void LoadTestPanel::showProgress(const LoadTestProgress& progress)
{
    const QString line = loadTestProgressLine(progress);
    appendLine(line);
    if (!m_controller->stopRequested())
        m_status->setText(line);
}

void LoadTestPanel::showReport(const LoadTestReport& report)
{
    m_report = report;
    m_criteria->resetData(report.criteria);
    const bool passed = report.passed();
    QString verdict = passed ? u"PASSED"_s : u"NOT PASSED"_s;
    if (report.stoppedEarly)
        verdict += u" \u2014 stopped early: the figures cover what ran"_s;
    if (!report.error.empty())
        verdict += u" \u2014 stopped by an error: %1"_s.arg(toQString(report.error));
    m_verdict->setText(verdict);
    QPalette palette = m_verdict->palette();
    palette.setColor(QPalette::WindowText, lightColor(passed ? Light::Green : Light::Red));
    m_verdict->setPalette(palette);
    for (const auto& phase : report.phases)
        appendLine(u"%1 (USE_READ_REPLICA %2): ETL job %3, %4 rows, %5; %6 dashboard loads, p95 %7 ms"_s
                       .arg(toQString(phase.name), phase.useReadReplica ? u"on"_s : u"off"_s)
                       .arg(phase.etl.jobId)
                       .arg(phase.etl.rows)
                       .arg(toQString(phase.etl.state))
                       .arg(phase.dashboard.pageLoads)
                       .arg(phase.dashboard.pageLoad.p95Seconds * 1000.0, 0, 'f', 1));
    appendLine(verdict);
    m_status->setText(u"Finished"_s);
}

void LoadTestPanel::showError(const QString& message)
{
    m_error->setText(message);
    m_error->show();
    if (!m_controller->running())
        m_status->setText(m_report ? u"Finished"_s : u"Not run"_s);
}

void LoadTestPanel::updateActions()
{
    const bool running = m_controller->running();
    for (QWidget* w : std::initializer_list<QWidget*> {m_rows, m_readers, m_duration, m_compare})
        w->setEnabled(!m_readOnly && !running);
    m_run->setEnabled(!m_readOnly && !running);
    m_stop->setEnabled(!m_readOnly && running && !m_controller->stopRequested());
}

} // namespace pulse::ui

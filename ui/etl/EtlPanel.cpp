#include "etl/EtlPanel.hpp"

#include "Formatting.hpp"
#include "engine/Engine.hpp"
#include "etl/EtlController.hpp"
#include "etl/EtlJobSpec.hpp"
#include "etl/EtlJobTableModel.hpp"
#include "etl/EtlText.hpp"
#include "main/PlaceholderTableView.hpp"

#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
#include <climits>
#include <cmath>

namespace pulse::ui {

using namespace Qt::StringLiterals;

namespace {

constexpr int kBarRange = 1000;

QSpinBox* spinBox(const QString& name, int minimum, int value, QWidget* parent)
{
    auto* box = new QSpinBox(parent);
    box->setObjectName(name);
    box->setRange(minimum, INT_MAX);
    box->setValue(value);
    box->setGroupSeparatorShown(true);
    box->setAccelerated(true);
    return box;
}

QPushButton* button(const QString& text, const QString& name, QWidget* parent)
{
    auto* b = new QPushButton(text, parent);
    b->setObjectName(name);
    return b;
}

} // namespace

EtlPanel::EtlPanel(Engine& engine, QWidget* parent)
    : QWidget(parent)
    , m_controller(new EtlController(engine, this))
    , m_jobModel(new EtlJobTableModel(this))
{
    setObjectName(u"etlPanel"_s);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(buildLoadSection());
    layout->addWidget(buildJobsSection(), 1);

    connect(m_controller, &EtlController::progressChanged, this, &EtlPanel::showProgress);
    connect(m_controller, &EtlController::activeChanged, this, &EtlPanel::updateActions);
    connect(m_controller, &EtlController::errorOccurred, this, &EtlPanel::showError);
    connect(m_controller, &EtlController::jobsListed, m_jobModel, &EtlJobTableModel::resetData);
    connect(m_jobModel, &QAbstractItemModel::modelReset, this, &EtlPanel::updateActions);

    showProgress(m_controller->lastProgress());
    m_controller->refreshJobs();
}

EtlPanel::~EtlPanel() = default;

QWidget* EtlPanel::buildLoadSection()
{
    auto* box = new QGroupBox(u"ETL load"_s, this);
    const Settings& settings = m_controller->engine().settings();

    m_rows = spinBox(u"etlRowsSpin"_s, 0, static_cast<int>(EtlJobSpec {}.totalRows), box);
    m_rows->setSuffix(u" rows"_s);
    m_rows->setSingleStep(10'000);
    m_rows->setToolTip(u"Rows to load over all tables of the demo schema"_s);
    m_chunk = spinBox(u"etlChunkSpin"_s, 0, settings.etlChunkSize, box);
    m_chunk->setSuffix(u" rows"_s);
    m_chunk->setSingleStep(100);
    m_chunk->setToolTip(u"Rows per transaction, each with its checkpoint (ETL_CHUNK_SIZE)"_s);
    m_rate = spinBox(u"etlRateSpin"_s, 0, std::max(0, settings.etlMaxRowsPerSecond), box);
    m_rate->setSuffix(u" rows/s"_s);
    m_rate->setSingleStep(500);
    m_rate->setSpecialValueText(u"no limit"_s);
    m_rate->setToolTip(u"Throttle (ETL_MAX_ROWS_PER_SECOND); 0: as fast as the primary takes it"_s);

    auto* form = new QFormLayout;
    form->addRow(u"&Rows:"_s, m_rows);
    form->addRow(u"C&hunk size:"_s, m_chunk);
    form->addRow(u"&Throttle:"_s, m_rate);

    m_start = button(u"&Start"_s, u"etlStartButton"_s, box);
    m_pause = button(u"&Pause"_s, u"etlPauseButton"_s, box);
    m_unpause = button(u"Res&ume"_s, u"etlResumeButton"_s, box);
    m_cancel = button(u"&Cancel"_s, u"etlCancelButton"_s, box);
    m_pause->setToolTip(u"Pause after the current chunk commits"_s);
    m_cancel->setToolTip(u"Stop after the current chunk commits; the job can be resumed later"_s);
    auto* buttons = new QHBoxLayout;
    for (QPushButton* b : {m_start, m_pause, m_unpause, m_cancel})
        buttons->addWidget(b);
    buttons->addStretch(1);

    m_bar = new QProgressBar(box);
    m_bar->setObjectName(u"etlProgressBar"_s);
    m_bar->setRange(0, kBarRange);
    m_bar->setTextVisible(true);
    m_state = new QLabel(box);
    m_state->setObjectName(u"etlStateLabel"_s);
    m_state->setWordWrap(true);
    m_state->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error = new QLabel(box);
    m_error->setObjectName(u"etlErrorLabel"_s);
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QPalette palette = m_error->palette();
    palette.setColor(QPalette::WindowText, lightColor(Light::Red));
    m_error->setPalette(palette);
    m_error->hide();

    auto* layout = new QVBoxLayout(box);
    layout->addLayout(form);
    layout->addLayout(buttons);
    layout->addWidget(m_bar);
    layout->addWidget(m_state);
    layout->addWidget(m_error);

    connect(m_start, &QPushButton::clicked, this, &EtlPanel::startClicked);
    connect(m_pause, &QPushButton::clicked, m_controller, &EtlController::pause);
    connect(m_unpause, &QPushButton::clicked, m_controller, &EtlController::unpause);
    connect(m_cancel, &QPushButton::clicked, m_controller, &EtlController::cancel);
    return box;
}

QWidget* EtlPanel::buildJobsSection()
{
    auto* box = new QGroupBox(u"Interrupted jobs"_s, this);
    m_jobs = new PlaceholderTableView(box);
    m_jobs->setObjectName(u"etlJobsTable"_s);
    m_jobs->setModel(m_jobModel);
    m_jobs->setPlaceholderText(u"No interrupted jobs: cancelled, failed and abandoned loads show up here"_s);
    m_jobs->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_jobs->setSelectionMode(QAbstractItemView::SingleSelection);
    m_jobs->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_jobs->setAlternatingRowColors(true);
    m_jobs->setWordWrap(false);
    m_jobs->setShowGrid(false);
    m_jobs->verticalHeader()->setVisible(false);
    m_jobs->horizontalHeader()->setStretchLastSection(true);
    m_jobs->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);

    m_refreshJobs = button(u"Re&fresh"_s, u"etlRefreshJobsButton"_s, box);
    m_resumeJob = button(u"Resume &job"_s, u"etlResumeJobButton"_s, box);
    m_resumeJob->setToolTip(
        u"Continue the selected job from its checkpoint, with its recorded rows, chunk size and throttle"_s);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_resumeJob);
    buttons->addWidget(m_refreshJobs);
    buttons->addStretch(1);

    auto* layout = new QVBoxLayout(box);
    layout->addWidget(m_jobs, 1);
    layout->addLayout(buttons);

    connect(m_refreshJobs, &QPushButton::clicked, m_controller, &EtlController::refreshJobs);
    connect(m_resumeJob, &QPushButton::clicked, this, &EtlPanel::resumeJobClicked);
    connect(m_jobs->selectionModel(), &QItemSelectionModel::selectionChanged, this, &EtlPanel::updateActions);
    connect(m_jobs, &QAbstractItemView::doubleClicked, this, [this] {
        if (m_resumeJob->isEnabled())
            resumeJobClicked();
    });
    return box;
}

void EtlPanel::setReadOnly(bool readOnly)
{
    m_readOnly = readOnly;
    updateActions();
}

QString EtlPanel::progressText() const
{
    return m_bar->text();
}

QString EtlPanel::stateText() const
{
    return m_state->text();
}

QString EtlPanel::errorText() const
{
    return m_error->isHidden() ? QString() : m_error->text();
}

void EtlPanel::startClicked()
{
    if (m_readOnly)
        return;
    m_rows->interpretText(); // a value typed but not yet committed counts
    m_chunk->interpretText();
    m_rate->interpretText();
    const int rate = m_rate->value();
    if (m_controller->start(m_rows->value(), m_chunk->value(), rate > 0 ? std::optional<int>(rate) : std::nullopt))
        m_error->hide();
}

void EtlPanel::resumeJobClicked()
{
    if (m_readOnly)
        return;
    const QModelIndexList rows = m_jobs->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return;
    if (m_controller->resume(m_jobModel->jobAt(rows.front().row()).id))
        m_error->hide();
}

void EtlPanel::showProgress(const EtlProgress& progress)
{
    if (progress.state == EtlState::Idle) {
        m_bar->setValue(0);
        m_bar->setFormat(u"No load yet"_s);
    } else {
        m_bar->setValue(static_cast<int>(std::lround(std::clamp(progress.fraction(), 0.0, 1.0) * kBarRange)));
        m_bar->setFormat(etlProgressText(progress));
    }
    m_state->setText(etlStateText(progress));
    const Light light = progress.state == EtlState::Failed ? Light::Red
        : (progress.state == EtlState::Braking || progress.state == EtlState::Retrying
              || progress.state == EtlState::Cancelled)
        ? Light::Amber
        : progress.state == EtlState::Completed ? Light::Green
                                                : Light::Grey;
    QPalette palette = m_state->palette();
    palette.setColor(
        QPalette::WindowText, light == Light::Grey ? this->palette().color(QPalette::WindowText) : lightColor(light));
    m_state->setPalette(palette);
    updateActions();
}

void EtlPanel::showError(const QString& message)
{
    m_error->setText(message);
    m_error->show();
}

void EtlPanel::updateActions()
{
    const bool active = m_controller->active();
    const EtlState state = m_controller->lastProgress().state;
    const bool loading = active
        && (state == EtlState::Running || state == EtlState::Braking || state == EtlState::Retrying
            || state == EtlState::Starting);
    const bool editable = !m_readOnly && !active;
    m_rows->setEnabled(editable);
    m_chunk->setEnabled(editable);
    m_rate->setEnabled(editable);
    m_start->setEnabled(editable);
    m_pause->setEnabled(!m_readOnly && loading);
    m_unpause->setEnabled(!m_readOnly && active && state == EtlState::Paused);
    m_cancel->setEnabled(!m_readOnly && active);
    m_resumeJob->setEnabled(editable && m_jobs->selectionModel()->hasSelection());
}

} // namespace pulse::ui

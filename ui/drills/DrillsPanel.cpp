#include "drills/DrillsPanel.hpp"

#include "Formatting.hpp"
#include "drills/BuiltinDrills.hpp"
#include "drills/DrillController.hpp"
#include "drills/DrillFileError.hpp"
#include "drills/DrillHistoryModel.hpp"
#include "drills/DrillParser.hpp"
#include "drills/DrillRunner.hpp"
#include "drills/DrillStepModel.hpp"

#include <QDesktopServices>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace pulse::ui {

using namespace Qt::StringLiterals;

namespace {

QString workloadText(const DrillWorkload& w)
{
    QString text = w.readers > 0 ? QString::number(w.readers) + u" dashboard readers"_s : u"no readers"_s;
    if (w.etlRows > 0) {
        text += u", an ETL load of "_s + QString::number(w.etlRows) + u" rows"_s;
        if (w.etlRate)
            text += u" at "_s + QString::number(*w.etlRate) + u" rows/s"_s;
    }
    return text;
}

QString html(const std::string& text)
{
    return toQString(text).toHtmlEscaped();
}

bool askWithDialog(QWidget* parent, const QString& drill, const QStringList& steps)
{
    QMessageBox box(QMessageBox::Warning, u"Run drill"_s,
        u"Drill '"_s + drill + u"' acts on servers of the topology."_s, QMessageBox::NoButton, parent);
    box.setInformativeText(u"It will:\n  - "_s + steps.join(u"\n  - "_s)
        + u"\n\nIts rollbacks run afterwards, and on failure or abort."_s);
    QPushButton* run = box.addButton(u"Run"_s, QMessageBox::AcceptRole);
    box.addButton(QMessageBox::Cancel);
    box.setDefaultButton(QMessageBox::Cancel);
    box.exec();
    return box.clickedButton() == run;
}

} // namespace

DrillsPanel::DrillsPanel(Engine& engine, DrillsPanelOptions options, QWidget* parent)
    : QWidget(parent)
    , m_controller(new DrillController(engine, DrillControllerOptions {options.sandboxDir, options.historyDir}, this))
    , m_stepModel(new DrillStepModel(this))
    , m_historyModel(new DrillHistoryModel(this))
    , m_verdictLight(Light::Grey)
{
    setObjectName(u"drillsPanel"_s);
    buildUi();

    const auto& nodes = m_controller->nodeNames();
    for (const auto& text : BuiltinDrills::texts()) {
        Entry entry;
        entry.source = u"built-in"_s;
        entry.label = toQString(text.name);
        try {
            entry.drill = BuiltinDrills::load(text.name, nodes);
        } catch (const std::exception& e) {
            entry.error = QString::fromUtf8(e.what());
        }
        addEntry(std::move(entry));
    }

    connect(m_controller, &DrillController::runStarted, this, &DrillsPanel::onRunStarted);
    connect(m_controller, &DrillController::stepStarted, m_stepModel, &DrillStepModel::stepStarted);
    connect(m_controller, &DrillController::stepFinished, m_stepModel, &DrillStepModel::stepFinished);
    connect(m_controller, &DrillController::abortRequested, this, &DrillsPanel::onAbortRequested);
    connect(m_controller, &DrillController::runFinished, this, &DrillsPanel::onRunFinished);
    connect(m_controller, &DrillController::runRefused, this, [this](const QString& m) { showMessage(m, true); });
    connect(m_controller, &DrillController::errorOccurred, this, [this](const QString& m) { showMessage(m, true); });
    // Read on the controller's thread: the list fills in when it is.
    connect(m_controller, &DrillController::historyChanged, this, &DrillsPanel::refreshHistory);

    setVerdict(u"No run yet"_s, Light::Grey);
    refreshHistory();
    if (m_drillList->count() > 0)
        m_drillList->setCurrentRow(0);
    updateButtons();
}

DrillsPanel::~DrillsPanel() = default;

void DrillsPanel::buildUi()
{
    // Left: the drills.
    m_drillList = new QListWidget;
    m_drillList->setObjectName(u"drillList"_s);
    m_openFile = new QPushButton(u"Open drill file..."_s);
    m_openFile->setObjectName(u"openDrillFileButton"_s);
    auto* left = new QWidget;
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(new QLabel(u"<b>Drills</b>"_s));
    leftLayout->addWidget(m_drillList, 1);
    leftLayout->addWidget(m_openFile);

    // Right: what the selected drill does, the controls, the run.
    m_description = new QLabel;
    m_description->setObjectName(u"drillDescription"_s);
    m_description->setTextFormat(Qt::RichText);
    m_description->setWordWrap(true);
    m_description->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_description->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* descriptionScroll = new QScrollArea;
    descriptionScroll->setWidget(m_description);
    descriptionScroll->setWidgetResizable(true);
    descriptionScroll->setFrameShape(QFrame::NoFrame);

    m_dryRun = new QPushButton(u"Dry run"_s);
    m_dryRun->setObjectName(u"dryRunButton"_s);
    m_dryRun->setToolTip(u"List the steps without doing any of them"_s);
    m_run = new QPushButton(u"Run"_s);
    m_run->setObjectName(u"runButton"_s);
    m_abort = new QPushButton(u"Abort"_s);
    m_abort->setObjectName(u"abortButton"_s);
    m_abort->setToolTip(u"Stop the drill; its rollbacks still run"_s);
    m_openReport = new QPushButton(u"Open report"_s);
    m_openReport->setObjectName(u"openReportButton"_s);
    m_exportJournal = new QPushButton(u"Export journal..."_s);
    m_exportJournal->setObjectName(u"exportJournalButton"_s);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_dryRun);
    buttons->addWidget(m_run);
    buttons->addWidget(m_abort);
    buttons->addStretch(1);
    buttons->addWidget(m_openReport);
    buttons->addWidget(m_exportJournal);

    m_verdict = new QLabel;
    m_verdict->setObjectName(u"drillVerdict"_s);
    m_verdict->setWordWrap(true);
    m_verdict->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message = new QLabel;
    m_message->setObjectName(u"drillMessage"_s);
    m_message->setWordWrap(true);
    m_message->setTextFormat(Qt::PlainText);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->hide();

    m_stepTable = new QTableView;
    m_stepTable->setObjectName(u"drillStepTable"_s);
    m_stepTable->setModel(m_stepModel);
    m_stepTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_stepTable->verticalHeader()->hide();
    m_stepTable->horizontalHeader()->setStretchLastSection(true);
    m_stepTable->setWordWrap(false);

    auto* right = new QWidget;
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(descriptionScroll, 2);
    rightLayout->addLayout(buttons);
    rightLayout->addWidget(m_verdict);
    rightLayout->addWidget(m_message);
    rightLayout->addWidget(m_stepTable, 5);

    auto* top = new QSplitter(Qt::Horizontal);
    top->addWidget(left);
    top->addWidget(right);
    top->setStretchFactor(0, 1);
    top->setStretchFactor(1, 3);

    // Bottom: the history of runs.
    m_historyTable = new QTableView;
    m_historyTable->setObjectName(u"drillHistoryTable"_s);
    m_historyTable->setModel(m_historyModel);
    m_historyTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_historyTable->setSelectionMode(QAbstractItemView::SingleSelection);
    m_historyTable->verticalHeader()->hide();
    m_historyTable->horizontalHeader()->setStretchLastSection(true);
    m_reportPath = new QLabel;
    m_reportPath->setObjectName(u"drillReportPath"_s);
    m_reportPath->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* history = new QGroupBox(u"History of runs"_s);
    auto* historyLayout = new QVBoxLayout(history);
    historyLayout->addWidget(m_historyTable, 1);
    historyLayout->addWidget(m_reportPath);

    auto* splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(top);
    splitter->addWidget(history);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(splitter);

    connect(m_drillList, &QListWidget::currentRowChanged, this, [this] {
        showDescription();
        updateButtons();
    });
    connect(m_openFile, &QPushButton::clicked, this, &DrillsPanel::chooseDrillFile);
    connect(m_dryRun, &QPushButton::clicked, this, &DrillsPanel::dryRun);
    connect(m_run, &QPushButton::clicked, this, &DrillsPanel::runSelected);
    connect(m_abort, &QPushButton::clicked, this, &DrillsPanel::abortRun);
    connect(m_openReport, &QPushButton::clicked, this, &DrillsPanel::openReport);
    connect(m_exportJournal, &QPushButton::clicked, this, &DrillsPanel::chooseExportTarget);
    connect(m_historyTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] {
        const QString report = selectedReportPath();
        const QString journal = selectedJournalPath();
        if (journal.isEmpty())
            m_reportPath->clear();
        else if (report.isEmpty())
            m_reportPath->setText(u"Report: missing (journal: "_s + journal + u")"_s);
        else
            m_reportPath->setText(u"Report: "_s + report);
        updateButtons();
    });
}

void DrillsPanel::addEntry(Entry entry)
{
    auto* item = new QListWidgetItem(entry.label);
    if (entry.drill) {
        item->setToolTip(toQString(entry.drill->title));
        if (entry.drill->destructive())
            item->setText(entry.label + u"  (destructive)"_s);
    } else {
        item->setToolTip(entry.error);
        item->setForeground(lightColor(Light::Grey));
    }
    m_entries.push_back(std::move(entry));
    m_drillList->addItem(item);
}

QStringList DrillsPanel::drillNames() const
{
    QStringList names;
    for (const Entry& e : m_entries)
        names << (e.drill ? toQString(e.drill->name) : e.label);
    return names;
}

bool DrillsPanel::selectDrill(const QString& name)
{
    const qsizetype row = drillNames().indexOf(name);
    if (row < 0)
        return false;
    m_drillList->setCurrentRow(static_cast<int>(row));
    return true;
}

const Drill* DrillsPanel::currentDrill() const
{
    const int row = m_drillList->currentRow();
    if (row < 0 || row >= static_cast<int>(m_entries.size()))
        return nullptr;
    const Entry& e = m_entries[static_cast<size_t>(row)];
    return e.drill ? &*e.drill : nullptr;
}

void DrillsPanel::showDescription()
{
    const int row = m_drillList->currentRow();
    if (row < 0 || row >= static_cast<int>(m_entries.size())) {
        m_description->setText(u"Select a drill."_s);
        return;
    }
    const Entry& entry = m_entries[static_cast<size_t>(row)];
    if (!entry.drill) {
        m_description->setText(u"<b>"_s + entry.label.toHtmlEscaped() + u"</b> does not load on this topology:<br>"_s
            + entry.error.toHtmlEscaped());
        return;
    }
    const Drill& d = *entry.drill;
    QString text = u"<h3>"_s + html(d.title) + u"</h3><p><i>"_s + html(d.name) + u" ("_s + entry.source.toHtmlEscaped()
        + u")</i></p><p>"_s + html(d.description) + u"</p>"_s;
    text += u"<p><b>Blast radius:</b> "_s + html(d.blastRadius) + u"</p>"_s;
    text += u"<p><b>Workload:</b> "_s + workloadText(d.workload).toHtmlEscaped() + u"</p>"_s;
    const DrillPolicyCheck check = m_controller->check(d);
    if (check.destructiveSteps.isEmpty()) {
        text += u"<p><b>Destructive steps:</b> none; it runs without confirmation.</p>"_s;
    } else {
        text += u"<p><b>Destructive steps</b> (a run asks for confirmation):</p><ul>"_s;
        for (const QString& step : check.destructiveSteps)
            text += u"<li>"_s + step.toHtmlEscaped() + u"</li>"_s;
        text += u"</ul>"_s;
    }
    if (!check.refused.isEmpty()) {
        text += u"<p><b>Refused on "_s + m_controller->topologyDescription().toHtmlEscaped() + u":</b></p><ul>"_s;
        for (const QString& r : check.refused)
            text += u"<li>"_s + r.toHtmlEscaped() + u"</li>"_s;
        text += u"</ul>"_s;
    }
    text += u"<p><small>Runs on "_s + m_controller->topologyDescription().toHtmlEscaped() + u".</small></p>"_s;
    m_description->setText(text);
}

void DrillsPanel::updateButtons()
{
    const bool running = m_controller->isRunning();
    const bool haveDrill = currentDrill() != nullptr;
    m_dryRun->setEnabled(haveDrill && !running);
    m_run->setEnabled(haveDrill && !running && !m_readOnly);
    m_abort->setEnabled(running && !m_readOnly);
    m_openFile->setEnabled(!running);
    m_openReport->setEnabled(!selectedReportPath().isEmpty());
    m_exportJournal->setEnabled(!selectedJournalPath().isEmpty());
    m_run->setToolTip(m_readOnly ? u"The console is read-only"_s : u"Run the selected drill"_s);
}

void DrillsPanel::setConfirmer(Confirmer confirmer)
{
    m_confirmer = std::move(confirmer);
}

void DrillsPanel::setUrlOpener(UrlOpener opener)
{
    m_urlOpener = std::move(opener);
}

void DrillsPanel::setReadOnly(bool readOnly)
{
    m_readOnly = readOnly;
    updateButtons();
}

void DrillsPanel::showMessage(const QString& text, bool error)
{
    m_message->setText(text);
    m_message->setStyleSheet(error ? u"QLabel { color: %1; }"_s.arg(lightColor(Light::Red).name()) : QString());
    m_message->setVisible(!text.isEmpty());
}

QString DrillsPanel::messageText() const
{
    return m_message->text();
}

void DrillsPanel::setVerdict(const QString& text, Light light)
{
    m_verdictText = text;
    m_verdictLight = light;
    m_verdict->setText(text);
    m_verdict->setStyleSheet(u"QLabel { color: %1; background: %2; font-weight: bold; padding: 4px; }"_s.arg(
        lightColor(light).name(), lightTint(light).name()));
    Q_EMIT verdictChanged(text);
}

QString DrillsPanel::verdictText() const
{
    return m_verdictText;
}

void DrillsPanel::dryRun()
{
    const Drill* drill = currentDrill();
    if (!drill)
        return;
    const DrillPolicyCheck check = m_controller->check(*drill);
    const auto plan = DrillRunner::plan(*drill);
    m_stepModel->showPlan(plan, check.refused);
    showMessage(u"Dry run of '"_s + toQString(drill->name) + u"' on "_s + m_controller->topologyDescription() + u": "_s
            + QString::number(plan.size()) + u" steps, nothing was done."_s
            + (check.needsConfirmation()
                    ? QString(u" A run asks for confirmation of: "_s + check.confirmationItems().join(u", "_s) + u"."_s)
                    : QString()),
        false);
}

void DrillsPanel::runSelected()
{
    const Drill* drill = currentDrill();
    if (!drill || m_readOnly || m_controller->isRunning())
        return;
    const QString name = toQString(drill->name);
    const DrillPolicyCheck check = m_controller->check(*drill);
    if (!check.canRun()) {
        showMessage(u"Drill '"_s + name + u"' cannot run on "_s + m_controller->topologyDescription()
                + u"; nothing was done:\n  - "_s + check.refused.join(u"\n  - "_s),
            true);
        return;
    }
    bool confirmed = false;
    if (check.needsConfirmation()) {
        const QStringList items = check.confirmationItems();
        confirmed = m_confirmer ? m_confirmer(items) : askWithDialog(this, name, items);
        if (!confirmed) {
            showMessage(u"Drill '"_s + name + u"' was not run: not confirmed."_s, false);
            return;
        }
    }
    // A copy: the list may change while the drill runs.
    const Drill copy = *drill;
    m_controller->run(copy, confirmed);
}

void DrillsPanel::abortRun()
{
    if (m_readOnly || !m_controller->isRunning())
        return;
    m_abort->setEnabled(false); // one request is enough; the rollbacks take their time
    m_controller->abort();
}

bool DrillsPanel::openDrillFile(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        showMessage(path + u" cannot be read: "_s + file.errorString(), true);
        return false;
    }
    const QByteArray text = file.readAll();
    try {
        Drill drill = DrillParser::parse(text.toStdString(), path.toStdString(), m_controller->nodeNames());
        Entry entry;
        entry.source = path;
        entry.label = toQString(drill.name) + u" ("_s + QFileInfo(path).fileName() + u")"_s;
        entry.drill = std::move(drill);
        // Opening the same file again replaces it.
        for (size_t i = 0; i < m_entries.size(); ++i) {
            if (m_entries[i].source == path) {
                m_entries.erase(m_entries.begin() + static_cast<std::ptrdiff_t>(i));
                delete m_drillList->takeItem(static_cast<int>(i));
                break;
            }
        }
        addEntry(std::move(entry));
        m_drillList->setCurrentRow(m_drillList->count() - 1);
        showMessage(QString(), false);
        return true;
    } catch (const DrillFileError& e) {
        const auto& problems = e.problems();
        QString message = path + u" cannot run: "_s + QString::number(problems.size())
            + (problems.size() == 1 ? u" problem"_s : u" problems"_s) + u"; nothing was done."_s;
        for (const auto& p : problems)
            message += u"\n  - "_s + toQString(p);
        showMessage(message, true);
    } catch (const std::exception& e) {
        showMessage(path + u" cannot run: "_s + QString::fromUtf8(e.what()), true);
    }
    return false;
}

void DrillsPanel::chooseDrillFile()
{
    const QString path
        = QFileDialog::getOpenFileName(this, u"Open drill file"_s, QString(), u"Drill files (*.json);;All files (*)"_s);
    if (!path.isEmpty())
        openDrillFile(path);
}

QString DrillsPanel::selectedJournalPath() const
{
    const QModelIndex current = m_historyTable->selectionModel()->currentIndex();
    if (!current.isValid() || current.row() >= m_historyModel->rowCount())
        return {};
    return m_historyModel->entry(current.row()).journalPath;
}

QString DrillsPanel::selectedReportPath() const
{
    const QModelIndex current = m_historyTable->selectionModel()->currentIndex();
    if (!current.isValid() || current.row() >= m_historyModel->rowCount())
        return {};
    return m_historyModel->entry(current.row()).reportPath;
}

bool DrillsPanel::openReport()
{
    const QString report = selectedReportPath();
    if (report.isEmpty())
        return false;
    const QUrl url = QUrl::fromLocalFile(report);
    const bool opened = m_urlOpener ? m_urlOpener(url) : QDesktopServices::openUrl(url);
    if (!opened)
        showMessage(u"No application opened "_s + report, true);
    return opened;
}

bool DrillsPanel::exportJournal(const QString& target)
{
    const QString journal = selectedJournalPath();
    if (journal.isEmpty() || target.isEmpty())
        return false;
    if (QFileInfo(target).absoluteFilePath() == QFileInfo(journal).absoluteFilePath())
        return true;
    if (QFile::exists(target) && !QFile::remove(target)) {
        showMessage(target + u" cannot be replaced."_s, true);
        return false;
    }
    QFile source(journal);
    if (!source.copy(target)) {
        showMessage(u"The journal could not be copied to "_s + target + u": "_s + source.errorString(), true);
        return false;
    }
    showMessage(u"Journal exported to "_s + target, false);
    return true;
}

void DrillsPanel::chooseExportTarget()
{
    const QString journal = selectedJournalPath();
    if (journal.isEmpty())
        return;
    const QString target = QFileDialog::getSaveFileName(
        this, u"Export journal"_s, QFileInfo(journal).fileName(), u"Drill journals (*.json);;All files (*)"_s);
    if (!target.isEmpty())
        exportJournal(target);
}

void DrillsPanel::refreshHistory()
{
    const QString selected = selectedJournalPath();
    m_historyModel->resetData(m_controller->history());
    const int row = m_historyModel->rowOf(selected);
    if (row >= 0)
        selectHistoryRow(row);
    updateButtons();
}

void DrillsPanel::selectHistoryRow(int row)
{
    m_historyTable->selectionModel()->setCurrentIndex(
        m_historyModel->index(row, 0), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
}

void DrillsPanel::onRunStarted(const QString& name)
{
    m_stepModel->clear();
    showMessage(QString(), false);
    QString title = name;
    if (const Drill* d = currentDrill(); d && toQString(d->name) == name)
        title = toQString(d->title);
    setVerdict(u"RUNNING: "_s + title, Light::Grey);
    m_verdict->setToolTip(QString());
    updateButtons();
}

void DrillsPanel::onAbortRequested(const QString& reason)
{
    m_stepModel->addNote(u"abort"_s, reason, u"aborting"_s);
    setVerdict(u"ABORTING: "_s + reason + u" (the rollbacks run next)"_s, Light::Amber);
    updateButtons();
}

void DrillsPanel::onRunFinished(const DrillJournal& journal)
{
    Light light = Light::Grey;
    switch (journal.status) {
    case DrillStatus::Completed:
        light = Light::Green;
        break;
    case DrillStatus::Failed:
        light = Light::Red;
        break;
    case DrillStatus::Aborted:
        light = Light::Amber;
        break;
    case DrillStatus::Running:
        break;
    }
    QString tip;
    for (const auto& w : journal.warnings)
        tip += (tip.isEmpty() ? u"Warnings:\n- "_s : u"\n- "_s) + toQString(w);
    m_verdict->setToolTip(tip);
    setVerdict(toQString(journal.verdict()), light);

    m_historyModel->resetData(m_controller->history()); // the run is in it already
    const int row = m_historyModel->rowOf(m_controller->lastJournalPath());
    if (row >= 0)
        selectHistoryRow(row);
    updateButtons();
}

} // namespace pulse::ui

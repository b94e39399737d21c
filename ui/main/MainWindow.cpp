#include "main/MainWindow.hpp"

#include "Formatting.hpp"
#include "bridge/EngineBridge.hpp"
#include "engine/Engine.hpp"
#include "main/PlaceholderTableView.hpp"
#include "main/VerdictBanner.hpp"
#include "topology/DecisionTableModel.hpp"
#include "topology/NodeTableModel.hpp"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QCloseEvent>
#include <QGridLayout>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QMenuBar>
#include <QPushButton>
#include <QScrollBar>
#include <QSettings>
#include <QStatusBar>
#include <QStyledItemDelegate>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

// Q_INIT_RESOURCE must run outside any namespace; the resources live in the
// static pulse_ui library, which the linker would otherwise leave out.
static void initPulseUiResources()
{
    Q_INIT_RESOURCE(pulse_console);
}

namespace pulse::ui {
namespace {

const QString kSettingsOrganization = QStringLiteral("Pulse");
const QString kSettingsApplication = QStringLiteral("Pulse Console");

QString intervalText(std::chrono::milliseconds interval)
{
    if (interval.count() % 1000 == 0)
        return QStringLiteral("Refresh every %1 s").arg(interval.count() / 1000);
    if (interval.count() > 1000)
        return QStringLiteral("Refresh every %1 s").arg(static_cast<double>(interval.count()) / 1000.0, 0, 'f', 1);
    return QStringLiteral("Refresh every %1 ms").arg(interval.count());
}

// Where the connection settings came from, without any value in them.
QString settingsOrigin(const Settings& settings)
{
    const auto it = settings.resolved.find("POSTGRES_HOST");
    if (it == settings.resolved.end() || it->second.source.kind == SourceKind::Default)
        return QStringLiteral("Settings: built-in defaults");
    return QStringLiteral("Settings: %1").arg(toQString(it->second.source.describe()));
}

// Columns sized to their contents still need air between them.
class PaddedItemDelegate : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override
    {
        return QStyledItemDelegate::sizeHint(option, index) + QSize(16, 0);
    }
};

void setUpTable(QTableView* table)
{
    table->setItemDelegate(new PaddedItemDelegate(table));
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setAlternatingRowColors(true);
    table->setWordWrap(false);
    table->setTextElideMode(Qt::ElideRight);
    table->setShowGrid(false);
    table->verticalHeader()->setVisible(false);
    table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 10);
    table->horizontalHeader()->setHighlightSections(false);
    table->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
}

QLabel* hintLabel(const QString& text, QWidget* parent)
{
    auto* label = new QLabel(text, parent);
    label->setWordWrap(true);
    QPalette palette = label->palette();
    palette.setColor(QPalette::WindowText, palette.color(QPalette::PlaceholderText).darker(130));
    label->setPalette(palette);
    return label;
}

} // namespace

MainWindow::MainWindow(Engine& engine, MainWindowOptions options, QWidget* parent)
    : QMainWindow(parent)
    , m_engine(engine)
    , m_options(options)
    , m_bridge(new EngineBridge(engine, options.refreshInterval, this))
    , m_nodeModel(new NodeTableModel(this))
    , m_decisionModel(new DecisionTableModel(DecisionTableModel::kDefaultCapacity, this))
{
    initPulseUiResources();
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(QStringLiteral("Pulse Console"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/pulse-console.svg")));

    m_banner = new VerdictBanner(this);

    auto* central = new QWidget(this);
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(12, 12, 12, 6);
    layout->setSpacing(10);
    layout->addWidget(m_banner);
    layout->addWidget(buildNodesSection());
    layout->addWidget(buildRoutingSection());
    layout->addWidget(buildDecisionsSection(), 1);
    setCentralWidget(central);

    buildMenus();
    buildStatusBar();

    connect(m_bridge, &EngineBridge::statusChanged, this, &MainWindow::applyStatus);
    connect(m_bridge, &EngineBridge::decisionsAppended, m_decisionModel, &DecisionTableModel::appendDecisions);
    connect(m_bridge, &EngineBridge::flagsChanged, this, &MainWindow::applyFlags);
    connect(m_bridge, &EngineBridge::pausedChanged, this, [this](bool paused) {
        m_pauseAction->setChecked(paused);
        m_pauseAction->setText(paused ? QStringLiteral("Resume updates") : QStringLiteral("Pause updates"));
        updateFreshness();
    });
    connect(m_bridge, &EngineBridge::testReadFinished, this, [this](bool ok, const QString& message) {
        m_testRead->setEnabled(true);
        statusBar()->showMessage(message, ok ? 8000 : 15000);
    });

    resize(1280, 760);
    if (m_options.persistGeometry)
        restoreWindowState();
}

MainWindow::~MainWindow() = default;

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(QStringLiteral("&File"));
    QAction* quit = file->addAction(QStringLiteral("&Quit"));
    quit->setShortcut(QKeySequence::Quit);
    quit->setMenuRole(QAction::QuitRole);
    connect(quit, &QAction::triggered, this, &QMainWindow::close);

    QMenu* view = menuBar()->addMenu(QStringLiteral("&View"));
    QAction* refresh = view->addAction(QStringLiteral("&Refresh now"));
    refresh->setShortcut(QKeySequence::Refresh);
    connect(refresh, &QAction::triggered, m_bridge, &EngineBridge::refreshNow);

    m_pauseAction = view->addAction(QStringLiteral("Pause updates"));
    m_pauseAction->setObjectName(QStringLiteral("pauseAction"));
    m_pauseAction->setCheckable(true);
    m_pauseAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Period));
    m_pauseAction->setToolTip(QStringLiteral("Hold the tables still; the routing switches keep working"));
    connect(m_pauseAction, &QAction::toggled, m_bridge, &EngineBridge::setPaused);
}

QWidget* MainWindow::buildNodesSection()
{
    auto* box = new QGroupBox(QStringLiteral("Nodes"), this);
    auto* layout = new QVBoxLayout(box);

    m_nodeTable = new PlaceholderTableView(box);
    m_nodeTable->setObjectName(QStringLiteral("nodeTable"));
    m_nodeTable->setModel(m_nodeModel);
    m_nodeTable->setPlaceholderText(QStringLiteral("Probing the primary and the replica\u2026"));
    setUpTable(m_nodeTable);
    m_nodeTable->setSelectionMode(QAbstractItemView::NoSelection);
    m_nodeTable->setFocusPolicy(Qt::NoFocus);
    m_nodeTable->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_nodeTable->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);

    QHeaderView* header = m_nodeTable->horizontalHeader();
    header->setMinimumSectionSize(48);
    header->setSectionResizeMode(QHeaderView::ResizeToContents);
    header->setSectionResizeMode(NodeTableModel::ErrorColumn, QHeaderView::Stretch);
    connect(m_nodeTable->horizontalScrollBar(), &QScrollBar::rangeChanged, this, &MainWindow::fitNodeTableHeight);
    fitNodeTableHeight();

    layout->addWidget(m_nodeTable);
    return box;
}

QWidget* MainWindow::buildRoutingSection()
{
    auto* box = new QGroupBox(QStringLiteral("Routing"), this);
    auto* grid = new QGridLayout(box);
    grid->setHorizontalSpacing(16);
    grid->setColumnStretch(1, 1);

    m_useReadReplica = new QCheckBox(QStringLiteral("USE_READ_REPLICA"), box);
    m_useReadReplica->setObjectName(QStringLiteral("useReadReplicaCheck"));
    m_useReadReplica->setToolTip(QStringLiteral("Off: single-database mode, every session goes to the primary"));
    m_fallback = new QCheckBox(QStringLiteral("REPLICA_FALLBACK_ENABLED"), box);
    m_fallback->setObjectName(QStringLiteral("replicaFallbackCheck"));
    m_fallback->setToolTip(QStringLiteral("Off: a replica read fails when the replica cannot serve it"));
    // clicked, not toggled: only a person's click changes the engine; the
    // engine's own changes come back through applyFlags().
    connect(m_useReadReplica, &QCheckBox::clicked, m_bridge, &EngineBridge::setUseReadReplica);
    connect(m_fallback, &QCheckBox::clicked, m_bridge, &EngineBridge::setReplicaFallbackEnabled);

    m_testRead = new QPushButton(QStringLiteral("Send test read"), box);
    m_testRead->setObjectName(QStringLiteral("testReadButton"));
    m_testRead->setToolTip(QStringLiteral("Open one routed read session (dashboard_metrics) and run SELECT 1; "
                                          "its routing decision appears below"));
    connect(m_testRead, &QPushButton::clicked, this, [this] {
        m_testRead->setEnabled(false);
        m_bridge->runTestRead();
    });

    grid->addWidget(m_useReadReplica, 0, 0);
    grid->addWidget(
        hintLabel(QStringLiteral("Send dashboard, analytics, report and export reads to the replica."), box), 0, 1);
    grid->addWidget(m_fallback, 1, 0);
    grid->addWidget(
        hintLabel(
            QStringLiteral("When the replica cannot serve a read, run it on the primary instead of failing it."), box),
        1, 1);
    grid->addWidget(m_testRead, 0, 2, 2, 1, Qt::AlignVCenter);
    grid->addWidget(hintLabel(QStringLiteral("Changes apply to the next session, without a restart. "
                                             "Writes always go to the primary."),
                        box),
        2, 0, 1, 3);
    return box;
}

QWidget* MainWindow::buildDecisionsSection()
{
    auto* box = new QGroupBox(
        QStringLiteral("Routing decisions (newest first, last %1)").arg(m_decisionModel->capacity()), this);
    auto* layout = new QVBoxLayout(box);

    m_decisionTable = new PlaceholderTableView(box);
    m_decisionTable->setObjectName(QStringLiteral("decisionTable"));
    m_decisionTable->setModel(m_decisionModel);
    m_decisionTable->setPlaceholderText(
        QStringLiteral("No routing decisions yet.\nEvery session this console opens (\u201cSend test read\u201d, "
                       "workloads, drills) appears here with its target and the reason."));
    setUpTable(m_decisionTable);

    // Fixed widths from the font (ResizeToContents would measure every row
    // of a 500-row table on each insert); the reason takes the rest.
    QHeaderView* header = m_decisionTable->horizontalHeader();
    const QFontMetrics metrics = m_decisionTable->fontMetrics();
    const auto width = [&metrics](const QString& sample) { return metrics.horizontalAdvance(sample) + 28; };
    header->resizeSection(DecisionTableModel::TimeColumn, width(QStringLiteral("00:00:00.000")));
    header->resizeSection(DecisionTableModel::OperationColumn, width(QStringLiteral("admin_configuration")));
    header->resizeSection(DecisionTableModel::ContextColumn, width(QStringLiteral("dashboard")));
    header->resizeSection(DecisionTableModel::ProfileColumn, width(QStringLiteral("analytics")));
    header->resizeSection(DecisionTableModel::TargetColumn, width(QStringLiteral("primary")));
    header->resizeSection(DecisionTableModel::OutcomeColumn, width(QStringLiteral("fell back")) + 20);
    header->setStretchLastSection(true);

    layout->addWidget(m_decisionTable);
    return box;
}

void MainWindow::buildStatusBar()
{
    QStatusBar* bar = statusBar();
    bar->setSizeGripEnabled(true);

    auto* origin
        = new QLabel(m_options.settingsOrigin.isEmpty() ? settingsOrigin(m_engine.settings())
                                                        : QStringLiteral("Settings: %1").arg(m_options.settingsOrigin),
            bar);
    origin->setObjectName(QStringLiteral("settingsOriginLabel"));
    origin->setContentsMargins(6, 0, 0, 0);
    origin->setToolTip(QStringLiteral("Where the connection settings came from (passwords are never shown)"));
    bar->addWidget(origin);

    m_lastUpdated = new QLabel(QStringLiteral("Not updated yet"), bar);
    m_lastUpdated->setObjectName(QStringLiteral("lastUpdatedLabel"));
    m_lastUpdated->setContentsMargins(12, 0, 12, 0);
    bar->addPermanentWidget(m_lastUpdated);

    auto* interval = new QLabel(intervalText(m_options.refreshInterval), bar);
    interval->setObjectName(QStringLiteral("refreshIntervalLabel"));
    interval->setContentsMargins(0, 0, 12, 0);
    bar->addPermanentWidget(interval);

    auto* pause = new QToolButton(bar);
    pause->setObjectName(QStringLiteral("pauseButton"));
    pause->setDefaultAction(m_pauseAction);
    pause->setToolButtonStyle(Qt::ToolButtonTextOnly);
    bar->addPermanentWidget(pause);

    m_freshnessTimer = new QTimer(this);
    m_freshnessTimer->setInterval(std::chrono::seconds(1));
    connect(m_freshnessTimer, &QTimer::timeout, this, &MainWindow::updateFreshness);
    m_freshnessTimer->start();
}

void MainWindow::applyStatus(const TopologyStatus& status)
{
    m_banner->showStatus(status);
    m_nodeModel->resetData(status);
    m_lastStatusTime = status.time;
    m_lastStatusReceived = std::chrono::steady_clock::now();
    if (!m_hasShownStatus) {
        m_hasShownStatus = true;
        fitNodeTableHeight();
    }
    updateFreshness();
    Q_EMIT statusShown();
}

void MainWindow::applyFlags(bool useReadReplica, bool replicaFallbackEnabled)
{
    m_useReadReplica->setChecked(useReadReplica);
    m_fallback->setChecked(replicaFallbackEnabled);
}

void MainWindow::updateFreshness()
{
    if (!m_hasShownStatus) {
        m_lastUpdated->setText(QStringLiteral("Not updated yet"));
        return;
    }
    const QString time = formatClock(m_lastStatusTime);
    QString text;
    QString colour;
    if (m_bridge->isPaused()) {
        text = QStringLiteral("Paused, showing %1").arg(time);
        colour = lightColor(Light::Amber).name();
    } else {
        // A probe of a node that does not answer costs up to the connect
        // timeout; only a gap well beyond that means the poller is stuck.
        const auto age = std::chrono::steady_clock::now() - m_lastStatusReceived;
        const auto staleAfter = 2 * m_options.refreshInterval + 2 * m_engine.settings().connectTimeout;
        const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(age).count();
        if (age > staleAfter) {
            text = QStringLiteral("Last updated %1 (nothing new for %2 s)").arg(time).arg(seconds);
            colour = lightColor(Light::Amber).name();
        } else {
            text = QStringLiteral("Last updated %1").arg(time);
        }
    }
    m_lastUpdated->setText(text);
    m_lastUpdated->setStyleSheet(colour.isEmpty() ? QString() : QStringLiteral("color: %1;").arg(colour));
}

void MainWindow::fitNodeTableHeight()
{
    // Exactly the rows (a primary and a replica), no empty space below them.
    const int rows = std::max(2, m_nodeModel->rowCount());
    int height = m_nodeTable->horizontalHeader()->sizeHint().height()
        + rows * m_nodeTable->verticalHeader()->defaultSectionSize() + 2 * m_nodeTable->frameWidth();
    if (m_nodeTable->horizontalScrollBar()->maximum() > 0)
        height += m_nodeTable->horizontalScrollBar()->sizeHint().height();
    m_nodeTable->setFixedHeight(height);
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (m_options.persistGeometry)
        saveWindowState();
    QMainWindow::closeEvent(event);
}

void MainWindow::restoreWindowState()
{
    QSettings settings(kSettingsOrganization, kSettingsApplication);
    restoreGeometry(settings.value(QStringLiteral("mainWindow/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("mainWindow/state")).toByteArray());
    m_decisionTable->horizontalHeader()->restoreState(
        settings.value(QStringLiteral("mainWindow/decisionColumns")).toByteArray());
}

void MainWindow::saveWindowState() const
{
    QSettings settings(kSettingsOrganization, kSettingsApplication);
    settings.setValue(QStringLiteral("mainWindow/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("mainWindow/state"), saveState());
    settings.setValue(QStringLiteral("mainWindow/decisionColumns"), m_decisionTable->horizontalHeader()->saveState());
}

} // namespace pulse::ui

#include "main/MainWindow.hpp"

#include "Formatting.hpp"
#include "bridge/EngineBridge.hpp"
#include "charts/ChartsPanel.hpp"
#include "drills/DrillController.hpp"
#include "drills/DrillsPanel.hpp"
#include "engine/Engine.hpp"
#include "etl/EtlController.hpp"
#include "etl/EtlPanel.hpp"
#include "etl/LoadTestController.hpp"
#include "etl/LoadTestPanel.hpp"
#include "main/AboutDialog.hpp"
#include "main/PlaceholderTableView.hpp"
#include "main/SettingsDialog.hpp"
#include "main/StallProbe.hpp"
#include "panels/AlertsPanel.hpp"
#include "panels/FlagsPanel.hpp"
#include "panels/LogPanel.hpp"
#include "panels/LogSink.hpp"
#include "panels/PoolsPanel.hpp"
#include "topology/ClusterStrip.hpp"
#include "topology/NodeTableModel.hpp"
#include "topology/RoutingInspector.hpp"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QHeaderView>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QShortcut>
#include <QSplitter>
#include <QStandardPaths>
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
// Bumped when the docks change: a layout saved by an older console is not
// restored over a different set of docks.
constexpr int kLayoutVersion = 2;

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
    const QColor hint = palette.color(QPalette::PlaceholderText);
    palette.setColor(QPalette::WindowText, darkPalette() ? hint.lighter(130) : hint.darker(130));
    label->setPalette(palette);
    return label;
}

} // namespace

MainWindow::MainWindow(Engine& engine, MainWindowOptions options, QWidget* parent)
    : QMainWindow(parent)
    , m_engine(engine)
    , m_options(std::move(options))
    , m_bridge(new EngineBridge(engine, m_options.refreshInterval, this))
    , m_stallProbe(new StallProbe(std::chrono::milliseconds(10), this))
    , m_logSink(m_options.logSink ? m_options.logSink : LogSink::install())
    , m_nodeModel(new NodeTableModel(this))
{
    initPulseUiResources();
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(m_options.readOnly ? QStringLiteral("Pulse Console (read-only)") : QStringLiteral("Pulse Console"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/pulse-console.svg")));
    setDockNestingEnabled(true);

    // The verdict and the charts in the middle; everything else docks.
    auto* central = new QWidget(this);
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(10, 10, 10, 4);
    layout->setSpacing(8);
    m_cluster = new ClusterStrip(central);
    m_cluster->showWaiting(QStringLiteral("probing the primary and the replica\u2026"));
    layout->addWidget(m_cluster);
    m_charts = new ChartsPanel(engine, central);
    layout->addWidget(m_charts, 1);
    setCentralWidget(central);

    buildDocks();
    buildMenus();
    buildStatusBar();

    connect(m_bridge, &EngineBridge::statusChanged, this, &MainWindow::applyStatus);
    connect(m_bridge, &EngineBridge::decisionsAppended, m_inspector, &RoutingInspector::appendDecisions);
    connect(m_bridge, &EngineBridge::pausedChanged, this, [this](bool paused) {
        m_pauseAction->setChecked(paused);
        m_pauseAction->setText(paused ? QStringLiteral("Resume updates") : QStringLiteral("Pause updates"));
        m_charts->setPaused(paused);
        updateFreshness();
    });
    connect(m_bridge, &EngineBridge::testReadFinished, this, [this](bool ok, const QString& message) {
        m_testRead->setEnabled(!m_options.readOnly);
        statusBar()->showMessage(message, ok ? 8000 : 15000);
    });

    resize(1440, 900);
    m_defaultLayout = saveState(kLayoutVersion);
    if (m_options.persistGeometry)
        restoreWindowState();
    m_stallProbe->start();
}

MainWindow::~MainWindow()
{
    // A sink this window installed stops receiving records with it.
    if (!m_options.logSink)
        LogSink::uninstall(m_logSink);
}

QDockWidget* MainWindow::addDock(const QString& name, const QString& title, QWidget* content, Qt::DockWidgetArea area)
{
    auto* dock = new QDockWidget(title, this);
    dock->setObjectName(name + QStringLiteral("Dock"));  // saveState() needs it
    // In a scroll area: a panel's minimum size (the drills panel's is about
    // 570 x 370) must not become the window's, or it would not fit a laptop
    // screen; a dock made smaller than its panel scrolls instead.
    auto* scroll = new QScrollArea(dock);
    scroll->setObjectName(name + QStringLiteral("Scroll"));
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(content);
    dock->setWidget(scroll);
    dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                      QDockWidget::DockWidgetClosable);
    addDockWidget(area, dock);
    m_docks[name] = dock;
    return dock;
}

QWidget* MainWindow::buildRoutingDock()
{
    auto* box = new QWidget(this);
    auto* layout = new QVBoxLayout(box);
    layout->setContentsMargins(6, 6, 6, 6);
    FlagsPanelOptions flags;
    flags.auditDirectory = m_options.dataDirectory;
    if (m_options.confirm)
        flags.confirm = m_options.confirm;
    m_flags = new FlagsPanel(*m_bridge, std::move(flags), box);
    m_flags->setReadOnly(m_options.readOnly);
    layout->addWidget(m_flags, 1);

    m_testRead = new QPushButton(QStringLiteral("Send test read"), box);
    m_testRead->setObjectName(QStringLiteral("testReadButton"));
    m_testRead->setToolTip(QStringLiteral("Open one routed read session (dashboard_metrics) and run SELECT 1; "
                                          "its routing decision appears in the routing inspector"));
    m_testRead->setEnabled(!m_options.readOnly);
    connect(m_testRead, &QPushButton::clicked, this, [this] {
        m_testRead->setEnabled(false);
        m_bridge->runTestRead();
    });
    layout->addWidget(m_testRead, 0, Qt::AlignLeft);
    layout->addWidget(hintLabel(QStringLiteral("Changes apply to the next session, without a restart. "
                                               "Writes always go to the primary."),
        box));
    return box;
}

QWidget* MainWindow::buildNodesDock()
{
    m_nodeTable = new PlaceholderTableView(this);
    m_nodeTable->setObjectName(QStringLiteral("nodeTable"));
    m_nodeTable->setModel(m_nodeModel);
    m_nodeTable->setPlaceholderText(QStringLiteral("Probing the primary and the replica\u2026"));
    setUpTable(m_nodeTable);
    m_nodeTable->setSelectionMode(QAbstractItemView::NoSelection);
    m_nodeTable->setFocusPolicy(Qt::NoFocus);
    QHeaderView* header = m_nodeTable->horizontalHeader();
    header->setMinimumSectionSize(48);
    header->setSectionResizeMode(QHeaderView::ResizeToContents);
    header->setSectionResizeMode(NodeTableModel::ErrorColumn, QHeaderView::Stretch);
    return m_nodeTable;
}

void MainWindow::buildDocks()
{
    QDockWidget* routing = addDock(QStringLiteral("routing"), QStringLiteral("Routing flags"), buildRoutingDock(),
                                   Qt::RightDockWidgetArea);
    m_pools = new PoolsPanel(*m_bridge, this);
    QDockWidget* pools = addDock(QStringLiteral("pools"), QStringLiteral("Pools"), m_pools, Qt::RightDockWidgetArea);
    splitDockWidget(routing, pools, Qt::Vertical);

    m_inspector = new RoutingInspector(this);
    QDockWidget* decisions = addDock(QStringLiteral("decisions"), QStringLiteral("Routing inspector"), m_inspector,
                                     Qt::BottomDockWidgetArea);
    QDockWidget* nodes =
        addDock(QStringLiteral("nodes"), QStringLiteral("Nodes (details)"), buildNodesDock(), Qt::BottomDockWidgetArea);
    m_alerts = new AlertsPanel(*m_bridge, this);
    QDockWidget* alerts = addDock(QStringLiteral("alerts"), QStringLiteral("Alerts"), m_alerts, Qt::BottomDockWidgetArea);
    m_etl = new EtlPanel(m_engine, this);
    m_etl->setReadOnly(m_options.readOnly);
    QDockWidget* etl = addDock(QStringLiteral("etl"), QStringLiteral("ETL loads"), m_etl, Qt::BottomDockWidgetArea);
    m_loadTest = new LoadTestPanel(m_engine, this);
    m_loadTest->setReadOnly(m_options.readOnly);
    if (m_options.confirm)
        m_loadTest->setConfirmer(m_options.confirm);
    // The load test switches USE_READ_REPLICA itself: a click meanwhile would
    // spoil its comparison, and its changes are named in the audit log.
    connect(&m_loadTest->controller(), &LoadTestController::runningChanged, m_flags, [this](bool running) {
        m_flags->holdSwitches(running ? QStringLiteral("The load test is running: it switches USE_READ_REPLICA "
                                                       "itself and sets it back when it ends")
                                      : QString());
    });
    QDockWidget* loadTest =
        addDock(QStringLiteral("loadtest"), QStringLiteral("Load test"), m_loadTest, Qt::BottomDockWidgetArea);
    DrillsPanelOptions drillOptions;
    drillOptions.sandboxDir = m_options.sandboxDir;
    if (!m_options.dataDirectory.isEmpty())
        drillOptions.historyDir = m_options.dataDirectory + QStringLiteral("/drills");
    m_drills = new DrillsPanel(m_engine, std::move(drillOptions), this);
    m_drills->setReadOnly(m_options.readOnly);
    if (m_options.confirm)
        m_drills->setConfirmer([confirm = m_options.confirm](const QStringList& steps) {
            return confirm(QStringLiteral("Run these destructive steps?\n") + steps.join(u'\n'));
        });
    QDockWidget* drills = addDock(QStringLiteral("drills"), QStringLiteral("Drills"), m_drills, Qt::BottomDockWidgetArea);
    m_log = new LogPanel(m_logSink, this);
    QDockWidget* log = addDock(QStringLiteral("log"), QStringLiteral("Log"), m_log, Qt::BottomDockWidgetArea);

    // One row of tabs at the bottom; the routing inspector in front.
    for (QDockWidget* dock : {nodes, alerts, etl, loadTest, drills, log})
        tabifyDockWidget(decisions, dock);
    decisions->raise();
    resizeDocks({routing}, {500}, Qt::Horizontal); // the flags panel's switches and sources without scrolling
    resizeDocks({decisions}, {260}, Qt::Vertical);
}

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(QStringLiteral("&File"));
    QAction* settings = file->addAction(QStringLiteral("Connection &settings\u2026"));
    settings->setObjectName(QStringLiteral("settingsAction"));
    settings->setShortcut(QKeySequence::Preferences);
    connect(settings, &QAction::triggered, this, &MainWindow::showSettingsDialog);
    file->addSeparator();
    QAction* quit = file->addAction(QStringLiteral("&Quit"));
    quit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Q));
    quit->setMenuRole(QAction::QuitRole);
    connect(quit, &QAction::triggered, this, &QMainWindow::close);

    QMenu* view = menuBar()->addMenu(QStringLiteral("&View"));
    QAction* refresh = view->addAction(QStringLiteral("&Refresh now"));
    refresh->setObjectName(QStringLiteral("refreshAction"));
    refresh->setShortcut(QKeySequence(Qt::Key_F5));
    connect(refresh, &QAction::triggered, m_bridge, &EngineBridge::refreshNow);

    m_pauseAction = view->addAction(QStringLiteral("Pause updates"));
    m_pauseAction->setObjectName(QStringLiteral("pauseAction"));
    m_pauseAction->setCheckable(true);
    m_pauseAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Period));
    m_pauseAction->setToolTip(QStringLiteral("Hold the charts and tables still (Space on the charts, Ctrl+.); the "
                                             "routing switches keep working"));
    connect(m_pauseAction, &QAction::toggled, this, &MainWindow::setPaused);
    // Space pauses where the charts are, not everywhere: a focused switch or
    // button must keep Space for itself (keyboard users toggle with it).
    auto* space = new QShortcut(QKeySequence(Qt::Key_Space), centralWidget(), nullptr, nullptr,
                                Qt::WidgetWithChildrenShortcut);
    space->setObjectName(QStringLiteral("pauseShortcut"));
    connect(space, &QShortcut::activated, m_pauseAction, &QAction::toggle);
    // The charts' own Pause button and this action are one switch.
    connect(m_charts, &ChartsPanel::pausedChanged, this, [this](bool paused) {
        if (m_pauseAction->isChecked() != paused)
            m_pauseAction->setChecked(paused);
    });

    view->addSeparator();
    for (const QString& name : viewNames())
        view->addAction(m_docks.at(name)->toggleViewAction());
    view->addSeparator();
    QAction* reset = view->addAction(QStringLiteral("Reset &layout"));
    reset->setObjectName(QStringLiteral("resetLayoutAction"));
    connect(reset, &QAction::triggered, this, &MainWindow::resetLayout);

    QMenu* help = menuBar()->addMenu(QStringLiteral("&Help"));
    QAction* about = help->addAction(QStringLiteral("&About and diagnostics\u2026"));
    about->setObjectName(QStringLiteral("aboutAction"));
    about->setMenuRole(QAction::AboutRole);
    connect(about, &QAction::triggered, this, &MainWindow::showAboutDialog);
}

QStringList MainWindow::viewNames() const
{
    return {QStringLiteral("routing"), QStringLiteral("pools"),  QStringLiteral("decisions"),
            QStringLiteral("nodes"),   QStringLiteral("alerts"), QStringLiteral("etl"),
            QStringLiteral("loadtest"), QStringLiteral("drills"), QStringLiteral("log")};
}

bool MainWindow::showView(const QString& name)
{
    const auto it = m_docks.find(name);
    if (it == m_docks.end())
        return false;
    it->second->show();
    it->second->raise();
    return true;
}

void MainWindow::resetLayout()
{
    for (const auto& [name, dock] : m_docks) {
        dock->setFloating(false);
        dock->show();
    }
    restoreState(m_defaultLayout, kLayoutVersion);
}

void MainWindow::showSettingsDialog()
{
    // Another topology means another engine: the console restarts with the
    // new arguments (keeping --read-only), after this one closed cleanly.
    SettingsDialog::Reconnect reconnect;
    if (m_options.reconnect)
        reconnect = [this](const QStringList& arguments) {
            m_reconnectArguments = arguments;
            if (m_options.readOnly)
                m_reconnectArguments << QStringLiteral("--read-only");
            close();  // the new console starts once this one has closed
        };
    auto* dialog = new SettingsDialog(m_engine.settings(),
                                      m_options.settingsOrigin.isEmpty() ? settingsOrigin(m_engine.settings())
                                                                         : m_options.settingsOrigin,
                                      reconnect, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
}

void MainWindow::showAboutDialog()
{
    auto* dialog = new AboutDialog(*m_bridge, *m_stallProbe, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
}

void MainWindow::setPaused(bool paused)
{
    m_bridge->setPaused(paused);
    m_charts->setPaused(paused);
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
    origin->setToolTip(QStringLiteral("Where the connection settings came from (passwords are never shown); "
                                      "File > Connection settings lists them all"));
    bar->addWidget(origin);
    if (m_options.readOnly) {
        auto* readOnly = new QLabel(QStringLiteral("Read-only: actions disabled"), bar);
        readOnly->setObjectName(QStringLiteral("readOnlyLabel"));
        readOnly->setStyleSheet(QStringLiteral("color: %1; font-weight: bold;").arg(lightColor(Light::Amber).name()));
        bar->addWidget(readOnly);
    }

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
    m_cluster->showStatus(status);
    m_nodeModel->resetData(status);
    m_lastStatusTime = status.time;
    m_lastStatusReceived = std::chrono::steady_clock::now();
    m_hasShownStatus = true;
    updateFreshness();
    Q_EMIT statusShown();
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
            m_cluster->setStale(true, time);
        } else {
            text = QStringLiteral("Last updated %1").arg(time);
        }
    }
    m_lastUpdated->setText(text);
    m_lastUpdated->setStyleSheet(colour.isEmpty() ? QString() : QStringLiteral("color: %1;").arg(colour));
}

QStringList MainWindow::runningWork() const
{
    QStringList work;
    if (m_etl->controller().active())
        work << QStringLiteral("an ETL load (cancelled after its current chunk; resumable)");
    if (m_loadTest->controller().running())
        work << QStringLiteral("the load test (stopped; its rows are deleted)");
    if (m_drills->controller().isRunning())
        work << QStringLiteral("a drill (aborted; its rollbacks run first)");
    return work;
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    // Closing with work running would leave the UI thread waiting in the
    // destructors (a drill's rollbacks, a chunk) behind a window that is
    // gone. Stop the work first, say so, and close once it has stopped.
    const QStringList work = runningWork();
    if (!work.isEmpty()) {
        event->ignore();
        if (m_closing)
            return;
        const QString question = QStringLiteral("Still running:\n\u2022 ") + work.join(QStringLiteral("\n\u2022 ")) +
                                 QStringLiteral("\n\nStop it and close?");
        const bool stop = m_options.confirm
                              ? m_options.confirm(question)
                              : QMessageBox::question(this, QStringLiteral("Close Pulse Console"), question) ==
                                    QMessageBox::Yes;
        if (!stop) {
            m_reconnectArguments.clear();  // staying here: no new console either
            return;
        }
        m_closing = true;
        m_etl->controller().cancel();
        m_loadTest->controller().stop();
        m_drills->controller().abort();
        statusBar()->showMessage(QStringLiteral("Stopping before closing: ") + work.join(QStringLiteral("; ")));
        auto* wait = new QTimer(this);
        wait->setInterval(200);
        connect(wait, &QTimer::timeout, this, [this, wait] {
            if (runningWork().isEmpty()) {
                wait->stop();
                close();
            }
        });
        wait->start();
        return;
    }
    if (m_options.persistGeometry)
        saveWindowState();
    if (!m_reconnectArguments.isEmpty() && m_options.reconnect)
        m_options.reconnect(m_reconnectArguments);
    QMainWindow::closeEvent(event);
}

void MainWindow::restoreWindowState()
{
    QSettings settings(kSettingsOrganization, kSettingsApplication);
    restoreGeometry(settings.value(QStringLiteral("mainWindow/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("mainWindow/state")).toByteArray(), kLayoutVersion);
    // The chart window chosen last (a day at most: the history holds no more).
    const int minutes = settings.value(QStringLiteral("charts/windowMinutes"), 0).toInt();
    if (minutes > 0)
        m_charts->setWindow(std::chrono::minutes(std::min(minutes, 24 * 60)));
}

void MainWindow::saveWindowState() const
{
    QSettings settings(kSettingsOrganization, kSettingsApplication);
    settings.setValue(QStringLiteral("mainWindow/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("mainWindow/state"), saveState(kLayoutVersion));
    settings.setValue(QStringLiteral("charts/windowMinutes"), static_cast<int>(m_charts->window().count()));
    settings.setValue(QStringLiteral("profile/origin"),
                      m_options.settingsOrigin.isEmpty() ? settingsOrigin(m_engine.settings())
                                                         : m_options.settingsOrigin);
}

} // namespace pulse::ui

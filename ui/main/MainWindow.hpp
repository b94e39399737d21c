#pragma once
// The console's main window. The verdict first (the cluster strip: badge and
// one card per node), the live charts under it; around them, docks for the
// routing flags, pools, nodes, the routing inspector, alerts, ETL loads, the
// load test, drills and the log. "Last updated", the refresh interval and
// Pause in the status bar.
//
// Everything it shows comes from the EngineBridge it owns (value snapshots,
// UI thread only) or from panels that run their work on core threads; nothing
// here can wait on the network. The Engine must outlive the window, and its
// poller is started by the Engine's owner.
//
// Layout, geometry and the last settings origin are kept with QSettings;
// View > Reset layout puts the docks back where they start.

#include <QMainWindow>
#include <QString>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>

class QAction;
class QDockWidget;
class QLabel;
class QPushButton;
class QTimer;

namespace pulse {
class Engine;
struct TopologyStatus;
} // namespace pulse

namespace pulse::ui {

class AlertsPanel;
class ChartsPanel;
class ClusterStrip;
class DrillsPanel;
class EngineBridge;
class EtlPanel;
class FlagsPanel;
class LoadTestPanel;
class LogPanel;
class LogSink;
class NodeTableModel;
class PlaceholderTableView;
class PoolsPanel;
class RoutingInspector;
class StallProbe;

struct MainWindowOptions {
    std::chrono::milliseconds refreshInterval {500};
    // Restore and save the window geometry and dock layout with QSettings.
    bool persistGeometry = true;
    // Where the settings came from ("sandbox /tmp/...", ".env"), for the
    // status bar; empty: derived from the engine's settings.
    QString settingsOrigin;
    // Observer mode: every action that changes something is disabled.
    bool readOnly = false;
    // The sandbox the settings point at, if any: drills may then act on its
    // processes (stop, kill, freeze, promote, rebuild) after confirmation.
    std::optional<std::filesystem::path> sandboxDir;
    // The flag audit log and the drill history (empty: the application's
    // data directory).
    QString dataDirectory;
    // Answers the questions the window would ask in a dialog (a flag that
    // sends load to the primary, a destructive drill); empty: dialogs. Tests
    // and scripted screenshots answer them.
    std::function<bool(const QString& question)> confirm;
    // Feeds the log panel; empty: the window installs one.
    std::shared_ptr<LogSink> logSink;
    // Connection settings > Connect to...: called once the window has closed
    // (running work stopped first) with the new console's arguments
    // ("--sandbox", "--env-file FILE", plus "--read-only" when this one is);
    // empty: the dialog offers no connection buttons.
    std::function<void(const QStringList& arguments)> reconnect;
};

class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(Engine& engine, MainWindowOptions options = {}, QWidget* parent = nullptr);
    ~MainWindow() override;

    EngineBridge& bridge() const { return *m_bridge; }
    StallProbe& stallProbe() const { return *m_stallProbe; }
    ClusterStrip& clusterStrip() const { return *m_cluster; }
    ChartsPanel& charts() const { return *m_charts; }
    FlagsPanel& flags() const { return *m_flags; }
    RoutingInspector& inspector() const { return *m_inspector; }
    EtlPanel& etl() const { return *m_etl; }
    DrillsPanel& drills() const { return *m_drills; }
    bool readOnly() const { return m_options.readOnly; }
    // True once a status snapshot has reached the widgets.
    bool hasShownStatus() const { return m_hasShownStatus; }
    // Brings a dock to the front: "routing", "pools", "nodes", "decisions",
    // "alerts", "etl", "loadtest", "drills", "log". False for an unknown name.
    bool showView(const QString& name);
    QStringList viewNames() const;

public Q_SLOTS:
    void resetLayout();
    void showSettingsDialog();
    void showAboutDialog();

Q_SIGNALS:
    // A snapshot was applied to the strip and the node table.
    void statusShown();

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildDocks();
    void buildMenus();
    void buildStatusBar();
    QDockWidget* addDock(const QString& name, const QString& title, QWidget* content, Qt::DockWidgetArea area);
    QWidget* buildRoutingDock();
    QWidget* buildNodesDock();

    // What still runs and would be stopped by closing, in words (empty: nothing).
    QStringList runningWork() const;
    void applyStatus(const TopologyStatus& status);
    void setPaused(bool paused);
    void updateFreshness();
    void restoreWindowState();
    void saveWindowState() const;

    Engine& m_engine;
    const MainWindowOptions m_options;
    EngineBridge* m_bridge;
    StallProbe* m_stallProbe;
    std::shared_ptr<LogSink> m_logSink;
    NodeTableModel* m_nodeModel;

    ClusterStrip* m_cluster = nullptr;
    ChartsPanel* m_charts = nullptr;
    FlagsPanel* m_flags = nullptr;
    PoolsPanel* m_pools = nullptr;
    AlertsPanel* m_alerts = nullptr;
    RoutingInspector* m_inspector = nullptr;
    EtlPanel* m_etl = nullptr;
    LoadTestPanel* m_loadTest = nullptr;
    DrillsPanel* m_drills = nullptr;
    LogPanel* m_log = nullptr;
    PlaceholderTableView* m_nodeTable = nullptr;
    QPushButton* m_testRead = nullptr;
    QLabel* m_lastUpdated = nullptr;
    QAction* m_pauseAction = nullptr;
    QTimer* m_freshnessTimer = nullptr;
    std::map<QString, QDockWidget*> m_docks;  // by view name
    QByteArray m_defaultLayout;               // saveState() as built, for Reset layout

    bool m_hasShownStatus = false;
    bool m_closing = false;  // stopping work before closing
    QStringList m_reconnectArguments;  // set by Connect to...: start another console once closed
    std::chrono::system_clock::time_point m_lastStatusTime {};
    std::chrono::steady_clock::time_point m_lastStatusReceived {};
};

} // namespace pulse::ui

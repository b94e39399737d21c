#pragma once
// The console's main window: the verdict first, then the nodes, the routing
// switches and the routing decisions; "last updated", the refresh interval
// and Pause in the status bar.
//
// Everything it shows comes from the EngineBridge it owns (value snapshots,
// UI thread only); nothing here can wait on the network. The Engine must
// outlive the window, and its poller is started by the Engine's owner.

#include <QMainWindow>
#include <QString>

#include <chrono>

class QAction;
class QCheckBox;
class QLabel;
class QPushButton;
class QTimer;

namespace pulse {
class Engine;
struct TopologyStatus;
} // namespace pulse

namespace pulse::ui {

class DecisionTableModel;
class EngineBridge;
class NodeTableModel;
class PlaceholderTableView;
class VerdictBanner;

struct MainWindowOptions {
    std::chrono::milliseconds refreshInterval {500};
    // Restore and save the window geometry with QSettings.
    bool persistGeometry = true;
    // Where the settings came from ("sandbox /tmp/...", ".env"), for the
    // status bar; empty: derived from the engine's settings.
    QString settingsOrigin;
};

class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(Engine& engine, MainWindowOptions options = {}, QWidget* parent = nullptr);
    ~MainWindow() override;

    EngineBridge& bridge() const { return *m_bridge; }
    // True once a status snapshot has reached the widgets.
    bool hasShownStatus() const { return m_hasShownStatus; }

Q_SIGNALS:
    // A snapshot was applied to the banner and the node table.
    void statusShown();

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildMenus();
    QWidget* buildNodesSection();
    QWidget* buildRoutingSection();
    QWidget* buildDecisionsSection();
    void buildStatusBar();

    void applyStatus(const TopologyStatus& status);
    void applyFlags(bool useReadReplica, bool replicaFallbackEnabled);
    void updateFreshness();
    void fitNodeTableHeight();
    void restoreWindowState();
    void saveWindowState() const;

    Engine& m_engine;
    const MainWindowOptions m_options;
    EngineBridge* m_bridge;
    NodeTableModel* m_nodeModel;
    DecisionTableModel* m_decisionModel;

    VerdictBanner* m_banner = nullptr;
    PlaceholderTableView* m_nodeTable = nullptr;
    PlaceholderTableView* m_decisionTable = nullptr;
    QCheckBox* m_useReadReplica = nullptr;
    QCheckBox* m_fallback = nullptr;
    QPushButton* m_testRead = nullptr;
    QLabel* m_lastUpdated = nullptr;
    QAction* m_pauseAction = nullptr;
    QTimer* m_freshnessTimer = nullptr;

    bool m_hasShownStatus = false;
    std::chrono::system_clock::time_point m_lastStatusTime {};
    std::chrono::steady_clock::time_point m_lastStatusReceived {};
};

} // namespace pulse::ui

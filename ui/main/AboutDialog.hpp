#pragma once
// About and diagnostics: the versions that matter when something goes wrong
// (the console, Qt, libpq, each server), and how the console itself is
// doing: UI-thread stalls (StallProbe), UI-thread CPU, the monitor's cycle
// time and CPU, and the memory the chart series hold. Updated live while open.

#include <QDialog>

class QLabel;
class QTimer;

namespace pulse {
class Engine;
}

namespace pulse::ui {

class EngineBridge;
class StallProbe;

class AboutDialog : public QDialog {
    Q_OBJECT

public:
    AboutDialog(EngineBridge& bridge, const StallProbe& probe, QWidget* parent = nullptr);

    QString versionsText() const;
    QString diagnosticsText() const;

private:
    void refresh();

    EngineBridge& m_bridge;
    const StallProbe& m_probe;
    QLabel* m_versions;
    QLabel* m_diagnostics;
    QTimer* m_timer;
};

// "15.5" from PQlibVersion().
QString libpqVersion();

}  // namespace pulse::ui

#include "main/AboutDialog.hpp"

#include "Formatting.hpp"
#include "bridge/EngineBridge.hpp"
#include "engine/Engine.hpp"
#include "main/StallProbe.hpp"

#include <libpq-fe.h>

#include <QDialogButtonBox>
#include <QLabel>
#include <QTimer>
#include <QVBoxLayout>
#include <QtGlobal>

namespace pulse::ui {

QString libpqVersion()
{
    const int v = PQlibVersion();  // 150005 -> 15.5 (10 and later: major * 10000 + minor)
    return QStringLiteral("%1.%2").arg(v / 10000).arg(v % 10000);
}

AboutDialog::AboutDialog(EngineBridge& bridge, const StallProbe& probe, QWidget* parent)
    : QDialog(parent), m_bridge(bridge), m_probe(probe), m_versions(new QLabel(this)),
      m_diagnostics(new QLabel(this)), m_timer(new QTimer(this))
{
    setObjectName(QStringLiteral("aboutDialog"));
    setWindowTitle(QStringLiteral("About Pulse Console"));
    auto* layout = new QVBoxLayout(this);
    // The figures change every second: the dialog grows with them instead of
    // cutting the last line off.
    layout->setSizeConstraint(QLayout::SetMinimumSize);
    auto* title = new QLabel(QStringLiteral("<h2>Pulse Console</h2>An operations console for a PostgreSQL primary "
                                            "and its streaming read replicas."),
                             this);
    title->setWordWrap(true);
    layout->addWidget(title);
    m_versions->setObjectName(QStringLiteral("aboutVersions"));
    m_diagnostics->setObjectName(QStringLiteral("aboutDiagnostics"));
    for (QLabel* label : {m_versions, m_diagnostics}) {
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
        // Lines broken by hand: a word-wrapped label under a size constraint
        // gets the wrong height and overlaps the next one.
        layout->addWidget(label);
    }
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    m_timer->setInterval(1000);
    connect(m_timer, &QTimer::timeout, this, &AboutDialog::refresh);
    m_timer->start();
    refresh();
}

QString AboutDialog::versionsText() const
{
    QString servers;
    if (const auto& status = m_bridge.lastStatus())
        for (const NodeStatus& node : status->nodes)
            servers += QStringLiteral("<br>%1: %2")
                           .arg(toQString(node.name),
                                node.serverVersion.empty() ? QStringLiteral("not reachable")
                                                           : toQString(node.serverVersion).toHtmlEscaped());
    return QStringLiteral("<b>Versions</b><br>Pulse Console %1<br>Qt %2 (built with %3)<br>libpq %4%5")
        .arg(QStringLiteral(PULSE_VERSION), QString::fromLatin1(qVersion()), QStringLiteral(QT_VERSION_STR),
             libpqVersion(), servers);
}

QString AboutDialog::diagnosticsText() const
{
    const StallSummary s = m_probe.summary();
    const MonitorStats monitor = m_bridge.engine().monitor().stats();
    return QStringLiteral("<b>Diagnostics</b><br>UI thread: tick lateness p50 %1 ms, p99 %2 ms, max %3 ms;<br>"
                          "%4 stalls over 50 ms, %5 over 300 ms in %6 s; UI thread CPU %7 % of a core"
                          "<br>Monitor: %8 cycles, last %9 ms (%10 ms CPU)<br>Chart series: %11 KiB")
        .arg(s.p50Ms, 0, 'f', 1)
        .arg(s.p99Ms, 0, 'f', 1)
        .arg(s.maxMs, 0, 'f', 1)
        .arg(s.over50Ms)
        .arg(s.over300Ms)
        .arg(s.seconds, 0, 'f', 0)
        .arg(s.uiCpuPercent, 0, 'f', 1)
        .arg(monitor.cycles)
        .arg(monitor.lastCycleMs, 0, 'f', 1)
        .arg(monitor.lastCycleCpuMs, 0, 'f', 1)
        .arg(static_cast<double>(m_bridge.engine().series().memoryBytes()) / 1024.0, 0, 'f', 0);
}

void AboutDialog::refresh()
{
    m_versions->setText(versionsText());
    m_diagnostics->setText(diagnosticsText());
}

}  // namespace pulse::ui

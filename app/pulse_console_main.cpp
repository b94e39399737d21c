// pulse-console: the desktop console. Parses arguments, resolves the settings
// (the same rule as pulsectl: see ConfigurationResolver), optionally prepares
// the local sandbox, builds one Engine and shows the main window.
//
// Everything that may block (creating or starting the sandbox) happens here,
// before the window exists; afterwards the UI thread never waits on a server.

#include "charts/ChartsPanel.hpp"
#include "common/Errors.hpp"
#include "common/ExitCodes.hpp"
#include "common/Logging.hpp"
#include "config/SettingsLoader.hpp"
#include "engine/ConfigurationResolver.hpp"
#include "engine/Engine.hpp"
#include "etl/EtlController.hpp"
#include "etl/EtlPanel.hpp"
#include "main/MainWindow.hpp"
#include "topology/Sandbox.hpp"
#include "workload/DashboardReaders.hpp"

#include <QApplication>
#include <QCommandLineParser>
#include <QDialog>
#include <QMessageBox>
#include <QFileInfo>
#include <QProcess>
#include <QSettings>
#include <QTimer>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>

namespace {

using namespace std::chrono_literals;

constexpr auto kScreenshotDeadline = 15s;
constexpr auto kStreamingWait = 15s;

// A fatal start-up problem: one summary line, every detail, an exit code.
struct Failure {
    int exitCode = pulse::exitcode::failure;
    QString summary;
    QStringList details;
};

bool envSet(const char* name)
{
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0';
}

bool argvHas(int argc, char** argv, std::initializer_list<const char*> names)
{
    for (int i = 1; i < argc; ++i)
        for (const char* name : names) {
            const size_t length = std::strlen(name);
            if (std::strncmp(argv[i], name, length) == 0 && (argv[i][length] == '\0' || argv[i][length] == '='))
                return true;
        }
    return false;
}

void printErr(const QString& text)
{
    std::fputs(qPrintable(text), stderr);
    std::fputc('\n', stderr);
    std::fflush(stderr);
}

// Always on stderr; also in a dialog when a person is looking at a screen.
int report(const Failure& failure, bool dialog)
{
    QString text = QStringLiteral("pulse-console: ") + failure.summary;
    for (const QString& detail : failure.details)
        text += QStringLiteral("\n  - ") + detail;
    printErr(text);
    if (dialog) {
        QMessageBox box(QMessageBox::Critical, QStringLiteral("Pulse Console"), failure.summary);
        if (!failure.details.isEmpty())
            box.setInformativeText(QStringLiteral("\u2022 ") + failure.details.join(QStringLiteral("\n\u2022 ")));
        box.exec();
    }
    return failure.exitCode;
}

Failure configFailure(const pulse::ConfigError& error)
{
    Failure failure {pulse::exitcode::config, {}, {}};
    const auto count = error.issues().size();
    failure.summary = count == 1 ? QStringLiteral("the configuration has a problem; nothing was started.")
                                 : QStringLiteral("the configuration has %1 problems; nothing was started.").arg(count);
    // Issue messages come with secrets already masked.
    for (const pulse::ConfigIssue& issue : error.issues())
        failure.details << QString::fromStdString(issue.message);
    if (failure.details.isEmpty())
        failure.details << QString::fromUtf8(error.what());
    return failure;
}

// --sandbox: create the sandbox when missing, start nodes that are stopped.
// Blocking (seconds), acceptable before the window shows; progress on stderr.
void prepareSandbox(const std::filesystem::path& dir)
{
    const QString where = QString::fromStdString(dir.string());
    if (!pulse::Sandbox::exists(dir)) {
        printErr(
            QStringLiteral("pulse-console: creating a sandbox (primary + streaming replica) in %1 ...").arg(where));
        pulse::SandboxOptions options;
        options.baseDir = dir;
        const auto sandbox = pulse::Sandbox::create(options);
        printErr(QStringLiteral("pulse-console: sandbox ready: %1").arg(QString::fromStdString(sandbox->describe())));
        return;
    }
    const auto sandbox = pulse::Sandbox::open(dir);
    bool started = false;
    for (const pulse::SandboxNode node : {pulse::SandboxNode::Primary, pulse::SandboxNode::Replica}) {
        if (sandbox->isRunning(node))
            continue;
        printErr(QStringLiteral("pulse-console: starting the sandbox %1 ...")
                     .arg(QString::fromUtf8(pulse::sandboxNodeName(node).data(),
                         static_cast<qsizetype>(pulse::sandboxNodeName(node).size()))));
        sandbox->start(node);
        started = true;
    }
    if (started && !sandbox->waitForStreaming(kStreamingWait))
        printErr(QStringLiteral("pulse-console: the replica is not streaming yet; the console will say so"));
    printErr(QStringLiteral("pulse-console: using %1").arg(QString::fromStdString(sandbox->describe())));
}

} // namespace

int main(int argc, char** argv)
{
    const bool screenshotRequested = argvHas(argc, argv, {"--screenshot"});
#if defined(__linux__)
    // Without a display, QApplication aborts with a terse message. Help,
    // version and screenshots need none: render offscreen.
    if (!envSet("DISPLAY") && !envSet("WAYLAND_DISPLAY") && !envSet("QT_QPA_PLATFORM")) {
        if (screenshotRequested || argvHas(argc, argv, {"-h", "--help", "--help-all", "-v", "--version"})) {
            qputenv("QT_QPA_PLATFORM", "offscreen");
        } else {
            std::fputs("pulse-console: no display (DISPLAY and WAYLAND_DISPLAY are unset).\n"
                       "  Run it in a desktop session, or render offscreen:\n"
                       "  QT_QPA_PLATFORM=offscreen pulse-console --screenshot FILE.png\n",
                stderr);
            return pulse::exitcode::usage;
        }
    }
#endif

    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Pulse"));
    QApplication::setApplicationName(QStringLiteral("pulse-console"));
    QApplication::setApplicationDisplayName(QStringLiteral("Pulse Console"));
    QApplication::setApplicationVersion(QStringLiteral(PULSE_CONSOLE_VERSION));
    QGuiApplication::setDesktopFileName(QStringLiteral("io.github.pulseconsole.PulseConsole")); // the .desktop file and AppStream id

    const QString defaultSandbox = QString::fromStdString(pulse::Sandbox::defaultBaseDir().string());
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Operations console for a PostgreSQL primary and its streaming read replica.\n\n"
                       "Settings, lowest precedence first: built-in defaults < sandbox < .env file < "
                       "environment < --set.\n"
                       "With no --env-file, no ./.env, no POSTGRES_* variable and no --set, an existing "
                       "sandbox in %1 is used.")
            .arg(defaultSandbox));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption envFileOption(QStringLiteral("env-file"),
        QStringLiteral("Read settings from <FILE> instead of ./.env."), QStringLiteral("FILE"));
    const QCommandLineOption setOption(QStringLiteral("set"),
        QStringLiteral("Override one setting, e.g. --set DB_POOL_SIZE=20 (repeatable; wins over everything else)."),
        QStringLiteral("KEY=VALUE"));
    const QCommandLineOption sandboxOption(QStringLiteral("sandbox"),
        QStringLiteral("Connect to the local sandbox topology; create it when missing, start stopped nodes."));
    const QCommandLineOption sandboxDirOption(QStringLiteral("sandbox-dir"),
        QStringLiteral("Directory of the sandbox (implies --sandbox; default %1).").arg(defaultSandbox),
        QStringLiteral("DIR"));
    const QCommandLineOption screenshotOption(QStringLiteral("screenshot"),
        QStringLiteral("Save a PNG of the window once the first topology status is shown, then exit "
                       "(non-zero when none arrives within %1 s).")
            .arg(std::chrono::seconds(kScreenshotDeadline).count()),
        QStringLiteral("FILE.png"));
    const QCommandLineOption refreshOption(QStringLiteral("refresh-ms"),
        QStringLiteral("Take the engine's latest snapshot into the window every <N> ms (100-60000); the probes "
                       "themselves run every MONITOR_INTERVAL_MS."),
        QStringLiteral("N"), QStringLiteral("500"));
    const QCommandLineOption logFileOption(QStringLiteral("log-file"),
        QStringLiteral("Also write the log to <FILE> (rotating). Levels from SPDLOG_LEVEL (default warn)."),
        QStringLiteral("FILE"));
    const QCommandLineOption afterOption(QStringLiteral("after"),
        QStringLiteral("With --screenshot: wait <MS> ms after the first status (charts fill, panels settle; "
                       "0-600000, default 200)."),
        QStringLiteral("MS"), QStringLiteral("200"));
    const QCommandLineOption viewOption(QStringLiteral("view"),
        QStringLiteral("Bring a panel to the front: routing, pools, decisions, nodes, alerts, etl, loadtest, drills, "
                       "log; or open a dialog: settings, about (with --screenshot, the dialog is what is saved)."),
        QStringLiteral("NAME"));
    const QCommandLineOption demoLoadOption(QStringLiteral("demo-load"),
        QStringLiteral("Start a throttled ETL load (ETL_MAX_ROWS_PER_SECOND, else 20000 rows/s) and "
                       "DASHBOARD_READERS dashboard readers in this console, so the charts, pools and routing "
                       "inspector have traffic to show (demos, screenshots)."));
    const QCommandLineOption chartWindowOption(QStringLiteral("chart-window"),
        QStringLiteral("Time window of the charts, in minutes (1-1440); without it, the one in use when the "
                       "console last closed."),
        QStringLiteral("MINUTES"));
    const QCommandLineOption readOnlyOption(QStringLiteral("read-only"),
        QStringLiteral("Observer mode: watch only; every action that changes something is disabled."));
    parser.addOptions({envFileOption, setOption, sandboxOption, sandboxDirOption, screenshotOption, afterOption,
        viewOption, demoLoadOption, chartWindowOption, readOnlyOption, refreshOption, logFileOption});

    if (!parser.parse(QApplication::arguments())) {
        printErr(QStringLiteral("pulse-console: %1\nTry 'pulse-console --help'.").arg(parser.errorText()));
        return pulse::exitcode::usage;
    }
    if (parser.isSet(QStringLiteral("help")))
        parser.showHelp(pulse::exitcode::ok);
    if (parser.isSet(QStringLiteral("version")))
        parser.showVersion();
    if (!parser.positionalArguments().isEmpty()) {
        printErr(QStringLiteral("pulse-console: unexpected argument '%1'\nTry 'pulse-console --help'.")
                     .arg(parser.positionalArguments().constFirst()));
        return pulse::exitcode::usage;
    }
    bool refreshOk = false;
    const int refreshMs = parser.value(refreshOption).toInt(&refreshOk);
    if (!refreshOk || refreshMs < 100 || refreshMs > 60000) {
        printErr(QStringLiteral("pulse-console: --refresh-ms %1: expected a whole number of milliseconds from 100 "
                                "to 60000")
                     .arg(parser.value(refreshOption)));
        return pulse::exitcode::usage;
    }
    const std::chrono::milliseconds refresh(refreshMs);
    const QString screenshotPath = parser.value(screenshotOption);
    bool afterOk = false;
    const int afterMs = parser.value(afterOption).toInt(&afterOk);
    if (!afterOk || afterMs < 0 || afterMs > 600000) {
        printErr(QStringLiteral("pulse-console: --after %1: expected a whole number of milliseconds from 0 to 600000")
                     .arg(parser.value(afterOption)));
        return pulse::exitcode::usage;
    }
    if (parser.isSet(afterOption) && screenshotPath.isEmpty()) {
        printErr(QStringLiteral("pulse-console: --after needs --screenshot FILE.png"));
        return pulse::exitcode::usage;
    }
    int chartWindowMinutes = 0;
    if (parser.isSet(chartWindowOption)) {
        bool ok = false;
        chartWindowMinutes = parser.value(chartWindowOption).toInt(&ok);
        if (!ok || chartWindowMinutes < 1 || chartWindowMinutes > 24 * 60) {
            printErr(QStringLiteral("pulse-console: --chart-window %1: expected a whole number of minutes from 1 to "
                                    "1440")
                         .arg(parser.value(chartWindowOption)));
            return pulse::exitcode::usage;
        }
    }
    const QString view = parser.value(viewOption);
    if (parser.isSet(demoLoadOption) && parser.isSet(readOnlyOption)) {
        printErr(QStringLiteral("pulse-console: --demo-load writes to the database; it cannot run with --read-only"));
        return pulse::exitcode::usage;
    }

    // A dialog only when somebody can see it.
    const QString platform = QGuiApplication::platformName();
    const bool dialogs = screenshotPath.isEmpty() && platform != u"offscreen" && platform != u"minimal";

    try {
        // The log panel starts at info (flag changes, fallbacks, breakers);
        // stderr and --log-file stay at warn.
        pulse::setupLogging({parser.value(logFileOption).toStdString(), true, "warn", "info"});
    } catch (const std::exception& e) {
        return report(
            {pulse::exitcode::usage, QStringLiteral("cannot open the log file"), {QString::fromUtf8(e.what())}},
            dialogs);
    }

    pulse::ConfigurationRequest request;
    if (parser.isSet(envFileOption))
        request.envFile = parser.value(envFileOption).toStdString();
    request.environment = pulse::SettingsLoader::currentEnvironment();
    request.forceSandbox = parser.isSet(sandboxOption) || parser.isSet(sandboxDirOption);
    if (parser.isSet(sandboxDirOption))
        request.sandboxDir = std::filesystem::path(parser.value(sandboxDirOption).toStdString());

    // Every problem at once: a malformed --set does not hide an invalid value
    // elsewhere, so the well-formed assignments are still loaded and checked.
    std::vector<pulse::ConfigIssue> malformed;
    for (const QString& set : parser.values(setOption)) {
        try {
            for (auto& assignment : pulse::ConfigurationResolver::parseAssignments({set.toStdString()}))
                request.commandLine.push_back(std::move(assignment));
        } catch (const pulse::ConfigError& e) {
            malformed.insert(malformed.end(), e.issues().begin(), e.issues().end());
        }
    }

    // The last profile: a console started with nothing at all (no flag, no
    // ./.env, no POSTGRES_*, no sandbox to fall back on) reopens the settings
    // file it used last time, and says so. A screenshot never does: it must
    // be reproducible.
    QSettings profile(QStringLiteral("Pulse"), QStringLiteral("Pulse Console"));  // as MainWindow
    const QString lastEnvFile = profile.value(QStringLiteral("profile/envFile")).toString();
    if (!request.forceSandbox && screenshotPath.isEmpty() && pulse::ConfigurationResolver::nothingGiven(request) &&
        !pulse::Sandbox::exists(pulse::Sandbox::defaultBaseDir()) && !lastEnvFile.isEmpty() &&
        QFileInfo::exists(lastEnvFile)) {
        request.envFile = lastEnvFile.toStdString();
        printErr(QStringLiteral("pulse-console: using the last profile, --env-file %1").arg(lastEnvFile));
    }
    if (request.envFile && screenshotPath.isEmpty())
        profile.setValue(QStringLiteral("profile/envFile"),
                         QFileInfo(QString::fromStdString(request.envFile->string())).absoluteFilePath());

    std::optional<pulse::ResolvedConfiguration> resolved;
    try {
        if (request.forceSandbox && malformed.empty())
            prepareSandbox(request.sandboxDir.value_or(pulse::Sandbox::defaultBaseDir()));
        try {
            resolved = pulse::ConfigurationResolver::resolve(request);
        } catch (const pulse::ConfigError& e) {
            malformed.insert(malformed.end(), e.issues().begin(), e.issues().end());
        } catch (const pulse::SandboxError&) {
            if (malformed.empty())
                throw;
            // The sandbox was left alone because of the malformed --set: say that first.
        }
        if (!malformed.empty())
            throw pulse::ConfigError(std::move(malformed));
    } catch (const pulse::ConfigError& e) {
        return report(configFailure(e), dialogs);
    } catch (const pulse::SandboxError& e) {
        return report({pulse::exitcode::sandbox, QStringLiteral("the sandbox could not be prepared."),
                          {QString::fromUtf8(e.what())}},
            dialogs);
    } catch (const std::exception& e) {
        return report(
            {pulse::exitcode::failure, QStringLiteral("could not start."), {QString::fromUtf8(e.what())}}, dialogs);
    }
    if (resolved->sandboxDir && !request.forceSandbox)
        printErr(QStringLiteral("pulse-console: using the sandbox in %1 (no --env-file, ./.env, POSTGRES_* variable "
                                "or --set given)")
                     .arg(QString::fromStdString(resolved->sandboxDir->string())));
    pulse::logger("console")->info("settings from {}; primary {}:{}, replica {}", resolved->origin,
        resolved->settings.primaryHost, resolved->settings.primaryPort,
        resolved->settings.replicaConfigured()
            ? resolved->settings.replicaHost + ":" + std::to_string(resolved->settings.replicaPort)
            : std::string("none"));

    std::optional<pulse::Engine> engine;
    try {
        engine.emplace(resolved->settings);
    } catch (const std::exception& e) {
        return report(
            {pulse::exitcode::failure, QStringLiteral("could not start the engine."), {QString::fromUtf8(e.what())}},
            dialogs);
    }
    engine->startMonitor();
    // Declared before the window, so it runs after the window (and whatever
    // its panels still stop on the way out) is gone: a drill's rollbacks
    // still see a live monitor.
    struct MonitorStopper {
        pulse::Engine& engine;
        ~MonitorStopper() { engine.stopMonitor(); }
    } monitorStopper {*engine};

    pulse::ui::MainWindowOptions options;
    options.refreshInterval = refresh;
    options.persistGeometry = screenshotPath.isEmpty(); // a screenshot has a fixed, reproducible size
    options.settingsOrigin = QString::fromStdString(resolved->origin);
    options.readOnly = parser.isSet(readOnlyOption);
    options.sandboxDir = resolved->sandboxDir;
    options.reconnect = [](const QStringList& arguments) {
        // The window has closed; the new console starts as this process
        // quits, so only one of them holds connections at a time.
        QObject::connect(qApp, &QCoreApplication::aboutToQuit, [arguments] {
            QProcess::startDetached(QCoreApplication::applicationFilePath(), arguments);
        });
    };
    pulse::ui::MainWindow window(*engine, options);
    QApplication::setWindowIcon(window.windowIcon());
    if (chartWindowMinutes > 0)
        window.charts().setWindow(std::chrono::minutes(chartWindowMinutes));
    const QStringList dialogViews {QStringLiteral("settings"), QStringLiteral("about")};
    if (!view.isEmpty() && !dialogViews.contains(view) && !window.showView(view)) {
        printErr(QStringLiteral("pulse-console: --view %1: expected one of %2")
                     .arg(view, (window.viewNames() + dialogViews).join(QStringLiteral(", "))));
        return pulse::exitcode::usage;
    }

    // The demo load runs through this console's own engine: its sessions are
    // the ones the charts and the routing inspector show.
    std::unique_ptr<pulse::DashboardReaders> demoReaders;
    if (parser.isSet(demoLoadOption)) {
        const auto& s = engine->settings();
        window.etl().controller().start(2'000'000, s.etlChunkSize, s.etlRowsPerSecondLimit().value_or(20'000));
        pulse::ReaderOptions readers;
        readers.readers = s.dashboardReaders;
        readers.think = s.dashboardThink;
        demoReaders = std::make_unique<pulse::DashboardReaders>(engine->router(), readers);
        demoReaders->start();
    }

    if (!screenshotPath.isEmpty()) {
        QTimer::singleShot(kScreenshotDeadline + std::chrono::milliseconds(afterMs), &window, [&] {
            printErr(QStringLiteral("pulse-console: no topology status reached the window within %1 s; no screenshot")
                         .arg(std::chrono::seconds(kScreenshotDeadline).count()));
            QApplication::exit(pulse::exitcode::failure);
        });
        QObject::connect(
            &window, &pulse::ui::MainWindow::statusShown, &window,
            [&] {
                // Layout settles (and, with --after, the charts fill) first.
                QTimer::singleShot(std::chrono::milliseconds(afterMs), &window, [&] {
                    // --view settings / about: the dialog, not the window behind it.
                    QWidget* target = &window;
                    for (QDialog* dialog : window.findChildren<QDialog*>())
                        if (dialog->isVisible())
                            target = dialog;
                    if (!target->grab().save(screenshotPath, "PNG")) {
                        printErr(
                            QStringLiteral("pulse-console: could not write the screenshot to %1").arg(screenshotPath));
                        QApplication::exit(pulse::exitcode::failure);
                        return;
                    }
                    printErr(QStringLiteral("pulse-console: screenshot saved to %1").arg(screenshotPath));
                    QApplication::exit(pulse::exitcode::ok);
                });
            },
            Qt::SingleShotConnection);
    }

    window.show();
    if (view == dialogViews[0])
        window.showSettingsDialog();
    else if (view == dialogViews[1])
        window.showAboutDialog();
    return QApplication::exec();
}

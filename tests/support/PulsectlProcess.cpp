#include "PulsectlProcess.hpp"

#include "SandboxFixture.hpp"

#include <QProcessEnvironment>
#include <QTemporaryDir>

namespace {

void prepare(QProcess& process, const QString& program, const QStringList& arguments, const EnvOverrides& extra)
{
    static QTemporaryDir workDir;  // no ./.env here: the environment is the whole configuration
    process.setWorkingDirectory(workDir.path());
    auto environment = QProcessEnvironment::systemEnvironment();
    for (const auto& [key, value] : SandboxFixture::settingsValues())
        environment.insert(QString::fromStdString(key), QString::fromStdString(value));
    // A fast monitor keeps waits short; a probe deadline of 90 ms read a
    // healthy server as "not answering" on a loaded two-core machine.
    environment.insert(QStringLiteral("MONITOR_INTERVAL_MS"), QStringLiteral("250"));
    environment.insert(QStringLiteral("MONITOR_PROBE_TIMEOUT_MS"), QStringLiteral("240"));
    for (const auto& [key, value] : extra) {
        if (value.isNull())
            environment.remove(key);  // QString(): run without it
        else
            environment.insert(key, value);
    }
    process.setProcessEnvironment(environment);
    process.setProgram(program);
    process.setArguments(arguments);
}

}  // namespace

PulsectlRun runPulsectl(const QString& program, const QStringList& arguments, int timeoutMs, const EnvOverrides& extra)
{
    QProcess process;
    prepare(process, program, arguments, extra);
    process.start();
    PulsectlRun run;
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        run.err = process.readAllStandardError();
        return run;
    }
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    return run;
}

std::unique_ptr<QProcess> startPulsectl(const QString& program, const QStringList& arguments, const EnvOverrides& extra)
{
    auto process = std::make_unique<QProcess>();
    prepare(*process, program, arguments, extra);
    process->start();
    return process;
}

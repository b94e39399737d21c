#pragma once
// pulsectl run as a user runs it, against the executable's sandbox: settings
// through the environment (the way a shell gives them), in an empty working
// directory (no ./.env), with a fast monitor so waits stay short.

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QStringList>

#include <memory>
#include <utility>
#include <vector>

struct PulsectlRun {
    int exitCode = -1;  // -1: did not finish within the timeout (then killed)
    QByteArray out;
    QByteArray err;
};

// Extra environment; a null QString() value removes the variable.
using EnvOverrides = std::vector<std::pair<QString, QString>>;

// Runs `program` (the pulsectl binary) to completion.
PulsectlRun runPulsectl(const QString& program, const QStringList& arguments, int timeoutMs = 60'000,
                        const EnvOverrides& extra = {});
// Starts it and returns at once, for tests that interrupt or kill it.
std::unique_ptr<QProcess> startPulsectl(const QString& program, const QStringList& arguments,
                                        const EnvOverrides& extra = {});

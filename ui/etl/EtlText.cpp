#include "etl/EtlText.hpp"

#include "Formatting.hpp"

#include <QLocale>

#include <cmath>

namespace pulse::ui {

using namespace Qt::StringLiterals;

QString etlStateWord(EtlState state)
{
    QString word = QString::fromLatin1(etlStateName(state));
    if (!word.isEmpty())
        word[0] = word[0].toUpper();
    return word;
}

QString etaText(std::optional<std::chrono::seconds> eta)
{
    if (!eta)
        return u"ETA unknown"_s;
    const auto s = std::max<std::int64_t>(0, eta->count());
    if (s >= 3600)
        return u"ETA %1 h %2 min"_s.arg(s / 3600).arg((s % 3600) / 60, 2, 10, QLatin1Char('0'));
    if (s >= 60)
        return u"ETA %1 min %2 s"_s.arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    return u"ETA %1 s"_s.arg(s);
}

QString etlProgressText(const EtlProgress& progress)
{
    const QLocale locale;
    QString text = u"%1 of %2 rows \u00b7 %3 rows/s"_s.arg(locale.toString(qint64(progress.rowsLoaded)),
        locale.toString(qint64(progress.totalRows)), locale.toString(qint64(std::llround(progress.rowsPerSecond))));
    if (!isFinished(progress.state) && progress.state != EtlState::Idle)
        text += u" \u00b7 "_s + etaText(progress.eta);
    // QProgressBar expands %p, %v and %m in its format.
    text.replace(u'%', u"%%"_s);
    return text;
}

QString etlStateText(const EtlProgress& progress)
{
    const QString job = progress.jobId > 0 ? u" job %1"_s.arg(progress.jobId) : QString();
    const QString detail = toQString(progress.detail);
    switch (progress.state) {
    case EtlState::Idle:
        return u"No load started"_s;
    case EtlState::Starting:
        return u"Starting%1: preparing the job and the schema"_s.arg(job);
    case EtlState::Running: {
        QString text = u"Running%1"_s.arg(job);
        if (!progress.currentTable.empty())
            text += u" (%1 %2)"_s.arg(progress.currentTable.find(',') == std::string::npos ? u"table"_s : u"tables"_s,
                toQString(progress.currentTable));
        if (progress.retries > 0)
            text += u", %1 reconnection(s)"_s.arg(progress.retries);
        return text;
    }
    case EtlState::Paused:
        return u"Paused%1 after its last chunk"_s.arg(job);
    case EtlState::Braking:
        return u"Braking%1: %2"_s.arg(job, detail.isEmpty() ? u"replica lag too high"_s : detail);
    case EtlState::Retrying:
        return u"Retrying%1: %2"_s.arg(job, detail.isEmpty() ? u"reconnecting to the primary"_s : detail);
    case EtlState::Completed:
        return u"Completed%1: %2 rows in %3 s (%4 rows/s average)"_s.arg(job)
            .arg(progress.rowsThisRun)
            .arg(static_cast<double>(progress.elapsed.count()) / 1000.0, 0, 'f', 1)
            .arg(std::llround(progress.averageRowsPerSecond()));
    case EtlState::Cancelled:
        return u"Cancelled%1 at %2 of %3 rows; the checkpoint is consistent, resume finishes it"_s.arg(job)
            .arg(progress.rowsLoaded)
            .arg(progress.totalRows);
    case EtlState::Failed: {
        const QString why = toQString(progress.error.empty() ? progress.detail : progress.error);
        return u"Failed%1: %2"_s.arg(job, why.isEmpty() ? u"unknown error"_s : why);
    }
    }
    return {};
}

} // namespace pulse::ui

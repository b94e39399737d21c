#include "drills/DrillHistory.hpp"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace pulse::ui {

using namespace Qt::StringLiterals;

std::optional<DrillHistoryEntry> readDrillHistoryEntry(const QString& journalPath)
{
    QFile file(journalPath);
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    QJsonParseError error {};
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return std::nullopt;
    const QJsonObject json = document.object();
    if (!json.contains(u"name"_s) || !json.contains(u"status"_s))
        return std::nullopt;

    DrillHistoryEntry entry;
    entry.journalPath = journalPath;
    entry.name = json.value(u"name"_s).toString();
    entry.title = json.value(u"drill"_s).toObject().value(u"title"_s).toString();
    entry.start = QDateTime::fromString(json.value(u"start"_s).toString(), Qt::ISODateWithMs);
    if (!entry.start.isValid())
        entry.start = QFileInfo(journalPath).lastModified();
    entry.start = entry.start.toUTC();
    entry.durationSeconds = json.value(u"duration"_s).toDouble();
    entry.status = json.value(u"status"_s).toString();
    entry.verdict = json.value(u"verdict"_s).toString();

    QString report = journalPath;
    if (report.endsWith(kJournalSuffix)) {
        report.chop(kJournalSuffix.size());
        report += kReportSuffix;
        if (QFileInfo::exists(report))
            entry.reportPath = report;
    }
    return entry;
}

std::vector<DrillHistoryEntry> readDrillHistory(const QString& dir, int limit)
{
    std::vector<DrillHistoryEntry> entries;
    const QDir directory(dir);
    if (!directory.exists())
        return entries;
    const QStringList files
        = directory.entryList({u"*"_s + kJournalSuffix}, QDir::Files | QDir::Readable, QDir::Name | QDir::Reversed);
    for (const QString& name : files) {
        if (auto entry = readDrillHistoryEntry(directory.filePath(name)))
            entries.push_back(std::move(*entry));
    }
    // Newest first; the file name breaks ties (two runs in one millisecond).
    std::stable_sort(entries.begin(), entries.end(), [](const DrillHistoryEntry& a, const DrillHistoryEntry& b) {
        if (a.start != b.start)
            return a.start > b.start;
        return a.journalPath > b.journalPath;
    });
    if (limit >= 0 && entries.size() > static_cast<size_t>(limit))
        entries.resize(static_cast<size_t>(limit));
    return entries;
}

} // namespace pulse::ui

#pragma once
// The history of drill runs: the journal files a DrillController wrote
// (<name>-<time>.journal.json, with <name>-<time>.report.md beside it), read
// back from disk, so the history survives a restart. Plain file reads of a
// local directory; no network.

#include <QDateTime>
#include <QString>
#include <QStringView>

#include <optional>
#include <vector>

namespace pulse::ui {

struct DrillHistoryEntry {
    QString journalPath;
    QString reportPath; // empty when the report is missing
    QString name; // "replica-outage"
    QString title;
    QDateTime start; // UTC
    double durationSeconds = 0;
    QString status; // "completed", "failed", "aborted" (the journal's words)
    QString verdict; // "PASSED", "FAILED: ...", "ABORTED: ..."
};

inline constexpr QStringView kJournalSuffix = u".journal.json";
inline constexpr QStringView kReportSuffix = u".report.md";

// One journal file; std::nullopt when it cannot be read or is not a journal.
std::optional<DrillHistoryEntry> readDrillHistoryEntry(const QString& journalPath);
// Every journal in `dir`, newest first (by the run's start), at most `limit`.
std::vector<DrillHistoryEntry> readDrillHistory(const QString& dir, int limit = 500);

} // namespace pulse::ui

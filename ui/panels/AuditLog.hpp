#pragma once
// The audit trail of flag changes: kept in memory for the session and
// appended, one JSON object per line, to <directory>/audit.log. The file is
// only ever appended to (never rewritten), so earlier sessions stay in it.
//
// UI thread only: a record() is one small local write, opened and closed
// each time, so a crash loses nothing already recorded.

#include "panels/AuditEntry.hpp"

#include <QObject>
#include <QString>

#include <vector>

namespace pulse::ui {

class AuditLog : public QObject {
    Q_OBJECT

public:
    static constexpr const char* kFileName = "audit.log";
    // In memory, the newest this many (the file keeps every one): a console
    // left open for weeks must not grow without bound.
    static constexpr std::size_t kMaxEntries = 10'000;

    // `directory` empty: defaultDirectory(). Created on the first record().
    explicit AuditLog(const QString& directory = {}, QObject* parent = nullptr);

    // QStandardPaths::AppDataLocation.
    static QString defaultDirectory();
    QString directory() const { return m_directory; }
    QString filePath() const;
    // This session's entries, oldest first.
    const std::vector<AuditEntry>& entries() const { return m_entries; }
    QString lastError() const { return m_lastError; }

    // Keeps the entry and appends its line to the file. False when the file
    // could not be written (the entry is still kept; lastError() says why).
    bool record(const AuditEntry& entry);

Q_SIGNALS:
    void recorded(const pulse::ui::AuditEntry& entry);
    void writeFailed(const QString& error);

private:
    const QString m_directory;
    std::vector<AuditEntry> m_entries;
    QString m_lastError;
};

} // namespace pulse::ui

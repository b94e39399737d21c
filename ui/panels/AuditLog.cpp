#include "panels/AuditLog.hpp"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QStandardPaths>

namespace pulse::ui {

AuditLog::AuditLog(const QString& directory, QObject* parent)
    : QObject(parent)
    , m_directory(directory.isEmpty() ? defaultDirectory() : directory)
{
    qRegisterMetaType<pulse::ui::AuditEntry>();
}

QString AuditLog::defaultDirectory()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
}

QString AuditLog::filePath() const
{
    return QDir(m_directory).filePath(QString::fromLatin1(kFileName));
}

bool AuditLog::record(const AuditEntry& entry)
{
    if (m_entries.size() >= kMaxEntries)
        m_entries.erase(m_entries.begin(), m_entries.begin() + static_cast<std::ptrdiff_t>(kMaxEntries / 10));
    m_entries.push_back(entry);
    Q_EMIT recorded(entry);

    QByteArray line = QJsonDocument(entry.toJson()).toJson(QJsonDocument::Compact);
    line.append('\n');
    QString error;
    if (!QDir().mkpath(m_directory)) {
        error = QStringLiteral("cannot create %1").arg(m_directory);
    } else {
        QFile file(filePath());
        if (!file.open(QIODevice::WriteOnly | QIODevice::Append))
            error = QStringLiteral("cannot open %1: %2").arg(file.fileName(), file.errorString());
        else if (file.write(line) != line.size() || !file.flush())
            error = QStringLiteral("cannot write %1: %2").arg(file.fileName(), file.errorString());
    }
    if (error.isEmpty())
        return true;
    m_lastError = error;
    Q_EMIT writeFailed(error);
    return false;
}

} // namespace pulse::ui

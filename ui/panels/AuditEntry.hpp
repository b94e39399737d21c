#pragma once
// One change of a routing flag or runtime limit as the audit log keeps it.

#include <QDateTime>
#include <QJsonObject>
#include <QMetaType>
#include <QString>
#include <QVariant>

namespace pulse::ui {

struct AuditEntry {
    QDateTime when; // local time, written with its UTC offset
    QString who; // the OS user of the console; "unknown" for changes made elsewhere
    QString flag; // "USE_READ_REPLICA", "REPLICA_FALLBACK_ENABLED", "REPLICA_MAX_LAG_SECONDS", ...
    // The old and new value: a bool for the switches, a number (double or
    // qlonglong, in the setting's unit) for the limits.
    QVariant from;
    QVariant to;
    QString sourceBefore; // where the old value came from: "environment", "changed here", ...
    QString change; // "changed here", "reverted to configuration", "changed outside the console"

    // {"when": ISO 8601 with milliseconds and offset, "who", "flag", "from", "to", "source_before", "change"};
    // "from"/"to" are JSON booleans for the switches and JSON numbers for the limits.
    QJsonObject toJson() const;
};

} // namespace pulse::ui

Q_DECLARE_METATYPE(pulse::ui::AuditEntry)

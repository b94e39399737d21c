#include "panels/AuditEntry.hpp"

#include <QJsonValue>

namespace pulse::ui {

QJsonObject AuditEntry::toJson() const
{
    // Local time with its offset spelled out: "2024-05-01T14:03:07.125+02:00".
    const QDateTime withOffset = when.toOffsetFromUtc(when.offsetFromUtc());
    return QJsonObject {
        {QStringLiteral("when"), withOffset.toString(Qt::ISODateWithMs)},
        {QStringLiteral("who"), who},
        {QStringLiteral("flag"), flag},
        {QStringLiteral("from"), QJsonValue::fromVariant(from)},
        {QStringLiteral("to"), QJsonValue::fromVariant(to)},
        {QStringLiteral("source_before"), sourceBefore},
        {QStringLiteral("change"), change},
    };
}

} // namespace pulse::ui

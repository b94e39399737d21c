#include "Formatting.hpp"

#include <QGuiApplication>
#include <QPalette>

#include <QDateTime>
#include <QPainter>
#include <QPainterPath>
#include <QPixmap>
#include <QRegularExpression>

#include <cmath>

namespace pulse::ui {

QString toQString(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

QString healthWord(Health health)
{
    switch (health) {
    case Health::Healthy:
        return QStringLiteral("Healthy");
    case Health::Degraded:
        return QStringLiteral("Degraded");
    case Health::Down:
        return QStringLiteral("Down");
    }
    return QStringLiteral("Down");
}

Light healthLight(Health health)
{
    switch (health) {
    case Health::Healthy:
        return Light::Green;
    case Health::Degraded:
        return Light::Amber;
    case Health::Down:
        return Light::Red;
    }
    return Light::Red;
}

QString verdictDetail(const TopologyStatus& status)
{
    return conciseError(toQString(status.detail));
}

bool darkPalette()
{
    // The system's light or dark theme, as the application palette says:
    // dark text on a dark window would be unreadable, and a pale tint behind
    // light text too.
    return QGuiApplication::palette().color(QPalette::Window).lightness() < 128;
}

QColor lightColor(Light light)
{
    const bool dark = darkPalette();
    switch (light) {
    case Light::Green:
        return dark ? QColor(0x5c, 0xc9, 0x7b) : QColor(0x1b, 0x7f, 0x3b);
    case Light::Amber:
        return dark ? QColor(0xf2, 0xa6, 0x3b) : QColor(0xb0, 0x5e, 0x00);
    case Light::Red:
        return dark ? QColor(0xff, 0x6e, 0x6e) : QColor(0xc6, 0x28, 0x28);
    case Light::Grey:
        break;
    }
    return dark ? QColor(0xa8, 0xae, 0xb8) : QColor(0x6b, 0x72, 0x80);
}

QColor lightTint(Light light)
{
    const bool dark = darkPalette();
    switch (light) {
    case Light::Green:
        return dark ? QColor(0x17, 0x33, 0x22) : QColor(0xe6, 0xf4, 0xea);
    case Light::Amber:
        return dark ? QColor(0x3a, 0x2a, 0x0e) : QColor(0xff, 0xf4, 0xe0);
    case Light::Red:
        return dark ? QColor(0x3d, 0x18, 0x18) : QColor(0xfd, 0xec, 0xea);
    case Light::Grey:
        break;
    }
    return dark ? QColor(0x26, 0x29, 0x2e) : QColor(0xf1, 0xf3, 0xf5);
}

namespace {

QPixmap makeDot(Light light, int size)
{
    QPixmap pixmap(size, size);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(QPen(lightColor(light).darker(125), 1));
    painter.setBrush(lightColor(light));
    const qreal inset = size * 0.2;
    painter.drawEllipse(QRectF(inset, inset, size - 2 * inset, size - 2 * inset));
    return pixmap;
}

QPixmap makeSymbol(Light light, int size)
{
    QPixmap pixmap(size, size);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(lightColor(light));
    const QRectF box(1, 1, size - 2, size - 2);
    painter.drawEllipse(box);

    QPen pen(Qt::white, size * 0.13, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin);
    painter.setPen(pen);
    painter.setBrush(Qt::NoBrush);
    const qreal s = size;
    switch (light) {
    case Light::Green: {
        QPainterPath check;
        check.moveTo(s * 0.28, s * 0.52);
        check.lineTo(s * 0.44, s * 0.68);
        check.lineTo(s * 0.73, s * 0.34);
        painter.drawPath(check);
        break;
    }
    case Light::Amber:
        painter.drawLine(QPointF(s * 0.5, s * 0.26), QPointF(s * 0.5, s * 0.56));
        painter.drawPoint(QPointF(s * 0.5, s * 0.74));
        break;
    case Light::Red:
        painter.drawLine(QPointF(s * 0.33, s * 0.33), QPointF(s * 0.67, s * 0.67));
        painter.drawLine(QPointF(s * 0.67, s * 0.33), QPointF(s * 0.33, s * 0.67));
        break;
    case Light::Grey: {
        // An ellipsis: waiting for something.
        painter.setPen(QPen(Qt::white, s * 0.12, Qt::SolidLine, Qt::RoundCap));
        for (const qreal x : {0.3, 0.5, 0.7})
            painter.drawPoint(QPointF(s * x, s * 0.5));
        break;
    }
    }
    return pixmap;
}

QIcon makeIcon(QPixmap (*paint)(Light, int), Light light)
{
    QIcon icon;
    for (const int size : {12, 16, 20, 24, 32, 48})
        icon.addPixmap(paint(light, size));
    return icon;
}

} // namespace

QIcon lightDot(Light light)
{
    return makeIcon(makeDot, light);
}

QIcon lightSymbol(Light light)
{
    return makeIcon(makeSymbol, light);
}

QString formatPool(const PoolStats& pool)
{
    QString text = QStringLiteral("%1/%2 (%3%)")
                       .arg(pool.checkedOut)
                       .arg(pool.capacity())
                       .arg(static_cast<int>(std::lround(pool.utilisationPercent)));
    if (pool.waiters > 0)
        text += QStringLiteral(", %1 waiting").arg(pool.waiters);
    return text;
}

QString formatMilliseconds(double ms)
{
    if (ms < 10)
        return QString::number(ms, 'f', 2);
    if (ms < 100)
        return QString::number(ms, 'f', 1);
    return QString::number(ms, 'f', 0);
}

QString formatClock(std::chrono::system_clock::time_point time, bool milliseconds)
{
    const auto msecs = std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
    const QDateTime local = QDateTime::fromMSecsSinceEpoch(msecs);
    return local.toString(milliseconds ? QStringLiteral("HH:mm:ss.zzz") : QStringLiteral("HH:mm:ss"));
}

QString shortServerVersion(std::string_view version)
{
    const auto space = version.find(' ');
    return toQString(version.substr(0, space));
}

QString conciseError(const QString& error)
{
    static const QRegularExpression parameters(QStringLiteral(R"(\s*\((?:host|hostaddr|port|user|dbname)=[^()]*\))"));
    static const QRegularExpression preamble(QStringLiteral(
        R"(connection to server (?:at "[^"]*"(?: \([^()]*\))?, port \d+|on socket "[^"]*") failed:\s*)"));
    QString text = error;
    text.remove(parameters);
    text.remove(preamble);
    return text.simplified();
}

QString outcomeWord(RoutingDecision::Outcome outcome)
{
    switch (outcome) {
    case RoutingDecision::Outcome::Routed:
        return QStringLiteral("routed");
    case RoutingDecision::Outcome::FellBack:
        return QStringLiteral("fell back");
    case RoutingDecision::Outcome::Refused:
        return QStringLiteral("refused");
    }
    return QStringLiteral("routed");
}

Light outcomeLight(RoutingDecision::Outcome outcome)
{
    switch (outcome) {
    case RoutingDecision::Outcome::Routed:
        return Light::Green;
    case RoutingDecision::Outcome::FellBack:
        return Light::Amber;
    case RoutingDecision::Outcome::Refused:
        return Light::Red;
    }
    return Light::Grey;
}

} // namespace pulse::ui

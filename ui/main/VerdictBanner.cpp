#include "main/VerdictBanner.hpp"

#include "Formatting.hpp"

#include <QHBoxLayout>
#include <QLabel>

namespace pulse::ui {

VerdictBanner::VerdictBanner(QWidget* parent)
    : QFrame(parent)
    , m_icon(new QLabel(this))
    , m_word(new QLabel(this))
    , m_detail(new QLabel(this))
{
    setObjectName(QStringLiteral("verdictBanner"));
    setAccessibleName(QStringLiteral("Topology verdict"));

    QFont wordFont = m_word->font();
    wordFont.setBold(true);
    wordFont.setPointSizeF(wordFont.pointSizeF() * 1.35);
    m_word->setFont(wordFont);

    QFont detailFont = m_detail->font();
    detailFont.setPointSizeF(detailFont.pointSizeF() * 1.15);
    m_detail->setFont(detailFont);
    m_detail->setWordWrap(true);
    m_detail->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_detail->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(14, 10, 14, 10);
    layout->setSpacing(10);
    layout->addWidget(m_icon, 0, Qt::AlignVCenter);
    layout->addWidget(m_word, 0, Qt::AlignVCenter);
    layout->addWidget(m_detail, 1, Qt::AlignVCenter);

    showWaiting(QStringLiteral("no status yet; probing the primary and the replica\u2026"));
}

void VerdictBanner::showStatus(const TopologyStatus& status)
{
    m_health = status.health;
    apply(healthLight(status.health), healthWord(status.health), verdictDetail(status));
    setToolTip(toQString(status.verdict)); // unabridged
}

void VerdictBanner::showWaiting(const QString& detail)
{
    m_health.reset();
    setToolTip({});
    apply(Light::Grey, QStringLiteral("Waiting"), detail);
}

QString VerdictBanner::text() const
{
    return m_word->text() + QStringLiteral(": ") + m_detail->text();
}

void VerdictBanner::apply(Light light, const QString& word, const QString& detail)
{
    const int iconSize = m_word->fontMetrics().height() + 4;
    m_icon->setPixmap(lightSymbol(light).pixmap(iconSize, iconSize));
    m_word->setText(word);
    m_detail->setText(detail);
    setAccessibleDescription(text());

    const QColor strong = lightColor(light);
    const QColor tint = lightTint(light);
    setStyleSheet(QStringLiteral("QFrame#verdictBanner { background-color: %1; border: 1px solid %2;"
                                 " border-left: 6px solid %2; border-radius: 4px; }"
                                 " QFrame#verdictBanner QLabel { background: transparent; border: none; color: %3; }")
                      .arg(tint.name(), strong.name(), strong.darker(150).name()));
}

} // namespace pulse::ui

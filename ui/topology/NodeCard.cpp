#include "topology/NodeCard.hpp"

#include "Formatting.hpp"
#include "topology/NodeWords.hpp"

#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace pulse::ui {
namespace {

const QString kNone = QStringLiteral("\u2014");

QString breakerText(const BreakerSnapshot& b)
{
    QString text = toQString(breakerStateName(b.state));
    if (b.state != BreakerState::Closed && !b.tripReason.empty())
        text += QStringLiteral(" (") + conciseError(toQString(b.tripReason)) + u')';
    return text;
}

}  // namespace

QString formatLsn(std::uint64_t lsn)
{
    return QStringLiteral("%1/%2").arg(lsn >> 32, 0, 16).arg(lsn & 0xffffffffULL, 0, 16).toUpper();
}

NodeCard::NodeCard(const QString& name, QWidget* parent)
    : QFrame(parent), m_name(name), m_dot(new QLabel(this)), m_title(new QLabel(this)), m_state(new QLabel(this))
{
    setFrameShape(QFrame::StyledPanel);
    setObjectName(QStringLiteral("nodeCard-") + name);
    setMinimumWidth(260);
    auto* layout = new QVBoxLayout(this);
    auto* header = new QHBoxLayout;
    header->addWidget(m_dot);
    QFont bold = m_title->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.15);
    m_title->setFont(bold);
    header->addWidget(m_title, 1);
    m_state->setFont(bold);
    header->addWidget(m_state);
    layout->addLayout(header);
    auto* form = new QFormLayout;
    form->setLabelAlignment(Qt::AlignLeft);
    layout->addLayout(form);
    for (const QString& field : {QStringLiteral("Role"), QStringLiteral("Endpoint"), QStringLiteral("Timeline"),
                                 QStringLiteral("LSN"), QStringLiteral("Lag"), QStringLiteral("Connections"),
                                 QStringLiteral("Breaker")}) {
        auto* label = new QLabel(kNone, this);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
        form->addRow(field + u':', label);
        m_rows.append({field, label});
    }
    m_title->setText(name);
    m_state->setText(QStringLiteral("waiting"));
    m_dot->setPixmap(lightDot(Light::Grey).pixmap(14, 14));
}

QString NodeCard::value(const QString& field) const
{
    for (const auto& [name, label] : m_rows)
        if (name == field)
            return label->text();
    return {};
}

QString NodeCard::summary() const
{
    return m_title->text() + QStringLiteral(" · ") + m_state->text();
}

void NodeCard::showNode(const NodeStatus& node, const std::optional<PoolStats>& pool)
{
    const bool up = node.configured && node.reachable;
    Light light = nodeStateLight(node);
    QString state = nodeStateText(node);
    if (up && isReplicaNode(node) && node.replication) {
        // A replica that answers but does not stream (or lags past the gate)
        // is not healthy: the card says which.
        const Light lag = nodeLagLight(node);
        if (lag != Light::Green) {
            light = lag;
            state = toQString(replicaStateName(node.replication->state));
        }
    }
    if (roleUnexpected(node)) {
        light = Light::Amber;
        state = node.inRecovery ? QStringLiteral("in recovery") : QStringLiteral("writable");
    }
    m_dot->setPixmap(lightDot(light).pixmap(14, 14));
    m_title->setText(m_name + QStringLiteral(" · ") + (up ? toQString(node.role) : QStringLiteral("role unknown")));
    m_state->setText(state);
    QPalette palette = m_state->palette();
    palette.setColor(QPalette::WindowText, lightColor(light));
    m_state->setPalette(palette);
    setAccessibleName(summary());

    for (const auto& [field, label] : m_rows) {
        QString text = kNone;
        if (field == u"Role")
            text = up ? toQString(node.role) + (node.inRecovery ? QStringLiteral(" (in recovery)") : QString())
                      : kNone;
        else if (field == u"Endpoint")
            text = node.endpoint.empty() ? kNone : toQString(node.endpoint);
        else if (field == u"Timeline")
            text = node.timeline > 0 ? QString::number(node.timeline) : kNone;
        else if (field == u"LSN")
            text = node.lsn ? formatLsn(*node.lsn) : kNone;
        else if (field == u"Lag")
            text = isReplicaNode(node) ? nodeLagText(node) : QStringLiteral("primary (none)");
        else if (field == u"Connections")
            text = pool ? formatPool(*pool) : kNone;
        else if (field == u"Breaker")
            text = breakerText(node.breaker);
        label->setText(text);
        if (field == u"Lag" || field == u"Breaker")
            label->setToolTip(field == u"Breaker" && !node.breaker.tripReason.empty()
                                  ? toQString(node.breaker.tripReason)
                                  : QString());
    }
    if (!up && !node.error.empty())
        setToolTip(toQString(node.error));
    else
        setToolTip({});
}

}  // namespace pulse::ui

#include "topology/ClusterStrip.hpp"

#include "Formatting.hpp"
#include "main/VerdictBanner.hpp"
#include "topology/NodeCard.hpp"

#include <QHBoxLayout>
#include <QVBoxLayout>

namespace pulse::ui {

ClusterStrip::ClusterStrip(QWidget* parent)
    : QWidget(parent), m_banner(new VerdictBanner(this)), m_cards(new QHBoxLayout)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_banner);
    m_cards->addStretch(1);
    layout->addLayout(m_cards);
}

void ClusterStrip::showWaiting(const QString& detail)
{
    m_banner->showWaiting(detail);
}

void ClusterStrip::showStatus(const TopologyStatus& status)
{
    setStale(false);
    m_banner->showStatus(status);
    for (const NodeStatus& node : status.nodes) {
        const QString name = toQString(node.name);
        auto it = m_byName.find(name);
        if (it == m_byName.end()) {
            auto* card = new NodeCard(name, this);
            m_cards->insertWidget(m_cards->count() - 1, card);  // before the stretch
            it = m_byName.emplace(name, card).first;
        }
        std::optional<PoolStats> pool;
        if (const PoolStats* p = status.pool(node.name))
            pool = *p;
        it->second->showNode(node, pool);
    }
}

void ClusterStrip::setStale(bool stale, const QString& since)
{
    if (stale == m_stale)
        return;
    m_stale = stale;
    for (const auto& [name, card] : m_byName) {
        card->setEnabled(!stale);
        card->setToolTip(stale ? QStringLiteral("No fresh status since %1: this may no longer be true").arg(since)
                               : QString());
    }
}

const NodeCard* ClusterStrip::card(const QString& node) const
{
    const auto it = m_byName.find(node);
    return it == m_byName.end() ? nullptr : it->second;
}

}  // namespace pulse::ui

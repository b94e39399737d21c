#pragma once
// The verdict first: the cluster's badge (healthy, degraded: replica lagging
// 6.2 s, replica down, primary down) and, under it, one card per node. Fed
// whole TopologyStatus snapshots on the UI thread.

#include "engine/TopologyStatus.hpp"

#include <QWidget>

#include <map>

class QHBoxLayout;

namespace pulse::ui {

class NodeCard;
class VerdictBanner;

class ClusterStrip : public QWidget {
    Q_OBJECT

public:
    explicit ClusterStrip(QWidget* parent = nullptr);

    void showStatus(const TopologyStatus& status);
    void showWaiting(const QString& detail);
    // No fresh snapshot for a while: the cards grey out (what they say may no
    // longer be true) until the next one; `since` is said in their tooltip.
    void setStale(bool stale, const QString& since = {});
    bool stale() const { return m_stale; }
    VerdictBanner& banner() const { return *m_banner; }
    // nullptr until a snapshot named that node.
    const NodeCard* card(const QString& node) const;

private:
    VerdictBanner* m_banner;
    QHBoxLayout* m_cards;
    std::map<QString, NodeCard*> m_byName;
    bool m_stale = false;
};

}  // namespace pulse::ui

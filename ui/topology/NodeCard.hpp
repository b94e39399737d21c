#pragma once
// One node at a glance: name and role, whether it is up, its timeline and WAL
// position, its lag (seconds and bytes), the pool's connections and the
// circuit breaker. The title carries a traffic light with the state in
// words next to it: colour is never the only signal.

#include "engine/NodeStatus.hpp"
#include "pool/PoolStats.hpp"

#include <QFrame>

#include <optional>

class QLabel;

namespace pulse::ui {

class NodeCard : public QFrame {
    Q_OBJECT

public:
    explicit NodeCard(const QString& name, QWidget* parent = nullptr);

    void showNode(const NodeStatus& node, const std::optional<PoolStats>& pool);
    QString name() const { return m_name; }
    // The title line as read: "replica · replica · unreachable". For tests
    // and for the accessibility name.
    QString summary() const;
    QString value(const QString& field) const;  // "State", "Lag", "Breaker", ... as shown

private:
    QLabel* addRow(const QString& field);

    const QString m_name;
    QLabel* m_dot;
    QLabel* m_title;
    QLabel* m_state;
    QList<QPair<QString, QLabel*>> m_rows;
};

// "0/3000148" as PostgreSQL prints an LSN.
QString formatLsn(std::uint64_t lsn);

}  // namespace pulse::ui

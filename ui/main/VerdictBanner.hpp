#pragma once
// The first thing an operator reads: the topology verdict as an icon, a word
// ("Healthy", "Degraded", "Down") and the sentence that explains it, on a
// background tinted by health. Colour is never the only signal.

#include "engine/TopologyStatus.hpp"

#include <QFrame>

#include <optional>

class QLabel;

namespace pulse::ui {

enum class Light;

class VerdictBanner : public QFrame {
    Q_OBJECT

public:
    explicit VerdictBanner(QWidget* parent = nullptr);

    void showStatus(const TopologyStatus& status);
    // Before the first snapshot: a grey "Waiting" banner.
    void showWaiting(const QString& detail);

    // "Healthy: primary + replica streaming; reads on the replica".
    QString text() const;
    // Empty while waiting.
    std::optional<Health> health() const { return m_health; }

private:
    void apply(Light light, const QString& word, const QString& detail);

    QLabel* m_icon;
    QLabel* m_word;
    QLabel* m_detail;
    std::optional<Health> m_health;
};

} // namespace pulse::ui

#pragma once
// Paints a utilisation cell as a bar with the percentage written on it:
// green below the warning level, amber from it (ALERT_POOL_UTILISATION_PERCENT),
// red when full. The text stays, so the colour is never the only signal.
// Reads the percentage from PoolTableModel::UtilisationRole; cells without
// one are painted as usual.

#include <QStyledItemDelegate>

namespace pulse::ui {

class UtilisationDelegate : public QStyledItemDelegate {
    Q_OBJECT

public:
    explicit UtilisationDelegate(double warningPercent = 90, QObject* parent = nullptr);

    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;

    double warningPercent() const { return m_warningPercent; }

private:
    const double m_warningPercent;
};

} // namespace pulse::ui

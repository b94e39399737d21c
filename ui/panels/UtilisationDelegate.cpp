#include "panels/UtilisationDelegate.hpp"

#include "Formatting.hpp"
#include "panels/PoolTableModel.hpp"

#include <QApplication>
#include <QPainter>

#include <algorithm>

namespace pulse::ui {

UtilisationDelegate::UtilisationDelegate(double warningPercent, QObject* parent)
    : QStyledItemDelegate(parent)
    , m_warningPercent(warningPercent)
{ }

void UtilisationDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    const QVariant value = index.data(PoolTableModel::UtilisationRole);
    if (!value.isValid()) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    const double percent = std::clamp(value.toDouble(), 0.0, 100.0);

    // Background and selection as any other cell, without the text.
    QStyleOptionViewItem background = option;
    initStyleOption(&background, index);
    background.text.clear();
    const QWidget* widget = option.widget;
    QStyle* style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &background, painter, widget);

    const Light light = percent >= 100 ? Light::Red : (percent >= m_warningPercent ? Light::Amber : Light::Green);
    const QRectF frame = QRectF(option.rect).adjusted(3, 3, -3, -3);
    if (frame.width() <= 0 || frame.height() <= 0)
        return;

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(QPen(lightColor(Light::Grey), 1));
    painter->setBrush(lightTint(light));
    painter->drawRoundedRect(frame, 2, 2);
    if (percent > 0) {
        QRectF filled = frame;
        filled.setWidth(std::max(2.0, frame.width() * percent / 100.0));
        painter->setPen(Qt::NoPen);
        painter->setBrush(lightColor(light));
        painter->drawRoundedRect(filled, 2, 2);
    }
    // The words on top: dark on the pale part, readable on the filled part too.
    painter->setPen(percent >= 50 ? QColor(Qt::white) : option.palette.color(QPalette::Text));
    painter->drawText(frame, Qt::AlignCenter, index.data(Qt::DisplayRole).toString());
    painter->restore();
}

QSize UtilisationDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    if (index.data(PoolTableModel::UtilisationRole).isValid())
        size.setWidth(std::max(size.width(), 120));
    return size;
}

} // namespace pulse::ui

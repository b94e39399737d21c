#include "main/PlaceholderTableView.hpp"

#include <QPainter>

namespace pulse::ui {

PlaceholderTableView::PlaceholderTableView(QWidget* parent)
    : QTableView(parent)
{ }

void PlaceholderTableView::setPlaceholderText(const QString& text)
{
    m_placeholder = text;
    viewport()->update();
}

void PlaceholderTableView::paintEvent(QPaintEvent* event)
{
    QTableView::paintEvent(event);
    if (m_placeholder.isEmpty() || (model() && model()->rowCount(rootIndex()) > 0))
        return;
    QPainter painter(viewport());
    QColor color = palette().color(QPalette::PlaceholderText);
    painter.setPen(color);
    const QRect area = viewport()->rect().adjusted(24, 16, -24, -16);
    painter.drawText(area, Qt::AlignCenter | Qt::TextWordWrap, m_placeholder);
}

} // namespace pulse::ui

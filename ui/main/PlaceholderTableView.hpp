#pragma once
// A QTableView that says why it is empty instead of showing a blank area.

#include <QTableView>

namespace pulse::ui {

class PlaceholderTableView : public QTableView {
    Q_OBJECT

public:
    explicit PlaceholderTableView(QWidget* parent = nullptr);

    QString placeholderText() const { return m_placeholder; }
    void setPlaceholderText(const QString& text);

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QString m_placeholder;
};

} // namespace pulse::ui

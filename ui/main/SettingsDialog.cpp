#include "main/SettingsDialog.hpp"

#include "main/SettingsModel.hpp"

#include <QDialogButtonBox>
#include <QFileDialog>
#include <QPushButton>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace pulse::ui {

SettingsDialog::SettingsDialog(const Settings& settings, const QString& origin, Reconnect reconnect,
                               QWidget* parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("settingsDialog"));
    setWindowTitle(QStringLiteral("Connection settings"));
    auto* layout = new QVBoxLayout(this);
    auto* intro = new QLabel(
        QStringLiteral("<b>Settings from:</b> %1<br>Passwords and secrets are never shown. To connect elsewhere, "
                       "start the console with <tt>--sandbox</tt> (a private primary + replica), "
                       "<tt>--env-file FILE</tt> (e.g. a copy of .env.example for docker-compose.db.yml's ports "
                       "5432/5433), or POSTGRES_* variables; <tt>--read-only</tt> watches without changing anything.")
            .arg(origin.toHtmlEscaped()),
        this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    auto* filter = new QLineEdit(this);
    filter->setPlaceholderText(QStringLiteral("Filter settings (key, value or source)"));
    filter->setClearButtonEnabled(true);
    layout->addWidget(filter);

    auto* model = new SettingsModel(settings, this);
    auto* proxy = new QSortFilterProxyModel(this);
    proxy->setSourceModel(model);
    proxy->setFilterKeyColumn(-1);
    proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    connect(filter, &QLineEdit::textChanged, proxy, &QSortFilterProxyModel::setFilterFixedString);

    auto* table = new QTableView(this);
    table->setObjectName(QStringLiteral("settingsTable"));
    table->setModel(proxy);
    table->verticalHeader()->hide();
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setAlternatingRowColors(true);
    table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table->horizontalHeader()->setStretchLastSection(true);
    layout->addWidget(table, 1);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    if (reconnect) {
        QPushButton* sandbox = buttons->addButton(QStringLiteral("Connect to the sandbox"), QDialogButtonBox::ActionRole);
        sandbox->setObjectName(QStringLiteral("connectSandboxButton"));
        sandbox->setToolTip(QStringLiteral("Restart the console on the local sandbox (created when missing)"));
        connect(sandbox, &QPushButton::clicked, this, [reconnect] { reconnect({QStringLiteral("--sandbox")}); });
        QPushButton* file = buttons->addButton(QStringLiteral("Connect with an .env file\u2026"),
                                               QDialogButtonBox::ActionRole);
        file->setObjectName(QStringLiteral("connectEnvFileButton"));
        file->setToolTip(QStringLiteral("Restart the console with the settings of a file: .env.example connects to "
                                        "docker-compose.db.yml's ports (5432 and 5433)"));
        connect(file, &QPushButton::clicked, this, [this, reconnect] {
            const QString path = QFileDialog::getOpenFileName(this, QStringLiteral("Settings file"), QString(),
                                                              QStringLiteral("Settings (*.env .env*);;All files (*)"));
            if (!path.isEmpty())
                reconnect({QStringLiteral("--env-file"), path});
        });
    }
    layout->addWidget(buttons);
    resize(900, 600);
}

}  // namespace pulse::ui

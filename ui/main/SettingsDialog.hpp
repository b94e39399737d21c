#pragma once
// Connection settings: every setting, its value and its source (environment,
// .env file, sandbox, default), secrets masked; where this console's
// settings came from; and how to connect elsewhere (the console reads its
// configuration at start: --sandbox, --env-file FILE, or the
// docker-compose.db.yml ports through .env.example's values).

#include <QDialog>
#include <QStringList>

#include <functional>

namespace pulse {
struct Settings;
}

namespace pulse::ui {

class SettingsDialog : public QDialog {
    Q_OBJECT

public:
    // Connecting elsewhere restarts the console with other arguments (the
    // engine, its pools and every panel belong to one topology): `reconnect`
    // receives them ("--sandbox" or "--env-file FILE"); empty: no buttons.
    using Reconnect = std::function<void(const QStringList& arguments)>;
    SettingsDialog(const Settings& settings, const QString& origin, Reconnect reconnect = {},
                   QWidget* parent = nullptr);
};

}  // namespace pulse::ui

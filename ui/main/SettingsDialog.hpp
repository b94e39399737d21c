#pragma once
// Connection settings: every setting, its value and its source (environment,
// .env file, sandbox, default), secrets masked; where this console's
// settings came from; and how to connect elsewhere (the console reads its
// configuration at start: --sandbox, --env-file FILE, or the
// docker-compose.db.yml ports through .env.example's values).

#include <QDialog>

namespace pulse {
struct Settings;
}

namespace pulse::ui {

class SettingsDialog : public QDialog {
    Q_OBJECT

public:
    SettingsDialog(const Settings& settings, const QString& origin, QWidget* parent = nullptr);
};

}  // namespace pulse::ui

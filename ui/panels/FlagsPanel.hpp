#pragma once
// The routing flags panel: switches for USE_READ_REPLICA and
// REPLICA_FALLBACK_ENABLED that act on the embedded router at once, each
// with where its value came from (environment, file, default, command line,
// sandbox, "changed here" or "changed outside the console"); editors for the
// lag limits (REPLICA_MAX_LAG_SECONDS, REPLICA_MAX_LAG_BYTES) and the
// read-your-writes wait (READ_YOUR_WRITES_WAIT_MS), each with its source too;
// "Revert to configuration" (switches and limits); and the audit log of
// every change (who, when, from, to).
//
// A change that would send load to the primary (USE_READ_REPLICA off,
// REPLICA_FALLBACK_ENABLED on) or make reads fail instead
// (REPLICA_FALLBACK_ENABLED off) is confirmed first; a refusal changes
// nothing. A limit applies when its editor finishes editing, without a
// question: it only changes where reads go (Engine::setLagLimits,
// Engine::setReadYourWritesWait). A change made elsewhere in this process
// (a drill, the load test, another window) reaches the panel through EngineBridge::flagsChanged
// (switches) or the panel's own poll of the engine at the bridge's interval
// (limits) and is recorded as "changed outside the console". Two changes
// elsewhere that cancel out between two ticks are not seen (values are
// compared, not events).
//
// UI thread only. Flag changes are atomic stores (EngineBridge); limit
// changes take a short engine mutex; the audit file is a small local append.

#include "config/Settings.hpp"

#include <QString>
#include <QWidget>

#include <functional>
#include <optional>

class QCheckBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QTableView;

namespace pulse::ui {

class AuditLog;
class AuditLogModel;
class EngineBridge;

struct FlagsPanelOptions {
    // Where audit.log is appended; empty: QStandardPaths::AppDataLocation.
    QString auditDirectory;
    // The configuration the console started with: the configured flag values
    // (what Revert restores) and where each setting came from.
    // std::nullopt: bridge.engine().settings().
    std::optional<Settings> settings;
    // Asks a person before a change with consequences (the question says
    // them); true: go ahead. Empty: a QMessageBox.
    std::function<bool(const QString& question)> confirm;
    // Who the audit log names for changes made here; empty: $USER.
    QString user;
};

class FlagsPanel : public QWidget {
    Q_OBJECT

public:
    enum class Flag { UseReadReplica, ReplicaFallbackEnabled };
    static constexpr int kFlagCount = 2;
    // The runtime numeric settings, each in its setting's unit (seconds, bytes, milliseconds).
    enum class Limit { MaxLagSeconds, MaxLagBytes, ReadYourWritesWait };
    static constexpr int kLimitCount = 3;

    static inline const QString kChangedHere = QStringLiteral("changed here");
    static inline const QString kChangedOutside = QStringLiteral("changed outside the console");
    static inline const QString kReverted = QStringLiteral("reverted to configuration");

    FlagsPanel(EngineBridge& bridge, FlagsPanelOptions options, QWidget* parent = nullptr);
    ~FlagsPanel() override;

    AuditLog& auditLog() const { return *m_audit; }
    AuditLogModel* auditModel() const { return m_auditModel; }
    bool isReadOnly() const { return m_readOnly; }
    // Why the last requestLimit() was refused; empty after one that applied.
    QString limitError() const { return m_limitError; }

    static QString flagKey(Flag flag); // "USE_READ_REPLICA", "REPLICA_FALLBACK_ENABLED"
    // The value the panel shows (the engine's, as of the last bridge tick or change here).
    bool value(Flag flag) const;
    // Where the value shown came from: a configuration source, or kChangedHere / kChangedOutside.
    QString source(Flag flag) const;
    bool configuredValue(Flag flag) const;
    QString configuredSource(Flag flag) const;

    void setConfirmer(std::function<bool(const QString& question)> confirm);

    // "REPLICA_MAX_LAG_SECONDS", "REPLICA_MAX_LAG_BYTES", "READ_YOUR_WRITES_WAIT_MS".
    static QString limitKey(Limit limit);
    // The value the panel shows, in the setting's unit (the engine's as of the last tick or change here).
    double limitValue(Limit limit) const;
    QString limitSource(Limit limit) const;
    double configuredLimit(Limit limit) const;
    QString configuredLimitSource(Limit limit) const;

public Q_SLOTS:
    // While read-only the switches and Revert are disabled (the values still follow the engine).
    void setReadOnly(bool readOnly);
    // While something in this console switches the flags itself (the load
    // test compares with and without the replica), the switches and Revert
    // are disabled with `reason` as their tooltip, so a click cannot spoil
    // its measurement; an empty reason releases them. Limits stay editable.
    void holdSwitches(const QString& reason);
    // What clicking a switch does: asks where needed, applies, records.
    // True when the engine now has `enabled` through this call.
    bool requestFlag(pulse::ui::FlagsPanel::Flag flag, bool enabled);
    // What finishing an edit does: applies `value` (in the setting's unit)
    // to the engine and records it. True when the engine now has it through
    // this call; false when read-only, unchanged or refused (out of range:
    // limitError() says why).
    bool requestLimit(pulse::ui::FlagsPanel::Limit limit, double value);
    // Both flags and the three limits back to their configured values (one
    // question for the flags that need one; a refusal changes nothing).
    // True when something changed.
    bool revertToConfiguration();

Q_SIGNALS:
    // A flag's value or source changed (here, by a revert or outside).
    void flagShown(pulse::ui::FlagsPanel::Flag flag, bool value, const QString& source);
    // A limit's value or source changed (here, by a revert or outside).
    void limitShown(pulse::ui::FlagsPanel::Limit limit, double value, const QString& source);

private:
    struct FlagState {
        bool configured = true;
        QString configuredSource;
        bool value = true;
        QString source;
        QString changedBy; // who the engine says made the last change outside the console
        QString tip; // the switch's own tooltip (a hold replaces it with the reason)
        QCheckBox* box = nullptr;
        QLabel* sourceLabel = nullptr;
    };

    struct LimitState {
        double configured = 0;
        QString configuredSource;
        double value = 0;
        QString source;
        QDoubleSpinBox* editor = nullptr;
        double shown = 0; // what the editor showed after the last show(): an edit that ends there changes nothing
        QLabel* sourceLabel = nullptr;
    };

    QWidget* buildSwitches();
    QWidget* buildLagLimits();
    QWidget* buildAudit();

    FlagState& state(Flag flag) { return m_flags[static_cast<int>(flag)]; }
    const FlagState& state(Flag flag) const { return m_flags[static_cast<int>(flag)]; }
    bool engineValue(Flag flag) const;
    void setEngineValue(Flag flag, bool enabled);
    // The consequence of turning `flag` to `enabled`, in words; empty when there is nothing to confirm.
    static QString consequence(Flag flag, bool enabled);
    bool confirm(const QString& question);
    // Applies a change the person asked for (confirmed already) and records it.
    void apply(Flag flag, bool enabled, const QString& change, const QString& sourceAfter);
    void show(Flag flag);
    void followEngine(bool useReadReplica, bool replicaFallbackEnabled);

    LimitState& state(Limit limit) { return m_limits[static_cast<int>(limit)]; }
    const LimitState& state(Limit limit) const { return m_limits[static_cast<int>(limit)]; }
    double engineLimit(Limit limit) const;
    // Throws pulse::InvalidParameterError (the engine's range check).
    void setEngineLimit(Limit limit, double value);
    void applyLimit(Limit limit, double value, const QString& change, const QString& sourceAfter);
    void show(Limit limit);
    void followLimits();
    void updateRevert();

    EngineBridge& m_bridge;
    const Settings m_settings;
    std::function<bool(const QString&)> m_confirm;
    const QString m_user;
    AuditLog* m_audit;
    AuditLogModel* m_auditModel;
    FlagState m_flags[kFlagCount];
    LimitState m_limits[kLimitCount];
    QString m_limitError;
    QLabel* m_limitStatus = nullptr;
    QPushButton* m_revert = nullptr;
    QTableView* m_auditTable = nullptr;
    QLabel* m_auditStatus = nullptr;
    bool m_readOnly = false;
    QString m_heldBy;
};

} // namespace pulse::ui

#include "panels/FlagsPanel.hpp"

#include "Formatting.hpp"
#include "bridge/EngineBridge.hpp"
#include "health/LagFormat.hpp"
#include "panels/AuditLog.hpp"
#include "panels/AuditLogModel.hpp"

#include <QCheckBox>
#include <QDateTime>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalBlocker>
#include <QTableView>
#include <QVBoxLayout>

namespace pulse::ui {
namespace {

const QString kFixedTip = QStringLiteral(
    "Fixed while the console runs: the router and the replica lag gates read it when the engine starts, and "
    "the engine has no runtime setter for it. Change it in the configuration (.env, environment or --set) "
    "and restart the console.");

// "environment", "file /srv/app/.env:12", "default", "command line (--set)", "sandbox /tmp/...".
QString sourceText(const Settings& settings, const std::string& key)
{
    const auto it = settings.resolved.find(key);
    if (it == settings.resolved.end())
        return QStringLiteral("default");
    const SettingSource& source = it->second.source;
    switch (source.kind) {
    case SourceKind::Default:
        return QStringLiteral("default");
    case SourceKind::Environment:
        return QStringLiteral("environment");
    case SourceKind::File:
        return QStringLiteral("file ") + toQString(source.location);
    case SourceKind::CommandLine:
        return QStringLiteral("command line (") + toQString(source.location) + u')';
    case SourceKind::Sandbox:
        return toQString(source.location);
    }
    return toQString(source.describe());
}

QString defaultUser()
{
    QString user = qEnvironmentVariable("USER");
    if (user.isEmpty())
        user = qEnvironmentVariable("USERNAME");
    return user.isEmpty() ? QStringLiteral("unknown") : user;
}

QString lagSecondsText(double seconds)
{
    return seconds > 0 ? toQString(formatLagSeconds(seconds)) : QStringLiteral("no limit (0)");
}

QString lagBytesText(std::int64_t bytes)
{
    return bytes > 0 ? QStringLiteral("%1 (%2 bytes)").arg(toQString(formatLagBytes(bytes))).arg(bytes)
                     : QStringLiteral("no limit (0)");
}

} // namespace

FlagsPanel::FlagsPanel(EngineBridge& bridge, FlagsPanelOptions options, QWidget* parent)
    : QWidget(parent)
    , m_bridge(bridge)
    , m_settings(options.settings ? std::move(*options.settings) : bridge.engine().settings())
    , m_confirm(std::move(options.confirm))
    , m_user(options.user.isEmpty() ? defaultUser() : options.user)
    , m_audit(new AuditLog(options.auditDirectory, this))
    , m_auditModel(new AuditLogModel(*m_audit, this))
{
    setObjectName(QStringLiteral("flagsPanel"));

    FlagState& use = state(Flag::UseReadReplica);
    use.configured = m_settings.useReadReplica;
    use.configuredSource = sourceText(m_settings, "USE_READ_REPLICA");
    FlagState& fallback = state(Flag::ReplicaFallbackEnabled);
    fallback.configured = m_settings.replicaFallbackEnabled;
    fallback.configuredSource = sourceText(m_settings, "REPLICA_FALLBACK_ENABLED");

    // Where the engine is now: a value other than the configured one was set
    // before this panel existed, so not here.
    for (const Flag flag : {Flag::UseReadReplica, Flag::ReplicaFallbackEnabled}) {
        FlagState& s = state(flag);
        s.value = engineValue(flag);
        s.source = s.value == s.configured ? s.configuredSource : kChangedOutside;
    }

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(buildSwitches());
    layout->addWidget(buildLagLimits());
    layout->addWidget(buildAudit(), 1);

    for (const Flag flag : {Flag::UseReadReplica, Flag::ReplicaFallbackEnabled})
        show(flag);

    connect(&bridge, &EngineBridge::flagsChanged, this, &FlagsPanel::followEngine);
}

FlagsPanel::~FlagsPanel() = default;

QWidget* FlagsPanel::buildSwitches()
{
    auto* box = new QGroupBox(QStringLiteral("Routing switches"), this);
    auto* grid = new QGridLayout(box);

    struct Spec {
        Flag flag;
        QString text;
        QString name;
        QString tip;
    };
    const Spec specs[] = {
        {Flag::UseReadReplica, QStringLiteral("Send reads to the replica (USE_READ_REPLICA)"),
            QStringLiteral("useReadReplica"),
            QStringLiteral("On: replica-eligible reads go to the replica. Off: every read goes to the primary.")},
        {Flag::ReplicaFallbackEnabled, QStringLiteral("Fall back to the primary (REPLICA_FALLBACK_ENABLED)"),
            QStringLiteral("replicaFallback"),
            QStringLiteral("On: when the replica fails or lags too far behind, its reads go to the primary. "
                           "Off: those reads fail instead.")},
    };
    int row = 0;
    for (const Spec& spec : specs) {
        FlagState& s = state(spec.flag);
        s.box = new QCheckBox(spec.text, box);
        s.box->setObjectName(spec.name + QStringLiteral("Switch"));
        s.box->setToolTip(spec.tip);
        s.sourceLabel = new QLabel(box);
        s.sourceLabel->setObjectName(spec.name + QStringLiteral("Source"));
        s.sourceLabel->setTextFormat(Qt::PlainText);
        grid->addWidget(s.box, row, 0);
        grid->addWidget(s.sourceLabel, row, 1);
        const Flag flag = spec.flag;
        connect(s.box, &QCheckBox::clicked, this, [this, flag](bool checked) { requestFlag(flag, checked); });
        ++row;
    }
    grid->setColumnStretch(1, 1);

    m_revert = new QPushButton(QStringLiteral("Revert to configuration"), box);
    m_revert->setObjectName(QStringLiteral("revertFlagsButton"));
    m_revert->setToolTip(QStringLiteral("Set both switches back to the values the console was started with"));
    connect(m_revert, &QPushButton::clicked, this, [this] { revertToConfiguration(); });
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_revert);
    buttons->addStretch(1);
    grid->addLayout(buttons, row, 0, 1, 2);
    return box;
}

QWidget* FlagsPanel::buildLagLimits()
{
    auto* box = new QGroupBox(QStringLiteral("Lag limits and read-your-writes (read-only)"), this);
    box->setToolTip(kFixedTip);
    auto* form = new QFormLayout(box);

    struct Spec {
        const char* key;
        QString value;
        QString meaning;
    };
    const Spec specs[] = {
        {"REPLICA_MAX_LAG_SECONDS", lagSecondsText(m_settings.replicaMaxLagSeconds),
            QStringLiteral("Reads leave a replica that is further behind than this.")},
        {"REPLICA_MAX_LAG_BYTES", lagBytesText(m_settings.replicaMaxLagBytes),
            QStringLiteral("Reads leave a replica with more WAL than this left to replay.")},
        {"READ_YOUR_WRITES_WAIT_MS",
            QStringLiteral("%1 ms").arg(static_cast<qlonglong>(m_settings.readYourWritesWait.count())),
            QStringLiteral("How long a read after a write waits for the replica to catch up before it goes to "
                           "the primary.")},
    };
    for (const Spec& spec : specs) {
        const QString key = QString::fromLatin1(spec.key);
        auto* value
            = new QLabel(QStringLiteral("%1    source: %2").arg(spec.value, sourceText(m_settings, spec.key)), box);
        value->setObjectName(QStringLiteral("setting_") + key);
        value->setTextFormat(Qt::PlainText);
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        value->setToolTip(spec.meaning + QStringLiteral("\n\n") + kFixedTip);
        auto* label = new QLabel(key, box);
        label->setToolTip(value->toolTip());
        form->addRow(label, value);
    }
    return box;
}

QWidget* FlagsPanel::buildAudit()
{
    auto* box = new QGroupBox(QStringLiteral("Audit log"), this);
    auto* layout = new QVBoxLayout(box);
    m_auditStatus = new QLabel(box);
    m_auditStatus->setObjectName(QStringLiteral("auditStatusLabel"));
    m_auditStatus->setTextFormat(Qt::PlainText);
    m_auditStatus->setText(QStringLiteral("Appended to %1").arg(m_audit->filePath()));
    connect(m_audit, &AuditLog::writeFailed, this, [this](const QString& error) {
        m_auditStatus->setText(QStringLiteral("The audit file could not be written: %1").arg(error));
        m_auditStatus->setStyleSheet(QStringLiteral("color: %1;").arg(lightColor(Light::Red).name()));
    });
    connect(m_audit, &AuditLog::recorded, this, [this] {
        if (m_audit->lastError().isEmpty())
            return;
        // Written again after a failure: say so.
        m_auditStatus->setText(QStringLiteral("Appended to %1").arg(m_audit->filePath()));
    });

    m_auditTable = new QTableView(box);
    m_auditTable->setObjectName(QStringLiteral("auditTable"));
    m_auditTable->setModel(m_auditModel);
    m_auditTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_auditTable->verticalHeader()->hide();
    m_auditTable->horizontalHeader()->setStretchLastSection(true);
    m_auditTable->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    layout->addWidget(m_auditStatus);
    layout->addWidget(m_auditTable, 1);
    return box;
}

QString FlagsPanel::flagKey(Flag flag)
{
    return flag == Flag::UseReadReplica ? QStringLiteral("USE_READ_REPLICA")
                                        : QStringLiteral("REPLICA_FALLBACK_ENABLED");
}

bool FlagsPanel::value(Flag flag) const
{
    return state(flag).value;
}

QString FlagsPanel::source(Flag flag) const
{
    return state(flag).source;
}

bool FlagsPanel::configuredValue(Flag flag) const
{
    return state(flag).configured;
}

QString FlagsPanel::configuredSource(Flag flag) const
{
    return state(flag).configuredSource;
}

void FlagsPanel::setConfirmer(std::function<bool(const QString& question)> confirm)
{
    m_confirm = std::move(confirm);
}

void FlagsPanel::setReadOnly(bool readOnly)
{
    m_readOnly = readOnly;
    for (const Flag flag : {Flag::UseReadReplica, Flag::ReplicaFallbackEnabled})
        show(flag);
}

bool FlagsPanel::engineValue(Flag flag) const
{
    FeatureFlags& flags = m_bridge.engine().flags();
    return flag == Flag::UseReadReplica ? flags.useReadReplica() : flags.replicaFallbackEnabled();
}

void FlagsPanel::setEngineValue(Flag flag, bool enabled)
{
    if (flag == Flag::UseReadReplica)
        m_bridge.setUseReadReplica(enabled);
    else
        m_bridge.setReplicaFallbackEnabled(enabled);
}

QString FlagsPanel::consequence(Flag flag, bool enabled)
{
    if (flag == Flag::UseReadReplica) {
        if (enabled)
            return {};
        return QStringLiteral("Every read will go to the primary, on top of the writes, until USE_READ_REPLICA is "
                              "turned on again.");
    }
    if (enabled)
        return QStringLiteral("When the replica fails or lags too far behind, its reads will go to the primary and "
                              "add their load there.");
    return QStringLiteral("When the replica fails or lags too far behind, reads will fail with an error instead of "
                          "going to the primary.");
}

bool FlagsPanel::confirm(const QString& question)
{
    if (m_confirm)
        return m_confirm(question);
    return QMessageBox::question(
               this, QStringLiteral("Change routing"), question, QMessageBox::Yes | QMessageBox::No, QMessageBox::No)
        == QMessageBox::Yes;
}

bool FlagsPanel::requestFlag(Flag flag, bool enabled)
{
    // Anything that happened elsewhere is recorded before this change.
    followEngine(engineValue(Flag::UseReadReplica), engineValue(Flag::ReplicaFallbackEnabled));
    if (m_readOnly || state(flag).value == enabled) {
        show(flag);
        return false;
    }
    const QString why = consequence(flag, enabled);
    if (!why.isEmpty()) {
        const QString question
            = QStringLiteral("Turn %1 %2?\n\n%3").arg(flagKey(flag), AuditLogModel::onOff(enabled), why);
        if (!confirm(question)) {
            show(flag); // the switch goes back
            return false;
        }
        // The question may have been open for a while.
        followEngine(engineValue(Flag::UseReadReplica), engineValue(Flag::ReplicaFallbackEnabled));
        if (state(flag).value == enabled)
            return false;
    }
    apply(flag, enabled, kChangedHere, kChangedHere);
    return true;
}

bool FlagsPanel::revertToConfiguration()
{
    if (m_readOnly)
        return false;
    followEngine(engineValue(Flag::UseReadReplica), engineValue(Flag::ReplicaFallbackEnabled));

    QStringList consequences;
    std::vector<Flag> changes;
    for (const Flag flag : {Flag::UseReadReplica, Flag::ReplicaFallbackEnabled}) {
        const FlagState& s = state(flag);
        if (s.value == s.configured)
            continue;
        changes.push_back(flag);
        if (const QString why = consequence(flag, s.configured); !why.isEmpty())
            consequences << QStringLiteral("%1 %2: %3").arg(flagKey(flag), AuditLogModel::onOff(s.configured), why);
    }
    if (!consequences.isEmpty()
        && !confirm(QStringLiteral("Revert the routing switches to the configuration?\n\n") + consequences.join(u'\n')))
        return false;

    for (const Flag flag : changes)
        apply(flag, state(flag).configured, kReverted, state(flag).configuredSource);
    // A value set here and back again is the configured one: its source is too.
    for (const Flag flag : {Flag::UseReadReplica, Flag::ReplicaFallbackEnabled}) {
        FlagState& s = state(flag);
        if (s.value == s.configured && s.source != s.configuredSource) {
            s.source = s.configuredSource;
            show(flag);
        }
    }
    return !changes.empty();
}

void FlagsPanel::apply(Flag flag, bool enabled, const QString& change, const QString& sourceAfter)
{
    FlagState& s = state(flag);
    AuditEntry entry;
    entry.when = QDateTime::currentDateTime();
    entry.who = m_user;
    entry.flag = flagKey(flag);
    entry.from = s.value;
    entry.to = enabled;
    entry.sourceBefore = s.source;
    entry.change = change;
    // Known before the engine changes: the bridge reports the new values
    // synchronously, and they must not look like a change from outside.
    s.value = enabled;
    s.source = sourceAfter;
    setEngineValue(flag, enabled);
    m_audit->record(entry);
    show(flag);
}

void FlagsPanel::followEngine(bool useReadReplica, bool replicaFallbackEnabled)
{
    for (const Flag flag : {Flag::UseReadReplica, Flag::ReplicaFallbackEnabled}) {
        const bool now = flag == Flag::UseReadReplica ? useReadReplica : replicaFallbackEnabled;
        FlagState& s = state(flag);
        if (now == s.value)
            continue;
        AuditEntry entry;
        entry.when = QDateTime::currentDateTime();
        entry.who = QStringLiteral("unknown");
        entry.flag = flagKey(flag);
        entry.from = s.value;
        entry.to = now;
        entry.sourceBefore = s.source;
        entry.change = kChangedOutside;
        s.value = now;
        s.source = kChangedOutside;
        m_audit->record(entry);
        show(flag);
    }
}

void FlagsPanel::show(Flag flag)
{
    FlagState& s = state(flag);
    {
        const QSignalBlocker blocker(s.box);
        s.box->setChecked(s.value);
    }
    s.box->setEnabled(!m_readOnly);
    s.sourceLabel->setText(QStringLiteral("source: %1").arg(s.source));
    s.sourceLabel->setToolTip(
        QStringLiteral("Configured: %1 (%2)").arg(AuditLogModel::onOff(s.configured), s.configuredSource));
    const bool different = s.source == kChangedOutside;
    s.sourceLabel->setStyleSheet(
        different ? QStringLiteral("color: %1;").arg(lightColor(Light::Amber).name()) : QString());

    bool revertable = false;
    for (const FlagState& f : m_flags)
        revertable = revertable || f.value != f.configured || f.source != f.configuredSource;
    m_revert->setEnabled(!m_readOnly && revertable);
    if (m_readOnly) {
        m_revert->setToolTip(QStringLiteral("Read-only console: the switches cannot be changed here"));
    } else {
        m_revert->setToolTip(QStringLiteral("Set both switches back to the values the console was started with: "
                                            "USE_READ_REPLICA %1 (%2), REPLICA_FALLBACK_ENABLED %3 (%4)")
                                 .arg(AuditLogModel::onOff(state(Flag::UseReadReplica).configured),
                                     state(Flag::UseReadReplica).configuredSource,
                                     AuditLogModel::onOff(state(Flag::ReplicaFallbackEnabled).configured),
                                     state(Flag::ReplicaFallbackEnabled).configuredSource));
    }
    Q_EMIT flagShown(flag, s.value, s.source);
}

} // namespace pulse::ui

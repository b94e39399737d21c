#include "panels/FlagsPanel.hpp"

#include "Formatting.hpp"
#include "bridge/EngineBridge.hpp"
#include "common/Errors.hpp"
#include "config/SettingCatalog.hpp"
#include "health/LagFormat.hpp"
#include "panels/AuditLog.hpp"
#include "panels/AuditLogModel.hpp"

#include <QCheckBox>
#include <QDateTime>
#include <QDoubleSpinBox>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalBlocker>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include <cmath>

namespace pulse::ui {
namespace {

const QString kLimitTip = QStringLiteral(
    "Applies to the embedded router as soon as you finish editing (Enter or leaving the field), without a "
    "question: it only changes where reads go (replica or primary), never what a write does. Recorded in the "
    "audit log. The configuration file is not changed: a restart starts from it again.");

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

QString lagBytesText(double bytes)
{
    return bytes > 0 ? toQString(formatLagBytes(static_cast<std::int64_t>(bytes))) : QStringLiteral("no limit (0)");
}

constexpr FlagsPanel::Limit kAllLimits[]
    = {FlagsPanel::Limit::MaxLagSeconds, FlagsPanel::Limit::MaxLagBytes, FlagsPanel::Limit::ReadYourWritesWait};

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

    state(Limit::MaxLagSeconds).configured = m_settings.replicaMaxLagSeconds;
    state(Limit::MaxLagBytes).configured = static_cast<double>(m_settings.replicaMaxLagBytes);
    state(Limit::ReadYourWritesWait).configured = static_cast<double>(m_settings.readYourWritesWait.count());
    for (const Limit limit : kAllLimits) {
        LimitState& s = state(limit);
        s.configuredSource = sourceText(m_settings, limitKey(limit).toStdString());
        s.value = engineLimit(limit);
        s.source = s.value == s.configured ? s.configuredSource : kChangedOutside;
    }

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(buildSwitches());
    layout->addWidget(buildLagLimits());
    layout->addWidget(buildAudit(), 1);

    for (const Flag flag : {Flag::UseReadReplica, Flag::ReplicaFallbackEnabled})
        show(flag);
    for (const Limit limit : kAllLimits)
        show(limit);

    connect(&bridge, &EngineBridge::flagsChanged, this, &FlagsPanel::followEngine);
    // The engine announces no limit changes: read them at the bridge's
    // interval (three short mutex reads). Not on the bridge's statusChanged:
    // the bridge holds that while paused, and flags keep following then.
    auto* poll = new QTimer(this);
    poll->setInterval(bridge.interval());
    connect(poll, &QTimer::timeout, this, &FlagsPanel::followLimits);
    poll->start();
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
        s.tip = spec.tip;
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
    m_revert->setToolTip(
        QStringLiteral("Set the switches and the limits back to the values the console was started with"));
    connect(m_revert, &QPushButton::clicked, this, [this] { revertToConfiguration(); });
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_revert);
    buttons->addStretch(1);
    grid->addLayout(buttons, row, 0, 1, 2);
    return box;
}

QWidget* FlagsPanel::buildLagLimits()
{
    auto* box = new QGroupBox(QStringLiteral("Lag limits and read-your-writes"), this);
    box->setToolTip(kLimitTip);
    auto* grid = new QGridLayout(box);

    struct Spec {
        Limit limit;
        QString meaning;
    };
    const Spec specs[] = {
        {Limit::MaxLagSeconds, QStringLiteral("Reads leave a replica that is further behind than this (0: no limit).")},
        {Limit::MaxLagBytes,
            QStringLiteral("Reads leave a replica with more WAL than this left to replay (0: no limit).")},
        {Limit::ReadYourWritesWait,
            QStringLiteral("How long a read after a write waits for the replica to catch up before it goes to "
                           "the primary (0: at once).")},
    };
    int row = 0;
    for (const Spec& spec : specs) {
        const QString key = limitKey(spec.limit);
        const SettingDefinition* definition = SettingCatalog::find(key.toStdString());
        LimitState& s = state(spec.limit);
        s.editor = new QDoubleSpinBox(box);
        s.editor->setObjectName(QStringLiteral("limit_") + key);
        // The catalogue's ranges: the engine refuses anything else.
        s.editor->setRange(definition ? static_cast<double>(definition->minimum) : 0.0,
            definition ? static_cast<double>(definition->maximum) : 1e12);
        switch (spec.limit) {
        case Limit::MaxLagSeconds:
            s.editor->setDecimals(3);
            s.editor->setSingleStep(0.5);
            s.editor->setSuffix(QStringLiteral(" s"));
            break;
        case Limit::MaxLagBytes:
            s.editor->setDecimals(0);
            s.editor->setSingleStep(1 << 20);
            s.editor->setSuffix(QStringLiteral(" bytes"));
            break;
        case Limit::ReadYourWritesWait:
            s.editor->setDecimals(0);
            s.editor->setSingleStep(10);
            s.editor->setSuffix(QStringLiteral(" ms"));
            break;
        }
        s.editor->setSpecialValueText(spec.limit == Limit::ReadYourWritesWait ? QStringLiteral("0 ms (no wait)")
                                                                              : QStringLiteral("no limit (0)"));
        s.editor->setKeyboardTracking(false);
        s.editor->setToolTip(spec.meaning + QStringLiteral("\n\n") + kLimitTip);
        s.sourceLabel = new QLabel(box);
        s.sourceLabel->setObjectName(QStringLiteral("limitSource_") + key);
        s.sourceLabel->setTextFormat(Qt::PlainText);
        auto* label = new QLabel(key, box);
        label->setToolTip(s.editor->toolTip());
        grid->addWidget(label, row, 0);
        grid->addWidget(s.editor, row, 1);
        grid->addWidget(s.sourceLabel, row, 2);
        const Limit limit = spec.limit;
        connect(s.editor, &QDoubleSpinBox::editingFinished, this, [this, limit] {
            const LimitState& edited = state(limit);
            if (edited.editor->value() == edited.shown)
                return; // left without a change (the editor may show a rounded value)
            requestLimit(limit, edited.editor->value());
        });
        ++row;
    }
    m_limitStatus = new QLabel(box);
    m_limitStatus->setObjectName(QStringLiteral("limitStatusLabel"));
    m_limitStatus->setTextFormat(Qt::PlainText);
    m_limitStatus->setWordWrap(true);
    m_limitStatus->hide();
    grid->addWidget(m_limitStatus, row, 0, 1, 3);
    grid->setColumnStretch(2, 1);
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

void FlagsPanel::holdSwitches(const QString& reason)
{
    if (reason == m_heldBy)
        return;
    m_heldBy = reason;
    // The holder may have switched a flag already: record it before the
    // switches show again.
    followEngine(engineValue(Flag::UseReadReplica), engineValue(Flag::ReplicaFallbackEnabled));
    for (const Flag flag : {Flag::UseReadReplica, Flag::ReplicaFallbackEnabled})
        show(flag);
}

void FlagsPanel::setReadOnly(bool readOnly)
{
    m_readOnly = readOnly;
    for (const Flag flag : {Flag::UseReadReplica, Flag::ReplicaFallbackEnabled})
        show(flag);
    for (const Limit limit : kAllLimits)
        show(limit);
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
    if (m_readOnly || !m_heldBy.isEmpty() || state(flag).value == enabled) {
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
    if (m_readOnly || !m_heldBy.isEmpty())
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
    // The limits need no question: they only change where reads go.
    followLimits();
    bool limitsChanged = false;
    for (const Limit limit : kAllLimits) {
        LimitState& s = state(limit);
        if (s.value != s.configured) {
            try {
                applyLimit(limit, s.configured, kReverted, s.configuredSource);
                limitsChanged = true;
            } catch (const Error& e) {
                m_limitError = toQString(e.what()); // the configuration passed the same check: not expected
            }
        } else if (s.source != s.configuredSource) {
            s.source = s.configuredSource;
            show(limit);
        }
    }
    // A value set here and back again is the configured one: its source is too.
    for (const Flag flag : {Flag::UseReadReplica, Flag::ReplicaFallbackEnabled}) {
        FlagState& s = state(flag);
        if (s.value == s.configured && s.source != s.configuredSource) {
            s.source = s.configuredSource;
            show(flag);
        }
    }
    return !changes.empty() || limitsChanged;
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
        // The engine knows who: the load test and drills switch flags in this
        // very process, and "unknown" would hide that from the audit log.
        const FeatureFlags& flags = m_bridge.engine().flags();
        const std::string who
            = flag == Flag::UseReadReplica ? flags.useReadReplicaChangedBy() : flags.replicaFallbackChangedBy();
        AuditEntry entry;
        entry.when = QDateTime::currentDateTime();
        entry.who = who.empty() ? QStringLiteral("unknown") : QString::fromStdString(who);
        entry.flag = flagKey(flag);
        entry.from = s.value;
        entry.to = now;
        entry.sourceBefore = s.source;
        entry.change = kChangedOutside;
        s.value = now;
        s.source = kChangedOutside;
        s.changedBy = entry.who;
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
    s.box->setEnabled(!m_readOnly && m_heldBy.isEmpty());
    s.box->setToolTip(m_heldBy.isEmpty() ? s.tip : m_heldBy);
    QString sourceText = QStringLiteral("source: %1").arg(s.source);
    if (s.source == kChangedOutside && !s.changedBy.isEmpty())
        sourceText += QStringLiteral(" (by %1)").arg(s.changedBy);
    s.sourceLabel->setText(sourceText);
    s.sourceLabel->setToolTip(
        QStringLiteral("Configured: %1 (%2)").arg(AuditLogModel::onOff(s.configured), s.configuredSource));
    const bool different = s.source == kChangedOutside;
    s.sourceLabel->setStyleSheet(
        different ? QStringLiteral("color: %1;").arg(lightColor(Light::Amber).name()) : QString());

    updateRevert();
    Q_EMIT flagShown(flag, s.value, s.source);
}

void FlagsPanel::updateRevert()
{
    if (!m_revert)
        return; // still building
    bool revertable = false;
    for (const FlagState& f : m_flags)
        revertable = revertable || f.value != f.configured || f.source != f.configuredSource;
    for (const LimitState& l : m_limits)
        revertable = revertable || l.value != l.configured || l.source != l.configuredSource;
    m_revert->setEnabled(!m_readOnly && m_heldBy.isEmpty() && revertable);
    if (m_readOnly) {
        m_revert->setToolTip(QStringLiteral("Read-only console: the switches and limits cannot be changed here"));
        return;
    }
    if (!m_heldBy.isEmpty()) {
        m_revert->setToolTip(m_heldBy);
        return;
    }
    QStringList configured;
    for (const Flag flag : {Flag::UseReadReplica, Flag::ReplicaFallbackEnabled})
        configured << QStringLiteral("%1 %2 (%3)")
                          .arg(flagKey(flag), AuditLogModel::onOff(state(flag).configured),
                              state(flag).configuredSource);
    for (const Limit limit : kAllLimits)
        configured << QStringLiteral("%1 %2 (%3)")
                          .arg(limitKey(limit), QString::number(state(limit).configured, 'g', 15),
                              state(limit).configuredSource);
    m_revert->setToolTip(QStringLiteral("Set the switches and limits back to the values the console was started "
                                        "with:\n")
        + configured.join(u'\n'));
}

QString FlagsPanel::limitKey(Limit limit)
{
    switch (limit) {
    case Limit::MaxLagSeconds:
        return QStringLiteral("REPLICA_MAX_LAG_SECONDS");
    case Limit::MaxLagBytes:
        return QStringLiteral("REPLICA_MAX_LAG_BYTES");
    case Limit::ReadYourWritesWait:
        return QStringLiteral("READ_YOUR_WRITES_WAIT_MS");
    }
    return {};
}

double FlagsPanel::limitValue(Limit limit) const
{
    return state(limit).value;
}

QString FlagsPanel::limitSource(Limit limit) const
{
    return state(limit).source;
}

double FlagsPanel::configuredLimit(Limit limit) const
{
    return state(limit).configured;
}

QString FlagsPanel::configuredLimitSource(Limit limit) const
{
    return state(limit).configuredSource;
}

double FlagsPanel::engineLimit(Limit limit) const
{
    Engine& engine = m_bridge.engine();
    switch (limit) {
    case Limit::MaxLagSeconds:
        return engine.lagLimits().maxSeconds;
    case Limit::MaxLagBytes:
        return static_cast<double>(engine.lagLimits().maxBytes);
    case Limit::ReadYourWritesWait:
        return static_cast<double>(engine.readYourWritesWait().count());
    }
    return 0;
}

void FlagsPanel::setEngineLimit(Limit limit, double value)
{
    Engine& engine = m_bridge.engine();
    const LagLimits now = engine.lagLimits();
    switch (limit) {
    case Limit::MaxLagSeconds:
        engine.setLagLimits(value, now.maxBytes);
        break;
    case Limit::MaxLagBytes:
        engine.setLagLimits(now.maxSeconds, static_cast<std::int64_t>(std::llround(value)));
        break;
    case Limit::ReadYourWritesWait:
        engine.setReadYourWritesWait(std::chrono::milliseconds(std::llround(value)));
        break;
    }
}

bool FlagsPanel::requestLimit(Limit limit, double value)
{
    // Anything that happened elsewhere is recorded before this change.
    followLimits();
    if (limit != Limit::MaxLagSeconds)
        value = static_cast<double>(std::llround(value)); // whole bytes and milliseconds
    if (m_readOnly || state(limit).value == value) {
        show(limit);
        return false;
    }
    try {
        applyLimit(limit, value, kChangedHere, kChangedHere);
    } catch (const Error& e) {
        m_limitError = toQString(e.what());
        m_limitStatus->setText(m_limitError);
        m_limitStatus->setStyleSheet(QStringLiteral("color: %1;").arg(lightColor(Light::Red).name()));
        m_limitStatus->show();
        show(limit); // the editor goes back
        return false;
    }
    m_limitError.clear();
    m_limitStatus->hide();
    return true;
}

void FlagsPanel::applyLimit(Limit limit, double value, const QString& change, const QString& sourceAfter)
{
    LimitState& s = state(limit);
    setEngineLimit(limit, value); // first: it may refuse, and then nothing is recorded
    AuditEntry entry;
    entry.when = QDateTime::currentDateTime();
    entry.who = m_user;
    entry.flag = limitKey(limit);
    entry.from = limit == Limit::MaxLagSeconds ? QVariant(s.value) : QVariant(static_cast<qlonglong>(s.value));
    entry.to = limit == Limit::MaxLagSeconds ? QVariant(value) : QVariant(static_cast<qlonglong>(value));
    entry.sourceBefore = s.source;
    entry.change = change;
    s.value = value;
    s.source = sourceAfter;
    m_audit->record(entry);
    show(limit);
}

void FlagsPanel::followLimits()
{
    for (const Limit limit : kAllLimits) {
        const double now = engineLimit(limit);
        LimitState& s = state(limit);
        if (now == s.value)
            continue;
        AuditEntry entry;
        entry.when = QDateTime::currentDateTime();
        entry.who = QStringLiteral("unknown");
        entry.flag = limitKey(limit);
        entry.from = limit == Limit::MaxLagSeconds ? QVariant(s.value) : QVariant(static_cast<qlonglong>(s.value));
        entry.to = limit == Limit::MaxLagSeconds ? QVariant(now) : QVariant(static_cast<qlonglong>(now));
        entry.sourceBefore = s.source;
        entry.change = kChangedOutside;
        s.value = now;
        s.source = kChangedOutside;
        m_audit->record(entry);
        show(limit);
    }
}

void FlagsPanel::show(Limit limit)
{
    LimitState& s = state(limit);
    {
        const QSignalBlocker blocker(s.editor);
        s.editor->setValue(s.value);
    }
    s.shown = s.editor->value();
    s.editor->setEnabled(!m_readOnly);
    s.sourceLabel->setText(QStringLiteral("source: %1").arg(s.source));
    QString configured;
    switch (limit) {
    case Limit::MaxLagSeconds:
        configured = lagSecondsText(s.configured);
        break;
    case Limit::MaxLagBytes:
        configured
            = QStringLiteral("%1 (%2 bytes)").arg(lagBytesText(s.configured)).arg(static_cast<qlonglong>(s.configured));
        break;
    case Limit::ReadYourWritesWait:
        configured = QStringLiteral("%1 ms").arg(static_cast<qlonglong>(s.configured));
        break;
    }
    s.sourceLabel->setToolTip(QStringLiteral("Configured: %1 (%2)").arg(configured, s.configuredSource));
    s.sourceLabel->setStyleSheet(
        s.source == kChangedOutside ? QStringLiteral("color: %1;").arg(lightColor(Light::Amber).name()) : QString());
    updateRevert();
    Q_EMIT limitShown(limit, s.value, s.source);
}

} // namespace pulse::ui

#include "panels/AlertTableModel.hpp"

#include "Formatting.hpp"
#include "health/LagFormat.hpp"

#include <QBrush>
#include <QDateTime>
#include <QFont>

#include <algorithm>

namespace pulse::ui {
namespace {

const QString kNone = QStringLiteral("\u2014");

Light severityLight(AlertSeverity severity)
{
    return severity == AlertSeverity::Critical ? Light::Red : Light::Amber;
}

// State rules (replica down, replay paused) carry no number: 0 of 0.
bool hasValue(const Alert& alert)
{
    return alert.value != 0 || alert.threshold != 0;
}

QString fullTime(std::chrono::system_clock::time_point time)
{
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
    return QDateTime::fromMSecsSinceEpoch(ms).toString(Qt::ISODateWithMs);
}

} // namespace

AlertTableModel::AlertTableModel(int capacity, QObject* parent)
    : QAbstractTableModel(parent)
    , m_capacity(std::max(1, capacity))
    , m_warningIcon(lightSymbol(Light::Amber))
    , m_criticalIcon(lightSymbol(Light::Red))
    , m_clearedIcon(lightDot(Light::Grey))
{ }

int AlertTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int AlertTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

int AlertTableModel::rowOf(const QString& rule, const QString& subject) const
{
    for (size_t i = 0; i < m_rows.size(); ++i)
        if (toQString(m_rows[i].rule) == rule && (subject.isEmpty() || toQString(m_rows[i].subject) == subject))
            return static_cast<int>(i);
    return -1;
}

void AlertTableModel::update(const std::vector<Alert>& active, const std::vector<AlertEvent>& events)
{
    for (const AlertEvent& event : events)
        if (event.kind == AlertEvent::Kind::Cleared)
            m_past[event.alert.id] = event.alert;
    // Bounded: the alerts cleared longest ago go first.
    while (m_past.size() > static_cast<size_t>(m_capacity)) {
        auto oldest = std::min_element(m_past.begin(), m_past.end(),
            [](const auto& a, const auto& b) { return a.second.clearedAt < b.second.clearedAt; });
        m_past.erase(oldest);
    }
    m_active = active;
    rebuild();
}

void AlertTableModel::clearPast()
{
    // An older snapshot may still list an alert already cleared: it must not come back.
    std::erase_if(m_active, [this](const Alert& alert) { return m_past.count(alert.id) > 0; });
    m_past.clear();
    rebuild();
}

void AlertTableModel::rebuild()
{
    std::vector<Alert> rows;
    rows.reserve(m_active.size() + m_past.size());
    for (const Alert& alert : m_active)
        if (!m_past.count(alert.id))
            rows.push_back(alert);
    const int activeCount = static_cast<int>(rows.size());
    std::vector<Alert> past;
    past.reserve(m_past.size());
    for (const auto& [id, alert] : m_past)
        past.push_back(alert);
    std::sort(past.begin(), past.end(), [](const Alert& a, const Alert& b) {
        return a.clearedAt != b.clearedAt ? a.clearedAt > b.clearedAt : a.id > b.id;
    });
    rows.insert(rows.end(), past.begin(), past.end());

    bool sameShape = rows.size() == m_rows.size() && activeCount == m_activeCount;
    for (size_t i = 0; sameShape && i < rows.size(); ++i)
        sameShape = rows[i].id == m_rows[i].id;
    if (sameShape) {
        m_rows = std::move(rows);
        if (!m_rows.empty())
            Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
        return;
    }
    beginResetModel();
    m_rows = std::move(rows);
    m_activeCount = activeCount;
    endResetModel();
}

QVariant AlertTableModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Alert& a = m_rows[static_cast<size_t>(index.row())];
    const int column = index.column();
    const bool active = a.active();

    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case StateColumn:
            return active ? QStringLiteral("active") : QStringLiteral("cleared");
        case SeverityColumn:
            return toQString(severityName(a.severity));
        case RuleColumn:
            return toQString(a.rule);
        case SubjectColumn:
            return toQString(a.subject);
        case RaisedColumn:
            return formatClock(a.raisedAt);
        case ClearedColumn:
            return active ? kNone : formatClock(a.clearedAt);
        case ValueColumn:
            return hasValue(a) ? toQString(formatQuantity(a.value)) : kNone;
        case ThresholdColumn:
            return hasValue(a) ? toQString(formatQuantity(a.threshold)) : kNone;
        case MessageColumn:
            return toQString(a.message);
        default:
            return {};
        }
    case SeverityRole:
        return toQString(severityName(a.severity));
    case ActiveRole:
        return active;
    case AlertIdRole:
        return static_cast<qulonglong>(a.id);
    case Qt::DecorationRole:
        if (column == SeverityColumn)
            return a.severity == AlertSeverity::Critical ? m_criticalIcon : m_warningIcon;
        if (column == StateColumn && !active)
            return m_clearedIcon;
        return {};
    case Qt::ForegroundRole:
        if (column == SeverityColumn)
            return QBrush(lightColor(active ? severityLight(a.severity) : Light::Grey));
        if (!active)
            return QBrush(lightColor(Light::Grey));
        return {};
    case Qt::FontRole:
        if (active && column == SeverityColumn) {
            QFont font;
            font.setBold(true);
            return font;
        }
        return {};
    case Qt::ToolTipRole:
        switch (column) {
        case RaisedColumn:
            return QStringLiteral("%1, alert #%2").arg(fullTime(a.raisedAt)).arg(a.id);
        case ClearedColumn:
            return active ? QStringLiteral("Still active") : fullTime(a.clearedAt);
        case ValueColumn:
            return hasValue(a) ? QStringLiteral("The worst value seen while the alert was active") : QVariant();
        case MessageColumn:
            return toQString(a.message);
        default:
            return {};
        }
    default:
        return {};
    }
}

QVariant AlertTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case StateColumn:
        return QStringLiteral("State");
    case SeverityColumn:
        return QStringLiteral("Severity");
    case RuleColumn:
        return QStringLiteral("Rule");
    case SubjectColumn:
        return QStringLiteral("Subject");
    case RaisedColumn:
        return QStringLiteral("Raised");
    case ClearedColumn:
        return QStringLiteral("Cleared");
    case ValueColumn:
        return QStringLiteral("Value");
    case ThresholdColumn:
        return QStringLiteral("Threshold");
    case MessageColumn:
        return QStringLiteral("Message");
    default:
        return {};
    }
}

} // namespace pulse::ui

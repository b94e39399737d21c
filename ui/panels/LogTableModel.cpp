#include "panels/LogTableModel.hpp"

#include "Formatting.hpp"

#include <QBrush>
#include <QDateTime>

#include <algorithm>
#include <iterator>

namespace pulse::ui {
namespace {

Light levelLight(spdlog::level::level_enum level)
{
    if (level >= spdlog::level::err)
        return Light::Red;
    if (level == spdlog::level::warn)
        return Light::Amber;
    return Light::Grey;
}

size_t dotIndex(spdlog::level::level_enum level)
{
    return level >= spdlog::level::err ? 2 : (level == spdlog::level::warn ? 1 : 0);
}

} // namespace

LogTableModel::LogTableModel(int capacity, QObject* parent)
    : QAbstractTableModel(parent)
    , m_capacity(std::max(1, capacity))
{
    m_dots = {lightDot(Light::Grey), lightDot(Light::Amber), lightDot(Light::Red)};
}

QString LogTableModel::levelWord(spdlog::level::level_enum level)
{
    switch (level) {
    case spdlog::level::trace:
        return QStringLiteral("trace");
    case spdlog::level::debug:
        return QStringLiteral("debug");
    case spdlog::level::info:
        return QStringLiteral("info");
    case spdlog::level::warn:
        return QStringLiteral("warning");
    case spdlog::level::err:
        return QStringLiteral("error");
    case spdlog::level::critical:
        return QStringLiteral("critical");
    default:
        return QStringLiteral("off");
    }
}

int LogTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int LogTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

void LogTableModel::appendRecords(std::vector<LogRecord> records)
{
    if (records.empty())
        return;
    // More than fit: only the newest `capacity` matter.
    const size_t incoming = std::min(records.size(), static_cast<size_t>(m_capacity));
    const auto first = records.end() - static_cast<std::ptrdiff_t>(incoming);

    // Make room first, so the model never holds more than `capacity` rows.
    const size_t overflow = m_rows.size() + incoming > static_cast<size_t>(m_capacity)
        ? m_rows.size() + incoming - static_cast<size_t>(m_capacity)
        : 0;
    if (overflow > 0) {
        beginRemoveRows({}, 0, static_cast<int>(overflow) - 1);
        m_rows.erase(m_rows.begin(), m_rows.begin() + static_cast<std::ptrdiff_t>(overflow));
        endRemoveRows();
    }

    const int row = rowCount();
    beginInsertRows({}, row, row + static_cast<int>(incoming) - 1);
    m_rows.insert(m_rows.end(), std::make_move_iterator(first), std::make_move_iterator(records.end()));
    endInsertRows();
}

void LogTableModel::clear()
{
    if (m_rows.empty())
        return;
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

QVariant LogTableModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const LogRecord& r = m_rows[static_cast<size_t>(index.row())];
    const int column = index.column();

    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case TimeColumn:
            return formatClock(r.time, true);
        case LevelColumn:
            return levelWord(r.level);
        case LoggerColumn:
            return toQString(r.logger);
        case ThreadColumn:
            return QString::number(r.thread);
        case MessageColumn:
            return toQString(r.message);
        default:
            return {};
        }
    case LevelRole:
        return static_cast<int>(r.level);
    case Qt::DecorationRole:
        if (column == LevelColumn)
            return m_dots[dotIndex(r.level)];
        return {};
    case Qt::ForegroundRole:
        if (column == LevelColumn || column == MessageColumn) {
            const Light light = levelLight(r.level);
            if (light != Light::Grey)
                return QBrush(lightColor(light));
        }
        return {};
    case Qt::ToolTipRole:
        if (column == MessageColumn || column == TimeColumn)
            return toQString(r.formatted);
        return {};
    default:
        return {};
    }
}

QVariant LogTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TimeColumn:
        return QStringLiteral("Time");
    case LevelColumn:
        return QStringLiteral("Level");
    case LoggerColumn:
        return QStringLiteral("Logger");
    case ThreadColumn:
        return QStringLiteral("Thread");
    case MessageColumn:
        return QStringLiteral("Message");
    default:
        return {};
    }
}

} // namespace pulse::ui

#include "etl/EtlJobTableModel.hpp"

#include "Formatting.hpp"

#include <QLocale>

namespace pulse::ui {

using namespace Qt::StringLiterals;

EtlJobTableModel::EtlJobTableModel(QObject* parent)
    : QAbstractTableModel(parent)
    , m_failedDot(lightDot(Light::Red))
    , m_interruptedDot(lightDot(Light::Amber))
{ }

int EtlJobTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_jobs.size());
}

int EtlJobTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

int EtlJobTableModel::rowOf(std::int64_t id) const
{
    for (size_t i = 0; i < m_jobs.size(); ++i)
        if (m_jobs[i].id == id)
            return static_cast<int>(i);
    return -1;
}

QString EtlJobTableModel::statusText(const EtlJobRecord& job)
{
    if (job.status == "running" || job.status == "paused")
        return u"interrupted (was %1)"_s.arg(toQString(job.status));
    return toQString(job.status);
}

void EtlJobTableModel::resetData(const std::vector<EtlJobRecord>& jobs)
{
    beginResetModel();
    m_jobs = jobs;
    endResetModel();
}

void EtlJobTableModel::clear()
{
    resetData({});
}

QVariant EtlJobTableModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const EtlJobRecord& job = m_jobs[static_cast<size_t>(index.row())];
    const QLocale locale;

    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case JobColumn:
            return QString::number(job.id);
        case StatusColumn:
            return statusText(job);
        case RowsColumn: {
            const double percent = job.totalRows > 0
                ? 100.0 * static_cast<double>(job.rowsLoaded) / static_cast<double>(job.totalRows)
                : 100.0;
            return u"%1 of %2 (%3%)"_s
                .arg(locale.toString(qint64(job.rowsLoaded)), locale.toString(qint64(job.totalRows)))
                .arg(percent, 0, 'f', 0);
        }
        case ChunkColumn:
            return locale.toString(job.chunkSize);
        case ThrottleColumn:
            return job.rowsPerSecond ? u"%1 rows/s"_s.arg(locale.toString(*job.rowsPerSecond)) : u"none"_s;
        case UpdatedColumn:
            return toQString(job.updatedAt);
        case ErrorColumn:
            return conciseError(toQString(job.error));
        default:
            return {};
        }
    }
    if (role == Qt::DecorationRole && index.column() == StatusColumn)
        return job.status == "failed" ? m_failedDot : m_interruptedDot;
    if (role == Qt::ToolTipRole) {
        if (index.column() == ErrorColumn && !job.error.empty())
            return toQString(job.error);
        if (index.column() == StatusColumn && (job.status == "running" || job.status == "paused"))
            return u"Recorded as %1, but no process holds the job's lock: its loader stopped."_s.arg(
                toQString(job.status));
        return {};
    }
    if (role == Qt::TextAlignmentRole && (index.column() == JobColumn || index.column() == ChunkColumn))
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant EtlJobTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case JobColumn:
        return u"Job"_s;
    case StatusColumn:
        return u"Status"_s;
    case RowsColumn:
        return u"Rows loaded"_s;
    case ChunkColumn:
        return u"Chunk"_s;
    case ThrottleColumn:
        return u"Throttle"_s;
    case UpdatedColumn:
        return u"Updated"_s;
    case ErrorColumn:
        return u"Error"_s;
    default:
        return {};
    }
}

} // namespace pulse::ui

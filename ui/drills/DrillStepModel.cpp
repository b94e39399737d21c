#include "drills/DrillStepModel.hpp"

#include "Formatting.hpp"

#include <QBrush>

namespace pulse::ui {

using namespace Qt::StringLiterals;

namespace {

constexpr qsizetype kOutputCellLength = 160;

Light lightOf(DrillStepModel::State state)
{
    switch (state) {
    case DrillStepModel::State::Succeeded:
        return Light::Green;
    case DrillStepModel::State::Failed:
        return Light::Red;
    case DrillStepModel::State::Skipped:
    case DrillStepModel::State::Note:
        return Light::Amber;
    case DrillStepModel::State::Planned:
    case DrillStepModel::State::Running:
        return Light::Grey;
    }
    return Light::Grey;
}

QString outputText(const nlohmann::json& output)
{
    if (output.is_null())
        return {};
    if (output.is_string())
        return toQString(output.get<std::string>());
    return toQString(output.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

QString elided(const QString& text)
{
    QString line = text;
    line.replace(u'\n', u' ');
    if (line.size() > kOutputCellLength)
        line = line.left(kOutputCellLength - 3) + u"..."_s;
    return line;
}

} // namespace

DrillStepModel::DrillStepModel(QObject* parent)
    : QAbstractTableModel(parent)
{
    for (const Light light : {Light::Green, Light::Amber, Light::Red, Light::Grey})
        m_dots[static_cast<size_t>(light)] = lightDot(light);
}

int DrillStepModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int DrillStepModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

DrillStepModel::State DrillStepModel::state(int row) const
{
    return m_rows.at(static_cast<size_t>(row)).state;
}

int DrillStepModel::finishedSteps() const
{
    int n = 0;
    for (const Row& r : m_rows)
        n += r.state == State::Succeeded || r.state == State::Failed || r.state == State::Skipped ? 1 : 0;
    return n;
}

void DrillStepModel::clear()
{
    if (m_rows.empty())
        return;
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

void DrillStepModel::showPlan(const std::vector<std::string>& plan, const QStringList& refusals)
{
    beginResetModel();
    m_rows.clear();
    for (const std::string& line : plan) {
        const QString text = toQString(line);
        // "method: action 'stop the replica' (stop_node {...})"
        const qsizetype colon = text.indexOf(u": "_s);
        Row row;
        row.phase = colon > 0 ? text.left(colon) : QString();
        row.step = colon > 0 ? text.mid(colon + 2) : text;
        row.state = State::Planned;
        row.outcome = u"planned"_s;
        row.detail = text;
        m_rows.push_back(std::move(row));
    }
    for (const QString& refusal : refusals) {
        Row row;
        row.phase = u"policy"_s;
        row.step = refusal;
        row.state = State::Note;
        row.outcome = u"would be refused"_s;
        row.detail = refusal;
        m_rows.push_back(std::move(row));
    }
    endResetModel();
}

DrillStepModel::Row DrillStepModel::rowFor(const ActivityRun& step, bool finished)
{
    Row row;
    row.time = finished ? step.end : step.start;
    row.phase = toQString(step.phase);
    row.step = toQString(step.name);
    if (!finished) {
        row.state = State::Running;
        row.outcome = u"running"_s;
        row.detail = toQString(step.func);
        return row;
    }
    switch (step.status) {
    case StepStatus::Succeeded:
        row.state = State::Succeeded;
        row.outcome = u"ok"_s;
        break;
    case StepStatus::Failed:
        row.state = State::Failed;
        row.outcome = u"failed"_s;
        break;
    case StepStatus::Skipped:
        row.state = State::Skipped;
        row.outcome = u"skipped"_s;
        break;
    }
    row.took = QString::number(step.durationSeconds(), 'f', 1) + u" s"_s;
    const QString output = outputText(step.output);
    const QString error = toQString(step.error);
    row.output = elided(error.isEmpty() ? output : error);
    row.detail = toQString(step.func);
    if (!step.tolerance.empty())
        row.detail += u", expecting "_s + toQString(step.tolerance);
    if (!output.isEmpty())
        row.detail += u"\noutput: "_s + output;
    if (!error.isEmpty())
        row.detail += u"\n"_s + error;
    return row;
}

void DrillStepModel::append(Row row)
{
    const int at = rowCount();
    beginInsertRows({}, at, at);
    m_rows.push_back(std::move(row));
    endInsertRows();
}

void DrillStepModel::stepStarted(const ActivityRun& step)
{
    append(rowFor(step, false));
}

void DrillStepModel::stepFinished(const ActivityRun& step)
{
    Row row = rowFor(step, true);
    // The newest running row of this step (abort-condition probes may
    // interleave with the method's steps).
    for (size_t i = m_rows.size(); i-- > 0;) {
        Row& r = m_rows[i];
        if (r.state == State::Running && r.phase == row.phase && r.step == row.step) {
            r = std::move(row);
            const int at = static_cast<int>(i);
            Q_EMIT dataChanged(index(at, 0), index(at, ColumnCount - 1));
            return;
        }
    }
    append(std::move(row));
}

void DrillStepModel::addNote(const QString& phase, const QString& text, const QString& outcome)
{
    Row row;
    row.time = std::chrono::system_clock::now();
    row.phase = phase;
    row.step = elided(text);
    row.state = State::Note;
    row.outcome = outcome;
    row.detail = text;
    append(std::move(row));
}

QVariant DrillStepModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row& row = m_rows[static_cast<size_t>(index.row())];
    const int column = index.column();

    if (role == Qt::DisplayRole) {
        switch (column) {
        case TimeColumn:
            return row.time ? formatClock(*row.time, true) : QString();
        case PhaseColumn:
            return row.phase;
        case StepColumn:
            return row.step;
        case OutcomeColumn:
            return row.outcome;
        case TookColumn:
            return row.took;
        case OutputColumn:
            return row.output;
        default:
            return {};
        }
    }
    if (role == Qt::DecorationRole && column == OutcomeColumn)
        return m_dots[static_cast<size_t>(lightOf(row.state))];
    if (role == Qt::ForegroundRole && column == OutcomeColumn && row.state != State::Planned
        && row.state != State::Running)
        return QBrush(lightColor(lightOf(row.state)));
    if (role == Qt::ToolTipRole && (column == StepColumn || column == OutputColumn || column == OutcomeColumn))
        return row.detail;
    if (role == Qt::TextAlignmentRole && column == TookColumn)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant DrillStepModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TimeColumn:
        return u"Time"_s;
    case PhaseColumn:
        return u"Phase"_s;
    case StepColumn:
        return u"Step"_s;
    case OutcomeColumn:
        return u"Outcome"_s;
    case TookColumn:
        return u"Took"_s;
    case OutputColumn:
        return u"Output"_s;
    default:
        return {};
    }
}

} // namespace pulse::ui

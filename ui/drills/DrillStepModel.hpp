#pragma once
// The drills panel's live step log: one row per step of the run, in the
// order they happen. A step shows up as "running" when it starts and is
// completed in place when it ends; a dry run fills the log with the plan
// (outcome "planned"), and notes (an abort, a refusal) get rows of their own.
// Fed on the UI thread from DrillController's signals.

#include "drills/DrillJournal.hpp"

#include <QAbstractTableModel>
#include <QIcon>
#include <QString>
#include <QStringList>

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace pulse::ui {

enum class Light;

class DrillStepModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column { TimeColumn, PhaseColumn, StepColumn, OutcomeColumn, TookColumn, OutputColumn, ColumnCount };
    enum class State { Planned, Running, Succeeded, Failed, Skipped, Note };

    explicit DrillStepModel(QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    State state(int row) const;
    // Rows of finished steps (succeeded, failed or skipped).
    int finishedSteps() const;

public Q_SLOTS:
    void clear();
    // A dry run: DrillRunner::plan's lines ("phase: what"), then what the
    // policy would refuse.
    void showPlan(const std::vector<std::string>& plan, const QStringList& refusals = {});
    void stepStarted(const pulse::ActivityRun& step);
    // Completes the step's "running" row, or appends one.
    void stepFinished(const pulse::ActivityRun& step);
    void addNote(const QString& phase, const QString& text, const QString& outcome);

private:
    struct Row {
        std::optional<std::chrono::system_clock::time_point> time;
        QString phase;
        QString step;
        State state = State::Note;
        QString outcome;
        QString took;
        QString output;
        QString detail; // the tooltip: the full output or error
    };

    static Row rowFor(const ActivityRun& step, bool finished);
    void append(Row row);

    std::vector<Row> m_rows;
    std::array<QIcon, 4> m_dots;
};

} // namespace pulse::ui

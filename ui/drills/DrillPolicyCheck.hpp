#pragma once
// What the NodeActionPolicy says about a drill before anything runs
// (`pulsectl drill run --dry-run` lists the same): DrillController::check(),
// shown by the drills panel's dry run and confirmation.

#include <QStringList>

namespace pulse::ui {

struct DrillPolicyCheck {
    // Drill::destructiveSteps(): the steps a run asks the operator about.
    QStringList destructiveSteps;
    // Node actions allowed only with the operator's confirmation that are
    // not destructive steps ("pause_replay on replica" off the sandbox).
    QStringList needConfirmation;
    // Node actions refused even when confirmed, each with what is missing
    // (off the sandbox: DRILL_ALLOW_DESTRUCTIVE, DRILL_COMMAND_*).
    QStringList refused;

    bool canRun() const { return refused.isEmpty(); }
    bool needsConfirmation() const { return !destructiveSteps.isEmpty() || !needConfirmation.isEmpty(); }
    // What a confirmation prompt lists: the destructive steps, then the rest.
    QStringList confirmationItems() const { return destructiveSteps + needConfirmation; }
};

} // namespace pulse::ui

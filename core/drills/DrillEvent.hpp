#pragma once
// What a running drill reports as it goes, for the CLI's live log and the
// console's step list.

#include "drills/DrillJournal.hpp"

#include <string>

namespace pulse {

struct DrillEvent {
    enum class Kind { Started, StepStarted, StepFinished, Aborting, Finished };
    Kind kind = Kind::Started;
    ActivityRun step;       // StepStarted (no end yet) / StepFinished
    std::string message;    // Started / Aborting / Finished: in words
    DrillStatus status = DrillStatus::Running;
};

}  // namespace pulse

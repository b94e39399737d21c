#pragma once
// How the ETL panel and the load-test panel word an ETL load: the same
// figures `pulsectl etl run` prints, in sentences for a person.

#include "etl/EtlProgress.hpp"

#include <QString>

#include <chrono>
#include <optional>

namespace pulse::ui {

// "Running", "Paused", "Braking", ... (capitalised etlStateName).
QString etlStateWord(EtlState state);
// "ETA 42 s", "ETA 3 min 05 s", "ETA 1 h 02 min"; "ETA unknown" without one.
QString etaText(std::optional<std::chrono::seconds> eta);
// The progress bar's text: "1200 of 20000 rows · 850 rows/s · ETA 20 s".
QString etlProgressText(const EtlProgress& progress);
// The state line under the bar: "Running job 7 (tables commits, reviews)",
// "Braking: replica lags 3.2 s > 1.0 s", "Failed: <why>".
QString etlStateText(const EtlProgress& progress);

} // namespace pulse::ui

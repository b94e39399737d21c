#pragma once
// How core values read in the UI: one place for words, units and the
// traffic-light colours, so every view says the same thing the same way.
// Colours are never the only signal: each comes with a word or an icon.

#include "engine/TopologyStatus.hpp"
#include "pool/PoolStats.hpp"
#include "routing/RoutingDecision.hpp"

#include <QColor>
#include <QIcon>
#include <QString>

#include <chrono>
#include <string_view>

namespace pulse::ui {

enum class Light { Green, Amber, Red, Grey };

QString toQString(std::string_view text);

// "Healthy", "Degraded", "Down".
QString healthWord(Health health);
Light healthLight(Health health);
// The verdict without its leading "healthy: " word (the banner shows the word
// separately, in bold, next to an icon).
QString verdictDetail(const TopologyStatus& status);

// Strong colour for text and icons; pale tint for backgrounds.
// Whether the application palette is a dark theme (the colours below follow it).
bool darkPalette();
// Text colours readable on the palette's window colour, light or dark theme.
QColor lightColor(Light light);
QColor lightTint(Light light);
// A filled dot in the light's colour (table cells, next to the state word).
// Painted on each call: models keep the few they need.
QIcon lightDot(Light light);
// A symbol for the banner: check mark, exclamation mark, cross, question mark.
QIcon lightSymbol(Light light);

// "3/50 (6%)", with ", 2 waiting" when callers wait for a connection.
QString formatPool(const PoolStats& pool);
// "0.42", "12.3", "1250"; the column header carries the unit.
QString formatMilliseconds(double ms);
// Local wall-clock time "14:03:07" or, with milliseconds, "14:03:07.125".
QString formatClock(std::chrono::system_clock::time_point time, bool milliseconds = false);
// "15.20" out of "15.20 (Debian 15.20-0+deb12u1)".
QString shortServerVersion(std::string_view version);
// An error for a table cell or the banner: without the connection
// parameters (the Endpoint column shows them) and libpq's "connection to
// server at ... failed:" preamble, so the reason ("Connection refused") is
// visible. The full text belongs in the tooltip.
QString conciseError(const QString& error);
// "routed", "fell back", "refused".
QString outcomeWord(RoutingDecision::Outcome outcome);
Light outcomeLight(RoutingDecision::Outcome outcome);

} // namespace pulse::ui

#pragma once
// Shell commands written by an operator (DRILL_COMMAND_*) are shown in logs,
// `pulsectl config`, drill journals and reports. They are not secrets, but
// one may carry a password inline (PGPASSWORD=... psql, a postgres:// URL):
// that part never leaves the process.

#include <string>
#include <string_view>

namespace pulse {

// `command` with the value after every "password=" (any case, so PGPASSWORD=
// and --password= too) and the password of every "scheme://user:password@"
// replaced by ********. A quoted value is masked up to its closing quote,
// an unquoted one up to the next blank, ';', '&' or '|'.
std::string maskCommandSecrets(std::string_view command);

} // namespace pulse

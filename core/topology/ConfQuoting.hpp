#pragma once
// Quoting for the two syntaxes the sandbox writes values into: the server's
// configuration files and libpq connection strings (primary_conninfo holds
// the second inside the first). Paths come from the sandbox's base
// directory, which a user chooses: never paste one in unquoted.

#include <string>

namespace pulse {

// A postgresql.conf string value: 'it''s' (a quote is doubled).
inline std::string confQuote(const std::string& value)
{
    std::string quoted = "'";
    for (const char c : value) {
        if (c == '\'')
            quoted += '\'';
        quoted += c;
    }
    return quoted + "'";
}

// A libpq connection-string value: 'it\'s' (quote and backslash escaped).
inline std::string conninfoQuote(const std::string& value)
{
    std::string quoted = "'";
    for (const char c : value) {
        if (c == '\'' || c == '\\')
            quoted += '\\';
        quoted += c;
    }
    return quoted + "'";
}

} // namespace pulse

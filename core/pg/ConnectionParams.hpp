#pragma once
// The libpq keywords we set for one node, and nothing else: every key we leave
// out falls through to libpq's own conventions (PGSSLMODE, PGPASSFILE/.pgpass,
// pg_service.conf, PGCONNECT_TIMEOUT is overridden only because a node that
// stops answering must never hang a caller).

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace pulse {

class ConnectionParams {
public:
    ConnectionParams() = default;

    // Node label for errors and logs ("primary", "replica").
    ConnectionParams& node(std::string name);
    ConnectionParams& host(std::string value);
    ConnectionParams& port(int value);
    ConnectionParams& user(std::string value);
    ConnectionParams& password(std::string value);  // empty: left to libpq (PGPASSWORD, .pgpass)
    ConnectionParams& database(std::string value);
    ConnectionParams& connectTimeout(std::chrono::seconds value);
    // Used as fallback_application_name, so a user's PGAPPNAME still wins.
    ConnectionParams& applicationName(std::string value);
    // Any other libpq keyword (e.g. "sslmode" in tests); last set wins.
    ConnectionParams& set(std::string keyword, std::string value);

    const std::string& nodeName() const { return m_node; }
    const std::string& hostName() const;
    int portNumber() const;
    std::chrono::seconds connectTimeoutValue() const { return m_connectTimeout; }

    // NULL-terminated keyword/value arrays for PQconnectdbParams. The Arrays
    // value owns its strings; the pointers stay valid while it lives.
    struct Arrays {
        std::vector<std::pair<std::string, std::string>> owned;
        std::vector<const char*> keywords;
        std::vector<const char*> values;
    };
    Arrays toArrays() const;

    // "host=127.0.0.1 port=5432 user=pulse_user dbname=pulse_db password=********":
    // what may be shown in logs, errors, CLI output and screenshots.
    std::string masked() const;

private:
    std::string m_node = "node";
    std::vector<std::pair<std::string, std::string>> m_keywords;
    std::chrono::seconds m_connectTimeout{3};
    std::string m_password;
};

}  // namespace pulse

#include "pg/ConnectionParams.hpp"

#include <algorithm>

namespace pulse {
namespace {
const std::string kEmpty;
}

ConnectionParams& ConnectionParams::node(std::string name)
{
    m_node = std::move(name);
    return *this;
}

ConnectionParams& ConnectionParams::set(std::string keyword, std::string value)
{
    if (keyword == "password")
        return password(std::move(value));  // kept apart so masked() can never show it
    auto it = std::find_if(m_keywords.begin(), m_keywords.end(), [&](const auto& kv) { return kv.first == keyword; });
    if (it != m_keywords.end())
        it->second = std::move(value);
    else
        m_keywords.emplace_back(std::move(keyword), std::move(value));
    return *this;
}

ConnectionParams& ConnectionParams::host(std::string value) { return set("host", std::move(value)); }
ConnectionParams& ConnectionParams::port(int value) { return set("port", std::to_string(value)); }
ConnectionParams& ConnectionParams::user(std::string value) { return set("user", std::move(value)); }
ConnectionParams& ConnectionParams::database(std::string value) { return set("dbname", std::move(value)); }
ConnectionParams& ConnectionParams::applicationName(std::string value)
{
    return set("fallback_application_name", std::move(value));
}

ConnectionParams& ConnectionParams::password(std::string value)
{
    m_password = std::move(value);
    return *this;
}

ConnectionParams& ConnectionParams::connectTimeout(std::chrono::seconds value)
{
    m_connectTimeout = value;
    return *this;
}

const std::string& ConnectionParams::hostName() const
{
    for (const auto& [k, v] : m_keywords)
        if (k == "host")
            return v;
    return kEmpty;
}

int ConnectionParams::portNumber() const
{
    for (const auto& [k, v] : m_keywords)
        if (k == "port")
            return std::atoi(v.c_str());
    return 0;
}

ConnectionParams::Arrays ConnectionParams::toArrays() const
{
    Arrays a;
    a.owned = m_keywords;
    if (!m_password.empty())
        a.owned.emplace_back("password", m_password);
    // Keywords that keep a dead or frozen node from hanging a caller: a bounded
    // connect, TCP keepalives so a silently vanished peer is noticed, and
    // tcp_user_timeout (ms) so unacknowledged writes give up.
    const std::pair<const char*, std::string> safety[] = {
        {"connect_timeout", std::to_string(std::max<long long>(2, m_connectTimeout.count()))},
        {"keepalives", "1"},
        {"keepalives_idle", "10"},
        {"keepalives_interval", "5"},
        {"keepalives_count", "3"},
        {"tcp_user_timeout", "15000"},
        // Pulse checks each node's role itself: a PGTARGETSESSIONATTRS in the
        // environment (read-write) would make every replica connection fail.
        {"target_session_attrs", "any"},
    };
    for (const auto& [key, value] : safety) {
        const bool setByCaller = std::any_of(m_keywords.begin(), m_keywords.end(), [&](const auto& kv) { return kv.first == key; });
        if (!setByCaller)
            a.owned.emplace_back(key, value);
    }
    for (const auto& [k, v] : a.owned) {
        a.keywords.push_back(k.c_str());
        a.values.push_back(v.c_str());
    }
    a.keywords.push_back(nullptr);
    a.values.push_back(nullptr);
    return a;
}

std::string ConnectionParams::masked() const
{
    std::string out;
    for (const auto& [k, v] : m_keywords) {
        if (k == "fallback_application_name")
            continue;
        if (k == "sslpassword") {
            out += (out.empty() ? "" : " ") + k + "=********";
            continue;
        }
        if (!out.empty())
            out += ' ';
        out += k + '=' + (v.empty() ? "''" : v);
    }
    if (!m_password.empty())
        out += (out.empty() ? "" : " ") + std::string("password=********");
    return out;
}

}  // namespace pulse

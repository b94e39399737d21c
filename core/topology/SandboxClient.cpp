#include "topology/SandboxClient.hpp"

#include "common/Errors.hpp"

#include <chrono>
#include <fmt/format.h>
#include <libpq-fe.h>

using namespace std::chrono_literals;

namespace pulse {
namespace {

constexpr auto kConnectTimeout = 2s;
constexpr auto kQueryTimeout = 10s; // one sandbox SQL statement

} // namespace

SandboxClient::SandboxClient(const detail::SandboxState& state)
    : m_state(state)
{ }

ConnectionParams SandboxClient::params(SandboxNode node, const std::string& database) const
{
    ConnectionParams params;
    params.node(std::string(sandboxNodeName(node)))
        .host(detail::SandboxState::kHost)
        .port(m_state.ports[node])
        .user(m_state.user)
        .password(m_state.password)
        .database(database)
        .connectTimeout(kConnectTimeout)
        .set("sslmode", "disable")
        .set("gssencmode", "disable")
        // Not the fallback name: the sandbox's own sessions are labelled as such even under PGAPPNAME.
        .set("application_name", "pulse-sandbox");
    return params;
}

std::unique_ptr<PgConnection> SandboxClient::connect(SandboxNode node, const std::string& database) const
{
    std::unique_ptr<PgConnection> connection;
    try {
        connection = PgConnection::open(params(node, database));
    } catch (const Error& error) {
        throw SandboxError(fmt::format("cannot connect to the sandbox {} at {}:{}: {}. Is it running? "
                                       "(pulsectl sandbox status; start it with pulsectl sandbox up)",
            sandboxNodeName(node), detail::SandboxState::kHost, m_state.ports[node], error.what()));
    }
    connection->setDeadline(kQueryTimeout);
    return connection;
}

bool SandboxClient::accepts(SandboxNode node) const
{
    const ConnectionParams::Arrays arrays = params(node, "postgres").toArrays();
    return PQpingParams(arrays.keywords.data(), arrays.values.data(), 0) == PQPING_OK;
}

std::string SandboxClient::queryValue(PgConnection& connection, std::string_view sql)
{
    const PgResult result = connection.exec(sql);
    if (result.rows() < 1 || result.columns() < 1)
        return {};
    return std::string(result.get(0, 0).value_or(""));
}

} // namespace pulse

#pragma once
// How the sandbox itself talks SQL to its nodes, on top of pg/PgConnection:
// over TCP to 127.0.0.1 as the sandbox user with its password (what the
// application does too), with TLS and GSS off (a developer's PGSSLMODE must
// not break a server that has neither), a short connect timeout and a client
// deadline on every statement (a frozen node, e.g. SIGSTOP, answers nothing
// and must not hang the caller).

#include "pg/ConnectionParams.hpp"
#include "pg/PgConnection.hpp"
#include "topology/SandboxState.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace pulse {

class SandboxClient {
public:
    // Keeps a reference: `state` must outlive this object.
    explicit SandboxClient(const detail::SandboxState& state);

    // The libpq keywords for `node`; node label "primary" / "replica".
    ConnectionParams params(SandboxNode node, const std::string& database) const;
    // An open connection whose every exec() is bounded. Throws SandboxError
    // naming the node, the masked connection string, libpq's reason and how
    // to check on and start the sandbox.
    std::unique_ptr<PgConnection> connect(SandboxNode node, const std::string& database) const;
    // True when the node answers on TCP (PQping: no login, no session).
    bool accepts(SandboxNode node) const;

    // First column of the first row as text; empty when there is no row or
    // it is NULL. Throws pulse::Error (SqlError, ConnectionError, QueryTimeoutError).
    static std::string queryValue(PgConnection& connection, std::string_view sql);

private:
    const detail::SandboxState& m_state;
};

} // namespace pulse

#pragma once
// The health monitor's own connection to one node, driven without blocking:
// connect (PQconnectStartParams / PQconnectPoll) and query (PQsendQuery) are
// each bounded by the caller's deadline, enforced with poll(). libpq's
// connect_timeout cannot go below 2 s and a frozen server (SIGSTOP) accepts
// the TCP handshake but never answers, so without this a frozen node would
// stall the monitor for seconds. On a missed deadline the connection is
// dropped and the next call reconnects.
//
// Not thread-safe: owned by one ProbeWorker.
#include "pg/ConnectionParams.hpp"
#include "pg/PgResult.hpp"

#include <libpq-fe.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace pulse {

class ProbeConnection {
public:
    using Clock = std::chrono::steady_clock;
    explicit ProbeConnection(ConnectionParams params);

    // Runs `sql` (simple protocol; several statements allowed) and returns
    // one result per statement. Throws ConnectionError (refused, lost) or
    // QueryTimeoutError (deadline passed while connecting or waiting).
    std::vector<PgResult> run(const std::string& sql, Clock::time_point deadline);
    void reset() { m_conn.reset(); }
    bool connected() const { return m_conn != nullptr; }
    const ConnectionParams& params() const { return m_params; }

private:
    void connect(Clock::time_point deadline);
    // Waits for the socket to be readable/writable; false when the deadline passed.
    bool waitFor(bool forWrite, Clock::time_point deadline);
    [[noreturn]] void fail(const std::string& what, bool timedOut);

    const ConnectionParams m_params;
    std::unique_ptr<PGconn, decltype(&PQfinish)> m_conn{nullptr, &PQfinish};
};

}  // namespace pulse

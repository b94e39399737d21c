#include "monitor/ProbeConnection.hpp"

#include "common/Errors.hpp"
#include "common/Trimmed.hpp"

#include <poll.h>

#include <cerrno>
#include <cstring>

namespace pulse {

ProbeConnection::ProbeConnection(ConnectionParams params) : m_params(std::move(params)) {}

void ProbeConnection::fail(const std::string& what, bool timedOut)
{
    m_conn.reset();
    const std::string message = m_params.nodeName() + ": " + what;
    if (timedOut)
        throw QueryTimeoutError(m_params.nodeName(), message);
    throw ConnectionError(m_params.nodeName(), message);
}

bool ProbeConnection::waitFor(bool forWrite, Clock::time_point deadline)
{
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0)
            return false;
        pollfd pfd{PQsocket(m_conn.get()), static_cast<short>(forWrite ? POLLOUT : POLLIN), 0};
        if (pfd.fd < 0)
            fail("connection has no socket", false);
        const int ready = ::poll(&pfd, 1, static_cast<int>(left.count()) + 1);
        if (ready > 0)
            return true;
        if (ready < 0 && errno != EINTR)
            fail(std::string("poll failed: ") + std::strerror(errno), false);
    }
}

void ProbeConnection::connect(Clock::time_point deadline)
{
    const auto arrays = m_params.toArrays();
    m_conn.reset(PQconnectStartParams(arrays.keywords.data(), arrays.values.data(), 0));
    if (!m_conn)
        fail("out of memory creating a connection", false);
    if (PQstatus(m_conn.get()) == CONNECTION_BAD)
        fail("cannot connect (" + m_params.masked() + "): " + trimmed(PQerrorMessage(m_conn.get())), false);
    // Notices (e.g. a server shutting down) must not go to stderr.
    PQsetNoticeProcessor(m_conn.get(), [](void*, const char*) {}, nullptr);
    PostgresPollingStatusType state = PGRES_POLLING_WRITING;
    for (;;) {
        if (state == PGRES_POLLING_OK)
            break;
        if (state == PGRES_POLLING_FAILED)
            fail("cannot connect (" + m_params.masked() + "): " + trimmed(PQerrorMessage(m_conn.get())), false);
        if (!waitFor(state == PGRES_POLLING_WRITING, deadline))
            fail("no answer while connecting within the monitor's deadline (is the server frozen?)", true);
        state = PQconnectPoll(m_conn.get());
    }
    if (PQsetnonblocking(m_conn.get(), 1) != 0)
        fail("cannot switch the connection to non-blocking mode", false);
}

std::vector<PgResult> ProbeConnection::run(const std::string& sql, Clock::time_point deadline)
{
    if (m_conn && PQstatus(m_conn.get()) != CONNECTION_OK)
        m_conn.reset();
    if (!m_conn)
        connect(deadline);
    if (!PQsendQuery(m_conn.get(), sql.c_str()))
        fail("could not send the probe: " + trimmed(PQerrorMessage(m_conn.get())), false);
    for (;;) {
        const int flushed = PQflush(m_conn.get());
        if (flushed == 0)
            break;
        if (flushed < 0)
            fail("could not send the probe: " + trimmed(PQerrorMessage(m_conn.get())), false);
        if (!waitFor(true, deadline))
            fail("no answer within the monitor's deadline (is the server frozen?)", true);
    }
    std::vector<PgResult> results;
    std::string error;
    for (;;) {
        while (PQisBusy(m_conn.get())) {
            if (!waitFor(false, deadline))
                fail("no answer within the monitor's deadline (is the server frozen?)", true);
            if (!PQconsumeInput(m_conn.get()))
                fail("connection lost: " + trimmed(PQerrorMessage(m_conn.get())), false);
        }
        PGresult* raw = PQgetResult(m_conn.get());
        if (!raw)
            break;
        PgResult result(raw);
        const auto status = result.status();
        if (status == PGRES_FATAL_ERROR || status == PGRES_BAD_RESPONSE) {
            if (error.empty())
                error = trimmed(PQresultErrorMessage(result.raw()));
            continue;
        }
        results.push_back(std::move(result));
    }
    if (PQstatus(m_conn.get()) != CONNECTION_OK)
        fail("connection lost: " + (error.empty() ? trimmed(PQerrorMessage(m_conn.get())) : error), false);
    if (!error.empty())
        throw SqlError("", m_params.nodeName() + ": probe failed: " + error);
    return results;
}

}  // namespace pulse

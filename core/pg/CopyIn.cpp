#include "pg/CopyIn.hpp"

#include "common/Errors.hpp"
#include "common/Trimmed.hpp"

#include <climits>
#include <string>

namespace pulse {

CopyIn::~CopyIn()
{
    if (!m_active)
        return;
    try {
        abort("COPY abandoned by the client");
    } catch (...) {
        // Unknown state: the pool must not hand this connection out again.
        m_connection.markBroken();
    }
}

std::vector<PgResult> CopyIn::start(std::string_view script)
{
    if (m_active)
        throw Error(m_connection.node() + ": a COPY is already in progress on this connection");
    if (m_connection.isBroken())
        m_connection.throwBroken("connection is broken and cannot run a query");
    const std::string text(script);
    if (!PQsendQuery(m_connection.raw(), text.c_str()))
        m_connection.throwBroken("could not send query: " + trimmed(PQerrorMessage(m_connection.raw())));
    auto collected = m_connection.collect(true, true);
    if (!collected.copyIn)
        throw Error(m_connection.node() + ": the script did not end in COPY ... FROM STDIN");
    m_active = true;
    // Stays armed while the COPY is open: a write blocked on a frozen
    // server is woken by the watchdog's shutdown of the socket.
    m_connection.armDeadline();
    return std::move(collected.all);
}

void CopyIn::failWrite(const char* what)
{
    m_active = false;
    if (m_connection.m_watch->fired.load(std::memory_order_acquire))
        m_connection.throwDeadlinePassed();
    if (PQstatus(m_connection.raw()) != CONNECTION_OK)
        m_connection.throwBroken(std::string(what) + ": " + trimmed(PQerrorMessage(m_connection.raw())));
    // The server ended the COPY on its own (an error it sent already):
    // reading the results reports it as exec() would.
    m_connection.collect(false, false);
    m_connection.markBroken();
    m_connection.throwBroken(std::string(what) + ": the server ended the COPY without an error");
}

void CopyIn::write(std::string_view data)
{
    if (!m_active || m_ended)
        throw Error(m_connection.node() + ": COPY write without a COPY in progress");
    if (data.empty())
        return;
    if (data.size() > static_cast<size_t>(INT_MAX)) {
        write(data.substr(0, INT_MAX / 2));
        write(data.substr(INT_MAX / 2));
        return;
    }
    m_connection.armDeadline();  // progress renews the deadline
    if (PQputCopyData(m_connection.raw(), data.data(), static_cast<int>(data.size())) != 1)
        failWrite("COPY data could not be sent");
    if (m_connection.m_watch->fired.load(std::memory_order_acquire)) {
        m_active = false;
        m_connection.throwDeadlinePassed();
    }
}

void CopyIn::endData()
{
    if (!m_active || m_ended)
        throw Error(m_connection.node() + ": COPY end without a COPY in progress");
    m_connection.armDeadline();
    if (PQputCopyEnd(m_connection.raw(), nullptr) != 1)
        failWrite("end of COPY could not be sent");
    m_ended = true;
}

void CopyIn::closeData()
{
    if (!m_active)
        throw Error(m_connection.node() + ": COPY finish without a COPY in progress");
    if (!m_ended)
        endData();
    m_active = false;
    m_ended = false;
}

long long CopyIn::finish()
{
    closeData();
    auto collected = m_connection.collect(false, true);
    if (collected.copyIn) {
        // Another COPY further on in the script: not a shape this class
        // drives, and the connection now waits for data nobody sends.
        m_connection.markBroken();
        throw Error(m_connection.node() + ": the script holds a second COPY FROM STDIN");
    }
    return collected.last.affectedRows();
}

std::vector<PgResult> CopyIn::finishAndContinue()
{
    closeData();
    auto collected = m_connection.collect(true, true);
    if (collected.copyIn) {
        m_active = true;
        m_connection.armDeadline();
    }
    return std::move(collected.all);
}

void CopyIn::abort(std::string_view reason)
{
    if (!m_active)
        return;
    m_active = false;
    if (m_ended) {
        // The data was complete: the server commits nothing by itself (the
        // caller's transaction decides), so reading the result is the abort.
        m_ended = false;
        try {
            m_connection.collect(false, false);
        } catch (const SqlError&) {
            // the COPY failed on its own: nothing more to discard
        }
        return;
    }
    const std::string text(reason);
    m_connection.armDeadline();
    if (PQputCopyEnd(m_connection.raw(), text.c_str()) != 1) {
        m_connection.disarmDeadline();
        m_connection.markBroken();
        if (m_connection.m_watch->fired.load(std::memory_order_acquire))
            m_connection.throwDeadlinePassed();
        m_connection.throwBroken("COPY abort could not be sent: " + trimmed(PQerrorMessage(m_connection.raw())));
    }
    try {
        m_connection.collect(false, false);
    } catch (const SqlError&) {
        // Expected: the server reports the COPY failed with our reason (57014).
    }
}

}  // namespace pulse

#include "pg/PgConnection.hpp"

#include "common/Errors.hpp"
#include "common/Logging.hpp"
#include "common/Trimmed.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

namespace pulse {
namespace {

// SQLSTATEs after which the session is gone even if libpq has not noticed yet.
bool isConnectionLoss(const std::string& sqlstate)
{
    return sqlstate.starts_with("08") || sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03";
}

}  // namespace

// libpq hands server notices, and errors that arrive while no query runs, to
// the notice receiver. A FATAL or PANIC there (backend terminated, server
// shutting down) means the session is gone, even before the socket's EOF has
// been read: mark the connection broken so the pool never hands it out.
// Notices go to the log instead of libpq's default of printing to stderr.
void PgConnection::onNotice(void* self, const PGresult* result)
{
    auto* connection = static_cast<PgConnection*>(self);
    const char* severity = PQresultErrorField(result, PG_DIAG_SEVERITY_NONLOCALIZED);
    const std::string text = trimmed(PQresultErrorMessage(result));
    if (severity && (std::strcmp(severity, "FATAL") == 0 || std::strcmp(severity, "PANIC") == 0)) {
        connection->m_broken = true;
        logger("pg")->info("{}: {}", connection->m_node, text);
    } else {
        logger("pg")->debug("{}: {}", connection->m_node, text);
    }
}

std::unique_ptr<PgConnection> PgConnection::open(const ConnectionParams& params)
{
    const auto arrays = params.toArrays();
    PGconn* conn = PQconnectdbParams(arrays.keywords.data(), arrays.values.data(), 0);
    if (!conn)
        throw ConnectionError(params.nodeName(), params.nodeName() + ": out of memory creating a connection");
    if (PQstatus(conn) != CONNECTION_OK) {
        std::string message = trimmed(PQerrorMessage(conn));
        PQfinish(conn);
        throw ConnectionError(params.nodeName(),
                              "cannot connect to " + params.nodeName() + " (" + params.masked() + "): " + message);
    }
    std::unique_ptr<PGconn, decltype(&PQfinish)> owned(conn, &PQfinish);  // until the object owns it
    auto connection = std::unique_ptr<PgConnection>(new PgConnection(owned.get(), params.nodeName()));
    owned.release();
    return connection;
}

PgConnection::PgConnection(PGconn* conn, std::string node)
    : m_conn(conn, &PQfinish)
    , m_cancel(PQgetCancel(conn), &PQfreeCancel)
    , m_node(std::move(node))
    , m_createdAt(Clock::now())
{
    PQsetNoticeReceiver(m_conn.get(), &PgConnection::onNotice, this);
    // The watchdog gets its own descriptor for the socket: libpq may close
    // its own at any time (on EOF), and a number the watchdog still held
    // could by then belong to another socket. Shutting down the duplicate
    // shuts down this connection's socket, and nothing else.
    const int watched = ::fcntl(PQsocket(conn), F_DUPFD_CLOEXEC, 0);
    m_watch = DeadlineWatchdog::instance().add(watched, m_node);
}

PgConnection::~PgConnection()
{
    // Unregister first, then close the watchdog's duplicate: the watchdog
    // must never shut down a descriptor number that has been reused.
    DeadlineWatchdog::instance().remove(m_watch);
    if (m_watch->fd >= 0)
        ::close(m_watch->fd);
}

bool PgConnection::isBroken() const
{
    return m_broken.load(std::memory_order_relaxed) || m_watch->fired.load(std::memory_order_relaxed) ||
           PQstatus(m_conn.get()) != CONNECTION_OK;
}

bool PgConnection::inTransaction() const
{
    const auto status = transactionStatus();
    return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE;
}

std::string PgConnection::parameterStatus(const char* name) const
{
    const char* value = PQparameterStatus(m_conn.get(), name);
    return value ? value : "";
}

void PgConnection::throwBroken(const std::string& what)
{
    m_broken = true;
    throw ConnectionError(m_node, m_node + ": " + what);
}

void PgConnection::throwDeadlinePassed()
{
    m_broken = true;
    if (m_watch->abandoned.load(std::memory_order_acquire))
        throw QueryTimeoutError(m_node, m_node + ": query abandoned: the health monitor found " + m_node +
                                            " not answering");
    throw QueryTimeoutError(m_node, m_node + ": no answer within the client-side deadline of " +
                                        std::to_string(m_deadline.count()) +
                                        " ms; the connection was abandoned (is the server frozen?)");
}

void PgConnection::waitReadable()
{
    // No timeout here: the DeadlineWatchdog shuts the socket down when the
    // deadline passes, which ends this poll().
    pollfd pfd{PQsocket(m_conn.get()), POLLIN, 0};
    if (pfd.fd < 0)
        throwBroken("connection has no socket");
    for (;;) {
        const int ready = ::poll(&pfd, 1, -1);
        if (m_watch->fired.load(std::memory_order_acquire))
            throwDeadlinePassed();
        if (ready > 0)
            return;
        if (ready < 0 && errno != EINTR)
            throwBroken(std::string("poll failed: ") + std::strerror(errno));
    }
}

PgResult PgConnection::exec(std::string_view sql, const SqlParams& params)
{
    if (isBroken())
        throwBroken("connection is broken and cannot run a query");
    const std::string text(sql);
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params)
        values.push_back(p ? p->c_str() : nullptr);

    if (!PQsendQueryParams(m_conn.get(), text.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                           nullptr, nullptr, 0))
        throwBroken("could not send query: " + trimmed(PQerrorMessage(m_conn.get())));
    return collectResults();
}

PgResult PgConnection::execScript(std::string_view sql)
{
    if (isBroken())
        throwBroken("connection is broken and cannot run a query");
    const std::string text(sql);
    if (!PQsendQuery(m_conn.get(), text.c_str()))
        throwBroken("could not send query: " + trimmed(PQerrorMessage(m_conn.get())));
    return collectResults();
}

std::vector<PgResult> PgConnection::execScriptResults(std::string_view sql)
{
    if (isBroken())
        throwBroken("connection is broken and cannot run a query");
    const std::string text(sql);
    if (!PQsendQuery(m_conn.get(), text.c_str()))
        throwBroken("could not send query: " + trimmed(PQerrorMessage(m_conn.get())));
    return collect(true, false).all;
}

PgResult PgConnection::collectResults()
{
    return collect(false, false).last;
}

void PgConnection::armDeadline()
{
    m_watch->deadlineNs.store(m_deadline.count() > 0 ? DeadlineWatchdog::toNs(Clock::now() + m_deadline) : INT64_MAX,
                              std::memory_order_release);
}

void PgConnection::disarmDeadline()
{
    m_watch->deadlineNs.store(0, std::memory_order_release);
}

PgConnection::Collected PgConnection::collect(bool keepAll, bool allowCopyIn)
{
    // Armed for the whole exchange; disarmed on every way out.
    struct Armed {
        PgConnection& connection;
        ~Armed() { connection.disarmDeadline(); }
    } armed{*this};
    armDeadline();
    Collected collected;
    PgResult error;
    for (;;) {
        while (PQisBusy(m_conn.get())) {
            waitReadable();
            if (!PQconsumeInput(m_conn.get())) {
                if (m_watch->fired.load(std::memory_order_acquire))
                    throwDeadlinePassed();
                throwBroken(trimmed(PQerrorMessage(m_conn.get())));
            }
        }
        PGresult* raw = PQgetResult(m_conn.get());
        if (!raw)
            break;
        PgResult result(raw);
        const auto status = result.status();
        if (status == PGRES_FATAL_ERROR || status == PGRES_BAD_RESPONSE || status == PGRES_NONFATAL_ERROR) {
            if (!error.raw())
                error = std::move(result);
        } else if (status == PGRES_COPY_IN && allowCopyIn && !error.raw()) {
            // The server waits for data: PQgetResult would return this state
            // again and again, so the exchange pauses here (CopyIn goes on).
            collected.copyIn = true;
            return collected;
        } else if (status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH) {
            // COPY goes through the dedicated writer; here it would wedge the connection.
            m_broken = true;
            throw Error(m_node + ": COPY is not supported by exec()");
        } else {
            if (keepAll)
                collected.all.push_back(std::move(result));
            else
                collected.last = std::move(result);
        }
    }
    if (error.raw())
        throwResultError(error);
    if (PQstatus(m_conn.get()) != CONNECTION_OK)
        throwBroken(trimmed(PQerrorMessage(m_conn.get())));
    return collected;
}

void PgConnection::throwResultError(const PgResult& error)
{
    const char* state = PQresultErrorField(error.raw(), PG_DIAG_SQLSTATE);
    const std::string sqlstate = state ? state : "";
    const std::string message = trimmed(PQresultErrorMessage(error.raw()));
    // FATAL ends the session whatever its SQLSTATE (a recovery conflict
    // on a standby is 40001, idle_session_timeout 57P05).
    const char* severity = PQresultErrorField(error.raw(), PG_DIAG_SEVERITY_NONLOCALIZED);
    const bool fatal = severity && (std::strcmp(severity, "FATAL") == 0 || std::strcmp(severity, "PANIC") == 0);
    if (PQstatus(m_conn.get()) != CONNECTION_OK || fatal || isConnectionLoss(sqlstate)) {
        m_broken = true;
        throw ConnectionError(m_node, m_node + ": connection lost (" + sqlstate + "): " + message);
    }
    throw SqlError(sqlstate, m_node + ": " + message + (sqlstate.empty() ? "" : " (SQLSTATE " + sqlstate + ")"));
}

bool PgConnection::cancel()
{
    std::lock_guard lock(m_cancelMutex);
    if (!m_cancel)
        return false;
    char buffer[256] = {};
    const bool ok = PQcancel(m_cancel.get(), buffer, sizeof buffer) == 1;
    if (!ok)
        logger("pg")->warn("{}: cancel request failed: {}", m_node, buffer);
    return ok;
}

bool PgConnection::checkAlive()
{
    if (isBroken())
        return false;
    // Two rounds: a terminated backend sends FATAL and then closes; both may
    // need reading before libpq marks the connection bad.
    for (int round = 0; round < 2; ++round) {
        pollfd pfd{PQsocket(m_conn.get()), POLLIN, 0};
        if (pfd.fd < 0)
            return false;
        const int ready = ::poll(&pfd, 1, 0);
        if (ready == 0)
            return !isBroken();
        if (ready < 0)
            return errno == EINTR && !isBroken();
        if (!PQconsumeInput(m_conn.get()) || PQstatus(m_conn.get()) != CONNECTION_OK) {
            m_broken = true;
            return false;
        }
        // Drain notifications so they don't pile up on a pooled connection.
        while (PGnotify* notify = PQnotifies(m_conn.get()))
            PQfreemem(notify);
    }
    return !isBroken();
}

bool PgConnection::ping(std::chrono::milliseconds deadline)
{
    // Its own short deadline: the one a previous session left (30 min for
    // ETL, or none) must not turn a checkout into a hang on a frozen server.
    const auto saved = m_deadline;
    m_deadline = deadline;
    try {
        exec("SELECT 1");
        m_deadline = saved;
        return true;
    } catch (const Error&) {
        m_deadline = saved;
        m_broken = true;
        return false;
    }
}

}  // namespace pulse

#pragma once
// One libpq connection, owned (PQfinish on destruction), move-free and
// non-copyable: pools hold it through std::unique_ptr.
//
// Thread contract: a PgConnection is used by one thread at a time (the pool
// lease holder). cancel() is the one call that may come from another thread
// while exec() runs.
//
// Every exec() is bounded by a client-side deadline (statement_timeout plus a
// grace period, set by the session profile): a frozen server, whose kernel
// still acknowledges TCP so keepalives never fire, must not hang a caller.
// When the deadline passes (enforced by the DeadlineWatchdog, within its
// tick) the connection is abandoned, never reused.

#include "pg/ConnectionParams.hpp"
#include "pg/DeadlineWatchdog.hpp"
#include "pg/PgResult.hpp"

#include <libpq-fe.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pulse {

using SqlParams = std::vector<std::optional<std::string>>;

class PgConnection {
public:
    using Clock = std::chrono::steady_clock;

    // Connects (blocking, bounded by connect_timeout). Throws ConnectionError
    // with libpq's message and the masked connection string.
    static std::unique_ptr<PgConnection> open(const ConnectionParams& params);
    ~PgConnection();
    PgConnection(const PgConnection&) = delete;
    PgConnection& operator=(const PgConnection&) = delete;

    // Parameterised execution only ($1, $2, ...; NULL as std::nullopt).
    // Throws SqlError (server error, with SQLSTATE), ConnectionError (the
    // connection broke; it is then marked broken) or QueryTimeoutError.
    PgResult exec(std::string_view sql, const SqlParams& params = {});
    // Simple-query protocol: several statements separated by ';', no
    // parameters, one round trip. Only for SQL the program wrote itself
    // (migrations, bookkeeping built from numbers); returns the last result.
    // An error in any statement throws as exec() does.
    PgResult execScript(std::string_view sql);
    // As execScript(), but every statement's result, in order: a script whose
    // middle statement returns rows (UPDATE ... RETURNING before a COMMIT)
    // still costs one round trip.
    std::vector<PgResult> execScriptResults(std::string_view sql);

    // Client-side bound of each exec(); zero means none.
    void setDeadline(std::chrono::milliseconds deadline) { m_deadline = deadline; }
    std::chrono::milliseconds deadline() const { return m_deadline; }

    // Asks the server to cancel the running statement (thread-safe). The
    // statement then fails with SqlError 57014. Returns false when the
    // request could not be delivered.
    bool cancel();

    // Cheap liveness check without a round trip: a terminated backend or a
    // restarted server has sent FATAL/EOF, which makes the socket readable.
    bool checkAlive();
    // Round-trip check (pool_pre_ping), bounded by its own deadline.
    bool ping(std::chrono::milliseconds deadline = std::chrono::milliseconds(3000));

    bool isBroken() const;
    void markBroken() { m_broken = true; }
    PGTransactionStatusType transactionStatus() const { return PQtransactionStatus(m_conn.get()); }
    bool inTransaction() const;

    const std::string& node() const { return m_node; }
    int backendPid() const { return PQbackendPID(m_conn.get()); }
    int serverVersion() const { return PQserverVersion(m_conn.get()); }
    // "on" on a hot standby (reported by PostgreSQL 14+ on every change).
    std::string parameterStatus(const char* name) const;
    Clock::time_point createdAt() const { return m_createdAt; }

    // Session state cache so a profile (statement_timeout, application_name)
    // costs a round trip only when it changes on this connection.
    const std::string& appliedProfile() const { return m_appliedProfile; }
    void setAppliedProfile(std::string profile) { m_appliedProfile = std::move(profile); }

    PGconn* raw() const { return m_conn.get(); }

private:
    // COPY FROM STDIN shares the deadline, the watchdog slot and the error
    // mapping of exec(); it lives in its own class (CopyIn).
    friend class CopyIn;

    // What one exchange returned: the last result (or, when asked for, every
    // result in `all` instead), and whether it stopped because the server
    // waits for COPY data.
    struct Collected {
        PgResult last;
        std::vector<PgResult> all;
        bool copyIn = false;
    };

    PgConnection(PGconn* conn, std::string node);
    static void onNotice(void* self, const PGresult* result);
    void waitReadable();
    PgResult collectResults();  // reads every result of the statement just sent
    // The general form: keeps every result when `keepAll`; with `allowCopyIn`
    // a COPY FROM STDIN ends the reading (copyIn set) instead of failing.
    Collected collect(bool keepAll, bool allowCopyIn);
    // Arms the watchdog for `m_deadline` from now (INT64_MAX without one).
    void armDeadline();
    void disarmDeadline();
    // Throws the SqlError / ConnectionError an error result stands for.
    [[noreturn]] void throwResultError(const PgResult& error);
    [[noreturn]] void throwDeadlinePassed();
    [[noreturn]] void throwBroken(const std::string& what);

    std::unique_ptr<PGconn, decltype(&PQfinish)> m_conn;
    std::unique_ptr<PGcancel, decltype(&PQfreeCancel)> m_cancel;
    std::mutex m_cancelMutex;
    std::string m_node;
    std::chrono::milliseconds m_deadline{0};
    Clock::time_point m_createdAt;
    std::atomic<bool> m_broken{false};
    std::shared_ptr<DeadlineWatchdog::Slot> m_watch;
    std::string m_appliedProfile;
};

}  // namespace pulse

#pragma once
// COPY ... FROM STDIN on a PgConnection, bounded and mapped like exec():
// the client-side deadline (DeadlineWatchdog) covers the whole COPY and is
// renewed by every write, so a COPY that makes progress may run as long as it
// needs while a frozen server (writes blocked, no answer) ends it with
// QueryTimeoutError; server errors arrive as SqlError with their SQLSTATE,
// a lost connection as ConnectionError.
//
// start() takes a simple-query script; the statements before its first COPY
// run in the same round trip. With finishAndContinue() the script may hold
// several COPY statements with SQL between them (COMMIT; BEGIN; ...): the
// server goes from one to the next without waiting for the client, which is
// what makes small chunks cheap.
//
// Thread contract: like its PgConnection, one thread at a time.

#include "pg/PgConnection.hpp"

#include <string_view>
#include <vector>

namespace pulse {

class CopyIn {
public:
    explicit CopyIn(PgConnection& connection) : m_connection(connection) {}
    // An unfinished COPY is aborted (the server discards its rows); never throws.
    ~CopyIn();
    CopyIn(const CopyIn&) = delete;
    CopyIn& operator=(const CopyIn&) = delete;

    // Sends `script` (simple-query protocol; only SQL the program wrote) and
    // returns the results of the statements before the COPY, in order, once
    // the server waits for data. Throws as exec() does, and pulse::Error when
    // the script does not end in COPY ... FROM STDIN.
    std::vector<PgResult> start(std::string_view script);
    // Sends COPY text (whole rows, see CopyText). The server may report a bad
    // row only at finish().
    void write(std::string_view data);
    // Sends the end of the data without waiting for the server: the caller
    // can prepare its next rows while the server inserts the last ones.
    void endData();
    // Ends the data (if endData() did not) and waits for the server; returns
    // the number of rows it copied. Throws SqlError for a rejected row
    // (23505 for a duplicate key, ...).
    long long finish();
    // For a script holding several COPY statements (each followed by more
    // SQL): ends the current COPY's data (if endData() did not) and reads
    // the results that follow it, the COPY's own first, up to the next COPY
    // FROM STDIN (active() again: write its rows) or the end of the script
    // (active() false). No message goes to the server in between: one COPY
    // to the next costs one round trip. Throws as finish() does.
    std::vector<PgResult> finishAndContinue();
    // Ends the COPY with an error so the server discards every row of it
    // (inside an explicit transaction the transaction is then aborted: roll
    // it back). After endData() the rows can no longer be refused: abort()
    // then only reads the result, and only the caller's ROLLBACK discards
    // them. Throws only when the connection is lost meanwhile.
    void abort(std::string_view reason);

    bool active() const { return m_active; }

private:
    // Ends this COPY's data (once) and leaves the COPY state; throws without one.
    void closeData();
    [[noreturn]] void failWrite(const char* what);

    PgConnection& m_connection;
    bool m_active = false;
    bool m_ended = false;  // endData() sent, result not read yet
};

}  // namespace pulse

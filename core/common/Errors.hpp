#pragma once
// The error hierarchy of pulse_core, organised by meaning. The CLI maps each
// kind to a documented exit code (see ExitCodes.hpp); the UI to a status line.
// Messages never contain a password: connection strings are masked before
// they reach an exception.

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

namespace pulse {

class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// One problem found while loading settings: which key, what value, what was
// expected, where it came from ("file:line", "environment", "command line").
struct ConfigIssue {
    std::string key;
    std::string value;     // already masked for secrets
    std::string expected;  // "an integer from 0 to 1000", ...
    std::string location;  // ".env:12", "environment", "--set"
    std::string message;   // the whole sentence, ready to print
};

// Invalid configuration; carries every issue found, not only the first.
class ConfigError : public Error {
public:
    explicit ConfigError(std::vector<ConfigIssue> issues);
    const std::vector<ConfigIssue>& issues() const noexcept { return m_issues; }

private:
    std::vector<ConfigIssue> m_issues;
};

// Could not connect, or the connection broke (refused, reset, timed out,
// backend terminated). `node` names the pool/node ("primary", "replica").
class ConnectionError : public Error {
public:
    ConnectionError(std::string node, const std::string& message)
        : Error(message), m_node(std::move(node)) {}
    const std::string& node() const noexcept { return m_node; }

private:
    std::string m_node;
};

// The server did not answer within the client-side deadline; the connection
// is abandoned (a frozen server must never hang a caller).
class QueryTimeoutError : public ConnectionError {
public:
    using ConnectionError::ConnectionError;
};

// The server answered with an error. Carries SQLSTATE (e.g. "57014" for a
// statement_timeout cancel, "40001" for a serialization failure).
class SqlError : public Error {
public:
    SqlError(std::string sqlstate, const std::string& message)
        : Error(message), m_sqlstate(std::move(sqlstate)) {}
    const std::string& sqlstate() const noexcept { return m_sqlstate; }
    // Class 57 "operator intervention" includes query_canceled (57014).
    bool isCancel() const noexcept { return m_sqlstate == "57014"; }

private:
    std::string m_sqlstate;
};

// A caller waited pool_timeout for a connection and none came free.
class PoolTimeoutError : public Error {
public:
    PoolTimeoutError(std::string pool, const std::string& message)
        : Error(message), m_pool(std::move(pool)) {}
    const std::string& pool() const noexcept { return m_pool; }

private:
    std::string m_pool;
};

// A replica-eligible read could not be served by a replica and
// REPLICA_FALLBACK_ENABLED is off, so it was not sent to the primary either.
class ReplicaUnavailableError : public Error {
public:
    using Error::Error;
};

// A job was asked for with parameters that cannot work (chunk size 0, a
// negative row count, an unknown table, a throttle of 0). Raised before
// anything is written; the message names the parameter and what it accepts.
class InvalidParameterError : public Error {
public:
    using Error::Error;
};

// Sandbox (local primary + replica) could not be created or controlled.
class SandboxError : public Error {
public:
    using Error::Error;
};

// A node action (stop, kill, promote, pause_replay, ...) was refused or
// failed. what() is "<action> on the <node>: <reason>" followed by
// "\nFix: <fix>" when a fix is known; the parts stay available for a journal.
class NodeActionError : public Error {
public:
    NodeActionError(std::string node, std::string action, std::string reason, std::string fix);
    const std::string& node() const noexcept { return m_node; }
    const std::string& action() const noexcept { return m_action; }  // "stop", "pause_replay", ...
    const std::string& reason() const noexcept { return m_reason; }
    const std::string& fix() const noexcept { return m_fix; }

private:
    std::string m_node;
    std::string m_action;
    std::string m_reason;
    std::string m_fix;
};

}  // namespace pulse

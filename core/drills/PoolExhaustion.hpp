#pragma once
// The pool-exhaustion drill's action: ask a pool for more sessions at once
// than pool_size + max_overflow allows. Granted sessions are held until
// every request has an answer (granted, or PoolTimeoutError after
// pool_timeout) and at least `hold`, so the excess requests really time out
// rather than slipping into a connection returned early.
//
// Bounded: a request waits at most the pool's pool_timeout; a stop request
// lets the held sessions go at once.

#include <chrono>
#include <stop_token>
#include <string>

namespace pulse {

class ConnectionPool;

struct PoolExhaustionResult {
    int asked = 0;
    int granted = 0;
    int timedOut = 0;         // PoolTimeoutError
    int failed = 0;           // any other error (cannot connect)
    std::string timeoutMessage;  // the pool's own message, as an application sees it
    std::string failureMessage;
    double heldSeconds = 0;
};

PoolExhaustionResult exhaustPool(ConnectionPool& pool, int sessions, std::chrono::milliseconds hold,
                                 std::stop_token stop);

}  // namespace pulse

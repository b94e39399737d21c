#pragma once
// Configuration of one ConnectionPool, in SQLAlchemy QueuePool terms.

#include "pg/ConnectionParams.hpp"

#include <chrono>
#include <string>

namespace pulse {

struct PoolConfig {
    std::string name = "primary";        // "primary", "replica": shown in stats and errors
    // How to open a connection to the node. The pool keeps its own copy,
    // which ConnectionPool::retarget() may replace: read it back with
    // ConnectionPool::params(), never from a PoolConfig kept aside.
    ConnectionParams params;
    int size = 5;                        // pool_size: connections kept open once created
    int maxOverflow = 10;                // max_overflow: extra connections, closed on return
    std::chrono::milliseconds timeout{30'000};  // pool_timeout: longest wait at checkout
    std::chrono::seconds recycle{3600};  // pool_recycle: older connections replaced at checkout; <= 0: never
    bool prePing = false;                // pool_pre_ping: a round trip at every checkout
    // Settings that size this pool, named in the timeout error so the user
    // knows what to raise ("DB_POOL_SIZE / DB_MAX_OVERFLOW").
    std::string sizingHint;
};

}  // namespace pulse

#pragma once
// A snapshot of one pool's state, copied under the pool lock: safe to hand to
// another thread (UI, CLI, metrics) and to keep.

#include "metrics/LatencyHistogram.hpp"

#include <cstdint>
#include <string>

namespace pulse {

struct PoolStats {
    std::string name;
    int size = 0;           // configured pool_size
    int maxOverflow = 0;    // configured max_overflow
    int open = 0;           // connections open now (idle + checked out + being opened)
    int idle = 0;           // open and waiting in the pool
    int checkedOut = 0;     // leased to callers
    int overflowInUse = 0;  // open connections beyond pool_size
    int waiters = 0;        // callers blocked waiting for a connection
    double utilisationPercent = 0;  // checkedOut / (size + maxOverflow)

    std::uint64_t checkouts = 0;
    std::uint64_t timeouts = 0;          // pool_timeout reached
    std::uint64_t connectionErrors = 0;  // failed connects
    std::uint64_t created = 0;           // connections opened
    std::uint64_t recycled = 0;          // replaced at checkout for age (pool_recycle)
    std::uint64_t discarded = 0;         // broken, or returned mid-transaction and not recoverable
    std::uint64_t overflowClosed = 0;    // overflow connections closed on return
    LatencyHistogram::Snapshot acquireWait;

    int capacity() const { return size + maxOverflow; }
    // SQLAlchemy's QueuePool.status() line, which users already read.
    std::string statusLine() const;
};

}  // namespace pulse

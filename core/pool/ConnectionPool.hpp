#pragma once
// One pool per node with SQLAlchemy QueuePool semantics:
//  - connections are opened on demand; up to pool_size stay open once created;
//  - under load up to max_overflow more are opened, and closed when returned;
//  - a caller waits at most pool_timeout, then gets PoolTimeoutError saying
//    which pool, how many are in use and how long it waited;
//  - pool_recycle: a connection older than that is replaced at checkout;
//  - a broken connection (server restarted, backend terminated) is detected
//    at checkout without a round trip and never handed out again.
// Connections are opened outside the lock, so a slow connect never blocks
// callers that could be served from the idle stack.
//
// Thread contract: every public method is thread-safe. Create pools with
// create(): leases keep the pool alive through a shared_ptr.

#include "pool/PoolConfig.hpp"
#include "pool/PoolLease.hpp"
#include "pool/PoolStats.hpp"

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

namespace pulse {

class ConnectionPool : public std::enable_shared_from_this<ConnectionPool> {
public:
    static std::shared_ptr<ConnectionPool> create(PoolConfig config);
    ~ConnectionPool();

    // Checks out a connection, waiting at most pool_timeout (or `timeout`).
    // Throws PoolTimeoutError, or ConnectionError when a needed new
    // connection cannot be opened.
    PoolLease acquire();
    PoolLease acquire(std::chrono::milliseconds timeout);

    // Opens connections until `count` are idle (at most pool_size), so the
    // hot path never connects once warm. Returns how many were opened.
    int prefill(int count);

    // Closes idle connections and marks every open one stale: checked-out
    // connections are closed when returned (after a failover, say).
    void dispose();

    PoolStats stats() const;
    int checkedOut() const;  // cheaper than stats(): spreading reads over replicas asks it per session
    const PoolConfig& config() const { return m_config; }
    const std::string& name() const { return m_config.name; }

private:
    friend class PoolLease;
    using Clock = std::chrono::steady_clock;
    struct Idle {
        std::unique_ptr<PgConnection> connection;
        std::uint64_t generation;
        const void* lastUser = nullptr;  // the thread that returned it (threadToken())
    };

    explicit ConnectionPool(PoolConfig config);
    std::unique_ptr<PgConnection> openConnection();
    // Opens a connection for a slot the caller reserved under the lock
    // (m_open, plus m_checkedOut when `checkedOut`); on failure the slot is
    // given back and the error propagates.
    std::unique_ptr<PgConnection> openReserved(bool checkedOut);
    bool isFresh(const PgConnection& connection) const;
    // The idle entry to hand to the calling thread: the one it returned last
    // if it is still idle, else the warmest. Called under the lock.
    size_t pickIdle() const;
    static const void* threadToken();
    void giveBack(std::unique_ptr<PgConnection> connection, std::uint64_t generation, bool forceDiscard) noexcept;
    [[noreturn]] void throwTimeout(Clock::duration waited, std::chrono::milliseconds timeout, int waiters);

    const PoolConfig m_config;
    mutable std::mutex m_mutex;
    std::condition_variable m_available;
    std::vector<Idle> m_idle;  // LIFO, with thread affinity first (pickIdle)
    int m_open = 0;            // idle + checked out + reserved for opening
    int m_checkedOut = 0;
    int m_waiters = 0;
    std::uint64_t m_generation = 1;
    std::atomic<std::uint64_t> m_checkouts{0};  // counted outside the lock: the hot path locks once
    std::uint64_t m_timeouts = 0, m_connectionErrors = 0, m_created = 0, m_recycled = 0,
                  m_discarded = 0, m_overflowClosed = 0;
    LatencyHistogram m_acquireWait;
};

}  // namespace pulse

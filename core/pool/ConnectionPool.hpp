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
// create(): leases keep the pool alive through a shared_ptr. Everything in
// PoolConfig is fixed at create() except the connection parameters, which
// retarget() may replace while leases are out: they live apart, under the
// pool's mutex, and are read only when a connection is opened, so the
// checkout path never touches them.

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
    // Points the pool at another server (Engine::repoint after a failover):
    // every connection opened from now on uses `params`, and the open ones
    // are disposed of as by dispose() in the same step, so none opened with
    // the old parameters is ever handed out again. A connect already under
    // way finishes against the old server; its lease is closed on return.
    void retarget(ConnectionParams params);

    PoolStats stats() const;
    int checkedOut() const;  // cheaper than stats(): spreading reads over replicas asks it per session
    // The configuration as it is now (params as last retargeted): a copy,
    // because retarget() may replace the parameters at any time.
    PoolConfig config() const;
    ConnectionParams params() const;  // the parameters new connections use now
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
    // Opens a connection with the parameters current at the moment it starts.
    // Callers take the generation their connection is tagged with before
    // calling, and retarget() swaps the parameters and bumps the generation
    // in one step: a connection tagged with the current generation was thus
    // always opened with the current parameters (the reverse, new parameters
    // under an old generation, only costs a connection closed on return).
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
    // Empties the idle stack and bumps the generation (dispose, retarget);
    // m_mutex held. The caller closes what it gets back outside the lock.
    std::vector<Idle> disposeLocked();
    void giveBack(std::unique_ptr<PgConnection> connection, std::uint64_t generation, bool forceDiscard) noexcept;
    [[noreturn]] void throwTimeout(Clock::duration waited, std::chrono::milliseconds timeout, int waiters);

    // Immutable, so the hot path reads it without the lock. Its `params` is
    // left empty: the only copy is m_params, which retarget() replaces.
    const PoolConfig m_config;
    mutable std::mutex m_mutex;
    // Guarded by m_mutex. Shared and immutable, so a connect copies a pointer
    // under the lock and builds its libpq arrays outside it.
    std::shared_ptr<const ConnectionParams> m_params;
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

#include "pool/ConnectionPool.hpp"

#include "common/Errors.hpp"
#include "common/Logging.hpp"

#include <fmt/format.h>

#include <utility>

namespace pulse {
namespace {
// ROLLBACK of a connection returned mid-transaction: a bounded wait, so a
// frozen server cannot block the thread that drops a lease.
constexpr std::chrono::milliseconds kRollbackDeadline{3000};
// pool_pre_ping's round trip: a frozen server must not hold a checkout.
constexpr std::chrono::milliseconds kPingDeadline{2000};

PoolConfig withoutParams(PoolConfig config)
{
    config.params = ConnectionParams{};
    return config;
}

std::string endpointOf(const ConnectionParams& params)
{
    return params.hostName() + ':' + std::to_string(params.portNumber());
}
}  // namespace

std::shared_ptr<ConnectionPool> ConnectionPool::create(PoolConfig config)
{
    if (config.size < 1)
        throw Error("pool '" + config.name + "': pool_size must be at least 1");
    if (config.maxOverflow < 0)
        throw Error("pool '" + config.name + "': max_overflow must not be negative");
    return std::shared_ptr<ConnectionPool>(new ConnectionPool(std::move(config)));
}

ConnectionPool::ConnectionPool(PoolConfig config)
    : m_config(withoutParams(config))
    , m_params(std::make_shared<const ConnectionParams>(std::move(config.params)))
{
    m_idle.reserve(static_cast<size_t>(m_config.size));
}

ConnectionPool::~ConnectionPool() = default;

std::unique_ptr<PgConnection> ConnectionPool::openConnection()
{
    std::shared_ptr<const ConnectionParams> params;
    {
        std::lock_guard lock(m_mutex);
        params = m_params;
    }
    // The connect itself (a network round trip or several) runs unlocked.
    auto connection = PgConnection::open(*params);
    logger("pool")->debug("{}: opened connection (backend pid {})", m_config.name, connection->backendPid());
    return connection;
}

PoolConfig ConnectionPool::config() const
{
    PoolConfig config = m_config;
    config.params = params();
    return config;
}

ConnectionParams ConnectionPool::params() const
{
    std::shared_ptr<const ConnectionParams> params;
    {
        std::lock_guard lock(m_mutex);
        params = m_params;
    }
    return *params;
}

std::unique_ptr<PgConnection> ConnectionPool::openReserved(bool checkedOut)
{
    try {
        auto connection = openConnection();
        std::lock_guard lock(m_mutex);
        ++m_created;
        return connection;
    } catch (...) {  // whatever failed, the reserved slot must come back
        {
            std::lock_guard lock(m_mutex);
            --m_open;
            if (checkedOut)
                --m_checkedOut;
            ++m_connectionErrors;
        }
        m_available.notify_one();  // the slot is free again: a waiter may try
        throw;
    }
}

bool ConnectionPool::isFresh(const PgConnection& connection) const
{
    return m_config.recycle.count() <= 0 || Clock::now() - connection.createdAt() < m_config.recycle;
}

const void* ConnectionPool::threadToken()
{
    thread_local const char token = 0;
    return &token;
}

size_t ConnectionPool::pickIdle() const
{
    // A thread that gets back the connection it used last keeps talking to
    // the same backend, so the scheduler keeps client and backend on
    // neighbouring CPUs and the connection's buffers stay in that core's
    // cache (HikariCP's thread-local list does the same). With 8 threads on
    // 2 cores, shuffled pairings cost about 3 us of CPU per query.
    const void* me = threadToken();
    for (size_t i = m_idle.size(); i-- > 0;)
        if (m_idle[i].lastUser == me)
            return i;
    return m_idle.size() - 1;
}

int ConnectionPool::checkedOut() const
{
    std::lock_guard lock(m_mutex);
    return m_checkedOut;
}

PoolLease ConnectionPool::acquire()
{
    return acquire(m_config.timeout);
}

PoolLease ConnectionPool::acquire(std::chrono::milliseconds timeout)
{
    const auto start = Clock::now();
    const auto deadline = start + timeout;
    std::unique_lock lock(m_mutex);
    for (;;) {
        if (!m_idle.empty()) {
            const size_t pick = pickIdle();
            Idle entry = std::move(m_idle[pick]);
            m_idle.erase(m_idle.begin() + static_cast<std::ptrdiff_t>(pick));
            ++m_checkedOut;
            const std::uint64_t generation = m_generation;
            lock.unlock();

            // Validation happens outside the lock: it may cost a round trip
            // (pre-ping) or a reconnect (recycle).
            std::unique_ptr<PgConnection> connection = std::move(entry.connection);
            bool usable = entry.generation == generation && connection->checkAlive() &&
                          (!m_config.prePing || connection->ping(kPingDeadline));
            if (usable && !isFresh(*connection)) {
                connection = openReserved(true);  // the old one closes here
                std::lock_guard counted(m_mutex);
                ++m_recycled;
            }
            if (usable) {
                m_checkouts.fetch_add(1, std::memory_order_relaxed);
                m_acquireWait.record(Clock::now() - start);
                return PoolLease(shared_from_this(), std::move(connection), generation);
            }
            // Dead (backend terminated, server restarted) or stale: never
            // hand it out; free its slot and try again.
            logger("pool")->info("{}: discarded a broken connection at checkout", m_config.name);
            connection.reset();
            lock.lock();
            --m_checkedOut;
            --m_open;
            ++m_discarded;
            continue;
        }
        if (m_open < m_config.size + m_config.maxOverflow) {
            ++m_open;  // reserve the slot, then connect without holding the lock
            ++m_checkedOut;
            const std::uint64_t generation = m_generation;
            lock.unlock();
            auto connection = openReserved(true);
            m_checkouts.fetch_add(1, std::memory_order_relaxed);
            m_acquireWait.record(Clock::now() - start);
            return PoolLease(shared_from_this(), std::move(connection), generation);
        }
        ++m_waiters;
        const bool signalled = m_available.wait_until(lock, deadline) == std::cv_status::no_timeout;
        --m_waiters;
        if (!signalled && m_idle.empty() && m_open >= m_config.size + m_config.maxOverflow) {
            ++m_timeouts;
            const int otherWaiters = m_waiters;
            lock.unlock();
            throwTimeout(Clock::now() - start, timeout, otherWaiters);
        }
    }
}

void ConnectionPool::throwTimeout(Clock::duration waited, std::chrono::milliseconds timeout, int waiters)
{
    const double waitedSeconds = std::chrono::duration<double>(waited).count();
    std::string message = fmt::format(
        "pool '{}' exhausted: all {} connections are checked out (pool_size {} + max_overflow {}); "
        "waited {:.2f} s (pool_timeout {:.2f} s), {} other caller(s) still waiting",
        m_config.name, m_config.size + m_config.maxOverflow, m_config.size, m_config.maxOverflow, waitedSeconds,
        std::chrono::duration<double>(timeout).count(), waiters);
    if (!m_config.sizingHint.empty())
        message += "; raise " + m_config.sizingHint + " or release leases sooner";
    logger("pool")->warn("{}", message);
    throw PoolTimeoutError(m_config.name, message);
}

int ConnectionPool::prefill(int count)
{
    int opened = 0;
    const int target = std::min(count, m_config.size);
    for (;;) {
        std::unique_lock lock(m_mutex);
        if (static_cast<int>(m_idle.size()) >= target || m_open >= m_config.size)
            return opened;
        ++m_open;
        const std::uint64_t generation = m_generation;
        lock.unlock();
        auto connection = openReserved(false);
        lock.lock();
        m_idle.push_back({std::move(connection), generation});
        ++opened;
        m_available.notify_one();
    }
}

void ConnectionPool::giveBack(std::unique_ptr<PgConnection> connection, std::uint64_t generation,
                              bool forceDiscard) noexcept
{
    bool discard = forceDiscard || connection->isBroken();
    if (!discard && connection->inTransaction()) {
        // PQTRANS_ACTIVE means a statement is still running: its state cannot
        // be trusted. Otherwise roll the open or failed transaction back.
        if (connection->transactionStatus() == PQTRANS_ACTIVE) {
            discard = true;
        } else {
            const auto saved = connection->deadline();
            try {
                connection->setDeadline(saved.count() > 0 ? std::min(saved, kRollbackDeadline) : kRollbackDeadline);
                connection->exec("ROLLBACK");
                connection->setDeadline(saved);
            } catch (const std::exception& e) {
                logger("pool")->info("{}: rollback on return failed, discarding: {}", m_config.name, e.what());
                discard = true;
            }
            discard = discard || connection->inTransaction();
        }
    }

    std::unique_ptr<PgConnection> toClose;
    {
        std::lock_guard lock(m_mutex);
        --m_checkedOut;
        if (discard || generation != m_generation) {
            --m_open;
            ++m_discarded;
            toClose = std::move(connection);
        } else if (static_cast<int>(m_idle.size()) >= m_config.size) {
            --m_open;  // an overflow connection: closed on return, as QueuePool does
            ++m_overflowClosed;
            toClose = std::move(connection);
        } else {
            m_idle.push_back({std::move(connection), generation, threadToken()});
        }
    }
    m_available.notify_one();
    // PQfinish sends Terminate: done outside the lock.
    toClose.reset();
}

std::vector<ConnectionPool::Idle> ConnectionPool::disposeLocked()
{
    std::vector<Idle> closing;
    ++m_generation;
    closing.swap(m_idle);
    m_idle.reserve(static_cast<size_t>(m_config.size));  // giveBack keeps never allocating
    m_open -= static_cast<int>(closing.size());
    m_discarded += closing.size();
    return closing;
}

void ConnectionPool::dispose()
{
    std::vector<Idle> closing;
    {
        std::lock_guard lock(m_mutex);
        closing = disposeLocked();
    }
    m_available.notify_all();  // slots freed: waiters may open new connections
    logger("pool")->info("{}: disposed {} idle connection(s)", m_config.name, closing.size());
    // The connections close here, outside the lock (PQfinish sends Terminate).
}

void ConnectionPool::retarget(ConnectionParams params)
{
    // Built before taking the lock: the critical section stays a pointer swap.
    auto next = std::make_shared<const ConnectionParams>(std::move(params));
    std::shared_ptr<const ConnectionParams> previous;
    std::vector<Idle> closing;
    {
        // One step: a connection tagged with the new generation can only have
        // been opened with the new parameters (see openConnection()).
        std::lock_guard lock(m_mutex);
        previous = std::exchange(m_params, next);
        closing = disposeLocked();
    }
    m_available.notify_all();
    logger("pool")->info("{}: retargeted from {} to {}; closed {} idle connection(s), checked-out ones close on return",
                         m_config.name, endpointOf(*previous), endpointOf(*next), closing.size());
}

PoolStats ConnectionPool::stats() const
{
    PoolStats s;
    {
        std::lock_guard lock(m_mutex);
        s.name = m_config.name;
        s.size = m_config.size;
        s.maxOverflow = m_config.maxOverflow;
        s.open = m_open;
        s.idle = static_cast<int>(m_idle.size());
        s.checkedOut = m_checkedOut;
        s.overflowInUse = std::max(0, m_open - m_config.size);
        s.waiters = m_waiters;
        s.timeouts = m_timeouts;
        s.connectionErrors = m_connectionErrors;
        s.created = m_created;
        s.recycled = m_recycled;
        s.discarded = m_discarded;
        s.overflowClosed = m_overflowClosed;
    }
    s.checkouts = m_checkouts.load(std::memory_order_relaxed);
    s.utilisationPercent = 100.0 * s.checkedOut / std::max(1, s.capacity());
    s.acquireWait = m_acquireWait.snapshot();
    return s;
}

}  // namespace pulse

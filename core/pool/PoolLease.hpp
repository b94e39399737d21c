#pragma once
// RAII lease of one pooled connection. Move-only. The destructor gives the
// connection back: rolled back if a transaction was left open or failed,
// discarded if broken, closed if it was an overflow connection.

#include "pg/PgConnection.hpp"

#include <chrono>
#include <cstdint>
#include <memory>

namespace pulse {

class ConnectionPool;

class PoolLease {
public:
    PoolLease() = default;
    PoolLease(PoolLease&& other) noexcept;
    PoolLease& operator=(PoolLease&& other) noexcept;
    PoolLease(const PoolLease&) = delete;
    PoolLease& operator=(const PoolLease&) = delete;
    ~PoolLease();

    PgConnection& connection() const { return *m_connection; }
    PgConnection* operator->() const { return m_connection.get(); }
    PgConnection& operator*() const { return *m_connection; }
    explicit operator bool() const { return m_connection != nullptr; }
    const std::string& poolName() const;

    // Gives the connection back now (what the destructor does).
    void release() noexcept;
    // Closes the connection instead of returning it (e.g. state unknown).
    void discard() noexcept;

private:
    friend class ConnectionPool;
    PoolLease(std::shared_ptr<ConnectionPool> pool, std::unique_ptr<PgConnection> connection, std::uint64_t generation);

    std::shared_ptr<ConnectionPool> m_pool;
    std::unique_ptr<PgConnection> m_connection;
    std::uint64_t m_generation = 0;
};

}  // namespace pulse

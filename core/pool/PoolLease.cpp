#include "pool/PoolLease.hpp"

#include "pool/ConnectionPool.hpp"

namespace pulse {

PoolLease::PoolLease(std::shared_ptr<ConnectionPool> pool, std::unique_ptr<PgConnection> connection,
                     std::uint64_t generation)
    : m_pool(std::move(pool)), m_connection(std::move(connection)), m_generation(generation)
{
}

PoolLease::PoolLease(PoolLease&& other) noexcept
    : m_pool(std::move(other.m_pool)), m_connection(std::move(other.m_connection)), m_generation(other.m_generation)
{
}

PoolLease& PoolLease::operator=(PoolLease&& other) noexcept
{
    if (this != &other) {
        release();
        m_pool = std::move(other.m_pool);
        m_connection = std::move(other.m_connection);
        m_generation = other.m_generation;
    }
    return *this;
}

PoolLease::~PoolLease()
{
    release();
}

const std::string& PoolLease::poolName() const
{
    return m_pool->name();
}

void PoolLease::release() noexcept
{
    if (m_pool && m_connection)
        m_pool->giveBack(std::move(m_connection), m_generation, false);
    m_pool.reset();
}

void PoolLease::discard() noexcept
{
    if (m_pool && m_connection)
        m_pool->giveBack(std::move(m_connection), m_generation, true);
    m_pool.reset();
}

}  // namespace pulse

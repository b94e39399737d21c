#include "routing/Session.hpp"

#include "common/Errors.hpp"
#include "routing/Router.hpp"

namespace pulse {

Session::Session(Router& router, PoolLease lease, const SessionProfile& profile,
                 std::shared_ptr<const RoutingDecision> decision, FlagValues flags, bool retryable)
    : m_router(&router)
    , m_lease(std::move(lease))
    , m_profile(&profile)
    , m_decision(std::move(decision))
    , m_flags(flags)
    , m_retryable(retryable)
{
}

PgResult Session::exec(std::string_view sql, const SqlParams& params)
{
    try {
        return m_lease->exec(sql, params);
    } catch (const ConnectionError& e) {
        if (!m_retryable || m_inTransaction || m_decision->target != Target::Replica)
            throw;
        // The replica broke under an idempotent read: give the dead connection
        // back (it is discarded) and run the same statement on the primary.
        const std::string failure = e.what();
        m_retryable = false;
        // The new lease first: if the fallback fails too, this session still
        // holds a (broken) connection and reports errors instead of crashing.
        PoolLease primary = m_router->failOverToPrimary(*this, failure);
        m_lease.discard();
        m_lease = std::move(primary);
        return m_lease->exec(sql, params);
    }
}

void Session::begin()
{
    exec("BEGIN");
    m_inTransaction = true;
}

void Session::commit()
{
    m_inTransaction = false;
    m_lease->exec("COMMIT");
}

void Session::rollback()
{
    m_inTransaction = false;
    m_lease->exec("ROLLBACK");
}

}  // namespace pulse

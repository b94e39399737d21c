#include "routing/Session.hpp"

#include "common/Errors.hpp"
#include "routing/Router.hpp"

namespace pulse {

Session::Session(Router& router, PoolLease lease, const SessionProfile& profile,
                 std::shared_ptr<const RoutingDecision> decision, FlagValues flags, bool retryable,
                 QueryCell* metrics)
    : m_router(&router)
    , m_lease(std::move(lease))
    , m_profile(&profile)
    , m_decision(std::move(decision))
    , m_flags(flags)
    , m_retryable(retryable)
    , m_metrics(metrics)
{
}

PgResult Session::run(std::string_view sql, const SqlParams& params)
{
    if (!m_metrics)
        return m_lease->exec(sql, params);
    const auto start = std::chrono::steady_clock::now();
    try {
        auto result = m_lease->exec(sql, params);
        QueryMetrics::record(*m_metrics, std::chrono::steady_clock::now() - start, QueryOutcome::Ok);
        return result;
    } catch (const QueryTimeoutError&) {
        QueryMetrics::record(*m_metrics, std::chrono::steady_clock::now() - start, QueryOutcome::Timeout);
        throw;
    } catch (const SqlError& e) {
        // 57014: statement_timeout (or a cancel, which the caller asked for).
        QueryMetrics::record(*m_metrics, std::chrono::steady_clock::now() - start,
                             e.isCancel() ? QueryOutcome::Timeout : QueryOutcome::Error);
        throw;
    } catch (const std::exception&) {
        QueryMetrics::record(*m_metrics, std::chrono::steady_clock::now() - start, QueryOutcome::Error);
        throw;
    }
}

PgResult Session::exec(std::string_view sql, const SqlParams& params)
{
    try {
        return run(sql, params);
    } catch (const ConnectionError& e) {  // QueryTimeoutError included: the node stopped answering
        if (!m_retryable || m_inTransaction || m_decision->target != Target::Replica) {
            m_router->noteFailure(m_decision->node, "query", e.what());
            throw;
        }
        // The replica broke under an idempotent read: give the dead connection
        // back (it is discarded) and run the same statement on the primary.
        const std::string failure = e.what();
        m_retryable = false;
        // The new lease first: if the fallback fails too, this session still
        // holds a (broken) connection and reports errors instead of crashing.
        PoolLease primary = m_router->failOverToPrimary(*this, failure);
        m_lease.discard();
        m_lease = std::move(primary);
        return run(sql, params);
    }
}

ConsistencyToken Session::consistencyToken()
{
    if (m_decision->target != Target::Primary)
        throw Error("consistencyToken(): only a session on the primary has written anything to wait for");
    if (m_inTransaction)
        throw Error("consistencyToken(): commit first; an open transaction's writes are not visible anywhere else");
    // The insert position: with synchronous_commit off the commit record may
    // not be written yet, and the write position could be short of it.
    auto result = m_lease->exec("SELECT pg_current_wal_insert_lsn() - '0/0'::pg_lsn");
    return ConsistencyToken{std::stoull(result.text(0, 0))};
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

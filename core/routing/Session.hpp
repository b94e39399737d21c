#pragma once
// A routed database session: one pooled connection on the target the Router
// chose, set up with the profile's statement_timeout and application_name.
// Move-only; the destructor returns the connection (rolling back an open
// transaction).
//
// A replica-eligible session outside an explicit transaction is retried on
// the primary when its replica connection breaks mid-query and
// REPLICA_FALLBACK_ENABLED is on: reads are idempotent, so a replica that
// goes away mid-run costs no failed read. The retry is recorded in the
// decision log.

#include "metrics/QueryMetrics.hpp"
#include "pg/PgConnection.hpp"
#include "routing/ConsistencyToken.hpp"
#include "pool/PoolLease.hpp"
#include "routing/FeatureFlags.hpp"
#include "routing/RoutingDecision.hpp"
#include "routing/SessionProfile.hpp"

namespace pulse {

class Router;

class Session {
public:
    Session(Session&&) noexcept = default;
    Session& operator=(Session&&) noexcept = default;
    ~Session() = default;

    // Throws SqlError, ConnectionError, QueryTimeoutError, or
    // ReplicaUnavailableError (replica broke and fallback is off).
    PgResult exec(std::string_view sql, const SqlParams& params = {});

    // Explicit transaction; no automatic retry inside one.
    void begin();
    void commit();
    void rollback();
    // Read-your-writes: the primary's WAL position now, after this session's
    // write committed (one round trip). Pass it to Router::readSession(token).
    // Throws pulse::Error on a replica session or inside an open transaction.
    ConsistencyToken consistencyToken();

    Target target() const { return m_decision->target; }
    const RoutingDecision& decision() const { return *m_decision; }
    const SessionProfile& profile() const { return *m_profile; }
    PgConnection& connection() const { return m_lease.connection(); }

private:
    friend class Router;
    Session(Router& router, PoolLease lease, const SessionProfile& profile, std::shared_ptr<const RoutingDecision> decision,
            FlagValues flags, bool retryable, QueryCell* metrics);
    PgResult run(std::string_view sql, const SqlParams& params);

    Router* m_router;
    PoolLease m_lease;
    const SessionProfile* m_profile;  // owned by the Router, which outlives its sessions
    std::shared_ptr<const RoutingDecision> m_decision;  // shared with the DecisionLog
    FlagValues m_flags;  // as read when the session opened: a change applies to the next session
    bool m_retryable;  // replica-eligible read: may move to the primary
    bool m_inTransaction = false;
    QueryCell* m_metrics;  // owned by the router's QueryMetrics; nullptr: not recorded
};

}  // namespace pulse

#pragma once
// Operation-based read/write routing over a primary pool and an optional
// replica pool, with the runtime flags USE_READ_REPLICA and
// REPLICA_FALLBACK_ENABLED and a bounded log of every decision.
//
// How a session is routed:
//   1. OperationClassifier: write / real-time -> primary; replica-eligible read -> 2.
//   2. USE_READ_REPLICA off or no replica configured -> primary.
//   3. Lease from the replica pool. Refused, not answering, or pool timed
//      out -> primary when REPLICA_FALLBACK_ENABLED, else ReplicaUnavailableError.
// Writes never reach a replica, whatever the flags.
//
// Thread contract: all methods are thread-safe; a Session is used by one
// thread at a time.

#include "pool/ConnectionPool.hpp"
#include "routing/DecisionLog.hpp"
#include "routing/FeatureFlags.hpp"
#include "routing/OperationClassifier.hpp"
#include "routing/Session.hpp"
#include "routing/SessionProfile.hpp"

#include <map>
#include <memory>
#include <optional>

namespace pulse {

struct RouterOptions {
    std::map<ProfileKind, SessionProfile> profiles;       // statement timeouts per profile
    std::chrono::milliseconds queryDeadlineGrace{5000};   // client deadline = statement_timeout + grace
    bool setApplicationName = true;  // false when the user set PGAPPNAME: theirs wins
    size_t decisionLogCapacity = 1000;

    static RouterOptions fromSettings(const Settings& settings);
};

class Router {
public:
    // The pure decision table, without touching a pool: what happens for an
    // operation class under the given flags. `replicaFailure` is the reason
    // the replica could not serve (empty optional: not tried yet / available).
    struct Plan {
        enum class Kind { Primary, Replica, Refuse } kind = Kind::Primary;
        RoutingDecision::Outcome outcome = RoutingDecision::Outcome::Routed;
        std::string reason;
    };
    static Plan plan(const OperationClass& operation, FlagValues flags, bool replicaConfigured,
                     const std::optional<std::string>& replicaFailure);

    Router(std::shared_ptr<ConnectionPool> primary, std::shared_ptr<ConnectionPool> replica, FlagValues flags,
           RouterOptions options);

    // A session for `operation` in `context`; the profile sets timeouts
    // (default: Read for replica-eligible operations, Write otherwise).
    Session session(std::string_view operation, std::string_view context = {});
    Session session(std::string_view operation, std::string_view context, ProfileKind profile);

    Session readSession(std::string_view operation = "dashboard_metrics", std::string_view context = "dashboard");
    Session writeSession(std::string_view operation = "UPDATE");
    Session etlSession();
    Session adminSession();
    Session userSession();
    Session analyticsSession();

    // Where a session would go right now and why, without leasing anything
    // and without recording it (pulsectl route).
    RoutingDecision preview(std::string_view operation, std::string_view context) const;

    FeatureFlags& flags() { return m_flags; }
    const FeatureFlags& flags() const { return m_flags; }
    DecisionLog& decisions() { return m_log; }
    const DecisionLog& decisions() const { return m_log; }
    const std::shared_ptr<ConnectionPool>& primaryPool() const { return m_primary; }
    const std::shared_ptr<ConnectionPool>& replicaPool() const { return m_replica; }
    const SessionProfile& profile(ProfileKind kind) const;

private:
    friend class Session;
    // The replica broke under a retryable session: record the fallback and
    // lease the primary instead (or throw ReplicaUnavailableError).
    PoolLease failOverToPrimary(Session& session, const std::string& failure);
    void applyProfile(PgConnection& connection, const SessionProfile& profile, Target target) const;
    RoutingDecision makeDecision(std::string_view operation, std::string_view context, const SessionProfile& profile,
                                 Plan plan, Target target) const;

    std::shared_ptr<ConnectionPool> m_primary;
    std::shared_ptr<ConnectionPool> m_replica;
    FeatureFlags m_flags;
    RouterOptions m_options;
    DecisionLog m_log;
};

}  // namespace pulse

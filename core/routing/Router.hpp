#pragma once
// Operation-based read/write routing over a primary pool and zero or more
// replica pools, with the runtime flags USE_READ_REPLICA and
// REPLICA_FALLBACK_ENABLED, the health board the monitor keeps, and a
// bounded log of every decision.
//
// How a session is routed:
//   1. OperationClassifier: write / real-time -> primary; replica-eligible read -> 2.
//   2. USE_READ_REPLICA off or no replica configured -> primary.
//   3. Candidates: replicas whose breaker is closed and whose lag gate admits
//      them (REPLICA_MAX_LAG_*; readmitted after REPLICA_READMIT_SECONDS).
//      Fewest leases first, then least lag.
//   4. A read carrying a consistency token needs a replica that has replayed
//      it: known from the monitor, or checked on the leased connection for up
//      to READ_YOUR_WRITES_WAIT_MS; otherwise it runs on the primary (always
//      correct, so this does not depend on REPLICA_FALLBACK_ENABLED).
//   5. Lease from the first candidate that gives one. None left (down,
//      lagging, refused, not answering, pool timed out) -> primary when
//      REPLICA_FALLBACK_ENABLED, else ReplicaUnavailableError.
// Writes never reach a replica, whatever the flags.
//
// Thread contract: all methods are thread-safe; a Session is used by one
// thread at a time.

#include "metrics/QueryMetrics.hpp"
#include "pool/ConnectionPool.hpp"
#include "routing/ConsistencyToken.hpp"
#include "routing/DecisionLog.hpp"
#include "routing/HealthBoard.hpp"
#include "routing/FeatureFlags.hpp"
#include "routing/OperationClassifier.hpp"
#include "routing/Session.hpp"
#include "routing/SessionProfile.hpp"

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <optional>

namespace pulse {

struct RouterOptions {
    std::map<ProfileKind, SessionProfile> profiles;       // statement timeouts per profile
    std::chrono::milliseconds queryDeadlineGrace{5000};   // client deadline = statement_timeout + grace
    bool setApplicationName = true;  // false when the user set PGAPPNAME: theirs wins
    size_t decisionLogCapacity = 1000;
    std::chrono::milliseconds readYourWritesWait{100};  // READ_YOUR_WRITES_WAIT_MS

    static RouterOptions fromSettings(const Settings& settings);
};

struct ReplicaRoute {
    std::string name;  // "replica", "replica2", ...
    std::shared_ptr<ConnectionPool> pool;
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

    // board: breakers and lag gates (nullptr: every replica is a candidate);
    // metrics: where sessions record their queries (nullptr: not recorded).
    Router(std::shared_ptr<ConnectionPool> primary, std::vector<ReplicaRoute> replicas, FlagValues flags,
           RouterOptions options, std::shared_ptr<HealthBoard> board = nullptr,
           std::shared_ptr<QueryMetrics> metrics = nullptr);

    // A session for `operation` in `context`; the profile sets timeouts
    // (default: Read for replica-eligible operations, Write otherwise).
    Session session(std::string_view operation, std::string_view context = {});
    Session session(std::string_view operation, std::string_view context, ProfileKind profile);

    Session readSession(std::string_view operation = "dashboard_metrics", std::string_view context = "dashboard");
    // A read that must see the write behind `token` (Session::consistencyToken()).
    Session readSession(const ConsistencyToken& token, std::string_view operation = "dashboard_metrics",
                        std::string_view context = "dashboard");
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
    // The first replica's pool (nullptr without replicas).
    const std::shared_ptr<ConnectionPool>& replicaPool() const;
    const std::vector<ReplicaRoute>& replicas() const { return m_replicas; }
    const std::shared_ptr<HealthBoard>& healthBoard() const { return m_board; }
    const std::shared_ptr<QueryMetrics>& metrics() const { return m_metrics; }
    const SessionProfile& profile(ProfileKind kind) const;

    // READ_YOUR_WRITES_WAIT_MS, changeable while sessions run (the console's
    // flags panel): a read already waiting keeps the deadline it started with.
    // Starts at RouterOptions::readYourWritesWait. No range check here (Engine
    // checks); a negative wait acts like 0.
    void setReadYourWritesWait(std::chrono::milliseconds wait)
    {
        m_readYourWritesWaitMs.store(wait.count(), std::memory_order_relaxed);
    }
    std::chrono::milliseconds readYourWritesWait() const
    {
        return std::chrono::milliseconds(m_readYourWritesWaitMs.load(std::memory_order_relaxed));
    }

private:
    friend class Session;
    // The replica broke under a retryable session: record the fallback and
    // lease the primary instead (or throw ReplicaUnavailableError).
    PoolLease failOverToPrimary(Session& session, const std::string& failure);
    Session open(std::string_view operation, std::string_view context, ProfileKind profileKind,
                 const ConsistencyToken* token);
    // Replicas that may serve now, best first; why the others may not.
    std::vector<const ReplicaRoute*> candidates(std::string* excluded) const;
    // Waits up to READ_YOUR_WRITES_WAIT_MS for the leased replica to replay
    // the token; returns why not when it did not.
    std::optional<std::string> awaitReplay(PgConnection& connection, const ReplicaRoute& replica,
                                           const ConsistencyToken& token) const;
    void noteFailure(const std::string& node, const char* source, const std::string& reason) const;
    QueryCell* metricsCell(const std::string& node, std::string_view operation) const;
    void applyProfile(PgConnection& connection, const SessionProfile& profile, Target target) const;
    RoutingDecision makeDecision(std::string_view operation, std::string_view context, const SessionProfile& profile,
                                 Plan plan, Target target) const;

    std::shared_ptr<ConnectionPool> m_primary;
    std::vector<ReplicaRoute> m_replicas;
    std::shared_ptr<HealthBoard> m_board;
    std::shared_ptr<QueryMetrics> m_metrics;
    FeatureFlags m_flags;
    RouterOptions m_options;
    DecisionLog m_log;
    std::atomic<std::chrono::milliseconds::rep> m_readYourWritesWaitMs;
};

}  // namespace pulse

#include "routing/Router.hpp"

#include "common/Errors.hpp"
#include "common/Logging.hpp"
#include "config/Settings.hpp"

#include "monitor/NodeObservation.hpp"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <thread>

namespace pulse {

RouterOptions RouterOptions::fromSettings(const Settings& settings)
{
    RouterOptions options;
    for (auto kind : {ProfileKind::Read, ProfileKind::Write, ProfileKind::Etl, ProfileKind::Admin, ProfileKind::User,
                      ProfileKind::Analytics})
        options.profiles[kind] = SessionProfile::make(kind, settings);
    options.queryDeadlineGrace = settings.queryDeadlineGrace;
    options.readYourWritesWait = settings.readYourWritesWait;
    const char* appName = std::getenv("PGAPPNAME");
    options.setApplicationName = appName == nullptr || *appName == '\0';
    return options;
}

Router::Plan Router::plan(const OperationClass& operation, FlagValues flags, bool replicaConfigured,
                          const std::optional<std::string>& replicaFailure)
{
    using Kind = Plan::Kind;
    using Outcome = RoutingDecision::Outcome;
    if (!operation.replicaEligible)
        return {Kind::Primary, Outcome::Routed, std::string(operation.reason)};
    if (!flags.useReadReplica)
        return {Kind::Primary, Outcome::Routed, std::string(operation.reason) + "; USE_READ_REPLICA is off"};
    if (!replicaConfigured)
        return {Kind::Primary, Outcome::Routed, std::string(operation.reason) + "; no replica configured"};
    if (!replicaFailure)
        return {Kind::Replica, Outcome::Routed, std::string(operation.reason)};
    if (flags.replicaFallbackEnabled)
        return {Kind::Primary, Outcome::FellBack, "replica unavailable (" + *replicaFailure + "); fell back to primary"};
    return {Kind::Refuse, Outcome::Refused,
            "replica unavailable (" + *replicaFailure + ") and REPLICA_FALLBACK_ENABLED is off"};
}

Router::Router(std::shared_ptr<ConnectionPool> primary, std::vector<ReplicaRoute> replicas, FlagValues flags,
               RouterOptions options, std::shared_ptr<HealthBoard> board, std::shared_ptr<QueryMetrics> metrics)
    : m_primary(std::move(primary))
    , m_replicas(std::move(replicas))
    , m_board(std::move(board))
    , m_metrics(std::move(metrics))
    , m_flags(flags)
    , m_options(std::move(options))
    , m_log(m_options.decisionLogCapacity)
    , m_readYourWritesWaitMs(m_options.readYourWritesWait.count())
{
    for (auto kind : {ProfileKind::Read, ProfileKind::Write, ProfileKind::Etl, ProfileKind::Admin, ProfileKind::User,
                      ProfileKind::Analytics})
        if (!m_options.profiles.contains(kind))
            m_options.profiles[kind] = SessionProfile::make(kind, std::chrono::milliseconds(0));
}

const std::shared_ptr<ConnectionPool>& Router::replicaPool() const
{
    static const std::shared_ptr<ConnectionPool> none;
    return m_replicas.empty() ? none : m_replicas.front().pool;
}

const SessionProfile& Router::profile(ProfileKind kind) const
{
    return m_options.profiles.at(kind);
}

RoutingDecision Router::makeDecision(std::string_view operation, std::string_view context,
                                     const SessionProfile& profile, Plan plan, Target target) const
{
    RoutingDecision d;
    d.time = std::chrono::system_clock::now();
    d.operation = operation;
    d.context = context;
    d.profile = profile.name;
    d.target = target;
    d.outcome = plan.outcome;
    d.reason = std::move(plan.reason);
    return d;
}

std::vector<const ReplicaRoute*> Router::candidates(std::string* excluded) const
{
    std::vector<const ReplicaRoute*> out;
    for (const auto& replica : m_replicas) {
        const NodeHealth* health = m_board ? m_board->find(replica.name) : nullptr;
        // allows() is one atomic load; the mutex behind state() is only taken
        // for a breaker that is not closed.
        const bool blocked = health && !health->breaker.allows() &&
                             !(!m_board->monitored() && health->breaker.state() == BreakerState::HalfOpen);
        if (blocked) {
            if (excluded) {
                const auto snapshot = health->breaker.snapshot();
                *excluded += (excluded->empty() ? "" : "; ") + replica.name + " breaker " +
                             breakerStateName(snapshot.state) +
                             (snapshot.tripReason.empty() ? "" : " (" + snapshot.tripReason + ")");
            }
            continue;
        }
        if (health && !health->lagGate.admitted()) {
            if (excluded)
                *excluded += (excluded->empty() ? "" : "; ") + replica.name + " " + health->lagGate.reason();
            continue;
        }
        out.push_back(&replica);
    }
    if (out.size() > 1) {
        // Spread reads: fewest leases first, then least lag (unknown lag last).
        struct Rank {
            int leases;
            std::int64_t lag;
        };
        std::vector<std::pair<Rank, const ReplicaRoute*>> ranked;
        for (const auto* replica : out) {
            const NodeHealth* health = m_board ? m_board->find(replica->name) : nullptr;
            const std::int64_t lag = health ? health->lagBytes.load(std::memory_order_relaxed) : 0;
            ranked.push_back({{replica->pool->checkedOut(), lag < 0 ? INT64_MAX : lag}, replica});
        }
        std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
            return a.first.leases != b.first.leases ? a.first.leases < b.first.leases : a.first.lag < b.first.lag;
        });
        for (size_t i = 0; i < out.size(); ++i)
            out[i] = ranked[i].second;
    }
    return out;
}

void Router::noteFailure(const std::string& node, const char* source, const std::string& reason) const
{
    if (!m_board)
        return;
    NodeHealth* health = m_board->find(node);
    if (!health)
        return;
    if (health->breaker.state() == BreakerState::HalfOpen) {
        // With a monitor, only its probe decides a half-open breaker: a
        // failure of traffic that was in flight before must not reopen it.
        // Without one, this checkout was the trial.
        if (m_board->monitored())
            return;
        source = "probe";
    }
    health->breaker.recordFailure(source, reason);
}

QueryCell* Router::metricsCell(const std::string& node, std::string_view operation) const
{
    return m_metrics ? &m_metrics->cell(node, operation) : nullptr;
}

std::optional<std::string> Router::awaitReplay(PgConnection& connection, const ReplicaRoute& replica,
                                               const ConsistencyToken& token) const
{
    if (m_board) {
        const NodeHealth* health = m_board->find(replica.name);
        if (health && health->replayLsn.load(std::memory_order_acquire) >= token.lsn)
            return std::nullopt;  // the monitor already saw it replayed: no round trip
    }
    const auto wait = readYourWritesWait();  // once: the message must name the wait this read had
    const auto deadline = std::chrono::steady_clock::now() + wait;
    std::uint64_t replayed = 0;
    for (;;) {
        auto result = connection.exec("SELECT pg_last_wal_replay_lsn() - '0/0'::pg_lsn");
        const auto text = result.get(0, 0);
        replayed = text ? std::stoull(std::string(*text)) : 0;
        if (replayed >= token.lsn)
            return std::nullopt;
        if (std::chrono::steady_clock::now() >= deadline)
            break;
        // Replay has no notification a client can wait on; a local replica
        // replays within about a millisecond, so poll briefly.
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return "read-your-writes: " + replica.name + " has replayed " + formatLsn(replayed) + ", not " + token.text() +
           " within READ_YOUR_WRITES_WAIT_MS " + std::to_string(wait.count()) + " ms";
}

RoutingDecision Router::preview(std::string_view operation, std::string_view context) const
{
    const auto cls = OperationClassifier::classify(operation, context);
    std::string excluded;
    const auto available = candidates(&excluded);
    std::optional<std::string> failure;
    if (!m_replicas.empty() && available.empty())
        failure = excluded;
    const auto p = plan(cls, m_flags.values(), !m_replicas.empty(), failure);
    const auto& prof = profile(cls.replicaEligible ? ProfileKind::Read : ProfileKind::Write);
    const bool toReplica = p.kind == Plan::Kind::Replica;
    auto decision = makeDecision(operation, context, prof, p, toReplica ? Target::Replica : Target::Primary);
    if (p.kind != Plan::Kind::Refuse)
        decision.node = toReplica ? available.front()->name : "primary";
    return decision;
}

Session Router::session(std::string_view operation, std::string_view context)
{
    const auto cls = OperationClassifier::classify(operation, context);
    return open(operation, context, cls.replicaEligible ? ProfileKind::Read : ProfileKind::Write, nullptr);
}

Session Router::session(std::string_view operation, std::string_view context, ProfileKind profileKind)
{
    return open(operation, context, profileKind, nullptr);
}

Session Router::open(std::string_view operation, std::string_view context, ProfileKind profileKind,
                     const ConsistencyToken* token)
{
    const SessionProfile& prof = profile(profileKind);
    const auto cls = OperationClassifier::classify(operation, context);
    // Flags are read once: a change applies to the next session, never halfway.
    const FlagValues flags = m_flags.values();
    Plan p = plan(cls, flags, !m_replicas.empty(), std::nullopt);

    if (p.kind == Plan::Kind::Replica) {
        std::string failure;
        std::optional<std::string> staleForToken;
        for (const ReplicaRoute* replica : candidates(&failure)) {
            try {
                PoolLease lease = replica->pool->acquire();
                applyProfile(lease.connection(), prof, Target::Replica);
                if (m_board && !m_board->monitored()) {
                    // Without a monitor, this checkout (a live connection) is the half-open trial.
                    if (NodeHealth* health = m_board->find(replica->name);
                        health && !health->breaker.allows() && health->breaker.state() == BreakerState::HalfOpen)
                        health->breaker.recordSuccess("probe");
                }
                if (token) {
                    staleForToken = awaitReplay(lease.connection(), *replica, *token);
                    if (staleForToken)
                        continue;  // the lease goes back; maybe another replica has it
                }
                auto decision = makeDecision(operation, context, prof, std::move(p), Target::Replica);
                decision.node = replica->name;
                auto recorded = m_log.record(std::move(decision));
                return Session(*this, std::move(lease), prof, std::move(recorded), flags, true,
                               metricsCell(replica->name, operation));
            } catch (const ConnectionError& e) {
                noteFailure(replica->name, "checkout", e.what());
                failure += (failure.empty() ? "" : "; ") + std::string(e.what());
            } catch (const PoolTimeoutError& e) {
                noteFailure(replica->name, "checkout", e.what());
                failure += (failure.empty() ? "" : "; ") + std::string(e.what());
            } catch (const SqlError& e) {
                failure += (failure.empty() ? "" : "; ") + std::string(e.what());  // e.g. still starting up
            }
        }
        if (staleForToken) {
            // Always correct on the primary, whatever REPLICA_FALLBACK_ENABLED says.
            p = Plan{Plan::Kind::Primary, RoutingDecision::Outcome::FellBack, *staleForToken + "; ran on primary"};
        } else {
            p = plan(cls, flags, true, failure.empty() ? std::string("no replica available") : failure);
        }
        if (p.kind == Plan::Kind::Refuse) {
            logger("router")->warn("{}: {}", operation, p.reason);
            const std::string reason = p.reason;
            m_log.record(makeDecision(operation, context, prof, std::move(p), Target::Replica));
            throw ReplicaUnavailableError(reason);
        }
        // debug, not info: during an outage this is every read (the decision
        // log and the console's routing inspector keep each one anyway).
        logger("router")->debug("{}: {}", operation, p.reason);
    }
    PoolLease lease = m_primary->acquire();
    applyProfile(lease.connection(), prof, Target::Primary);
    auto decision = makeDecision(operation, context, prof, std::move(p), Target::Primary);
    decision.node = "primary";
    auto recorded = m_log.record(std::move(decision));
    return Session(*this, std::move(lease), prof, std::move(recorded), flags, false, metricsCell("primary", operation));
}

Session Router::readSession(std::string_view operation, std::string_view context)
{
    return session(operation, context, ProfileKind::Read);
}

Session Router::readSession(const ConsistencyToken& token, std::string_view operation, std::string_view context)
{
    return open(operation, context, ProfileKind::Read, &token);
}

Session Router::writeSession(std::string_view operation)
{
    return session(operation, {}, ProfileKind::Write);
}

Session Router::etlSession()
{
    const auto& p = profile(ProfileKind::Etl);
    return session(p.operation, p.context, ProfileKind::Etl);
}

Session Router::adminSession()
{
    const auto& p = profile(ProfileKind::Admin);
    return session(p.operation, p.context, ProfileKind::Admin);
}

Session Router::userSession()
{
    const auto& p = profile(ProfileKind::User);
    return session(p.operation, p.context, ProfileKind::User);
}

Session Router::analyticsSession()
{
    const auto& p = profile(ProfileKind::Analytics);
    return session(p.operation, p.context, ProfileKind::Analytics);
}

void Router::applyProfile(PgConnection& connection, const SessionProfile& prof, Target target) const
{
    const auto timeout = prof.statementTimeout;
    connection.setDeadline(timeout.count() > 0 ? timeout + m_options.queryDeadlineGrace
                                               : std::chrono::milliseconds(0));
    if (connection.appliedProfile() == prof.stateKey)
        return;  // already set on this connection: no round trip
    const std::string timeoutText = std::to_string(timeout.count()) + "ms";
    if (m_options.setApplicationName) {
        connection.exec("SELECT set_config('statement_timeout', $1, false), set_config('application_name', $2, false)",
                        {timeoutText, "pulse/" + std::string(targetName(target)) + '/' + prof.name});
    } else {
        connection.exec("SELECT set_config('statement_timeout', $1, false)", {timeoutText});
    }
    connection.setAppliedProfile(prof.stateKey);
}

PoolLease Router::failOverToPrimary(Session& s, const std::string& failure)
{
    const RoutingDecision& previous = *s.m_decision;
    noteFailure(previous.node, "query", failure);
    const auto cls = OperationClassifier::classify(previous.operation, previous.context);
    Plan p = plan(cls, s.m_flags, true, "failed mid-session: " + failure);
    const bool refused = p.kind == Plan::Kind::Refuse;
    const std::string reason = p.reason;
    auto decision = makeDecision(previous.operation, previous.context, *s.m_profile, std::move(p),
                                 refused ? Target::Replica : Target::Primary);
    if (refused) {
        m_log.record(std::move(decision));
        throw ReplicaUnavailableError(reason);
    }
    logger("router")->debug("{}: {}", previous.operation, reason);  // per read, as above
    PoolLease lease = m_primary->acquire();
    applyProfile(lease.connection(), *s.m_profile, Target::Primary);
    decision.node = "primary";
    s.m_metrics = metricsCell("primary", previous.operation);
    s.m_decision = m_log.record(std::move(decision));  // `previous` is not used after this
    return lease;
}

}  // namespace pulse

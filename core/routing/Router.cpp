#include "routing/Router.hpp"

#include "common/Errors.hpp"
#include "common/Logging.hpp"
#include "config/Settings.hpp"

#include <cstdlib>

namespace pulse {

RouterOptions RouterOptions::fromSettings(const Settings& settings)
{
    RouterOptions options;
    for (auto kind : {ProfileKind::Read, ProfileKind::Write, ProfileKind::Etl, ProfileKind::Admin, ProfileKind::User,
                      ProfileKind::Analytics})
        options.profiles[kind] = SessionProfile::make(kind, settings);
    options.queryDeadlineGrace = settings.queryDeadlineGrace;
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

Router::Router(std::shared_ptr<ConnectionPool> primary, std::shared_ptr<ConnectionPool> replica, FlagValues flags,
               RouterOptions options)
    : m_primary(std::move(primary))
    , m_replica(std::move(replica))
    , m_flags(flags)
    , m_options(std::move(options))
    , m_log(m_options.decisionLogCapacity)
{
    for (auto kind : {ProfileKind::Read, ProfileKind::Write, ProfileKind::Etl, ProfileKind::Admin, ProfileKind::User,
                      ProfileKind::Analytics})
        if (!m_options.profiles.contains(kind))
            m_options.profiles[kind] = SessionProfile::make(kind, std::chrono::milliseconds(0));
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

RoutingDecision Router::preview(std::string_view operation, std::string_view context) const
{
    const auto cls = OperationClassifier::classify(operation, context);
    const auto p = plan(cls, m_flags.values(), m_replica != nullptr, std::nullopt);
    const auto& prof = profile(cls.replicaEligible ? ProfileKind::Read : ProfileKind::Write);
    return makeDecision(operation, context, prof, p, p.kind == Plan::Kind::Replica ? Target::Replica : Target::Primary);
}

Session Router::session(std::string_view operation, std::string_view context)
{
    const auto cls = OperationClassifier::classify(operation, context);
    return session(operation, context, cls.replicaEligible ? ProfileKind::Read : ProfileKind::Write);
}

Session Router::session(std::string_view operation, std::string_view context, ProfileKind profileKind)
{
    const SessionProfile& prof = profile(profileKind);
    const auto cls = OperationClassifier::classify(operation, context);
    // Flags are read once: a change applies to the next session, never halfway.
    const FlagValues flags = m_flags.values();
    Plan p = plan(cls, flags, m_replica != nullptr, std::nullopt);

    if (p.kind == Plan::Kind::Replica) {
        std::string failure;
        try {
            PoolLease lease = m_replica->acquire();
            applyProfile(lease.connection(), prof, Target::Replica);
            auto decision = m_log.record(makeDecision(operation, context, prof, std::move(p), Target::Replica));
            return Session(*this, std::move(lease), prof, std::move(decision), flags, true);
        } catch (const ConnectionError& e) {
            failure = e.what();
        } catch (const PoolTimeoutError& e) {
            failure = e.what();
        } catch (const SqlError& e) {
            failure = e.what();  // e.g. the replica is starting up (57P03 is a ConnectionError)
        }
        p = plan(cls, flags, true, failure);
        if (p.kind == Plan::Kind::Refuse) {
            logger("router")->warn("{}: {}", operation, p.reason);
            const std::string reason = p.reason;
            m_log.record(makeDecision(operation, context, prof, std::move(p), Target::Replica));
            throw ReplicaUnavailableError(reason);
        }
        logger("router")->info("{}: {}", operation, p.reason);
    }
    PoolLease lease = m_primary->acquire();
    applyProfile(lease.connection(), prof, Target::Primary);
    auto decision = m_log.record(makeDecision(operation, context, prof, std::move(p), Target::Primary));
    return Session(*this, std::move(lease), prof, std::move(decision), flags, false);
}

Session Router::readSession(std::string_view operation, std::string_view context)
{
    return session(operation, context, ProfileKind::Read);
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
    logger("router")->info("{}: {}", previous.operation, reason);
    PoolLease lease = m_primary->acquire();
    applyProfile(lease.connection(), *s.m_profile, Target::Primary);
    s.m_decision = m_log.record(std::move(decision));
    return lease;
}

}  // namespace pulse

#include "alerts/AlertEngine.hpp"

#include "common/Logging.hpp"
#include "health/LagFormat.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <set>
#include <spdlog/spdlog.h>

namespace pulse {
namespace {

constexpr const char* kLagRule = "replication_lag";
constexpr const char* kDownRule = "replica_down";
constexpr const char* kDisconnectedRule = "replica_disconnected";
constexpr const char* kPausedRule = "replay_paused";
constexpr const char* kPoolRule = "pool_utilisation";
constexpr const char* kTimeoutRule = "query_timeout_rate";
constexpr const char* kTimeoutSubject = "queries";

int rank(AlertSeverity severity)
{
    return severity == AlertSeverity::Critical ? 1 : 0;
}

AlertThresholds sanitised(AlertThresholds t)
{
    // A hysteresis of 1 or more could never clear; a history of 0 would make
    // historySince() useless to the UI that polls it.
    t.hysteresis = std::clamp(t.hysteresis, 0.0, 0.99);
    t.historyCapacity = std::max<size_t>(1, t.historyCapacity);
    return t;
}

std::string lagMessage(double lag, double threshold, const char* setting, std::optional<std::int64_t> bytes)
{
    std::string message = fmt::format("replica lag {} > {} ({})", formatLagSeconds(lag), formatLagSeconds(threshold),
                                      setting);
    if (bytes && *bytes > 0)
        message += fmt::format(", {} behind", formatLagBytes(*bytes));
    return message;
}

void logEvent(const AlertEvent& event)
{
    const Alert& a = event.alert;
    auto log = logger("alerts");
    switch (event.kind) {
    case AlertEvent::Kind::Raised:
        log->log(a.severity == AlertSeverity::Critical ? spdlog::level::err : spdlog::level::warn,
                 "alert #{} raised {} {} on {}: {}", a.id, severityName(a.severity), a.rule, a.subject, a.message);
        break;
    case AlertEvent::Kind::Escalated:
        log->error("alert #{} escalated to {} {} on {}: {}", a.id, severityName(a.severity), a.rule, a.subject,
                   a.message);
        break;
    case AlertEvent::Kind::Cleared:
        log->info("alert #{} cleared {} on {} after {} (worst value {})", a.id, a.rule, a.subject,
                  formatLagSeconds(std::chrono::duration<double>(a.clearedAt - a.raisedAt).count()),
                  formatQuantity(a.value));
        break;
    }
}

}  // namespace

AlertEngine::AlertEngine(AlertThresholds thresholds) : m_thresholds(sanitised(thresholds)) { }

void AlertEngine::record(AlertEvent::Kind kind, const Alert& alert, TimePoint now, std::vector<AlertEvent>& events)
{
    AlertEvent event{kind, alert, now};
    m_history.push_back(event);
    ++m_historySequence;
    while (m_history.size() > m_thresholds.historyCapacity)
        m_history.pop_front();
    events.push_back(std::move(event));
}

void AlertEngine::fire(const Key& key, AlertSeverity severity, double value, double threshold, std::string message,
                       TimePoint now, std::vector<AlertEvent>& events)
{
    m_clearSince.erase(key);  // a recurrence cancels a pending clear
    auto it = m_active.find(key);
    if (it == m_active.end()) {
        Alert alert;
        alert.id = m_nextId++;
        alert.rule = key.first;
        alert.subject = key.second;
        alert.severity = severity;
        alert.message = std::move(message);
        alert.value = value;
        alert.threshold = threshold;
        alert.raisedAt = now;
        it = m_active.emplace(key, std::move(alert)).first;
        record(AlertEvent::Kind::Raised, it->second, now, events);
        return;
    }
    Alert& alert = it->second;
    alert.value = std::max(alert.value, value);
    alert.message = std::move(message);
    const bool escalated = rank(severity) > rank(alert.severity);
    // Lower severity: de-escalated in place, no event (the alert is still
    // on, just less urgent).
    alert.severity = severity;
    alert.threshold = threshold;
    if (escalated)
        record(AlertEvent::Kind::Escalated, alert, now, events);
}

void AlertEngine::hold(const Key& key, std::optional<double> value)
{
    // Neither firing nor clear (inside the hysteresis band, or unknown): the
    // alert stays as it is, and the clear clock must start again later,
    // because clearing needs the condition clear without a break.
    m_clearSince.erase(key);
    auto it = m_active.find(key);
    if (it != m_active.end() && value)
        it->second.value = std::max(it->second.value, *value);
}

void AlertEngine::clearing(const Key& key, std::optional<double> value, TimePoint now,
                           std::vector<AlertEvent>& events)
{
    auto it = m_active.find(key);
    if (it == m_active.end()) {
        m_clearSince.erase(key);
        return;
    }
    if (value)
        it->second.value = std::max(it->second.value, *value);
    const auto since = m_clearSince.try_emplace(key, now).first->second;
    if (now - since < m_thresholds.clearAfter)
        return;
    Alert alert = std::move(it->second);
    alert.clearedAt = now;
    m_active.erase(it);
    m_clearSince.erase(key);
    record(AlertEvent::Kind::Cleared, alert, now, events);
}

void AlertEngine::numericRule(const Key& key, double value, double threshold, std::string message, TimePoint now,
                              std::vector<AlertEvent>& events)
{
    if (value > threshold)
        fire(key, AlertSeverity::Warning, value, threshold, std::move(message), now, events);
    else if (value < threshold * (1 - m_thresholds.hysteresis))
        clearing(key, value, now, events);
    else
        hold(key, value);
}

void AlertEngine::evaluateLag(const AlertInputs::Replica& replica, TimePoint now, std::vector<AlertEvent>& events)
{
    const Key key{kLagRule, replica.name};
    if (!replica.lagSeconds) {
        // Down or disconnected: its own alert says so; an unknown lag is no
        // reason to clear (nor to raise) the lag alert.
        hold(key, std::nullopt);
        return;
    }
    const double lag = *replica.lagSeconds;
    const double warning = m_thresholds.lagWarningSeconds;
    const double critical = m_thresholds.lagCriticalSeconds;
    const double keep = 1 - m_thresholds.hysteresis;
    const auto it = m_active.find(key);
    const bool isCritical = it != m_active.end() && it->second.severity == AlertSeverity::Critical;

    if (lag > critical) {
        fire(key, AlertSeverity::Critical, lag, critical,
             lagMessage(lag, critical, "ALERT_LAG_CRITICAL_SECONDS", replica.lagBytes), now, events);
    } else if (isCritical && lag >= critical * keep) {
        hold(key, lag);  // the hysteresis band of the critical threshold
    } else if (lag > warning) {
        fire(key, AlertSeverity::Warning, lag, warning,
             lagMessage(lag, warning, "ALERT_LAG_WARNING_SECONDS", replica.lagBytes), now, events);
    } else {
        if (isCritical) {
            // Fell from critical straight under the warning threshold: no
            // longer critical, but it clears like any warning.
            Alert& alert = it->second;
            alert.severity = AlertSeverity::Warning;
            alert.threshold = warning;
            alert.message = fmt::format("replica lag {}, back under {} (ALERT_LAG_CRITICAL_SECONDS)",
                                        formatLagSeconds(lag), formatLagSeconds(critical));
        }
        if (lag < warning * keep)
            clearing(key, lag, now, events);
        else
            hold(key, lag);
    }
}

std::optional<std::pair<double, std::uint64_t>> AlertEngine::timeoutRate(const AlertInputs& inputs)
{
    const TimePoint now = inputs.time;
    // Counters going down mean a restarted process, time going back a clock
    // step: either way the old samples no longer describe the window.
    if (!m_rateSamples.empty()) {
        const auto& last = m_rateSamples.back();
        if (now < last.first || inputs.queriesTotal < last.second.first || inputs.timeoutsTotal < last.second.second)
            m_rateSamples.clear();
    }
    m_rateSamples.push_back({now, {inputs.queriesTotal, inputs.timeoutsTotal}});
    while (m_rateSamples.front().first < now - m_thresholds.timeoutWindow)
        m_rateSamples.pop_front();

    const auto& oldest = m_rateSamples.front().second;
    const std::uint64_t queries = inputs.queriesTotal - oldest.first;
    const std::uint64_t timeouts = inputs.timeoutsTotal - oldest.second;
    if (queries == 0 || queries < m_thresholds.minQueriesForRate)
        return std::nullopt;
    return std::pair{100.0 * static_cast<double>(timeouts) / static_cast<double>(queries), queries};
}

std::vector<AlertEvent> AlertEngine::evaluate(const AlertInputs& inputs)
{
    std::vector<AlertEvent> events;
    std::vector<std::string> deescalations;
    {
        std::lock_guard lock(m_mutex);
        const TimePoint now = inputs.time;
        std::set<Key> seen;

        for (const auto& replica : inputs.replicas) {
            const Key lagKey{kLagRule, replica.name};
            const auto was = m_active.find(lagKey);
            const bool wasCritical = was != m_active.end() && was->second.severity == AlertSeverity::Critical;
            evaluateLag(replica, now, events);
            const auto is = m_active.find(lagKey);
            if (wasCritical && is != m_active.end() && is->second.severity == AlertSeverity::Warning)
                deescalations.push_back(fmt::format("alert #{} de-escalated to WARNING {} on {}: {}", is->second.id,
                                                    kLagRule, replica.name, is->second.message));

            struct StateRule {
                const char* rule;
                ReplicaState state;
                AlertSeverity severity;
                std::string message;
            };
            const StateRule stateRules[] = {
                {kDownRule, ReplicaState::Down, AlertSeverity::Critical, "replica down: not reachable"},
                {kDisconnectedRule, ReplicaState::Disconnected, AlertSeverity::Critical,
                 "replica disconnected: no streaming WAL receiver"},
                {kPausedRule, ReplicaState::ReplayPaused, AlertSeverity::Warning,
                 replica.lagBytes && *replica.lagBytes > 0
                     ? fmt::format("WAL replay paused, {} waiting", formatLagBytes(*replica.lagBytes))
                     : std::string("WAL replay paused")},
            };
            for (const auto& rule : stateRules) {
                const Key key{rule.rule, replica.name};
                if (replica.state == rule.state)
                    fire(key, rule.severity, 0, 0, rule.message, now, events);
                else
                    clearing(key, std::nullopt, now, events);
                seen.insert(key);
            }
            seen.insert(lagKey);
        }

        for (const auto& pool : inputs.pools) {
            const Key key{kPoolRule, pool.name + " pool"};
            const double threshold = m_thresholds.poolUtilisationPercent;
            numericRule(key, pool.utilisationPercent, threshold,
                        fmt::format("{} pool utilisation {} % > {} % (ALERT_POOL_UTILISATION_PERCENT), {} of {} "
                                    "connections checked out",
                                    pool.name, formatQuantity(pool.utilisationPercent), formatQuantity(threshold),
                                    pool.checkedOut, pool.capacity),
                        now, events);
            seen.insert(key);
        }

        const Key timeoutKey{kTimeoutRule, kTimeoutSubject};
        if (const auto rate = timeoutRate(inputs)) {
            const double threshold = m_thresholds.timeoutRatePercent;
            const double windowSeconds = std::chrono::duration<double>(m_thresholds.timeoutWindow).count();
            numericRule(timeoutKey, rate->first, threshold,
                        fmt::format("query timeout rate {} % > {} % over the last {} (ALERT_TIMEOUT_RATE_PERCENT), "
                                    "{} queries",
                                    formatQuantity(rate->first), formatQuantity(threshold),
                                    formatLagSeconds(windowSeconds), rate->second),
                        now, events);
        } else {
            // Too few queries for a verdict: nothing shows the condition is
            // still there, and an alert must not outlive the traffic.
            clearing(timeoutKey, std::nullopt, now, events);
        }
        seen.insert(timeoutKey);

        // Subjects that stopped being reported (a replica or pool removed):
        // their condition is gone, so they clear like any other.
        std::vector<Key> unseen;
        for (const auto& [key, alert] : m_active)
            if (!seen.count(key))
                unseen.push_back(key);
        for (const auto& key : unseen)
            clearing(key, std::nullopt, now, events);
    }
    for (const auto& event : events)
        logEvent(event);
    for (const auto& line : deescalations)
        logger("alerts")->info("{}", line);
    return events;
}

std::vector<Alert> AlertEngine::active() const
{
    std::vector<Alert> out;
    {
        std::lock_guard lock(m_mutex);
        out.reserve(m_active.size());
        for (const auto& [key, alert] : m_active)
            out.push_back(alert);
    }
    std::sort(out.begin(), out.end(), [](const Alert& a, const Alert& b) {
        if (rank(a.severity) != rank(b.severity))
            return rank(a.severity) > rank(b.severity);
        if (a.raisedAt != b.raisedAt)
            return a.raisedAt < b.raisedAt;
        return a.id < b.id;
    });
    return out;
}

std::vector<AlertEvent> AlertEngine::history() const
{
    std::lock_guard lock(m_mutex);
    return {m_history.begin(), m_history.end()};
}

std::vector<AlertEvent> AlertEngine::historySince(std::uint64_t afterSequence, std::uint64_t* lastSequence) const
{
    std::lock_guard lock(m_mutex);
    // Sequence numbers are not stored: the deque holds the newest events, so
    // the oldest kept one is number total - size + 1.
    const std::uint64_t firstKept = m_historySequence - m_history.size() + 1;
    const std::uint64_t skip = afterSequence >= firstKept ? afterSequence - firstKept + 1 : 0;
    std::vector<AlertEvent> out;
    if (skip < m_history.size())
        out.assign(m_history.begin() + static_cast<std::ptrdiff_t>(skip), m_history.end());
    if (lastSequence)
        *lastSequence = m_historySequence;
    return out;
}

}  // namespace pulse

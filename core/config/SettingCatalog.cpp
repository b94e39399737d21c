#include "config/SettingCatalog.hpp"

#include "common/EditDistance.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

namespace pulse {
namespace {

constexpr std::string_view kPrimary = "Primary";
constexpr std::string_view kReplica = "Replica";
constexpr std::string_view kPrimaryPool = "Pool (primary)";
constexpr std::string_view kReplicaPool = "Pool (replica)";
constexpr std::string_view kRouting = "Routing flags";
constexpr std::string_view kTimeouts = "Timeouts";
constexpr std::string_view kMonitoring = "Monitoring";
constexpr std::string_view kLagRouting = "Routing that follows the topology";
constexpr std::string_view kAlerts = "Alerts";
constexpr std::string_view kLoads = "ETL loads and dashboard readers";
constexpr std::string_view kDrills = "Drills";

constexpr std::array<std::string_view, 11> kGroups{kPrimary,    kReplica,    kPrimaryPool, kReplicaPool,
                                                   kRouting,    kTimeouts,   kMonitoring,  kLagRouting,
                                                   kAlerts,     kLoads,      kDrills};

// Upper bounds: generous sanity limits that catch a unit mistake (ms written
// where seconds are meant) without second-guessing an operator. Statement
// timeouts go up to PostgreSQL's own limit for statement_timeout (INT_MAX ms).
constexpr std::int64_t kMaxPoolConnections = 1000;
constexpr std::int64_t kMaxPoolWaitSeconds = 3600;
constexpr std::int64_t kMaxRecycleSeconds = 7 * 24 * 3600;
constexpr std::int64_t kMaxStatementTimeoutMs = 2'147'483'647;

// Defaults must match the initialisers in Settings.hpp (checked by tst_settings).
const SettingDefinition kDefinitions[]{
    // Primary
    {.key = "POSTGRES_HOST", .type = SettingType::Host, .defaultValue = "localhost", .group = kPrimary,
     .meaning = "host name, address or socket directory of the primary", .allowEmpty = false},
    {.key = "POSTGRES_PORT", .type = SettingType::Port, .defaultValue = "5432", .group = kPrimary,
     .meaning = "TCP port of the primary"},
    {.key = "POSTGRES_USER", .type = SettingType::String, .defaultValue = "pulse_user", .group = kPrimary,
     .meaning = "user on the primary and the replica (empty: libpq's PGUSER, else the OS user)"},
    {.key = "POSTGRES_PASSWORD", .type = SettingType::Secret, .defaultValue = "", .group = kPrimary,
     .meaning = "password on the primary and the replica, never displayed (empty: PGPASSWORD / ~/.pgpass apply)"},
    {.key = "POSTGRES_DATABASE", .type = SettingType::String, .defaultValue = "pulse_db", .group = kPrimary,
     .meaning = "database on the primary and the replica"},

    // Replica
    {.key = "POSTGRES_REPLICA_HOST", .type = SettingType::Host, .defaultValue = "localhost", .group = kReplica,
     .meaning = "host of the read replica (same user, password and database as the primary); empty = no replica",
     .allowEmpty = true},
    {.key = "POSTGRES_REPLICA_PORT", .type = SettingType::Port, .defaultValue = "5433", .group = kReplica,
     .meaning = "TCP port of the read replica"},
    {.key = "POSTGRES_REPLICA_HOSTS", .type = SettingType::HostList, .defaultValue = "", .group = kReplica,
     .meaning = "several read replicas as host[:port],host[:port] (port defaults to POSTGRES_REPLICA_PORT); "
                "when set it replaces POSTGRES_REPLICA_HOST"},

    // Pool (primary): SQLAlchemy QueuePool semantics
    {.key = "DB_POOL_SIZE", .type = SettingType::Integer, .defaultValue = "20", .group = kPrimaryPool,
     .meaning = "connections kept open to the primary (pool_size)", .minimum = 1, .maximum = kMaxPoolConnections},
    {.key = "DB_MAX_OVERFLOW", .type = SettingType::Integer, .defaultValue = "30", .group = kPrimaryPool,
     .meaning = "extra primary connections opened under load, closed when returned (max_overflow)", .minimum = 0,
     .maximum = kMaxPoolConnections},
    {.key = "DB_POOL_TIMEOUT", .type = SettingType::Seconds, .defaultValue = "60", .group = kPrimaryPool,
     .meaning = "longest wait for a free primary connection before a pool timeout error (pool_timeout)",
     .minimum = 0, .maximum = kMaxPoolWaitSeconds, .allowFraction = true},
    {.key = "DB_POOL_RECYCLE", .type = SettingType::Seconds, .defaultValue = "3600", .group = kPrimaryPool,
     .meaning = "a primary connection older than this is replaced at checkout (pool_recycle)", .minimum = -1,
     .maximum = kMaxRecycleSeconds, .note = "-1 = never recycle"},
    {.key = "DB_POOL_PRE_PING", .type = SettingType::Bool, .defaultValue = "false", .group = kPrimaryPool,
     .meaning = "check every connection with a round trip at checkout (both pools)"},

    // Pool (replica)
    {.key = "DB_REPLICA_POOL_SIZE", .type = SettingType::Integer, .defaultValue = "15", .group = kReplicaPool,
     .meaning = "connections kept open to the replica (pool_size)", .minimum = 1, .maximum = kMaxPoolConnections},
    {.key = "DB_REPLICA_MAX_OVERFLOW", .type = SettingType::Integer, .defaultValue = "20", .group = kReplicaPool,
     .meaning = "extra replica connections opened under load, closed when returned (max_overflow)", .minimum = 0,
     .maximum = kMaxPoolConnections},
    {.key = "DB_REPLICA_POOL_TIMEOUT", .type = SettingType::Seconds, .defaultValue = "30", .group = kReplicaPool,
     .meaning = "longest wait for a free replica connection (pool_timeout)", .minimum = 0,
     .maximum = kMaxPoolWaitSeconds, .allowFraction = true},
    {.key = "DB_REPLICA_POOL_RECYCLE", .type = SettingType::Seconds, .defaultValue = "3600", .group = kReplicaPool,
     .meaning = "a replica connection older than this is replaced at checkout (pool_recycle)", .minimum = -1,
     .maximum = kMaxRecycleSeconds, .note = "-1 = never recycle"},

    // Routing flags (also switchable at run time in the console)
    {.key = "USE_READ_REPLICA", .type = SettingType::Bool, .defaultValue = "true", .group = kRouting,
     .meaning = "send replica-eligible reads (dashboards, analytics, reports, exports) to the replica"},
    {.key = "REPLICA_FALLBACK_ENABLED", .type = SettingType::Bool, .defaultValue = "true", .group = kRouting,
     .meaning = "serve those reads from the primary when the replica is unavailable, instead of failing them"},

    // Timeouts
    {.key = "DB_CONNECT_TIMEOUT", .type = SettingType::Seconds, .defaultValue = "3", .group = kTimeouts,
     .meaning = "longest wait to open a connection (libpq connect_timeout)", .minimum = 2, .maximum = 300,
     .note = "libpq's effective minimum is 2"},
    {.key = "DB_QUERY_DEADLINE_GRACE_MS", .type = SettingType::Integer, .defaultValue = "5000", .group = kTimeouts,
     .meaning = "client-side deadline = statement_timeout + this, so a frozen server never hangs a caller",
     .minimum = 0, .maximum = 3'600'000, .unit = "milliseconds"},
    {.key = "DB_ETL_STATEMENT_TIMEOUT_MS", .type = SettingType::Integer, .defaultValue = "1800000",
     .group = kTimeouts, .meaning = "statement_timeout of the etl session profile (long-running loads)",
     .minimum = 0, .maximum = kMaxStatementTimeoutMs, .unit = "milliseconds", .note = "0 = no timeout"},
    {.key = "DB_ADMIN_STATEMENT_TIMEOUT_MS", .type = SettingType::Integer, .defaultValue = "5000",
     .group = kTimeouts, .meaning = "statement_timeout of the admin session profile (quick admin operations)",
     .minimum = 0, .maximum = kMaxStatementTimeoutMs, .unit = "milliseconds", .note = "0 = no timeout"},
    {.key = "DB_USER_STATEMENT_TIMEOUT_MS", .type = SettingType::Integer, .defaultValue = "10000",
     .group = kTimeouts, .meaning = "statement_timeout of the user session profile (user-facing operations)",
     .minimum = 0, .maximum = kMaxStatementTimeoutMs, .unit = "milliseconds", .note = "0 = no timeout"},
    {.key = "DB_ANALYTICS_STATEMENT_TIMEOUT_MS", .type = SettingType::Integer, .defaultValue = "60000",
     .group = kTimeouts, .meaning = "statement_timeout of the analytics session profile (read-only analytics)",
     .minimum = 0, .maximum = kMaxStatementTimeoutMs, .unit = "milliseconds", .note = "0 = no timeout"},

    // Monitoring
    {.key = "MONITOR_INTERVAL_MS", .type = SettingType::Integer, .defaultValue = "500", .group = kMonitoring,
     .meaning = "how often the health monitor probes every node (on its own connections)", .minimum = 50,
     .maximum = 60'000, .unit = "milliseconds"},
    {.key = "MONITOR_PROBE_TIMEOUT_MS", .type = SettingType::Integer, .defaultValue = "400", .group = kMonitoring,
     .meaning = "the monitor's own deadline to connect to and query a node; a node that misses it is unreachable",
     .minimum = 50, .maximum = 60'000, .unit = "milliseconds"},
    {.key = "BREAKER_FAILURE_THRESHOLD", .type = SettingType::Integer, .defaultValue = "1", .group = kMonitoring,
     .meaning = "consecutive failures (probe, checkout or query) that open a node's circuit breaker", .minimum = 1,
     .maximum = 100},
    {.key = "BREAKER_OPEN_SECONDS", .type = SettingType::Seconds, .defaultValue = "5", .group = kMonitoring,
     .meaning = "how long an open breaker keeps reads away before a probe may close it (doubles on each failed "
                "trial, up to 60 s)",
     .minimum = 0, .maximum = 3600, .allowFraction = true},
    {.key = "METRICS_HISTORY_SECONDS", .type = SettingType::Integer, .defaultValue = "3600", .group = kMonitoring,
     .meaning = "length of each chart series, one point per second (memory is allocated up front)", .minimum = 60,
     .maximum = 86'400, .unit = "seconds"},

    // Routing that follows the topology
    {.key = "REPLICA_MAX_LAG_SECONDS", .type = SettingType::Seconds, .defaultValue = "2", .group = kLagRouting,
     .meaning = "replica-eligible reads go to the primary while the replica lags more than this", .minimum = 0,
     .maximum = 86'400, .allowFraction = true, .note = "0 = no time limit"},
    {.key = "REPLICA_MAX_LAG_BYTES", .type = SettingType::Integer, .defaultValue = "16777216", .group = kLagRouting,
     .meaning = "the same limit in bytes of WAL not yet replayed", .minimum = 0, .maximum = 1LL << 40,
     .unit = "bytes", .note = "0 = no byte limit"},
    {.key = "REPLICA_READMIT_SECONDS", .type = SettingType::Seconds, .defaultValue = "5", .group = kLagRouting,
     .meaning = "a replica excluded for lag is taken back only after its lag stayed under the limits this long",
     .minimum = 0, .maximum = 3600, .allowFraction = true},
    {.key = "READ_YOUR_WRITES_WAIT_MS", .type = SettingType::Integer, .defaultValue = "100", .group = kLagRouting,
     .meaning = "a read carrying a consistency token waits this long for the replica to replay it, then goes to "
                "the primary",
     .minimum = 0, .maximum = 60'000, .unit = "milliseconds", .note = "0 = go to the primary at once"},

    // Alerts: the plan's thresholds
    {.key = "ALERT_LAG_WARNING_SECONDS", .type = SettingType::Seconds, .defaultValue = "5", .group = kAlerts,
     .meaning = "replication lag above this raises a WARNING", .minimum = 0, .maximum = 86'400,
     .allowFraction = true},
    {.key = "ALERT_LAG_CRITICAL_SECONDS", .type = SettingType::Seconds, .defaultValue = "30", .group = kAlerts,
     .meaning = "replication lag above this raises a CRITICAL", .minimum = 0, .maximum = 86'400,
     .allowFraction = true},
    {.key = "ALERT_POOL_UTILISATION_PERCENT", .type = SettingType::Integer, .defaultValue = "90", .group = kAlerts,
     .meaning = "a pool with more of its connections (pool_size + max_overflow) checked out raises a WARNING",
     .minimum = 1, .maximum = 100, .unit = "percent"},
    {.key = "ALERT_TIMEOUT_RATE_PERCENT", .type = SettingType::Integer, .defaultValue = "5", .group = kAlerts,
     .meaning = "share of queries timing out over the window above which a WARNING is raised", .minimum = 1,
     .maximum = 100, .unit = "percent"},
    {.key = "ALERT_TIMEOUT_WINDOW_SECONDS", .type = SettingType::Seconds, .defaultValue = "60", .group = kAlerts,
     .meaning = "sliding window of the query timeout rate", .minimum = 1, .maximum = 3600, .allowFraction = true},
    {.key = "ALERT_CLEAR_SECONDS", .type = SettingType::Seconds, .defaultValue = "5", .group = kAlerts,
     .meaning = "an alert clears only after its condition stayed clear this long (no flapping)", .minimum = 0,
     .maximum = 3600, .allowFraction = true},

    // ETL loads and dashboard readers (the plan's load test)
    {.key = "ETL_CHUNK_SIZE", .type = SettingType::Integer, .defaultValue = "1000", .group = kLoads,
     .meaning = "rows per ETL transaction; each chunk commits together with its checkpoint", .minimum = 1,
     .maximum = 1'000'000, .unit = "rows"},
    {.key = "ETL_MAX_ROWS_PER_SECOND", .type = SettingType::Integer, .defaultValue = "0", .group = kLoads,
     .meaning = "throttle of an ETL load", .minimum = 0, .maximum = 100'000'000, .unit = "rows per second",
     .note = "0 = no throttle"},
    {.key = "ETL_LAG_BRAKE_SECONDS", .type = SettingType::Seconds, .defaultValue = "0", .group = kLoads,
     .meaning = "an ETL load holds its next chunk while a replica lags more than this", .minimum = 0,
     .maximum = 3600, .allowFraction = true, .note = "0 = no brake"},
    {.key = "ETL_RETRY_SECONDS", .type = SettingType::Seconds, .defaultValue = "60", .group = kLoads,
     .meaning = "how long a load whose connection broke keeps reconnecting before it fails (it resumes from its "
                "checkpoint)",
     .minimum = 0, .maximum = 3600, .allowFraction = true},
    {.key = "ETL_CONNECTIONS", .type = SettingType::Integer, .defaultValue = "2", .group = kLoads,
     .meaning = "connections an ETL load uses in parallel, each loading one table at a time (the server's work "
                "per chunk then runs in parallel backends)",
     .minimum = 1, .maximum = 8},
    {.key = "DASHBOARD_READERS", .type = SettingType::Integer, .defaultValue = "4", .group = kLoads,
     .meaning = "concurrent dashboard readers of `pulsectl dashboard` and the load test", .minimum = 1,
     .maximum = 256},
    {.key = "DASHBOARD_THINK_MS", .type = SettingType::Integer, .defaultValue = "200", .group = kLoads,
     .meaning = "pause of each dashboard reader between two page loads", .minimum = 0, .maximum = 60'000,
     .unit = "milliseconds"},

    // Drills. The commands themselves are the open-ended family
    // DRILL_COMMAND_<ACTION>_<NODE> (see DrillCommandKey.hpp), not listed here.
    {.key = "DRILL_ALLOW_DESTRUCTIVE", .type = SettingType::Bool, .defaultValue = "false", .group = kDrills,
     .meaning = "allow destructive drill actions (stop, kill, freeze, promote, restart) on a topology that is not "
                "the sandbox; each also needs its DRILL_COMMAND_<ACTION>_<NODE> and the run's confirmation (--yes)"},
    {.key = "DRILL_COMMAND_TIMEOUT_SECONDS", .type = SettingType::Seconds, .defaultValue = "60", .group = kDrills,
     .meaning = "longest run of one DRILL_COMMAND_* shell command; it is killed (with what it started) after this",
     .minimum = 1, .maximum = 3600, .allowFraction = true},
};

std::string upper(std::string_view s)
{
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return out;
}


}  // namespace

std::span<const SettingDefinition> SettingCatalog::all() noexcept
{
    return kDefinitions;
}

std::span<const std::string_view> SettingCatalog::groups() noexcept
{
    return kGroups;
}

const SettingDefinition* SettingCatalog::find(std::string_view key) noexcept
{
    const auto it = std::find_if(std::begin(kDefinitions), std::end(kDefinitions),
                                 [key](const SettingDefinition& d) { return d.key == key; });
    return it == std::end(kDefinitions) ? nullptr : &*it;
}

std::optional<std::string> SettingCatalog::closestKey(std::string_view unknown)
{
    const std::string wanted = upper(unknown);
    const SettingDefinition* best = nullptr;
    std::size_t bestDistance = 0;
    for (const auto& definition : kDefinitions) {
        const auto distance = editDistance(wanted, definition.key);
        if (best == nullptr || distance < bestDistance) {
            best = &definition;
            bestDistance = distance;
        }
    }
    // About one edit per four characters of the longer name: catches typos and
    // a missing prefix (POOL_SIZE -> DB_POOL_SIZE) without suggesting an
    // unrelated key.
    if (best == nullptr)
        return std::nullopt;
    const std::size_t tolerance = std::max<std::size_t>(2, std::max(wanted.size(), best->key.size()) / 4);
    if (bestDistance > tolerance)
        return std::nullopt;
    return std::string(best->key);
}

}  // namespace pulse

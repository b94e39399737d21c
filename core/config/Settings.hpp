#pragma once
// Effective, validated settings of one Pulse engine. Built only by
// SettingsLoader, which refuses an invalid configuration as a whole
// (ConfigError listing every problem), so a Settings value is always valid.

#include "config/DrillCommandKey.hpp"
#include "config/SettingSource.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pulse {

struct PoolSettings {
    int size = 5;                                 // pool_size: connections kept
    int maxOverflow = 10;                         // extra connections under load, closed on return
    std::chrono::milliseconds timeout{30'000};    // pool_timeout: longest wait for a connection
    std::chrono::seconds recycle{3600};           // pool_recycle: replaced at checkout when older
};

// One replica as the router and the monitor see it: "replica" for the first,
// "replica2", "replica3", ... for the others of POSTGRES_REPLICA_HOSTS.
struct ReplicaEndpoint {
    std::string name;
    std::string host;
    int port = 5433;
};

// One effective value with its origin, for `pulsectl config`.
struct ResolvedSetting {
    std::string value;   // raw text as given (NOT masked: use displayValue())
    SettingSource source;
    bool secret = false;
};

struct Settings {
    // Primary (POSTGRES_*)
    std::string primaryHost = "localhost";
    int primaryPort = 5432;
    std::string user = "pulse_user";
    std::string password;  // empty: libpq's PGPASSWORD / PGPASSFILE / ~/.pgpass apply
    std::string database = "pulse_db";

    // Replica (POSTGRES_REPLICA_*); an empty host means "no replica configured".
    std::string replicaHost = "localhost";
    int replicaPort = 5433;
    std::string replicaHosts;  // POSTGRES_REPLICA_HOSTS: several replicas; wins over POSTGRES_REPLICA_HOST

    PoolSettings primaryPool{20, 30, std::chrono::milliseconds(60'000), std::chrono::seconds(3600)};
    PoolSettings replicaPool{15, 20, std::chrono::milliseconds(30'000), std::chrono::seconds(3600)};
    bool poolPrePing = false;  // DB_POOL_PRE_PING: round-trip check at checkout

    bool useReadReplica = true;          // USE_READ_REPLICA
    bool replicaFallbackEnabled = true;  // REPLICA_FALLBACK_ENABLED

    std::chrono::seconds connectTimeout{3};              // DB_CONNECT_TIMEOUT (libpq's minimum is 2)
    std::chrono::milliseconds queryDeadlineGrace{5000};  // DB_QUERY_DEADLINE_GRACE_MS

    // statement_timeout of the session profiles (0 = none)
    std::chrono::milliseconds etlStatementTimeout{1'800'000};   // DB_ETL_STATEMENT_TIMEOUT_MS
    std::chrono::milliseconds adminStatementTimeout{5'000};     // DB_ADMIN_STATEMENT_TIMEOUT_MS
    std::chrono::milliseconds userStatementTimeout{10'000};     // DB_USER_STATEMENT_TIMEOUT_MS
    std::chrono::milliseconds analyticsStatementTimeout{60'000};// DB_ANALYTICS_STATEMENT_TIMEOUT_MS

    // Monitoring (MONITOR_*, BREAKER_*, METRICS_*)
    std::chrono::milliseconds monitorInterval{500};       // MONITOR_INTERVAL_MS
    std::chrono::milliseconds monitorProbeTimeout{400};   // MONITOR_PROBE_TIMEOUT_MS: the monitor's own deadline
    int breakerFailureThreshold = 1;                      // BREAKER_FAILURE_THRESHOLD
    std::chrono::milliseconds breakerOpen{5000};          // BREAKER_OPEN_SECONDS
    std::chrono::seconds metricsHistory{3600};            // METRICS_HISTORY_SECONDS: chart series length

    // Routing that follows the topology
    double replicaMaxLagSeconds = 2.0;                    // REPLICA_MAX_LAG_SECONDS (0: no limit)
    std::int64_t replicaMaxLagBytes = 16 * 1024 * 1024;   // REPLICA_MAX_LAG_BYTES (0: no limit)
    std::chrono::milliseconds replicaReadmit{5000};       // REPLICA_READMIT_SECONDS
    std::chrono::milliseconds readYourWritesWait{100};    // READ_YOUR_WRITES_WAIT_MS

    // Alerts (the plan's thresholds)
    double alertLagWarningSeconds = 5;                    // ALERT_LAG_WARNING_SECONDS
    double alertLagCriticalSeconds = 30;                  // ALERT_LAG_CRITICAL_SECONDS
    double alertPoolUtilisationPercent = 90;              // ALERT_POOL_UTILISATION_PERCENT
    double alertTimeoutRatePercent = 5;                   // ALERT_TIMEOUT_RATE_PERCENT
    std::chrono::milliseconds alertTimeoutWindow{60'000}; // ALERT_TIMEOUT_WINDOW_SECONDS
    std::chrono::milliseconds alertClear{5000};           // ALERT_CLEAR_SECONDS

    // ETL loads and dashboard readers
    int etlChunkSize = 1000;                              // ETL_CHUNK_SIZE
    int etlMaxRowsPerSecond = 0;                          // ETL_MAX_ROWS_PER_SECOND (0: no throttle)
    double etlLagBrakeSeconds = 0;                        // ETL_LAG_BRAKE_SECONDS (0: no brake)
    std::chrono::milliseconds etlRetry{60'000};           // ETL_RETRY_SECONDS
    int etlConnections = 2;                               // ETL_CONNECTIONS
    int dashboardReaders = 4;                             // DASHBOARD_READERS
    std::chrono::milliseconds dashboardThink{200};        // DASHBOARD_THINK_MS

    // Drills
    bool drillAllowDestructive = false;                   // DRILL_ALLOW_DESTRUCTIVE
    std::chrono::milliseconds drillCommandTimeout{60'000};// DRILL_COMMAND_TIMEOUT_SECONDS
    // DRILL_COMMAND_<ACTION>_<NODE>: the shell command per action and node;
    // an empty value is no command (so a higher layer can remove one).
    std::map<DrillCommandKey, std::string> drillCommands;

    // Every known key -> effective value and source; also every
    // DRILL_COMMAND_* key that was set (non-empty or not).
    std::map<std::string, ResolvedSetting> resolved;

    bool replicaConfigured() const { return !replicas().empty(); }
    // POSTGRES_REPLICA_HOSTS when set, else POSTGRES_REPLICA_HOST/PORT (empty host: none).
    std::vector<ReplicaEndpoint> replicas() const;
    // The command configured for `action` on `node`; std::nullopt when none.
    std::optional<std::string> drillCommand(NodeAction action, const std::string& node) const;
    // ETL_MAX_ROWS_PER_SECOND as a throttle: none when it is 0.
    std::optional<int> etlRowsPerSecondLimit() const
    {
        return etlMaxRowsPerSecond > 0 ? std::optional<int>(etlMaxRowsPerSecond) : std::nullopt;
    }
    // Every setting a person may look at, in display order: the catalogue's
    // keys, then the DRILL_COMMAND_* commands given (not in the catalogue:
    // their keys are open-ended). Values shown masked, with their source.
    struct Shown {
        std::string key;
        std::string value;  // displayValue(): secrets and passwords masked
        std::string source;
        std::string group;
        std::string meaning;
        bool secret = false;
    };
    std::vector<Shown> shown() const;
    // The value as it may be shown to a person: secrets become "********"
    // (or "(not set)" when empty); a DRILL_COMMAND_* value is shown with
    // inline passwords masked (maskCommandSecrets). Unknown key -> std::nullopt.
    std::optional<std::string> displayValue(const std::string& key) const;
};

}  // namespace pulse

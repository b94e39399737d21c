// Unit tests of the settings catalogue and SettingsLoader: defaults of the
// plan, precedence of the layers, validation that reports every problem at
// once, and passwords that never show. Files only inside a QTemporaryDir.

#include "common/Errors.hpp"
#include "config/DotEnvParser.hpp"
#include "config/SettingCatalog.hpp"
#include "config/Settings.hpp"
#include "config/SettingsLoader.hpp"

#include <QtTest>

#include <cmath>

#include <fstream>
#include <set>
#include <string>

using namespace pulse;

Q_DECLARE_METATYPE(pulse::SourceKind)

namespace {

const std::string kSecret = "hunter2-very-secret";

QByteArray qb(const std::string& s)
{
    return QByteArray::fromStdString(s);
}

void writeFile(const std::string& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary);
    out << text;
}

std::string count(auto duration)
{
    return std::to_string(duration.count());
}

// The typed field a key lands in, as text: proves each key reaches its own field.
std::string fieldText(const Settings& s, std::string_view key)
{
    const auto flag = [](bool b) { return std::string(b ? "true" : "false"); };
    if (key == "POSTGRES_HOST") return s.primaryHost;
    if (key == "POSTGRES_PORT") return std::to_string(s.primaryPort);
    if (key == "POSTGRES_USER") return s.user;
    if (key == "POSTGRES_PASSWORD") return s.password;
    if (key == "POSTGRES_DATABASE") return s.database;
    if (key == "POSTGRES_REPLICA_HOST") return s.replicaHost;
    if (key == "POSTGRES_REPLICA_PORT") return std::to_string(s.replicaPort);
    if (key == "DB_POOL_SIZE") return std::to_string(s.primaryPool.size);
    if (key == "DB_MAX_OVERFLOW") return std::to_string(s.primaryPool.maxOverflow);
    if (key == "DB_POOL_TIMEOUT") return count(s.primaryPool.timeout);
    if (key == "DB_POOL_RECYCLE") return count(s.primaryPool.recycle);
    if (key == "DB_POOL_PRE_PING") return flag(s.poolPrePing);
    if (key == "DB_REPLICA_POOL_SIZE") return std::to_string(s.replicaPool.size);
    if (key == "DB_REPLICA_MAX_OVERFLOW") return std::to_string(s.replicaPool.maxOverflow);
    if (key == "DB_REPLICA_POOL_TIMEOUT") return count(s.replicaPool.timeout);
    if (key == "DB_REPLICA_POOL_RECYCLE") return count(s.replicaPool.recycle);
    if (key == "USE_READ_REPLICA") return flag(s.useReadReplica);
    if (key == "REPLICA_FALLBACK_ENABLED") return flag(s.replicaFallbackEnabled);
    if (key == "DB_CONNECT_TIMEOUT") return count(s.connectTimeout);
    if (key == "DB_QUERY_DEADLINE_GRACE_MS") return count(s.queryDeadlineGrace);
    if (key == "DB_ETL_STATEMENT_TIMEOUT_MS") return count(s.etlStatementTimeout);
    if (key == "DB_ADMIN_STATEMENT_TIMEOUT_MS") return count(s.adminStatementTimeout);
    if (key == "DB_USER_STATEMENT_TIMEOUT_MS") return count(s.userStatementTimeout);
    if (key == "DB_ANALYTICS_STATEMENT_TIMEOUT_MS") return count(s.analyticsStatementTimeout);
    if (key == "POSTGRES_REPLICA_HOSTS") return s.replicaHosts;
    if (key == "MONITOR_INTERVAL_MS") return count(s.monitorInterval);
    if (key == "MONITOR_PROBE_TIMEOUT_MS") return count(s.monitorProbeTimeout);
    if (key == "BREAKER_FAILURE_THRESHOLD") return std::to_string(s.breakerFailureThreshold);
    if (key == "BREAKER_OPEN_SECONDS") return count(s.breakerOpen);
    if (key == "METRICS_HISTORY_SECONDS") return count(s.metricsHistory);
    if (key == "REPLICA_MAX_LAG_SECONDS") return std::to_string(std::lround(s.replicaMaxLagSeconds * 1000));
    if (key == "REPLICA_MAX_LAG_BYTES") return std::to_string(s.replicaMaxLagBytes);
    if (key == "REPLICA_READMIT_SECONDS") return count(s.replicaReadmit);
    if (key == "READ_YOUR_WRITES_WAIT_MS") return count(s.readYourWritesWait);
    if (key == "ALERT_LAG_WARNING_SECONDS") return std::to_string(std::lround(s.alertLagWarningSeconds * 1000));
    if (key == "ALERT_LAG_CRITICAL_SECONDS") return std::to_string(std::lround(s.alertLagCriticalSeconds * 1000));
    if (key == "ALERT_POOL_UTILISATION_PERCENT") return std::to_string(std::lround(s.alertPoolUtilisationPercent));
    if (key == "ALERT_TIMEOUT_RATE_PERCENT") return std::to_string(std::lround(s.alertTimeoutRatePercent));
    if (key == "ALERT_TIMEOUT_WINDOW_SECONDS") return count(s.alertTimeoutWindow);
    if (key == "ALERT_CLEAR_SECONDS") return count(s.alertClear);
    if (key == "ETL_CHUNK_SIZE") return std::to_string(s.etlChunkSize);
    if (key == "ETL_MAX_ROWS_PER_SECOND") return std::to_string(s.etlMaxRowsPerSecond);
    if (key == "ETL_LAG_BRAKE_SECONDS") return std::to_string(std::lround(s.etlLagBrakeSeconds * 1000));
    if (key == "ETL_RETRY_SECONDS") return count(s.etlRetry);
    if (key == "ETL_CONNECTIONS") return std::to_string(s.etlConnections);
    if (key == "DASHBOARD_READERS") return std::to_string(s.dashboardReaders);
    if (key == "DASHBOARD_THINK_MS") return count(s.dashboardThink);
    if (key == "DRILL_ALLOW_DESTRUCTIVE") return flag(s.drillAllowDestructive);
    if (key == "DRILL_COMMAND_TIMEOUT_SECONDS") return count(s.drillCommandTimeout);
    return "<no field for " + std::string(key) + ">";
}

// One valid non-default value per key and the typed field it must produce
// (durations in the field's own unit). Used by typedValue() and checked to
// cover the whole catalogue.
struct TypedCase {
    const char* name;
    const char* key;
    const char* raw;
    std::string expected;
};

const std::vector<TypedCase>& typedCases()
{
    static const std::vector<TypedCase> cases{
        {"host", "POSTGRES_HOST", "db.example.com", "db.example.com"},
        {"host with spaces around", "POSTGRES_HOST", "  db1 ", "db1"},
        {"port", "POSTGRES_PORT", "6543", "6543"},
        {"user", "POSTGRES_USER", "alice", "alice"},
        {"empty user falls to libpq", "POSTGRES_USER", "", ""},
        {"password kept exactly", "POSTGRES_PASSWORD", " p@ss word ", " p@ss word "},
        {"database", "POSTGRES_DATABASE", "analytics", "analytics"},
        {"replica host", "POSTGRES_REPLICA_HOST", "replica.example.com", "replica.example.com"},
        {"no replica", "POSTGRES_REPLICA_HOST", "", ""},
        {"replica port", "POSTGRES_REPLICA_PORT", "6544", "6544"},
        {"pool size", "DB_POOL_SIZE", "7", "7"},
        {"pool size with spaces", "DB_POOL_SIZE", " 25 ", "25"},
        {"pool size max", "DB_POOL_SIZE", "1000", "1000"},
        {"no overflow", "DB_MAX_OVERFLOW", "0", "0"},
        {"pool timeout decimal", "DB_POOL_TIMEOUT", "0.5", "500"},
        {"pool timeout trailing zeros", "DB_POOL_TIMEOUT", "30.00", "30000"},
        {"pool timeout rounds to ms", "DB_POOL_TIMEOUT", "1.2345", "1235"},
        {"pool timeout zero", "DB_POOL_TIMEOUT", "0", "0"},
        {"recycle", "DB_POOL_RECYCLE", "120", "120"},
        {"recycle never", "DB_POOL_RECYCLE", "-1", count(SettingsLoader::kNeverRecycle)},
        {"pre-ping yes", "DB_POOL_PRE_PING", "yes", "true"},
        {"pre-ping ON", "DB_POOL_PRE_PING", "ON", "true"},
        {"pre-ping 1", "DB_POOL_PRE_PING", "1", "true"},
        {"replica pool size", "DB_REPLICA_POOL_SIZE", "3", "3"},
        {"replica overflow", "DB_REPLICA_MAX_OVERFLOW", "4", "4"},
        {"replica pool timeout", "DB_REPLICA_POOL_TIMEOUT", "1.5", "1500"},
        {"replica recycle", "DB_REPLICA_POOL_RECYCLE", "60", "60"},
        {"replica recycle never", "DB_REPLICA_POOL_RECYCLE", "-1", count(SettingsLoader::kNeverRecycle)},
        {"replica off", "USE_READ_REPLICA", "false", "false"},
        {"replica Off", "USE_READ_REPLICA", "Off", "false"},
        {"replica NO", "USE_READ_REPLICA", "NO", "false"},
        {"fallback 0", "REPLICA_FALLBACK_ENABLED", "0", "false"},
        {"connect timeout minimum", "DB_CONNECT_TIMEOUT", "2", "2"},
        {"connect timeout maximum", "DB_CONNECT_TIMEOUT", "300", "300"},
        {"deadline grace", "DB_QUERY_DEADLINE_GRACE_MS", "250", "250"},
        {"etl timeout", "DB_ETL_STATEMENT_TIMEOUT_MS", "3600000", "3600000"},
        {"etl no timeout", "DB_ETL_STATEMENT_TIMEOUT_MS", "0", "0"},
        {"admin timeout", "DB_ADMIN_STATEMENT_TIMEOUT_MS", "2000", "2000"},
        {"user timeout", "DB_USER_STATEMENT_TIMEOUT_MS", "15000", "15000"},
        {"analytics timeout", "DB_ANALYTICS_STATEMENT_TIMEOUT_MS", "120000", "120000"},
        {"replica list", "POSTGRES_REPLICA_HOSTS", "r1:6001, r2 ,[::1]:6003", "r1:6001, r2 ,[::1]:6003"},
        {"replica list empty", "POSTGRES_REPLICA_HOSTS", "", ""},
        {"monitor interval", "MONITOR_INTERVAL_MS", "1000", "1000"},
        {"probe timeout", "MONITOR_PROBE_TIMEOUT_MS", "200", "200"},
        {"breaker threshold", "BREAKER_FAILURE_THRESHOLD", "3", "3"},
        {"breaker open decimal", "BREAKER_OPEN_SECONDS", "0.5", "500"},
        {"history", "METRICS_HISTORY_SECONDS", "600", "600"},
        {"max lag seconds", "REPLICA_MAX_LAG_SECONDS", "0.25", "250"},
        {"max lag off", "REPLICA_MAX_LAG_SECONDS", "0", "0"},
        {"max lag bytes", "REPLICA_MAX_LAG_BYTES", "1048576", "1048576"},
        {"readmit", "REPLICA_READMIT_SECONDS", "1.5", "1500"},
        {"ryw wait", "READ_YOUR_WRITES_WAIT_MS", "0", "0"},
        {"lag warning", "ALERT_LAG_WARNING_SECONDS", "2", "2000"},
        {"lag critical", "ALERT_LAG_CRITICAL_SECONDS", "60", "60000"},
        {"pool alert", "ALERT_POOL_UTILISATION_PERCENT", "80", "80"},
        {"timeout rate", "ALERT_TIMEOUT_RATE_PERCENT", "10", "10"},
        {"timeout window", "ALERT_TIMEOUT_WINDOW_SECONDS", "30", "30000"},
        {"alert clear", "ALERT_CLEAR_SECONDS", "0", "0"},
        {"chunk size", "ETL_CHUNK_SIZE", "5000", "5000"},
        {"throttle", "ETL_MAX_ROWS_PER_SECOND", "2500", "2500"},
        {"lag brake", "ETL_LAG_BRAKE_SECONDS", "1.5", "1500"},
        {"etl retry", "ETL_RETRY_SECONDS", "10", "10000"},
        {"etl connections", "ETL_CONNECTIONS", "4", "4"},
        {"readers", "DASHBOARD_READERS", "16", "16"},
        {"think time", "DASHBOARD_THINK_MS", "0", "0"},
        {"destructive drills allowed", "DRILL_ALLOW_DESTRUCTIVE", "true", "true"},
        {"drill command timeout", "DRILL_COMMAND_TIMEOUT_SECONDS", "1.5", "1500"},
    };
    return cases;
}

LoadOptions hermeticOptions()
{
    LoadOptions options;
    options.useDefaultEnvFile = false;
    return options;
}

// One value given either through the environment or on the command line.
LoadOptions optionsWith(const QByteArray& key, const QByteArray& raw, bool viaEnvironment)
{
    LoadOptions options = hermeticOptions();
    if (viaEnvironment)
        options.environment[key.toStdString()] = raw.toStdString();
    else
        options.commandLine.emplace_back(key.toStdString(), raw.toStdString());
    return options;
}

ConfigError expectConfigError(const LoadOptions& options)
{
    try {
        SettingsLoader::load(options);
    } catch (const ConfigError& error) {
        return error;
    }
    return ConfigError({});
}

// Runs a test body from another working directory and always comes back.
class CurrentDirGuard {
public:
    explicit CurrentDirGuard(const QString& dir) : m_previous(QDir::currentPath()) { QDir::setCurrent(dir); }
    ~CurrentDirGuard() { QDir::setCurrent(m_previous); }
    CurrentDirGuard(const CurrentDirGuard&) = delete;
    CurrentDirGuard& operator=(const CurrentDirGuard&) = delete;

private:
    QString m_previous;
};

}  // namespace

class TestSettings : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void catalogueIsComplete();
    void defaultsAreThePlanValues();
    void typedValue_data();
    void typedValue();
    void typedCasesCoverEveryKey();
    void precedence_data();
    void precedence();
    void laterSetWins();
    void invalidValue_data();
    void invalidValue();
    void everyBadInputInOneError();
    void issuesOfSeveralLayersTogether();
    void overriddenBadValueIsNotReported();
    void parseErrorsAreReportedEvenWhenOverridden();
    void passwordNeverShown_data();
    void passwordNeverShown();
    void displayValue();
    void missingEnvFile();
    void defaultEnvFile();
    void unknownKeysInFileAndEnvironmentIgnored();
    void unknownSetKey_data();
    void unknownSetKey();
    void unknownSandboxKey();
    void envExampleLoads();
    void keysThatMustAgree();
    void replicaList();
    void currentEnvironment();
    void drillCommands();
    void drillCommandKeys_data();
    void drillCommandKeys();
    void badDrillCommandKey_data();
    void badDrillCommandKey();
    void drillCommandPasswordsMasked();
};

void TestSettings::catalogueIsComplete()
{
    const auto groups = SettingCatalog::groups();
    const std::vector<std::string_view> expectedGroups{
        "Primary",  "Replica",    "Pool (primary)",                    "Pool (replica)", "Routing flags",
        "Timeouts", "Monitoring", "Routing that follows the topology", "Alerts", "ETL loads and dashboard readers",
        "Drills"};
    QVERIFY(std::equal(groups.begin(), groups.end(), expectedGroups.begin(), expectedGroups.end()));

    std::set<std::string_view> keys;
    std::size_t groupIndex = 0;
    for (const auto& definition : SettingCatalog::all()) {
        QVERIFY2(keys.insert(definition.key).second, definition.key.data());
        QVERIFY(!definition.meaning.empty());
        QVERIFY(!definition.expectedForm().empty());
        QCOMPARE(SettingCatalog::find(definition.key), &definition);
        // Grouped in display order: the group index never goes back.
        const auto it = std::find(groups.begin(), groups.end(), definition.group);
        QVERIFY2(it != groups.end(), definition.key.data());
        const auto index = static_cast<std::size_t>(it - groups.begin());
        QVERIFY(index >= groupIndex);
        groupIndex = index;
    }
    QCOMPARE(keys.size(), std::size_t(49));
    QVERIFY(SettingCatalog::find("NOT_A_SETTING") == nullptr);
    QVERIFY(SettingCatalog::find("POSTGRES_PASSWORD")->secret());
    QCOMPARE(qb(SettingCatalog::find("DB_POOL_SIZE")->expectedForm()), QByteArray("an integer from 1 to 1000"));
}

void TestSettings::defaultsAreThePlanValues()
{
    const Settings s = SettingsLoader::load(hermeticOptions());

    // The plan's values, spelled out.
    QCOMPARE(qb(s.primaryHost), QByteArray("localhost"));
    QCOMPARE(s.primaryPort, 5432);
    QCOMPARE(qb(s.user), QByteArray("pulse_user"));
    QCOMPARE(qb(s.password), QByteArray(""));
    QCOMPARE(qb(s.database), QByteArray("pulse_db"));
    QCOMPARE(qb(s.replicaHost), QByteArray("localhost"));
    QCOMPARE(s.replicaPort, 5433);
    QVERIFY(s.replicaConfigured());
    QCOMPARE(s.primaryPool.size, 20);
    QCOMPARE(s.primaryPool.maxOverflow, 30);
    QCOMPARE(s.primaryPool.timeout.count(), 60'000);
    QCOMPARE(s.primaryPool.recycle.count(), 3600);
    QCOMPARE(s.replicaPool.size, 15);
    QCOMPARE(s.replicaPool.maxOverflow, 20);
    QCOMPARE(s.replicaPool.timeout.count(), 30'000);
    QCOMPARE(s.replicaPool.recycle.count(), 3600);
    QCOMPARE(s.poolPrePing, false);
    QCOMPARE(s.useReadReplica, true);
    QCOMPARE(s.replicaFallbackEnabled, true);
    QCOMPARE(s.connectTimeout.count(), 3);
    QCOMPARE(s.queryDeadlineGrace.count(), 5000);
    QCOMPARE(s.etlStatementTimeout.count(), 1'800'000);
    QCOMPARE(s.adminStatementTimeout.count(), 5000);
    QCOMPARE(s.userStatementTimeout.count(), 10'000);
    QCOMPARE(s.analyticsStatementTimeout.count(), 60'000);

    // The catalogue's defaults and the initialisers of Settings.hpp agree, and
    // every key is resolved from the default.
    const Settings initialised;
    QCOMPARE(s.resolved.size(), SettingCatalog::all().size());
    for (const auto& definition : SettingCatalog::all()) {
        const std::string key(definition.key);
        QCOMPARE(qb(fieldText(s, key)), qb(fieldText(initialised, key)));
        const auto& resolved = s.resolved.at(key);
        QCOMPARE(qb(resolved.value), qb(std::string(definition.defaultValue)));
        QCOMPARE(resolved.source.kind, SourceKind::Default);
        QCOMPARE(qb(resolved.source.location), QByteArray("default"));
        QCOMPARE(resolved.secret, definition.secret());
    }
}

void TestSettings::typedValue_data()
{
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<QByteArray>("expected");
    for (const auto& c : typedCases())
        QTest::addRow("%s", c.name) << QByteArray(c.key) << QByteArray(c.raw) << qb(c.expected);
}

void TestSettings::typedValue()
{
    QFETCH(QByteArray, key);
    QFETCH(QByteArray, raw);
    QFETCH(QByteArray, expected);

    for (const bool viaEnvironment : {false, true}) {
        const LoadOptions options = optionsWith(key, raw, viaEnvironment);
        const Settings s = SettingsLoader::load(options);
        QCOMPARE(qb(fieldText(s, key.toStdString())), expected);
        QCOMPARE(qb(s.resolved.at(key.toStdString()).value), raw);  // raw text, as given
    }
}

void TestSettings::typedCasesCoverEveryKey()
{
    std::set<std::string> covered;
    for (const auto& c : typedCases())
        covered.insert(c.key);
    for (const auto& definition : SettingCatalog::all())
        QVERIFY2(covered.count(std::string(definition.key)) == 1, definition.key.data());
}

void TestSettings::precedence_data()
{
    QTest::addColumn<bool>("sandbox");
    QTest::addColumn<bool>("file");
    QTest::addColumn<bool>("environment");
    QTest::addColumn<bool>("commandLine");
    QTest::addColumn<int>("expectedSize");
    QTest::addColumn<SourceKind>("expectedKind");

    // Each layer sets DB_POOL_SIZE to a value of its own: 11 sandbox, 12 file, 13 environment, 14 --set.
    QTest::addRow("default only") << false << false << false << false << 20 << SourceKind::Default;
    QTest::addRow("sandbox over default") << true << false << false << false << 11 << SourceKind::Sandbox;
    QTest::addRow("file over sandbox") << true << true << false << false << 12 << SourceKind::File;
    QTest::addRow("file over default") << false << true << false << false << 12 << SourceKind::File;
    QTest::addRow("environment over file") << true << true << true << false << 13 << SourceKind::Environment;
    QTest::addRow("environment over sandbox") << true << false << true << false << 13 << SourceKind::Environment;
    QTest::addRow("command line over everything") << true << true << true << true << 14 << SourceKind::CommandLine;
    QTest::addRow("command line over file") << false << true << false << true << 14 << SourceKind::CommandLine;
}

void TestSettings::precedence()
{
    QFETCH(bool, sandbox);
    QFETCH(bool, file);
    QFETCH(bool, environment);
    QFETCH(bool, commandLine);
    QFETCH(int, expectedSize);
    QFETCH(SourceKind, expectedKind);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string path = dir.filePath(QStringLiteral("pulse.env")).toStdString();
    // Each layer also sets one key of its own, whose source must stay that layer.
    writeFile(path, "# pool\nDB_POOL_SIZE=12\nPOSTGRES_DATABASE=from_file\n");

    LoadOptions options = hermeticOptions();
    if (sandbox)
        options.sandbox = SettingsLayer{SettingSource{SourceKind::Sandbox, "sandbox /tmp/pulse-sandbox-0"},
                                        {{"DB_POOL_SIZE", "11"}, {"POSTGRES_PORT", "6000"}}};
    if (file)
        options.envFile = path;
    if (environment)
        options.environment = {{"DB_POOL_SIZE", "13"}, {"POSTGRES_USER", "from_env"}};
    if (commandLine)
        options.commandLine = {{"DB_POOL_SIZE", "14"}, {"USE_READ_REPLICA", "off"}};

    const Settings s = SettingsLoader::load(options);
    QCOMPARE(s.primaryPool.size, expectedSize);
    const auto& pool = s.resolved.at("DB_POOL_SIZE");
    QCOMPARE(pool.source.kind, expectedKind);
    QCOMPARE(qb(pool.value), qb(std::to_string(expectedSize)));

    const std::map<SourceKind, std::string> locations{{SourceKind::Default, "default"},
                                                      {SourceKind::Sandbox, "sandbox /tmp/pulse-sandbox-0"},
                                                      {SourceKind::File, path + ":2"},
                                                      {SourceKind::Environment, "environment"},
                                                      {SourceKind::CommandLine, "--set"}};
    QCOMPARE(qb(pool.source.location), qb(locations.at(expectedKind)));
    QCOMPARE(qb(pool.source.describe()), qb(locations.at(expectedKind)));

    // Keys set by a single layer keep that layer as their source.
    QCOMPARE(s.resolved.at("POSTGRES_PORT").source.kind, sandbox ? SourceKind::Sandbox : SourceKind::Default);
    QCOMPARE(s.primaryPort, sandbox ? 6000 : 5432);
    QCOMPARE(s.resolved.at("POSTGRES_DATABASE").source.kind, file ? SourceKind::File : SourceKind::Default);
    if (file)
        QCOMPARE(qb(s.resolved.at("POSTGRES_DATABASE").source.location), qb(path + ":3"));
    QCOMPARE(s.resolved.at("POSTGRES_USER").source.kind, environment ? SourceKind::Environment : SourceKind::Default);
    QCOMPARE(s.resolved.at("USE_READ_REPLICA").source.kind,
             commandLine ? SourceKind::CommandLine : SourceKind::Default);
    QCOMPARE(s.useReadReplica, !commandLine);
    QCOMPARE(s.resolved.at("DB_POOL_TIMEOUT").source.kind, SourceKind::Default);
}

void TestSettings::laterSetWins()
{
    LoadOptions options = hermeticOptions();
    options.commandLine = {{"DB_POOL_SIZE", "abc"}, {"DB_POOL_SIZE", "40"}};
    QCOMPARE(SettingsLoader::load(options).primaryPool.size, 40);
}

void TestSettings::invalidValue_data()
{
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<QByteArray>("expected");  // after "expected "

    const QByteArray poolSize("an integer from 1 to 1000");
    const QByteArray port("a port number from 1 to 65535");
    const QByteArray poolTimeout("a number of seconds from 0 to 3600 (decimals allowed, e.g. 0.5)");
    const QByteArray recycle("a whole number of seconds from -1 to 604800 (-1 = never recycle)");
    const QByteArray flag("true or false (also 1/0, yes/no, on/off)");

    QTest::addRow("pool size not a number") << QByteArray("DB_POOL_SIZE") << QByteArray("abc") << poolSize;
    QTest::addRow("pool size negative") << QByteArray("DB_POOL_SIZE") << QByteArray("-1") << poolSize;
    QTest::addRow("pool size zero") << QByteArray("DB_POOL_SIZE") << QByteArray("0") << poolSize;
    QTest::addRow("pool size too big") << QByteArray("DB_POOL_SIZE") << QByteArray("1001") << poolSize;
    QTest::addRow("pool size decimal") << QByteArray("DB_POOL_SIZE") << QByteArray("2.5") << poolSize;
    QTest::addRow("pool size empty") << QByteArray("DB_POOL_SIZE") << QByteArray("") << poolSize;
    QTest::addRow("pool size plus sign") << QByteArray("DB_POOL_SIZE") << QByteArray("+5") << poolSize;
    QTest::addRow("pool size overflow") << QByteArray("DB_POOL_SIZE") << QByteArray("99999999999999999999")
                                        << poolSize;
    QTest::addRow("overflow negative") << QByteArray("DB_MAX_OVERFLOW") << QByteArray("-1")
                                       << QByteArray("an integer from 0 to 1000");
    QTest::addRow("port too big") << QByteArray("POSTGRES_PORT") << QByteArray("70000") << port;
    QTest::addRow("port zero") << QByteArray("POSTGRES_REPLICA_PORT") << QByteArray("0") << port;
    QTest::addRow("port with text") << QByteArray("POSTGRES_PORT") << QByteArray("5432x") << port;
    QTest::addRow("flag maybe") << QByteArray("USE_READ_REPLICA") << QByteArray("maybe") << flag;
    QTest::addRow("flag empty") << QByteArray("REPLICA_FALLBACK_ENABLED") << QByteArray("") << flag;
    QTest::addRow("timeout exponent") << QByteArray("DB_POOL_TIMEOUT") << QByteArray("1e3") << poolTimeout;
    QTest::addRow("timeout negative") << QByteArray("DB_POOL_TIMEOUT") << QByteArray("-1") << poolTimeout;
    QTest::addRow("timeout too long") << QByteArray("DB_POOL_TIMEOUT") << QByteArray("3600.5") << poolTimeout;
    QTest::addRow("timeout bare dot") << QByteArray("DB_REPLICA_POOL_TIMEOUT") << QByteArray(".5")
                                      << QByteArray("a number of seconds from 0 to 3600 (decimals allowed, e.g. 0.5)");
    QTest::addRow("timeout trailing dot") << QByteArray("DB_POOL_TIMEOUT") << QByteArray("1.") << poolTimeout;
    QTest::addRow("timeout with unit") << QByteArray("DB_POOL_TIMEOUT") << QByteArray("30s") << poolTimeout;
    QTest::addRow("recycle below -1") << QByteArray("DB_POOL_RECYCLE") << QByteArray("-2") << recycle;
    QTest::addRow("recycle decimal") << QByteArray("DB_POOL_RECYCLE") << QByteArray("1.5") << recycle;
    QTest::addRow("recycle over a week") << QByteArray("DB_REPLICA_POOL_RECYCLE") << QByteArray("604801")
                                         << recycle;
    const QByteArray hostList("a comma-separated list of host or host:port (port from 1 to 65535), or empty");
    QTest::addRow("replica list bad port") << QByteArray("POSTGRES_REPLICA_HOSTS") << QByteArray("r1:70000,r2")
                                           << hostList;
    QTest::addRow("replica list empty entry") << QByteArray("POSTGRES_REPLICA_HOSTS") << QByteArray("r1,,r2")
                                              << hostList;
    QTest::addRow("replica list missing port") << QByteArray("POSTGRES_REPLICA_HOSTS") << QByteArray("r1:")
                                               << hostList;
    QTest::addRow("interval too short") << QByteArray("MONITOR_INTERVAL_MS") << QByteArray("10")
                                        << QByteArray("an integer number of milliseconds from 50 to 60000");
    QTest::addRow("pool alert over 100") << QByteArray("ALERT_POOL_UTILISATION_PERCENT") << QByteArray("150")
                                         << QByteArray("an integer number of percent from 1 to 100");
    QTest::addRow("connect timeout below libpq minimum")
        << QByteArray("DB_CONNECT_TIMEOUT") << QByteArray("1")
        << QByteArray("a whole number of seconds from 2 to 300 (libpq's effective minimum is 2)");
    QTest::addRow("statement timeout negative")
        << QByteArray("DB_ETL_STATEMENT_TIMEOUT_MS") << QByteArray("-5")
        << QByteArray("an integer number of milliseconds from 0 to 2147483647 (0 = no timeout)");
    QTest::addRow("grace not a number") << QByteArray("DB_QUERY_DEADLINE_GRACE_MS") << QByteArray("5s")
                                        << QByteArray("an integer number of milliseconds from 0 to 3600000");
    QTest::addRow("empty primary host") << QByteArray("POSTGRES_HOST") << QByteArray("")
                                        << QByteArray("a host name or address (not empty, no spaces)");
    QTest::addRow("host with a space") << QByteArray("POSTGRES_REPLICA_HOST") << QByteArray("my host")
                                       << QByteArray("a host name or address without spaces, or empty");
}

void TestSettings::invalidValue()
{
    QFETCH(QByteArray, key);
    QFETCH(QByteArray, raw);
    QFETCH(QByteArray, expected);

    for (const bool viaEnvironment : {false, true}) {
        const LoadOptions options = optionsWith(key, raw, viaEnvironment);
        const ConfigError error = expectConfigError(options);
        QCOMPARE(error.issues().size(), std::size_t(1));
        const auto& issue = error.issues().front();
        const QByteArray location = viaEnvironment ? "environment" : "--set";
        QCOMPARE(qb(issue.message), QByteArray(location + ": " + key + "=" + raw + ": expected " + expected));
        QCOMPARE(qb(issue.key), key);
        QCOMPARE(qb(issue.value), raw);
        QCOMPARE(qb(issue.expected), expected);
        QCOMPARE(qb(issue.location), location);
    }
}

void TestSettings::everyBadInputInOneError()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    writeFile(dir.filePath(QStringLiteral(".env")).toStdString(),
              "# broken on purpose\n"
              "POSTGRES_PASSWORD=" + kSecret + "\n"
              "DB_POOL_SIZE=abc\n"
              "DB_MAX_OVERFLOW=-1\n"
              "POSTGRES_PORT=70000\n"
              "OTHER_APP_SETTING=whatever\n"
              "USE_READ_REPLICA=maybe\n"
              "DB_POOL_TIMEOUT=\"30\n"
              "DB_REPLICA_POOL_SIZE 20\n"
              "DB_USER_STATEMENT_TIMEOUT_MS=-1    # negative\n");
    const CurrentDirGuard cwd(dir.path());

    LoadOptions options;  // reads ./.env
    options.commandLine = {{"POSTGRES_DATABASE", "ok"}};
    const ConfigError error = expectConfigError(options);

    const std::vector<std::string> expected{
        ".env:3: DB_POOL_SIZE=abc: expected an integer from 1 to 1000",
        ".env:4: DB_MAX_OVERFLOW=-1: expected an integer from 0 to 1000",
        ".env:5: POSTGRES_PORT=70000: expected a port number from 1 to 65535",
        ".env:7: USE_READ_REPLICA=maybe: expected true or false (also 1/0, yes/no, on/off)",
        ".env:8: DB_POOL_TIMEOUT: the value opened with a double quote (\") is not closed on this line; add the "
        "closing quote (values cannot span several lines)",
        ".env:9: `DB_REPLICA_POOL_SIZE 20` has no '='; write KEY=value",
        ".env:10: DB_USER_STATEMENT_TIMEOUT_MS=-1: expected an integer number of milliseconds from 0 to 2147483647 "
        "(0 = no timeout)",
    };
    QCOMPARE(error.issues().size(), expected.size());
    const QByteArray what(error.what());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        QCOMPARE(qb(error.issues()[i].message), qb(expected[i]));
        QVERIFY2(what.contains(qb(expected[i])), what.constData());
    }
    QVERIFY(what.startsWith("invalid configuration: 7 problems"));
    QVERIFY(!what.contains(qb(kSecret)));
}

void TestSettings::issuesOfSeveralLayersTogether()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string path = dir.filePath(QStringLiteral("a.env")).toStdString();
    writeFile(path, "DB_POOL_SIZE=0\nbroken line\n");

    LoadOptions options = hermeticOptions();
    options.envFile = path;
    options.environment = {{"POSTGRES_PORT", "-3"}};
    options.commandLine = {{"DB_CONECT_TIMEOUT", "5"}, {"DB_CONNECT_TIMEOUT", "1"}};
    options.sandbox = SettingsLayer{SettingSource{SourceKind::Sandbox, "sandbox /tmp/s"}, {{"DB_REPLICA_POOL_SIZE", "x"}}};
    const ConfigError error = expectConfigError(options);

    // Listed in precedence order, a file's problems by line.
    const std::vector<std::string> locations{"sandbox /tmp/s", path + ":1", path + ":2", "environment", "--set",
                                             "--set"};
    QCOMPARE(error.issues().size(), locations.size());
    for (std::size_t i = 0; i < locations.size(); ++i)
        QCOMPARE(qb(error.issues()[i].location), qb(locations[i]));
}

void TestSettings::overriddenBadValueIsNotReported()
{
    // Documented choice: only effective values are validated, so --set or the
    // environment can get past a bad value in a file.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string path = dir.filePath(QStringLiteral("a.env")).toStdString();
    writeFile(path, "DB_POOL_SIZE=abc\nUSE_READ_REPLICA=maybe\n");

    LoadOptions options = hermeticOptions();
    options.envFile = path;
    options.environment = {{"DB_POOL_SIZE", "25"}};
    options.commandLine = {{"USE_READ_REPLICA", "no"}};
    const Settings s = SettingsLoader::load(options);
    QCOMPARE(s.primaryPool.size, 25);
    QCOMPARE(s.useReadReplica, false);

    // Within one file the last duplicate wins, so only it is checked.
    writeFile(path, "DB_POOL_SIZE=abc\nDB_POOL_SIZE=-1\n");
    options.environment.clear();
    const ConfigError error = expectConfigError(options);
    QCOMPARE(error.issues().size(), std::size_t(1));
    QCOMPARE(qb(error.issues()[0].location), qb(path + ":2"));
}

void TestSettings::parseErrorsAreReportedEvenWhenOverridden()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string path = dir.filePath(QStringLiteral("a.env")).toStdString();
    writeFile(path, "DB_POOL_SIZE 20\n");

    LoadOptions options = hermeticOptions();
    options.envFile = path;
    options.commandLine = {{"DB_POOL_SIZE", "25"}};
    const ConfigError error = expectConfigError(options);
    QCOMPARE(error.issues().size(), std::size_t(1));
    QCOMPARE(qb(error.issues()[0].location), qb(path + ":1"));
}

void TestSettings::passwordNeverShown_data()
{
    QTest::addColumn<QByteArray>("fileText");
    QTest::addColumn<QByteArray>("setKey");
    QTest::addColumn<QByteArray>("setValue");

    const QByteArray secret = qb(kSecret);
    QTest::addRow("password in file, another error")
        << QByteArray("POSTGRES_PASSWORD=" + secret + "\nDB_POOL_SIZE=abc\n") << QByteArray() << QByteArray();
    QTest::addRow("unterminated quoted password") << QByteArray("POSTGRES_PASSWORD=\"" + secret + "\n") << QByteArray()
                                                  << QByteArray();
    QTest::addRow("password line without =") << QByteArray("POSTGRES_PASSWORD " + secret + "\n") << QByteArray() << QByteArray();
    QTest::addRow("text after quoted password") << QByteArray("POSTGRES_PASSWORD='x' " + secret + "\n") << QByteArray()
                                                << QByteArray();
    QTest::addRow("misspelt password key on the command line")
        << QByteArray() << QByteArray("POSTGRES_PASWORD") << secret;
    QTest::addRow("password on the command line, another error")
        << QByteArray("DB_POOL_SIZE=abc\n") << QByteArray("POSTGRES_PASSWORD") << secret;
}

void TestSettings::passwordNeverShown()
{
    QFETCH(QByteArray, fileText);
    QFETCH(QByteArray, setKey);
    QFETCH(QByteArray, setValue);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string path = dir.filePath(QStringLiteral("a.env")).toStdString();
    writeFile(path, fileText.toStdString());

    LoadOptions options = hermeticOptions();
    options.envFile = path;
    if (!setKey.isEmpty())
        options.commandLine = {{setKey.toStdString(), setValue.toStdString()}};
    const ConfigError error = expectConfigError(options);
    QVERIFY(!error.issues().empty());
    const QByteArray what(error.what());
    QVERIFY2(!what.contains(qb(kSecret)), what.constData());
    for (const auto& issue : error.issues())
        QVERIFY(!qb(issue.value + issue.message + issue.expected).contains(qb(kSecret)));
}

void TestSettings::displayValue()
{
    LoadOptions options = hermeticOptions();
    options.environment = {{"POSTGRES_PASSWORD", kSecret}, {"POSTGRES_REPLICA_HOST", ""}};
    const Settings s = SettingsLoader::load(options);
    QCOMPARE(qb(s.password), qb(kSecret));
    QCOMPARE(qb(s.displayValue("POSTGRES_PASSWORD").value()), QByteArray("********"));
    QVERIFY(s.resolved.at("POSTGRES_PASSWORD").secret);
    QCOMPARE(qb(s.displayValue("DB_POOL_SIZE").value()), QByteArray("20"));
    QCOMPARE(qb(s.displayValue("POSTGRES_REPLICA_HOST").value()), QByteArray(""));
    QVERIFY(!s.replicaConfigured());
    QVERIFY(!s.displayValue("NOT_A_SETTING").has_value());
    for (const auto& definition : SettingCatalog::all())
        QVERIFY(!qb(s.displayValue(std::string(definition.key)).value()).contains(qb(kSecret)));

    const Settings unset = SettingsLoader::load(hermeticOptions());
    QCOMPARE(qb(unset.displayValue("POSTGRES_PASSWORD").value()), QByteArray("(not set)"));

    // A Settings not built by the loader shows the catalogue defaults.
    const Settings byHand;
    QCOMPARE(qb(byHand.displayValue("DB_POOL_TIMEOUT").value()), QByteArray("60"));
    QCOMPARE(qb(byHand.displayValue("POSTGRES_PASSWORD").value()), QByteArray("(not set)"));
}

void TestSettings::missingEnvFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string missing = dir.filePath(QStringLiteral("nope.env")).toStdString();

    LoadOptions options = hermeticOptions();
    options.envFile = missing;
    options.environment = {{"DB_POOL_SIZE", "abc"}};  // reported together with the missing file
    const ConfigError error = expectConfigError(options);
    QCOMPARE(error.issues().size(), std::size_t(2));
    QCOMPARE(qb(error.issues()[0].location), qb(missing));
    QCOMPARE(qb(error.issues()[0].message),
             qb(missing + ": --env-file not found; check the path, or leave --env-file out to read ./.env"));
    QCOMPARE(qb(error.issues()[1].location), QByteArray("environment"));

    // A directory given as --env-file cannot be read either.
    options.envFile = dir.path().toStdString();
    options.environment.clear();
    QCOMPARE(expectConfigError(options).issues().size(), std::size_t(1));
}

void TestSettings::defaultEnvFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const CurrentDirGuard cwd(dir.path());

    // No ./.env: fine, defaults apply.
    QCOMPARE(SettingsLoader::load(LoadOptions{}).primaryPool.size, 20);

    writeFile(".env", "\nexport DB_POOL_SIZE=20    # Up from 5\nDB_MAX_OVERFLOW=31\n");
    const Settings s = SettingsLoader::load(LoadOptions{});
    QCOMPARE(s.primaryPool.maxOverflow, 31);
    QCOMPARE(qb(s.resolved.at("DB_POOL_SIZE").source.location), QByteArray(".env:2"));
    QCOMPARE(qb(s.resolved.at("DB_MAX_OVERFLOW").source.location), QByteArray(".env:3"));

    // useDefaultEnvFile = false ignores it.
    QCOMPARE(SettingsLoader::load(hermeticOptions()).primaryPool.maxOverflow, 30);

    // --env-file replaces ./.env rather than adding to it.
    writeFile("other.env", "DB_POOL_SIZE=5\n");
    LoadOptions explicitFile;
    explicitFile.envFile = "other.env";
    const Settings other = SettingsLoader::load(explicitFile);
    QCOMPARE(other.primaryPool.size, 5);
    QCOMPARE(other.primaryPool.maxOverflow, 30);
    QCOMPARE(qb(other.resolved.at("DB_POOL_SIZE").source.location), QByteArray("other.env:1"));
}

void TestSettings::unknownKeysInFileAndEnvironmentIgnored()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string path = dir.filePath(QStringLiteral("a.env")).toStdString();
    writeFile(path, "JIRA_API_TOKEN=abc\nDB_POL_SIZE=not-a-number\ndb_pool_size=7\n");

    LoadOptions options = hermeticOptions();
    options.envFile = path;
    options.environment = {{"HOME", "/home/x"}, {"PATH", "/usr/bin"}, {"USE_READ_REPLICA_X", "maybe"}};
    const Settings s = SettingsLoader::load(options);
    QCOMPARE(s.primaryPool.size, 20);
    QVERIFY(s.resolved.count("JIRA_API_TOKEN") == 0);
}

void TestSettings::unknownSetKey_data()
{
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<QByteArray>("suggestion");  // empty: no suggestion expected

    QTest::addRow("typo") << QByteArray("DB_POL_SIZE") << QByteArray("DB_POOL_SIZE");
    QTest::addRow("lower case") << QByteArray("db_pool_size") << QByteArray("DB_POOL_SIZE");
    QTest::addRow("missing prefix") << QByteArray("POOL_SIZE") << QByteArray("DB_POOL_SIZE");
    QTest::addRow("swapped letters") << QByteArray("USE_READ_RPELICA") << QByteArray("USE_READ_REPLICA");
    QTest::addRow("unrelated") << QByteArray("COLOR_THEME") << QByteArray();
}

void TestSettings::unknownSetKey()
{
    QFETCH(QByteArray, key);
    QFETCH(QByteArray, suggestion);

    LoadOptions options = hermeticOptions();
    options.commandLine = {{key.toStdString(), "5"}};
    const ConfigError error = expectConfigError(options);
    QCOMPARE(error.issues().size(), std::size_t(1));
    const QByteArray message = qb(error.issues()[0].message);
    QVERIFY2(message.startsWith(QByteArray("--set: unknown setting " + key)), message.constData());
    QCOMPARE(qb(error.issues()[0].key), key);
    if (suggestion.isEmpty())
        QVERIFY2(!message.contains("did you mean"), message.constData());
    else
        QVERIFY2(message.contains(QByteArray("; did you mean " + suggestion + "?")), message.constData());
    QCOMPARE(SettingCatalog::closestKey(key.toStdString()).value_or(""), suggestion.toStdString());
}

void TestSettings::unknownSandboxKey()
{
    LoadOptions options = hermeticOptions();
    options.sandbox = SettingsLayer{SettingSource{SourceKind::Sandbox, "sandbox /tmp/s"}, {{"PORT", "1"}}};
    const ConfigError error = expectConfigError(options);
    QCOMPARE(error.issues().size(), std::size_t(1));
    QCOMPARE(qb(error.issues()[0].location), QByteArray("sandbox /tmp/s"));
}

void TestSettings::keysThatMustAgree()
{
    LoadOptions options = hermeticOptions();
    options.commandLine = {{"ALERT_LAG_WARNING_SECONDS", "10"}, {"ALERT_LAG_CRITICAL_SECONDS", "5"},
                           {"MONITOR_INTERVAL_MS", "100"}, {"MONITOR_PROBE_TIMEOUT_MS", "400"}};
    const ConfigError error = expectConfigError(options);
    QCOMPARE(error.issues().size(), std::size_t(2));
    QCOMPARE(qb(error.issues()[0].message),
             QByteArray("--set: ALERT_LAG_CRITICAL_SECONDS=5: expected at least ALERT_LAG_WARNING_SECONDS (10), "
                        "because CRITICAL is the higher of the two lag alerts"));
    QVERIFY(error.issues()[1].message.find("MONITOR_INTERVAL_MS=100: expected at least MONITOR_PROBE_TIMEOUT_MS") !=
            std::string::npos);
}

void TestSettings::replicaList()
{
    LoadOptions options = hermeticOptions();
    options.commandLine = {{"POSTGRES_REPLICA_HOSTS", "r1:6001, r2,[::1]:6003"}, {"POSTGRES_REPLICA_PORT", "7000"}};
    const auto replicas = SettingsLoader::load(options).replicas();
    QCOMPARE(replicas.size(), std::size_t(3));
    QCOMPARE(qb(replicas[0].name), QByteArray("replica"));
    QCOMPARE(qb(replicas[0].host), QByteArray("r1"));
    QCOMPARE(replicas[0].port, 6001);
    QCOMPARE(qb(replicas[1].name), QByteArray("replica2"));
    QCOMPARE(replicas[1].port, 7000);  // POSTGRES_REPLICA_PORT for entries without a port
    QCOMPARE(qb(replicas[2].host), QByteArray("::1"));
    // Without the list, the single-replica variables still work; an empty host means none.
    QCOMPARE(SettingsLoader::load(hermeticOptions()).replicas().size(), std::size_t(1));
    options.commandLine = {{"POSTGRES_REPLICA_HOST", ""}};
    QVERIFY(!SettingsLoader::load(options).replicaConfigured());
}

void TestSettings::envExampleLoads()
{
    const std::string path = std::string(PULSE_SOURCE_DIR) + "/.env.example";
    const auto parsed = DotEnvParser::parseFile(path);
    QVERIFY2(parsed.ok(), parsed.errors.empty() ? "" : parsed.errors.front().message.c_str());

    // Documents every key, with the plan's values (the catalogue defaults),
    // except the password (the plan's development one, the built-in default is empty).
    std::map<std::string, std::string> values;
    for (const auto& entry : parsed.entries)
        values[entry.key] = entry.value;
    for (const auto& definition : SettingCatalog::all()) {
        const std::string key(definition.key);
        QVERIFY2(values.count(key) == 1, definition.key.data());
        if (key == "POSTGRES_PASSWORD")
            QCOMPARE(qb(values.at(key)), QByteArray("pulse_secure_password_2024"));
        else
            QCOMPARE(qb(values.at(key)), qb(std::string(definition.defaultValue)));
    }

    LoadOptions options = hermeticOptions();
    options.envFile = path;
    const Settings s = SettingsLoader::load(options);
    const Settings defaults;
    for (const auto& definition : SettingCatalog::all()) {
        const std::string key(definition.key);
        QCOMPARE(s.resolved.at(key).source.kind, SourceKind::File);
        if (key != "POSTGRES_PASSWORD")
            QCOMPARE(qb(fieldText(s, key)), qb(fieldText(defaults, key)));
    }
    QCOMPARE(qb(s.password), QByteArray("pulse_secure_password_2024"));
}

void TestSettings::currentEnvironment()
{
    qputenv("PULSE_TST_SETTINGS_VAR", QByteArray("a=b"));
    const auto environment = SettingsLoader::currentEnvironment();
    qunsetenv("PULSE_TST_SETTINGS_VAR");
    QCOMPARE(qb(environment.at("PULSE_TST_SETTINGS_VAR")), QByteArray("a=b"));
}

void TestSettings::drillCommands()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string path = dir.filePath(QStringLiteral("a.env")).toStdString();
    writeFile(path, "DRILL_COMMAND_STOP_REPLICA=docker compose -f docker-compose.db.yml stop postgres-replica\n"
                    "DRILL_COMMAND_START_REPLICA=from-file\n"
                    "DRILL_COMMAND_KILL_PRIMARY=kill-from-file\n");

    LoadOptions options = hermeticOptions();
    options.envFile = path;
    options.environment = {{"DRILL_COMMAND_START_REPLICA", "from-env"}, {"DRILL_COMMAND_PAUSE_REPLAY_REPLICA2", "p"}};
    // An empty value removes the file's command.
    options.commandLine = {{"DRILL_COMMAND_KILL_PRIMARY", ""}, {"DRILL_COMMAND_TERMINATE_BACKENDS_PRIMARY", "t"}};
    const Settings s = SettingsLoader::load(options);

    QCOMPARE(s.drillCommands.size(), std::size_t(4));
    QCOMPARE(qb(s.drillCommand(NodeAction::Stop, "replica").value()),
             QByteArray("docker compose -f docker-compose.db.yml stop postgres-replica"));
    QCOMPARE(qb(s.drillCommand(NodeAction::Start, "replica").value()), QByteArray("from-env"));
    QCOMPARE(qb(s.drillCommand(NodeAction::PauseReplay, "replica2").value()), QByteArray("p"));
    QCOMPARE(qb(s.drillCommand(NodeAction::TerminateBackends, "primary").value()), QByteArray("t"));
    QVERIFY(!s.drillCommand(NodeAction::Kill, "primary"));
    QVERIFY(!s.drillCommand(NodeAction::Stop, "primary"));

    // Sources are kept like any other key's, and the commands are shown as written.
    QCOMPARE(qb(s.resolved.at("DRILL_COMMAND_STOP_REPLICA").source.location), qb(path + ":1"));
    QCOMPARE(s.resolved.at("DRILL_COMMAND_START_REPLICA").source.kind, SourceKind::Environment);
    QCOMPARE(s.resolved.at("DRILL_COMMAND_KILL_PRIMARY").source.kind, SourceKind::CommandLine);
    QCOMPARE(qb(s.displayValue("DRILL_COMMAND_START_REPLICA").value()), QByteArray("from-env"));
    QVERIFY(!s.displayValue("DRILL_COMMAND_STOP_PRIMARY").has_value());

    // The catalogue key that shares the prefix is not a command.
    options.commandLine = {{"DRILL_COMMAND_TIMEOUT_SECONDS", "5"}};
    const Settings timeout = SettingsLoader::load(options);
    QCOMPARE(timeout.drillCommandTimeout.count(), 5000);
    QCOMPARE(timeout.drillCommands.size(), std::size_t(4));
}

void TestSettings::drillCommandKeys_data()
{
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<QByteArray>("action");
    QTest::addColumn<QByteArray>("node");

    QTest::addRow("stop replica") << QByteArray("DRILL_COMMAND_STOP_REPLICA") << QByteArray("stop")
                                  << QByteArray("replica");
    QTest::addRow("underscore in the action") << QByteArray("DRILL_COMMAND_STOP_IMMEDIATE_PRIMARY")
                                              << QByteArray("stop_immediate") << QByteArray("primary");
    QTest::addRow("further replica") << QByteArray("DRILL_COMMAND_TERMINATE_BACKENDS_REPLICA12")
                                     << QByteArray("terminate_backends") << QByteArray("replica12");
    QTest::addRow("rebuild primary") << QByteArray("DRILL_COMMAND_REBUILD_PRIMARY") << QByteArray("rebuild")
                                     << QByteArray("primary");
    for (const NodeAction action : kAllNodeActions) {
        const std::string name(nodeActionName(action));
        const DrillCommandKey key{action, "replica2"};
        QTest::addRow("round trip %s", name.c_str()) << qb(key.key()) << qb(name) << QByteArray("replica2");
    }
}

void TestSettings::drillCommandKeys()
{
    QFETCH(QByteArray, key);
    QFETCH(QByteArray, action);
    QFETCH(QByteArray, node);

    std::string problem;
    const auto parsed = DrillCommandKey::parse(key.toStdString(), problem);
    QVERIFY2(parsed.has_value(), problem.c_str());
    QCOMPARE(qb(std::string(nodeActionName(parsed->action))), action);
    QCOMPARE(qb(parsed->node), node);
    QCOMPARE(qb(parsed->key()), key);

    for (const bool viaEnvironment : {false, true}) {
        const Settings s = SettingsLoader::load(optionsWith(key, "echo ok", viaEnvironment));
        QCOMPARE(qb(s.drillCommand(parsed->action, parsed->node).value_or("")), QByteArray("echo ok"));
    }
}

void TestSettings::badDrillCommandKey_data()
{
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<QByteArray>("problem");  // after "<location>: <key>: "

    const QByteArray form("expected DRILL_COMMAND_<ACTION>_<NODE> in upper case, e.g. DRILL_COMMAND_STOP_REPLICA");
    const QByteArray actions("(expected one of STOP, STOP_IMMEDIATE, START, RESTART, KILL, FREEZE, THAW, PROMOTE, "
                             "PAUSE_REPLAY, RESUME_REPLAY, TERMINATE_BACKENDS, REBUILD)");
    const QByteArray nodes("(expected PRIMARY, REPLICA, or REPLICA2, REPLICA3, ... for the further replicas of "
                           "POSTGRES_REPLICA_HOSTS)");
    QTest::addRow("unknown action") << QByteArray("DRILL_COMMAND_STPO_REPLICA")
                                    << QByteArray("unknown action STPO " + actions);
    QTest::addRow("unknown node") << QByteArray("DRILL_COMMAND_STOP_STANDBY")
                                  << QByteArray("unknown node STANDBY " + nodes);
    QTest::addRow("replica1 is not a name") << QByteArray("DRILL_COMMAND_STOP_REPLICA1")
                                            << QByteArray("unknown node REPLICA1 " + nodes);
    QTest::addRow("both wrong") << QByteArray("DRILL_COMMAND_REBOOT_HOST")
                                << QByteArray("unknown action REBOOT " + actions + " and unknown node HOST " + nodes);
    QTest::addRow("no node") << QByteArray("DRILL_COMMAND_STOP") << form;
    QTest::addRow("nothing after the prefix") << QByteArray("DRILL_COMMAND_") << form;
    QTest::addRow("lower case part") << QByteArray("DRILL_COMMAND_stop_replica") << form;
    QTest::addRow("trailing underscore") << QByteArray("DRILL_COMMAND_STOP_") << form;
}

void TestSettings::badDrillCommandKey()
{
    QFETCH(QByteArray, key);
    QFETCH(QByteArray, problem);

    // Pulse owns the prefix: a malformed key is an error in every source,
    // not another program's key to ignore.
    for (const bool viaEnvironment : {false, true}) {
        const ConfigError error = expectConfigError(optionsWith(key, "true", viaEnvironment));
        QCOMPARE(error.issues().size(), std::size_t(1));
        const QByteArray location = viaEnvironment ? "environment" : "--set";
        QCOMPARE(qb(error.issues()[0].message), QByteArray(location + ": " + key + ": " + problem));
        QCOMPARE(qb(error.issues()[0].key), key);
    }
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string path = dir.filePath(QStringLiteral("a.env")).toStdString();
    writeFile(path, "# drills\n" + key.toStdString() + "=true\n");
    LoadOptions options = hermeticOptions();
    options.envFile = path;
    const ConfigError error = expectConfigError(options);
    QCOMPARE(error.issues().size(), std::size_t(1));
    QCOMPARE(qb(error.issues()[0].location), qb(path + ":2"));

    // A lower-case key on the command line is unknown, with the key it meant.
    options = hermeticOptions();
    options.commandLine = {{"drill_command_stop_replica", "x"}};
    QVERIFY(expectConfigError(options).issues()[0].message.find("did you mean DRILL_COMMAND_STOP_REPLICA?") !=
            std::string::npos);
}

void TestSettings::drillCommandPasswordsMasked()
{
    LoadOptions options = hermeticOptions();
    options.environment = {
        {"DRILL_COMMAND_STOP_REPLICA", "PGPASSWORD=" + kSecret + " psql -h db -c 'select 1'"},
        {"DRILL_COMMAND_KILL_REPLICA", "tool --password='" + kSecret + " x' --url postgres://u:" + kSecret +
                                           "@db:5432/x kill"},
        {"DRILL_COMMAND_STPO_REPLICA", "password=" + kSecret}};
    const ConfigError error = expectConfigError(options);
    QVERIFY(!QByteArray(error.what()).contains(qb(kSecret)));
    QVERIFY(!qb(error.issues()[0].value).contains(qb(kSecret)));

    options.environment.erase("DRILL_COMMAND_STPO_REPLICA");
    const Settings s = SettingsLoader::load(options);
    QCOMPARE(qb(s.displayValue("DRILL_COMMAND_STOP_REPLICA").value()),
             QByteArray("PGPASSWORD=******** psql -h db -c 'select 1'"));
    QCOMPARE(qb(s.displayValue("DRILL_COMMAND_KILL_REPLICA").value()),
             QByteArray("tool --password=******** --url postgres://u:********@db:5432/x kill"));
    // The command itself runs as written.
    QVERIFY(qb(s.drillCommand(NodeAction::Stop, "replica").value()).contains(qb(kSecret)));

    // Listed with the drill settings (pulsectl config, the console), masked, with their source.
    const auto shown = s.shown();
    const auto it = std::find_if(shown.begin(), shown.end(),
                                 [](const Settings::Shown& e) { return e.key == "DRILL_COMMAND_STOP_REPLICA"; });
    QVERIFY(it != shown.end());
    QCOMPARE(qb(it->value), QByteArray("PGPASSWORD=******** psql -h db -c 'select 1'"));
    QCOMPARE(qb(it->group), QByteArray("Drills"));
    QCOMPARE(qb(it->source), QByteArray("environment"));
    QVERIFY(qb(it->meaning).contains("stop on the replica"));
    for (const auto& e : shown)
        QVERIFY2(!qb(e.value).contains(qb(kSecret)), e.key.c_str());
    QCOMPARE(shown.size(), SettingCatalog::all().size() + 2);
}

QTEST_GUILESS_MAIN(TestSettings)
#include "tst_settings.moc"

#include "config/SettingsLoader.hpp"

#include "common/Errors.hpp"
#include "common/MaskedCommand.hpp"
#include "common/Trimmed.hpp"
#include "config/DotEnvParser.hpp"
#include "config/DrillCommandKey.hpp"
#include "config/HostList.hpp"
#include "config/SettingCatalog.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <string_view>

#include <unistd.h>  // environ

namespace pulse {
namespace {

constexpr std::size_t kMaxShownValueChars = 60;

// Issues are listed in precedence order, then by line, so a file's problems
// read top to bottom whatever their kind (parse error or bad value).
struct PendingIssue {
    int rank = 0;
    int line = 0;
    ConfigIssue issue;
};

int rankOf(SourceKind kind)
{
    switch (kind) {
    case SourceKind::Default: return 0;
    case SourceKind::Sandbox: return 1;
    case SourceKind::File: return 2;
    case SourceKind::Environment: return 3;
    case SourceKind::CommandLine: return 4;
    }
    return 0;
}

// The candidate value of one key while layers are applied.
struct Candidate {
    std::string value;
    SettingSource source;
    int line = 0;  // file line, for ordering issues
};

// A validated value in its natural unit (see parseValue()).
struct Parsed {
    std::string text;
    std::int64_t number = 0;
    bool flag = false;
};

std::string upper(std::string_view s)
{
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return out;
}

std::string lower(std::string_view s)
{
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// A value as it may appear in a message: secrets masked, control characters
// escaped so one issue stays on one line, very long values cut.
std::string shownValue(const SettingDefinition& definition, std::string_view value)
{
    if (definition.secret())
        return value.empty() ? "" : "********";
    std::string out;
    for (const char c : value.substr(0, kMaxShownValueChars)) {
        if (c == '\n')
            out += "\\n";
        else if (c == '\t')
            out += "\\t";
        else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            out += '?';
        else
            out += c;
    }
    if (value.size() > kMaxShownValueChars)
        out += "...";
    return out;
}

std::optional<std::int64_t> parseInteger(std::string_view text)
{
    std::int64_t result = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, result);
    if (text.empty() || ec != std::errc{} || ptr != end)
        return std::nullopt;
    return result;
}

// "60", "0.5", "30.00" -> milliseconds, rounded to the nearest millisecond.
// Parsed by hand: from_chars on double is locale-free too, but would accept
// forms a person never writes in a .env ("1e3", "inf").
std::optional<std::int64_t> parseDecimalSecondsAsMs(std::string_view text)
{
    const bool negative = text.starts_with('-');
    if (negative)
        text.remove_prefix(1);
    const auto dot = text.find('.');
    const auto whole = text.substr(0, dot);
    const auto fraction = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
    const auto isDigits = [](std::string_view s) {
        return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    if (!isDigits(whole) || (dot != std::string_view::npos && !isDigits(fraction)))
        return std::nullopt;
    const auto seconds = parseInteger(whole);
    constexpr std::int64_t kMaxSeconds = INT64_MAX / 1000 - 1;
    if (!seconds || *seconds > kMaxSeconds)
        return std::nullopt;
    std::int64_t millis = 0;
    for (std::size_t i = 0; i < 3; ++i)
        millis = millis * 10 + (i < fraction.size() ? fraction[i] - '0' : 0);
    if (fraction.size() > 3 && fraction[3] >= '5')
        ++millis;
    const std::int64_t total = *seconds * 1000 + millis;
    return negative ? -total : total;
}

std::optional<bool> parseBool(std::string_view text)
{
    const std::string value = lower(text);
    if (value == "true" || value == "1" || value == "yes" || value == "on")
        return true;
    if (value == "false" || value == "0" || value == "no" || value == "off")
        return false;
    return std::nullopt;
}

// Parsed value in its natural unit: Integer/Port as written, Seconds with
// fractions in milliseconds, whole Seconds in seconds. std::nullopt: invalid.
// Numbers and flags tolerate surrounding whitespace (an exported " 20"),
// texts are kept exactly (a password may start with a space).
std::optional<Parsed> parseValue(const SettingDefinition& definition, const std::string& raw)
{
    Parsed parsed;
    const auto inRange = [&](std::int64_t n, std::int64_t scale) {
        return n >= definition.minimum * scale && n <= definition.maximum * scale;
    };
    switch (definition.type) {
    case SettingType::String:
    case SettingType::Secret:
        parsed.text = raw;
        return parsed;
    case SettingType::Host: {
        const auto host = trimmedView(raw);
        const bool hasSpace =
            std::any_of(host.begin(), host.end(), [](unsigned char c) { return c <= 0x20 || c == 0x7f; });
        if (hasSpace || (host.empty() && !definition.allowEmpty))
            return std::nullopt;
        parsed.text = std::string(host);
        return parsed;
    }
    case SettingType::Port: {
        const auto port = parseInteger(trimmedView(raw));
        if (!port || *port < 1 || *port > 65535)
            return std::nullopt;
        parsed.number = *port;
        return parsed;
    }
    case SettingType::Integer: {
        const auto number = parseInteger(trimmedView(raw));
        if (!number || !inRange(*number, 1))
            return std::nullopt;
        parsed.number = *number;
        return parsed;
    }
    case SettingType::Seconds: {
        if (definition.allowFraction) {
            const auto millis = parseDecimalSecondsAsMs(trimmedView(raw));
            if (!millis || !inRange(*millis, 1000))
                return std::nullopt;
            parsed.number = *millis;
            return parsed;
        }
        const auto seconds = parseInteger(trimmedView(raw));
        if (!seconds || !inRange(*seconds, 1))
            return std::nullopt;
        parsed.number = *seconds;
        return parsed;
    }
    case SettingType::HostList: {
        if (!parseHostList(raw))
            return std::nullopt;
        parsed.text = std::string(trimmedView(raw));
        return parsed;
    }
    case SettingType::Bool: {
        const auto flag = parseBool(trimmedView(raw));
        if (!flag)
            return std::nullopt;
        parsed.flag = *flag;
        return parsed;
    }
    }
    return std::nullopt;
}

std::chrono::seconds recycleFrom(std::int64_t seconds)
{
    return seconds < 0 ? SettingsLoader::kNeverRecycle : std::chrono::seconds(seconds);
}

class Loader {
public:
    explicit Loader(const LoadOptions& options) : m_options(options)
    {
        for (const auto& definition : SettingCatalog::all())
            m_candidates[definition.key] = Candidate{std::string(definition.defaultValue), SettingSource{}, 0};
    }

    Settings run()
    {
        if (m_options.sandbox)
            applySandbox(*m_options.sandbox);
        applyFile();
        applyEnvironment();
        applyCommandLine();
        auto parsed = validate();
        checkRelations(parsed);
        if (!m_issues.empty())
            throw ConfigError(sortedIssues());
        return build(parsed);
    }

private:
    void addIssue(SourceKind kind, int line, ConfigIssue issue)
    {
        m_issues.push_back({rankOf(kind), line, std::move(issue)});
    }

    void addIssue(SourceKind kind, const std::string& location, std::string key, std::string expected,
                  const std::string& text)
    {
        ConfigIssue issue;
        issue.key = std::move(key);
        issue.expected = std::move(expected);
        issue.location = location;
        issue.message = location + ": " + text;
        addIssue(kind, 0, std::move(issue));
    }

    void applySandbox(const SettingsLayer& layer)
    {
        for (const auto& [key, value] : layer.values) {
            const auto* definition = SettingCatalog::find(key);
            if (definition == nullptr) {
                // The sandbox layer is written by our own code, so an unknown
                // key there is a bug worth failing loudly on.
                addIssue(layer.source.kind, layer.source.location, key, "a known setting",
                         "unknown setting " + key + " in this layer");
                continue;
            }
            m_candidates[definition->key] = Candidate{value, layer.source, 0};
        }
    }

    void applyFile()
    {
        std::filesystem::path path;
        if (m_options.envFile) {
            path = *m_options.envFile;
            std::error_code ec;
            if (!std::filesystem::exists(path, ec)) {
                addIssue(SourceKind::File, path.string(), {}, "an existing .env file",
                         "--env-file not found; check the path, or leave --env-file out to read ./.env");
                return;
            }
        } else if (m_options.useDefaultEnvFile) {
            path = ".env";
            std::error_code ec;
            if (!std::filesystem::exists(path, ec))
                return;  // ./.env is optional
        } else {
            return;
        }

        auto result = DotEnvParser::parseFile(path);
        for (auto& error : result.errors) {
            const int line = lineOf(error.location);
            addIssue(SourceKind::File, line, std::move(error));
        }
        for (const auto& entry : result.entries) {
            // Other applications' keys share the file: ignored, not errors.
            // DRILL_COMMAND_* is ours: checked.
            const auto* definition = SettingCatalog::find(entry.key);
            if (definition == nullptr) {
                if (DrillCommandKey::hasPrefix(entry.key))
                    applyCommand(entry.key, entry.value,
                                 SettingSource{SourceKind::File, path.string() + ":" + std::to_string(entry.line)},
                                 entry.line);
                continue;
            }
            m_candidates[definition->key] =
                Candidate{entry.value, SettingSource{SourceKind::File, path.string() + ":" + std::to_string(entry.line)},
                          entry.line};
        }
    }

    static int lineOf(const std::string& location)
    {
        const auto colon = location.rfind(':');
        if (colon == std::string::npos)
            return 0;
        return static_cast<int>(parseInteger(std::string_view(location).substr(colon + 1)).value_or(0));
    }

    void applyEnvironment()
    {
        for (const auto& definition : SettingCatalog::all()) {
            const auto it = m_options.environment.find(std::string(definition.key));
            if (it != m_options.environment.end())
                m_candidates[definition.key] =
                    Candidate{it->second, SettingSource{SourceKind::Environment, "environment"}, 0};
        }
        for (const auto& [key, value] : m_options.environment) {
            if (DrillCommandKey::hasPrefix(key) && SettingCatalog::find(key) == nullptr)
                applyCommand(key, value, SettingSource{SourceKind::Environment, "environment"}, 0);
        }
    }

    // One DRILL_COMMAND_<ACTION>_<NODE>: a malformed key is reported in every
    // source (the prefix is ours, so it is a typo, not another program's key).
    void applyCommand(const std::string& key, const std::string& value, const SettingSource& source, int line)
    {
        std::string problem;
        if (!DrillCommandKey::parse(key, problem)) {
            ConfigIssue issue;
            issue.key = key;
            issue.value = maskCommandSecrets(value);
            issue.expected = "DRILL_COMMAND_<ACTION>_<NODE>";
            issue.location = source.describe();
            issue.message = issue.location + ": " + key + ": " + problem;
            addIssue(source.kind, line, std::move(issue));
            return;
        }
        m_commands[key] = Candidate{value, source, line};
    }

    void applyCommandLine()
    {
        for (const auto& [key, value] : m_options.commandLine) {
            if (key.empty()) {
                addIssue(SourceKind::CommandLine, "--set", {}, "KEY=VALUE", "missing key; write --set KEY=VALUE");
                continue;
            }
            const auto* definition = SettingCatalog::find(key);
            if (definition == nullptr && DrillCommandKey::hasPrefix(key)) {
                applyCommand(key, value, SettingSource{SourceKind::CommandLine, "--set"}, 0);
                continue;
            }
            if (definition == nullptr) {
                // The value is not repeated: the key is unknown, so whether it
                // is a secret (a misspelt password key) cannot be told.
                std::string text = "unknown setting " + key;
                std::string ignored;
                if (DrillCommandKey::hasPrefix(upper(key)) && DrillCommandKey::parse(upper(key), ignored))
                    text += "; did you mean " + upper(key) + "?";
                else if (const auto suggestion = SettingCatalog::closestKey(key))
                    text += "; did you mean " + *suggestion + "?";
                text += " (`pulsectl config` lists every setting)";
                addIssue(SourceKind::CommandLine, "--set", key, "a known setting", text);
                continue;
            }
            m_candidates[definition->key] = Candidate{value, SettingSource{SourceKind::CommandLine, "--set"}, 0};
        }
    }

    // Only each key's effective value is validated: a bad value in a lower
    // layer that a higher layer overrides has no effect, and reporting it
    // would make `--set` useless as a way to get past a broken file. Parse
    // errors of the file are always reported (collected in applyFile()): a
    // malformed line may hide the value its author meant to set.
    std::map<std::string_view, Parsed> validate()
    {
        std::map<std::string_view, Parsed> parsed;
        for (const auto& definition : SettingCatalog::all()) {
            const auto& candidate = m_candidates.at(definition.key);
            if (auto value = parseValue(definition, candidate.value)) {
                parsed.emplace(definition.key, std::move(*value));
                continue;
            }
            ConfigIssue issue;
            issue.key = std::string(definition.key);
            issue.value = shownValue(definition, candidate.value);
            issue.expected = definition.expectedForm();
            issue.location = candidate.source.describe();
            issue.message = issue.location + ": " + issue.key + "=" + issue.value + ": expected " + issue.expected;
            addIssue(candidate.source.kind, candidate.line, std::move(issue));
        }
        return parsed;
    }

    // Rules between keys, checked once each key is valid on its own.
    void checkRelations(const std::map<std::string_view, Parsed>& parsed)
    {
        const auto requireAtLeast = [&](std::string_view larger, std::string_view smaller, const char* why) {
            if (!parsed.contains(larger) || !parsed.contains(smaller))
                return;
            if (parsed.at(larger).number >= parsed.at(smaller).number)
                return;
            const auto& candidate = m_candidates.at(larger);
            ConfigIssue issue;
            issue.key = std::string(larger);
            issue.value = candidate.value;
            issue.expected = "at least " + std::string(smaller) + " (" + m_candidates.at(smaller).value + ")";
            issue.location = candidate.source.describe();
            issue.message = issue.location + ": " + issue.key + "=" + issue.value + ": expected " + issue.expected +
                            ", " + why;
            addIssue(candidate.source.kind, candidate.line, std::move(issue));
        };
        requireAtLeast("ALERT_LAG_CRITICAL_SECONDS", "ALERT_LAG_WARNING_SECONDS",
                       "because CRITICAL is the higher of the two lag alerts");
        requireAtLeast("MONITOR_INTERVAL_MS", "MONITOR_PROBE_TIMEOUT_MS",
                       "because a probe must end before the next cycle starts");
    }

    std::vector<ConfigIssue> sortedIssues()
    {
        std::stable_sort(m_issues.begin(), m_issues.end(), [](const PendingIssue& a, const PendingIssue& b) {
            return a.rank != b.rank ? a.rank < b.rank : a.line < b.line;
        });
        std::vector<ConfigIssue> issues;
        issues.reserve(m_issues.size());
        for (auto& pending : m_issues)
            issues.push_back(std::move(pending.issue));
        return issues;
    }

    Settings build(const std::map<std::string_view, Parsed>& parsed) const
    {
        const auto text = [&](std::string_view key) { return parsed.at(key).text; };
        const auto integer = [&](std::string_view key) { return static_cast<int>(parsed.at(key).number); };
        const auto number = [&](std::string_view key) { return parsed.at(key).number; };
        const auto flag = [&](std::string_view key) { return parsed.at(key).flag; };
        using std::chrono::milliseconds;
        using std::chrono::seconds;

        Settings s;
        s.primaryHost = text("POSTGRES_HOST");
        s.primaryPort = integer("POSTGRES_PORT");
        s.user = text("POSTGRES_USER");
        s.password = text("POSTGRES_PASSWORD");
        s.database = text("POSTGRES_DATABASE");

        s.replicaHost = text("POSTGRES_REPLICA_HOST");
        s.replicaPort = integer("POSTGRES_REPLICA_PORT");
        s.replicaHosts = text("POSTGRES_REPLICA_HOSTS");

        s.primaryPool.size = integer("DB_POOL_SIZE");
        s.primaryPool.maxOverflow = integer("DB_MAX_OVERFLOW");
        s.primaryPool.timeout = milliseconds(number("DB_POOL_TIMEOUT"));
        s.primaryPool.recycle = recycleFrom(number("DB_POOL_RECYCLE"));
        s.poolPrePing = flag("DB_POOL_PRE_PING");

        s.replicaPool.size = integer("DB_REPLICA_POOL_SIZE");
        s.replicaPool.maxOverflow = integer("DB_REPLICA_MAX_OVERFLOW");
        s.replicaPool.timeout = milliseconds(number("DB_REPLICA_POOL_TIMEOUT"));
        s.replicaPool.recycle = recycleFrom(number("DB_REPLICA_POOL_RECYCLE"));

        s.useReadReplica = flag("USE_READ_REPLICA");
        s.replicaFallbackEnabled = flag("REPLICA_FALLBACK_ENABLED");

        s.connectTimeout = seconds(number("DB_CONNECT_TIMEOUT"));
        s.queryDeadlineGrace = milliseconds(number("DB_QUERY_DEADLINE_GRACE_MS"));
        s.etlStatementTimeout = milliseconds(number("DB_ETL_STATEMENT_TIMEOUT_MS"));
        s.adminStatementTimeout = milliseconds(number("DB_ADMIN_STATEMENT_TIMEOUT_MS"));
        s.userStatementTimeout = milliseconds(number("DB_USER_STATEMENT_TIMEOUT_MS"));
        s.analyticsStatementTimeout = milliseconds(number("DB_ANALYTICS_STATEMENT_TIMEOUT_MS"));

        s.monitorInterval = milliseconds(number("MONITOR_INTERVAL_MS"));
        s.monitorProbeTimeout = milliseconds(number("MONITOR_PROBE_TIMEOUT_MS"));
        s.breakerFailureThreshold = integer("BREAKER_FAILURE_THRESHOLD");
        s.breakerOpen = milliseconds(number("BREAKER_OPEN_SECONDS"));
        s.metricsHistory = seconds(number("METRICS_HISTORY_SECONDS"));

        s.replicaMaxLagSeconds = static_cast<double>(number("REPLICA_MAX_LAG_SECONDS")) / 1000.0;
        s.replicaMaxLagBytes = number("REPLICA_MAX_LAG_BYTES");
        s.replicaReadmit = milliseconds(number("REPLICA_READMIT_SECONDS"));
        s.readYourWritesWait = milliseconds(number("READ_YOUR_WRITES_WAIT_MS"));

        s.alertLagWarningSeconds = static_cast<double>(number("ALERT_LAG_WARNING_SECONDS")) / 1000.0;
        s.alertLagCriticalSeconds = static_cast<double>(number("ALERT_LAG_CRITICAL_SECONDS")) / 1000.0;
        s.alertPoolUtilisationPercent = static_cast<double>(number("ALERT_POOL_UTILISATION_PERCENT"));
        s.alertTimeoutRatePercent = static_cast<double>(number("ALERT_TIMEOUT_RATE_PERCENT"));
        s.alertTimeoutWindow = milliseconds(number("ALERT_TIMEOUT_WINDOW_SECONDS"));
        s.alertClear = milliseconds(number("ALERT_CLEAR_SECONDS"));

        s.etlChunkSize = integer("ETL_CHUNK_SIZE");
        s.etlMaxRowsPerSecond = integer("ETL_MAX_ROWS_PER_SECOND");
        s.etlLagBrakeSeconds = static_cast<double>(number("ETL_LAG_BRAKE_SECONDS")) / 1000.0;
        s.etlRetry = milliseconds(number("ETL_RETRY_SECONDS"));
        s.etlConnections = integer("ETL_CONNECTIONS");
        s.dashboardReaders = integer("DASHBOARD_READERS");
        s.dashboardThink = milliseconds(number("DASHBOARD_THINK_MS"));

        s.drillAllowDestructive = flag("DRILL_ALLOW_DESTRUCTIVE");
        s.drillCommandTimeout = milliseconds(number("DRILL_COMMAND_TIMEOUT_SECONDS"));
        for (const auto& [key, candidate] : m_commands) {
            std::string ignored;
            const auto command = DrillCommandKey::parse(key, ignored);  // checked in applyCommand()
            if (command && !candidate.value.empty())
                s.drillCommands[*command] = candidate.value;
            s.resolved[key] = ResolvedSetting{candidate.value, candidate.source, false};
        }

        for (const auto& definition : SettingCatalog::all()) {
            const auto& candidate = m_candidates.at(definition.key);
            s.resolved[std::string(definition.key)] = ResolvedSetting{candidate.value, candidate.source, definition.secret()};
        }
        return s;
    }

    const LoadOptions& m_options;
    std::map<std::string_view, Candidate> m_candidates;
    std::map<std::string, Candidate> m_commands;  // DRILL_COMMAND_<ACTION>_<NODE>, valid keys only
    std::vector<PendingIssue> m_issues;
};

}  // namespace

Settings SettingsLoader::load(const LoadOptions& options)
{
    return Loader(options).run();
}

std::map<std::string, std::string> SettingsLoader::currentEnvironment()
{
    std::map<std::string, std::string> environment;
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
        const std::string_view text(*entry);
        const auto eq = text.find('=');
        if (eq == std::string_view::npos || eq == 0)
            continue;
        // emplace keeps the first of duplicated names, which is what getenv() returns.
        environment.emplace(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
    }
    return environment;
}

}  // namespace pulse

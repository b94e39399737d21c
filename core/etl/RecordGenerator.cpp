#include "etl/RecordGenerator.hpp"

#include "etl/DemoSchema.hpp"
#include "pg/CopyText.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <optional>
#include <stdexcept>

namespace pulse {
namespace {

enum TableIndex : int { Repositories, PullRequests, Commits, Reviews, Deployments, Incidents, Issues };

constexpr std::int64_t kMinute = 60;
constexpr std::int64_t kHour = 3600;
constexpr std::int64_t kDay = 86400;
constexpr std::uint64_t kGolden = 0x9e3779b97f4a7c15ULL;

// splitmix64's finaliser: a bijection that scatters nearby inputs.
constexpr std::uint64_t mix(std::uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// One record's private random stream (splitmix64).
struct Rng {
    std::uint64_t state;

    std::uint64_t next()
    {
        state += kGolden;
        return mix(state);
    }
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    std::int64_t below(std::int64_t n) { return n <= 1 ? 0 : static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(n)); }
    std::int64_t between(std::int64_t lo, std::int64_t hi) { return lo + below(hi - lo + 1); }  // inclusive
    bool chance(double p) { return uniform() < p; }
    template <typename T, size_t N>
    const T& pick(const std::array<T, N>& items)
    {
        return items[static_cast<size_t>(below(static_cast<std::int64_t>(N)))];
    }
    // Log-normal seconds: `median` with a spread of `sigma` (in e-folds),
    // clamped; durations of human work have this long right tail.
    std::int64_t duration(double median, double sigma, std::int64_t lo, std::int64_t hi)
    {
        const double u1 = std::max(uniform(), 1e-12);
        const double u2 = uniform();
        const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
        const auto value = static_cast<std::int64_t>(median * std::exp(sigma * z));
        return std::clamp(value, lo, hi);
    }
};

using Names = std::array<std::string_view, 24>;

constexpr Names kLogins{"alice-m",   "bkumar",     "chen-wei",   "dmitri-v", "eolsen",    "fatima-z",
                        "gpetrov",   "hannah-k",   "ivan-s",     "jlopez",   "kenji-t",   "lina-b",
                        "marco-r",   "nadia-h",    "oscar-w",    "priya-n",  "quentin-d", "rosa-g",
                        "sam-okafor", "tove-l",    "uma-p",      "victor-c", "wen-j",     "yusuf-a"};
constexpr std::array<std::string_view, 8> kTeams{"platform", "payments", "growth", "search",
                                                 "mobile",   "data",     "identity", "infra"};
constexpr std::array<std::string_view, 12> kComponents{"api",       "web",     "worker", "gateway", "scheduler", "billing",
                                                       "auth",      "ingest",  "notifier", "etl",   "console",   "sdk"};
constexpr std::array<std::string_view, 10> kVerbs{"Fix",      "Add",     "Refactor", "Remove", "Speed up",
                                                  "Document", "Migrate", "Harden",   "Retry",  "Log"};
constexpr std::array<std::string_view, 16> kObjects{"session refresh",   "webhook delivery", "rate limiter",
                                                    "invoice export",    "search indexer",   "feature flags",
                                                    "token rotation",    "CSV import",       "audit log",
                                                    "cache warm-up",     "pagination",       "health checks",
                                                    "connection pool",   "retry budget",     "push notifications",
                                                    "schema migration"};
constexpr std::array<std::string_view, 8> kQualifiers{"",
                                                      " on slow networks",
                                                      " for enterprise tenants",
                                                      " behind the \"beta\" flag",
                                                      " when the replica lags",
                                                      " in the nightly job",
                                                      " for paths like C:\\Users\\build",
                                                      " (follow-up)"};
constexpr std::array<std::string_view, 8> kCommitTypes{"fix", "feat", "refactor", "chore", "test", "docs", "perf", "ci"};
constexpr std::array<std::string_view, 6> kProjects{"PLAT", "WEB", "MOB", "DATA", "OPS", "SEC"};

// Fixed-width decimal for timestamps.
void appendPadded(std::string& out, std::int64_t value, int width)
{
    char buffer[24];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
    (void)ec;
    for (int n = static_cast<int>(end - buffer); n < width; ++n)
        out.push_back('0');
    out.append(buffer, end);
}

void appendInt(std::string& out, std::int64_t value)
{
    char buffer[24];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
    (void)ec;
    out.append(buffer, end);
}

void appendHex(std::string& out, Rng& rng, int digits)
{
    static constexpr char kHex[] = "0123456789abcdef";
    std::uint64_t bits = 0;
    for (int i = 0; i < digits; ++i) {
        if (i % 16 == 0)
            bits = rng.next();
        out.push_back(kHex[bits & 0xf]);
        bits >>= 4;
    }
}

// One COPY row, column by column.
class Line {
public:
    explicit Line(std::string& out) : m_out(out) {}
    Line& integer(std::int64_t value)
    {
        separate();
        appendInt(m_out, value);
        return *this;
    }
    Line& text(std::string_view value)
    {
        separate();
        CopyText::appendEscaped(m_out, value);
        return *this;
    }
    Line& null()
    {
        separate();
        m_out.append(CopyText::kNull);
        return *this;
    }
    Line& timestamp(std::int64_t seconds)
    {
        separate();
        RecordGenerator::appendTimestamp(m_out, seconds);
        return *this;
    }
    Line& timestamp(std::optional<std::int64_t> seconds) { return seconds ? timestamp(*seconds) : null(); }
    Line& reference(std::optional<std::int64_t> id) { return id ? integer(*id) : null(); }
    std::string& raw()  // for a column built in place
    {
        separate();
        return m_out;
    }
    void end() { m_out.push_back('\n'); }

private:
    void separate()
    {
        if (!m_first)
            m_out.push_back('\t');
        m_first = false;
    }
    std::string& m_out;
    bool m_first = true;
};

// The parts of a record other records depend on, drawn first from the
// record's own stream so that its dependants can recompute them.
struct PullRequestCore {
    std::int64_t repository;
    std::int64_t createdAt;
    std::string_view state;
    std::optional<std::int64_t> mergedAt;
    std::optional<std::int64_t> closedAt;
};

struct DeploymentCore {
    std::int64_t repository;
    bool production;
    bool success;
    std::int64_t firstCommitAt;
    std::int64_t deployedAt;
};

// Everything that draws from the streams, over the generator's state.
struct RecordDraw {
    const RecordGenerator& gen;
    std::uint64_t key;
    std::int64_t start;
    std::int64_t end;
    const std::vector<std::int64_t>& refs;

    Rng stream(int table, std::int64_t index) const
    {
        return Rng{mix(key ^ mix((static_cast<std::uint64_t>(table) << 56) ^ static_cast<std::uint64_t>(index)))};
    }
    std::int64_t id(std::int64_t index) const { return DemoSchema::rowId(gen.params().jobId, index); }

    // Busy repositories get more of the traffic (a few services dominate).
    std::int64_t repository(Rng& rng) const
    {
        const double u = rng.uniform();
        return std::min(refs[Repositories] - 1, static_cast<std::int64_t>(u * u * static_cast<double>(refs[Repositories])));
    }

    // A moment in the period, weighted to weekdays and working hours (UTC).
    std::int64_t workTime(Rng& rng) const
    {
        const std::int64_t firstDay = start / kDay - (start % kDay < 0 ? 1 : 0);
        const std::int64_t days = (end - firstDay * kDay + kDay - 1) / kDay;
        std::int64_t day = firstDay + rng.below(days);
        const auto weekday = [](std::int64_t d) { return ((d % 7) + 11) % 7; };  // 0 = Sunday (1970-01-01 was a Thursday)
        if ((weekday(day) == 0 || weekday(day) == 6) && rng.chance(0.75))
            day = firstDay + rng.below(days);
        // Most work between 08:00 and 18:00, some at any hour.
        const std::int64_t second = rng.chance(0.8) ? 8 * kHour + rng.below(10 * kHour) : rng.below(kDay);
        const std::int64_t t = day * kDay + second;
        if (t >= start && t < end)
            return t;
        return start + rng.below(end - start);  // the partial first or last day
    }

    PullRequestCore pullRequest(Rng& rng) const
    {
        PullRequestCore pr{};
        pr.repository = repository(rng);
        pr.createdAt = workTime(rng);
        const double u = rng.uniform();
        const std::int64_t review = rng.duration(20.0 * kHour, 1.1, 10 * kMinute, 14 * kDay);
        if (u < 0.70) {
            pr.state = "merged";
            pr.mergedAt = pr.createdAt + review;
            pr.closedAt = pr.mergedAt;
        } else if (u < 0.80) {
            pr.state = "closed";
            pr.closedAt = pr.createdAt + 2 * review;
        } else {
            pr.state = "open";
        }
        if (pr.closedAt && *pr.closedAt >= end) {  // not finished yet at the period's end
            pr.state = "open";
            pr.mergedAt.reset();
            pr.closedAt.reset();
        }
        return pr;
    }

    DeploymentCore deployment(Rng& rng) const
    {
        DeploymentCore d{};
        d.repository = repository(rng);
        d.production = rng.chance(0.55);
        d.success = rng.chance(0.85);
        const std::int64_t span = end - start;
        const std::int64_t lead = rng.duration(26.0 * kHour, 1.0, 20 * kMinute, std::max<std::int64_t>(20 * kMinute, std::min(10 * kDay, span / 2)));
        d.deployedAt = start + lead + rng.below(std::max<std::int64_t>(1, span - lead));
        d.firstCommitAt = d.deployedAt - lead;
        return d;
    }

    void repositoryRow(std::int64_t index, std::string& out) const
    {
        Rng rng = stream(Repositories, index);
        const std::string_view team = rng.pick(kTeams);
        const std::string_view component = rng.pick(kComponents);
        Line line(out);
        line.integer(id(index));
        std::string& name = line.raw();
        name.append(team).append("-").append(component);
        if (index >= static_cast<std::int64_t>(kTeams.size() * kComponents.size())) {
            name.push_back('-');
            appendInt(name, index);
        }
        line.text(team);
        // Repositories predate the activity: up to two years before the
        // period, a few created during its first half.
        line.timestamp(rng.chance(0.9) ? start - rng.duration(300.0 * kDay, 0.8, kDay, 730 * kDay)
                                       : start + rng.below(std::max<std::int64_t>(1, (end - start) / 2)));
        line.end();
    }

    void pullRequestRow(std::int64_t index, std::string& out) const
    {
        Rng rng = stream(PullRequests, index);
        const PullRequestCore pr = pullRequest(rng);
        Line line(out);
        line.integer(id(index)).integer(id(pr.repository)).integer(index + 1);
        std::string& title = line.raw();
        const std::string_view verb = rng.pick(kVerbs);
        const std::string_view object = rng.pick(kObjects);
        const std::string_view qualifier = rng.pick(kQualifiers);
        std::string text;
        text.append(verb).append(" ").append(object).append(qualifier);
        CopyText::appendEscaped(title, text);
        line.text(rng.pick(kLogins)).text(pr.state).timestamp(pr.createdAt).timestamp(pr.mergedAt).timestamp(pr.closedAt);
        line.integer(rng.duration(80, 1.2, 1, 20000)).integer(rng.duration(30, 1.3, 0, 15000));
        line.end();
    }

    void commitRow(std::int64_t index, std::string& out) const
    {
        Rng rng = stream(Commits, index);
        std::int64_t repositoryIndex = 0;
        std::optional<std::int64_t> pullRequestId;
        std::int64_t committedAt = 0;
        if (rng.chance(0.85)) {
            const std::int64_t prIndex = rng.below(refs[PullRequests]);
            Rng prRng = stream(PullRequests, prIndex);
            const PullRequestCore pr = pullRequest(prRng);
            pullRequestId = id(prIndex);
            repositoryIndex = pr.repository;
            // Work happens shortly before the PR is opened.
            committedAt = pr.createdAt - rng.duration(3.0 * kHour, 1.0, kMinute, 3 * kDay);
            if (committedAt < start)
                committedAt = pr.createdAt;
        } else {
            repositoryIndex = repository(rng);  // pushed straight to the default branch
            committedAt = workTime(rng);
        }
        Line line(out);
        line.integer(id(index));
        appendHex(line.raw(), rng, 40);
        line.integer(id(repositoryIndex)).reference(pullRequestId).text(rng.pick(kLogins));
        std::string message;
        message.append(rng.pick(kCommitTypes)).append("(").append(rng.pick(kComponents)).append("): ");
        std::string_view verb = rng.pick(kVerbs);
        message.push_back(static_cast<char>(verb[0] - 'A' + 'a'));
        message.append(verb.substr(1)).append(" ").append(rng.pick(kObjects));
        const double body = rng.uniform();
        if (body < 0.25) {
            // A body over several lines, as real commit messages have.
            message.append("\n\nRefs ").append(rng.pick(kProjects)).append("-");
            appendInt(message, 100 + rng.below(5000));
            message.append("\nReviewed-by: ").append(rng.pick(kLogins));
        } else if (body < 0.27) {
            message.append("\n\nBefore:\r\n\tretries=3\r\nAfter:\r\n\tretries=5");  // pasted from a Windows terminal
        }
        line.text(message).timestamp(committedAt);
        line.end();
    }

    void reviewRow(std::int64_t index, std::string& out) const
    {
        Rng rng = stream(Reviews, index);
        const std::int64_t prIndex = rng.below(refs[PullRequests]);
        Rng prRng = stream(PullRequests, prIndex);
        const PullRequestCore pr = pullRequest(prRng);
        // Between the PR's creation and its merge (or close, or the period end).
        const std::int64_t until = pr.closedAt.value_or(end);
        const std::int64_t delay = rng.duration(3.0 * kHour, 1.0, 5 * kMinute, 5 * kDay);
        std::int64_t submittedAt = pr.createdAt + delay;
        if (submittedAt >= until)
            submittedAt = pr.createdAt + static_cast<std::int64_t>(static_cast<double>(until - pr.createdAt) * rng.uniform());
        const double u = rng.uniform();
        const std::string_view state = u < 0.6 ? "approved" : u < 0.75 ? "changes_requested" : "commented";
        Line line(out);
        line.integer(id(index)).integer(id(prIndex)).text(rng.pick(kLogins)).text(state).timestamp(submittedAt);
        line.end();
    }

    void deploymentRow(std::int64_t index, std::string& out) const
    {
        Rng rng = stream(Deployments, index);
        const DeploymentCore d = deployment(rng);
        Line line(out);
        line.integer(id(index)).integer(id(d.repository)).text(d.production ? "production" : "staging");
        line.text(d.success ? "success" : "failure");
        appendHex(line.raw(), rng, 40);
        line.timestamp(d.firstCommitAt).timestamp(d.deployedAt);
        line.end();
    }

    void incidentRow(std::int64_t index, std::string& out) const
    {
        Rng rng = stream(Incidents, index);
        std::optional<std::int64_t> deploymentIndex;
        std::int64_t repositoryIndex = 0;
        std::int64_t openedAt = 0;
        if (rng.chance(0.85)) {
            // Most incidents follow a failed production deployment: look for
            // one (about 8% of deployments are), a bounded number of tries.
            for (int attempt = 0; attempt < 40 && !deploymentIndex; ++attempt) {
                const std::int64_t candidate = rng.below(refs[Deployments]);
                Rng dRng = stream(Deployments, candidate);
                const DeploymentCore d = deployment(dRng);
                if (d.production && !d.success) {
                    deploymentIndex = candidate;
                    repositoryIndex = d.repository;
                    openedAt = std::min(end - 1, d.deployedAt + rng.duration(20.0 * kMinute, 0.8, 2 * kMinute, 6 * kHour));
                }
            }
        }
        if (!deploymentIndex) {
            repositoryIndex = repository(rng);
            openedAt = workTime(rng);
        }
        const double s = rng.uniform();
        const std::string_view severity = s < 0.1 ? "sev1" : s < 0.4 ? "sev2" : "sev3";
        std::optional<std::int64_t> resolvedAt;
        if (rng.chance(0.9)) {
            resolvedAt = openedAt + rng.duration(90.0 * kMinute, 1.1, 5 * kMinute, 3 * kDay);
            if (*resolvedAt >= end)
                resolvedAt.reset();  // still open at the end of the period
        }
        Line line(out);
        line.integer(id(index)).integer(id(repositoryIndex));
        line.reference(deploymentIndex ? std::optional<std::int64_t>(id(*deploymentIndex)) : std::nullopt);
        line.text(severity).timestamp(openedAt).timestamp(resolvedAt);
        line.end();
    }

    void issueRow(std::int64_t index, std::string& out) const
    {
        Rng rng = stream(Issues, index);
        const std::string_view project = rng.pick(kProjects);
        const double t = rng.uniform();
        const std::string_view type = t < 0.35 ? "bug" : t < 0.70 ? "story" : t < 0.95 ? "task" : "epic";
        const double p = rng.uniform();
        const std::string_view priority = p < 0.05 ? "highest" : p < 0.25 ? "high" : p < 0.75 ? "medium" : "low";
        const std::int64_t createdAt = workTime(rng);
        const double st = rng.uniform();
        std::string_view status = st < 0.55 ? "done" : st < 0.70 ? "in_progress" : "open";
        std::optional<std::int64_t> resolvedAt;
        if (status == "done") {
            resolvedAt = createdAt + rng.duration(3.0 * kDay, 1.2, 30 * kMinute, 60 * kDay);
            if (*resolvedAt >= end) {
                status = "in_progress";
                resolvedAt.reset();
            }
        }
        Line line(out);
        line.integer(id(index));
        std::string& issueKey = line.raw();
        issueKey.append(project).append("-");
        appendInt(issueKey, 100 + index);
        line.text(project).text(type).text(status).text(priority).timestamp(createdAt).timestamp(resolvedAt);
        line.end();
    }
};

}  // namespace

RecordGenerator::RecordGenerator(const Params& params, const EtlPlan& plan)
    : m_params(params)
    , m_periodStart(params.periodEnd - static_cast<std::int64_t>(params.periodDays) * kDay)
    , m_key(mix(params.seed ^ mix(static_cast<std::uint64_t>(params.jobId) + kGolden)))
{
    for (size_t i = 0; i < DemoSchema::dataTables().size(); ++i)
        m_referenceRows.push_back(plan.referenceRows(static_cast<int>(i)));
}

std::string_view RecordGenerator::columns(int table)
{
    switch (table) {
    case Repositories: return "id, name, team, created_at";
    case PullRequests:
        return "id, repository_id, number, title, author, state, created_at, merged_at, closed_at, additions, deletions";
    case Commits: return "id, sha, repository_id, pull_request_id, author, message, committed_at";
    case Reviews: return "id, pull_request_id, reviewer, state, submitted_at";
    case Deployments: return "id, repository_id, environment, status, commit_sha, first_commit_at, deployed_at";
    case Incidents: return "id, repository_id, deployment_id, severity, opened_at, resolved_at";
    case Issues: return "id, key, project, type, status, priority, created_at, resolved_at";
    default: throw std::out_of_range("RecordGenerator: no data table " + std::to_string(table));
    }
}

std::string RecordGenerator::copyStatement(int table)
{
    return "COPY " + DemoSchema::dataTables().at(static_cast<size_t>(table)) + " (" + std::string(columns(table)) +
           ") FROM STDIN";
}

void RecordGenerator::appendRow(int table, std::int64_t index, std::string& out) const
{
    const RecordDraw draw{*this, m_key, m_periodStart, m_params.periodEnd, m_referenceRows};
    switch (table) {
    case Repositories: draw.repositoryRow(index, out); break;
    case PullRequests: draw.pullRequestRow(index, out); break;
    case Commits: draw.commitRow(index, out); break;
    case Reviews: draw.reviewRow(index, out); break;
    case Deployments: draw.deploymentRow(index, out); break;
    case Incidents: draw.incidentRow(index, out); break;
    case Issues: draw.issueRow(index, out); break;
    default: throw std::out_of_range("RecordGenerator: no data table " + std::to_string(table));
    }
}

void RecordGenerator::appendRows(int table, std::int64_t first, std::int64_t count, std::string& out) const
{
    for (std::int64_t i = first; i < first + count; ++i)
        appendRow(table, i, out);
}

void RecordGenerator::appendTimestamp(std::string& out, std::int64_t epochSeconds)
{
    // Howard Hinnant's civil_from_days: exact for the proleptic Gregorian calendar.
    std::int64_t days = epochSeconds / kDay;
    std::int64_t secondOfDay = epochSeconds % kDay;
    if (secondOfDay < 0) {
        secondOfDay += kDay;
        --days;
    }
    const std::int64_t z = days + 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const std::int64_t doe = z - era * 146097;
    const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const std::int64_t mp = (5 * doy + 2) / 153;
    const std::int64_t day = doy - (153 * mp + 2) / 5 + 1;
    const std::int64_t month = mp < 10 ? mp + 3 : mp - 9;
    const std::int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    appendPadded(out, year, 4);
    out.push_back('-');
    appendPadded(out, month, 2);
    out.push_back('-');
    appendPadded(out, day, 2);
    out.push_back(' ');
    appendPadded(out, secondOfDay / kHour, 2);
    out.push_back(':');
    appendPadded(out, secondOfDay % kHour / kMinute, 2);
    out.push_back(':');
    appendPadded(out, secondOfDay % kMinute, 2);
    out.append("+00");
}

}  // namespace pulse

// The ETL's pure parts, no database: the row plan (shares add up to the
// requested rows exactly, for any size and table subset), the record
// generator (deterministic, random access, valid COPY text, timestamps in
// the period and in order, references inside the job, the shapes the DORA
// dashboards rely on), COPY text escaping, and EtlJobSpec's validation messages.

#include "common/Errors.hpp"
#include "etl/DemoSchema.hpp"
#include "etl/EtlJobSpec.hpp"
#include "etl/EtlPlan.hpp"
#include "etl/RecordGenerator.hpp"
#include "pg/CopyText.hpp"

#include <QtTest>

#include <set>

using pulse::DemoSchema;
using pulse::EtlJobSpec;
using pulse::EtlPlan;
using pulse::RecordGenerator;

namespace {

enum : int { Repositories, PullRequests, Commits, Reviews, Deployments, Incidents, Issues };

constexpr std::int64_t kPeriodEnd = 1714571107;  // 2024-05-01 13:45:07 UTC
constexpr int kPeriodDays = 90;
constexpr std::int64_t kJob = 7;

EtlJobSpec specOf(std::int64_t rows, std::vector<std::string> tables = {}, int chunk = 1000)
{
    EtlJobSpec spec;
    spec.totalRows = rows;
    spec.chunkSize = chunk;
    spec.tables = std::move(tables);
    return spec;
}

RecordGenerator generatorOf(std::uint64_t seed = 42, std::int64_t job = kJob, std::int64_t rows = 100'000)
{
    return RecordGenerator({seed, job, kPeriodEnd, kPeriodDays}, EtlPlan(specOf(rows)));
}

std::string rowsOf(const RecordGenerator& gen, int table, std::int64_t first, std::int64_t count)
{
    std::string out;
    gen.appendRows(table, first, count, out);
    return out;
}

// COPY text rows split into columns (escaped values hold no tab or newline).
std::vector<QStringList> parse(const std::string& copyText)
{
    std::vector<QStringList> rows;
    const QString text = QString::fromStdString(copyText);
    QStringList lines = text.split(QLatin1Char('\n'));
    if (!lines.isEmpty() && lines.back().isEmpty())
        lines.removeLast();
    for (const auto& line : lines)
        rows.push_back(line.split(QLatin1Char('\t')));
    return rows;
}

bool isNull(const QString& field)
{
    return field == QLatin1String("\\N");
}

// "2024-05-01 13:45:07+00" -> seconds since the epoch.
std::int64_t epochOf(const QString& timestamp)
{
    const QDate date = QDate::fromString(timestamp.left(10), QStringLiteral("yyyy-MM-dd"));
    const QTime time = QTime::fromString(timestamp.mid(11, 8), QStringLiteral("HH:mm:ss"));
    if (!date.isValid() || !time.isValid() || !timestamp.endsWith(QLatin1String("+00")))
        return INT64_MIN;
    return (date.toJulianDay() - 2440588) * 86400 + time.msecsSinceStartOfDay() / 1000;
}

std::int64_t indexOf(const QString& id)
{
    return id.toLongLong() - DemoSchema::firstId(kJob);
}

}  // namespace

class TestRecordGenerator : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void planSumsExactly_data();
    void planSumsExactly();
    void planShares();
    void planSubsets();
    void copyEscaping_data();
    void copyEscaping();
    void timestampFormat_data();
    void timestampFormat();
    void deterministic();
    void differentInputsDifferentData();
    void randomAccess_data();
    void randomAccess();
    void validCopyText();
    void timestampsInPeriodAndOrdered();
    void referencesInsideTheJob();
    void shapesForTheDashboards();
    void validationMessages_data();
    void validationMessages();
};

void TestRecordGenerator::planSumsExactly_data()
{
    QTest::addColumn<qint64>("rows");
    QTest::addColumn<QStringList>("tables");
    QTest::addColumn<int>("chunk");
    const QList<qint64> sizes{0, 1, 2, 3, 7, 33, 99, 100, 101, 999, 1000, 1001, 12345, 1'000'000, 4'000'000'000};
    const QList<QStringList> subsets{{},
                                     {QStringLiteral("repositories")},
                                     {QStringLiteral("issues")},
                                     {QStringLiteral("commits"), QStringLiteral("reviews")},
                                     {QStringLiteral("incidents"), QStringLiteral("deployments")},
                                     {QStringLiteral("repositories"), QStringLiteral("issues")},
                                     {QStringLiteral("pull_requests"), QStringLiteral("reviews"),
                                      QStringLiteral("incidents")}};
    for (qint64 rows : sizes)
        for (const auto& subset : subsets)
            QTest::addRow("%lld rows, {%s}", rows, qPrintable(subset.join(QLatin1Char(','))))
                << rows << subset << (rows % 2 ? 7 : 1000);
}

void TestRecordGenerator::planSumsExactly()
{
    QFETCH(qint64, rows);
    QFETCH(QStringList, tables);
    QFETCH(int, chunk);
    std::vector<std::string> names;
    for (const auto& t : tables)
        names.push_back(t.toStdString());
    const EtlPlan plan(specOf(rows, names, chunk));
    std::int64_t sum = 0;
    std::int64_t chunks = 0;
    QCOMPARE(plan.tables().size(), names.empty() ? DemoSchema::dataTables().size() : names.size());
    int previous = -1;
    for (const auto& table : plan.tables()) {
        QVERIFY(table.rows >= 0);
        QVERIFY2(table.index > previous, "tables in load order");
        previous = table.index;
        QCOMPARE(table.name, DemoSchema::dataTables()[static_cast<size_t>(table.index)]);
        QCOMPARE(table.chunks, (table.rows + chunk - 1) / chunk);
        sum += table.rows;
        chunks += table.chunks;
    }
    QCOMPARE(sum, rows);
    QCOMPARE(plan.totalChunks(), chunks);
    if (const auto* repositories = plan.find("repositories"); repositories && rows > 0)
        QVERIFY(repositories->rows >= 1);
    for (int i = 0; i < 7; ++i)
        QVERIFY(plan.referenceRows(i) >= 1);
}

void TestRecordGenerator::planShares()
{
    const EtlPlan plan(specOf(100'000));
    const std::vector<std::int64_t> expected{1'000, 15'000, 35'000, 20'000, 10'000, 3'000, 16'000};
    for (const auto& table : plan.tables())
        QCOMPARE(table.rows, expected[static_cast<size_t>(table.index)]);
    // The remainder goes to commits.
    const EtlPlan odd(specOf(1'001));
    QCOMPARE(odd.find("repositories")->rows, 10);
    QCOMPARE(odd.find("commits")->rows, 1'001 - 10 - 150 - 200 - 100 - 30 - 160);
    // Tiny jobs still have a repository.
    const EtlPlan tiny(specOf(5));
    QCOMPARE(tiny.find("repositories")->rows, 1);
    QCOMPARE(tiny.find("reviews")->rows, 1);   // 5 * 20% = 1
    QCOMPARE(tiny.find("commits")->rows, 3);   // 5 * 35% = 1, plus the remainder
}

void TestRecordGenerator::planSubsets()
{
    // Scaled to the chosen tables; references draw from the full plan.
    const EtlPlan plan(specOf(1'000, {"issues", "incidents"}));
    QCOMPARE(plan.tables().size(), size_t(2));
    QCOMPARE(plan.tables()[0].name, std::string("incidents"));  // load order, not the given order
    QCOMPARE(plan.find("incidents")->rows, 1'000 * 30 / 190);
    QCOMPARE(plan.find("issues")->rows, 1'000 - 1'000 * 30 / 190);  // the largest share takes the remainder
    QCOMPARE(plan.referenceRows(Deployments), 100);
    QVERIFY(!plan.find("commits"));
}

void TestRecordGenerator::copyEscaping_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("escaped");
    QTest::addRow("plain") << "fix(auth): handle tokens" << "fix(auth): handle tokens";
    QTest::addRow("empty") << "" << "";
    QTest::addRow("backslash") << "C:\\Users\\build" << "C:\\\\Users\\\\build";
    QTest::addRow("tab") << "a\tb" << "a\\tb";
    QTest::addRow("newline") << "subject\n\nbody" << "subject\\n\\nbody";
    QTest::addRow("carriage return") << "line\r\n" << "line\\r\\n";
    QTest::addRow("all at the ends") << "\\\t\n\r" << "\\\\\\t\\n\\r";
    QTest::addRow("looks like NULL") << "\\N" << "\\\\N";
    QTest::addRow("quotes and unicode") << "\"beta\" flag — ok" << "\"beta\" flag — ok";
}

void TestRecordGenerator::copyEscaping()
{
    QFETCH(QString, value);
    QFETCH(QString, escaped);
    QCOMPARE(QString::fromStdString(pulse::CopyText::escaped(value.toStdString())), escaped);
    QCOMPARE(QString::fromUtf8(pulse::CopyText::kNull.data(), 2), QStringLiteral("\\N"));
}

void TestRecordGenerator::timestampFormat_data()
{
    QTest::addColumn<qint64>("epoch");
    QTest::addColumn<QString>("text");
    QTest::addRow("epoch") << qint64(0) << "1970-01-01 00:00:00+00";
    QTest::addRow("leap day") << qint64(951782400) << "2000-02-29 00:00:00+00";
    QTest::addRow("period end") << qint64(kPeriodEnd) << "2024-05-01 13:45:07+00";
    QTest::addRow("before the epoch") << qint64(-1) << "1969-12-31 23:59:59+00";
    QTest::addRow("end of century") << qint64(4102444799) << "2099-12-31 23:59:59+00";
}

void TestRecordGenerator::timestampFormat()
{
    QFETCH(qint64, epoch);
    QFETCH(QString, text);
    std::string out;
    RecordGenerator::appendTimestamp(out, epoch);
    QCOMPARE(QString::fromStdString(out), text);
    QCOMPARE(epochOf(text), epoch);
}

void TestRecordGenerator::deterministic()
{
    const auto a = generatorOf();
    const auto b = generatorOf();
    for (int table = 0; table < 7; ++table)
        QCOMPARE(rowsOf(a, table, 0, 500), rowsOf(b, table, 0, 500));
}

void TestRecordGenerator::differentInputsDifferentData()
{
    const auto base = generatorOf(42, kJob);
    const auto otherSeed = generatorOf(43, kJob);
    const auto otherJob = generatorOf(42, kJob + 1);
    for (int table = 0; table < 7; ++table) {
        const auto rows = parse(rowsOf(base, table, 0, 200));
        const auto seeded = parse(rowsOf(otherSeed, table, 0, 200));
        const auto job = parse(rowsOf(otherJob, table, 0, 200));
        int differ = 0;
        for (size_t i = 0; i < rows.size(); ++i) {
            QCOMPARE(rows[i][0], seeded[i][0]);  // same ids: the seed changes content, not keys
            QVERIFY(rows[i][0] != job[i][0]);    // another job, another id range
            if (rows[i].mid(1) != seeded[i].mid(1))
                ++differ;
        }
        QVERIFY2(differ > 190, qPrintable(QStringLiteral("table %1: only %2 of 200 rows differ").arg(table).arg(differ)));
    }
}

void TestRecordGenerator::randomAccess_data()
{
    QTest::addColumn<int>("table");
    for (int t = 0; t < 7; ++t)
        QTest::addRow("%s", DemoSchema::dataTables()[static_cast<size_t>(t)].c_str()) << t;
}

void TestRecordGenerator::randomAccess()
{
    QFETCH(int, table);
    const auto gen = generatorOf();
    const std::int64_t total = 1'000;
    const std::int64_t chunk = 64;  // not a divisor: the last chunk is short
    const auto full = parse(rowsOf(gen, table, 0, total));
    QCOMPARE(full.size(), size_t(total));
    // Chunks generated alone, last one first, by a separate generator object.
    const auto other = generatorOf();
    for (std::int64_t first = (total - 1) / chunk * chunk; first >= 0; first -= chunk) {
        const std::int64_t count = std::min(chunk, total - first);
        const auto part = parse(rowsOf(other, table, first, count));
        QCOMPARE(part.size(), size_t(count));
        for (std::int64_t i = 0; i < count; ++i)
            QCOMPARE(part[static_cast<size_t>(i)], full[static_cast<size_t>(first + i)]);
    }
}

void TestRecordGenerator::validCopyText()
{
    const auto gen = generatorOf();
    const std::vector<int> columns{4, 11, 7, 5, 7, 6, 8};
    for (int table = 0; table < 7; ++table) {
        const std::string text = rowsOf(gen, table, 0, 2'000);
        const auto rows = parse(text);
        QCOMPARE(rows.size(), size_t(2'000));  // no raw newline inside a value
        QCOMPARE(QString::fromStdString(std::string(RecordGenerator::columns(table))).split(QLatin1Char(',')).size(),
                 columns[static_cast<size_t>(table)]);
        std::set<QString> ids;
        for (const auto& row : rows) {
            QCOMPARE(row.size(), columns[static_cast<size_t>(table)]);  // no raw tab inside a value
            ids.insert(row[0]);
        }
        QCOMPARE(ids.size(), size_t(2'000));
        QVERIFY(text.find('\r') == std::string::npos);
    }
    // Commit messages with bodies exercise the escapes.
    const std::string commits = rowsOf(gen, Commits, 0, 2'000);
    QVERIFY(commits.find("\\n\\nRefs ") != std::string::npos);
    QVERIFY(commits.find("\\r\\n\\tretries") != std::string::npos);
    QVERIFY(rowsOf(gen, PullRequests, 0, 2'000).find("C:\\\\Users\\\\build") != std::string::npos);
    QCOMPARE(QString::fromStdString(RecordGenerator::copyStatement(Reviews)),
             QStringLiteral("COPY reviews (id, pull_request_id, reviewer, state, submitted_at) FROM STDIN"));
}

void TestRecordGenerator::timestampsInPeriodAndOrdered()
{
    const auto gen = generatorOf();
    const std::int64_t start = kPeriodEnd - kPeriodDays * 86400LL;
    QCOMPARE(gen.periodStart(), start);
    const auto inPeriod = [&](const QString& field) {
        const std::int64_t t = epochOf(field);
        return t >= start && t < kPeriodEnd;
    };
    const auto prCreated = [&](std::int64_t index) { return epochOf(parse(rowsOf(gen, PullRequests, index, 1))[0][6]); };
    const std::int64_t n = 3'000;
    for (const auto& r : parse(rowsOf(gen, Repositories, 0, 200)))
        QVERIFY(epochOf(r[3]) < kPeriodEnd && epochOf(r[3]) > start - 3 * 365 * 86400LL);
    for (const auto& r : parse(rowsOf(gen, PullRequests, 0, n))) {
        QVERIFY2(inPeriod(r[6]), qPrintable(r.join(QLatin1Char('|'))));
        if (r[5] == QLatin1String("merged")) {
            QVERIFY(inPeriod(r[7]) && epochOf(r[7]) >= epochOf(r[6]));
            QCOMPARE(r[8], r[7]);
        } else if (r[5] == QLatin1String("closed")) {
            QVERIFY(isNull(r[7]) && inPeriod(r[8]) && epochOf(r[8]) >= epochOf(r[6]));
        } else {
            QVERIFY(isNull(r[7]) && isNull(r[8]));
        }
    }
    for (const auto& r : parse(rowsOf(gen, Commits, 0, n))) {
        QVERIFY(inPeriod(r[6]));
        if (!isNull(r[3]))
            QVERIFY(epochOf(r[6]) <= prCreated(indexOf(r[3])));
    }
    for (const auto& r : parse(rowsOf(gen, Reviews, 0, n))) {
        QVERIFY(inPeriod(r[4]));
        const auto pr = parse(rowsOf(gen, PullRequests, indexOf(r[1]), 1))[0];
        QVERIFY2(epochOf(r[4]) >= epochOf(pr[6]), "a review comes after its pull request");
        if (!isNull(pr[8]))
            QVERIFY(epochOf(r[4]) <= epochOf(pr[8]));
    }
    for (const auto& r : parse(rowsOf(gen, Deployments, 0, n))) {
        QVERIFY(inPeriod(r[5]) && inPeriod(r[6]));
        const std::int64_t lead = epochOf(r[6]) - epochOf(r[5]);
        QVERIFY(lead >= 20 * 60 && lead <= 10 * 86400);
    }
    for (const auto& r : parse(rowsOf(gen, Incidents, 0, n))) {
        QVERIFY(inPeriod(r[4]));
        if (!isNull(r[5]))
            QVERIFY(inPeriod(r[5]) && epochOf(r[5]) > epochOf(r[4]));
        if (!isNull(r[2])) {
            const auto d = parse(rowsOf(gen, Deployments, indexOf(r[2]), 1))[0];
            QCOMPARE(d[2], QStringLiteral("production"));
            QCOMPARE(d[3], QStringLiteral("failure"));
            QVERIFY(epochOf(r[4]) >= epochOf(d[6]));
            QCOMPARE(r[1], d[1]);  // the deployment's repository
        }
    }
    for (const auto& r : parse(rowsOf(gen, Issues, 0, n))) {
        QVERIFY(inPeriod(r[6]));
        if (r[4] == QLatin1String("done"))
            QVERIFY(inPeriod(r[7]) && epochOf(r[7]) >= epochOf(r[6]));
        else
            QVERIFY(isNull(r[7]));
    }
}

void TestRecordGenerator::referencesInsideTheJob()
{
    const EtlPlan plan(specOf(100'000));
    const RecordGenerator gen({42, kJob, kPeriodEnd, kPeriodDays}, plan);
    const auto within = [&](const QString& id, int table) {
        const std::int64_t index = indexOf(id);
        return index >= 0 && index < plan.referenceRows(table);
    };
    for (const auto& r : parse(rowsOf(gen, PullRequests, 0, 2'000)))
        QVERIFY(within(r[1], Repositories));
    for (const auto& r : parse(rowsOf(gen, Commits, 0, 2'000)))
        QVERIFY(within(r[2], Repositories) && (isNull(r[3]) || within(r[3], PullRequests)));
    for (const auto& r : parse(rowsOf(gen, Reviews, 0, 2'000)))
        QVERIFY(within(r[1], PullRequests));
    for (const auto& r : parse(rowsOf(gen, Deployments, 0, 2'000)))
        QVERIFY(within(r[1], Repositories));
    for (const auto& r : parse(rowsOf(gen, Incidents, 0, 2'000)))
        QVERIFY(within(r[1], Repositories) && (isNull(r[2]) || within(r[2], Deployments)));
}

void TestRecordGenerator::shapesForTheDashboards()
{
    const auto gen = generatorOf();
    const std::int64_t n = 20'000;
    const auto share = [n](int count) { return static_cast<double>(count) / static_cast<double>(n); };
    std::map<QString, int> prStates;
    for (const auto& r : parse(rowsOf(gen, PullRequests, 0, n)))
        ++prStates[r[5]];
    // A few PRs opened near the end of the period are still open.
    QVERIFY2(share(prStates[QStringLiteral("merged")]) > 0.63 && share(prStates[QStringLiteral("merged")]) < 0.72,
             qPrintable(QString::number(share(prStates[QStringLiteral("merged")]))));
    QVERIFY(share(prStates[QStringLiteral("closed")]) > 0.07 && share(prStates[QStringLiteral("closed")]) < 0.12);
    QVERIFY(share(prStates[QStringLiteral("open")]) > 0.18 && share(prStates[QStringLiteral("open")]) < 0.28);

    int production = 0, success = 0;
    for (const auto& r : parse(rowsOf(gen, Deployments, 0, n))) {
        production += r[2] == QLatin1String("production");
        success += r[3] == QLatin1String("success");
    }
    QVERIFY(share(production) > 0.5 && share(production) < 0.6);
    QVERIFY(share(success) > 0.82 && share(success) < 0.88);

    int tied = 0, resolved = 0;
    std::int64_t restoreSeconds = 0;
    for (const auto& r : parse(rowsOf(gen, Incidents, 0, n))) {
        tied += !isNull(r[2]);
        if (!isNull(r[5])) {
            ++resolved;
            restoreSeconds += epochOf(r[5]) - epochOf(r[4]);
        }
    }
    QVERIFY2(share(tied) > 0.75, "most incidents follow a failed production deployment");
    QVERIFY(share(resolved) > 0.85 && share(resolved) < 0.92);
    const double meanRestoreHours = static_cast<double>(restoreSeconds) / resolved / 3600.0;
    QVERIFY2(meanRestoreHours > 0.5 && meanRestoreHours < 12, qPrintable(QString::number(meanRestoreHours)));

    std::map<QString, int> statuses;
    for (const auto& r : parse(rowsOf(gen, Issues, 0, n))) {
        ++statuses[r[4]];
        QVERIFY(QRegularExpression(QStringLiteral("^[A-Z]+-[0-9]+$")).match(r[1]).hasMatch());
        QVERIFY(r[1].startsWith(r[2] + QLatin1Char('-')));
    }
    QVERIFY(share(statuses[QStringLiteral("done")]) > 0.45);
    QVERIFY(share(statuses[QStringLiteral("open")]) > 0.25);
}

void TestRecordGenerator::validationMessages_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("message");
    QTest::addRow("chunk 0") << "chunk" << "chunk size must be from 1 to 1000000 rows (got 0)";
    QTest::addRow("negative rows") << "rows" << "rows must be 0 or more (got -5)";
    QTest::addRow("rate 0") << "rate" << "rate must be at least 1 row per second (got 0)";
    QTest::addRow("unknown table") << "table" << "unknown table 'pulls'; the demo schema has repositories, pull_requests";
    QTest::addRow("period 0") << "period" << "period must be from 1 to 3650 days (got 0)";
}

void TestRecordGenerator::validationMessages()
{
    QFETCH(QString, field);
    QFETCH(QString, message);
    EtlJobSpec spec;
    if (field == QLatin1String("chunk"))
        spec.chunkSize = 0;
    else if (field == QLatin1String("rows"))
        spec.totalRows = -5;
    else if (field == QLatin1String("rate"))
        spec.rowsPerSecond = 0;
    else if (field == QLatin1String("table"))
        spec.tables = {"commits", "pulls"};
    else
        spec.periodDays = 0;
    try {
        spec.validate();
        QFAIL("validate() accepted a bad spec");
    } catch (const pulse::InvalidParameterError& e) {
        QVERIFY2(QString::fromUtf8(e.what()).startsWith(message), e.what());
    }
    EtlJobSpec good;
    good.validate();  // the defaults are valid
}

QTEST_GUILESS_MAIN(TestRecordGenerator)
#include "tst_record_generator.moc"

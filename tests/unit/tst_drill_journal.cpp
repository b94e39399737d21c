// The drill journal (JSON) and report (Markdown) say what happened: verdict
// first, the figures ops need, every step with its outcome. Pure logic.

#include "drills/DrillJournal.hpp"

#include <QtTest>

using namespace pulse;
using namespace std::chrono_literals;

namespace {

DrillJournal sampleJournal()
{
    const auto t0 = std::chrono::system_clock::time_point{} + std::chrono::hours(24 * 365 * 56);
    DrillJournal j;
    j.name = "replica-outage";
    j.title = "Replica outage under read load";
    j.blastRadius = "dashboard reads move to the primary";
    j.start = t0;
    j.end = t0 + 12s;
    j.status = DrillStatus::Completed;
    ActivityRun probe{.phase = "before", .name = "replica streams", .func = "replica_streaming",
                      .kind = ActivityKind::Probe, .arguments = {{"node", "replica"}}, .status = StepStatus::Succeeded,
                      .output = true, .tolerance = "true", .toleranceMet = true, .start = t0, .end = t0 + 10ms,
                      .error = {}};
    j.before = SteadyStateCheck{true, {probe}};
    ActivityRun stop{.phase = "method", .name = "stop | the replica", .func = "stop_node",
                     .kind = ActivityKind::Action, .arguments = {{"node", "replica"}}, .status = StepStatus::Succeeded,
                     .output = "pg_ctl stop -m fast\nwaiting", .tolerance = {}, .toleranceMet = std::nullopt,
                     .start = t0 + 1s, .end = t0 + 1500ms, .error = {}};
    ActivityRun reads{.phase = "method", .name = "reads on the primary", .func = "reads_served_by",
                      .kind = ActivityKind::Probe, .arguments = {{"within_seconds", 5}},
                      .status = StepStatus::Succeeded, .output = "primary", .tolerance = "\"primary\"",
                      .toleranceMet = true, .start = t0 + 2s, .end = t0 + 2100ms, .error = {}};
    j.run = {stop, reads};
    probe.phase = "after";
    j.after = SteadyStateCheck{true, {probe}};
    ActivityRun start{.phase = "rollback", .name = "start the replica", .func = "start_node",
                      .kind = ActivityKind::Action, .arguments = {{"node", "replica"}},
                      .status = StepStatus::Succeeded, .output = nullptr, .tolerance = {},
                      .toleranceMet = std::nullopt, .start = t0 + 10s, .end = t0 + 11s, .error = {}};
    j.rollbacks = {start};
    j.figures.readsBackAfterSeconds = 0.042;
    j.figures.dataAtRiskBytes = 3 * 1024 * 1024 + 200 * 1024;
    j.figures.reads = 300;
    j.figures.retriedReads = 2;
    j.figures.etlRowsPlanned = 20000;
    j.figures.etlRowsFound = 19000;
    return j;
}

}  // namespace

class TestDrillJournal : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void verdicts();
    void journalJson();
    void markdown();
};

void TestDrillJournal::verdicts()
{
    auto j = sampleJournal();
    QCOMPARE(j.verdict(), std::string("PASSED"));
    // Minor only: a topology left worse fails the drill (the runner's rule).
    j.warnings.push_back("the drill's figures could not be collected: timeout");
    QCOMPARE(j.verdict(), std::string("PASSED, with warnings: the drill's figures could not be collected: timeout"));
    j.status = DrillStatus::Failed;
    j.reason = "reads on the primary: got \"replica\", expected \"primary\"";
    QVERIFY(j.verdict().starts_with("FAILED: reads on the primary"));
    j.status = DrillStatus::Aborted;
    j.reason = "aborted by the operator";
    QCOMPARE(j.verdict(), std::string("ABORTED: aborted by the operator"));
}

void TestDrillJournal::journalJson()
{
    const auto json = toJson(sampleJournal());
    QCOMPARE(json["status"].get<std::string>(), std::string("completed"));
    QCOMPARE(json["duration"].get<double>(), 12.0);
    QVERIFY(json["steady_states"]["before"]["steady_state_met"].get<bool>());
    QCOMPARE(json["run"].size(), std::size_t(2));
    QCOMPARE(json["run"][0]["activity"]["func"].get<std::string>(), std::string("stop_node"));
    QVERIFY(json["run"][0]["tolerance_met"].is_null());
    QVERIFY(json["run"][1]["tolerance_met"].get<bool>());
    QCOMPARE(json["run"][1]["duration"].get<double>(), 0.1);
    QCOMPARE(json["rollbacks"][0]["status"].get<std::string>(), std::string("succeeded"));
    QCOMPARE(json["figures"]["reads_back_after_seconds"].get<double>(), 0.042);
    QVERIFY(json["figures"]["writes_back_after_seconds"].is_null());
    QCOMPARE(json["figures"]["retried_reads"].get<int>(), 2);
}

void TestDrillJournal::markdown()
{
    const auto md = markdownReport(sampleJournal());
    QVERIFY(md.starts_with("# Drill: Replica outage under read load\n\n**PASSED**\n"));
    QVERIFY(md.find("| Reads worked again after | 0.04 s |") != std::string::npos);
    QVERIFY(md.find("| Writes worked again after | not measured |") != std::string::npos);
    QVERIFY(md.find("3.2 MB of WAL not yet on the replica") != std::string::npos);
    QVERIFY(md.find("300 (0 failed, 2 served by the primary on fallback)") != std::string::npos);
    QVERIFY(md.find("19000 of 20000 planned: **not exact**") != std::string::npos);
    // A pipe or a line break in a step's text must not break the table.
    QVERIFY2(md.find("| +1.0 s | method | stop \\| the replica | ok | 0.50 s | pg_ctl stop -m fast waiting |") !=
                 std::string::npos,
             md.c_str());
    QVERIFY(md.find("| +2.0 s | method | reads on the primary | ok (\"primary\") |") != std::string::npos);
    QVERIFY(md.find("- before: held\n- after: held") != std::string::npos);
    QVERIFY(md.find("- start the replica: ok") != std::string::npos);
}

QTEST_GUILESS_MAIN(TestDrillJournal)
#include "tst_drill_journal.moc"

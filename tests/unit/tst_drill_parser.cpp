// Drill files: a valid one is read with its defaults filled in; a broken one
// is refused with every problem, each naming its place and what would do.
// Tolerances and the activity catalog itself. Pure logic, no database.

#include "drills/ActivityCatalog.hpp"
#include "drills/DrillFileError.hpp"
#include "drills/BuiltinDrills.hpp"
#include "drills/DrillParser.hpp"

#include <QtTest>

#include <set>

using namespace pulse;
using json = nlohmann::json;

namespace {

const std::vector<std::string> kNodes{"primary", "replica"};

json validDrill()
{
    return json::parse(R"({
      "version": 1,
      "name": "replica-outage",
      "title": "Replica outage under read load",
      "description": "Stop the replica while dashboards read.",
      "blast-radius": "dashboard reads move to the primary",
      "tags": ["replica", "fallback"],
      "workload": {"readers": 4, "think-ms": 50, "etl": {"rows": 20000, "chunk": 500}},
      "steady-state-hypothesis": {
        "title": "reads on the replica, nothing failing",
        "probes": [
          {"type": "probe", "name": "replica streams",
           "provider": {"type": "pulse", "func": "replica_streaming"}, "tolerance": true},
          {"type": "probe", "name": "lag small",
           "provider": {"func": "replication_lag_seconds", "arguments": {"node": "replica"}},
           "tolerance": {"max": 1}}
        ]
      },
      "method": [
        {"type": "action", "name": "stop the replica",
         "provider": {"func": "stop_node", "arguments": {"node": "replica"}}, "pauses": {"after": 1.5}},
        {"type": "probe", "name": "reads on the primary",
         "provider": {"func": "reads_served_by", "arguments": {"within_seconds": 5}}, "tolerance": "primary"}
      ],
      "rollbacks": [
        {"type": "action", "name": "start the replica",
         "provider": {"func": "start_node", "arguments": {"node": "replica"}}, "when": "always"},
        {"type": "action", "name": "resume replay", "provider": {"func": "resume_replay"}}
      ],
      "abort-conditions": {"interval-ms": 250, "probes": [
        {"type": "probe", "name": "few failed reads", "provider": {"func": "failed_reads"}, "tolerance": [0, 10]}
      ]}
    })");
}

std::vector<std::string> problemsOf(const json& document)
{
    try {
        DrillParser::parse(document, "test.json", kNodes);
    } catch (const DrillFileError& e) {
        return e.problems();
    }
    return {};
}

bool mentions(const std::vector<std::string>& problems, const std::string& text)
{
    return std::any_of(problems.begin(), problems.end(),
                       [&text](const std::string& p) { return p.find(text) != std::string::npos; });
}

std::string joined(const std::vector<std::string>& problems)
{
    std::string out;
    for (const auto& p : problems)
        out += p + "\n";
    return out;
}

}  // namespace

class TestDrillParser : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void validDrillWithDefaults();
    void builtinDrillsAreValid();
    void everyProblemAtOnce();
    void problems_data();
    void problems();
    void invalidJsonNamesTheSource();
    void tolerances();
    void catalogIsConsistent();
};

void TestDrillParser::validDrillWithDefaults()
{
    const Drill d = DrillParser::parse(validDrill().dump(), "test.json", kNodes);
    QCOMPARE(d.name, std::string("replica-outage"));
    QCOMPARE(d.workload.readers, 4);
    QCOMPARE(d.workload.think.count(), 50);
    QCOMPARE(d.workload.etlRows, std::int64_t(20000));
    QCOMPARE(d.workload.etlChunk, 500);
    QVERIFY(!d.workload.etlRate);
    QCOMPARE(d.steadyState.size(), std::size_t(2));
    // Defaults filled in from the catalog.
    QCOMPARE(d.steadyState[0].arguments["node"].get<std::string>(), std::string("replica"));
    QCOMPARE(d.steadyState[0].arguments["within_seconds"].get<double>(), 0.0);
    QCOMPARE(d.method[0].arguments["mode"].get<std::string>(), std::string("fast"));
    QCOMPARE(d.method[0].pauseAfter.count(), 1500);
    QVERIFY(d.method[1].tolerance->accepts("primary"));
    QVERIFY(!d.method[1].tolerance->accepts("replica"));
    QCOMPARE(d.rollbacks.size(), std::size_t(2));
    QVERIFY(d.rollbacks[0].always);
    QVERIFY(!d.rollbacks[1].always);
    QCOMPARE(d.rollbacks[1].activity.arguments["node"].get<std::string>(), std::string("replica"));
    QCOMPARE(d.abortInterval.count(), 250);
    QVERIFY(d.abortConditions[0].tolerance->accepts(3));
    QVERIFY(d.destructive());
    QCOMPARE(d.destructiveSteps(), std::vector<std::string>{"stop the replica"});
    QCOMPARE(d.source["name"].get<std::string>(), std::string("replica-outage"));
}

void TestDrillParser::everyProblemAtOnce()
{
    auto d = validDrill();
    d["metod"] = json::array();
    d["method"][0]["provider"]["func"] = "stop_nod";
    d["method"][1]["provider"]["arguments"]["within_seconds"] = "soon";
    d["rollbacks"][0]["provider"]["arguments"]["node"] = "replcia";
    const auto p = problemsOf(d);
    QVERIFY2(p.size() == 4, joined(p).c_str());
    QVERIFY(mentions(p, "drill: unknown key 'metod'; did you mean 'method'?"));
    QVERIFY(mentions(p, "drill.method[0].provider.func: unknown action 'stop_nod'; did you mean 'stop_node'?"));
    QVERIFY(mentions(p, "drill.method[1].provider.arguments.within_seconds: must be a number from 0 to 3600, got \"soon\""));
    QVERIFY(mentions(p, "drill.rollbacks[0].provider.arguments.node: unknown node \"replcia\" (this topology has: "
                        "primary, replica)"));
    try {
        DrillParser::parse(d, "my-drill.json", kNodes);
    } catch (const DrillFileError& e) {
        QVERIFY(std::string(e.what()).starts_with("my-drill.json: 4 problems\n  "));
    }
}

void TestDrillParser::problems_data()
{
    QTest::addColumn<QString>("mutation");
    QTest::addColumn<QString>("expected");
    QTest::addRow("no version") << R"({"/version": null})" << "drill: 'version' is missing (1)";
    QTest::addRow("version 2") << R"({"/version": 2})" << "drill.version: must be 1, got 2";
    QTest::addRow("bad name") << R"({"/name": "Replica Outage"})" << "use lower-case letters, digits and '-'";
    QTest::addRow("no method") << R"({"/method": null})" << "'method' is missing";
    QTest::addRow("empty method") << R"({"/method": []})" << "drill.method: is empty";
    QTest::addRow("action as probe") << R"({"/method/0/type": "probe"})" << "'stop_node' is an action, not a probe";
    QTest::addRow("missing argument") << R"({"/method/0/provider/arguments": {}})"
                                      << "stop_node needs 'node' (the node to stop)";
    QTest::addRow("unknown argument") << R"({"/method/0/provider/arguments/nod": "replica"})"
                                      << "stop_node takes no argument 'nod'; did you mean 'node'?";
    QTest::addRow("bad choice") << R"({"/method/0/provider/arguments/mode": "slow"})"
                                << "must be one of fast, immediate, got \"slow\"";
    QTest::addRow("probe without tolerance") << R"({"/steady-state-hypothesis/probes/0/tolerance": null})"
                                             << "a probe here needs a 'tolerance'";
    QTest::addRow("action in hypothesis") << R"({"/steady-state-hypothesis/probes/0/type": "action"})"
                                          << "only probes belong here";
    QTest::addRow("bad tolerance") << R"({"/steady-state-hypothesis/probes/1/tolerance": {"max": 1, "mn": 0}})"
                                   << "unknown key 'mn' (a range has 'min' and/or 'max')";
    QTest::addRow("reversed range") << R"({"/abort-conditions/probes/0/tolerance": [10, 0]})"
                                    << "a range is [min, max] with min <= max";
    QTest::addRow("tolerance on action") << R"({"/method/0/tolerance": true})" << "only a probe has a tolerance";
    QTest::addRow("rollback probe") << R"({"/rollbacks/1/type": "probe", "/rollbacks/1/provider/func": "failed_reads", "/rollbacks/1/provider/arguments": {}})"
                                    << "a rollback is an action";
    QTest::addRow("bad when") << R"({"/rollbacks/0/when": "sometimes"})" << "must be \"on-failure\" (the default) or \"always\"";
    QTest::addRow("other provider") << R"({"/method/0/provider/type": "python"})" << "only \"pulse\" providers run here";
    QTest::addRow("readers too many") << R"({"/workload/readers": 1000})"
                                      << "drill.workload.readers: must be an integer from 0 to 256, got 1000";
    QTest::addRow("etl without rows") << R"({"/workload/etl": {"chunk": 10}})" << "drill.workload.etl: 'rows' is missing";
    QTest::addRow("negative pause") << R"({"/method/0/pauses/after": -1})" << "must be a number from 0 to 3600";
    QTest::addRow("interval too short") << R"({"/abort-conditions/interval-ms": 1})" << "must be an integer from 50";
}

void TestDrillParser::problems()
{
    QFETCH(QString, mutation);
    QFETCH(QString, expected);
    auto d = validDrill();
    // Each key is a JSON pointer; null removes the member.
    const json changes = json::parse(mutation.toStdString());  // items() must not outlive it
    for (const auto& [pointer, value] : changes.items()) {
        const json::json_pointer ptr(pointer);
        if (value.is_null())
            d[ptr.parent_pointer()].erase(ptr.back());
        else
            d[ptr] = value;
    }
    const auto p = problemsOf(d);
    QVERIFY2(mentions(p, expected.toStdString()), joined(p).c_str());
}

void TestDrillParser::invalidJsonNamesTheSource()
{
    try {
        DrillParser::parse(std::string(R"({"version": 1, "name": )"), "broken.json", kNodes);
        QFAIL("parsed");
    } catch (const DrillFileError& e) {
        const std::string what = e.what();
        QVERIFY2(what.starts_with("broken.json: 1 problem\n  not valid JSON: parse error at line 1, column 24"), e.what());
    }
    try {
        DrillParser::parse(json::array(), "list.json", kNodes);
        QFAIL("parsed");
    } catch (const DrillFileError& e) {
        QVERIFY(std::string(e.what()).find("a drill is a JSON object, got array") != std::string::npos);
    }
}

void TestDrillParser::tolerances()
{
    std::vector<std::string> problems;
    const auto exact = Tolerance::parse(json(0), "t", problems);
    QVERIFY(exact->accepts(0) && exact->accepts(0.0) && !exact->accepts(1) && !exact->accepts(nullptr));
    QCOMPARE(exact->describe(), std::string("0"));
    const auto range = Tolerance::parse(json::parse("[0.5, 2]"), "t", problems);
    QVERIFY(range->accepts(0.5) && range->accepts(2) && !range->accepts(2.01) && !range->accepts(nullptr));
    QVERIFY(!range->accepts("1"));
    QCOMPARE(range->describe(), std::string("between 0.5 and 2"));
    const auto atMost = Tolerance::parse(json::parse(R"({"max": 0})"), "t", problems);
    QCOMPARE(atMost->describe(), std::string("at most 0"));
    QCOMPARE(atMost->toJson(), json::parse(R"({"max": 0.0})"));
    const auto text = Tolerance::parse(json("primary"), "t", problems);
    QCOMPARE(text->describe(), std::string("\"primary\""));
    QVERIFY(problems.empty());
    QVERIFY(!Tolerance::parse(json::parse("{}"), "x.tolerance", problems));
    QVERIFY(!Tolerance::parse(json(nullptr), "y.tolerance", problems));
    QCOMPARE(problems.size(), std::size_t(2));
    QVERIFY(problems[0].starts_with("x.tolerance: a range needs"));
}

void TestDrillParser::catalogIsConsistent()
{
    std::set<std::string> funcs;
    for (const auto& spec : ActivityCatalog::all()) {
        QVERIFY2(funcs.insert(spec.func).second, spec.func.c_str());
        QVERIFY(!spec.meaning.empty());
        if (spec.kind == ActivityKind::Probe) {
            QVERIFY2(!spec.destructive, spec.func.c_str());
            QVERIFY2(!spec.returns.empty(), spec.func.c_str());
        }
        for (const auto& a : spec.arguments) {
            QVERIFY2(!a.meaning.empty(), (spec.func + "." + a.name).c_str());
            QVERIFY2(!(a.required && !a.defaultValue.is_null()), (spec.func + "." + a.name).c_str());
            if (a.type == ArgumentType::Choice && !a.defaultValue.is_null())
                QVERIFY(std::find(a.choices.begin(), a.choices.end(), a.defaultValue.get<std::string>()) !=
                        a.choices.end());
        }
    }
    QCOMPARE(ActivityCatalog::suggest("kill_nodes"), std::string("kill_node"));
    QCOMPARE(ActivityCatalog::suggest("something else entirely"), std::string());
}

void TestDrillParser::builtinDrillsAreValid()
{
    // Every shipped drill parses for the usual topology, under the name of
    // its file, with a blast radius, and says so when it needs --yes.
    const auto names = BuiltinDrills::names();
    QCOMPARE(names.size(), std::size_t(9));
    for (const auto& name : names) {
        Drill drill;
        try {
            drill = BuiltinDrills::load(name, kNodes);
        } catch (const DrillFileError& e) {
            QFAIL(e.what());
        }
        QCOMPARE(drill.name, name);
        QVERIFY2(!drill.blastRadius.empty() && !drill.description.empty(), name.c_str());
        QVERIFY2(!drill.steadyState.empty(), name.c_str());
    }
    QVERIFY(BuiltinDrills::load("failover-promotion", kNodes).destructive());
    QVERIFY(!BuiltinDrills::load("rollback-single-database", kNodes).destructive());
    try {
        BuiltinDrills::load("replica-outag", kNodes);
        QFAIL("an unknown drill loaded");
    } catch (const InvalidParameterError& e) {
        QVERIFY2(std::string(e.what()).find("did you mean 'replica-outage'") != std::string::npos, e.what());
    }
}

QTEST_GUILESS_MAIN(TestDrillParser)
#include "tst_drill_parser.moc"

// The router's decision table: operation classes across both flags, replica
// configured or not, and replica available or failing. Pure logic.

#include "routing/OperationClassifier.hpp"
#include "routing/Router.hpp"

#include <QtTest>

using pulse::FlagValues;
using pulse::OperationClassifier;
using pulse::Router;
using Kind = Router::Plan::Kind;
using Outcome = pulse::RoutingDecision::Outcome;

Q_DECLARE_METATYPE(Kind)
Q_DECLARE_METATYPE(Outcome)

class TestRouterDecisions : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void classify_data();
    void classify();
    void decisionTable_data();
    void decisionTable();
    void writesNeverReachReplica();
    void decisionLogIsBounded();
};

void TestRouterDecisions::classify_data()
{
    QTest::addColumn<QString>("operation");
    QTest::addColumn<QString>("context");
    QTest::addColumn<bool>("replicaEligible");
    QTest::addColumn<QString>("reasonContains");

    for (const char* op : {"INSERT", "UPDATE", "DELETE", "MERGE", "UPSERT", "insert"})
        QTest::addRow("write %s", op) << QString::fromLatin1(op) << QString() << false << QStringLiteral("write");
    // A write issued from a dashboard context still goes to the primary.
    QTest::addRow("write in dashboard context") << "UPDATE" << "dashboard" << false << "write";
    for (const char* op : {"user_authentication", "job_control", "admin_configuration", "client_management",
                           "integration_setup"})
        QTest::addRow("real-time %s", op) << QString::fromLatin1(op) << QString() << false << QStringLiteral("real-time");
    QTest::addRow("real-time in analytics context") << "job_control" << "analytics" << false << "real-time";
    for (const char* op : {"dashboard_metrics", "analytics_reports", "data_visualization", "export_operations"})
        QTest::addRow("replica %s", op) << QString::fromLatin1(op) << QString() << true << QStringLiteral("tolerates");
    for (const char* ctx : {"dashboard", "analytics", "reports"})
        QTest::addRow("unknown op in %s context", ctx)
            << "pr_counts" << QString::fromLatin1(ctx) << true << QStringLiteral("context");
    QTest::addRow("unknown op, unknown context") << "pr_counts" << "settings" << false << "unknown operation";
    QTest::addRow("unknown op, no context") << "SELECT" << "" << false << "primary for safety";
    QTest::addRow("empty") << "" << "" << false << "no operation";
}

void TestRouterDecisions::classify()
{
    QFETCH(QString, operation);
    QFETCH(QString, context);
    QFETCH(bool, replicaEligible);
    QFETCH(QString, reasonContains);
    const auto cls = OperationClassifier::classify(operation.toStdString(), context.toStdString());
    QCOMPARE(cls.replicaEligible, replicaEligible);
    const std::string reason(cls.reason);
    QVERIFY2(QString::fromStdString(reason).contains(reasonContains), reason.c_str());
}

void TestRouterDecisions::decisionTable_data()
{
    QTest::addColumn<bool>("eligible");
    QTest::addColumn<bool>("useReplica");
    QTest::addColumn<bool>("fallback");
    QTest::addColumn<bool>("replicaConfigured");
    QTest::addColumn<bool>("replicaDown");
    QTest::addColumn<Kind>("kind");
    QTest::addColumn<Outcome>("outcome");
    QTest::addColumn<QString>("reasonContains");

    // Replica-eligible reads, every flag combination, replica up and down.
    QTest::addRow("read, replica on, fallback on, up") << true << true << true << true << false << Kind::Replica << Outcome::Routed << "tolerates";
    QTest::addRow("read, replica on, fallback on, down") << true << true << true << true << true << Kind::Primary << Outcome::FellBack << "fell back";
    QTest::addRow("read, replica on, fallback off, up") << true << true << false << true << false << Kind::Replica << Outcome::Routed << "tolerates";
    QTest::addRow("read, replica on, fallback off, down") << true << true << false << true << true << Kind::Refuse << Outcome::Refused << "REPLICA_FALLBACK_ENABLED is off";
    QTest::addRow("read, replica off, fallback on, up") << true << false << true << true << false << Kind::Primary << Outcome::Routed << "USE_READ_REPLICA is off";
    QTest::addRow("read, replica off, fallback on, down") << true << false << true << true << true << Kind::Primary << Outcome::Routed << "USE_READ_REPLICA is off";
    QTest::addRow("read, replica off, fallback off, up") << true << false << false << true << false << Kind::Primary << Outcome::Routed << "USE_READ_REPLICA is off";
    QTest::addRow("read, replica off, fallback off, down") << true << false << false << true << true << Kind::Primary << Outcome::Routed << "USE_READ_REPLICA is off";
    QTest::addRow("read, no replica configured") << true << true << true << false << false << Kind::Primary << Outcome::Routed << "no replica configured";
    // Primary-only operations ignore the flags and the replica's state.
    for (bool useReplica : {true, false})
        for (bool fallback : {true, false})
            for (bool down : {true, false})
                QTest::addRow("primary op, replica %d, fallback %d, down %d", useReplica, fallback, down)
                    << false << useReplica << fallback << true << down << Kind::Primary << Outcome::Routed << "";
}

void TestRouterDecisions::decisionTable()
{
    QFETCH(bool, eligible);
    QFETCH(bool, useReplica);
    QFETCH(bool, fallback);
    QFETCH(bool, replicaConfigured);
    QFETCH(bool, replicaDown);
    QFETCH(Kind, kind);
    QFETCH(Outcome, outcome);
    QFETCH(QString, reasonContains);

    const pulse::OperationClass cls{eligible, eligible ? "read operation x tolerates replication delay" : "write"};
    const FlagValues flags{useReplica, fallback};
    // The router first plans without knowing of a failure; only when that
    // plan says "replica" does it try the replica, and re-plans on failure.
    auto plan = Router::plan(cls, flags, replicaConfigured, std::nullopt);
    if (plan.kind == Kind::Replica && replicaDown)
        plan = Router::plan(cls, flags, replicaConfigured, std::string("connection refused"));
    QCOMPARE(plan.kind, kind);
    QCOMPARE(plan.outcome, outcome);
    QVERIFY2(QString::fromStdString(plan.reason).contains(reasonContains), plan.reason.c_str());
    if (replicaDown && plan.kind != Kind::Replica && eligible && useReplica && replicaConfigured)
        QVERIFY2(plan.reason.find("connection refused") != std::string::npos, "the failure reason is recorded");
}

void TestRouterDecisions::writesNeverReachReplica()
{
    for (const char* op : {"INSERT", "UPDATE", "DELETE", "MERGE", "UPSERT"})
        for (const char* ctx : {"", "dashboard", "analytics", "reports"})
            for (bool useReplica : {true, false})
                for (bool fallback : {true, false}) {
                    const auto cls = OperationClassifier::classify(op, ctx);
                    const auto plan = Router::plan(cls, {useReplica, fallback}, true, std::nullopt);
                    QCOMPARE(plan.kind, Kind::Primary);
                }
}

void TestRouterDecisions::decisionLogIsBounded()
{
    pulse::DecisionLog log(3);
    for (int i = 0; i < 5; ++i) {
        pulse::RoutingDecision d;
        d.operation = "op" + std::to_string(i);
        log.record(d);
    }
    const auto all = log.snapshot();
    QCOMPARE(all.size(), size_t(3));
    QCOMPARE(all.front().operation, std::string("op2"));
    QCOMPARE(all.back().operation, std::string("op4"));
    QCOMPARE(all.back().sequence, std::uint64_t(5));
    QCOMPARE(log.total(), std::uint64_t(5));
    const auto newer = log.since(3);
    QCOMPARE(newer.size(), size_t(2));
    QCOMPARE(newer.front().sequence, std::uint64_t(4));
    QCOMPARE(log.snapshot(1).size(), size_t(1));
    QVERIFY(log.since(5).empty());

    // Before the ring wraps.
    pulse::DecisionLog partial(10);
    for (int i = 0; i < 3; ++i)
        partial.record({});
    QCOMPARE(partial.since(0).size(), size_t(3));
    const auto tail = partial.since(1);
    QCOMPARE(tail.size(), size_t(2));
    QCOMPARE(tail.front().sequence, std::uint64_t(2));
    QCOMPARE(tail.back().sequence, std::uint64_t(3));
}

QTEST_GUILESS_MAIN(TestRouterDecisions)
#include "tst_router_decisions.moc"

// The main window's own models and helpers, without a database: every
// setting shown with its source and secrets masked, routing counters per
// cause, the stall probe seeing a blocked UI thread, LSN formatting.

#include "Formatting.hpp"
#include "config/SettingsLoader.hpp"
#include "main/SettingsModel.hpp"
#include "main/StallProbe.hpp"
#include "topology/ClusterStrip.hpp"
#include "topology/DecisionCountsModel.hpp"
#include "topology/NodeCard.hpp"

#include <QAbstractItemModelTester>
#include <QEventLoop>
#include <QTimer>
#include <QtTest>

#include <cmath>
#include <thread>

using namespace std::chrono_literals;
using pulse::ui::DecisionCountsModel;

namespace {

pulse::RoutingDecision decision(pulse::Target target, pulse::RoutingDecision::Outcome outcome, std::string reason)
{
    pulse::RoutingDecision d;
    d.target = target;
    d.outcome = outcome;
    d.reason = std::move(reason);
    d.operation = "dashboard_metrics";
    d.context = "dashboard";
    return d;
}

}  // namespace

class TestUiModels : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void settingsModelMasksSecretsAndNamesSources()
    {
        pulse::LoadOptions options;
        options.useDefaultEnvFile = false;
        options.commandLine = {{"POSTGRES_PASSWORD", "s3cret-value"}, {"DB_POOL_SIZE", "7"}};
        const pulse::Settings settings = pulse::SettingsLoader::load(options);
        pulse::ui::SettingsModel model(settings);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(model.rowCount() > 40);
        bool sawPassword = false, sawPool = false;
        for (int row = 0; row < model.rowCount(); ++row) {
            const QString key = model.index(row, pulse::ui::SettingsModel::KeyColumn).data().toString();
            const QString value = model.index(row, pulse::ui::SettingsModel::ValueColumn).data().toString();
            const QString source = model.index(row, pulse::ui::SettingsModel::SourceColumn).data().toString();
            QVERIFY2(!value.contains(u"s3cret"), qPrintable(key));
            if (key == u"POSTGRES_PASSWORD") {
                sawPassword = true;
                QVERIFY(value.contains(u"****"));
            }
            if (key == u"DB_POOL_SIZE") {
                sawPool = true;
                QCOMPARE(value, QStringLiteral("7"));
                QVERIFY2(source.contains(u"--set"), qPrintable(source));
            }
        }
        QVERIFY(sawPassword && sawPool);
    }

    void decisionCountsFoldNumbersAndSort()
    {
        QCOMPARE(DecisionCountsModel::foldNumbers(QStringLiteral("replica lags 3.2 s > 2 s")),
                 QStringLiteral("replica lags #.# s > # s"));
        DecisionCountsModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        using O = pulse::RoutingDecision::Outcome;
        model.addDecisions({decision(pulse::Target::Replica, O::Routed, "replica-eligible read"),
                            decision(pulse::Target::Primary, O::FellBack, "replica lags 3.2 s > 2 s"),
                            decision(pulse::Target::Primary, O::FellBack, "replica lags 4.7 s > 2 s"),
                            decision(pulse::Target::Replica, O::Refused, "replica unavailable")});
        model.addDecisions({decision(pulse::Target::Primary, O::FellBack, "replica lags 12.0 s > 2 s")});
        QCOMPARE(model.total(), std::uint64_t{5});
        QCOMPARE(model.rowCount(), 3);  // the three lag reasons are one cause
        QCOMPARE(model.index(0, DecisionCountsModel::CountColumn).data().toULongLong(), 3ULL);
        QCOMPARE(model.index(0, DecisionCountsModel::TargetColumn).data().toString(), QStringLiteral("primary"));
        QCOMPARE(model.count(QStringLiteral("error")), std::uint64_t{1});
        QCOMPARE(model.count(QStringLiteral("replica")), std::uint64_t{1});
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    void decisionCountsStayBounded()
    {
        DecisionCountsModel model;
        std::vector<pulse::RoutingDecision> many;
        for (int i = 0; i < DecisionCountsModel::kMaxRows + 50; ++i)
            many.push_back(decision(pulse::Target::Primary, pulse::RoutingDecision::Outcome::Routed,
                                    "cause " + std::string(1, static_cast<char>('a' + i % 26)) +
                                        std::string(static_cast<size_t>(i / 26 + 1), 'x')));
        model.addDecisions(many);
        QCOMPARE(model.rowCount(), DecisionCountsModel::kMaxRows + 1);  // + one "(other causes)" for primary/routed
        QCOMPARE(model.total(), std::uint64_t(many.size()));
        // A refusal past the limit is still counted as a refusal.
        model.addDecisions({decision(pulse::Target::Replica, pulse::RoutingDecision::Outcome::Refused, "brand new")});
        QCOMPARE(model.count(QStringLiteral("error")), std::uint64_t{1});
        QCOMPARE(model.count(QStringLiteral("primary")), std::uint64_t(many.size()));
    }

    void stallProbeSeesABlockedThread()
    {
        pulse::ui::StallProbe probe(10ms);
        probe.start();
        QEventLoop loop;
        // Healthy ticks, then the UI thread blocked for 120 ms, then more ticks.
        QTimer::singleShot(100ms, &loop, [] { std::this_thread::sleep_for(120ms); });
        QTimer::singleShot(300ms, &loop, &QEventLoop::quit);
        loop.exec();
        probe.stop();
        const pulse::ui::StallSummary s = probe.summary();
        QVERIFY2(s.ticks >= 5, QByteArray::number(qulonglong(s.ticks)).constData());
        QVERIFY2(s.maxMs >= 100, QByteArray::number(s.maxMs).constData());
        QCOMPARE(s.over50Ms, std::uint64_t{1});
        QCOMPARE(s.over300Ms, std::uint64_t{0});
        QVERIFY(s.seconds > 0.25);
        // Sleeping is not CPU: the thread used far less than the span.
        QVERIFY2(s.uiCpuPercent < 50, QByteArray::number(s.uiCpuPercent).constData());
    }

    // Status colours stay readable on the light and on a dark palette:
    // WCAG's 3:1 for large/bold text against the window and their tint.
    void statusColoursReadableInBothPalettes()
    {
        const QPalette original = QGuiApplication::palette();
        auto luminance = [](const QColor& c) {
            auto channel = [](double v) { return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
            return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF());
        };
        auto contrast = [&](const QColor& a, const QColor& b) {
            const double la = luminance(a), lb = luminance(b);
            return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
        };
        for (const bool dark : {false, true}) {
            QPalette palette = original;
            palette.setColor(QPalette::Window, dark ? QColor(0x20, 0x22, 0x25) : QColor(0xef, 0xef, 0xef));
            QGuiApplication::setPalette(palette);
            QCOMPARE(pulse::ui::darkPalette(), dark);
            for (const auto light : {pulse::ui::Light::Green, pulse::ui::Light::Amber, pulse::ui::Light::Red,
                                     pulse::ui::Light::Grey}) {
                const QColor text = pulse::ui::lightColor(light);
                QVERIFY2(contrast(text, palette.color(QPalette::Window)) >= 3.0, qPrintable(text.name()));
                QVERIFY2(contrast(text, pulse::ui::lightTint(light)) >= 3.0, qPrintable(text.name()));
            }
        }
        QGuiApplication::setPalette(original);
    }

    // Cards say what they know, and grey out when it is no longer fresh.
    void clusterStripCardsAndStaleness()
    {
        pulse::TopologyStatus status;
        pulse::NodeStatus primary;
        primary.name = "primary";
        primary.reachable = true;
        primary.role = "primary";
        primary.lsn = 0x3000148;
        primary.timeline = 1;
        pulse::NodeStatus replica;
        replica.name = "replica";
        replica.reachable = false;
        replica.error = "connection refused";
        status.nodes = {primary, replica};
        status.judge();
        pulse::ui::ClusterStrip strip;
        strip.showStatus(status);
        const pulse::ui::NodeCard* p = strip.card(QStringLiteral("primary"));
        const pulse::ui::NodeCard* r = strip.card(QStringLiteral("replica"));
        QVERIFY(p && r);
        QCOMPARE(p->value(QStringLiteral("LSN")), QStringLiteral("0/3000148"));
        QVERIFY2(r->summary().contains(u"unreachable"), qPrintable(r->summary()));
        QVERIFY(p->isEnabled());
        strip.setStale(true, QStringLiteral("07:00:00"));
        QVERIFY(!p->isEnabled() && !r->isEnabled());
        QVERIFY(p->toolTip().contains(u"07:00:00"));
        strip.showStatus(status);  // a fresh snapshot
        QVERIFY(p->isEnabled() && !strip.stale());
    }

    void lsnAsPostgresPrintsIt()
    {
        QCOMPARE(pulse::ui::formatLsn(0x3000148), QStringLiteral("0/3000148"));
        QCOMPARE(pulse::ui::formatLsn((std::uint64_t{0x1A} << 32) | 0xB0C0FFEE), QStringLiteral("1A/B0C0FFEE"));
    }
};

QTEST_MAIN(TestUiModels)
#include "tst_ui_models.moc"

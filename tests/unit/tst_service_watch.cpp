// ServiceWatch: "how long until it worked again" from the attempts it made.

#include "drills/ServiceWatch.hpp"

#include "../support/WaitFor.hpp"

#include <QtTest>

#include <atomic>
#include <stdexcept>

using namespace std::chrono_literals;
using pulse::ServiceWatch;

class TestServiceWatch : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void measuresTheOutage()
    {
        std::atomic<bool> up{true};
        std::atomic<int> failures{0};
        ServiceWatch watch("test", [&] {
            if (!up) {
                ++failures;
                throw std::runtime_error("down");
            }
        }, 5ms);
        watch.start();
        QVERIFY(waitFor([&] { return watch.attempts() >= 3; }, 5s));
        up = false;
        const auto fault = ServiceWatch::Clock::now();  // in place now
        QVERIFY(waitFor([&] { return failures.load() >= 3; }, 5s));
        QVERIFY(!watch.backAfter(fault).has_value());  // still down: not back
        const auto restored = ServiceWatch::Clock::now();
        up = true;
        QVERIFY(waitFor([&] { return watch.backAfter(fault).has_value(); }, 5s));
        watch.stop();
        const double back = *watch.backAfter(fault);
        const double outage = std::chrono::duration<double>(restored - fault).count();
        QVERIFY2(back >= outage, QByteArray(QByteArray::number(back) + " < " + QByteArray::number(outage)).constData());
        QVERIFY(watch.failures() >= 3);
        QCOMPARE(watch.lastError(), std::string("down"));
    }

    // A later failure (the drill's next step) does not move the first recovery.
    void laterFailuresDoNotCount()
    {
        std::atomic<bool> up{true};
        std::atomic<int> attempts{0};
        ServiceWatch watch("test", [&] {
            ++attempts;
            if (!up)
                throw std::runtime_error("down");
        }, 5ms);
        watch.start();
        const auto fault = ServiceWatch::Clock::now();
        QVERIFY(waitFor([&] { return watch.backAfter(fault).has_value(); }, 5s));
        const double first = *watch.backAfter(fault);
        up = false;
        QVERIFY(waitFor([&] { return watch.failures() >= 2; }, 5s));
        up = true;
        QVERIFY(waitFor([&] { return attempts.load() > 20; }, 5s));
        watch.stop();
        QCOMPARE(*watch.backAfter(fault), first);
    }

    void neverDownIsOneOperation()
    {
        ServiceWatch watch("test", [] {}, 5ms);
        watch.start();
        const auto fault = ServiceWatch::Clock::now();
        QVERIFY(waitFor([&] { return watch.backAfter(fault).has_value(); }, 5s));
        watch.stop();
        QVERIFY(*watch.backAfter(fault) < 1.0);
        QCOMPARE(watch.failures(), std::uint64_t{0});
    }

    void stopIsPrompt()
    {
        ServiceWatch watch("test", [] {}, std::chrono::milliseconds(60'000));
        watch.start();
        QVERIFY(waitFor([&] { return watch.attempts() >= 1; }, 5s));
        const auto before = std::chrono::steady_clock::now();
        watch.stop();
        QVERIFY(std::chrono::steady_clock::now() - before < 5s);  // not the minute-long interval
    }
};

QTEST_GUILESS_MAIN(TestServiceWatch)
#include "tst_service_watch.moc"

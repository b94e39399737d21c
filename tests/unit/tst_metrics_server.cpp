// MetricsServer and the family builders: a real scrape over HTTP on
// 127.0.0.1 (a port the kernel picks, so tests never collide), a clear error
// when the port is taken, and the text format Prometheus expects.

#include "common/Errors.hpp"
#include "metrics/MetricsServer.hpp"

#include <QtTest>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

using namespace std::chrono_literals;

namespace {

// A minimal HTTP/1.0 GET: the server closes the connection after the
// response, so reading to EOF gets all of it. A receive timeout bounds the
// wait if the server never answers (a failure, not a sleep).
std::string httpGet(int port, const std::string& path)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    timeval timeout{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        const int error = errno;
        ::close(fd);
        throw std::runtime_error("connect to port " + std::to_string(port) + ": " + std::strerror(error));
    }
    const std::string request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    for (size_t sent = 0; sent < request.size();) {
        const auto n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) {
            ::close(fd);
            throw std::runtime_error("send failed");
        }
        sent += static_cast<size_t>(n);
    }
    std::string response;
    char buffer[4096];
    for (;;) {
        const auto n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n == 0)
            break;
        if (n < 0) {
            const int error = errno;
            ::close(fd);
            throw std::runtime_error(std::string("recv: ") + std::strerror(error));
        }
        response.append(buffer, static_cast<size_t>(n));
    }
    ::close(fd);
    return response;
}

std::vector<prometheus::MetricFamily> sampleFamilies()
{
    auto inUse = pulse::gaugeFamily("pulse_pool_in_use", "Connections checked out");
    pulse::addGauge(inUse, 3, {{"pool", "primary"}});
    pulse::addGauge(inUse, 1, {{"pool", "replica"}});

    auto queries = pulse::counterFamily("pulse_queries_total", "Queries run");
    pulse::addCounter(queries, 42, {{"target", "replica"}});

    pulse::LatencyHistogram latency;
    latency.record(1ms);
    latency.record(1ms);
    latency.record(20ms);
    latency.record(2min);  // beyond the last bound: only in +Inf
    auto duration = pulse::histogramFamily("pulse_query_duration_seconds", "Query duration");
    pulse::addHistogram(duration, latency.snapshot(), {{"target", "replica"}});
    return {inUse, queries, duration};
}

bool contains(const std::string& text, const std::string& needle)
{
    return text.find(needle) != std::string::npos;
}

}  // namespace

class TestMetricsServer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void histogramBuckets();
    void textFormat();
    void scrapeOverHttp();
    void failingCollectorKeepsServing();
    void portInUseNamesThePort();
    void invalidPortIsRefused();
};

void TestMetricsServer::histogramBuckets()
{
    const auto families = sampleFamilies();
    const auto& metric = families[2].metric.at(0);
    const auto& h = metric.histogram;
    QCOMPARE(h.sample_count, std::uint64_t(4));
    QVERIFY(qAbs(h.sample_sum - (0.002 + 0.02 + 120)) < 1e-9);
    QCOMPARE(h.bucket.size(), size_t(17));  // 16 bounds + +Inf
    QCOMPARE(h.bucket.front().upper_bound, 0.0005);
    QCOMPARE(h.bucket[15].upper_bound, 60.0);
    QVERIFY(std::isinf(h.bucket.back().upper_bound));
    QCOMPARE(h.bucket.back().cumulative_count, std::uint64_t(4));
    QCOMPARE(h.bucket[15].cumulative_count, std::uint64_t(3));  // the 2 min query is above 60 s
    for (size_t i = 1; i < h.bucket.size(); ++i)
        QVERIFY(h.bucket[i].cumulative_count >= h.bucket[i - 1].cumulative_count);
    QCOMPARE(h.bucket[0].cumulative_count, std::uint64_t(0));  // 0.5 ms: none
    QCOMPARE(h.bucket[2].cumulative_count, std::uint64_t(2));  // 2.5 ms: the two 1 ms
    QCOMPARE(h.bucket[5].cumulative_count, std::uint64_t(3));  // 25 ms: and the 20 ms
}

void TestMetricsServer::textFormat()
{
    const auto text = pulse::toPrometheusText(sampleFamilies());
    QVERIFY2(contains(text, "# TYPE pulse_query_duration_seconds histogram"), text.c_str());
    QVERIFY2(contains(text, "# HELP pulse_query_duration_seconds Query duration"), text.c_str());
    QVERIFY2(contains(text, "pulse_query_duration_seconds_bucket{target=\"replica\",le=\"+Inf\"} 4"), text.c_str());
    QVERIFY2(contains(text, "pulse_query_duration_seconds_bucket{target=\"replica\",le=\"0.0025\"} 2"),
             text.c_str());
    QVERIFY2(contains(text, "pulse_query_duration_seconds_count{target=\"replica\"} 4"), text.c_str());
    QVERIFY2(contains(text, "# TYPE pulse_pool_in_use gauge"), text.c_str());
    QVERIFY2(contains(text, "pulse_pool_in_use{pool=\"primary\"} 3"), text.c_str());
    QVERIFY2(contains(text, "# TYPE pulse_queries_total counter"), text.c_str());
    QVERIFY2(contains(text, "pulse_queries_total{target=\"replica\"} 42"), text.c_str());
    // One +Inf bucket only (the serializer adds one when the last bound is
    // finite; ours is not).
    const auto first = text.find("le=\"+Inf\"");
    QVERIFY(text.find("le=\"+Inf\"", first + 1) == std::string::npos);
}

void TestMetricsServer::scrapeOverHttp()
{
    std::atomic<int> scrapes{0};
    pulse::MetricsServer server(0, [&scrapes] {
        ++scrapes;
        return sampleFamilies();
    });
    QVERIFY(server.port() > 0);
    QCOMPARE(server.url(), "http://127.0.0.1:" + std::to_string(server.port()) + "/metrics");

    const auto response = httpGet(server.port(), "/metrics");
    QVERIFY2(response.starts_with("HTTP/1.1 200") || response.starts_with("HTTP/1.0 200"), response.c_str());
    QVERIFY2(contains(response, "# TYPE pulse_pool_in_use gauge"), response.c_str());
    QVERIFY2(contains(response, "pulse_pool_in_use{pool=\"primary\"} 3"), response.c_str());
    QVERIFY2(contains(response, "pulse_pool_in_use{pool=\"replica\"} 1"), response.c_str());
    QVERIFY2(contains(response, "# TYPE pulse_query_duration_seconds histogram"), response.c_str());
    QVERIFY2(contains(response, "pulse_query_duration_seconds_bucket{target=\"replica\",le=\"0.025\"} 3"),
             response.c_str());
    QVERIFY2(contains(response, "pulse_query_duration_seconds_count{target=\"replica\"} 4"), response.c_str());
    QVERIFY(scrapes.load() >= 1);

    // The collector runs per scrape, so a second scrape sees fresh values.
    const auto before = scrapes.load();
    httpGet(server.port(), "/metrics");
    QVERIFY(scrapes.load() > before);
}

void TestMetricsServer::failingCollectorKeepsServing()
{
    std::atomic<bool> fail{true};
    pulse::MetricsServer server(0, [&fail]() -> std::vector<prometheus::MetricFamily> {
        if (fail)
            throw std::runtime_error("engine not ready");
        return sampleFamilies();
    });
    const auto failed = httpGet(server.port(), "/metrics");
    QVERIFY2(failed.starts_with("HTTP/1.1 200") || failed.starts_with("HTTP/1.0 200"), failed.c_str());
    QVERIFY(!contains(failed, "pulse_pool_in_use"));
    fail = false;
    QVERIFY(contains(httpGet(server.port(), "/metrics"), "pulse_pool_in_use{pool=\"primary\"} 3"));
}

void TestMetricsServer::portInUseNamesThePort()
{
    pulse::MetricsServer first(0, sampleFamilies);
    const int port = first.port();
    try {
        pulse::MetricsServer second(port, sampleFamilies);
        QFAIL("a second server on the same port must not start");
    } catch (const pulse::Error& e) {
        const std::string message = e.what();
        QVERIFY2(contains(message, "port " + std::to_string(port)), message.c_str());
        QVERIFY2(contains(message, "in use on 127.0.0.1"), message.c_str());
        QVERIFY2(contains(message, "--metrics-port"), message.c_str());
    }
    // The first server is unaffected.
    QVERIFY(contains(httpGet(port, "/metrics"), "pulse_pool_in_use"));
}

void TestMetricsServer::invalidPortIsRefused()
{
    for (const int port : {-1, 65536}) {
        try {
            pulse::MetricsServer server(port, sampleFamilies);
            QFAIL("an invalid port must be refused");
        } catch (const pulse::Error& e) {
            QVERIFY2(contains(e.what(), std::to_string(port)), e.what());
        }
    }
}

QTEST_GUILESS_MAIN(TestMetricsServer)
#include "tst_metrics_server.moc"

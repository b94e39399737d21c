#include "metrics/MetricsServer.hpp"

#include "common/Errors.hpp"
#include "common/Logging.hpp"
#include "common/StopSleep.hpp"

#include <prometheus/collectable.h>
#include <prometheus/exposer.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <exception>
#include <limits>
#include <mutex>
#include <stop_token>
#include <system_error>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace pulse {

namespace {

constexpr const char* kHost = "127.0.0.1";

// Prometheus' conventional latency buckets, in seconds, from a fast index
// lookup to a slow report; +Inf is added after them.
constexpr std::array kBucketBounds{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                   0.25,   0.5,   1.0,    2.5,   5.0,  10.0,  30.0,  60.0};

// civetweb only says "could not start"; binding a probe socket the same way
// (SO_REUSEADDR, as civetweb does) recovers the errno so the message can say
// what is wrong. Returns 0 when the port is free now (a race, or some other
// failure).
int probeBindErrno(int port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return errno;
    const int on = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET, kHost, &address.sin_addr);
    int error = 0;
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0)
        error = errno;
    ::close(fd);
    return error;
}

// Connects to the listener and hangs up at once, which makes civetweb's
// accept loop return from poll(). Non-blocking, so a full backlog can never
// stall the caller. Returns false once nothing listens any more.
bool pokeListener(int port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return false;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET, kHost, &address.sin_addr);
    const bool listening = ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0 ||
                           errno == EINPROGRESS || errno == EAGAIN;
    ::close(fd);
    return listening;
}

std::string listenFailure(int port, const std::string& detail)
{
    const auto where = "port " + std::to_string(port) + " ";
    switch (probeBindErrno(port)) {
    case EADDRINUSE:
        return where + "is in use on " + kHost + ": choose another with --metrics-port";
    case EACCES:
        return where + "on " + kHost +
               " needs privileges (ports below 1024 are reserved to root): choose another with --metrics-port";
    default:
        return "cannot serve metrics on " + std::string(kHost) + ":" + std::to_string(port) + " (" + detail +
               "): choose another port with --metrics-port";
    }
}

}  // namespace

// Bridges prometheus-cpp's pull model to the console's collector, which
// builds families from value snapshots at scrape time. It runs on civetweb's
// threads, which must never see an exception (they would terminate).
class MetricsServer::Adapter : public prometheus::Collectable {
public:
    explicit Adapter(FamilyCollector collect)
        : m_collect(std::move(collect))
    {
    }

    std::vector<prometheus::MetricFamily> Collect() const override
    {
        if (!m_collect)
            return {};
        try {
            return m_collect();
        } catch (const std::exception& e) {
            logger("metrics")->warn("metrics scrape failed: {}", e.what());
        } catch (...) {
            logger("metrics")->warn("metrics scrape failed with an unknown exception");
        }
        return {};
    }

private:
    FamilyCollector m_collect;
};

MetricsServer::MetricsServer(int port, FamilyCollector collect)
    : m_adapter(std::make_shared<Adapter>(std::move(collect)))
{
    if (port < 0 || port > 65535)
        throw Error("metrics port " + std::to_string(port) +
                    " is not a port number: choose one from 1 to 65535 (0: any free port) with --metrics-port");
    // Loopback only: the metrics name hosts, nodes and operations, and the
    // endpoint has no authentication, so it is never offered to the network.
    try {
        m_exposer = std::make_unique<prometheus::Exposer>(std::string(kHost) + ":" + std::to_string(port), 2);
    } catch (const std::exception& e) {
        throw Error(listenFailure(port, e.what()));
    }
    // The exposer keeps only a weak_ptr; m_adapter owns the adapter, and the
    // destructor stops the exposer (joining its scrape threads) before the
    // adapter and its collector go away.
    m_exposer->RegisterCollectable(m_adapter);
}

MetricsServer::~MetricsServer()
{
    // civetweb's accept loop polls its socket in 2 s slices and looks at the
    // stop flag only between them, so a plain stop takes up to 2 s: every
    // exit of the console would hang that long. While the exposer stops, a
    // helper connects every 10 ms so the loop wakes, sees the flag and
    // closes the socket (the helper then sees "refused" and ends).
    const int listeningPort = port();
    std::jthread waker;
    try {
        waker = std::jthread([listeningPort](const std::stop_token& stop) {
            // A pause between pokes that ends at once when the exposer is gone.
            while (pokeListener(listeningPort))
                if (!sleepUnlessStopped(std::chrono::milliseconds(10), stop))
                    return;
        });
    } catch (const std::system_error&) {
        // No thread to spare: the stop is only slower, never skipped.
    }
    m_exposer.reset();
}  // waker: stop requested and joined here

int MetricsServer::port() const
{
    // civetweb reports the port it really bound, which is how port 0 is
    // resolved.
    const auto ports = m_exposer->GetListeningPorts();
    return ports.empty() ? 0 : ports.front();
}

std::string MetricsServer::url() const
{
    return "http://" + std::string(kHost) + ":" + std::to_string(port()) + "/metrics";
}

std::string toPrometheusText(const std::vector<prometheus::MetricFamily>& families)
{
    return prometheus::TextSerializer().Serialize(families);
}

namespace {

prometheus::MetricFamily family(std::string name, std::string help, prometheus::MetricType type)
{
    prometheus::MetricFamily f;
    f.name = std::move(name);
    f.help = std::move(help);
    f.type = type;
    return f;
}

}  // namespace

prometheus::MetricFamily gaugeFamily(std::string name, std::string help)
{
    return family(std::move(name), std::move(help), prometheus::MetricType::Gauge);
}

prometheus::MetricFamily counterFamily(std::string name, std::string help)
{
    return family(std::move(name), std::move(help), prometheus::MetricType::Counter);
}

prometheus::MetricFamily histogramFamily(std::string name, std::string help)
{
    return family(std::move(name), std::move(help), prometheus::MetricType::Histogram);
}

void addGauge(prometheus::MetricFamily& family, double value, std::vector<prometheus::ClientMetric::Label> labels)
{
    auto& metric = family.metric.emplace_back();
    metric.label = std::move(labels);
    metric.gauge.value = value;
}

void addCounter(prometheus::MetricFamily& family, double value, std::vector<prometheus::ClientMetric::Label> labels)
{
    auto& metric = family.metric.emplace_back();
    metric.label = std::move(labels);
    metric.counter.value = value;
}

void addHistogram(prometheus::MetricFamily& family, const LatencyHistogram::Snapshot& snapshot,
                  std::vector<prometheus::ClientMetric::Label> labels)
{
    auto& metric = family.metric.emplace_back();
    metric.label = std::move(labels);
    auto& histogram = metric.histogram;
    histogram.sample_count = snapshot.count;
    histogram.sample_sum = snapshot.sumSeconds;
    histogram.bucket.reserve(kBucketBounds.size() + 1);
    for (const double bound : kBucketBounds) {
        // The snapshot reads count and buckets one by one while queries are
        // recorded; clamping keeps the series Prometheus requires (buckets
        // never above _count, +Inf equal to it).
        const auto cumulative = std::min(snapshot.countAtOrBelow(bound), snapshot.count);
        histogram.bucket.push_back({cumulative, bound});
    }
    histogram.bucket.push_back({snapshot.count, std::numeric_limits<double>::infinity()});
}

}  // namespace pulse

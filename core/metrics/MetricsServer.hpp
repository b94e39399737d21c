#pragma once
// Serves Prometheus text exposition on http://127.0.0.1:<port>/metrics
// (prometheus-cpp's Exposer; never bound to other interfaces). Families are
// produced at scrape time by `collect`, on the exposer's thread, so it must
// be thread-safe and must not block on the network.
#include "metrics/LatencyHistogram.hpp"

#include <prometheus/metric_family.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace prometheus {
class Exposer;
}

namespace pulse {

using FamilyCollector = std::function<std::vector<prometheus::MetricFamily>()>;

class MetricsServer {
public:
    // Throws pulse::Error naming the port when it cannot listen (in use,
    // privileged). port 0 picks a free port (see port()).
    MetricsServer(int port, FamilyCollector collect);
    ~MetricsServer();
    int port() const;
    std::string url() const;  // "http://127.0.0.1:9187/metrics"
private:
    class Adapter;
    std::shared_ptr<Adapter> m_adapter;
    std::unique_ptr<prometheus::Exposer> m_exposer;
};

// The text format of `families` (prometheus::TextSerializer), for `pulsectl metrics`.
std::string toPrometheusText(const std::vector<prometheus::MetricFamily>& families);

// Small builders so exporters read like the metric list they produce.
prometheus::MetricFamily gaugeFamily(std::string name, std::string help);
prometheus::MetricFamily counterFamily(std::string name, std::string help);
void addGauge(prometheus::MetricFamily& family, double value, std::vector<prometheus::ClientMetric::Label> labels = {});
void addCounter(prometheus::MetricFamily& family, double value, std::vector<prometheus::ClientMetric::Label> labels = {});
// A histogram from a LatencyHistogram snapshot, in seconds, with fixed
// Prometheus buckets (0.5 ms ... 60 s, plus +Inf).
prometheus::MetricFamily histogramFamily(std::string name, std::string help);
void addHistogram(prometheus::MetricFamily& family, const LatencyHistogram::Snapshot& snapshot,
                  std::vector<prometheus::ClientMetric::Label> labels = {});
}  // namespace pulse

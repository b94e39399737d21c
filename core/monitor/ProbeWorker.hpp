#pragma once
// A thread of its own for one node's probes, so a node that stops answering
// costs only its own deadline and never delays the other nodes' probes in
// the same cycle.
#include "monitor/NodeProbe.hpp"

#include <condition_variable>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

namespace pulse {

struct ProbeOutcome {
    NodeObservation observation;
    double cpuMs = 0;  // CPU time the probe took on this worker's thread
};

class ProbeWorker {
public:
    explicit ProbeWorker(ConnectionParams params);
    ~ProbeWorker();
    ProbeWorker(const ProbeWorker&) = delete;
    ProbeWorker& operator=(const ProbeWorker&) = delete;

    // Starts a probe bounded by `deadline`. A previous probe still running
    // (it cannot outlive its own deadline by much) is finished first.
    std::future<ProbeOutcome> submit(std::chrono::steady_clock::time_point deadline);
    const std::string& node() const { return m_probe.params().nodeName(); }

private:
    void run(std::stop_token stop);

    NodeProbe m_probe;
    std::mutex m_mutex;
    std::condition_variable_any m_wake;
    struct Request {
        std::chrono::steady_clock::time_point deadline;
        std::promise<ProbeOutcome> promise;
    };
    std::optional<Request> m_request;
    std::jthread m_thread;
};

}  // namespace pulse

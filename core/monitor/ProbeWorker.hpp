#pragma once
// A thread of its own for one node's probes, so a node that stops answering
// costs only its own deadline and never delays the other nodes' probes in
// the same cycle.
//
// Thread contract: submit(), retarget() and node() may be called from any
// thread. The probe and its connection belong to the worker's thread alone:
// retarget() only leaves the new parameters for it to pick up.
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
    // The next probe connects with `params` (same node name): the connection
    // to the old server is closed before it, on the worker's thread. A probe
    // running now (even one that overran its cycle) finishes on the old one.
    void retarget(ConnectionParams params);
    const std::string& node() const { return m_node; }

private:
    void run(std::stop_token stop);

    const std::string m_node;  // fixed, so node() never touches the probe
    std::optional<NodeProbe> m_probe;  // worker thread only; replaced on retarget
    std::mutex m_mutex;
    std::optional<ConnectionParams> m_retarget;  // guarded by m_mutex: waiting for the next probe
    std::condition_variable_any m_wake;
    struct Request {
        std::chrono::steady_clock::time_point deadline;
        std::promise<ProbeOutcome> promise;
    };
    std::optional<Request> m_request;
    std::jthread m_thread;
};

}  // namespace pulse

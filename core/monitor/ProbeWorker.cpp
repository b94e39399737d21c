#include "monitor/ProbeWorker.hpp"

#include "common/Errors.hpp"
#include "common/ThreadCpu.hpp"

#include <utility>

namespace pulse {

ProbeWorker::ProbeWorker(ConnectionParams params)
    : m_node(params.nodeName())
    , m_probe(std::in_place, std::move(params))
    , m_thread([this](std::stop_token stop) { run(stop); })
{
}

ProbeWorker::~ProbeWorker()
{
    m_thread.request_stop();
    m_wake.notify_all();
}

std::future<ProbeOutcome> ProbeWorker::submit(std::chrono::steady_clock::time_point deadline)
{
    std::lock_guard lock(m_mutex);
    if (m_request) {
        // The previous probe was never picked up (cannot normally happen):
        // answer it so nobody waits on a broken promise.
        ProbeOutcome skipped;
        skipped.observation.error = node() + ": probe skipped";
        m_request->promise.set_value(std::move(skipped));
    }
    m_request.emplace(Request{deadline, {}});
    auto future = m_request->promise.get_future();
    m_wake.notify_one();
    return future;
}

void ProbeWorker::retarget(ConnectionParams params)
{
    if (params.nodeName() != m_node)
        throw Error("probe worker for " + m_node + " cannot be retargeted to node " + params.nodeName());
    std::lock_guard lock(m_mutex);
    m_retarget = std::move(params);  // a newer retarget before the next probe wins
}

void ProbeWorker::run(std::stop_token stop)
{
    for (;;) {
        Request request;
        std::optional<ConnectionParams> retarget;
        {
            std::unique_lock lock(m_mutex);
            if (!m_wake.wait(lock, stop, [this] { return m_request.has_value(); }))
                return;
            request = std::move(*m_request);
            m_request.reset();
            retarget = std::exchange(m_retarget, std::nullopt);
        }
        if (retarget)
            // Here rather than in retarget(): only this thread uses the probe,
            // so swapping it needs no lock around a probe that may be running.
            // The old connection is closed (PQfinish) on the way.
            m_probe.emplace(std::move(*retarget));
        const double cpuStart = threadCpuMs();
        ProbeOutcome outcome;
        outcome.observation = m_probe->run(request.deadline);
        outcome.cpuMs = threadCpuMs() - cpuStart;
        request.promise.set_value(std::move(outcome));
    }
}

}  // namespace pulse

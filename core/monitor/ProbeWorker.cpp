#include "monitor/ProbeWorker.hpp"

#include "common/ThreadCpu.hpp"

namespace pulse {

ProbeWorker::ProbeWorker(ConnectionParams params)
    : m_probe(std::move(params)), m_thread([this](std::stop_token stop) { run(stop); })
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

void ProbeWorker::run(std::stop_token stop)
{
    for (;;) {
        Request request;
        {
            std::unique_lock lock(m_mutex);
            if (!m_wake.wait(lock, stop, [this] { return m_request.has_value(); }))
                return;
            request = std::move(*m_request);
            m_request.reset();
        }
        const double cpuStart = threadCpuMs();
        ProbeOutcome outcome;
        outcome.observation = m_probe.run(request.deadline);
        outcome.cpuMs = threadCpuMs() - cpuStart;
        request.promise.set_value(std::move(outcome));
    }
}

}  // namespace pulse

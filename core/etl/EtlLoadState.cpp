#include "etl/EtlLoadState.hpp"

#include "etl/LoadControl.hpp"

#include <algorithm>
#include <cmath>

namespace pulse {
namespace {

using namespace std::chrono_literals;

constexpr auto kRateWindow = 3s;  // progress().rowsPerSecond looks this far back

}  // namespace

EtlLoadState::EtlLoadState(const EtlPlan& plan, LoadControl& control, Brake brake, Publish publish,
                           EtlProgress initial, Clock::time_point runStart)
    : m_plan(plan),
      m_control(control),
      m_brake(std::move(brake)),
      m_publish(std::move(publish)),
      m_done(plan.tables().size()),
      m_taken(plan.tables().size(), false),
      m_progress(std::move(initial)),
      m_runStart(runStart)
{
}

// ---- committed positions --------------------------------------------------

void EtlLoadState::setAllCommitted(const std::vector<TableDone>& done)
{
    std::lock_guard lock(m_mutex);
    for (size_t t = 0; t < m_done.size() && t < done.size(); ++t)
        m_done[t] = done[t];
    m_progress.rowsLoaded = committedRowsLocked();
    if (m_rowsAtStart < 0)
        m_rowsAtStart = m_progress.rowsLoaded;
    m_samples.clear();
    m_samples.emplace_back(Clock::now(), m_progress.rowsLoaded);
    refreshLocked();
}

void EtlLoadState::setCommitted(size_t table, TableDone done)
{
    std::lock_guard lock(m_mutex);
    m_done.at(table) = done;
    refreshLocked();
}

EtlLoadState::TableDone EtlLoadState::committed(size_t table) const
{
    std::lock_guard lock(m_mutex);
    return m_done.at(table);
}

std::int64_t EtlLoadState::committedRows() const
{
    std::lock_guard lock(m_mutex);
    return committedRowsLocked();
}

std::int64_t EtlLoadState::committedRowsLocked() const
{
    std::int64_t rows = 0;
    for (const auto& d : m_done)
        rows += d.rows;
    return rows;
}

bool EtlLoadState::allTablesDone() const
{
    std::lock_guard lock(m_mutex);
    for (size_t t = 0; t < m_done.size(); ++t)
        if (m_done[t].rows < m_plan.tables()[t].rows)
            return false;
    return true;
}

void EtlLoadState::chunkCommitted(size_t table, TableDone after, bool cancelRequested)
{
    std::lock_guard lock(m_mutex);
    m_done.at(table) = after;
    m_cancelRequested = m_cancelRequested || cancelRequested;
    const auto now = Clock::now();
    m_samples.emplace_back(now, committedRowsLocked());
    while (m_samples.size() > 2 && now - m_samples[1].first > kRateWindow)
        m_samples.pop_front();
    refreshLocked();
}

// ---- scheduling -----------------------------------------------------------

std::optional<size_t> EtlLoadState::takeTable(int worker)
{
    std::lock_guard lock(m_mutex);
    std::optional<size_t> best;
    std::int64_t bestLeft = 0;
    for (size_t t = 0; t < m_done.size(); ++t) {
        const std::int64_t left = m_plan.tables()[t].rows - m_done[t].rows;
        if (!m_taken[t] && left > 0 && (!best || left > bestLeft)) {
            best = t;
            bestLeft = left;
        }
    }
    if (best) {
        m_taken[*best] = true;
        m_workers.at(static_cast<size_t>(worker)).table = static_cast<int>(*best);
        refreshLocked();
    }
    return best;
}

void EtlLoadState::releaseTable(int worker)
{
    std::lock_guard lock(m_mutex);
    m_workers.at(static_cast<size_t>(worker)).table = -1;
    refreshLocked();
}

// ---- why the load stops ---------------------------------------------------

void EtlLoadState::setCancelRequested(bool requested)
{
    std::lock_guard lock(m_mutex);
    m_cancelRequested = m_cancelRequested || requested;
}

bool EtlLoadState::cancelRequested() const
{
    std::lock_guard lock(m_mutex);
    return m_cancelRequested;
}

void EtlLoadState::fail(const std::string& error, EtlErrorKind kind)
{
    {
        std::lock_guard lock(m_mutex);
        if (!m_failure) {
            m_failure = error;
            m_failureKind = kind;
        }
    }
    // Wakes every throttle, pause, brake and backoff wait of the other workers.
    m_control.cancel();
}

EtlErrorKind EtlLoadState::failureKind() const
{
    std::lock_guard lock(m_mutex);
    return m_failureKind;
}

std::optional<std::string> EtlLoadState::failure() const
{
    std::lock_guard lock(m_mutex);
    return m_failure;
}

bool EtlLoadState::stopping() const
{
    if (m_control.cancelled())
        return true;
    std::lock_guard lock(m_mutex);
    return m_cancelRequested || m_failure.has_value();
}

std::optional<std::string> EtlLoadState::brake()
{
    if (!m_brake)
        return std::nullopt;
    std::lock_guard lock(m_brakeMutex);
    return m_brake();
}

// ---- workers and progress -------------------------------------------------

void EtlLoadState::startWorkers(int count)
{
    std::lock_guard lock(m_mutex);
    m_workers.assign(static_cast<size_t>(std::max(0, count)), Worker{});
    m_running = count;
}

void EtlLoadState::setWorker(int worker, WorkerState state, std::string detail)
{
    std::lock_guard lock(m_mutex);
    auto& w = m_workers.at(static_cast<size_t>(worker));
    if (w.state == state && w.detail == detail)
        return;
    w.state = state;
    w.detail = std::move(detail);
    refreshLocked();
}

void EtlLoadState::setWorkerPid(int worker, int pid)
{
    std::lock_guard lock(m_mutex);
    m_workers.at(static_cast<size_t>(worker)).pid = pid;
    refreshLocked();
}

void EtlLoadState::countRetry()
{
    std::lock_guard lock(m_mutex);
    ++m_progress.retries;
}

void EtlLoadState::workerFinished(int worker)
{
    {
        std::lock_guard lock(m_mutex);
        auto& w = m_workers.at(static_cast<size_t>(worker));
        w.state = WorkerState::Finished;
        w.pid = 0;
        w.table = -1;
        --m_running;
        refreshLocked();
    }
    m_finished.notify_all();
}

bool EtlLoadState::waitWorkersFinished(Clock::time_point until)
{
    std::unique_lock lock(m_mutex);
    return m_finished.wait_until(lock, until, [this] { return m_running <= 0; });
}

void EtlLoadState::setJobState(EtlState state, std::string detail, std::string error, EtlErrorKind kind)
{
    std::lock_guard lock(m_mutex);
    m_jobState = state;
    m_progress.state = state;
    m_progress.detail = std::move(detail);
    if (!error.empty()) {
        m_progress.error = std::move(error);
        m_progress.errorKind = kind;
    }
    if (isFinished(state)) {
        m_progress.backendPid = 0;
        m_progress.backendPids.clear();
        m_progress.currentTable.clear();
    }
    publishLocked();
}

EtlProgress EtlLoadState::snapshot() const
{
    std::lock_guard lock(m_mutex);
    return m_progress;
}

void EtlLoadState::refreshLocked()
{
    m_progress.rowsLoaded = committedRowsLocked();
    m_progress.rowsThisRun = m_rowsAtStart < 0 ? 0 : m_progress.rowsLoaded - m_rowsAtStart;
    m_progress.chunksLoaded = 0;
    for (const auto& d : m_done)
        m_progress.chunksLoaded += d.chunks;
    m_progress.currentTable.clear();
    m_progress.backendPids.clear();
    for (const auto& w : m_workers) {
        if (w.table >= 0)
            m_progress.currentTable += (m_progress.currentTable.empty() ? "" : ", ") +
                                       m_plan.tables()[static_cast<size_t>(w.table)].name;
        if (w.pid != 0)
            m_progress.backendPids.push_back(w.pid);
    }
    m_progress.backendPid = m_progress.backendPids.empty() ? 0 : m_progress.backendPids.front();
    if (!m_jobState && !m_workers.empty()) {
        // The load's state from its workers': one retrying makes the load
        // retrying; it is held (paused, braking) only once every worker
        // still loading holds, so "paused" means no row moves any more.
        const Worker* retrying = nullptr;
        bool anyActive = false, allHeld = true, anyPaused = false;
        const Worker* braking = nullptr;
        for (const auto& w : m_workers) {
            if (w.state == WorkerState::Finished || w.state == WorkerState::Starting)
                continue;
            anyActive = true;
            if (w.state == WorkerState::Retrying && !retrying)
                retrying = &w;
            if (w.state == WorkerState::Paused)
                anyPaused = true;
            else if (w.state == WorkerState::Braking)
                braking = braking ? braking : &w;
            else
                allHeld = false;
        }
        if (retrying) {
            m_progress.state = EtlState::Retrying;
            m_progress.detail = retrying->detail;
        } else if (anyActive && allHeld && anyPaused) {
            m_progress.state = EtlState::Paused;
            m_progress.detail = "paused after " + std::to_string(m_progress.rowsLoaded) + " rows";
        } else if (anyActive && allHeld && braking) {
            m_progress.state = EtlState::Braking;
            m_progress.detail = braking->detail;
        } else if (anyActive) {
            m_progress.state = EtlState::Running;
            m_progress.detail.clear();
        }
    }
    publishLocked();
}

void EtlLoadState::publishLocked()
{
    const auto now = Clock::now();
    m_progress.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - m_runStart);
    // Committed rows over the last few seconds, up to now (so the rate falls
    // while nothing commits).
    m_progress.rowsPerSecond = 0;
    if (!m_samples.empty()) {
        auto anchor = m_samples.front();
        for (const auto& sample : m_samples)
            if (now - sample.first <= kRateWindow) {
                break;
            } else {
                anchor = sample;
            }
        const double seconds = std::chrono::duration<double>(now - anchor.first).count();
        if (seconds > 0.05)
            m_progress.rowsPerSecond = static_cast<double>(m_progress.rowsLoaded - anchor.second) / seconds;
    }
    m_progress.eta.reset();
    const std::int64_t remaining = m_progress.totalRows - m_progress.rowsLoaded;
    if (m_progress.state == EtlState::Running && m_progress.rowsPerSecond > 0)
        m_progress.eta = std::chrono::seconds(
            static_cast<std::int64_t>(std::ceil(static_cast<double>(remaining) / m_progress.rowsPerSecond)));
    else if (m_progress.state == EtlState::Completed)
        m_progress.eta = std::chrono::seconds(0);
    if (m_publish)
        m_publish(m_progress);
}

}  // namespace pulse

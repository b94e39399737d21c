#pragma once
// Runs one chunked ETL load at a time on its own worker thread, through the
// router's etl session profile on the primary.
//
// Each chunk is one transaction: COPY FROM STDIN of the chunk's rows, then its
// table's checkpoint (etl_checkpoints) in the same transaction, so a chunk is
// loaded and recorded together or not at all. EtlJobSpec::connections
// connections load in parallel, each table by one of them at a time. When a
// connection breaks (backend terminated, primary restarted) its loader
// reconnects for up to ETL_RETRY_SECONDS and resumes from the checkpoint it
// reads back from the database: no row lost, none duplicated.
//
// Thread contract: every method is thread-safe and returns at once (start()
// and resume() validate their arguments synchronously, without the network);
// progress() is a snapshot copy.

#include "etl/EtlJobSpec.hpp"
#include "etl/EtlProgress.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace pulse {

class Router;

struct EtlOptions {
    // How long a load whose connection broke keeps reconnecting (ETL_RETRY_SECONDS).
    std::chrono::milliseconds retryWindow{60'000};
    // The lag brake: asked before each chunk; while it returns a reason
    // ("replica lag 3.2 s > 1.0 s") the next chunk waits. Empty: no brake.
    std::function<std::optional<std::string>()> brake;
    // Called on the worker thread after every chunk and state change.
    std::function<void(const EtlProgress&)> listener;
};

class EtlRunner {
public:
    EtlRunner(Router& router, EtlOptions options = {});
    ~EtlRunner();  // cancels a running load and joins its thread
    EtlRunner(const EtlRunner&) = delete;
    EtlRunner& operator=(const EtlRunner&) = delete;

    // A new job. Throws InvalidParameterError for a bad spec, pulse::Error
    // when a load is already running in this runner.
    void start(EtlJobSpec spec);
    // Continues job `jobId` from its checkpoint with its own recorded spec
    // (a missing job is reported through progress(): Failed, with why).
    // `rowsPerSecond` replaces the recorded throttle when given; `connections`
    // (1..EtlJobSpec::kMaxConnections) is this run's parallelism.
    void resume(std::int64_t jobId, std::optional<int> rowsPerSecond = std::nullopt,
                int connections = EtlJobSpec{}.connections);

    void pause();    // after the current chunk commits
    void unpause();
    void cancel();   // after the current chunk commits (or at once while paused/braking/retrying)

    bool running() const;
    EtlProgress progress() const;
    // Blocks until the load is finished (or `timeout` passes); returns progress().
    EtlProgress wait(std::optional<std::chrono::milliseconds> timeout = std::nullopt);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace pulse

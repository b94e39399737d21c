#pragma once
// The runtime routing switches USE_READ_REPLICA and REPLICA_FALLBACK_ENABLED.
// A change applies to the next session (never to one already open), needs no
// restart, is thread-safe (atomics) and is logged with who changed it.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

namespace pulse {

struct FlagValues {
    bool useReadReplica = true;
    bool replicaFallbackEnabled = true;
};

class FeatureFlags {
public:
    explicit FeatureFlags(FlagValues initial = {});

    FlagValues values() const;
    bool useReadReplica() const { return m_useReadReplica.load(std::memory_order_acquire); }
    bool replicaFallbackEnabled() const { return m_fallback.load(std::memory_order_acquire); }

    // `who` says where the change came from ("ui", "pulsectl", "drill").
    void setUseReadReplica(bool value, const std::string& who);
    void setReplicaFallbackEnabled(bool value, const std::string& who);
    // Incremented on every change, so pollers can tell a change happened.
    std::uint64_t version() const { return m_version.load(std::memory_order_acquire); }
    // The `who` of the last change of each flag; empty while it has its
    // initial value. Read after the value, it may already name a later change. Lets a console name the load test or a drill in its
    // audit log instead of "changed outside".
    std::string useReadReplicaChangedBy() const;
    std::string replicaFallbackChangedBy() const;

private:
    std::atomic<bool> m_useReadReplica;
    std::atomic<bool> m_fallback;
    std::atomic<std::uint64_t> m_version{0};
    // Off the routing path: only setters and the getters above take it.
    mutable std::mutex m_whoMutex;
    std::string m_useReadReplicaBy;
    std::string m_fallbackBy;
};

}  // namespace pulse

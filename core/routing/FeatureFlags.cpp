#include "routing/FeatureFlags.hpp"

#include "common/Logging.hpp"

namespace pulse {

FeatureFlags::FeatureFlags(FlagValues initial)
    : m_useReadReplica(initial.useReadReplica), m_fallback(initial.replicaFallbackEnabled)
{
}

FlagValues FeatureFlags::values() const
{
    return {useReadReplica(), replicaFallbackEnabled()};
}

void FeatureFlags::setUseReadReplica(bool value, const std::string& who)
{
    {
        // Before the value: whoever sees the new value also sees who set it.
        const std::lock_guard lock(m_whoMutex);
        m_useReadReplicaBy = who;
    }
    const bool previous = m_useReadReplica.exchange(value, std::memory_order_acq_rel);
    m_version.fetch_add(1, std::memory_order_acq_rel);
    if (previous != value)
        logger("router")->info("USE_READ_REPLICA changed {} -> {} by {}", previous, value, who);
}

void FeatureFlags::setReplicaFallbackEnabled(bool value, const std::string& who)
{
    {
        const std::lock_guard lock(m_whoMutex);
        m_fallbackBy = who;
    }
    const bool previous = m_fallback.exchange(value, std::memory_order_acq_rel);
    m_version.fetch_add(1, std::memory_order_acq_rel);
    if (previous != value)
        logger("router")->info("REPLICA_FALLBACK_ENABLED changed {} -> {} by {}", previous, value, who);
}

std::string FeatureFlags::useReadReplicaChangedBy() const
{
    const std::lock_guard lock(m_whoMutex);
    return m_useReadReplicaBy;
}

std::string FeatureFlags::replicaFallbackChangedBy() const
{
    const std::lock_guard lock(m_whoMutex);
    return m_fallbackBy;
}

}  // namespace pulse

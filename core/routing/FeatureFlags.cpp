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

// Setters serialise on m_whoMutex (routing only reads the atomics): two
// concurrent setters cannot leave one's value with the other's name, and
// setting the value a flag already has does not claim it.
void FeatureFlags::setUseReadReplica(bool value, const std::string& who)
{
    bool previous = false;
    {
        const std::lock_guard lock(m_whoMutex);
        previous = m_useReadReplica.exchange(value, std::memory_order_acq_rel);
        if (previous != value)
            m_useReadReplicaBy = who;
        m_version.fetch_add(1, std::memory_order_acq_rel);
    }
    if (previous != value)
        logger("router")->info("USE_READ_REPLICA changed {} -> {} by {}", previous, value, who);
}

void FeatureFlags::setReplicaFallbackEnabled(bool value, const std::string& who)
{
    bool previous = false;
    {
        const std::lock_guard lock(m_whoMutex);
        previous = m_fallback.exchange(value, std::memory_order_acq_rel);
        if (previous != value)
            m_fallbackBy = who;
        m_version.fetch_add(1, std::memory_order_acq_rel);
    }
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

#pragma once
// A bounded, thread-safe log of routing decisions (a ring buffer): the CLI and
// the UI read snapshots of it to show where each session went and why.

#include "routing/RoutingDecision.hpp"

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace pulse {

class DecisionLog {
public:
    explicit DecisionLog(size_t capacity = 1000);

    // Stamps the sequence number and stores the decision, dropping the oldest
    // when full. Returns the stored entry: immutable, shared with the caller
    // (a Session) so recording costs no copy.
    std::shared_ptr<const RoutingDecision> record(RoutingDecision decision);
    // Oldest first; at most `limit` newest entries when limit > 0.
    std::vector<RoutingDecision> snapshot(size_t limit = 0) const;
    // Entries with sequence > `after` (for incremental polling), oldest first.
    std::vector<RoutingDecision> since(std::uint64_t after) const;
    std::uint64_t total() const;
    size_t capacity() const { return m_capacity; }

private:
    const size_t m_capacity;
    mutable std::mutex m_mutex;
    std::vector<std::shared_ptr<const RoutingDecision>> m_ring;
    size_t m_next = 0;  // where the next entry goes once the ring is full
    std::uint64_t m_total = 0;
};

}  // namespace pulse

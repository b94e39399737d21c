#include "etl/EtlPlan.hpp"

#include "etl/DemoSchema.hpp"

#include <algorithm>

namespace pulse {
namespace {

constexpr int kRepositories = 0;
constexpr int kCommits = 2;

// Split `total` over the tables whose flag is set, by their shares.
std::vector<std::int64_t> split(std::int64_t total, const std::vector<bool>& chosen)
{
    const auto& shares = EtlPlan::sharesPerMille();
    std::int64_t weight = 0;
    for (size_t i = 0; i < shares.size(); ++i)
        if (chosen[i])
            weight += shares[i];
    std::vector<std::int64_t> rows(shares.size(), 0);
    if (weight == 0 || total <= 0)
        return rows;
    std::int64_t assigned = 0;
    for (size_t i = 0; i < shares.size(); ++i) {
        if (!chosen[i])
            continue;
        // total <= 4e9 and shares <= 1000: the product fits in 64 bits.
        rows[i] = total * shares[i] / weight;
        assigned += rows[i];
    }
    // Every job has somewhere its records belong to.
    if (chosen[kRepositories] && rows[kRepositories] == 0) {
        rows[kRepositories] = 1;
        ++assigned;
    }
    size_t remainderTo = kCommits;
    if (!chosen[kCommits]) {
        remainderTo = 0;
        for (size_t i = 0; i < shares.size(); ++i)
            if (chosen[i] && (!chosen[remainderTo] || shares[i] > shares[remainderTo]))
                remainderTo = i;
    }
    // Never negative: the repositories bump happens only when their own share
    // rounded to 0, so the others' floors leave at least one row unassigned.
    rows[remainderTo] += total - assigned;
    return rows;
}

}  // namespace

const std::vector<int>& EtlPlan::sharesPerMille()
{
    // repositories, pull_requests, commits, reviews, deployments, incidents, issues
    static const std::vector<int> shares{10, 150, 350, 200, 100, 30, 160};
    return shares;
}

EtlPlan::EtlPlan(const EtlJobSpec& spec) : m_totalRows(spec.totalRows), m_chunkSize(std::max(1, spec.chunkSize))
{
    const auto& names = DemoSchema::dataTables();
    std::vector<bool> chosen(names.size(), spec.tables.empty());
    for (const auto& name : spec.tables) {
        const auto it = std::find(names.begin(), names.end(), name);
        if (it != names.end())
            chosen[static_cast<size_t>(it - names.begin())] = true;
    }
    const auto rows = split(m_totalRows, chosen);
    for (size_t i = 0; i < names.size(); ++i) {
        if (!chosen[i])
            continue;
        m_tables.push_back(Table{static_cast<int>(i), names[i], rows[i], (rows[i] + m_chunkSize - 1) / m_chunkSize});
    }
    m_referenceRows = split(m_totalRows, std::vector<bool>(names.size(), true));
    for (auto& r : m_referenceRows)
        r = std::max<std::int64_t>(r, 1);
}

const EtlPlan::Table* EtlPlan::find(const std::string& name) const
{
    for (const auto& table : m_tables)
        if (table.name == name)
            return &table;
    return nullptr;
}

std::int64_t EtlPlan::totalChunks() const
{
    std::int64_t chunks = 0;
    for (const auto& table : m_tables)
        chunks += table.chunks;
    return chunks;
}

}  // namespace pulse

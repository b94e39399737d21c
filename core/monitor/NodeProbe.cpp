#include "monitor/NodeProbe.hpp"

#include "common/Errors.hpp"

#include <charconv>
#include <cstdio>

namespace pulse {
namespace {

// LSNs come as numeric offsets from 0/0 so no pg_lsn parsing is needed here.
constexpr const char* kProbeSql =
    "SELECT pg_is_in_recovery(), current_setting('server_version'), current_setting('cluster_name'), "
    "CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_current_wal_lsn() - '0/0'::pg_lsn END, "
    "pg_last_wal_receive_lsn() - '0/0'::pg_lsn, pg_last_wal_replay_lsn() - '0/0'::pg_lsn, "
    "CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() ELSE false END, "
    "extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp()), "
    "CASE WHEN pg_is_in_recovery() THEN (SELECT received_tli FROM pg_stat_wal_receiver LIMIT 1) "
    "ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END, "
    "(SELECT status FROM pg_stat_wal_receiver LIMIT 1), (SELECT pid FROM pg_stat_wal_receiver LIMIT 1);"
    "SELECT application_name, coalesce(host(client_addr), 'local'), state, sync_state, "
    "sent_lsn - '0/0'::pg_lsn, write_lsn - '0/0'::pg_lsn, flush_lsn - '0/0'::pg_lsn, "
    "replay_lsn - '0/0'::pg_lsn, extract(epoch FROM write_lag), extract(epoch FROM flush_lag), "
    "extract(epoch FROM replay_lag) FROM pg_stat_replication ORDER BY application_name, pid";

std::optional<std::uint64_t> unsignedAt(const PgResult& r, int row, int column)
{
    const auto text = r.get(row, column);
    if (!text)
        return std::nullopt;
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc())
        return std::nullopt;
    return value;
}

std::optional<double> doubleAt(const PgResult& r, int row, int column)
{
    const auto text = r.get(row, column);
    if (!text)
        return std::nullopt;
    // from_chars, not stod: the GUI sets the user's locale, and a decimal
    // comma would silently cut "1.75" to 1.
    double value = 0;
    const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc())
        return std::nullopt;
    return value;
}

}  // namespace

std::string formatLsn(std::uint64_t lsn)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%X/%X", static_cast<unsigned>(lsn >> 32),
                  static_cast<unsigned>(lsn & 0xffffffffu));
    return buffer;
}

std::optional<std::uint64_t> parseLsn(std::string_view text)
{
    const auto slash = text.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 >= text.size())
        return std::nullopt;
    std::uint32_t high = 0, low = 0;
    const auto a = std::from_chars(text.data(), text.data() + slash, high, 16);
    const auto b = std::from_chars(text.data() + slash + 1, text.data() + text.size(), low, 16);
    if (a.ec != std::errc() || a.ptr != text.data() + slash || b.ec != std::errc() ||
        b.ptr != text.data() + text.size())
        return std::nullopt;
    return (static_cast<std::uint64_t>(high) << 32) | low;
}

NodeObservation NodeProbe::run(std::chrono::steady_clock::time_point deadline)
{
    NodeObservation o;
    try {
        const bool reconnect = !m_connection.connected();
        const auto start = std::chrono::steady_clock::now();
        if (reconnect) {
            // Connect first so the round trip measures the query, not the handshake.
            m_connection.run("SELECT 1", deadline);
        }
        const auto queryStart = reconnect ? std::chrono::steady_clock::now() : start;
        auto results = m_connection.run(kProbeSql, deadline);
        o.roundTripMs =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - queryStart).count();
        if (results.size() != 2 || results[0].rows() != 1)
            throw Error(m_connection.params().nodeName() + ": unexpected probe answer");
        const PgResult& s = results[0];
        o.reachable = true;
        o.inRecovery = s.boolean(0, 0);
        o.serverVersion = s.text(0, 1);
        o.clusterName = std::string(s.get(0, 2).value_or(""));
        o.currentLsn = unsignedAt(s, 0, 3);
        o.receiveLsn = unsignedAt(s, 0, 4);
        o.replayLsn = unsignedAt(s, 0, 5);
        o.replayPaused = s.get(0, 6).value_or("f") == "t";
        o.secondsSinceLastReplay = doubleAt(s, 0, 7);
        o.timeline = static_cast<int>(unsignedAt(s, 0, 8).value_or(0));
        o.receiverStatus = std::string(s.get(0, 9).value_or(""));
        if (o.receiverStatus.empty() && s.get(0, 10))
            // A receiver exists but its details are hidden from this role.
            o.receiverStatus = "unknown: grant pg_monitor to the monitor's user";
        const PgResult& r = results[1];
        for (int i = 0; i < r.rows(); ++i) {
            ReplicationRow row;
            row.applicationName = std::string(r.get(i, 0).value_or(""));
            row.clientAddress = std::string(r.get(i, 1).value_or(""));
            row.state = std::string(r.get(i, 2).value_or(""));
            row.syncState = std::string(r.get(i, 3).value_or(""));
            row.sentLsn = unsignedAt(r, i, 4);
            row.writeLsn = unsignedAt(r, i, 5);
            row.flushLsn = unsignedAt(r, i, 6);
            row.replayLsn = unsignedAt(r, i, 7);
            row.writeLagSeconds = doubleAt(r, i, 8);
            row.flushLagSeconds = doubleAt(r, i, 9);
            row.replayLagSeconds = doubleAt(r, i, 10);
            o.replication.push_back(std::move(row));
        }
    } catch (const std::exception& e) {
        m_connection.reset();
        o = NodeObservation{};
        o.reachable = false;
        o.error = e.what();
        o.timedOut = dynamic_cast<const QueryTimeoutError*>(&e) != nullptr;
    }
    return o;
}

}  // namespace pulse

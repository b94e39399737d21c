#include "engine/NodeProber.hpp"

#include "common/Errors.hpp"

namespace pulse {

NodeProber::NodeProber(std::string name, ConnectionParams params, std::chrono::milliseconds queryDeadline)
    : m_name(std::move(name)), m_params(std::move(params)), m_deadline(queryDeadline)
{
}

NodeStatus NodeProber::probe()
{
    std::lock_guard lock(m_mutex);
    NodeStatus status;
    status.name = m_name;
    status.endpoint = m_params.hostName() + ':' + std::to_string(m_params.portNumber());
    status.role = "unknown";
    try {
        if (!m_connection || !m_connection->checkAlive()) {
            m_connection.reset();
            m_connection = PgConnection::open(m_params);
            m_connection->setDeadline(m_deadline);
        }
        const auto start = std::chrono::steady_clock::now();
        // pg_stat_wal_receiver has a row only on a standby with a receiver.
        auto result = m_connection->exec(
            "SELECT pg_is_in_recovery(), version(), current_setting('server_version'), "
            "(SELECT status FROM pg_stat_wal_receiver LIMIT 1)");
        status.roundTripMs =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        status.reachable = true;
        status.inRecovery = result.boolean(0, 0);
        status.role = status.inRecovery ? "replica" : "primary";
        status.serverVersion = result.text(0, 2);
        status.walReceiverStatus = std::string(result.get(0, 3).value_or(""));
    } catch (const std::exception& e) {
        m_connection.reset();
        status.reachable = false;
        status.error = e.what();
    }
    return status;
}

}  // namespace pulse

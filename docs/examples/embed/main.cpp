// Embedding Pulse's core in a service: settings from ./.env and the
// environment (the environment wins), one Engine for the process, a write in
// a transaction on the primary, a dashboard read on the replica, a read that
// must see that write (read-your-writes), the pools' state, a clean shutdown.
//
//   pulse_embed_example [--env-file FILE]
//
// Exit codes as pulsectl's: 0 ok, 2 usage, 3 invalid configuration, 4 a node
// is unreachable, 5 pool timeout, 6 replica read refused (fallback off),
// 7 SQL error, 1 anything else.
// It creates the table embed_example_notes on the primary if it is missing.

#include "common/Errors.hpp"
#include "common/ExitCodes.hpp"
#include "config/SettingsLoader.hpp"
#include "engine/Engine.hpp"

#include <iostream>
#include <string>

namespace {

const char* outcomeName(pulse::RoutingDecision::Outcome outcome)
{
    switch (outcome) {
    case pulse::RoutingDecision::Outcome::Routed: return "routed";
    case pulse::RoutingDecision::Outcome::FellBack: return "fell back";
    case pulse::RoutingDecision::Outcome::Refused: return "refused";
    }
    return "?";
}

// Where the router sent the session and why, checked on the server itself.
void printRoute(const std::string& label, pulse::Session& session)
{
    const pulse::RoutingDecision& d = session.decision();
    const bool inRecovery = session.exec("SELECT pg_is_in_recovery()").boolean(0, 0);
    std::cout << label << ": " << d.operation << " -> " << d.node << " (" << outcomeName(d.outcome) << ": "
              << d.reason << "); pg_is_in_recovery() = " << (inRecovery ? "true" : "false") << '\n';
}

}  // namespace

int main(int argc, char** argv)
{
    pulse::LoadOptions load;  // without envFile: ./.env when it exists
    load.environment = pulse::SettingsLoader::currentEnvironment();
    if (argc == 3 && std::string(argv[1]) == "--env-file") {
        load.envFile = argv[2];
    } else if (argc != 1) {
        std::cerr << "usage: pulse_embed_example [--env-file FILE]\n";
        return pulse::exitcode::usage;
    }

    try {
        // Every problem of the configuration at once, or a valid Settings.
        pulse::Engine engine(pulse::SettingsLoader::load(load));
        // One probe cycle before the first session, so breakers and lag gates
        // already know the replica; then the monitor thread keeps them current.
        std::cout << "topology: " << engine.status().verdict << '\n';
        engine.startMonitor();
        pulse::Router& router = engine.router();

        {
            pulse::Session admin = router.adminSession();  // admin profile: primary, short statement_timeout
            admin.exec("CREATE TABLE IF NOT EXISTS embed_example_notes ("
                       "id bigserial PRIMARY KEY, note text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())");
        }

        pulse::ConsistencyToken token;
        long long id = 0;
        {
            pulse::Session write = router.writeSession("INSERT");
            write.begin();
            id = write.exec("INSERT INTO embed_example_notes (note) VALUES ($1) RETURNING id",
                            {std::string("written by pulse_embed_example")})
                     .integer(0, 0);
            write.commit();
            printRoute("write", write);
            token = write.consistencyToken();  // the primary's WAL position after the commit
        }  // the session's connection goes back to the primary pool here

        {
            pulse::Session read = router.readSession("dashboard_metrics", "dashboard");
            printRoute("dashboard read", read);
        }

        {
            // Runs on a replica only once it has replayed `token` (waiting up
            // to READ_YOUR_WRITES_WAIT_MS), else on the primary.
            pulse::Session read = router.readSession(token);
            const long long found =
                read.exec("SELECT count(*) FROM embed_example_notes WHERE id = $1", {std::to_string(id)}).integer(0, 0);
            printRoute("read-your-writes", read);
            std::cout << "token " << token.text() << ": row " << id << (found == 1 ? " visible" : " NOT visible")
                      << '\n';
        }

        for (const pulse::PoolStats& pool : engine.poolStats())
            std::cout << "pool " << pool.name << ": " << pool.statusLine() << '\n';

        // Every Session is gone; stop the monitor thread, then ~Engine closes the pools.
        engine.stopMonitor();
        return pulse::exitcode::ok;
    } catch (const pulse::ConfigError& e) {
        std::cerr << "pulse_embed_example: " << e.what() << '\n';
        return pulse::exitcode::config;
    } catch (const pulse::ReplicaUnavailableError& e) {
        std::cerr << "pulse_embed_example: " << e.what() << '\n';
        return pulse::exitcode::replicaUnavailable;
    } catch (const pulse::PoolTimeoutError& e) {
        std::cerr << "pulse_embed_example: " << e.what() << '\n';
        return pulse::exitcode::poolTimeout;
    } catch (const pulse::ConnectionError& e) {
        std::cerr << "pulse_embed_example: " << e.what() << '\n';
        return pulse::exitcode::unreachable;
    } catch (const pulse::SqlError& e) {
        std::cerr << "pulse_embed_example: " << e.what() << '\n';
        return pulse::exitcode::sql;
    } catch (const std::exception& e) {
        std::cerr << "pulse_embed_example: " << e.what() << '\n';
        return pulse::exitcode::failure;
    }
}

#include "Commands.hpp"

#include "common/ExitCodes.hpp"
#include "engine/Engine.hpp"
#include "engine/JsonExport.hpp"

#include <iostream>

namespace pulsectl {

// Without --dry-run the route is taken for real: a session is opened through
// the router and asked where it runs, so the answer is what happened, not
// what the rules predict (a replica that is down shows up as a fallback).
int runRoute(const CliContext& context, const std::string& operation, const std::string& routeContext, bool dryRun)
{
    const auto resolved = context.resolve();
    pulse::Engine engine(resolved.settings);
    auto& router = engine.router();

    if (dryRun) {
        const auto decision = router.preview(operation, routeContext);
        if (context.json) {
            auto j = pulse::toJson(decision);
            j["dry_run"] = true;
            std::cout << j.dump(2) << '\n';
        } else {
            std::cout << operation << (routeContext.empty() ? "" : " (context " + routeContext + ")") << " -> "
                      << decision.targetLabel() << ": " << decision.reason << "\n"
                      << "(rules only: the replica's availability was not checked)\n";
        }
        return pulse::exitcode::ok;
    }

    // One monitor cycle first, as a service's running monitor would have
    // done: breakers and lag gates know the replica, so a lagging or dead
    // replica is routed around here too.
    engine.status();
    auto session = router.session(operation, routeContext);
    auto result = session.exec("SELECT pg_is_in_recovery(), inet_server_port()");
    const bool inRecovery = result.boolean(0, 0);
    const auto& decision = session.decision();
    if (context.json) {
        auto j = pulse::toJson(decision);
        j["dry_run"] = false;
        j["verified"] = {{"pg_is_in_recovery", inRecovery}, {"server_port", result.integer(0, 1)}};
        std::cout << j.dump(2) << '\n';
    } else {
        std::cout << operation << (routeContext.empty() ? "" : " (context " + routeContext + ")") << " -> "
                  << decision.targetLabel() << ": " << decision.reason << "\n"
                  << "verified: ran on port " << result.integer(0, 1) << ", pg_is_in_recovery() = "
                  << (inRecovery ? "true (a replica)" : "false (the primary)") << "\n";
    }
    return pulse::exitcode::ok;
}

}  // namespace pulsectl

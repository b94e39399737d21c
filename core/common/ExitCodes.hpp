#pragma once
// Exit codes of pulsectl (and pulse-console on fatal start-up errors).
// Documented in README.md and in `pulsectl --help`; scripts rely on them.

namespace pulse::exitcode {
inline constexpr int ok = 0;
inline constexpr int failure = 1;            // unexpected error
inline constexpr int usage = 2;              // bad command-line arguments
inline constexpr int config = 3;             // invalid configuration (.env, environment, --set)
inline constexpr int unreachable = 4;        // a node could not be reached / connection failed
inline constexpr int poolTimeout = 5;        // pool_timeout reached waiting for a connection
inline constexpr int replicaUnavailable = 6; // replica read refused: fallback disabled
inline constexpr int sql = 7;                // the server reported an SQL error
inline constexpr int sandbox = 8;            // sandbox could not be created or controlled
inline constexpr int notPassed = 9;          // ran, but the result is a failure: a load test criterion not met,
                                             // an ETL job cancelled, a dashboard page load failed, a drill failed
inline constexpr int aborted = 10;           // a drill was aborted (Ctrl+C, an abort condition); its rollbacks ran
}  // namespace pulse::exitcode

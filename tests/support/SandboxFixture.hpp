#pragma once
// One sandbox topology (primary + streaming replica) per integration test
// executable, created on first use in a fresh mkdtemp directory under /tmp
// and guarded: if the test process dies (crash, SIGKILL, ctest timeout) the
// guardian stops both servers and removes the directory.
//
// Tests may stop, start and pause nodes; call ensureBothRunning() from init()
// so one test's damage does not leak into the next. Do not promote the shared
// replica: promote a second sandbox created in the test instead.
//
// Every function throws pulse::SandboxError on failure; Qt Test does not
// report exceptions well, so catch them and QFAIL(what()).

#include "config/Settings.hpp"
#include "pg/ConnectionParams.hpp"
#include "topology/Sandbox.hpp"

#include <string>
#include <utility>
#include <vector>

class SandboxFixture {
public:
    // The executable's sandbox; created on the first call (about 1-3 s).
    // After a failed creation every call throws the same error at once.
    static pulse::Sandbox& instance();
    // Tears the sandbox down (call from cleanupTestCase); idempotent and
    // never throws. Also runs at exit.
    static void teardown();
    // POSTGRES_* settings pointing an engine at instance().
    static std::vector<std::pair<std::string, std::string>> settingsValues();
    // Settings for an engine on instance(): defaults, the sandbox, then
    // `commandLine` (as --set would give them); no .env is read.
    static pulse::Settings settings(std::vector<std::pair<std::string, std::string>> commandLine = {});
    // A direct connection to one node of `sandbox` (any sandbox, not only
    // instance()), with exactly this application_name (a developer's
    // PGAPPNAME cannot change what a test matches) and no TLS negotiation.
    static pulse::ConnectionParams nodeParams(const pulse::Sandbox& sandbox, pulse::SandboxNode node,
                                              const std::string& applicationName);
    // Starts stopped nodes, resumes a paused replay and waits (bounded) until
    // the replica streams again.
    static void ensureBothRunning();
};

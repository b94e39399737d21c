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
    // Starts stopped nodes, resumes a paused replay and waits (bounded) until
    // the replica streams again.
    static void ensureBothRunning();
};

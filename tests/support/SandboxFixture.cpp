#include "SandboxFixture.hpp"

#include "common/Errors.hpp"
#include "config/SettingsLoader.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>

namespace {

std::mutex g_mutex;
std::unique_ptr<pulse::Sandbox> g_sandbox;
std::string g_failure; // a failed creation is not retried by every test
bool g_atexitRegistered = false;

void teardownAtExit()
{
    SandboxFixture::teardown();
}

} // namespace

pulse::Sandbox& SandboxFixture::instance()
{
    std::lock_guard lock(g_mutex);
    if (g_sandbox)
        return *g_sandbox;
    if (!g_failure.empty())
        throw pulse::SandboxError(g_failure);

    // Under /tmp, not $TMPDIR: as root the servers run as postgres, which
    // must be able to reach the directory.
    char dir[] = "/tmp/pulse-test-XXXXXX";
    if (::mkdtemp(dir) == nullptr) {
        g_failure = std::string("cannot create a sandbox directory under /tmp: ") + std::strerror(errno);
        throw pulse::SandboxError(g_failure);
    }
    pulse::SandboxOptions options;
    options.baseDir = dir;
    options.guardOwnerProcess = true;
    try {
        g_sandbox = pulse::Sandbox::create(options);
    } catch (const std::exception& error) {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
        g_failure = std::string("the integration-test sandbox could not be created: ") + error.what();
        throw pulse::SandboxError(g_failure);
    }
    if (!g_atexitRegistered) {
        // Registered after the logger registry exists, so it runs before
        // spdlog's statics are destroyed.
        std::atexit(teardownAtExit);
        g_atexitRegistered = true;
    }
    return *g_sandbox;
}

void SandboxFixture::teardown()
{
    std::lock_guard lock(g_mutex);
    if (!g_sandbox)
        return;
    try {
        g_sandbox->teardown();
    } catch (const std::exception& error) {
        std::fprintf(stderr, "SandboxFixture: %s\n", error.what());
    }
    g_sandbox.reset();
}

std::vector<std::pair<std::string, std::string>> SandboxFixture::settingsValues()
{
    return instance().settingsValues();
}

void SandboxFixture::ensureBothRunning()
{
    using namespace std::chrono_literals;
    pulse::Sandbox& sandbox = instance();
    for (const pulse::SandboxNode node : {pulse::SandboxNode::Primary, pulse::SandboxNode::Replica}) {
        if (!sandbox.isRunning(node))
            sandbox.start(node);
    }
    if (!sandbox.isInRecovery(pulse::SandboxNode::Replica))
        throw pulse::SandboxError("the shared sandbox replica was promoted and cannot stream again: promote a "
                                  "sandbox of your own instead of SandboxFixture::instance()");
    sandbox.resumeReplay(); // a no-op unless a test left replay paused
    if (!sandbox.waitForStreaming(20s))
        throw pulse::SandboxError("the sandbox replica did not resume streaming within 20 s; see "
            + sandbox.logFile(pulse::SandboxNode::Replica).string());
}

pulse::Settings SandboxFixture::settings(std::vector<std::pair<std::string, std::string>> commandLine)
{
    pulse::LoadOptions options;
    options.useDefaultEnvFile = false;
    options.sandbox = pulse::SettingsLayer{{pulse::SourceKind::Sandbox, "sandbox (test)"}, settingsValues()};
    options.commandLine = std::move(commandLine);
    return pulse::SettingsLoader::load(options);
}

pulse::ConnectionParams SandboxFixture::nodeParams(const pulse::Sandbox& sandbox, pulse::SandboxNode node,
                                                   const std::string& applicationName)
{
    pulse::ConnectionParams params;
    params.node(std::string(pulse::sandboxNodeName(node)))
        .host(sandbox.host())
        .port(sandbox.port(node))
        .user(sandbox.user())
        .password(sandbox.password())
        .database(sandbox.database())
        .connectTimeout(std::chrono::seconds(2))
        .set("sslmode", "disable")
        .set("gssencmode", "disable")
        .set("application_name", applicationName);
    return params;
}

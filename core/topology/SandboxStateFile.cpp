#include "topology/SandboxStateFile.hpp"

#include "common/Errors.hpp"
#include "topology/PrivateFiles.hpp"

#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <fstream>
#include <nlohmann/json.hpp>

namespace fs = std::filesystem;

namespace pulse {

using detail::SandboxState;

void SandboxStateFile::write(const SandboxState& state)
{
    const SandboxLayout layout = state.layout();
    nlohmann::json json = {
        {"version", kVersion},
        {"host", SandboxState::kHost},
        {"user", state.user},
        {"database", state.database},
        {"password", state.password},
        {"replicationUser", SandboxState::kReplicationUser},
        {"replicationPassword", state.replicationPassword},
        {"replicationSlot", SandboxState::kSlotName},
        {"ports", {{"primary", state.ports[SandboxNode::Primary]}, {"replica", state.ports[SandboxNode::Replica]}}},
        {"dirs",
            {{"base", state.baseDir.string()}, {"socket", layout.socketDir().string()},
                {"primary", layout.dataDir(SandboxNode::Primary).string()},
                {"replica", layout.dataDir(SandboxNode::Replica).string()},
                {"primaryLog", layout.logFile(SandboxNode::Primary).string()},
                {"replicaLog", layout.logFile(SandboxNode::Replica).string()}}},
        {"binDir", state.binDir.string()},
        {"serverVersion", state.serverVersion},
        {"serverUser", state.account ? state.account->name() : std::string()},
        {"instanceId", state.instanceId},
    };
    // Written aside and renamed: a reader never sees half a file. The file
    // holds passwords, so it is the invoking user's alone (mode 600).
    const fs::path target = layout.stateFile();
    const fs::path temporary = target.string() + ".tmp";
    PrivateFiles::write(temporary, json.dump(2) + "\n", std::nullopt);
    std::error_code ec;
    fs::rename(temporary, target, ec);
    if (ec)
        throw SandboxError("cannot write " + target.string() + ": " + ec.message());
}

std::unique_ptr<SandboxState> SandboxStateFile::read(const fs::path& baseDir)
{
    const fs::path path = SandboxLayout(baseDir).stateFile();
    std::ifstream in(path);
    if (!in) {
        const int error = errno;
        std::error_code ec;
        if (!fs::exists(path, ec))
            throw SandboxError("no sandbox in " + baseDir.string() + " (" + path.filename().string()
                + " is missing): create one with `pulsectl sandbox up`");
        throw SandboxError("cannot read " + path.string() + ": " + std::strerror(error)
            + " (control the sandbox as the user who created it)");
    }
    auto state = std::make_unique<SandboxState>();
    try {
        const nlohmann::json json = nlohmann::json::parse(in);
        const int version = json.at("version").get<int>();
        if (version != kVersion)
            throw SandboxError(fmt::format("{} has format version {}, this build reads version {}: remove the "
                                           "sandbox with the matching build, or delete {}",
                path.string(), version, kVersion, baseDir.string()));
        state->baseDir = baseDir;
        state->user = json.at("user").get<std::string>();
        state->database = json.at("database").get<std::string>();
        state->password = json.at("password").get<std::string>();
        state->replicationPassword = json.at("replicationPassword").get<std::string>();
        state->ports[SandboxNode::Primary] = json.at("ports").at("primary").get<int>();
        state->ports[SandboxNode::Replica] = json.at("ports").at("replica").get<int>();
        state->binDir = json.value("binDir", std::string());
        state->serverVersion = json.value("serverVersion", std::string());
        state->instanceId = json.value("instanceId", std::string());
    } catch (const nlohmann::json::exception& error) {
        throw SandboxError("the sandbox state file " + path.string() + " is damaged (" + error.what()
            + "): stop any servers under " + baseDir.string() + " and delete that directory");
    }
    return state;
}

} // namespace pulse

#pragma once
// Everything one Sandbox object knows about its topology: what sandbox.json
// holds, plus what is found again at runtime (the server account). Shared by
// the classes that build and control a sandbox; not part of the public API
// (Sandbox.hpp only forward-declares it).

#include "topology/SandboxLayout.hpp"
#include "topology/SandboxNode.hpp"
#include "topology/ServerAccount.hpp"

#include <array>
#include <filesystem>
#include <optional>
#include <string>

namespace pulse::detail {

struct SandboxState {
    static constexpr const char* kHost = "127.0.0.1";
    static constexpr const char* kReplicationUser = "replicator";
    static constexpr const char* kSlotName = "pulse_replica";

    std::filesystem::path baseDir;
    std::string user;
    std::string database;
    std::string password;
    std::string replicationPassword;
    std::array<int, 2> ports {}; // indexed by SandboxNode
    std::filesystem::path binDir;
    std::string serverVersion;
    std::string instanceId; // tells this sandbox from a later one in the same directory
    std::optional<ServerAccount> account; // runtime only: set when running as root

    SandboxLayout layout() const { return SandboxLayout(baseDir); }
};

} // namespace pulse::detail

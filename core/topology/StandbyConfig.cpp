#include "topology/StandbyConfig.hpp"

#include "common/Errors.hpp"
#include "topology/ConfQuoting.hpp"
#include "topology/PrivateFiles.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <fmt/format.h>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string_view>

namespace fs = std::filesystem;

namespace pulse {

using detail::SandboxState;

namespace {

// Starts the block write() owns at the end of postgresql.conf: everything
// from this line on is replaced, so rebuilding a node again and again does
// not grow the file, and a block copied from the other node is dropped.
constexpr std::string_view kMarker = "# ---- Pulse sandbox: this node's own settings (written by the sandbox on "
                                     "every (re)build; the last setting wins) ----";

// The keys of that block: in postgresql.auto.conf (read after
// postgresql.conf) a copied value would override ours.
constexpr std::array<std::string_view, 3> kNodeKeys {"port", "primary_conninfo", "primary_slot_name"};

std::string readAll(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw SandboxError("cannot read " + path.string() + ": " + std::strerror(errno));
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The setting a configuration line assigns, lower case; empty for comments
// and blank lines.
std::string keyOf(std::string_view line)
{
    const auto start = line.find_first_not_of(" \t");
    if (start == std::string_view::npos || line[start] == '#')
        return {};
    const auto end = line.find_first_of(" \t=", start);
    std::string key(line.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    std::transform(
        key.begin(), key.end(), key.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return key;
}

} // namespace

StandbyConfig::StandbyConfig(const SandboxState& state)
    : m_state(state)
{ }

void StandbyConfig::writePassfile() const
{
    std::string lines;
    for (const SandboxNode node : {SandboxNode::Primary, SandboxNode::Replica})
        lines += fmt::format("{}:{}:*:{}:{}\n", SandboxState::kHost, m_state.ports[node],
            SandboxState::kReplicationUser, m_state.replicationPassword);
    PrivateFiles::write(m_state.layout().passfile(), lines, m_state.account);
}

void StandbyConfig::write(SandboxNode node, SandboxNode upstream) const
{
    const SandboxLayout layout = m_state.layout();
    const fs::path dir = layout.dataDir(node);

    // The passfile is named, not its content copied: the walreceiver reads
    // it on every reconnect, and the password never lands in a data directory.
    const std::string conninfo = fmt::format("host={} port={} user={} passfile={} application_name={} "
                                             "sslmode=disable gssencmode=disable",
        SandboxState::kHost, m_state.ports[upstream], SandboxState::kReplicationUser,
        conninfoQuote(layout.passfile().string()), sandboxNodeName(node));

    const fs::path conf = dir / "postgresql.conf";
    std::string text = readAll(conf);
    if (const auto at = text.find(kMarker); at != std::string::npos && (at == 0 || text[at - 1] == '\n'))
        text.erase(at);
    if (!text.empty() && text.back() != '\n')
        text += '\n';
    text += fmt::format("{}\nport = {}\nprimary_conninfo = {}\nprimary_slot_name = {}\n", kMarker, m_state.ports[node],
        confQuote(conninfo), confQuote(SandboxState::kSlotName));
    PrivateFiles::overwrite(conf, text);

    const fs::path autoConf = dir / "postgresql.auto.conf";
    std::error_code ec;
    if (fs::exists(autoConf, ec)) {
        std::istringstream in(readAll(autoConf));
        std::string kept;
        for (std::string line; std::getline(in, line);) {
            if (std::find(kNodeKeys.begin(), kNodeKeys.end(), keyOf(line)) == kNodeKeys.end())
                kept += line + '\n';
        }
        PrivateFiles::overwrite(autoConf, kept);
    }

    PrivateFiles::write(dir / "standby.signal", {}, m_state.account);
}

} // namespace pulse

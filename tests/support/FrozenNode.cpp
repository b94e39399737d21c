#include "FrozenNode.hpp"

#include "common/Errors.hpp"
#include "topology/Postmaster.hpp"

#include <csignal>
#include <fstream>
#include <sstream>
#include <string>

namespace {

// Parent pid from /proc/<pid>/stat; the command name may contain spaces, so
// parse after its closing parenthesis.
pid_t parentOf(pid_t pid)
{
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    std::getline(stat, line);
    const auto close = line.rfind(')');
    if (close == std::string::npos)
        return 0;
    std::istringstream rest(line.substr(close + 2));
    char state = 0;
    pid_t ppid = 0;
    rest >> state >> ppid;
    return ppid;
}

}  // namespace

FrozenNode::FrozenNode(const std::filesystem::path& dataDir)
{
    const auto postmaster = pulse::postmasterPid(dataDir);
    if (!postmaster)
        throw pulse::SandboxError("no running server in " + dataDir.string() + " to freeze");
    // Children first, so none of them can notice the stopped postmaster.
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
        const std::string name = entry.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos)
            continue;
        const pid_t pid = std::stoi(name);
        if (parentOf(pid) == *postmaster && ::kill(pid, SIGSTOP) == 0)
            m_pids.push_back(pid);
    }
    if (::kill(*postmaster, SIGSTOP) == 0)
        m_pids.push_back(*postmaster);
}

FrozenNode::~FrozenNode()
{
    for (auto it = m_pids.rbegin(); it != m_pids.rend(); ++it)
        ::kill(*it, SIGCONT);
}

#include "topology/Postmaster.hpp"

#include <chrono>
#include <csignal>
#include <fstream>
#include <string>
#include <thread>

using namespace std::chrono_literals;

namespace pulse {

std::optional<pid_t> postmasterPid(const std::filesystem::path& dataDir)
{
    std::ifstream in(dataDir / "postmaster.pid");
    long pid = 0;
    if (!(in >> pid) || pid <= 0)
        return std::nullopt;
    return static_cast<pid_t>(pid);
}

bool processAlive(pid_t pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(in, line))
        return false;
    // The state follows the command name, which may itself contain ')'.
    const auto close = line.rfind(')');
    if (close == std::string::npos || close + 2 >= line.size())
        return false;
    const char status = line[close + 2];
    return status != 'Z' && status != 'X';
}

bool killPostmaster(pid_t pid)
{
    if (!processAlive(pid))
        return true;
    ::kill(pid, SIGQUIT);
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (processAlive(pid) && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(20ms);
    if (processAlive(pid))
        ::kill(pid, SIGKILL);
    return !processAlive(pid);
}

} // namespace pulse

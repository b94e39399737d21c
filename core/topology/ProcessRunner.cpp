#include "topology/ProcessRunner.hpp"

#include "common/Errors.hpp"
#include "common/Trimmed.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <string_view>
#include <sys/wait.h>
#include <unistd.h>

namespace pulse {
namespace {

// Owns one descriptor; closes it exactly once.
class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd)
        : m_fd(fd)
    { }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    ~UniqueFd() { reset(); }
    int get() const noexcept { return m_fd; }
    void reset() noexcept
    {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = -1;
    }

private:
    int m_fd = -1;
};

// posix_spawn's two C structures, destroyed on every path.
class SpawnSetup {
public:
    SpawnSetup()
    {
        posix_spawn_file_actions_init(&m_actions);
        posix_spawnattr_init(&m_attr);
    }
    SpawnSetup(const SpawnSetup&) = delete;
    SpawnSetup& operator=(const SpawnSetup&) = delete;
    ~SpawnSetup()
    {
        posix_spawn_file_actions_destroy(&m_actions);
        posix_spawnattr_destroy(&m_attr);
    }
    posix_spawn_file_actions_t* actions() { return &m_actions; }
    posix_spawnattr_t* attr() { return &m_attr; }

private:
    posix_spawn_file_actions_t m_actions;
    posix_spawnattr_t m_attr;
};

std::vector<std::string> buildEnvironment(const ProcessCommand& command)
{
    auto dropped = [&command](std::string_view name) {
        if (std::find(command.unsetEnv.begin(), command.unsetEnv.end(), name) != command.unsetEnv.end())
            return true;
        return std::any_of(
            command.extraEnv.begin(), command.extraEnv.end(), [name](const auto& kv) { return kv.first == name; });
    };
    std::vector<std::string> env;
    for (char** entry = environ; entry && *entry; ++entry) {
        const std::string_view text(*entry);
        if (!dropped(text.substr(0, text.find('='))))
            env.emplace_back(text);
    }
    for (const auto& [name, value] : command.extraEnv)
        env.push_back(std::string(name).append("=").append(value));
    return env;
}

void addStdio(posix_spawn_file_actions_t* actions, int target, int fd, int devNullFlags)
{
    if (fd >= 0)
        posix_spawn_file_actions_adddup2(actions, fd, target);
    else
        posix_spawn_file_actions_addopen(actions, target, "/dev/null", devNullFlags, 0);
}

// Starts the child; stdio descriptors < 0 mean /dev/null.
pid_t startChild(const ProcessCommand& command, int stdinFd, int stdoutFd, int stderrFd)
{
    if (command.argv.empty())
        throw SandboxError("internal error: empty command line");

    SpawnSetup setup;
    addStdio(setup.actions(), STDIN_FILENO, stdinFd, O_RDONLY);
    addStdio(setup.actions(), STDOUT_FILENO, stdoutFd, O_WRONLY);
    addStdio(setup.actions(), STDERR_FILENO, stderrFd, O_WRONLY);
    // Descriptors without O_CLOEXEC (ours never lack it, a library's might)
    // must not reach a postmaster, which would hold them for its lifetime.
    posix_spawn_file_actions_addclosefrom_np(setup.actions(), 3);
    if (!command.cwd.empty())
        posix_spawn_file_actions_addchdir_np(setup.actions(), command.cwd.c_str());

    // A caller (Qt, a test runner) may block or ignore signals; the child
    // starts clean. Its own process group lets a timeout kill the whole
    // subtree (runuser and what it runs) with one kill().
    sigset_t all;
    sigfillset(&all);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigdefault(setup.attr(), &all);
    posix_spawnattr_setsigmask(setup.attr(), &none);
    short flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK;
    if (command.newSession) {
        flags |= POSIX_SPAWN_SETSID;
    } else {
        flags |= POSIX_SPAWN_SETPGROUP;
        posix_spawnattr_setpgroup(setup.attr(), 0);
    }
    posix_spawnattr_setflags(setup.attr(), flags);

    std::vector<char*> argv;
    argv.reserve(command.argv.size() + 1);
    for (const auto& arg : command.argv)
        argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);

    std::vector<std::string> envStrings = buildEnvironment(command);
    std::vector<char*> envp;
    envp.reserve(envStrings.size() + 1);
    for (auto& entry : envStrings)
        envp.push_back(entry.data());
    envp.push_back(nullptr);

    pid_t pid = -1;
    const int rc = posix_spawnp(&pid, argv[0], setup.actions(), setup.attr(), argv.data(), envp.data());
    if (rc != 0) {
        std::string message = "could not run " + ProcessRunner::describe(command.argv) + ": " + std::strerror(rc);
        if (!command.cwd.empty())
            message += " (working directory " + command.cwd.string() + ")";
        throw SandboxError(message);
    }
    return pid;
}

int waitForExit(pid_t pid)
{
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return -1;
    }
    return status;
}

} // namespace

std::string ProcessResult::combinedOutput() const
{
    std::string e = trimmed(err);
    std::string o = trimmed(out);
    if (e.empty())
        return o;
    if (o.empty())
        return e;
    return e.append("\n").append(o);
}

std::string ProcessRunner::describe(const std::vector<std::string>& argv)
{
    std::string text;
    for (const auto& arg : argv) {
        if (!text.empty())
            text += ' ';
        if (arg.empty() || arg.find_first_of(" \t'\"") != std::string::npos)
            text += "'" + arg + "'";
        else
            text += arg;
    }
    return text;
}

ProcessResult ProcessRunner::run(const ProcessCommand& command)
{
    int outPipe[2];
    int errPipe[2];
    if (::pipe2(outPipe, O_CLOEXEC) != 0)
        throw SandboxError(std::string("could not create a pipe: ") + std::strerror(errno));
    UniqueFd outRead(outPipe[0]);
    UniqueFd outWrite(outPipe[1]);
    if (::pipe2(errPipe, O_CLOEXEC) != 0)
        throw SandboxError(std::string("could not create a pipe: ") + std::strerror(errno));
    UniqueFd errRead(errPipe[0]);
    UniqueFd errWrite(errPipe[1]);

    const pid_t pid = startChild(command, -1, outWrite.get(), errWrite.get());
    // Only the child may hold the write ends, or EOF would never come.
    outWrite.reset();
    errWrite.reset();

    ProcessResult result;
    using Clock = std::chrono::steady_clock;
    const bool bounded = command.timeout.count() > 0;
    auto deadline = Clock::now() + command.timeout;

    pollfd fds[2] = {{outRead.get(), POLLIN, 0}, {errRead.get(), POLLIN, 0}};
    std::string* sinks[2] = {&result.out, &result.err};
    std::size_t* droppedBytes[2] = {&result.outDropped, &result.errDropped};
    char buffer[8192];
    while (fds[0].fd >= 0 || fds[1].fd >= 0) {
        int waitMs = -1;
        if (bounded) {
            // Rounded up: truncating 999.6 ms to 999 would kill a command
            // before its timeout.
            const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
            waitMs = static_cast<int>(std::max<long long>(0, left.count()));
        }
        const int ready = ::poll(fds, 2, waitMs);
        if (ready < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (ready == 0) {
            if (bounded && Clock::now() < deadline)
                continue;  // poll's millisecond clock woke us a little early
            if (result.timedOut)
                break; // killed, yet something still holds the pipe: stop reading
            result.timedOut = true;
            ::kill(-pid, SIGKILL); // the child leads its own group (or session)
            deadline = Clock::now() + std::chrono::seconds(2);
            continue;
        }
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0)
                continue;
            const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
            if (n > 0) {
                sinks[i]->append(buffer, static_cast<size_t>(n));
                const std::size_t limit = command.maxOutputBytes;
                if (limit > 0 && sinks[i]->size() > limit) {
                    const std::size_t excess = sinks[i]->size() - limit;
                    sinks[i]->erase(0, excess);
                    *droppedBytes[i] += excess;
                }
            } else if (n == 0 || errno != EINTR)
                fds[i].fd = -1;
        }
    }

    const int status = waitForExit(pid);
    if (WIFEXITED(status)) {
        result.exitCode = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        result.exitCode = -1;
        result.termSignal = WTERMSIG(status);
    }
    return result;
}

pid_t ProcessRunner::spawn(const ProcessCommand& command, int stdinFd)
{
    return startChild(command, stdinFd, -1, -1);
}

} // namespace pulse

#pragma once
// Runs an external program without a shell: argv is passed verbatim, so paths
// and names never need quoting and nothing in them is ever interpreted.
//
// Children are started with posix_spawn (safe in multi-threaded callers: no
// code of ours runs between fork and exec), with stdin on /dev/null, default
// signal dispositions, an empty signal mask and every descriptor above 2
// closed, so a server started through pg_ctl never inherits a pipe or socket
// of the caller (a leaked pipe would keep ctest or a guardian waiting).
// Every descriptor created here is O_CLOEXEC.
//
// Thread-safe: run() keeps no state between calls.

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>
#include <sys/types.h>
#include <utility>
#include <vector>

namespace pulse {

struct ProcessCommand {
    std::vector<std::string> argv; // argv[0] without a '/' is looked up in PATH
    std::vector<std::pair<std::string, std::string>> extraEnv; // added to (or replacing) the caller's environment
    std::vector<std::string> unsetEnv; // removed from the inherited environment
    std::filesystem::path cwd; // empty: the caller's working directory
    // 0: no limit. Otherwise the child's process group is killed (SIGKILL)
    // when the limit passes and the result says timedOut.
    std::chrono::milliseconds timeout {0};
    bool newSession = false; // setsid(): out of reach of signals sent to the caller's group
    // 0: keep all output. Otherwise only the last maxOutputBytes of stdout and
    // of stderr are kept (the end says why a command failed): a chatty
    // command must not grow the caller's memory until its timeout.
    std::size_t maxOutputBytes = 0;
};

struct ProcessResult {
    int exitCode = -1; // -1 when the child was killed by a signal
    int termSignal = 0; // the signal that killed it, else 0
    bool timedOut = false;
    std::string out; // captured stdout
    std::string err; // captured stderr
    std::size_t outDropped = 0; // bytes cut from the start of `out` (maxOutputBytes)
    std::size_t errDropped = 0;

    bool ok() const noexcept { return exitCode == 0 && !timedOut; }
    // stderr then stdout, trimmed: what an error message should quote.
    std::string combinedOutput() const;
};

class ProcessRunner {
public:
    // Runs the command to completion and captures its output.
    // Throws SandboxError when the program cannot be started at all.
    static ProcessResult run(const ProcessCommand& command);

    // Starts the command without waiting: its stdin is `stdinFd` (the child
    // gets a copy; the caller keeps its own), stdout and stderr go to
    // /dev/null. The caller must reap the returned pid with waitpid().
    // Throws SandboxError when the program cannot be started.
    static pid_t spawn(const ProcessCommand& command, int stdinFd);

    // "argv0 arg1 ..." for logs and error messages (arguments never hold secrets).
    static std::string describe(const std::vector<std::string>& argv);
};

} // namespace pulse

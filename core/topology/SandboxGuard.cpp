#include "topology/SandboxGuard.hpp"

#include "common/Errors.hpp"
#include "common/Logging.hpp"
#include "topology/ProcessRunner.hpp"

#include <cerrno>
#include <cstring>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace pulse {
namespace {

// Positional parameters: $1 pg_ctl, $2 base directory, $3 runuser (may be
// empty), $4 server user, $5 state token (may be empty), then the data
// directories. Arguments are never interpolated into the script text, so no
// path needs quoting.
//
// The outer shell only moves the socket to fd 3 and backgrounds the real
// guardian: a non-interactive shell gives a background list /dev/null as
// stdin, hence the explicit `exec 0<&3` inside it. Once the outer shell has
// exited the guardian is nobody's child but init's.
constexpr const char* kGuardianScript = R"SH(exec 3<&0
(
  exec 0<&3 3<&-
  trap '' HUP INT TERM QUIT PIPE
  IFS= read -r word
  [ "$word" = disarm ] && exit 0
  cd / || exit 1
  pgctl=$1 base=$2 runuser=$3 user=$4 token=$5
  shift 5
  if [ -n "$token" ] && ! grep -qF -e "$token" "$base/sandbox.json" 2>/dev/null; then
    exit 0
  fi
  for dir in "$@"; do
    if [ -n "$runuser" ]; then
      "$runuser" -u "$user" -- "$pgctl" stop -D "$dir" -m immediate -w -t 20
    else
      "$pgctl" stop -D "$dir" -m immediate -w -t 20
    fi
  done >/dev/null 2>&1
  rm -rf -- "$base"
) &
)SH";

} // namespace

SandboxGuard::SandboxGuard(const Target& target)
{
    const auto base = target.baseDir.lexically_normal();
    if (base.empty() || base == base.root_path() || !base.is_absolute())
        throw SandboxError("internal error: refusing to guard base directory '" + base.string() + "'");

    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
        throw SandboxError(
            std::string("cannot start the sandbox guardian: socketpair() failed: ") + std::strerror(errno));
    const int guardianEnd = pair[1];
    m_ownerFd = pair[0];

    ProcessCommand command;
    command.argv = {"/bin/sh", "-c", kGuardianScript, "pulse-sandbox-guardian", target.pgCtl.string(), base.string(),
        target.runuser.string(), target.serverUser, target.stateToken};
    for (const auto& dir : target.dataDirs)
        command.argv.push_back(dir.string());
    command.cwd = "/";
    command.newSession = true;

    pid_t shell = -1;
    try {
        shell = ProcessRunner::spawn(command, guardianEnd);
    } catch (...) {
        ::close(guardianEnd);
        disarm();
        throw;
    }
    ::close(guardianEnd);

    // The outer shell exits as soon as the guardian is backgrounded; after
    // that the guardian certainly holds its end of the pair.
    int status = 0;
    while (::waitpid(shell, &status, 0) < 0 && errno == EINTR) { }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        disarm();
        throw SandboxError("cannot start the sandbox guardian (/bin/sh failed); "
                           "create the sandbox without guardOwnerProcess");
    }
    logger("sandbox")->debug("guardian started for {}", base.string());
}

SandboxGuard::~SandboxGuard()
{
    disarm();
}

void SandboxGuard::disarm() noexcept
{
    if (m_ownerFd < 0)
        return;
    static constexpr char kDisarm[] = "disarm\n";
    // MSG_NOSIGNAL: a guardian that is already gone must not SIGPIPE us.
    (void)::send(m_ownerFd, kDisarm, sizeof kDisarm - 1, MSG_NOSIGNAL);
    ::close(m_ownerFd);
    m_ownerFd = -1;
}

} // namespace pulse

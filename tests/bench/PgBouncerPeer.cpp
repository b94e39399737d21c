#include "PgBouncerPeer.hpp"

#include "topology/PortAllocator.hpp"
#include "topology/ProcessRunner.hpp"

#include <libpq-fe.h>

#include <csignal>
#include <fstream>
#include <pwd.h>
#include <thread>
#include <unistd.h>

namespace {

bool asRoot()
{
    return ::geteuid() == 0;
}

std::vector<std::string> asServerUser(std::vector<std::string> argv)
{
    if (asRoot())
        argv.insert(argv.begin(), {"runuser", "-u", "postgres", "--"});
    return argv;
}

}  // namespace

std::unique_ptr<PgBouncerPeer> PgBouncerPeer::start(const pulse::Sandbox& sandbox, int poolSize,
                                                   std::chrono::milliseconds statementTimeout, std::string& why)
{
    const std::filesystem::path binary = "/usr/sbin/pgbouncer";
    if (!std::filesystem::exists(binary)) {
        why = "pgbouncer is not installed (apt-get install pgbouncer)";
        return nullptr;
    }
    std::unique_ptr<PgBouncerPeer> peer(new PgBouncerPeer());
    char pattern[] = "/tmp/pulse-bench-pgbouncer-XXXXXX";
    peer->m_dir = ::mkdtemp(pattern);
    peer->m_port = pulse::PortAllocator().next();
    const auto ini = peer->m_dir / "pgbouncer.ini";
    {
        // Clients are trusted (a private loopback benchmark); the server side
        // uses the sandbox's password over TCP, like the direct clients.
        std::ofstream out(ini);
        out << "[databases]\n"
            << sandbox.database() << " = host=127.0.0.1 port=" << sandbox.port(pulse::SandboxNode::Primary)
            << " dbname=" << sandbox.database() << " user=" << sandbox.user() << " password=" << sandbox.password()
            << " connect_query='SET statement_timeout = " << statementTimeout.count() << "'"
            << "\n\n[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = " << peer->m_port
            << "\nunix_socket_dir =\nauth_type = trust\nauth_file = " << (peer->m_dir / "users.txt").string()
            << "\npool_mode = transaction\ndefault_pool_size = " << poolSize
            << "\nmax_client_conn = 200\nlogfile = " << (peer->m_dir / "pgbouncer.log").string()
            << "\npidfile = " << (peer->m_dir / "pgbouncer.pid").string() << "\n";
        std::ofstream users(peer->m_dir / "users.txt");
        users << '"' << sandbox.user() << "\" \"\"\n";
    }
    std::filesystem::permissions(ini, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    if (asRoot()) {
        const passwd* pw = ::getpwnam("postgres");
        if (!pw) {
            why = "no postgres user to run pgbouncer as";
            return nullptr;
        }
        for (const auto& entry : std::filesystem::recursive_directory_iterator(peer->m_dir))
            (void)::chown(entry.path().c_str(), pw->pw_uid, pw->pw_gid);
        (void)::chown(peer->m_dir.c_str(), pw->pw_uid, pw->pw_gid);
    }
    pulse::ProcessCommand command;
    command.argv = asServerUser({binary.string(), "-d", ini.string()});
    command.cwd = peer->m_dir;
    command.timeout = std::chrono::seconds(10);
    const auto result = pulse::ProcessRunner::run(command);
    // pgbouncer -d exits 0 even when the daemon dies right after forking:
    // poll until it really accepts a query (bounded).
    const std::string conninfo = "host=127.0.0.1 port=" + std::to_string(peer->m_port) + " dbname=" +
                                 sandbox.database() + " user=" + sandbox.user() + " connect_timeout=2";
    for (int attempt = 0; attempt < 100; ++attempt) {
        PGconn* conn = PQconnectdb(conninfo.c_str());
        const bool ok = PQstatus(conn) == CONNECTION_OK;
        PQfinish(conn);
        if (ok)
            return peer;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    why = "pgbouncer did not come up (exit " + std::to_string(result.exitCode) + "): " + result.combinedOutput();
    return nullptr;
}

PgBouncerPeer::~PgBouncerPeer()
{
    std::ifstream pidFile(m_dir / "pgbouncer.pid");
    pid_t pid = 0;
    if (pidFile >> pid && pid > 0) {
        ::kill(pid, SIGTERM);
        for (int i = 0; i < 100 && ::kill(pid, 0) == 0; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    std::error_code ec;
    std::filesystem::remove_all(m_dir, ec);
}

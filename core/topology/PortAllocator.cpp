#include "topology/PortAllocator.hpp"

#include "common/Errors.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace pulse {
namespace {

int kernelChosenPort(const std::string& host)
{
    sockaddr_in address {};
    address.sin_family = AF_INET;
    address.sin_port = 0;
    if (::inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1)
        throw SandboxError("cannot pick a port: '" + host + "' is not an IPv4 address");

    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        throw SandboxError(std::string("cannot pick a port: socket() failed: ") + std::strerror(errno));
    socklen_t length = sizeof address;
    const bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0
        && ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
    const int savedErrno = errno;
    ::close(fd);
    if (!bound)
        throw SandboxError("cannot pick a port: binding a socket to " + host + " failed: " + std::strerror(savedErrno)
            + " (is the loopback interface up?)");
    return ntohs(address.sin_port);
}

} // namespace

PortAllocator::PortAllocator(std::string host)
    : m_host(std::move(host))
{ }

int PortAllocator::next()
{
    for (int attempt = 0; attempt < 50; ++attempt) {
        const int port = kernelChosenPort(m_host);
        if (m_handedOut.insert(port).second)
            return port;
    }
    throw SandboxError("cannot pick a port on " + m_host + ": the kernel keeps returning ports already in use");
}

} // namespace pulse

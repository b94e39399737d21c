#pragma once
// Picks TCP ports that are free on a local address right now.
//
// The kernel chooses (bind to port 0), so parallel sandboxes and test
// executables do not race on a shared counter. A port is only free at the
// moment of the check: whoever binds it later must retry with a new one when
// it got taken in between (Sandbox does).

#include <set>
#include <string>

namespace pulse {

class PortAllocator {
public:
    explicit PortAllocator(std::string host = "127.0.0.1");

    // A free port, never one returned before by this allocator (two binds to
    // port 0 may yield the same number once the first socket is closed).
    // Throws SandboxError when no socket can be bound on the host.
    int next();

private:
    std::string m_host;
    std::set<int> m_handedOut;
};

} // namespace pulse
